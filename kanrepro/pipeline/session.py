"""A knot notebook's setup and teardown, written once (notebooks 03-10).

``start`` checks the notebook's parameters against its parameters cell, loads the dataset ``data_path`` names
(refusing what no split can train on) and checks each seed list; ``KnotSession.write`` stores the results with
what they were made from: the dataset's name, rows and SHA-256, the parameters and the wall time.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kanrepro.experiment.knot_runs import check_seeds, load_knots
from kanrepro.knots.dataset import resolve_dataset
from kanrepro.pipeline.notebook_params import check_notebook_parameters
from kanrepro.results import write_results


@dataclass
class KnotSession:
    """What a knot notebook runs on; ``frame`` is (rows, ID columns + 17 features + signature)."""

    stem: str  # the notebook's stem, e.g. '04_kan_knot': names its result file
    parameters: dict[str, Any]  # the checked values of its parameters cell
    frame: pd.DataFrame
    data_sha256: str
    dataset: str  # 'random', 'census' or the file's path
    started: float = field(default_factory=time.time)

    def write(self, results: dict[str, Any]) -> Path:
        """``results`` + dataset, n_rows, data_sha256, parameters, wall_seconds -> reports/results/<stem>.json."""
        made_from = {"dataset": self.dataset, "n_rows": len(self.frame), "data_sha256": self.data_sha256,
                     "parameters": self.parameters, "wall_seconds": time.time() - self.started}
        if clash := sorted(set(made_from) & set(results)):
            raise ValueError(f"results must not set {clash}: the session records them")
        return write_results(self.stem, {**results, **made_from})


def start(namespace: dict[str, Any], stem: str, seed_lists: Sequence[str] = ()) -> KnotSession:
    """Check the notebook's parameters in ``namespace`` (its globals), load ``data_path``, and replace each named
    seed list in ``namespace`` by its checked form (distinct, 0..2**32 - 1); prints what it loaded."""
    parameters = check_notebook_parameters(namespace, stem)
    started = time.time()
    _, dataset = resolve_dataset(namespace["data_path"])
    frame, sha256 = load_knots(namespace["data_path"])
    for name in seed_lists:
        namespace[name] = check_seeds(namespace[name], name)
    print(f"{dataset}: {len(frame)} rows, sha256 {sha256[:12]}…")
    return KnotSession(stem, parameters, frame, sha256, dataset, started)

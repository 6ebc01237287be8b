"""The knot experiment's building blocks for notebooks 03-06: data, checked inputs, many-seed runs, summaries.

Every run uses the same data pipeline (kanrepro.knots.prep via kanrepro.train.protocols), so models differ only where a
claim says they do. Seeds: ``split_seeds`` fix the train/val/test split, ``init_seeds`` the weights, and the
batch order uses the init seed (one stream per copy).
"""
from __future__ import annotations

import contextlib
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from tqdm import tqdm

from kanrepro.experiment.stats import summarise
from kanrepro.experiment.table4 import LAMBDA, MU_IMAG, MU_REAL
from kanrepro.knots.dataset import (
    FEATURES,
    check_trainable,
    load_dataset,
    resolve_dataset,
)
from kanrepro.knots.prep import ConstantColumnWarning
from kanrepro.results import file_sha256
from kanrepro.train import ensemble, protocols
from kanrepro.train.records import RunRecord

SALIENT = [LAMBDA, MU_IMAG, MU_REAL]  # DeepMind's three salient invariants, in its order


def load_knots(data_path: str) -> tuple[pd.DataFrame, str]:
    """The dataset ``data_path`` names ('' = the default, ``random`` or ``census``, or a file) and its SHA-256."""
    path, _ = resolve_dataset(data_path)
    frame = load_dataset(path)
    check_trainable(frame, str(path))
    return frame, file_sha256(path)


def check_features(features: Sequence[str], parameter: str = "features") -> list[str]:
    """Reject unknown or repeated feature names, naming the parameter and the allowed names."""
    unknown = [f for f in features if f not in FEATURES]
    if unknown or not features or len(set(features)) != len(features):
        raise ValueError(f"{parameter} must be distinct names from {FEATURES}; got {list(features)}"
                         + (f" (unknown: {unknown})" if unknown else ""))
    return list(features)


MAX_SEED = 2**32 - 1  # numpy's RandomState accepts 0..2**32 - 1


def check_seeds(seeds: Sequence[int], parameter: str) -> list[int]:
    """Reject an empty or repeated seed list, or seeds outside numpy's 0..2**32-1, naming the parameter."""
    if not seeds or len(set(seeds)) != len(seeds) or any(not 0 <= int(s) <= MAX_SEED for s in seeds):
        raise ValueError(f"{parameter} must be a non-empty list of distinct integers in 0..{MAX_SEED}, "
                         f"got {list(seeds)}")
    return [int(s) for s in seeds]


def parse_widths(text: str, parameter: str) -> list[int]:
    """'3-3' -> [3, 3]: hidden widths joined by '-', each >= 1; a clear error naming ``parameter`` otherwise."""
    try:
        values = [int(w) for w in text.split("-")]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise ValueError(f"{parameter}: {text!r} is not positive widths joined by '-' (e.g. '3-3')")
    return values


def progress(items: Sequence, label: str) -> tqdm:
    """A sparse progress bar (plain tqdm prints lines under papermill; one update per 5 s at most)."""
    return tqdm(list(items), desc=label, mininterval=5)


@contextlib.contextmanager
def constant_column_notes():
    """Collect prep's zero-std warnings over many splits and print one line instead of one per split."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        yield
    constant = [w.message for w in caught if isinstance(w.message, ConstantColumnWarning)]
    columns = sorted({c for message in constant for c in message.columns})
    if columns:
        print(f"note: constant column(s) in some splits: {', '.join(columns)} (left centred; DeepMind's notebook"
              " raises an error there)")
    for w in caught:
        if not isinstance(w.message, ConstantColumnWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def mlp_runs(frame: pd.DataFrame, features: Sequence[str], hidden: Sequence[int], cfg: protocols.DeepMindConfig,
             split_seeds: Sequence[int], init_seeds: Sequence[int], protocol: str = "deepmind",
             label: str = "") -> list[RunRecord]:
    """MLP(hidden) on every split seed, all init seeds of a split trained at once (vectorised)."""
    spec = protocols.ModelSpec(hidden=tuple(hidden))
    records: list[RunRecord] = []
    for split_seed in progress(split_seeds, label or f"MLP{list(hidden)}"):
        with constant_column_notes():
            data = protocols.prepare(frame, list(features), cfg, split_seed)
        records += ensemble.deepmind_ensemble(data, spec, cfg, list(init_seeds), split_seed=split_seed,
                                              protocol=protocol)
    return records


def kan_runs(frame: pd.DataFrame, features: Sequence[str], hidden: Sequence[int], grid: int, k: int,
             cfg: protocols.DeepMindConfig, split_seeds: Sequence[int], init_seeds: Sequence[int],
             label: str = "") -> list[RunRecord]:
    """KAN [n_in, *hidden, n_out] trained with Adam under the DeepMind protocol, one run per (split, init)."""
    spec = protocols.ModelSpec(kind="kan", hidden=tuple(hidden), grid=grid, k=k)
    pairs = [(s, i) for s in split_seeds for i in init_seeds]
    records: list[RunRecord] = []
    data, current = None, None
    for split_seed, init_seed in progress(pairs, label or f"KAN{list(hidden)}"):
        if current != split_seed:
            with constant_column_notes():
                data, current = protocols.prepare(frame, list(features), cfg, split_seed), split_seed
        records.append(protocols.deepmind(data, spec, cfg, init_seed, init_seed, split_seed,
                                          protocol="deepmind_adam_kan"))
    return records


def records_frame(records: Sequence[RunRecord], **columns: object) -> pd.DataFrame:
    """One row per run: model, seeds, steps, accuracies, parameter count (+ constant ``columns``)."""
    rows = []
    for r in records:
        params = r.params.get("weights_and_biases") or r.params.get("spline_plus_scales")
        rows.append({"model": r.model, "split_seed": r.seeds.get("split"), "init_seed": r.seeds.get("init"),
                     "steps_run": r.steps_run, "stop_step": r.stop_step, "params": params,
                     "train_acc": r.train_accuracy, "val_acc": r.val_accuracy, "test_acc": r.test_accuracy,
                     "seconds": r.seconds, **columns})
    return pd.DataFrame(rows)


def accuracy_summary(accuracies: Sequence[float], prefix: str) -> dict[str, object]:
    """``<prefix>_acc_mean``, ``_acc_ci95`` ([low, high], bootstrap), ``_acc_best``, ``_acc_min``, ``_acc_std``,
    ``_n_runs``, and every run's accuracy in ``_acc_runs``."""
    s = summarise(list(accuracies))
    return {f"{prefix}_acc_mean": s["mean"], f"{prefix}_acc_ci95": [s["ci_low"], s["ci_high"]],
            f"{prefix}_acc_best": s["max"], f"{prefix}_acc_min": s["min"], f"{prefix}_acc_std": s["std"],
            f"{prefix}_n_runs": s["n"], f"{prefix}_acc_runs": [float(a) for a in accuracies]}


def summary_table(runs: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Mean, 95% CI, best and count of test accuracy per group, as percentages."""
    rows = []
    for key, group in runs.groupby(by, sort=False):
        s = summarise(group["test_acc"].to_list())
        names, values = ([by], (key,)) if isinstance(by, str) else (by, key if isinstance(key, tuple) else (key,))
        rows.append({**dict(zip(names, values, strict=True)),
                     "params": group["params"].iloc[0], "n": s["n"], "mean %": 100 * s["mean"],
                     "ci95 low %": 100 * s["ci_low"], "ci95 high %": 100 * s["ci_high"], "best %": 100 * s["max"],
                     "median stop step": float(np.median(group["steps_run"]))})
    return pd.DataFrame(rows)


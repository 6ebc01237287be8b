"""Rebuild a seeded sample of knots and compare them with a dataset file (``make verify-data``)."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from kanrepro.knots.dataset import FEATURES, TARGET, load_dataset
from kanrepro.knots.invariants import knot_row, mirror_row

EXACT = {"hyperbolic_torsion_degree", "hyperbolic_adjoint_torsion_degree", TARGET}


def compare_rows(ours: dict[str, Any], shipped: dict[str, Any], tol: float) -> list[str]:
    """Names of the columns that differ (integers exactly, floats beyond ``tol`` absolute)."""
    bad = []
    for col in FEATURES + [TARGET]:
        a, b = ours[col], shipped[col]
        if col in EXACT or col.startswith("Symmetry_"):
            if int(a) != int(b):
                bad.append(col)
        elif abs(float(a) - float(b)) > tol:
            bad.append(col)
    return bad


def verify(path: str | Path, sample: int = 20, seed: int = 0, tol: float = 1e-8) -> dict[str, Any]:
    """Recompute ``sample`` seeded knots (and their mirror rows) and compare; ``ok`` when all match."""
    frame = load_dataset(path)
    originals = frame[frame["mirror"] == 0].set_index("name")
    mirrors = frame[frame["mirror"] == 1].set_index("name")
    names = sorted(originals.index)
    picked = random.Random(seed).sample(names, min(sample, len(names)))
    mismatches = []
    for name in picked:
        row, _ = knot_row(name)
        for ours, shipped in ((row, originals.loc[name]), (mirror_row(row), mirrors.loc[name])):
            bad = compare_rows(ours, shipped, tol)
            if bad:
                mismatches.append({"name": name, "mirror": ours["mirror"], "columns": bad})
    return {"ok": not mismatches, "checked_knots": len(picked), "mismatches": mismatches, "data": str(path)}

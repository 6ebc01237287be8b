"""Rebuild a seeded sample of knots and compare them with a dataset file (``make verify-data``)."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from kanrepro.knots.dataset import FEATURES, TARGET, load_dataset
from kanrepro.knots.invariants import knot_row, mirror_row
from kanrepro.knots.zero_rule import COLUMNS as ZERO_COLUMNS

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
    """Recompute ``sample`` seeded (census name, mirror) rows and compare; ``ok`` when all match.

    Random-diagram files: only knots with a census name are recomputed, and the torsion degrees are
    compared with the true degrees kept beside the stored ones (the zero rule stores some as 0).
    """
    frame = load_dataset(path)
    named = frame[frame["name"] != ""].drop_duplicates(["name", "mirror"]).set_index(["name", "mirror"])
    picked = random.Random(seed).sample(sorted(named.index), min(sample, len(named)))
    mismatches = []
    for name, mirror in picked:
        row, _ = knot_row(name)
        ours, shipped = (mirror_row(row) if mirror else row), named.loc[(name, mirror)].to_dict()
        for column in ZERO_COLUMNS:
            true = shipped.get(f"true_{column}", shipped[column])
            shipped[column] = ours[column] if true == -1 else true  # -1: not computed in the build
        bad = compare_rows(ours, shipped, tol)
        if bad:
            mismatches.append({"name": name, "mirror": int(mirror), "columns": bad})
    return {"ok": not mismatches, "checked_knots": len(picked), "mismatches": mismatches, "data": str(path)}

"""Pilot a draw recipe before building with it: draws only, scored against DeepMind's distribution.

A pilot draws ``n`` rows of a wide recipe with the random build's draw stage (same workers, chunks and
seeds; no features) and scores it and its narrower sub-recipes on what the draws carry: the repetition
share of a 15,000-row sample (as the reference measures it, by knot key), the signature shares and the
volume quantiles. A sub-recipe with ``n`` in ``a..b`` (inside the pilot's range) and crossings up to ``c``
(at most the pilot's cap) is scored on the pilot rows that pass its filters; that subset is *exactly* a
sample of the sub-recipe, since each try draws ``n`` uniformly and the filters only reject.

    python -m kanrepro.knots pilot --n-min 24 --n-max 36 --max-crossings 24 --draws 15000
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kanrepro.knots.draws import Recipe
from kanrepro.knots.matching import (
    LEVELS,
    QUANTILE_TOL_IQR,
    REFERENCE_COLUMNS,
    REFERENCE_REPEATED_SHARE,
    REFERENCE_SIGNATURE,
    SAMPLE_ROWS,
    SHARE_TOL,
    expected_twin_share,
)

SCORED = ("n_min", "n_max", "max_crossings")  # the recipe fields a sub-recipe may narrow


def run_pilot(recipe: Recipe, n_draws: int, seed: int, chunks: str | Path, workers: int = 2,
              scheduler: str | None = None, progress: bool = True) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Draw rows 0..n_draws-1 of ``recipe`` (resumable chunk files under ``chunks``/<version>_seed<seed>).
    Returns the pool, one row per successful draw (index, n, crossings, key, signature, name, volume), and
    the failed draws ({draw, status, error}: e.g. a draw that hit the build's timeout)."""
    from kanrepro.knots.build import read_chunks, run_chunks
    from kanrepro.knots.random_build import TIMEOUT, draw_chunks

    root = Path(chunks) / f"{recipe.version}_seed{seed}"
    jobs = draw_chunks(n_draws, seed, recipe, root)
    run_chunks(jobs, workers, scheduler, TIMEOUT, "fast", progress, "pilot draws")
    results = read_chunks([p for p, _ in jobs])
    columns = ["index", "n", "crossings", "key", "signature", "name", "volume"]
    pool = pd.DataFrame([{c: r["draw"][c] for c in columns} for r in results if r["status"] == "ok"],
                        columns=columns)
    failed = [{"draw": _draw_index(r["name"]), "status": r["status"], "error": r.get("error", "")}
              for r in results if r["status"] != "ok"]
    return pool, failed


def _draw_index(name: str) -> int:
    """A draw job's index from its result's name: 'draw 12' (a result) or the job's JSON (a timeout)."""
    return int(json.loads(name)["draw"]) if name.startswith("{") else int(name.split()[-1])


def check_sub_recipe(recipe: Recipe, **narrower: int) -> Recipe:
    """The sub-recipe of ``recipe`` with ``narrower`` fields (``n_min``, ``n_max``, ``max_crossings``), refused
    (ValueError naming the field and the pilot's range) unless its draws are a subset of the pilot's."""
    if unknown := sorted(set(narrower) - set(SCORED)):
        raise ValueError(f"a sub-recipe narrows only {SCORED}, not {unknown}")
    sub = replace(recipe, **narrower)
    if not recipe.n_min <= sub.n_min <= sub.n_max <= recipe.n_max:
        raise ValueError(f"n {sub.n_min}..{sub.n_max} is not inside the pilot's {recipe.n_min}..{recipe.n_max}")
    if not recipe.min_crossings <= sub.max_crossings <= recipe.max_crossings:
        raise ValueError(f"max_crossings {sub.max_crossings} is not in the pilot's "
                         f"{recipe.min_crossings}..{recipe.max_crossings}")
    return sub


def sub_recipe_rows(pool: pd.DataFrame, recipe: Recipe, **narrower: int) -> pd.DataFrame:
    """The pool rows a sub-recipe (:func:`check_sub_recipe`) would have drawn."""
    sub = check_sub_recipe(recipe, **narrower)
    keep = pool["n"].between(sub.n_min, sub.n_max) & (pool["crossings"] <= sub.max_crossings)
    return pool[keep]


def score(rows: pd.DataFrame, sample_rows: int = SAMPLE_ROWS) -> dict[str, Any]:
    """What the draws say against the reference. rows: (N, index, n, crossings, key, signature, name, volume).

    ``repeated_share``: expected share of rows with a twin (same key) in a ``sample_rows``-row sample, or at
    ``min(sample_rows, N)`` rows when the pool is smaller (then not comparable with the target; said so).
    """
    k = min(sample_rows, len(rows))
    shares = rows["signature"].value_counts(normalize=True)
    errors = {s: float(shares.get(s, 0.0) - t) for s, t in REFERENCE_SIGNATURE.items()}
    target = REFERENCE_COLUMNS["volume"]  # (mean, std, q01 .. q99, share 0)
    iqr = target[6] - target[4]
    errors_iqr = (np.quantile(rows["volume"].to_numpy(float), LEVELS) - np.array(target[2:9])) / iqr
    names = rows["name"].fillna("")
    counts = names[names != ""].value_counts()  # census-named knots, most drawn first
    top_name, top_count = (counts.index[0], int(counts.iloc[0])) if len(counts) else ("", 0)
    return {"rows": len(rows), "repeated_share": expected_twin_share(rows["key"].to_numpy(), k),
            "repeated_share_sample_rows": k, "repeated_share_target": REFERENCE_REPEATED_SHARE,
            "signature_shares_within": sum(abs(e) <= SHARE_TOL for e in errors.values()),
            "signature_worst_error": max(errors.values(), key=abs),
            "volume_quantile_error_iqr": {f"q{round(100 * q):02d}": float(e)
                                          for q, e in zip(LEVELS, errors_iqr, strict=True)},
            "volume_quantiles_within": int(np.sum(np.abs(errors_iqr) <= QUANTILE_TOL_IQR)),
            "top_knot": top_name, "top_knot_share": top_count / len(rows),
            "median_crossings": float(rows["crossings"].median())}


def score_table(pool: pd.DataFrame, recipe: Recipe, sub_recipes: list[dict[str, int]]) -> pd.DataFrame:
    """One scored line for the pilot's recipe and each sub-recipe (a dict of narrowed fields)."""
    lines = []
    for narrower in [{}] + sub_recipes:
        sub = check_sub_recipe(recipe, **narrower)
        label = f"n {sub.n_min}..{sub.n_max}, crossings {sub.min_crossings}..{sub.max_crossings}"
        lines.append({"recipe": label, **score(sub_recipe_rows(pool, recipe, **narrower))})
    return pd.DataFrame(lines).set_index("recipe")


def parse_sub_recipe(text: str) -> dict[str, int]:
    """``'a..b'`` (n range), ``':c'`` (crossing cap) or ``'a..b:c'`` -> the narrowed fields."""
    n_part, _, cap = text.partition(":")
    out: dict[str, int] = {}
    try:
        if n_part:
            low, sep, high = n_part.partition("..")
            if not sep:
                raise ValueError
            out.update(n_min=int(low), n_max=int(high))
        if cap:
            out["max_crossings"] = int(cap)
    except ValueError:
        raise ValueError(f"sub-recipe {text!r}: expected 'a..b', ':c' or 'a..b:c' with integers") from None
    if not out:
        raise ValueError(f"sub-recipe {text!r} narrows nothing")
    return out


def default_sub_recipes(recipe: Recipe) -> list[dict[str, int]]:
    """The two halves of the pilot's n range and crossing caps 18, 20, 22 below its own."""
    middle = (recipe.n_min + recipe.n_max) // 2
    halves = [{"n_min": recipe.n_min, "n_max": middle}, {"n_min": middle + 1, "n_max": recipe.n_max}]
    caps = [{"max_crossings": c} for c in (18, 20, 22) if recipe.min_crossings <= c < recipe.max_crossings]
    return (halves if recipe.n_max > recipe.n_min else []) + caps

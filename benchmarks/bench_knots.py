"""Knot dataset throughput: knots/second/core for the features (geometry + signature + torsion) and for
the short geodesic, separately, on a seeded sample of census knots; merged into ``reports/bench.json``.

Usage: ``python benchmarks/bench_knots.py [--n 50] [--crossings 11 12 13] [--seed 0] [--crosscheck 200]``.
``--crosscheck N`` also recomputes N seeded knots of the shipped file whose geodesic came from a Dirichlet
domain with the orbit search only (the uncertified fallback) and reports the agreement.
"""
from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np

from kanrepro.knots.assemble import manifest_path
from kanrepro.knots.census import census_names, crossings_of
from kanrepro.knots.dataset import DEFAULT_DATA_PATH, load_dataset
from kanrepro.knots.invariants import NotHyperbolic, knot_row
from kanrepro.results import REPORTS_DIR, merge_results


def crosscheck_words(n: int, seed: int) -> dict:
    """Orbit search vs the shipped Dirichlet geodesics on ``n`` seeded knots."""
    import snappy

    from kanrepro.knots.geodesic import short_geodesic

    frame = load_dataset(DEFAULT_DATA_PATH)
    fallback = {f["name"] for f in json.loads(manifest_path(DEFAULT_DATA_PATH).read_text())["geodesic_fallbacks"]}
    rows = frame[(frame["mirror"] == 0) & ~frame["name"].isin(fallback)].set_index("name")
    names = random.Random(seed).sample(sorted(rows.index), min(n, len(rows)))
    diffs, start = [], time.perf_counter()
    for name in names:
        out = short_geodesic(snappy.Manifold(name), name, method="words")
        shipped = complex(rows.loc[name, "short_geodesic_real_part"], rows.loc[name, "short_geodesic_imag_part"])
        diffs.append(abs(complex(out["real"], out["imag"]) - shipped))
    arr = np.array(diffs)
    return {
        "knots_words_crosscheck_n": len(names),
        "knots_words_crosscheck_agree_1e-8": int(np.sum(arr < 1e-8)),
        "knots_words_crosscheck_max_abs_diff": float(arr.max()),
        "knots_words_crosscheck_disagreeing": [m for m, d in zip(names, diffs) if d >= 1e-8],
        "knots_words_crosscheck_s_per_knot": (time.perf_counter() - start) / len(names),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50, help="knots sampled over the crossing numbers")
    parser.add_argument("--crossings", type=int, nargs="+", default=[11, 12, 13])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--crosscheck", type=int, default=0, help="orbit search vs shipped Dirichlet values")
    args = parser.parse_args()
    pool = [n for n in census_names(max(args.crossings), min(args.crossings)) if crossings_of(n) in args.crossings]
    names = random.Random(args.seed).sample(pool, min(args.n, len(pool)))
    diags = []
    start = time.perf_counter()
    for name in names:
        try:
            diags.append(knot_row(name)[1])
        except NotHyperbolic:
            continue
    wall = time.perf_counter() - start
    # cross-check of the orbit search (the uncertified fallback) on knots where a Dirichlet domain worked
    import snappy

    from kanrepro.knots.geodesic import short_geodesic

    checks = []
    for d in diags:
        if d["geodesic_method"].startswith("dirichlet"):
            out = short_geodesic(snappy.Manifold(d["name"]), d["name"], cross_check=True)
            checks.append(out.get("words_check", float("inf")))
    feat = np.array([d["t_features"] + d["t_torsion"] for d in diags])
    geo = np.array([d["t_geodesic"] for d in diags])
    methods: dict[str, int] = {}
    for d in diags:
        key = d["geodesic_method"].rstrip("0123456789")
        methods[key] = methods.get(key, 0) + 1
    values = {
        "knots_n": len(diags),
        "knots_crossings": args.crossings,
        "knots_features_per_s_per_core": len(diags) / float(feat.sum()),
        "knots_geodesic_per_s_per_core": len(diags) / float(geo.sum()),
        "knots_total_per_s_per_core": len(diags) / wall,
        "knots_features_ms_median": 1e3 * float(np.median(feat)),
        "knots_torsion_ms_median": 1e3 * float(np.median([d["t_torsion"] for d in diags])),
        "knots_geodesic_ms_median": 1e3 * float(np.median(geo)),
        "knots_geodesic_ms_p95": 1e3 * float(np.percentile(geo, 95)),
        "knots_geodesic_methods": methods,
        "knots_words_vs_dirichlet_n": len(checks),
        "knots_words_vs_dirichlet_agree_1e-8": int(np.sum(np.array(checks) < 1e-8)),
        "knots_words_vs_dirichlet_max_abs_diff": float(np.max(checks)) if checks else float("nan"),
    }
    if args.crosscheck:
        values.update(crosscheck_words(args.crosscheck, args.seed))
    merge_results(REPORTS_DIR / "bench.json", values)
    print(json.dumps(values, indent=2))


if __name__ == "__main__":
    main()

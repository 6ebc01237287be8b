"""Knot dataset throughput: knots/second/core for the features (geometry + signature + torsion) and for
the short geodesic, separately, on a seeded sample of census knots; merged into ``reports/bench.json``.

Usage: ``python benchmarks/bench_knots.py [--n 50] [--crossings 11 12 13] [--seed 0] [--crosscheck 200]
[--exact-check 20]``. ``--crosscheck N`` also recomputes N seeded knots of the shipped file whose geodesic came
from a Dirichlet domain with the orbit search only (the uncertified fallback) and reports the agreement.
``--exact-check N`` compares N seeded fallback rows of the shipped file (no Dirichlet domain; orbit search)
with SnapPy's ``length_spectrum_alt`` (slow: about a minute per 13-crossing knot).
"""
from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np

from kanrepro.knots.assemble import manifest_path
from kanrepro.knots.census import census_names, crossings_of
from kanrepro.knots.dataset import DEFAULT_CENSUS_PATH, load_dataset
from kanrepro.knots.invariants import NotHyperbolic, knot_row
from kanrepro.results import REPORTS_DIR, merge_results


def crosscheck_words(n: int, seed: int) -> dict:
    """Orbit search vs the shipped Dirichlet geodesics on ``n`` seeded knots."""
    import snappy

    from kanrepro.knots.geodesic import short_geodesic

    frame = load_dataset(DEFAULT_CENSUS_PATH)
    fallback = {f["name"] for f in json.loads(manifest_path(DEFAULT_CENSUS_PATH).read_text())["geodesic_fallbacks"]}
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
        "knots_words_crosscheck_disagreeing": [m for m, d in zip(names, diffs, strict=True) if d >= 1e-8],
        "knots_words_crosscheck_s_per_knot": (time.perf_counter() - start) / len(names),
    }


def exact_check_fallbacks(n: int, seed: int) -> dict:
    """Shipped orbit-search geodesics vs SnapPy's ``length_spectrum_alt`` on ``n`` seeded fallback knots.

    Lengths agree when the real parts match to 1e-8; the complex values may then still differ by the sign
    of the imaginary part when two geodesics share the length (counted apart).
    """
    import snappy

    from kanrepro.knots.geodesic import exact_length

    frame = load_dataset(DEFAULT_CENSUS_PATH)
    manifest = json.loads(manifest_path(DEFAULT_CENSUS_PATH).read_text())
    fallback = sorted(f["name"] for f in manifest["geodesic_fallbacks"])
    rows = frame[frame["mirror"] == 0].set_index("name")
    names = random.Random(seed).sample(fallback, min(n, len(fallback)))
    real_diffs, complex_diffs, start = [], [], time.perf_counter()
    for name in names:
        exact = exact_length(snappy.Manifold(name))
        shipped = complex(rows.loc[name, "short_geodesic_real_part"], rows.loc[name, "short_geodesic_imag_part"])
        real_diffs.append(shipped.real - exact.real)
        complex_diffs.append(abs(shipped - exact))
        print(f"{name}: shipped {shipped:.9f}, length_spectrum_alt {exact:.9f}", flush=True)
    real = np.array(real_diffs)
    return {
        "knots_exact_check_n": len(names),
        "knots_exact_check_length_agree_1e-8": int(np.sum(np.abs(real) < 1e-8)),
        "knots_exact_check_complex_agree_1e-8": int(np.sum(np.array(complex_diffs) < 1e-8)),
        "knots_exact_check_too_long": [m for m, d in zip(names, real, strict=True) if d >= 1e-8],
        "knots_exact_check_too_short": [m for m, d in zip(names, real, strict=True) if d <= -1e-8],
        "knots_exact_check_s_per_knot": (time.perf_counter() - start) / max(len(names), 1),
    }


def throughput(n: int, crossings: list[int], seed: int) -> dict:
    """Per-core rates and timings on ``n`` seeded census knots of the given crossing numbers, and the orbit
    search cross-checked against every Dirichlet value among them."""
    pool = [k for k in census_names(max(crossings), min(crossings)) if crossings_of(k) in crossings]
    names = random.Random(seed).sample(pool, min(n, len(pool)))
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
    return {
        "knots_n": len(diags),
        "knots_crossings": crossings,
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50, help="knots sampled over the crossing numbers")
    parser.add_argument("--crossings", type=int, nargs="+", default=[11, 12, 13])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--crosscheck", type=int, default=0, help="orbit search vs shipped Dirichlet values")
    parser.add_argument("--exact-check", type=int, default=0, help="shipped fallback rows vs length_spectrum_alt")
    parser.add_argument("--only-checks", action="store_true", help="skip the throughput sample")
    args = parser.parse_args()
    values = {} if args.only_checks else throughput(args.n, args.crossings, args.seed)
    if args.crosscheck:
        values.update(crosscheck_words(args.crosscheck, args.seed))
    if args.exact_check:
        values.update(exact_check_fallbacks(args.exact_check, args.seed))
    merge_results(REPORTS_DIR / "bench.json", values)
    print(json.dumps(values, indent=2))


if __name__ == "__main__":
    main()

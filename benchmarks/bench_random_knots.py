"""Random-diagram knots: rows/second/core with and without the repeat cache; merged into ``reports/bench.json``.

Usage: ``python benchmarks/bench_random_knots.py [--n 60] [--seed 1000]``. Draws ``n`` rows (seeds apart from the
shipped build's), timing each draw (diagram, simplification, identity keys, census name, signature), then
computes every drawn knot's features as if nothing were cached, timing each. Throughput per core:

- ``no_cache``: every row pays its draw and its features;
- ``repeat_cache``: features once per distinct knot (a mirror's row is derived), at the distinct-knot share
  of the shipped file (its manifest; repeats are rare among ``n`` draws but common among 243,700);
- ``repeat_cache_and_census``: as above, and knots of <= 13 crossings take the census file's row.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from kanrepro.knots.assemble import manifest_path
from kanrepro.knots.dataset import (
    DEFAULT_CENSUS_PATH,
    DEFAULT_RANDOM_PATH,
    load_dataset,
)
from kanrepro.knots.draws import draw_row
from kanrepro.knots.random_features import features
from kanrepro.results import REPORTS_DIR, merge_results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=60, help="rows drawn")
    parser.add_argument("--seed", type=int, default=1000, help="build seed of the benchmark draws")
    args = parser.parse_args()
    census = set(load_dataset(DEFAULT_CENSUS_PATH)["name"])
    draw_t, feature_t, in_census = [], [], []
    for index in range(args.n):
        t0 = time.perf_counter()
        draw = draw_row(args.seed, index)
        t1 = time.perf_counter()
        features({"features": draw["key"], "ukey": draw["ukey"], "name": draw["name"], "pd": draw["pd"],
                  "crossings": draw["crossings"], "signature": draw["signature"]}, geodesic="words")  # as the build
        draw_t.append(t1 - t0)
        feature_t.append(time.perf_counter() - t1)
        in_census.append(draw["name"] in census)
    draw_s, feature_s = float(np.mean(draw_t)), float(np.mean(feature_t))
    manifest = json.loads(manifest_path(DEFAULT_RANDOM_PATH).read_text())
    distinct = manifest["n_knots"] / manifest["n_rows"]  # knots computed once per mirror pair
    computed = manifest["computed_knots"] / manifest["n_rows"]
    noncensus_s = float(np.mean([t for t, c in zip(feature_t, in_census, strict=True) if not c] or [feature_s]))
    values = {"random_knots": {
        "rows_drawn": args.n,
        "draw_seconds_per_row": draw_s,
        "feature_seconds_per_knot": feature_s,
        "feature_seconds_per_noncensus_knot": noncensus_s,
        "rows_per_s_per_core_no_cache": 1 / (draw_s + feature_s),
        "rows_per_s_per_core_repeat_cache": 1 / (draw_s + distinct * feature_s),
        "rows_per_s_per_core_repeat_cache_and_census": 1 / (draw_s + computed * noncensus_s),
        "shipped_file_distinct_knot_share": distinct,
        "shipped_file_computed_knot_share": computed,
    }}
    merge_results(REPORTS_DIR / "bench.json", values)
    print(json.dumps(values, indent=2))


if __name__ == "__main__":
    main()

"""CLI: ``python -m kanrepro.knots build|random|pilot|verify ...`` (census, random build, recipe pilot, check)."""
from __future__ import annotations

import argparse
import json
import sys

from kanrepro.knots.census import CENSUS_COUNTS
from kanrepro.knots.dataset import DEFAULT_CENSUS_PATH, DEFAULT_RANDOM_PATH
from kanrepro.knots.draws import RECIPE
from kanrepro.knots.matching import SAMPLE_ROWS
from kanrepro.knots.random_build import DEEPMIND_ROWS, TIMEOUT, build_random

# the census's crossing numbers that hold a hyperbolic knot (4_1 is the first; 3_1 is a torus knot)
CROSSINGS = (4, max(CENSUS_COUNTS))


def _number(kind: type, low: float | None = None, high: float | None = None, strict_low: bool = False):
    """An argparse ``type`` that parses ``kind`` and refuses values outside [low, high] (or > low), naming them."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'an integer' if kind is int else 'a number'}") from None
        too_low = low is not None and (value <= low if strict_low else value < low)
        if too_low or (high is not None and value > high):
            bounds = (f"> {low}" if strict_low else f">= {low}") if high is None else f"{low}..{high}"
            raise argparse.ArgumentTypeError(f"{value} is not allowed (allowed: {bounds})")
        return value

    return parse


def _pilot(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Run and score a recipe pilot (:mod:`kanrepro.knots.recipe_pilot`); prints the score table."""
    from dataclasses import replace
    from pathlib import Path

    import pandas as pd

    from kanrepro.knots import recipe_pilot as rp

    if args.n_max < args.n_min or args.max_crossings < args.min_crossings:
        parser.error(f"need --n-min <= --n-max and --min-crossings <= --max-crossings, got n {args.n_min}.."
                     f"{args.n_max}, crossings {args.min_crossings}..{args.max_crossings}")
    recipe = replace(RECIPE, n_min=args.n_min, n_max=args.n_max, min_crossings=args.min_crossings,
                     max_crossings=args.max_crossings,
                     version=f"pilot-n{args.n_min}-{args.n_max}-c{args.min_crossings}-{args.max_crossings}")
    try:
        subs = [rp.parse_sub_recipe(t) for t in args.sub] if args.sub else rp.default_sub_recipes(recipe)
        for narrower in subs:  # refuse a sub-recipe outside the pilot before drawing anything
            rp.check_sub_recipe(recipe, **narrower)
    except ValueError as err:
        parser.error(f"--sub: {err}")
    pool, failed = rp.run_pilot(recipe, args.draws, args.seed, args.chunks, args.workers, args.scheduler,
                                not args.no_progress)
    table = rp.score_table(pool, recipe, subs)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.drop(columns=["volume_quantile_error_iqr"]).to_string())
    for f in failed:
        print(f"draw {f['draw']} failed ({f['status']}: {f['error']}); not in the pool")
    if args.out:
        Path(args.out).write_text(json.dumps({"recipe": recipe.to_dict(), "seed": args.seed, "draws": args.draws,
                                              "failed_draws": failed,
                                              "scores": table.reset_index().to_dict("records")}, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kanrepro.knots")
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build (or resume) the dataset")
    b.add_argument("--max-crossings", type=_number(int, *CROSSINGS), default=13,
                   help=f"largest crossing number, {CROSSINGS[0]}..{CROSSINGS[1]}")
    b.add_argument("--sample", type=_number(int, 0), default=0, help="seeded sample of census knots (0 = all)")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--workers", type=_number(int, 1), default=2, help="Dask LocalCluster worker processes")
    b.add_argument("--scheduler", default=None, help="tcp://host:port of a running Dask scheduler")
    b.add_argument("--timeout", type=_number(float, 0, strict_low=True), default=120.0,
                   help="wall-clock seconds per knot")
    b.add_argument("--geodesic", default="fast", choices=["fast", "exact", "words"])
    b.add_argument("--out", default=str(DEFAULT_CENSUS_PATH))
    b.add_argument("--no-progress", action="store_true")
    b.add_argument("--chunks", default=None, help="folder of resumable chunk files (default: <out dir>/knots.chunks)")
    r = sub.add_parser("random", help="build (or resume) the random-diagram dataset (DeepMind's distribution)")
    r.add_argument("--draws", type=_number(int, 1), default=DEEPMIND_ROWS,
                   help="rows of the full file (DeepMind's: ~243,700)")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--workers", type=_number(int, 1), default=2)
    r.add_argument("--scheduler", default=None, help="tcp://host:port of a running Dask scheduler")
    r.add_argument("--timeout", type=_number(float, 0, strict_low=True), default=TIMEOUT,
                   help=f"wall-clock seconds per job (default {TIMEOUT:g}; then the orbit search)")
    r.add_argument("--geodesic", default="words", choices=["fast", "exact", "words"],
                   help="short geodesic of computed knots (words: orbit search; fast: Dirichlet first)")
    r.add_argument("--stage", default="all", choices=["all", "draws", "features", "assemble"])
    r.add_argument("--out", default=str(DEFAULT_RANDOM_PATH))
    r.add_argument("--chunks", default=None, help="folder of resumable chunk files (default: <out dir>/knots.chunks)")
    r.add_argument("--no-progress", action="store_true")
    r.add_argument("--resume-from", default=None,
                   help="a shipped random file whose rows seed the chunks (new checkout)")
    p = sub.add_parser("pilot", help="draws of a candidate recipe, scored against DeepMind's distribution")
    p.add_argument("--n-min", type=_number(int, 3), required=True, help="random_link size, lowest (>= 3)")
    p.add_argument("--n-max", type=_number(int, 3), required=True, help="random_link size, highest")
    p.add_argument("--min-crossings", type=_number(int, 3), default=RECIPE.min_crossings)
    p.add_argument("--max-crossings", type=_number(int, 3), default=RECIPE.max_crossings)
    p.add_argument("--draws", type=_number(int, 1), default=SAMPLE_ROWS,
                   help=f"pilot rows (default {SAMPLE_ROWS}: the reference's sample, so repetition compares)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=_number(int, 1), default=2)
    p.add_argument("--scheduler", default=None, help="tcp://host:port of a running Dask scheduler")
    p.add_argument("--chunks", default="data/build/chunks", help="folder of resumable chunk files")
    p.add_argument("--sub", action="append", default=None, metavar="A..B:C",
                   help="a sub-recipe to score (n range and/or crossing cap; repeatable; default: halves, caps)")
    p.add_argument("--out", default=None, help="write the scores as JSON here")
    p.add_argument("--no-progress", action="store_true")
    v = sub.add_parser("verify", help="rebuild a seeded sample of rows and compare with a dataset file")
    v.add_argument("--sample", type=_number(int, 1), default=20)
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("--data", default=str(DEFAULT_CENSUS_PATH))
    v.add_argument("--tol", type=_number(float, 0, strict_low=True), default=1e-8)
    args = parser.parse_args(argv)
    if args.cmd == "build":
        from kanrepro.knots.build import build

        manifest = build(args.max_crossings, args.sample, args.seed, args.workers, args.out, args.scheduler,
                         args.timeout, args.geodesic, not args.no_progress,
                         " ".join(["python -m kanrepro.knots"] + (argv or sys.argv[1:])), args.chunks)
        keys = ["n_rows", "n_knots", "n_excluded_nonhyperbolic", "n_geodesic_fallbacks",
                "knotinfo_signature_agreement", "torsion_degree_eq_4g_minus_2", "sha256", "wall_seconds_this_run"]
        print(json.dumps({k: manifest[k] for k in keys}, indent=2))
        return 0 if not manifest["failed"] else 1
    if args.cmd == "random":
        manifest = build_random(args.draws, args.seed, args.workers, args.out, args.scheduler, args.timeout,
                                progress=not args.no_progress, chunks=args.chunks, stage=args.stage,
                                geodesic=args.geodesic, resume_from=args.resume_from,
                                command=" ".join(["python -m kanrepro.knots"] + (argv or sys.argv[1:])))
        if manifest is None:
            return 0
        keys = ["n_rows", "n_knots", "n_failed", "sha256", "wall_seconds_this_run"]
        print(json.dumps({k: manifest.get(k) for k in keys}, indent=2))
        return 0
    if args.cmd == "pilot":
        return _pilot(parser, args)
    from kanrepro.knots.verify import verify

    report = verify(args.data, args.sample, args.seed, args.tol)
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

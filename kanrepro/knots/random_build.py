"""Resumable, parallel build of the random-diagram dataset (DeepMind's distribution, repeats kept).

Two stages, each in chunk files (JSON lines, atomic) run by the census build's workers on Dask:

1. **draws**: chunk ``i`` holds rows ``i*DRAW_CHUNK ..``; each row is drawn from its own seeded stream
   (:mod:`kanrepro.knots.draws`) with its identity keys, census name and exact signature.
2. **features**: the distinct knots of the finished prefix of draw chunks, in order of first draw, one
   job per knot and its mirror (the mirror's row is derived, :func:`~kanrepro.knots.invariants.mirror_row`).
   Census knots of <= 13 crossings take their row from the shipped census file (same values); others are
   computed (:mod:`kanrepro.knots.random_features`).

Only the contiguous prefix of finished draw chunks is assembled, so an interrupted build ships a prefix
of the full file (the seeds make it so); ``--draws`` sets the full size (DeepMind's: about 243,700).
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from kanrepro.knots.build import chunk_dir_for, read_chunks, run_chunks
from kanrepro.knots.draws import RECIPE, Recipe
from kanrepro.knots.random_resume import read_seeded, seed_chunks

DRAW_CHUNK = 250  # rows per draw chunk (~20 s of one core)
FEATURE_CHUNK = 50  # distinct knots per feature chunk
DEEPMIND_ROWS = 243_700  # deepmind-distribution.md: the sample's index runs to 243,736
# wall-clock seconds per job before its worker is restarted (a features job then falls back to the orbit search);
# the retriangulated search took 8.5 s on one 16-crossing knot, and a timeout makes a row depend on the machine
TIMEOUT = 60.0


def draw_chunks(n_draws: int, seed: int, recipe: Recipe, root: Path) -> list[tuple[Path, list[str]]]:
    """(chunk file, worker jobs) for rows 0..n_draws-1; chunk files do not depend on ``n_draws``."""
    chunks = []
    for start in range(0, n_draws, DRAW_CHUNK):
        stop = min(start + DRAW_CHUNK, n_draws)
        jobs = [json.dumps({"draw": i, "seed": seed, "recipe": recipe.to_dict()}) for i in range(start, stop)]
        chunks.append((root / "draws" / f"chunk_{start // DRAW_CHUNK:05d}_{stop - start}.jsonl", jobs))
    return chunks


def finished_prefix(chunks: list[tuple[Path, list[str]]]) -> list[Path]:
    """The chunk files of the longest run of finished chunks from the first."""
    done = []
    for path, _ in chunks:
        if not path.exists():
            break
        done.append(path)
    return done


def distinct_knots(draws: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per unoriented knot (ukey), in order of first draw: its first draw (oriented as drawn)."""
    first: dict[str, dict[str, Any]] = {}
    for draw in draws:
        first.setdefault(draw["ukey"], draw)
    return list(first.values())


def feature_chunks(knots: list[dict[str, Any]], census_names: set[str], root: Path,
                   full_only: bool = False, known: set[str] = frozenset()) -> list[tuple[Path, list[str]]]:
    """Feature jobs of the knots not in the census file, ``FEATURE_CHUNK`` per chunk, named by content
    (``full_only``: drop a trailing partial chunk, which a growing prefix of draws would change; ``known``:
    keys whose features are already known, e.g. from the shipped file)."""
    jobs = []
    for draw in knots:
        if draw["name"] in census_names or draw["key"] in known:
            continue
        name = draw["name"]
        jobs.append(json.dumps({"features": draw["key"], "ukey": draw["ukey"], "name": name,
                                "pd": draw["pd"], "crossings": draw["crossings"],
                                "signature": draw["signature"]}))
    chunks = []
    if full_only:
        jobs = jobs[:len(jobs) - len(jobs) % FEATURE_CHUNK]
    for i in range(0, len(jobs), FEATURE_CHUNK):
        part = jobs[i:i + FEATURE_CHUNK]
        tag = hashlib.sha1("\n".join(part).encode()).hexdigest()[:10]
        chunks.append((root / "features" / f"chunk_{i // FEATURE_CHUNK:05d}_{tag}.jsonl", part))
    return chunks


def build_random(n_draws: int = DEEPMIND_ROWS, seed: int = 0, workers: int = 2, out: str | Path = "",
                 scheduler: str | None = None, timeout: float = TIMEOUT, recipe: Recipe = RECIPE,
                 census_file: str | Path = "", progress: bool = True, command: str = "",
                 chunks: str | Path | None = None, stage: str = "all", geodesic: str = "words",
                 resume_from: str | Path | None = None) -> dict[str, Any] | None:
    """Draw, compute and assemble. ``stage``: ``draws`` (draw chunks only), ``features`` (full feature chunks
    of the finished prefix of draws, e.g. in a loop beside the draws), ``assemble`` (the remaining features of
    that prefix, then the file) or ``all`` (everything, for ``n_draws`` rows).

    ``geodesic``: the short-geodesic method of computed knots (``kanrepro.knots.geodesic``). Default
    ``words``, the orbit search alone: SnapPea's Dirichlet domains of 14-18-crossing knots often run for
    tens of seconds or hang, where the orbit search takes ~1 s (and agreed with every Dirichlet value it was
    checked against, ``make bench``); ``fast`` tries Dirichlet domains first, as the census build does.
    ``resume_from``: a shipped file of this recipe and seed whose rows seed the chunk files (a fresh checkout).
    """
    from kanrepro.knots.dataset import DEFAULT_CENSUS_PATH, load_dataset

    out = Path(out)
    start = time.time()
    root = (Path(chunks) if chunks else chunk_dir_for(out)) / f"{recipe.version}_seed{seed}"
    draws = draw_chunks(n_draws, seed, recipe, root)
    if resume_from:
        seed_chunks(resume_from, root, DRAW_CHUNK, recipe.to_dict())
    seeded = read_seeded(root)
    if stage in ("draws", "all"):
        run_chunks(draws, workers, scheduler, timeout, "fast", progress, "draws")
    if stage == "draws":
        return None
    census = load_dataset(census_file or DEFAULT_CENSUS_PATH)
    results = read_chunks(finished_prefix(draws))
    ok = [r["draw"] for r in results if r["status"] == "ok"]
    features = feature_chunks(distinct_knots(ok), set(census["name"]), root, full_only=stage == "features",
                              known={r["key"] for r in seeded})
    if stage in ("features", "all", "assemble"):  # assembling needs every feature of the prefix
        run_chunks(features, workers, scheduler, timeout, geodesic, progress, "features")
    if stage == "features":
        return None
    from kanrepro.knots.random_assemble import assemble_random

    feature_results = read_chunks([p for p, _ in features if p.exists()]) + seeded
    config = {"n_draws_requested": n_draws, "seed": seed, "recipe": recipe.to_dict(), "timeout_s": timeout,
              "geodesic": geodesic,
              "workers": workers, "command": command or " ".join(sys.argv), "chunk_dir": str(root),
              "draw_chunk": DRAW_CHUNK, "draw_chunks_finished": len(finished_prefix(draws)),
              "draw_chunks_total": len(draws)}
    return assemble_random(results, feature_results, census, out, config, wall_seconds=time.time() - start)

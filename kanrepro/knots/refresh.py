"""Bring the orbit-search (``words``) rows of finished chunk files up to the current search, in place.

Only knots without a Dirichlet domain use the orbit search, and the Dirichlet cascade is deterministic (two
full 13-crossing builds gave the same method for every knot), so when the search improves, recomputing those
rows alone gives the rows a full rebuild would give (checked on 40 fallback knots rebuilt from scratch), in
well under half the time (4,699 rows in about 25 min on 2 cores). A rerun of ``build`` does it
automatically: rows record the search version (``diag["words_search"]``), stale ones are recomputed with
the same fundamental group as a build (the torsion computation's presentation), each chunk is rewritten
atomically, and an interrupted refresh resumes.
"""
from __future__ import annotations

import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from kanrepro.knots.orbit import ORBIT_SEARCH_VERSION
from kanrepro.results import atomic_write_text


def is_stale(result: dict[str, Any]) -> bool:
    """An ``ok`` row whose geodesic came from an older orbit search."""
    diag = result.get("diag") or {}
    return (result.get("status") == "ok" and diag.get("geodesic_method") == "words"
            and diag.get("words_search") != ORBIT_SEARCH_VERSION)


def refresh_result(result: dict[str, Any]) -> dict[str, Any]:
    """The result with its short geodesic (and injectivity radius) recomputed by the current orbit search."""
    import snappy

    from kanrepro.knots.geodesic import short_geodesic
    from kanrepro.knots.invariants import set_geodesic
    from kanrepro.knots.torsion import torsion_degrees

    name, row = result["name"], dict(result["row"])
    start = time.perf_counter()
    manifold = snappy.Manifold(name)
    group = torsion_degrees(manifold)[2]  # the presentation a build hands to the geodesic search
    geo = short_geodesic(manifold, name, method="words", group=group)
    set_geodesic(row, geo)
    diag = {**result["diag"], "words_search": ORBIT_SEARCH_VERSION, "t_words_refresh": time.perf_counter() - start}
    return {**result, "row": row, "diag": diag}


def refresh_chunk(path: str) -> int:
    """Recompute the stale rows of one chunk file (atomic rewrite); returns how many were recomputed."""
    lines = Path(path).read_text().splitlines()
    results = [json.loads(line) for line in lines if line.strip()]
    stale = [i for i, r in enumerate(results) if is_stale(r)]
    for i in stale:
        results[i] = refresh_result(results[i])
    if stale:
        atomic_write_text(Path(path), "\n".join(json.dumps(r) for r in results) + "\n")
    return len(stale)


_BLAS_LIMIT: list = []  # keeps the worker process's threadpool limit alive


def _one_blas_thread() -> None:
    """Pool initializer: the processes fill the cores, so BLAS threads would only spin (see build.py)."""
    from threadpoolctl import threadpool_limits

    _BLAS_LIMIT.append(threadpool_limits(1))


def refresh_chunks(paths: list[Path], workers: int = 2, progress: bool = True) -> int:
    """Refresh every chunk holding stale rows, ``workers`` processes; returns the number of rows recomputed."""
    from tqdm import tqdm

    todo = [str(p) for p in paths if any(is_stale(json.loads(line)) for line in p.read_text().splitlines()
                                         if line.strip())]
    if not todo:
        return 0
    with ProcessPoolExecutor(max_workers=workers, initializer=_one_blas_thread) as pool:
        counts = list(tqdm(pool.map(refresh_chunk, todo), total=len(todo), unit="chunk", disable=not progress,
                           desc=f"orbit search v{ORBIT_SEARCH_VERSION} on older fallback rows"))
    return sum(counts)

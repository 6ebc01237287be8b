"""Resumable, parallel build of the knot dataset: chunks of census names -> JSON-lines chunk files
(atomic writes) -> one deterministic ``.csv.gz`` + JSON manifest.

Each chunk runs in a Dask task that drives a ``kanrepro.knots.worker`` subprocess with a wall-clock
timeout per knot (the SnapPea C code can hang); a knot that times out is retried once with the orbit
search geodesic only, and listed in the manifest either way. Fallback rows of finished chunks computed
by an older orbit search are brought up to date first (:mod:`kanrepro.knots.refresh`).

On a cluster (e.g. the full 313,230-knot census to 15 crossings, ``--max-crossings 15``): start a
scheduler (``dask scheduler``), then on every node ``python -m kanrepro.daskcompat
tcp://host:8786 --nthreads <cores>`` (a thread per core is enough: each task drives its own worker
subprocess), and run ``python -m kanrepro.knots build --max-crossings 15 --scheduler tcp://host:8786
--chunks <shared folder> --out <file>``. Chunk files must be on a shared file system; a rerun skips
finished chunks. ``--geodesic exact`` replaces the orbit-search fallback by ``length_spectrum_alt``
(10-60 s per knot at 13 crossings, certified).
"""
from __future__ import annotations

import json
import os
import random
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kanrepro.results import atomic_write_text

CHUNK_SIZE = 50
# one BLAS thread per worker process: the workers already fill the cores, and two OpenBLAS threads per worker
# on 2 cores spent half the CPU time spinning in the kernel during a refresh (results are the same)
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class KnotWorker:
    """A worker subprocess computing one knot at a time, restarted after a timeout."""

    def __init__(self, geodesic: str = "fast") -> None:
        self.geodesic = geodesic
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kanrepro.knots.worker", "--geodesic", self.geodesic],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1,
            env={**os.environ, **ONE_BLAS_THREAD})
        self._read(120.0)  # the "ready" line (imports take ~1 s)

    def _read(self, timeout: float) -> dict[str, Any] | None:
        assert self.proc is not None and self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def compute(self, name: str, timeout: float) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        result = self._read(timeout)
        if result is None:
            self.stop()
            return {"name": name, "status": "timeout", "error": f"no result within {timeout:.0f} s"}
        return result

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def run_chunk(chunk_path: str, names: list[str], timeout: float, geodesic: str = "fast") -> str:
    """Compute every knot of a chunk and write ``chunk_path`` (JSON lines) atomically; skip if done."""
    path = Path(chunk_path)
    if path.exists():
        return str(path)
    main, fallback = KnotWorker(geodesic), KnotWorker("words")
    lines = []
    try:
        for name in names:
            result = main.compute(name, timeout)
            if result["status"] == "timeout":
                retry = fallback.compute(name, timeout)
                retry.setdefault("diag", {})["retried_after_timeout"] = True
                result = retry if retry["status"] != "timeout" else result
            lines.append(json.dumps(result))
    finally:
        main.stop()
        fallback.stop()
    atomic_write_text(path, "\n".join(lines) + "\n")
    return str(path)


def select_names(max_crossings: int, sample: int = 0, seed: int = 0) -> list[str]:
    """Census names up to ``max_crossings`` in census order; a seeded sample of them if ``sample``."""
    from kanrepro.knots.census import census_names

    names = census_names(max_crossings)
    if sample and sample < len(names):
        keep = set(random.Random(seed).sample(names, sample))
        names = [n for n in names if n in keep]
    return names


def chunk_dir_for(out: Path) -> Path:
    """Default root of the chunk files (kept for resuming; shared by builds writing to ``out``'s folder)."""
    return out.parent / "knots.chunks"


def compute_chunks(names: list[str], chunk_dir: Path, workers: int = 2, scheduler: str | None = None,
                   timeout: float = 120.0, geodesic: str = "fast", progress: bool = True) -> list[Path]:
    """Run all missing census chunks on Dask (LocalCluster, or ``scheduler`` address); return chunk paths."""
    chunks = [names[i:i + CHUNK_SIZE] for i in range(0, len(names), CHUNK_SIZE)]
    paths = [chunk_dir / f"chunk_{i:05d}_{c[0]}_{c[-1]}.jsonl" for i, c in enumerate(chunks)]
    run_chunks(list(zip(paths, chunks, strict=True)), workers, scheduler, timeout, geodesic, progress, "knots")
    return paths


def run_chunks(chunks: list[tuple[Path, list[str]]], workers: int = 2, scheduler: str | None = None,
               timeout: float = 120.0, geodesic: str = "fast", progress: bool = True, desc: str = "jobs") -> None:
    """Run every chunk (path, worker jobs) whose file is missing, in order, on Dask (a LocalCluster of
    ``workers`` threads, each driving a worker subprocess, or the cluster at ``scheduler``)."""
    from tqdm import tqdm

    from kanrepro.daskcompat import import_distributed

    todo = [(p, c) for p, c in chunks if not p.exists()]
    if not todo:
        return
    todo[0][0].parent.mkdir(parents=True, exist_ok=True)
    distributed = import_distributed()
    cluster = None
    if scheduler:
        client = distributed.Client(scheduler)
    else:
        # threads suffice: each task only drives its own worker subprocess (the real work)
        cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=workers, processes=False,
                                           dashboard_address=":0")
        client = distributed.Client(cluster)
    try:
        futures = [client.submit(run_chunk, str(p), c, timeout, geodesic, pure=False, key=f"{desc}-{p.stem}")
                   for p, c in todo]
        sizes = {f.key: len(c) for f, (_, c) in zip(futures, todo, strict=True)}
        total = sum(len(c) for _, c in chunks)
        bar = tqdm(total=total, initial=total - sum(sizes.values()), unit="job", disable=not progress, desc=desc)
        for fut in distributed.as_completed(futures):
            fut.result()
            bar.update(sizes[fut.key])
        bar.close()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def read_chunks(paths: list[Path]) -> list[dict[str, Any]]:
    """All per-knot results, in chunk (census) order."""
    results = []
    for path in paths:
        results.extend(json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return results


def build(max_crossings: int = 13, sample: int = 0, seed: int = 0, workers: int = 2, out: str | Path = "",
          scheduler: str | None = None, timeout: float = 120.0, geodesic: str = "fast",
          progress: bool = True, command: str = "", chunks: str | Path | None = None) -> dict[str, Any]:
    """Build (or resume) the dataset and write ``out`` (.csv.gz) and ``out``'s manifest. Returns it."""
    from kanrepro.knots.assemble import assemble
    from kanrepro.knots.refresh import refresh_chunks

    out = Path(out)
    start = time.time()
    names = select_names(max_crossings, sample, seed)
    # full builds of any crossing bound share chunks (census order: <= 12 is a prefix of <= 13)
    tag = f"all_{geodesic}" if not sample else f"sample{sample}_c{max_crossings}_seed{seed}_{geodesic}"
    chunk_dir = (Path(chunks) if chunks else chunk_dir_for(out)) / tag
    paths = compute_chunks(names, chunk_dir, workers, scheduler, timeout, geodesic, progress)
    refreshed = refresh_chunks(paths, workers, progress)  # fallback rows from an older orbit search
    results = read_chunks(paths)
    config = {"max_crossings": max_crossings, "sample": sample, "seed": seed, "geodesic": geodesic,
              "timeout_s": timeout, "workers": workers, "command": command or " ".join(sys.argv),
              "chunk_dir": os.path.relpath(chunk_dir), "rows_refreshed_this_run": refreshed}
    return assemble(results, out, config, wall_seconds=time.time() - start)

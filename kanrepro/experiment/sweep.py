"""Sizes x seeds: one task per model size (its seeds vectorised), on local processes or a Dask scheduler.

``run_tasks(fn, tasks)`` is the generic mechanism (local ``ProcessPoolExecutor`` by default,
``dask.distributed.Client(scheduler)`` when an address is given); :func:`sweep_deepmind` builds the tasks.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from kanrepro.knots.prep import Prepared
from kanrepro.train.protocols import DeepMindConfig, ModelSpec, deepmind
from kanrepro.train.records import RunRecord


def run_tasks(fn: Callable[..., Any], tasks: Sequence[dict], scheduler: str | None = None,
              processes: int | None = None) -> list[Any]:
    """``[fn(**t) for t in tasks]``, in task order. scheduler: Dask address ('tcp://host:8786') or None
    (local processes; ``processes=0`` runs inline, handy in tests and notebooks)."""
    if scheduler:
        from kanrepro.daskcompat import import_distributed

        with import_distributed().Client(scheduler) as client:
            futures = [client.submit(fn, pure=False, **t) for t in tasks]
            return client.gather(futures)
    if processes == 0 or len(tasks) <= 1:
        return [fn(**t) for t in tasks]
    with ProcessPoolExecutor(max_workers=processes or os.cpu_count()) as pool:
        futures = [pool.submit(fn, **t) for t in tasks]
        return [f.result() for f in futures]


def _size_task(data: Prepared, spec: ModelSpec, cfg: DeepMindConfig, seeds: list[int], split_seed: int | None,
               vectorised: bool, protocol: str) -> list[dict]:
    """All seeds of one model size -> list of record dicts (plain data crosses process boundaries)."""
    import torch

    torch.set_num_threads(1)  # one process per core
    if spec.kind == "mlp" and vectorised:
        from kanrepro.train.ensemble import deepmind_ensemble

        records = deepmind_ensemble(data, spec, cfg, seeds, seeds, split_seed, protocol)
    else:
        records = [deepmind(data, spec, cfg, s, s, split_seed, protocol=protocol) for s in seeds]
    return [r.to_dict() for r in records]


def sweep_deepmind(data: Prepared, specs: Sequence[ModelSpec], seeds: Sequence[int],
                   cfg: DeepMindConfig = DeepMindConfig(), split_seed: int | None = None, scheduler: str | None = None,
                   processes: int | None = None, vectorised: bool = True,
                   protocol: str = "deepmind") -> list[RunRecord]:
    """Every spec x every seed (init seed = batch seed = seed) under ``cfg``; records in spec, seed order."""
    tasks = [dict(data=data, spec=spec, cfg=cfg, seeds=list(seeds), split_seed=split_seed, vectorised=vectorised,
                  protocol=protocol) for spec in specs]
    out = run_tasks(_size_task, tasks, scheduler, processes)
    return [RunRecord(**d) for per_size in out for d in per_size]

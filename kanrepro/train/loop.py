"""DeepMind's training loop, written once, for S copies trained side by side (S = 1: a single run).

Each copy draws its batches from its own seeded stream (:class:`~kanrepro.train.engine.BatchSampler`), is
validated on the full validation set every ``val_every`` steps (after that step's update), stops at its
first validation loss above its best so far, and ends with the parameters of that step, or of its best
step with ``restore_best``. A copy that stopped is still updated with the others (a back-end's cost is per
call, not per copy) and restored at the end. The arithmetic lives in a back-end (:class:`Backend`): the
torch model with autograd, the numpy KAN kernel (:mod:`kanrepro.train.protocols`) and the S-MLP stack
(:mod:`kanrepro.train.ensemble`).
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from kanrepro.train.engine import BatchSampler, check_finite_loss
from kanrepro.train.records import TrainResult


class Backend(Protocol):
    """What the loop needs of S models: one update, validation losses, and a copy's parameters."""

    S: int  # copies

    def step(self, step: int, batches: np.ndarray) -> None:
        """Update every copy on its batch: row indices (S, batch) of the training rows (a KAN first updates
        its grid when ``step`` is one of the protocol's grid steps)."""

    def val_losses(self) -> np.ndarray:
        """Mean validation loss of every copy: (S,)."""

    def snapshot(self, s: int) -> Any:
        """Copy s's parameters, to restore later."""

    def restore(self, s: int, state: Any) -> None:
        """Give copy s the parameters of a snapshot."""


def deepmind_loop(backend: Backend, n_rows: int, batch_size: int, max_steps: int, val_every: int, restore_best: bool,
                  batch_seeds: Sequence[int]) -> list[TrainResult]:
    """Train the back-end's S copies on ``n_rows`` training rows; one :class:`TrainResult` per copy (seconds:
    the copy's share of the wall time)."""
    t0 = time.perf_counter()
    S = backend.S
    if len(batch_seeds) != S:
        raise ValueError(f"one batch seed per copy: {len(batch_seeds)} seeds for {S} copies")
    samplers = [BatchSampler(seed, n_rows, batch_size) for seed in batch_seeds]
    # Every active copy's sampler is at the same position (all advance once per step), so one (S, block,
    # batch) array, refilled every `block` steps, gives all batches of a step by one slice.
    block = samplers[0].block
    batches = np.zeros((S, block, samplers[0].batch), dtype=np.int64)
    active = np.ones(S, dtype=bool)
    best = np.full(S, np.inf)
    best_step: list[int | None] = [None] * S
    stop_step: list[int | None] = [None] * S
    steps_run = np.zeros(S, dtype=np.int64)
    curves: list[list[list[float]]] = [[] for _ in range(S)]
    kept: list[Any] = [None] * S  # parameters to end with: at the stop step, or the best step
    for step in range(max_steps):
        rows = np.flatnonzero(active)
        if len(rows) == 0:
            break
        if step % block == 0:
            for s in rows:
                batches[s] = samplers[s].next_block()
        backend.step(step, batches[:, step % block])
        steps_run[rows] = step + 1
        if step % val_every == 0:
            val = backend.val_losses()
            for s in rows:
                curves[s].append([step, float(val[s])])
                check_finite_loss(float(val[s]), step, f"copy {s}, batch seed {batch_seeds[s]}" if S > 1 else "")
                if val[s] > best[s]:
                    active[s], stop_step[s] = False, step
                    if not restore_best:
                        kept[s] = backend.snapshot(s)
                else:
                    best[s], best_step[s] = val[s], step
                    if restore_best:
                        kept[s] = backend.snapshot(s)
    for s in range(S):
        if kept[s] is not None and (restore_best or not active[s]):  # a copy at the step cap ends where it is
            backend.restore(s, kept[s])
    seconds = (time.perf_counter() - t0) / S
    return [TrainResult(int(steps_run[s]), stop_step[s], best_step[s], curves[s], seconds) for s in range(S)]

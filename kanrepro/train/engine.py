"""Pieces shared by the fast training loops: thread limits, seeded batches, DeepMind's loss, in-place Adam.

The loops themselves are the numpy KAN kernel (:mod:`kanrepro.train.kan_kernel`) and S stacked MLPs
(:mod:`kanrepro.train.ensemble`), each checked against torch autograd + ``torch.optim.Adam`` in the tests.
Conventions: ``theta`` is a flat float array (rows = copies for stacks), named views into it hold the
parameters, gradients go to the same views of ``grad``. Run hot loops inside :func:`single_threaded`:
numpy's BLAS spinning two threads on a busy 2-core machine made each small matrix-vector product ~30x slower.
"""
from __future__ import annotations

import contextlib

import numpy as np
import torch

_SINGLE_THREADED_DEPTH = 0  # nesting depth of single_threaded() in this process


@contextlib.contextmanager
def single_threaded():
    """Limit numpy's BLAS and torch to one thread and flush denormal floats to zero while training.

    Adam's second moments of saturated sigmoid units underflow into denormals, which the CPU handles
    ~100x slower; flushing them (torch.set_flush_denormal, which sets the thread's FTZ/DAZ flags for numpy
    too) changes results only below 1e-38.
    """
    from threadpoolctl import threadpool_limits

    global _SINGLE_THREADED_DEPTH
    torch_threads = torch.get_num_threads()
    if _SINGLE_THREADED_DEPTH == 0:
        torch.set_flush_denormal(True)
    _SINGLE_THREADED_DEPTH += 1
    torch.set_num_threads(1)  # small ops: a second OpenMP thread only adds waiting, worst on a busy machine
    try:
        with threadpool_limits(1, "blas"):
            yield
    finally:
        _SINGLE_THREADED_DEPTH -= 1
        torch.set_num_threads(torch_threads)
        if _SINGLE_THREADED_DEPTH == 0:  # nested uses keep flushing until the outermost one exits
            torch.set_flush_denormal(False)


class BatchSampler:
    """Batches of distinct row indices (like DeepMind's ``df.sample(64)``), one seeded stream per run.

    Draws ``block`` steps at once with ``rng.integers`` and redraws any batch with a repeated row, so a
    seed gives the same batch sequence whether a run is trained alone or inside an ensemble.
    """

    def __init__(self, seed: int, n_rows: int, batch_size: int, block: int = 512):
        self.rng = np.random.default_rng(seed)
        self.n, self.batch, self.block = n_rows, min(batch_size, n_rows), block
        self._buf, self._pos = np.empty((0, self.batch), dtype=np.int64), 0

    def _refill(self) -> None:
        buf = self.rng.integers(0, self.n, size=(self.block, self.batch))
        srt = np.sort(buf, axis=1)
        for row in np.flatnonzero((srt[:, 1:] == srt[:, :-1]).any(axis=1)):
            buf[row] = self.rng.choice(self.n, self.batch, replace=False)
        self._buf, self._pos = buf, 0

    def next_block(self) -> np.ndarray:
        """The next ``block`` batches at once, (block, batch_size); same stream as ``block`` calls of next()."""
        if self._pos != 0 and self._pos != len(self._buf):
            raise RuntimeError("next_block() needs the sampler at a block boundary")
        self._refill()
        self._pos = len(self._buf)
        return self._buf

    def next(self) -> np.ndarray:
        """Indices of the next batch: (batch_size,) int64."""
        if self._pos == len(self._buf):
            self._refill()
        self._pos += 1
        return self._buf[self._pos - 1]


def masked_xent(logits: np.ndarray, y: np.ndarray, want_grad: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """DeepMind's softmax cross-entropy: labels outside [0, n_out) have an all-zero one-hot (loss 0).

    logits (..., B, m), y (..., B) -> per-stack mean loss (...), d loss / d logits (..., B, m) (a view).
    Computed class-major (m, ..., B): numpy reduces a short last axis ~10x slower than a leading one.
    """
    m = logits.shape[-1]
    valid = (y >= 0) & (y < m)
    yc = np.where(valid, y, 0)
    lt = np.ascontiguousarray(np.moveaxis(logits, -1, 0))
    shifted = lt - lt.max(axis=0)
    e = np.exp(shifted)
    s = e.sum(axis=0)
    at_y = yc.ravel() * valid.size + np.arange(valid.size)  # flat index of each row's label entry
    logp_y = shifted.ravel()[at_y].reshape(y.shape) - np.log(s)
    loss = -(logp_y * valid).mean(axis=-1)
    if not want_grad:
        return loss, None
    grad = e / s
    grad.ravel()[at_y] -= 1
    grad *= valid.astype(logits.dtype) / logits.dtype.type(y.shape[-1])
    return loss, np.moveaxis(grad, 0, -1)


class Adam:
    """torch.optim.Adam's single-tensor update, in place on a flat numpy array (rows = stacked copies).

    The arithmetic runs as torch in-place ops on tensors sharing the arrays' memory (the same op sequence
    as torch's ``_single_tensor_adam``), ~5x faster than numpy temporaries.
    """

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, lr: float = 1e-3, betas=(0.9, 0.999),
                 eps: float = 1e-8):
        self.lr, (self.b1, self.b2), self.eps = lr, betas, eps
        self.m, self.v, self.t = np.zeros(shape, dtype), np.zeros(shape, dtype), 0
        self._m, self._v = torch.from_numpy(self.m), torch.from_numpy(self.v)

    def step(self, theta: np.ndarray, grad: np.ndarray) -> None:
        """One update of ``theta`` (in place) from ``grad``, both of ``shape``."""
        self.t += 1
        bc1, bc2_sqrt = 1 - self.b1**self.t, (1 - self.b2**self.t) ** 0.5
        param, gr = torch.from_numpy(theta), torch.from_numpy(np.ascontiguousarray(grad))
        self._m.lerp_(gr, 1 - self.b1)
        self._v.mul_(self.b2).addcmul_(gr, gr, value=1 - self.b2)
        denom = (self._v.sqrt() / bc2_sqrt).add_(self.eps)
        param.addcdiv_(self._m, denom, value=-self.lr / bc1)


def grid_update_steps(n_steps: int, every: int, stop: int, start: int = -1) -> list[int]:
    """pykan fit's grid-update schedule: the steps s of 0..n_steps-1 with start <= s < stop and s % every == 0
    (the tutorial's: every 5 steps until step 50)."""
    return [s for s in range(min(n_steps, stop)) if s % every == 0 and s >= start]


def check_finite_loss(value: float, step: int, what: str = "") -> None:
    """Stop a run whose validation loss overflowed (inf/nan), naming the step: its numbers would mean nothing."""
    if not np.isfinite(value):
        raise FloatingPointError(f"training diverged{' (' + what + ')' if what else ''}: validation loss {value} at "
                                 f"step {step}; inputs or learning rate overflow float precision")


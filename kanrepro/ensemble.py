"""S independent seeds of one small MLP trained at once under DeepMind's protocol (vectorised).

Weights of the S copies are stacked (S, a, b) and trained with batched matmuls and one Adam on the
flat (S, P) parameter array (:mod:`kanrepro.engine`). Each copy keeps its own init seed, batch stream and
early stopping, so copy s gives the same numbers as ``protocols.deepmind(..., init_seed=init_seeds[s],
batch_seed=batch_seeds[s], engine='torch')`` (tested; float rounding aside).
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
import torch

from kanrepro.engine import Adam, BatchSampler, masked_xent, single_threaded
from kanrepro.models import MLP
from kanrepro.prep import Prepared
from kanrepro.protocols import DeepMindConfig, ModelSpec, TrainResult, make_record
from kanrepro.records import RunRecord


# ---------------------------------------------------------------------------------------------------
# S stacked MLPs (the ensemble): weights (S, a, b), biases (S, b), one flat (S, P) array.
# ---------------------------------------------------------------------------------------------------
class MLPStack:
    """S MLPs of identical shape stacked along a leading axis; activation 'sigmoid' | 'relu' | 'tanh'."""

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray], activation: str = "sigmoid"):
        self.S = weights[0].shape[0]
        self.activation = activation
        shapes = [w.shape[1:] for w in weights] + [b.shape[1:] for b in biases]
        sizes = [int(np.prod(s)) for s in shapes]
        self.theta = np.concatenate([a.reshape(self.S, -1) for a in (*weights, *biases)], axis=1)
        self.grad = np.zeros_like(self.theta)
        offs = np.cumsum([0, *sizes])
        L = len(weights)
        view = lambda arr, i: arr[:, offs[i]:offs[i + 1]].reshape(self.S, *shapes[i])
        self.W = [view(self.theta, i) for i in range(L)]
        self.b = [view(self.theta, L + i) for i in range(L)]
        self._slices = [(offs[i], offs[i + 1], shapes[i]) for i in range(2 * L)]

    def refresh_views(self) -> None:
        """Rebuild views (needed only if ``theta`` is replaced, not when updated in place)."""
        L = len(self.W)
        self.W = [self.theta[:, a:b].reshape(self.S, *s) for a, b, s in self._slices[:L]]
        self.b = [self.theta[:, a:b].reshape(self.S, *s) for a, b, s in self._slices[L:]]

    def _act(self, z):
        if self.activation == "sigmoid":
            return 1 / (1 + np.exp(-z))
        if self.activation == "relu":
            return np.maximum(z, 0)
        return np.tanh(z)

    def _dact(self, h):  # derivative from the activation's output
        if self.activation == "sigmoid":
            return h * (1 - h)
        if self.activation == "relu":
            return (h > 0).astype(h.dtype)
        return 1 - h * h

    def forward(self, x: np.ndarray, keep: bool = False):
        """x: (S, B, n_in) or shared (B, n_in) -> logits (S, B, n_out)."""
        hs = [x]
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            z = np.matmul(hs[-1], W) + b[:, None, :]
            hs.append(self._act(z) if i < len(self.W) - 1 else z)
        return (hs[-1], hs) if keep else hs[-1]

    def loss_grad(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per-copy batch loss (S,) for x (S, B, n_in), y (S, B); fills ``self.grad`` (S, P)."""
        logits, hs = self.forward(x, keep=True)
        loss, d = masked_xent(logits, y)
        L = len(self.W)
        for i in reversed(range(L)):
            a, b_, _ = self._slices[i]
            self.grad[:, a:b_] = np.matmul(hs[i].transpose(0, 2, 1), d).reshape(self.S, -1)
            a, b_, _ = self._slices[L + i]
            self.grad[:, a:b_] = d.sum(axis=1)
            if i > 0:
                d = np.matmul(d, self.W[i].transpose(0, 2, 1)) * self._dact(hs[i])
        return loss


def stack_mlps(models: Sequence[MLP]) -> MLPStack:
    """Copy S same-shaped torch MLPs into one :class:`MLPStack` (weights transposed to (S, in, out))."""
    L = len(models[0].layers)
    weights = [np.stack([m.layers[i].weight.detach().numpy().T for m in models]) for i in range(L)]
    biases = [np.stack([m.layers[i].bias.detach().numpy() for m in models]) for i in range(L)]
    return MLPStack(weights, biases, models[0].activation)


def unstack_into(stack: MLPStack, models: Sequence[MLP]) -> None:
    """Write the stacked parameters back into the torch MLPs."""
    with torch.no_grad():
        for s, m in enumerate(models):
            for i, layer in enumerate(m.layers):
                layer.weight.copy_(torch.from_numpy(stack.W[i][s].T.copy()))
                layer.bias.copy_(torch.from_numpy(stack.b[i][s].copy()))


def train_stack(stack: MLPStack, data: Prepared, cfg: DeepMindConfig, batch_seeds: Sequence[int]) -> list[TrainResult]:
    """DeepMind's loop for every copy at once; a stopped copy is frozen (no update, no new batches)."""
    with single_threaded():
        return _train_stack(stack, data, cfg, batch_seeds)


def _train_stack(stack, data, cfg, batch_seeds):
    t0 = time.perf_counter()
    S = stack.S
    X, y = data.X_train.numpy(), data.y_train.numpy()
    Xv, yv = data.X_val.numpy(), np.broadcast_to(data.y_val.numpy(), (S, len(data.y_val)))
    samplers = [BatchSampler(b, len(X), cfg.batch_size) for b in batch_seeds]
    adam = Adam(stack.theta.shape, stack.theta.dtype, lr=cfg.lr)
    active = np.ones(S, dtype=bool)
    best = np.full(S, np.inf)
    best_step: list[int | None] = [None] * S
    stop_step: list[int | None] = [None] * S
    steps_run = np.zeros(S, dtype=np.int64)
    curves: list[list[list[float]]] = [[] for _ in range(S)]
    best_theta = stack.theta.copy() if cfg.restore_best else None
    # Every active copy's sampler is at the same position (all advance once per step), so one (S, block,
    # batch) array, refilled every `block` steps, gives all batches of a step by one slice.
    block = samplers[0].block
    batches = np.zeros((S, block, min(cfg.batch_size, len(X))), dtype=np.int64)
    for step in range(cfg.max_steps):
        rows = np.flatnonzero(active)
        if len(rows) == 0:
            break
        if step % block == 0:
            for s in rows:
                batches[s] = samplers[s].next_block()
        idx = batches[:, step % block]
        stack.loss_grad(X[idx], y[idx])
        adam.step(stack.theta, stack.grad, None if len(rows) == S else rows)
        steps_run[rows] = step + 1
        if step % cfg.val_every == 0:
            val, _ = masked_xent(stack.forward(Xv), yv, want_grad=False)
            for s in rows:
                curves[s].append([step, float(val[s])])
                if val[s] > best[s]:
                    active[s], stop_step[s] = False, step
                else:
                    best[s], best_step[s] = val[s], step
                    if best_theta is not None:
                        best_theta[s] = stack.theta[s]
    if best_theta is not None:
        stack.theta[:] = best_theta
    seconds = time.perf_counter() - t0
    return [TrainResult(int(steps_run[s]), stop_step[s], best_step[s], curves[s], seconds / S) for s in range(S)]


def deepmind_ensemble(data: Prepared, spec: ModelSpec = ModelSpec(hidden=(3, 3)), cfg: DeepMindConfig = DeepMindConfig(),
                      init_seeds: Sequence[int] = range(8), batch_seeds: Sequence[int] | None = None,
                      split_seed: int | None = None, protocol: str = "deepmind") -> list[RunRecord]:
    """Train len(init_seeds) MLPs of ``spec`` at once; one :class:`RunRecord` per copy (seconds = share)."""
    if spec.kind != "mlp":
        raise NotImplementedError("the vectorised ensemble supports MLPs; train KAN seeds with protocols.deepmind")
    init_seeds = list(init_seeds)
    batch_seeds = list(batch_seeds) if batch_seeds is not None else init_seeds
    if len(batch_seeds) != len(init_seeds):
        raise ValueError("one batch seed per init seed")
    models = [spec.build(data.n_features, data.encoding.n_outputs, s, data.X_train.dtype) for s in init_seeds]
    stack = stack_mlps(models)
    results = train_stack(stack, data, cfg, batch_seeds)
    unstack_into(stack, models)
    config = {**asdict(cfg), "model_spec": asdict(spec), "vectorised": True}
    return [make_record(m, data, protocol, config, {"split": split_seed, "init": i, "batch": b}, r)
            for m, i, b, r in zip(models, init_seeds, batch_seeds, results)]

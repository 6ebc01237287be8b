"""S independent seeds of one small MLP trained at once under DeepMind's protocol (vectorised).

Weights of the S copies are stacked (S, out, in) and trained with batched matmuls and one Adam on the
flat (S, P) parameter array (:mod:`kanrepro.train.engine`). Each copy keeps its own init seed, batch stream and
early stopping, so copy s gives the same numbers as ``protocols.deepmind(..., init_seed=init_seeds[s],
batch_seed=batch_seeds[s], engine='torch')`` (tested; float rounding aside).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
import torch

from kanrepro.knots.prep import Prepared
from kanrepro.nn.models import MLP
from kanrepro.train import run_cache
from kanrepro.train.engine import Adam, masked_xent, single_threaded
from kanrepro.train.loop import deepmind_loop
from kanrepro.train.protocols import DeepMindConfig, ModelSpec
from kanrepro.train.records import EVAL_CHUNK, RunRecord, TrainResult, make_record


# ---------------------------------------------------------------------------------------------------
# S stacked MLPs (the ensemble): weights (S, out, in) as torch stores them, biases (S, out), one flat
# (S, P) array. Activations run class-major, (S, units, B): softmax and bias sums then reduce over a
# leading or long axis (numpy reduces a short last axis ~10x slower) and no transposes are copied.
# ---------------------------------------------------------------------------------------------------
class MLPStack:
    """S MLPs of identical shape stacked along a leading axis; activation 'sigmoid' | 'relu' | 'tanh'."""

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray], activation: str = "sigmoid"):
        self.S = weights[0].shape[0]
        self.activation = activation
        shapes = [w.shape[1:] for w in weights] + [b.shape[1:] for b in biases]
        offs = np.cumsum([0, *[int(np.prod(s)) for s in shapes]])
        self._slices = [(offs[i], offs[i + 1], shapes[i]) for i in range(len(shapes))]
        self.theta = np.concatenate([a.reshape(self.S, -1) for a in (*weights, *biases)], axis=1)
        self.grad = np.zeros_like(self.theta)
        self.W, self.b = self._views(self.theta)
        self.gW, self.gb = self._views(self.grad)

    def _views(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        views = [flat[:, a:b].reshape(self.S, *shape) for a, b, shape in self._slices]
        L = len(views) // 2
        return views[:L], views[L:]

    def _act(self, z: np.ndarray) -> np.ndarray:  # in place: z is a fresh array
        if self.activation == "sigmoid":
            np.negative(z, out=z)
            np.exp(z, out=z)
            z += 1
            return np.reciprocal(z, out=z)
        if self.activation == "relu":
            return np.maximum(z, 0, out=z)
        return np.tanh(z, out=z)

    def _dact(self, h: np.ndarray) -> np.ndarray:  # derivative from the activation's output
        if self.activation == "sigmoid":
            return h * (1 - h)
        if self.activation == "relu":
            return (h > 0).astype(h.dtype)
        return 1 - h * h

    def forward(self, x: np.ndarray, keep: bool = False):
        """x: (S, B, n_in) or shared (B, n_in) -> logits class-major (S, n_out, B) (and the activations)."""
        hs = [x]
        h = np.swapaxes(x, -1, -2)
        for i, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            z = np.matmul(W, h)
            z += b[:, :, None]
            h = self._act(z) if i < len(self.W) - 1 else z
            hs.append(h)
        return (h, hs) if keep else h

    def evaluate(self, X: np.ndarray, y: np.ndarray, chunk: int = EVAL_CHUNK,
                 rows: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """Every copy's mean masked cross-entropy (S,) on shared rows X (N, n_in), y (N,), and whether it
        classifies each row right (S, N) bool (None without ``rows``: validation needs the loss alone, and the
        argmax was ~8% of a small MLP's training)."""
        loss = np.zeros(self.S)
        correct = np.zeros((self.S, len(X)), dtype=bool) if rows else None
        for a in range(0, len(X), chunk):
            with np.errstate(over="ignore"):  # exp overflow in a saturated sigmoid: the right limit (as in training)
                logits = self.forward(X[a:a + chunk])
            yc = y[a:a + chunk]
            part, _ = masked_xent(np.swapaxes(logits, 1, 2), np.broadcast_to(yc, (self.S, len(yc))), want_grad=False)
            loss += part * len(yc)
            if rows:
                correct[:, a:a + chunk] = logits.argmax(axis=1) == yc
        return loss / len(X), correct

    def grad_step(self, x: np.ndarray, targets: np.ndarray) -> None:
        """Fill ``grad`` (S, P) with d (mean masked cross-entropy) for x (S, B, n_in).

        targets (S, B, n_out + 1): DeepMind's one-hot (all zero for a label out of range) then its row
        sum, both divided by B; d loss / d logits = softmax * rowsum - onehot. This is
        :func:`~kanrepro.train.engine.masked_xent`'s gradient (tested equal), fused into the backward pass
        with the 1/B taken into the gathered targets: no loss value, one temporary less per step. Routing it
        through ``masked_xent`` would change the MLP runs' last bits, so every published MLP number.
        """
        logits, hs = self.forward(x, keep=True)
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        t = np.swapaxes(targets, 1, 2)  # (S, n_out + 1, B)
        d = logits
        d *= t[:, -1:]
        d -= t[:, :-1]
        for i in reversed(range(len(self.W))):
            prev = hs[i] if i == 0 else np.swapaxes(hs[i], 1, 2)  # (S, B, in)
            np.matmul(d, prev, out=self.gW[i])
            d.sum(axis=2, out=self.gb[i])
            if i > 0:
                d = np.matmul(np.swapaxes(self.W[i], 1, 2), d)
                d *= self._dact(hs[i])


def stack_mlps(models: Sequence[MLP]) -> MLPStack:
    """Copy S same-shaped torch MLPs into one :class:`MLPStack`."""
    L = len(models[0].layers)
    weights = [np.stack([m.layers[i].weight.detach().numpy() for m in models]) for i in range(L)]
    biases = [np.stack([m.layers[i].bias.detach().numpy() for m in models]) for i in range(L)]
    return MLPStack(weights, biases, models[0].activation)


def unstack_into(stack: MLPStack, models: Sequence[MLP]) -> None:
    """Write the stacked parameters back into the torch MLPs."""
    with torch.no_grad():
        for s, m in enumerate(models):
            for i, layer in enumerate(m.layers):
                layer.weight.copy_(torch.from_numpy(stack.W[i][s].copy()))
                layer.bias.copy_(torch.from_numpy(stack.b[i][s].copy()))


def _targets(y: np.ndarray, n_out: int, dtype) -> np.ndarray:
    """Per row: DeepMind's one-hot of y (zero when y is out of range) and its sum, both / batch later:
    (N, n_out + 1)."""
    out = np.zeros((len(y), n_out + 1), dtype=dtype)
    valid = (y >= 0) & (y < n_out)
    out[np.flatnonzero(valid), y[valid]] = 1
    out[:, -1] = valid
    return out


def train_stack(stack: MLPStack, data: Prepared, cfg: DeepMindConfig, batch_seeds: Sequence[int]) -> list[TrainResult]:
    """DeepMind's loop for every copy at once; a copy's parameters at its stop (or best step) are what it keeps."""
    with single_threaded(), np.errstate(over="ignore"):  # exp overflow in a saturated sigmoid: the right limit
        return deepmind_loop(StackBackend(stack, data, cfg), len(data.X_train), cfg.batch_size, cfg.max_steps,
                             cfg.val_every, cfg.restore_best, batch_seeds)


class StackBackend:
    """An :class:`MLPStack` under :func:`~kanrepro.train.loop.deepmind_loop`: manual gradient, one Adam on
    the flat (S, P) parameters."""

    def __init__(self, stack: MLPStack, data: Prepared, cfg: DeepMindConfig):
        X, y = data.X_train.numpy(), data.y_train.numpy()
        self.stack, self.S, self.n_in = stack, stack.S, X.shape[1]
        batch = min(cfg.batch_size, len(X))
        # one gather per step: inputs, one-hot / B and its row sum / B side by side
        self.table = np.concatenate([X, _targets(y, data.encoding.n_outputs, X.dtype) / X.dtype.type(batch)], axis=1)
        self.Xv, self.yv = data.X_val.numpy(), data.y_val.numpy()
        self.adam = Adam(stack.theta.shape, stack.theta.dtype, lr=cfg.lr)

    def step(self, step: int, batches: np.ndarray) -> None:
        rows = self.table[batches]
        self.stack.grad_step(rows[:, :, :self.n_in], rows[:, :, self.n_in:])
        self.adam.step(self.stack.theta, self.stack.grad)

    def val_losses(self) -> np.ndarray:
        return self.stack.evaluate(self.Xv, self.yv, rows=False)[0]  # in chunks: all at once ran ~2x slower

    def snapshot(self, s: int) -> np.ndarray:
        return self.stack.theta[s].copy()

    def restore(self, s: int, state: np.ndarray) -> None:
        self.stack.theta[s] = state


def deepmind_ensemble(data: Prepared, spec: ModelSpec = ModelSpec(hidden=(3, 3)),
                      cfg: DeepMindConfig = DeepMindConfig(),
                      init_seeds: Sequence[int] = range(8), batch_seeds: Sequence[int] | None = None,
                      split_seed: int | None = None, protocol: str = "deepmind",
                      return_models: bool = False) -> list[RunRecord] | tuple[list[RunRecord], list[MLP]]:
    """Train len(init_seeds) MLPs of ``spec`` at once; one :class:`RunRecord` per copy (seconds = share).

    A copy already made with the same data and arguments is read back (:mod:`kanrepro.train.run_cache`), the
    others are trained together: a copy's numbers do not depend on the copies beside it (tested).
    ``return_models``: every copy is trained (its record stored) and (records, trained torch MLPs) returned, e.g.
    for saliency: the model of the very run the records describe, at no second training.
    """
    if spec.kind != "mlp":
        raise NotImplementedError("the vectorised ensemble supports MLPs; train KAN seeds with protocols.deepmind")
    init_seeds = list(init_seeds)
    batch_seeds = list(batch_seeds) if batch_seeds is not None else init_seeds
    if len(batch_seeds) != len(init_seeds):
        raise ValueError("one batch seed per init seed")
    arguments = [{"spec": asdict(spec), "cfg": asdict(cfg), "init_seed": i, "batch_seed": b, "split_seed": split_seed,
                  "protocol": protocol} for i, b in zip(init_seeds, batch_seeds, strict=True)]
    # with return_models every copy is trained (for its model); else copies already remembered are read back
    data_id = run_cache.data_identity(data) if run_cache.enabled() else ""  # hashed only when the memory is on
    records = [None if return_models else run_cache.recall("mlp-run", data_id, a) for a in arguments]
    missing = [s for s, r in enumerate(records) if r is None]
    models: list[MLP] = []
    if missing:
        trained, models = _deepmind_ensemble(data, spec, cfg, [init_seeds[s] for s in missing],
                                             [batch_seeds[s] for s in missing], split_seed, protocol)
        for s, record in zip(missing, trained, strict=True):
            run_cache.remember("mlp-run", data_id, arguments[s], record)
            records[s] = record
    return (records, models) if return_models else records


def _deepmind_ensemble(data, spec, cfg, init_seeds, batch_seeds, split_seed, protocol):
    models = [spec.build(data.n_features, data.encoding.n_outputs, s, data.X_train.dtype) for s in init_seeds]
    stack = stack_mlps(models)
    results = train_stack(stack, data, cfg, batch_seeds)
    unstack_into(stack, models)
    config = {**asdict(cfg), "model_spec": asdict(spec), "vectorised": True}
    # validation and test only: the training split is the largest, no claim reads its accuracy, and it was ~70% of
    # the final evaluation (~2 s per [300,300,300] copy on 180,000 training rows); its fields stay None
    with single_threaded():
        splits = [stack.evaluate(X.numpy(), y.numpy())
                  for X, y in ((data.X_val, data.y_val), (data.X_test, data.y_test))]
    metrics = [[(None, None)] + [(float(loss[s]), float(correct[s].mean())) for loss, correct in splits]
               for s in range(stack.S)]
    test_correct = splits[1][1]
    runs = zip(models, init_seeds, batch_seeds, results, metrics, strict=True)
    records = [make_record(m, data, protocol, config, {"split": split_seed, "init": i, "batch": b}, r, metrics=mt,
                           correct=test_correct[s])
               for s, (m, i, b, r, mt) in enumerate(runs)]
    return records, models

"""Run records (training results as data) and the shared loss/accuracy evaluation.

A :class:`RunRecord` is what every protocol returns; ``record.to_dict()`` is flat enough for
``kanrepro.results.write_results`` (nested dicts/lists of numbers only).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from kanrepro.nn.models import KAN, MLP
from kanrepro.nn.params import param_counts


def masked_cross_entropy(logits: Tensor, y: Tensor) -> Tensor:
    """DeepMind's loss: mean over rows of -log softmax(logits)[y]; a label outside [0, n_out) has an
    all-zero one-hot (jax.nn.one_hot) and contributes 0 (the off-by-one top class, unseen val/test classes).

    logits (B, m), y (B,) int64 -> scalar.
    """
    m = logits.shape[-1]
    valid = (y >= 0) & (y < m)
    logp = F.log_softmax(logits, dim=-1).gather(-1, torch.where(valid, y, 0)[:, None])[:, 0]
    return -(logp * valid).mean()


# rows per forward pass when evaluating: temporaries of a few MB stay in cache (a [17,1,14] KAN on 79,000 rows,
# one thread, best of 3 on an idle machine: 0.33 s in chunks of 65,536, 0.17 s in chunks of 8,192 or 16,384,
# 0.19 s in 4,096); rows do not interact, so accuracies are the same
EVAL_CHUNK = 8192


@torch.no_grad()
def evaluate_rows(model: nn.Module, X: Tensor, y: Tensor, chunk: int = EVAL_CHUNK) -> tuple[float, float, np.ndarray]:
    """(mean masked cross-entropy, accuracy, per-row correctness (rows,) bool) of ``model`` on X (rows, n_in),
    y (rows,) classes."""
    losses, correct = [], []
    for a in range(0, len(X), chunk):
        logits = model(X[a:a + chunk])
        losses.append(masked_cross_entropy(logits, y[a:a + chunk]) * len(logits))
        correct.append((logits.argmax(dim=-1) == y[a:a + chunk]).numpy())
    rows = np.concatenate(correct) if correct else np.zeros(0, dtype=bool)
    return float(sum(losses) / len(X)), float(rows.mean()), rows


def evaluate(model: nn.Module, X: Tensor, y: Tensor, chunk: int = EVAL_CHUNK) -> tuple[float, float]:
    """(mean masked cross-entropy, accuracy) of ``model`` on X (rows, n_in), y (rows,) classes."""
    return evaluate_rows(model, X, y, chunk)[:2]


@dataclass
class RunRecord:
    """One training run. Accuracies are fractions in [0, 1]; losses are mean cross-entropies."""
    model: str  # e.g. 'MLP[17,300,300,300,13] sigmoid' or 'KAN[17,1,14] G=3 k=3'
    params: dict[str, int | None]  # kanrepro.nn.params.param_counts
    protocol: str  # 'deepmind' | 'compactnet' | 'pykan_tutorial' | ...
    config: dict[str, Any]  # the protocol's config, every switch
    seeds: dict[str, int | None]  # split, init, batch
    steps_run: int  # optimizer steps taken
    stop_step: int | None  # step at which early stopping fired (None: ran to the cap)
    best_step: int | None  # step of the best validation loss seen
    train_loss: float | None  # None: not evaluated (the vectorised MLP runs skip the training split)
    val_loss: float
    test_loss: float
    train_accuracy: float | None
    val_accuracy: float
    test_accuracy: float
    seconds: float = 0.0  # wall time of training
    val_curve: list[list[float]] = field(default_factory=list)  # [[step, val_loss], ...]
    extra: dict[str, Any] = field(default_factory=dict)
    test_correct: np.ndarray | None = field(default=None, repr=False, compare=False)  # (test rows,) bool

    def to_dict(self) -> dict[str, Any]:
        """Every field but the per-row ``test_correct``."""
        out = asdict(self)
        out.pop("test_correct")
        return out


@dataclass
class TrainResult:
    """What a training loop reports (before evaluation)."""
    steps_run: int
    stop_step: int | None
    best_step: int | None
    val_curve: list[list[float]]
    seconds: float


def describe(model: nn.Module) -> str:
    """Short model name for records."""
    if isinstance(model, MLP):
        return f"MLP{model.widths} {model.activation}"
    if isinstance(model, KAN):
        return f"KAN{model.width} G={model.grid_sizes[0]} k={model.k}"
    return type(model).__name__


def make_record(model: nn.Module, data: Any, protocol: str, config: dict, seeds: dict, result: TrainResult,
                extra: dict | None = None, metrics: list[tuple[float | None, float | None]] | None = None,
                correct: np.ndarray | None = None) -> RunRecord:
    """Evaluate ``model`` on the three splits of ``data`` (a :class:`~kanrepro.knots.prep.Prepared`) into a record.

    ``metrics``: (loss, accuracy) on train, val and test when the caller already computed them (train may be
    (None, None): not evaluated); ``correct``: then also the test rows' correctness (test rows,) bool, if the
    caller has it.
    """
    if metrics:
        tr, va, te = metrics
        correct = evaluate_rows(model, data.X_test, data.y_test)[2] if correct is None else correct
    else:  # each split evaluated once (pykan's tutorial has no validation split: its 'val' is the test split)
        *te, correct = evaluate_rows(model, data.X_test, data.y_test)
        tr = evaluate(model, data.X_train, data.y_train)
        va = te if data.X_val is data.X_test else evaluate(model, data.X_val, data.y_val)
    return RunRecord(describe(model), param_counts(model), protocol, config, seeds, result.steps_run, result.stop_step,
                     result.best_step, tr[0], va[0], te[0], tr[1], va[1], te[1], result.seconds, result.val_curve,
                     extra or {}, correct)

"""Training protocols as named functions, defaults from their sources, quirks behind switches.

- :func:`deepmind`: DeepMind's knot notebook (Adam 1e-3, batch 64, validate every 100 steps on the full
  validation set, stop at the first increase, 10k cap). ``COMPACTNET`` = the same with the output fix and a
  50k cap. With ``ModelSpec(kind='kan')`` it is the Adam variant of the KAN on DeepMind's protocol.
- :func:`pykan_tutorial`: pykan's knot tutorial (``fit``: LBFGS, 100 steps, lamb 0.005, batch 1024, grid
  updates every 5 steps until step 50), for pykan itself (``variant='pykan'``) or our KAN (``'ours'``).

Determinism: the split seed fixes the split, ``init_seed`` the weights, ``batch_seed`` the batch order
(own generators, no global state; the 'pykan' variant seeds pykan's globals as pykan does).
"""
from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from kanrepro.knots.prep import Prepared, prepare_deepmind
from kanrepro.nn.models import KAN, MLP
from kanrepro.train.engine import Adam, grid_update_steps, masked_xent, single_threaded
from kanrepro.train.kan_kernel import BatchInputs, KANKernel
from kanrepro.train.loop import deepmind_loop
from kanrepro.train.pykan_protocol import PykanTutorialConfig, pykan_tutorial
from kanrepro.train.records import (
    RunRecord,
    TrainResult,
    make_record,
    masked_cross_entropy,
)

# the protocols a notebook calls, DeepMind's (here) and pykan's (kanrepro.train.pykan_protocol)
__all__ = ["COMPACTNET", "DeepMindConfig", "ModelSpec", "PykanTutorialConfig", "deepmind", "prepare", "pykan_tutorial",
           "train_deepmind"]


@dataclass(frozen=True)
class ModelSpec:
    """What to build: an MLP (hidden widths, activation, init) or a KAN [n_in, *hidden, n_out] (grid, k)."""
    kind: str = "mlp"  # 'mlp' | 'kan'
    hidden: tuple[int, ...] = (300, 300, 300)  # DeepMind; KAN paper: (1,)
    activation: str = "sigmoid"  # MLP only
    init: str = "haiku"  # MLP only: 'haiku' (DeepMind/CompactNet are haiku) | 'torch'
    grid: int = 3  # KAN only: G
    k: int = 3  # KAN only: spline order

    def build(self, n_in: int, n_out: int, init_seed: int, dtype: torch.dtype = torch.float32) -> nn.Module:
        if self.kind == "mlp":
            return MLP(n_in, self.hidden, n_out, self.activation, self.init, init_seed, dtype)
        if self.kind == "kan":
            return KAN([n_in, *self.hidden, n_out], grid=self.grid, k=self.k, seed=init_seed, dtype=dtype)
        raise ValueError(f"unknown model kind {self.kind!r}")


@dataclass(frozen=True)
class DeepMindConfig:
    """DeepMind's notebook; every quirk defaults to faithful."""
    lr: float = 1e-3
    batch_size: int = 64
    val_every: int = 100  # validate on the full validation set when step % val_every == 0 (after the update)
    max_steps: int = 10_000  # 50_000 for CompactNet
    restore_best: bool = False  # False: keep the params of the step where the loss went up (notebook)
    off_by_one_output: bool = True  # int((max-min)/2) outputs: the top class is never predicted
    own_stats_normalisation: bool = True  # val/test z-scored with their own mean/std
    kan_update_grid: bool = True  # KAN only: pykan fit's grid updates from the batch ...
    kan_grid_update_every: int = 5  # ... every 5 steps (stop_grid_update_step 50 / grid_update_num 10)
    kan_stop_grid_update_step: int = 50
    split: str = "deepmind"  # "deepmind" (faithful) | "unseen_knots": no knot (or its mirror) in two parts


COMPACTNET = DeepMindConfig(max_steps=50_000, off_by_one_output=False)


def kan_grid_steps(model: nn.Module, cfg: DeepMindConfig) -> set[int]:
    """The steps at which a KAN's grid is updated from the batch (none for an MLP)."""
    if not (isinstance(model, KAN) and cfg.kan_update_grid):
        return set()
    return set(grid_update_steps(cfg.max_steps, cfg.kan_grid_update_every, cfg.kan_stop_grid_update_step))


def train_deepmind(model: nn.Module, data: Prepared, cfg: DeepMindConfig = DeepMindConfig(), batch_seed: int = 0,
                   engine: str = "auto") -> TrainResult:
    """DeepMind's loop on ``model`` in place. engine: 'torch' (autograd + torch.optim.Adam, any model),
    'fast' (numpy kernel, KAN only), 'auto' (fast for KAN, torch otherwise)."""
    if engine == "auto":
        engine = "fast" if isinstance(model, KAN) and model.base_fun == "silu" else "torch"
    with single_threaded():  # numpy's BLAS: one thread (see kanrepro.train.engine)
        return _train_deepmind(model, data, cfg, batch_seed, engine)


def _train_deepmind(model, data, cfg, batch_seed, engine):
    backend = KernelBackend(model, data, cfg) if engine == "fast" else TorchBackend(model, data, cfg)
    (result,) = deepmind_loop(backend, len(data.X_train), cfg.batch_size, cfg.max_steps, cfg.val_every,
                              cfg.restore_best, [batch_seed])
    backend.finish()
    return result


class TorchBackend:
    """One torch model under :func:`~kanrepro.train.loop.deepmind_loop`: autograd and torch.optim.Adam."""

    S = 1

    def __init__(self, model: nn.Module, data: Prepared, cfg: DeepMindConfig):
        self.model, self.data, self.grid_steps = model, data, kan_grid_steps(model, cfg)
        self.opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)

    def step(self, step: int, batches: np.ndarray) -> None:
        idx = batches[0]
        if step in self.grid_steps:
            self.model.update_grid_from_samples(self.data.X_train[idx])
        tidx = torch.from_numpy(idx)
        loss = masked_cross_entropy(self.model(self.data.X_train[tidx]), self.data.y_train[tidx])
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()

    def val_losses(self) -> np.ndarray:
        with torch.no_grad():
            return np.array([float(masked_cross_entropy(self.model(self.data.X_val), self.data.y_val))])

    def snapshot(self, s: int):
        return copy.deepcopy(self.model.state_dict())

    def restore(self, s: int, state) -> None:
        self.model.load_state_dict(state)

    def finish(self) -> None:
        pass


class KernelBackend:
    """One KAN under :func:`~kanrepro.train.loop.deepmind_loop` in the numpy kernel (analytic gradient, Adam
    on the flat parameters); the layer-0 inputs are cached per grid (:class:`~kanrepro.train.kan_kernel.
    BatchInputs`), the validation rows' too. :meth:`finish` writes the parameters back into the model."""

    S = 1

    def __init__(self, model: KAN, data: Prepared, cfg: DeepMindConfig):
        self.data, self.grid_steps = data, kan_grid_steps(model, cfg)
        self.kern = KANKernel(model)
        self.y = data.y_train.numpy()
        self.Xv, self.yv = data.X_val.numpy(), data.y_val.numpy()
        self.batches = BatchInputs(self.kern, data.X_train.numpy(), sorted(self.grid_steps), cfg.max_steps,
                                   cfg.batch_size)
        self.batches.regrid(-1)
        self.val_inputs = None  # the validation rows' layer-0 inputs under the current grid
        self.adam = Adam(self.kern.theta.shape, self.kern.dtype, lr=cfg.lr)

    def step(self, step: int, batches: np.ndarray) -> None:
        idx = batches[0]
        if step in self.grid_steps:
            self.kern.update_grid(self.data.X_train[idx])
            self.batches.regrid(step)
            self.val_inputs = None
        self.kern.loss_grad(None, self.y[idx], self.batches.batch(idx))
        self.adam.step(self.kern.theta, self.kern.grad)

    def val_losses(self) -> np.ndarray:
        if self.val_inputs is None:
            self.val_inputs = self.kern.inputs(self.Xv)
        return np.array([float(masked_xent(self.kern.forward(cache=self.val_inputs), self.yv, want_grad=False)[0])])

    def snapshot(self, s: int):
        return self.kern.theta.copy()

    def restore(self, s: int, state) -> None:
        self.kern.theta[:] = state

    def finish(self) -> None:
        self.kern.write_back()


def deepmind(data: Prepared, spec: ModelSpec = ModelSpec(), cfg: DeepMindConfig = DeepMindConfig(), init_seed: int = 1,
             batch_seed: int = 0, split_seed: int | None = None, engine: str = "auto", protocol: str = "deepmind",
             dtype: torch.dtype | None = None, return_model: bool = False) -> RunRecord | tuple[RunRecord, nn.Module]:
    """Build ``spec`` for ``data`` (outputs = data.encoding.n_outputs) and train it with DeepMind's loop.

    ``data`` must come from :func:`prepare` with the same cfg (the normalisation/output switches act there).
    Returns the run record, or (record, trained model) with ``return_model`` (for saliency, attribution).
    """
    model = spec.build(data.n_features, data.encoding.n_outputs, init_seed, dtype or data.X_train.dtype)
    result = train_deepmind(model, data, cfg, batch_seed, engine)
    seeds = {"split": split_seed, "init": init_seed, "batch": batch_seed}
    record = make_record(model, data, protocol, {**asdict(cfg), "model_spec": asdict(spec)}, seeds, result)
    return (record, model) if return_model else record


def prepare(frame: pd.DataFrame, features: Sequence[str], cfg: DeepMindConfig = DeepMindConfig(), split_seed: int = 2,
            dtype: torch.dtype = torch.float32) -> Prepared:
    """DeepMind's data pipeline with ``cfg``'s normalisation and output switches."""
    return prepare_deepmind(frame, features, split_seed, cfg.own_stats_normalisation, cfg.off_by_one_output, dtype,
                            cfg.split)

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
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from kanrepro.knots.prep import Prepared, prepare_deepmind
from kanrepro.nn.models import KAN, MLP
from kanrepro.train.engine import (
    Adam,
    BatchSampler,
    check_finite_loss,
    masked_xent,
    single_threaded,
)
from kanrepro.train.kan_kernel import BatchInputs, KANKernel
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


def _grid_step(model: nn.Module, cfg: DeepMindConfig, step: int) -> bool:
    return (isinstance(model, KAN) and cfg.kan_update_grid and step % cfg.kan_grid_update_every == 0
            and step < cfg.kan_stop_grid_update_step)


def train_deepmind(model: nn.Module, data: Prepared, cfg: DeepMindConfig = DeepMindConfig(), batch_seed: int = 0,
                   engine: str = "auto") -> TrainResult:
    """DeepMind's loop on ``model`` in place. engine: 'torch' (autograd + torch.optim.Adam, any model),
    'fast' (numpy kernel, KAN only), 'auto' (fast for KAN, torch otherwise)."""
    if engine == "auto":
        engine = "fast" if isinstance(model, KAN) and model.base_fun == "silu" else "torch"
    with single_threaded():  # numpy's BLAS: one thread (see kanrepro.train.engine)
        return _train_deepmind(model, data, cfg, batch_seed, engine)


def _train_deepmind(model, data, cfg, batch_seed, engine):
    t0 = time.perf_counter()
    sampler = BatchSampler(batch_seed, len(data.X_train), cfg.batch_size)
    best, best_step, stop_step, curve, best_state = np.inf, None, None, [], None
    if engine == "fast":
        kern = KANKernel(model)
        X, y = data.X_train.numpy(), data.y_train.numpy()
        Xv, yv = data.X_val.numpy(), data.y_val.numpy()
        updates = [s for s in range(min(cfg.max_steps, cfg.kan_stop_grid_update_step)) if _grid_step(model, cfg, s)]
        batches = BatchInputs(kern, X)
        batches.regrid(cfg.batch_size * (updates[0] if updates else cfg.max_steps))
        val_inputs = None  # the validation rows' layer-0 inputs under the current grid
        adam = Adam(kern.theta.shape, kern.dtype, lr=cfg.lr)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    step = -1
    for step in range(cfg.max_steps):
        idx = sampler.next()
        if engine == "fast":
            if _grid_step(model, cfg, step):
                kern.write_back()
                model.update_grid_from_samples(data.X_train[idx])
                kern.reload()
                later = [s for s in updates if s > step]
                batches.regrid(cfg.batch_size * ((later[0] if later else cfg.max_steps) - step))
                val_inputs = None
            kern.loss_grad(None, y[idx], batches.batch(idx))
            adam.step(kern.theta, kern.grad)
        else:
            if _grid_step(model, cfg, step):
                model.update_grid_from_samples(data.X_train[idx])
            tidx = torch.from_numpy(idx)
            loss = masked_cross_entropy(model(data.X_train[tidx]), data.y_train[tidx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        if step % cfg.val_every == 0:
            if engine == "fast":
                if val_inputs is None:
                    val_inputs = kern.inputs(Xv)
                val = float(masked_xent(kern.forward(cache=val_inputs), yv, want_grad=False)[0])
            else:
                with torch.no_grad():
                    val = float(masked_cross_entropy(model(data.X_val), data.y_val))
            curve.append([step, val])
            check_finite_loss(val, step)
            if val > best:
                stop_step = step
                break
            best, best_step = val, step
            if cfg.restore_best:
                best_state = kern.theta.copy() if engine == "fast" else copy.deepcopy(model.state_dict())
    if cfg.restore_best and best_state is not None:
        if engine == "fast":
            kern.theta[:] = best_state
        else:
            model.load_state_dict(best_state)
    if engine == "fast":
        kern.write_back()
    return TrainResult(step + 1, stop_step, best_step, curve, time.perf_counter() - t0)


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

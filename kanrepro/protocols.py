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
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from kanrepro.engine import Adam, BatchSampler, KANKernel, masked_xent
from kanrepro.models import KAN, MLP
from kanrepro.params import param_counts
from kanrepro.prep import Prepared, prepare_deepmind
from kanrepro.records import RunRecord, evaluate, masked_cross_entropy


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


def describe(model: nn.Module) -> str:
    """Short model name for records."""
    if isinstance(model, MLP):
        return f"MLP{model.widths} {model.activation}"
    if isinstance(model, KAN):
        return f"KAN{model.width} G={model.grid_sizes[0]} k={model.k}"
    return type(model).__name__


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


COMPACTNET = DeepMindConfig(max_steps=50_000, off_by_one_output=False)


@dataclass
class TrainResult:
    steps_run: int
    stop_step: int | None
    best_step: int | None
    val_curve: list[list[float]]
    seconds: float


def _grid_step(model: nn.Module, cfg: DeepMindConfig, step: int) -> bool:
    return (isinstance(model, KAN) and cfg.kan_update_grid and step % cfg.kan_grid_update_every == 0
            and step < cfg.kan_stop_grid_update_step)


def train_deepmind(model: nn.Module, data: Prepared, cfg: DeepMindConfig = DeepMindConfig(), batch_seed: int = 0,
                   engine: str = "auto") -> TrainResult:
    """DeepMind's loop on ``model`` in place. engine: 'torch' (autograd + torch.optim.Adam, any model),
    'fast' (numpy kernel, KAN only), 'auto' (fast for KAN, torch otherwise)."""
    if engine == "auto":
        engine = "fast" if isinstance(model, KAN) and model.base_fun == "silu" else "torch"
    t0 = time.perf_counter()
    sampler = BatchSampler(batch_seed, len(data.X_train), cfg.batch_size)
    best, best_step, stop_step, curve, best_state = np.inf, None, None, [], None
    if engine == "fast":
        kern = KANKernel(model)
        X, Xv = data.X_train.numpy(), data.X_val.numpy()
        y, yv = data.y_train.numpy(), data.y_val.numpy()
        X0 = X[:, kern.input_id]
        basis = kern.input_basis(X)
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
                basis = kern.input_basis(X)
            kern.loss_grad(X0[idx], y[idx], basis[idx])
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
                val = float(masked_xent(kern.forward(Xv), yv, want_grad=False)[0])
            else:
                with torch.no_grad():
                    val = float(masked_cross_entropy(model(data.X_val), data.y_val))
            curve.append([step, val])
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


def make_record(model: nn.Module, data: Prepared, protocol: str, config: dict, seeds: dict, result: TrainResult,
                extra: dict | None = None) -> RunRecord:
    """Evaluate ``model`` on the three splits and bundle everything into a :class:`RunRecord`."""
    tr, va, te = (evaluate(model, data.X_train, data.y_train), evaluate(model, data.X_val, data.y_val),
                  evaluate(model, data.X_test, data.y_test))
    return RunRecord(describe(model), param_counts(model), protocol, config, seeds, result.steps_run, result.stop_step,
                     result.best_step, tr[0], va[0], te[0], tr[1], va[1], te[1], result.seconds, result.val_curve,
                     extra or {})


def deepmind(data: Prepared, spec: ModelSpec = ModelSpec(), cfg: DeepMindConfig = DeepMindConfig(), init_seed: int = 1,
             batch_seed: int = 0, split_seed: int | None = None, engine: str = "auto", protocol: str = "deepmind",
             dtype: torch.dtype | None = None) -> RunRecord:
    """Build ``spec`` for ``data`` (outputs = data.encoding.n_outputs) and train it with DeepMind's loop.

    ``data`` must come from :func:`prepare` with the same cfg (the normalisation/output switches act there).
    """
    model = spec.build(data.n_features, data.encoding.n_outputs, init_seed, dtype or data.X_train.dtype)
    result = train_deepmind(model, data, cfg, batch_seed, engine)
    seeds = {"split": split_seed, "init": init_seed, "batch": batch_seed}
    return make_record(model, data, protocol, {**asdict(cfg), "model_spec": asdict(spec)}, seeds, result)


def prepare(frame: pd.DataFrame, features: Sequence[str], cfg: DeepMindConfig = DeepMindConfig(), split_seed: int = 2,
            dtype: torch.dtype = torch.float32) -> Prepared:
    """DeepMind's data pipeline with ``cfg``'s normalisation and output switches."""
    return prepare_deepmind(frame, features, split_seed, cfg.own_stats_normalisation, cfg.off_by_one_output, dtype)


def run_deepmind(frame: pd.DataFrame, features: Sequence[str], spec: ModelSpec = ModelSpec(),
                 cfg: DeepMindConfig = DeepMindConfig(), split_seed: int = 2, init_seed: int = 1, batch_seed: int = 0,
                 protocol: str = "deepmind") -> RunRecord:
    """One call from a notebook: split + normalise + encode + build + train + evaluate."""
    data = prepare(frame, features, cfg, split_seed)
    return deepmind(data, spec, cfg, init_seed, batch_seed, split_seed, protocol=protocol)


# ---------------------------------------------------------------------------------------------------
# pykan's knot tutorial
# ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PykanTutorialConfig:
    """pykan 0.2.8 ``fit`` as called by the knot tutorial; other fields are fit's defaults."""
    hidden: tuple[int, ...] = (1,)
    grid: int = 5
    k: int = 3
    opt: str = "LBFGS"  # 'LBFGS' (pykan's LBFGS: history 10, strong Wolfe, tolerances 1e-32) | 'Adam'
    steps: int = 100
    lr: float = 1.0
    lamb: float = 0.005
    lamb_l1: float = 1.0
    lamb_entropy: float = 2.0
    lamb_coef: float = 0.0
    lamb_coefdiff: float = 0.0
    batch: int = 1024  # -1: full batch
    update_grid: bool = True
    grid_update_num: int = 10
    start_grid_update_step: int = -1
    stop_grid_update_step: int = 50


def _pykan_optimizer(params, cfg: PykanTutorialConfig):
    if cfg.opt == "Adam":
        return torch.optim.Adam(params, lr=cfg.lr)
    from kan.LBFGS import LBFGS  # pykan's own LBFGS (has tolerance_ys), as its fit uses

    return LBFGS(params, lr=cfg.lr, history_size=10, line_search_fn="strong_wolfe", tolerance_grad=1e-32,
                 tolerance_change=1e-32, tolerance_ys=1e-32)


def pykan_tutorial(data: Prepared, cfg: PykanTutorialConfig = PykanTutorialConfig(), seed: int = 42,
                   variant: str = "ours", split_seed: int | None = 42, engine: str = "auto") -> RunRecord:
    """Train KAN([n_in, *hidden, n_class], grid, k, seed) as pykan's ``fit`` does.

    variant 'pykan': pykan's own model and ``fit`` (auto_save off). variant 'ours': our KAN with the same
    loop: batches from ``RandomState(seed)`` (the stream pykan's global ``np.random`` has after
    ``KAN(seed=seed)``), grid update from the batch before the step every ``stop/num`` steps, loss +
    lamb * pykan's regulariser. ``data.X_val`` is pykan's 'test' set (it draws test batches too).
    """
    width = [data.n_features, *cfg.hidden, data.encoding.n_outputs]
    X, y, Xt = data.X_train, data.y_train, data.X_val
    t0 = time.perf_counter()
    if variant == "pykan":
        from kan import KAN as PykanKAN

        model = PykanKAN(width=list(width), grid=cfg.grid, k=cfg.k, seed=seed, auto_save=False)
        dataset = {"train_input": X, "train_label": y, "test_input": Xt, "test_label": data.y_val}
        model.fit(dataset, opt=cfg.opt, steps=cfg.steps, lamb=cfg.lamb, lamb_l1=cfg.lamb_l1,
                  lamb_entropy=cfg.lamb_entropy, lamb_coef=cfg.lamb_coef, lamb_coefdiff=cfg.lamb_coefdiff,
                  update_grid=cfg.update_grid, grid_update_num=cfg.grid_update_num, loss_fn=nn.CrossEntropyLoss(),
                  lr=cfg.lr, start_grid_update_step=cfg.start_grid_update_step,
                  stop_grid_update_step=cfg.stop_grid_update_step, batch=cfg.batch)
        model = KAN.from_pykan(model)  # evaluate through our (parity-tested) forward
    elif variant == "ours":
        model = KAN(width, grid=cfg.grid, k=cfg.k, seed=seed, dtype=X.dtype)
        _fit_like_pykan(model, X, y, len(Xt), cfg, np.random.RandomState(seed), engine)
    else:
        raise ValueError(f"unknown variant {variant!r}")
    result = TrainResult(cfg.steps, None, None, [], time.perf_counter() - t0)
    return make_record(model, data, "pykan_tutorial", {**asdict(cfg), "variant": variant},
                       {"split": split_seed, "init": seed, "batch": seed}, result)


def _fit_like_pykan(model: KAN, X: torch.Tensor, y: torch.Tensor, n_test: int, cfg: PykanTutorialConfig,
                    rs: np.random.RandomState, engine: str = "auto") -> None:
    """pykan 0.2.8 ``MultKAN.fit`` semantics on our KAN (no symbolic branch, no metrics).

    The layer-0 basis of all training rows is cached between grid updates. engine 'fast' (lamb == 0 only):
    loss and gradient from the numpy kernel, whose memory the torch parameters share; 'torch': autograd.
    """
    n = len(X)
    full = cfg.batch == -1 or cfg.batch > n
    bs, bs_test = (n, n_test) if full else (cfg.batch, cfg.batch)
    freq = int(cfg.stop_grid_update_step / cfg.grid_update_num)
    if engine == "auto":
        engine = "fast" if cfg.lamb == 0 and model.base_fun == "silu" else "torch"
    if engine == "fast" and cfg.lamb != 0:
        raise ValueError("the fast kernel has no regulariser gradient: use engine='torch' when lamb > 0")
    kern = KANKernel(model) if engine == "fast" else None
    Xn, yn = X.numpy(), y.numpy()
    cache: dict[str, object] = {}

    def refresh():
        if kern is not None:
            kern.reload()
            kern.bind()
            cache["basis"] = kern.input_basis(Xn)
            cache["X0"] = Xn[:, kern.input_id]
        else:
            with torch.no_grad():
                cache["basis"] = model.input_basis(X)

    refresh()
    opt = _pykan_optimizer(list(model.parameters()), cfg)

    def objective(idx):
        basis = cache["basis"][idx] if kern is None else cache["batch"][2]
        if kern is not None:  # batch arrays gathered once per step, not per LBFGS evaluation
            loss = kern.loss_grad(*cache["batch"])
            return torch.tensor(loss, dtype=X.dtype)
        opt.zero_grad()
        if cfg.lamb > 0:
            out, reg = model.forward_reg(X[idx], cfg.lamb_l1, cfg.lamb_entropy, cfg.lamb_coef, cfg.lamb_coefdiff, basis)
            loss = F.cross_entropy(out, y[idx]) + cfg.lamb * reg
        else:
            loss = F.cross_entropy(model(X[idx], basis), y[idx])
        loss.backward()
        return loss

    for step in range(cfg.steps):
        train_id = rs.choice(n, bs, replace=False)
        rs.choice(n_test, bs_test, replace=False)  # pykan draws a test batch every step: keep the stream
        if step % freq == 0 and step < cfg.stop_grid_update_step and cfg.update_grid and step >= cfg.start_grid_update_step:
            model.update_grid_from_samples(X[train_id])  # bound params already hold theta: no write-back
            refresh()
        if kern is not None:
            cache["batch"] = (cache["X0"][train_id], yn[train_id], cache["basis"][train_id])
        if cfg.opt == "LBFGS":
            opt.step(lambda: objective(train_id))
        else:
            objective(train_id)
            opt.step()
    if kern is not None:
        kern.write_back()
        for p in model.parameters():
            p.grad = None


def with_switch(cfg: DeepMindConfig, **changes) -> DeepMindConfig:
    """A copy of ``cfg`` with some switches flipped (keeps configs immutable)."""
    return replace(cfg, **changes)

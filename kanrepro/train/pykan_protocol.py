"""pykan's knot tutorial protocol (``MultKAN.fit``) for pykan itself or our KAN, and a lean LBFGS.

- :func:`pykan_tutorial`: pykan 0.2.8's ``fit`` as its knot tutorial calls it (LBFGS, 100 steps, lamb 0.005,
  batch 1024, grid updates every 5 steps until step 50): ``variant='pykan'`` runs pykan's own model and fit,
  ``'ours'`` our KAN with the same loop (:func:`fit_like_pykan`); :func:`pykan_seed_task` is one seed of
  pykan itself as a task for parallel processes.
- The fast engine optimises with :class:`kanrepro.train.lbfgs.LeanLBFGS` (pykan's LBFGS on a numpy vector).
  Re-exported by :mod:`kanrepro.train.protocols`.
"""
from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from kanrepro.knots.prep import Prepared, prepare_pykan_tutorial
from kanrepro.nn.models import KAN
from kanrepro.train import run_cache
from kanrepro.train.engine import Adam, grid_update_steps, single_threaded
from kanrepro.train.kan_kernel import BatchInputs, KANKernel, Reg
from kanrepro.train.lbfgs import LeanLBFGS
from kanrepro.train.records import RunRecord, TrainResult, make_record


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


LBFGS_ARGS = dict(history_size=10, line_search_fn="strong_wolfe", tolerance_grad=1e-32, tolerance_change=1e-32,
                  tolerance_ys=1e-32)  # pykan fit's


@contextlib.contextmanager
def quiet_pykan(seed: int):
    """Calls into pykan itself: numpy's global RNG (which pykan's fit draws its batches from) seeded, one
    thread, its prints and progress bars swallowed."""
    np.random.seed(seed)
    quiet = io.StringIO()
    with single_threaded(), contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        yield


def _pykan_optimizer(params, cfg: PykanTutorialConfig):
    if cfg.opt == "Adam":
        return torch.optim.Adam(params, lr=cfg.lr)
    from kan.LBFGS import LBFGS  # pykan's own LBFGS (has tolerance_ys), as its fit uses

    return LBFGS(params, lr=cfg.lr, **LBFGS_ARGS)


def pykan_tutorial(data: Prepared, cfg: PykanTutorialConfig = PykanTutorialConfig(), seed: int = 42,
                   variant: str = "ours", split_seed: int | None = 42, engine: str = "auto",
                   return_model: bool = False) -> RunRecord | tuple[RunRecord, KAN]:
    """Train KAN([n_in, *hidden, n_class], grid, k, seed) as pykan's ``fit`` does.

    Returns the run record, or (record, trained model as our KAN) with ``return_model``.
    variant 'pykan': pykan's own model and ``fit`` (auto_save off). variant 'ours': our KAN with the same
    loop (:func:`fit_like_pykan`, ``engine`` as there). ``data.X_val`` is pykan's 'test' set (it draws
    test batches too). A record already made with the same data and arguments is read back
    (:mod:`kanrepro.train.run_cache`); with ``return_model`` the run is made and its record stored.
    """
    arguments = {"cfg": asdict(cfg), "seed": seed, "variant": variant, "split_seed": split_seed, "engine": engine}
    if not return_model:
        return run_cache.remembered("pykan-tutorial", data, arguments,
                                    lambda: _pykan_tutorial(data, cfg, seed, variant, split_seed, engine)[0])
    record, model = _pykan_tutorial(data, cfg, seed, variant, split_seed, engine)
    run_cache.remember("pykan-tutorial", run_cache.data_identity(data), arguments, record)
    return record, model


def _pykan_tutorial(data, cfg, seed, variant, split_seed, engine):
    width = [data.n_features, *cfg.hidden, data.encoding.n_outputs]
    X, y, Xt = data.X_train, data.y_train, data.X_val
    t0 = time.perf_counter()
    if variant == "pykan":
        from kan import KAN as PykanKAN

        model = PykanKAN(width=list(width), grid=cfg.grid, k=cfg.k, seed=seed, auto_save=False)
        dataset = {"train_input": X, "train_label": y, "test_input": Xt, "test_label": data.y_val}
        with single_threaded():  # one torch thread: pykan's many small ops only wait on a second one
            model.fit(dataset, opt=cfg.opt, steps=cfg.steps, lamb=cfg.lamb, lamb_l1=cfg.lamb_l1,
                      lamb_entropy=cfg.lamb_entropy, lamb_coef=cfg.lamb_coef, lamb_coefdiff=cfg.lamb_coefdiff,
                      update_grid=cfg.update_grid, grid_update_num=cfg.grid_update_num, loss_fn=nn.CrossEntropyLoss(),
                      lr=cfg.lr, start_grid_update_step=cfg.start_grid_update_step,
                      stop_grid_update_step=cfg.stop_grid_update_step, batch=cfg.batch)
        model = KAN.from_pykan(model)  # evaluate through our (parity-tested) forward
    elif variant == "ours":
        model = KAN(width, grid=cfg.grid, k=cfg.k, seed=seed, dtype=X.dtype)
        fit_like_pykan(model, X, y, len(Xt), cfg, np.random.RandomState(seed), engine)
    else:
        raise ValueError(f"unknown variant {variant!r}")
    result = TrainResult(cfg.steps, None, None, [], time.perf_counter() - t0)
    record = make_record(model, data, "pykan_tutorial", {**asdict(cfg), "variant": variant},
                         {"split": split_seed, "init": seed, "batch": seed}, result)
    return record, model


def pykan_seed_task(frame: pd.DataFrame, features: Sequence[str], seed: int,
                    cfg: PykanTutorialConfig = PykanTutorialConfig()) -> dict:
    """One run of pykan itself under its tutorial protocol (split seed = init seed = ``seed``), as a task for
    :func:`kanrepro.experiment.sweep.run_tasks` (one torch thread per process); the run record as a dict."""
    torch.set_num_threads(1)
    data = prepare_pykan_tutorial(frame, list(features), seed)
    return pykan_tutorial(data, cfg, seed=seed, variant="pykan", split_seed=seed).to_dict()


def fit_like_pykan(model: KAN, X: torch.Tensor, y: torch.Tensor, n_test: int, cfg: PykanTutorialConfig,
                   rs: np.random.RandomState, engine: str = "auto", loss_fn: str = "xent") -> None:
    """pykan 0.2.8 ``MultKAN.fit`` semantics on our KAN (no symbolic branch, no metrics), in place.

    Batches from ``rs`` (pykan draws a train and a test batch every step), grid update from the train
    batch every ``stop/num`` steps before the step, objective = loss + lamb * pykan's regulariser.
    loss_fn: 'xent' (cross-entropy, y (rows,) classes) | 'mse' (mean squared error, y (rows, n_out); pykan
    fit's default loss). engine: 'fast' (= 'auto' for silu KANs): numpy kernel (analytic gradient,
    regulariser included) with :class:`LeanLBFGS` or the kernel's Adam; 'torch': autograd through the model +
    pykan's own LBFGS / torch Adam (the reference the fast engine is tested against).
    """
    if loss_fn not in ("xent", "mse"):
        raise ValueError(f"loss_fn must be 'xent' or 'mse', got {loss_fn!r}")
    if engine not in ("auto", "fast", "torch"):
        raise ValueError(f"engine must be 'auto', 'fast' or 'torch', got {engine!r}")
    if engine == "auto":
        engine = "fast" if model.base_fun == "silu" else "torch"
    n = len(X)
    full = cfg.batch == -1 or cfg.batch > n
    bs, bs_test = (n, n_test) if full else (cfg.batch, cfg.batch)
    freq = int(cfg.stop_grid_update_step / cfg.grid_update_num)
    grid_steps = (grid_update_steps(cfg.steps, freq, cfg.stop_grid_update_step, cfg.start_grid_update_step)
                  if cfg.update_grid else [])
    with single_threaded():
        fit = (KernelFit if engine == "fast" else TorchFit)(model, X, y, cfg, loss_fn, grid_steps, bs)
        for step in range(cfg.steps):
            train_id = rs.choice(n, bs, replace=False)
            rs.choice(n_test, bs_test, replace=False)  # pykan draws a test batch every step: keep the stream
            if step in grid_steps:
                fit.update_grid(step, X[train_id])
            fit.step(train_id)
        fit.finish()


class KernelFit:
    """:func:`fit_like_pykan`'s numpy back-end: the kernel's loss (+ lamb * pykan's regulariser) and analytic
    gradient, optimised by :class:`LeanLBFGS` (pykan's LBFGS) or the kernel's Adam on the flat parameters."""

    def __init__(self, model: KAN, X: torch.Tensor, y: torch.Tensor, cfg: PykanTutorialConfig, loss_fn: str,
                 grid_steps: list[int], batch: int):
        self.kern, self.cfg, self.loss_fn = KANKernel(model), cfg, loss_fn
        self.y = y.numpy()
        self.reg = Reg(cfg.lamb, cfg.lamb_l1, cfg.lamb_entropy, cfg.lamb_coef, cfg.lamb_coefdiff)
        self.batches = BatchInputs(self.kern, X.numpy(), grid_steps, cfg.steps, batch)
        self.batches.regrid(-1)
        self.opt = (LeanLBFGS(self.kern.theta, lr=cfg.lr, **LBFGS_ARGS) if cfg.opt == "LBFGS"
                    else Adam(self.kern.theta.shape, self.kern.dtype, lr=cfg.lr))

    def update_grid(self, step: int, rows: torch.Tensor) -> None:
        self.kern.update_grid(rows)
        self.batches.regrid(step)

    def step(self, train_id: np.ndarray) -> None:
        batch, y = self.batches.batch(train_id), self.y[train_id]

        def fg():
            return self.kern.loss_grad(None, y, batch, self.reg, self.loss_fn), self.kern.grad.copy()

        if self.cfg.opt == "LBFGS":
            self.opt.step(fg)
        else:
            fg()
            self.opt.step(self.kern.theta, self.kern.grad)

    def finish(self) -> None:
        self.kern.write_back()


class TorchFit:
    """:func:`fit_like_pykan`'s torch back-end, the reference the kernel is tested against: autograd through
    the model (:meth:`KAN.forward_reg` for the regulariser), pykan's own LBFGS or torch's Adam."""

    def __init__(self, model: KAN, X: torch.Tensor, y: torch.Tensor, cfg: PykanTutorialConfig, loss_fn: str,
                 grid_steps: list[int], batch: int):
        self.model, self.X, self.y, self.cfg = model, X, y, cfg
        self.loss = F.cross_entropy if loss_fn == "xent" else F.mse_loss
        # LBFGS flattens its parameters in this order (every layer's coef, then scale_base, then scale_sp, as
        # before the layers owned them), which fixes the summation order of its dot products
        params = [getattr(layer, name) for name in ("coef", "scale_base", "scale_sp") for layer in model.layers]
        self.opt = _pykan_optimizer(params, cfg)
        self._refresh_basis()

    def _refresh_basis(self) -> None:  # layer-0 basis of every training row under the current grid
        with torch.no_grad():
            self.basis = self.model.input_basis(self.X)

    def update_grid(self, step: int, rows: torch.Tensor) -> None:
        self.model.update_grid_from_samples(rows)
        self._refresh_basis()

    def _objective(self, idx: np.ndarray) -> torch.Tensor:
        cfg, model = self.cfg, self.model
        self.opt.zero_grad()
        basis = self.basis[idx]
        if cfg.lamb > 0:
            out, r = model.forward_reg(self.X[idx], cfg.lamb_l1, cfg.lamb_entropy, cfg.lamb_coef, cfg.lamb_coefdiff,
                                       basis)
            loss = self.loss(out, self.y[idx]) + cfg.lamb * r
        else:
            loss = self.loss(model(self.X[idx], basis), self.y[idx])
        loss.backward()
        return loss

    def step(self, train_id: np.ndarray) -> None:
        if self.cfg.opt == "LBFGS":
            self.opt.step(lambda: self._objective(train_id))
        else:
            self._objective(train_id)
            self.opt.step()

    def finish(self) -> None:
        pass

"""Table 4's regression KANs, retrained on our splits: does a KAN of each shape reach its formula's accuracy?

The KAN paper (Sec. 4.3) turns signature prediction into regression, trains KANs of shapes [3,1], [3,1,1]
and [3,2,1] on (mu_r, mu_i, lambda) and reads formulas B, C, D off them; F divides two [3,1] KANs and ends up
using mu_r and lambda only. It states no optimiser, steps, split or readout. We train our pykan-exact KAN
on the raw inputs (the printed formulas are in raw variables) with pykan's ``fit`` defaults through
:func:`kanrepro.train.pykan_protocol.fit_like_pykan`: full-batch LBFGS (pykan's: strong Wolfe, history 10), grid
updated from the training rows every 5 steps until step 50, mean squared error on the signature, no
regulariser. The KAN's output is then scored like a formula, with
the calibrated readout of :mod:`kanrepro.experiment.formulas` (a least-squares line on the training split, nearest
even value). F is not retrained: "two KANs, one for the numerator and one for the denominator, divided
manually" does not say how they were fitted, and one additive [2,1] KAN cannot form the ratio.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from kanrepro.experiment.formulas import TARGET, Calibration
from kanrepro.experiment.table4 import TABLE4_INPUTS
from kanrepro.nn.models import KAN
from kanrepro.train.pykan_protocol import PykanTutorialConfig, fit_like_pykan

# formula id -> (KAN width, input columns)
SHAPES: dict[str, tuple[list[int], list[str]]] = {
    "B": ([3, 1], TABLE4_INPUTS), "C": ([3, 1, 1], TABLE4_INPUTS), "D": ([3, 2, 1], TABLE4_INPUTS),
}


@dataclass(frozen=True)
class RegressionConfig:
    grid: int = 5  # grid intervals G (pykan's default)
    k: int = 3  # spline order
    steps: int = 50  # LBFGS steps, full batch (allowed: >= 1)
    grid_update_num: int = 10  # grid updates from the training rows, evenly spaced ...
    stop_grid_update_step: int = 50  # ... before this step (pykan fit's defaults: every 5 steps until 50)

    def as_pykan_fit(self, hidden: tuple[int, ...]) -> PykanTutorialConfig:
        """pykan ``fit``'s defaults with these values: full-batch LBFGS, no regulariser."""
        return PykanTutorialConfig(hidden=hidden, grid=self.grid, k=self.k, opt="LBFGS", steps=self.steps, lamb=0.0,
                                   batch=-1, grid_update_num=self.grid_update_num,
                                   stop_grid_update_step=self.stop_grid_update_step)


def _tensor(frame: pd.DataFrame, columns: list[str]) -> torch.Tensor:
    return torch.tensor(frame[columns].to_numpy(np.float64))


def fit_regression_kan(train: pd.DataFrame, width: list[int], columns: list[str], seed: int,
                       cfg: RegressionConfig = RegressionConfig(), engine: str = "fast") -> KAN:
    """A KAN of ``width`` regressing the signature on ``columns`` of ``train`` (rows, ...), float64.

    Trained by :func:`kanrepro.train.pykan_protocol.fit_like_pykan` with the MSE loss. engine 'fast': our numpy
    kernel + LeanLBFGS (pykan's LBFGS); 'torch': autograd + pykan's own LBFGS (the reference).
    """
    if width[0] != len(columns) or width[-1] != 1:
        raise ValueError(f"width must start with len(columns) = {len(columns)} and end with 1, got {width}")
    if engine not in ("fast", "torch"):
        raise ValueError(f"engine must be 'fast' or 'torch', got {engine!r}")
    X, y = _tensor(train, columns), torch.tensor(train[TARGET].to_numpy(np.float64))[:, None]
    model = KAN(width, grid=cfg.grid, k=cfg.k, seed=seed, dtype=torch.float64)
    fit_like_pykan(model, X, y, len(X), cfg.as_pykan_fit(tuple(width[1:-1])), np.random.RandomState(seed), engine,
                   loss_fn="mse")
    return model


@torch.no_grad()
def kan_values(model: KAN, frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The KAN's output per row of ``frame``: (rows,)."""
    return model(_tensor(frame, columns))[:, 0].numpy()


def score_regression_kan(name: str, train: pd.DataFrame, test: pd.DataFrame, seed: int,
                         cfg: RegressionConfig = RegressionConfig()) -> dict[str, float]:
    """Train the KAN behind formula ``name`` (one of SHAPES) on ``train``; its test accuracy and r^2."""
    if name not in SHAPES:
        raise ValueError(f"name must be one of {sorted(SHAPES)}, got {name!r}")
    width, columns = SHAPES[name]
    model = fit_regression_kan(train, width, columns, seed, cfg)
    f_train, f_test = kan_values(model, train, columns), kan_values(model, test, columns)
    sig_train, sig_test = train[TARGET].to_numpy(), test[TARGET].to_numpy()
    if not (np.isfinite(f_train).all() and np.isfinite(f_test).all()):
        return {"test_acc": float("nan"), "test_r2": float("nan")}
    predicted = Calibration.fit(f_train, sig_train).predict(f_test)
    return {"test_acc": float(np.mean(predicted == sig_test)),
            "test_r2": float(np.corrcoef(f_test, sig_test)[0, 1] ** 2)}

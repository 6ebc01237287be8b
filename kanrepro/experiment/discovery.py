"""Automated formula discovery, rerun with pykan's own tools (KAN paper Sec. 4.3, Table 4 B-D).

The paper: "Using auto-symbolic regression introduced in Section 2.5.1, we can convert a trained KAN into
symbolic formulas. We train KANs with shapes [3, 1], [3, 1, 1], [3, 2, 1], whose corresponding symbolic
formulas are displayed in Table 4 B-D." It states no grid, steps, library or readout. Per seed we run the
procedure its Appendix A names, with pykan 0.2.8 itself and its defaults where the paper is silent:

1. A KAN(width, grid=5, k=3, seed) regresses the signature on raw (mu_r, mu_i, lambda) of ``train_rows``
   seeded training rows with ``fit``'s defaults (full-batch LBFGS, mean squared error, grid updates until
   step 50, no regulariser), trained by our pykan-exact KAN (:mod:`kanrepro.experiment.regression_kans`, parity-tested
   against pykan's fit; pykan itself takes ~1.4 s per full-batch step on 24,000 rows here) and handed to
   pykan (:meth:`kanrepro.nn.models.KAN.to_pykan`). The knot section never mentions pruning: nothing is pruned.
2. pykan's ``auto_symbolic()`` with its default library (32 functions) replaces every edge by its best
   suggestion under a selection rule (:data:`RULES`), fitted on the activations of ``symbolic_rows`` seeded
   training rows (pykan grid-searches 101 x 101 (a, b) per function and row, so each row costs; a 1-D
   curve drawn by a G=5 spline is pinned down by a few dozen points).
3. pykan's ``fit`` again (``refit_steps``, batches of ``refit_batch``, no grid update) tunes the affine
   constants ("further training", Sec. 2.5.1); ``symbolic_formula()`` gives the formula, 4 digits.

The formula is scored like Table 4's printed ones (:class:`kanrepro.experiment.formulas.Calibration`, fitted on the
whole training split; rows where it is not finite count as wrong) and tested for being the natural slope up to
constants (:func:`is_natural_slope`).
"""
from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sympy
import torch

from kanrepro.experiment.formulas import TARGET, Calibration
from kanrepro.experiment.regression_kans import (
    RegressionConfig,
    fit_regression_kan,
    kan_values,
)
from kanrepro.experiment.table4 import TABLE4_INPUTS, natural_slope
from kanrepro.nn.models import KAN
from kanrepro.train.engine import single_threaded
from kanrepro.train.pykan_protocol import quiet_pykan

SHAPES = {"B": [3, 1], "C": [3, 1, 1], "D": [3, 2, 1]}  # Table 4 row -> KAN width, inputs TABLE4_INPUTS
# how auto_symbolic picks each edge's function: pykan 0.2.8's default trades simplicity against r^2
# (weight_simple 0.8); pykan 0.0.x, current when the paper appeared, took the top r^2 (weight_simple 0)
RULES = {"pykan default": 0.8, "top r2": 0.0}
SYMBOLS = sympy.symbols("μ_r μ_i λ", real=True)  # in TABLE4_INPUTS's order (Python identifiers, so text parses back)
SLOPE_CORRELATION = 0.99  # |Pearson r| with the natural slope on the test rows above this: "the slope"


@dataclass(frozen=True)
class DiscoveryConfig:
    grid: int = 5  # grid intervals G (pykan's default; the paper gives none for Table 4)
    k: int = 3  # spline order
    steps: int = 50  # LBFGS steps before auto_symbolic (fit's default is 100; 50 as regression_kans)
    refit_steps: int = 10  # pykan LBFGS steps after auto_symbolic, tuning the symbolic constants
    refit_batch: int = 1024  # rows per refit step (pykan's knot tutorial batch)
    symbolic_rows: int = 64  # seeded training rows whose activations auto_symbolic fits
    train_rows: int = 4096  # seeded training rows the KAN is fitted on, full batch (0: all; pykan's examples use 1,000)
    rules: tuple[str, ...] = tuple(RULES)  # selection rules to run (names of RULES)


@dataclass(frozen=True)
class Discovery:
    """What one seed's automation produced."""

    shape: str  # Table 4 row, e.g. 'C'
    seed: int
    rule: str  # name in RULES
    formula: str  # sympy text in μ_r, μ_i, λ (parse_formula reads it back)
    test_acc: float  # calibrated readout, non-finite rows wrong
    nonfinite_share: float  # share of test rows where the formula is not finite
    slope_correlation: float  # |Pearson r| with the natural slope on the finite test rows (nan if undefined)
    is_natural_slope: bool
    variables: str  # the inputs the formula uses, e.g. 'λ, μ_r'
    refit_diverged: bool  # the refit made the formula non-finite on training rows; formula is from before it


def is_natural_slope(values: np.ndarray, frame: pd.DataFrame, threshold: float = SLOPE_CORRELATION
                     ) -> tuple[bool, float]:
    """Is ``values`` (rows,) the natural slope of ``frame``'s rows up to constants? (decision, |r|).

    Any a * slope + b has |r| = 1; a formula that differs in form (another variable, a missing one) falls
    short on real knots. Non-finite values are not the slope.
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values) != len(frame):
        raise ValueError(f"values has {len(values)} rows, frame {len(frame)}")
    if not np.isfinite(values).all() or np.std(values) == 0:
        return False, float("nan")
    r = abs(float(np.corrcoef(values, natural_slope(frame))[0, 1]))
    return r > threshold, r


def parse_formula(text: str) -> sympy.Expr:
    """A formula's text (as :class:`Discovery` stores it) back as an expression in :data:`SYMBOLS`."""
    return sympy.sympify(text, locals={str(s): s for s in SYMBOLS})


def formula_values(expression: sympy.Expr, frame: pd.DataFrame) -> np.ndarray:
    """The formula's value per row of ``frame`` (rows,), float64; inf/nan where it is undefined."""
    function = sympy.lambdify(SYMBOLS, expression, modules="numpy")
    with np.errstate(all="ignore"):
        values = function(*(frame[c].to_numpy(np.float64) for c in TABLE4_INPUTS))
    return np.broadcast_to(np.asarray(values, dtype=np.float64), (len(frame),)).copy()


def score_values(f_train: np.ndarray, f_test: np.ndarray, train: pd.DataFrame, test: pd.DataFrame) -> float:
    """Calibrated test accuracy of a formula's values; rows where it is not finite count as wrong."""
    finite_train = np.isfinite(f_train)
    if not finite_train.any():
        return 0.0
    calibration = Calibration.fit(f_train[finite_train], train[TARGET].to_numpy()[finite_train])
    finite = np.isfinite(f_test)
    predicted = calibration.predict(np.where(finite, f_test, 0.0))
    return float(np.mean((predicted == test[TARGET].to_numpy()) & finite))


def _pykan_dataset(train: pd.DataFrame, test: pd.DataFrame) -> dict[str, torch.Tensor]:
    def tensors(frame: pd.DataFrame) -> tuple[torch.Tensor, torch.Tensor]:
        return (torch.tensor(frame[TABLE4_INPUTS].to_numpy(np.float32)),
                torch.tensor(frame[TARGET].to_numpy(np.float32))[:, None])

    (x, y), (xt, yt) = tensors(train), tensors(test)
    return {"train_input": x, "train_label": y, "test_input": xt, "test_label": yt}


def _formula(theirs) -> sympy.Expr:
    """pykan's symbolic formula of its first output, in :data:`SYMBOLS`, rounded to 4 digits."""
    from kan.utils import ex_round

    inputs = sympy.symbols(f"x_1:{len(TABLE4_INPUTS) + 1}")
    with warnings.catch_warnings():  # pykan hands sympy its (requires_grad) constants
        warnings.simplefilter("ignore", UserWarning)
        formula = theirs.symbolic_formula()[0][0]
    expression = sympy.sympify(formula).subs(dict(zip(inputs, SYMBOLS, strict=True)), simultaneous=True)
    return ex_round(expression, 4)


@contextlib.contextmanager
def shared_symbolic_fits():
    """Within the block, pykan's ``fit_params`` (its grid search of c*f(a*x+b)+d for one edge and one library
    function) runs once per distinct input and is answered from memory after. auto_symbolic fits every
    function to an edge, then fits the chosen one again, and each selection rule repeats it all on the same
    activations; the search is deterministic, so the answers are the ones it would recompute."""
    import importlib

    layer_module = importlib.import_module("kan.Symbolic_KANLayer")  # the module (kan's namespace has the class)
    original, memo = layer_module.fit_params, {}

    def remembered(x, y, fun, **options):
        key = (x.detach().numpy().tobytes(), y.detach().numpy().tobytes(), x.shape, fun, repr(sorted(options.items())))
        if key not in memo:
            memo[key] = original(x, y, fun, **options)
        params, r2 = memo[key]
        return params.clone(), r2.clone()

    layer_module.fit_params = remembered
    try:
        yield
    finally:
        layer_module.fit_params = original


def symbolic_formula(model: KAN, train: pd.DataFrame, test: pd.DataFrame, weight_simple: float, seed: int,
                     cfg: DiscoveryConfig = DiscoveryConfig()) -> tuple[sympy.Expr, bool]:
    """Steps 2-3 of the module docstring on a copy of ``model`` in pykan 0.2.8: (formula in :data:`SYMBOLS`,
    whether the refit diverged). A refit whose formula is not finite on every training row (pykan's LBFGS
    meets arcsin or 1/x outside their domain) is dropped and the formula before it returned.

    ``test`` is pykan's 'test' set (fit only reports its loss). pykan's printing is silenced.
    """
    dataset = _pykan_dataset(train, test)
    rows = np.random.RandomState(seed).choice(len(train), min(cfg.symbolic_rows, len(train)), replace=False)
    with quiet_pykan(seed):
        theirs = model.to_pykan()
        theirs(dataset["train_input"][rows])  # the activations auto_symbolic fits
        theirs.auto_symbolic(weight_simple=weight_simple, verbose=0)
        expression = _formula(theirs)
        if not cfg.refit_steps:
            return expression, False
        theirs.fit(dataset, opt="LBFGS", steps=cfg.refit_steps, update_grid=False, batch=cfg.refit_batch)
        refitted = _formula(theirs)
    if np.isfinite(formula_values(refitted, train)).all():
        return refitted, False
    return expression, True


def discover(shape: str, train: pd.DataFrame, test: pd.DataFrame, seed: int,
             cfg: DiscoveryConfig = DiscoveryConfig()) -> tuple[dict[str, float], list[Discovery]]:
    """One seed of the automation for Table 4 row ``shape`` (one of :data:`SHAPES`), scored on ``test``.

    Returns the trained KAN's own scores ({'test_acc', 'test_r2'}, before any symbolic step) and one
    :class:`Discovery` per selection rule of ``cfg.rules``.
    """
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {sorted(SHAPES)}, got {shape!r}")
    if unknown := [rule for rule in cfg.rules if rule not in RULES]:
        raise ValueError(f"rules must be names from {sorted(RULES)}, got {unknown}")
    fit_rows = train
    if 0 < cfg.train_rows < len(train):  # the cost stays fixed as the dataset grows
        fit_rows = train.iloc[np.sort(np.random.RandomState(seed).choice(len(train), cfg.train_rows, replace=False))]
    with single_threaded():
        model = fit_regression_kan(fit_rows, SHAPES[shape], TABLE4_INPUTS, seed, RegressionConfig(
            grid=cfg.grid, k=cfg.k, steps=cfg.steps))
    k_train, k_test = kan_values(model, train, TABLE4_INPUTS), kan_values(model, test, TABLE4_INPUTS)
    kan_scores = {"test_acc": score_values(k_train, k_test, train, test),
                  "test_r2": float(np.corrcoef(k_test, test[TARGET])[0, 1] ** 2) if np.isfinite(k_test).all()
                  else float("nan")}
    found = []
    with shared_symbolic_fits():
        formulas = {rule: symbolic_formula(model, fit_rows, test, RULES[rule], seed, cfg) for rule in cfg.rules}
    for rule, (expression, diverged) in formulas.items():
        f_train, f_test = formula_values(expression, train), formula_values(expression, test)
        finite = np.isfinite(f_test)
        slope, correlation = is_natural_slope(f_test[finite], test[finite]) if finite.sum() > 2 else (False, np.nan)
        found.append(Discovery(shape, seed, rule, str(expression), score_values(f_train, f_test, train, test),
                               float(1 - finite.mean()), correlation, bool(slope and finite.all()),
                               ", ".join(sorted(str(s) for s in expression.free_symbols)), diverged))
    return kan_scores, found

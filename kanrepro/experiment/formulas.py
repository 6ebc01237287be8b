"""Table 4's closed-form signature formulas (:mod:`kanrepro.experiment.table4`), scored on a split.

A formula gives a real number f per knot; turning it into a predicted (even) signature needs a rule, and the
KAN paper does not say which it used. We score each formula under two rules, both stated in the report:

- ``fixed``: CompactNet's "direct calculate" rule for the natural slope, sigma = clip(2 * round(f / 4))
  (the slope is about 2 * sigma; numpy's round, half to even), clipped to the training split's range.
  Only for formulas on the slope's scale (A, E): B-F's values stay within +-2, where it predicts 0 always.
- ``calibrated``: the least-squares line sigma ~ a * f + b fitted on the training split, then the nearest
  even value, clipped to the training range. It gives any formula its best linear readout.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kanrepro.experiment import table4
from kanrepro.experiment.table4 import LAMBDA, MU_IMAG, MU_REAL, natural_slope
from kanrepro.knots.dataset import TARGET

__all__ = ["FORMULAS", "LAMBDA", "MU_IMAG", "MU_REAL", "RULES", "Calibration", "natural_slope", "predict_fixed",
           "rules_for", "score_formula"]

FORMULAS = table4.TABLE4_FORMULAS  # name -> frame -> (rows,)
RULES = ("fixed", "calibrated")


def rules_for(name: str) -> tuple[str, ...]:
    """The rules that make sense for formula ``name``: both for slope-scale formulas, else 'calibrated'."""
    return RULES if name in table4.SLOPE_SCALE else ("calibrated",)


def _clip_even(values: np.ndarray, low: int, high: int) -> np.ndarray:
    return np.clip(values, low, high).astype(int)


def predict_fixed(f: np.ndarray, train_signatures: np.ndarray) -> np.ndarray:
    """CompactNet's rule: 2 * round(f / 4), clipped to [min, max] of the training signatures."""
    return _clip_even(2 * np.round(f / 4), int(train_signatures.min()), int(train_signatures.max()))


@dataclass(frozen=True)
class Calibration:
    """sigma ~ slope * f + intercept, fitted on the training split; predictions snap to even values."""

    slope: float
    intercept: float
    low: int
    high: int

    @classmethod
    def fit(cls, f: np.ndarray, signatures: np.ndarray) -> Calibration:
        if np.ptp(f) == 0:  # a constant formula: the least-squares line is flat at the mean
            return cls(0.0, float(np.mean(signatures)), int(signatures.min()), int(signatures.max()))
        slope, intercept = np.polyfit(f, signatures.astype(float), deg=1)
        return cls(float(slope), float(intercept), int(signatures.min()), int(signatures.max()))

    def predict(self, f: np.ndarray) -> np.ndarray:
        return _clip_even(2 * np.round((self.slope * f + self.intercept) / 2), self.low, self.high)


def score_formula(name: str, train: pd.DataFrame, test: pd.DataFrame, rule: str) -> float:
    """Test accuracy of formula ``name`` (one of FORMULAS) under ``rule`` (one of RULES)."""
    if name not in FORMULAS:
        raise ValueError(f"formula must be one of {sorted(FORMULAS)}, got {name!r}")
    if rule not in rules_for(name):
        raise ValueError(f"rule for formula {name} must be one of {rules_for(name)}, got {rule!r}")
    formula, train_sig = FORMULAS[name], train[TARGET].to_numpy()
    if rule == "fixed":
        predicted = predict_fixed(formula(test), train_sig)
    else:
        predicted = Calibration.fit(formula(train), train_sig).predict(formula(test))
    return float(np.mean(predicted == test[TARGET].to_numpy()))

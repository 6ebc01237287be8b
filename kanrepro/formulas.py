"""Closed-form signature formulas (KAN paper Table 4, DeepMind's natural slope), scored on a split.

A formula gives a real number f per knot; turning it into a predicted (even) signature needs a rule, and the
KAN paper does not say which it used. We score each formula under two rules, both stated in the report:

- ``fixed``: CompactNet's "direct calculate" rule for the natural slope, sigma = clip(2 * round(f / 4))
  (the slope is about 2 * sigma; numpy's round, half to even), clipped to the training split's range.
- ``calibrated``: the least-squares line sigma ~ a * f + b fitted on the training split, then the nearest
  even value, clipped to the training range. It gives any formula its best linear readout.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

LAMBDA, MU_REAL, MU_IMAG = "longitudinal_translation", "meridinal_translation_real", "meridinal_translation_imag"
TARGET = "signature"


def natural_slope(frame: pd.DataFrame) -> np.ndarray:
    """Formula A, DeepMind's natural slope Re(lambda / mu) = lambda mu_r / (mu_r^2 + mu_i^2): (rows,)."""
    lam, mu_r, mu_i = (frame[c].to_numpy(float) for c in (LAMBDA, MU_REAL, MU_IMAG))
    return lam * mu_r / (mu_r**2 + mu_i**2)


def formula_e(frame: pd.DataFrame) -> np.ndarray:
    """Formula E of the KAN paper: 4.76 lambda mu_r / (3.09 mu_i + 6.05 mu_r^2 + 3.54 mu_i^2): (rows,)."""
    lam, mu_r, mu_i = (frame[c].to_numpy(float) for c in (LAMBDA, MU_REAL, MU_IMAG))
    return 4.76 * lam * mu_r / (3.09 * mu_i + 6.05 * mu_r**2 + 3.54 * mu_i**2)


FORMULAS: dict[str, Callable[[pd.DataFrame], np.ndarray]] = {"A": natural_slope, "E": formula_e}
RULES = ("fixed", "calibrated")


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
        slope, intercept = np.polyfit(f, signatures.astype(float), deg=1)
        return cls(float(slope), float(intercept), int(signatures.min()), int(signatures.max()))

    def predict(self, f: np.ndarray) -> np.ndarray:
        return _clip_even(2 * np.round((self.slope * f + self.intercept) / 2), self.low, self.high)


def score_formula(name: str, train: pd.DataFrame, test: pd.DataFrame, rule: str) -> float:
    """Test accuracy of formula ``name`` (one of FORMULAS) under ``rule`` (one of RULES)."""
    if name not in FORMULAS:
        raise ValueError(f"formula must be one of {sorted(FORMULAS)}, got {name!r}")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    formula, train_sig = FORMULAS[name], train[TARGET].to_numpy()
    if rule == "fixed":
        predicted = predict_fixed(formula(test), train_sig)
    else:
        predicted = Calibration.fit(formula(train), train_sig).predict(formula(test))
    return float(np.mean(predicted == test[TARGET].to_numpy()))

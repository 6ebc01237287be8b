"""Formula scoring: the fixed slope rule and the calibrated readout, on frames where the truth is known."""
import numpy as np
import pandas as pd
import pytest

from kanrepro.experiment import formulas


def _frame(signatures, rng):
    """Knots whose natural slope is exactly 2 * signature (mu_r = 1, mu_i = 0 -> slope = lambda)."""
    signatures = np.asarray(signatures)
    mu_i = rng.uniform(0.5, 1.5, len(signatures))
    mu_r = rng.uniform(-0.5, 0.5, len(signatures))
    lam = 2 * signatures * (mu_r**2 + mu_i**2) / np.where(mu_r == 0, 1e-9, mu_r)
    return pd.DataFrame({formulas.LAMBDA: lam, formulas.MU_REAL: mu_r, formulas.MU_IMAG: mu_i,
                         formulas.TARGET: signatures})


def test_fixed_rule_is_exact_when_slope_is_twice_the_signature():
    rng = np.random.default_rng(0)
    train = _frame(rng.choice([-4, -2, 0, 2, 4], 300), rng)
    test = _frame(rng.choice([-4, -2, 0, 2, 4, 6], 100), rng)  # 6 is outside the training range: clipped
    assert np.allclose(formulas.natural_slope(test), 2 * test[formulas.TARGET])
    expected = np.mean(test[formulas.TARGET] <= 4)
    assert formulas.score_formula("A", train, test, "fixed") == pytest.approx(expected)


def test_fixed_rule_rounds_half_to_even_like_numpy():
    # slope/4 = 0.5 -> round to 0 (numpy), 1.5 -> 2: predicted signatures 0 and 4
    assert list(formulas.predict_fixed(np.array([2.0, 6.0]), np.array([-10, 10]))) == [0, 4]


def test_calibrated_readout_recovers_a_scaled_formula():
    rng = np.random.default_rng(1)
    train = _frame(rng.choice([-4, -2, 0, 2], 400), rng)
    calibration = formulas.Calibration.fit(3 * formulas.natural_slope(train) + 1, train[formulas.TARGET].to_numpy())
    assert calibration.slope == pytest.approx(1 / 6) and calibration.intercept == pytest.approx(-1 / 6)
    assert formulas.score_formula("A", train, train, "calibrated") == 1.0


def test_bad_names_are_named():
    frame = _frame([0, 2], np.random.default_rng(2))
    with pytest.raises(ValueError, match="formula must be one of"):
        formulas.score_formula("Z", frame, frame, "fixed")
    with pytest.raises(ValueError, match="rule for formula A must be one of"):
        formulas.score_formula("A", frame, frame, "best")
    with pytest.raises(ValueError, match=r"rule for formula D must be one of \('calibrated',\)"):
        formulas.score_formula("D", frame, frame, "fixed")  # D is not on the slope's scale


def test_every_table4_formula_scores_on_a_split():
    frame = _frame([-4, -2, 0, 2, 4], np.random.default_rng(3))
    for name in formulas.FORMULAS:
        for rule in formulas.rules_for(name):
            assert 0.0 <= formulas.score_formula(name, frame, frame, rule) <= 1.0

"""Formula discovery (notebook 09): the natural-slope test against Table 4's own r^2 column, and pykan's
auto_symbolic run end to end."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kanrepro.experiment import discovery as D
from kanrepro.experiment import table4
from kanrepro.knots.prep import deepmind_split

SAMPLE = Path(__file__).parent / "data" / "knots_sample.csv"


@pytest.fixture(scope="module")
def knots() -> pd.DataFrame:
    return pd.read_csv(SAMPLE)


def test_the_slope_with_fitted_constants_is_the_slope(knots):
    slope = table4.natural_slope(knots)
    assert D.is_natural_slope(2.3 * slope + 0.7, knots)[0]
    assert D.is_natural_slope(-0.1 * slope, knots)[0]  # |r|: the sign is a constant too


def test_other_formulas_are_not_the_slope(knots):
    lam, mu_r = knots[table4.LAMBDA].to_numpy(), knots[table4.MU_REAL].to_numpy()
    assert not D.is_natural_slope(lam * mu_r, knots)[0]  # the cusp volume, not the slope
    assert not D.is_natural_slope(np.where(np.arange(len(knots)) == 0, np.nan, table4.natural_slope(knots)), knots)[0]
    assert not D.is_natural_slope(np.ones(len(knots)), knots)[0]


@pytest.mark.parametrize("name,expected", [("A", True), ("E", True), ("B", False), ("C", False)])
def test_the_decision_agrees_with_table4s_printed_r2(knots, name, expected):
    """Table 4 prints r^2 with formula A: E 0.997 (Pade, 'not too dissimilar from A'), C 0.934, B 0.897."""
    decision, r = D.is_natural_slope(table4.TABLE4_FORMULAS[name](knots), knots)
    assert decision is expected
    assert r**2 == pytest.approx(table4.PRINTED[name][2], abs=0.03)


def test_formula_text_round_trips_and_evaluates(knots):
    mu_r, mu_i, lam = D.SYMBOLS
    text = str(lam * mu_r / (mu_r**2 + mu_i**2))
    values = D.formula_values(D.parse_formula(text), knots)
    np.testing.assert_allclose(values, table4.natural_slope(knots), rtol=1e-12)
    assert D.formula_values(D.parse_formula("0.5"), knots).shape == (len(knots),)


def test_undefined_rows_count_as_wrong(knots):
    train, test = knots.iloc[:300], knots.iloc[300:]
    f_train, f_test = table4.natural_slope(train), table4.natural_slope(test)
    full = D.score_values(f_train, f_test, train, test)
    holes = f_test.copy()
    holes[: len(holes) // 2] = np.nan
    assert D.score_values(f_train, holes, train, test) <= full - 0.3
    constant = D.score_values(np.zeros(len(train)), np.zeros(len(test)), train, test)
    assert 0 < constant < 0.6  # a flat line predicts the mean signature everywhere


def test_discover_runs_pykans_tools_and_is_seeded(knots):
    train, _, test = deepmind_split(knots, 2)
    cfg = D.DiscoveryConfig(steps=3, refit_steps=2, symbolic_rows=16)
    kan, found = D.discover("C", train, test, seed=0, cfg=cfg)
    assert 0 <= kan["test_acc"] <= 1 and [f.rule for f in found] == list(D.RULES)
    for f in found:
        assert f.shape == "C" and 0 <= f.test_acc <= 1 and 0 <= f.nonfinite_share <= 1
        assert set(f.variables.split(", ")) <= {"λ", "μ_r", "μ_i", ""}
        D.parse_formula(f.formula)  # the stored text parses back
    assert D.discover("C", train, test, seed=0, cfg=cfg)[1] == found
    with pytest.raises(ValueError, match="shape must be one of"):
        D.discover("F", train, test, seed=0, cfg=cfg)
    with pytest.raises(ValueError, match="rules must be names from"):
        D.discover("C", train, test, seed=0, cfg=D.DiscoveryConfig(steps=1, rules=("best",)))

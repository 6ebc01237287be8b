import numpy as np

from kanrepro.experiment.stats import (
    bootstrap_ci,
    pareto_front,
    spread,
    std_ratio_ci,
    summarise,
)


def test_bootstrap_is_seeded_and_covers_mean():
    x = np.random.default_rng(1).normal(0.8, 0.02, size=20)
    a, b = bootstrap_ci(x, seed=3), bootstrap_ci(x, seed=3)
    assert a == b and a[0] < x.mean() < a[1]
    assert bootstrap_ci(x, seed=4) != a
    s = summarise(x)
    assert s["n"] == 20 and s["ci_low"] < s["mean"] < s["ci_high"]


def test_degenerate_inputs():
    assert bootstrap_ci([0.5]) == (0.5, 0.5)
    assert summarise([0.7])["std"] == 0.0


def test_pareto_front():
    costs = [122, 190214, 84, 554, 200, 122]
    scores = [0.80, 0.78, 0.79, 0.84, 0.79, 0.81]
    assert pareto_front(costs, scores) == [2, 5, 3]


def test_spread_by_hand():
    s = spread([0.70, 0.80, 0.75, 0.55], threshold=0.72)
    assert s["n"] == 4 and np.isclose(s["range"], 0.25) and s["share_below"] == 0.5
    assert np.isclose(s["std"], np.std([0.70, 0.80, 0.75, 0.55], ddof=1))


def test_std_ratio_ci_matches_scipy_and_covers_truth():
    from scipy.stats import bootstrap

    rng = np.random.default_rng(7)
    a, b = rng.normal(0.7, 0.06, size=40), rng.normal(0.8, 0.02, size=40)  # true ratio 3
    ratio, low, high = std_ratio_ci(a, b, n_boot=20_000, seed=1)
    assert low < 3.0 < high and low < ratio < high
    ref = bootstrap((a, b), lambda x, y, axis=-1: np.std(x, ddof=1, axis=axis) / np.std(y, ddof=1, axis=axis),
                    method="percentile", n_resamples=20_000, random_state=2).confidence_interval
    # two independent Monte Carlo estimates of the same interval: endpoints agree to a few percent
    assert abs(low - ref.low) / ref.low < 0.05 and abs(high - ref.high) / ref.high < 0.05
    assert std_ratio_ci(a, b, n_boot=2_000, seed=1) == std_ratio_ci(a, b, n_boot=2_000, seed=1)


def test_std_ratio_ci_rejects_single_runs():
    import pytest

    with pytest.raises(ValueError, match="at least 2 runs"):
        std_ratio_ci([0.8], [0.7, 0.9])

import numpy as np

from kanrepro.stats import bootstrap_ci, pareto_front, summarise


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

"""Summaries of many runs: mean with a seeded 95% bootstrap CI, spread and a CI on a ratio of spreads, and the
Pareto front (params vs accuracy)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def bootstrap_ci(values: Sequence[float], level: float = 0.95, n_boot: int = 10_000,
                 seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean; seeded, so the same values give the same interval."""
    x = np.asarray(values, dtype=np.float64)
    if len(x) == 0:
        return float("nan"), float("nan")
    if len(x) == 1:
        return float(x[0]), float(x[0])
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    alpha = (1 - level) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def summarise(values: Sequence[float], level: float = 0.95, n_boot: int = 10_000, seed: int = 0) -> dict[str, float]:
    """{'n', 'mean', 'std', 'min', 'max', 'ci_low', 'ci_high'} of a set of per-seed numbers."""
    x = np.asarray(values, dtype=np.float64)
    lo, hi = bootstrap_ci(x, level, n_boot, seed)
    return {"n": len(x), "mean": float(x.mean()) if len(x) else float("nan"),
            "std": float(x.std(ddof=1)) if len(x) > 1 else 0.0,
            "min": float(x.min()) if len(x) else float("nan"), "max": float(x.max()) if len(x) else float("nan"),
            "ci_low": lo, "ci_high": hi}


def spread(values: Sequence[float], threshold: float) -> dict[str, float]:
    """How much per-seed results (runs,) vary: {'n', 'std' (ddof 1), 'range' (best - worst), 'share_below'
    (share of runs below ``threshold``)}."""
    x = np.asarray(values, dtype=np.float64)
    if len(x) < 2:
        raise ValueError(f"spread needs at least 2 runs, got {len(x)}")
    return {"n": len(x), "std": float(x.std(ddof=1)), "range": float(x.max() - x.min()),
            "share_below": float(np.mean(x < threshold))}


def std_ratio_ci(a: Sequence[float], b: Sequence[float], level: float = 0.95, n_boot: int = 10_000,
                 seed: int = 0) -> tuple[float, float, float]:
    """std(a) / std(b) of two independent sets of runs, with a seeded percentile bootstrap CI (each set
    resampled on its own): (ratio, low, high). Resamples where std(b) = 0 give inf."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if len(x) < 2 or len(y) < 2:
        raise ValueError(f"std_ratio_ci needs at least 2 runs on each side, got {len(x)} and {len(y)}")
    rng = np.random.default_rng(seed)
    sx = x[rng.integers(0, len(x), size=(n_boot, len(x)))].std(axis=1, ddof=1)
    sy = y[rng.integers(0, len(y), size=(n_boot, len(y)))].std(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(sy > 0, sx / np.where(sy > 0, sy, 1.0), np.inf)
    alpha = (1 - level) / 2
    ratio = float(x.std(ddof=1) / y.std(ddof=1)) if y.std() > 0 else float("inf")
    low, high = np.quantile(ratios, [alpha, 1 - alpha], method="inverted_cdf")  # no interpolation between infs
    return ratio, float(low), float(high)


def pareto_front(costs: Sequence[float], scores: Sequence[float]) -> list[int]:
    """Indices of points not dominated by another (lower-or-equal cost AND higher-or-equal score, one strictly).

    Returned sorted by cost. Typical use: costs = parameter counts, scores = mean test accuracy.
    """
    c, s = np.asarray(costs, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    order = np.lexsort((-s, c))  # by cost, ties: best score first
    front, best = [], -np.inf
    for i in order:
        if s[i] > best:
            front.append(int(i))
            best = s[i]
    return front

"""DeepMind's zeros in the two torsion columns, reproduced as a time limit with timing noise.

DeepMind's file stores 0 for the torsion degree on 4.9% of rows and for the adjoint degree on 64%, more
often the larger the knot (``deepmind-distribution.md``, table "Share of rows stored as 0, by volume"):
what a wall-clock limit on a computation whose cost grows with the knot gives. Our rule: a knot's value is
stored as 0 when ``z(knot, column) < a + b * volume``, where ``z`` is a standard normal fixed by the
knot's unoriented identity key (so a knot, its repeats and its mirror share the outcome: it models the
knot-to-knot noise in computing time) and ``(a, b)`` are fitted, per column, to that reference table
(probit least squares over its volume bins). Deterministic; the true degree is kept in extra columns
wherever it was computed, and the adjoint degree is not computed at all where the rule stores 0 (the
speed lever: it is among the costliest features of large knots).
"""
from __future__ import annotations

import functools
import hashlib
from statistics import NormalDist

import numpy as np

# deepmind-distribution.md: volume bin edges, rows per bin, share stored as 0 (15,000-row sample)
VOLUME_EDGES = [6, 8, 10, 12, 14, 16, 18, 20, 24]
BIN_VOLUME = [5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0, 22.0, 26.0]  # a volume inside each bin
BIN_ROWS = [747, 715, 2023, 2701, 2538, 2013, 1533, 1122, 1199, 409]
REFERENCE_ZERO_SHARE = {
    "hyperbolic_adjoint_torsion_degree": [0.047, 0.144, 0.308, 0.520, 0.671, 0.823, 0.936, 0.977, 0.994, 1.0],
    "hyperbolic_torsion_degree": [0.0, 0.0, 0.0, 0.001, 0.007, 0.030, 0.059, 0.110, 0.223, 0.418],
}
COLUMNS = list(REFERENCE_ZERO_SHARE)


def knot_normal(ukey: str, column: str) -> float:
    """A standard normal value fixed by the knot's unoriented key and the column."""
    digest = hashlib.sha256(f"{column}|{ukey}".encode()).digest()
    u = (int.from_bytes(digest[:8], "big") + 0.5) / 2**64
    return NormalDist().inv_cdf(u)


@functools.cache
def probit_coefficients(column: str) -> tuple[float, float]:
    """(a, b) of P(stored 0 | volume) = Phi(a + b * volume), weighted least squares on the probit scale
    of the reference bins (shares clipped to [0.002, 0.998] so 0% and 100% bins count, with bin rows as
    weights)."""
    shares = np.clip(np.asarray(REFERENCE_ZERO_SHARE[column]), 0.002, 0.998)
    target = np.array([NormalDist().inv_cdf(float(s)) for s in shares])
    design = np.column_stack([np.ones(len(BIN_VOLUME)), BIN_VOLUME])
    weights = np.sqrt(np.asarray(BIN_ROWS, dtype=float))
    coef, *_ = np.linalg.lstsq(design * weights[:, None], target * weights, rcond=None)
    return float(coef[0]), float(coef[1])


def zero_probability(column: str, volume: float) -> float:
    """P(stored 0) under the rule for a knot of this volume."""
    a, b = probit_coefficients(column)
    return NormalDist().cdf(a + b * volume)


def stored_as_zero(column: str, volume: float, ukey: str) -> bool:
    """Whether the rule stores this knot's ``column`` as 0 (a timed-out computation)."""
    if column not in REFERENCE_ZERO_SHARE:
        raise ValueError(f"no zero rule for column {column!r}; known: {COLUMNS}")
    a, b = probit_coefficients(column)
    return knot_normal(ukey, column) < a + b * volume


def zero_shares_by_volume(volume: np.ndarray, is_zero: np.ndarray) -> list[float | None]:
    """Share of zeros per reference volume bin (None for an empty bin). volume, is_zero: (rows,)."""
    bins = np.digitize(volume, VOLUME_EDGES, right=True)
    return [float(is_zero[bins == i].mean()) if (bins == i).any() else None for i in range(len(BIN_VOLUME))]

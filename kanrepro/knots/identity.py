"""Which rows are the same knot: from the identity columns of our random-diagram file, or, for a file with
none (DeepMind's CSV, the census file), from the 17 feature values.

A knot and its mirror image are different rows (their signatures are opposite) but the same knot up to
orientation; ``mirrors_together`` chooses whether a grouping keeps them together.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kanrepro.knots.dataset import FEATURES

MIRROR_FEATURES = ["chern_simons", "meridinal_translation_real", "short_geodesic_imag_part"]  # flip sign
FEATURE_DECIMALS = 6  # DeepMind's sample prints at least 6 significant decimals; repeats agree to ~1e-12


def _feature_keys(frame: pd.DataFrame, decimals: int, flip: bool) -> np.ndarray:
    values = frame[FEATURES].to_numpy(dtype=float).copy()
    if flip:
        for column in MIRROR_FEATURES:
            values[:, FEATURES.index(column)] *= -1
    values = np.round(values, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return np.array([v.tobytes() for v in values], dtype=object)


def knot_groups(frame: pd.DataFrame, mirrors_together: bool = True, decimals: int = FEATURE_DECIMALS) -> np.ndarray:
    """Group id per row (rows,) int64: rows with the same id are the same knot (and its mirror, with
    ``mirrors_together``). Uses ``knot_id``/``key`` when the frame has them, else the rounded features."""
    if {"knot_id", "key"} <= set(frame.columns):
        column = frame["knot_id"] if mirrors_together else frame["key"]
        return pd.factorize(column)[0].astype(np.int64)
    keys = _feature_keys(frame, decimals, flip=False)
    if mirrors_together:
        mirrored = _feature_keys(frame, decimals, flip=True)
        keys = np.where(keys <= mirrored, keys, mirrored)  # one canonical orientation per pair
    return pd.factorize(keys)[0].astype(np.int64)


def seen_share(train_groups: np.ndarray, test_groups: np.ndarray) -> float:
    """Share of test rows whose group also occurs in the training rows."""
    return float(np.isin(test_groups, np.unique(train_groups)).mean()) if len(test_groups) else float("nan")

"""Splits, z-scoring and label encoding exactly as the sources do them (quirks behind switches).

- :func:`deepmind_split`: DeepMind's notebook, 75/25 then 50/50 with one shared ``RandomState``.
- :func:`random_split`: pykan's knot tutorial, ``np.random.choice`` of 80% of the rows.
- :func:`normalise`: z-score; ``own_stats=True`` is DeepMind's quirk (each split with its own statistics).
- :class:`LabelEncoding`: class = (sigma - min_sig)/2 with min/max from the training split; the
  off-by-one switch gives ``int((max-min)/2)`` outputs (DeepMind) instead of ``+1`` (CompactNet).
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import train_test_split
from torch import Tensor

from kanrepro.knots.dataset import TARGET


def deepmind_split(frame: pd.DataFrame, seed: int = 2) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """DeepMind's split: ``RandomState(seed)`` shared by two sklearn splits (75/25, then 50/50)."""
    rs = np.random.RandomState(seed)
    train, rest = train_test_split(frame, random_state=rs)  # sklearn default test_size=0.25, shuffle=True
    val, test = train_test_split(rest, test_size=0.5, random_state=rs)
    return train, val, test


SPLITS = ("deepmind", "unseen_knots")  # the protocol's own split | no knot in two parts (grouped)


def unseen_knots_split(frame: pd.DataFrame, seed: int, fractions: Sequence[float] = (0.75, 0.125),
                       mirrors_together: bool = True) -> list[pd.DataFrame]:
    """Parts with about ``fractions`` of the rows (the rest last) in which no knot (with
    ``mirrors_together``, no knot or its mirror) appears in two parts: knots shuffled by
    ``RandomState(seed)``, then cut where the cumulative row count passes each fraction, so each part is
    within one knot's rows of its target."""
    from kanrepro.knots.identity import knot_groups

    groups = knot_groups(frame, mirrors_together)
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    order = np.random.RandomState(seed).permutation(n_groups)  # order[i]: the knot at position i
    sizes = np.bincount(groups, minlength=n_groups)[order]
    rows_before = np.cumsum(sizes) - sizes
    position_part = np.searchsorted(np.cumsum(fractions) * len(frame), rows_before, side="right")
    position = np.empty(n_groups, dtype=np.int64)
    position[order] = np.arange(n_groups)
    row_position = position[groups]
    row_part = position_part[row_position]
    return [frame.iloc[np.flatnonzero(row_part == p)[np.argsort(row_position[row_part == p], kind="stable")]]
            for p in range(len(fractions) + 1)]


def split_frame(frame: pd.DataFrame, seed: int,
                split: str = "deepmind") -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(train, val, test): DeepMind's split, or ``unseen_knots`` with its proportions (75 / 12.5 / 12.5)."""
    if split == "deepmind":
        return deepmind_split(frame, seed)
    if split == "unseen_knots":
        train, val, test = unseen_knots_split(frame, seed)
        return train, val, test
    raise ValueError(f"split must be one of {SPLITS}, got {split!r}")


def random_split(frame: pd.DataFrame, seed: int = 42, train_fraction: float = 0.8) -> tuple[pd.DataFrame, pd.DataFrame]:
    """pykan tutorial's split: ``choice(n, int(n*0.8), replace=False)`` for train, the rest (in order) test."""
    n = len(frame)
    train_id = np.random.RandomState(seed).choice(n, int(n * train_fraction), replace=False)
    test_id = np.setdiff1d(np.arange(n), train_id)  # the tutorial's set difference, ascending
    return frame.iloc[train_id], frame.iloc[test_id]


class ConstantColumnWarning(RuntimeWarning):
    """A split has zero-std feature columns (``columns``); they are left centred instead of z-scored."""

    def __init__(self, split: str, columns: list[str]):
        super().__init__(f"{split}: zero std in {columns}; column left centred (DeepMind's notebook raises here)")
        self.split, self.columns = split, list(columns)


@dataclass(frozen=True)
class Stats:
    """Per-feature mean and std used to z-score one split."""
    mean: pd.Series
    std: pd.Series


def feature_stats(frame: pd.DataFrame, features: Sequence[str], ddof: int = 1, name: str = "split") -> Stats:
    """Mean/std of ``features`` (pandas' ddof=1 by default, as DeepMind). A zero std is reported and
    replaced by 1, so the column is left centred (all zeros) instead of crashing (DeepMind raised)."""
    cols = frame[list(features)]
    mean, std = cols.mean(), cols.std(ddof=ddof)
    zero = std.index[(std == 0) | std.isna()].tolist()
    if zero:
        warnings.warn(ConstantColumnWarning(name, zero), stacklevel=3)
        std = std.where(~std.index.isin(zero), 1.0)
    return Stats(mean, std)


def zscore(frame: pd.DataFrame, features: Sequence[str], stats: Stats) -> pd.DataFrame:
    """Copy of ``frame`` with ``features`` replaced by (x - mean)/std."""
    out = frame.copy()
    out[list(features)] = (frame[list(features)] - stats.mean) / stats.std
    return out


def normalise(train: pd.DataFrame, val: pd.DataFrame, test: pd.DataFrame, features: Sequence[str],
              own_stats: bool = True, ddof: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """z-score the three splits. ``own_stats=True``: each split with its own mean/std (DeepMind's code);
    False: all three with the training statistics (what DeepMind's text says)."""
    train_stats = feature_stats(train, features, ddof, "train")
    if own_stats:
        val_stats, test_stats = feature_stats(val, features, ddof, "val"), feature_stats(test, features, ddof, "test")
    else:
        val_stats = test_stats = train_stats
    return zscore(train, features, train_stats), zscore(val, features, val_stats), zscore(test, features, test_stats)


@dataclass(frozen=True)
class LabelEncoding:
    """Signature <-> class index. class = (sigma - min_sig)/2; out-of-range classes get no target."""
    min_sig: int
    max_sig: int
    off_by_one: bool = True  # True: int((max-min)/2) outputs as DeepMind (top class unreachable)

    @classmethod
    def fit(cls, signatures: np.ndarray | pd.Series, off_by_one: bool = True) -> LabelEncoding:
        """min/max from the (training) signatures."""
        sig = np.asarray(signatures)
        return cls(int(sig.min()), int(sig.max()), off_by_one)

    @property
    def n_outputs(self) -> int:
        """Number of logits: int((max-min)/2), +1 when the off-by-one is fixed."""
        return int((self.max_sig - self.min_sig) / 2) + (0 if self.off_by_one else 1)

    def encode(self, signatures: np.ndarray | pd.Series) -> np.ndarray:
        """(sigma - min)/2 as int64; may be < 0 or >= n_outputs on val/test (or the top class)."""
        return ((np.asarray(signatures) - self.min_sig) // 2).astype(np.int64)

    def decode(self, classes: np.ndarray) -> np.ndarray:
        """Class index -> signature, 2*class + min."""
        return 2 * np.asarray(classes) + self.min_sig


@dataclass
class Prepared:
    """Tensors of one split/normalisation/encoding: X (rows, features) float, y (rows,) int64 classes."""
    X_train: Tensor
    y_train: Tensor
    X_val: Tensor
    y_val: Tensor
    X_test: Tensor
    y_test: Tensor
    encoding: LabelEncoding
    features: list[str]
    train_index: pd.Index | None = None  # the source frame's index labels of the training rows, in X order
    test_index: pd.Index | None = None  # ... and of the test rows

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]


def to_tensors(frame: pd.DataFrame, features: Sequence[str], encoding: LabelEncoding,
               dtype: torch.dtype = torch.float32) -> tuple[Tensor, Tensor]:
    """(X, y) tensors of a normalised frame."""
    X = torch.as_tensor(frame[list(features)].to_numpy(dtype=np.float64), dtype=dtype)
    y = torch.as_tensor(encoding.encode(frame[TARGET].to_numpy()))
    return X, y


def prepare_deepmind(frame: pd.DataFrame, features: Sequence[str], split_seed: int = 2, own_stats: bool = True,
                     off_by_one: bool = True, dtype: torch.dtype = torch.float32, split: str = "deepmind") -> Prepared:
    """DeepMind's pipeline: split (``split_frame``), z-score (quirk switchable), labels from the training split."""
    train, val, test = split_frame(frame, split_seed, split)
    enc = LabelEncoding.fit(train[TARGET], off_by_one)
    ntrain, nval, ntest = normalise(train, val, test, features, own_stats)
    return Prepared(*to_tensors(ntrain, features, enc, dtype), *to_tensors(nval, features, enc, dtype),
                    *to_tensors(ntest, features, enc, dtype), enc, list(features), train.index, test.index)


def prepare_pykan_tutorial(frame: pd.DataFrame, features: Sequence[str], seed: int = 42,
                           dtype: torch.dtype = torch.float32, split: str = "deepmind") -> Prepared:
    """pykan's knot tutorial: z-score with full-data np.std (ddof=0), labels from the full data with
    n_class = (max-min)/2 + 1, random 80/20 split (``split="unseen_knots"``: grouped 80/20, no knot in
    both). The 'validation' split is the test split (it has none)."""
    stats = feature_stats(frame, features, ddof=0, name="full data")
    normed = zscore(frame, features, stats)
    enc = LabelEncoding.fit(frame[TARGET], off_by_one=False)
    if split == "deepmind":
        train, test = random_split(normed, seed)
    elif split == "unseen_knots":
        train, test = unseen_knots_split(normed, seed, fractions=(0.8,))
    else:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    X_tr, y_tr = to_tensors(train, features, enc, dtype)
    X_te, y_te = to_tensors(test, features, enc, dtype)
    return Prepared(X_tr, y_tr, X_te, y_te, X_te, y_te, enc, list(features), train.index, test.index)

"""The lookup baseline: no learned weights, the signature of the nearest training row(s).

DeepMind's file repeats knots, so many test rows have an exact twin in the training split; a plain lookup
scores on those without learning anything. ``k`` nearest neighbours on the z-scored features (training
statistics), majority vote, ties to the smaller signature (as scikit-learn's ``KNeighborsClassifier``).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from kanrepro.knots.prep import TARGET, feature_stats, split_frame, zscore


def nearest_labels(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, k: int = 1) -> np.ndarray:
    """Majority label of the ``k`` nearest training rows (Euclidean). X: (rows, features); y: (rows,)."""
    if k < 1 or k > len(X_train):
        raise ValueError(f"k must be in 1..{len(X_train)} (training rows), got {k}")
    _, idx = cKDTree(X_train).query(X_test, k=k)
    labels = y_train[np.asarray(idx).reshape(len(X_test), k)]
    classes, coded = np.unique(labels, return_inverse=True)
    votes = np.zeros((len(X_test), len(classes)), dtype=np.int64)
    np.add.at(votes, (np.repeat(np.arange(len(X_test)), k), coded.ravel()), 1)
    return classes[votes.argmax(axis=1)]  # argmax takes the first (smallest) class among ties


def lookup_correct(train: pd.DataFrame, test: pd.DataFrame, features: Sequence[str],
                   k: int = 1) -> tuple[np.ndarray, int]:
    """Per test row, whether the k-NN lookup is right ((test rows,) bool), and how many numbers it stores
    (the z-scored training rows, their signatures, and the per-feature mean and std)."""
    stats = feature_stats(train, features, name="train")
    X_train = zscore(train, features, stats)[list(features)].to_numpy(float)
    X_test = zscore(test, features, stats)[list(features)].to_numpy(float)
    predicted = nearest_labels(X_train, train[TARGET].to_numpy(), X_test, k)
    return predicted == test[TARGET].to_numpy(), int(X_train.size + len(train) + 2 * len(features))


def lookup_baseline(frame: pd.DataFrame, features: Sequence[str], split_seed: int, split: str = "deepmind",
                    k: int = 1) -> dict[str, float]:
    """Test accuracy of the k-NN lookup on ``split`` (``kanrepro.knots.prep.split_frame``) and what it stores."""
    train, _, test = split_frame(frame, split_seed, split)
    correct, stored = lookup_correct(train, test, features, k)
    return {"test_acc": float(correct.mean()), "stored_numbers": stored}

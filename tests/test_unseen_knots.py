"""Knot identity per row, the unseen-knot split, the seen share and the lookup baseline."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import KNeighborsClassifier

from kanrepro.experiment.lookup import nearest_labels
from kanrepro.knots.dataset import FEATURES, TARGET
from kanrepro.knots.identity import MIRROR_FEATURES, knot_groups, seen_share
from kanrepro.knots.prep import split_frame, unseen_knots_split


def _frame_with_repeats(n_knots: int, counts: list[int], seed: int) -> pd.DataFrame:
    """Random knots (features + signature), knot i repeated counts[i % len(counts)] times, shuffled."""
    rng = np.random.default_rng(seed)
    base = pd.DataFrame(rng.normal(size=(n_knots, len(FEATURES))), columns=FEATURES)
    base[TARGET] = 2 * rng.integers(-3, 4, n_knots)
    reps = np.array([counts[i % len(counts)] for i in range(n_knots)])
    frame = base.loc[np.repeat(base.index, reps)].sample(frac=1, random_state=seed).reset_index(drop=True)
    return frame


@settings(max_examples=25, deadline=None)
@given(n_knots=st.integers(8, 80), counts=st.lists(st.integers(1, 6), min_size=1, max_size=4), seed=st.integers(0, 99))
def test_unseen_split_never_shares_a_knot_and_meets_its_proportions(n_knots, counts, seed):
    frame = _frame_with_repeats(n_knots, counts, seed)
    parts = unseen_knots_split(frame, seed)
    groups = knot_groups(frame)
    part_groups = [set(groups[frame.index.get_indexer(p.index)]) for p in parts]
    assert not (part_groups[0] & part_groups[1] or part_groups[0] & part_groups[2] or part_groups[1] & part_groups[2])
    assert sum(len(p) for p in parts) == len(frame)
    biggest = max(counts)  # each cut lands within one knot's rows of its target
    assert abs(len(parts[0]) - 0.75 * len(frame)) <= biggest
    assert abs(len(parts[0]) + len(parts[1]) - 0.875 * len(frame)) <= biggest
    again = unseen_knots_split(frame, seed)
    assert all(a.index.equals(b.index) for a, b in zip(parts, again, strict=True))


def test_mirror_images_are_one_knot_only_when_asked():
    frame = _frame_with_repeats(5, [1], 0)
    mirror = frame.copy()
    mirror[MIRROR_FEATURES] *= -1
    mirror[TARGET] *= -1
    both = pd.concat([frame, mirror], ignore_index=True)
    assert len(set(knot_groups(both, mirrors_together=True))) == 5
    assert len(set(knot_groups(both, mirrors_together=False))) == 10


def test_seen_share_by_hand():
    train = np.array([0, 1, 1, 2])
    assert seen_share(train, np.array([1, 3, 2, 4])) == 0.5
    frame = pd.DataFrame({c: [0.0, 0.0, 1.0, 2.0] for c in FEATURES})
    frame[TARGET] = [0, 0, 2, 4]
    assert list(knot_groups(frame)) == [0, 0, 1, 2]  # the first two rows are the same knot


def test_split_names_are_checked():
    with pytest.raises(ValueError, match="split must be one of"):
        split_frame(_frame_with_repeats(10, [1], 0), 0, "random")


@pytest.mark.parametrize("k", [1, 3, 5])
def test_lookup_matches_scikit_learn(k):
    rng = np.random.default_rng(k)
    X, y, Xt = rng.normal(size=(300, 4)), 2 * rng.integers(-2, 3, 300), rng.normal(size=(100, 4))
    expected = KNeighborsClassifier(n_neighbors=k).fit(X, y).predict(Xt)
    np.testing.assert_array_equal(nearest_labels(X, y, Xt, k), expected)

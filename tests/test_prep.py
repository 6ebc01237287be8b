"""DeepMind's split, normalisation quirks and label encoding, on synthetic frames."""
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from kanrepro.knots.prep import (
    LabelEncoding,
    deepmind_split,
    normalise,
    prepare_deepmind,
    random_split,
)

FEATS = ["f0", "f1", "f2"]


def frame(n=400, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 3)) * [1, 5, 0.1] + [0, 3, -1], columns=FEATS)
    df["signature"] = 2 * rng.integers(-3, 4, size=n)
    return df


def test_deepmind_split_is_the_notebooks():
    df = frame()
    train, val, test = deepmind_split(df, 2)
    rs = np.random.RandomState(2)  # the notebook, verbatim
    t2, rest = train_test_split(df, random_state=rs)
    v2, te2 = train_test_split(rest, test_size=.5, random_state=rs)
    assert list(train.index) == list(t2.index) and list(val.index) == list(v2.index)
    assert list(test.index) == list(te2.index)
    assert (len(train), len(val), len(test)) == (300, 50, 50)
    assert list(deepmind_split(df, 3)[0].index) != list(train.index)


def test_random_split_is_pykans():
    df = frame(100)
    train, test = random_split(df, 42)
    np.random.seed(42)
    ids = np.random.choice(100, 80, replace=False)
    assert list(train.index) == list(df.index[ids])
    assert sorted(set(train.index) | set(test.index)) == list(df.index) and len(test) == 20


def test_own_stats_switch():
    train, val, test = deepmind_split(frame(), 2)
    val = val.assign(f1=val.f1 + 10)  # shifted split: own stats hide the shift, train stats keep it
    _, v_own, _ = normalise(train, val, test, FEATS, own_stats=True)
    _, v_tr, _ = normalise(train, val, test, FEATS, own_stats=False)
    assert abs(v_own.f1.mean()) < 1e-9 and abs(v_own.f1.std() - 1) < 1e-9
    assert v_tr.f1.mean() > 1.5
    assert (v_own.signature == val.signature).all()


def test_zero_std_column_warns_and_is_centred():
    train, val, test = deepmind_split(frame(), 2)
    val = val.assign(f2=7.0)
    with pytest.warns(RuntimeWarning, match="zero std"):
        _, v, _ = normalise(train, val, test, FEATS, own_stats=True)
    assert (v.f2 == 0).all() and np.isfinite(v.to_numpy()).all()


def test_label_encoding_off_by_one():
    enc = LabelEncoding.fit(np.array([-6, 0, 6]), off_by_one=True)
    fixed = LabelEncoding.fit(np.array([-6, 0, 6]), off_by_one=False)
    assert (enc.n_outputs, fixed.n_outputs) == (6, 7)
    assert list(enc.encode(np.array([-6, -4, 6, 8, -8]))) == [0, 1, 6, 7, -1]
    assert list(enc.decode(np.array([0, 6]))) == [-6, 6]


def test_prepare_deepmind_uses_training_min_max():
    df = frame()
    data = prepare_deepmind(df, FEATS, 2, off_by_one=False)
    train, _, _ = deepmind_split(df, 2)
    assert data.encoding.min_sig == train.signature.min() and data.encoding.max_sig == train.signature.max()
    assert data.X_train.shape == (300, 3) and int(data.y_train.min()) == 0

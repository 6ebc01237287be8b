"""Protocols: determinism, each switch changes what it claims, fast kernels == autograd, pykan's fit."""
import os
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from kanrepro.knots.prep import prepare_pykan_tutorial
from kanrepro.train import protocols as P

FEATS = ["a", "b", "c", "d"]


def frame(n=1200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)) * [1, 2, 1, 0.5] + [0, 1, 0, 3]
    sig = 2 * np.clip(np.round(1.5 * X[:, 0] + X[:, 1] * X[:, 2] / 2), -3, 3).astype(int)
    df = pd.DataFrame(X, columns=FEATS)
    df["signature"] = sig
    return df


SMALL = P.DeepMindConfig(max_steps=400, val_every=20)
MLP33 = P.ModelSpec(hidden=(3, 3))


def _numbers(rec):
    d = rec.to_dict()
    d.pop("seconds")
    return d


def test_deterministic_and_seeds_matter():
    cfg = replace(SMALL, max_steps=120)
    data = P.prepare(frame(), FEATS, cfg, split_seed=2)
    a = P.deepmind(data, MLP33, cfg, init_seed=1, batch_seed=5)
    b = P.deepmind(data, MLP33, cfg, init_seed=1, batch_seed=5)
    assert _numbers(a) == _numbers(b)
    assert a.val_curve != P.deepmind(data, MLP33, cfg, init_seed=1, batch_seed=6).val_curve
    assert a.val_curve != P.deepmind(data, MLP33, cfg, init_seed=2, batch_seed=5).val_curve
    full = P.deepmind(P.prepare(frame(), FEATS, cfg, 2), MLP33, cfg, init_seed=1, batch_seed=5, split_seed=2)
    assert _numbers(full) | {"seeds": None} == _numbers(a) | {"seeds": None}
    assert a.seeds == {"split": None, "init": 1, "batch": 5} and full.seeds["split"] == 2


def test_off_by_one_switch():
    df = frame()
    faithful = P.prepare(df, FEATS, SMALL)
    fixed = P.prepare(df, FEATS, replace(SMALL, off_by_one_output=False))
    assert fixed.encoding.n_outputs == faithful.encoding.n_outputs + 1
    cfg = replace(SMALL, max_steps=100, val_every=1000)
    rec = P.deepmind(faithful, MLP33, cfg)
    rec_fixed = P.deepmind(fixed, MLP33, replace(cfg, off_by_one_output=False))
    assert rec_fixed.params["weights_and_biases"] == rec.params["weights_and_biases"] + 3 + 1
    top = faithful.y_test == faithful.encoding.n_outputs  # the unreachable class
    assert top.any()
    model = MLP33.build(4, faithful.encoding.n_outputs, 1)
    assert not (model(faithful.X_test).argmax(1) == faithful.y_test)[top].any()
    assert P.COMPACTNET.max_steps == 50_000 and not P.COMPACTNET.off_by_one_output


def test_own_stats_switch_changes_val_and_test_only():
    df = frame()
    own = P.prepare(df, FEATS, SMALL)
    train_stats = P.prepare(df, FEATS, replace(SMALL, own_stats_normalisation=False))
    assert torch.equal(own.X_train, train_stats.X_train)
    assert not torch.allclose(own.X_val, train_stats.X_val)
    assert abs(float(own.X_val.mean())) < 1e-6 and abs(float(train_stats.X_val.mean())) > 1e-3


def test_stop_at_first_increase_and_restore_best():
    data = P.prepare(frame(), FEATS, SMALL)
    cfg = replace(SMALL, lr=0.05, val_every=5, max_steps=3000)
    last = P.deepmind(data, MLP33, cfg)
    best = P.deepmind(data, MLP33, replace(cfg, restore_best=True))
    curve = np.array(last.val_curve)
    assert last.stop_step is not None and last.steps_run == last.stop_step + 1
    assert curve[-1, 1] > curve[-2, 1] and np.all(np.diff(curve[:-1, 1]) <= 0)  # first increase stops
    assert last.val_curve == best.val_curve and last.stop_step == best.stop_step
    assert abs(last.val_loss - curve[-1, 1]) < 1e-6  # keep-last: the worse parameters
    assert abs(best.val_loss - curve[:, 1].min()) < 1e-6 and best.val_loss < last.val_loss


def test_step_cap():
    data = P.prepare(frame(), FEATS, SMALL)
    rec = P.deepmind(data, MLP33, replace(SMALL, max_steps=50, val_every=1000))
    assert rec.steps_run == 50 and rec.stop_step is None and len(rec.val_curve) == 1


def test_kan_fast_engine_equals_autograd():
    data = P.prepare(frame(800), FEATS, SMALL, dtype=torch.float64)
    spec = P.ModelSpec(kind="kan", hidden=(2,), grid=3)
    cfg = replace(SMALL, max_steps=120)
    fast = P.deepmind(data, spec, cfg, engine="fast")
    auto = P.deepmind(data, spec, cfg, engine="torch")
    assert fast.stop_step == auto.stop_step and fast.steps_run == auto.steps_run
    assert np.allclose(np.array(fast.val_curve), np.array(auto.val_curve), atol=1e-9)
    assert abs(fast.test_loss - auto.test_loss) < 1e-9
    assert fast.params["spline_coefficients"] == (4 * 2 + 2 * P.prepare(frame(800), FEATS).encoding.n_outputs) * 6


@pytest.fixture
def _in_tmp(tmp_path):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    yield
    os.chdir(cwd)


@pytest.mark.parametrize("lamb", [0.0, 0.005])
def test_pykan_tutorial_ours_tracks_pykans_fit(_in_tmp, lamb):
    pytest.importorskip("kan")
    data = prepare_pykan_tutorial(frame(600), FEATS, 42)
    cfg = P.PykanTutorialConfig(opt="Adam", lr=0.01, steps=12, lamb=lamb, batch=100, grid=4)
    ours = P.pykan_tutorial(data, cfg, variant="ours")
    theirs = P.pykan_tutorial(data, cfg, variant="pykan")
    assert abs(ours.train_loss - theirs.train_loss) < 1e-5  # same init, batches, grid updates, updates
    own = {"pykan_trainable": ours.params["pykan_trainable"], "torch_trainable": ours.params["torch_trainable"]}
    assert ours.params == theirs.params | own


def test_lean_lbfgs_follows_pykans_lbfgs(_in_tmp):
    """Fast engine (numpy kernel incl. regulariser gradient + our port of pykan's LBFGS) vs autograd through
    our model + pykan's own LBFGS: same steps (float64), with lamb > 0 and a grid update in between."""
    pytest.importorskip("kan")
    data = prepare_pykan_tutorial(frame(400), FEATS, 42, dtype=torch.float64)
    cfg = P.PykanTutorialConfig(steps=3, batch=-1, lamb=0.005, grid=3, stop_grid_update_step=4, grid_update_num=2)
    fast = P.pykan_tutorial(data, cfg, variant="ours", engine="fast")
    auto = P.pykan_tutorial(data, cfg, variant="ours", engine="torch")
    assert abs(fast.train_loss - auto.train_loss) < 1e-7 and fast.steps_run == 3
    assert fast.train_loss < 1.2  # it did optimise (initial loss ~ log 7 = 1.95)


@pytest.mark.parametrize("engine", ["auto", "torch"])
def test_an_overflowing_run_stops_with_a_clear_error(engine):
    """Issue 12: a non-finite loss trained on for 10,000 steps and was reported as accuracy 0.0."""
    from kanrepro.train.ensemble import deepmind_ensemble

    data = P.prepare(frame(), FEATS, SMALL, split_seed=2)
    data.X_val[0, 0] = float("nan")  # an overflowed input: sigmoid units would saturate on inf
    with pytest.raises(FloatingPointError, match="training diverged.*validation loss (nan|inf) at step 0"):
        P.deepmind(data, MLP33, SMALL, init_seed=1, batch_seed=1, engine=engine)
    with pytest.raises(FloatingPointError, match=r"training diverged \(copy 0, batch seed 1\)"):
        deepmind_ensemble(data, MLP33, SMALL, [1, 2], [1, 2])

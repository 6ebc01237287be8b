"""S seeds trained at once == S separate runs (same stop steps, same numbers); sweep plumbing."""
from dataclasses import replace

import numpy as np
import pandas as pd
import torch

from kanrepro.experiment.sweep import run_tasks, sweep_deepmind
from kanrepro.train import protocols as P
from kanrepro.train.ensemble import deepmind_ensemble

FEATS = ["a", "b", "c"]


def frame(n=1000, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    df = pd.DataFrame(X, columns=FEATS)
    df["signature"] = 2 * np.clip(np.round(X[:, 0] + X[:, 1] * X[:, 2]), -2, 2).astype(int)
    return df


CFG = P.DeepMindConfig(max_steps=1500, val_every=10, lr=0.01)


def _check_same(data, spec, cfg, seeds, batch_seeds):
    vec = deepmind_ensemble(data, spec, cfg, seeds, batch_seeds)
    for rec, s, b in zip(vec, seeds, batch_seeds, strict=True):
        seq = P.deepmind(data, spec, cfg, init_seed=s, batch_seed=b, engine="torch")
        assert (rec.stop_step, rec.steps_run, rec.best_step) == (seq.stop_step, seq.steps_run, seq.best_step)
        assert np.allclose(np.array(rec.val_curve), np.array(seq.val_curve), atol=1e-9)
        for key in ("val_loss", "test_loss", "val_accuracy", "test_accuracy"):
            assert abs(getattr(rec, key) - getattr(seq, key)) < 1e-9, key
        assert rec.train_loss is None and rec.train_accuracy is None  # the stack skips the training split
        assert rec.seeds["init"] == s and rec.seeds["batch"] == b
        # the per-row test correctness comes from the stack's own evaluation: the torch model's rows, and the mean
        assert np.array_equal(rec.test_correct, seq.test_correct) and rec.test_correct.mean() == rec.test_accuracy
    return vec


def test_vectorised_equals_sequential():
    data = P.prepare(frame(), FEATS, CFG, dtype=torch.float64)
    vec = _check_same(data, P.ModelSpec(hidden=(3, 3)), CFG, [0, 1, 2, 3, 4], [10, 11, 12, 13, 14])
    stops = {r.stop_step for r in vec}
    assert len(stops) > 1  # per-copy early stopping really differs between copies


def test_vectorised_restore_best_and_relu():
    data = P.prepare(frame(), FEATS, CFG, dtype=torch.float64)
    cfg = replace(CFG, restore_best=True, max_steps=600)
    _check_same(data, P.ModelSpec(hidden=(4,), activation="relu"), cfg, [5, 6, 7], [5, 6, 7])


def test_float32_close():
    data = P.prepare(frame(), FEATS, CFG)
    vec = deepmind_ensemble(data, P.ModelSpec(hidden=(3, 3)), replace(CFG, max_steps=200, val_every=1000), [0, 1])
    seq = P.deepmind(data, P.ModelSpec(hidden=(3, 3)), replace(CFG, max_steps=200, val_every=1000), 0, 0)
    assert abs(vec[0].test_loss - seq.test_loss) < 1e-4


def _square(x):
    return x * x


def test_run_tasks_local():
    assert run_tasks(_square, [{"x": i} for i in range(4)], processes=2) == [0, 1, 4, 9]
    assert run_tasks(_square, [{"x": 3}], processes=0) == [9]


def test_run_tasks_on_a_dask_scheduler():
    """The same tasks through a real (in-process) Dask scheduler, addressed like a remote one."""
    import snappy  # noqa: F401  # SnapPy's cypari must initialise in the main thread, not in a Dask thread

    from kanrepro.daskcompat import import_distributed

    distributed = import_distributed()
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        assert run_tasks(_square, [{"x": i} for i in range(4)], scheduler=cluster.scheduler_address) == [0, 1, 4, 9]


def test_sweep_inline():
    data = P.prepare(frame(400), FEATS, CFG)
    cfg = replace(CFG, max_steps=50)
    recs = sweep_deepmind(data, [P.ModelSpec(hidden=(2,)), P.ModelSpec(hidden=(3, 3))], [0, 1], cfg, processes=0)
    assert [r.seeds["init"] for r in recs] == [0, 1, 0, 1]
    assert recs[0].params["weights_and_biases"] < recs[2].params["weights_and_biases"]


def test_the_stacks_fused_gradient_is_masked_xents() -> None:
    """grad_step folds the cross-entropy's gradient into its backward pass (targets pre-divided by B); its
    output-layer gradients equal engine.masked_xent's d loss / d logits, an out-of-range label included."""
    from kanrepro.train.engine import masked_xent
    from kanrepro.train.ensemble import MLPStack, _targets

    rng = np.random.default_rng(0)
    S, B, n_in, hidden, m = 2, 7, 4, 5, 3
    stack = MLPStack([rng.normal(size=(S, hidden, n_in)), rng.normal(size=(S, m, hidden))],
                     [rng.normal(size=(S, hidden)), rng.normal(size=(S, m))])
    x, y = rng.normal(size=(S, B, n_in)), np.array([[0, 2, 1, 3, 1, 0, 2], [1, 1, 0, 2, 3, 2, 0]])  # 3: no class
    stack.grad_step(x, np.stack([_targets(row, m, x.dtype) for row in y]) / B)
    logits, hs = stack.forward(x, keep=True)
    _, dlogits = masked_xent(np.swapaxes(logits, 1, 2), y)  # (S, B, m)
    assert np.allclose(stack.gb[-1], dlogits.sum(axis=1), rtol=0, atol=1e-15)
    assert np.allclose(stack.gW[-1], np.swapaxes(dlogits, 1, 2) @ np.swapaxes(hs[1], 1, 2), rtol=0, atol=1e-14)
    assert np.any(stack.gb[-1] != 0)


def test_evaluating_a_saturated_sigmoid_warns_nothing() -> None:
    """exp overflows in a saturated sigmoid (its limit, 0, is right): evaluation stays silent, as training is, so no
    notebook prints RuntimeWarnings, and the loss stays finite."""
    import warnings

    from kanrepro.train.ensemble import MLPStack

    rng = np.random.default_rng(0)
    W = [rng.normal(size=(2, 3, 3)).astype(np.float32) * 1e3, rng.normal(size=(2, 2, 3)).astype(np.float32)]
    b = [np.zeros((2, 3), np.float32), np.zeros((2, 2), np.float32)]
    X, y = rng.normal(size=(50, 3)).astype(np.float32), rng.integers(0, 2, 50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, correct = MLPStack(W, b, "sigmoid").evaluate(X, y)
    assert np.isfinite(loss).all() and correct.shape == (2, 50)

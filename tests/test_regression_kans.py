"""Table 4's regression KANs: the fast engine follows the torch reference (pykan's LBFGS); a trained KAN beats a
constant readout."""
import numpy as np
import pandas as pd
import pytest
import torch

from kanrepro.experiment import regression_kans as R
from kanrepro.experiment.table4 import LAMBDA, MU_IMAG, MU_REAL
from kanrepro.nn.models import KAN
from kanrepro.train.kan_kernel import KANKernel


def _knots(n: int, seed: int) -> pd.DataFrame:
    """Knot-like rows whose signature is the natural-slope rule plus noise."""
    rng = np.random.default_rng(seed)
    mu_r, mu_i, lam = rng.uniform(-0.5, 0.5, n), rng.uniform(0.8, 2.0, n), rng.uniform(-30, 30, n)
    slope = lam * mu_r / (mu_r**2 + mu_i**2)
    signature = 2 * np.round(slope / 4 + rng.normal(0, 0.2, n))
    return pd.DataFrame({MU_REAL: mu_r, MU_IMAG: mu_i, LAMBDA: lam, "signature": signature.astype(int)})


def test_kernel_mse_gradient_matches_autograd():
    model = KAN([3, 2, 1], grid=4, k=3, seed=3, dtype=torch.float64)
    x, y = torch.randn(50, 3, dtype=torch.float64), torch.randn(50, 1, dtype=torch.float64)
    kern = KANKernel(model)
    loss = kern.loss_grad(x.numpy(), y.numpy(), loss_fn="mse")
    ref = torch.mean((model(x) - y) ** 2)
    ref.backward()
    grads = torch.cat([t.grad.ravel() for layer in model.layers
                       for t in (layer.coef, layer.scale_base, layer.scale_sp)])
    assert abs(loss - float(ref.detach())) < 1e-12
    assert np.allclose(kern.grad, grads.numpy(), atol=1e-10)


def test_fast_engine_follows_the_torch_reference():
    train = _knots(300, 0)
    cfg = R.RegressionConfig(steps=2, grid=3)  # LBFGS amplifies rounding differences after a few steps
    fast, ref = (R.fit_regression_kan(train, [3, 2, 1], R.TABLE4_INPUTS, 1, cfg, engine=e) for e in ("fast", "torch"))
    values = [R.kan_values(m, train, R.TABLE4_INPUTS) for m in (fast, ref)]
    assert np.allclose(values[0], values[1], atol=1e-6 * np.abs(values[1]).max())


def test_depth_lets_the_kan_form_the_slope_and_reruns_identically():
    """The slope multiplies symmetric inputs: an additive [3,1] KAN cannot see it, a [3,2,1] KAN can."""
    train, test = _knots(1500, 1), _knots(500, 2)
    cfg = R.RegressionConfig(steps=15)
    first = R.score_regression_kan("D", train, test, seed=0, cfg=cfg)
    additive = R.score_regression_kan("B", train, test, seed=0, cfg=cfg)
    majority = test["signature"].value_counts(normalize=True).max()
    assert first["test_acc"] > majority + 0.1 and first["test_r2"] > 0.5
    assert additive["test_acc"] < majority + 0.02 and additive["test_r2"] < 0.05
    assert R.score_regression_kan("D", train, test, seed=0, cfg=cfg) == first


def test_bad_names_are_named():
    frame = _knots(20, 3)
    with pytest.raises(ValueError, match="name must be one of"):
        R.score_regression_kan("F", frame, frame, seed=0)
    with pytest.raises(ValueError, match="width must start with"):
        R.fit_regression_kan(frame, [2, 1], R.TABLE4_INPUTS, seed=0)
    with pytest.raises(ValueError, match="engine must be"):
        R.fit_regression_kan(frame, [3, 1], R.TABLE4_INPUTS, seed=0, engine="jax")

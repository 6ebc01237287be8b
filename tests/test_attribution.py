"""Saliency (DeepMind Fig. 2a) and KAN feature scores (pykan 0.2.8's ``feature_score`` is the oracle)."""
import os

import numpy as np
import pytest
import torch

from kanrepro.experiment.attribution import (
    kan_attribution,
    kan_feature_scores,
    normalised_saliency,
    saliency,
)
from kanrepro.nn.models import KAN, MLP


def _data(n=500, d=4, n_out=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=torch.float64), torch.randint(0, n_out, (n,), generator=g)


def test_saliency_linear_softmax_matches_hand_gradient():
    X, y = _data()
    y[::7] = 3  # out of range for 3 outputs: all-zero one-hot, no loss, no gradient (DeepMind's top class)
    model = MLP(4, [], 3, seed=3, dtype=torch.float64)  # logits = X W^T + b
    W = model.layers[0].weight.detach().numpy()
    logits = X.numpy() @ W.T + model.layers[0].bias.detach().numpy()
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    valid = y.numpy() < 3
    onehot = np.eye(3)[np.where(valid, y.numpy(), 0)] * valid[:, None]
    per_row = ((p - onehot) * valid[:, None]) @ W  # d loss_i / d x_i
    expected = np.abs(per_row).mean(0) / len(X)  # gradient of the *mean* loss, as jax.grad(loss_fn)
    assert np.allclose(saliency(model, X, y), expected, rtol=1e-10, atol=0)
    assert np.allclose(saliency(model, X, y, per_row=True), np.abs(per_row).mean(0), rtol=1e-10)
    assert np.allclose(saliency(model, X, y, chunk=37), expected, rtol=1e-10)


def test_saliency_ignored_feature_is_zero():
    X, y = _data(d=5)
    model = MLP(5, [6, 6], 3, seed=1, dtype=torch.float64)
    with torch.no_grad():
        model.layers[0].weight[:, 2] = 0.0  # feature 2 never reaches the output
    s = saliency(model, X, y)
    assert s[2] == 0.0 and np.all(np.delete(s, 2) > 0)
    ns = normalised_saliency(s)
    assert ns.max() == 1.0 and np.argmax(ns) == np.argmax(s)


def test_saliency_kan_ignored_feature():
    model = KAN([3, 2, 3], grid=3, k=3, seed=0, dtype=torch.float64)
    with torch.no_grad():
        model.layers[0].mask[1] = 0.0  # every edge out of input 1 masked
    X, y = _data(d=3)
    s = saliency(model, X, y)
    assert s[1] == 0.0 and s[0] > 0 and s[2] > 0


kan = pytest.importorskip("kan")


@pytest.fixture(autouse=False)
def _in_tmp(tmp_path):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    yield
    os.chdir(cwd)


@pytest.mark.parametrize("width,g,seed", [([17, 1, 14], 3, 0), ([4, 3, 3, 2], 4, 7), ([5, 2], 2, 3)])
def test_kan_feature_scores_match_pykan(_in_tmp, width, g, seed):
    theirs = kan.KAN(width=list(width), grid=g, k=3, seed=seed, auto_save=False)
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for l, layer in enumerate(theirs.act_fun):
            layer.coef.add_(torch.randn(layer.coef.shape, generator=gen) * 0.5)
            layer.scale_sp.mul_(1 + torch.rand(layer.scale_sp.shape, generator=gen))
            layer.mask[0, -1] = 0.0
            theirs.node_scale[l].copy_(1 + 0.3 * torch.randn(theirs.node_scale[l].shape, generator=gen))
            theirs.subnode_bias[l].copy_(0.2 * torch.randn(theirs.subnode_bias[l].shape, generator=gen))
    theirs.input_id = torch.randperm(width[0], generator=gen)  # as after pykan's prune_input reordering
    x = torch.randn(600, width[0], generator=gen) * 1.3
    ours = KAN.from_pykan(theirs)
    theirs(x)  # pykan's feature_score uses the activations of the last forward pass
    ref = theirs.feature_score.detach().numpy()
    got = kan_feature_scores(ours, x)
    assert got.shape == (width[0],)
    assert np.abs(got - ref).max() <= 1e-5 * max(1.0, np.abs(ref).max())
    att = kan_attribution(ours, x)
    for l in range(len(width) - 1):
        assert np.abs(att["edge_scores"][l] - theirs.edge_scores[l].detach().numpy()).max() <= 1e-5
        assert np.abs(att["node_scores"][l + 1] - theirs.node_scores[l + 1].detach().numpy()).max() <= 1e-5

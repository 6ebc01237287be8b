"""pykan's KANLayer (the reference) == our B-spline layer == its relu^k + SiLU MLP rewrite."""
from itertools import pairwise

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from kan.KANLayer import KANLayer

from kanrepro.rewrites import bspline_equivalence as bse


def _pykan_layer(n_in, n_out, intervals, k, seed, adapt):
    torch.manual_seed(seed)
    layer = KANLayer(in_dim=n_in, out_dim=n_out, num=intervals, k=k)
    if adapt:
        layer.update_grid_from_samples(torch.randn(100, n_in) * 0.7)
    with torch.no_grad():  # move away from pykan's near-zero init so every edge matters
        layer.coef.normal_()
        layer.scale_sp.normal_()
    return layer


@settings(max_examples=30, deadline=None)
@given(n_in=st.integers(1, 4), n_out=st.integers(1, 4), intervals=st.integers(1, 8), k=st.integers(1, 3),
       seed=st.integers(0, 1000), adapt=st.booleans())
def test_our_layer_matches_pykan_forward(n_in, n_out, intervals, k, seed, adapt):
    layer = _pykan_layer(n_in, n_out, intervals, k, seed, adapt)
    x = torch.randn(128, n_in) * 2
    expected, *_ = layer(x)
    ours = bse.BSplineKANLayer.from_pykan(layer, dtype=torch.float32)
    assert torch.allclose(ours.forward(x), expected, rtol=0, atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(widths=st.lists(st.integers(1, 4), min_size=2, max_size=3), intervals=st.integers(1, 6),
       k=st.integers(1, 3), seed=st.integers(0, 1000), adapt=st.booleans())
def test_pykan_stack_equals_its_mlp_rewrite(widths, intervals, k, seed, adapt):
    layers = [_pykan_layer(a, b, intervals, k, seed + i, adapt) for i, (a, b) in enumerate(pairwise(widths))]
    x = torch.randn(256, widths[0], dtype=torch.float64) * 2  # beyond the [-1, 1] grid
    expected = x.float()
    for layer in layers:  # pykan itself, float32
        expected, *_ = layer(expected)
    ours = [bse.BSplineKANLayer.from_pykan(layer) for layer in layers]
    mlp = bse.bspline_kan_to_mlp(ours)
    kan_out = bse.bspline_kan_forward(ours, x)
    scale = max(1.0, float(kan_out.abs().max()))
    assert float((mlp.forward(x) - kan_out).abs().max()) / scale < 1e-8
    assert torch.allclose(kan_out.float(), expected, rtol=1e-4, atol=1e-4 * scale)


def test_rewrite_counts_match_the_rewrite():
    layer = bse.BSplineKANLayer.random(3, 2, num_intervals=4, k=3)
    rewrite = layer.to_mlp_layer()
    counts = bse.rewrite_parameter_counts(3, 2, 4, 3)
    assert counts["kan"] == layer.parameter_count() == 3 * 2 * (4 + 3 + 2)
    assert counts["mlp_hidden_units"] == rewrite.expand.shape[0]
    assert counts["mlp_free"] == rewrite.out_weight.numel() + rewrite.out_bias.numel()


def test_mixed_orders_are_rejected():
    layers = [bse.BSplineKANLayer.random(2, 2, 3, 2), bse.BSplineKANLayer.random(2, 1, 3, 3)]
    with pytest.raises(ValueError, match="spline order"):
        bse.bspline_kan_to_mlp(layers)


def test_coefficient_shape_is_checked():
    layer = bse.BSplineKANLayer.random(2, 2, 3, 3)
    with pytest.raises(ValueError, match="coef must have shape"):
        bse.BSplineKANLayer(layer.grid, layer.coef[:, :, :-1], layer.scale_base, layer.scale_sp, 3)


def test_our_kan_with_affine_maps_masks_and_input_order_rewrites_exactly():
    from kanrepro.nn.models import KAN

    gen = torch.Generator().manual_seed(3)
    model = KAN([3, 4, 2], grid=5, k=3, seed=2, dtype=torch.float64)
    with torch.no_grad():
        for layer in model.layers:
            layer.coef.normal_(generator=gen)
            layer.mask[0, 1] = 0.0
            for name in ("subnode_scale", "node_scale"):
                getattr(layer, name).uniform_(0.5, 1.5, generator=gen)
            for name in ("subnode_bias", "node_bias"):
                getattr(layer, name).normal_(generator=gen)
        model.input_id = torch.tensor([2, 0, 1])
    x = torch.randn(200, 3, generator=gen, dtype=torch.float64) * 1.5
    layers = bse.kan_to_bspline_layers(model)
    expected = model(x).detach()
    assert torch.allclose(bse.bspline_kan_forward(layers, x), expected, rtol=0, atol=1e-12)
    assert torch.allclose(bse.bspline_kan_to_mlp(layers).forward(x), expected, rtol=0, atol=1e-9)
    model.input_id = torch.tensor([0, 0, 1])  # a pruned or repeated input order has no exact rewrite here
    with pytest.raises(ValueError, match="input_id must be a permutation"):
        bse.kan_to_bspline_layers(model)

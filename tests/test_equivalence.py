"""The piecewise-linear KAN <-> ReLU MLP rewrites are exact, on random shapes and inputs outside the grid."""
from itertools import pairwise

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from kanrepro.rewrites import equivalence as eq
from kanrepro.rewrites.rewrite_checks import pl_parameter_table, seed_example

widths_strategy = st.lists(st.integers(1, 6), min_size=2, max_size=4)


def _inputs(n_in, seed, scale=4.0):
    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(300, n_in, generator=generator, dtype=torch.float64) * 2 - 1) * scale


@settings(max_examples=60, deadline=None)
@given(widths=widths_strategy, pieces=st.integers(1, 9), seed=st.integers(0, 10_000))
def test_pl_kan_stack_equals_its_mlp(widths, pieces, seed):
    generator = torch.Generator().manual_seed(seed)
    layers = [eq.PiecewiseLinearKANLayer.random(a, b, pieces, generator=generator) for a, b in pairwise(widths)]
    x = _inputs(widths[0], seed)
    mlp = eq.pl_kan_to_mlp(layers)
    assert torch.allclose(mlp.forward(x), eq.pl_kan_forward(layers, x), rtol=0, atol=1e-9)
    assert mlp.widths == [widths[0]] + [w * pieces for w in widths[:-1]] + [widths[-1]]  # hidden: n_l * k units


@settings(max_examples=60, deadline=None)
@given(widths=widths_strategy, seed=st.integers(0, 10_000))
def test_relu_mlp_equals_its_kan(widths, seed):
    generator = torch.Generator().manual_seed(seed)
    weights = [torch.randn(b, a, generator=generator, dtype=torch.float64) for a, b in pairwise(widths)]
    biases = [torch.randn(b, generator=generator, dtype=torch.float64) for b in widths[1:]]
    x = _inputs(widths[0], seed)
    reference = torch.nn.Sequential()
    for index, (weight, bias) in enumerate(zip(weights, biases, strict=True)):  # torch's own MLP as the reference
        linear = torch.nn.Linear(weight.shape[1], weight.shape[0]).double()
        linear.weight.data, linear.bias.data = weight, bias
        reference.append(linear)
        if index < len(weights) - 1:
            reference.append(torch.nn.ReLU())
    kan = eq.relu_mlp_to_pl_kan(weights, biases)
    assert torch.allclose(eq.pl_kan_forward(kan, x), reference(x), rtol=0, atol=1e-10)


def test_pl_layer_interpolates_its_knot_values_and_extrapolates_linearly():
    knots = torch.tensor([-1.0, 0.0, 1.0, 2.0], dtype=torch.float64)
    values = torch.tensor([[[-2.0, 0.0, 0.5, 2.5]]], dtype=torch.float64)  # the seed's continuous edge
    layer = eq.PiecewiseLinearKANLayer(knots, values)
    x = torch.tensor([[-3.0], [-0.5], [0.5], [1.5], [5.0]], dtype=torch.float64)
    expected = seed_example(x)["continuous"]
    assert torch.allclose(layer.forward(x), expected)


def test_seed_example_as_printed_is_discontinuous():
    edge = seed_example(torch.tensor([0.999999, 1.0, 2.0], dtype=torch.float64))
    assert torch.allclose(edge["relu_form"], edge["continuous"])
    assert float((edge["as_written"] - edge["relu_form"]).abs().max()) == pytest.approx(1.0)


def test_parameter_table_counts():
    rows = {row["layer"]: row for row in pl_parameter_table([4, 5, 3], pieces=3)}
    assert rows["1: 4 -> 5"]["seed_count_nmk"] == 4 * 5 * 3
    assert rows["1: 4 -> 5"]["kan_knot_values"] == 4 * 5 * 4
    assert rows["2: 5 -> 3"]["mlp_free"] == 5 * 3 * 3 + 3
    assert rows["total"]["mlp_dense"] == (4 * 12 + 12) + (12 * 15 + 15) + (15 * 3 + 3)


def test_bad_layers_are_rejected_with_named_arguments():
    with pytest.raises(ValueError, match="strictly increasing"):
        eq.PiecewiseLinearKANLayer(torch.tensor([0.0, 0.0, 1.0]), torch.zeros(1, 1, 3))
    with pytest.raises(ValueError, match="values must have shape"):
        eq.PiecewiseLinearKANLayer(torch.tensor([0.0, 1.0]), torch.zeros(1, 1, 3))
    with pytest.raises(ValueError, match="pieces"):
        eq.PiecewiseLinearKANLayer.random(2, 2, 0)

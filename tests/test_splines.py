"""Our B-spline basis against pykan's own (the reference nobody here wrote)."""
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from kan.spline import B_batch, coef2curve, curve2coef
from kan.spline import extend_grid as pykan_extend_grid

from kanrepro.nn import splines


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 5), intervals=st.integers(1, 10), k=st.integers(0, 4), seed=st.integers(0, 10_000))
def test_basis_matches_pykan_bit_for_bit(n, intervals, k, seed):
    generator = torch.Generator().manual_seed(seed)
    grid = splines.uniform_grid(n, intervals, k)
    x = torch.randn(64, n, generator=generator) * 1.5  # reaches outside [-1, 1]
    assert torch.equal(splines.bspline_basis(x, grid, k), B_batch(x, grid, k).to(x.dtype))


def test_grid_matches_pykan_extension():
    base = torch.linspace(-2, 3, 7)[None, :].expand(3, 7)
    assert torch.equal(splines.extend_grid(base, 3), pykan_extend_grid(base, k_extend=3))


def test_curves_and_fit_match_pykan():
    generator = torch.Generator().manual_seed(0)
    grid = splines.uniform_grid(3, 6, 3)
    coef = torch.randn(3, 2, 9, generator=generator)
    x = torch.rand(200, 3, generator=generator) * 2 - 1
    assert torch.allclose(splines.bspline_curves(x, grid, coef, 3), coef2curve(x, grid, coef, 3), atol=1e-6)
    y = coef2curve(x, grid, coef, 3)
    assert torch.allclose(splines.fit_coefficients(x, y, grid, 3), curve2coef(x, y, grid, 3), atol=1e-4)


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_truncated_powers_reproduce_basis(k):
    generator = torch.Generator().manual_seed(k)
    grid = splines.uniform_grid(2, 5, k, dtype=torch.float64)
    grid = grid + 0.05 * torch.rand(grid.shape, generator=generator, dtype=torch.float64).cumsum(1)  # non-uniform
    x = (torch.rand(500, 2, generator=generator, dtype=torch.float64) * 2 - 1) * 3
    rebuilt = torch.einsum("bnj,nij->bni", splines.truncated_powers(x, grid, k),
                           splines.truncated_power_weights(grid, k))
    assert torch.allclose(rebuilt, splines.bspline_basis(x, grid, k), atol=1e-9)


def test_bad_grid_arguments_are_named():
    with pytest.raises(ValueError, match="num_intervals"):
        splines.uniform_grid(2, 0, 3)
    with pytest.raises(ValueError, match="order k"):
        splines.uniform_grid(2, 3, -1)


def test_fit_is_bit_for_bit_repeatable():
    """A least-squares fit that differs in the last bit between calls makes LBFGS runs irreproducible."""
    generator = torch.Generator().manual_seed(3)
    grid = splines.uniform_grid(17, 3, 3)
    x = torch.sort(torch.randn(1024, 17, generator=generator), dim=0)[0]
    y = torch.randn(1024, 17, 9, generator=generator)
    first = splines.fit_coefficients(x, y, grid, 3)
    for _ in range(5):
        _ = [torch.empty(int(n)) for n in torch.randint(1, 5000, (3,), generator=generator)]  # shift allocations
        assert torch.equal(splines.fit_coefficients(x.clone(), y.clone(), grid.clone(), 3), first)

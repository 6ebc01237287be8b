"""Numerical evidence for the KAN <-> MLP rewrites: random layers, random inputs, max |difference|.

Each check returns (max |difference|, max |difference| / max |output|) over its random models.
Inputs are drawn uniformly from [-input_scale, input_scale] while the grids cover [-1, 1], so every
check also covers inputs outside the grid (where B-splines vanish and piecewise-linear edges extrapolate).
"""
from __future__ import annotations

from itertools import pairwise

import numpy as np
import torch
from torch import Tensor

from kanrepro.rewrites.bspline_equivalence import (
    BSplineKANLayer,
    bspline_kan_forward,
    bspline_kan_to_mlp,
)
from kanrepro.rewrites.equivalence import (
    PiecewiseLinearKANLayer,
    pl_kan_forward,
    pl_kan_to_mlp,
    relu_mlp_to_pl_kan,
)

DTYPE = torch.float64


def _widths(generator: torch.Generator, max_width: int, max_depth: int) -> list[int]:
    depth = int(torch.randint(1, max_depth + 1, (1,), generator=generator))
    return [int(w) for w in torch.randint(1, max_width + 1, (depth + 1,), generator=generator)]


def _worst(worst: tuple[float, float], reference: Tensor, rewritten: Tensor) -> tuple[float, float]:
    """Update (max |diff|, max |diff| / max |reference|) with one model's outputs. A non-finite output or
    difference (overflow, e.g. ``input_scale=1e308``) makes both NaN, and NaN stays NaN (Python's ``max``
    would drop it and report the check as exact)."""
    diff = float((reference - rewritten).abs().max())
    scale = float(reference.abs().max())
    if not (np.isfinite(diff) and np.isfinite(scale) and np.isfinite(worst[0])):
        return float("nan"), float("nan")
    return max(worst[0], diff), max(worst[1], diff / max(scale, 1e-300))


def _inputs(n_samples: int, width: int, input_scale: float, generator: torch.Generator) -> Tensor:
    return (2 * torch.rand(n_samples, width, generator=generator, dtype=DTYPE) - 1) * input_scale


def max_diff_pl_kan_to_mlp(trials: int, seed: int, max_width: int = 6, max_depth: int = 3,
                           max_pieces: int = 8, n_samples: int = 500, input_scale: float = 3.0) -> tuple[float, float]:
    """Largest |KAN(x) - MLP(x)| over random piecewise-linear KAN stacks and their ReLU rewrites."""
    generator, worst = torch.Generator().manual_seed(seed), (0.0, 0.0)
    for _ in range(trials):
        widths = _widths(generator, max_width, max_depth)
        pieces = int(torch.randint(1, max_pieces + 1, (1,), generator=generator))
        layers = [PiecewiseLinearKANLayer.random(a, b, pieces, generator=generator) for a, b in pairwise(widths)]
        x = _inputs(n_samples, widths[0], input_scale, generator)
        worst = _worst(worst, pl_kan_forward(layers, x), pl_kan_to_mlp(layers).forward(x))
    return worst


def max_diff_mlp_to_kan(trials: int, seed: int, max_width: int = 6, max_depth: int = 3,
                        n_samples: int = 500, input_scale: float = 3.0) -> tuple[float, float]:
    """Largest |MLP(x) - KAN(x)| over random ReLU MLPs and their piecewise-linear KAN rewrites."""
    generator, worst = torch.Generator().manual_seed(seed), (0.0, 0.0)
    for _ in range(trials):
        widths = _widths(generator, max_width, max_depth)
        weights = [torch.randn(b, a, generator=generator, dtype=DTYPE) for a, b in pairwise(widths)]
        biases = [torch.randn(b, generator=generator, dtype=DTYPE) for b in widths[1:]]
        x = _inputs(n_samples, widths[0], input_scale, generator)
        h = x @ weights[0].T + biases[0]
        for weight, bias in zip(weights[1:], biases[1:], strict=True):
            h = torch.relu(h) @ weight.T + bias
        worst = _worst(worst, h, pl_kan_forward(relu_mlp_to_pl_kan(weights, biases), x))
    return worst


def random_pykan_layer(n_in: int, n_out: int, num_intervals: int, k: int, generator: torch.Generator,
                       adapt_grid: bool) -> BSplineKANLayer:
    """A pykan ``KANLayer`` (optionally with its grid fitted to skewed samples), random coefficients.

    Returned in float64 form; coefficients and scales are redrawn so edges are far from pykan's tiny init.
    """
    from kan.KANLayer import KANLayer

    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
    torch.manual_seed(seed)  # pykan draws its init from the global generator
    layer = KANLayer(in_dim=n_in, out_dim=n_out, num=num_intervals, k=k)
    if adapt_grid:  # pykan's non-uniform, data-adapted grid
        layer.update_grid_from_samples(torch.randn(200, n_in).pow(3).clamp(-1.5, 1.5))
    ours = BSplineKANLayer.from_pykan(layer)
    ours.coef = torch.randn(ours.coef.shape, generator=generator, dtype=DTYPE)
    ours.scale_base = torch.randn(ours.scale_base.shape, generator=generator, dtype=DTYPE)
    ours.scale_sp = torch.randn(ours.scale_sp.shape, generator=generator, dtype=DTYPE)
    return ours


def max_diff_bspline_kan_to_mlp(trials: int, seed: int, max_width: int = 5, max_depth: int = 3,
                                max_intervals: int = 8, max_order: int = 3, n_samples: int = 500,
                                input_scale: float = 3.0, adapted_grids: bool = True) -> tuple[float, float]:
    """Largest |KAN(x) - MLP(x)| over random pykan-form B-spline KANs and their relu^k + SiLU rewrites.

    With ``adapted_grids`` every other trial fits pykan's grid to skewed samples (close knots), where the
    truncated-power weights grow like spacing^-k and rounding grows with them.
    """
    generator, worst = torch.Generator().manual_seed(seed), (0.0, 0.0)
    for trial in range(trials):
        widths = _widths(generator, max_width, max_depth)
        num_intervals = int(torch.randint(1, max_intervals + 1, (1,), generator=generator))
        k = int(torch.randint(1, max_order + 1, (1,), generator=generator))
        layers = [random_pykan_layer(a, b, num_intervals, k, generator, adapt_grid=adapted_grids and trial % 2 == 1)
                  for a, b in pairwise(widths)]
        x = _inputs(n_samples, widths[0], input_scale, generator)
        worst = _worst(worst, bspline_kan_forward(layers, x), bspline_kan_to_mlp(layers).forward(x))
    return worst


def seed_example(x: Tensor) -> dict[str, Tensor]:
    """The seed's example edge, as written and as its ReLU expression, on points x (any shape).

    As written: f(x) = 2x (x < 0), 0.5x (0 <= x < 1), 2x - 2.5 (x >= 1).
    ReLU expression: 2x - 1.5 relu(x) + 1.5 relu(x - 1), which is 2x - 1.5 for x >= 1.
    """
    as_written = torch.where(x < 0, 2 * x, torch.where(x < 1, 0.5 * x, 2 * x - 2.5))
    relu_form = 2 * x - 1.5 * torch.relu(x) + 1.5 * torch.relu(x - 1)
    continuous = torch.where(x < 0, 2 * x, torch.where(x < 1, 0.5 * x, 2 * x - 1.5))
    return {"as_written": as_written, "relu_form": relu_form, "continuous": continuous}


def pl_parameter_table(widths: list[int], pieces: int) -> list[dict[str, int | str]]:
    """Per layer and total: KAN knot values, the seed's n*m*k, the MLP rewrite's free and dense counts."""
    layers = [PiecewiseLinearKANLayer.random(a, b, pieces) for a, b in pairwise(widths)]
    mlp = pl_kan_to_mlp(layers)
    rows: list[dict[str, int | str]] = []
    for index, layer in enumerate(layers):
        m, n, _ = layer.values.shape
        rows.append({"layer": f"{index + 1}: {n} -> {m}", "kan_knot_values": layer.parameter_count(),
                     "seed_count_nmk": layer.seed_parameter_count(), "mlp_free": n * m * pieces + m,
                     "mlp_hidden_units": n * pieces})
    total: dict[str, int | str] = {key: sum(int(r[key]) for r in rows) for key in rows[0] if key != "layer"}
    total["layer"] = "total"
    total["mlp_dense"] = mlp.dense_parameter_count()
    rows.append(total)
    return rows

"""B-splines exactly as pykan 0.2.8 evaluates them, plus their truncated-power form.

The one B-spline implementation of the package: the KAN model and the KAN -> MLP rewrite both use it.

Conventions (pykan's): a grid has shape ``(n_inputs, G + 2k + 1)``: G intervals on
``[lo, hi]`` extended by k knots of the same spacing on each side. Order-k B-spline i
(i = 0 .. G+k-1) lives on knots ``t_i .. t_{i+k+1}``; order 0 uses half-open intervals
``[t_i, t_{i+1})``; outside the extended grid every basis function is 0.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor


def extend_grid(grid: Tensor, k: int) -> Tensor:
    """Add k knots of the grid's mean spacing on each side, as pykan's ``extend_grid``.

    grid: (n, G+1) -> (n, G+1+2k).
    """
    spacing = (grid[:, [-1]] - grid[:, [0]]) / (grid.shape[1] - 1)
    for _ in range(k):
        grid = torch.cat([grid[:, [0]] - spacing, grid, grid[:, [-1]] + spacing], dim=1)
    return grid


def uniform_grid(n_inputs: int, num_intervals: int, k: int, lo: float = -1.0, hi: float = 1.0,
                 dtype: torch.dtype = torch.float32) -> Tensor:
    """pykan's initial grid: ``num_intervals`` (G) equal intervals on [lo, hi], extended by k.

    Returns (n_inputs, G+2k+1).
    """
    if num_intervals < 1:
        raise ValueError(f"num_intervals (G) must be >= 1, got {num_intervals}")
    if k < 0:
        raise ValueError(f"spline order k must be >= 0, got {k}")
    base = torch.linspace(lo, hi, steps=num_intervals + 1, dtype=dtype)[None, :].expand(n_inputs, -1)
    return extend_grid(base, k)


def bspline_basis(x: Tensor, grid: Tensor, k: int) -> Tensor:
    """All order-k B-spline basis functions at x, with pykan's Cox-de Boor arithmetic.

    x: (batch, n), grid: (n, K) with K = G+2k+1 -> (batch, n, G+k).
    Same operations in the same order as pykan's recursive ``B_batch``, so results match bit for bit.
    """
    xs = x.unsqueeze(2)  # (batch, n, 1)
    g = grid.unsqueeze(0)  # (1, n, K)
    basis = ((xs >= g[:, :, :-1]) * (xs < g[:, :, 1:])).to(x.dtype)
    for p in range(1, k + 1):
        left = (xs - g[:, :, : -(p + 1)]) / (g[:, :, p:-1] - g[:, :, : -(p + 1)])
        right = (g[:, :, p + 1:] - xs) / (g[:, :, p + 1:] - g[:, :, 1:-p])
        basis = torch.nan_to_num(left * basis[:, :, :-1] + right * basis[:, :, 1:])
    return basis


def bspline_curves(x: Tensor, grid: Tensor, coef: Tensor, k: int) -> Tensor:
    """Spline part of every edge, sum_i coef[i, o, :] B(x_i).

    x: (batch, n), grid: (n, K), coef: (n, m, G+k) -> (batch, n, m).
    """
    return torch.einsum("bnc,nmc->bnm", bspline_basis(x, grid, k), coef)


def fit_coefficients(x: Tensor, y: Tensor, grid: Tensor, k: int) -> Tensor:
    """Least-squares B-spline coefficients for samples y of each edge, as pykan's ``curve2coef``.

    x: (batch, n), y: (batch, n, m) -> coef (n, m, G+k).
    """
    design = bspline_basis(x, grid, k).permute(1, 0, 2).detach().double().numpy()  # (n, batch, G+k)
    target = y.permute(1, 0, 2).detach().double().numpy()  # (n, batch, m): the m edges of an input share it
    # One minimum-norm solve per input with m right-hand sides, in float64 with numpy's LAPACK: torch's
    # lstsq here (MKL) differs in the last bits from call to call, which LBFGS then amplifies.
    coef = np.stack([np.linalg.lstsq(design[i], target[i], rcond=None)[0] for i in range(len(design))])
    return torch.from_numpy(coef).permute(0, 2, 1).to(y.dtype).contiguous()


def truncated_power_weights(grid: Tensor, k: int) -> Tensor:
    """Weights a with B_i(x) = sum_j a[., i, j] * relu(x - t_j)^k on each input's knots t.

    grid: (n, K) -> (n, K-k-1, K). Row i is nonzero only on knots i .. i+k+1:
    a_ij = (-1)^(k+1) (t_{i+k+1} - t_i) / prod_{l != j} (t_j - t_l), the divided-difference formula
    (with relu(z)^0 read as the step z >= 0). Compute in float64 for an exact rewrite.
    """
    n, n_knots = grid.shape
    n_basis = n_knots - k - 1
    weights = torch.zeros(n, n_basis, n_knots, dtype=grid.dtype)
    sign = (-1.0) ** (k + 1)
    for i in range(n_basis):
        knots = grid[:, i: i + k + 2]  # (n, k+2)
        diffs = knots[:, :, None] - knots[:, None, :]  # t_j - t_l
        diffs = diffs + torch.eye(k + 2, dtype=grid.dtype)  # 1 on the diagonal: leave l == j out
        weights[:, i, i: i + k + 2] = sign * (knots[:, -1:] - knots[:, :1]) / diffs.prod(dim=2)
    return weights


def truncated_powers(x: Tensor, grid: Tensor, k: int) -> Tensor:
    """relu(x_i - t_ij)^k for every input i and knot j: (batch, n), (n, K) -> (batch, n, K)."""
    shifted = torch.relu(x.unsqueeze(2) - grid.unsqueeze(0))
    if k == 0:
        return (x.unsqueeze(2) >= grid.unsqueeze(0)).to(x.dtype)
    return shifted**k

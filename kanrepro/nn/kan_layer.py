"""One KAN layer that owns its state: grid, mask, spline coefficients, scales and pykan's affine node maps.

Edge (input i -> output j), as pykan 0.2.8:
    phi_ij(x) = mask_ij * (scale_base_ij * base(x) + scale_sp_ij * sum_c coef_ijc B_c(x; grid_i))
then every output node sums its edges and applies pykan's affine maps, subnode then node:
    y_j = node_scale_j * (subnode_scale_j * sum_i phi_ij(x_i) + subnode_bias_j) + node_bias_j.
Everything that needs a layer's numbers (the numpy kernel, attribution, the regulariser, the B-spline
rewrite, pykan import/export) reads these attributes; the layer computes its own grid update.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from kanrepro.nn.splines import bspline_basis, extend_grid, fit_coefficients, uniform_grid

AFFINE_TERMS = ("subnode_scale", "subnode_bias", "node_scale", "node_bias")  # (m,) each, pykan's names


class KANLayer(nn.Module):
    """n inputs -> m outputs with G intervals of order-k B-splines per edge.

    Buffers: ``grid`` (n, G+2k+1), ``mask`` (n, m), the affine terms (m,). Parameters: ``coef`` (n, m, G+k),
    ``scale_base`` and ``scale_sp`` (n, m). Initialisation draws from ``generator`` in pykan's order
    (spline noise, then base scales), so a stack of layers starts where pykan's ``KAN(seed=...)`` does.
    """

    def __init__(self, n: int, m: int, num_intervals: int, k: int, generator: torch.Generator,
                 noise_scale: float = 0.3,  # pykan: spline coefficients fit to U(-1/2,1/2)*noise/G
                 scale_base_mu: float = 0.0,  # w_b ~ mu/sqrt(n) + sigma*U(-1,1)/sqrt(n)
                 scale_base_sigma: float = 1.0,
                 grid_range: tuple[float, float] = (-1.0, 1.0),
                 grid_eps: float = 0.02,  # grid update: 1 = uniform, 0 = sample quantiles
                 base_fun: str = "silu",  # 'silu' | 'identity' | 'zero'
                 dtype: torch.dtype = torch.float32):
        super().__init__()
        self.k, self.num_intervals, self.grid_eps, self.base_fun = int(k), int(num_intervals), grid_eps, base_fun
        g = self.num_intervals
        knots = uniform_grid(n, g, self.k, *grid_range, dtype=dtype)
        noise = (torch.rand(g + 1, n, m, generator=generator, dtype=dtype) - 0.5) * noise_scale / g
        scale_base = (scale_base_mu / math.sqrt(n)
                      + scale_base_sigma * (torch.rand(n, m, generator=generator, dtype=dtype) * 2 - 1) / math.sqrt(n))
        self.register_buffer("grid", knots)
        self.register_buffer("mask", torch.ones(n, m, dtype=dtype))
        self.coef = nn.Parameter(fit_coefficients(knots[:, self.k:-self.k].T, noise, knots, self.k))
        self.scale_base = nn.Parameter(scale_base)
        self.scale_sp = nn.Parameter(torch.ones(n, m, dtype=dtype) / math.sqrt(n))
        for name, fill in zip(AFFINE_TERMS, (1.0, 0.0, 1.0, 0.0), strict=True):
            self.register_buffer(name, torch.full((m,), fill, dtype=dtype))

    @property
    def shape(self) -> tuple[int, int]:
        """(inputs, outputs)."""
        return self.mask.shape[0], self.mask.shape[1]

    def basis(self, x: Tensor) -> Tensor:
        """B-spline basis of the inputs: (batch, n) -> (batch, n, G+k)."""
        return bspline_basis(x, self.grid, self.k)

    def base(self, x: Tensor) -> Tensor:
        """The residual branch's function, elementwise."""
        if self.base_fun == "silu":
            return F.silu(x)
        if self.base_fun == "identity":
            return x
        return x * 0.0

    def edges(self, x: Tensor, basis: Tensor | None = None) -> Tensor:
        """Every edge's output phi_ij(x_i): x (batch, n) -> (batch, n, m). For the regulariser and attribution."""
        basis = self.basis(x) if basis is None else basis
        spline = torch.einsum("bnc,nmc->bnm", basis, self.coef)
        return self.mask * (self.scale_base * self.base(x)[:, :, None] + self.scale_sp * spline)

    def affine(self, summed: Tensor) -> Tensor:
        """pykan's subnode then node affine maps on the edge sums: (batch, m) -> (batch, m)."""
        return self.node_scale * (self.subnode_scale * summed + self.subnode_bias) + self.node_bias

    def forward(self, x: Tensor, basis: Tensor | None = None) -> Tensor:
        """x (batch, n) -> (batch, m), the edge sum as two matmuls (base and spline) then the affine maps.

        ``basis`` (batch, n, G+k) may be passed precomputed (e.g. cached for the input layer).
        """
        basis = self.basis(x) if basis is None else basis
        n, m, c = self.coef.shape
        spline_w = (self.coef * (self.scale_sp * self.mask)[:, :, None]).transpose(1, 2).reshape(n * c, m)
        y = self.base(x) @ (self.scale_base * self.mask) + basis.reshape(basis.shape[0], n * c) @ spline_w
        return self.affine(y)

    def regulariser(self, x: Tensor, edges: Tensor, lamb_l1: float, lamb_entropy: float) -> tuple[Tensor, Tensor]:
        """pykan's 'edge_forward_spline_n' terms of this layer, (L1, entropy), from its inputs x (batch, n)
        and their edges (batch, n, m); kept apart so the sum is added in pykan's order."""
        scale = edges.std(dim=0).T / (x.std(dim=0)[None, :] + 0.1)  # (m, n), as pykan's acts_scale_spline
        p_row = scale / (scale.sum(dim=1, keepdim=True) + 1)
        p_col = scale / (scale.sum(dim=0, keepdim=True) + 1)
        ent_row = -torch.mean(torch.sum(p_row * torch.log2(p_row + 1e-4), dim=1))
        ent_col = -torch.mean(torch.sum(p_col * torch.log2(p_col + 1e-4), dim=0))
        return lamb_l1 * scale.sum(), lamb_entropy * (ent_row + ent_col)

    def coef_regulariser(self, lamb_coef: float, lamb_coefdiff: float) -> tuple[Tensor, Tensor]:
        """pykan's coefficient magnitude and smoothness terms of this layer, apart (as :meth:`regulariser`)."""
        return (lamb_coef * self.coef.abs().mean(dim=1).sum(),
                lamb_coefdiff * torch.diff(self.coef).abs().mean(dim=1).sum())

    @torch.no_grad()
    def update_grid(self, x: Tensor) -> None:
        """pykan's ``update_grid_from_samples`` from this layer's inputs x (batch, n): knots from sample
        quantiles (mixed with a uniform grid by ``grid_eps``), then coefficients refit so each spline keeps
        its shape."""
        batch, g = x.shape[0], self.num_intervals
        x_pos = torch.sort(x, dim=0)[0]
        y_eval = torch.einsum("bnc,nmc->bnm", self.basis(x_pos), self.coef)
        ids = [int(batch / g * i) for i in range(g)] + [-1]
        adaptive = x_pos[ids, :].T
        h = (adaptive[:, [-1]] - adaptive[:, [0]]) / g
        uniform = adaptive[:, [0]] + h * torch.arange(g + 1, dtype=x.dtype)[None, :]
        knots = extend_grid(self.grid_eps * uniform + (1 - self.grid_eps) * adaptive, self.k)
        self.grid.copy_(knots)
        self.coef.data = fit_coefficients(x_pos, y_eval, knots, self.k)

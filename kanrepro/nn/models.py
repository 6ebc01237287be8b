"""The model zoo: DeepMind's sigmoid MLP and a KAN that computes exactly what pykan 0.2.8 computes.

KAN edge (input i -> output j of layer l), as pykan:
    phi_ij(x) = mask_ij * (scale_base_ij * silu(x) + scale_sp_ij * sum_c coef_ijc B_c(x; grid_i))
then every node sums its edges and applies pykan's affine maps, subnode then node:
    x_j <- node_scale_j * (subnode_scale_j * sum_i phi_ij(x_i) + subnode_bias_j) + node_bias_j.
The B-splines come from :mod:`kanrepro.nn.splines` (the package's one implementation), evaluated for all
edges of a layer at once; the spline sum is one matmul over (input, basis) pairs.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from kanrepro.nn.splines import (
    bspline_basis,
    extend_grid,
    fit_coefficients,
    uniform_grid,
)

ACTIVATIONS = {"sigmoid": torch.sigmoid, "relu": torch.relu, "tanh": torch.tanh, "silu": F.silu}


class MLP(nn.Module):
    """Dense network: Linear -> activation for each hidden width, then a linear output.

    x: (batch, n_in) -> logits (batch, n_out).
    """

    def __init__(self, n_in: int, hidden: Sequence[int], n_out: int,
                 activation: str = "sigmoid",  # DeepMind: sigmoid
                 init: str = "haiku",  # 'haiku': truncnormal(1/sqrt(fan_in)), zero bias; 'torch': default
                 seed: int | None = 0,  # init seed (own torch.Generator; None = torch default init)
                 dtype: torch.dtype = torch.float32):
        super().__init__()
        self.widths = [n_in, *hidden, n_out]
        self.activation = activation
        self.act = ACTIVATIONS[activation]
        self.layers = nn.ModuleList(nn.Linear(a, b, dtype=dtype) for a, b in zip(self.widths[:-1], self.widths[1:]))
        self.reset_parameters(init, seed)

    def reset_parameters(self, init: str = "haiku", seed: int | None = 0) -> None:
        """(Re)initialise deterministically from ``seed`` with haiku's or torch's Linear init."""
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        with torch.no_grad():
            for layer in self.layers:
                fan_in = layer.weight.shape[1]
                if init == "haiku":
                    std = 1.0 / math.sqrt(fan_in)
                    nn.init.trunc_normal_(layer.weight, std=std, a=-2 * std, b=2 * std, generator=gen)
                    layer.bias.zero_()
                elif init == "torch":
                    bound = 1.0 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) == U(-1/sqrt(fan_in), ..)
                    layer.weight.uniform_(-bound, bound, generator=gen)
                    layer.bias.uniform_(-bound, bound, generator=gen)
                else:
                    raise ValueError(f"unknown init {init!r}")

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        return self.layers[-1](x)


class KAN(nn.Module):
    """pykan-compatible KAN without multiplication nodes or symbolic branch.

    width: node counts [n_0, ..., n_L]; grid: G intervals (int or per layer); k: spline order.
    x: (batch, n_0) -> (batch, n_L). Initialisation draws the same random numbers in the same order as
    pykan's ``KAN(width, grid, k, seed=seed)``, so both start from identical parameters.
    """

    def __init__(self, width: Sequence[int], grid: int | Sequence[int] = 3, k: int = 3,
                 noise_scale: float = 0.3,  # pykan: spline coefficients fit to U(-1/2,1/2)*noise/G
                 scale_base_mu: float = 0.0,  # w_b ~ mu/sqrt(n_in) + sigma*U(-1,1)/sqrt(n_in)
                 scale_base_sigma: float = 1.0,
                 grid_eps: float = 0.02,  # grid update: 1 = uniform, 0 = sample quantiles
                 grid_range: tuple[float, float] = (-1.0, 1.0),
                 base_fun: str = "silu",  # 'silu' | 'identity' | 'zero'
                 seed: int = 1,  # pykan's default seed
                 dtype: torch.dtype = torch.float32):
        super().__init__()
        self.width = list(width)
        self.depth = len(width) - 1
        self.grid_sizes = list(grid) if isinstance(grid, (list, tuple)) else [int(grid)] * self.depth
        self.k = int(k)
        self.grid_eps = grid_eps
        self.base_fun = base_fun
        gen = torch.Generator().manual_seed(seed)
        self.coef, self.scale_base, self.scale_sp = nn.ParameterList(), nn.ParameterList(), nn.ParameterList()
        for l, (n, m) in enumerate(zip(width[:-1], width[1:])):
            g = self.grid_sizes[l]
            knots = uniform_grid(n, g, self.k, *grid_range, dtype=dtype)
            noise = (torch.rand(g + 1, n, m, generator=gen, dtype=dtype) - 0.5) * noise_scale / g
            coef = fit_coefficients(knots[:, self.k:-self.k].T, noise, knots, self.k)
            sb = (scale_base_mu / math.sqrt(n)
                  + scale_base_sigma * (torch.rand(n, m, generator=gen, dtype=dtype) * 2 - 1) / math.sqrt(n))
            self.register_buffer(f"grid_{l}", knots)
            self.register_buffer(f"mask_{l}", torch.ones(n, m, dtype=dtype))
            self.coef.append(nn.Parameter(coef))
            self.scale_base.append(nn.Parameter(sb))
            self.scale_sp.append(nn.Parameter(torch.ones(n, m, dtype=dtype) / math.sqrt(n)))
            for name, fill in (("subnode_scale", 1.0), ("subnode_bias", 0.0), ("node_scale", 1.0), ("node_bias", 0.0)):
                self.register_buffer(f"{name}_{l}", torch.full((m,), fill, dtype=dtype))
        self.register_buffer("input_id", torch.arange(width[0]))

    # -- accessors -------------------------------------------------------------------------------
    def grid(self, l: int) -> Tensor:
        """Knots of layer l: (n_l, G_l + 2k + 1)."""
        return getattr(self, f"grid_{l}")

    def _buf(self, name: str, l: int) -> Tensor:
        return getattr(self, f"{name}_{l}")

    def _base(self, x: Tensor) -> Tensor:
        if self.base_fun == "silu":
            return F.silu(x)
        if self.base_fun == "identity":
            return x
        return x * 0.0

    # -- forward -----------------------------------------------------------------------------------
    def layer_edges(self, l: int, x: Tensor, basis: Tensor | None = None) -> Tensor:
        """Every edge's output phi_ij(x_i) of layer l: x (batch, n) -> (batch, n, m). For the regulariser."""
        if basis is None:
            basis = bspline_basis(x, self.grid(l), self.k)
        spline = torch.einsum("bnc,nmc->bnm", basis, self.coef[l])
        y = self.scale_base[l] * self._base(x)[:, :, None] + self.scale_sp[l] * spline
        return self._buf("mask", l) * y

    def layer(self, l: int, x: Tensor, basis: Tensor | None = None) -> Tensor:
        """Layer l, summed over inputs, with the affine maps: (batch, n) -> (batch, m).

        ``basis`` (batch, n, G+k) may be passed precomputed (e.g. cached for the input layer).
        """
        if basis is None:
            basis = bspline_basis(x, self.grid(l), self.k)
        mask = self._buf("mask", l)
        n, m, c = self.coef[l].shape
        spline_w = (self.coef[l] * (self.scale_sp[l] * mask)[:, :, None]).transpose(1, 2).reshape(n * c, m)
        y = self._base(x) @ (self.scale_base[l] * mask) + basis.reshape(basis.shape[0], n * c) @ spline_w
        y = self._buf("subnode_scale", l) * y + self._buf("subnode_bias", l)
        return self._buf("node_scale", l) * y + self._buf("node_bias", l)

    def forward(self, x: Tensor, basis0: Tensor | None = None) -> Tensor:
        """x: (batch, n_0) -> (batch, n_L). ``basis0``: optional cached basis of the (permuted) inputs."""
        x = x[:, self.input_id]
        for l in range(self.depth):
            x = self.layer(l, x, basis0 if l == 0 else None)
        return x

    def input_basis(self, x: Tensor) -> Tensor:
        """B-spline basis of the inputs for layer 0, to cache across steps: (batch, n_0, G+k)."""
        return bspline_basis(x[:, self.input_id], self.grid(0), self.k)

    def activations(self, x: Tensor) -> list[Tensor]:
        """Inputs of every layer plus the output: [(batch, n_0), ..., (batch, n_L)]."""
        acts = [x[:, self.input_id]]
        for l in range(self.depth):
            acts.append(self.layer(l, acts[-1]))
        return acts

    # -- pykan's regulariser ('edge_forward_spline_n') ------------------------------------------------
    def forward_reg(self, x: Tensor, lamb_l1: float = 1.0, lamb_entropy: float = 2.0, lamb_coef: float = 0.0,
                    lamb_coefdiff: float = 0.0, basis0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Output and pykan's default regularisation term (the ``reg`` that ``fit`` weighs by lamb)."""
        x = x[:, self.input_id]
        reg = x.new_zeros(())
        for l in range(self.depth):
            edges = self.layer_edges(l, x, basis0 if l == 0 else None)  # (batch, n, m)
            scale = edges.std(dim=0).T / (x.std(dim=0)[None, :] + 0.1)  # (m, n), as pykan's acts_scale_spline
            p_row = scale / (scale.sum(dim=1, keepdim=True) + 1)
            p_col = scale / (scale.sum(dim=0, keepdim=True) + 1)
            ent_row = -torch.mean(torch.sum(p_row * torch.log2(p_row + 1e-4), dim=1))
            ent_col = -torch.mean(torch.sum(p_col * torch.log2(p_col + 1e-4), dim=0))
            reg = reg + lamb_l1 * scale.sum() + lamb_entropy * (ent_row + ent_col)
            y = edges.sum(dim=1)
            y = self._buf("subnode_scale", l) * y + self._buf("subnode_bias", l)
            x = self._buf("node_scale", l) * y + self._buf("node_bias", l)
        for coef in self.coef:
            reg = (reg + lamb_coef * coef.abs().mean(dim=1).sum()
                   + lamb_coefdiff * torch.diff(coef).abs().mean(dim=1).sum())
        return x, reg

    # -- grid update ------------------------------------------------------------------------------
    @torch.no_grad()
    def update_grid_from_samples(self, x: Tensor) -> None:
        """pykan's ``update_grid_from_samples``: per layer, knots from sample quantiles (mixed with a
        uniform grid by ``grid_eps``), then refit the coefficients so each spline keeps its shape."""
        for l in range(self.depth):
            acts = self.activations(x)[l]  # inputs of layer l under the already updated earlier layers
            batch = acts.shape[0]
            x_pos = torch.sort(acts, dim=0)[0]
            y_eval = torch.einsum("bnc,nmc->bnm", bspline_basis(x_pos, self.grid(l), self.k), self.coef[l])
            g = self.grid_sizes[l]
            ids = [int(batch / g * i) for i in range(g)] + [-1]
            adaptive = x_pos[ids, :].T
            h = (adaptive[:, [-1]] - adaptive[:, [0]]) / g
            uniform = adaptive[:, [0]] + h * torch.arange(g + 1, dtype=x.dtype)[None, :]
            knots = extend_grid(self.grid_eps * uniform + (1 - self.grid_eps) * adaptive, self.k)
            self.grid(l).copy_(knots)
            self.coef[l].data = fit_coefficients(x_pos, y_eval, knots, self.k)

    # -- import from pykan ---------------------------------------------------------------------------
    @classmethod
    def from_pykan(cls, model: Any) -> KAN:
        """Copy a pykan 0.2.8 ``MultKAN`` (grids, coefficients, scales, masks, affine maps, input order)."""
        if any(isinstance(w, (list, tuple)) and w[1] for w in model.width):
            raise NotImplementedError("multiplication nodes are not supported")
        for sym in model.symbolic_fun:
            if torch.any(sym.mask != 0):
                raise NotImplementedError("active symbolic functions are not supported")
        width = [w[0] if isinstance(w, (list, tuple)) else int(w) for w in model.width]
        layers = model.act_fun
        ours = cls(width, grid=[layer.num for layer in layers], k=layers[0].k, grid_eps=layers[0].grid_eps,
                   base_fun=model.base_fun_name, dtype=layers[0].coef.dtype)
        with torch.no_grad():
            for l, layer in enumerate(layers):
                if layer.k != ours.k:
                    raise NotImplementedError("per-layer spline orders are not supported")
                ours.grid(l).data = layer.grid.detach().clone()
                ours.coef[l].data = layer.coef.detach().clone()
                ours.scale_base[l].data = layer.scale_base.detach().clone()
                ours.scale_sp[l].data = layer.scale_sp.detach().clone()
                ours._buf("mask", l).copy_(layer.mask)
                ours._buf("subnode_scale", l).copy_(model.subnode_scale[l])
                ours._buf("subnode_bias", l).copy_(model.subnode_bias[l])
                ours._buf("node_scale", l).copy_(model.node_scale[l])
                ours._buf("node_bias", l).copy_(model.node_bias[l])
            ours.input_id = model.input_id.long().clone()
        return ours

    # -- export to pykan -------------------------------------------------------------------------------
    def to_pykan(self) -> Any:
        """This KAN as a pykan 0.2.8 ``MultKAN`` (float32, symbolic branch off until pykan's tools set it),
        e.g. to run pykan's ``auto_symbolic`` on a KAN we trained. Inverse of :meth:`from_pykan`."""
        from kan import KAN as PykanKAN

        theirs = PykanKAN(width=list(self.width), grid=self.grid_sizes[0], k=self.k, grid_eps=self.grid_eps,
                          base_fun=self.base_fun, auto_save=False)
        if len(set(self.grid_sizes)) != 1:
            raise NotImplementedError("pykan's constructor takes one grid size for all layers")
        with torch.no_grad():
            for l, layer in enumerate(theirs.act_fun):
                layer.grid.data = self.grid(l).detach().float().clone()
                layer.coef.data = self.coef[l].detach().float().clone()
                layer.scale_base.data = self.scale_base[l].detach().float().clone()
                layer.scale_sp.data = self.scale_sp[l].detach().float().clone()
                layer.mask.data = self._buf("mask", l).float().clone()
                theirs.subnode_scale[l].data = self._buf("subnode_scale", l).float().clone()
                theirs.subnode_bias[l].data = self._buf("subnode_bias", l).float().clone()
                theirs.node_scale[l].data = self._buf("node_scale", l).float().clone()
                theirs.node_bias[l].data = self._buf("node_bias", l).float().clone()
            theirs.input_id = self.input_id.clone()
        return theirs

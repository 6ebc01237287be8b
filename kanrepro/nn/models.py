"""The model zoo: DeepMind's sigmoid MLP and a KAN that computes exactly what pykan 0.2.8 computes.

The KAN is a list of :class:`~kanrepro.nn.kan_layer.KANLayer` (each owns its grid, mask, coefficients,
scales and affine maps; the edge formula is there) plus pykan's input order, with pykan import/export.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from kanrepro.nn.kan_layer import AFFINE_TERMS, KANLayer

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
        self.layers = nn.ModuleList(nn.Linear(a, b, dtype=dtype) for a, b in pairwise(self.widths))
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
    """pykan-compatible KAN without multiplication nodes or symbolic branch: a list of
    :class:`~kanrepro.nn.kan_layer.KANLayer` and the input order.

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
        grid_sizes = list(grid) if isinstance(grid, (list, tuple)) else [int(grid)] * self.depth
        gen = torch.Generator().manual_seed(seed)
        self.layers = nn.ModuleList(
            KANLayer(n, m, grid_sizes[l], k, gen, noise_scale, scale_base_mu, scale_base_sigma, grid_range, grid_eps,
                     base_fun, dtype)
            for l, (n, m) in enumerate(pairwise(width)))
        self.register_buffer("input_id", torch.arange(width[0]))

    # -- the layers' settings (each layer holds them; one value for the whole KAN) ---------------------
    @property
    def grid_sizes(self) -> list[int]:
        """G of every layer."""
        return [layer.num_intervals for layer in self.layers]

    @property
    def k(self) -> int:
        """Spline order (the same in every layer)."""
        return self.layers[0].k

    @property
    def grid_eps(self) -> float:
        return self.layers[0].grid_eps

    @property
    def base_fun(self) -> str:
        return self.layers[0].base_fun

    # -- forward -----------------------------------------------------------------------------------
    def forward(self, x: Tensor, basis0: Tensor | None = None) -> Tensor:
        """x: (batch, n_0) -> (batch, n_L). ``basis0``: optional cached basis of the (permuted) inputs."""
        x = x[:, self.input_id]
        for l, layer in enumerate(self.layers):
            x = layer(x, basis0 if l == 0 else None)
        return x

    def input_basis(self, x: Tensor) -> Tensor:
        """B-spline basis of the inputs for layer 0, to cache across steps: (batch, n_0, G+k)."""
        return self.layers[0].basis(x[:, self.input_id])

    def activations(self, x: Tensor) -> list[Tensor]:
        """Inputs of every layer plus the output: [(batch, n_0), ..., (batch, n_L)]."""
        acts = [x[:, self.input_id]]
        for layer in self.layers:
            acts.append(layer(acts[-1]))
        return acts

    def forward_reg(self, x: Tensor, lamb_l1: float = 1.0, lamb_entropy: float = 2.0, lamb_coef: float = 0.0,
                    lamb_coefdiff: float = 0.0, basis0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Output and pykan's default regularisation term ('edge_forward_spline_n', the ``reg`` that ``fit``
        weighs by lamb), summed over layers in pykan's order."""
        x = x[:, self.input_id]
        reg = x.new_zeros(())
        for l, layer in enumerate(self.layers):
            edges = layer.edges(x, basis0 if l == 0 else None)  # (batch, n, m)
            l1, entropy = layer.regulariser(x, edges, lamb_l1, lamb_entropy)
            reg = reg + l1 + entropy
            x = layer.affine(edges.sum(dim=1))
        for layer in self.layers:
            size, smoothness = layer.coef_regulariser(lamb_coef, lamb_coefdiff)
            reg = reg + size + smoothness
        return x, reg

    @torch.no_grad()
    def update_grid_from_samples(self, x: Tensor) -> None:
        """pykan's ``update_grid_from_samples``: each layer's grid from its inputs under the already updated
        earlier layers (:meth:`KANLayer.update_grid`)."""
        acts = x[:, self.input_id]
        for l, layer in enumerate(self.layers):
            layer.update_grid(acts)
            if l < self.depth - 1:
                acts = layer(acts)  # the next layer's inputs, through this layer's updated grid

    # -- import from / export to pykan ---------------------------------------------------------------
    @classmethod
    def from_pykan(cls, model: Any) -> KAN:
        """Copy a pykan 0.2.8 ``MultKAN`` (grids, coefficients, scales, masks, affine maps, input order)."""
        if any(isinstance(w, (list, tuple)) and w[1] for w in model.width):
            raise NotImplementedError("multiplication nodes are not supported")
        for sym in model.symbolic_fun:
            if torch.any(sym.mask != 0):
                raise NotImplementedError("active symbolic functions are not supported")
        width = [w[0] if isinstance(w, (list, tuple)) else int(w) for w in model.width]
        theirs = model.act_fun
        ours = cls(width, grid=[layer.num for layer in theirs], k=theirs[0].k, grid_eps=theirs[0].grid_eps,
                   base_fun=model.base_fun_name, dtype=theirs[0].coef.dtype)
        with torch.no_grad():
            for l, (layer, their) in enumerate(zip(ours.layers, theirs, strict=True)):
                if their.k != ours.k:
                    raise NotImplementedError("per-layer spline orders are not supported")
                for name in ("grid", "coef", "scale_base", "scale_sp"):
                    getattr(layer, name).data = getattr(their, name).detach().clone()
                layer.mask.copy_(their.mask)
                for name in AFFINE_TERMS:
                    getattr(layer, name).copy_(getattr(model, name)[l])
            ours.input_id = model.input_id.long().clone()
        return ours

    def to_pykan(self) -> Any:
        """This KAN as a pykan 0.2.8 ``MultKAN`` (float32, symbolic branch off until pykan's tools set it),
        e.g. to run pykan's ``auto_symbolic`` on a KAN we trained. Inverse of :meth:`from_pykan`."""
        from kan import KAN as PykanKAN

        theirs = PykanKAN(width=list(self.width), grid=self.grid_sizes[0], k=self.k, grid_eps=self.grid_eps,
                          base_fun=self.base_fun, auto_save=False)
        if len(set(self.grid_sizes)) != 1:
            raise NotImplementedError("pykan's constructor takes one grid size for all layers")
        with torch.no_grad():
            for l, (layer, their) in enumerate(zip(self.layers, theirs.act_fun, strict=True)):
                for name in ("grid", "coef", "scale_base", "scale_sp", "mask"):
                    getattr(their, name).data = getattr(layer, name).detach().float().clone()
                for name in AFFINE_TERMS:
                    getattr(theirs, name)[l].data = getattr(layer, name).float().clone()
            theirs.input_id = self.input_id.clone()
        return theirs

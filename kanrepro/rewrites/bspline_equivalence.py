"""pykan's B-spline KAN layer, rewritten exactly as an MLP with relu(x - t)^k and SiLU units.

An edge of pykan 0.2.8 is phi(x) = w_b * silu(x) + w_s * sum_c coef_c B_c(x) with order-k B-splines
on the input's extended grid t_0 < ... < t_{G+2k}. Each B_c is a finite sum of truncated powers
(divided differences): B_c(x) = sum_j a_cj relu(x - t_j)^k. So with per-input knot units
u_ij = relu(x_i - t_ij)^k and one SiLU unit per input, every edge is a linear combination of units that
depend only on its input, and the layer is expand -> shift -> (relu^k | silu) -> Linear.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from kanrepro.nn.kan_layer import KANLayer
from kanrepro.nn.models import KAN
from kanrepro.nn.splines import bspline_curves, truncated_power_weights, uniform_grid
from kanrepro.rewrites.equivalence import (
    RELU_POWER,
    SILU,
    LayerRewrite,
    MixedActivation,
    RewrittenMLP,
    copy_matrix,
    stack_rewrites,
)


@dataclass
class BSplineKANLayer:
    """pykan's KANLayer forward as plain tensors (n inputs, m outputs, G intervals, order k).

    grid: (n, G+2k+1); coef: (n, m, G+k); scale_base (w_b), scale_sp (w_s): (n, m); bias: (m,) or None,
    added to every output (the shift of pykan's affine node maps).
    """

    grid: Tensor
    coef: Tensor
    scale_base: Tensor
    scale_sp: Tensor
    k: int
    bias: Tensor | None = None

    def __post_init__(self) -> None:
        n, n_knots = self.grid.shape
        if self.coef.shape[0] != n or self.coef.shape[2] != n_knots - self.k - 1:
            raise ValueError(f"coef must have shape ({n}, m, {n_knots - self.k - 1}) for this grid and k={self.k},"
                             f" got {tuple(self.coef.shape)}")
        if self.scale_base.shape != self.coef.shape[:2] or self.scale_sp.shape != self.coef.shape[:2]:
            raise ValueError("scale_base and scale_sp must have shape (n, m) like coef[:, :, 0]")

    @classmethod
    def random(cls, n_in: int, n_out: int, num_intervals: int, k: int, lo: float = -1.0, hi: float = 1.0,
               generator: torch.Generator | None = None,
               dtype: torch.dtype = torch.float64) -> BSplineKANLayer:
        """Random coefficients and scales on pykan's uniform extended grid."""
        grid = uniform_grid(n_in, num_intervals, k, lo, hi, dtype=dtype)

        def draw(*shape: int) -> Tensor:
            return torch.randn(*shape, generator=generator, dtype=dtype)

        return cls(grid, draw(n_in, n_out, num_intervals + k), draw(n_in, n_out), draw(n_in, n_out), k)

    @classmethod
    def from_pykan(cls, layer: torch.nn.Module, dtype: torch.dtype = torch.float64) -> BSplineKANLayer:
        """Copy a ``kan.KANLayer`` (pykan 0.2.8); its mask is folded into both scales."""
        mask = layer.mask.detach().to(dtype)

        def take(t: Tensor) -> Tensor:
            return t.detach().to(dtype).clone()

        return cls(take(layer.grid), take(layer.coef), take(layer.scale_base) * mask,
                   take(layer.scale_sp) * mask, int(layer.k))

    @classmethod
    def from_kan_layer(cls, layer: KANLayer, dtype: torch.dtype = torch.float64) -> BSplineKANLayer:
        """Read one of our :class:`~kanrepro.nn.kan_layer.KANLayer` (SiLU base): the mask and the affine maps'
        scale folded into both scales, their shift into ``bias``."""
        if layer.base_fun != "silu":
            raise ValueError(f"the rewrite has SiLU units; this layer's base function is {layer.base_fun!r}")
        with torch.no_grad():
            out_scale = (layer.node_scale * layer.subnode_scale).to(dtype)  # (m,)
            weight = layer.mask.to(dtype) * out_scale[None, :]  # (n, m)
            bias = (layer.node_scale * layer.subnode_bias + layer.node_bias).to(dtype)
            return cls(layer.grid.to(dtype).clone(), layer.coef.to(dtype).clone(),
                       layer.scale_base.to(dtype) * weight, layer.scale_sp.to(dtype) * weight, layer.k, bias)

    @property
    def num_intervals(self) -> int:
        return self.grid.shape[1] - 2 * self.k - 1

    def forward(self, x: Tensor) -> Tensor:
        """x: (batch, n) -> (batch, m), y_o = sum_i phi_io(x_i)."""
        spline = bspline_curves(x, self.grid, self.coef, self.k)  # (batch, n, m)
        base = torch.nn.functional.silu(x).unsqueeze(2)  # (batch, n, 1)
        out = (self.scale_base * base + self.scale_sp * spline).sum(dim=1)
        return out if self.bias is None else out + self.bias

    def parameter_count(self) -> int:
        """Trainable numbers of the layer: coefficients + w_b + w_s, n * m * (G + k + 2)."""
        return self.coef.numel() + self.scale_base.numel() + self.scale_sp.numel()

    def to_mlp_layer(self) -> LayerRewrite:
        """The exact rewrite: per input, G+2k+1 units relu(x - t_j)^k and one SiLU unit."""
        n, n_knots = self.grid.shape
        m, dtype = self.coef.shape[1], self.coef.dtype
        power_weights = truncated_power_weights(self.grid.to(dtype), self.k)  # (n, G+k, K)
        knot_weights = torch.einsum("nmc,ncj->mnj", self.coef, power_weights) * self.scale_sp.T[:, :, None]
        out_weight = torch.cat([knot_weights, self.scale_base.T[:, :, None]], dim=2)  # (m, n, K+1)
        units = n_knots + 1
        shift = torch.cat([-self.grid.to(dtype), torch.zeros(n, 1, dtype=dtype)], dim=1)  # (n, K+1)
        kinds = torch.full((n, units), RELU_POWER)
        kinds[:, -1] = SILU
        return LayerRewrite(
            expand=copy_matrix(n, units, dtype),
            shift=shift.reshape(-1),
            activation=MixedActivation(kinds.reshape(-1), power=self.k),
            out_weight=out_weight.reshape(m, n * units),
            out_bias=torch.zeros(m, dtype=dtype) if self.bias is None else self.bias.to(dtype),
        )


def bspline_kan_to_mlp(layers: list[BSplineKANLayer]) -> RewrittenMLP:
    """A stack of pykan-form KAN layers as one MLP (Linear first) with relu^k and SiLU units."""
    powers = {layer.k for layer in layers}
    if len(powers) != 1:
        raise ValueError(f"all layers must share the spline order k to share one relu^k, got {sorted(powers)}")
    return stack_rewrites([layer.to_mlp_layer() for layer in layers])


def kan_to_bspline_layers(model: KAN, dtype: torch.dtype = torch.float64) -> list[BSplineKANLayer]:
    """Our :class:`~kanrepro.nn.models.KAN` as rewritable layers; its input order is folded into the first
    layer (row ``i`` of layer 0 reads feature ``input_id[i]``), so the stack takes the features as given."""
    layers = [BSplineKANLayer.from_kan_layer(layer, dtype) for layer in model.layers]
    order = model.input_id.long()
    if sorted(order.tolist()) != list(range(model.width[0])):
        raise ValueError(f"input_id must be a permutation of 0..{model.width[0] - 1}, got {order.tolist()}")
    first, inverse = layers[0], torch.argsort(order)
    layers[0] = BSplineKANLayer(first.grid[inverse], first.coef[inverse], first.scale_base[inverse],
                                first.scale_sp[inverse], first.k, first.bias)
    return layers


def bspline_kan_forward(layers: list[BSplineKANLayer], x: Tensor) -> Tensor:
    """Run a stack of B-spline KAN layers: x (batch, n_0) -> (batch, n_L)."""
    for layer in layers:
        x = layer.forward(x)
    return x


def rewrite_parameter_counts(n_in: int, n_out: int, num_intervals: int, k: int) -> dict[str, int]:
    """Parameter counts of one B-spline KAN layer and of its MLP rewrite.

    kan: coefficients + w_b + w_s; mlp_free: the rewrite's output Linear (weights + bias), which holds
    every trainable number (expand and shift are fixed by the grid); mlp_hidden_units: n * (G+2k+2).
    """
    units_per_input = num_intervals + 2 * k + 2
    return {
        "kan": n_in * n_out * (num_intervals + k + 2),
        "mlp_free": n_out * n_in * units_per_input + n_out,
        "mlp_hidden_units": n_in * units_per_input,
    }

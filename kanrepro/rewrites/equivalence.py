"""KAN <-> MLP rewrites for piecewise-linear KANs, exact, with parameter counts.

Claim C2 ("KAN is just MLP", see ../shared/reference/claims.md): a KAN layer whose edges are
piecewise linear on a shared grid equals expand -> shift -> ReLU -> Linear. Stacking layers and
merging each layer's output Linear with the next layer's expand gives an MLP that starts with a Linear.
The B-spline (pykan) rewrite lives in ``bspline_equivalence.py`` and reuses ``LayerRewrite`` here.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import torch
from torch import Tensor

IDENTITY, RELU_POWER, SILU = 0, 1, 2  # activation kinds of hidden units


@dataclass
class MixedActivation:
    """Per-unit activation: identity, relu(z)**power, or silu(z), chosen by ``kinds`` (units,)."""

    kinds: Tensor  # (units,) int codes IDENTITY / RELU_POWER / SILU
    power: int = 1  # exponent of the relu units (1 = plain ReLU)

    def __call__(self, z: Tensor) -> Tensor:
        relu_part = torch.relu(z) ** self.power if self.power != 1 else torch.relu(z)
        out = torch.where(self.kinds == RELU_POWER, relu_part, z)
        return torch.where(self.kinds == SILU, torch.nn.functional.silu(z), out)

    def describe(self) -> str:
        names = {IDENTITY: "identity", RELU_POWER: "relu" if self.power == 1 else f"relu^{self.power}",
                 SILU: "silu"}
        counts = {names[int(c)]: int((self.kinds == c).sum()) for c in torch.unique(self.kinds)}
        return ", ".join(f"{n} x{c}" for n, c in counts.items())


@dataclass
class RewrittenMLP:
    """Linear -> act -> Linear -> ... -> Linear. weights[l]: (out_l, in_l), biases[l]: (out_l,)."""

    weights: list[Tensor]
    biases: list[Tensor]
    activations: list[MixedActivation]  # one per hidden layer: len(weights) - 1

    def forward(self, x: Tensor) -> Tensor:
        """x: (batch, in) -> (batch, out)."""
        h = x @ self.weights[0].T + self.biases[0]
        for act, weight, bias in zip(self.activations, self.weights[1:], self.biases[1:], strict=True):
            h = act(h) @ weight.T + bias
        return h

    @property
    def widths(self) -> list[int]:
        """Layer widths, input first: [in, hidden_1, ..., out]."""
        return [self.weights[0].shape[1]] + [w.shape[0] for w in self.weights]

    def dense_parameter_count(self) -> int:
        """Weights + biases of an unconstrained MLP of this shape."""
        return sum(w.numel() + b.numel() for w, b in zip(self.weights, self.biases, strict=True))


@dataclass
class LayerRewrite:
    """One KAN layer as expand (fixed) -> shift (fixed) -> activation -> Linear (the edge parameters).

    expand: (units, n) 0/1 copy matrix; shift: (units,); out_weight: (m, units); out_bias: (m,).
    """

    expand: Tensor
    shift: Tensor
    activation: MixedActivation
    out_weight: Tensor
    out_bias: Tensor

    def forward(self, x: Tensor) -> Tensor:
        """x: (batch, n) -> (batch, m)."""
        return self.activation(x @ self.expand.T + self.shift) @ self.out_weight.T + self.out_bias


def stack_rewrites(layers: list[LayerRewrite]) -> RewrittenMLP:
    """Merge each layer's output Linear with the next layer's expand + shift into one Linear."""
    weights, biases = [layers[0].expand], [layers[0].shift]
    for prev, nxt in pairwise(layers):
        weights.append(nxt.expand @ prev.out_weight)
        biases.append(nxt.expand @ prev.out_bias + nxt.shift)
    weights.append(layers[-1].out_weight)
    biases.append(layers[-1].out_bias)
    return RewrittenMLP(weights, biases, [layer.activation for layer in layers])


def copy_matrix(n_inputs: int, copies: int, dtype: torch.dtype) -> Tensor:
    """(n_inputs * copies, n_inputs) matrix repeating each input ``copies`` times, input-major."""
    return torch.repeat_interleave(torch.eye(n_inputs, dtype=dtype), copies, dim=0)


@dataclass
class PiecewiseLinearKANLayer:
    """KAN layer with piecewise-linear edges on one shared grid of ``pieces`` intervals.

    Edge (o, i) interpolates ``values[o, i, :]`` at ``knots`` and extends its end pieces linearly.
    knots: (pieces + 1,) increasing; values: (m, n, pieces + 1).
    """

    knots: Tensor
    values: Tensor

    def __post_init__(self) -> None:
        if self.knots.ndim != 1 or len(self.knots) < 2:
            raise ValueError(f"knots must be 1-D with >= 2 entries, got shape {tuple(self.knots.shape)}")
        if not bool((self.knots[1:] > self.knots[:-1]).all()):
            raise ValueError("knots must be strictly increasing")
        if self.values.ndim != 3 or self.values.shape[2] != len(self.knots):
            raise ValueError(f"values must have shape (m, n, {len(self.knots)}), got {tuple(self.values.shape)}")

    @classmethod
    def random(cls, n_in: int, n_out: int, pieces: int, lo: float = -1.0, hi: float = 1.0,
               generator: torch.Generator | None = None,
               dtype: torch.dtype = torch.float64) -> PiecewiseLinearKANLayer:
        """Uniform grid on [lo, hi], edge values ~ N(0, 1)."""
        if pieces < 1:
            raise ValueError(f"pieces (k) must be >= 1, got {pieces}")
        knots = torch.linspace(lo, hi, pieces + 1, dtype=dtype)
        return cls(knots, torch.randn(n_out, n_in, pieces + 1, generator=generator, dtype=dtype))

    @property
    def pieces(self) -> int:
        return len(self.knots) - 1

    def slopes(self) -> Tensor:
        """(m, n, pieces) slope of each edge on each piece."""
        return self.values.diff(dim=2) / self.knots.diff()

    def edge_values(self, x: Tensor) -> Tensor:
        """phi_oi(x_i) by interpolation: x (batch, n) -> (batch, m, n)."""
        piece = torch.searchsorted(self.knots[1:-1].contiguous(), x.contiguous(), right=True)  # (batch, n)
        m = self.values.shape[0]
        index = piece.unsqueeze(1).expand(-1, m, -1).unsqueeze(3)  # (batch, m, n, 1)
        start = self.values.unsqueeze(0).expand(x.shape[0], -1, -1, -1).gather(3, index)[..., 0]
        slope = self.slopes().unsqueeze(0).expand(x.shape[0], -1, -1, -1).gather(3, index)[..., 0]
        return start + slope * (x - self.knots[piece]).unsqueeze(1)

    def forward(self, x: Tensor) -> Tensor:
        """x: (batch, n) -> (batch, m), y_o = sum_i phi_oi(x_i)."""
        return self.edge_values(x).sum(dim=2)

    def parameter_count(self) -> int:
        """Free parameters as stored: n * m * (pieces + 1) knot values."""
        return self.values.numel()

    def seed_parameter_count(self) -> int:
        """The seed notebook's count n * m * k (per-edge intercepts are redundant within a sum)."""
        m, n, _ = self.values.shape
        return n * m * self.pieces

    def to_relu(self) -> LayerRewrite:
        """The exact rewrite: per input, x - t_0 (kept linear) and relu(x - t_j), j = 1..k-1.

        phi(x) = v_0 + s_1 (x - t_0) + sum_j (s_{j+1} - s_j) relu(x - t_j): k units per input.
        """
        m, n, _ = self.values.shape
        k, dtype = self.pieces, self.values.dtype
        slopes = self.slopes()  # (m, n, k)
        unit_weights = torch.cat([slopes[:, :, :1], slopes.diff(dim=2)], dim=2)  # (m, n, k)
        kinds = torch.full((k,), RELU_POWER)
        kinds[0] = IDENTITY
        return LayerRewrite(
            expand=copy_matrix(n, k, dtype),
            shift=(-self.knots[:-1]).repeat(n),
            activation=MixedActivation(kinds.repeat(n)),
            out_weight=unit_weights.reshape(m, n * k),
            out_bias=self.values[:, :, 0].sum(dim=1),
        )


def pl_kan_to_mlp(layers: list[PiecewiseLinearKANLayer]) -> RewrittenMLP:
    """A stack of piecewise-linear KAN layers as one MLP (Linear first)."""
    return stack_rewrites([layer.to_relu() for layer in layers])


def pl_kan_forward(layers: list[PiecewiseLinearKANLayer], x: Tensor) -> Tensor:
    """Run a stack of KAN layers: x (batch, n_0) -> (batch, n_L)."""
    for layer in layers:
        x = layer.forward(x)
    return x


def relu_mlp_to_pl_kan(weights: list[Tensor], biases: list[Tensor]) -> list[PiecewiseLinearKANLayer]:
    """Any ReLU MLP (Linear -> ReLU -> ... -> Linear) as a KAN with piecewise-linear edges.

    KAN layer l computes the MLP's pre-activation z_l. Layer 1's edges are linear,
    phi_ji(x) = W_ji x + b_j / n; later edges are phi_oj(z) = W_oj relu(z) + b_o / n, exact on the
    shared grid (-1, 0, 1) (the kink sits on knot 0; outside the grid the end pieces extend linearly).
    """
    if len(weights) != len(biases) or not weights:
        raise ValueError("weights and biases must be non-empty lists of the same length")
    dtype = weights[0].dtype
    knots = torch.tensor([-1.0, 0.0, 1.0], dtype=dtype)
    layers = []
    for index, (weight, bias) in enumerate(zip(weights, biases, strict=True)):
        n_in = weight.shape[1]
        node_input = knots if index == 0 else torch.relu(knots)  # what the edge sees at each knot
        values = weight.unsqueeze(2) * node_input + (bias / n_in)[:, None, None]
        layers.append(PiecewiseLinearKANLayer(knots.clone(), values))
    return layers

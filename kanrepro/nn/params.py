"""Parameter audit: one model, every counting convention of ``claims.md`` side by side.

Conventions (keys of the dict returned by :func:`param_counts`):

- ``weights_and_biases``: MLP weights + biases (what DeepMind/CompactNet count). None for KANs.
- ``spline_coefficients``: KAN edges * (G + k), the B-spline coefficients only.
- ``spline_plus_scales``: + w_b and w_s per edge, edges * (G + k + 2).
- ``pykan_trainable``: what pykan 0.2.8 marks ``requires_grad``: coef + scale_base + scale_sp + the unused
  symbolic ``affine`` (4 per edge), + node/subnode scale and bias if ``affine_trainable``.
- ``kanbefair``: KANbeFair's formula, sum over layers din*dout*(G+k+2) + dout + din*dout.
- ``torch_trainable``: sum of ``numel`` of the module's ``requires_grad`` parameters (any nn.Module).

For an MLP the KAN conventions are None and vice versa; ``torch_trainable`` is always filled.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from torch import nn

CONVENTIONS = ("weights_and_biases", "spline_coefficients", "spline_plus_scales", "pykan_trainable",
               "kanbefair", "torch_trainable")


def mlp_counts(widths: Sequence[int]) -> dict[str, int | None]:
    """Counts for a dense MLP with layer widths ``[in, *hidden, out]`` (weights + biases)."""
    total = sum((a + 1) * b for a, b in pairwise(widths))
    counts: dict[str, int | None] = dict.fromkeys(CONVENTIONS)
    counts["weights_and_biases"] = total
    counts["torch_trainable"] = total
    return counts


def kan_counts(width: Sequence[int], grid: int | Sequence[int], k: int | Sequence[int],
               affine_trainable: bool = False) -> dict[str, int | None]:
    """Counts for a KAN of node widths ``[n_0, ..., n_L]`` with G=``grid`` intervals and order k.

    ``grid``/``k`` may be per layer (lists), as pykan allows. ``torch_trainable`` is filled with
    our KAN's trainable tensors (coef, scale_base, scale_sp), i.e. the ``spline_plus_scales`` count.
    """
    depth = len(width) - 1
    grids = list(grid) if isinstance(grid, (list, tuple)) else [grid] * depth
    orders = list(k) if isinstance(k, (list, tuple)) else [k] * depth
    coef = scales = affine = fair = nodes = 0
    for (din, dout), g, kk in zip(pairwise(width), grids, orders, strict=True):
        edges = din * dout
        coef += edges * (g + kk)
        scales += 2 * edges
        affine += 4 * edges  # symbolic branch c*f(a*x+b)+d, trainable although unused
        fair += edges * (g + kk + 2) + dout + edges
        nodes += 2 * dout + 2 * dout  # node scale/bias + subnode scale/bias (no mult nodes)
    counts: dict[str, int | None] = dict.fromkeys(CONVENTIONS)
    counts["spline_coefficients"] = coef
    counts["spline_plus_scales"] = coef + scales
    counts["pykan_trainable"] = coef + scales + affine + (nodes if affine_trainable else 0)
    counts["kanbefair"] = fair
    counts["torch_trainable"] = coef + scales
    return counts


def torch_trainable(module: nn.Module) -> int:
    """Sum of numel over parameters with ``requires_grad`` (pykan's own notion of 'trainable')."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def param_counts(model: Any) -> dict[str, int | None]:
    """Every convention for ``model``: our MLP / KAN, a pykan ``MultKAN``, or any ``nn.Module``.

    For a pykan model ``pykan_trainable`` and ``torch_trainable`` are measured on the live model.
    """
    from kanrepro.nn.models import KAN, MLP  # local: models imports nothing from here

    if isinstance(model, MLP):
        counts = mlp_counts(model.widths)
    elif isinstance(model, KAN):
        counts = kan_counts(model.width, model.grid_sizes, model.k)
    elif type(model).__name__ == "MultKAN":  # pykan, without importing it
        width = [w[0] if isinstance(w, (list, tuple)) else w for w in model.width]
        if any(isinstance(w, (list, tuple)) and w[1] for w in model.width):
            raise NotImplementedError("pykan multiplication nodes are not audited")
        grids = [layer.num for layer in model.act_fun]
        orders = [layer.k for layer in model.act_fun]
        counts = kan_counts(width, grids, orders, affine_trainable=model.affine_trainable)
        counts["pykan_trainable"] = torch_trainable(model)
        counts["torch_trainable"] = counts["pykan_trainable"]
    elif isinstance(model, nn.Module):
        counts = dict.fromkeys(CONVENTIONS)
        counts["torch_trainable"] = torch_trainable(model)
    else:
        raise TypeError(f"cannot audit {type(model).__name__}")
    return counts

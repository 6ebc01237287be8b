"""Feature attribution: DeepMind's gradient saliency (Fig. 2a) and pykan's KAN feature scores.

- :func:`saliency`: DeepMind's ``knot_theory.ipynb`` exactly:
  ``np.mean(np.abs(jax.grad(loss_fn)(params, train_X, train_y)), axis=0)`` where ``loss_fn`` is the *batch
  mean* of the (masked) softmax cross-entropy the model was trained on. So each row's gradient carries a
  1/N factor; ``per_row=True`` multiplies it back (mean over rows of |d loss_i / d x_i|). Any ``nn.Module``.
- :func:`normalised_saliency`: DeepMind's plot divides by the **max** (``x / max(sorted_saliencies)``).
- :func:`kan_feature_scores`: what pykan 0.2.8's ``model.feature_score`` returns after ``model(X)``
  (``MultKAN.forward`` stores activation stds, ``MultKAN.attribute`` propagates scores from the outputs).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from kanrepro.nn.models import KAN
from kanrepro.train.records import EVAL_CHUNK, masked_cross_entropy


def saliency(model: nn.Module, X: Tensor | np.ndarray, y: Tensor | np.ndarray, per_row: bool = False,
             chunk: int = EVAL_CHUNK) -> np.ndarray:
    """Mean over rows of |d loss / d x| per feature, loss = mean masked cross-entropy over all rows of X.

    X (rows, n_features) normalised as the model saw it, y (rows,) class indices (an out-of-range label,
    e.g. DeepMind's unreachable top class, has an all-zero one-hot and contributes zero loss/gradient).
    Returns raw means (n_features,) float64. Rows do not interact, so chunks give the same gradient.
    """
    X = torch.as_tensor(X)
    y = torch.as_tensor(y, dtype=torch.long)
    n = len(X)
    dtype = next(model.parameters()).dtype
    total = torch.zeros(X.shape[1], dtype=torch.float64)
    for a in range(0, n, chunk):
        xb = X[a:a + chunk].to(dtype).detach().requires_grad_(True)
        yb = y[a:a + chunk]
        loss = masked_cross_entropy(model(xb), yb) * (len(xb) / n)  # this chunk's share of the mean loss
        (grad,) = torch.autograd.grad(loss, xb)
        total += grad.abs().sum(dim=0).double()
    out = (total / n).numpy()
    return out * n if per_row else out


def normalised_saliency(values: np.ndarray) -> np.ndarray:
    """Saliencies divided by their maximum (DeepMind's Fig. 2a / notebook plot): the top feature is 1."""
    values = np.asarray(values, dtype=np.float64)
    return values / values.max()


@torch.no_grad()
def kan_attribution(model: KAN, X: Tensor | np.ndarray) -> dict[str, list[np.ndarray]]:
    """pykan's ``attribute()`` on our KAN after a forward pass on X.

    Per layer l: edge scale E_l = std over rows of every edge's output phi_ij (out, in), node scale
    s_l = std of each output node's edge sum (before the affine maps). Scores start at the identity on
    the outputs and go back: edge[k, i, j] = E[i, j] * node[k, i] / (s[i] + 1e-4); node[k, j] = sum_i edge.
    Returns ``node_scores`` [(n_0,), ..., (n_L,)] and ``edge_scores`` [(n_1, n_0), ...], averaged over the
    output k as pykan does. Node order is the model's (after ``input_id``), as pykan's.
    """
    X = torch.as_tensor(X).to(model.layers[0].grid.dtype)
    x = X[:, model.input_id]
    edge_scale, node_scale = [], []
    for layer in model.layers:
        edges = layer.edges(x)  # (batch, n, m)
        summed = edges.sum(dim=1)
        edge_scale.append(edges.std(dim=0).T)  # (m, n)
        node_scale.append(summed.std(dim=0))  # (m,)
        x = layer.affine(summed)
    node = torch.eye(model.width[-1], dtype=x.dtype)
    nodes, edges_out = [node], []
    for l in range(model.depth - 1, -1, -1):
        edge = edge_scale[l][None] * node[:, :, None] / (node_scale[l] + 1e-4)[None, :, None]  # (k, m, n)
        node = edge.sum(dim=1)
        edges_out.append(edge)
        nodes.append(node)
    return {"node_scores": [s.mean(dim=0).numpy() for s in reversed(nodes)],
            "edge_scores": [e.mean(dim=0).numpy() for e in reversed(edges_out)]}


def kan_feature_scores(model: KAN, X: Tensor | np.ndarray) -> np.ndarray:
    """pykan 0.2.8's ``model.feature_score`` (after ``model(X)``): one score per input node, (n_0,)."""
    return kan_attribution(model, X)["node_scores"][0]

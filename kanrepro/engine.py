"""Fast training kernels in numpy: hand-written forward/backward and Adam, no autograd.

Used where per-step overhead dominates (batch 64, tiny models): the KAN under Adam and S stacked MLPs
(the vectorised ensemble). Each kernel is checked against torch autograd + ``torch.optim.Adam`` in the
tests. Conventions: ``theta`` is a flat float array (rows = copies for stacks), named views into it
hold the parameters, gradients are written into the matching views of ``grad``.
"""
from __future__ import annotations

import numpy as np
import torch

from kanrepro.models import KAN


class BatchSampler:
    """Batches of distinct row indices (like DeepMind's ``df.sample(64)``), one seeded stream per run.

    Draws ``block`` steps at once with ``rng.integers`` and redraws any batch with a repeated row, so a
    seed gives the same batch sequence whether a run is trained alone or inside an ensemble.
    """

    def __init__(self, seed: int, n_rows: int, batch_size: int, block: int = 512):
        self.rng = np.random.default_rng(seed)
        self.n, self.batch, self.block = n_rows, min(batch_size, n_rows), block
        self._buf, self._pos = np.empty((0, self.batch), dtype=np.int64), 0

    def _refill(self) -> None:
        buf = self.rng.integers(0, self.n, size=(self.block, self.batch))
        srt = np.sort(buf, axis=1)
        for row in np.flatnonzero((srt[:, 1:] == srt[:, :-1]).any(axis=1)):
            buf[row] = self.rng.choice(self.n, self.batch, replace=False)
        self._buf, self._pos = buf, 0

    def next(self) -> np.ndarray:
        """Indices of the next batch: (batch_size,) int64."""
        if self._pos == len(self._buf):
            self._refill()
        self._pos += 1
        return self._buf[self._pos - 1]


def masked_xent(logits: np.ndarray, y: np.ndarray, want_grad: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """DeepMind's softmax cross-entropy: labels outside [0, n_out) have an all-zero one-hot (loss 0).

    logits (..., B, m), y (..., B) -> per-stack mean loss (...), d loss / d logits (..., B, m).
    """
    m = logits.shape[-1]
    valid = (y >= 0) & (y < m)
    yc = np.where(valid, y, 0)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=-1, keepdims=True)
    logp_y = np.take_along_axis(shifted, yc[..., None], axis=-1)[..., 0] - np.log(s[..., 0])
    loss = -(logp_y * valid).mean(axis=-1)
    if not want_grad:
        return loss, None
    grad = e / s
    np.put_along_axis(grad, yc[..., None], np.take_along_axis(grad, yc[..., None], axis=-1) - 1, axis=-1)
    grad *= (valid / y.shape[-1])[..., None]
    return loss, grad


class Adam:
    """torch.optim.Adam's single-tensor update on rows of a flat array; ``rows`` limits it to active copies."""

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        self.lr, (self.b1, self.b2), self.eps = lr, betas, eps
        self.m, self.v, self.t = np.zeros(shape, dtype), np.zeros(shape, dtype), 0

    def step(self, theta: np.ndarray, grad: np.ndarray, rows: np.ndarray | None = None) -> None:
        self.t += 1
        bc1, bc2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        if rows is None:
            m, v, th = self.m, self.v, theta
            m += (1 - self.b1) * (grad - m)
            v *= self.b2
            v += (1 - self.b2) * grad * grad
            th -= (self.lr / bc1) * m / (np.sqrt(v) / np.sqrt(bc2) + self.eps)
        else:
            g = grad[rows]
            m = self.m[rows] + (1 - self.b1) * (g - self.m[rows])
            v = self.v[rows] * self.b2 + (1 - self.b2) * g * g
            self.m[rows], self.v[rows] = m, v
            theta[rows] -= (self.lr / bc1) * m / (np.sqrt(v) / np.sqrt(bc2) + self.eps)


# ---------------------------------------------------------------------------------------------------
# KAN: one model, cached input-layer basis, manual backward through the B-spline recursion.
# ---------------------------------------------------------------------------------------------------
def basis_and_slope(x: np.ndarray, grid: np.ndarray, k: int, inv: list[tuple[np.ndarray, np.ndarray]],
                    slope: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Cox-de Boor basis (B, n, C) of x (B, n) and, optionally, its derivative d B / d x.

    ``inv[p]`` holds 1/(t_{i+p}-t_i) and 1/(t_{i+p+1}-t_{i+1}) (0 where a knot span is empty).
    """
    xs, g = x[:, :, None], grid[None]
    b = ((xs >= g[:, :, :-1]) & (xs < g[:, :, 1:])).astype(x.dtype)
    prev = b
    for p in range(1, k + 1):
        i1, i2 = inv[p]
        prev = b
        b = (xs - g[:, :, : -(p + 1)]) * i1 * b[:, :, :-1] + (g[:, :, p + 1:] - xs) * i2 * b[:, :, 1:]
    if not slope:
        return b, None
    if k == 0:
        return b, np.zeros_like(b)
    i1, i2 = inv[k]
    return b, k * (prev[:, :, :-1] * i1 - prev[:, :, 1:] * i2)


def inverse_spans(grid: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Reciprocal knot spans for :func:`basis_and_slope`, per recursion level p = 1..k."""
    out: list[tuple[np.ndarray, np.ndarray]] = [(np.empty(0), np.empty(0))]
    with np.errstate(divide="ignore"):
        for p in range(1, k + 1):
            d1, d2 = grid[:, p:-1] - grid[:, : -(p + 1)], grid[:, p + 1:] - grid[:, 1:-p]
            out.append((np.where(d1 != 0, 1 / d1, 0).astype(grid.dtype), np.where(d2 != 0, 1 / d2, 0).astype(grid.dtype)))
    return out


class KANKernel:
    """Numpy copy of a :class:`~kanrepro.models.KAN`'s parameters with loss+gradient in one call.

    Parameters live in the flat ``theta``; :meth:`write_back` copies them into the torch model.
    Supports ``base_fun='silu'`` and any depth; the affine node maps are treated as constants.
    """

    def __init__(self, model: KAN):
        if model.base_fun != "silu":
            raise NotImplementedError("fast KAN kernel supports base_fun='silu' only")
        self.model, self.k, self.depth = model, model.k, model.depth
        tensors = [t for l in range(self.depth) for t in (model.coef[l], model.scale_base[l], model.scale_sp[l])]
        self.dtype = tensors[0].detach().numpy().dtype
        sizes = [t.numel() for t in tensors]
        self.theta = np.concatenate([t.detach().numpy().ravel() for t in tensors]).astype(self.dtype)
        self.grad = np.zeros_like(self.theta)
        offs = np.cumsum([0, *sizes])
        views = [(slice(a, b), t.shape) for a, b, t in zip(offs[:-1], offs[1:], tensors)]
        self._views = views
        self.p = [tuple(self.theta[s].reshape(shape) for s, shape in views[3 * l: 3 * l + 3]) for l in range(self.depth)]
        self.g = [tuple(self.grad[s].reshape(shape) for s, shape in views[3 * l: 3 * l + 3]) for l in range(self.depth)]
        self._memo: tuple | None = None
        self.refresh_constants()

    def refresh_constants(self) -> None:
        """Re-read grids, masks and affine maps (after a grid update)."""
        m = self.model
        self.grids = [m.grid(l).detach().numpy().copy() for l in range(self.depth)]
        self.inv = [inverse_spans(g, self.k) for g in self.grids]
        self.mask = [m._buf("mask", l).detach().numpy().copy() for l in range(self.depth)]
        self.scale = [(m._buf("node_scale", l) * m._buf("subnode_scale", l)).detach().numpy().copy() for l in range(self.depth)]
        self.shift = [(m._buf("node_scale", l) * m._buf("subnode_bias", l) + m._buf("node_bias", l)).detach().numpy().copy()
                      for l in range(self.depth)]
        self.input_id = m.input_id.numpy().copy()

    def reload(self) -> None:
        """Copy the torch model's parameters (and constants) into ``theta``."""
        m = self.model
        tensors = [t for l in range(self.depth) for t in (m.coef[l], m.scale_base[l], m.scale_sp[l])]
        for (s, _), t in zip(self._views, tensors):
            self.theta[s] = t.detach().numpy().ravel()
        self.refresh_constants()

    def write_back(self) -> None:
        """Copy ``theta`` into the torch model's parameters."""
        m = self.model
        tensors = [t for l in range(self.depth) for t in (m.coef[l], m.scale_base[l], m.scale_sp[l])]
        with torch.no_grad():
            for (s, shape), t in zip(self._views, tensors):
                t.copy_(torch.from_numpy(self.theta[s].reshape(shape).copy()))

    def bind(self) -> None:
        """Make the torch model's parameters (and their .grad) share memory with ``theta``/``grad``,
        so a torch optimizer (e.g. LBFGS) can drive :meth:`loss_grad` directly."""
        m = self.model
        tensors = [t for l in range(self.depth) for t in (m.coef[l], m.scale_base[l], m.scale_sp[l])]
        for (s, shape), t in zip(self._views, tensors):
            t.data = torch.from_numpy(self.theta[s].reshape(shape))
            t.grad = torch.from_numpy(self.grad[s].reshape(shape))

    def input_basis(self, X: np.ndarray) -> np.ndarray:
        """Layer-0 basis of all rows, to cache between grid updates: (rows, n_0, C)."""
        return basis_and_slope(X[:, self.input_id], self.grids[0], self.k, self.inv[0], False)[0]

    def forward(self, x: np.ndarray, basis0: np.ndarray | None = None) -> np.ndarray:
        """Logits (B, n_L) of x (B, n_0) (already permuted by input_id when basis0 is given)."""
        return self._run(x, basis0, None)[0]

    def loss_grad(self, x: np.ndarray, y: np.ndarray, basis0: np.ndarray | None = None) -> float:
        """Mean masked cross-entropy of a batch; fills ``self.grad``."""
        logits, cache = self._run(x, basis0, True)
        loss, dlogits = masked_xent(logits, y)
        dout = dlogits
        for l in reversed(range(self.depth)):
            xin, sig, s, bflat, slope = cache[l]
            coef, sb, sp = self.p[l]
            gcoef, gsb, gsp = self.g[l]
            mask = self.mask[l]
            n, m_, c = coef.shape
            dz = dout * self.scale[l]
            gsb[...] = (s.T @ dz) * mask
            dW = (bflat.T @ dz).reshape(n, c, m_).transpose(0, 2, 1)  # (n, m, C)
            spm = sp * mask
            gcoef[...] = dW * spm[:, :, None]
            gsp[...] = (dW * coef).sum(axis=2) * mask
            if l > 0:
                W = (coef * spm[:, :, None]).transpose(0, 2, 1).reshape(n * c, m_)
                dsil = sig * (1 + xin * (1 - sig))
                dout = (dz @ (sb * mask).T) * dsil + ((dz @ W.T).reshape(-1, n, c) * slope).sum(axis=2)
        return float(loss)

    def _run(self, x, basis0, keep):
        cache = []
        if basis0 is None:
            x = x[:, self.input_id]
        for l in range(self.depth):
            coef, sb, sp = self.p[l]
            mask = self.mask[l]
            n, m_, c = coef.shape
            if l == 0 and basis0 is not None:
                b, slope = basis0, None
            else:
                b, slope = basis_and_slope(x, self.grids[l], self.k, self.inv[l], bool(keep) and l > 0)
            if l == 0 and self._memo is not None and self._memo[0] is x:
                sig, s = self._memo[1], self._memo[2]  # same input array as last call (LBFGS re-evaluations)
            else:
                sig = 1 / (1 + np.exp(-x))
                s = x * sig
                if l == 0:
                    self._memo = (x, sig, s)
            bflat = b.reshape(b.shape[0], n * c)
            W = (coef * (sp * mask)[:, :, None]).transpose(0, 2, 1).reshape(n * c, m_)
            z = s @ (sb * mask) + bflat @ W
            if keep:
                cache.append((x, sig, s, bflat, slope))
            x = z * self.scale[l] + self.shift[l]
        return x, cache


# ---------------------------------------------------------------------------------------------------
# S stacked MLPs (the ensemble): weights (S, a, b), biases (S, b), one flat (S, P) array.
# ---------------------------------------------------------------------------------------------------
class MLPStack:
    """S MLPs of identical shape stacked along a leading axis; activation 'sigmoid' | 'relu' | 'tanh'."""

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray], activation: str = "sigmoid"):
        self.S = weights[0].shape[0]
        self.activation = activation
        shapes = [w.shape[1:] for w in weights] + [b.shape[1:] for b in biases]
        sizes = [int(np.prod(s)) for s in shapes]
        self.theta = np.concatenate([a.reshape(self.S, -1) for a in (*weights, *biases)], axis=1)
        self.grad = np.zeros_like(self.theta)
        offs = np.cumsum([0, *sizes])
        L = len(weights)
        view = lambda arr, i: arr[:, offs[i]:offs[i + 1]].reshape(self.S, *shapes[i])
        self.W = [view(self.theta, i) for i in range(L)]
        self.b = [view(self.theta, L + i) for i in range(L)]
        self._slices = [(offs[i], offs[i + 1], shapes[i]) for i in range(2 * L)]

    def refresh_views(self) -> None:
        """Rebuild views (needed only if ``theta`` is replaced, not when updated in place)."""
        L = len(self.W)
        self.W = [self.theta[:, a:b].reshape(self.S, *s) for a, b, s in self._slices[:L]]
        self.b = [self.theta[:, a:b].reshape(self.S, *s) for a, b, s in self._slices[L:]]

    def _act(self, z):
        if self.activation == "sigmoid":
            return 1 / (1 + np.exp(-z))
        if self.activation == "relu":
            return np.maximum(z, 0)
        return np.tanh(z)

    def _dact(self, h):  # derivative from the activation's output
        if self.activation == "sigmoid":
            return h * (1 - h)
        if self.activation == "relu":
            return (h > 0).astype(h.dtype)
        return 1 - h * h

    def forward(self, x: np.ndarray, keep: bool = False):
        """x: (S, B, n_in) or shared (B, n_in) -> logits (S, B, n_out)."""
        hs = [x]
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            z = np.matmul(hs[-1], W) + b[:, None, :]
            hs.append(self._act(z) if i < len(self.W) - 1 else z)
        return (hs[-1], hs) if keep else hs[-1]

    def loss_grad(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per-copy batch loss (S,) for x (S, B, n_in), y (S, B); fills ``self.grad`` (S, P)."""
        logits, hs = self.forward(x, keep=True)
        loss, d = masked_xent(logits, y)
        L = len(self.W)
        for i in reversed(range(L)):
            a, b_, _ = self._slices[i]
            self.grad[:, a:b_] = np.matmul(hs[i].transpose(0, 2, 1), d).reshape(self.S, -1)
            a, b_, _ = self._slices[L + i]
            self.grad[:, a:b_] = d.sum(axis=1)
            if i > 0:
                d = np.matmul(d, self.W[i].transpose(0, 2, 1)) * self._dact(hs[i])
        return loss

"""The fast KAN kernel in numpy: forward, manual backward and pykan's regulariser, no autograd.

One :class:`~kanrepro.nn.models.KAN`'s parameters are copied into a flat ``theta``; :meth:`KANKernel.loss_grad`
returns the loss (+ lamb * pykan's regulariser) and fills ``grad``, for the DeepMind loop (Adam, batch 64)
and pykan's LBFGS fit. Checked against torch autograd in the tests. Run it inside
:func:`kanrepro.train.engine.single_threaded`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from kanrepro.nn.models import KAN
from kanrepro.train.engine import masked_xent


# ---------------------------------------------------------------------------------------------------
# KAN: one model, rows as columns ("feature-major": arrays are (features, rows), so every reduction and
# basis slice runs over contiguous rows), cached layer-0 inputs, manual backward, pykan's regulariser.
# ---------------------------------------------------------------------------------------------------
def basis_and_slope(x: np.ndarray, grid: np.ndarray, k: int, inv: list[tuple[np.ndarray, np.ndarray]],
                    slope: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Cox-de Boor basis (n, C, B) of x (n, B) and, optionally, its derivative d B / d x (n, C, B).

    ``inv[p]`` holds 1/(t_{i+p}-t_i) and 1/(t_{i+p+1}-t_{i+1}) as (n, K-p-1, 1) (0 where a span is empty).
    """
    xs, g = x[:, None, :], grid[:, :, None]
    b = ((xs >= g[:, :-1]) & (xs < g[:, 1:])).astype(x.dtype)
    prev = b
    for p in range(1, k + 1):
        i1, i2 = inv[p]
        prev = b
        b = (xs - g[:, : -(p + 1)]) * i1 * b[:, :-1] + (g[:, p + 1:] - xs) * i2 * b[:, 1:]
    if not slope:
        return b, None
    if k == 0:
        return b, np.zeros_like(b)
    i1, i2 = inv[k]
    return b, k * (prev[:, :-1] * i1 - prev[:, 1:] * i2)


def inverse_spans(grid: np.ndarray, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Reciprocal knot spans for :func:`basis_and_slope`, per recursion level p = 1..k."""
    out: list[tuple[np.ndarray, np.ndarray]] = [(np.empty(0), np.empty(0))]
    with np.errstate(divide="ignore"):
        for p in range(1, k + 1):
            d1, d2 = grid[:, p:-1] - grid[:, : -(p + 1)], grid[:, p + 1:] - grid[:, 1:-p]
            out.append(tuple(np.where(d != 0, 1 / d, 0).astype(grid.dtype)[:, :, None] for d in (d1, d2)))
    return out


class Inputs:
    """Layer-0 quantities of a set of rows, cached between grid updates: x, silu(x) (n, B), basis (n, C, B)."""

    def __init__(self, x: np.ndarray, silu: np.ndarray, basis: np.ndarray):
        self.x, self.silu, self.basis, self._cov, self._sx = x, silu, basis, None, None

    def take(self, idx: np.ndarray) -> Inputs:
        """The cache of a subset of rows (a batch)."""
        return Inputs(self.x[:, idx], self.silu[:, idx], self.basis[:, :, idx])

    def std_x(self) -> np.ndarray:
        """Per input, the std over rows of x (ddof 1, as torch.std)."""
        if self._sx is None:
            self._sx = self.x.astype(np.float64).std(axis=1, ddof=1)
        return self._sx

    def cov(self) -> np.ndarray:
        """Per input, the (1+C, 1+C) covariance over rows of [silu, basis] (float64; for the regulariser)."""
        if self._cov is None:
            d = np.concatenate([self.silu[:, None], self.basis], axis=1).astype(np.float64)
            d -= d.mean(axis=2, keepdims=True)
            self._cov = np.matmul(d, d.transpose(0, 2, 1)) / (d.shape[2] - 1)
        return self._cov


class BatchInputs:
    """Layer-0 inputs of batches of the rows X (rows, n_0) under the kernel's current grid.

    A grid made at step s (:meth:`regrid`; s = -1 before training) serves ``batch`` rows per step until the
    next of ``grid_steps`` (or ``n_steps``): if that is fewer rows than X has, each batch is computed on its
    own rows, else all rows once, stored row by row so that a batch is a gather of whole rows. Either way a
    batch comes in the memory layout of ``kern.inputs(X).take(idx)`` (row index outermost): the values are
    elementwise, and the layout fixes how the kernel's matrix products round, so every path gives the same
    bits; only the cost differs.
    """

    def __init__(self, kern: KANKernel, X: np.ndarray, grid_steps: list[int], n_steps: int, batch: int):
        self.kern, self.X, self.rows = kern, X, None
        self.grid_steps, self.n_steps, self.batch_rows = grid_steps, n_steps, batch

    def regrid(self, step: int) -> None:
        """The kernel's grid is the one made at ``step`` (-1: the initial grid)."""
        later = [s for s in self.grid_steps if s > step]
        rows_ahead = self.batch_rows * ((later[0] if later else self.n_steps) - max(step, 0))
        self.rows = self._row_major(self.kern.inputs(self.X)) if rows_ahead >= len(self.X) else None

    @staticmethod
    def _row_major(inputs: Inputs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """x, silu (rows, n) and basis (rows, n, C), each row contiguous."""
        return inputs.x.T.copy(), inputs.silu.T.copy(), inputs.basis.transpose(2, 0, 1).copy()

    def batch(self, idx: np.ndarray) -> Inputs:
        """The cache of rows ``idx`` (B,): x, silu (n, B), basis (n, C, B), views of row-major arrays."""
        x, silu, basis = self.rows if self.rows is not None else self._row_major(self.kern.inputs(self.X[idx]))
        if self.rows is not None:
            x, silu, basis = x[idx], silu[idx], basis[idx]
        return Inputs(x.T, silu.T, basis.transpose(1, 2, 0))


@dataclass(frozen=True)
class Reg:
    """pykan's regulariser ('edge_forward_spline_n') weights; the objective is loss + lamb * reg."""
    lamb: float = 0.0
    l1: float = 1.0
    entropy: float = 2.0
    coef: float = 0.0
    coefdiff: float = 0.0


def _entropy_grad(scale: np.ndarray, axis: int) -> tuple[float, np.ndarray]:
    """-mean over the other axis of sum_axis p log2(p + 1e-4), p = scale / (sum_axis scale + 1); and its gradient."""
    denom = scale.sum(axis=axis, keepdims=True) + 1
    p = scale / denom
    ent = -float(np.mean(np.sum(p * np.log2(p + 1e-4), axis=axis)))
    u = np.log2(p + 1e-4) + p / ((p + 1e-4) * np.log(2))
    grad = -(u - (u * p).sum(axis=axis, keepdims=True)) / denom / scale.shape[1 - axis]
    return ent, grad


def reg_scale_grad(sd: np.ndarray, sx: np.ndarray, r: Reg) -> tuple[float, np.ndarray, np.ndarray]:
    """One layer's pykan regulariser from edge stds sd (n, m) and input stds sx (n,): value, d/d sd, d/d sx."""
    scale = sd.T / (sx[None, :] + 0.1)  # (m, n), pykan's acts_scale_spline
    e_row, g_row = _entropy_grad(scale, 1)
    e_col, g_col = _entropy_grad(scale, 0)
    dscale = r.l1 + r.entropy * (g_row + g_col)
    value = r.l1 * float(scale.sum()) + r.entropy * (e_row + e_col)
    return value, (dscale / (sx[None, :] + 0.1)).T, -(dscale * scale).sum(axis=0) / (sx + 0.1)


class KANKernel:
    """Numpy copy of a :class:`~kanrepro.nn.models.KAN`'s parameters with loss (+ lamb * pykan's regulariser)
    and gradient in one call. Parameters live in the flat ``theta``; :meth:`write_back` copies them into
    the torch model. base_fun 'silu' only; the affine node maps are constants.
    """

    def __init__(self, model: KAN):
        if model.base_fun != "silu":
            raise NotImplementedError("fast KAN kernel supports base_fun='silu' only")
        self.model, self.k, self.depth = model, model.k, model.depth
        tensors = self._tensors()
        self.dtype = tensors[0].detach().numpy().dtype
        offs = np.cumsum([0, *[t.numel() for t in tensors]])
        self._views = [(slice(a, b), t.shape) for a, b, t in zip(offs[:-1], offs[1:], tensors, strict=True)]
        self.theta = np.concatenate([t.detach().numpy().ravel() for t in tensors]).astype(self.dtype)
        self.grad = np.zeros_like(self.theta)
        v = self._views
        self.p = [tuple(self.theta[s].reshape(sh) for s, sh in v[3 * l: 3 * l + 3]) for l in range(self.depth)]
        self.g = [tuple(self.grad[s].reshape(sh) for s, sh in v[3 * l: 3 * l + 3]) for l in range(self.depth)]
        self.refresh_constants()

    def _tensors(self):
        m = self.model
        return [t for layer in m.layers for t in (layer.coef, layer.scale_base, layer.scale_sp)]

    def refresh_constants(self) -> None:
        """Re-read grids, masks and affine maps (after a grid update)."""
        m, np_ = self.model, (lambda t: t.detach().numpy().copy())
        self.grids = [np_(layer.grid) for layer in m.layers]
        self.inv = [inverse_spans(g, self.k) for g in self.grids]
        self.mask = [np_(layer.mask) for layer in m.layers]
        self.scale = [np_(layer.node_scale * layer.subnode_scale)[:, None] for layer in m.layers]
        self.shift = [np_(layer.node_scale * layer.subnode_bias + layer.node_bias)[:, None] for layer in m.layers]
        self.input_id = m.input_id.numpy().copy()

    def reload(self) -> None:
        """Copy the torch model's parameters (and constants) into ``theta``."""
        for (s, _), t in zip(self._views, self._tensors(), strict=True):
            self.theta[s] = t.detach().numpy().ravel()
        self.refresh_constants()

    def write_back(self) -> None:
        """Copy ``theta`` into the torch model's parameters."""
        with torch.no_grad():
            for (s, shape), t in zip(self._views, self._tensors(), strict=True):
                t.copy_(torch.from_numpy(self.theta[s].reshape(shape).copy()))

    def update_grid(self, x: torch.Tensor) -> None:
        """The model's grid update from rows x (rows, n_0) (it reads the current coefficients), then reload."""
        self.write_back()
        self.model.update_grid_from_samples(x)
        self.reload()

    def inputs(self, X: np.ndarray) -> Inputs:
        """Layer-0 cache of rows X (rows, n_0) in the caller's feature order (input_id applied here)."""
        x = np.ascontiguousarray(X[:, self.input_id].T, dtype=self.dtype)
        return Inputs(x, x / (1 + np.exp(-x)), basis_and_slope(x, self.grids[0], self.k, self.inv[0], False)[0])

    def forward(self, X: np.ndarray | None = None, cache: Inputs | None = None) -> np.ndarray:
        """Logits (B, n_L) of rows X (B, n_0), or of a layer-0 cache."""
        return self._run(cache if cache is not None else self.inputs(X), False)[0].T

    def loss_grad(self, X: np.ndarray | None, y: np.ndarray, cache: Inputs | None = None, reg: Reg = Reg(),
                  loss_fn: str = "xent") -> float:
        """Loss (+ reg.lamb * pykan's regulariser) of rows X or ``cache``; fills ``grad``.

        loss_fn 'xent': mean masked cross-entropy, y (B,) classes; 'mse': mean squared error over rows and
        outputs, y (B, n_L) real targets.
        """
        cache = cache if cache is not None else self.inputs(X)
        logits, saved = self._run(cache, True)
        if loss_fn not in ("xent", "mse"):
            raise ValueError(f"loss_fn must be 'xent' or 'mse', got {loss_fn!r}")
        if loss_fn == "mse":
            diff = logits - y.T
            loss, dout = float(np.mean(diff * diff)), diff * diff.dtype.type(2 / diff.size)
        else:
            loss, dout = masked_xent(logits.T, y)  # logits are class-major (m, B): dout.T is (m, B) again
            loss, dout = float(loss), dout.T
        self.grad[:] = 0
        lamb = reg.lamb
        for l in reversed(range(self.depth)):
            x, sig, s, basis, slope = saved[l]
            (coef, sb, sp), (gcoef, gsb, gsp), mask = self.p[l], self.g[l], self.mask[l]
            n, m, c = coef.shape
            sbm, spm = sb * mask, sp * mask
            dz = dout * self.scale[l]
            bflat = basis.reshape(n * c, -1)
            gsb += (s @ dz.T) * mask
            dW = (dz @ bflat.T).reshape(m, n, c).transpose(1, 0, 2)  # (n, m, C)
            dx = None
            if l > 0:
                W = (coef * spm[:, :, None]).transpose(1, 0, 2).reshape(m, n * c)
                dsil = sig * (1 + x * (1 - sig))
                dx = (sbm @ dz) * dsil + ((W.T @ dz).reshape(n, c, -1) * slope).sum(axis=1)
            if lamb:
                loss += lamb * self._reg_layer(l, cache, saved[l], dW, dx, reg)
            gcoef += dW * spm[:, :, None]
            gsp += (dW * coef).sum(axis=2) * mask
            dout = dx
        if lamb and (reg.coef or reg.coefdiff):
            for l in range(self.depth):
                coef, gcoef = self.p[l][0], self.g[l][0]
                d = np.diff(coef, axis=2)
                loss += lamb * (reg.coef * float(np.abs(coef).mean(axis=1).sum())
                                + reg.coefdiff * float(np.abs(d).mean(axis=1).sum()))
                gcoef += lamb * reg.coef * np.sign(coef) / coef.shape[1]
                sd = lamb * reg.coefdiff * np.sign(d) / coef.shape[1]
                gcoef[:, :, 1:] += sd
                gcoef[:, :, :-1] -= sd
        return loss

    def _reg_layer(self, l, cache, saved, dW, dx, reg):
        """Layer l's regulariser: value; adds its gradient to g[l] (sb directly, coef/sp through dW) and dx."""
        x, sig, s, basis, slope = saved
        (coef, sb, sp), gsb, mask = self.p[l], self.g[l][1], self.mask[l]
        w = np.concatenate([(sb * mask)[:, :, None], coef * (sp * mask)[:, :, None]], axis=2)  # (n, m, 1+C)
        if l == 0:  # fixed inputs: edge std from the cached covariance of [silu, basis]
            cw = np.matmul(w.astype(np.float64), cache.cov())  # (n, m, 1+C)
            sd = np.sqrt(np.maximum((cw * w).sum(axis=2), 0))
            value, dsd, _ = reg_scale_grad(sd, cache.std_x(), reg)
            dw = reg.lamb * (dsd / np.where(sd > 0, sd, np.inf))[:, :, None] * cw
        else:
            a = np.concatenate([s[:, None], basis], axis=1)  # (n, 1+C, B): [silu, basis] of each input
            edges = np.matmul(w, a)  # (n, m, B): every edge's output
            B = edges.shape[2]
            ec = edges - edges.mean(axis=2, keepdims=True)
            sd = np.sqrt((ec * ec).sum(axis=2) / (B - 1))
            xc = x - x.mean(axis=1, keepdims=True)
            sx = np.sqrt((xc * xc).sum(axis=1) / (B - 1))
            value, dsd, dsx = reg_scale_grad(sd.astype(np.float64), sx.astype(np.float64), reg)
            R = (reg.lamb * dsd / np.where(sd > 0, sd, np.inf) / (B - 1)).astype(x.dtype)[:, :, None] * ec  # d/d edges
            dw = np.matmul(R, a.transpose(0, 2, 1))  # (n, m, 1+C)
            da = np.matmul(w.transpose(0, 2, 1), R)  # (n, 1+C, B): d/d [silu, basis]
            dx += da[:, 0] * sig * (1 + x * (1 - sig)) + (da[:, 1:] * slope).sum(axis=1)
            dx += (reg.lamb * dsx / np.where(sx > 0, sx, np.inf) / (B - 1)).astype(x.dtype)[:, None] * xc
        dw = dw.astype(self.dtype)
        gsb += dw[:, :, 0] * mask
        dW += dw[:, :, 1:]  # d/d (coef * sp * mask) -> coef and sp by the caller's chain rule
        return value

    def _run(self, cache: Inputs, keep: bool):
        saved, x = [], None
        for l in range(self.depth):
            coef, sb, sp = self.p[l]
            mask = self.mask[l]
            n, m, c = coef.shape
            if l == 0:
                sig, s, basis, slope = None, cache.silu, cache.basis, None
            else:
                with np.errstate(over="ignore"):  # exp(-x) = inf for x < -709: sigmoid 0, its limit
                    sig = 1 / (1 + np.exp(-x))
                s = x * sig
                basis, slope = basis_and_slope(x, self.grids[l], self.k, self.inv[l], keep)
            W = (coef * (sp * mask)[:, :, None]).transpose(1, 0, 2).reshape(m, n * c)
            z = (sb * mask).T @ s + W @ basis.reshape(n * c, -1)
            if keep:
                saved.append((x, sig, s, basis, slope))
            x = z * self.scale[l] + self.shift[l]
        return x, saved

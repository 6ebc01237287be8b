# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · "A KAN is just an MLP": the equivalence rewrite, checked
#
# **Claim C2** (Colab "KAN is just MLP", r/MachineLearning thread 1clcu5i, May 2024; formal version:
# Schoots et al., arXiv 2503.01702): a KAN layer whose edges are piecewise linear on a shared grid of
# k pieces (n inputs, m outputs) equals *repeat each input k times → add fixed shifts → ReLU (all copies
# but the first) → one Linear(n·k → m)*. Stacking layers gives an MLP that starts with a Linear.
#
# We check it numerically, count parameters, and go further: pykan's **B-spline** edge
# `w_b·silu(x) + w_s·Σ c_i B_i(x)` rewritten exactly as an MLP with `relu(x − t)^k` and SiLU units, and the
# reverse direction, any ReLU MLP as a KAN. All arithmetic in float64; inputs reach outside the grids.

# %% tags=["parameters"]
k: int = 3  # pieces per piecewise-linear edge, as in the seed (allowed: ≥ 1)
widths: list[int] = [4, 5, 3]  # KAN layer widths for the parameter table (allowed: len ≥ 2, ≥ 1)
G: int = 5  # B-spline grid intervals, pykan's `grid` (allowed: ≥ 1)
spline_order: int = 3  # B-spline order, pykan's `k` (allowed: 1..5)
n_trials: int = 100  # random models per rewrite check (allowed: ≥ 1)
n_samples: int = 1000  # random inputs per model (allowed: ≥ 1)
input_scale: float = 3.0  # inputs ~ U(-s, s) while grids cover [-1, 1] (allowed: > 1)
seed: int = 0  # fixes every random draw (allowed: 0..4294967295)

# %%
import time

import matplotlib.pyplot as plt
import pandas as pd
import torch

from kanrepro.pipeline.notebook_params import check_notebook_parameters
from kanrepro.results import save_figure, write_results
from kanrepro.rewrites import bspline_equivalence as bse
from kanrepro.rewrites import rewrite_checks as checks

parameters = check_notebook_parameters(globals(), "01_kan_is_mlp")
started = time.time()
torch.set_default_dtype(torch.float64)

# %% [markdown]
# ## The seed's example edge
# The seed writes f(x) = 2x (x < 0), 0.5x (0 ≤ x < 1), 2x − 2.5 (x ≥ 1) and rewrites it as
# 2x − 1.5·relu(x) + 1.5·relu(x − 1). The ReLU expression equals 2x − **1.5** for x ≥ 1, so the third
# piece as written (2x − 2.5) does not match it: the piecewise formula as printed jumps by −1 at x = 1,
# and no ReLU network (a continuous function) can equal it. With the continuous third piece 2x − 1.5 the
# rewrite is exact. We plot all three.

# %%
x_line = torch.linspace(-2, 3, 1001)
edge = checks.seed_example(x_line)
seed_diff_as_written = float((edge["as_written"] - edge["relu_form"]).abs().max())
seed_diff_continuous = float((edge["continuous"] - edge["relu_form"]).abs().max())
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(x_line, edge["as_written"], lw=4, alpha=0.35, label="as written: …, 2x − 2.5 for x ≥ 1")
ax.plot(x_line, edge["relu_form"], "k--", label="2x − 1.5·relu(x) + 1.5·relu(x − 1)")
for knot in (0, 1):
    ax.axvline(knot, color="grey", lw=0.5)
ax.set(xlabel="x", ylabel="f(x)", title="The seed's example edge and its ReLU rewrite")
ax.legend(fontsize=8)
save_figure(fig, "01_seed_example")
print(f"max |as written - ReLU form| = {seed_diff_as_written:.3g};"
      f" max |continuous version - ReLU form| = {seed_diff_continuous:.3g}")

# %% [markdown]
# ## Piecewise-linear KAN → MLP, and back
# Our piecewise-linear edge stores its values at the k + 1 knots of the layer's grid and extends its end
# pieces linearly. With slopes s_1..s_k it equals v_0 + s_1 (x − t_0) + Σ_j (s_{j+1} − s_j) relu(x − t_j):
# k units per input (the first one linear), then a Linear layer. The reverse: each MLP pre-activation
# z_l = W_l relu(z_{l−1}) + b_l is a KAN layer whose edges are W_l[o, j]·relu(z) + b_l[o]/n, piecewise
# linear on the grid (−1, 0, 1).

# %%
max_diff_pl, rel_diff_pl = checks.max_diff_pl_kan_to_mlp(n_trials, seed, max_pieces=max(k, 8),
                                                          n_samples=n_samples, input_scale=input_scale)
max_diff_mlp_kan, rel_diff_mlp_kan = checks.max_diff_mlp_to_kan(n_trials, seed + 1, n_samples=n_samples,
                                                                input_scale=input_scale)
print(f"{n_trials} random PL-KAN stacks:  max |KAN - MLP rewrite| = {max_diff_pl:.3g} (relative {rel_diff_pl:.2g})")
print(f"{n_trials} random ReLU MLPs:     max |MLP - KAN rewrite| = {max_diff_mlp_kan:.3g}"
      f" (relative {rel_diff_mlp_kan:.2g})")
pl_table = pd.DataFrame(checks.pl_parameter_table(widths, k)).set_index("layer")
pl_table

# %% [markdown]
# `kan_knot_values` is what our layer stores (k + 1 values per edge); the seed counts n·m·k because the
# per-edge intercepts of a sum collapse into one bias per output (`mlp_free` = n·m·k + m, the rewrite's
# trainable numbers). `mlp_dense` is what an *unconstrained* MLP of the rewrite's shape would have: the KAN
# is an MLP whose merged weight matrices are constrained (each is a fixed copy matrix times a small one).
#
# ## pykan's B-spline edge as an MLP (our derivation)
# On the extended grid t_0 < … < t_{G+2k} of an input, the order-k B-spline B_i lives on t_i … t_{i+k+1}
# and is the divided difference of the truncated power:
#
# $$B_i(x) = (-1)^{k+1}\,(t_{i+k+1}-t_i)\sum_{j=0}^{k+1}\frac{\mathrm{relu}(x-t_{i+j})^k}{\prod_{l\ne j}(t_{i+j}-t_{i+l})}.$$
#
# (The divided difference of (t − x)^k_+ gives B_i; (t − x)^k − (−1)^k (x − t)^k_+ = (t − x)^k_+ is a degree-k
# polynomial in t plus the flipped power, and a (k+1)-th divided difference kills the polynomial.)
# Hence every edge is
#
# $$\phi(x) = w_b\,\mathrm{silu}(x) + \sum_{j=0}^{G+2k} \Big(w_s \sum_i c_i a_{ij}\Big)\,\mathrm{relu}(x-t_j)^k,$$
#
# a linear combination of G + 2k + 2 units that depend on the input only. A layer is therefore
# expand → shift by −t_j → (relu^k | silu) → Linear, and a stack is an MLP with relu^k and SiLU units.
# Outside the grid both sides are exact: B-splines vanish there, and the truncated powers cancel
# (numerically, with rounding that grows like |x|^k). This works for pykan's data-adapted (non-uniform) grids
# too, but the weights a_ij grow like spacing^−k: where pykan's grid update packs knots closely, the
# rewrite stays exact in exact arithmetic and loses a few more digits in float64. We report both cases.

# %%
max_diff_bspline, rel_diff_bspline = checks.max_diff_bspline_kan_to_mlp(
    n_trials, seed + 2, max_order=spline_order, n_samples=n_samples, input_scale=input_scale)
max_diff_bspline_uniform, rel_diff_bspline_uniform = checks.max_diff_bspline_kan_to_mlp(
    n_trials, seed + 3, max_order=spline_order, n_samples=n_samples, input_scale=input_scale, adapted_grids=False)
print(f"{n_trials} random pykan-form KANs, half on data-adapted grids: max |KAN - MLP| = {max_diff_bspline:.3g}"
      f" (relative {rel_diff_bspline:.2g})")
print(f"{n_trials} random pykan-form KANs on uniform grids:            max |KAN - MLP| ="
      f" {max_diff_bspline_uniform:.3g} (relative {rel_diff_bspline_uniform:.2g})")

one = checks.random_pykan_layer(1, 1, G, spline_order, torch.Generator().manual_seed(seed), adapt_grid=False)
rewrite = one.to_mlp_layer()
x_edge = torch.linspace(-3, 3, 1201)[:, None]  # the extended grid ends near ±2.2
units = rewrite.activation(x_edge @ rewrite.expand.T + rewrite.shift) * rewrite.out_weight[0]
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(x_edge[:, 0], one.forward(x_edge)[:, 0], lw=4, alpha=0.35, label="pykan edge φ(x)")
ax.plot(x_edge[:, 0], units.sum(dim=1), "k--", label=f"Σ of {units.shape[1]} MLP units")
for column in range(units.shape[1] - 1):
    ax.plot(x_edge[:, 0], units[:, column], lw=0.6, color="tab:blue", alpha=0.5)
ax.plot(x_edge[:, 0], units[:, -1], lw=0.8, color="tab:orange", label="w_b·silu(x) unit")
for knot in one.grid[0]:
    ax.axvline(float(knot), color="grey", lw=0.4)
ax.set(ylim=(-4, 4), xlabel="x", ylabel="value",
       title=f"One B-spline edge (G={G}, k={spline_order}) and its relu^k reconstruction")
ax.legend(fontsize=8, loc="upper left")
save_figure(fig, "01_bspline_edge")

# %% [markdown]
# ## Parameter counts: KAN layer vs its MLP rewrite
# A KAN layer stores n·m·(G + k + 2) numbers (coefficients, w_b, w_s); its rewrite has n·(G + 2k + 2)
# hidden units and a Linear of m·n·(G + 2k + 2) + m weights. The rewrite costs k extra numbers per edge,
# which matters for coarse grids and fades as G grows.

# %%
count_rows = [{"G": g, "k": order, **bse.rewrite_parameter_counts(17, 14, g, order)}
              for order in (1, 2, 3) for g in range(1, 21)]
counts = pd.DataFrame(count_rows)
counts["ratio"] = counts["mlp_free"] / counts["kan"]
fig, ax = plt.subplots(figsize=(6, 3.5))
for order, group in counts.groupby("k"):
    ax.plot(group["G"], group["ratio"], marker="o", ms=3, label=f"k = {order}")
ax.axhline(1, color="grey", lw=0.5)
ax.set(xlabel="grid intervals G", ylabel="MLP rewrite / KAN parameters",
       title="Cost of the exact rewrite, per layer (17 → 14)")
ax.legend()
save_figure(fig, "01_param_ratio")
example = bse.rewrite_parameter_counts(17, 14, G, spline_order)
print(f"17 -> 14 layer, G={G}, k={spline_order}: KAN {example['kan']}, MLP rewrite {example['mlp_free']}")

# %%
pl_total = pl_table.loc["total"]
results = {
    "max_abs_diff_pl_kan_to_mlp": max_diff_pl,
    "max_abs_diff_bspline_kan_to_mlp": max_diff_bspline,
    "max_abs_diff_mlp_to_kan": max_diff_mlp_kan,
    "max_abs_diff_bspline_uniform_grid": max_diff_bspline_uniform,
    "max_rel_diff_pl_kan_to_mlp": rel_diff_pl,
    "max_rel_diff_bspline_kan_to_mlp": rel_diff_bspline,
    "max_rel_diff_bspline_uniform_grid": rel_diff_bspline_uniform,
    "max_rel_diff_mlp_to_kan": rel_diff_mlp_kan,
    "seed_example_max_abs_diff_as_written": seed_diff_as_written,
    "seed_example_max_abs_diff_continuous": seed_diff_continuous,
    "pl_kan_knot_values": int(pl_total["kan_knot_values"]),
    "pl_seed_count_nmk": int(pl_total["seed_count_nmk"]),
    "pl_mlp_free": int(pl_total["mlp_free"]),
    "pl_mlp_dense": int(pl_total["mlp_dense"]),
    "bspline_layer_kan_params": example["kan"],
    "bspline_layer_mlp_params": example["mlp_free"],
    "n_trials": n_trials,
    "parameters": parameters,
    "wall_seconds": time.time() - started,
}
write_results("01_kan_is_mlp", results)
pd.Series({key: value for key, value in results.items() if key != "parameters"})

# %% [markdown]
# **Reading the numbers.** "Relative" is max |difference| / max |output| per model. Differences at
# float64 rounding level (1e-15 … 1e-9 relative, larger where pykan's adapted grid packs knots closely and
# for inputs far outside the grid, both of which inflate the truncated-power terms) mean the rewrites are exact:
# a piecewise-linear KAN *is* a ReLU MLP with a structured first layer, a ReLU MLP *is* a piecewise-linear
# KAN, and pykan's B-spline KAN *is* an MLP with relu^k and SiLU units. Equivalence of function classes does
# not make the two equally good to *train* or equally cheap per parameter; that is what the knot notebooks test.

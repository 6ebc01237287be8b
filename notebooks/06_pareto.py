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
# # 06 · Accuracy per parameter: MLPs and KANs of many sizes, one protocol, many seeds
#
# The headline comparison ("KAN: 81.6% with ~200 parameters; MLP: 78% with ~300,000") mixes protocols and
# counting conventions, one run each. Here every model is trained under **one shared protocol** — DeepMind's
# loop with all three quirks fixed (output fix, validation/test z-scored with training statistics, restore
# the best validation step), Adam 1e-3, batch 64 — on the same splits, with split *and* init seeds varied.
# We plot mean test accuracy with 95% bootstrap CIs against parameter count, and mark the Pareto front.

# %% tags=["parameters"]
data_path: str = ""  # dataset file (ours or DeepMind's CSV); empty: the shipped dataset
mlp_sizes: list[str] = ["2", "3", "5", "2-2", "3-3", "5-5", "10-10", "20-20", "50-50", "100-100-100"]  # MLP hidden widths, '-'-separated (allowed: non-empty)
kan_sizes: list[str] = ["1:1", "1:3", "1:5", "2:3", "3:3"]  # KAN 'hidden:G' (hidden widths joined by -, spline order 3) (allowed: non-empty)
split_seeds: list[int] = [0, 1, 2]  # split seeds; with 2 init seeds, 6 runs per size (allowed: non-empty, distinct, 0..4294967295)
init_seeds: list[int] = [1, 2]  # init seeds, per split (allowed: non-empty, distinct, 0..4294967295)
max_steps: int = 10000  # step cap (allowed: ≥ 100)

# %%
from dataclasses import replace

import matplotlib.pyplot as plt
import pandas as pd

from kanrepro.experiment import knot_runs as kr
from kanrepro.experiment.stats import pareto_front
from kanrepro.knots.dataset import FEATURES
from kanrepro.nn.params import CONVENTIONS, kan_counts, mlp_counts
from kanrepro.pipeline.session import start as start_session
from kanrepro.results import save_figure
from kanrepro.train import protocols as P

session = start_session(globals(), "06_pareto", ["split_seeds", "init_seeds"])
frame = session.frame

mlps = {size: kr.parse_widths(size, "mlp_sizes") for size in mlp_sizes}
kans = {}
for size in kan_sizes:
    hidden_text, _, grid_text = size.partition(":")
    if not grid_text.isdigit() or int(grid_text) < 1:
        raise ValueError(f"kan_sizes: {size!r} must look like 'hidden:G', e.g. '1:3'")
    kans[size] = (kr.parse_widths(hidden_text, "kan_sizes"), int(grid_text))
shared = replace(P.DeepMindConfig(max_steps=max_steps), off_by_one_output=False, own_stats_normalisation=False,
                 restore_best=True)
print(f"{len(frame)} knots; {len(split_seeds) * len(init_seeds)} runs per size; protocol: {shared}")

# %%
runs = []
for size, hidden in mlps.items():
    records = kr.mlp_runs(frame, FEATURES, hidden, shared, split_seeds, init_seeds, label=f"MLP [{size}]")
    runs.append(kr.records_frame(records, family="MLP", size=f"MLP [{size}]"))
for size, (hidden, grid) in kans.items():
    records = kr.kan_runs(frame, FEATURES, hidden, grid, 3, shared, split_seeds, init_seeds, label=f"KAN {size}")
    label = ",".join(str(w) for w in hidden)
    runs.append(kr.records_frame(records, family="KAN", size=f"KAN [17,{label},·] G={grid}"))
runs = pd.concat(runs, ignore_index=True)
table = kr.summary_table(runs, ["family", "size"]).sort_values("params")
front = [table.index[i] for i in pareto_front(table["params"].to_numpy(), table["mean %"].to_numpy())]
table["pareto"] = table.index.isin(front)
table

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
for family, marker in (("MLP", "o"), ("KAN", "s")):
    part = table[table["family"] == family]
    ax.errorbar(part["params"], part["mean %"], yerr=[part["mean %"] - part["ci95 low %"],
                part["ci95 high %"] - part["mean %"]], fmt=marker, capsize=3, label=family)
frontier = table[table["pareto"]]
ax.plot(frontier["params"], frontier["mean %"], "k--", lw=1, label="Pareto front")
for _, row in table.iterrows():
    ax.annotate(row["size"].replace("MLP ", "").replace("KAN ", ""), (row["params"], row["mean %"]),
                fontsize=6, xytext=(3, 3), textcoords="offset points")
ax.set(xscale="log", xlabel="parameters (MLP weights + biases; KAN coefficients + w_b + w_s)",
       ylabel="test accuracy % (mean, 95% CI)", title="Accuracy per parameter, one protocol")
ax.legend()
save_figure(fig, "06_pareto")

# %% [markdown]
# ## The parameter audit: one model, several counts
# The same network gets different "sizes" under the conventions in use (`claims.md`): MLP weights + biases;
# KAN spline coefficients only; + w_b and w_s; pykan's trainable tensors (including its unused symbolic
# `affine` parameters); the KANbeFair formula.

# %%
audit_models = {"DeepMind MLP [300,300,300], 13 outputs": mlp_counts([17, 300, 300, 300, 13]),
                "DeepMind MLP [300,300,300], 14 outputs": mlp_counts([17, 300, 300, 300, 14]),
                "CompactNet MLP [3,3]": mlp_counts([17, 3, 3, 14]),
                "KAN [17,1,14] G=3 k=3": kan_counts([17, 1, 14], 3, 3),
                "KAN [17,1,14] G=5 k=3 (pykan tutorial)": kan_counts([17, 1, 14], 5, 3)}
audit = pd.DataFrame(audit_models).T[list(CONVENTIONS[:5])]
audit

# %%
results = {
    "pareto_front": [table.loc[i, "size"] for i in front],
    "size_acc_mean": dict(zip(table["size"], table["mean %"] / 100, strict=True)),
    "size_params": dict(zip(table["size"], table["params"].astype(int), strict=True)),
    "size_acc_runs": {size: group["test_acc"].tolist() for size, group in runs.groupby("size")},
    "parameter_audit": {name: {k: v for k, v in counts.items() if v is not None}
                        for name, counts in audit_models.items()},
    "n_seeds": len(split_seeds) * len(init_seeds),
}
session.write(results)

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
# # 04 · The [17, 1, 14] KAN on the knot signature, its attribution, and the formulas
#
# **Claims** (Liu et al., KAN paper, arXiv 2404.19756, Sec. 4.3, Tables 3–4): a [17, 1, 14] KAN (G = 3,
# k = 3, "~2 × 10²" parameters) reaches **81.6%**; on the 3 salient features a [3, 1, 14] KAN reaches
# **78.2%**; μ_r alone 65.0%, μ_i alone 43.8%; formula A, DeepMind's natural slope λ·μ_r / (μ_r² + μ_i²),
# scores **83.1%**. The paper states no optimiser, steps or split. We train the KAN (a) with **pykan 0.2.8
# itself** under its knot tutorial's protocol (LBFGS, 100 steps, λ = 0.005, batch 1024, grid updates; seed
# fixes split and init), (b) with **our** KAN (parity-tested against pykan) under the same protocol over more
# seeds, and (c) with our KAN under DeepMind's protocol (Adam, with the output fix so it has all classes).

# %% tags=["parameters"]
data_path: str = ""  # dataset file (ours or DeepMind's CSV); empty: the shipped dataset
grid: int = 3  # KAN grid intervals G (allowed: ≥ 1)
spline_order: int = 3  # KAN spline order k (allowed: 1..5)
pykan_seeds: list[int] = [42, 43, 44, 45, 46, 47, 48, 49, 50, 51]  # runs of pykan itself (~25x slower than ours), tutorial protocol (allowed: non-empty, distinct, 0..4294967295)
pykan_processes: int = 2  # local processes for pykan's seeds; 0 runs them in this kernel (allowed: ≥ 0)
scheduler: str = ""  # Dask scheduler address for pykan's seeds, e.g. tcp://host:8786; empty: local processes
tutorial_seeds: list[int] = [42, 43, 44, 45, 46, 47, 48, 49, 50, 51]  # our KAN, tutorial protocol (allowed: non-empty, distinct, 0..4294967295)
lbfgs_steps: int = 100  # LBFGS steps of the tutorial protocol (allowed: ≥ 1)
batch: int = 1024  # tutorial batch size (train and test batches) (allowed: ≥ 1)
lamb: float = 0.005  # tutorial regularisation strength (allowed: ≥ 0)
deepmind_split_seeds: list[int] = [2, 3, 4, 5, 6]  # our KAN, DeepMind protocol: split seeds (allowed: non-empty, distinct, 0..4294967295)
deepmind_init_seeds: list[int] = [1, 2]  # our KAN, DeepMind protocol: init seeds (allowed: non-empty, distinct, 0..4294967295)
max_steps: int = 10000  # DeepMind protocol step cap (allowed: ≥ 100)
ablation_seeds: list[int] = [42, 43, 44, 45, 46, 47, 48, 49, 50, 51]  # tutorial seeds for [3,1,14], μ_r-only, μ_i-only (allowed: non-empty, distinct, 0..4294967295)
formula_split_seeds: list[int] = [2, 0, 1, 3, 4, 5, 6, 7, 8, 9]  # DeepMind splits for scoring formulas (allowed: non-empty, distinct, 0..4294967295)

# %%
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from kanrepro.experiment import formulas, table4
from kanrepro.experiment import knot_runs as kr
from kanrepro.experiment.attribution import kan_feature_scores
from kanrepro.experiment.sweep import run_tasks
from kanrepro.knots.dataset import FEATURES
from kanrepro.knots.prep import deepmind_split, prepare_pykan_tutorial
from kanrepro.nn.params import kan_counts
from kanrepro.pipeline.session import start as start_session
from kanrepro.results import save_figure
from kanrepro.train import protocols as P
from kanrepro.train.pykan_protocol import pykan_seed_task
from kanrepro.train.records import RunRecord

session = start_session(globals(), "04_kan_knot", ["pykan_seeds", "tutorial_seeds", "deepmind_split_seeds",
                                                   "deepmind_init_seeds", "ablation_seeds",
                                                   "formula_split_seeds"])
frame = session.frame
tutorial = P.PykanTutorialConfig(grid=grid, k=spline_order, steps=lbfgs_steps, batch=batch, lamb=lamb)
print(f"{len(frame)} knots; KAN [17, 1, n_classes], G={grid}, k={spline_order}")


def tutorial_runs(features, seeds, label):
    """Our KAN [len(features), 1, n_classes] under pykan's tutorial protocol, one run per seed (split + init)."""
    rows, models = [], []
    for seed in kr.progress(seeds, label):
        with kr.constant_column_notes():
            data = prepare_pykan_tutorial(frame, list(features), seed)
        record, model = P.pykan_tutorial(data, replace(tutorial), seed=seed, variant="ours", split_seed=seed,
                                         return_model=True)
        rows.append(record)
        models.append((model, data))
    return kr.records_frame(rows, variant="ours", features=label), models


# %% [markdown]
# ## (a) pykan itself and (b) our KAN, under pykan's tutorial protocol
# pykan 0.2.8 is ~25x slower than our KAN, so its seeds run in parallel processes (`pykan_processes`, or a
# Dask cluster via `scheduler`); our KAN, which reproduces pykan's forward, loss, initialisation and fit
# loop (tests against pykan), runs the same seeds here and the ablations below.

# %%
print(f"pykan 0.2.8: {len(pykan_seeds)} seeds on {scheduler or f'{pykan_processes} local processes'} ...")
pykan_records = run_tasks(pykan_seed_task, [{"frame": frame, "features": FEATURES, "seed": s, "cfg": tutorial}
                                             for s in pykan_seeds], scheduler or None, pykan_processes)
pykan_runs = kr.records_frame([RunRecord(**r) for r in pykan_records], variant="pykan", features="pykan 0.2.8")
ours_runs, ours_models = tutorial_runs(FEATURES, tutorial_seeds, "ours")
both = pd.concat([pykan_runs, ours_runs], ignore_index=True)
kr.summary_table(both, "variant")

# %% [markdown]
# Where the seeds overlap, pykan and our KAN start from the same weights and see the same batches; LBFGS
# amplifies float32 rounding, so their paths drift apart (compare per seed below). The same amplification
# makes single runs fragile: read the mean over seeds, not one run. (pykan's own fit uses torch's `lstsq`,
# whose last bits vary between calls here, so pykan's run is not bit-repeatable; ours is.)

# %%
pd.merge(pykan_runs[["split_seed", "test_acc"]], ours_runs[["split_seed", "test_acc"]], on="split_seed",
         suffixes=(" pykan", " ours"))

# %% [markdown]
# ## (c) Our KAN under DeepMind's protocol (Adam 1e-3, batch 64, first-uptick stop, output fix)

# %%
deepmind_cfg = replace(P.COMPACTNET, max_steps=max_steps)
kan_deepmind = kr.records_frame(kr.kan_runs(frame, FEATURES, [1], grid, spline_order, deepmind_cfg,
                                            deepmind_split_seeds, deepmind_init_seeds, label="KAN, DeepMind"),
                                variant="ours, DeepMind protocol", features="all 17")
all_runs = pd.concat([both, kan_deepmind], ignore_index=True)
fig, ax = plt.subplots(figsize=(7, 3))
sns.stripplot(data=all_runs, x="test_acc", y="variant", ax=ax, size=6)
ax.axvline(0.816, color="tab:red", lw=1, label="KAN paper: 81.6%")
ax.set(xlabel="test accuracy", ylabel="", title=f"KAN [17, 1, n_classes], G={grid}, k={spline_order}")
ax.legend(fontsize=8)
save_figure(fig, "04_kan_accuracy")
kr.summary_table(all_runs, "variant")

# %% [markdown]
# **Why the single hidden node matters.** A [17, 1, n] KAN squeezes everything into one number
# h = Σ_i φ_i(x_i), a *sum* of one-variable functions, before the output edges read the class from h. The
# signature is close to half the natural slope λ·μ_r / (μ_r² + μ_i²), which is not a sum of one-variable
# functions, so this architecture can only approximate it; compare the [17, 2, ·] and [17, 3, ·] KANs in
# notebook 06, trained under one shared protocol.
#
# ## Attribution: pykan's feature scores
# pykan's `feature_score` (activation-std attribution, backward from the outputs), averaged over our
# tutorial-protocol models. The KAN paper reads its [17, 1, 14] KAN as depending "mostly on μ_r"; DeepMind's
# saliency ranked μ_i, λ and μ_r on top (their display labels swapped μ_i and μ_r: see notebook 03).

# %%
scores = pd.DataFrame([kan_feature_scores(model, data.X_train) for model, data in ours_models], columns=FEATURES)
mean_scores = (scores.div(scores.max(axis=1), axis=0)).mean().sort_values(ascending=False)
fig, ax = plt.subplots(figsize=(7, 4))
sns.barplot(x=mean_scores.values, y=mean_scores.index, ax=ax, color="tab:green")
ax.set(xlabel="feature score / max (mean over seeds)", ylabel="", title="KAN attribution (pykan's feature_score)")
save_figure(fig, "04_kan_attribution")

# %% [markdown]
# ## Fewer inputs: the [3, 1, 14] KAN on the salient features, and μ_r or μ_i alone

# %%
ablation = pd.concat([tutorial_runs(features, ablation_seeds, label)[0] for label, features in (
    ("3 salient", kr.SALIENT), ("mu_r only", ["meridinal_translation_real"]),
    ("mu_i only", ["meridinal_translation_imag"]))], ignore_index=True)
kr.summary_table(ablation, "features")

# %% [markdown]
# ## Table 4's formulas on DeepMind's splits
# Formula A is DeepMind's natural slope; B, C and D are the symbolic formulas of regression KANs [3,1],
# [3,1,1] and [3,2,1]; E is the [3,2,1] KAN + Padé fit; F divides two [3,1] KANs and ignores μ_i. They are
# typed in `kanrepro/experiment/table4.py` from the paper's text (two readings of ours are documented there: raw
# inputs, and the squares in D). The paper does not say how a formula's value became a class, so each is
# scored two ways (`kanrepro/experiment/formulas.py`): **fixed**, CompactNet's zero-parameter rule σ = 2·round(f/4)
# clipped to the training range, only for A and E (B–F live on about σ/10, where it always predicts 0);
# **calibrated**, the best line σ ≈ a·f + b fitted on the training split, snapped to even values.
# The r² columns (over all rows) compare with the table's own "r² with signature" and "r² with DM formula".

# %%
formula_rows = []
for split_seed in formula_split_seeds:
    train, _, test = deepmind_split(frame, split_seed)
    for name in formulas.FORMULAS:
        for rule in formulas.rules_for(name):
            formula_rows.append({"split_seed": split_seed, "formula": name, "rule": rule,
                                 "test_acc": formulas.score_formula(name, train, test, rule)})
formula_runs = pd.DataFrame(formula_rows)
formula_table = formula_runs.groupby(["formula", "rule"])["test_acc"].agg(["mean", "min", "max"]) * 100
slope = formulas.natural_slope(frame)
formula_values = {name: f(frame) for name, f in formulas.FORMULAS.items()}
r2 = {name: (np.corrcoef(v, frame["signature"])[0, 1] ** 2, np.corrcoef(v, slope)[0, 1] ** 2)
      for name, v in formula_values.items()}
formula_table["printed acc"] = [100 * table4.PRINTED[name][0] for name, _ in formula_table.index]
formula_table["r² sig (printed)"] = [f"{r2[n][0]:.3f} ({table4.PRINTED[n][1]})" for n, _ in formula_table.index]
formula_table["r² A (printed)"] = [f"{r2[n][1]:.3f} ({table4.PRINTED[n][2]})" for n, _ in formula_table.index]
fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(slope, frame["signature"] + np.random.default_rng(0).uniform(-0.3, 0.3, len(frame)), s=2, alpha=0.3)
ax.plot([slope.min(), slope.max()], [slope.min() / 2, slope.max() / 2], "k--", lw=1, label="σ = slope / 2")
ax.set(xlabel="natural slope λ·μ_r / (μ_r² + μ_i²)", ylabel="signature (jittered)",
       title=f"Natural slope vs signature (corr {np.corrcoef(slope, frame['signature'])[0, 1]:.3f})")
ax.legend()
save_figure(fig, "04_slope_vs_signature")
formula_table

# %% [markdown]
# Table 4's KANs [3,1], [3,1,1] and [3,2,1], retrained and turned into formulas by pykan's auto-symbolic
# regression over seeds, are in notebook 09.

# %%
counts = kan_counts([17, 1, 14], grid, spline_order)
fixed_a = formula_runs.query("formula == 'A' and rule == 'fixed'")
results = {
    **kr.accuracy_summary(pykan_runs["test_acc"], "kan_17_1_14"),
    **kr.accuracy_summary(ours_runs["test_acc"], "kan_17_1_14_ours"),
    **kr.accuracy_summary(kan_deepmind["test_acc"], "kan_17_1_14_ours_deepmind"),
    **kr.accuracy_summary(ablation.query("features == '3 salient'")["test_acc"], "kan_3_1_14"),
    **kr.accuracy_summary(ablation.query("features == 'mu_r only'")["test_acc"], "kan_mu_r_only"),
    **kr.accuracy_summary(ablation.query("features == 'mu_i only'")["test_acc"], "kan_mu_i_only"),
    "kan_17_1_14_params_by_convention": {k: v for k, v in counts.items() if v is not None},
    "kan_params_on_this_data": int(ours_runs["params"].iloc[0]),
    "slope_formula_acc": dict(zip(fixed_a["split_seed"].astype(str), fixed_a["test_acc"], strict=True)),
    **{key: value for (f, rule), group in formula_runs.groupby(["formula", "rule"])
       for key, value in kr.accuracy_summary(group["test_acc"], f"formula_{f}_{rule}").items()},
    "kan_feature_scores": mean_scores.to_dict(),
    "n_seeds": len(ours_runs),
}
session.write(results)
pd.Series({k: v for k, v in results.items() if k.endswith("acc_mean")})

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
# # 08 · What DeepMind's test split measures: repeated knots, unseen knots, and a lookup
#
# DeepMind's file draws the same knots again and again (`deepmind-distribution.md`: in a 15,000-row sample
# 54% of the test rows of DeepMind's split have an exact twin in its training split). A model can score on
# those rows by remembering, and a plain lookup of the nearest training row needs no model at all. None of
# the papers in this debate separates the two. Here, on the default dataset (DeepMind's distribution,
# repeats kept; notebook 02):
#
# 1. the share of test rows whose knot (or its mirror) is in the training split, per split seed;
# 2. each model's accuracy on the **seen** and **unseen** parts of DeepMind's test split, and under an
#    **unseen-knot split** with DeepMind's proportions (75 / 12.5 / 12.5 of rows) in which no knot, and no
#    mirror of it, is in two parts (`kanrepro.knots.prep.unseen_knots_split`). A knot and its mirror stay
#    together: the mirror's row is the knot's with three signs and the signature flipped, which a model can
#    learn from the knot itself, so a mirror in training would let "unseen" rows be remembered;
# 3. a **lookup baseline**: the signature of the nearest training row (k-NN on z-scored features), which has
#    no learned weights but stores the whole training split.

# %% tags=["parameters"]
data_path: str = ""  # dataset: '' (the default, random), random, census, or a CSV file (identity from its features)
split_seeds: list[int] = [2, 3, 4, 5, 6]  # split seeds of the MLPs, the rule and the lookup, as notebook 03 (allowed: non-empty, distinct, 0..4294967295)
mlp_init_seeds: list[int] = [1, 2]  # DeepMind MLP init seeds per split, trained at once (allowed: non-empty, distinct, 0..4294967295)
hidden: list[int] = [300, 300, 300]  # DeepMind MLP hidden widths (allowed: non-empty, ≥ 1)
max_steps: int = 10000  # DeepMind protocol step cap (allowed: ≥ 100)
tiny_init_seeds: list[int] = [0, 1]  # CompactNet [3, 3] init seeds per split, trained at once (allowed: non-empty, distinct, 0..4294967295)
compactnet_max_steps: int = 50000  # CompactNet's step cap (allowed: ≥ 100)
kan_seeds: list[int] = [42, 43, 44, 45, 46, 47, 48, 49, 50, 51]  # our [17,1,·] KAN, tutorial protocol: split and init seed per run (allowed: non-empty, distinct, 0..4294967295)
pykan_seeds: list[int] = [42]  # pykan 0.2.8 itself, tutorial protocol, as notebook 04's anchor (allowed: non-empty, distinct, 0..4294967295)
lbfgs_steps: int = 100  # LBFGS steps of the tutorial protocol (allowed: ≥ 1)
batch: int = 1024  # tutorial batch size (at most the test split) (allowed: ≥ 1)
lookup_k: list[int] = [1, 5]  # neighbours of the lookup baseline (allowed: non-empty, ≥ 1)

# %%
from dataclasses import replace

import matplotlib.pyplot as plt
import pandas as pd

from kanrepro.experiment import knot_runs as kr
from kanrepro.experiment import seen_unseen as su
from kanrepro.knots.dataset import FEATURES
from kanrepro.pipeline.session import start as start_session
from kanrepro.results import save_figure
from kanrepro.train import protocols as P

session = start_session(globals(), "08_seen_unseen", ["split_seeds", "mlp_init_seeds", "tiny_init_seeds",
                                                      "kan_seeds", "pykan_seeds"])
frame, dataset = session.frame, session.dataset

# %% [markdown]
# ## 1 · How much of DeepMind's test split is already in its training split

# %%
shares = su.seen_shares(frame, split_seeds)
shares.describe().loc[["mean", "min", "max"]]

# %% [markdown]
# ## 2 · Every model on both splits

# %%
rows = []
with kr.constant_column_notes():
    for split in su.SPLITS:
        rows += su.mlp_rows(frame, FEATURES, hidden, P.DeepMindConfig(max_steps=max_steps, split=split), split_seeds,
                            mlp_init_seeds, "DeepMind MLP [300,300,300]")
        rows += su.mlp_rows(frame, FEATURES, [3, 3], replace(P.COMPACTNET, max_steps=compactnet_max_steps, split=split),
                            split_seeds, tiny_init_seeds, "CompactNet MLP [3,3]", protocol="compactnet")
        tutorial = P.PykanTutorialConfig(grid=3, k=3, steps=lbfgs_steps, batch=batch)
        rows += su.kan_tutorial_rows(frame, FEATURES, tutorial, kan_seeds, split, "KAN [17,1,·] (ours, tutorial)")
        rows += su.kan_tutorial_rows(frame, FEATURES, tutorial, pykan_seeds, split, "KAN [17,1,·] (pykan itself)",
                                     variant="pykan")
        rows += su.rule_rows(frame, FEATURES, split_seeds, split, lookup_k)
runs = pd.DataFrame(rows)
table = runs.groupby(["model", "split"], sort=False)[["acc_all", "acc_seen", "acc_unseen"]].mean().unstack("split")
(100 * table).round(1)

# %%
fig, ax = plt.subplots(figsize=(10, 4.5))
models = list(dict.fromkeys(runs["model"]))
parts = [("deepmind", "acc_seen", "DeepMind split, seen knots"), ("deepmind", "acc_unseen", "DeepMind split, unseen knots"),
         ("unseen_knots", "acc_all", "unseen-knot split")]
for j, (split, column, label) in enumerate(parts):  # noqa: B007  (split and model are read by the query)
    for i, model in enumerate(models):  # noqa: B007
        values = runs.query("model == @model and split == @split")[column].dropna()
        ax.scatter([i + (j - 1) * 0.22] * len(values), 100 * values, s=12, alpha=0.6, color=f"C{j}",
                   label=label if i == 0 else None)
ax.set(xticks=range(len(models)), ylabel="test accuracy (%)", title=f"{dataset}: accuracy on seen vs unseen knots")
ax.set_xticklabels(models, rotation=15, ha="right", fontsize=8)
ax.legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "08_seen_unseen")


# %%
results = {
    "seen_share_mean": float(shares["seen_share_mirrors_together"].mean()),
    "seen_share_by_seed": dict(zip(shares["split_seed"].astype(str), shares["seen_share_mirrors_together"], strict=True)),
    "seen_share_mirrors_apart_mean": float(shares["seen_share_mirrors_apart"].mean()),
    "models": su.model_summaries(runs),
    "lookup_stored_numbers": int(runs["stored_numbers"].dropna().iloc[0]),
}
session.write(results)

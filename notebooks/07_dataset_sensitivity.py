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
# # 07 · Do the knot verdicts depend on the data? The headline claims on a second dataset
#
# Notebooks 03–06 judge the knot claims on the default dataset, rebuilt with DeepMind's distribution
# (notebook 02). Here the headline claims rerun, with the same code, protocols and seeds as there, on a
# second dataset (by default the ≤13-crossing census plus mirrors): DeepMind's MLP (C1a), the [17,1,14] KAN
# under pykan's tutorial protocol, trained by our pykan-exact KAN (C1d), CompactNet's [3,3] MLP (C1l) and the
# zero-parameter natural-slope rule (C1k). The report sets these beside the default dataset's numbers in its
# dataset-sensitivity table, so a reader sees which conclusions depend on the data. As notebook 08 does on the
# default dataset, every model also runs under the unseen-knot split, with the untrained rule and lookup.

# %% tags=["parameters"]
data_path: str = "census"  # the second dataset: random, census, or a CSV file ('' is the default, random)
split_seeds: list[int] = [2, 3, 4, 5, 6]  # DeepMind MLP: split seeds, as notebook 03 (allowed: non-empty, distinct, 0..4294967295)
init_seeds: list[int] = [1, 2]  # DeepMind MLP: init seeds, as notebook 03 (allowed: non-empty, distinct, 0..4294967295)
hidden: list[int] = [300, 300, 300]  # DeepMind MLP hidden widths (allowed: non-empty, ≥ 1)
max_steps: int = 10000  # DeepMind protocol step cap (allowed: ≥ 100)
tutorial_seeds: list[int] = [42, 43, 44, 45, 46, 47, 48, 49, 50, 51]  # our KAN, tutorial protocol, as notebook 04 (allowed: non-empty, distinct, 0..4294967295)
lbfgs_steps: int = 100  # LBFGS steps of the tutorial protocol (allowed: ≥ 1)
batch: int = 1024  # tutorial batch size (train and test batches; at most the test split) (allowed: ≥ 1)
headline_split_seeds: list[int] = [552, 0, 1, 2, 3]  # [3, 3]: split seeds (notebook 05 runs these and 5 more) (allowed: non-empty, distinct, 0..4294967295)
headline_init_seeds: list[int] = [0, 1]  # [3, 3]: init seeds, as notebook 05 (allowed: non-empty, distinct, 0..4294967295)
compactnet_max_steps: int = 50000  # CompactNet's step cap (allowed: ≥ 100)

# %%
from dataclasses import replace

import pandas as pd

from kanrepro.experiment import formulas
from kanrepro.experiment import knot_runs as kr
from kanrepro.experiment import seen_unseen as su
from kanrepro.knots.dataset import FEATURES
from kanrepro.knots.prep import deepmind_split
from kanrepro.pipeline.session import start as start_session
from kanrepro.train import protocols as P

session = start_session(globals(), "07_dataset_sensitivity", ["split_seeds", "init_seeds", "tutorial_seeds",
                                                              "headline_split_seeds", "headline_init_seeds"])
frame, dataset = session.frame, session.dataset

# %% [markdown]
# ## The headline models on DeepMind's split and on the unseen-knot split
# C1a · DeepMind's MLP, faithful protocol (as notebook 03); C1d · the [17,1,14] KAN, pykan's tutorial protocol,
# our KAN (as notebook 04); C1l · CompactNet's [3,3] MLP (as notebook 05). Each also runs under the
# unseen-knot split, and the untrained models (the natural-slope rule, the 1-NN lookup of the training rows)
# on both, as notebook 08 does on the default dataset.

# %%
tutorial = P.PykanTutorialConfig(grid=3, k=3, steps=lbfgs_steps, batch=batch)
compactnet = replace(P.COMPACTNET, max_steps=compactnet_max_steps)
names = {"C1a": "DeepMind MLP [300,300,300]", "C1d": "KAN [17,1,·] (ours, tutorial)", "C1l": "CompactNet MLP [3,3]"}
rows = []
with kr.constant_column_notes():
    for split in su.SPLITS:
        rows += su.mlp_rows(frame, FEATURES, hidden, P.DeepMindConfig(max_steps=max_steps, split=split), split_seeds,
                            init_seeds, names["C1a"])
        rows += su.kan_tutorial_rows(frame, FEATURES, tutorial, tutorial_seeds, split, names["C1d"])
        rows += su.mlp_rows(frame, FEATURES, [3, 3], replace(compactnet, split=split), headline_split_seeds,
                            headline_init_seeds, names["C1l"], protocol="compactnet")
        rows += su.rule_rows(frame, FEATURES, split_seeds, split, [1])
runs = pd.DataFrame(rows)
shares = su.seen_shares(frame, split_seeds)
train, _, test = deepmind_split(frame, 2)
slope_rule = formulas.score_formula("A", train, test, "fixed")
print(f"natural-slope rule, split seed 2: {slope_rule:.2%}; seen share (mirrors together): "
      f"{shares['seen_share_mirrors_together'].mean():.1%}")
table = runs.groupby(["model", "split"], sort=False)[["acc_all", "acc_seen", "acc_unseen"]].mean().unstack("split")
(100 * table).round(1)


# %%
def on_deepmind_split(claim: str) -> pd.Series:
    return runs[(runs["model"] == names[claim]) & (runs["split"] == "deepmind")]["acc_all"]


# %%
results = {
    **kr.accuracy_summary(on_deepmind_split("C1a"), "deepmind_mlp"),
    **kr.accuracy_summary(on_deepmind_split("C1d"), "kan_17_1_14_ours"),
    **kr.accuracy_summary(on_deepmind_split("C1l"), "mlp_3_3"),
    "slope_formula_acc": {"2": slope_rule},
    "seen_share_mean": float(shares["seen_share_mirrors_together"].mean()),
    "untrained_acc_mean": {f"{m} / {sp}": float(v) for (m, sp), v in
                           runs[runs["init_seed"].isna()].groupby(["model", "split"])["acc_all"].mean().items()},
    "models": su.model_summaries(runs),
}
session.write(results)

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
# # 10 · The unsupervised mode: which relations among the invariants does a KAN find?
#
# The KAN paper's second claim of automation (Sec. 4.3): with all 18 variables as inputs (the 17 invariants
# and the signature), real rows against rows whose columns were shuffled one by one, an [18, 1, 1] KAN with
# a Gaussian last activation learns a relation Σ gᵢ(xᵢ) = 0 among the inputs it keeps. Over λ ∈ {10⁻², 10⁻³}
# and seeds 0–99, "all 200 networks can be grouped into three clusters": (1) the **signature with μ_r and
# λ** (the dependence DeepMind found), (2) **cusp volume V with μ_r and λ** (V = μ_r·λ, true by definition),
# (3) the **short geodesic's real part with the injectivity radius**. The paper gives no numbers for these
# runs. Here pykan 0.2.8 itself runs its own tutorial (`Example_15_knot_unsupervised`) on our data, one
# network per seed and λ (`kanrepro/experiment/relations.py`), and each network's relation is read off pykan's input
# scores: the inputs scoring at least 20% of the top one, named by the paper's cluster they contain. pykan
# takes ~20 s per network on a laptop core, so the default runs a handful, not 200: the claim rows say how
# many.

# %% tags=["parameters"]
data_path: str = ""  # dataset: '' (the default, random), random, census, or a CSV file
seeds: list[int] = [0, 1, 2, 3]  # one network per seed and lambda (~20 s each); the paper ran 0..99 (allowed: non-empty, distinct, 0..4294967295)
lambdas: list[float] = [0.001]  # sparsity strengths; the paper used 0.01 and 0.001 (allowed: non-empty, ≥ 0)
steps: int = 100  # LBFGS steps per network, as pykan's fit default (allowed: ≥ 1)
processes: int = 2  # local processes for the networks; 0 runs them in this kernel (allowed: ≥ 0)
scheduler: str = ""  # Dask scheduler address, e.g. tcp://host:8786; empty: local processes

# %%

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from kanrepro.experiment import relations
from kanrepro.experiment.sweep import run_tasks
from kanrepro.pipeline.session import start as start_session
from kanrepro.results import save_figure

session = start_session(globals(), "10_knot_relations", ["seeds"])
frame = session.frame
print(f"{len(frame)} rows; {len(seeds) * len(lambdas)} networks on {scheduler or f'{processes} local processes'}")

# %% [markdown]
# ## One network per seed and λ

# %%
tasks = [{"frame": frame, "seed": s, "lamb": lamb, "steps": steps} for lamb in lambdas for s in seeds]
runs = pd.DataFrame([vars(r) for r in run_tasks(relations.train_relation, tasks, scheduler or None, processes)])
display(runs)

# %% [markdown]
# ## Which of the paper's clusters each network lands in

# %%
found = {name: float((runs["relation"] == name).mean()) for name in [*relations.RELATIONS, "other"]}
fig, ax = plt.subplots(figsize=(7, 3))
ax.barh(list(found), [100 * v for v in found.values()], color=["C0", "C1", "C2", "0.6"])
ax.set(xlabel=f"networks (%) of {len(runs)}", title="Relation each unsupervised KAN found (pykan 0.2.8)")
ax.invert_yaxis()
fig.tight_layout()
save_figure(fig, "10_relations")

# %%
results = {
    "relation_share": found,
    "n_networks": len(runs),
    "separation_acc_mean": float(runs["test_acc"].mean()),
    "networks": runs.to_dict(orient="records"),
}
session.write(results)

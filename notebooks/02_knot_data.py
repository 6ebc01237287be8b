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
# # 02 · The knot datasets: DeepMind's distribution, rebuilt, and the census
#
# DeepMind's `knot_theory_invariants.csv` (Davies et al., Nature 2021; ~243,700 rows) sits on Google Cloud
# Storage, out of our machines' reach, and DeepMind never published how its knots were drawn. Every knot
# claim of the debate was measured on that file, so we judge them on a rebuild **with its distribution**:
#
# - **`random`** (the default, `data/knots_random.csv.gz`): knots drawn from random diagrams
#   (`spherogram.random_link`, recipe in `kanrepro/knots/draws.py`), **repeats kept** as in DeepMind's file,
#   features computed once per distinct knot, the torsion columns' zeros reproduced by a time-limit rule
#   (`kanrepro/knots/zero_rule.py`). Its manifest holds every reference statistic, target against ours.
# - **`census`** (`data/knots_le13.csv.gz`): every hyperbolic knot of at most 13 crossings and its mirror,
#   once each; a different distribution (fewer signature classes, no repeats, larger mean volume).
#
# Both have DeepMind's 17 columns (spelled `meridinal_…` as in their file) and the target `signature`, plus
# identity columns the models never see. Definitions: `knot-dataset.md`; reference facts about DeepMind's
# file: `deepmind-distribution.md`. This notebook reads the files, compares them with DeepMind's, recomputes
# a few rows, and writes `reports/results/02_knot_data.json`.

# %% tags=["parameters"]
data_path: str = ""  # dataset to describe: '' (the default, random), random, census, or a CSV file
compare_path: str = "census"  # a second dataset drawn beside it ('' draws none; same values as data_path)
verify_sample: int = 3  # knots recomputed from SnapPy and compared with the file, 0 skips it (allowed: ≥ 0)
scatter_points: int = 5000  # rows drawn in the slope-vs-signature scatter (allowed: ≥ 100)
seed: int = 0  # seed for the verify sample and the scatter subsample (allowed: 0..4294967295)

# %%
import hashlib
import json
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kanrepro.knots import figures
from kanrepro.knots.assemble import manifest_path
from kanrepro.knots.dataset import TARGET, load_dataset, resolve_dataset
from kanrepro.knots.matching import match_report
from kanrepro.pipeline.notebook_params import check_notebook_parameters
from kanrepro.results import save_figure, write_results

parameters = check_notebook_parameters(globals(), "02_knot_data")
path, dataset = resolve_dataset(data_path)
other = resolve_dataset(compare_path) if compare_path else None
started = time.time()

# %% [markdown]
# ## The table and its manifest
# The loader validates the header, types, even integer signatures and the symmetry one-hot, names the column
# and rows of any problem, and expands the random file's compact layout (one line per distinct oriented knot
# with the row positions it fills) to one row per draw.

# %%
frame = load_dataset(path)
frames = {dataset: frame}
if other is not None and other[0] != path:
    frames[other[1]] = load_dataset(other[0])
manifest_file = manifest_path(path)
manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else {}
data_sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
identity = "key" if "key" in frame.columns else None
n_knots = int(frame[identity].nunique()) if identity else int((frame.get("mirror", pd.Series([0])) == 0).sum())
print(f"{dataset} ({path}): {len(frame)} rows, {n_knots} distinct (oriented) knots, sha256 {data_sha256[:16]}…")
if manifest:
    print("manifest sha256 matches the file:", manifest["sha256"] == data_sha256)
    checks = manifest.get("validation", manifest)
    for key in ("knotinfo_signature_agreement", "torsion_degree_eq_4g_minus_2", "draw_signature_mismatches",
                "natural_slope_vs_signature_corr", "natural_slope_vs_2sigma_corr"):
        if key in checks:
            print(f"  {key}: {checks[key]}")
    print("  failed:", manifest.get("failed", manifest.get("failed_draws", [])))
frame.head()

# %% [markdown]
# ## Against DeepMind's file
# Targets from `deepmind-distribution.md`; tolerances as issue 10 set them (quantiles within 5% of the
# column's interquartile range, signature shares within 1 point, repetition within 5 points in a
# 15,000-row sample, the reference's own sample size).

# %%
matches = {name: match_report(f, seed=seed) for name, f in frames.items()}
summary = pd.DataFrame({name: {**m["summary"], "repeated share (15,000 rows)": m["repeated_share_in_15000_row_sample"]["ours"],
                               "its expectation over samples": m["repeated_share_expected_in_15000_row_sample"],
                               "slope corr": m["slope_corr"]["ours"]} for name, m in matches.items()})
summary["DeepMind"] = {"repeated share (15,000 rows)": 0.56, "slope corr": 0.973}
print(summary.to_string())
columns = pd.DataFrame(matches[dataset]["columns"])
columns[columns["statistic"].str.startswith("q")].pivot(index="column", columns="statistic", values="error_iqr").round(3)

# %%
save_figure(figures.distributions(frames), "02_distributions")

# %%
save_figure(figures.signature_shares(frames), "02_signature_shares")

# %% [markdown]
# ## The torsion columns' zeros
# DeepMind stores 0 where (presumably) the torsion computation ran out of time; our rule draws the same
# shares by volume from a probit fitted to their table, fixed per knot (`kanrepro/knots/zero_rule.py`).

# %%
save_figure(figures.zero_shares(frame, dataset), "02_zero_shares")

# %% [markdown]
# ## The natural slope against the signature
# DeepMind's conjecture: the natural slope Re(λ/μ) (maximal cusp) is close to 2·signature
# (correlation 0.973 on their file, `deepmind-distribution.md`).

# %%
mu = frame["meridinal_translation_real"] + 1j * frame["meridinal_translation_imag"]
slope = np.real(frame["longitudinal_translation"].to_numpy() / mu.to_numpy())
corr = float(np.corrcoef(slope, 2 * frame[TARGET])[0, 1])
rng = np.random.default_rng(seed)
idx = rng.choice(len(frame), size=min(scatter_points, len(frame)), replace=False)
fig, ax = plt.subplots(figsize=(5.5, 4.5))
ax.scatter(2 * frame[TARGET].to_numpy()[idx] + rng.uniform(-0.4, 0.4, len(idx)), slope[idx], s=3, alpha=0.4)
lim = np.abs(2 * frame[TARGET]).max() + 2
ax.plot([-lim, lim], [-lim, lim], "k--", lw=0.8, label="slope = 2·signature")
ax.set(xlabel="2 × signature (jittered)", ylabel="natural slope Re(λ/μ)", title=f"{dataset}: correlation {corr:.3f}")
ax.legend()
save_figure(fig, "02_slope_vs_signature")

# %% [markdown]
# ## Recompute a few rows from SnapPy (the `verify-data` check, small)
# Rows with a census name are recomputed from the census manifold; torsion degrees are compared with the
# true degrees the random file keeps beside the stored ones.

# %%
verify_report = {"checked_knots": 0, "ok": True, "mismatches": []}
if verify_sample and "name" in frame.columns:
    from kanrepro.knots.verify import verify

    verify_report = verify(path, sample=verify_sample, seed=seed)
    print(json.dumps(verify_report, indent=2))
    if not verify_report["ok"]:
        raise AssertionError(f"recomputed rows differ from {path}: {verify_report['mismatches']}")

# %%
checks = manifest.get("validation", manifest)
results = {
    "dataset": dataset,
    "data_path": str(path),
    "data_sha256": data_sha256,
    "n_rows": len(frame),
    "n_knots": n_knots,
    "repeated_share_15000": matches[dataset]["repeated_share_in_15000_row_sample"]["ours"],
    "quantiles_within": matches[dataset]["summary"]["quantiles_within"],
    "signature_shares_within": matches[dataset]["summary"]["signature_shares_within"],
    "knotinfo_signature_agreement": checks.get("knotinfo_signature_agreement", float("nan")),
    "torsion_degree_eq_4g_minus_2": checks.get("torsion_degree_eq_4g_minus_2", float("nan")),
    "n_excluded_nonhyperbolic": manifest.get("n_excluded_nonhyperbolic", 0),
    "n_geodesic_fallbacks": manifest.get("n_geodesic_fallbacks", float("nan")),
    "n_failed_knots": manifest.get("n_failed", len(manifest.get("failed", []))) if manifest else float("nan"),
    "natural_slope_vs_2sigma_corr": corr,
    "signature_min": int(frame[TARGET].min()),
    "signature_max": int(frame[TARGET].max()),
    "verify_checked_knots": verify_report["checked_knots"],
    "verify_ok": verify_report["ok"],
    "wall_seconds": time.time() - started,
}
write_results("02_knot_data", results)
print(json.dumps(results, indent=2, default=str))

# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · The knot dataset, rebuilt offline from SnapPy
#
# DeepMind's `knot_theory_invariants.csv` (Davies et al., Nature 2021) sits on Google Cloud Storage,
# which our machines cannot reach. We rebuild an equivalent table from SnapPy's knot census: every
# hyperbolic census knot up to a crossing bound **and its mirror image**, with DeepMind's 17 feature
# columns (spelled `meridinal_…` as in their file) and the target `signature`, plus `name`, `crossings`
# and `mirror`, which the models never see. Definitions: `knot-dataset.md`; code: `kanrepro/knots/`.
# The file is built by `python -m kanrepro.knots build` (`make data`); this notebook only reads it,
# shows it, optionally recomputes a few rows, and writes `reports/results/02_knot_data.json`.

# %% tags=["parameters"]
data_path: str = ""  # path to a dataset file (ours or DeepMind's CSV); empty string means the shipped one
verify_sample: int = 3  # knots recomputed from SnapPy and compared with the file, 0 skips it (allowed: ≥ 0)
scatter_points: int = 5000  # rows drawn in the slope-vs-signature scatter (allowed: ≥ 100)
seed: int = 0  # seed for the verify sample and the scatter subsample (allowed: ≥ 0)

# %%
import hashlib
import json
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from kanrepro.knots.assemble import manifest_path
from kanrepro.knots.dataset import DEFAULT_DATA_PATH, FEATURES, TARGET, load_dataset
from kanrepro.notebook_params import check_notebook_parameters
from kanrepro.results import save_figure, write_results

parameters = check_notebook_parameters(globals(), "02_knot_data")
path = Path(data_path) if data_path else DEFAULT_DATA_PATH
if not path.exists():
    raise ValueError(f"data_path: no file at {str(path)!r} (allowed: an existing CSV/CSV.GZ, or \"\" for the shipped one)")
started = time.time()

# %% [markdown]
# ## The table and its manifest
# The loader validates the header (exact names, any order), types, even integer signatures and the
# symmetry one-hot, and names the column and rows of any problem.

# %%
frame = load_dataset(path)
manifest_file = manifest_path(path)
manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else {}
ours = "mirror" in frame.columns
data_sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
n_knots = int((frame["mirror"] == 0).sum()) if ours else len(frame)
print(f"{path}: {len(frame)} rows, {n_knots} knots, sha256 {data_sha256[:16]}…")
if manifest:
    print("manifest sha256 matches the file:", manifest["sha256"] == data_sha256)
    for key in ("n_excluded_nonhyperbolic", "n_geodesic_fallbacks", "knotinfo_signature_agreement",
                "torsion_degree_eq_4g_minus_2", "natural_slope_vs_2sigma_corr", "cpu_seconds"):
        print(f"  {key}: {manifest.get(key)}")
    print("  geodesic methods:", manifest.get("geodesic_methods"))
    print("  failed knots:", manifest.get("failed"))
frame.head()

# %% [markdown]
# ## Counts by crossing number, and the signature distribution

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
if ours:
    counts = frame[frame["mirror"] == 0].groupby("crossings").size()
    axes[0].bar(counts.index, counts.values)
    axes[0].set_yscale("log")
    axes[0].set(xlabel="crossing number", ylabel="knots (log)", title="Hyperbolic census knots in the file")
    print(counts.to_string())
else:
    axes[0].text(0.5, 0.5, "no crossing numbers in this file", ha="center")
sig = frame[TARGET].value_counts().sort_index()
axes[1].bar(sig.index, sig.values, width=1.6)
axes[1].set(xlabel="signature", ylabel="rows", title="Signature (mirror pairs make it symmetric)")
save_figure(fig, "02_counts_signature")
print(sig.to_string())

# %% [markdown]
# ## The natural slope against the signature
# DeepMind's conjecture: the natural slope Re(λ/μ) (maximal cusp) is close to 2·signature
# (correlation about 0.97 on their data, as quoted in `knot-dataset.md`).

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
ax.set(xlabel="2 × signature (jittered)", ylabel="natural slope Re(λ/μ)", title=f"correlation {corr:.3f}")
ax.legend()
save_figure(fig, "02_slope_vs_signature")
print(f"corr(natural slope, 2*signature) = {corr:.4f}")

# %% [markdown]
# ## How it compares with DeepMind's file
# From `knot-dataset.md` (facts about DeepMind's file, not measured here): about 243,700 rows from random
# diagrams, with exact repeats and mirror pairs; about 78% are census knots of at most 14 crossings;
# signatures about −12..12; missing torsion degrees stored as 0 (adjoint degree 0 in about 64% of rows,
# torsion degree 0 in about 5%). Ours: each census knot once, plus its mirror, no repeats; every torsion
# degree computed (no zeros); crossings at most the build bound. The feature ranges below differ from
# theirs mainly because their knots are larger.

# %%
summary = frame[FEATURES + [TARGET]].describe().T[["min", "mean", "max"]]
zero_torsion = float((frame["hyperbolic_torsion_degree"] == 0).mean())
zero_adjoint = float((frame["hyperbolic_adjoint_torsion_degree"] == 0).mean())
print(f"rows with torsion degree 0: {zero_torsion:.3%}; adjoint degree 0: {zero_adjoint:.3%}")
print(summary.to_string())

# %% [markdown]
# ## Recompute a few rows from SnapPy (the `verify-data` check, small)

# %%
verify_report = {"checked_knots": 0, "ok": True, "mismatches": []}
if verify_sample and ours:
    from kanrepro.knots.verify import verify

    verify_report = verify(path, sample=verify_sample, seed=seed)
    print(json.dumps(verify_report, indent=2))
    if not verify_report["ok"]:
        raise AssertionError(f"recomputed rows differ from {path}: {verify_report['mismatches']}")

# %%
results = {
    "data_path": str(path),
    "data_sha256": data_sha256,
    "n_rows": len(frame),
    "n_knots": n_knots,
    "knotinfo_signature_agreement": manifest.get("knotinfo_signature_agreement", float("nan")),
    "torsion_degree_eq_4g_minus_2": manifest.get("torsion_degree_eq_4g_minus_2", float("nan")),
    "n_excluded_nonhyperbolic": manifest.get("n_excluded_nonhyperbolic", float("nan")),
    "n_geodesic_fallbacks": manifest.get("n_geodesic_fallbacks", float("nan")),
    "n_failed_knots": len(manifest.get("failed", [])) if manifest else float("nan"),
    "max_crossings": int(frame["crossings"].max()) if ours else float("nan"),
    "natural_slope_vs_2sigma_corr": corr,
    "signature_min": int(frame[TARGET].min()),
    "signature_max": int(frame[TARGET].max()),
    "verify_checked_knots": verify_report["checked_knots"],
    "verify_ok": verify_report["ok"],
    "wall_seconds": time.time() - started,
}
write_results("02_knot_data", results)
print(json.dumps(results, indent=2, default=str))

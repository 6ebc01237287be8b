"""Figures the report draws itself, from several notebooks' result files at once.

- :func:`claims_figure`: every accuracy claim at a glance, the source's number against our mean, 95% CI and
  per-run points, coloured by verdict, on the default dataset and split, on unseen knots (notebook 08) and
  on the census (notebook 07).
- :func:`instability_figure`: per-seed test accuracy of the KAN [17,1,14] (notebook 04) and the MLPs
  (notebooks 05 and 03), each under its own protocol, side by side (claim C1n).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kanrepro.pipeline.claims_interpretability import INSTABILITY_THRESHOLD, KAN_RUNS, MLP_RUNS

# (notebook, key of per-run accuracies, label), in plotting order; the first and third are C1n's two sides
STABILITY_RUNS = [
    (*KAN_RUNS, "KAN [17,1,·] ours\npykan tutorial protocol"),
    ("04_kan_knot", "kan_17_1_14_acc_runs", "KAN [17,1,·] pykan itself\npykan tutorial protocol"),
    (*MLP_RUNS, "MLP [3,3]\nCompactNet protocol"),
    ("03_deepmind_mlp", "deepmind_mlp_acc_runs", "MLP [300,300,300]\nDeepMind protocol"),
]


def _pyplot() -> Any:
    """matplotlib's pyplot on the file-only Agg backend (the report runs without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, reports: Path, name: str) -> Path:
    """``fig`` as ``<reports>/figures/<name>.png``, closed; returns the path."""
    fig.tight_layout()
    path = reports / "figures" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path


VERDICT_COLOURS = {"reproduced": "#146c2e", "not reproduced": "#a01818", "depends on seed or protocol": "#c08a00"}


def _summary(results: dict[str, Any], prefix: str) -> tuple[float, float, float, list[float]] | None:
    """(mean, ci low, ci high, runs) of ``prefix`` in one notebook's results, or None."""
    try:
        low, high = results[f"{prefix}_acc_ci95"]
        return (float(results[f"{prefix}_acc_mean"]), float(low), float(high),
                [float(v) for v in results.get(f"{prefix}_acc_runs", [])])
    except (KeyError, TypeError, ValueError):
        return None


def claims_figure(results: dict[str, dict[str, Any]], reports: Path, verdicts: dict[str, str]) -> Path | None:
    """``<reports>/figures/report_claims.png`` from the result files and the claims table's verdicts (claim id ->
    verdict); None when no accuracy claim has results yet."""
    plt = _pyplot()

    from kanrepro.pipeline.claims import (
        CLAIMS,
        SEEN_UNSEEN_NOTEBOOK,
        SENSITIVITY_NOTEBOOK,
        UNSEEN_MODEL,
    )
    from kanrepro.pipeline.verdicts import AccuracyJudge

    rows = []
    for claim in CLAIMS:
        if not isinstance(claim.judge, AccuracyJudge) or claim.notebook not in results:
            continue
        default = _summary(results[claim.notebook], claim.judge.prefix)
        if default is None:
            continue
        verdict = verdicts.get(claim.claim_id, "")
        model = UNSEEN_MODEL.get(claim.claim_id)
        unseen = results.get(SEEN_UNSEEN_NOTEBOOK, {}).get("models", {}).get(model, {}).get("unseen_knots_acc_all")
        census = _summary(results.get(SENSITIVITY_NOTEBOOK, {}), claim.judge.prefix)
        rows.append((claim, default, verdict, unseen, census))
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(11, 0.42 * len(rows) + 2.2))
    for y, (claim, (mean, low, high, runs), verdict, unseen, census) in enumerate(rows):
        ax.scatter([100 * r for r in runs], [y] * len(runs), s=6, color="#999", zorder=1)
        ax.errorbar(100 * mean, y, xerr=[[100 * (mean - low)], [100 * (high - mean)]],
                    fmt="o", color=VERDICT_COLOURS.get(verdict, "#777"), capsize=3, zorder=3)
        ax.scatter(100 * claim.judge.claimed, y, marker="x", s=60, color="k", zorder=4)
        if isinstance(unseen, dict):
            ax.errorbar(100 * unseen["mean"], y + 0.28, xerr=[[100 * (unseen["mean"] - unseen["ci95"][0])],
                        [100 * (unseen["ci95"][1] - unseen["mean"])]], fmt="s", ms=4, color="#555", capsize=2)
        if census is not None:
            ax.errorbar(100 * census[0], y - 0.28,
                        xerr=[[100 * (census[0] - census[1])], [100 * (census[2] - census[0])]],
                        fmt="D", ms=4, color="#3a6ea5", capsize=2)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{c.claim_id}: {c.text[:48]}{'…' if len(c.text) > 48 else ''}" for c, *_ in rows], fontsize=7)
    ax.invert_yaxis()
    handles = [plt.Line2D([], [], marker="x", ls="", color="k", label="source's number"),
               *[plt.Line2D([], [], marker="o", ls="", color=c, label=f"ours, {v}")
                 for v, c in VERDICT_COLOURS.items()],
               plt.Line2D([], [], marker=".", ls="", color="#999", label="ours, one run"),
               plt.Line2D([], [], marker="s", ls="", color="#555", label="ours on unseen knots (08)"),
               plt.Line2D([], [], marker="D", ls="", color="#3a6ea5", label="ours on the census (07)")]
    ax.legend(handles=handles, fontsize=7, loc="upper center", bbox_to_anchor=(0.4, -0.08), ncol=4)
    ax.set(xlabel="test accuracy (%), mean and 95% CI over runs", title="Every accuracy claim against our reruns")
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, reports, "report_claims")


def instability_figure(results: dict[str, dict[str, Any]], reports: Path) -> Path | None:
    """``<reports>/figures/report_stability.png``: one strip of per-seed accuracies per model family; None
    when no notebook has such runs yet."""
    plt = _pyplot()
    strips = [(label, [float(v) for v in results[stem][key]]) for stem, key, label in STABILITY_RUNS
              if isinstance(results.get(stem, {}).get(key), list) and results[stem][key]]
    if not strips:
        return None
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for i, (_, values) in enumerate(strips):
        jitter = [(j % 5 - 2) * 0.04 for j in range(len(values))]
        ax.scatter([i + d for d in jitter], [100 * v for v in values], s=18, alpha=0.7, color=f"C{i}")
        ax.hlines(100 * sum(values) / len(values), i - 0.25, i + 0.25, color="k", lw=1)
    ax.axhline(100 * INSTABILITY_THRESHOLD, color="tab:red", ls="--", lw=1, label="C1n's 'failed run' threshold")
    ax.set_xticks(range(len(strips)))
    ax.set_xticklabels([label for label, _ in strips], fontsize=8)
    ax.set(ylabel="test accuracy (%)", title="Accuracy per seed, each model under its own protocol (line: mean)")
    ax.legend(fontsize=8)
    return _save(fig, reports, "report_stability")

"""Figures the report draws itself, from several notebooks' result files at once.

- :func:`instability_figure`: per-seed test accuracy of the KAN [17,1,14] (notebook 04) and the MLPs
  (notebooks 05 and 03), each under its own protocol, side by side (claim C1n).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

# (notebook, key of per-run accuracies, label), in plotting order
STABILITY_RUNS = [
    ("04_kan_knot", "kan_17_1_14_ours_acc_runs", "KAN [17,1,·] ours\npykan tutorial protocol"),
    ("04_kan_knot", "kan_17_1_14_acc_runs", "KAN [17,1,·] pykan itself\npykan tutorial protocol"),
    ("05_tiny_mlps", "mlp_3_3_acc_runs", "MLP [3,3]\nCompactNet protocol"),
    ("03_deepmind_mlp", "deepmind_mlp_acc_runs", "MLP [300,300,300]\nDeepMind protocol"),
]


def instability_figure(results: dict[str, dict[str, Any]], reports: Path) -> Path | None:
    """``<reports>/figures/report_stability.png``: one strip of per-seed accuracies per model family; None
    when no notebook has such runs yet."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from kanrepro.claims import INSTABILITY_THRESHOLD

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
    fig.tight_layout()
    path = reports / "figures" / "report_stability.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

"""The interpretability and stability claims (issue 14): automated formulas (notebook 09), the unsupervised
relations (notebook 10), and KAN training's spread over seeds (notebooks 04, 05, 06). Each rule is in its
judge's docstring, written before the numbers existed.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kanrepro.pipeline.verdicts import (
    DEPENDS,
    KAN_PAPER,
    NOT_REPRODUCED,
    REPRODUCED,
    AccuracyJudge,
    Claim,
    Judgement,
    nested,
)

DISCOVERY_NOTEBOOK = "09_formula_discovery"
DISCOVERY_RULES = {"top_r2": "top-r² choice, as pykan 0.0.x when the paper appeared",
                   "pykan_default": "pykan 0.2.8's default choice (simplicity-weighted)"}


def _automation_finds_slope(results: dict[str, Any]) -> Judgement:
    """C1q. Rule (fixed before notebook 09 had run its seeds): a seed's formula "is the natural slope" when it
    is finite on every test row and |Pearson r| with lambda mu_r / (mu_r^2 + mu_i^2) exceeds 0.99 there
    (:func:`kanrepro.experiment.discovery.is_natural_slope`). *reproduced* if, for some shape and selection rule, at
    least half of the seeds find it; *depends on seed or protocol* if some seed does but fewer than half;
    *not reproduced* if none does."""
    shares, n = results["natural_slope_share"], int(results["n_seeds"])
    best = max(shares, key=shares.get)
    correlation = results["best_slope_correlation"]
    ours = (f"{'; '.join(f'{k}: {100 * v:.0f}%' for k, v in shares.items())} of {n} seeds; highest |r| with "
            f"the slope {correlation['value']:.3f} ({correlation['where']})")
    if shares[best] >= 0.5:
        return ours, REPRODUCED, f"{best}: the automation yields the natural slope in at least half the seeds."
    if shares[best] > 0:
        return ours, DEPENDS, f"Only some seeds yield the natural slope (at most {100 * shares[best]:.0f}%, {best})."
    return ours, NOT_REPRODUCED, ("No seed, shape or selection rule yields the natural slope; the formulas are "
                                  "other functions of μ_r, μ_i, λ (notebook 09 lists them).")


INSTABILITY_THRESHOLD = 0.75  # a run "fails" below this test accuracy


def _runs(results: dict[str, dict[str, Any]], source: tuple[str, ...]) -> list[float]:
    """Per-run accuracies at ``source`` = (notebook, key, subkey, ...) in {notebook: results}."""
    return [float(v) for v in nested(results, source)]


def _spreads(kan: tuple[str, ...], mlp: tuple[str, ...]) -> Callable[[dict[str, Any]], Judgement]:
    """C1n. Rule (fixed before the ratios were computed): spread = std of per-seed test accuracy, KAN runs at
    ``kan`` against MLP runs at ``mlp`` (each (notebook, key, ...)). *reproduced* if the 95% bootstrap CI of
    std(KAN) / std(MLP) lies above 1; *not reproduced* if it contains 1 (no difference shown) or lies below 1
    (the MLP spreads more)."""

    def judge(results: dict[str, Any]) -> Judgement:
        from kanrepro.experiment.stats import spread, std_ratio_ci

        kan_runs, mlp_runs = _runs(results, kan), _runs(results, mlp)
        s_kan, s_mlp = spread(kan_runs, INSTABILITY_THRESHOLD), spread(mlp_runs, INSTABILITY_THRESHOLD)
        ratio, low, high = std_ratio_ci(kan_runs, mlp_runs)
        ours = (f"std {100 * s_kan['std']:.1f} vs {100 * s_mlp['std']:.1f} points (ratio {ratio:.2f} [95% CI "
                f"{low:.2f}–{high:.2f}]); range {100 * s_kan['range']:.1f} vs {100 * s_mlp['range']:.1f}; below "
                f"{100 * INSTABILITY_THRESHOLD:.0f}%: {100 * s_kan['share_below']:.0f}% vs "
                f"{100 * s_mlp['share_below']:.0f}% of {s_kan['n']} vs {s_mlp['n']} runs")
        if low > 1:
            return ours, REPRODUCED, "The KAN's accuracy spreads more over seeds than the MLP's, CI above 1."
        if high < 1:
            return ours, NOT_REPRODUCED, "The MLP's accuracy spreads more over seeds than the KAN's."
        return ours, NOT_REPRODUCED, "The spreads are not distinguishable at these run counts (CI contains 1)."

    return judge


KAN_RUNS = ("04_kan_knot", "kan_17_1_14_ours_acc_runs")  # C1n: the [17,1,14] KAN's per-seed accuracies ...
MLP_RUNS = ("05_tiny_mlps", "mlp_3_3_acc_runs")  # ... against CompactNet's [3,3] MLP's
INSTABILITY_SOURCE = "the KAN-vs-MLP debate, as quoted in kanrepro issue 14 (no primary source located)"


INTERPRETABILITY_CLAIMS: list[Claim] = [
    Claim("C1n", "Training a KAN is unstable: the [17,1,14] KAN (pykan's protocol) varies more over seeds than "
          "CompactNet's [3,3] MLP (its protocol)", INSTABILITY_SOURCE, "\"training KAN is very unstable\"",
          (KAN_RUNS[0], MLP_RUNS[0]), _spreads(KAN_RUNS, MLP_RUNS)),
    *[Claim(f"C1n-{tag}", f"The same at matched size under one protocol (notebook 06): {kan} vs {mlp}",
            INSTABILITY_SOURCE, "\"training KAN is very unstable\"", ("06_pareto",),
            _spreads(("06_pareto", "size_acc_runs", kan), ("06_pareto", "size_acc_runs", mlp)))
      for tag, kan, mlp in (("b", "KAN [17,1,·] G=3", "MLP [5-5]"), ("c", "KAN [17,2,·] G=3", "MLP [10-10]"))],
    *[Claim(f"C1{letter}-{shape}", f"The {width} KAN's auto-symbolic formula ({label}) scores {claimed:.1%}",
            KAN_PAPER + ", Table 4 (formulas 'auto-discovered by KANs')", f"{claimed:.1%} (formula {shape})",
            DISCOVERY_NOTEBOOK, AccuracyJudge(f"discovered_{shape}_{rule}", claimed,
                                          "best linear readout of the formula pykan produced"))
      for letter, rule in (("o", "top_r2"), ("p", "pykan_default")) for label in [DISCOVERY_RULES[rule]]
      for shape, width, claimed in (("C", "[3,1,1]", 0.719), ("D", "[3,2,1]", 0.840))],
    Claim("C1q", "Auto-symbolic regression on a trained KAN finds the signature's formula (the natural slope)",
          KAN_PAPER + ": KANs rediscover DeepMind's results \"with much smaller networks and much more automation\"",
          "automation; but B-D need \"additional inductive biases\" to become formula A (same section)",
          DISCOVERY_NOTEBOOK, _automation_finds_slope),
]


RELATIONS_NOTEBOOK = "10_knot_relations"


def _relation_found(name: str) -> Callable[[dict[str, Any]], Judgement]:
    """C1r. Rule (fixed before notebook 10 had run): the paper says its 200 unsupervised networks fall into
    three clusters, so each cluster must hold some of ours: *reproduced* if at least one of our networks lands
    in cluster ``name`` (:func:`kanrepro.experiment.relations.relation_of`), *not reproduced* if none does (the row
    gives our network count beside the paper's 200)."""

    def judge(results: dict[str, Any]) -> Judgement:
        share, n = float(results["relation_share"][name]), int(results["n_networks"])
        others = ", ".join(f"{k}: {round(v * n)}" for k, v in results["relation_share"].items() if k != name)
        ours = f"{round(share * n)} of {n} networks ({others})"
        if share > 0:
            return ours, REPRODUCED, f"{round(share * n)} of our {n} networks find it (the paper ran 200)."
        return ours, NOT_REPRODUCED, f"None of our {n} networks finds it (the paper ran 200)."

    return judge


INTERPRETABILITY_CLAIMS += [
    Claim(f"C1r-{i}", f"An unsupervised [18,1,1] KAN rediscovers a relation: {name}", KAN_PAPER + ", Fig. 4.4",
          "one of three clusters of 200 networks (no numbers given)", RELATIONS_NOTEBOOK, _relation_found(name))
    for i, name in enumerate(("signature ~ mu_r, lambda", "cusp volume = mu_r * lambda",
                              "short geodesic ~ injectivity radius"), start=1)
]

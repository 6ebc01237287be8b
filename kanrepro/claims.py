"""The claims we rerun, each with its source number and a rule that turns our results into a verdict.

Source numbers are quoted from ../shared/reference/claims.md (which cites each paper, README or notebook);
our numbers always come from ``reports/results/<notebook>.json``. Add a claim here and it appears in the
report's claims table.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REPRODUCED, NOT_REPRODUCED, DEPENDS, NOT_RUN = "reproduced", "not reproduced", "depends on seed or protocol", "not run"

Judgement = tuple[str, str, str]  # (our number as text, verdict, one sentence why)
# A rewrite counts as exact when float64 outputs agree to this relative precision (max |diff| / max |output|).
# Rounding alone stays far below it; a wrong rewrite is off by O(1).
EXACT_FLOAT64 = 1e-6


@dataclass(frozen=True)
class Claim:
    """One row of the claims table."""

    claim_id: str  # short id, e.g. "C2a"
    text: str  # the claim in words
    source: str  # who said it, where
    source_value: str  # the source's number or statement, quoted
    notebook: str | tuple[str, ...]  # stem of the result file holding our numbers (several: judge gets {stem: results})
    judge: Callable[[dict[str, Any]], Judgement]  # results of that notebook (or notebooks) -> judgement

    @property
    def notebooks(self) -> tuple[str, ...]:
        return (self.notebook,) if isinstance(self.notebook, str) else self.notebook

    def results_of(self, results_by_notebook: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
        """What :attr:`judge` reads: one notebook's results, or {stem: results} of several; None if any is missing."""
        if any(stem not in results_by_notebook for stem in self.notebooks):
            return None
        if isinstance(self.notebook, str):
            return results_by_notebook[self.notebook]
        return {stem: results_by_notebook[stem] for stem in self.notebooks}


def _exact(name: str, what: str) -> Callable[[dict[str, Any]], Judgement]:
    """Judge ``max_abs_diff_<name>`` / ``max_rel_diff_<name>`` of a rewrite check."""

    def judge(results: dict[str, Any]) -> Judgement:
        absolute, relative = float(results[f"max_abs_diff_{name}"]), float(results[f"max_rel_diff_{name}"])
        trials = results.get("n_trials", "?")
        ours = f"max |difference| {absolute:.2g} (relative {relative:.2g}) over {trials} random models, float64"
        if not (math.isfinite(absolute) and math.isfinite(relative)):
            return ours, NOT_REPRODUCED, f"{what}: outputs or differences are not finite (overflow): nothing shown."
        if relative < EXACT_FLOAT64:
            return ours, REPRODUCED, f"{what} agree to float64 rounding, inputs outside the grid included."
        return ours, NOT_REPRODUCED, f"{what} differ by more than {EXACT_FLOAT64:g} relative."

    return judge


def _seed_example(results: dict[str, Any]) -> Judgement:
    as_written = float(results["seed_example_max_abs_diff_as_written"])
    continuous = float(results["seed_example_max_abs_diff_continuous"])
    ours = f"max |f - ReLU form|: {as_written:.3g} as written, {continuous:.2g} with 2x - 1.5"
    if as_written < EXACT_FLOAT64:
        return ours, REPRODUCED, "The printed piecewise formula equals its ReLU expression."
    return ours, NOT_REPRODUCED, ("As printed (2x - 2.5 for x >= 1) f jumps at x = 1 and cannot equal the ReLU "
                                  "expression, which is 2x - 1.5 there; with that (continuous) piece it is exact.")


@dataclass(frozen=True)
class AccuracyJudge:
    """Judge a claimed accuracy against ``<prefix>_acc_mean/_acc_ci95/_acc_best`` and the per-run range.

    reproduced: the claim lies in our 95% CI or within 1 point of our mean; depends on seed or protocol:
    our runs fall on both sides of it (worst <= claim <= best); not reproduced: no run reaches it (or all exceed it).
    """

    prefix: str  # key prefix in the notebook's results
    claimed: float  # the source's accuracy, a fraction
    what: str  # how ours was measured, in a few words

    def __call__(self, results: dict[str, Any]) -> Judgement:
        prefix, claimed, what = self.prefix, self.claimed, self.what
        mean, (low, high) = float(results[f"{prefix}_acc_mean"]), map(float, results[f"{prefix}_acc_ci95"])
        best, worst = float(results[f"{prefix}_acc_best"]), float(results[f"{prefix}_acc_min"])
        n = int(results[f"{prefix}_n_runs"])
        ours = f"{100 * mean:.1f}% [95% CI {100 * low:.1f}–{100 * high:.1f}], best {100 * best:.1f}%, {n} runs"
        gap = 100 * (mean - claimed)
        if low <= claimed <= high or abs(gap) <= 1.0:
            return ours, REPRODUCED, f"{what}: our mean is {gap:+.1f} points from the claim."
        if worst <= claimed <= best:
            return ours, DEPENDS, (f"{what}: runs straddle the claim (worst {100 * worst:.1f}%, best "
                                   f"{100 * best:.1f}%); the mean is {gap:+.1f} points from it.")
        side = "above" if mean > claimed else "below"
        return ours, NOT_REPRODUCED, f"{what}: every summary is {side} the claim (mean {gap:+.1f} points)."


_accuracy = AccuracyJudge


def _counts(keys: dict[str, str], claimed: float, what: str) -> Callable[[dict[str, Any]], Judgement]:
    """Judge a claimed parameter count ("~3e5") against counts we computed under named conventions."""

    def judge(results: dict[str, Any]) -> Judgement:
        counts = {label: _lookup(results, key) for label, key in keys.items()}
        ours = "; ".join(f"{label}: {int(v):,}" for label, v in counts.items())
        within = [label for label, v in counts.items() if abs(v - claimed) / claimed <= 0.25]
        if len(within) == len(counts):
            return ours, REPRODUCED, f"{what}: every count is within 25% of the claim."
        if within:
            return ours, DEPENDS, f"{what}: only some conventions give the claimed size ({', '.join(within)})."
        return ours, NOT_REPRODUCED, f"{what}: no convention gives the claimed size."

    return judge


def _lookup(results: dict[str, Any], key: str) -> float:
    """``a.b`` looks up nested dicts."""
    value: Any = results
    for part in key.split("."):
        value = value[part]
    return float(value)


def _slope_rule(results: dict[str, Any]) -> Judgement:
    accuracy = float(results["slope_formula_acc"]["2"])
    ours = f"{100 * accuracy:.2f}% on split seed 2"
    gap = 100 * (accuracy - 0.7382)
    verdict = REPRODUCED if abs(gap) <= 1.0 else NOT_REPRODUCED
    return ours, verdict, f"Same rule, same split seed, on our data: {gap:+.2f} points."


SEEN_UNSEEN_NOTEBOOK = "08_seen_unseen"
# the models notebook 08 reruns on both splits, by the claim whose accuracy they carry
UNSEEN_MODEL = {"C1a": "DeepMind MLP [300,300,300]", "C1c": "KAN [17,1,·] (pykan itself)",
                "C1d": "KAN [17,1,·] (ours, tutorial)", "C1l": "CompactNet MLP [3,3]", "C1k": "natural-slope rule"}
LOOKUP_MARGIN = 0.05  # a lookup within 5 points of the best model: the split rewards remembering
UNSEEN_DROP = 0.02  # a best model more than 2 points (and CI-separated) worse on unseen knots


def _split_measures_new_knots(results: dict[str, Any]) -> Judgement:
    """C1m. Rule (fixed before any number of it existed): *not reproduced* (the split does not measure new
    knots) if the 1-NN lookup's mean accuracy on DeepMind's test split is within LOOKUP_MARGIN of the best
    model's, or if the best model on DeepMind's split scores more than UNSEEN_DROP lower under the
    unseen-knot split with the upper end of that CI below its DeepMind-split mean; else *reproduced*."""
    models = results["models"]
    trained = {m: v for m, v in models.items() if m in UNSEEN_MODEL.values() and m != UNSEEN_MODEL["C1k"]
               and v["deepmind_acc_all"]["n_runs"] >= 2}  # pykan's single anchor run cannot be the "best model"
    best = max(trained, key=lambda m: trained[m]["deepmind_acc_all"]["mean"])
    dm, unseen = trained[best]["deepmind_acc_all"], trained[best]["unseen_knots_acc_all"]
    lookup = models["lookup 1-NN"]["deepmind_acc_all"]["mean"]
    best_unseen = max(trained, key=lambda m: trained[m]["unseen_knots_acc_all"]["mean"])
    ours = (f"lookup 1-NN {100 * lookup:.1f}% on DeepMind's split ({100 * results['seen_share_mean']:.0f}% of its test "
            f"rows seen in training); best model there {best} {100 * dm['mean']:.1f}%, on unseen knots "
            f"{100 * unseen['mean']:.1f}% [{100 * unseen['ci95'][0]:.1f}–{100 * unseen['ci95'][1]:.1f}]; best on unseen "
            f"knots: {best_unseen} {100 * trained[best_unseen]['unseen_knots_acc_all']['mean']:.1f}%")
    drop = dm["mean"] - unseen["mean"]
    if dm["mean"] - lookup <= LOOKUP_MARGIN:
        return ours, NOT_REPRODUCED, (f"A lookup with no learned weights is within {100 * (dm['mean'] - lookup):.1f} "
                                      "points of the best model: the split rewards remembering knots.")
    if drop > UNSEEN_DROP and unseen["ci95"][1] < dm["mean"]:
        return ours, NOT_REPRODUCED, f"The best model loses {100 * drop:.1f} points on knots it never saw."
    return ours, REPRODUCED, (f"The lookup trails the best model by {100 * (dm['mean'] - lookup):.1f} points and "
                              f"unseen knots cost it {100 * drop:.1f} points.")


CLAIMS: list[Claim] = [
    Claim("C2a", "A piecewise-linear KAN (shared grid, k pieces) is expand -> shift -> ReLU -> Linear; "
          "a KAN stack is an MLP",
          "Colab 'KAN is just MLP' (r/MachineLearning 1clcu5i, May 2024)", "exact equality; n*m*k parameters",
          "01_kan_is_mlp", _exact("pl_kan_to_mlp", "KAN and its ReLU-MLP rewrite")),
    Claim("C2b", "The seed's example f(x) = 2x, 0.5x, 2x-2.5 equals 2x - 1.5 relu(x) + 1.5 relu(x-1)",
          "Colab 'KAN is just MLP' (quoted in claims.md C2)", "exact equality",
          "01_kan_is_mlp", _seed_example),
    Claim("C2c", "Any ReLU MLP is a KAN with piecewise-linear edges",
          "Schoots, Villani, uit de Bos, arXiv 2503.01702 (AISTATS 2025)", "exact (theorem)",
          "01_kan_is_mlp", _exact("mlp_to_kan", "MLP and its KAN rewrite")),
    Claim("C2d", "pykan's B-spline KAN (w_b*silu + w_s*sum c_i B_i) is an MLP with relu(x-t)^k and SiLU units",
          "ours (no published exact rewrite; claims.md C2)", "exact in exact arithmetic (derived in notebook 01)",
          "01_kan_is_mlp", _exact("bspline_kan_to_mlp", "pykan-form KAN and its relu^k-MLP rewrite")),
]


KAN_PAPER = "Liu et al., KAN paper (arXiv 2404.19756), Sec. 4.3"
CLAIMS += [
    Claim("C1a", "DeepMind's MLP [300,300,300] reaches 78% test accuracy",
          "KAN paper Table 3 (quoting Davies et al., Nature 2021)", "78.0%",
          "03_deepmind_mlp", _accuracy("deepmind_mlp", 0.780, "DeepMind's protocol, quirks on")),
    Claim("C1b", "DeepMind's MLP has ~3 x 10^5 parameters", "KAN paper Table 3", "~300,000",
          "03_deepmind_mlp", _counts({"13 outputs (as written)": "deepmind_mlp_params_13out",
                                      "14 outputs (fixed)": "deepmind_mlp_params_14out"}, 3e5,
                                     "weights + biases")),
    Claim("C1c", "A [17,1,14] KAN (G=3, k=3) reaches 81.6%", KAN_PAPER + ", Table 3", "81.6%",
          "04_kan_knot", _accuracy("kan_17_1_14", 0.816, "pykan 0.2.8 itself, its tutorial's protocol")),
    Claim("C1d", "The same KAN, trained by our pykan-exact KAN over more seeds", KAN_PAPER + ", Table 3", "81.6%",
          "04_kan_knot", _accuracy("kan_17_1_14_ours", 0.816, "our KAN, pykan's tutorial protocol")),
    Claim("C1e", "The same KAN under DeepMind's protocol (Adam, first-uptick stop, output fix)",
          KAN_PAPER + ", Table 3", "81.6%",
          "04_kan_knot", _accuracy("kan_17_1_14_ours_deepmind", 0.816, "our KAN, DeepMind's protocol")),
    Claim("C1f", "The [17,1,14] KAN has ~2 x 10^2 parameters", KAN_PAPER + ", Table 3", "~200",
          "04_kan_knot", _counts({"spline coefficients": "kan_17_1_14_params_by_convention.spline_coefficients",
                                  "+ w_b, w_s": "kan_17_1_14_params_by_convention.spline_plus_scales",
                                  "pykan trainable": "kan_17_1_14_params_by_convention.pykan_trainable",
                                  "KANbeFair": "kan_17_1_14_params_by_convention.kanbefair"}, 200,
                                 "[17,1,14], G=3, k=3")),
    Claim("C1g", "A [3,1,14] KAN on the 3 salient features reaches 78.2%", KAN_PAPER, "78.2%",
          "04_kan_knot", _accuracy("kan_3_1_14", 0.782, "our KAN, tutorial protocol")),
    Claim("C1h", "mu_r alone gives 65.0%", KAN_PAPER, "65.0%",
          "04_kan_knot", _accuracy("kan_mu_r_only", 0.650, "our KAN [1,1,·], tutorial protocol")),
    Claim("C1i", "mu_i alone gives 43.8%", KAN_PAPER, "43.8%",
          "04_kan_knot", _accuracy("kan_mu_i_only", 0.438, "our KAN [1,1,·], tutorial protocol")),
    Claim("C1j", "Formula A, the natural slope, scores 83.1%", KAN_PAPER + ", Table 4", "83.1%",
          "04_kan_knot", _accuracy("formula_A_calibrated", 0.831, "best linear readout of the slope")),
    *[Claim(claim_id, f"Formula {name} ({origin}) scores {claimed:.1%}", KAN_PAPER + ", Table 4", f"{claimed:.1%}",
            "04_kan_knot", _accuracy(f"formula_{name}_calibrated", claimed, "best linear readout, printed formula"))
      for claim_id, name, origin, claimed in (("C1j-B", "B", "[3,1] KAN", 0.626), ("C1j-C", "C", "[3,1,1] KAN", 0.719),
                                              ("C1j-D", "D", "[3,2,1] KAN", 0.840),
                                              ("C1j-E", "E", "[3,2,1] KAN + Pade", 0.828),
                                              ("C1j-F", "F", "two [3,1] KANs, mu_r and lambda only", 0.778))],
    Claim("C1k", "The zero-parameter natural-slope rule scores 73.82% (split seed 2)",
          "SHI-Labs/CompactNet README and notebook", "73.82%", "04_kan_knot", _slope_rule),
    Claim("C1l", "An MLP [3,3] with 122 parameters matches 81.6%", "SHI-Labs/CompactNet README",
          "81.60% (one run, split seed 552)",
          "05_tiny_mlps", _accuracy("mlp_3_3", 0.816, "CompactNet's protocol, split and init seeds varied")),
    Claim("C1m", "DeepMind's test split measures accuracy on knots the model has not seen",
          "implicit in DeepMind's, the KAN paper's and CompactNet's comparisons (none separates repeated knots)",
          "one test accuracy per model, repeats not separated", "08_seen_unseen", _split_measures_new_knots),
]


DISCOVERY_NOTEBOOK = "09_formula_discovery"
DISCOVERY_RULES = {"top_r2": "top-r² choice, as pykan 0.0.x when the paper appeared",
                   "pykan_default": "pykan 0.2.8's default choice (simplicity-weighted)"}


def _automation_finds_slope(results: dict[str, Any]) -> Judgement:
    """C1q. Rule (fixed before notebook 09 had run its seeds): a seed's formula "is the natural slope" when it
    is finite on every test row and |Pearson r| with lambda mu_r / (mu_r^2 + mu_i^2) exceeds 0.99 there
    (:func:`kanrepro.discovery.is_natural_slope`). *reproduced* if, for some shape and selection rule, at
    least half of the seeds find it; *depends on seed or protocol* if some seed does but fewer than half;
    *not reproduced* if none does."""
    shares, n = results["natural_slope_share"], int(results["n_seeds"])
    best = max(shares, key=shares.get)
    correlation = results["best_slope_correlation"]
    ours = (f"{'; '.join(f'{k}: {100 * v:.0f}%' for k, v in shares.items())} of {n} seeds; highest |r| with "
            f"the slope {correlation['value']:.3f} ({correlation['where']})")
    if shares[best] >= 0.5:
        return ours, REPRODUCED, f"{best}: the automation yields the natural slope in most seeds."
    if shares[best] > 0:
        return ours, DEPENDS, f"Only some seeds yield the natural slope (at most {100 * shares[best]:.0f}%, {best})."
    return ours, NOT_REPRODUCED, ("No seed, shape or selection rule yields the natural slope; the formulas are "
                                  "other functions of μ_r, μ_i, λ (notebook 09 lists them).")


INSTABILITY_THRESHOLD = 0.75  # a run "fails" below this test accuracy


def _runs(results: dict[str, dict[str, Any]], source: tuple[str, ...]) -> list[float]:
    """Per-run accuracies at ``source`` = (notebook, key, subkey, ...) in {notebook: results}."""
    value: Any = results[source[0]]
    for key in source[1:]:
        value = value[key]
    return [float(v) for v in value]


def _spreads(kan: tuple[str, ...], mlp: tuple[str, ...]) -> Callable[[dict[str, Any]], Judgement]:
    """C1n. Rule (fixed before the ratios were computed): spread = std of per-seed test accuracy, KAN runs at
    ``kan`` against MLP runs at ``mlp`` (each (notebook, key, ...)). *reproduced* if the 95% bootstrap CI of
    std(KAN) / std(MLP) lies above 1; *not reproduced* if it contains 1 (no difference shown) or lies below 1
    (the MLP spreads more)."""

    def judge(results: dict[str, Any]) -> Judgement:
        from kanrepro.stats import spread, std_ratio_ci

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


INSTABILITY_SOURCE = "the KAN-vs-MLP debate, as quoted in kanrepro issue 14 (no primary source located)"


CLAIMS += [
    Claim("C1n", "Training a KAN is unstable: the [17,1,14] KAN (pykan's protocol) varies more over seeds than "
          "CompactNet's [3,3] MLP (its protocol)", INSTABILITY_SOURCE, "\"training KAN is very unstable\"",
          ("04_kan_knot", "05_tiny_mlps"),
          _spreads(("04_kan_knot", "kan_17_1_14_ours_acc_runs"), ("05_tiny_mlps", "mlp_3_3_acc_runs"))),
    *[Claim(f"C1n-{tag}", f"The same at matched size under one protocol (notebook 06): {kan} vs {mlp}",
            INSTABILITY_SOURCE, "\"training KAN is very unstable\"", ("06_pareto",),
            _spreads(("06_pareto", "size_acc_runs", kan), ("06_pareto", "size_acc_runs", mlp)))
      for tag, kan, mlp in (("b", "KAN [17,1,·] G=3", "MLP [5-5]"), ("c", "KAN [17,2,·] G=3", "MLP [10-10]"))],
    *[Claim(f"C1{letter}-{shape}", f"The {width} KAN's auto-symbolic formula ({label}) scores {claimed:.1%}",
            KAN_PAPER + ", Table 4 (formulas 'auto-discovered by KANs')", f"{claimed:.1%} (formula {shape})",
            DISCOVERY_NOTEBOOK, _accuracy(f"discovered_{shape}_{rule}", claimed,
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
    in cluster ``name`` (:func:`kanrepro.relations.relation_of`), *not reproduced* if none does (the row
    gives our network count beside the paper's 200)."""

    def judge(results: dict[str, Any]) -> Judgement:
        share, n = float(results["relation_share"][name]), int(results["n_networks"])
        others = ", ".join(f"{k}: {round(v * n)}" for k, v in results["relation_share"].items() if k != name)
        ours = f"{round(share * n)} of {n} networks ({others})"
        if share > 0:
            return ours, REPRODUCED, f"{round(share * n)} of our {n} networks find it (the paper ran 200)."
        return ours, NOT_REPRODUCED, f"None of our {n} networks finds it (the paper ran 200)."

    return judge


CLAIMS += [
    Claim(f"C1r-{i}", f"An unsupervised [18,1,1] KAN rediscovers a relation: {name}", KAN_PAPER + ", Fig. 4.4",
          "one of three clusters of 200 networks (no numbers given)", RELATIONS_NOTEBOOK, _relation_found(name))
    for i, name in enumerate(("signature ~ mu_r, lambda", "cusp volume = mu_r * lambda",
                              "short geodesic ~ injectivity radius"), start=1)
]


SENSITIVITY_NOTEBOOK = "07_dataset_sensitivity"  # reruns these claims on a second dataset
SENSITIVITY_CLAIMS = ["C1a", "C1d", "C1l", "C1k"]


def sensitivity_rows(results_by_notebook: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """The headline knot claims judged on the default dataset (their notebooks) and on the second one
    (notebook 07), side by side: id, claim, source value, then (ours, verdict) per dataset."""
    second = results_by_notebook.get(SENSITIVITY_NOTEBOOK)
    rows = []
    for claim in (c for c in CLAIMS if c.claim_id in SENSITIVITY_CLAIMS):
        row = {"id": claim.claim_id, "claim": claim.text, "source_value": claim.source_value}
        for side, results in (("default", results_by_notebook.get(claim.notebook)), ("second", second)):
            try:
                ours, verdict, _ = claim.judge(results) if results is not None else ("—", NOT_RUN, "")
            except (KeyError, TypeError, ValueError):
                ours, verdict = "—", NOT_RUN
            row[f"{side}_ours"], row[f"{side}_verdict"] = ours, verdict
        row["differs"] = str(row["default_verdict"] != row["second_verdict"])
        rows.append(row)
    return rows


def unseen_figure(claim_id: str, results_by_notebook: dict[str, dict[str, Any]]) -> str:
    """The claim's model under the unseen-knot split (notebook 08), as text; '' when not run, and a note for
    accuracy claims notebook 08 does not rerun."""
    if claim_id not in UNSEEN_MODEL:
        claim = next(c for c in CLAIMS if c.claim_id == claim_id)
        rerunnable = claim_id.startswith("C1") and isinstance(claim.judge, AccuracyJudge)
        return "not rerun on unseen knots" if rerunnable and SEEN_UNSEEN_NOTEBOOK in results_by_notebook else ""
    try:
        value = results_by_notebook[SEEN_UNSEEN_NOTEBOOK]["models"][UNSEEN_MODEL[claim_id]]["unseen_knots_acc_all"]
    except (KeyError, TypeError):
        return ""
    low, high = value["ci95"]
    return f"{100 * value['mean']:.1f}% [{100 * low:.1f}–{100 * high:.1f}], {value['n_runs']} runs"


def judge_all(results_by_notebook: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """One table row per claim; a claim whose notebook has no results (or lacks a key) is 'not run'.
    Accuracy claims rerun by notebook 08 carry their unseen-knot figure in ``unseen``."""
    rows = []
    for claim in CLAIMS:
        results = claim.results_of(results_by_notebook)
        if results is None:
            missing = [stem for stem in claim.notebooks if stem not in results_by_notebook]
            ours, verdict, why = "—", NOT_RUN, f"no results from notebook {', '.join(missing)} yet"
        else:
            try:
                ours, verdict, why = claim.judge(results)
            except (KeyError, TypeError, ValueError) as error:
                ours, verdict, why = "—", NOT_RUN, f"result file lacks what this claim needs ({error})"
        rows.append({"id": claim.claim_id, "claim": claim.text, "source": claim.source,
                     "source_value": claim.source_value, "ours": ours, "verdict": verdict, "why": why,
                     "notebook": claim.notebooks[0], "notebooks": ",".join(claim.notebooks),
                     "unseen": unseen_figure(claim.claim_id, results_by_notebook)})
    return rows

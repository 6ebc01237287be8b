"""The claims we rerun, each with its source number and a rule that turns our results into a verdict.

Source numbers are quoted from ../shared/reference/claims.md (which cites each paper, README or notebook);
our numbers always come from ``reports/results/<notebook>.json``. Add a claim here and it appears in the
report's claims table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

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
    notebook: str  # stem of the result file holding our numbers
    judge: Callable[[dict[str, Any]], Judgement]  # results of that notebook -> judgement


def _exact(name: str, what: str) -> Callable[[dict[str, Any]], Judgement]:
    """Judge ``max_abs_diff_<name>`` / ``max_rel_diff_<name>`` of a rewrite check."""

    def judge(results: dict[str, Any]) -> Judgement:
        absolute, relative = float(results[f"max_abs_diff_{name}"]), float(results[f"max_rel_diff_{name}"])
        trials = results.get("n_trials", "?")
        ours = f"max |difference| {absolute:.2g} (relative {relative:.2g}) over {trials} random models, float64"
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


def judge_all(results_by_notebook: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """One table row per claim; a claim whose notebook has no results (or lacks a key) is 'not run'."""
    rows = []
    for claim in CLAIMS:
        results = results_by_notebook.get(claim.notebook)
        if results is None:
            ours, verdict, why = "—", NOT_RUN, f"no results from notebook {claim.notebook} yet"
        else:
            try:
                ours, verdict, why = claim.judge(results)
            except (KeyError, TypeError, ValueError) as error:
                ours, verdict, why = "—", NOT_RUN, f"result file lacks what this claim needs ({error})"
        rows.append({"id": claim.claim_id, "claim": claim.text, "source": claim.source,
                     "source_value": claim.source_value, "ours": ours, "verdict": verdict, "why": why,
                     "notebook": claim.notebook})
    return rows

"""How a claim becomes a verdict: the verdict words, a claim row, and the judges several claims share.

A judge maps one notebook's result file (or {stem: results} of several) to (our number as text, verdict,
one sentence why). The claims themselves are in :mod:`kanrepro.pipeline.claims` and
:mod:`kanrepro.pipeline.claims_interpretability`.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
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


def exact(name: str, what: str) -> Callable[[dict[str, Any]], Judgement]:
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


def counts(keys: dict[str, str], claimed: float, what: str) -> Callable[[dict[str, Any]], Judgement]:
    """Judge a claimed parameter count ("~3e5") against counts we computed under named conventions."""

    def judge(results: dict[str, Any]) -> Judgement:
        counts = {label: lookup(results, key) for label, key in keys.items()}
        ours = "; ".join(f"{label}: {int(v):,}" for label, v in counts.items())
        within = [label for label, v in counts.items() if abs(v - claimed) / claimed <= 0.25]
        if len(within) == len(counts):
            return ours, REPRODUCED, f"{what}: every count is within 25% of the claim."
        if within:
            return ours, DEPENDS, f"{what}: only some conventions give the claimed size ({', '.join(within)})."
        return ours, NOT_REPRODUCED, f"{what}: no convention gives the claimed size."

    return judge


def nested(results: dict[str, Any], keys: Sequence[str]) -> Any:
    """``results[keys[0]][keys[1]]...``: a value inside nested result dicts."""
    value: Any = results
    for key in keys:
        value = value[key]
    return value


def lookup(results: dict[str, Any], key: str) -> float:
    """``a.b`` looks up nested dicts, as a number."""
    return float(nested(results, key.split(".")))



KAN_PAPER = "Liu et al., KAN paper (arXiv 2404.19756), Sec. 4.3"

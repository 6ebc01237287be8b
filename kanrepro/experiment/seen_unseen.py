"""What a knot test split measures: how many test knots the model saw in training, and each model's
accuracy on the seen and the unseen part, under DeepMind's split and under the unseen-knot split.

Rows are long-format records (one per model run): model, split, split_seed, init_seed, acc_all, acc_seen,
acc_unseen, n_test, n_seen. Under ``unseen_knots`` every test row is unseen by construction.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from kanrepro.experiment import formulas
from kanrepro.experiment.lookup import lookup_correct
from kanrepro.knots.identity import knot_groups
from kanrepro.knots.prep import (
    TARGET,
    deepmind_split,
    prepare_pykan_tutorial,
    split_frame,
)
from kanrepro.train import ensemble
from kanrepro.train import protocols as P

SPLITS = ("deepmind", "unseen_knots")


SUMMARIES = (("deepmind", "acc_all"), ("deepmind", "acc_seen"), ("deepmind", "acc_unseen"), ("unseen_knots", "acc_all"))


def model_summaries(runs: pd.DataFrame) -> dict[str, dict[str, dict]]:
    """Per model, mean / 95% CI / run count of each ``SUMMARIES`` column over its runs (long-format rows)."""
    from kanrepro.experiment.stats import summarise

    out: dict[str, dict[str, dict]] = {}
    for model in dict.fromkeys(runs["model"]):
        for split, column in SUMMARIES:
            values = runs[(runs["model"] == model) & (runs["split"] == split)][column].dropna().to_list()
            s = summarise(values)
            out.setdefault(model, {})[f"{split}_{column}"] = {"mean": s["mean"], "ci95": [s["ci_low"], s["ci_high"]],
                                                              "n_runs": s["n"]}
    return out


def seen_mask(groups: np.ndarray, frame: pd.DataFrame, train_index: pd.Index, test_index: pd.Index) -> np.ndarray:
    """(test rows,) bool: the row's knot (group) also occurs among the training rows."""
    train_groups = groups[frame.index.get_indexer(train_index)]
    return np.isin(groups[frame.index.get_indexer(test_index)], np.unique(train_groups))


def seen_shares(frame: pd.DataFrame, split_seeds: Sequence[int]) -> pd.DataFrame:
    """Per DeepMind split seed: share of test rows whose knot is in training (mirror pairs as one knot,
    and as two)."""
    together, apart = knot_groups(frame, True), knot_groups(frame, False)
    rows = []
    for seed in split_seeds:
        train, _, test = deepmind_split(frame, seed)
        rows.append({"split_seed": seed,
                     "seen_share_mirrors_together": seen_mask(together, frame, train.index, test.index).mean(),
                     "seen_share_mirrors_apart": seen_mask(apart, frame, train.index, test.index).mean()})
    return pd.DataFrame(rows)


def _row(model: str, split: str, split_seed: int, init_seed: int | None, correct: np.ndarray, seen: np.ndarray) -> dict:
    return {"model": model, "split": split, "split_seed": split_seed, "init_seed": init_seed,
            "acc_all": float(correct.mean()), "acc_seen": float(correct[seen].mean()) if seen.any() else np.nan,
            "acc_unseen": float(correct[~seen].mean()) if (~seen).any() else np.nan,
            "n_test": len(correct), "n_seen": int(seen.sum())}


def mlp_rows(frame: pd.DataFrame, features: Sequence[str], hidden: Sequence[int], cfg: P.DeepMindConfig,
             split_seeds: Sequence[int], init_seeds: Sequence[int], name: str,
             protocol: str = "deepmind") -> list[dict]:
    """An MLP under ``cfg`` (its ``split``), every split seed x init seed (vectorised over init seeds)."""
    groups, out = knot_groups(frame), []
    for seed in split_seeds:
        data = P.prepare(frame, list(features), cfg, seed)
        seen = seen_mask(groups, frame, data.train_index, data.test_index)
        records = ensemble.deepmind_ensemble(data, P.ModelSpec(hidden=tuple(hidden)), cfg, list(init_seeds),
                                             split_seed=seed, protocol=protocol)
        out += [_row(name, cfg.split, seed, r.seeds["init"], r.test_correct, seen) for r in records]
    return out


def kan_tutorial_rows(frame: pd.DataFrame, features: Sequence[str], cfg: P.PykanTutorialConfig, seeds: Sequence[int],
                      split: str, name: str, variant: str = "ours") -> list[dict]:
    """KAN [n, 1, classes] under pykan's tutorial protocol (its 80/20 split, or grouped): our KAN, or
    pykan 0.2.8 itself (``variant="pykan"``, ~7x slower here)."""
    groups, out = knot_groups(frame), []
    for seed in seeds:
        data = prepare_pykan_tutorial(frame, list(features), seed, split=split)
        record = P.pykan_tutorial(data, replace(cfg), seed=seed, variant=variant, split_seed=seed)
        out.append(_row(name, split, seed, seed, record.test_correct, seen_mask(groups, frame, data.train_index,
                                                                               data.test_index)))
    return out


def rule_rows(frame: pd.DataFrame, features: Sequence[str], split_seeds: Sequence[int], split: str,
              lookup_k: Sequence[int] = (1,)) -> list[dict]:
    """The natural-slope rule (CompactNet's fixed readout) and the k-NN lookups: no learned weights."""
    groups, out = knot_groups(frame), []
    for seed in split_seeds:
        train, _, test = split_frame(frame, seed, split)
        seen = seen_mask(groups, frame, train.index, test.index)
        slope = formulas.predict_fixed(formulas.FORMULAS["A"](test), train[TARGET].to_numpy())
        out.append(_row("natural-slope rule", split, seed, None, slope == test[TARGET].to_numpy(), seen))
        for k in lookup_k:
            correct, stored = lookup_correct(train, test, features, k)
            out.append({**_row(f"lookup {k}-NN", split, seed, None, correct, seen), "stored_numbers": stored})
    return out

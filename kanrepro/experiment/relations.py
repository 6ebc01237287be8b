"""The KAN paper's unsupervised mode on the knot invariants (Sec. 4.3; pykan's Example_15), rerun over seeds.

The paper: "we treat all 18 variables (including signature) as inputs ... Knot data are positive samples,
and we randomly shuffle features to obtain negative samples. An [18,1,1] KAN is trained to classify whether
a given feature vector belongs to a positive sample (1) or a negative sample (0). We manually set the second
layer activation to be the Gaussian function ... implicitly giving a relation among knot invariants
sum_i g_i(x_i) = 0", with lambda in {1e-2, 1e-3} and seeds 0..99; "All 200 networks can be grouped into three
clusters": (1) signature with mu_r and lambda (the signature dependence), (2) cusp volume V with mu_r and
lambda (V = mu_r lambda, by definition), (3) the short geodesic's real part with the injectivity radius.

Per seed, as pykan's tutorial does it with pykan 0.2.8 itself: z-score the 18 columns, split 80/20, build each
part's negatives by permuting every column on its own, ``KAN(width=[18,1,1], grid=5, k=3, seed)``,
``fix_symbolic(1,0,0,'gaussian', fit_params_bool=False)``, ``fit(lamb, batch=1024)`` (LBFGS, mean squared
error). The relation a network found is read off its input scores (pykan's ``feature_score``): the inputs
scoring at least ``RELEVANT`` of the top one. :func:`relation_of` names the paper's cluster it falls in.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from kanrepro.knots.dataset import FEATURES, TARGET
from kanrepro.train.pykan_protocol import quiet_pykan

COLUMNS = [*FEATURES, TARGET]  # the 18 inputs, signature on the same footing
RELEVANT = 0.2  # an input takes part in the relation when its score is at least this share of the top one
# the paper's three clusters: the inputs each must contain (it allows others: "plus two other variables")
RELATIONS = {
    "signature ~ mu_r, lambda": {TARGET, "meridinal_translation_real", "longitudinal_translation"},
    "cusp volume = mu_r * lambda": {"cusp_volume", "meridinal_translation_real", "longitudinal_translation"},
    "short geodesic ~ injectivity radius": {"short_geodesic_real_part", "injectivity_radius"},
}


@dataclass(frozen=True)
class RelationRun:
    """One unsupervised network: what it separated, and which inputs its relation uses."""

    seed: int
    lamb: float
    test_acc: float  # real vs shuffled rows, output > 0.5 (the tutorial's accuracy)
    inputs: str  # the relevant inputs, by descending score, ', '-joined
    relation: str  # a key of RELATIONS, or 'other'


def relation_of(inputs: Sequence[str]) -> str:
    """The paper's cluster whose inputs all appear in ``inputs`` (the first that fits, signature first; an
    input set holding the signature is never read as the cusp-volume relation); else 'other'."""
    present = set(inputs)
    for name, needed in RELATIONS.items():
        if needed <= present and (TARGET not in present or TARGET in needed):
            return name
    return "other"


def contrastive_split(frame: pd.DataFrame, seed: int, train_share: float = 0.8) -> dict[str, torch.Tensor]:
    """pykan's Example_15 data as a pykan dataset dict: 18 z-scored columns, a random 80/20 split, and for
    each part as many negatives, every column permuted on its own (seeded). Labels (rows, 1): 1 real, 0 not."""
    values = frame[COLUMNS].to_numpy(np.float64)
    std = values.std(axis=0)
    if (std == 0).any():
        constant = [c for c, s in zip(COLUMNS, std, strict=True) if s == 0]
        raise ValueError(f"constant column(s) {constant}: nothing to relate")
    values = (values - values.mean(axis=0)) / std
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(values))
    cut = int(train_share * len(values))
    out = {}
    for part, rows in (("train", order[:cut]), ("test", order[cut:])):
        real = values[rows]
        fake = np.column_stack([rng.permutation(real[:, j]) for j in range(real.shape[1])])
        out[f"{part}_input"] = torch.tensor(np.vstack([real, fake]), dtype=torch.float32)
        labels = np.r_[np.ones(len(real)), np.zeros(len(fake))]
        out[f"{part}_label"] = torch.tensor(labels, dtype=torch.float32)[:, None]
    return out


def train_relation(frame: pd.DataFrame, seed: int, lamb: float = 1e-3, steps: int = 100, grid: int = 5,
                   batch: int = 1024) -> RelationRun:
    """One seed of the unsupervised mode (module docstring) with pykan 0.2.8; its relation."""
    from kan import KAN as PykanKAN

    dataset = contrastive_split(frame, seed)
    batch = min(batch, len(dataset["test_input"]))  # pykan's fit draws test batches of the same size
    torch.manual_seed(seed)
    with quiet_pykan(seed):
        model = PykanKAN(width=[len(COLUMNS), 1, 1], grid=grid, k=3, seed=seed, auto_save=False)
        model.fix_symbolic(1, 0, 0, "gaussian", fit_params_bool=False)
        model.fit(dataset, lamb=lamb, batch=batch, steps=steps)
        with torch.no_grad():
            accuracy = float(((model(dataset["test_input"]) > 0.5).float() == dataset["test_label"]).float().mean())
            # the scores read the last forward's activations: a seeded training batch (batch <= test <= train rows)
            model(dataset["train_input"][np.random.RandomState(seed).choice(len(dataset["train_input"]), batch,
                                                                            replace=False)])
        scores = model.feature_score.detach().numpy()
    if not np.isfinite(scores).all() or scores.max() <= 0:
        return RelationRun(seed, lamb, accuracy, "", "other")
    order = np.argsort(-scores)
    relevant = [COLUMNS[i] for i in order if scores[i] >= RELEVANT * scores[order[0]]]
    return RelationRun(seed, lamb, accuracy, ", ".join(relevant), relation_of(relevant))

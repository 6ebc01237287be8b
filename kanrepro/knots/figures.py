"""Figures of notebook 02: our datasets against DeepMind's file (reference values from ``matching``)."""
from __future__ import annotations

from itertools import pairwise
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kanrepro.knots.dataset import TARGET
from kanrepro.knots.matching import LEVELS, REFERENCE_COLUMNS, REFERENCE_SIGNATURE
from kanrepro.knots.zero_rule import (
    BIN_VOLUME,
    REFERENCE_ZERO_SHARE,
    VOLUME_EDGES,
    zero_shares_by_volume,
)

CONTINUOUS = ["volume", "cusp_volume", "longitudinal_translation", "meridinal_translation_imag",
              "injectivity_radius", "short_geodesic_real_part"]


def distributions(frames: dict[str, pd.DataFrame], columns: list[str] = CONTINUOUS) -> Any:
    """Overlaid density histograms per column, DeepMind's quantiles (1..99%) as dashed lines."""
    fig, axes = plt.subplots(2, (len(columns) + 1) // 2, figsize=(13, 6.5))
    for ax, column in zip(axes.flat, columns, strict=False):  # an odd count leaves a spare panel
        lo = min(f[column].min() for f in frames.values())
        hi = max(f[column].max() for f in frames.values())
        bins = np.linspace(lo, hi, 50)
        for name, frame in frames.items():
            ax.hist(frame[column], bins=bins, density=True, histtype="step", lw=1.5, label=name)
        for q in REFERENCE_COLUMNS[column][2:2 + len(LEVELS)]:
            ax.axvline(q, color="k", ls="--", lw=0.7, alpha=0.6)
        ax.set(title=column, yticks=[])
    axes.flat[0].legend(fontsize=8, title="dashed: DeepMind's 1/5/25/50/75/95/99%", title_fontsize=7)
    fig.tight_layout()
    return fig


def signature_shares(frames: dict[str, pd.DataFrame]) -> Any:
    """Share of rows per signature: each dataset against DeepMind's sample."""
    values = sorted(set(REFERENCE_SIGNATURE) | {int(v) for f in frames.values() for v in f[TARGET].unique()})
    width = 0.8 / (len(frames) + 1)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.bar(np.arange(len(values)) - 0.4 + width / 2, [REFERENCE_SIGNATURE.get(v, 0) for v in values], width,
           color="k", alpha=0.7, label="DeepMind (15,000-row sample)")
    for i, (name, frame) in enumerate(frames.items(), start=1):
        shares = frame[TARGET].value_counts(normalize=True)
        ax.bar(np.arange(len(values)) - 0.4 + width * (i + 0.5), [shares.get(v, 0) for v in values], width,
               label=name)
    ax.set(xticks=range(len(values)), xticklabels=values, xlabel="signature", ylabel="share of rows")
    ax.legend(fontsize=8)
    return fig


def zero_shares(frame: pd.DataFrame, name: str) -> Any:
    """Share of rows whose torsion degree is stored as 0, by volume bin: ours against DeepMind's."""
    labels = [f"≤{VOLUME_EDGES[0]}"] + [f"{a}-{b}" for a, b in pairwise(VOLUME_EDGES)]
    labels += [f">{VOLUME_EDGES[-1]}"]
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for column, style in zip(REFERENCE_ZERO_SHARE, ("o", "s"), strict=True):
        ours = zero_shares_by_volume(frame["volume"].to_numpy(), (frame[column] == 0).to_numpy())
        short = column.replace("hyperbolic_", "").replace("_degree", "")
        ax.plot(range(len(BIN_VOLUME)), REFERENCE_ZERO_SHARE[column], "k" + style + "--", label=f"{short}: DeepMind")
        ax.plot(range(len(BIN_VOLUME)), [np.nan if v is None else v for v in ours], style + "-",
                label=f"{short}: {name}")
    ax.set(xticks=range(len(labels)), xticklabels=labels, xlabel="volume", ylabel="share stored as 0")
    ax.legend(fontsize=8)
    return fig

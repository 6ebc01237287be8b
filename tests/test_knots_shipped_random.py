"""The shipped random-diagram dataset: integrity, one row per draw, repeats identical, its validation."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from kanrepro.knots import zero_rule
from kanrepro.knots.assemble import manifest_path
from kanrepro.knots.dataset import DEFAULT_RANDOM_PATH, FEATURES, TARGET, load_dataset

pytestmark = pytest.mark.skipif(not DEFAULT_RANDOM_PATH.exists(), reason="random dataset not built")


@pytest.fixture(scope="module")
def frame():
    return load_dataset(DEFAULT_RANDOM_PATH)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(manifest_path(DEFAULT_RANDOM_PATH).read_text())


def test_sha_rows_and_compact_size(frame, manifest: dict) -> None:
    assert hashlib.sha256(DEFAULT_RANDOM_PATH.read_bytes()).hexdigest() == manifest["sha256"]
    assert len(frame) == manifest["n_rows"]
    # a row is missing only for a draw or knot that failed, and each failure is listed
    assert manifest["rows_without_features"] <= len(manifest["failed_features"]) + len(manifest["failed_draws"])
    assert DEFAULT_RANDOM_PATH.stat().st_size < 20e6
    assert not frame[FEATURES + [TARGET]].isna().any().any()


def test_a_knot_has_one_row_whatever_the_draw(frame) -> None:
    per_key = frame.groupby("key")[FEATURES + [TARGET]].nunique()
    assert (per_key == 1).all().all()
    assert frame["key"].duplicated().mean() > 0.2  # repeats kept, as in DeepMind's file


def test_validation_and_zero_rule(frame, manifest: dict) -> None:
    checks = manifest["validation"]
    assert checks["knotinfo_signature_agreement"] == 1.0 and checks["knotinfo_checked_knots"] > 1000
    assert checks["torsion_degree_eq_4g_minus_2"] == 1.0 and checks["draw_signature_mismatches"] == []
    assert checks["natural_slope_vs_signature_corr"] > 0.9
    stored = frame["hyperbolic_torsion_degree"].to_numpy()
    true = frame["true_hyperbolic_torsion_degree"].to_numpy()
    assert ((stored == true) | (stored == 0)).all() and (true > 0).all()
    adjoint = frame["hyperbolic_adjoint_torsion_degree"].to_numpy()
    assert ((adjoint == frame["true_hyperbolic_adjoint_torsion_degree"]) | (adjoint == 0)).all()
    expected = np.mean([zero_rule.zero_probability("hyperbolic_adjoint_torsion_degree", v) for v in frame["volume"]])
    assert abs((adjoint == 0).mean() - expected) < 0.02

"""The shipped dataset: integrity (SHA-256), schema, mirror pairs, and the issue's validation targets."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from kanrepro.knots.assemble import manifest_path
from kanrepro.knots.dataset import (
    DEFAULT_CENSUS_PATH,
    FEATURES,
    ID_COLUMNS,
    TARGET,
    load_dataset,
)
from kanrepro.knots.invariants import MIRROR_FLIPS

pytestmark = pytest.mark.skipif(not DEFAULT_CENSUS_PATH.exists(), reason="shipped dataset not built")


@pytest.fixture(scope="module")
def frame():
    return load_dataset(DEFAULT_CENSUS_PATH)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(manifest_path(DEFAULT_CENSUS_PATH).read_text())


def test_sha256_matches_manifest(manifest: dict) -> None:
    assert hashlib.sha256(DEFAULT_CENSUS_PATH.read_bytes()).hexdigest() == manifest["sha256"]


def test_schema_and_counts(frame, manifest: dict) -> None:
    assert list(frame.columns) == ID_COLUMNS + FEATURES + [TARGET]
    assert not frame.isna().any().any()
    assert len(frame) == manifest["n_rows"] == 2 * manifest["n_knots"]
    assert manifest["failed"] == []
    assert frame["name"].is_unique is False and (frame.groupby("name").size() == 2).all()


def test_mirror_pairs(frame) -> None:
    orig = frame[frame["mirror"] == 0].set_index("name").sort_index()
    mir = frame[frame["mirror"] == 1].set_index("name").sort_index()
    for col in FEATURES + [TARGET]:
        expected = -orig[col] if col in MIRROR_FLIPS else orig[col]
        np.testing.assert_array_equal(mir[col].to_numpy(), expected.to_numpy(), err_msg=col)


def test_validation_targets(frame, manifest: dict) -> None:
    assert manifest["knotinfo_signature_agreement"] == 1.0
    assert manifest["knotinfo_not_found"] == []
    assert manifest["torsion_degree_eq_4g_minus_2"] == 1.0
    mu = frame["meridinal_translation_real"].to_numpy() + 1j * frame["meridinal_translation_imag"].to_numpy()
    slope = np.real(frame["longitudinal_translation"].to_numpy() / mu)
    assert np.corrcoef(slope, 2 * frame[TARGET])[0, 1] > 0.9
    assert (frame[TARGET] % 2 == 0).all()
    assert (frame["short_geodesic_imag_part"].abs() <= np.pi).all()

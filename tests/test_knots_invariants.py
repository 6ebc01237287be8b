"""Per-knot invariants against the published reference rows (knot-dataset.md) and KnotInfo."""
from __future__ import annotations

import math

import pytest

snappy = pytest.importorskip("snappy")

from kanrepro.knots.census import knotinfo_signature_genus  # noqa: E402  (after the skip: needs SnapPy)
from kanrepro.knots.invariants import (  # noqa: E402
    MIRROR_FLIPS,
    NotHyperbolic,
    knot_row,
    maximal_cusp_translations,
    mirror_row,
)

# Reference row for 4_1 (K4a1), quoted from knot-dataset.md.
REF_4_1 = {
    "volume": 2.029883212819307, "meridinal_translation_real": 0.0, "meridinal_translation_imag": 1.0,
    "longitudinal_translation": 3.4641016151377535, "cusp_volume": 3.46410161513775,
    "short_geodesic_real_part": 1.0870701449957394, "short_geodesic_imag_part": -1.7227684498700906,
    "injectivity_radius": 0.48121182505960325, "Symmetry_D4": 1, "hyperbolic_torsion_degree": 2,
    "hyperbolic_adjoint_torsion_degree": 3, "signature": 0,
}


@pytest.fixture(scope="module")
def row_4_1() -> dict:
    return knot_row("K4a1")[0]


@pytest.mark.parametrize("col", sorted(REF_4_1))
def test_reference_row_4_1(row_4_1: dict, col: str) -> None:
    assert row_4_1[col] == pytest.approx(REF_4_1[col], abs=1e-9)


def test_symmetry_is_one_hot(row_4_1: dict) -> None:
    assert sum(v for k, v in row_4_1.items() if k.startswith("Symmetry_")) == 1


@pytest.mark.parametrize("name,torsion,adjoint", [("K11n42", 6, 7), ("K11n34", None, 13), ("K4a1", 2, 3)])
def test_reference_torsion_degrees(name: str, torsion: int | None, adjoint: int) -> None:
    row = knot_row(name)[0]
    if torsion is not None:
        assert row["hyperbolic_torsion_degree"] == torsion
    assert row["hyperbolic_adjoint_torsion_degree"] == adjoint


def test_m016_torsion_from_snappy_docstring() -> None:
    from kanrepro.knots.torsion import torsion_degrees

    tor, adj, _ = torsion_degrees(snappy.Manifold("m016"))
    assert (tor, adj) == (18, 27)


@pytest.mark.parametrize("name", ["K5a1", "K10n1", "K8a5", "K11n34", "K12n242", "K13n532", "K13a664"])
def test_signature_genus_vs_knotinfo(name: str) -> None:
    row = knot_row(name)[0]
    sig, genus = knotinfo_signature_genus(name)
    assert row["signature"] == sig
    assert row["hyperbolic_torsion_degree"] == 4 * genus - 2
    assert row["cusp_volume"] == pytest.approx(row["longitudinal_translation"] * row["meridinal_translation_imag"])
    mu = abs(complex(row["meridinal_translation_real"], row["meridinal_translation_imag"]))
    assert row["injectivity_radius"] == pytest.approx(
        min(row["short_geodesic_real_part"] / 2, math.asinh(mu / 2)))
    assert -math.pi < row["short_geodesic_imag_part"] <= math.pi


def test_mirror_rule() -> None:
    row = knot_row("K11n42")[0]
    mir = mirror_row(row)
    assert mir["mirror"] == 1 and mirror_row(mir) == row
    for col, value in row.items():
        if col in MIRROR_FLIPS:
            assert mir[col] == -value
        elif col != "mirror":
            assert mir[col] == value


def test_mirror_rule_matches_snappy_mirror_geometry() -> None:
    """The sign rules agree with SnapPy's own mirror image (orientation reversed)."""
    from kanrepro.knots.invariants import geometry_features

    m = snappy.Manifold("K11n42")
    orig = geometry_features(m)
    rev = m.copy()
    rev.reverse_orientation()
    mir = geometry_features(rev)
    assert mir["chern_simons"] == pytest.approx(-orig["chern_simons"], abs=1e-9)
    assert mir["meridinal_translation_real"] == pytest.approx(-orig["meridinal_translation_real"], abs=1e-9)
    assert mir["longitudinal_translation"] == pytest.approx(orig["longitudinal_translation"], abs=1e-9)


@pytest.mark.parametrize("name", ["K3a1", "K5a2", "K7a7"])
def test_torus_knots_excluded(name: str) -> None:
    with pytest.raises(NotHyperbolic):
        knot_row(name)


@pytest.mark.parametrize("name", ["K13a457", "K13a4725"])
def test_knots_where_snappea_crashes_still_get_a_row(name: str) -> None:
    """SnapPea's Dirichlet code (K13a457) and cusp-neighbourhood code (K13a4725) crash on these; the
    row comes from the next Dirichlet variant / SnapPy's cusp_translations, and matches KnotInfo."""
    row = knot_row(name)[0]
    assert all(math.isfinite(v) for k, v in row.items() if k != "name")
    sig, genus = knotinfo_signature_genus(name)
    assert row["signature"] == sig and row["hyperbolic_torsion_degree"] == 4 * genus - 2
    assert row["cusp_volume"] == pytest.approx(row["longitudinal_translation"] * row["meridinal_translation_imag"])


def test_cusp_translation_fallback_agrees_with_the_cusp_neighbourhood() -> None:
    manifold = snappy.Manifold("K12n242")
    mu, lam = (complex(v) for v in maximal_cusp_translations(manifold))
    mu_alt, lam_alt = (complex(v) for v in manifold.cusp_translations()[0])
    assert abs(mu - mu_alt) < 1e-12 and abs(lam - lam_alt) < 1e-12

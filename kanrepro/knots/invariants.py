"""Per-knot rows: DeepMind's 17 features + signature for a census name, and the mirror rule."""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import snappy

from kanrepro.knots.census import crossings_of
from kanrepro.knots.geodesic import short_geodesic
from kanrepro.knots.orbit import ORBIT_SEARCH_VERSION
from kanrepro.knots.signature import knot_signature
from kanrepro.knots.torsion import torsion_degrees

HYPERBOLIC = "all tetrahedra positively oriented"
SYMMETRY_LABELS = ["0", "D3", "D4", "D6", "D8", "Z/2 + Z/2"]
MIRROR_FLIPS = ["signature", "chern_simons", "meridinal_translation_real", "short_geodesic_imag_part"]


class NotHyperbolic(ValueError):
    """The knot complement has no complete hyperbolic structure (e.g. torus knots)."""


def maximal_cusp_translations(manifold: Any) -> tuple[complex, complex]:
    """(mu, lambda) of the maximal cusp: SnapPea's cusp neighbourhood pushed to its stopping displacement.

    On a few manifolds (e.g. K13a4725) SnapPea's cusp-neighbourhood code crashes while simplifying; then
    SnapPy's ``cusp_translations()`` (the same maximal cusp, computed by other code; agrees to ~1e-14
    where both run) is used.
    """
    try:
        cusp = manifold.cusp_neighborhood()
        cusp.set_displacement(cusp.stopping_displacement())
        return cusp.translations()
    except snappy.SnapPeaFatalError:
        return manifold.cusp_translations()[0]


def geometry_features(manifold: Any) -> dict[str, float]:
    """Volume, Chern-Simons, maximal-cusp translations, cusp area and symmetry one-hot."""
    mu, lam = maximal_cusp_translations(manifold)
    mu = complex(mu)
    lam = float(complex(lam).real)
    group = str(manifold.symmetry_group())
    row = {
        "chern_simons": float(manifold.chern_simons()),
        "cusp_volume": lam * mu.imag,
        "longitudinal_translation": lam,
        "meridinal_translation_imag": mu.imag,
        "meridinal_translation_real": mu.real,
        "volume": float(manifold.volume()),
    }
    for label in SYMMETRY_LABELS:
        row[f"Symmetry_{label}"] = 1 if group == label else 0
    return row


def knot_row(name: str, geodesic_method: str = "fast", manifold: Any = None, crossings: int | None = None,
             adjoint: Callable[[float], bool] | None = None,
             signature: int | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """All columns of one knot (not mirrored) and a diagnostics dict (timings, geodesic method).

    ``name``: a census name (the manifold is built from it) or, with ``manifold`` (e.g. a random diagram's
    exterior), a label, with its ``crossings``. ``adjoint(volume)``: whether to compute the adjoint torsion
    degree (default always; ``None`` is stored when skipped). ``signature``: the manifold's signature when
    already known (e.g. from a random draw's diagram), else computed from ``manifold.link()``. Raises
    ``NotHyperbolic`` for non-hyperbolic complements.
    """
    diag: dict[str, Any] = {}
    t0 = time.perf_counter()
    manifold = snappy.Manifold(name) if manifold is None else manifold
    if manifold.solution_type() != HYPERBOLIC:
        raise NotHyperbolic(f"{name}: {manifold.solution_type()}")
    row: dict[str, Any] = {"name": name, "crossings": crossings_of(name) if crossings is None else crossings,
                           "mirror": 0}
    row.update(geometry_features(manifold))
    row["signature"] = knot_signature(manifold.link()) if signature is None else signature
    t1 = time.perf_counter()
    want_adjoint = adjoint is None or adjoint(row["volume"])
    tor, adj, group = torsion_degrees(manifold, adjoint=want_adjoint)
    row["hyperbolic_torsion_degree"] = tor
    row["hyperbolic_adjoint_torsion_degree"] = adj
    t2 = time.perf_counter()
    geo = short_geodesic(manifold, name, method=geodesic_method, group=group)
    set_geodesic(row, geo)
    t3 = time.perf_counter()
    diag.update(name=name, geodesic_method=geo["method"], t_features=t1 - t0, t_torsion=t2 - t1,
                t_geodesic=t3 - t2)
    if geo["method"] == "words":
        diag["words_search"] = ORBIT_SEARCH_VERSION
    if "words_check" in geo:
        diag["words_check"] = geo["words_check"]
    return row, diag


def set_geodesic(row: dict[str, Any], geo: dict[str, Any]) -> None:
    """Write the short geodesic ``geo`` (``real``, ``imag``) into ``row`` with the injectivity radius it implies:
    ``min(Re(geodesic) / 2, asinh(|mu| / 2))``."""
    row["short_geodesic_real_part"], row["short_geodesic_imag_part"] = geo["real"], geo["imag"]
    mu = complex(row["meridinal_translation_real"], row["meridinal_translation_imag"])
    row["injectivity_radius"] = min(geo["real"] / 2, math.asinh(abs(mu) / 2))


def mirror_row(row: dict[str, Any]) -> dict[str, Any]:
    """The mirror image's row: signs of signature, Chern-Simons, Re(mu), Im(geodesic) flipped."""
    out = dict(row)
    for col in MIRROR_FLIPS:
        out[col] = -row[col] if row[col] != 0 else row[col]  # keep 0 (not -0.0) for amphichiral values
    out["mirror"] = 1 - int(row["mirror"])
    return out

"""The 17 features of one random-diagram knot, computed once per distinct knot (worker side).

A knot identified in SnapPy's census (<= 15 crossings) is computed from the census manifold, like the
census build, so its values do not depend on which diagram was drawn first; any other knot from the
diagram of its first draw. The row is oriented as the requested identity key (mirrored when the census
manifold is the mirror image), its signature is the draw's exact one, and the adjoint torsion degree is
only computed where the zero rule keeps it (:mod:`kanrepro.knots.zero_rule`).
"""
from __future__ import annotations

from typing import Any

ADJOINT = "hyperbolic_adjoint_torsion_degree"
RETRIANGULATIONS = 16  # randomised retriangulations tried before a hyperbolic knot is reported as failed


def features(job: dict[str, Any], geodesic: str = "fast") -> dict[str, Any]:
    """job {features: key, ukey, name, pd, crossings, signature} -> {key, row, diag} (row oriented as key)."""
    import snappy
    import spherogram

    from kanrepro.knots.census import crossings_of
    from kanrepro.knots.draws import isometry_keys
    from kanrepro.knots.invariants import HYPERBOLIC, knot_row, mirror_row
    from kanrepro.knots.repeatable import repeatable
    from kanrepro.knots.zero_rule import stored_as_zero

    key, ukey, name = job["features"], job["ukey"], job["name"]
    repeatable(f"features:{key}")  # the diagram, its exterior and retriangulations repeat
    if name:
        manifold, crossings = snappy.Manifold(name), crossings_of(name)
    else:
        manifold, crossings = spherogram.Link([tuple(c) for c in job["pd"]]).exterior(), job["crossings"]
    for _ in range(RETRIANGULATIONS):  # a diagram's first triangulation can carry negatively oriented tetrahedra
        if manifold.solution_type() == HYPERBOLIC:
            break
        manifold.randomize()
    own_key, own_ukey = isometry_keys(manifold)
    if own_ukey != ukey:
        raise ValueError(f"{name or 'diagram'}: its exterior is not the drawn knot (isometry signatures differ)")

    def keep_adjoint(volume: float) -> bool:
        return not stored_as_zero(ADJOINT, volume, ukey)

    own_signature = job["signature"] if own_key == key else -job["signature"]  # the drawn knot's, exactly
    row, diag = knot_row(name or key, geodesic_method=geodesic, manifold=manifold, crossings=crossings,
                         adjoint=keep_adjoint, signature=own_signature)
    if own_key != key:  # the census manifold is the mirror image of the drawn knot
        row = mirror_row(row)
    diag["computed_from"] = "census" if name else "diagram"
    return {"key": key, "row": row, "diag": diag, "genus": hfk_genus(job["pd"]) if job["pd"] else None}


def hfk_genus(pd: list[list[int]]) -> int:
    """Seifert genus from knot Floer homology of a PD code (a check on the torsion degree, 4g - 2)."""
    from knot_floer_homology import pd_to_hfk

    return int(pd_to_hfk([tuple(c) for c in pd])["seifert_genus"])

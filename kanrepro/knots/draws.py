"""Random-diagram knots, one seeded draw per row: DeepMind's file was drawn like this, with repeats.

The recipe (a hypothesis, see ``../shared/reference/deepmind-distribution.md``; DeepMind never published its
generator): ``spherogram.random_link(n, num_components=1, initial_map_gives_link=True, simplify='global')``
with ``n`` uniform in ``RECIPE.n_min..n_max``; keep the draw if the simplified diagram has between
``min_crossings`` and ``max_crossings`` crossings and the exterior is hyperbolic, else draw again.

Row ``i`` of a build with seed ``s`` depends on ``(s, i)`` only (its own RNG stream), so a chunk's rows
are fixed by its seed and index range, and any prefix of chunks is the prefix of the full file.

Identity: the oriented isometry signature of the exterior (a complete invariant of the knot up to
reversing the string; a chiral knot and its mirror get different keys) and the unoriented one (shared by a
knot and its mirror).
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Recipe:
    """How one row is drawn. Matched to DeepMind's distribution in ``kanrepro.knots.matching``."""

    n_min: int = 19  # random_link size: uniform in n_min..n_max (crossings of the planar map before simplifying)
    n_max: int = 27
    min_crossings: int = 9  # keep diagrams with min_crossings..max_crossings crossings after simplification
    max_crossings: int = 18
    max_tries: int = 10_000  # draws per row before giving up (a row needs ~2-3 on average)
    # v3: v2's recipe, each row also independent of the process's memory layout (graph edges hashed in creation
    # order, kanrepro.knots.repeatable): redrawn, 78 of v2's first 80,000 rows were another knot, v2's rows having
    # depended on what the process had allocated before; v2: each row repeatable across processes; v1 was not
    version: str = "random-v3"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


RECIPE = Recipe()


def row_rng(seed: int, index: int) -> random.Random:
    """The RNG stream of row ``index`` of a build with ``seed`` (string seeding: stable across runs)."""
    return random.Random(f"kanrepro-draw:{seed}:{index}")


def isometry_keys(manifold: Any) -> tuple[str, str]:
    """(oriented, unoriented) isometry signatures. SnapPea's canonical cell search fails on a few
    triangulations: retry on re-randomised copies (the signature does not depend on the triangulation)."""
    last: Exception | None = None
    for attempt in range(8):
        m = manifold if attempt == 0 else manifold.copy()
        if attempt:
            m.randomize()
        try:
            return m.isometry_signature(ignore_orientation=False), m.isometry_signature()
        except RuntimeError as err:
            last = err
    raise RuntimeError(f"isometry signature failed on 8 triangulations: {last}")


def census_identity(ukey: str) -> tuple[str, str]:
    """(census name, the census manifold's oriented key) of the knot with unoriented key ``ukey``, or ("", "")
    beyond the census. A function of ``ukey`` alone: ``identify()`` runs on the signature's own (canonical)
    triangulation with SnapPea seeded from it, so it does not depend on which diagram drew the knot first."""
    import snappy

    from kanrepro.knots.census import NAME_RE
    from kanrepro.knots.repeatable import seed_snappea

    seed_snappea(f"identify:{ukey}")
    try:
        names = [m.name() for m in snappy.Manifold(ukey).identify()]
    except (RuntimeError, snappy.SnapPeaFatalError):
        names = []
    name = next((n for n in names if NAME_RE.match(n)), "")
    return (name, isometry_keys(snappy.Manifold(name))[0]) if name else ("", "")


def draw_row(seed: int, index: int, recipe: Recipe = RECIPE,
             identities: dict[str, tuple[str, str]] | None = None) -> dict[str, Any]:
    """Draw row ``index``: {index, n, tries, crossings, key, ukey, signature, name, census_mirror, volume, pd}
    (``volume`` of the exterior, for scoring a recipe from its draws alone: :mod:`kanrepro.knots.recipe_pilot`).

    ``identities``: a per-process cache ukey -> :func:`census_identity` (the same answers, computed once).
    """
    import snappy  # noqa: F401
    import spherogram  # registers Link.exterior with SnapPy loaded

    from kanrepro.knots.invariants import HYPERBOLIC
    from kanrepro.knots.repeatable import repeatable
    from kanrepro.knots.signature import knot_signature

    rng = row_rng(seed, index)
    repeatable(f"kanrepro-draw:{seed}:{index}")  # the diagram, its exterior, identify() and retries repeat
    for tries in range(1, recipe.max_tries + 1):
        n = rng.randint(recipe.n_min, recipe.n_max)
        random.seed(rng.getrandbits(64))  # spherogram draws from the global ``random`` module
        link = spherogram.random_link(n, num_components=1, initial_map_gives_link=True, simplify="global")
        crossings = len(link.crossings)
        if not recipe.min_crossings <= crossings <= recipe.max_crossings:
            continue
        manifold = link.exterior()
        if manifold.solution_type() != HYPERBOLIC:
            continue
        key, ukey = isometry_keys(manifold)
        cache = identities if identities is not None else {}
        if ukey not in cache:
            cache[ukey] = census_identity(ukey)
        name, census_key = cache[ukey]
        mirror = (0 if census_key == key else 1) if name else None  # relative to the census manifold
        return {"index": index, "n": n, "tries": tries, "crossings": crossings, "key": key, "ukey": ukey,
                "signature": knot_signature(link), "name": name, "census_mirror": mirror,
                "volume": float(manifold.volume()), "pd": [list(c) for c in link.PD_code()]}
    raise RuntimeError(f"row {index}: no accepted draw in {recipe.max_tries} tries")

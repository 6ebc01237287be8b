"""Census names, crossing numbers and KnotInfo lookups (signature, genus)."""
from __future__ import annotations

import functools
import re

import snappy

NAME_RE = re.compile(r"^K(\d+)([an])(\d+)$")


# Knots per crossing number in SnapPy's HTLinkExteriors census: (alternating, non-alternating).
# The census lists K<c>a1..K<c>a<A> then K<c>n1..K<c>n<N>; checked against SnapPy in the tests (opening the
# census tables costs ~1 s each, so names are generated from these counts).
CENSUS_COUNTS: dict[int, tuple[int, int]] = {
    3: (1, 0), 4: (1, 0), 5: (2, 0), 6: (3, 0), 7: (7, 0), 8: (18, 3), 9: (41, 8), 10: (123, 42),
    11: (367, 185), 12: (1288, 888), 13: (4878, 5110), 14: (19536, 27436), 15: (85263, 168030),
}


def census_names(max_crossings: int, min_crossings: int = 3) -> list[str]:
    """All knot names of ``snappy.HTLinkExteriors`` with crossings in the range, census order."""
    names: list[str] = []
    for c in range(min_crossings, max_crossings + 1):
        alt, nonalt = CENSUS_COUNTS[c]
        names.extend(f"K{c}a{i}" for i in range(1, alt + 1))
        names.extend(f"K{c}n{i}" for i in range(1, nonalt + 1))
    return names


def census_names_from_snappy(crossings: int) -> list[str]:
    """The census names of one crossing number as SnapPy lists them (slow: ~1 s)."""
    return [m.name() for m in snappy.HTLinkExteriors(knots_vs_links="knots", crossings=crossings)]


def crossings_of(name: str) -> int:
    """Crossing number encoded in a census name, e.g. ``K11n34 -> 11``."""
    match = NAME_RE.match(name)
    if not match:
        raise ValueError(f"not a census knot name: {name!r}")
    return int(match.group(1))


def knotinfo_name(name: str) -> str:
    """Census name >= 11 crossings -> KnotInfo name: ``K11n34 -> 11n_34`` (<= 10: ``rolfsen_name``)."""
    c, kind, idx = NAME_RE.match(name).groups()  # type: ignore[union-attr]
    return f"{c}{kind}_{idx}"


@functools.lru_cache(maxsize=1)
def _knotinfo_tables() -> dict[str, dict[str, str]]:
    import database_knotinfo

    rows = database_knotinfo.link_list()
    by_name = {r["name"]: r for r in rows[1:]}
    return by_name


def knotinfo_record(name: str) -> dict[str, str] | None:
    """KnotInfo row for a census knot (None when not found)."""
    tables = _knotinfo_tables()
    if crossings_of(name) >= 11:
        return tables.get(knotinfo_name(name))
    try:
        rec = tables.get(rolfsen_name(name))
    except KeyError:
        return None
    # SnapPy's Rolfsen names and KnotInfo's differ for a few knots (e.g. 10_83 <-> 10_86 are swapped):
    # accept the name only if the volumes agree, else take the unique KnotInfo knot of that volume.
    volume = float(snappy.Manifold(name).volume())
    if rec is not None and abs(float(rec["volume"]) - volume) < 1e-6:
        return rec
    prefix = f"{crossings_of(name)}_"
    same = [r for k, r in tables.items() if k.startswith(prefix) and r.get("volume")
            and abs(float(r["volume"]) - volume) < 1e-6]
    return same[0] if len(same) == 1 else None


def rolfsen_name(name: str) -> str:
    """Census name <= 10 crossings -> Rolfsen/KnotInfo name via the census's own ``Rolfsen`` table."""
    m = snappy.Manifold(name)
    for other in m.identify():
        text = other.name()
        if re.match(r"^\d+_\d+$", text):
            c, idx = (int(x) for x in text.split("_"))
            if c == 10 and idx >= 162:  # SnapPy's Rolfsen table lists the Perko pair twice (10_161, 10_162)
                idx -= 1
            return f"{c}_{idx}"
    raise KeyError(name)


def knotinfo_signature_genus(name: str) -> tuple[int, int] | None:
    """(signature, Seifert genus) from KnotInfo, or None when the knot is not in its table."""
    rec = knotinfo_record(name)
    if rec is None:
        return None
    return int(rec["signature"]), int(rec["three_genus"])

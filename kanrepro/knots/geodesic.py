"""Shortest closed geodesic of a knot complement: Dirichlet cascade, word search, exact fallback.

The short geodesic is the first entry of SnapPy's length spectrum: a complex length
``L = l + i*theta`` with ``l > 0`` and ``theta`` in ``(-pi, pi]``.

Order of methods (first success wins, see ``knot-dataset.md``):

1. ``dirichlet``: ``M.dirichlet_domain(**variant)`` for five parameter variants, then four seeded
   random basepoint displacements (each with and without ``maximize_injectivity_radius``).
2. ``words``: an orbit search: all group elements (words in the generators of the high-precision
   ``M.fundamental_group()``, holonomy re-centred) that move a base point by at most R (grown until the
   ball holds 40,000 orbit points), complex length from the trace, recomputed in high precision. Not
   certified (a geodesic whose axis stays far from the base point could be missed); checked against the
   Dirichlet value in tests and in the bench (``words_check``); rows using it are listed in the manifest.
3. ``exact``: ``M.length_spectrum_alt(count=1)`` (slow: 10-60 s per knot at 13 crossings).
"""
from __future__ import annotations

import cmath
import math
import random
import zlib
from typing import Any

import numpy as np

DIRICHLET_VARIANTS: list[dict[str, Any]] = [
    {},
    {"maximize_injectivity_radius": False},
    {"vertex_epsilon": 1e-6},
    {"vertex_epsilon": 1e-6, "maximize_injectivity_radius": False},
    {"centroid_at_origin": False, "maximize_injectivity_radius": False},
]
CUTOFFS = (1.3, 1.8, 2.3, 3.0, 4.0)
TIE_TOL = 1e-9  # real lengths closer than this are the same geodesic length
PARABOLIC_TOL = 1e-3  # |tr^2 - 4| below this: parabolic (a loxodromic has |tr^2-4| ~ |L|^2)


def normalise_length(z: complex) -> complex:
    """Complex length with positive real part and imaginary part in (-pi, pi]."""
    if z.real < 0:
        z = -z
    theta = math.remainder(z.imag, 2 * math.pi)  # in [-pi, pi]
    if theta <= -math.pi + 1e-15:
        theta = math.pi
    return complex(z.real, theta)


def _from_dirichlet(domain: Any) -> complex | None:
    """First entry of the length spectrum of a Dirichlet domain, growing the cutoff until non-empty."""
    for cutoff in CUTOFFS:
        spectrum = domain.length_spectrum_dicts(cutoff_length=cutoff)
        if spectrum:
            return normalise_length(complex(spectrum[0].length))
    return None


def _try_domain(manifold: Any, **kwargs: Any) -> complex | None:
    import snappy

    try:
        return _from_dirichlet(manifold.dirichlet_domain(**kwargs))
    except (RuntimeError, snappy.SnapPeaFatalError):  # SnapPea gave up, or crashed (e.g. K13a457): next variant
        return None


def knot_seed(name: str) -> int:
    """A stable per-knot seed (independent of Python's hash randomisation)."""
    return zlib.crc32(name.encode())


def dirichlet_cascade(manifold: Any, name: str, n_displacements: int = 4) -> tuple[complex | None, str]:
    """Try Dirichlet domains: parameter variants, then seeded random basepoint displacements.

    Deterministic (fixed attempts, per-knot seed; no wall-clock budget and no randomised triangulations,
    whose RNG is not seedable), so a rebuild gives the same bytes. Returns ``(length or None, step)``.
    """
    for i, variant in enumerate(DIRICHLET_VARIANTS):
        value = _try_domain(manifold, **variant)
        if value is not None:
            return value, f"dirichlet:variant{i}"
    rng = random.Random(knot_seed(name))
    for i in range(n_displacements):
        disp = [rng.uniform(-0.3, 0.3) for _ in range(3)]
        for extra in ({}, {"maximize_injectivity_radius": False}):
            value = _try_domain(manifold, displacement=disp, **extra)
            if value is not None:
                return value, f"dirichlet:displacement{i}"
    return None, "dirichlet:failed"


def recentre(mats: np.ndarray) -> np.ndarray:
    """Conjugate generators so the base point ``j`` minimises the sum of log generator displacements.

    mats: (2k, 2, 2) -> (2k, 2, 2). Conjugation by ``h`` moves the base point to ``h j``
    (upper half-space coordinates ``(x, y, exp(s))``); traces, hence lengths, are unchanged.
    """
    from scipy.optimize import minimize

    def conj(p: np.ndarray) -> np.ndarray:
        t = math.exp(p[2] / 2)
        h = np.array([[t, complex(p[0], p[1]) / t], [0, 1 / t]], dtype=complex)
        hinv = np.array([[h[1, 1], -h[0, 1]], [0, h[0, 0]]], dtype=complex)
        return np.einsum("ij,njk,kl->nil", hinv, mats, h)

    def cost(p: np.ndarray) -> float:
        norms = np.sum(np.abs(conj(p)) ** 2, axis=(1, 2))
        return float(np.sum(np.log(norms)))

    res = minimize(cost, np.zeros(3), method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-9})
    return conj(res.x)


def generator_matrices(group: Any) -> tuple[np.ndarray, list[str]]:
    """Double-precision SL(2,C) holonomy of a SnapPy group's generators and their inverses.

    Returns ``(mats, letters)``: mats (2k, 2, 2), letters ``[a, b, ..., A, B, ...]`` (SnapPy's
    convention: upper case is the inverse).
    """
    gens = list(group.generators())
    mats = []
    for gen in gens:
        m = group.SL2C(gen)
        mats.append([[complex(m[0, 0]), complex(m[0, 1])], [complex(m[1, 0]), complex(m[1, 1])]])
    direct = np.array(mats, dtype=complex)
    inv = np.stack([np.array([[g[1, 1], -g[0, 1]], [-g[1, 0], g[0, 0]]]) for g in direct])
    return np.concatenate([direct, inv]), gens + [g.upper() for g in gens]


def orbit_search(mats: np.ndarray, radius: float = 6.0, max_points: int = 150_000) -> tuple[complex, list[int]]:
    """Shortest complex length among group elements moving the base point ``j`` by at most ``radius``.

    Breadth-first enumeration of the orbit of the base point (points deduplicated by their Hermitian
    matrix ``g g^*``, i.e. ``g`` up to the stabiliser), growing words by one generator at a time and
    keeping elements with ``cosh d(j, g j) = |g|_F^2 / 2 <= cosh(radius)``. A closed geodesic whose
    axis passes within ``r`` of an orbit point has a representative in the ball when
    ``radius >= length + 2 r``. mats: (2k, 2, 2). Returns ``(length, word as letter indices)``.
    """
    n2 = mats.shape[0]
    bound = 2 * math.cosh(radius)
    mix = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
                   dtype=np.uint64)
    seen: set[int] = set()
    frontier_m = np.eye(2, dtype=complex)[None]
    parent_words: list[list[int]] = [[]]
    best, best_word = complex(math.inf, 0.0), []
    total = 0
    while frontier_m.shape[0] and total < max_points:
        prods = np.einsum("nij,ajk->naik", frontier_m, mats).reshape(-1, 2, 2)
        norm2 = np.sum(np.abs(prods) ** 2, axis=(1, 2))
        inside = np.flatnonzero(norm2 <= bound)
        prods = prods[inside]
        herm = np.einsum("nij,nkj->nik", prods, prods.conj())
        keys = np.round(np.stack([herm[:, 0, 0].real, herm[:, 0, 1].real, herm[:, 0, 1].imag,
                                  herm[:, 1, 1].real], axis=1) * 1e6).astype(np.int64).view(np.uint64)
        hashes = (keys * mix).sum(axis=1)  # wrapping uint64 arithmetic
        fresh_list = []
        for i, h in enumerate(hashes.tolist()):
            if h not in seen:
                seen.add(h)
                fresh_list.append(i)
        if not fresh_list:
            break
        fresh = np.array(fresh_list, dtype=np.int64)
        frontier_m = prods[fresh]
        src = inside[fresh]
        parent_words = [parent_words[i // n2] + [int(i % n2)] for i in src]
        total += fresh.size
        orbit_search.last_count = total  # type: ignore[attr-defined]
        tr = frontier_m[:, 0, 0] + frontier_m[:, 1, 1]
        loxo = np.flatnonzero(np.abs(tr * tr - 4) > PARABOLIC_TOL)
        if loxo.size:
            lengths = 2 * np.arccosh(tr[loxo] / 2)
            real = np.abs(lengths.real)
            j = int(np.argmin(real))
            if real[j] < best.real - TIE_TOL:
                ties = np.flatnonzero(real < real[j] + TIE_TOL)
                cands = sorted(((normalise_length(complex(lengths[t])), parent_words[loxo[t]]) for t in ties),
                               key=lambda c: (round(c[0].real, 9), c[0].imag))
                best, best_word = cands[0]
    return best, best_word


def adaptive_orbit_search(mats: np.ndarray, target_points: int = 40_000, r0: float = 7.0,
                          r_max: float = 9.0) -> tuple[complex, list[int], float]:
    """``orbit_search`` with the radius grown by 0.5 until the ball holds ``target_points`` orbit
    points (a small ball can be disconnected in the word metric). Returns (length, word, radius)."""
    radius = r0
    while True:
        best, word = orbit_search(mats, radius, max_points=4 * target_points)
        if orbit_search.last_count >= target_points or radius >= r_max:  # type: ignore[attr-defined]
            return best, word, radius
        radius += 0.5


def refine_length(group: Any, letters: list[str], word: list[int]) -> complex:
    """Complex length of ``word`` recomputed from the group's own (possibly high-precision) holonomy."""
    m = group.SL2C("".join(letters[i] for i in word))
    return complex_length_from_trace(complex(m[0, 0] + m[1, 1]))


def exact_length(manifold: Any) -> complex:
    """SnapPy's ``length_spectrum_alt(count=1)`` first entry (slow, exact algorithm)."""
    spectrum = manifold.length_spectrum_alt(count=1)
    return normalise_length(complex(spectrum[0].length))


def short_geodesic(manifold: Any, name: str, method: str = "fast", group: Any = None,
                   cross_check: bool = False) -> dict[str, Any]:
    """The short geodesic and how it was found.

    ``method``: ``"fast"`` (Dirichlet cascade, then the orbit search, flagged ``words``), ``"exact"``
    (Dirichlet cascade, then ``length_spectrum_alt``), ``"words"`` (orbit search only). ``group``: the
    fundamental group to use for the orbit search (high precision recommended). With ``cross_check``
    the orbit search also runs when the Dirichlet domain succeeded and ``words_check`` holds
    |Dirichlet - words|. Returns a dict with ``real``, ``imag``, ``method`` (and ``words_check``).
    """
    out: dict[str, Any] = {}
    value: complex | None = None
    step = "skipped"
    if method in ("fast", "exact"):
        value, step = dirichlet_cascade(manifold, name)
    need_words = method == "words" or (method == "fast" and (value is None or cross_check))
    if need_words:
        group = group if group is not None else manifold.high_precision().fundamental_group()
        mats, letters = generator_matrices(group)
        words, word, radius = adaptive_orbit_search(recentre(mats))
        out["words_radius"] = radius
        if word:
            words = refine_length(group, letters, word)
            if value is not None:
                out["words_check"] = abs(words - value)
            else:
                value, step = words, "words"
    if value is None and method == "exact":
        value, step = exact_length(manifold), "exact:length_spectrum_alt"
    if value is None:
        raise RuntimeError(f"short geodesic failed for {name}")
    out.update(real=value.real, imag=value.imag, method=step)
    return out


def complex_length_from_trace(trace: complex) -> complex:
    """Complex translation length of a loxodromic element of SL(2,C) with the given trace."""
    return normalise_length(2 * cmath.acosh(trace / 2))

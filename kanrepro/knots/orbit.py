"""Orbit search for the shortest closed geodesic of a hyperbolic 3-manifold from its holonomy (uncertified).

The ``words`` step of :mod:`kanrepro.knots.geodesic`, used when no Dirichlet domain is found: on the
high-precision ``M.fundamental_group()`` (holonomy re-centred, the conjugation done in high precision),
first the group elements moving the base point ``j`` by at most 3 (at most 48, closest first) are collected
and used as generators: in the presentation's generators a ball of radius R is badly connected (an element
moving ``j`` by 5 can need prefixes moving it by 9). Then all orbit points within R (about 60,000 points,
R from the volume, at most 7.5) are enumerated; a ball holding fewer than 85% of the
``pi (sinh 2R - 2R) / vol`` expected points is redone with more generators (up to twice), and if it is still
incomplete the presentation generators' ball (sparse but far-reaching) is searched as well. Complex lengths
come from traces; the shortest (and its ties) are recomputed in high precision.

Not certified: a geodesic whose axis stays far from the base point could be missed. On the 4,699
13-crossing fallback knots, version 1 (presentation generators only) returned a too-long geodesic for 183
knots and a spurious ~1e-25 length for 9; version 2 (short elements, 15,000 points) a too-long one for 89. Version 3
(this one) is never longer than either.
"""
from __future__ import annotations

import cmath
import math
from collections.abc import Callable
from typing import Any

import numpy as np

# bumped whenever the search can return different values; rows record it (kanrepro.knots.refresh):
# 1 presentation generators only; 2 short elements as generators; 3 = 2 + the presentation ball when incomplete;
# 4 = 3, repeated on up to 3 seeded retriangulations while the ball stays incomplete (geodesic.retriangulated_search)
ORBIT_SEARCH_VERSION = 4
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


def complex_length_from_trace(trace: complex) -> complex:
    """Complex translation length of a loxodromic element of SL(2,C) with the given trace."""
    return normalise_length(2 * cmath.acosh(trace / 2))


def recentre(mats: np.ndarray, return_conjugator: bool = False) -> Any:
    """Conjugate generators so the base point ``j`` minimises the sum of log generator displacements.

    mats: (2k, 2, 2) -> (2k, 2, 2). Conjugation by ``h`` moves the base point to ``h j``
    (upper half-space coordinates ``(x, y, exp(s))``); traces, hence lengths, are unchanged. With
    ``return_conjugator``: ``(recentred, h)``, the recentred matrices being ``h^-1 m h``.
    """
    from scipy.optimize import minimize

    def conjugator(p: np.ndarray) -> np.ndarray:
        t = math.exp(p[2] / 2)
        return np.array([[t, complex(p[0], p[1]) / t], [0, 1 / t]], dtype=complex)

    def conj(p: np.ndarray) -> np.ndarray:
        h = conjugator(p)
        hinv = np.array([[h[1, 1], -h[0, 1]], [0, h[0, 0]]], dtype=complex)
        return np.einsum("ij,njk,kl->nil", hinv, mats, h)

    def cost(p: np.ndarray) -> float:
        norms = np.sum(np.abs(conj(p)) ** 2, axis=(1, 2))
        return float(np.sum(np.log(norms)))

    res = minimize(cost, np.zeros(3), method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-9})
    return (conj(res.x), conjugator(res.x)) if return_conjugator else conj(res.x)


def conjugate_hp(m: Any, h: np.ndarray) -> np.ndarray:
    """``h^-1 m h`` for a SnapPy high-precision SL(2,C) matrix ``m`` and a recentring conjugator
    ``h = [[t, z/t], [0, 1/t]]``, computed in the matrix's precision, returned in double precision."""
    from snappy.number import Number

    a, b, c, d = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
    prec = a.precision()
    t = float(h[0, 0].real)
    z = Number(complex(h[0, 1] * t), precision=prec)
    t2 = Number(t, precision=prec) ** 2
    out = [[a - z * c, (a * z + b - z * z * c - z * d) / t2], [c * t2, c * z + d]]
    return np.array([[complex(x) for x in row] for row in out], dtype=complex)


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


def _point_keys(mats: np.ndarray) -> np.ndarray:
    """uint64 hash of the orbit point ``g j``: the Hermitian matrix ``g g^*`` rounded to 1e-4.

    These are hyperboloid coordinates, where distinct orbit points differ by about their distance or more,
    while double-precision errors grown along products stay far below 1e-4 (with a 1e-6 grid and the
    double-precision recentring, one point of K13n3821 got several keys and the ball blew up).
    """
    a, b, c, d = mats[:, 0, 0], mats[:, 0, 1], mats[:, 1, 0], mats[:, 1, 1]
    h01 = a * c.conjugate() + b * d.conjugate()
    herm = np.stack([a.real ** 2 + a.imag ** 2 + b.real ** 2 + b.imag ** 2, h01.real, h01.imag,
                     c.real ** 2 + c.imag ** 2 + d.real ** 2 + d.imag ** 2], axis=1)
    keys = np.round(herm * 1e4).astype(np.int64).view(np.uint64)
    return (keys * _MIX).sum(axis=1)  # wrapping uint64 arithmetic


_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], dtype=np.uint64)


def displacement(mats: np.ndarray) -> np.ndarray:
    """``d(j, g j) = arccosh(|g|_F^2 / 2)`` for each matrix of ``mats`` (..., 2, 2)."""
    return np.arccosh(np.maximum(np.sum(np.abs(mats) ** 2, axis=(-2, -1)) / 2, 1.0))


def orbit_ball(gens: np.ndarray, radius: float, max_points: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orbit points ``g j`` with ``d(j, g j) <= radius`` reachable from ``j`` by steps ``g -> g s``
    (``s`` in ``gens``) that stay in the ball; deduplicated by point (numpy, no Python loop per point).

    ``|p s|_F^2 = tr(p^* p s s^*)`` is one real (n, 4) @ (4, m) product, so only the steps staying in the ball
    are multiplied out. Returns ``(mats (N, 2, 2), parent (N,), step (N,))``: entry 0 is the identity
    (parent -1) and entry i is ``mats[parent[i]] @ gens[step[i]]``.
    """
    bound = 2 * math.cosh(radius)
    sst = np.einsum("aij,akj->aik", gens, gens.conj())
    tvec = np.stack([sst[:, 0, 0].real, sst[:, 1, 1].real, sst[:, 0, 1].real, sst[:, 0, 1].imag])  # (4, m)
    ident = np.eye(2, dtype=complex)[None]
    seen = np.sort(_point_keys(ident))
    mats, parents, steps = [ident], [np.array([-1])], [np.array([-1])]
    frontier, f_idx, total = ident, np.array([0]), 1
    while frontier.shape[0] and total < max_points:
        a, b, c, d = frontier[:, 0, 0], frontier[:, 0, 1], frontier[:, 1, 0], frontier[:, 1, 1]
        q01 = a.conjugate() * b + c.conjugate() * d  # p^* p = [[q00, q01], [conj q01, q11]]
        qvec = np.stack([(a * a.conjugate() + c * c.conjugate()).real, (b * b.conjugate() + d * d.conjugate()).real,
                         2 * q01.real, 2 * q01.imag], axis=1)
        pi, si = np.nonzero(qvec @ tvec <= bound)
        x, y = frontier[pi], gens[si]
        prods = np.empty_like(x)
        prods[:, 0, 0] = x[:, 0, 0] * y[:, 0, 0] + x[:, 0, 1] * y[:, 1, 0]
        prods[:, 0, 1] = x[:, 0, 0] * y[:, 0, 1] + x[:, 0, 1] * y[:, 1, 1]
        prods[:, 1, 0] = x[:, 1, 0] * y[:, 0, 0] + x[:, 1, 1] * y[:, 1, 0]
        prods[:, 1, 1] = x[:, 1, 0] * y[:, 0, 1] + x[:, 1, 1] * y[:, 1, 1]
        keys, first = np.unique(_point_keys(prods), return_index=True)
        pos = np.searchsorted(seen, keys)
        new = np.ones(keys.size, dtype=bool)
        hit = pos < seen.size
        new[hit] = seen[pos[hit]] != keys[hit]
        if not new.any():
            break
        seen = np.insert(seen, pos[new], keys[new])
        sel = first[new]
        frontier = prods[sel]
        mats.append(frontier)
        parents.append(f_idx[pi[sel]])
        steps.append(si[sel])
        f_idx = np.arange(total, total + sel.size)
        total += sel.size
    return np.concatenate(mats), np.concatenate(parents), np.concatenate(steps)


def _word(i: int, parents: np.ndarray, steps: np.ndarray, gen_words: list[list[int]], n_letters: int) -> list[int]:
    """Freely reduced word (letter indices) of ball entry ``i``; generator ``s`` spells ``gen_words[s]``."""
    parts = []
    while i > 0:
        parts.append(gen_words[steps[i]])
        i = int(parents[i])
    out: list[int] = []
    half = n_letters // 2
    for part in reversed(parts):
        for x in part:
            if out and (out[-1] - x) % n_letters == half:  # x is the inverse of the last letter
                out.pop()
            else:
                out.append(x)
    return out


def short_elements(mats: np.ndarray, exact: Callable[[list[int]], np.ndarray] | None = None, d_gen: float = 3.0,
                   max_gens: int = 48, r_closure: float = 5.0, volume: float | None = None, max_points: int = 200_000,
                   max_rounds: int = 4) -> tuple[np.ndarray, list[list[int]]]:
    """The shortest group elements (displacement in ``(0, d_gen]``, at most ``max_gens``) with their words.

    Found by orbit balls of radius ``r_closure`` repeated with the set found so far until it stops growing.
    While a ball holds fewer than half the expected
    number of such elements (from ``volume``; at least one), its radius grows by 1 up to 9 (presentation
    generators can all move ``j`` by 6 or more, e.g. K13a4312). ``exact(word)``: the recentred matrix of a
    word from the high-precision holonomy (double-precision products along long words lose up to 1e-3).
    Returns ``(gens (m, 2, 2), words)``, words as lists of letter indices; the first ``len(mats)`` are the
    presentation generators (kept: the short elements alone need not generate the group).
    """
    n_letters = mats.shape[0]
    base_words = [[i] for i in range(n_letters)]
    gens, words = mats, base_words
    wanted = 1 if volume is None else max(1, min(max_gens, int(0.5 * expected_points(volume, d_gen))))
    n_short, radius = -1, r_closure
    for _ in range(max_rounds + 5):
        ball, parents, steps = orbit_ball(gens, radius, max_points)
        disp = displacement(ball)
        idx = np.flatnonzero((disp <= d_gen) & (disp > 1e-6))
        if idx.size <= n_short:
            break
        if idx.size < wanted and radius < 9.0:
            radius += 1.0
            continue
        n_short, radius = idx.size, r_closure
        gens, words = _generators_from_ball(mats, ball, parents, steps, words, idx, disp, max_gens, exact)
    return gens, words


def _generators_from_ball(mats: np.ndarray, ball: np.ndarray, parents: np.ndarray, steps: np.ndarray,
                          words: list[list[int]], idx: np.ndarray, disp: np.ndarray, max_gens: int,
                          exact: Callable[[list[int]], np.ndarray] | None) -> tuple[np.ndarray, list[list[int]]]:
    """The presentation generators ``mats`` plus the ``max_gens`` closest ball entries ``idx`` (by ``disp``),
    recomputed by ``exact`` when given; returns ``(gens, words)`` as :func:`short_elements` does. With no
    entry (a ball without short elements even at radius 9: met once while searching a random-build knot's
    canonical triangulation, on the unlanded orbit-v5 branch), the presentation generators alone."""
    n_letters = mats.shape[0]
    if not idx.size:
        return mats, [[i] for i in range(n_letters)]
    keep = idx[np.argsort(disp[idx], kind="stable")[:max_gens]]
    new_words = [_word(int(i), parents, steps, words, n_letters) for i in keep]
    new_gens = np.stack([exact(w) for w in new_words]) if exact is not None else ball[keep]
    return np.concatenate([mats, new_gens]), [[i] for i in range(n_letters)] + new_words


def expected_points(volume: float, radius: float) -> float:
    """Orbit points in a ball of radius R: vol(B_R) / vol(M) = pi (sinh 2R - 2R) / vol(M) (within a few per
    cent from R = 5 on for knot complements, once the ball is complete)."""
    return math.pi * (math.sinh(2 * radius) - 2 * radius) / volume


def ball_radius(volume: float, target_points: int) -> float:
    """Radius whose ball holds about ``target_points`` orbit points."""
    lo, hi = 0.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if expected_points(volume, mid) < target_points else (lo, mid)
    return hi


def adaptive_orbit_search(mats: np.ndarray, volume: float | None = None,
                          exact: Callable[[list[int]], np.ndarray] | None = None,
                          refine: Callable[[list[int]], complex] | None = None, target_points: int = 60_000,
                          r_min: float = 5.0, r_max: float = 7.5, d_gen: float = 3.0, max_gens: int = 48,
                          completeness: float = 0.85, escalations: int = 2,
                          presentation_points: int = 40_000) -> tuple[complex, list[int], float, dict[str, Any]]:
    """Shortest complex length in an orbit ball generated by ``short_elements`` (and, if that ball stays
    incomplete, in a second ball generated by the presentation's generators).

    The radius gives the ball about ``target_points`` orbit points (from the volume; 6.0 when it is
    unknown), clipped to ``[r_min, r_max]``. With the volume known, a ball holding fewer than
    ``completeness`` times the expected points is badly connected: the generating set is enlarged from that
    ball (``d_gen`` + 0.5, twice ``max_gens``) and the ball recomputed, at most ``escalations`` times. If it
    is still incomplete, the presentation generators' ball (radius 7 grown by 0.5 up to 9 until it holds
    ``presentation_points``; sparse but far-reaching) is searched too and the shorter result kept: on 234
    13-crossing fallback knots each of the two searches alone missed geodesics the other found.
    ``refine(word)``: high-precision complex length; every distinct length within 1e-6 of the shortest
    (double precision) is refined and the ties broken on the refined values (shortest, then smallest
    imaginary part), so geodesics of equal length (``l +- i theta``) give a reproducible choice.
    Returns (length, word as letter indices, radius of the first ball, info: points, generators, escalations,
    ``complete``, presentation-ball points).
    """
    n_letters = mats.shape[0]
    gens, words = short_elements(mats, exact, d_gen, max_gens, volume=volume)
    radius = 6.0 if volume is None else min(max(ball_radius(volume, target_points), r_min), r_max)
    cap = 400_000 if volume is None else int(4 * expected_points(volume, radius)) + 1000  # guard against blow-ups
    for attempt in range(escalations + 1):
        ball, parents, steps = orbit_ball(gens, radius, cap)
        complete = volume is None or ball.shape[0] >= completeness * expected_points(volume, radius)
        if complete or attempt == escalations:
            break
        # enlarge the generating set from this ball (larger than the closure balls: no extra search)
        d_gen, max_gens = d_gen + 0.5, 2 * max_gens
        disp = displacement(ball)
        idx = np.flatnonzero((disp <= d_gen) & (disp > 1e-6))
        gens, words = _generators_from_ball(mats, ball, parents, steps, words, idx, disp, max_gens, exact)
    cands = _candidates(ball, lambda i: _word(i, parents, steps, words, n_letters), refine)
    info = {"points": int(ball.shape[0]), "gens": int(gens.shape[0]), "attempt": attempt, "complete": complete,
            "expected": None if volume is None else expected_points(volume, radius), "presentation_points": 0}
    if not complete:
        base = [[i] for i in range(n_letters)]
        for pres_radius in np.arange(7.0, 9.01, 0.5):
            pball, pparents, psteps = orbit_ball(mats, float(pres_radius), 4 * presentation_points)
            if pball.shape[0] >= presentation_points:
                break
        cands += _candidates(pball, lambda i: _word(i, pparents, psteps, base, n_letters), refine)
        info["presentation_points"] = int(pball.shape[0])
    cands = [c for c in cands if c[0].real > 1e-6] or cands  # a trivial word would be a precision artefact
    if not cands:
        return complex(math.inf, 0.0), [], radius, info
    best, word = min(cands, key=lambda c: (round(c[0].real, 9), c[0].imag))
    return best, word, radius, info


def _candidates(ball: np.ndarray, word_of: Callable[[int], list[int]],
                refine: Callable[[list[int]], complex] | None) -> list[tuple[complex, list[int]]]:
    """The shortest loxodromic lengths of a ball (N, 2, 2): one ``(length, word)`` per distinct complex length
    within 1e-6 (with ``refine``; else 1e-9) of the shortest, the first in BFS order, refined if possible."""
    tr = ball[:, 0, 0] + ball[:, 1, 1]
    loxo = np.flatnonzero(np.abs(tr * tr - 4) > PARABOLIC_TOL)
    if not loxo.size:
        return []
    lengths = 2 * np.arccosh(tr[loxo] / 2)
    real = np.abs(lengths.real)
    near = np.flatnonzero(real < real.min() + (1e-6 if refine is not None else TIE_TOL))
    by_value: dict[tuple[float, float], tuple[complex, int]] = {}
    for t in near:
        z = normalise_length(complex(lengths[t]))
        by_value.setdefault((round(z.real, 6), round(z.imag, 6)), (z, int(loxo[t])))
    out = []
    for z, i in by_value.values():
        word = word_of(i)
        out.append((refine(word) if refine is not None else z, word))
    return out

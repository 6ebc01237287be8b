"""Degrees of the hyperbolic torsion polynomials (N=2: SL(2,C) holonomy; N=3: its adjoint, Sym^2).

Twisted Alexander polynomial by Fox calculus (Wada's convention) on ``M.high_precision()``'s
fundamental group, evaluated at roots of unity in ball arithmetic (python-flint ``acb``, midpoints kept
after every step), inverse DFT over exactly as many points as the
exponent window can hold (no aliasing), degree from the span. See ``knot-dataset.md`` for the algorithm.
"""
from __future__ import annotations

from typing import Any

import flint

WORKING_BITS = 212
ZERO_REL = 1e-25  # coefficient counts as zero below this fraction of the largest one
RELATOR_TOL = 1e-25  # |rho(r) - I| must be below this


def to_acb(x: Any) -> flint.acb:
    """SnapPy (high-precision) complex number -> flint acb (exact decimal parse, all digits kept)."""
    re = str(x.real()).replace(" ", "")
    im = str(x.imag()).replace(" ", "")
    return flint.acb(flint.arb(re).mid(), flint.arb(im).mid())


def abelianisation(relators: list[str], gens: list[str]) -> list[int]:
    """Integer vector phi (gcd 1) spanning the kernel of the relator exponent-sum matrix; length k."""
    rows = [[r.count(g) - r.count(g.upper()) for g in gens] for r in relators]
    if not rows:
        return [1]
    kernel, nullity = flint.fmpz_mat(rows).nullspace()
    if nullity != 1:
        raise ValueError(f"abelianisation has rank {nullity}, expected 1 (not a knot group?)")
    vec = [int(kernel[i, 0]) for i in range(len(gens))]
    from math import gcd
    g = 0
    for v in vec:
        g = gcd(g, v)
    return [v // g for v in vec]


def _mul(a: flint.acb_mat, b: flint.acb_mat) -> flint.acb_mat:
    return (a * b).mid()


def _word_matrix(word: str, mats: dict[str, flint.acb_mat], n: int) -> flint.acb_mat:
    out = flint.acb_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
    for letter in word:
        out = _mul(out, mats[letter])
    return out


def _distance_to_scalar(m: flint.acb_mat, scalar: int) -> float:
    n = m.nrows()
    return max(abs(complex(m[i, j] - (scalar if i == j else 0))) for i in range(n) for j in range(n))


def sl2_lift(relators: list[str], gens: list[str], sl2: dict[str, flint.acb_mat]) -> dict[str, flint.acb_mat]:
    """Negate some generators so every relator maps to +I (a linear system over GF(2)).

    sl2: generator -> 2x2 acb_mat. Returns generator and inverse letters -> 2x2 matrices.
    """
    def with_inverses(m: dict[str, flint.acb_mat]) -> dict[str, flint.acb_mat]:
        out = dict(m)
        for g in gens:
            a = m[g]
            out[g.upper()] = flint.acb_mat([[a[1, 1], -a[0, 1]], [-a[1, 0], a[0, 0]]])
        return out

    mats = with_inverses(sl2)
    rows = []
    for r in relators:
        img = _word_matrix(r, mats, 2)
        if _distance_to_scalar(img, 1) < 1e-20:
            rhs = 0
        elif _distance_to_scalar(img, -1) < 1e-20:
            rhs = 1
        else:
            raise ArithmeticError("relator does not map to +-I: holonomy precision lost")
        rows.append([(r.count(g) + r.count(g.upper())) % 2 for g in gens] + [rhs])
    flips = _solve_gf2(rows, len(gens))
    fixed = {g: (-sl2[g] if flips[i] else sl2[g]) for i, g in enumerate(gens)}
    return with_inverses(fixed)


def _solve_gf2(rows: list[list[int]], k: int) -> list[int]:
    """Solve an augmented system over GF(2) (free variables set to 0)."""
    rows = [r[:] for r in rows]
    pivots = []
    r = 0
    for c in range(k):
        p = next((i for i in range(r, len(rows)) if rows[i][c]), None)
        if p is None:
            continue
        rows[r], rows[p] = rows[p], rows[r]
        for i in range(len(rows)):
            if i != r and rows[i][c]:
                rows[i] = [(a + b) % 2 for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append(c)
        r += 1
    if any(row[k] and not any(row[:k]) for row in rows):
        raise ArithmeticError("no sign lift to SL(2,C) makes every relator +I")
    x = [0] * k
    for i, c in enumerate(pivots):
        x[c] = rows[i][k]
    return x


def sym2(a: flint.acb_mat) -> flint.acb_mat:
    """Symmetric square of a 2x2 matrix (the adjoint representation of SL(2)); 3x3."""
    p, q, r, s = a[0, 0], a[0, 1], a[1, 0], a[1, 1]
    return flint.acb_mat([[p * p, 2 * p * q, q * q], [p * r, q * r + p * s, q * s], [r * r, 2 * r * s, s * s]]).mid()


def fox_matrix(relators: list[str], gens: list[str], phi: dict[str, int], rep: dict[str, flint.acb_mat],
               n: int) -> dict[tuple[int, int], dict[int, flint.acb_mat]]:
    """Fox derivatives d r_i / d g_j as Laurent polynomials with n x n matrix coefficients.

    Returns {(i, j): {exponent: acb_mat}}; each relator must map to the identity (checked).
    """
    index = {g: j for j, g in enumerate(gens)}
    out: dict[tuple[int, int], dict[int, flint.acb_mat]] = {}
    ident = flint.acb_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
    for i, r in enumerate(relators):
        prefix, e = ident, 0
        for letter in r:
            g = letter.lower()
            if letter == g:
                term, te = prefix, e
                prefix, e = _mul(prefix, rep[letter]), e + phi[g]
                sign = 1
            else:
                prefix, e = _mul(prefix, rep[letter]), e - phi[g]
                term, te, sign = prefix, e, -1
            poly = out.setdefault((i, index[g]), {})
            poly[te] = (poly[te] + sign * term).mid() if te in poly else (sign * term).mid()
        if e != 0 or _distance_to_scalar(prefix, 1) > RELATOR_TOL:
            raise ArithmeticError(f"relator {i} does not map to the identity")
    return out


def _span(coeffs: list[flint.acb]) -> int:
    """Span (last minus first exponent with a non-zero coefficient) of a coefficient window."""
    mags = [abs(complex(c)) for c in coeffs]
    top = max(mags)
    if top == 0:
        raise ArithmeticError("determinant vanished identically")
    nz = [i for i, m in enumerate(mags) if m > ZERO_REL * top]
    return nz[-1] - nz[0]


def torsion_degree(group: Any, n: int) -> int:
    """Degree of the torsion polynomial for the SL(2) (n=2) or adjoint (n=3) representation.

    group: a SnapPy high-precision fundamental group (k generators, k-1 relators).
    """
    flint.ctx.prec = WORKING_BITS
    gens = list(group.generators())
    relators = list(group.relators())
    phi_vec = abelianisation(relators, gens)
    phi = dict(zip(gens, phi_vec, strict=True))
    sl2 = {}
    for g in gens:
        m = group.SL2C(g)
        sl2[g] = flint.acb_mat([[to_acb(m[0, 0]), to_acb(m[0, 1])], [to_acb(m[1, 0]), to_acb(m[1, 1])]])
    lifted = sl2_lift(relators, gens, sl2)
    rep = lifted if n == 2 else {g: sym2(a) for g, a in lifted.items()}
    fox = fox_matrix(relators, gens, phi, rep, n)
    j = next(t for t, g in enumerate(gens) if phi[g] != 0)
    cols = [c for c in range(len(gens)) if c != j]
    rows = range(len(relators))
    # exponent range per relator row bounds the determinant's span
    lo, bound = 0, 0
    for i in rows:
        exps = [e for c in cols for e in fox.get((i, c), {})]
        if exps:
            lo += n * min(exps)
            bound += n * (max(exps) - min(exps))
    p = bound + 1  # exponents of det A_j lie in [lo, lo + bound]: no aliasing
    size = len(cols) * n
    roots = [flint.acb(flint.arb(2 * m) / p).exp_pi_i().mid() for m in range(p)]  # roots[m] = w^m
    values = []
    for m in range(p):
        big = [[flint.acb(0)] * size for _ in range(size)]
        for bi in rows:
            for bj, c in enumerate(cols):
                for e, mat in fox.get((bi, c), {}).items():
                    z = roots[(m * e) % p]
                    for a in range(n):
                        for b in range(n):
                            big[bi * n + a][bj * n + b] += z * mat[a, b]
        values.append(flint.acb_mat(big).mid().det().mid())
    coeffs = []
    for d in range(p):
        acc = flint.acb(0)
        for m in range(p):
            acc += values[m] * roots[(-m * d) % p]
        coeffs.append((acc / p).mid())
    window = [coeffs[(lo + i) % p] for i in range(p)]  # coefficient of t^(lo + i)
    return _span(window) - n * abs(phi[gens[j]])


def torsion_degrees(manifold: Any, adjoint: bool = True) -> tuple[int, int | None, Any]:
    """(hyperbolic_torsion_degree, hyperbolic_adjoint_torsion_degree or None when not ``adjoint``,
    high-precision group used).

    Retries with the unsimplified presentation when a relator check fails (long relators).
    """
    hp = manifold.high_precision()
    last: Exception | None = None
    for minimize in (True, False):
        group = hp.fundamental_group(minimize_number_of_generators=minimize)
        try:
            return torsion_degree(group, 2), torsion_degree(group, 3) if adjoint else None, group
        except ArithmeticError as err:
            last = err
    raise ArithmeticError(f"torsion failed in both presentations: {last}")

"""Exact knot signature from a Seifert matrix (integer arithmetic, no floating point).

Convention: SnapPy >= 3 / KnotInfo ("positive knots have negative signature"), i.e.
``signature = -sign(V + V^T)`` for spherogram's Seifert matrix ``V``.
"""
from __future__ import annotations

from itertools import pairwise
from typing import Any

import flint


def sign_changes(coeffs: list[int]) -> int:
    """Number of sign changes in a coefficient sequence, zeros skipped."""
    signs = [c > 0 for c in coeffs if c != 0]
    return sum(1 for a, b in pairwise(signs) if a != b)


def symmetric_signature(matrix: list[list[int]]) -> int:
    """Signature (#positive - #negative eigenvalues) of a symmetric integer matrix, exactly.

    The characteristic polynomial of a symmetric matrix has only real roots, so Descartes' rule of
    signs counts positive roots exactly (and negative roots via p(-x)). matrix: n x n.
    """
    n = len(matrix)
    if n == 0:
        return 0
    if any(matrix[i][j] != matrix[j][i] for i in range(n) for j in range(n)):
        raise ValueError("matrix is not symmetric")
    poly = flint.fmpz_mat(matrix).charpoly()
    coeffs = [int(c) for c in poly.coeffs()]  # low degree first
    positive = sign_changes(coeffs)
    negative = sign_changes([c * (-1) ** i for i, c in enumerate(coeffs)])
    return positive - negative


def knot_signature(link: Any) -> int:
    """Signature of a knot diagram (spherogram ``Link``) in the KnotInfo/SnapPy convention."""
    v = [[int(x) for x in row] for row in link.seifert_matrix()]
    n = len(v)
    sym = [[v[i][j] + v[j][i] for j in range(n)] for i in range(n)]
    return -symmetric_signature(sym)

"""Independent exact linear algebra for the tests (row reduction over ``fractions.Fraction``).

Written separately from ``theory.linalg.rational`` so that the brute forces of ``test_sparsity`` and
``test_sparsity_certificate`` do not share code with the algorithms they check.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["rref", "rank", "kernel"]


def rref(rows, ncols):
    """Reduced row echelon form of ``rows`` (``ncols`` columns) and its pivot columns."""
    A = [[Fraction(x) for x in r] for r in rows]
    pivots = []
    r = 0
    for c in range(ncols):
        p = next((i for i in range(r, len(A)) if A[i][c] != 0), None)
        if p is None:
            continue
        A[r], A[p] = A[p], A[r]
        piv = A[r][c]
        A[r] = [x / piv for x in A[r]]
        for i in range(len(A)):
            if i != r and A[i][c] != 0:
                f = A[i][c]
                A[i] = [a - f * b for a, b in zip(A[i], A[r])]
        pivots.append(c)
        r += 1
    return A[:r], pivots


def rank(rows, ncols):
    """The rank of ``rows`` (0 for no rows)."""
    return len(rref(rows, ncols)[1]) if rows else 0


def kernel(rows, ncols):
    """A basis of {x : rows . x = 0}."""
    if not rows:
        return [[Fraction(int(i == j)) for j in range(ncols)] for i in range(ncols)]
    R, pivots = rref(rows, ncols)
    out = []
    for f in (c for c in range(ncols) if c not in pivots):
        x = [Fraction(0)] * ncols
        x[f] = Fraction(1)
        for row, p in zip(R, pivots):
            x[p] = -row[f]
        out.append(x)
    return out

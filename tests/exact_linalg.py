"""Independent exact linear algebra for the tests (row reduction over ``fractions.Fraction``).

Written separately from ``theory.linalg.rational`` so that the brute forces of ``test_sparsity``,
``test_sparsity_certificate`` and ``test_linalg_kernel`` do not share code with the algorithms
they check.  These are the textbook Fraction algorithms that ``theory.linalg.rational`` used
before it moved its eliminations to FLINT; ``test_linalg_kernel`` holds the FLINT kernel to
*identical* answers.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = [
    "rref",
    "rank",
    "kernel",
    "nullspace",
    "independent_rows",
    "mat_vec",
    "mat_mul",
    "support",
    "inverse",
    "coordinates",
    "in_span",
]


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


#: The kernel basis read off the RREF (one free coordinate 1, the others 0).
nullspace = kernel


def independent_rows(rows, order=None):
    """Indices of a maximal independent set of rows, chosen greedily in ``order`` (row by row)."""
    kept = []
    echelon = []  # (pivot column, normalised row)
    for i in order if order is not None else range(len(rows)):
        v = [Fraction(x) for x in rows[i]]
        for p, e in echelon:
            f = v[p]
            if f != 0:
                v = [a - f * b for a, b in zip(v, e)]
        p = next((c for c, x in enumerate(v) if x != 0), None)
        if p is None:
            continue
        echelon.append((p, [x / v[p] for x in v]))
        kept.append(i)
    return kept


def mat_vec(A, x):
    """``A x`` by Fraction sums."""
    return [sum((Fraction(a) * b for a, b in zip(row, x)), Fraction(0)) for row in A]


def mat_mul(A, B):
    """``A B`` entry by entry (``m x 0`` when ``B`` has no rows or no columns)."""
    n = len(B[0]) if B else 0
    return [[sum((Fraction(row[k]) * B[k][j] for k in range(len(B))), Fraction(0)) for j in range(n)] for row in A]


def support(A, x):
    """The rows where ``A x`` is nonzero."""
    return frozenset(i for i, v in enumerate(mat_vec(A, x)) if v != 0)


def inverse(A):
    """The inverse of a square matrix by row reduction of ``[A | I]``; ValueError if singular."""
    n = len(A)
    aug = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(A)]
    R, pivots = rref(aug, 2 * n)
    if pivots[:n] != list(range(n)) or len(R) < n:
        raise ValueError("the matrix is singular")
    return [row[n:] for row in R[:n]]


def coordinates(basis, x):
    """The coefficients ``c`` with ``x = sum_l c_l basis[l]``."""
    d = len(basis)
    columns = [[basis[l][a] for l in range(d)] for a in range(d)]
    return mat_vec(inverse(columns), x)


def in_span(vectors, x):
    """Whether ``x`` lies in the span of ``vectors``."""
    n = len(x)
    return rank(list(vectors) + [list(x)], n) == rank(list(vectors), n)

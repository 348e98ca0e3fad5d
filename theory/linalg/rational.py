"""Exact linear algebra over the rationals, on lists of :class:`fractions.Fraction`.

Matrices are lists of rows, vectors are lists.  Everything is exact; there are no floats
and no pivoting tolerances.  Gaussian elimination on ``Fraction`` is much faster than
sympy's ``Matrix`` for the small dense matrices of the sparsity checks (docs/mathematics.md
section 5.3).

Examples
--------
>>> A = to_fraction_matrix([[1, 2], [2, 4], [0, 1]])
>>> rank(A)
2
>>> [[str(x) for x in v] for v in nullspace(to_fraction_matrix([[1, 2, 3]]), 3)]
[['-2', '1', '0'], ['-3', '0', '1']]
>>> primitive_integer([Fraction(1, 2), Fraction(-1, 3)])
[3, -2]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from math import gcd, lcm

import sympy as sp

__all__ = [
    "QMatrix",
    "QVector",
    "to_fraction",
    "to_fraction_matrix",
    "rref",
    "rank",
    "nullspace",
    "independent_rows",
    "mat_vec",
    "mat_mul",
    "transpose",
    "support",
    "inverse",
    "coordinates",
    "in_span",
    "primitive_integer",
    "columns_of",
]

QVector = list[Fraction]
QMatrix = list[list[Fraction]]


def to_fraction(x: object) -> Fraction:
    """An exact rational (int, Fraction, sympy Rational, or a ``"p/q"`` string) as a Fraction.

    >>> to_fraction(sp.Rational(3, 4)), to_fraction("-2/6")
    (Fraction(3, 4), Fraction(-1, 3))
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        raise TypeError("a boolean is not a rational number")
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, sp.Rational):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, str):
        return Fraction(x)
    if isinstance(x, sp.Basic) and x.is_Rational:
        return Fraction(int(x.p), int(x.q))
    raise TypeError(f"{x!r} is not an exact rational")


def to_fraction_matrix(rows: Iterable[Iterable[object]]) -> QMatrix:
    """A matrix of exact rationals (see :func:`to_fraction`)."""
    return [[to_fraction(x) for x in row] for row in rows]


def rref(rows: Sequence[Sequence[Fraction]], ncols: int | None = None) -> tuple[QMatrix, list[int]]:
    """Reduced row echelon form and pivot columns.

    >>> R, piv = rref([[Fraction(2), Fraction(4)], [Fraction(1), Fraction(3)]])
    >>> piv
    [0, 1]
    """
    A = [list(r) for r in rows]
    n = ncols if ncols is not None else (len(A[0]) if A else 0)
    pivots: list[int] = []
    r = 0
    for c in range(n):
        p = next((i for i in range(r, len(A)) if A[i][c] != 0), None)
        if p is None:
            continue
        A[r], A[p] = A[p], A[r]
        pr = A[r]
        inv = 1 / pr[c]
        if inv != 1:
            A[r] = pr = [x * inv for x in pr]
        for i in range(len(A)):
            if i != r:
                f = A[i][c]
                if f != 0:
                    Ai = A[i]
                    A[i] = [a - f * b for a, b in zip(Ai, pr)]
        pivots.append(c)
        r += 1
        if r == len(A):
            break
    return A[:r], pivots


def rank(rows: Sequence[Sequence[Fraction]]) -> int:
    """The rank (0 for an empty matrix)."""
    if not rows:
        return 0
    return len(rref(rows)[1])


def nullspace(rows: Sequence[Sequence[Fraction]], ncols: int) -> QMatrix:
    """A basis of ``{x : A x = 0}`` (vectors of length ``ncols``), from the RREF."""
    if not rows:
        return [[Fraction(int(i == j)) for j in range(ncols)] for i in range(ncols)]
    R, pivots = rref(rows, ncols)
    free = [c for c in range(ncols) if c not in set(pivots)]
    basis = []
    for f in free:
        x = [Fraction(0)] * ncols
        x[f] = Fraction(1)
        for row, p in zip(R, pivots):
            x[p] = -row[f]
        basis.append(x)
    return basis


def independent_rows(rows: Sequence[Sequence[Fraction]], order: Iterable[int] | None = None) -> list[int]:
    """Indices of a maximal independent set of rows, chosen greedily in ``order``.

    >>> independent_rows([[Fraction(1), Fraction(0)], [Fraction(2), Fraction(0)], [Fraction(0), Fraction(1)]])
    [0, 2]
    """
    kept: list[int] = []
    echelon: list[tuple[int, list[Fraction]]] = []  # (pivot column, normalised row)
    for i in order if order is not None else range(len(rows)):
        v = list(rows[i])
        for p, e in echelon:
            f = v[p]
            if f != 0:
                v = [a - f * b for a, b in zip(v, e)]
        p = next((c for c, x in enumerate(v) if x != 0), None)
        if p is None:
            continue
        inv = 1 / v[p]
        echelon.append((p, [x * inv for x in v]))
        kept.append(i)
    return kept


def mat_vec(A: Sequence[Sequence[Fraction]], x: Sequence[Fraction]) -> QVector:
    """``A x``."""
    return [sum((a * b for a, b in zip(row, x) if a != 0 and b != 0), Fraction(0)) for row in A]


def transpose(A: Sequence[Sequence[Fraction]], ncols: int | None = None) -> QMatrix:
    """``A^T`` (``ncols`` gives the shape of an empty ``A``)."""
    n = ncols if ncols is not None else (len(A[0]) if A else 0)
    return [[row[j] for row in A] for j in range(n)]


def mat_mul(A: Sequence[Sequence[Fraction]], B: Sequence[Sequence[Fraction]]) -> QMatrix:
    """``A B``."""
    Bt = transpose(B)
    return [mat_vec(Bt, row) for row in A]


def columns_of(vectors: Sequence[Sequence[Fraction]]) -> QMatrix:
    """The matrix whose columns are ``vectors``."""
    return transpose(vectors, len(vectors[0]) if vectors else 0) if vectors else []


def support(A: Sequence[Sequence[Fraction]], x: Sequence[Fraction]) -> frozenset[int]:
    """``supp(A x)``: the rows where ``A x`` is nonzero."""
    return frozenset(i for i, v in enumerate(mat_vec(A, x)) if v != 0)


def inverse(A: Sequence[Sequence[Fraction]]) -> QMatrix:
    """The inverse of a square matrix.

    Raises
    ------
    ValueError
        If the matrix is singular.
    """
    n = len(A)
    aug = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(A)]
    R, pivots = rref(aug, 2 * n)
    if pivots[:n] != list(range(n)) or len(R) < n:
        raise ValueError("the matrix is singular")
    return [row[n:] for row in R[:n]]


def coordinates(basis: Sequence[Sequence[Fraction]], x: Sequence[Fraction]) -> QVector:
    """The coefficients ``c`` with ``x = sum_l c_l basis[l]`` (``basis`` a basis of R^d)."""
    return mat_vec(inverse(columns_of(basis)), x)


def in_span(vectors: Sequence[Sequence[Fraction]], x: Sequence[Fraction]) -> bool:
    """Whether ``x`` lies in the span of ``vectors``."""
    return rank(list(vectors) + [list(x)]) == rank(list(vectors))


def primitive_integer(x: Sequence[Fraction]) -> list[int]:
    """The primitive integer vector on the line of ``x``, first nonzero entry positive."""
    den = lcm(*(f.denominator for f in x)) if x else 1
    ints = [int(f * den) for f in x]
    g = 0
    for v in ints:
        g = gcd(g, v)
    if not g:
        return ints
    first = next(v for v in ints if v)
    if first < 0:
        g = -g
    return [v // g for v in ints]

"""Exact linear algebra over the rationals: lists of :class:`fractions.Fraction` in and out, FLINT inside.

Matrices are lists of rows, vectors are lists.  Everything is exact; there are no floats
and no pivoting tolerances.  The eliminations (:func:`rref`, :func:`rank`,
:func:`nullspace`, :func:`kernel_basis`, :func:`independent_rows`, :func:`inverse`,
:func:`in_span`) and :func:`mat_mul` run in python-flint (``fmpz_mat``): every row is
first scaled by the least common multiple of its denominators, which changes neither the
row space nor the rank nor which rows (or columns) are independent, so the fraction-free
elimination of the integer matrix gives the same reduced row echelon form as Gaussian
elimination over ``Fraction`` would.  Every answer is *identical* to the textbook Fraction algorithms
(kept in ``tests/exact_linalg.py`` as the tests' oracle): the RREF is unique, the kernel
basis is read off it in the same normalisation (one free coordinate 1, the others 0),
and the greedy independent rows are the pivot columns of the transposed matrix.

:func:`mat_vec` and :func:`support` (one product, where converting to FLINT would cost
more than the product) use Python integers on the row-scaled matrix, never ``Fraction``
arithmetic.

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
from flint import fmpq, fmpq_mat, fmpz_mat

__all__ = [
    "QMatrix",
    "QVector",
    "Exact",
    "to_fraction",
    "to_fraction_matrix",
    "integer_rows",
    "to_fmpz_mat",
    "to_fmpq_mat",
    "from_fmpq_mat",
    "rref",
    "rank",
    "nullspace",
    "kernel_basis",
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
#: An exact entry the FLINT-backed functions accept (a row-scaled integer matrix has the same
#: RREF, kernel, rank and independent rows as the original).
Exact = Fraction | int

#: The shared zero and one (a Fraction is immutable, so sharing one object is safe).
ZERO = Fraction(0)
ONE = Fraction(1)


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


# -- conversions -------------------------------------------------------------------------------
def _scaled(v: Sequence[Exact]) -> tuple[list[int], int]:
    """``(L v, L)`` with ``L > 0`` the least common multiple of the denominators of ``v``."""
    den = lcm(*[x.denominator for x in v])
    if den == 1:
        return [x.numerator for x in v], 1
    return [x.numerator * (den // x.denominator) for x in v], den


def _ratio(num: int, den: int) -> Fraction:
    """``num / den`` as a Fraction (``den != 0``)."""
    if not num:
        return ZERO
    return Fraction(num) if den == 1 else Fraction(num, den)


def integer_rows(rows: Sequence[Sequence[Exact]], ncols: int) -> tuple[list[int], list[int]]:
    """Every row times the lcm of its denominators: the entries row by row, and the multipliers.

    Parameters
    ----------
    rows
        Rows of exact rationals (``Fraction`` or ``int``), each of length ``ncols``.
    ncols
        The number of columns.

    Returns
    -------
    tuple
        ``(flat, scales)``: the integer entries of the scaled matrix in row-major order and
        the positive multiplier of each row.

    Raises
    ------
    ValueError
        If a row does not have ``ncols`` entries.

    Examples
    --------
    >>> integer_rows([[Fraction(1, 2), Fraction(1, 3)], [Fraction(2), Fraction(0)]], 2)
    ([3, 2, 2, 0], [6, 1])
    """
    flat: list[int] = []
    scales: list[int] = []
    for row in rows:
        if len(row) != ncols:
            raise ValueError(f"a row has {len(row)} entries, not {ncols}")
        ints, den = _scaled(row)
        flat += ints
        scales.append(den)
    return flat, scales


def to_fmpz_mat(rows: Sequence[Sequence[Exact]], ncols: int) -> fmpz_mat:
    """The row-scaled integer matrix of :func:`integer_rows` as a FLINT ``fmpz_mat``.

    It has the row space, the rank and the zero pattern of ``rows @ x`` of the original.

    >>> to_fmpz_mat([[Fraction(1, 2), Fraction(1, 3)]], 2).rank()
    1
    """
    flat, _ = integer_rows(rows, ncols)
    return fmpz_mat(len(rows), ncols, flat)


def to_fmpq_mat(rows: Sequence[Sequence[Exact]], ncols: int) -> fmpq_mat:
    """``rows`` as a FLINT ``fmpq_mat`` (exactly the same numbers).

    >>> to_fmpq_mat([[Fraction(1, 2), Fraction(-3)]], 2)
    [1/2, -3]
    """
    flat, scales = integer_rows(rows, ncols)
    if all(s == 1 for s in scales):
        return fmpq_mat(fmpz_mat(len(rows), ncols, flat))
    return fmpq_mat(len(rows), ncols, [fmpq(x.numerator, x.denominator) for row in rows for x in row])


def from_fmpq_mat(M: fmpq_mat) -> QMatrix:
    """A FLINT ``fmpq_mat`` as a list of rows of Fractions.

    >>> from_fmpq_mat(to_fmpq_mat([[Fraction(1, 2), Fraction(-3)]], 2))
    [[Fraction(1, 2), Fraction(-3, 1)]]
    """
    num, den = M.numer_denom()
    d = int(den)
    n = M.ncols()
    flat = [_ratio(int(v), d) for v in num.entries()]
    return [flat[i * n : (i + 1) * n] for i in range(M.nrows())]


def _rref_ints(rows: Sequence[Sequence[Exact]], ncols: int) -> tuple[list[int], int, list[int]]:
    """The first ``rank`` rows of the fraction-free RREF (row-major), its denominator, the pivots."""
    R, den, r = to_fmpz_mat(rows, ncols).rref()
    flat = [int(v) for v in R.entries()[: r * ncols]]
    pivots: list[int] = []
    c = 0
    for i in range(r):
        base = i * ncols
        while not flat[base + c]:
            c += 1
        pivots.append(c)
    return flat, int(den), pivots


# -- eliminations (FLINT) -----------------------------------------------------------------------
def rref(rows: Sequence[Sequence[Exact]], ncols: int | None = None) -> tuple[QMatrix, list[int]]:
    """Reduced row echelon form (its nonzero rows) and pivot columns.

    Parameters
    ----------
    rows
        The matrix.
    ncols
        The number of columns (needed only for an empty matrix; otherwise it must equal the
        length of the rows).

    Returns
    -------
    tuple
        ``(R, pivots)``: the ``rank`` nonzero rows of the RREF and their pivot columns.

    Examples
    --------
    >>> R, piv = rref([[Fraction(2), Fraction(4)], [Fraction(1), Fraction(3)]])
    >>> piv
    [0, 1]
    >>> rref([[Fraction(0), Fraction(2), Fraction(1)], [Fraction(0), Fraction(4), Fraction(2)]])
    ([[Fraction(0, 1), Fraction(1, 1), Fraction(1, 2)]], [1])
    """
    n = ncols if ncols is not None else (len(rows[0]) if rows else 0)
    if not rows or n == 0:
        return [], []
    flat, den, pivots = _rref_ints(rows, n)
    out = [_ratio(v, den) for v in flat]
    return [out[i * n : (i + 1) * n] for i in range(len(pivots))], pivots


def rank(rows: Sequence[Sequence[Exact]]) -> int:
    """The rank (0 for an empty matrix).

    >>> rank([[Fraction(1), Fraction(2)], [Fraction(1, 2), Fraction(1)]]), rank([])
    (1, 0)
    """
    if not rows:
        return 0
    return to_fmpz_mat(rows, len(rows[0])).rank()


def nullspace(rows: Sequence[Sequence[Exact]], ncols: int) -> QMatrix:
    """A basis of ``{x : A x = 0}`` (vectors of length ``ncols``), from the RREF.

    One vector per free (non-pivot) column ``f``, in increasing ``f``: ``x_f = 1``, the other
    free coordinates 0, and ``x_p = -R[i][f]`` at the pivot ``p`` of RREF row ``i``.

    >>> [[str(x) for x in v] for v in nullspace([[Fraction(2), Fraction(0), Fraction(1)]], 3)]
    [['0', '1', '0'], ['-1/2', '0', '1']]
    >>> nullspace([], 2)
    [[Fraction(1, 1), Fraction(0, 1)], [Fraction(0, 1), Fraction(1, 1)]]
    """
    if not rows:
        return [[ONE if i == j else ZERO for j in range(ncols)] for i in range(ncols)]
    if ncols == 0:
        return []
    flat, den, pivots = _rref_ints(rows, ncols)
    is_pivot = set(pivots)
    basis = []
    for f in range(ncols):
        if f in is_pivot:
            continue
        x = [ZERO] * ncols
        x[f] = ONE
        for i, p in enumerate(pivots):
            x[p] = _ratio(-flat[i * ncols + f], den)
        basis.append(x)
    return basis


def kernel_basis(vectors: Sequence[Sequence[Exact]], ncols: int) -> QMatrix:
    """The basis :func:`nullspace` returns for any matrix whose null space is ``span(vectors)``.

    That basis depends on the null space ``N`` alone: column ``f`` is free exactly when some
    vector of ``N`` ends (reading left to right, its last nonzero entry) at ``f``, and the
    vector for ``f`` is the one of ``N`` that is 1 at ``f`` and 0 at the other free columns.
    Read backwards, those are the pivots and the rows of the RREF of ``vectors``, so this
    is one small elimination on ``dim N`` rows instead of one on the matrix.

    >>> A = [[Fraction(1), Fraction(2), Fraction(3)], [Fraction(0), Fraction(1), Fraction(1)]]
    >>> N = nullspace(A, 3)
    >>> kernel_basis([[2 * x for x in v] for v in N], 3) == N, kernel_basis([], 3)
    (True, [])
    """
    if not vectors:
        return []
    R, _ = rref([list(reversed(v)) for v in vectors], ncols)
    return [row[::-1] for row in reversed(R)]


def independent_rows(rows: Sequence[Sequence[Exact]], order: Iterable[int] | None = None) -> list[int]:
    """Indices of a maximal independent set of rows, chosen greedily in ``order``.

    Row ``i`` is kept when it is not in the span of the rows before it in ``order``: these
    are the pivot columns of the RREF of the matrix whose columns are the rows in ``order``.

    >>> independent_rows([[Fraction(1), Fraction(0)], [Fraction(2), Fraction(0)], [Fraction(0), Fraction(1)]])
    [0, 2]
    >>> independent_rows([[Fraction(1), Fraction(0)], [Fraction(2), Fraction(0)], [Fraction(0), Fraction(1)]], [1, 0, 2])
    [1, 2]
    """
    idx = list(order) if order is not None else list(range(len(rows)))
    if not idx:
        return []
    n = len(rows[idx[0]])
    if n == 0:
        return []
    R, _, r = to_fmpz_mat([rows[i] for i in idx], n).transpose().rref()
    k = len(idx)
    entries = R.entries()
    kept: list[int] = []
    c = 0
    for i in range(r):
        base = i * k
        while not entries[base + c]:
            c += 1
        kept.append(idx[c])
    return kept


def inverse(A: Sequence[Sequence[Exact]]) -> QMatrix:
    """The inverse of a square matrix.

    With ``A = D^-1 A'`` (``A'`` the row-scaled integer matrix), ``A^-1 = A'^-1 D``.

    Raises
    ------
    ValueError
        If the matrix is singular or not square.

    Examples
    --------
    >>> inverse([[Fraction(2), Fraction(0)], [Fraction(1), Fraction(1, 2)]])
    [[Fraction(1, 2), Fraction(0, 1)], [Fraction(-1, 1), Fraction(2, 1)]]
    """
    n = len(A)
    if n == 0:
        return []
    flat, scales = integer_rows(A, n)
    try:
        inv = fmpz_mat(n, n, flat).inv()
    except ZeroDivisionError:
        raise ValueError("the matrix is singular") from None
    num, den = inv.numer_denom()
    d = int(den)
    vals = [int(v) for v in num.entries()]
    return [[_ratio(vals[i * n + j] * scales[j], d) for j in range(n)] for i in range(n)]


def in_span(vectors: Sequence[Sequence[Exact]], x: Sequence[Exact]) -> bool:
    """Whether ``x`` lies in the span of ``vectors``.

    >>> in_span([[Fraction(1), Fraction(1)]], [Fraction(-2), Fraction(-2)]), in_span([], [Fraction(0)])
    (True, True)
    """
    return rank(list(vectors) + [list(x)]) == rank(list(vectors))


def coordinates(basis: Sequence[Sequence[Fraction]], x: Sequence[Fraction]) -> QVector:
    """The coefficients ``c`` with ``x = sum_l c_l basis[l]`` (``basis`` a basis of R^d).

    >>> coordinates([[Fraction(1), Fraction(1)], [Fraction(0), Fraction(2)]], [Fraction(1), Fraction(3)])
    [Fraction(1, 1), Fraction(1, 1)]
    """
    return mat_vec(inverse(columns_of(basis)), x)


# -- products -----------------------------------------------------------------------------------
def mat_vec(A: Sequence[Sequence[Exact]], x: Sequence[Exact]) -> QVector:
    """``A x`` (rows and ``x`` paired as :func:`zip` pairs them).

    In integers: ``(A x)_i = (L_i A_i) . (L x) / (L_i L)``.

    >>> mat_vec([[Fraction(1, 2), Fraction(1)], [Fraction(0), Fraction(0)]], [Fraction(2, 3), Fraction(1)])
    [Fraction(4, 3), Fraction(0, 1)]
    """
    xs, xden = _scaled(x)
    out = []
    for row in A:
        rs, rden = _scaled(row)
        out.append(_ratio(sum([a * b for a, b in zip(rs, xs) if a and b]), rden * xden))
    return out


def support(A: Sequence[Sequence[Exact]], x: Sequence[Exact]) -> frozenset[int]:
    """``supp(A x)``: the rows where ``A x`` is nonzero.

    >>> sorted(support([[Fraction(1), Fraction(-1)], [Fraction(2), Fraction(0)]], [Fraction(1), Fraction(1)]))
    [1]
    """
    xs, _ = _scaled(x)
    return frozenset(i for i, row in enumerate(A) if sum([a * b for a, b in zip(_scaled(row)[0], xs) if a and b]))


def mat_mul(A: Sequence[Sequence[Exact]], B: Sequence[Sequence[Exact]]) -> QMatrix:
    """``A B`` (``m x 0`` when ``B`` has no rows or no columns).

    In integers: ``(A B)_ij = (A' B')_ij / (L_i K_j)`` with ``A'`` row-scaled by ``L`` and
    ``B'`` column-scaled by ``K``.

    >>> mat_mul([[Fraction(1, 2), Fraction(1)]], [[Fraction(2)], [Fraction(1, 3)]])
    [[Fraction(4, 3)]]
    """
    if not A:
        return []
    k = len(B)
    n = len(B[0]) if B else 0
    if n == 0:
        return [[] for _ in A]
    aflat, ascale = integer_rows(A, k)
    bflat, bscale = integer_rows(transpose(B, n), k)
    P = fmpz_mat(len(A), k, aflat) * fmpz_mat(n, k, bflat).transpose()
    vals = [int(v) for v in P.entries()]
    return [[_ratio(vals[i * n + j], ascale[i] * bscale[j]) for j in range(n)] for i in range(len(A))]


# -- shapes and normal forms (no arithmetic to speak of) ---------------------------------------
def transpose(A: Sequence[Sequence[Fraction]], ncols: int | None = None) -> QMatrix:
    """``A^T`` (``ncols`` gives the shape of an empty ``A``).

    >>> transpose([[Fraction(1), Fraction(2)]])
    [[Fraction(1, 1)], [Fraction(2, 1)]]
    """
    n = ncols if ncols is not None else (len(A[0]) if A else 0)
    return [[row[j] for row in A] for j in range(n)]


def columns_of(vectors: Sequence[Sequence[Fraction]]) -> QMatrix:
    """The matrix whose columns are ``vectors``."""
    return transpose(vectors, len(vectors[0]) if vectors else 0) if vectors else []


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

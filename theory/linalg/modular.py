"""Row matroids modulo a prime: sound upper bounds on how many rows one vector annihilates.

docs/mathematics.md section 5.11.  Reduce an integer matrix ``A`` (rows scaled to integers)
modulo a prime ``p``.  Every minor of ``A mod p`` is the reduction of the same minor of ``A``,
so a set of rows dependent over the rationals stays dependent modulo ``p``: the matroid
``M_p`` of ``A mod p`` has every dependency of ``M(A)`` and perhaps more.  Hence

* ``rank_p(S) <= rank(S)`` for every set of rows, and ``rank_p(A) = n`` proves ``rank(A) = n``;
* when ``rank_p(A) = n``, every hyperplane ``H`` of ``M(A)`` (rank ``n - 1`` over the rationals)
  has rank ``<= n - 1`` modulo ``p``, so it lies in a hyperplane of ``M_p``: the largest
  hyperplane of ``M_p`` bounds the largest of ``M(A)`` from above.

A vector annihilates a flat of rows (fact F1), so :func:`largest_hyperplane_mod_p` is a
proven upper bound on the most rows of ``A`` that one nonzero vector annihilates, computed
with word-size arithmetic however long the rationals are.  It is exact unless ``p`` divides
one of the (finitely many) nonzero minors involved; the callers never need exactness for
soundness, only for the bound to be tight.  Everything here is integer arithmetic in numpy
(entries below ``p < 2**31``, products and their differences below ``2**63``).

Examples
--------
>>> from fractions import Fraction
>>> A = rows_mod_p([[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)], [Fraction(2), Fraction(2)], [Fraction(1, 3), Fraction(1, 3)]])
>>> rank_mod_p(A), largest_hyperplane_mod_p(A).size      # rows 2 and 3 are parallel
(2, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

import itertools
from math import comb

import numpy as np

from theory.linalg.rational import integer_rows

__all__ = ["PRIME", "rows_mod_p", "rref_mod_p", "rank_mod_p", "HyperplaneBound", "largest_hyperplane_mod_p", "subset_zero_sets", "closure_mod_p", "mat_mul_mod_p", "NODE_CAP"]

#: The prime of :func:`rows_mod_p`, ``2**31 - 1``: a product of two residues stays below
#: ``2**62``, and so does the difference of two such products, inside int64.  (A small prime
#: would make spurious dependencies likely: a 35 x 6 matrix has 1.6 million 6 x 6 minors.)
PRIME = 2_147_483_647
#: The most search nodes :func:`largest_hyperplane_mod_p` visits before it gives up.
NODE_CAP = 200_000
#: Up to this many ``(n - 1)``-subsets of rows, :func:`largest_hyperplane_mod_p` tries them
#: all in vectorised batches instead of searching.
SUBSET_LIMIT = 400_000
#: Subsets per batch (memory: about ``BATCH * n * n * 8`` bytes).
BATCH = 16_384


def rows_mod_p(rows: Sequence[Sequence[Fraction]], p: int = PRIME) -> np.ndarray:
    """The rows scaled to integers (each by the lcm of its denominators) and reduced modulo ``p``.

    Scaling a row changes neither the row matroid nor which rows a vector annihilates.

    >>> rows_mod_p([[Fraction(1, 2), Fraction(-1)]], 7).tolist()
    [[1, 5]]
    """
    m = len(rows)
    n = len(rows[0]) if m else 0
    flat, _ = integer_rows(rows, n)
    return np.array([x % p for x in flat], dtype=np.int64).reshape(m, n)


def mat_mul_mod_p(A: np.ndarray, B: np.ndarray, p: int = PRIME) -> np.ndarray:
    """``A B`` modulo ``p``, for residues ``0 <= a < p < 2**31``: one column of ``A`` at a time,
    each partial sum reduced (a product is below ``2**62``, a partial sum plus it below ``2**63``).

    >>> mat_mul_mod_p(np.array([[1, 2], [3, 4]]), np.array([[5], [6]]), 7).tolist()
    [[3], [4]]
    """
    out = np.zeros((A.shape[0], B.shape[1]), dtype=np.int64)
    for k in range(A.shape[1]):
        out = (out + A[:, k, None] * B[None, k, :]) % p
    return out


def rref_mod_p(A: np.ndarray, p: int = PRIME) -> tuple[np.ndarray, list[int]]:
    """The reduced row echelon form of ``A`` modulo ``p`` and its pivot columns.

    >>> R, pivots = rref_mod_p(np.array([[2, 4], [1, 3]]), 7)
    >>> R.tolist(), pivots
    ([[1, 0], [0, 1]], [0, 1])
    """
    R = np.array(A, dtype=np.int64) % p
    m, n = R.shape
    pivots: list[int] = []
    for c in range(n):
        r = len(pivots)
        if r == m:
            break
        rows = np.nonzero(R[r:, c])[0]
        if rows.size == 0:
            continue
        i = r + int(rows[0])
        R[[r, i]] = R[[i, r]]
        R[r] = R[r] * pow(int(R[r, c]), -1, p) % p
        f = R[:, c].copy()
        f[r] = 0
        R = (R - np.outer(f, R[r])) % p  # residues below 2**31: products below 2**62
        pivots.append(c)
    return R, pivots


def rank_mod_p(A: np.ndarray, p: int = PRIME) -> int:
    """The rank of ``A`` modulo ``p`` (a lower bound on the rank over the rationals).

    >>> rank_mod_p(np.array([[1, 2], [2, 4], [0, 1]]), 7)
    2
    """
    return len(rref_mod_p(A, p)[1])


@dataclass(frozen=True)
class HyperplaneBound:
    """The largest hyperplane of the row matroid modulo ``p``.

    Attributes
    ----------
    size
        Its number of rows: a proven upper bound on the rows one nonzero vector annihilates
        over the rationals.
    rows
        One hyperplane of that size modulo ``p`` (row indices), to build a witness from; over
        the rationals these rows may have full rank (then no vector annihilates them all).
    """

    size: int
    rows: frozenset[int]


def largest_hyperplane_mod_p(
    A: np.ndarray, p: int = PRIME, check: Callable[[], None] | None = None, cap: int = NODE_CAP
) -> HyperplaneBound | None:
    """An upper bound on the most rows of ``A`` one nonzero vector annihilates (see the module).

    The search is the one of :func:`theory.linalg.rho_bounds.largest_annihilated`, modulo
    ``p`` and vectorised over the rows: a depth-first search over independent sets in index
    order, each flat reached once through its lexicographically first basis, down to flats
    ``F`` of rank ``n - 2``; the hyperplanes through ``F`` are ``F`` plus one class of rows
    parallel modulo ``span F``.

    Parameters
    ----------
    A
        Integer matrix (m x n), entries reduced modulo ``p`` (:func:`rows_mod_p`).
    p
        The prime.
    check
        Called once per search node (a budget check may raise there).
    cap
        The most search nodes; past it the answer is ``None``.

    Returns
    -------
    HyperplaneBound or None
        ``None`` when ``rank_p(A) < n`` (the rows may then all be annihilated: the caller
        decides over the rationals) or past ``cap``.  ``size = m`` never occurs otherwise.

    Examples
    --------
    >>> A = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 2, 3]])
    >>> largest_hyperplane_mod_p(A, 101).size       # rows 0, 1, 2 span the plane z = 0
    3
    """
    A = np.array(A, dtype=np.int64) % p
    m, n = A.shape
    if n == 0 or rank_mod_p(A, p) < n:
        return None
    if n == 1:
        zeros = frozenset(int(i) for i in np.nonzero(A[:, 0] == 0)[0])
        return HyperplaneBound(len(zeros), zeros)
    tick = check if check is not None else (lambda: None)
    if comb(m, n - 1) <= SUBSET_LIMIT:
        return _largest_by_subsets(A, p, tick)
    best_size = -1
    best_rows: frozenset[int] = frozenset()
    visited = 0
    # stack entries: residual matrix, index of the last chosen row, pivot columns so far
    stack: list[tuple[np.ndarray, int, tuple[int, ...]]] = [(A, -1, ())]
    while stack:
        R, last, pivots = stack.pop()
        visited += 1
        if visited > cap:
            return None
        tick()
        nonzero = R.any(axis=1)
        if len(pivots) == n - 2:  # residuals in the two free columns; parallel = zero cross product
            live = np.nonzero(nonzero)[0]
            free = [c for c in range(n) if c not in pivots]
            a, b = R[live, free[0]], R[live, free[1]]
            on = (np.outer(a, b) - np.outer(b, a)) % p == 0
            best_size, best_rows = _keep_best(best_size, best_rows, nonzero, live, on)
            continue
        for i in range(m - 1, last, -1):  # pushed in reverse: popped in index order
            if not nonzero[i]:
                continue
            row = R[i]
            c = int(np.argmax(row != 0))
            reduced = (R * row[c] - np.outer(R[:, c], row)) % p  # fraction free: rows only rescale
            if i > 0 and bool((nonzero[:i] & ~reduced[:i].any(axis=1)).any()):
                continue  # an earlier row falls into the closure: not the first basis of this flat
            stack.append((reduced, i, pivots + (c,)))
    return HyperplaneBound(best_size, best_rows) if best_size >= 0 else None


def _largest_by_subsets(A: np.ndarray, p: int, tick: Callable[[], None]) -> HyperplaneBound:
    """Every ``(n - 1)``-subset ``T`` of rows at once (:func:`subset_zero_sets`); the largest
    closure of an independent subset is the largest hyperplane (every hyperplane has an
    independent ``(n - 1)``-subset).  A subset whose elimination meets a zero pivot (dependent,
    or with a singular leading block) is redone alone (:func:`closure_mod_p`)."""
    best_size, best_rows = -1, frozenset()
    for chunk, regular, zeros in subset_zero_sets(A, p, tick):
        counts = np.where(regular, zeros.sum(axis=1), -1)
        top = int(np.argmax(counts))
        if counts[top] > best_size:
            best_size = int(counts[top])
            best_rows = frozenset(int(i) for i in np.nonzero(zeros[top])[0])
        for t in np.nonzero(~regular)[0]:
            alone = closure_mod_p(A, [int(i) for i in chunk[t]], p)
            if alone is not None and len(alone) > best_size:
                best_size, best_rows = len(alone), alone
    return HyperplaneBound(best_size, best_rows)


def subset_zero_sets(A: np.ndarray, p: int, tick: Callable[[], None] = lambda: None) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The ``(n - 1)``-subsets of the rows of ``A`` (m x n, entries modulo ``p``), in batches
    in lexicographic order, each with its kernel vector ``x`` modulo ``p`` (fraction-free
    Gauss-Jordan without pivoting) and the rows with ``a . x = 0``: the closure of the subset
    modulo ``p`` when it is independent there.

    Yields ``(chunk, regular, zeros)``: the subsets (B x (n-1) row indices), whether the
    elimination met no zero pivot (``False``: dependent modulo ``p``, or a singular leading
    block; redo those alone with :func:`closure_mod_p`), and the zero sets (B x m booleans,
    meaningful where ``regular``).

    >>> A = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    >>> chunk, regular, zeros = next(subset_zero_sets(A, 101))
    >>> chunk[0].tolist(), bool(regular[0]), np.nonzero(zeros[0])[0].tolist()
    ([0, 1], True, [0, 1, 2])
    """
    m, n = A.shape
    subsets = itertools.combinations(range(m), n - 1)
    while True:
        chunk = np.array(list(itertools.islice(subsets, BATCH)), dtype=np.int64).reshape(-1, n - 1)
        if chunk.size == 0:
            return
        tick()
        M = A[chunk]  # B x (n-1) x n
        regular = np.ones(len(chunk), dtype=bool)
        for j in range(n - 1):
            pivot = M[:, j, j].copy()
            regular &= pivot != 0
            row = M[:, j, :].copy()
            M = (M * pivot[:, None, None] - M[:, :, j, None] * row[:, None, :]) % p  # every row but j; |.| < 2**62
            M[:, j, :] = row
        # rows i: delta_i x_i + c_i x_last = 0; x_last = prod(delta), x_i = -c_i prod_{k != i} delta_k
        delta = np.stack([M[:, i, i] for i in range(n - 1)], axis=1) if n > 1 else np.ones((len(chunk), 0), dtype=np.int64)
        x = np.empty((len(chunk), n), dtype=np.int64)
        prefix = np.ones(len(chunk), dtype=np.int64)
        for i in range(n - 1):
            x[:, i] = prefix
            prefix = prefix * delta[:, i] % p
        suffix = np.ones(len(chunk), dtype=np.int64)
        for i in range(n - 2, -1, -1):
            x[:, i] = x[:, i] * suffix % p * ((p - M[:, i, n - 1]) % p) % p
            suffix = suffix * delta[:, i] % p
        x[:, n - 1] = prefix
        yield chunk, regular, mat_mul_mod_p(x, A.T, p) == 0


def closure_mod_p(A: np.ndarray, rows: list[int], p: int) -> frozenset[int] | None:
    """The rows annihilating the kernel of ``A[rows]`` modulo ``p`` when that kernel is a line, else ``None``."""
    n = A.shape[1]
    R, pivots = rref_mod_p(A[rows], p)
    if len(pivots) != n - 1:
        return None
    free = next(c for c in range(n) if c not in pivots)
    x = np.zeros(n, dtype=np.int64)
    x[free] = 1
    for k, c in enumerate(pivots):
        x[c] = (p - R[k, free]) % p
    dots = mat_mul_mod_p(A, x[:, None], p)[:, 0]
    return frozenset(int(i) for i in np.nonzero(dots == 0)[0])


def _keep_best(size: int, rows: frozenset[int], nonzero: np.ndarray, live: np.ndarray, on: np.ndarray) -> tuple[int, frozenset[int]]:
    """The larger of ``(size, rows)`` and the best candidate of ``on`` (candidates x live rows:
    which live rows each candidate hyperplane holds), every zero residual included."""
    if on.shape[0] == 0:
        return size, rows
    counts = on.sum(axis=1)
    top = int(np.argmax(counts))
    new = int((~nonzero).sum()) + int(counts[top])
    if new <= size:
        return size, rows
    return new, frozenset(int(i) for i in np.nonzero(~nonzero)[0]) | frozenset(int(i) for i in live[on[top]])

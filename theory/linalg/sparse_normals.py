"""Light vectors with few nonzero coordinates: upper bounds on rho* and rho- with exact witnesses.

docs/mathematics.md section 5.  A vector ``x`` supported on a few columns ``T`` annihilates the rows
whose restriction to ``T`` is orthogonal to ``x_T``.  On matrices of small integers many rows share a
restriction up to scale (a coincidence of ratios), so such vectors are often the lightest there are:
on the dense 50 x 10 benchmark matrix, vectors on two or three columns annihilate up to 17 rows,
where a generic vector of R^10 annihilates 9.  The candidates are the normals of ``|T| - 1`` rows
inside ``T`` for every ``T`` of at most :data:`MAX_SUPPORT` columns; they are ranked by their zero
count modulo a prime (an upper bound on the exact count, and cheap), and the best are rebuilt and
weighed exactly.

Nothing here is a lower bound: the greedy basis over the candidates (:func:`light_basis`) and the
single exchanges with an aligned basis (:func:`best_exchange`) are exact bases whose weights bound
rho* and rho- from above; the caller re-verifies them like every witness.

Examples
--------
>>> from theory.linalg.rational import to_fraction_matrix
>>> J = to_fraction_matrix([[1, 1, 2], [2, 2, 1], [3, 3, 1], [1, 2, 3]])
>>> w, x = sparse_vectors(J)[0]
>>> w, [int(v) for v in x]          # (1, -1, 0) annihilates the three rows with equal first entries
(1, [1, -1, 0])
"""

from __future__ import annotations

import itertools
import random
from math import comb, gcd
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

from theory.linalg.modular import PRIME, mat_mul_mod_p, rows_mod_p
from theory.linalg.rational import QMatrix, QVector, columns_of, independent_rows, integer_rows, inverse, mat_vec, nullspace, primitive_integer
from theory.linalg.sparsest_basis import Blocks, mixes, weight

__all__ = ["MAX_SUPPORT", "KEEP", "WORK_CAP", "GENERIC_TRIES", "sparse_vectors", "generic_normals", "light_basis", "best_exchange"]

#: The most columns a candidate is supported on.
MAX_SUPPORT = 3
#: How many candidates (best zero counts modulo the prime first) are rebuilt and weighed exactly.
KEEP = 400
#: How many random ``(d - 1)``-subsets of rows :func:`generic_normals` tries, per column.
GENERIC_TRIES = 3
#: Supports of ``t`` columns are tried only while ``C(d, t) C(m, t - 1) m`` (the residues computed) stays below this.
WORK_CAP = 20_000_000

Check = Callable[[], None]


def _noop() -> None:
    return None


def sparse_vectors(
    J: Sequence[Sequence[Fraction]], max_support: int = MAX_SUPPORT, keep: int = KEEP, check: Check = _noop, p: int = PRIME
) -> list[tuple[int, QVector]]:
    """Exact vectors supported on at most ``max_support`` columns, lightest first, with their weights.

    For every set ``T`` of ``t <= max_support`` columns and every ``t - 1`` rows, the vector of
    ``R^T`` orthogonal to those rows (when they leave a line) is a candidate.  Candidates are ranked
    by how many rows annihilate them modulo ``p``; the ``keep`` best are rebuilt exactly (the
    generalised cross product of the integer-scaled rows restricted to ``T``), deduplicated and
    weighed exactly (row scaling changes no zero of ``J x``).

    Parameters
    ----------
    J
        An exact m x d matrix of :class:`fractions.Fraction`.
    max_support, keep, p
        See above.
    check
        Called once per column set (a budget check may raise there).

    Returns
    -------
    list of (weight, vector)
        Primitive integer vectors (as Fractions), lightest first.
    """
    m = len(J)
    d = len(J[0]) if m else 0
    if m == 0 or d == 0:
        return []
    A = rows_mod_p(J, p)
    ranked: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
    for t in range(1, min(max_support, d) + 1):
        if comb(d, t) * comb(m, t - 1) * m > WORK_CAP:
            break
        for T in itertools.combinations(range(d), t):
            check()
            if t == 1:
                ranked.append((int((A[:, T[0]] == 0).sum()), T, ()))
                continue
            sub = A[:, T]
            row_sets = np.array(list(itertools.combinations(range(m), t - 1)), dtype=np.int64)
            normals = _normals_mod_p(sub[row_sets], p)  # one per row set, zero when the rows leave no line
            dots = mat_mul_mod_p(normals, sub.T, p)
            counts = np.where(normals.any(axis=1), (dots == 0).sum(axis=1), -1)
            best = np.argsort(-counts, kind="stable")[:keep]
            ranked += [(int(counts[b]), T, tuple(int(i) for i in row_sets[b])) for b in best if counts[b] >= 0]
    ranked.sort(key=lambda item: -item[0])
    flat, _ = integer_rows(J, d)
    rows_int = [flat[i * d : (i + 1) * d] for i in range(m)]  # each row scaled: the same zeros of J x
    out: dict[tuple[int, ...], int] = {}
    for _, T, rows in ranked:
        if len(out) >= keep:
            break
        normal = _normal([[rows_int[i][a] for a in T] for i in rows], len(T))
        if not any(normal):
            continue
        x = [0] * d
        for a, v in zip(T, normal):
            x[a] = v
        g = gcd(*x)
        if next(v for v in x if v) < 0:
            g = -g
        key = tuple(v // g for v in x)
        if key not in out:
            out[key] = sum(1 for row in rows_int if sum(row[a] * key[a] for a in T))
    return sorted(((w, [Fraction(v) for v in key]) for key, w in out.items()), key=lambda item: item[0])


def generic_normals(
    J: Sequence[Sequence[Fraction]], rng: random.Random, tries: int | None = None, check: Check = _noop
) -> list[tuple[int, QVector]]:
    """Exact normals of random ``d - 1`` rows of ``J`` (all ``d`` columns), lightest first, with their weights.

    The kernel vector of ``d - 1`` independent rows annihilates them, so it weighs at most
    ``m - d + 1``; in a matrix in general position (a dense generic Jacobian, an MLP's) that is
    the least weight of any nonzero vector, and ``d`` such normals, which random rows give,
    form a sparsest basis.  :func:`sparse_vectors` never reaches these vectors when ``d > 3``,
    and they need no short entries.  Nothing here is a lower bound (see the module).

    Parameters
    ----------
    J
        An exact m x d matrix of :class:`fractions.Fraction`.
    rng
        The source of the random row sets (pass a seeded ``random.Random``).
    tries
        How many row sets (default :data:`GENERIC_TRIES` ``* d``).
    check
        Called once per row set (a budget check may raise there).

    Returns
    -------
    list of (weight, vector)
        Distinct primitive integer vectors (as Fractions), lightest first.

    Examples
    --------
    >>> import random
    >>> from theory.linalg.rational import to_fraction_matrix
    >>> J = to_fraction_matrix([[1, 2, 3], [4, 5, 6], [7, 8, 10], [1, 0, 1], [2, 1, 1]])
    >>> sorted({w for w, _ in generic_normals(J, random.Random(0))})   # a normal of two rows weighs 3 here
    [3]
    """
    m = len(J)
    d = len(J[0]) if m else 0
    if d < 2 or m < d - 1:
        return []
    out: dict[tuple[int, ...], int] = {}
    for _ in range(GENERIC_TRIES * d if tries is None else tries):
        check()
        kernel = nullspace([J[i] for i in rng.sample(range(m), d - 1)], d)
        if len(kernel) != 1:
            continue  # the rows leave more than a line
        key = tuple(primitive_integer(kernel[0]))
        if key not in out:
            x = [Fraction(v) for v in key]
            out[key] = weight(J, x)
    return sorted(((w, [Fraction(v) for v in key]) for key, w in out.items()), key=lambda item: item[0])


def _normal(rows: list[list[int]], t: int) -> list[int]:
    """The generalised cross product of ``t - 1`` integer rows of length ``t`` (t <= 3): orthogonal to
    them, zero exactly when they leave more than a line."""
    if t == 1:
        return [1]
    if t == 2:
        return [rows[0][1], -rows[0][0]]
    a, b = rows
    return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]


def _normals_mod_p(M: np.ndarray, p: int) -> np.ndarray:
    """For a batch of ``(t - 1) x t`` matrices modulo ``p`` (t = 2 or 3), the generalised cross product
    (zero exactly when the rows leave more than a line modulo ``p``)."""
    t = M.shape[2]
    if t == 2:
        return np.stack([M[:, 0, 1], (p - M[:, 0, 0]) % p], axis=1)
    if t == 3:
        a, b = M[:, 0, :], M[:, 1, :]
        return np.stack([(a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1]) % p, (a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2]) % p, (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]) % p], axis=1)
    raise ValueError("only supports of 2 or 3 columns have a closed-form normal here")


def light_basis(candidates: Sequence[tuple[int, QVector]], extra: Sequence[tuple[int, QVector]], d: int) -> list[tuple[QVector, int]] | None:
    """The greedy basis (lightest first, kept when it raises the rank) over ``candidates`` and ``extra``
    (e.g. an aligned basis with its weights, so that rank ``d`` is reached); ``None`` below rank ``d``."""
    pool = list(candidates) + list(extra)
    order = sorted(range(len(pool)), key=lambda i: pool[i][0])
    kept = independent_rows([v for _, v in pool], order)
    if len(kept) < d:
        return None
    return [(pool[i][1], pool[i][0]) for i in kept]


def best_exchange(
    J: Sequence[Sequence[Fraction]], blocks: Blocks, aligned: QMatrix, candidates: Sequence[tuple[int, QVector]], tries: int = 50
) -> QMatrix | None:
    """The lightest ``aligned - b + x`` over the ``tries`` lightest mixing candidates ``x`` (``b`` the
    heaviest vector of ``aligned`` on which ``x`` has a nonzero coefficient): a misaligned basis (fact F4)."""
    Binv = inverse(columns_of(aligned))
    weights = [weight(J, u) for u in aligned]
    best: tuple[int, QMatrix] | None = None
    for w, x in [c for c in candidates if mixes(c[1], blocks)][:tries]:
        coeffs = mat_vec(Binv, x)
        l_max = max((l for l in range(len(aligned)) if coeffs[l] != 0), key=lambda l: (weights[l], -l))
        total = sum(weights) - weights[l_max] + w
        if best is None or total < best[0]:
            basis = [list(b) for b in aligned]
            basis[l_max] = list(x)
            best = (total, basis)
    return None if best is None else best[1]

"""The greedy sparsest basis through every ``(n - 1)``-subset of rows, modulo a prime and then exactly.

docs/mathematics.md 5.2-5.3 and 5.11.  The greedy of facts F2-F3 needs the hyperplanes of the
row matroid ``M(A)`` of ``A = J[:, C]`` (m x n, full column rank) from the largest down, each
with its cocircuit vector, until ``n`` independent vectors are picked.  When ``C(m, n - 1)``
is moderate (a few hundred thousand), every hyperplane is reached from its independent
``(n - 1)``-subsets, and all subsets can be tried at once in word-size arithmetic modulo
``p = 2**31 - 1`` (:func:`theory.linalg.modular.subset_zero_sets`), which is much faster than
the exact flat enumeration of :func:`theory.linalg.matroid.hyperplanes`.

**Why the answer is exact.**  Scale the rows of ``A`` to integers.  A subset ``T`` that is
independent modulo ``p`` is independent over the rationals; its exact kernel is a line
spanned by a primitive integer vector ``u``, and ``u mod p`` spans the kernel modulo ``p``.
So the exact hyperplane ``H(T) = {i : A_i u = 0}`` lies inside the zero set ``Z_p(T)``
modulo ``p``: ``|Z_p(T)|`` is an upper bound on ``|H(T)|``.  Subsets are grouped by ``Z_p``;
the groups are visited from the largest bound down, and a group is checked exactly when it is
reached: if the exact ``H`` of one member has the group's size, ``H = Z_p`` for every member
(``H(T) \\subseteq Z_p`` for all of them); otherwise every member's exact ``H(T)`` joins a heap
of exact candidates.  An exact candidate is used only when no bound left is larger, so the
candidates reach the greedy in the order of their exact sizes (ties in any order, which F2
allows).  Subsets that are dependent modulo ``p`` are redone one by one: their kernel modulo
``p`` when it is still a line (an unlucky elimination order), and otherwise an exact rank over
the rationals, unless every ``(n - 1)``-minor is provably smaller than ``p / 2`` in absolute
value (Hadamard's bound), in which case a minor that vanishes modulo ``p`` vanishes.  Every
hyperplane has an independent ``(n - 1)``-subset, so none is missed.  The columns are first
multiplied by a random invertible matrix modulo ``p`` (seeded): this changes neither the
matroid nor the zero sets, only which subsets the unpivoted elimination can do in a batch.

Returns ``None`` (the caller uses the exact flat enumeration) when ``A`` may not have full
column rank, when there are too many subsets, or when too many need redoing one by one.

Examples
--------
>>> from fractions import Fraction
>>> J = [[Fraction(v) for v in row] for row in [[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 2, 3], [2, 2, 0]]]
>>> [(list(map(int, v)), w) for v, w in sparsest_basis_by_subsets(J, [0, 1, 2])]
[([0, 0, 1], 2), ([3, -3, 1], 3), ([2, -1, 0], 4)]
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Sequence
from fractions import Fraction
from math import comb, isqrt, prod

import numpy as np

from theory.linalg.modular import PRIME, closure_mod_p, mat_mul_mod_p, rank_mod_p, subset_zero_sets
from theory.linalg.rational import QVector, independent_rows, integer_rows, nullspace, primitive_integer, rank

__all__ = ["sparsest_basis_by_subsets", "SUBSET_CAP", "REDO_CAP"]

#: At most this many ``(n - 1)``-subsets (above it :func:`sparsest_basis_by_subsets` declines).
SUBSET_CAP = 400_000
#: At most this many subsets redone one by one (dependent modulo ``p``).
REDO_CAP = 20_000


def sparsest_basis_by_subsets(
    J: Sequence[Sequence[Fraction]],
    columns: Sequence[int],
    d: int | None = None,
    check: Callable[[], None] = lambda: None,
    seed: int = 0,
    cap: int = SUBSET_CAP,
    redo_cap: int = REDO_CAP,
    p: int = PRIME,
) -> list[tuple[QVector, int]] | None:
    """A sparsest basis of ``span{e_a : a in columns}`` with its weights, lightest first, or ``None``.

    The same answer as :func:`theory.linalg.sparsest_basis.sparsest_basis` (the same weights;
    among equally light vectors possibly others), computed through every ``(n - 1)``-subset
    of rows of ``J[:, columns]`` (see the module).

    Parameters
    ----------
    J
        The exact Jacobian (m x d, Fractions).
    columns
        The columns ``C`` (n of them, ``n >= 2``).
    d
        Length of the returned vectors (default: the number of columns of ``J``).
    check
        Called once per batch and per exact step (a budget check may raise there).
    seed
        Seed of the random column transform (efficiency only; the answer does not depend on it).
    cap, redo_cap
        Decline above ``cap`` subsets, or when more than ``redo_cap`` need redoing alone.
    p
        The prime (below ``2**31``; any prime gives the same answer, a small one only slower).

    Returns
    -------
    list of (vector, weight) or None
        Primitive integer vectors in ``R^d`` (as Fractions) with ``|supp(J v)|``, lightest
        first; ``None`` when this method does not apply (see the module).
    """
    m = len(J)
    width = len(J[0]) if m else 0
    n_out = d if d is not None else width
    cols = list(columns)
    n = len(cols)
    if m == 0 or n < 2 or comb(m, n - 1) > cap:
        return None
    sub = [[row[a] for a in cols] for row in J]
    flat, _ = integer_rows(sub, n)
    ints = [flat[i * n : (i + 1) * n] for i in range(m)]  # rows scaled to integers: same matroid, same zeros of A u
    A = np.array([x % p for x in flat], dtype=np.int64).reshape(m, n)
    if rank_mod_p(A, p) < n:
        return None  # full rank not proved here (a kernel, or an unlucky prime): the exact enumeration decides
    AR = _transformed(A, random.Random(seed), p)
    small = _minors_below_half_p(ints, n, p)
    picks: list[list[int]] = []
    out: list[tuple[QVector, int]] = []

    def consider(H: frozenset[int], u: list[int]) -> None:
        if len(independent_rows([*picks, u])) > len(picks):
            picks.append(u)
            full = [Fraction(0)] * n_out
            for a, x in zip(cols, u):
                full[a] = Fraction(x)
            out.append((full, m - len(H)))

    groups = _zero_set_groups(AR, m, check, redo_cap, p)
    exact: list[tuple[int, int, frozenset[int], list[int]]] = []  # (-|H|, tiebreak, H, u)
    tiebreak = itertools.count()
    redo = groups.redo
    if len(redo) > redo_cap:
        return None
    for T in redo:
        check()
        Z = closure_mod_p(AR, T, p)
        if Z is not None:
            groups.add(Z, T)
        elif not small and rank([ints[i] for i in T]) == n - 1:
            H, u = _exact_hyperplane(ints, T, n)
            heapq.heappush(exact, (-len(H), next(tiebreak), H, u))
    order = groups.order()
    at = 0
    while len(picks) < n:
        bound = groups.size(order[at]) if at < len(order) else -1
        if exact and -exact[0][0] >= bound:
            _, _, H, u = heapq.heappop(exact)
            consider(H, u)
            continue
        if bound < 0:
            return None  # cannot happen for a matrix of full column rank; decline rather than guess
        check()
        g = order[at]
        at += 1
        members = groups.members(g)
        H, u = _exact_hyperplane(ints, members[0], n)
        if len(H) == bound:
            consider(H, u)
            continue
        for T in members:  # an unlucky prime merged different hyperplanes: each member exactly
            check()
            H, u = _exact_hyperplane(ints, T, n)
            heapq.heappush(exact, (-len(H), next(tiebreak), H, u))
    return out


class _Groups:
    """Subsets grouped by their zero set modulo ``p`` (packed bit rows as keys)."""

    def __init__(self, m: int) -> None:
        self.m = m
        self.keys: list[np.ndarray] = []
        self.subsets: list[np.ndarray] = []
        self.sizes: list[np.ndarray] = []
        self.redo: list[list[int]] = []
        self._sizes: np.ndarray | None = None
        self._all: np.ndarray | None = None
        self._starts: np.ndarray | None = None
        self._sorted: np.ndarray | None = None

    def extend(self, chunk: np.ndarray, zeros: np.ndarray) -> None:
        packed = np.packbits(zeros, axis=1)
        self.keys.append(np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel())
        self.subsets.append(chunk)
        self.sizes.append(zeros.sum(axis=1))

    def add(self, Z: frozenset[int], T: list[int]) -> None:
        zeros = np.zeros((1, self.m), dtype=bool)
        zeros[0, sorted(Z)] = True
        self.extend(np.array([T], dtype=np.int64), zeros)

    def order(self) -> np.ndarray:
        """Group ids by decreasing size."""
        if not self.keys:
            self._sizes = np.zeros(0, dtype=np.int64)
            return np.zeros(0, dtype=np.int64)
        keys = np.concatenate(self.keys)
        self._all = np.concatenate(self.subsets)
        sizes = np.concatenate(self.sizes)
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        self._sizes = sizes[first]
        self._sorted = np.argsort(inverse, kind="stable")
        self._starts = np.searchsorted(inverse[self._sorted], np.arange(len(first) + 1))
        return np.argsort(-self._sizes, kind="stable")

    def size(self, g: int) -> int:
        assert self._sizes is not None
        return int(self._sizes[g])

    def members(self, g: int) -> list[list[int]]:
        assert self._all is not None and self._sorted is not None and self._starts is not None
        idx = self._sorted[self._starts[g] : self._starts[g + 1]]
        return [[int(i) for i in T] for T in self._all[idx]]


def _zero_set_groups(A: np.ndarray, m: int, check: Callable[[], None], redo_cap: int, p: int) -> _Groups:
    """Every subset's zero set modulo ``p``; the irregular ones in ``redo`` (stops early past ``redo_cap``)."""
    groups = _Groups(m)
    for chunk, regular, zeros in subset_zero_sets(A, p, check):
        groups.extend(chunk[regular], zeros[regular])
        groups.redo += [[int(i) for i in T] for T in chunk[~regular]]
        if len(groups.redo) > redo_cap:
            break
    return groups


def _transformed(A: np.ndarray, rng: random.Random, p: int) -> np.ndarray:
    """``A R mod p`` for a random ``R`` invertible modulo ``p`` (retried until it is)."""
    n = A.shape[1]
    while True:
        R = np.array([[rng.randrange(p) for _ in range(n)] for _ in range(n)], dtype=np.int64)
        if rank_mod_p(R, p) == n:
            break
    return mat_mul_mod_p(A, R, p)


def _minors_below_half_p(ints: list[list[int]], n: int, p: int) -> bool:
    """Whether every ``(n - 1)``-minor of the integer rows is below ``p / 2`` in absolute value
    (Hadamard: a minor is at most the product of its rows' Euclidean lengths)."""
    norms = sorted((isqrt(sum(x * x for x in row)) + 1 for row in ints), reverse=True)
    return prod(norms[: n - 1]) < p // 2


def _exact_hyperplane(ints: list[list[int]], T: list[int], n: int) -> tuple[frozenset[int], list[int]]:
    """The exact hyperplane spanned by the independent rows ``T`` and its primitive normal."""
    (v,) = nullspace([ints[i] for i in T], n)
    u = primitive_integer(v)
    return frozenset(i for i, row in enumerate(ints) if sum(a * b for a, b in zip(row, u)) == 0), u

"""The light hyperplanes of M(J) through the blocks' private rows, and the sparsest basis of J from them.

docs/mathematics.md sections 5.2 and 5.11.  The sparsest basis of the whole of ``J`` (rho*) is the
greedy over the kernel and one cocircuit vector per hyperplane of M(J) (facts F2, F3), and only
the hyperplanes whose vectors weigh at most the heaviest vector of *some* known basis matter:
those vectors already span R^d, so the greedy never needs a heavier one.  The plain enumeration
(:func:`theory.linalg.matroid.hyperplanes`) visits every flat of rank ``r - 1``, ``C(m, r - 1)`` of
them on a generic matrix; here the hyperplanes come block by block instead.

Let ``P_k`` be the rows private to block ``C_k`` (nonzero on ``C_k`` only) and ``S`` the rows that
touch two blocks or more.  A vector ``x`` with ``x_k != 0`` on the blocks of ``K`` annihilates a flat
``F_k`` of the private matroid ``M(J[P_k, C_k])`` in each, so ``x`` lies in
``V = U_{F_1} + ... + U_{F_K}`` (one summand per block of ``K``, zero elsewhere) and weighs
``sum_k (|P_k| - |F_k|) + |S| - |Z_S(x)|``.  **Claim:** if ``Z(x) = H`` is a hyperplane of M(J), then,
with ``F_k = H ∩ P_k`` and ``A = J[S] V`` (the shared rows as functionals on ``V``), ``x`` is (up to a
kernel vector of ``J``, which changes neither its image nor the greedy) either a kernel vector of ``A``
or the cocircuit vector of the hyperplane ``H ∩ S`` of ``M(A)``.  *Proof.*  ``W = {y in V : J[H ∩ S] y = 0}``
holds ``x`` and lies in ``U_H = span(x) + ker J`` (every ``y`` of ``W`` annihilates ``H``).  If ``S ⊆ H``,
``x`` is in ``ker A`` and some vector of any basis of ``ker A ⊆ W`` has a nonzero ``x`` part.  Otherwise
``ker A ⊆ ker J`` (a ``y`` of ``ker A`` outside ``ker J`` would have ``Z(y) ⊋ H``), so
``dim W / ker A = 1``: ``H ∩ S`` is a hyperplane of ``M(A)`` and its cocircuit vector is in ``W ∖ ker J``.
QED.  So the configurations (a private flat or "off" per block), each with the kernel and the
hyperplanes of its ``M(A)``, give a candidate set holding one vector per hyperplane of M(J).

A configuration is skipped when every candidate it could give weighs more than ``cap``: the private
part ``sum_k (|P_k| - |F_k|)`` plus ``|S| - h``, with ``h`` the largest hyperplane of ``M(A)`` modulo a
prime (:func:`~theory.linalg.modular.largest_hyperplane_mod_p`, a proven upper bound; ``h`` of a
configuration also bounds those with larger private flats, whose ``V`` is smaller).  A candidate
whose private zero sets are not exactly its configuration's ``F_k`` is dropped: its own
configuration gives it.  Nothing here is a guess: every candidate is an exact vector whose weight
is recomputed exactly, and the greedy's answer is re-verified by the caller.

Examples
--------
>>> from theory.linalg.rational import to_fraction_matrix
>>> J = to_fraction_matrix([[1, 0], [2, 0], [0, 1], [0, 3], [1, 1], [1, 2]])
>>> basis = sparsest_basis_by_blocks(J, [[0], [1]], cap=6)
>>> sorted(w for _, w in basis)
[4, 4]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

from theory.linalg.matroid import hyperplanes
from flint import fmpz_mat

from theory.linalg.mixing_bound import _mod_p_basis, _private_flats, _restricted_mod_p, _touches
from theory.linalg.modular import PRIME, largest_hyperplane_mod_p, rank_mod_p, rows_mod_p, rref_mod_p
from theory.linalg.rational import QMatrix, QVector, independent_rows, integer_rows, nullspace, primitive_integer, rank
from theory.linalg.sparsest_basis import Blocks, check_input

__all__ = ["CONFIGURATION_CAP", "light_candidates", "sparsest_basis_by_blocks"]

#: The most configurations (a private flat or "off" per block) :func:`light_candidates` examines.
CONFIGURATION_CAP = 50_000

Check = Callable[[], None]


def _noop() -> None:
    return None


def light_candidates(
    J: Sequence[Sequence[Fraction]], blocks: Blocks, cap: int, check: Check = _noop, p: int = PRIME
) -> list[tuple[int, QVector]] | None:
    """Exact vectors with their weights: ``ker J`` and, for every hyperplane of M(J) whose cocircuit
    vectors weigh at most ``cap``, one of them (see the module; more vectors may come too).

    Parameters
    ----------
    J
        An exact m x d matrix of :class:`fractions.Fraction`.
    blocks
        A partition of ``range(d)`` into nonempty lists of column indices.
    cap
        The largest weight of interest.
    check
        Called once per configuration (a budget check may raise there).
    p
        The prime of the pruning bounds.

    Returns
    -------
    list of (weight, vector) or None
        ``None`` when there are more than :data:`CONFIGURATION_CAP` configurations.
    """
    m, d = check_input(J, blocks)
    touches = _touches(J, blocks)
    K = len(blocks)
    private = [[i for i, t in enumerate(touches) if t == {k}] for k in range(K)]
    shared = [i for i, t in enumerate(touches) if len(t) >= 2]
    options = [[None] + _private_flats(J, private[k], list(blocks[k]), check) for k in range(K)]  # None: x_k = 0
    costs = [[0 if o is None else len(private[k]) - len(o[0]) for o in opts] for k, opts in enumerate(options)]
    configs = _configurations(costs, cap)
    if configs is None:
        return None
    Jp = rows_mod_p(J, p)
    shared_p = [Jp[np.ix_(shared, list(block))] if shared else np.zeros((0, len(block)), dtype=np.int64) for block in blocks]
    bases_p = [[None if o is None else _mod_p_basis(o[1], p) for o in opts] for opts in options]
    shared_int = _integer_rows_fmpz([J[i] for i in shared], d)  # row scaling changes no row matroid
    # each basis of U_F scaled vector by vector to integers: A's columns, and the vectors candidates are lifted with
    lifts = [[None if o is None else _integer_vectors(o[1], len(blocks[k])) for o in opts] for k, opts in enumerate(options)]
    bases_int = [[None if L is None else fmpz_mat(len(L), len(blocks[k]), [v for u in L for v in u]).transpose() for L in Ls] for k, Ls in enumerate(lifts)]
    J_int = [_integer_vectors([row], d)[0] for row in J]  # each row scaled: the same zeros of J x

    def restricted(c: tuple[int, ...], on: list[int]) -> QMatrix:
        """``J[S] V`` with rows and basis vectors scaled to integers (same row matroid, same ``Z_S``)."""
        parts = [_columns(shared_int, list(blocks[k])) * bases_int[k][c[k]] for k in on]
        out = []
        for i in range(len(shared)):
            row: list[Fraction] = []
            for P in parts:
                row += [Fraction(int(P[i, j])) for j in range(P.ncols())]
            out.append(row)
        return out
    out: list[tuple[int, QVector]] = [(0, v) for v in nullspace(J, d)]
    h_bound: dict[tuple[int, ...], int] = {}
    ranks = [[d + 1 if o is None else o[2] for o in opts] for opts in options]  # "off" after every flat
    configs.sort(key=lambda c: sum(ranks[k][c[k]] for k in range(K)))
    for c in configs:
        check()
        on = [k for k in range(K) if options[k][c[k]] is not None]
        if not on:
            continue
        chosen = [options[k][c[k]] for k in on]
        priv = sum(len(private[k]) - len(F) for k, (F, _, _) in zip(on, chosen))
        if priv > cap:
            continue
        # h of a configuration whose V contains this one's (one private flat one rank lower, or a block "off" switched on)
        inherited = min(
            [h_bound.get(c[:k] + (j,) + c[k + 1 :], len(shared)) for k in on for j, o in enumerate(options[k]) if o is not None and o[2] == options[k][c[k]][2] - 1 and o[0] < options[k][c[k]][0]],
            default=len(shared),
        )
        h = inherited
        A_p = _restricted_mod_p([shared_p[k] for k in on], [bases_p[k][c[k]] for k in on], p) if shared else None
        dim = sum(len(U) for _, U, _ in chosen)
        full_rank = A_p is not None and rank_mod_p(A_p, p) == dim  # then A has no kernel (modulo p suffices)
        A: QMatrix | None = None
        if shared and priv + len(shared) - h <= cap:
            if full_rank:
                bound = largest_hyperplane_mod_p(A_p, p, check)
                h = min(h, len(shared) if bound is None else bound.size)
            else:
                A = restricted(c, on)
                h = min(h, _largest_hyperplane_bound(A, A_p, p, check))
        h_bound[c] = h
        search = priv + len(shared) - h <= cap
        if full_rank and not search:
            continue  # no kernel vector and no hyperplane light enough
        if A is None:
            A = restricted(c, on)
        out += _configuration_candidates(J_int, blocks, private, on, [chosen[t][0] for t in range(len(on))], [lifts[k][c[k]] for k in on], A, cap - priv, search)
    return out


def _configurations(costs: list[list[int]], cap: int) -> list[tuple[int, ...]] | None:
    """Every choice of one option per block with total cost ``<= cap`` (``None`` past
    :data:`CONFIGURATION_CAP` of them); costs are nonnegative, so prefixes over ``cap`` are cut."""
    out: list[tuple[int, ...]] = []
    floor = [0] * (len(costs) + 1)  # the least cost of the blocks from k on
    for k in range(len(costs) - 1, -1, -1):
        floor[k] = floor[k + 1] + min(costs[k])

    def extend(prefix: tuple[int, ...], spent: int) -> bool:
        k = len(prefix)
        if k == len(costs):
            out.append(prefix)
            return len(out) <= CONFIGURATION_CAP
        for j, cost in enumerate(costs[k]):
            if spent + cost + floor[k + 1] <= cap and not extend(prefix + (j,), spent + cost):
                return False
        return True

    return out if extend((), 0) else None


def _integer_rows_fmpz(rows: Sequence[Sequence[Fraction]], n: int) -> fmpz_mat:
    """The rows, each scaled to integers, as an ``fmpz_mat``."""
    flat, _ = integer_rows(rows, n)
    return fmpz_mat(len(rows), n, flat)


def _columns(M: fmpz_mat, cols: list[int]) -> fmpz_mat:
    """The columns ``cols`` of ``M``."""
    return fmpz_mat(M.nrows(), len(cols), [M[i, j] for i in range(M.nrows()) for j in cols])


def _largest_hyperplane_bound(A: QMatrix, A_p: np.ndarray, p: int, check: Check) -> int:
    """An upper bound on the size of the largest hyperplane of ``M(A)`` (``len(A)`` when none is proven).

    ``M(A)`` is the matroid of ``A`` restricted to a basis of its column space (the other columns are
    combinations of those, so the same rows are dependent).  When the rank of ``A`` modulo ``p`` equals
    its exact rank, the pivot columns modulo ``p`` are such a basis, and the largest hyperplane modulo
    ``p`` of those columns bounds the exact one (:mod:`theory.linalg.modular`).
    """
    if not A:
        return 0
    r = rank(A)
    _, pivots = rref_mod_p(A_p, p)
    if len(pivots) != r or r == 0:
        return len(A)
    bound = largest_hyperplane_mod_p(A_p[:, pivots], p, check)
    return len(A) if bound is None else bound.size


def _integer_vectors(vectors: Sequence[Sequence[Fraction]], n: int) -> list[list[int]]:
    """Every vector scaled to integers (by the lcm of its denominators)."""
    flat, _ = integer_rows(vectors, n)
    return [flat[i * n : (i + 1) * n] for i in range(len(vectors))]


def _configuration_candidates(
    J_int: list[list[int]],
    blocks: Blocks,
    private: list[list[int]],
    on: list[int],
    flats: list[frozenset[int]],
    bases: list[list[list[int]]],
    A: QMatrix,
    room: int,
    search_hyperplanes: bool,
) -> list[tuple[int, QVector]]:
    """The kernel vectors of ``A = J[S] V`` and (with ``search_hyperplanes``) the cocircuit vectors of
    the hyperplanes of ``M(A)`` with at most ``room`` shared rows outside, lifted to ``R^d`` with the
    integer basis vectors ``bases`` that are ``A``'s columns, weighed, and kept when their private zero
    sets are exactly the configuration's ``flats``."""
    d = len(J_int[0])
    dim = sum(len(U) for U in bases)
    coords = nullspace(A, dim) if A else [[Fraction(int(i == j)) for j in range(dim)] for i in range(dim)]
    if A and search_hyperplanes:
        coords += [u for H, u in hyperplanes(A) if len(A) - len(H) <= room]
    out = []
    for y in coords:
        x = [Fraction(0)] * d
        offset = 0
        for k, U in zip(on, bases):
            for j, u in enumerate(U):
                if y[offset + j]:
                    for a, value in zip(blocks[k], u):
                        x[a] += y[offset + j] * value
            offset += len(U)
        ints = primitive_integer(x)
        image = [sum(a * b for a, b in zip(row, ints) if a and b) for row in J_int]
        if not _exact_configuration(blocks, private, on, flats, ints, image):
            continue
        out.append((sum(1 for v in image if v), [Fraction(v) for v in ints]))
    return out


def _exact_configuration(blocks: Blocks, private: list[list[int]], on: list[int], flats: list[frozenset[int]], x: list[int], image: list[int]) -> bool:
    """Whether ``x`` is nonzero on exactly the blocks ``on`` and annihilates exactly ``F_k`` of ``P_k`` there."""
    for k, block in enumerate(blocks):
        if any(x[a] != 0 for a in block) != (k in on):
            return False
    return all(frozenset(i for i in private[k] if image[i] == 0) == F for k, F in zip(on, flats))


def sparsest_basis_by_blocks(
    J: Sequence[Sequence[Fraction]], blocks: Blocks, cap: int, check: Check = _noop
) -> list[tuple[QVector, int]] | None:
    """A sparsest basis of ``R^d`` under ``J`` (weight rho*) from :func:`light_candidates`, or ``None``.

    The greedy over the candidates (lightest first, kept when they raise the rank) is the greedy of
    facts F2, F3 restricted to weights ``<= cap``: when it reaches rank ``d`` it is a sparsest basis.
    It does whenever some basis has no vector heavier than ``cap`` (the lightest vectors outside any
    span are then never heavier than ``cap``).

    Returns
    -------
    list of (vector, weight) or None
        The basis, lightest first; ``None`` when the candidates of weight ``<= cap`` span less than
        ``R^d`` or there are too many configurations.
    """
    _, d = check_input(J, blocks)
    candidates = light_candidates(J, blocks, cap, check)
    if candidates is None:
        return None
    candidates = [(w, v) for w, v in candidates if w <= cap]
    order = sorted(range(len(candidates)), key=lambda i: candidates[i][0])
    kept = independent_rows([v for _, v in candidates], order)
    if len(kept) < d:
        return None
    return [(candidates[i][1], candidates[i][0]) for i in kept]

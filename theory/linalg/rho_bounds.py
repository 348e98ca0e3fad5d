"""The private-rows certificate of Type S: a lower bound on the weight of every mixing vector.

docs/mathematics.md section 5.  Rows of ``J`` that see only one block ``C_k`` (its *private
rows* ``P_k``) bound from below how many outputs a vector with a nonzero ``C_k`` part
moves; a mixing vector has two such parts.  When that bound exceeds the heaviest vector
of a known aligned basis, ``rho- > rho+`` is proven without any exchange search
(:func:`sparsity_gap_certificate`); :func:`theory.linalg.rho.sparsity` uses it in its
bounds path.

Examples
--------
>>> from theory.linalg.rational import to_fraction_matrix
>>> J = to_fraction_matrix([[1, 0], [2, 0], [3, 0], [0, 1], [0, 1], [0, 1], [1, 1]])
>>> private_rows(J, [[0], [1]]), mixing_weight_lower_bound(J, [[0], [1]])
([[0, 1, 2], [3, 4, 5]], 6)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from math import comb, gcd
from typing import Any

from theory.linalg.modular import largest_hyperplane_mod_p, rows_mod_p
from theory.linalg.rational import primitive_integer, rank
from theory.linalg.sparsest_basis import Blocks, check_input, is_aligned, weight

__all__ = [
    "ANNIHILATION_SUBSET_CAP",
    "private_rows",
    "largest_annihilated",
    "annihilated_bound",
    "mixing_weight_lower_bound",
    "sparsity_gap_certificate",
]

#: The most independent row sets (of ``d_k - 2`` rows or fewer) :func:`largest_annihilated`
#: examines for one block; past it :func:`mixing_weight_lower_bound` uses the safe ``h_k = |P_k|``.
ANNIHILATION_SUBSET_CAP = 50_000


def private_rows(J: Sequence[Sequence[Fraction]], blocks: Blocks) -> list[list[int]]:
    """``P_k`` for every block ``C_k``: the rows nonzero on ``C_k`` and zero on every other column.

    On ``P_k`` the image ``J x`` depends only on the ``C_k`` part of ``x``, and the sets
    ``P_k`` of different blocks are disjoint.

    >>> from theory.linalg.rational import to_fraction_matrix
    >>> private_rows(to_fraction_matrix([[1, 0], [0, 2], [1, 1], [0, 0], [3, 0]]), [[0], [1]])
    [[0, 4], [1]]
    """
    out = []
    for block in blocks:
        inside = set(block)
        out.append(
            [i for i, row in enumerate(J) if any(row[a] != 0 for a in inside) and all(x == 0 for a, x in enumerate(row) if a not in inside)]
        )
    return out


def largest_annihilated(
    rows: Sequence[Sequence[Fraction]], check: Callable[[], None] | None = None, cap: int = ANNIHILATION_SUBSET_CAP
) -> int | None:
    """``h``: the most of ``rows`` (vectors of ``R^n``) that a single nonzero ``x`` annihilates.

    The rows annihilated by ``x`` form a flat of rank ``<= n - 1`` of the row matroid
    (fact F1), and every such flat is the zero set of some nonzero ``x``.  So ``h`` is
    ``len(rows)`` when the rows have rank ``< n``; otherwise it is the size of the largest
    hyperplane.  Every hyperplane contains a flat ``F`` of rank ``n - 2`` (for ``n >= 2``),
    and the hyperplanes through ``F`` are ``F`` plus one parallel class of the rows
    modulo ``span F``, so ``h = max_F (|F| + largest such class)``.  (``n = 1``: only the
    zero rows are annihilated.)

    The flats of rank ``n - 2`` are reached once each, through their lexicographically
    first bases: a depth-first search over independent sets in index order that drops a
    set as soon as its last row ``i`` brings a row ``j < i`` into the closure (prefixes of
    a first basis are first bases, so nothing is lost).  Elimination is fraction free on
    primitive integer rows (scaling a row changes no span).

    Parameters
    ----------
    rows
        The rows, exact, all of length ``n >= 1``.
    check
        Called once per independent set examined (a budget check may raise there).
    cap
        The most independent sets (of ``n - 2`` rows or fewer) to examine.

    Returns
    -------
    int or None
        ``h``, or ``None`` when more than ``cap`` independent sets would be examined.

    Examples
    --------
    >>> from theory.linalg.rational import to_fraction_matrix
    >>> largest_annihilated(to_fraction_matrix([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 2, 3]]))
    3
    >>> largest_annihilated(to_fraction_matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]), cap=2) is None
    True
    """
    if not rows:
        return 0
    n = len(rows[0])
    if rank(rows) < n:
        return len(rows)
    start = [primitive_integer(row) for row in rows]
    if n == 1:
        return sum(1 for r in start if not any(r))
    tick = check if check is not None else (lambda: None)
    examined = 0

    def largest(residuals: list[list[int]], last: int, size: int) -> int | None:
        nonlocal examined
        if size == n - 2:
            return sum(1 for r in residuals if not any(r)) + _largest_parallel_class(residuals)
        best = 0
        for i in range(last + 1, len(residuals)):
            if not any(residuals[i]):
                continue
            examined += 1
            if examined > cap:
                return None
            tick()
            reduced = _eliminate(residuals, i)
            if any(any(residuals[j]) and not any(reduced[j]) for j in range(i)):
                continue  # not the first basis of its flat: that flat is reached elsewhere
            h = largest(reduced, i, size + 1)
            if h is None:
                return None
            best = max(best, h)
        return best

    return largest(start, -1, 0)


def annihilated_bound(
    rows: Sequence[Sequence[Fraction]], check: Callable[[], None] | None = None, cap: int = ANNIHILATION_SUBSET_CAP
) -> int | None:
    """An upper bound on :func:`largest_annihilated` (what the certificate needs): the largest
    hyperplane modulo a prime (:func:`theory.linalg.modular.largest_hyperplane_mod_p`, word-size
    arithmetic however long the rationals, equal to ``h`` unless the prime divides a minor), and
    the exact search where that is inconclusive (rank deficient modulo the prime, or capped).

    >>> from theory.linalg.rational import to_fraction_matrix
    >>> annihilated_bound(to_fraction_matrix([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 2, 3]]))
    3
    """
    if rows and len(rows[0]) >= 2 and comb(len(rows), len(rows[0]) - 1) <= cap:  # the cap bounds both searches
        bound = largest_hyperplane_mod_p(rows_mod_p(rows), check=check)
        if bound is not None:
            return bound.size
    return largest_annihilated(rows, check, cap)


def _largest_parallel_class(residuals: list[list[int]]) -> int:
    """The size of the largest class of parallel nonzero residuals (0 when all are zero)."""
    counts: dict[tuple[int, ...], int] = {}
    for r in residuals:
        if any(r):
            g = gcd(*r)
            if next(x for x in r if x) < 0:
                g = -g
            key = tuple(x // g for x in r)
            counts[key] = counts.get(key, 0) + 1
    return max(counts.values(), default=0)


def _eliminate(residuals: list[list[int]], i: int) -> list[list[int]]:
    """Every residual reduced modulo residual ``i`` (fraction free; each kept primitive).

    A residual is zero exactly when its row lies in the span of the rows eliminated so far.
    """
    p = residuals[i]
    c = next(a for a, v in enumerate(p) if v)
    out = []
    for r in residuals:
        f = r[c]
        if f == 0:
            out.append(r)
            continue
        v = [p[c] * x - f * y for x, y in zip(r, p)]
        g = gcd(*v)
        out.append([x // g for x in v] if g > 1 else v)
    return out


def _annihilated_by_block(
    J: Sequence[Sequence[Fraction]], blocks: Blocks, private: list[list[int]], check: Callable[[], None] | None, cap: int
) -> tuple[list[int], list[int]]:
    """``h_k`` for every block (the safe ``|P_k|`` where :func:`largest_annihilated` hits
    ``cap``), and the indices of the blocks where it did."""
    h, capped = [], []
    for k, (block, rows) in enumerate(zip(blocks, private)):
        hk = annihilated_bound([[J[i][a] for a in block] for i in rows], check, cap)
        if hk is None:
            capped.append(k)
            hk = len(rows)
        h.append(hk)
    return h, capped


def _two_smallest_sum(values: Sequence[int]) -> int:
    return sum(sorted(values)[:2])


def _shared_rows_term(
    J: Sequence[Sequence[Fraction]], private: list[list[int]], check: Callable[[], None] | None, cap: int
) -> int:
    """The least number of non-private rows (rows of no ``P_k``) on which a nonzero ``x`` is
    nonzero: their count minus the most of them one nonzero vector annihilates (0 past ``cap``)."""
    taken = {i for rows in private for i in rows}
    rest = [list(row) for i, row in enumerate(J) if i not in taken]
    if not rest:
        return 0
    h = annihilated_bound(rest, check, cap)
    return 0 if h is None else len(rest) - h


def mixing_weight_lower_bound(
    J: Sequence[Sequence[Fraction]], blocks: Blocks, check: Callable[[], None] | None = None, cap: int = ANNIHILATION_SUBSET_CAP
) -> int | None:
    """A proven lower bound on the weight ``|supp(J x)|`` of every mixing vector ``x``.

    With ``P_k`` the private rows of block ``k`` (:func:`private_rows`) and ``h_k`` the
    most of the rows ``J[P_k, C_k]`` one nonzero vector annihilates
    (:func:`largest_annihilated`), a vector with a nonzero ``C_k`` part is nonzero on at
    least ``q_k = |P_k| - h_k`` rows of ``P_k`` (those rows see only that part).  A mixing
    vector has nonzero parts in two blocks, whose private rows are disjoint, so it weighs
    at least the sum of the two smallest ``q_k``.  On top of that, the remaining rows (shared
    by several blocks, or zero) are nonzero under any nonzero ``x`` except on a set that one
    vector annihilates, so at least ``n_shared - h_shared`` of them count as well.

    Parameters
    ----------
    J
        An exact m x d matrix of :class:`fractions.Fraction`.
    blocks
        A partition of ``range(d)`` into nonempty lists of column indices.
    check
        Called periodically (a budget check may raise there).
    cap
        Per block, the most independent row sets examined for ``h_k``; past it the safe
        bound ``h_k = |P_k|`` (``q_k = 0``) stands in, so the bound is weaker but still sound.

    Returns
    -------
    int or None
        The bound; ``None`` with fewer than two blocks (nothing mixes).

    Examples
    --------
    >>> from theory.linalg.rational import to_fraction_matrix
    >>> J = to_fraction_matrix([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 2]])
    >>> mixing_weight_lower_bound(J, [[0, 1, 2], [3]])   # q = (4 - 3, 2 - 0)
    3
    """
    check_input(J, blocks)
    if len(blocks) < 2:
        return None
    private = private_rows(J, blocks)
    h, _ = _annihilated_by_block(J, blocks, private, check, cap)
    return _two_smallest_sum([len(rows) - hk for rows, hk in zip(private, h)]) + _shared_rows_term(J, private, check, cap)


def sparsity_gap_certificate(
    J: Sequence[Sequence[Fraction]],
    blocks: Blocks,
    aligned_basis: Sequence[Sequence[Fraction]],
    check: Callable[[], None] | None = None,
    cap: int = ANNIHILATION_SUBSET_CAP,
) -> dict[str, Any] | None:
    """A proof that ``rho* = rho+`` and ``rho- >= rho+ + g`` with ``g >= 1`` (Type S, strictly), or ``None``.

    Let ``W`` be the largest weight of a vector of the aligned basis ``A`` and ``mix_lb``
    the :func:`mixing_weight_lower_bound`.  **Claim:** if ``mix_lb > W`` then
    ``rho* = rho+`` and ``rho- >= rho+ + (mix_lb - W)``.

    *Proof.* Every vector of weight ``<= W`` is non-mixing, and these vectors span ``R^d``
    (``A`` is among them).  The greedy basis ``G`` (repeatedly a lightest vector outside
    the current span) therefore only picks vectors of weight ``<= W``: some vector of
    ``A`` is always outside the span.  So ``G`` is aligned, and it is optimal among all
    bases (docs/mathematics.md 5.2, F2: for every basis ``Y`` sorted by weight, ``w(g_k) <= w(y_k)``),
    hence ``rho* = rho+ = w(G)``.  A misaligned basis ``Y`` has a mixing ``y_j`` with
    ``w(y_j) >= mix_lb > W >= w(g_j)``; adding ``w(g_k) <= w(y_k)`` over ``k != j`` to
    ``w(y_j) - w(g_j) >= mix_lb - W`` gives ``w(Y) >= rho+ + (mix_lb - W)``.  QED

    Parameters
    ----------
    J
        An exact m x d matrix of :class:`fractions.Fraction`.
    blocks
        A partition of ``range(d)`` into nonempty lists of column indices.
    aligned_basis
        Any aligned basis of ``R^d`` (the sparser its heaviest vector, the likelier a proof).
    check, cap
        As for :func:`mixing_weight_lower_bound`.

    Returns
    -------
    dict or None
        ``mixing_weight_lower_bound``, ``aligned_max_weight`` (``W``), ``gap_lower_bound``
        (``mix_lb - W``), ``private_rows`` (the row indices ``P_k`` per block) and
        ``annihilated`` (``h_k`` per block).  ``None`` with fewer than two blocks, when
        ``mix_lb <= W``, or when some ``h_k`` hits ``cap``: the safe stand-in ``q_k = 0``
        can never give a proof, because an aligned basis has a vector with a nonzero part
        in every block, so ``W >= max_k q_k``, while ``mix_lb`` would be at most the second
        smallest ``q_k``.

    Raises
    ------
    ValueError
        If ``aligned_basis`` is not an aligned basis of ``R^d`` (or the input is malformed).

    Examples
    --------
    >>> from theory.linalg.rational import to_fraction_matrix
    >>> J = to_fraction_matrix([[1, 0], [2, 0], [3, 0], [0, 1], [0, 1], [0, 1], [1, 1]])
    >>> cert = sparsity_gap_certificate(J, [[0], [1]], [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]])
    >>> cert["mixing_weight_lower_bound"], cert["aligned_max_weight"], cert["gap_lower_bound"]
    (6, 4, 2)
    >>> from theory.linalg.rho import sparsity
    >>> r = sparsity(J, [[0], [1]])
    >>> r.rho_minus - r.rho_plus
    2
    """
    _, d = check_input(J, blocks)
    if len(blocks) < 2:
        return None
    if len(aligned_basis) != d or rank(aligned_basis) != d or not is_aligned(aligned_basis, blocks):
        raise ValueError("the certificate needs an aligned basis of R^d")
    W = max(weight(J, u) for u in aligned_basis)
    private = private_rows(J, blocks)
    shared_count = len(J) - sum(len(rows) for rows in private)
    if _two_smallest_sum([len(rows) for rows in private]) + shared_count <= W:
        return None  # even h = 0 everywhere would not do
    h, _ = _annihilated_by_block(J, blocks, private, check, cap)
    mix_lb = _two_smallest_sum([len(rows) - hk for rows, hk in zip(private, h)]) + _shared_rows_term(J, private, check, cap)
    if mix_lb <= W:
        return None
    return {
        "kind": "private-rows certificate",
        "mixing_weight_lower_bound": mix_lb,
        "aligned_max_weight": W,
        "gap_lower_bound": mix_lb - W,
        "private_rows": private,
        "annihilated": h,
    }

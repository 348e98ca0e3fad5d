"""The sparsity gap: rho+, rho-, rho* of an exact Jacobian, with witness bases.

docs/mathematics.md section 5.  For ``J`` (an exact rational m x d matrix) and blocks ``C_1..C_K``:

* ``rho_plus``: the least ``||J M||_0`` over bases ``M`` aligned with the blocks;
* ``rho_minus``: the least over misaligned bases (``None`` when K = 1: there is none);
* ``rho_star``: the least over all bases.

Two independent engines sit behind :func:`sparsity`:

``matroid`` (method ``matroid-exact``)
    greedy over kernel and cocircuit vectors (facts F2, F3) for every block and for the
    whole of ``J``; then, when ``rho* = rho+``, the single-exchange lemma (F4, F5) over the
    flats of M(J), searched best-first from the hyperplanes down with the bound
    ``(m - |F|) - max W`` (a flat's complement only grows as one descends).
``z3`` (method ``z3-lra-pb``, :mod:`theory.linalg.rho_z3`)
    the greedy steps and the exchange step as linear real arithmetic with pseudo-Boolean
    objectives (section 5.4); no determinant.

Every returned basis is re-checked exactly by :func:`verify_sparsity` (invertible,
aligned or misaligned as claimed, weight as claimed) before it is returned.  Past the
budget the result has ``status == "bounds"``: a proven lower bound and the best upper
bound found (with its basis), never a guess.  The bounds then also use the
*private-rows certificate* (:func:`sparsity_gap_certificate`): a lower bound on the
weight of every mixing vector that, when it exceeds the heaviest vector of a known
aligned basis, proves ``rho- > rho+`` without any exchange search.

Examples
--------
>>> from theory.linalg.rational import to_fraction_matrix
>>> J = to_fraction_matrix([[1, 0], [0, 1], [1, 1]])          # P05-like at a point
>>> r = sparsity(J, [[0], [1]])
>>> r.rho_plus, r.rho_minus, r.rho_star, r.type_s()
(4, 4, 4, False)
>>> r.type_s("non-strict")
True
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd
from typing import Any

from theory.budget import Budget, BudgetExhausted
from theory.linalg.rational import QMatrix, QVector, columns_of, independent_rows, inverse, mat_vec, nullspace, primitive_integer, rank
from theory.linalg.matroid import flat_subspace, hyperplanes

__all__ = [
    "ANNIHILATION_SUBSET_CAP",
    "CERTIFICATE_SECONDS",
    "ENGINES",
    "S_READINGS",
    "SparsityResult",
    "sparsity",
    "sparsest_basis",
    "weight",
    "basis_weight",
    "is_aligned",
    "mixes",
    "verify_sparsity",
    "coordinate_l0",
    "private_rows",
    "largest_annihilated",
    "mixing_weight_lower_bound",
    "sparsity_gap_certificate",
]

ENGINES = ("auto", "matroid", "z3")
#: Seconds the ``auto`` engine gives the matroid engine before handing over to z3.
AUTO_MATROID_SECONDS = 5.0
S_READINGS = ("strict", "non-strict")
#: The most independent row sets (of ``d_k - 2`` rows or fewer) :func:`largest_annihilated`
#: examines for one block; past it :func:`mixing_weight_lower_bound` uses the safe ``h_k = |P_k|``.
ANNIHILATION_SUBSET_CAP = 50_000
#: Seconds the private-rows certificate may take in the bounds path, after the budget is
#: spent (well inside :func:`theory.budget.grace`, the 0.5 s or more a check may overrun).
CERTIFICATE_SECONDS = 0.25

Blocks = Sequence[Sequence[int]]


@dataclass
class SparsityResult:
    """rho+, rho-, rho* at one exact Jacobian, with witness bases (lists of column vectors).

    ``status`` is ``exact`` (all three numbers decided) or ``bounds`` (the budget ran out:
    ``bounds`` holds ``[lower, upper]`` per number, ``None`` where nothing is known, and the
    bases achieve the upper bounds).  With bounds only, ``gap_lower`` is a proven
    ``rho- - rho+ >= gap_lower >= 1`` (so Type S holds under both readings, even when rho+
    itself is known only within bounds) and ``gap_certificate`` the private-rows
    certificate that proves it (:func:`sparsity_gap_certificate`); both are ``None``
    otherwise, and always for exact results.
    """

    engine: str
    status: str
    rho_plus: int | None
    rho_minus: int | None
    rho_star: int | None
    block_rho: list[int] | None
    aligned_basis: QMatrix | None
    misaligned_basis: QMatrix | None
    coordinate_l0: int
    one_block: bool = False
    bounds: dict[str, list[int | None]] = field(default_factory=dict)
    note: str = ""
    gap_lower: int | None = None
    gap_certificate: dict[str, Any] | None = None

    @property
    def tie(self) -> bool:
        return self.status == "exact" and self.rho_minus is not None and self.rho_plus == self.rho_minus

    def type_s(self, reading: str = "strict") -> bool | None:
        """Type S at this Jacobian (``None`` when undecided); one block holds vacuously."""
        if reading not in S_READINGS:
            raise ValueError(f"unknown Type S reading {reading!r} (choose from {', '.join(S_READINGS)})")
        if self.one_block:
            return True
        if self.status != "exact":
            if self.gap_lower is not None and self.gap_lower > 0:
                return True  # rho- >= rho+ + gap_lower > rho+
            lo_minus, hi_minus = self.bounds.get("rho_minus", [None, None])
            lo_plus, hi_plus = self.bounds.get("rho_plus", [None, None])
            # Decided anyway when the bounds separate.
            if hi_plus is not None and lo_minus is not None and (hi_plus < lo_minus or (reading == "non-strict" and hi_plus <= lo_minus)):
                return True
            if lo_plus is not None and hi_minus is not None and (hi_minus < lo_plus or (reading == "strict" and hi_minus <= lo_plus)):
                return False
            return None
        assert self.rho_plus is not None and self.rho_minus is not None
        return self.rho_plus < self.rho_minus if reading == "strict" else self.rho_plus <= self.rho_minus

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "engine": self.engine,
            "status": self.status,
            "rho_plus": self.rho_plus,
            "rho_minus": self.rho_minus,
            "rho_star": self.rho_star,
            "block_rho": self.block_rho,
            "coordinate_l0": self.coordinate_l0,
            "aligned_basis": _basis_json(self.aligned_basis),
            "misaligned_basis": _basis_json(self.misaligned_basis),
        }
        if self.bounds:
            out["bounds"] = self.bounds
        if self.note:
            out["note"] = self.note
        if self.gap_lower is not None:
            out["gap_lower"] = self.gap_lower
        if self.gap_certificate is not None:
            out["gap_certificate"] = self.gap_certificate
        return out


def _basis_json(basis: QMatrix | None) -> list[list[str]] | None:
    return None if basis is None else [[str(x) for x in v] for v in basis]


# -- elementary facts ---------------------------------------------------------------------
def weight(J: Sequence[Sequence[Fraction]], u: Sequence[Fraction]) -> int:
    """``w(u) = |supp(J u)|``.

    >>> from theory.linalg.rational import to_fraction_matrix
    >>> weight(to_fraction_matrix([[1, 1], [1, -1]]), [Fraction(1), Fraction(1)])
    1
    """
    return sum(1 for v in mat_vec(J, u) if v != 0)


def basis_weight(J: Sequence[Sequence[Fraction]], basis: Sequence[Sequence[Fraction]]) -> int:
    """``||J M||_0`` for the basis ``M`` given as a list of vectors."""
    return sum(weight(J, u) for u in basis)


def coordinate_l0(J: Sequence[Sequence[Fraction]]) -> int:
    """The number of nonzero entries of ``J`` (the weight of the coordinate basis)."""
    return sum(1 for row in J for x in row if x != 0)


def mixes(u: Sequence[Fraction], blocks: Blocks) -> bool:
    """Whether ``u`` has nonzero coordinates in two or more blocks.

    >>> mixes([Fraction(1), Fraction(0), Fraction(2)], [[0, 1], [2]])
    True
    """
    return len({k for k, block in enumerate(blocks) if any(u[a] != 0 for a in block)}) >= 2


def is_aligned(basis: Sequence[Sequence[Fraction]], blocks: Blocks) -> bool:
    """Whether no vector of ``basis`` mixes blocks."""
    return not any(mixes(u, blocks) for u in basis)


def _check_input(J: Sequence[Sequence[Fraction]], blocks: Blocks) -> tuple[int, int]:
    m = len(J)
    d = len(J[0]) if m else sum(len(b) for b in blocks)
    if any(len(row) != d for row in J):
        raise ValueError("J is not rectangular")
    flat = sorted(a for b in blocks for a in b)
    if flat != list(range(d)) or any(len(b) == 0 for b in blocks):
        raise ValueError(f"blocks {list(map(list, blocks))} are not a partition of the {d} columns into nonempty parts")
    for row in J:
        for x in row:
            if not isinstance(x, Fraction):
                raise TypeError("J must hold fractions.Fraction entries (see theory.linalg.rational.to_fraction_matrix)")
    return m, d


# -- the matroid engine -----------------------------------------------------------------------
def sparsest_basis(
    J: Sequence[Sequence[Fraction]],
    columns: Sequence[int],
    d: int | None = None,
    check: Callable[[], None] = lambda: None,
    planes: list[tuple[frozenset[int], QVector]] | None = None,
) -> list[tuple[QVector, int]]:
    """A sparsest basis of ``span{e_a : a in columns}`` with its weights, lightest first.

    Greedy over a kernel basis of ``J[:, columns]`` (weight 0) and one cocircuit vector per
    hyperplane of its row matroid (facts F2, F3).  Vectors are returned in ``R^d`` as
    primitive integer vectors (as Fractions).  ``planes``: the hyperplanes of
    ``J[:, columns]`` if already known.

    >>> from theory.linalg.rational import to_fraction_matrix
    >>> J = to_fraction_matrix([[1, 1], [1, -1], [1, 1]])
    >>> [(list(map(int, v)), w) for v, w in sparsest_basis(J, [0, 1])]
    [([1, -1], 1), ([1, 1], 2)]
    """
    m = len(J)
    n = d if d is not None else (len(J[0]) if m else len(columns))
    cols = list(columns)
    sub = [[row[a] for a in cols] for row in J]
    candidates: list[tuple[int, QVector]] = [(0, v) for v in nullspace(sub, len(cols))]
    candidates += [(m - len(H), u) for H, u in (planes if planes is not None else hyperplanes(sub, check))]
    order = sorted(range(len(candidates)), key=lambda i: candidates[i][0])
    kept = independent_rows([v for _, v in candidates], order)
    out = []
    for i in kept:
        w, v = candidates[i]
        full = [Fraction(0)] * n
        for a, x in zip(cols, primitive_integer(v)):
            full[a] = Fraction(x)
        out.append((full, w))
    return out


def greedy_then_exchange(
    engine: str,
    J: QMatrix,
    blocks: Blocks,
    d: int,
    known: dict[str, Any],
    greedy: Callable[[Sequence[int]], list[tuple[QVector, int]]],
    exchange: Callable[[QMatrix, list[int]], tuple[int, QMatrix]],
) -> SparsityResult:
    """The skeleton both engines share (docs/mathematics.md 5.3): a sparsest basis per block (rho+), a
    sparsest basis of R^d (rho*); if rho* < rho+ the latter is the misaligned witness,
    otherwise the single exchange from the aligned optimum gives rho-.  ``greedy`` and
    ``exchange`` are the engine's own steps; ``known`` records progress for the bounds."""
    block_bases = [greedy(block) for block in blocks]
    block_rho = [sum(w for _, w in bb) for bb in block_bases]
    Bstar = [v for bb in block_bases for v, _ in bb]
    W = [w for bb in block_bases for _, w in bb]
    rho_plus = sum(block_rho)
    known.update(rho_plus=rho_plus, block_rho=block_rho, aligned=Bstar)
    if len(blocks) == 1:
        return _result(engine, rho_plus, None, rho_plus, block_rho, Bstar, None, J, one_block=True)
    full = greedy(range(d))
    rho_star = sum(w for _, w in full)
    known.update(rho_star=rho_star)
    if rho_star < rho_plus:
        return _result(engine, rho_plus, rho_star, rho_star, block_rho, Bstar, [v for v, _ in full], J)
    gap, basis = exchange(Bstar, W)
    return _result(engine, rho_plus, rho_plus + gap, rho_star, block_rho, Bstar, basis, J)


def _matroid_engine(J: QMatrix, blocks: Blocks, m: int, d: int, budget: Budget, seed: int, known: dict[str, Any]) -> SparsityResult:
    planes: list[tuple[frozenset[int], QVector]] = []

    def greedy(columns: Sequence[int]) -> list[tuple[QVector, int]]:
        if len(columns) == d and list(columns) == list(range(d)):
            planes.extend(hyperplanes(J, budget.check))  # kept for the exchange search
            return sparsest_basis(J, columns, d, budget.check, planes)
        return sparsest_basis(J, columns, d, budget.check)

    def exchange(Bstar: QMatrix, W: list[int]) -> tuple[int, QMatrix]:
        gap, flat, l_max = _exchange_search(J, blocks, Bstar, W, m, d, budget, known, [H for H, _ in planes])
        return gap, _exchange_witness(J, blocks, Bstar, flat, l_max, seed)

    return greedy_then_exchange("matroid", J, blocks, d, known, greedy, exchange)


def _exchange_search(
    J: QMatrix, blocks: Blocks, Bstar: QMatrix, W: list[int], m: int, d: int, budget: Budget, known: dict[str, Any], hyper: list[frozenset[int]]
) -> tuple[int, frozenset[int], int]:
    """``min_F [(m - |F|) - max_{l in S_F} W_l]`` over flats F with a mixing ``U_F`` (fact F5).

    Best-first from the top of the lattice: the top flat (all rows, ``U = ker J``) and the
    hyperplanes, then intersections with hyperplanes.  ``m - |F|`` never decreases along a
    descent, so once the smallest key in the queue minus ``max W`` reaches the best value
    no unvisited flat can do better.
    """
    Binv = inverse(columns_of(Bstar))
    wmax = max(W)
    everything = frozenset(range(m))
    frontier: list[tuple[int, tuple[int, ...], frozenset[int]]] = []
    seen: set[frozenset[int]] = set()

    def push(F: frozenset[int]) -> None:
        if F not in seen:
            seen.add(F)
            heapq.heappush(frontier, (m - len(F), tuple(sorted(F)), F))

    push(everything)
    for H in hyper:
        push(H)
    best: tuple[int, frozenset[int], int] | None = None
    while frontier:
        budget.check()
        key, _, F = heapq.heappop(frontier)
        known["lower_gap"] = min(best[0], key - wmax) if best else key - wmax
        if best is not None and key - wmax >= best[0]:
            break
        N = flat_subspace(J, F, d)
        if N and not any(all(all(u[a] == 0 for a in range(d) if a not in set(block)) for u in N) for block in blocks):
            coeffs = [mat_vec(Binv, u) for u in N]
            S_F = [l for l in range(d) if any(c[l] != 0 for c in coeffs)]
            l_max = max(S_F, key=lambda l: (W[l], -l))
            value = key - W[l_max]
            if best is None or value < best[0]:
                best = (value, F, l_max)
                known["best"] = best
        for H in hyper:
            if not F <= H:
                push(F & H)
    if best is None:  # cannot happen for K >= 2: U_{empty flat closure} = R^d mixes
        raise RuntimeError("no flat with a mixing subspace was found")
    return best


def _exchange_witness(J: QMatrix, blocks: Blocks, Bstar: QMatrix, flat: frozenset[int], l_max: int, seed: int) -> QMatrix:
    """``B* - b_l + x`` with ``x`` generic in ``U_F``: ``Z(x) = F``, ``x`` mixes, ``c_l(x) != 0``."""
    d = len(Bstar)
    N = flat_subspace(J, flat, d)
    Binv = inverse(columns_of(Bstar))
    rng = random.Random(seed)
    for attempt in range(200):
        spread = 3 + attempt
        coef = [Fraction(rng.randint(-spread, spread)) for _ in N]
        x = [sum((c * u[a] for c, u in zip(coef, N)), Fraction(0)) for a in range(d)]
        if not any(x) or not mixes(x, blocks) or mat_vec(Binv, x)[l_max] == 0:
            continue
        if weight(J, x) != len(J) - len(flat):
            continue
        basis = [list(b) for b in Bstar]
        basis[l_max] = [Fraction(v) for v in primitive_integer(x)]
        return basis
    raise RuntimeError("no generic element found in U_F after 200 draws")  # pragma: no cover


def _result(
    engine: str,
    rho_plus: int,
    rho_minus: int | None,
    rho_star: int,
    block_rho: list[int],
    aligned: QMatrix,
    misaligned: QMatrix | None,
    J: QMatrix,
    one_block: bool = False,
) -> SparsityResult:
    return SparsityResult(
        engine=engine,
        status="exact",
        rho_plus=rho_plus,
        rho_minus=rho_minus,
        rho_star=rho_star,
        block_rho=block_rho,
        aligned_basis=aligned,
        misaligned_basis=misaligned,
        coordinate_l0=coordinate_l0(J),
        one_block=one_block,
        note="one block: every basis is aligned, so there is no misaligned basis" if one_block else "",
    )


# -- the private-rows certificate (used by the bounds path) ---------------------------------
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
        hk = largest_annihilated([[J[i][a] for a in block] for i in rows], check, cap)
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
    h = largest_annihilated(rest, check, cap)
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
    _check_input(J, blocks)
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
    >>> r = sparsity(J, [[0], [1]])
    >>> r.rho_minus - r.rho_plus
    2
    """
    _, d = _check_input(J, blocks)
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
        "mixing_weight_lower_bound": mix_lb,
        "aligned_max_weight": W,
        "gap_lower_bound": mix_lb - W,
        "private_rows": private,
        "annihilated": h,
    }


def _bounded_certificate(J: QMatrix, blocks: Blocks, aligned: QMatrix) -> dict[str, Any] | None:
    """:func:`sparsity_gap_certificate` within :data:`CERTIFICATE_SECONDS` (``None`` past them)."""
    try:
        return sparsity_gap_certificate(J, blocks, aligned, Budget(CERTIFICATE_SECONDS).check)
    except BudgetExhausted:
        return None


def _trivial_misaligned(J: QMatrix, blocks: Blocks, aligned: QMatrix) -> QMatrix:
    """An aligned basis with its first vector replaced by the sum of the first vectors of the
    first two factors: still a basis (the two vectors are independent), and it mixes."""
    i, j = (next(l for l, v in enumerate(aligned) if any(v[a] != 0 for a in blocks[k])) for k in range(2))
    basis = [list(v) for v in aligned]
    basis[i] = [x + y for x, y in zip(aligned[i], aligned[j])]
    return basis


def _bounds_result(engine: str, J: QMatrix, blocks: Blocks, known: dict[str, Any], seed: int, seconds: float | None) -> SparsityResult:
    """What was established before the budget ran out, as proven bounds with witnesses.

    Upper bounds always come with a basis: the coordinate basis (weight ``l0``) for rho+
    until the greedy finishes, and a trivially mixing modification of the best aligned
    basis for rho- until the exchange search has found better.  When the private-rows
    certificate holds for that aligned basis (:func:`sparsity_gap_certificate`, given
    :data:`CERTIFICATE_SECONDS`), the lower bound of rho- becomes (at least) the lower
    bound of rho+ plus its gap ``g``, ``gap_lower = g``, and rho* = rho+ when rho+ is known.
    """
    l0 = coordinate_l0(J)
    d = len(J[0]) if J else sum(len(b) for b in blocks)
    rho_plus = known.get("rho_plus")
    rho_star = known.get("rho_star")
    identity = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    aligned = known.get("aligned") or identity
    plus_lower = rho_plus if rho_plus is not None else rank(J)
    bounds: dict[str, list[int | None]] = {"rho_plus": [plus_lower, rho_plus if rho_plus is not None else l0]}
    misaligned = None
    certificate = None
    note = f"budget of {seconds:g} s exhausted; bounds are proven, upper bounds come with bases" if seconds else "budget exhausted"
    if len(blocks) >= 2:
        lower = rank(J)  # every basis has at least rank(J) vectors outside ker J, each of weight >= 1
        if rho_plus is not None and rho_star is not None:
            lower = rho_plus + max(0, known.get("lower_gap", 0))  # rho* = rho+ here
        certificate = _bounded_certificate(J, blocks, aligned)
        if certificate is not None:
            g = certificate["gap_lower_bound"]
            lower = max(lower, plus_lower + g)
            if rho_plus is not None:
                rho_star = rho_plus  # the certificate also proves rho* = rho+
            note += f"; rho- - rho+ >= {g} by the private-rows certificate"
        if "best" in known:
            gap, flat, l_max = known["best"]
            misaligned = _exchange_witness(J, blocks, aligned, flat, l_max, seed)
        else:
            misaligned = _trivial_misaligned(J, blocks, aligned)
        bounds["rho_minus"] = [lower, basis_weight(J, misaligned)]
    return SparsityResult(
        engine=engine,
        status="bounds",
        rho_plus=rho_plus,
        rho_minus=None,
        rho_star=rho_star,
        block_rho=known.get("block_rho"),
        aligned_basis=aligned,
        misaligned_basis=misaligned,
        coordinate_l0=l0,
        one_block=len(blocks) == 1,
        bounds=bounds,
        note=note,
        gap_lower=certificate["gap_lower_bound"] if certificate is not None else None,
        gap_certificate=certificate,
    )


def sparsity(
    J: Sequence[Sequence[Fraction]],
    blocks: Blocks,
    engine: str = "matroid",
    budget: Budget | float | None = None,
    seed: int = 0,
) -> SparsityResult:
    """rho+, rho-, rho* of ``J`` with witness bases, every witness re-checked.

    Parameters
    ----------
    J
        An exact m x d matrix of :class:`fractions.Fraction`.
    blocks
        A partition of ``range(d)`` into nonempty lists of column indices.
    engine
        ``matroid`` (default), ``z3``, or ``auto``: the matroid engine for up to
        :data:`AUTO_MATROID_SECONDS` (a quarter of the budget at most), then z3 with the
        rest.  The result's ``engine`` names the engine that decided.
    budget
        A :class:`~theory.budget.Budget` or seconds; past it the result holds bounds.
    seed
        Seed of the random combinations that make witnesses generic.

    Raises
    ------
    ValueError
        For a malformed matrix or partition, or an unknown engine.
    RuntimeError
        If a witness fails its own re-check (a bug, never a verdict).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    m, d = _check_input(J, blocks)
    J = [list(row) for row in J]
    if not isinstance(budget, Budget):
        budget = Budget(budget)
    if engine == "auto":
        first = sparsity(J, blocks, "matroid", Budget(max(0.01, min(AUTO_MATROID_SECONDS, budget.remaining() / 4))), seed)
        if first.status == "exact" or budget.expired():
            return first
        return sparsity(J, blocks, "z3", budget, seed)
    known: dict[str, Any] = {}
    if not any(x != 0 for row in J for x in row):
        result = _zero_matrix_result(engine if engine != "auto" else "matroid", blocks, d, J)
        problems = verify_sparsity(J, blocks, result, d)
        if problems:  # pragma: no cover - a bug
            raise RuntimeError("; ".join(problems))
        return result
    try:
        if engine == "matroid":
            result = _matroid_engine(J, blocks, m, d, budget, seed, known)
        else:
            from theory.linalg.rho_z3 import z3_engine

            result = z3_engine(J, blocks, m, d, budget, known)
    except BudgetExhausted:
        result = _bounds_result(engine, J, blocks, known, seed, budget.seconds)
    problems = verify_sparsity(J, blocks, result, d)
    if problems:
        raise RuntimeError(f"{engine} engine produced a witness that fails its re-check: {'; '.join(problems)}")
    return result


def _zero_matrix_result(engine: str, blocks: Blocks, d: int, J: QMatrix) -> SparsityResult:
    """``J = 0`` (or no outputs): every vector weighs 0, so rho+ = rho- = rho* = 0."""
    identity = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    misaligned = _trivial_misaligned(J, blocks, identity) if len(blocks) >= 2 else None
    return _result(engine, 0, 0 if misaligned else None, 0, [0] * len(blocks), identity, misaligned, J, one_block=len(blocks) == 1)


def verify_sparsity(J: Sequence[Sequence[Fraction]], blocks: Blocks, result: SparsityResult, d: int | None = None) -> list[str]:
    """Re-check the witnesses of ``result`` exactly; the list of problems (empty when sound).

    The aligned basis must be a basis, aligned, of weight ``rho_plus`` (or the upper bound);
    the misaligned one a basis with a mixing vector, of weight ``rho_minus`` (or the upper
    bound); and ``rho_star = min(rho_plus, rho_minus)``.
    """
    if d is None:
        d = len(J[0]) if J else sum(len(b) for b in blocks)
    problems = []

    def check_basis(name: str, basis: QMatrix | None, claimed: int | None, aligned: bool) -> None:
        if basis is None:
            return
        if len(basis) != d or rank(basis) != d:
            problems.append(f"{name} basis is not a basis of R^{d}")
        if aligned and not is_aligned(basis, blocks):
            problems.append(f"{name} basis mixes blocks")
        if not aligned and is_aligned(basis, blocks):
            problems.append(f"{name} basis has no mixing vector")
        if claimed is not None and basis_weight(J, basis) != claimed:
            problems.append(f"{name} basis weighs {basis_weight(J, basis)}, not the claimed {claimed}")

    if result.status == "exact":
        check_basis("aligned", result.aligned_basis, result.rho_plus, True)
        if result.aligned_basis is None:
            problems.append("no aligned basis for rho_plus")
        check_basis("misaligned", result.misaligned_basis, result.rho_minus, False)
        if not result.one_block:
            if result.misaligned_basis is None:
                problems.append("no misaligned basis for rho_minus")
            if result.rho_plus is not None and result.rho_minus is not None and result.rho_star != min(result.rho_plus, result.rho_minus):
                problems.append("rho_star != min(rho_plus, rho_minus)")
    else:
        check_basis("aligned", result.aligned_basis, result.bounds.get("rho_plus", [None, None])[1], True)
        check_basis("misaligned", result.misaligned_basis, result.bounds.get("rho_minus", [None, None])[1], False)
    return problems

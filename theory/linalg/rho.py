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

The pieces live in modules of one concept each, and every public name is importable
from here as well: :mod:`theory.linalg.sparsity_result` (the result),
:mod:`theory.linalg.sparsest_basis` (weights, the greedy sparsest basis and the skeleton
both engines share), :mod:`theory.linalg.rho_bounds` (the private-rows certificate) and
:mod:`theory.linalg.rho_z3` (the z3 engine).  The structure route (:func:`_structure_first`) also uses
:mod:`theory.linalg.block_hyperplanes` (rho* exactly, from the hyperplanes found through the private rows)
and :mod:`theory.linalg.sparse_normals` (light vectors on few columns: upper bounds with witnesses).
This module holds the matroid engine, the bounds path and the dispatcher :func:`sparsity`.

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

import dataclasses
import heapq
import math
import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from theory.budget import Budget, BudgetExhausted
from theory.linalg.block_hyperplanes import sparsest_basis_by_blocks
from theory.linalg.matroid import flat_subspace, hyperplanes
from theory.linalg.mixing_bound import MixingBound, mixing_weight_bound, mixing_witness
from theory.linalg.modular import largest_hyperplane_mod_p, rows_mod_p
from theory.linalg.rational import QMatrix, QVector, columns_of, independent_rows, inverse, mat_vec, nullspace, primitive_integer, rank
from theory.linalg.rho_bounds import (
    ANNIHILATION_SUBSET_CAP,
    largest_annihilated,
    mixing_weight_lower_bound,
    private_rows,
    sparsity_gap_certificate,
)
from theory.linalg.rho_z3 import z3_engine
from theory.linalg.sparse_normals import best_exchange, generic_normals, light_basis, sparse_vectors
from theory.linalg.sparsest_basis import (
    Blocks,
    aligned_optimum,
    basis_weight,
    check_input,
    coordinate_l0,
    exact_result,
    greedy_then_exchange,
    is_aligned,
    mixes,
    sparsest_basis,
    weight,
)
from theory.linalg.sparsity_result import S_READINGS, SparsityResult
from theory.linalg.subset_greedy import sparsest_basis_by_subsets

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
    "greedy_then_exchange",
]

ENGINES = ("auto", "matroid", "z3")
#: Seconds the ``auto`` engine gives the matroid engine before handing over to z3.
AUTO_MATROID_SECONDS = 5.0
#: ``matroid`` and ``auto`` first try the structure (:func:`_structure_first`, docs/mathematics.md
#: 5.11) when the flat search may cost more than this (:func:`_search_cost`).
STRUCTURE_THRESHOLD = 50_000
#: Share of the budget the structure may take before the engines get the rest.
STRUCTURE_SHARE = 0.75
#: On sparse matrices of entries of at most 64 bits the ``auto`` engine tries the structure only
#: after the matroid engine, and for at most this many seconds (the flat search is fast on short
#: numbers, and sparse matrices have far fewer flats than ``C(m, d - 1)``).
SHORT_ENTRY_STRUCTURE_SECONDS = 2.0
#: A matrix with at least this share of nonzero entries counts as dense: its flats are about as
#: many as ``C(m, d - 1)``, so ``auto`` tries the structure first whatever the entry length.
DENSE_SHARE = 0.75
#: Seconds the private-rows certificate may take in the bounds path, after the budget is
#: spent (well inside :func:`theory.budget.grace`, the 0.5 s or more a check may overrun).
CERTIFICATE_SECONDS = 0.25


# -- the matroid engine -----------------------------------------------------------------------
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
    planes = [_flat_mask(H, m) for H in hyper]
    frontier: list[tuple[int, int]] = []
    seen: set[int] = set()

    def push(bits: int) -> None:
        if bits not in seen:
            seen.add(bits)
            heapq.heappush(frontier, _flat_key(bits, m))

    push((1 << m) - 1)  # the top flat: every row
    for H in planes:
        push(H)
    best: tuple[int, frozenset[int], int] | None = None
    while frontier:
        budget.check()
        key, negative = heapq.heappop(frontier)
        bits = -negative
        known["lower_gap"] = min(best[0], key - wmax) if best else key - wmax
        if best is not None and key - wmax >= best[0]:
            break
        F = _mask_rows(bits, m)
        N = flat_subspace(J, F, d)
        if N and not any(all(all(u[a] == 0 for a in range(d) if a not in set(block)) for u in N) for block in blocks):
            coeffs = [mat_vec(Binv, u) for u in N]
            S_F = [l for l in range(d) if any(c[l] != 0 for c in coeffs)]
            l_max = max(S_F, key=lambda l: (W[l], -l))
            value = key - W[l_max]
            if best is None or value < best[0]:
                best = (value, F, l_max)
                known["best"] = best
        for H in planes:
            if bits | H != H:  # F is not inside H
                push(bits & H)
    if best is None:  # cannot happen for K >= 2: U_{empty flat closure} = R^d mixes
        raise RuntimeError("no flat with a mixing subspace was found")
    return best


def _flat_mask(F: frozenset[int], m: int) -> int:
    """The flat ``F`` of ``m`` rows as a bit mask, row ``i`` at bit ``m - 1 - i``."""
    return sum(1 << (m - 1 - i) for i in F)


def _mask_rows(bits: int, m: int) -> frozenset[int]:
    """The rows of a :func:`_flat_mask`."""
    return frozenset(i for i in range(m) if bits >> (m - 1 - i) & 1)


def _flat_key(bits: int, m: int) -> tuple[int, int]:
    """The queue key of a flat: ``m - |F|``, then its sorted rows in lexicographic order.

    Among flats of one size the larger mask is the one whose sorted rows come first (the
    smallest row where two of them differ is in that one, and it is the highest differing
    bit), so ``-bits`` orders them as ``tuple(sorted(F))`` would, without building tuples.

    >>> sorted([frozenset({1, 2}), frozenset({0, 3}), frozenset({0, 2})], key=lambda F: _flat_key(_flat_mask(F, 4), 4))
    [frozenset({0, 2}), frozenset({0, 3}), frozenset({1, 2})]
    """
    return m - bits.bit_count(), -bits


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



# -- structure before search (docs/mathematics.md 5.11) -------------------------------------------
def _structure_first(J: QMatrix, blocks: Blocks, m: int, d: int, budget: Budget, seed: int, known: dict[str, Any]) -> SparsityResult | None:
    """rho+, rho-, rho* from the block greedy and the mixing-weight bound, with no flat search.

    The sparsest aligned basis ``B*`` (weights ``W``) comes from the block greedy.  With ``L``
    the :func:`~theory.linalg.mixing_bound.mixing_weight_bound` and ``x`` the exact mixing
    vector built at the configuration attaining it:

    * ``L >= max W``: every vector lighter than ``max W`` is non-mixing, so the greedy that
      prefers non-mixing vectors on ties picks an aligned basis: rho* = rho+, and
      ``rho- >= rho+ + L - max W`` (fact F5; the certificate of :func:`sparsity_gap_certificate`
      when ``L > max W``).  When ``|supp(J x)| = L`` and ``x`` has a nonzero coefficient on a
      heaviest vector of ``B*``, the exchange ``B* - b + x`` attains the bound: rho- is exact
      (a tie when ``L = max W``).
    * otherwise, when no nonzero vector annihilates more than ``d - 1`` rows (the proven bound
      ``h`` of :func:`~theory.linalg.modular.largest_hyperplane_mod_p`: M(J) is uniform), every
      nonzero vector weighs at least ``w0 = m - d + 1`` and the kernel vector of any ``d - 1``
      independent rows weighs exactly that; ``d`` independent ones give ``rho* = d w0``, and
      if that is below rho+, rho- = rho*.
    * a sparsest basis of ``J`` itself (rho*), when it is lighter than rho+, gives rho- = rho*
      exactly: through the private rows (:func:`_block_rho_star`), or through all ``(d - 1)``-subsets
      of rows where they are few enough (:func:`_subset_rho_star`; tried before the mixing bound
      when no row is private, as the bound is then just ``m`` minus the largest hyperplane).

    Anything else returns ``None``; the bound and the witness are left in ``known`` for the
    engines' bounds path.
    """
    rho_plus, block_rho, Bstar, W = aligned_optimum(blocks, lambda block: sparsest_basis(J, block, d, budget.check), known)
    if len(blocks) == 1:
        return exact_result("matroid", rho_plus, None, rho_plus, block_rho, Bstar, None, J, one_block=True)
    wmax = max(W)
    private = _has_private_rows(J, blocks)
    if not private:  # the mixing bound is then m minus the largest hyperplane, which the subset greedy finds first
        result = _subset_rho_star(J, budget, d, rho_plus, block_rho, Bstar)
        if result is not None:
            return result
    _light_misaligned(J, blocks, Bstar, W, rho_plus, budget, seed, known)
    # first only as far as the certificate needs (L > max W), then, with what budget is left, exactly
    memo: dict[bytes, tuple[int, frozenset[int]]] = {}  # the second, exact pass repeats the first one's h(V)
    bound = mixing_weight_bound(J, blocks, budget.check, target=wmax + 1, memo=memo)
    if bound is None:
        return None
    known["mixing_bound"] = bound
    x = mixing_witness(J, blocks, bound, seed)
    if x is not None:
        known["mixing_witness"] = x
    if bound.lower > wmax and (x is None or weight(J, x) != bound.lower):
        known["rho_star"] = rho_plus
        bound = mixing_weight_bound(J, blocks, budget.check, memo=memo)
        assert bound is not None
        known["mixing_bound"] = bound
        x = mixing_witness(J, blocks, bound, seed)
        if x is not None:
            known["mixing_witness"] = x
    if bound.lower >= wmax:
        known["rho_star"] = rho_plus
        if x is None or weight(J, x) != bound.lower:
            return None
        basis = _exchange_with(J, Bstar, x)
        assert basis is not None
        if basis_weight(J, basis) != rho_plus + bound.lower - wmax:  # x misses every heaviest vector
            return None
        result = exact_result("structure", rho_plus, rho_plus + bound.lower - wmax, rho_plus, block_rho, Bstar, basis, J)
        result.note = f"mixing vectors weigh at least {bound.lower} >= {wmax}, the heaviest sparsest aligned vector (docs/mathematics.md 5.11), attained"
        return result
    if private:
        result = _block_rho_star(J, blocks, budget, rho_plus, block_rho, Bstar, wmax) or _subset_rho_star(J, budget, d, rho_plus, block_rho, Bstar)
        if result is not None:
            return result
    return _uniform_lower_bound(J, blocks, m, d, budget, seed, rho_plus, block_rho, Bstar)


def _block_rho_star(J: QMatrix, blocks: Blocks, budget: Budget, rho_plus: int, block_rho: list[int], Bstar: QMatrix, wmax: int) -> SparsityResult | None:
    """rho- = rho* when the sparsest basis of ``J`` (:func:`~theory.linalg.block_hyperplanes.sparsest_basis_by_blocks`,
    hyperplanes of weight at most ``wmax`` through the private rows; B* shows none heavier is needed) is lighter than rho+."""
    basis = sparsest_basis_by_blocks(J, blocks, wmax, budget.check)
    how = f"greedy over the hyperplanes of weight <= {wmax}, found through the private rows"
    return _lighter_than_aligned(J, basis, how, rho_plus, block_rho, Bstar)


def _subset_rho_star(J: QMatrix, budget: Budget, d: int, rho_plus: int, block_rho: list[int], Bstar: QMatrix) -> SparsityResult | None:
    """rho- = rho* when the sparsest basis of ``J`` through all ``(d - 1)``-subsets of rows
    (:func:`~theory.linalg.subset_greedy.sparsest_basis_by_subsets`; ``None`` where it does not apply) is lighter than rho+."""
    basis = sparsest_basis_by_subsets(J, range(d), d, budget.check)
    how = f"greedy over every hyperplane, reached through all {d - 1}-subsets of rows"
    return _lighter_than_aligned(J, basis, how, rho_plus, block_rho, Bstar)


def _lighter_than_aligned(
    J: QMatrix, basis: list[tuple[QVector, int]] | None, how: str, rho_plus: int, block_rho: list[int], Bstar: QMatrix
) -> SparsityResult | None:
    """The exact result when a sparsest basis of ``J`` (with weights) is lighter than rho+: every
    optimal basis then mixes, so rho- = rho* and ``basis`` is the misaligned witness."""
    if basis is None:
        return None
    rho_star = sum(w for _, w in basis)
    if rho_star >= rho_plus:
        return None
    result = exact_result("structure", rho_plus, rho_star, rho_star, block_rho, Bstar, [v for v, _ in basis], J)
    result.note = f"a sparsest basis of J weighs {rho_star} < rho+ ({how}; docs/mathematics.md 5.11)"
    return result


def _has_private_rows(J: QMatrix, blocks: Blocks) -> bool:
    """Whether some row is nonzero on one block only (the configurations then split the search)."""
    return any(len(rows) > 0 for rows in private_rows(J, blocks))


def _light_misaligned(
    J: QMatrix, blocks: Blocks, Bstar: QMatrix, W: list[int], rho_plus: int, budget: Budget, seed: int, known: dict[str, Any]
) -> None:
    """Record in ``known["light_misaligned"]`` the lightest misaligned basis built from light vectors
    (:mod:`theory.linalg.sparse_normals`): vectors on few columns (short entries only: their lightness
    comes from coincidences of ratios, which need short numbers) and normals of random ``d - 1`` rows
    (light in general position); their greedy basis when it is lighter than rho+ (then it mixes),
    else the best single exchange with ``B*``.  An upper bound for the bounds path."""
    candidates = sparse_vectors(J, check=budget.check) if _entry_bits(J) <= 64 else []
    candidates = sorted(candidates + generic_normals(J, random.Random(seed), check=budget.check), key=lambda c: c[0])
    options = []
    basis = light_basis(candidates, list(zip(W, Bstar)), len(Bstar))
    if basis is not None and sum(w for _, w in basis) < rho_plus:
        options.append([v for v, _ in basis])
    exchanged = best_exchange(J, blocks, Bstar, candidates)
    if exchanged is not None:
        options.append(exchanged)
    if options:
        known["light_misaligned"] = min(options, key=lambda b: basis_weight(J, b))


def _entry_bits(J: QMatrix) -> int:
    """The longest numerator or denominator of ``J``, in bits."""
    return max((max(x.numerator.bit_length(), x.denominator.bit_length()) for row in J for x in row), default=1)


def _search_cost(m: int, d: int, bits: int) -> int:
    """What the flat search may cost: up to ``C(m, d - 1)`` hyperplanes, each with arithmetic on
    numbers of ``bits`` bits (in 64-bit words)."""
    return math.comb(m, min(m, d - 1)) * max(1, bits // 64)


def _structure_within(
    J: QMatrix, blocks: Blocks, m: int, d: int, budget: Budget, seed: int, known: dict[str, Any], cap: float = math.inf
) -> SparsityResult | None:
    """:func:`_structure_first` within :data:`STRUCTURE_SHARE` of what is left of ``budget``
    (and at most ``cap`` seconds)."""
    remaining = budget.remaining()
    share = Budget(None if remaining == math.inf and cap == math.inf else max(0.01, min(cap, remaining * STRUCTURE_SHARE)))
    try:
        return _structure_first(J, blocks, m, d, share, seed, known)
    except BudgetExhausted:
        return None


def _uniform_lower_bound(
    J: QMatrix, blocks: Blocks, m: int, d: int, budget: Budget, seed: int, rho_plus: int, block_rho: list[int], Bstar: QMatrix
) -> SparsityResult | None:
    """rho* = d (m - h) when ``d`` independent vectors of that weight exist (see :func:`_structure_first`)."""
    if rank(J) < d:
        return None
    bound = largest_hyperplane_mod_p(rows_mod_p(J), check=budget.check)
    if bound is None or bound.size != d - 1:  # not uniform: the light vectors are not everywhere
        return None
    w0 = m - bound.size
    if d * w0 >= rho_plus:
        return None
    rng = random.Random(seed)
    chosen: QMatrix = []
    for _ in range(20 * d):
        budget.check()
        rows = rng.sample(range(m), d - 1)
        U = nullspace([J[i] for i in rows], d)
        if len(U) != 1 or weight(J, U[0]) != w0:
            continue
        if len(independent_rows(chosen + [U[0]])) == len(chosen) + 1:
            chosen.append([Fraction(v) for v in primitive_integer(U[0])])
        if len(chosen) == d:
            result = exact_result("structure", rho_plus, d * w0, d * w0, block_rho, Bstar, chosen, J)
            result.note = f"every nonzero vector weighs at least {w0} (docs/mathematics.md 5.11) and {d} independent ones do"
            return result
    return None


# -- the bounds path (past the budget) ---------------------------------------------------------
def _bounded_certificate(J: QMatrix, blocks: Blocks, aligned: QMatrix) -> dict[str, Any] | None:
    """:func:`sparsity_gap_certificate` within :data:`CERTIFICATE_SECONDS` (``None`` past them)."""
    try:
        return sparsity_gap_certificate(J, blocks, aligned, Budget(CERTIFICATE_SECONDS).check)
    except BudgetExhausted:
        return None


def _mixing_certificate(J: QMatrix, aligned: QMatrix, bound: MixingBound | None) -> dict[str, Any] | None:
    """The certificate of :func:`sparsity_gap_certificate` with the mixing-weight bound of
    docs/mathematics.md 5.11 in place of the private-rows bound, when it exceeds every vector of ``aligned``."""
    if bound is None:
        return None
    wmax = max(weight(J, u) for u in aligned)
    if bound.lower <= wmax:
        return None
    return {
        "kind": "mixing-weight bound",
        "mixing_weight_lower_bound": bound.lower,
        "aligned_max_weight": wmax,
        "gap_lower_bound": bound.lower - wmax,
        "support": list(bound.support),
    }


def _exchange_with(J: QMatrix, aligned: QMatrix, x: QVector | None) -> QMatrix | None:
    """``aligned - b + x`` with ``b`` the heaviest vector on which ``x`` has a nonzero coefficient."""
    if x is None:
        return None
    coeffs = mat_vec(inverse(columns_of(aligned)), x)
    weights = [weight(J, u) for u in aligned]
    l_max = max((l for l in range(len(aligned)) if coeffs[l] != 0), key=lambda l: (weights[l], -l))
    basis = [list(b) for b in aligned]
    basis[l_max] = list(x)
    return basis


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
        certificate = _mixing_certificate(J, aligned, known.get("mixing_bound")) or _bounded_certificate(J, blocks, aligned)
        if certificate is not None:
            g = certificate["gap_lower_bound"]
            lower = max(lower, plus_lower + g)
            if rho_plus is not None:
                rho_star = rho_plus  # the certificate also proves rho* = rho+
            note += f"; rho- - rho+ >= {g} by the {certificate['kind']}"
        if "best" in known:
            gap, flat, l_max = known["best"]
            misaligned = _exchange_witness(J, blocks, aligned, flat, l_max, seed)
        else:
            misaligned = _trivial_misaligned(J, blocks, aligned)
        exchanged = _exchange_with(J, aligned, known.get("mixing_witness"))
        if exchanged is not None and basis_weight(J, exchanged) < basis_weight(J, misaligned):
            misaligned = exchanged
        light = known.get("light_misaligned")
        if light is not None and not is_aligned(light, blocks) and basis_weight(J, light) < basis_weight(J, misaligned):
            misaligned = light
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


# -- the dispatcher ------------------------------------------------------------------------------
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
        rest (when neither is exact, their proven bounds are combined).  When the flat search may be long
        (:data:`STRUCTURE_THRESHOLD`), ``matroid`` first tries the structure (docs/mathematics.md
        5.11) for :data:`STRUCTURE_SHARE` of the budget; ``auto`` does so too on entries longer than
        64 bits or on dense matrices (:data:`DENSE_SHARE`), and otherwise tries it after the
        matroid engine, for at most :data:`SHORT_ENTRY_STRUCTURE_SECONDS`.  The result's ``engine`` names the engine
        that decided (``structure`` for the structure).
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
    m, d = check_input(J, blocks)
    J = [list(row) for row in J]
    if not isinstance(budget, Budget):
        budget = Budget(budget)
    if not any(x != 0 for row in J for x in row):
        return _verified(J, blocks, d, _zero_matrix_result("matroid" if engine == "auto" else engine, blocks, d, J), engine)
    known: dict[str, Any] = {}
    bits = _entry_bits(J)
    structure = engine != "z3" and len(blocks) >= 2 and _search_cost(m, d, bits) > STRUCTURE_THRESHOLD
    dense = sum(1 for row in J for x in row if x != 0) >= DENSE_SHARE * m * d
    if structure and (engine == "matroid" or bits > 64 or dense):  # long entries or many flats: the flat search is slow
        result = _structure_within(J, blocks, m, d, budget, seed, known)
        if result is not None:
            return _verified(J, blocks, d, result, "structure")
        structure = False
    if engine == "auto":
        first = _run_engine("matroid", J, blocks, m, d, Budget(max(0.01, min(AUTO_MATROID_SECONDS, budget.remaining() / 4))), seed, dict(known))
        if first.status == "exact" or budget.expired():
            return first
        if structure:  # short entries, the search did not finish: a short try of the structure
            result = _structure_within(J, blocks, m, d, budget, seed, known, cap=SHORT_ENTRY_STRUCTURE_SECONDS)
            if result is not None:
                return _verified(J, blocks, d, result, "structure")
        second = _run_engine("z3", J, blocks, m, d, budget, seed, dict(known))
        return _verified(J, blocks, d, _merged(first, second), "auto")
    return _run_engine(engine, J, blocks, m, d, budget, seed, known)


def _merged(first: SparsityResult, second: SparsityResult) -> SparsityResult:
    """Two engines' results on the same J: an exact one if either is, else both bounds combined
    (the larger lower and the smaller upper bound of each number, with the basis that attains
    it, and the larger proven gap); every bound is proven, so their intersection is too."""
    if second.status == "exact" or first.status == "exact":
        return second if second.status == "exact" else first

    def best(key: str) -> tuple[list[int | None], SparsityResult]:
        a, b = first.bounds.get(key, [None, None]), second.bounds.get(key, [None, None])
        lows = [x for x in (a[0], b[0]) if x is not None]
        highs = [(x, r) for x, r in ((a[1], first), (b[1], second)) if x is not None]
        high, owner = min(highs, key=lambda t: t[0]) if highs else (None, second)
        return [max(lows) if lows else None, high], owner

    plus, plus_owner = best("rho_plus")
    minus, minus_owner = best("rho_minus")
    rho_plus = first.rho_plus if first.rho_plus is not None else second.rho_plus
    if rho_plus is not None:
        plus_owner = first if first.rho_plus is not None else second
        plus = [rho_plus, rho_plus]
    gap = max((r for r in (first, second) if r.gap_lower is not None), key=lambda r: r.gap_lower or 0, default=None)
    bounds = {"rho_plus": plus}
    if "rho_minus" in first.bounds or "rho_minus" in second.bounds:
        bounds["rho_minus"] = minus
    return dataclasses.replace(
        second,
        rho_plus=rho_plus,
        rho_star=first.rho_star if first.rho_star is not None else second.rho_star,
        block_rho=plus_owner.block_rho,
        aligned_basis=plus_owner.aligned_basis,
        misaligned_basis=minus_owner.misaligned_basis,
        bounds=bounds,
        gap_lower=gap.gap_lower if gap is not None else None,
        gap_certificate=gap.gap_certificate if gap is not None else None,
        note=second.note + "; bounds combined with the matroid engine's",
    )


def _run_engine(engine: str, J: QMatrix, blocks: Blocks, m: int, d: int, budget: Budget, seed: int, known: dict[str, Any]) -> SparsityResult:
    """One engine, past its budget the bounds (with what ``known`` holds, the structure's too)."""
    try:
        if engine == "matroid":
            result = _matroid_engine(J, blocks, m, d, budget, seed, known)
        else:
            result = z3_engine(J, blocks, m, d, budget, known)
    except BudgetExhausted:
        result = _bounds_result(engine, J, blocks, known, seed, budget.seconds)
    return _verified(J, blocks, d, result, engine)


def _verified(J: QMatrix, blocks: Blocks, d: int, result: SparsityResult, engine: str) -> SparsityResult:
    """``result`` once :func:`verify_sparsity` finds nothing wrong with its witnesses."""
    problems = verify_sparsity(J, blocks, result, d)
    if problems:
        raise RuntimeError(f"{engine} engine produced a witness that fails its re-check: {'; '.join(problems)}")
    return result


def _zero_matrix_result(engine: str, blocks: Blocks, d: int, J: QMatrix) -> SparsityResult:
    """``J = 0`` (or no outputs): every vector weighs 0, so rho+ = rho- = rho* = 0."""
    identity = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    misaligned = _trivial_misaligned(J, blocks, identity) if len(blocks) >= 2 else None
    return exact_result(engine, 0, 0 if misaligned else None, 0, [0] * len(blocks), identity, misaligned, J, one_block=len(blocks) == 1)


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

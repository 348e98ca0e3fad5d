"""Weights of vectors under an exact Jacobian, and the greedy sparsest basis (docs/mathematics.md 5.2, 5.3).

``w(u) = |supp(J u)|`` is the weight of a vector; a basis weighs the sum of its vectors'
weights, ``||J M||_0``.  A basis is *aligned* with the blocks ``C_1..C_K`` when no vector
mixes two blocks.  :func:`sparsest_basis` is the greedy over kernel and cocircuit vectors
(facts F2, F3), and :func:`greedy_then_exchange` the skeleton that both engines of
:func:`theory.linalg.rho.sparsity` (matroid and z3) fill with their own steps.

Examples
--------
>>> from theory.linalg.rational import to_fraction_matrix
>>> J = to_fraction_matrix([[1, 0], [0, 1], [1, 1]])
>>> basis = [v for v, _ in sparsest_basis(J, [0, 1])]
>>> basis_weight(J, basis), is_aligned(basis, [[0], [1]])
(4, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from math import comb
from typing import Any

from theory.linalg.matroid import hyperplanes
from theory.linalg.rational import QMatrix, QVector, columns_of, independent_rows, inverse, mat_vec, nullspace, primitive_integer
from theory.linalg.sparsity_result import SparsityResult
from theory.linalg.subset_greedy import sparsest_basis_by_subsets

#: From this many ``(n - 1)``-subsets of rows on, :func:`sparsest_basis` first tries them all
#: modulo a prime (:mod:`theory.linalg.subset_greedy`); below it the flat enumeration is as fast.
SUBSETS_FROM = 2_000

__all__ = [
    "Blocks",
    "weight",
    "basis_weight",
    "coordinate_l0",
    "mixes",
    "is_aligned",
    "check_input",
    "sparsest_basis",
    "sparsest_alternatives",
    "exact_result",
    "greedy_then_exchange",
]

Blocks = Sequence[Sequence[int]]


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


def check_input(J: Sequence[Sequence[Fraction]], blocks: Blocks) -> tuple[int, int]:
    """``(m, d)`` of ``J`` after checking it and the partition ``blocks`` of its columns.

    Raises
    ------
    ValueError
        If ``J`` is not rectangular or ``blocks`` is not a partition of ``range(d)`` into
        nonempty parts.
    TypeError
        If an entry of ``J`` is not a :class:`fractions.Fraction`.

    >>> check_input([[Fraction(1), Fraction(0)]], [[0], [1]])
    (1, 2)
    """
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
    ``J[:, columns]`` if already known.  From :data:`SUBSETS_FROM` subsets of ``n - 1`` rows
    on, the hyperplanes are first reached through all those subsets at once
    (:func:`~theory.linalg.subset_greedy.sparsest_basis_by_subsets`; the same weights).

    >>> from theory.linalg.rational import to_fraction_matrix
    >>> J = to_fraction_matrix([[1, 1], [1, -1], [1, 1]])
    >>> [(list(map(int, v)), w) for v, w in sparsest_basis(J, [0, 1])]
    [([1, -1], 1), ([1, 1], 2)]
    """
    m = len(J)
    n = d if d is not None else (len(J[0]) if m else len(columns))
    cols = list(columns)
    if planes is None and len(cols) >= 3 and comb(m, len(cols) - 1) >= SUBSETS_FROM:
        fast = sparsest_basis_by_subsets(J, cols, n, check)
        if fast is not None:
            return fast
    candidates, _, kept = _greedy(J, cols, check, planes)
    return [(_embedded(candidates[i][1], cols, n), candidates[i][0]) for i in kept]


def _greedy(
    J: Sequence[Sequence[Fraction]], cols: list[int], check: Callable[[], None], planes: list[tuple[frozenset[int], QVector]] | None = None
) -> tuple[list[tuple[int, QVector]], int, list[int]]:
    """The candidates of :func:`sparsest_basis` (a kernel basis of ``J[:, cols]``, weight 0, then
    one cocircuit vector per hyperplane) as ``(weight, vector)``, how many of them are kernel
    vectors, and the positions of the greedy sparsest basis among them, lightest first."""
    sub = [[row[a] for a in cols] for row in J]
    kernel = nullspace(sub, len(cols))
    candidates: list[tuple[int, QVector]] = [(0, v) for v in kernel]
    candidates += [(len(J) - len(H), u) for H, u in (planes if planes is not None else hyperplanes(sub, check))]
    order = sorted(range(len(candidates)), key=lambda i: candidates[i][0])
    return candidates, len(kernel), independent_rows([v for _, v in candidates], order)


def _embedded(v: QVector, cols: list[int], n: int) -> QVector:
    """``v`` (coordinates on ``cols``) in ``R^n``, as a primitive integer vector."""
    full = [Fraction(0)] * n
    for a, x in zip(cols, primitive_integer(v)):
        full[a] = Fraction(x)
    return full


def sparsest_alternatives(
    J: Sequence[Sequence[Fraction]],
    columns: Sequence[int],
    d: int | None = None,
    check: Callable[[], None] = lambda: None,
) -> tuple[list[tuple[QVector, int]], list[tuple[QVector, int, int]]]:
    """A sparsest basis of ``span{e_a : a in columns}`` (as :func:`sparsest_basis` writes it,
    lightest first), and every other vector that lies in some sparsest basis, as far as ``J``
    sees it (one per support ``supp(J u)``), each with the position of a basis vector it can
    replace: ``(vector, weight, position)``.

    The vectors of a sparsest basis are a basis of ``ker J[:, columns]`` (weight 0, empty
    supports) and cocircuit vectors: any other vector u has lighter cocircuit vectors in
    ``U_{Z(u)}``, one of which can replace it.  A cocircuit vector's support is its hyperplane's,
    so up to what J sees the sparsest bases are the minimum-weight bases of the finite set of
    candidates of :func:`sparsest_basis`, and a candidate x is in one of them exactly when some
    vector of its fundamental circuit in the greedy basis B weighs as much as x (then
    ``B - b + x`` is one; the circuit's vectors weigh at most w(x), B being sparsest).

    >>> from theory.linalg.rational import to_fraction_matrix
    >>> J = to_fraction_matrix([[1, 0], [0, 1], [1, 1]])
    >>> basis, others = sparsest_alternatives(J, [0, 1])
    >>> [list(map(int, v)) for v, _ in basis], [(list(map(int, v)), w, i) for v, w, i in others]
    ([[0, 1], [1, 0]], [([1, -1], 2, 0)])
    """
    n = d if d is not None else (len(J[0]) if J else len(columns))
    cols = list(columns)
    candidates, kernel, kept = _greedy(J, cols, check)
    to_greedy = inverse(columns_of([candidates[i][1] for i in kept]))  # coordinates in the greedy basis
    chosen = set(kept)
    others = []
    for x in range(kernel, len(candidates)):  # kernel vectors: empty supports, nothing to choose
        if x in chosen:
            continue
        check()
        w = candidates[x][0]
        for position, c in enumerate(mat_vec(to_greedy, candidates[x][1])):
            if c != 0 and candidates[kept[position]][0] == w:
                others.append((_embedded(candidates[x][1], cols, n), w, position))
                break
    return [(_embedded(candidates[i][1], cols, n), candidates[i][0]) for i in kept], others


def aligned_optimum(
    blocks: Blocks, greedy: Callable[[Sequence[int]], list[tuple[QVector, int]]], known: dict[str, Any]
) -> tuple[int, list[int], QMatrix, list[int]]:
    """The sparsest aligned basis: a sparsest basis per block by ``greedy``.  Returns rho+, the
    per-block rho, the basis B* and its weights, and records the first three in ``known``."""
    block_bases = [greedy(block) for block in blocks]
    block_rho = [sum(w for _, w in bb) for bb in block_bases]
    Bstar = [v for bb in block_bases for v, _ in bb]
    W = [w for bb in block_bases for _, w in bb]
    rho_plus = sum(block_rho)
    known.update(rho_plus=rho_plus, block_rho=block_rho, aligned=Bstar)
    return rho_plus, block_rho, Bstar, W


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
    rho_plus, block_rho, Bstar, W = aligned_optimum(blocks, greedy, known)
    if len(blocks) == 1:
        return exact_result(engine, rho_plus, None, rho_plus, block_rho, Bstar, None, J, one_block=True)
    full = greedy(range(d))
    rho_star = sum(w for _, w in full)
    known.update(rho_star=rho_star)
    if rho_star < rho_plus:
        return exact_result(engine, rho_plus, rho_star, rho_star, block_rho, Bstar, [v for v, _ in full], J)
    gap, basis = exchange(Bstar, W)
    return exact_result(engine, rho_plus, rho_plus + gap, rho_star, block_rho, Bstar, basis, J)


def exact_result(
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
    """An exact :class:`SparsityResult` (``coordinate_l0`` computed from ``J``); witnesses unchecked."""
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

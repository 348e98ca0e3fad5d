"""The row matroid M(J) of an exact rational matrix: flats, hyperplanes, components.

docs/mathematics.md sections 5.2 and 7.2.  The ground set is the row indices of ``J``; a set is
independent when its rows are linearly independent.  Zero rows are loops (they lie in
every flat).  A flat ``F`` is described by the subspace ``U_F = {u : J_F u = 0}``; the
rows annihilating ``U_F`` are exactly ``F`` (fact F1).

Flats are enumerated on the *simple* matroid (one representative per class of parallel
rows) and per connected component: the hyperplanes of a direct sum are a hyperplane of
one component together with every other component.

Examples
--------
>>> from theory.linalg.rational import to_fraction_matrix
>>> J = to_fraction_matrix([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 2], [0, 0, 0]])
>>> comps, loops = row_matroid_components(J)
>>> [sorted(c) for c in comps], sorted(loops)
([[0, 1, 2], [3, 4]], [5])
>>> sorted(sorted(h) for h, _ in hyperplanes(J))
[[0, 1, 2, 5], [0, 3, 4, 5], [1, 3, 4, 5], [2, 3, 4, 5]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

import networkx as nx

from theory.linalg.rational import QMatrix, QVector, independent_rows, mat_vec, nullspace, primitive_integer, rref

__all__ = [
    "loops_of",
    "parallel_classes",
    "row_matroid_components",
    "flat_subspace",
    "flat_of_subspace",
    "closure",
    "component_flats",
    "hyperplanes",
]

Check = Callable[[], None]


def _noop() -> None:
    return None


def _dot(x: Sequence[Fraction], y: Sequence[Fraction]) -> Fraction:
    return sum((a * b for a, b in zip(x, y) if a != 0 and b != 0), Fraction(0))


def loops_of(J: Sequence[Sequence[Fraction]]) -> frozenset[int]:
    """The zero rows."""
    return frozenset(i for i, row in enumerate(J) if not any(row))


def parallel_classes(J: Sequence[Sequence[Fraction]]) -> list[list[int]]:
    """Nonzero rows grouped by direction (parallel classes), in order of first row.

    >>> from theory.linalg.rational import to_fraction_matrix
    >>> parallel_classes(to_fraction_matrix([[1, 2], [0, 0], [-2, -4], [1, 0]]))
    [[0, 2], [3]]
    """
    classes: dict[tuple[int, ...], list[int]] = {}
    for i, row in enumerate(J):
        if any(row):
            key = tuple(primitive_integer(row))
            first = next(v for v in key if v)
            if first < 0:
                key = tuple(-v for v in key)
            classes.setdefault(key, []).append(i)
    return list(classes.values())


def row_matroid_components(J: Sequence[Sequence[Fraction]]) -> tuple[list[frozenset[int]], frozenset[int]]:
    """Connected components of M(J) with loops removed, and the loops (docs/mathematics.md section 7.2).

    A maximal independent set ``Bas`` is chosen in index order; every other nonzero row is
    joined to the rows of its fundamental circuit; the components of that graph are the
    matroid components.  Coloops come out as singletons.  Components are sorted by their
    smallest row.
    """
    loops = loops_of(J)
    nonzero = [i for i in range(len(J)) if i not in loops]
    basis = independent_rows(J, nonzero)
    graph = nx.Graph()
    graph.add_nodes_from(nonzero)
    if basis:
        d = len(J[0])
        # Coefficients of a row in the basis rows: solve B^T y = row, i.e. rref of [B^T | row].
        bt = [[J[b][c] for b in basis] for c in range(d)]
        in_basis = set(basis)
        for e in nonzero:
            if e in in_basis:
                continue
            aug = [bt[c] + [J[e][c]] for c in range(d)]
            R, pivots = rref(aug, len(basis) + 1)
            y = [Fraction(0)] * len(basis)
            for row, p in zip(R, pivots):
                y[p] = row[-1]
            for b, coef in zip(basis, y):
                if coef != 0:
                    graph.add_edge(e, b)
    comps = sorted((frozenset(c) for c in nx.connected_components(graph)), key=min)
    return comps, loops


def flat_subspace(J: Sequence[Sequence[Fraction]], flat: Sequence[int] | frozenset[int], d: int | None = None) -> QMatrix:
    """A basis of ``U_F = {u : J_F u = 0}``."""
    n = d if d is not None else (len(J[0]) if J else 0)
    return nullspace([J[i] for i in sorted(flat)], n)


def flat_of_subspace(J: Sequence[Sequence[Fraction]], basis: Sequence[QVector]) -> frozenset[int]:
    """The rows annihilating every vector of ``basis``: the flat ``Z(U)`` (fact F1)."""
    return frozenset(i for i, row in enumerate(J) if all(_dot(row, u) == 0 for u in basis))


def closure(J: Sequence[Sequence[Fraction]], rows: Sequence[int] | frozenset[int]) -> frozenset[int]:
    """The closure of a set of rows: every row in the span of theirs."""
    d = len(J[0]) if J else 0
    return flat_of_subspace(J, flat_subspace(J, rows, d))


def component_flats(
    J: Sequence[Sequence[Fraction]], component: frozenset[int], max_rank: int | None = None, check: Check = _noop
) -> dict[int, list[tuple[frozenset[int], QMatrix]]]:
    """Flats of the restriction of M(J) to ``component``, by rank, each with a basis of ``U_F``.

    Upward enumeration: rank ``k+1`` flats are the closures of a rank-``k`` flat plus one
    more parallel class; duplicates are dropped.  ``U_F`` is updated incrementally
    (``U_{F+e} = U_F . null(J_e U_F)``).  The closure of the empty set is empty (no loops
    in a component).  Flats are subsets of ``component``.
    """
    d = len(J[0]) if J else 0
    comp = sorted(component)
    sub = [J[i] for i in comp]
    classes = [[comp[j] for j in cls] for cls in parallel_classes(sub)]
    reps = [cls[0] for cls in classes]
    top = len(independent_rows(J, comp))
    limit = top if max_rank is None else min(max_rank, top)
    identity = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    levels: dict[int, list[tuple[frozenset[int], QMatrix]]] = {0: [(frozenset(), identity)]}
    for k in range(limit):
        seen: set[frozenset[int]] = set()
        nxt: list[tuple[frozenset[int], QMatrix]] = []
        for flat, U in levels[k]:
            for r in reps:
                if r in flat:
                    continue
                check()
                coeffs = [_dot(J[r], u) for u in U]
                kernel = nullspace([coeffs], len(U))
                newU = [[sum((c * u[j] for c, u in zip(vec, U) if c != 0), Fraction(0)) for j in range(d)] for vec in kernel]
                newflat = frozenset(i for i in comp if all(_dot(J[i], u) == 0 for u in newU))
                if newflat in seen:
                    continue
                seen.add(newflat)
                nxt.append((newflat, newU))
        levels[k + 1] = nxt
    return levels


def hyperplanes(J: Sequence[Sequence[Fraction]], check: Check = _noop) -> list[tuple[frozenset[int], QVector]]:
    """Every hyperplane ``H`` of M(J) with a cocircuit vector ``u`` (``Z(u) = H``, ``Ju != 0``).

    Per component ``c`` of rank ``r_c``: the rank ``r_c - 1`` flats of ``c``, joined with all
    rows outside ``c`` (the other components and the loops).  The vector ``u`` lies in
    ``U_H`` and outside ``ker J``; its weight ``|supp(Ju)|`` is ``m - |H|``.
    """
    m = len(J)
    comps, loops = row_matroid_components(J)
    out: list[tuple[frozenset[int], QVector]] = []
    all_rows = frozenset(range(m))
    for comp in comps:
        levels = component_flats(J, comp, check=check)
        top = max(levels)
        if top == 0:
            continue
        others = all_rows - comp
        for flat, _ in levels[top - 1]:
            H = flat | others
            U = flat_subspace(J, H)
            u = next(v for v in U if any(mat_vec(J, v)))
            out.append((H, u))
    return out

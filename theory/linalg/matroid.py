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
from math import gcd

import networkx as nx

from flint import fmpq, fmpq_mat, fmpz, fmpz_mat

from theory.linalg.rational import (
    QMatrix,
    QVector,
    from_fmpq_mat,
    independent_rows,
    integer_rows,
    kernel_basis,
    nullspace,
    primitive_integer,
    rref,
    support,
)

__all__ = [
    "loops_of",
    "parallel_classes",
    "row_matroid_components",
    "flat_subspace",
    "flat_of_subspace",
    "closure",
    "component_flats",
    "hyperplanes",
    "BIG_BITS",
]

Check = Callable[[], None]
#: Above this many bits in an entry of the row-scaled ``J``, the flat enumeration keeps its
#: integers in FLINT (GMP's gcd and division beat Python's on long integers; below, Python's
#: small integers are faster than the calls into FLINT).
BIG_BITS = 256


def _noop() -> None:
    return None


def _moves(rows: Sequence[Sequence[int]], v: Sequence[Fraction]) -> bool:
    """Whether ``rows @ v != 0`` (``rows`` integer; ``v`` scaled to integers, which keeps the zeros)."""
    w = integer_rows([v], len(v))[0]
    return any(sum([a * b for a, b in zip(row, w) if a]) for row in rows)


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
    touched: set[int] = set()
    for u in basis:
        touched |= support(J, u)
    return frozenset(range(len(J))) - touched


def closure(J: Sequence[Sequence[Fraction]], rows: Sequence[int] | frozenset[int]) -> frozenset[int]:
    """The closure of a set of rows: every row in the span of theirs."""
    d = len(J[0]) if J else 0
    return flat_of_subspace(J, flat_subspace(J, rows, d))


def _content(v: Sequence[fmpz]) -> fmpz:
    """The gcd of the entries by FLINT (faster than Python's gcd on long integers)."""
    g = fmpz(0)
    for x in v:
        if x:
            g = g.gcd(x)
            if g == 1:
                break
    return g


def _primitive(v: Sequence[fmpz], big: bool) -> tuple[int, ...] | tuple[fmpz, ...]:
    """``v`` divided by its content, first nonzero entry positive (``v`` nonzero).

    With ``big`` the arithmetic stays in FLINT integers; otherwise (numbers of a few machine
    words) Python integers are faster.
    """
    if big:
        g = _content(v)
        if next(x for x in v if x) < 0:
            g = -g
        return tuple(v) if g == 1 else tuple([x // g for x in v])
    w = [int(x) for x in v]
    h = gcd(*w)
    if next(x for x in w if x) < 0:
        h = -h
    return tuple(w) if h == 1 else tuple([x // h for x in w])


def _next_basis(U: fmpq_mat | fmpz_mat, c: Sequence[int] | Sequence[fmpz], exact: bool, big: bool) -> fmpq_mat | fmpz_mat:
    """``K U``: a basis of the vectors of ``span(U)`` whose coordinates ``y`` have ``c . y = 0``.

    ``K`` is the kernel of the row ``c`` read off its RREF, as ``nullspace([c], k)`` gives it
    (pivot ``p``, the first nonzero of ``c``: ``e_f - (c_f / c_p) e_p`` for every other ``f``,
    in order); with ``exact`` the product is the one the Fraction enumeration computes.
    Otherwise (integer ``U``) each row of ``K`` is scaled by ``c_p`` and each new basis
    vector divided by its content: the same span, with the smallest integers (``big``: see
    :func:`_primitive`).
    """
    n = len(c)
    p = next(a for a, v in enumerate(c) if v)
    entries: list[object] = []
    for f in range(n):
        if f != p:
            row: list[object] = [0] * n
            row[f] = 1 if exact else c[p]
            row[p] = fmpq(-c[f], c[p]) if exact else -c[f]
            entries += row
    if exact:
        return fmpq_mat(n - 1, n, entries) * U
    N = fmpz_mat(n - 1, n, entries) * U
    d = N.ncols()
    vals = N.entries()
    out: list[int | fmpz] = []
    for i in range(n - 1):
        out += _primitive(vals[i * d : (i + 1) * d], big)
    return fmpz_mat(n - 1, d, out)


def _flats_by_rank(
    J: Sequence[Sequence[Fraction]], component: frozenset[int], max_rank: int | None, check: Check, exact: bool
) -> dict[int, list[tuple[frozenset[int], fmpq_mat | fmpz_mat]]]:
    """:func:`component_flats` with each ``U_F`` kept as a FLINT matrix (rows = basis vectors).

    Per flat ``F`` (basis ``U`` of ``U_F``, k x d) one product ``C = J_reps U^T`` gives the
    residual ``c_r`` of every parallel class modulo the span of ``F``'s rows (``x U^T = 0``
    exactly when ``x`` lies in that span).  The closure of ``F + r`` is ``F`` plus every
    class whose residual is parallel to ``c_r``, so the classes outside ``F`` are grouped
    into lines by the primitive direction of their residual, once per flat; the lines in
    the order of their first class are the new flats in the order the one-class-at-a-time
    enumeration finds them (the later classes of a line only give that flat again).  A new
    flat's basis is :func:`_next_basis`: with ``exact``, exactly the Fraction enumeration's
    ``U_F`` (an ``fmpq_mat``); otherwise a basis of the same space by primitive integer
    vectors (an ``fmpz_mat``; much smaller numbers), which gives the same flats.  Neither
    ``K`` nor the lines change when rows of ``J`` or ``c_r`` are scaled, so ``J`` is used
    row-scaled to integers.
    """
    d = len(J[0]) if J else 0
    comp = sorted(component)
    sub = [J[i] for i in comp]
    classes = [[comp[j] for j in cls] for cls in parallel_classes(sub)]
    reps = [cls[0] for cls in classes]
    top = len(independent_rows(J, comp))
    limit = top if max_rank is None else min(max_rank, top)
    flat_ints, _ = integer_rows([J[r] for r in reps], d)
    Jr = fmpz_mat(len(reps), d, flat_ints)  # one row per parallel class, row-scaled to integers
    big = max((abs(x).bit_length() for x in flat_ints), default=0) > BIG_BITS
    members = {cls[0]: frozenset(cls) for cls in classes}
    identity = fmpz_mat(d, d, [int(i == j) for i in range(d) for j in range(d)])
    levels: dict[int, list[tuple[frozenset[int], fmpq_mat | fmpz_mat]]] = {0: [(frozenset(), fmpq_mat(identity) if exact else identity)]}
    for k in range(limit):
        seen: set[frozenset[int]] = set()
        nxt: list[tuple[frozenset[int], fmpq_mat | fmpz_mat]] = []
        for flat, U in levels[k]:
            n = U.nrows()
            C = Jr * U.transpose()  # row t: the residual of J_{reps[t]}
            vals = (C.numer_denom()[0] if exact else C).entries()  # (times a positive integer)
            lines: dict[tuple[int, ...] | tuple[fmpz, ...], list[int]] = {}  # primitive direction -> its classes, in order of first
            for t, r in enumerate(reps):
                if r not in flat:  # the flat holds every class of zero residual
                    lines.setdefault(_primitive(vals[t * n : (t + 1) * n], big), []).append(r)
            for direction, line in lines.items():  # the first class of each line, in the order of reps
                check()
                newflat = flat.union(*[members[r] for r in line])
                if newflat in seen:
                    continue
                seen.add(newflat)
                nxt.append((newflat, _next_basis(U, direction, exact, big)))
        levels[k + 1] = nxt
    return levels


def component_flats(
    J: Sequence[Sequence[Fraction]], component: frozenset[int], max_rank: int | None = None, check: Check = _noop
) -> dict[int, list[tuple[frozenset[int], QMatrix]]]:
    """Flats of the restriction of M(J) to ``component``, by rank, each with a basis of ``U_F``.

    Upward enumeration: rank ``k+1`` flats are the closures of a rank-``k`` flat plus one
    more parallel class; duplicates are dropped.  ``U_F`` is updated incrementally
    (``U_{F+e} = U_F . null(J_e U_F)``).  The closure of the empty set is empty (no loops
    in a component).  Flats are subsets of ``component``.  The arithmetic is exact, in FLINT
    (:func:`_flats_by_rank`).

    >>> from theory.linalg.rational import to_fraction_matrix
    >>> J = to_fraction_matrix([[1, 0], [0, 2], [1, 1]])
    >>> [(sorted(F), [[str(x) for x in u] for u in U]) for F, U in component_flats(J, frozenset({0, 1, 2}))[1]]
    [([0], [['0', '1']]), ([1], [['1', '0']]), ([2], [['-1', '1']])]
    """
    levels = _flats_by_rank(J, component, max_rank, check, exact=True)
    return {k: [(flat, from_fmpq_mat(fmpq_mat(U))) for flat, U in level] for k, level in levels.items()}


def hyperplanes(J: Sequence[Sequence[Fraction]], check: Check = _noop) -> list[tuple[frozenset[int], QVector]]:
    """Every hyperplane ``H`` of M(J) with a cocircuit vector ``u`` (``Z(u) = H``, ``Ju != 0``).

    Per component ``c`` of rank ``r_c``: the rank ``r_c - 1`` flats of ``c``, joined with all
    rows outside ``c`` (the other components and the loops).  The vector ``u`` lies in
    ``U_H`` and outside ``ker J``; its weight ``|supp(Ju)|`` is ``m - |H|``.
    """
    m = len(J)
    d = len(J[0]) if J else 0
    comps, loops = row_matroid_components(J)
    flat_ints, _ = integer_rows(J, d)
    rows = [flat_ints[i * d : (i + 1) * d] for i in range(m)]  # J row-scaled: same RREF, same zeros of J u
    out: list[tuple[frozenset[int], QVector]] = []
    all_rows = frozenset(range(m))
    for comp in comps:
        top = len(independent_rows(J, sorted(comp)))
        if top == 0:
            continue
        levels = _flats_by_rank(J, comp, top - 1, check, exact=False)  # the flats of rank top - 1 are all it needs
        others = all_rows - comp
        alone = not any(any(rows[i]) for i in others)  # the rows outside are loops: U_H = U_F
        for flat, B in levels[top - 1]:
            H = flat | others
            if alone:  # flat_subspace(J, H), from the basis of U_F at hand
                n = B.ncols()
                vals = [int(v) for v in B.entries()]
                U = kernel_basis([vals[i * n : (i + 1) * n] for i in range(B.nrows())], d)
            else:
                U = nullspace([rows[i] for i in sorted(H)], d)
            u = next(v for v in U if _moves(rows, v))
            out.append((H, u))
    return out

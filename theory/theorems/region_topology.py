"""T1 and T2 on non-convex semi-algebraic regions (docs/mathematics.md section 9.2).

A :class:`~theory.model.domain.Region` is an open box cut by polynomial inequalities.  Five sound
routes, each used where it applies; everything else stays ``unknown``:

* **Axis-aligned regions** (every atom compares one coordinate with a constant): the constants
  cut the box into a grid, the condition is constant on each open cell, and the region is the
  interior of the union of its true cells provided the condition also holds on every open face
  (edge, vertex, ...) all of whose cells are true (checked exactly at their midpoints,
  :func:`axis_grid`); then the exact grid algorithm of :mod:`theory.theorems.grid_topology`
  (the plane, :func:`region_grid`) or of :mod:`theory.theorems.cubical_topology` (R^3,
  :func:`region_cubes`) decides T1 and T2.
* **A certified tunnel** refutes T1 in R^3 (:func:`certified_tunnel`): a loop of closed cells
  certified inside (exact Taylor bounds of the atoms) winding around a line whose cells across the
  box are certified outside, or linked with a closed loop of cells certified outside; the witness
  is re-verified by :func:`verify_tunnel`.
* **Star-shaped regions** are contractible, hence simply connected: z3 proves that no point
  ``c + t (s - c)``, ``0 < t < 1``, leaves the region for ``s`` in it (:func:`star_shaped`), for a
  few candidate centres ``c`` (the generator's points, the box centre).
* **A certified hole** refutes T1 in the plane: on a grid of closed cells certified inside the
  region by interval arithmetic, a missing cell cut off from the frame contains an exact
  rational point ``q`` outside the region; a loop through the certified cells winds around
  ``q``, so it is not null-homotopic in the plane minus ``q``, let alone in the region
  (:func:`certified_hole`).
* **Slices along one coordinate** are intervals iff no ``a < b < e`` on a line has ``a`` and ``e``
  in the region and ``b`` not: z3 decides it (:func:`line_slices`), and a witness is re-checked
  exactly, which refutes T2 (a one-dimensional slice with a gap is disconnected).  Slices of
  higher dimension are proved path-connected when convex (the same query along segments);
  a non-convex one leaves the answer ``unknown``.

Examples
--------
>>> import sympy as sp
>>> from theory.model.domain import Box, Region
>>> x, y = sp.symbols("x y", real=True)
>>> box = Box({x: (-1, 1), y: (-1, 1)})
>>> annulus = Region(box, (x**2 + y**2 > sp.Rational(1, 4)) & (x**2 + y**2 < sp.Rational(9, 10)))
>>> certified_hole(annulus, (x, y)) is not None
True
>>> line_slices(annulus, (x, y), free=(0,))[0]
'refuted'
>>> L = Region(box, (x < 0) | (y < 0))
>>> region_grid(L, (x, y)) is not None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations, product
from math import comb

import sympy as sp

from theory.exact.intervals import certify_sign
from theory.exact.smt import NotTranslatable, satisfiable
from theory.model.domain import Region, open_condition_problem
from theory.theorems.cubical_topology import TWENTY_SIX, CubicalUnion, bounded_part, linking_loop, nontrivial_loops, outside_lines, winding_loop
from theory.theorems.linking import line_winding, linking_number
from theory.theorems.grid_topology import FOUR, GridUnion, components, simply_connected

__all__ = ["axis_grid", "region_grid", "region_cubes", "star_shaped", "certified_hole", "certified_tunnel", "verify_tunnel", "line_slices", "centres", "HOLE_DEPTH", "TUNNEL_GRIDS"]

#: Grid refinements (2^k cells per side) tried by :func:`certified_hole`.
HOLE_DEPTH = 5
#: Cells per side of the grids tried by :func:`certified_tunnel` (odd sizes put a column on a
#: symmetric box's axis).
TUNNEL_GRIDS = (3, 5, 7, 9, 11)
#: Closed loops of outside cells (independent in homology) tried per grid by :func:`certified_tunnel`.
LINK_CANDIDATES = 3


def _atoms(cond: sp.Basic) -> list[sp.Basic]:
    if isinstance(cond, (sp.And, sp.Or, sp.Not)):
        return [a for arg in cond.args for a in _atoms(arg)]
    return [cond]


def _axis_constant(atom: sp.Basic, latents: Sequence[sp.Symbol]) -> tuple[int, sp.Rational] | None:
    """``(axis, c)`` when the relation compares one coordinate with a rational constant."""
    if not isinstance(atom, sp.core.relational.Relational):
        return None
    diff = sp.expand(atom.lhs - atom.rhs)
    free = [s for s in latents if diff.has(s)]
    if len(free) != 1 or not diff.is_polynomial(free[0]) or sp.degree(diff, free[0]) != 1:
        return None
    a, b = sp.Poly(diff, free[0]).all_coeffs()
    if not (a.is_Rational and b.is_Rational):
        return None
    return latents.index(free[0]), -b / a


def _holds(region: Region, latents: Sequence[sp.Symbol], coords: Sequence[sp.Rational]) -> bool:
    value = region.condition.xreplace(dict(zip(latents, coords)))
    return bool(value) if value in (sp.true, sp.false) else False


def axis_grid(region: Region, latents: Sequence[sp.Symbol], max_cells: int = 5000) -> tuple[list[list[sp.Rational]], frozenset[tuple[int, ...]]] | None:
    """The grid lines and true cells of an axis-aligned region in any dimension, or ``None``.

    Every atom must compare one coordinate with a rational constant and the box must be bounded;
    the constants inside the box and the box's ends are the grid lines, and the condition, constant
    on each open cell, is evaluated at the cells' midpoints.  The region is the interior of the
    union of its true cells only if the condition holds on every open face (of any dimension)
    whose cells around it are all true: checked exactly at its midpoint, else ``None``.  The
    condition must be open (strict inequalities, ``Ne``): then a point where it holds lies in an
    open face where it holds, hence in a neighbourhood meeting every cell around that face, so
    all those cells are true and the region is exactly that interior.  ``None`` as well for a
    condition that may not be open (outside the plane, where the grid route has always read a
    closed condition as its interior) and beyond ``max_cells`` cells.

    >>> x, y = sp.symbols("x y", real=True)
    >>> from theory.model.domain import Box
    >>> lines, cells = axis_grid(Region(Box({x: (0, 2), y: (0, 2)}), (x < 1) | (y < 1)), (x, y))
    >>> lines, sorted(cells)
    ([[0, 1, 2], [0, 1, 2]], [(0, 0), (0, 1), (1, 0)])
    """
    d = len(latents)
    if d != 2 and open_condition_problem(region.condition) is not None:
        return None  # only an open condition is sure to hold on no face without all its cells
    lines: list[set[sp.Rational]] = [set() for _ in range(d)]
    for atom in _atoms(region.condition):
        found = _axis_constant(atom, latents)
        if found is None:
            return None
        axis, c = found
        lo, hi = region.interval(latents[axis])
        if lo < c < hi:
            lines[axis].add(c)
    for axis in range(d):
        lo, hi = region.interval(latents[axis])
        if not (lo.is_finite and hi.is_finite):
            return None
        lines[axis] |= {lo, hi}
    grid = [sorted(v) for v in lines]
    mids = [[(g[i] + g[i + 1]) / 2 for i in range(len(g) - 1)] for g in grid]
    count = 1
    for m in mids:
        count *= len(m)
    if count > max_cells:
        return None
    memo: dict = {}
    holds = lambda point: _axis_holds(region.condition, latents, point, memo)  # noqa: E731
    true = frozenset(cell for cell in product(*(range(len(m)) for m in mids)) if holds([mids[a][cell[a]] for a in range(d)]))
    if not true:
        return None
    # the region must be the interior of the union: true on every face all of whose cells are true
    for cell in true:
        for r in range(1, d + 1):
            for axes in combinations(range(d), r):
                star = (tuple(cell[a] + (step[axes.index(a)] if a in axes else 0) for a in range(d)) for step in product((0, 1), repeat=r))
                if all(s in true for s in star):
                    face = [grid[a][cell[a] + 1] if a in axes else mids[a][cell[a]] for a in range(d)]
                    if not holds(face):
                        return None
    return grid, true


def _axis_holds(cond: sp.Basic, latents: Sequence[sp.Symbol], point: Sequence[sp.Rational], memo: dict) -> bool:
    """The condition at an exact point when each atom involves one coordinate: atoms are evaluated
    on their own coordinate (cached in ``memo``) and combined by the Boolean structure."""
    if isinstance(cond, sp.And):
        return all(_axis_holds(c, latents, point, memo) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(_axis_holds(c, latents, point, memo) for c in cond.args)
    if isinstance(cond, sp.Not):
        return not _axis_holds(cond.args[0], latents, point, memo)
    if cond in (sp.true, sp.false):
        return bool(cond)
    key = (cond, tuple(point[i] for i, s in enumerate(latents) if cond.has(s)))
    if key not in memo:
        value = cond.xreplace({s: v for s, v in zip(latents, point) if cond.has(s)})
        memo[key] = bool(value) if value in (sp.true, sp.false) else False
    return memo[key]


def region_grid(region: Region, latents: Sequence[sp.Symbol]) -> GridUnion | None:
    """The region as a :class:`~theory.theorems.topology.GridUnion` (see the module), or ``None``."""
    if len(latents) != 2:
        return None
    found = axis_grid(region, latents)
    if found is None:
        return None
    (xs, ys), true = found
    return GridUnion(frozenset(true), tuple(xs), tuple(ys), (latents[0], latents[1]))  # type: ignore[arg-type]


def region_cubes(region: Region, latents: Sequence[sp.Symbol]) -> CubicalUnion | None:
    """An axis-aligned region of R^3 as a :class:`~theory.theorems.cubical_topology.CubicalUnion`, or ``None``.

    >>> x, y, z = sp.symbols("x y z", real=True)
    >>> from theory.model.domain import Box
    >>> box = Box({x: (0, 3), y: (0, 3), z: (0, 1)})
    >>> ring = Region(box, (x < 1) | (x > 2) | (y < 1) | (y > 2))
    >>> len(region_cubes(ring, (x, y, z)).cubes)
    8
    """
    if len(latents) != 3:
        return None
    found = axis_grid(region, latents)
    if found is None:
        return None
    grid, true = found
    return CubicalUnion(true, tuple(tuple(g) for g in grid), tuple(latents))  # type: ignore[arg-type]


def _copy(latents: Sequence[sp.Symbol], tag: str) -> list[sp.Symbol]:
    return [sp.Symbol(f"{s}_{tag}", real=True) for s in latents]


def star_shaped(region: Region, latents: Sequence[sp.Symbol], centre: Sequence[sp.Rational], timeout: float = 10.0) -> bool | None:
    """Whether the region is star-shaped with respect to ``centre`` (``None``: undecided)."""
    if not _holds(region, latents, centre):
        return False
    s = _copy(latents, "s")
    t = sp.Symbol("t_star", real=True)
    moved = [c + t * (v - c) for c, v in zip(centre, s)]
    conditions = [region.condition.xreplace(dict(zip(latents, s))), sp.Not(region.condition.xreplace(dict(zip(latents, moved))))]
    bounds: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] = {v: region.interval(x) for v, x in zip(s, latents)}
    bounds[t] = (sp.S.Zero, sp.S.One)
    try:
        answer = satisfiable(conditions, bounds, timeout)
    except NotTranslatable:
        return None
    return {"unsat": True, "sat": False}.get(answer.status)


def _cell_inside(region: Region, latents: Sequence[sp.Symbol], cell: dict) -> bool:
    """Every point of the closed cell satisfies the condition (interval arithmetic)."""
    return _certified(region.condition, cell) is True


def _certified(cond: sp.Basic, cell: dict) -> bool | None:
    if isinstance(cond, sp.And):
        values = [_certified(c, cell) for c in cond.args]
        return False if False in values else (True if all(v is True for v in values) else None)
    if isinstance(cond, sp.Or):
        values = [_certified(c, cell) for c in cond.args]
        return True if True in values else (False if all(v is False for v in values) else None)
    if isinstance(cond, sp.Not):
        inner = _certified(cond.args[0], cell)
        return None if inner is None else not inner
    if isinstance(cond, (sp.StrictLessThan, sp.StrictGreaterThan, sp.LessThan, sp.GreaterThan)):
        diff = cond.lhs - cond.rhs
        sign, _ = certify_sign(diff, cell)
        if sign is None:
            return None
        positive = isinstance(cond, (sp.StrictGreaterThan, sp.GreaterThan))
        return sign > 0 if positive else sign < 0
    if isinstance(cond, sp.Ne):
        sign, _ = certify_sign(cond.lhs - cond.rhs, cell)
        return True if sign is not None else None
    return None


def certified_hole(region: Region, latents: Sequence[sp.Symbol], depth: int = HOLE_DEPTH) -> dict | None:
    """A refutation of T1 in the plane (see the module): the hole's exact outside point and the
    number of certified cells around it, or ``None`` when no refinement up to ``depth`` finds one."""
    if len(latents) != 2:
        return None
    (x0, x1), (y0, y1) = (region.interval(s) for s in latents)
    if not all(v.is_finite for v in (x0, x1, y0, y1)):
        return None
    for k in range(2, depth + 1):
        n = 2**k
        xs = [x0 + (x1 - x0) * sp.Rational(i, n) for i in range(n + 1)]
        ys = [y0 + (y1 - y0) * sp.Rational(j, n) for j in range(n + 1)]
        inside = {(i, j) for i, j in product(range(n), range(n)) if _cell_inside(region, latents, {latents[0]: (xs[i], xs[i + 1]), latents[1]: (ys[j], ys[j + 1])})}
        if not inside:
            continue
        holes = []
        for component in components(frozenset(inside), FOUR):  # each 4-connected piece of certified cells
            verdict = simply_connected(component)
            if not verdict.holds and verdict.witness and "hole" in verdict.witness:
                holes += verdict.witness["hole"]
        for i, j in holes:
            if not (0 <= i < n and 0 <= j < n):
                continue
            q = ((xs[i] + xs[i + 1]) / 2, (ys[j] + ys[j + 1]) / 2)
            if not _holds(region, latents, q):
                return {"outside_point": {str(s): str(v) for s, v in zip(latents, q)}, "certified_cells": len(inside), "grid": n}
    return None


def _taylor_enclosure(terms: Sequence[tuple[tuple[int, ...], Fraction]], box: Sequence[tuple[Fraction, Fraction]]) -> tuple[Fraction, Fraction]:
    """Exact rational bounds of a polynomial (``terms``: exponents and coefficients) on a closed box,
    by its Taylor expansion at the box's centre: ``p(c + u) = sum_b t_b u^b`` with ``|u_i| <= h_i``,
    each term bounded by ``|t_b| h^b`` (by ``[0, t_b h^b]`` when every exponent is even).

    >>> _taylor_enclosure([((2,), Fraction(1)), ((0,), Fraction(-1))], [(Fraction(-1, 2), Fraction(1, 2))])
    (Fraction(-1, 1), Fraction(-3, 4))
    """
    centre = [(lo + hi) / 2 for lo, hi in box]
    half = [(hi - lo) / 2 for lo, hi in box]
    shifted: dict[tuple[int, ...], Fraction] = {}
    for alpha, a in terms:
        for beta in product(*(range(k + 1) for k in alpha)):
            coef = a
            for ai, bi, ci in zip(alpha, beta, centre):
                coef *= comb(ai, bi) * ci ** (ai - bi)
            shifted[beta] = shifted.get(beta, Fraction(0)) + coef
    zero = tuple(0 for _ in box)
    lo = hi = shifted.pop(zero, Fraction(0))
    for beta, coef in shifted.items():
        size = coef
        for bi, hi_i in zip(beta, half):
            size *= hi_i**bi
        if all(b % 2 == 0 for b in beta):
            lo, hi = lo + min(size, 0), hi + max(size, 0)
        else:
            lo, hi = lo - abs(size), hi + abs(size)
    return lo, hi


def _cell_truth(cond: sp.Basic, latents: Sequence[sp.Symbol], box: Sequence[tuple[Fraction, Fraction]], memo: dict) -> bool | None:
    """The condition's value on every point of the closed box, where the Taylor enclosures of its
    atoms decide it (``None`` otherwise).  ``memo`` caches each atom's polynomial terms."""
    if cond in (sp.true, sp.false):
        return bool(cond)
    if isinstance(cond, (sp.And, sp.Or)):
        values = [_cell_truth(c, latents, box, memo) for c in cond.args]
        decisive = isinstance(cond, sp.Or)  # an Or is decided by one True, an And by one False
        if decisive in values:
            return decisive
        return (not decisive) if all(v is (not decisive) for v in values) else None
    if isinstance(cond, sp.Not):
        inner = _cell_truth(cond.args[0], latents, box, memo)
        return None if inner is None else not inner
    if not isinstance(cond, sp.core.relational.Relational):
        return None
    if cond not in memo:
        diff = sp.expand(cond.lhs - cond.rhs)
        poly = sp.Poly(diff, *latents) if diff.is_polynomial(*latents) else None
        ok = poly is not None and all(c.is_Rational for c in poly.coeffs())
        memo[cond] = [(m, Fraction(int(c.p), int(c.q))) for m, c in poly.terms()] if ok else None  # type: ignore[union-attr]
    if memo[cond] is None:
        return None
    lo, hi = _taylor_enclosure(memo[cond], box)
    if isinstance(cond, sp.StrictLessThan):
        return True if hi < 0 else (False if lo >= 0 else None)
    if isinstance(cond, sp.LessThan):
        return True if hi <= 0 else (False if lo > 0 else None)
    if isinstance(cond, sp.StrictGreaterThan):
        return True if lo > 0 else (False if hi <= 0 else None)
    if isinstance(cond, sp.GreaterThan):
        return True if lo >= 0 else (False if hi < 0 else None)
    nonzero = True if (lo > 0 or hi < 0) else (False if lo == hi == 0 else None)
    if isinstance(cond, sp.Ne):
        return nonzero
    if isinstance(cond, sp.Eq):
        return None if nonzero is None else not nonzero
    return None


def _cube_truth(region: Region, latents: Sequence[sp.Symbol], lines: Sequence[Sequence[Fraction]], cube: Sequence[int], memo: dict) -> bool | None:
    box = [(lines[a][cube[a]], lines[a][cube[a] + 1]) for a in range(len(latents))]
    return _cell_truth(region.condition, latents, box, memo)


def _tunnel_lines(region: Region, latents: Sequence[sp.Symbol], n: int) -> list[list[Fraction]] | None:
    bounds = [region.interval(s) for s in latents]
    if not all(lo.is_finite and hi.is_finite for lo, hi in bounds):
        return None
    return [[Fraction(str(lo)) + (Fraction(str(hi)) - Fraction(str(lo))) * Fraction(i, n) for i in range(n + 1)] for lo, hi in bounds]


def _centre(lines: Sequence[Sequence[Fraction]], cube: Sequence[int]) -> tuple[Fraction, ...]:
    return tuple((lines[a][cube[a]] + lines[a][cube[a] + 1]) / 2 for a in range(len(cube)))


def certified_tunnel(region: Region, latents: Sequence[sp.Symbol], grids: Sequence[int] = TUNNEL_GRIDS) -> dict | None:
    """A refutation of T1 in R^3: a loop through closed cells certified inside the region that winds
    around a line whose cells across the whole box are certified outside, or that links a closed
    loop of cells certified outside (round a bounded obstacle), or ``None``.

    On an ``n x n x n`` grid of the box each closed cell is certified inside or outside by interval
    arithmetic.  A column of outside cells along an axis gives a line through the box that misses
    the region (beyond the box it misses the open box); a loop of inside cells (neighbours sharing
    at least a vertex: the segment between their centres lies in the two closed cells) whose
    winding number around that line is nonzero, computed exactly, is not null-homotopic in R^3
    minus the line, which contains the region.  The witness is re-verified by
    :func:`verify_tunnel` before it is returned.

    >>> x, y, z = sp.symbols("x y z", real=True)
    >>> from theory.model.domain import Box
    >>> tube = Region(Box({x: (-1, 1), y: (-1, 1), z: (-1, 1)}), x**2 + y**2 > sp.Rational(1, 4))
    >>> certified_tunnel(tube, (x, y, z))["winding"] in (1, -1)
    True
    """
    if len(latents) != 3:
        return None
    for n in grids:
        lines = _tunnel_lines(region, latents, n)
        if lines is None:
            return None
        inside, outside = set(), set()
        memo: dict = {}
        for cube in product(range(n), repeat=3):
            value = _cube_truth(region, latents, lines, cube, memo)
            if value is True:
                inside.add(cube)
            elif value is False:
                outside.add(cube)
        if not inside:
            continue
        centre = lambda c: _centre(lines, c)  # noqa: E731
        for axis in range(3):
            b, c = (t for t in range(3) if t != axis)
            for i, j in outside_lines(frozenset(inside), frozenset(outside), (n, n, n), axis):
                probe = tuple(0 if t == axis else (i if t == b else j) for t in range(3))
                q = centre(probe)
                found = winding_loop(frozenset(inside), centre, axis, (q[b], q[c]), TWENTY_SIX)
                if found is None:
                    continue
                loop, winding = found
                witness = {
                    "reason": "tunnel",
                    "grid": n,
                    "loop_cells": [list(cell) for cell in loop],
                    "loop": [{str(s): str(v) for s, v in zip(latents, centre(cell))} for cell in loop],
                    "line": {"axis": str(latents[axis]), "column": [i, j], "through": {str(latents[b]): str(q[b]), str(latents[c]): str(q[c])}},
                    "winding": winding,
                    "certified_cells": len(inside),
                }
                if verify_tunnel(region, latents, witness):
                    return witness
        for ring in nontrivial_loops(bounded_part(outside, (n, n, n)), LINK_CANDIDATES):  # closed loops round bounded obstacles
            ring_points = [centre(cell) for cell in ring]
            linked = linking_loop(frozenset(inside), centre, ring_points, TWENTY_SIX)
            if linked is None:
                continue
            loop, number = linked
            witness = {
                "reason": "tunnel",
                "grid": n,
                "loop_cells": [list(cell) for cell in loop],
                "loop": [{str(s): str(v) for s, v in zip(latents, centre(cell))} for cell in loop],
                "outside_loop_cells": [list(cell) for cell in ring],
                "outside_loop": [{str(s): str(v) for s, v in zip(latents, p)} for p in ring_points],
                "linking": number,
                "certified_cells": len(inside),
            }
            if verify_tunnel(region, latents, witness):
                return witness
    return None


def verify_tunnel(region: Region, latents: Sequence[sp.Symbol], witness: dict) -> bool:
    """Re-check a :func:`certified_tunnel` witness from scratch: every loop cell re-certified inside,
    consecutive cells touching, the loop's points their centres, every cell of the line's column
    re-certified outside, and the winding number recomputed exactly and nonzero."""
    n = witness["grid"]
    lines = _tunnel_lines(region, latents, n)
    if lines is None or len(latents) != 3:
        return False
    memo: dict = {}
    cells = [tuple(c) for c in witness["loop_cells"]]
    if len(cells) < 3 or len(cells) != len(witness["loop"]):
        return False
    if not _cells_certified(region, latents, lines, cells, witness["loop"], True, memo):
        return False
    for a, b in zip(cells, cells[1:] + cells[:1]):
        if a == b or max(abs(u - v) for u, v in zip(a, b)) > 1:
            return False
    if "outside_loop_cells" in witness:
        return _verify_linked(region, latents, lines, witness, memo)
    axis = [str(s) for s in latents].index(witness["line"]["axis"])
    i, j = witness["line"]["column"]
    others = [t for t in range(3) if t != axis]
    column = [tuple(x if t == axis else (i if t == others[0] else j) for t in range(3)) for x in range(n)]
    if any(_cube_truth(region, latents, lines, cell, memo) is not False for cell in column):
        return False
    q = _centre(lines, column[0])
    through = witness["line"]["through"]
    if [Fraction(through[str(latents[t])]) for t in others] != [q[t] for t in others]:
        return False
    points = [_centre(lines, cell) for cell in cells]
    try:
        winding = line_winding(points, axis, (q[others[0]], q[others[1]]))
    except ValueError:
        return False
    return winding != 0 and winding == witness["winding"]


def _cells_certified(region: Region, latents: Sequence[sp.Symbol], lines: Sequence[Sequence[Fraction]], cells: Sequence[tuple], points: Sequence[dict], inside: bool, memo: dict) -> bool:
    """Every cell re-certified inside (``inside``) or outside the region, and each witness point
    the exact centre of its cell."""
    for cell, point in zip(cells, points):
        if _cube_truth(region, latents, lines, cell, memo) is not inside:
            return False
        if tuple(Fraction(point[str(s)]) for s in latents) != _centre(lines, cell):
            return False
    return True


def _verify_linked(region: Region, latents: Sequence[sp.Symbol], lines: Sequence[Sequence[Fraction]], witness: dict, memo: dict) -> bool:
    """The closed-outside-loop half of :func:`verify_tunnel` (the inside loop is already checked)."""
    ring = [tuple(c) for c in witness["outside_loop_cells"]]
    if len(ring) < 4 or len(ring) != len(witness["outside_loop"]):
        return False
    if not _cells_certified(region, latents, lines, ring, witness["outside_loop"], False, memo):
        return False
    if any(sum(abs(u - v) for u, v in zip(a, b)) != 1 for a, b in zip(ring, ring[1:] + ring[:1])):
        return False
    inner = [_centre(lines, tuple(c)) for c in witness["loop_cells"]]
    number = linking_number(inner, [_centre(lines, c) for c in ring])
    return number is not None and number != 0 and number == witness["linking"]


def line_slices(region: Region, latents: Sequence[sp.Symbol], free: Sequence[int], timeout: float = 10.0) -> tuple[str, dict]:
    """Whether every slice of the region along the coordinates ``free`` (the others fixed) is
    path-connected: ``("proved" | "refuted" | "unknown", details)`` (see the module)."""
    fixed = [i for i in range(len(latents)) if i not in free]
    a, e = _copy(latents, "a"), _copy(latents, "e")
    t = sp.Symbol("t_slice", real=True)
    between = [a[i] + t * (e[i] - a[i]) if i in free else a[i] for i in range(len(latents))]
    same = [sp.Eq(a[i], e[i]) for i in fixed]
    conditions = [region.condition.xreplace(dict(zip(latents, a))), region.condition.xreplace(dict(zip(latents, e))), sp.Not(region.condition.xreplace(dict(zip(latents, between))))] + same
    bounds: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] = {v: region.interval(x) for v, x in zip(a, latents)}
    bounds.update({v: region.interval(x) for v, x in zip(e, latents)})
    bounds[t] = (sp.S.Zero, sp.S.One)
    try:
        answer = satisfiable(conditions, bounds, timeout)
    except NotTranslatable as exc:
        return "unknown", {"reason": str(exc)}
    if answer.status == "unsat":
        return "proved", {"slices": "convex"}
    if answer.status == "unknown":
        return "unknown", {"reason": f"z3: {answer.reason}"}
    if len(free) != 1:
        return "unknown", {"reason": "a slice of dimension >= 2 is not convex; its connectivity is not decided"}
    for cand in answer.candidates:
        pa = [cand.get(v) for v in a]
        pe = [cand.get(v) for v in e]
        tt = cand.get(t)
        if any(v is None for v in pa + pe) or tt is None:
            continue
        pb = [pa[i] + tt * (pe[i] - pa[i]) if i in free else pa[i] for i in range(len(latents))]
        inside = [region.contains(dict(zip(latents, q))) for q in (pa, pb, pe)]
        if inside == [True, False, True] and all(pa[i] == pe[i] for i in fixed):
            return "refuted", {"points": [{str(s): str(v) for s, v in zip(latents, p)} for p in (pa, pb, pe)], "note": "the middle point is outside: the one-dimensional slice has a gap"}
    return "unknown", {"reason": "z3 found a gap it could not give at exact points"}


def centres(region: Region, latents: Sequence[sp.Symbol], points: Sequence[dict], cap: int = 12) -> list[tuple[sp.Rational, ...]]:
    """Candidate star centres: the given points, then rational points of a coarse grid of the box
    (fractions 1/10, 3/10, ..., 9/10 of each side) that lie in the region, at most ``cap``."""
    out = [tuple(sp.Rational(p[s]) for s in latents) for p in points]
    bounds = [region.interval(s) for s in latents]
    if all(lo.is_finite and hi.is_finite for lo, hi in bounds):
        steps = [sp.Rational(k, 10) for k in (5, 1, 9, 3, 7)]
        for frac in product(steps, repeat=len(latents)):
            q = tuple(lo + f * (hi - lo) for (lo, hi), f in zip(bounds, frac))
            if _holds(region, latents, q) and q not in out:
                out.append(q)
            if len(out) >= cap:
                break
    return out[:cap]

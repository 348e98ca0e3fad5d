"""T1 and T2 on non-convex semi-algebraic regions (docs/mathematics.md section 9.2).

A :class:`~theory.model.domain.Region` is an open box cut by polynomial inequalities.  Four sound
routes, each used where it applies; everything else stays ``unknown``:

* **Axis-aligned regions of the plane** (every atom compares one coordinate with a constant):
  the constants cut the box into a grid, the condition is constant on each open cell, and the
  region is the interior of the union of its true cells provided the condition also holds on
  every open edge and vertex shared by true cells (checked exactly at their midpoints); then the
  exact grid algorithm of :mod:`theory.theorems.grid_topology` decides T1 and T2 (:func:`region_grid`).
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
from itertools import product

import sympy as sp

from theory.exact.intervals import certify_sign
from theory.exact.smt import NotTranslatable, satisfiable
from theory.model.domain import Region
from theory.theorems.grid_topology import FOUR, GridUnion, components, simply_connected

__all__ = ["region_grid", "star_shaped", "certified_hole", "line_slices", "centres", "HOLE_DEPTH"]

#: Grid refinements (2^k cells per side) tried by :func:`certified_hole`.
HOLE_DEPTH = 5


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


def region_grid(region: Region, latents: Sequence[sp.Symbol]) -> GridUnion | None:
    """The region as a :class:`~theory.theorems.topology.GridUnion` (see the module), or ``None``."""
    if len(latents) != 2:
        return None
    lines: list[set[sp.Rational]] = [set(), set()]
    for atom in _atoms(region.condition):
        found = _axis_constant(atom, latents)
        if found is None:
            return None
        axis, c = found
        lo, hi = region.interval(latents[axis])
        if lo < c < hi:
            lines[axis].add(c)
    for axis in (0, 1):
        lo, hi = region.interval(latents[axis])
        if not (lo.is_finite and hi.is_finite):
            return None
        lines[axis] |= {lo, hi}
    xs, ys = sorted(lines[0]), sorted(lines[1])
    mid = lambda v, i: (v[i] + v[i + 1]) / 2  # noqa: E731
    true = {(i, j) for i in range(len(xs) - 1) for j in range(len(ys) - 1) if _holds(region, latents, (mid(xs, i), mid(ys, j)))}
    if not true:
        return None
    # the region must be the interior of the union: true on every edge and vertex between true cells
    for i, j in true:
        if (i + 1, j) in true and not _holds(region, latents, (xs[i + 1], mid(ys, j))):
            return None
        if (i, j + 1) in true and not _holds(region, latents, (mid(xs, i), ys[j + 1])):
            return None
        if {(i + 1, j), (i, j + 1), (i + 1, j + 1)} <= true and not _holds(region, latents, (xs[i + 1], ys[j + 1])):
            return None
    return GridUnion(frozenset(true), tuple(xs), tuple(ys), (latents[0], latents[1]))


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

"""Exact geometry behind the structured checks: cover certificates and witness points.

**Cover certificate** (Type M).  For latents ``a`` (of object ``i``) and ``b`` of another
factor, the rows where ``d_b g`` vanishes identically include every pixel that only object
``i`` reaches (``b``'s object cannot reach it anywhere in the box).  On such a pixel
``g_t = A_i`` and, inside the sprite's support (``u < 1``), ``d_a A_i`` is nonzero exactly when

* ``a = x``: ``X != x`` (and the brightness is not 0);
* ``a = y``: ``Y != y`` (idem);
* ``a`` the brightness: always;
* ``a`` the scale: the pixel is not the centre (and the brightness is not 0).

The closed rectangle of positions is split into cells (adaptively, halving) until each cell
has one pixel of those rows that lies strictly inside the support for *every* position of
the cell and every scale of the box (its farthest corner is nearer than ``rho * s_min``) and
satisfies the condition for every position of the cell (its column outside the cell's
``x`` range, ...).  Then at every point of the domain ``supp d_a g`` has a row outside
``supp d_b g``: ``d_a g`` is never contained in ``d_b g``.  All in exact rationals.

**Witness points** (Types D, M, H).  Candidate rational points of the domain that put given
objects near a given pixel (and the others at their boxes' centres), for the witness
searches; every witness found is re-verified independently (:mod:`theory.criteria.witness`).

Examples
--------
>>> import sympy as sp
>>> from theory import Box
>>> from theory.image import Bump, ImageGenerator, Sprite
>>> x1, y1, x2, y2 = sp.symbols("x1 y1 x2 y2", real=True)
>>> g = ImageGenerator("two", (8, 8), [Sprite(Bump(2), x1, y1), Sprite(Bump(2), x2, y2)],
...                    Box({x1: (1, 2), y1: (1, 2), x2: (5, 6), y2: (5, 6)}))
>>> cert = cover_certificate(g, 0, 2)
>>> cert["cells"], len(cert["rows"]) > 0
(1, True)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from fractions import Fraction

import sympy as sp

from theory.model.domain import interval_point

__all__ = ["cover_certificate", "candidate_points", "coincidence_points", "MAX_CELLS"]

#: Cells a cover certificate may use before it gives up.
MAX_CELLS = 4096
#: The smallest cell side the halving reaches.
MIN_SIDE = Fraction(1, 32)


def _brightness_nonzero(g, k: int) -> bool:
    sprite = g.objects[k]
    if sprite.brightness is None:
        return True
    lo, hi = g.boxes[k][sprite.brightness]
    return lo >= 0 or hi <= 0  # the open interval excludes 0


def cover_certificate(g, a: int, b: int) -> dict | None:
    """A certificate that ``supp d_a g(s)`` is never inside ``supp d_b g(s)`` on the
    domain (see the module docstring), or ``None``."""
    owner = g.owner.get(a)
    if owner is None:
        return None
    i, ia = owner
    sprite = g.objects[i]
    if g.owner.get(b, (None,))[0] == i:
        return None  # d_b A_i does not vanish identically on i's own pixels
    kind = {sprite.x: "x", sprite.y: "y", sprite.brightness: "brightness", sprite.scale: "scale"}[sprite.latents[ia]]
    if kind != "brightness" and not _brightness_nonzero(g, i):
        return None
    j = g.owner.get(b, (None,))[0]
    if g.occlusion:  # pixels only i reaches: there g_t = A_i
        rows = {t for t in g.reached[i] if g.pixel_objects[t] == (i,)}
    else:  # g_t = sum of sprites: d_a g_t = d_a A_i, and d_b g_t = 0 where b's object never reaches
        rows = set(g.reached[i]) - (g.reached[j] if j is not None else set())
    if not rows:
        return None
    box = g.boxes[i]
    (xlo, xhi), (ylo, yhi) = box[sprite.x], box[sprite.y]
    slo = box[sprite.scale][0] if sprite.scale is not None else Fraction(1)
    near = sprite.profile.rho * slo if sprite.profile.compact else None
    scaled = sprite.scale is not None
    fixed = (not isinstance(sprite.x, sp.Symbol), not isinstance(sprite.y, sp.Symbol))  # a constant coordinate is never on an open edge
    used: set[int] = set()
    stack = [(xlo, xhi, ylo, yhi)]
    cells = 0
    while stack:
        cells += 1
        if cells > MAX_CELLS:
            return None
        x0, x1, y0, y1 = stack.pop()
        pixel = _cell_pixel(g, rows, kind, near, scaled, (xlo, xhi, ylo, yhi), x0, x1, y0, y1, fixed)
        if pixel is not None:
            used.add(pixel)
            continue
        if max(x1 - x0, y1 - y0) <= MIN_SIDE:
            return None
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        stack += [(x0, xm, y0, ym), (xm, x1, y0, ym), (x0, xm, ym, y1), (xm, x1, ym, y1)]
    return {
        "rows": sorted(used),
        "how": f"cover: for every position of object {i + 1} a pixel only it reaches lies inside its support with d{g.latents[a]} != 0",
        "cells": cells,
    }


def _cell_pixel(
    g,
    rows: set[int],
    kind: str,
    near: Fraction | None,
    scaled: bool,
    box: tuple[Fraction, ...],
    x0: Fraction,
    x1: Fraction,
    y0: Fraction,
    y1: Fraction,
    fixed: tuple[bool, bool] = (False, False),
) -> int | None:
    """A pixel of ``rows`` inside the support for every position of the cell that lies in
    the open box (and every scale), where ``d_a`` cannot vanish; ``None`` if there is none.

    The cell is closed, the box open: a pixel may sit on a cell edge that is also an edge
    of the box (no position of the domain reaches it).  The squared distance is strictly
    convex, so on the cell it is largest only at corners: the pixel is inside the support
    for every position of the cell in the open box when every corner is nearer than the
    radius, a corner on the box's edge also at exactly the radius (not along a fixed
    coordinate, whose one value the position takes); with a scale latent ``s > s_min`` on
    the open box, at most ``rho * s_min`` suffices."""
    xlo, xhi, ylo, yhi = box
    if near is None:  # full support: any pixel satisfying the condition
        candidates: Iterator[int] = iter(sorted(rows))
    else:
        xs = range(max(0, math.floor(x1 - near)), min(g.grid.width - 1, math.ceil(x0 + near)) + 1)
        ys = range(max(0, math.floor(y1 - near)), min(g.grid.height - 1, math.ceil(y0 + near)) + 1)
        candidates = (g.grid.index(X, Y) for Y in ys for X in xs)
    for t in candidates:
        if t not in rows:
            continue
        X, Y = g.grid.centre(t)
        outside_x = X < x0 or X > x1 or not fixed[0] and (X == x0 == xlo or X == x1 == xhi)
        outside_y = Y < y0 or Y > y1 or not fixed[1] and (Y == y0 == ylo or Y == y1 == yhi)
        if kind == "x" and not outside_x or kind == "y" and not outside_y or kind == "scale" and not (outside_x or outside_y):
            continue
        if near is not None and not all(
            _corner_inside(X, Y, cx, cy, near, scaled, not fixed[0] and cx in (xlo, xhi) or not fixed[1] and cy in (ylo, yhi))
            for cx in (x0, x1)
            for cy in (y0, y1)
        ):
            continue
        return t
    return None


def _corner_inside(X: int, Y: int, cx: Fraction, cy: Fraction, near: Fraction, scaled: bool, on_edge: bool) -> bool:
    d2 = (X - cx) ** 2 + (Y - cy) ** 2
    return d2 < near * near or d2 == near * near and (scaled or on_edge)


def _inside(lo: Fraction, hi: Fraction, v: Fraction, margin: Fraction) -> Fraction:
    """``v`` moved into the open interval, at least ``margin`` (or a quarter of it) from its ends."""
    m = min(margin, (hi - lo) / 4)
    return min(max(v, lo + m), hi - m)


def _rational(v: Fraction) -> sp.Rational:
    return sp.Rational(v.numerator, v.denominator)


def candidate_points(g, t: int, near: tuple[int, ...], limit: int = 24) -> list[dict[sp.Symbol, sp.Rational]]:
    """Rational points of the domain putting the objects ``near`` close to pixel ``t``
    (offset so that no derivative vanishes by symmetry) and every other object at the
    centre of its box; brightness at its interval's centre, scale near its top."""
    X, Y = g.grid.centre(t)
    offsets = [(Fraction(1, 3), Fraction(1, 5)), (Fraction(-2, 7), Fraction(1, 3)), (Fraction(1, 4), Fraction(-3, 7)), (Fraction(-1, 5), Fraction(-2, 9))]
    margins = [Fraction(1, 64), Fraction(1, 8)]
    out, seen = [], set()
    for (ox, oy), margin, shift in itertools.product(offsets, margins, range(2)):
        point: dict[sp.Symbol, sp.Rational] = {}
        for k, sprite in enumerate(g.objects):
            box = g.boxes[k]
            (xlo, xhi), (ylo, yhi) = box[sprite.x], box[sprite.y]
            if k in near:
                step = Fraction(k * shift, 11)
                px, py = _inside(xlo, xhi, X + ox + step, margin), _inside(ylo, yhi, Y + oy - step, margin)
            else:
                px, py = (xlo + xhi) / 2 + Fraction(shift, 13) * (xhi - xlo) / 2, (ylo + yhi) / 2
            point[sprite.x], point[sprite.y] = _rational(px), _rational(py)
            if sprite.brightness is not None:
                lo, hi = box[sprite.brightness]
                point[sprite.brightness] = _rational((lo + hi) / 2 + Fraction(1, 17) * (hi - lo))
            if sprite.scale is not None:
                lo, hi = box[sprite.scale]
                point[sprite.scale] = _rational(hi - (hi - lo) / 8)
        for s in g.latents:
            if s not in point:  # a latent no sprite uses
                point[s] = interval_point(*g.domain.interval(s))
        point = {s: point[s] for s in g.latents}
        key = tuple(point.values())
        if key not in seen and g.domain.contains(point):
            seen.add(key)
            out.append(point)
        if len(out) >= limit:
            break
    return out


def coincidence_points(g, i: int, j: int) -> list[dict[sp.Symbol, sp.Rational]]:
    """Points of the domain where objects ``i`` and ``j`` are as alike as their boxes allow:
    each shared coordinate (position, brightness, scale) equal where the two intervals
    meet, else both as near the gap between them as the open boxes allow; the other
    objects at their boxes' centres.  For Type M witnesses (two sprites of one shape at one
    place have the same supports)."""
    si, sj = g.objects[i], g.objects[j]
    bi, bj = g.boxes[i], g.boxes[j]
    out = []
    for frac, margin in ((Fraction(1, 2), Fraction(1, 64)), (Fraction(1, 3), Fraction(1, 1024))):
        point: dict[sp.Symbol, sp.Rational] = {}
        for k, sprite in enumerate(g.objects):
            for name in ("x", "y", "brightness", "scale"):
                sym = getattr(sprite, name)
                if sym is None:
                    continue
                lo, hi = g.boxes[k][sym]
                point[sym] = _rational(lo + frac * (hi - lo))
        for name in ("x", "y", "brightness", "scale"):
            li, lj = getattr(si, name), getattr(sj, name)
            if li is None or lj is None:
                continue
            (ilo, ihi), (jlo, jhi) = bi[li], bj[lj]
            lo, hi = max(ilo, jlo), min(ihi, jhi)
            if lo < hi:
                point[li] = point[lj] = _rational(lo + frac * (hi - lo))
            elif ihi <= jlo:
                point[li], point[lj] = _rational(_inside(ilo, ihi, ihi, margin)), _rational(_inside(jlo, jhi, jlo, margin))
            else:
                point[li], point[lj] = _rational(_inside(ilo, ihi, ilo, margin)), _rational(_inside(jlo, jhi, jhi, margin))
        for s in g.latents:
            if s not in point:
                point[s] = interval_point(*g.domain.interval(s))
        point = {s: point[s] for s in g.latents}
        if g.domain.contains(point):
            out.append(point)
    return out

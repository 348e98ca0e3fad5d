"""Exact winding and linking numbers of lattice polygons in R^3.

A closed polygon that winds around a line, or links another closed polygon, is not
null-homotopic in R^3 minus that line or polygon.  :func:`line_winding` and
:func:`linking_number` compute these numbers exactly over the rationals (projections along a
coordinate axis, or along generic directions, with every crossing signed and counted;
:mod:`theory.theorems.cubical_topology` searches for loops of cubes where they are nonzero,
which is how :func:`theory.theorems.region_topology.certified_tunnel` refutes T1 in 3-D).

Examples
--------
>>> square = [(Fraction(x), Fraction(y), Fraction(0)) for x, y in ((1, 1), (-1, 1), (-1, -1), (1, -1))]
>>> line_winding(square, 2, (Fraction(0), Fraction(0)))
1
>>> ring = [(Fraction(1), Fraction(y), Fraction(z)) for y, z in ((-1, 1), (1, 1), (1, -1), (-1, -1))]
>>> abs(linking_number([tuple(Fraction(2 * v) for v in p) for p in square], [(p[0], p[1] + 2, p[2]) for p in ring]))
1
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import gcd
from typing import Any

__all__ = ["line_winding", "linking_number", "segment_crossing", "segment_crossing_3d", "integral_coordinates", "project", "Degenerate", "DIRECTIONS"]


def line_winding(loop: Sequence[Sequence[Fraction]], axis: int, point: Sequence[Fraction]) -> int:
    """The winding number of the closed polygon ``loop`` around the line parallel to ``axis`` through
    ``point`` (its two other coordinates, in increasing axis order), computed exactly.

    The projection of the polygon along ``axis`` must avoid ``point`` (``ValueError`` otherwise).
    A nonzero winding number means the loop is not null-homotopic in R^3 minus the line.

    >>> sq = [(Fraction(x), Fraction(y), Fraction(0)) for x, y in ((1, 1), (-1, 1), (-1, -1), (1, -1))]
    >>> line_winding(sq, 2, (Fraction(0), Fraction(0)))
    1
    """
    b, c = (t for t in range(3) if t != axis)
    qx, qy = Fraction(point[0]), Fraction(point[1])
    pts = [(Fraction(p[b]), Fraction(p[c])) for p in loop]
    total = 0
    for (px, py), (rx, ry) in zip(pts, pts[1:] + pts[:1]):
        total += segment_crossing(px, py, rx, ry, qx, qy)
    return total


def segment_crossing(px: Fraction, py: Fraction, rx: Fraction, ry: Fraction, qx: Fraction, qy: Fraction) -> int:
    """The signed crossing of the segment p -> r with the ray from q towards +x (half-open rule)."""
    left = (rx - px) * (qy - py) - (qx - px) * (ry - py)
    if left == 0 and min(px, rx) <= qx <= max(px, rx) and min(py, ry) <= qy <= max(py, ry):
        raise ValueError("the projected loop passes through the line")
    if py <= qy < ry and left > 0:
        return 1
    if ry <= qy < py and left < 0:
        return -1
    return 0


#: Projection directions tried by :func:`linking_number`, generic enough that lattice polygons
#: rarely meet one another's projections at a vertex.
DIRECTIONS = (
    (Fraction(1), Fraction(355, 1131), Fraction(577, 1633)),
    (Fraction(1), Fraction(-311, 997), Fraction(1009, 4001)),
    (Fraction(7, 5), Fraction(1), Fraction(-2003, 6007)),
)


class Degenerate(ValueError):
    """Two projected segments meet at an end or overlap: try another direction."""


def _det(a: Sequence[Fraction], b: Sequence[Fraction], c: Sequence[Fraction]) -> Fraction:
    return a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0])


def segment_crossing_3d(a0: Sequence[int], a1: Sequence[int], b0: Sequence[int], b1: Sequence[int], d: Sequence[int]) -> tuple[int, int]:
    """``(sign, side)`` of the crossing of the projections along ``d`` of segments ``a`` and ``b``
    (integer coordinates): ``sign = sign((ea x eb) . d)``, ``side = +1`` when ``a`` is above
    (towards ``+d``), ``(0, 0)`` if they do not cross; :class:`Degenerate` when they meet at an
    end or overlap."""
    ea = [q - p for p, q in zip(a0, a1)]
    eb = [q - p for p, q in zip(b0, b1)]
    rhs = [q - p for p, q in zip(a0, b0)]  # solve s ea - t eb + lam d = b0 - a0 (Cramer)
    neg_eb = [-v for v in eb]
    det = _det(ea, neg_eb, d)
    if det == 0:  # parallel projections: they can only overlap, which is degenerate
        if _projections_overlap(a0, a1, b0, b1, d):
            raise Degenerate("projected segments overlap")
        return 0, 0
    ns, nt, nl = _det(rhs, neg_eb, d), _det(ea, rhs, d), _det(ea, neg_eb, rhs)
    if det < 0:
        det, ns, nt, nl = -det, -ns, -nt, -nl
    if not (0 <= ns <= det and 0 <= nt <= det):
        return 0, 0
    if ns in (0, det) or nt in (0, det) or nl == 0:
        raise Degenerate("projected segments meet at an end")
    # a's point = b's point - lam d: a lies towards +d when lam < 0
    return (1 if _det(ea, eb, d) > 0 else -1), (1 if nl < 0 else -1)


def integral_coordinates(*groups: Sequence[Sequence[Fraction]]) -> list[list[tuple[int, int, int]]]:
    """The point lists scaled by one common positive denominator to integers (crossings and
    linking numbers are unchanged by a positive scaling)."""
    den = 1
    for group in groups:
        for p in group:
            for v in p:
                den = den * Fraction(v).denominator // gcd(den, Fraction(v).denominator)
    return [[tuple(int(Fraction(v) * den) for v in p) for p in group] for group in groups]  # type: ignore[misc]


def project(v: Sequence[Any], d: Sequence[Any]) -> tuple[Any, Any]:
    """Coordinates of ``v`` in a plane transverse to ``d`` (a linear map with kernel ``d``; ``d[0] > 0``)."""
    return (v[1] * d[0] - v[0] * d[1], v[2] * d[0] - v[0] * d[2])


def _projections_overlap(a0: Sequence[Fraction], a1: Sequence[Fraction], b0: Sequence[Fraction], b1: Sequence[Fraction], d: Sequence[Fraction]) -> bool:
    """Whether the projections of two segments with parallel projections share a point."""
    pa0, pa1, pb0, pb1 = (project(v, d) for v in (a0, a1, b0, b1))

    def cross(o: tuple[Fraction, Fraction], p: tuple[Fraction, Fraction], q: tuple[Fraction, Fraction]) -> Fraction:
        return (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0])

    direction = pa0 != pa1 and (pa0, pa1) or (pb0, pb1)
    if direction[0] == direction[1]:  # both project to points
        return pa0 == pb0
    if cross(direction[0], direction[1], pa0) or cross(direction[0], direction[1], pb0):
        return False  # parallel lines apart (or a point off the other's line)
    axis = 0 if direction[0][0] != direction[1][0] else 1
    return max(min(pa0[axis], pa1[axis]), min(pb0[axis], pb1[axis])) <= min(max(pa0[axis], pa1[axis]), max(pb0[axis], pb1[axis]))


def linking_number(a: Sequence[Sequence[Fraction]], b: Sequence[Sequence[Fraction]], directions: Sequence[Sequence[Fraction]] = DIRECTIONS) -> int | None:
    """The linking number of two disjoint closed polygons, exactly (``None`` if every direction
    is degenerate).  In a generic projection it is the signed count of the crossings where ``a``
    passes over ``b``, and equally of those where it passes under: both are computed and must agree.

    >>> F = Fraction
    >>> ring = [(F(1), F(0), F(0)), (F(0), F(1), F(0)), (F(-1), F(0), F(0)), (F(0), F(-1), F(0))]
    >>> hook = [(F(2), F(0), F(1)), (F(0), F(0), F(1)), (F(0), F(0), F(-1)), (F(2), F(0), F(-1))]
    >>> abs(linking_number(ring, hook)), linking_number(ring, [(x + 3, y, z) for x, y, z in hook])
    (1, 0)
    """
    a, b = integral_coordinates(a, b)
    for d in integral_coordinates(directions)[0]:
        try:
            over = under = 0
            for a0, a1 in zip(a, list(a[1:]) + [a[0]]):
                for b0, b1 in zip(b, list(b[1:]) + [b[0]]):
                    sign, side = segment_crossing_3d(a0, a1, b0, b1, d)
                    if side > 0:
                        over += sign
                    elif side < 0:  # b over a: the crossing's sign takes b's direction first
                        under -= sign
        except Degenerate:
            continue
        if over == under:  # they always agree for closed disjoint polygons: a self-check
            return over
    return None

"""Hypotheses T1 (simple connectivity) and T2 (path-connected slices): docs/mathematics.md section 9.1.

The grid algorithm is cross-checked against independent computations: the compactly
supported Euler characteristic of the open set (open cells - open edges + vertices inside
it, which equals components - holes for an open planar set) and line slices sampled at
exact quarter points with a point-membership test.
"""

from __future__ import annotations

import random
from collections import deque

import pytest
import sympy as sp

from theory.model.domain import Box, Region
from theory.theorems.topology import (
    GridUnion,
    cells_connected,
    check_simply_connected,
    check_slices,
    simply_connected,
    slices_path_connected,
)

s1, s2 = sp.symbols("s1 s2", real=True)

BOX3 = [(i, j) for i in range(3) for j in range(3)]
L_SHAPE = [(0, 0), (1, 0), (2, 0), (0, 1), (0, 2)]
STAIRCASE = [(0, 0), (1, 0), (1, 1), (2, 1), (2, 2), (3, 2)]
T_SHAPE = [(0, 2), (1, 2), (2, 2), (1, 1), (1, 0)]
ANNULUS = [c for c in BOX3 if c != (1, 1)]
C_SHAPE = [c for c in BOX3 if c not in {(1, 1), (2, 1)}]  # a 3x3 frame, right side cell removed
V_SHAPE = [(0, 1), (0, 2), (1, 0), (1, 1), (2, 1), (2, 2)]  # star-shaped-like: T1 but not T2
DIAGONAL = [(0, 0), (1, 1)]


# -- named shapes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cells", [BOX3, L_SHAPE, STAIRCASE, T_SHAPE], ids=["box", "L", "staircase", "T"])
def test_good_shapes_satisfy_t1_and_t2(cells):
    domain = GridUnion.from_cells(cells)
    t1 = check_simply_connected(domain)
    assert (t1.criterion, t1.verdict, t1.scope, t1.method) == ("T1", "proved", "global", "grid-topology")
    for reading in ("both", "fibres", "co-slices"):
        t2 = check_slices(domain, [[0], [1]], reading)
        assert (t2.criterion, t2.verdict, t2.method) == ("T2", "proved", "grid-topology")
        assert t2.details["reading"] == reading
        assert set(t2.details["families"].values()) == {"proved"}


def test_annulus_refutes_t1_with_its_hole():
    r = check_simply_connected(GridUnion.from_cells(ANNULUS))
    assert r.verdict == "refuted" and r.method == "grid-topology"
    assert r.witness["reason"] == "hole" and r.witness["hole"] == [[1, 1]]
    assert r.details["holes"] == 1


def test_c_shape_is_simply_connected_but_refutes_t2_along_the_vertical_axis():
    domain = GridUnion.from_cells(C_SHAPE)
    assert check_simply_connected(domain).verdict == "proved"
    assert slices_path_connected(C_SHAPE, axis=0).holds  # horizontal lines: one run each
    along = slices_path_connected(C_SHAPE, axis=1)  # vertical lines through the middle column
    assert not along.holds
    assert along.witness["kind"] == "column" and along.witness["column"] == 1
    assert along.witness["runs"] == [[0, 0], [2, 2]]
    r = check_slices(domain, [[0], [1]], "fibres")
    assert r.verdict == "refuted" and r.method == "grid-topology"
    # fibres of factor 1 (s2 varies, s1 fixed) break; those of factor 0 do not
    assert r.witness["family"] == "fibres" and r.witness["factor"] == 1 and r.witness["axis"] == 1
    assert [c["holds"] for c in r.details["checks"]] == [True, False]
    co = check_slices(domain, [[0], [1]], "co-slices")
    assert co.verdict == "refuted" and co.witness["factor"] == 0  # fixing factor 0 leaves s2 free


def test_c_shape_rotated_fails_the_other_axis():
    rotated = [(j, i) for i, j in C_SHAPE]
    assert slices_path_connected(rotated, axis=1).holds
    assert not slices_path_connected(rotated, axis=0).holds
    r = check_slices(GridUnion.from_cells(rotated), [[0], [1]], "fibres")
    assert r.verdict == "refuted" and r.witness["factor"] == 0


def test_v_shape_is_simply_connected_but_its_horizontal_slices_split():
    domain = GridUnion.from_cells(V_SHAPE)
    assert check_simply_connected(domain).verdict == "proved"
    assert check_slices(domain, [[0], [1]]).verdict == "refuted"
    assert slices_path_connected(V_SHAPE, axis=1).holds and not slices_path_connected(V_SHAPE, axis=0).holds


def test_diagonal_cells_are_not_connected():
    assert not cells_connected(DIAGONAL).holds
    r = check_simply_connected(GridUnion.from_cells(DIAGONAL))
    assert r.verdict == "refuted" and r.witness["reason"] == "not connected"
    assert r.witness["components"] == [[[0, 0]], [[1, 1]]]
    # a 2-D factor: the fibre is S itself, which is disconnected
    f = check_slices(GridUnion.from_cells(DIAGONAL), [[0, 1]], "fibres")
    assert f.verdict == "refuted"
    assert check_slices(GridUnion.from_cells(DIAGONAL), [[0, 1]], "co-slices").verdict == "proved"


def test_corner_touching_holes_are_not_holes():
    # the missing cell (1,1) touches the outside at a corner through (2,2)'s absence
    cells = [(0, 0), (1, 0), (2, 0), (0, 1), (2, 1), (0, 2), (1, 2)]
    assert simply_connected(cells).holds


# -- boxes and regions --------------------------------------------------------------------------------
def test_boxes_and_convex_regions_by_convexity():
    box = Box({s1: (0, 2), s2: (-2, 0)})
    for domain in (box, Region(box, s1 - s2 < 2), Box()):
        r1 = check_simply_connected(domain)
        assert (r1.verdict, r1.method) == ("proved", "convexity")
        r2 = check_slices(domain, [[s1], [s2]], "co-slices")
        assert (r2.verdict, r2.method) == ("proved", "convexity")
        assert r2.details == {**r2.details, "reading": "co-slices", "families": {"co-slices": "proved"}}


def test_non_convex_regions_by_certificates():
    """A box minus a disc has a hole: a certified loop refutes T1 and a gap on a line refutes T2
    (docs/mathematics.md 9.1); a region with no route left stays unknown and says why."""
    disc_minus = Region(Box({s1: (-2, 2), s2: (-2, 2)}), s1**2 + s2**2 > 1)
    r = check_simply_connected(disc_minus)
    assert (r.verdict, r.method) == ("refuted", "certified-loop")
    assert not disc_minus.contains({sp.Symbol(k, real=True): sp.Rational(v) for k, v in r.witness["outside_point"].items()})
    r2 = check_slices(disc_minus, [[s1], [s2]])
    assert r2.verdict == "refuted" and r2.details["families"] == {"fibres": "refuted", "co-slices": "refuted"}
    crescent = Region(Box({s1: (-1, 1), s2: (-1, 1)}), (s1**2 + s2**2 < sp.Rational(9, 10)) & ((s1 - sp.Rational(1, 2)) ** 2 + s2**2 > sp.Rational(1, 4)))
    r3 = check_simply_connected(crescent)
    assert r3.verdict == "unknown" and "undecidable" in r3.details["reason"]


# -- the GridUnion description ----------------------------------------------------------------------------
def test_from_boxes_with_rational_lines_and_exact_witness_coordinates():
    h = sp.Rational(1, 2)
    # a C opening to the right: left bar, bottom and top bars, on lines 0, 1/2, 2 and 0, 1, 3/2, 3
    domain = GridUnion.from_boxes([((0, h), (0, 3)), ((0, 2), (0, 1)), ((0, 2), (sp.Rational(3, 2), 3))], symbols=(s1, s2))
    assert domain.xs == (0, h, 2) and domain.ys == (0, 1, sp.Rational(3, 2), 3)
    assert domain.contains({s1: sp.Rational(1, 4), s2: sp.Rational(5, 4)})
    assert not domain.contains({s1: 1, s2: sp.Rational(5, 4)})
    assert domain.contains((h, sp.Rational(1, 2)))  # on an inner grid line
    assert not domain.contains((0, 1)) and not domain.contains((2, sp.Rational(1, 2)))  # on the boundary
    assert not domain.contains((h, 1))  # a vertex next to the missing cell
    assert GridUnion.from_cells(BOX3).contains((1, 1))  # an inner vertex with all four cells
    assert not GridUnion.from_cells(ANNULUS).contains((1, 1))  # a corner of the hole
    r = check_slices(domain, [[s1], [s2]], "fibres")
    assert r.verdict == "refuted"
    assert r.witness["fixed"] == "s1" and r.witness["coordinate"] == "5/4"  # the line s1 = 5/4
    assert check_simply_connected(domain).verdict == "proved"


def test_bad_input():
    with pytest.raises(ValueError):
        GridUnion.from_cells([])
    with pytest.raises(ValueError):
        GridUnion(frozenset({(0, 0)}), xs=(1, 0))
    with pytest.raises(ValueError):
        check_slices(GridUnion.from_cells(BOX3), [[0]])
    with pytest.raises(ValueError):
        check_slices(GridUnion.from_cells(BOX3), [[0], [1]], "sideways")
    with pytest.raises(ValueError):
        slices_path_connected(BOX3, axis=2)


# -- independent cross-checks on random cell sets ------------------------------------------------------------
def _components_bfs(cells: set, steps) -> int:
    seen, count = set(), 0
    for c in cells:
        if c in seen:
            continue
        count += 1
        queue = deque([c])
        seen.add(c)
        while queue:
            i, j = queue.popleft()
            for di, dj in steps:
                n = (i + di, j + dj)
                if n in cells and n not in seen:
                    seen.add(n)
                    queue.append(n)
    return count


def _euler_of_interior(cells: set) -> int:
    """chi_c of the open interior: open cells - open edges inside it + vertices inside it."""
    faces = len(cells)
    edges = sum(1 for (i, j) in cells if (i + 1, j) in cells) + sum(1 for (i, j) in cells if (i, j + 1) in cells)
    vertices = sum(1 for (i, j) in cells if {(i + 1, j), (i, j + 1), (i + 1, j + 1)} <= cells)
    return faces - edges + vertices


def _in_interior(cells: set, x: sp.Rational, y: sp.Rational) -> bool:
    def around(v):
        f = int(sp.floor(v))
        return (f - 1, f) if v == f else (f,)

    return all((i, j) in cells for i in around(x) for j in around(y))


def _slices_by_sampling(cells: set, axis: int) -> bool:
    """Every line slice along ``axis``, sampled at quarter points (faithful for unit cells)."""
    lo_f = min(c[1 - axis] for c in cells) - 1
    hi_f = max(c[1 - axis] for c in cells) + 2
    lo_v = min(c[axis] for c in cells) - 1
    hi_v = max(c[axis] for c in cells) + 2
    for k in range(4 * lo_f, 4 * hi_f + 1):
        fixed = sp.Rational(k, 4)
        inside = []
        for m in range(4 * lo_v, 4 * hi_v + 1):
            free = sp.Rational(m, 4)
            x, y = (free, fixed) if axis == 0 else (fixed, free)
            if _in_interior(cells, x, y):
                inside.append(m)
        if inside and inside != list(range(inside[0], inside[-1] + 1)):
            return False
    return True


def test_grid_algorithm_against_euler_characteristic_and_sampling():
    rng = random.Random(20240605)
    counts = {"simply": 0, "holes": 0, "disconnected": 0, "slices_fail": 0}
    for trial in range(300):
        n = rng.choice((3, 4, 5))
        density = rng.choice((0.5, 0.65, 0.8))
        cells = {(i, j) for i in range(n) for j in range(n) if rng.random() < density}
        if not cells:
            continue
        comps = _components_bfs(cells, ((1, 0), (-1, 0), (0, 1), (0, -1)))
        chi = _euler_of_interior(cells)
        # holes = bounded components of the complement; chi = components - holes
        i0, i1 = min(c[0] for c in cells) - 1, max(c[0] for c in cells) + 1
        j0, j1 = min(c[1] for c in cells) - 1, max(c[1] for c in cells) + 1
        missing = {(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)} - cells
        eight = [(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1) if (a, b) != (0, 0)]
        holes = _components_bfs(missing, eight) - 1
        assert chi == comps - holes, (trial, sorted(cells))
        answer = simply_connected(cells)
        assert answer.holds == (comps == 1 and chi == 1), (trial, sorted(cells))
        if comps == 1 and not answer.holds:
            assert answer.details["holes"] == holes == 1 - chi
        counts["simply" if answer.holds else ("disconnected" if comps > 1 else "holes")] += 1
        for axis in (0, 1):
            grid = slices_path_connected(cells, axis).holds
            assert grid == _slices_by_sampling(cells, axis), (trial, axis, sorted(cells))
            counts["slices_fail"] += not grid
    # the random sets exercise every outcome
    assert all(v >= 10 for v in counts.values()), counts

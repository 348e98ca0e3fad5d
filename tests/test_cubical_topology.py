"""T1/T2 on interiors of unions of closed cubes in R^3, and the certified tunnel of 3-D regions.

Cross-checks: Betti numbers by GF(2) elimination against the Euler characteristic of the dual
complex plus Alexander duality (b2 = bounded pieces of the complement); slices against a
brute-force walk over the open faces of the grid; loops and tunnels re-verified and sampled at
exact points of the region.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import product

import networkx as nx
import pytest
import sympy as sp

from theory.model.domain import Box, Region
from theory.theorems.cubical_topology import (
    CubicalUnion,
    betti_numbers,
    collapses_to_point,
    line_winding,
    linking_number,
    nontrivial_loop,
    simply_connected,
    slices_connected,
    verify_loop,
)
from theory.theorems.region_topology import certified_tunnel, region_cubes, verify_tunnel
from theory.theorems.topology import check_simply_connected, check_slices

x, y, z = sp.symbols("x y z", real=True)
XYZ = (x, y, z)

RING = [(i, j, 0) for i in range(3) for j in range(3) if (i, j) != (1, 1)]
HOLLOW = [c for c in product(range(3), repeat=3) if c != (1, 1, 1)]
L_SHAPE = [(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1), (0, 0, 2)]


# -- independent routes --------------------------------------------------------------------------
def _euler_alexander_betti(cubes: set) -> tuple[int, int, int]:
    """b0 by networkx, b2 by Alexander duality (pieces of missing cubes touching at any point,
    within the bounding box enlarged by one, minus the outer one), b1 from the Euler characteristic
    V - E + F - C of the dual complex counted directly (b3 = 0 in R^3)."""
    graph = nx.Graph()
    graph.add_nodes_from(cubes)
    E = F = C = 0
    for a in cubes:
        for t in range(3):
            n = tuple(a[s] + (s == t) for s in range(3))
            if n in cubes:
                graph.add_edge(a, n)
                E += 1
        for t, u in ((0, 1), (0, 2), (1, 2)):
            block = [tuple(a[s] + (s == t) * p + (s == u) * q for s in range(3)) for p in (0, 1) for q in (0, 1)]
            F += all(b in cubes for b in block)
        C += all(tuple(a[s] + d[s] for s in range(3)) in cubes for d in product((0, 1), repeat=3))
    b0 = nx.number_connected_components(graph)
    lo = [min(c[s] for c in cubes) - 1 for s in range(3)]
    hi = [max(c[s] for c in cubes) + 1 for s in range(3)]
    missing = {c for c in product(*(range(lo[s], hi[s] + 1) for s in range(3))) if c not in cubes}
    comp = nx.Graph()
    comp.add_nodes_from(missing)
    for c in missing:
        for d in product((-1, 0, 1), repeat=3):
            n = tuple(c[s] + d[s] for s in range(3))
            if n != c and n in missing:
                comp.add_edge(c, n)
    b2 = nx.number_connected_components(comp) - 1
    chi = len(cubes) - E + F - C
    return b0, b0 + b2 - chi, b2


def _random_cubes(rng: random.Random, shape: tuple[int, int, int], density: float) -> set:
    cubes = {c for c in product(*(range(n) for n in shape)) if rng.random() < density}
    return cubes or {(0, 0, 0)}


def _interior_positions(cubes: set, shape: tuple[int, int, int]) -> set:
    """Open faces of the grid (as doubled positions) all of whose cubes around are in the union."""
    out = set()
    for p in product(*(range(1, 2 * n) for n in shape)):
        around = [[q // 2] if q % 2 else [q // 2 - 1, q // 2] for q in p]
        if all(c in cubes for c in product(*around)):
            out.add(p)
    return out


def _brute_slices(cubes: set, shape: tuple[int, int, int], free: tuple[int, ...]) -> bool:
    """Every slice along ``free`` connected, by walking between open faces one doubled step apart."""
    pos = _interior_positions(cubes, shape)
    fixed = [t for t in range(3) if t not in free]
    groups: dict = {}
    for p in pos:
        groups.setdefault(tuple(p[t] for t in fixed), set()).add(p)
    for members in groups.values():
        graph = nx.Graph()
        graph.add_nodes_from(members)
        for p in members:
            for t in free:
                q = tuple(p[s] + (s == t) for s in range(3))
                if q in members:
                    graph.add_edge(p, q)
        if nx.number_connected_components(graph) > 1:
            return False
    return True


# -- the exact algorithm against the independent routes ----------------------------------------------
def test_betti_numbers_match_euler_characteristic_and_alexander_duality():
    rng = random.Random(14)
    seen = set()
    big_void = {c for c in product(range(4), repeat=3) if not all(v in (1, 2) for v in c)}
    two_voids = {c for c in product(range(5), range(3), range(3)) if c not in {(1, 1, 1), (3, 1, 1)}}
    fixed = [set(RING), set(HOLLOW), set(HOLLOW) - {(1, 1, 0)}, big_void, two_voids, set(L_SHAPE)]
    shapes = fixed + [_random_cubes(rng, (4, 4, 3), rng.choice((0.5, 0.65, 0.8))) for _ in range(60)]
    for cubes in shapes:
        b = betti_numbers(cubes)
        seen.add((b[0] > 1, b[1] > 0, b[2] > 0))
        assert b == _euler_alexander_betti(cubes), sorted(cubes)
        verdict = simply_connected(cubes)
        assert verdict.holds == (b[0] == 1 and b[1] == 0)
        if collapses_to_point(cubes):  # a collapse is a proof of contractibility
            assert b == (1, 0, 0)
    assert {(True, False, False), (False, True, False), (False, False, False)} <= seen and any(k[2] for k in seen)


def test_known_shapes():
    assert betti_numbers(RING) == (1, 1, 0)
    assert betti_numbers(HOLLOW) == (1, 0, 1)
    assert betti_numbers(L_SHAPE) == (1, 0, 0)
    assert simply_connected(L_SHAPE).details["method"] == "collapse"
    hollow = simply_connected(HOLLOW)
    assert hollow.holds and hollow.details["method"] == "homology"  # a void does not break T1
    ring = simply_connected(RING)
    assert not ring.holds and ring.witness["outside_line"]["winding"] in (1, -1)
    # two cubes sharing only an edge: their interiors do not meet
    edge = simply_connected([(0, 0, 0), (1, 1, 0)])
    assert not edge.holds and edge.witness["reason"] == "not connected"
    # four cubes around an edge, missing one: a 3-cube L (contractible); the 2x2 block with a
    # cube on top of each corner column: still contractible
    assert simply_connected([(0, 0, 0), (1, 0, 0), (1, 1, 0)]).holds
    # a ring whose corners meet only along edges is not a loop of the interior
    diag = [(0, 0, 0), (1, 1, 0), (0, 2, 0), (-1, 1, 0)]
    assert simply_connected(diag).witness["reason"] == "not connected"


def _loop_is_valid(cubes: set, loop: list) -> bool:
    steps = zip(loop, loop[1:] + loop[:1])
    return all(c in cubes for c in loop) and all(sum(abs(p - q) for p, q in zip(a, b)) == 1 for a, b in steps)


def test_nontrivial_loops_are_loops_of_the_interior():
    rng = random.Random(7)
    found = 0
    for _ in range(40):
        cubes = _random_cubes(rng, (4, 4, 2), 0.7)
        loop = nontrivial_loop(cubes)
        assert (loop is None) == (betti_numbers(cubes)[1] == 0)
        if loop is not None:
            found += 1
            assert _loop_is_valid(cubes, loop)
            assert verify_loop(cubes, loop)
    assert found > 5
    # the loop around a filled 2x2 block bounds a square of the dual complex: not a witness
    block = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0)]
    assert not verify_loop(block, block)
    assert verify_loop(RING, nontrivial_loop(RING)) and not verify_loop(RING[:-1], nontrivial_loop(RING))
    loop = nontrivial_loop(RING)
    u = CubicalUnion.from_cubes(RING)
    points = [u.centre(c) for c in loop]
    assert abs(line_winding(points, 2, (Fraction(3, 2), Fraction(3, 2)))) == 1
    for a, b in zip(points, points[1:] + points[:1]):  # the segments between centres stay inside
        for t in (Fraction(1, 7), Fraction(1, 2), Fraction(5, 6)):
            assert u.contains(tuple(sp.Rational(str(p + t * (q - p))) for p, q in zip(a, b)))


def test_slices_match_brute_force():
    rng = random.Random(3)
    shape = (3, 3, 3)
    for _ in range(30):
        cubes = _random_cubes(rng, shape, rng.choice((0.6, 0.85)))
        for free in ((0,), (1,), (2,), (0, 1), (0, 2), (1, 2)):
            assert slices_connected(cubes, free).holds == _brute_slices(cubes, shape, free), (sorted(cubes), free)


def test_line_winding():
    square = [(Fraction(a), Fraction(b), Fraction(0)) for a, b in ((1, 1), (-1, 1), (-1, -1), (1, -1))]
    origin = (Fraction(0), Fraction(0))
    assert line_winding(square, 2, origin) == 1
    assert line_winding(square[::-1], 2, origin) == -1
    assert line_winding(square + square, 2, origin) == 2
    assert line_winding(square, 2, (Fraction(3), Fraction(0))) == 0
    for axis, point in ((2, (Fraction(1), Fraction(0))), (0, origin)):  # the projection meets the line
        with pytest.raises(ValueError):
            line_winding(square, axis, point)


def test_linking_number_against_winding_around_a_far_closed_line():
    """A loop's winding around a line equals its linking number with a long thin rectangle that
    runs along the line and closes far away (an independent route); random lattice loops."""
    F = Fraction
    rng = random.Random(9)
    windings = []
    for _ in range(60):
        loop = [(F(0), F(0), F(0))]
        for _ in range(rng.randint(3, 9)):
            step = [0, 0, 0]
            step[rng.randrange(3)] = rng.choice((-1, 1))
            loop.append(tuple(c + s for c, s in zip(loop[-1], step)))
        loop = [tuple(v + F(rng.randint(-1, 1), 3) for v in p) for p in loop]  # off the lattice of the line
        q = (F(1, 2), F(1, 2))
        rect = [(q[0], q[1], F(-50)), (q[0], q[1], F(50)), (q[0] + 100, q[1], F(50)), (q[0] + 100, q[1], F(-50))]
        try:
            winding = line_winding(loop, 2, q)
        except ValueError:  # the loop's projection meets the line
            continue
        assert linking_number(loop, rect) == winding
        windings.append(winding)
    assert len(windings) > 20 and any(windings)
    ring = [(F(1), F(0), F(0)), (F(0), F(1), F(0)), (F(-1), F(0), F(0)), (F(0), F(-1), F(0))]
    hook = [(F(2), F(0), F(1)), (F(0), F(0), F(1)), (F(0), F(0), F(-1)), (F(2), F(0), F(-1))]
    assert abs(linking_number(ring, hook)) == 1 and linking_number(ring, hook) == linking_number(hook, ring)
    assert linking_number(ring, hook[::-1]) == -linking_number(ring, hook)
    assert linking_number(ring, [(a + 3, b, c) for a, b, c in hook]) == 0


# -- regions ---------------------------------------------------------------------------------------
BOX3 = Box({x: (0, 3), y: (0, 3), z: (0, 3)})


def _sample_segments(region: Region, points: list, rng: random.Random, per: int = 3) -> None:
    for a, b in zip(points, points[1:] + points[:1]):
        for _ in range(per):
            t = sp.Rational(rng.randint(0, 97), 97)
            assert region.contains({s: sp.Rational(str(p)) + t * (sp.Rational(str(q)) - sp.Rational(str(p))) for s, p, q in zip(XYZ, a, b)})


def test_axis_aligned_regions():
    rng = random.Random(5)
    ring = Region(BOX3, (x < 1) | (x > 2) | (y < 1) | (y > 2))
    L = Region(BOX3, (x < 1) | (y < 1))
    hollow = Region(BOX3, (x < 1) | (x > 2) | (y < 1) | (y > 2) | (z < 1) | (z > 2))
    r = check_simply_connected(ring, XYZ)
    assert (r.verdict, r.method) == ("refuted", "cubical-topology")
    _sample_segments(ring, [tuple(p[str(s)] for s in XYZ) for p in r.witness["loop_points"]], rng)
    assert check_simply_connected(L, XYZ).verdict == "proved"
    h = check_simply_connected(hollow, XYZ)
    assert (h.verdict, h.details["method"]) == ("proved", "homology")
    # T2: the ring's lines along x at y = 1 have two pieces; the exact witness shows it
    t2 = check_slices(ring, [[x], [y], [z]], "fibres", XYZ)
    assert t2.verdict == "refuted"
    values = {sp.Symbol(k, real=True): sp.Rational(v) for k, v in t2.witness["fixed_values"].items()}
    free = next(s for s in XYZ if s not in values)
    inside = [ring.contains({**values, free: sp.Rational(k, 4)}) for k in range(1, 12)]
    assert inside[0] and inside[-1] and not all(inside), (values, inside)
    assert check_slices(L, [[x, y], [z]], "both", XYZ).verdict == "proved"
    # the region equals the interior of its cubes: exact membership agrees at random rational points
    cubes = region_cubes(ring, XYZ)
    for _ in range(200):
        p = tuple(sp.Rational(rng.randint(1, 11), 4) for _ in range(3))
        assert cubes.contains(p) == ring.contains(dict(zip(XYZ, p)))
    # a cut along a plane is not an interior: the condition fails on a face between true cells
    assert region_cubes(Region(BOX3, sp.Ne(x, 1)), XYZ) is None
    # a closed condition may hold on a face without its cubes: refused
    assert region_cubes(Region(BOX3, (x <= 1) | (y < 1)), XYZ) is None


BALL = Box({x: (-1, 1), y: (-1, 1), z: (-1, 1)})


def _torus(R: sp.Rational, r: sp.Rational) -> sp.Basic:
    return (x**2 + y**2 + z**2 + R**2 - r**2) ** 2 < 4 * R**2 * (x**2 + y**2)


@pytest.mark.parametrize(
    "name, condition, grids",
    [
        ("box minus a cylinder", x**2 + y**2 > sp.Rational(1, 4), (3, 5)),
        ("solid torus", _torus(sp.Rational(3, 5), sp.Rational(2, 5)), (9,)),
        ("box minus a solid torus", sp.Not(_torus(sp.Rational(1, 2), sp.Rational(1, 3))), (11,)),
        ("cylindrical shell", (x**2 + z**2 > sp.Rational(1, 9)) & (x**2 + z**2 < sp.Rational(4, 5)) & (y**2 < sp.Rational(1, 4)), (5, 7)),
    ],
)
def test_certified_tunnels(name, condition, grids):
    region = Region(BALL, condition)
    w = certified_tunnel(region, XYZ, grids)
    assert w is not None, name
    assert verify_tunnel(region, XYZ, w)
    points = [tuple(Fraction(p[str(s)]) for s in XYZ) for p in w["loop"]]
    _sample_segments(region, points, random.Random(11))
    if "line" in w:  # the line misses the region: exact points along it are outside
        axis = [str(s) for s in XYZ].index(w["line"]["axis"])
        for k in range(-9, 10):
            q = {s: sp.Rational(w["line"]["through"][str(s)]) if i != axis else sp.Rational(k, 10) for i, s in enumerate(XYZ)}
            assert not region.contains(q)
        assert abs(w["winding"]) >= 1
        # a tampered witness is rejected
        assert not verify_tunnel(region, XYZ, {**w, "winding": w["winding"] + 1})
        assert not verify_tunnel(region, XYZ, {**w, "line": {**w["line"], "column": [0, 0]}})
    else:  # a closed loop round a bounded obstacle: its points are outside, the linking number exact
        ring = [tuple(Fraction(p[str(s)]) for s in XYZ) for p in w["outside_loop"]]
        for a, b in zip(ring, ring[1:] + ring[:1]):
            for t in (Fraction(0), Fraction(1, 3), Fraction(1, 2)):
                assert not region.contains({s: sp.Rational(str(p + t * (q - p))) for s, p, q in zip(XYZ, a, b)})
        assert linking_number(points, ring) == w["linking"] != 0
        assert abs(linking_number(ring, points)) == abs(w["linking"])
        assert not verify_tunnel(region, XYZ, {**w, "linking": w["linking"] + 1})
        assert not verify_tunnel(region, XYZ, {**w, "outside_loop_cells": w["outside_loop_cells"][1:], "outside_loop": w["outside_loop"][1:]})
    assert not verify_tunnel(region, XYZ, {**w, "loop_cells": w["loop_cells"][::-1]})


def test_check_simply_connected_uses_the_tunnel():
    r = check_simply_connected(Region(BALL, x**2 + y**2 > sp.Rational(1, 4)), XYZ)
    assert (r.verdict, r.method, r.witness["reason"]) == ("refuted", "certified-loop", "tunnel")


def test_void_is_not_refuted():
    shell = Region(BALL, (x**2 + y**2 + z**2 < 1) & (x**2 + y**2 + z**2 > sp.Rational(1, 16)))
    assert certified_tunnel(shell, XYZ, (5, 7)) is None
    ball = Region(BALL, x**2 + y**2 + z**2 < 1)
    assert certified_tunnel(ball, XYZ, (5,)) is None


def test_random_axis_aligned_regions_against_independent_routes():
    """Unions of random integer boxes: the cubes agree with the region at exact points, and the
    T1/T2 verdicts with the Euler-characteristic and face-walk routes on those cubes."""
    rng = random.Random(21)
    seen = set()
    for _ in range(12):
        pieces = []
        for _ in range(rng.randint(2, 4)):
            lo = [rng.randint(0, 2) for _ in range(3)]
            hi = [rng.randint(v + 1, 3) for v in lo]
            pieces.append(sp.And(*[s > a for s, a in zip(XYZ, lo)], *[s < b for s, b in zip(XYZ, hi)]))
        region = Region(BOX3, sp.Or(*pieces))
        cubes = region_cubes(region, XYZ)
        if cubes is None:  # two boxes meeting along a face: the shared face is not in the region
            continue
        for _ in range(60):
            p = tuple(sp.Rational(rng.randint(1, 11), 4) for _ in range(3))
            assert cubes.contains(p) == region.contains(dict(zip(XYZ, p)))
        unit = set(cubes.cubes)  # the topology depends on the cubes only, not on the grid lines
        shape = tuple(len(lines) - 1 for lines in cubes.lines)
        b0, b1, _ = _euler_alexander_betti(unit)
        t1 = check_simply_connected(region, XYZ)
        assert t1.verdict == ("proved" if (b0, b1) == (1, 0) else "refuted")
        t2 = check_slices(region, [[x], [y, z]], "both", XYZ)
        brute = all(_brute_slices(unit, shape, free) for free in ((0,), (1, 2)))
        assert t2.verdict == ("proved" if brute else "refuted")
        seen.add((t1.verdict, t2.verdict))
    assert len(seen) >= 2


def test_u_shape_has_disconnected_plane_slices():
    region = Region(BOX3, (z < 1) | (x < 1) | (x > 2))
    assert check_simply_connected(region, XYZ).verdict == "proved"
    t2 = check_slices(region, [[x, y], [z]], "co-slices", XYZ)
    assert t2.verdict == "refuted"
    height = sp.Rational(t2.witness["fixed_values"]["z"])
    assert height >= 1  # at the slab's top face z = 1 already: that face is not in the region
    pts = [{x: sp.Rational(a, 2), y: sp.Rational(3, 2), z: height} for a in (1, 3, 5)]
    assert [region.contains(p) for p in pts] == [True, False, True]

"""T1 and T2 on non-convex regions (docs/mathematics.md 9.2) against an independent route: a fine
raster of the region (numpy, 401 x 401 samples), its holes counted by scipy's labelling of the
complement and its slices by counting runs along rows and columns."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy import ndimage

from theory import Box, Generator, Region, check
from theory.theorems.topology import check_simply_connected, check_slices

x, y = sp.symbols("x y", real=True)
R = sp.Rational
BOX = Box({x: (-1, 1), y: (-1, 1)})

REGIONS = {
    "annulus": (x**2 + y**2 > R(1, 4)) & (x**2 + y**2 < R(9, 10)),
    "L": (x < 0) | (y < 0),
    "C": ~((x > R(-1, 2)) & (y > R(-1, 2)) & (y < R(1, 2))),
    "square-hole": (x < R(-1, 2)) | (x > R(1, 2)) | (y < R(-1, 2)) | (y > R(1, 2)),
    "disk-minus-disk": (x**2 + y**2 < R(9, 10)) & ((x - R(1, 4)) ** 2 + y**2 > R(1, 25)),
    "cross": x**2 * y**2 < R(1, 16),
    "two-bumps": y < x**2 * (1 - x**2) * 4 - R(1, 2),
}


def _raster(cond, n: int = 401) -> np.ndarray:
    f = sp.lambdify((x, y), cond, "numpy")
    g = np.linspace(-1, 1, n + 2)[1:-1]  # open box: no boundary samples
    X, Y = np.meshgrid(g, g, indexing="ij")
    return np.asarray(f(X, Y), dtype=bool)


def _raster_holes(mask: np.ndarray) -> int:
    padded = np.pad(~mask, 1, constant_values=True)
    labels, count = ndimage.label(padded, structure=np.ones((3, 3)))
    return count - 1  # the component touching the frame is not a hole


def _raster_components(mask: np.ndarray) -> int:
    return ndimage.label(mask)[1]


def _max_runs(mask: np.ndarray, axis: int) -> int:
    lines = mask if axis == 0 else mask.T
    return max(int(np.sum(np.diff(np.concatenate([[0], row.astype(int), [0]])) == 1)) for row in lines)


@pytest.mark.parametrize("name", sorted(REGIONS))
def test_region_topology_against_a_raster(name):
    region = Region(BOX, REGIONS[name])
    mask = _raster(REGIONS[name])
    t1 = check_simply_connected(region, (x, y))
    holes, parts = _raster_holes(mask), _raster_components(mask)
    if t1.verdict == "proved":
        assert holes == 0 and parts == 1, (name, holes, parts)
    elif t1.verdict == "refuted":
        assert holes >= 1 or parts > 1, (name, holes, parts)
        if t1.method == "certified-loop":  # the witness point is outside the region, exactly
            q = {sp.Symbol(k, real=True): sp.Rational(v) for k, v in t1.witness["outside_point"].items()}
            assert not region.contains(q)
    t2 = check_slices(region, [[0], [1]], "both", (x, y))
    runs = max(_max_runs(mask, 0), _max_runs(mask, 1))
    if t2.verdict == "proved":
        assert runs <= 1, (name, runs)
    elif t2.verdict == "refuted":
        assert runs >= 2, (name, runs)
        if t2.method == "z3-nlsat":  # three exact collinear points: outer two in, middle out
            pts = [{sp.Symbol(k, real=True): sp.Rational(v) for k, v in p.items()} for p in t2.witness["points"]]
            assert region.contains(pts[0]) and not region.contains(pts[1]) and region.contains(pts[2])


def test_expected_verdicts():
    """The issue's examples: an annulus refutes T1, L and C shapes (axis-aligned) are decided on
    their exact grid, a hole refutes T1, and a star-shaped non-convex region proves T1."""
    verdicts = {name: check_simply_connected(Region(BOX, cond), (x, y)) for name, cond in REGIONS.items()}
    assert (verdicts["annulus"].verdict, verdicts["annulus"].method) == ("refuted", "certified-loop")
    assert (verdicts["L"].verdict, verdicts["L"].method) == ("proved", "grid-topology")
    assert (verdicts["C"].verdict, verdicts["C"].method) == ("proved", "grid-topology")
    assert verdicts["square-hole"].verdict == "refuted"
    assert verdicts["disk-minus-disk"].verdict == "refuted"
    assert (verdicts["cross"].verdict, verdicts["cross"].method) == ("proved", "star-shaped")
    c = check_slices(Region(BOX, REGIONS["C"]), [[0], [1]], "both", (x, y))
    assert c.verdict == "refuted"
    cross = check_slices(Region(BOX, REGIONS["cross"]), [[0], [1]], "both", (x, y))
    assert cross.verdict == "proved"


def test_a_line_removed_is_not_mistaken_for_its_grid():
    """(x < 0) | (x > 0): the true cells' shared edge x = 0 is missing; the grid route declines
    and nothing claims T1 (the region is disconnected)."""
    region = Region(BOX, (x < 0) | (x > 0))
    r = check_simply_connected(region, (x, y))
    assert r.verdict != "proved"


def test_theorem_1_on_an_annulus_generator():
    g = Generator("annulus", [[x], [y]], [x, y], Region(BOX, REGIONS["annulus"]), points=[{x: R(1, 2), y: R(1, 2)}])
    by = {r.criterion: r for r in check(g, ["T1", "T2"], isolate=False)}
    assert by["T1"].verdict == "refuted" and by["T2"].verdict == "refuted"

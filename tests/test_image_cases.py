"""The bundled image cases (cases/i0*.py) and the structured routes of global Type S,
irreducibility, spanning and local injectivity (theory.image.rank, theory.image.spanning,
theory.image.checks).

Every verdict is compared with an independent computation: the general route on the same
scene written as plain sympy expressions (``ImageGenerator.plain()``) on a cropped copy (the
scene translated so that the grid just holds every pixel an object can reach: the dropped
pixels are zero rows, and a translation of the latents changes no criterion), or a brute force
over exact points with derivatives taken by sympy from the pixels' own expressions.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
import sympy as sp

import cases
from theory import Box, check
from theory.criteria.context import CheckContext
from theory.criteria.spanning import check_spanning
from theory.criteria.sparsity_gap import check_sparsity_gap_at
from theory.image import Bump, Gaussian, ImageGenerator, Sprite
from theory.image.rank import block_certificate, immersion_certificate
from theory.image.spanning import check_spanning_image
from theory.linalg.rational import rank
from theory.theorems.statements import theorem_report
from tests.box_points import box_points

R = sp.Rational
IMAGE_CASES = ["i01-sliding-bumps", "i02-overlapping-sliders", "i03-overlapping-lamps"]
x1, y1, x2, y2, b1, b2 = sp.symbols("x1 y1 x2 y2 b1 b2", real=True)


@pytest.fixture(scope="module")
def image_cases():
    return {g.name: g for g in cases.load_bundled() if g.name in IMAGE_CASES}


def cropped(g: ImageGenerator) -> ImageGenerator:
    """``g`` translated so that its grid just holds the pixels some object can reach."""
    pixels = set().union(*g.reached)
    xs, ys = [g.grid.centre(t)[0] for t in pixels], [g.grid.centre(t)[1] for t in pixels]
    X0, Y0 = min(xs), min(ys)
    shift, sprites = {}, []
    for o in g.objects:
        for c, d in ((o.x, X0), (o.y, Y0)):
            if isinstance(c, sp.Symbol):
                shift[c] = d
        x = o.x if isinstance(o.x, sp.Symbol) else o.x - X0
        y = o.y if isinstance(o.y, sp.Symbol) else o.y - Y0
        sprites.append(Sprite(o.profile, x, y, brightness=o.brightness, scale=o.scale, intensity=o.intensity))
    box = {s: tuple(v - shift.get(s, 0) for v in g.domain.interval(s)) for s in g.latents}
    points = [{s: p[s] - shift.get(s, 0) for s in g.latents} for p in g.points]
    factors = {k: list(v) for k, v in g.factors.items()}
    return ImageGenerator(g.name + "-cropped", (max(ys) - Y0 + 1, max(xs) - X0 + 1), sprites, Box(box), points, factors=factors)


def _by_key(results) -> dict:
    return {(r.criterion, r.scope): r for r in results}


# -- the bundled cases against the plain route -----------------------------------------------------------------
@pytest.mark.parametrize("name", IMAGE_CASES)
def test_bundled_image_case_matches_the_plain_route_on_a_cropped_copy(name, image_cases):
    g = image_cases[name]
    small = cropped(g)
    assert small.m < g.m
    criteria = "D,M,H2,S,irreducible:D" + (",spanning" if name != "i01-sliding-bumps" else "")
    fast = _by_key(check(g, criteria, isolate=False))
    assert _by_key(check(small, criteria, isolate=False)).keys() == fast.keys()
    assert {k: r.verdict for k, r in _by_key(check(small, criteria, isolate=False)).items()} == {k: r.verdict for k, r in fast.items()}
    slow = _by_key(check(small.plain(), criteria, isolate=False, budget=30))
    assert slow.keys() == fast.keys()
    decided = 0
    for key, r in fast.items():
        assert r.verdict != "unknown", (key, r.details)
        if slow[key].verdict != "unknown":
            assert r.verdict == slow[key].verdict, (key, r.method, slow[key].method)
            decided += 1
    assert decided >= len(fast) - 1  # the general route decides all but at most one (global S without D)


@pytest.mark.parametrize("name", IMAGE_CASES)
def test_theorem_4_is_decided_on_every_image_case(name, image_cases):
    g = image_cases[name]
    rep = theorem_report(g, 4, context=CheckContext(g, seed=0))
    refuted = [h for h, rs in rep.results.items() if any(r.verdict == "refuted" for r in rs)]
    assert rep.conclusion == "established" or refuted, rep.reason
    if rep.conclusion == "established":  # every hypothesis proved on all of S by a structured route
        for h in ("S", "irreducible:S", "T3"):
            assert any(r.scope == "global" and r.verdict == "proved" for r in rep.results[h]), h


def test_linear_scene_global_s_is_s_at_any_point(image_cases):
    """i03 is linear in its brightnesses: Type S at s* (the structured global verdict) is Type S at
    seeded random points, by the general rho engines on the plain cropped copy."""
    g = image_cases["i03-overlapping-lamps"]
    glob = _by_key(check(g, "S", isolate=False))[("S", "global")]
    plain = cropped(g).plain()
    ctx = CheckContext(plain, seed=3)
    for point in ctx.random_points(2):
        assert check_sparsity_gap_at(ctx, point).verdict == glob.verdict


# -- rank certificates against brute force -----------------------------------------------------------------------
def _scenes() -> list[ImageGenerator]:
    return [
        ImageGenerator("movers", (9, 10), [Sprite(Bump(3), x1, y1), Sprite(Bump(2), x2, y2)],
                       Box({x1: (3, 4), y1: (3, R(9, 2)), x2: (R(15, 2), 8), y2: (5, R(11, 2))})),
        ImageGenerator("blob", (6, 6), [Sprite(Gaussian(2), x1, y1, intensity=R(1, 2))], Box({x1: (2, 3), y1: (2, 3)})),
        ImageGenerator("bright", (7, 7), [Sprite(Bump(3), x1, y1, brightness=b1), Sprite(Bump(2), 5, 5, brightness=b2)],
                       Box({x1: (2, 3), y1: (2, 3), b1: (1, 2), b2: (-2, -1)}), factors=[[x1, y1], [b1], [b2]]),
    ]


def _exact_row(g, t: int, latents, point) -> list[sp.Expr]:
    """Partials of pixel ``t``'s own sympy expression (every object written), evaluated exactly."""
    expr = g.pixel_expression(t)
    out = []
    for a in latents:
        v = sp.diff(expr, g.latents[a]).xreplace(point)
        assert v.is_number
        out.append(v)
    return out


def _sympy_rank(rows) -> int:
    return sp.Matrix(rows).rank(simplify=True) if rows else 0


@pytest.mark.parametrize("g", _scenes() + [c for c in cases.load_bundled() if c.name in IMAGE_CASES], ids=lambda g: g.name)
def test_rank_certificates_hold_at_random_points(g):
    certified = 0
    for k, block in enumerate(g.blocks):
        for what in ("rank", "irreducible"):
            cert = block_certificate(g, k, what)
            if cert is None:
                continue
            certified += 1
            for point in box_points(g, 3, seed=k):
                rows = [_exact_row(g, t, block, point) for t in cert["rows"]]
                assert _sympy_rank(rows) == len(block), (g.name, k, what, point)
                if what == "irreducible" and len(block) == 2:  # at least three directions: a connected matroid
                    directions = {sp.simplify(r[0] / r[1]) if r[1] != 0 else sp.oo for r in rows if any(v != 0 for v in r)}
                    assert len(directions) >= 3
    assert certified > 0
    cert = immersion_certificate(g)
    if cert is not None:
        rows = sorted({t for c in cert["blocks"].values() for t in c["rows"]})
        for point in box_points(g, 2, seed=7):
            assert _sympy_rank([_exact_row(g, t, range(g.d), point) for t in rows]) == g.d


def test_lattice_lemmas_by_brute_force():
    """Three non-collinear lattice points span the plane from any position; five with no three
    collinear lie on at least three lines through any position (the position may be one of them)."""
    rng = random.Random(11)
    cells = [(i, j) for i in range(4) for j in range(4)]

    def collinear(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) == (b[1] - a[1]) * (c[0] - a[0])

    def lines(points, p):
        out = set()
        for q in points:
            dx, dy = Fraction(q[0]) - p[0], Fraction(q[1]) - p[1]
            if dx or dy:
                out.add(dy / dx if dx else None)
        return out

    checked = 0
    for _ in range(300):
        pts = rng.sample(cells, 5)
        if any(collinear(*c) for c in itertools.combinations(pts, 3)):
            continue
        for p in [tuple(Fraction(v) for v in pts[0])] + [(Fraction(rng.randint(-8, 32), 8), Fraction(rng.randint(-8, 32), 8)) for _ in range(20)]:
            assert len(lines(pts, p)) >= 3
            assert rank([[Fraction(q[0]) - p[0], Fraction(q[1]) - p[1]] for q in pts[:3]]) == 2
            checked += 1
    assert checked > 100


# -- spanning against the general route ------------------------------------------------------------------------------
def _small_scenes() -> list[ImageGenerator]:
    return [
        ImageGenerator("one", (4, 4), [Sprite(Bump(2), x1, y1)], Box({x1: (1, 2), y1: (1, 2)})),
        ImageGenerator("lamps", (4, 5), [Sprite(Bump(2), 1, 1, brightness=b1), Sprite(Bump(2), 3, 2, brightness=b2)], Box({b1: (1, 2), b2: (1, 2)})),
        ImageGenerator("blob", (4, 4), [Sprite(Gaussian(2), x1, y1, brightness=b1, intensity=R(1, 2))], Box({x1: (1, 2), y1: (1, 2), b1: (1, 2)})),
        ImageGenerator("lamp-and-slider", (4, 5), [Sprite(Bump(2), 1, 1, brightness=b1), Sprite(Bump(2), x2, 2)], Box({b1: (1, 2), x2: (2, 3)})),
    ]


@pytest.mark.parametrize("g", _small_scenes(), ids=lambda g: g.name)
def test_spanning_matches_the_general_route(g):
    fast = check_spanning_image(CheckContext(g))
    slow = check_spanning(CheckContext(g.plain()))
    assert fast.verdict != "unknown"
    if slow.verdict != "unknown":
        assert fast.verdict == slow.verdict
    if fast.verdict == "refuted":  # the dependency is an identically zero combination of the pixel's partials
        t, dep = fast.witness["output"], fast.witness["dependency"]
        combination = sum(sp.Rational(v) * sp.diff(g.pixel_expression(t), sp.Symbol(k, real=True)) for k, v in dep.items())
        for point in box_points(g, 4, seed=2):
            assert sp.simplify(combination.xreplace(point)) == 0


@pytest.mark.parametrize("name", IMAGE_CASES)
def test_every_refutation_of_an_image_case_reverifies(name, image_cases):
    """Each refuted verdict's witness, re-checked by the tests' own oracle (tests/witness_check.py)
    on the pixels' sympy expressions; and every case is decided by ``mechind check``'s plan
    except the pointwise checks the general route leaves open."""
    from tests.witness_check import verify_witness

    g = image_cases[name]
    results = check(g, None, isolate=False)
    refuted = [r for r in results if r.verdict == "refuted"]
    for r in refuted:
        verify_witness(g, r)
    assert all(r.verdict != "unknown" for r in results if r.scope == "global"), [(r.criterion, r.details) for r in results if r.verdict == "unknown"]

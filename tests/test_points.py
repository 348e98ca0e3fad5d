"""The simple rational points of a box (theory.exact.points): the lazy enumeration against the
plain one (every numerator of every denominator, then sorted), and a wide box in bounded time."""

from __future__ import annotations

import random

import sympy as sp

from theory.exact.points import simple_values


def _by_enumeration(lo, hi, limit: int) -> list[sp.Rational]:
    """Every p/q (q <= 12) strictly inside the window, per q sorted by |v| then sign."""
    window = {(-sp.oo, sp.oo): (-3, 3)}.get((lo, hi), (lo if lo != -sp.oo else hi - 6, hi if hi != sp.oo else lo + 6))
    out, seen = [], set()
    for q in range(1, 13):
        candidates = [sp.Rational(p, q) for p in range(int(sp.floor(window[0] * q)), int(sp.ceiling(window[1] * q)) + 1)]
        candidates = sorted((v for v in candidates if lo < v < hi and v not in seen), key=lambda v: (abs(v), bool(v < 0)))
        for v in candidates:
            seen.add(v)
            out.append(v)
            if len(out) >= limit:
                return out
    return out


def test_simple_values_agree_with_the_plain_enumeration():
    rng = random.Random(3)
    for _ in range(60):
        a = sp.Rational(rng.randint(-20, 20), rng.randint(1, 9))
        b = a + sp.Rational(rng.randint(1, 30), rng.randint(1, 9))
        for lo, hi in [(a, b), (-sp.oo, b), (a, sp.oo), (-sp.oo, sp.oo)]:
            for limit in (1, 5, 12, 30):
                assert simple_values(lo, hi, limit) == _by_enumeration(lo, hi, limit), (lo, hi, limit)


def test_a_wide_box_is_not_enumerated():
    """(-1e9, 1e9) and (1e12, 1e12 + 2): the values nearest zero, without listing 2e10 numerators."""
    assert simple_values(-10**9, 10**9, 5) == [0, 1, -1, 2, -2]
    assert simple_values(10**12, 10**12 + 2, 3) == [10**12 + 1, sp.Rational(2 * 10**12 + 1, 2), sp.Rational(2 * 10**12 + 3, 2)]


def test_a_region_far_along_an_unbounded_direction_gets_a_point():
    """{s1 > 10} on R^2: sampling reaches +-3 along unbounded directions and never lands there, so
    the case was refused ("empty or very thin?"); z3's point of the region is used instead, and it
    is re-checked inside the region."""
    from theory import Box, Generator, Region
    from theory.checker import check, check_points, pick

    s1, s2 = sp.symbols("s1 s2", real=True)
    g = Generator("far", [[s1], [s2]], [s1, s2, s1**3 + s2**3], Region(Box({}), s1 > 10))
    (p,) = check_points(g)
    assert p[s1] > 10 and g.domain.contains(p)
    d = pick(check(g, ["D"], isolate=False, budget=20), "D")
    assert d.verdict == "refuted" and d.witness["point"][s1] > 10  # s1**3 + s2**3 depends on both


def test_the_zero_tester_samples_a_far_region_too():
    """The same far region: spanning needs the zero tester's points, which came from sampling alone
    and found none (every partial 'not decided'); d1 - d2 of s1 + s2 is 0, so it is refuted."""
    from theory import Box, Generator, Region
    from theory.checker import check, pick

    s1, s2 = sp.symbols("s1 s2", real=True)
    g = Generator("far", [[s1], [s2]], [s1, s2, s1 + s2], Region(Box({}), s1 > 10))
    assert pick(check(g, ["spanning"], isolate=False, budget=20), "spanning").verdict == "refuted"


def test_a_thin_region_gets_several_points_and_spanning_is_decided():
    """The band (s1^2 - 2)^2 < 10^-80 around s1 = sqrt(2) holds no grid or sampled point; one z3
    point was the only sample, and spanning of s1 * s2 (gradient (s2, s1)) was unknown.  Truth
    by hand: two points of the band with different s2 give gradients (s2, s1) and (s2', s1')
    with s1 ~ s1' ~ sqrt(2), independent whenever s2 != s2'."""
    from theory import Box, Generator, Region, check
    from theory.exact.points import region_points

    a, b = sp.symbols("a b", real=True)
    band = Region(Box({a: (0, 2), b: (-1, 1)}), (a**2 - 2) ** 2 < sp.Rational(1, 10**80))
    points = region_points(band, (a, b), random.Random(0))
    assert len(points) >= 2 and all(band.contains(p) for p in points)
    assert len({p[b] for p in points}) >= 2
    g = Generator("thin", [[a], [b]], [a, b, a * b], band)
    (r,) = [r for r in check(g, criteria=["spanning"], budget=30, isolate=False) if r.scope == "global"]
    assert r.verdict == "proved", r

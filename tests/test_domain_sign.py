"""Signs on the open domain (theory.criteria.domain_sign): z3 on rational functions where the
closed box's interval enclosure cannot decide, checked against exact values at sampled points
(a claimed sign must hold at every point of the domain), and the open-box cases that motivated it."""

from __future__ import annotations

import itertools
import random

import sympy as sp

from theory import Box, Generator, Region
from theory.checker import check, pick
from theory.criteria.domain_sign import sign_on_domain

s1, s2 = sp.symbols("s1 s2", real=True)


def test_claimed_signs_hold_at_every_sampled_point():
    rng = random.Random(5)
    grid = [sp.Rational(k, 9) for k in range(1, 9)]  # inside (0, 1)
    box = Box({s1: (0, 1), s2: (0, 1)})
    claimed = 0
    for _ in range(60):
        p = sum(rng.randint(-2, 2) * m for m in (1, s1, s2, s1 * s2, s1**2)) + rng.choice((0, 1, 3))
        q = sum(rng.randint(0, 2) * m for m in (1, s1, s2, s1**2)) or 1
        u = p / q
        sign = sign_on_domain(u, box, (s1, s2), timeout=5)
        if sign is None:
            continue
        claimed += 1
        for a, b in itertools.product(grid, grid):
            value = u.xreplace({s1: a, s2: b})
            assert value.is_Rational and sp.sign(value) == sign, (u, a, b, sign)
    assert claimed >= 10


def test_open_ends_and_regions():
    box = Box({s1: (0, 1), s2: (-1, 1)})
    assert sign_on_domain(s1, box, (s1, s2)) == 1  # the closed box holds s1 = 0
    assert sign_on_domain(-1 / s1, box, (s1, s2)) == -1  # unbounded near 0
    assert sign_on_domain(1 - s2**2, box, (s1, s2)) == 1
    assert sign_on_domain(s2, box, (s1, s2)) is None
    disc = Region(Box({s1: (-2, 2), s2: (-2, 2)}), s1**2 + s2**2 < 1)
    assert sign_on_domain(2 - s1 - s2, disc, (s1, s2)) == 1  # not on the box: 2 - 2 - 2 < 0 there


def test_log_on_the_open_unit_box():
    """(log s1, s2, s2**3) on (0, 1)^2: log is analytic on (0, oo), d/ds1 = 1/s1 > 0 and
    J = diag(1/s1, 1) with a third row (0, 3 s2**2), so M, S (D with full rank), D-irreducibility
    (1-D factors with nonzero columns), local injectivity (immersion) and C2 all hold on S.  The
    closed box's enclosures include s1 = 0 and left every global check unknown."""
    g = Generator("log-open", [[s1], [s2]], [sp.log(s1), s2, s2**3], Box({s1: (0, 1), s2: (0, 1)}))
    results = check(g, ["M", "S", "irreducible:D", "locally-injective"], isolate=False, budget=20)
    for criterion in ("M", "S", "irreducible:D", "locally-injective"):
        assert pick(results, criterion).verdict == "proved", criterion


def test_piece_conditions_are_decided_on_the_region_not_its_box():
    """Max(s1 + s2, s1) on {s2 > 1/10}: s1 + s2 > s1 everywhere on the region (not on its box),
    so g's output is s1 + s2, whose partials are equal: it does not span (d1 - d2 = 0) and it
    depends on both factors.  With the box alone the piece stayed open and spanning was unknown."""
    g = Generator("max-region", [[s1], [s2]], [sp.Max(s1 + s2, s1), s1, s2], Region(Box({s1: (-1, 1), s2: (-1, 1)}), s2 > sp.Rational(1, 10)))
    spanning = pick(check(g, ["spanning"], isolate=False, budget=20), "spanning")
    assert spanning.verdict == "refuted" and spanning.witness["output"] == 0


def test_a_removable_singularity_does_not_hide_a_rank_drop():
    """(s1 + 1)**4 / (s1 + 1) written unexpanded-over-expanded is (s1 + 1)**3 with 0/0 at s1 = -1:
    its partial tends to 0 there (3 t**2 near t = 0), so the column of s1 is not nonzero on all
    of S.  The rational route excluded the denominator's zeros and proved full rank, hence global
    S and D-irreducibility; it now asks for the numerators' zeros anywhere, as the polynomial
    twin (s1 + 1)**3 is treated."""
    h = sp.expand((s1 + 1) ** 4) / (s1 + 1)
    assert sp.limit(sp.diff(h, s1), s1, -1) == 0  # the truth: the partial's limit at the 0/0 point
    g = Generator("removable-rank-drop", [[s1], [s2]], [h, s2], Box({s1: (-2, 1), s2: (-1, 1)}))
    results = check(g, ["S", "irreducible:D"], isolate=False, budget=20)
    assert pick(results, "S").verdict != "proved" and pick(results, "irreducible:D").verdict != "proved"

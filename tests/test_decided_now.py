"""Questions that were sound but undecided before issue 12, and are decided now.

* H_n on piecewise polynomials goes to z3 nlsat when the zero test cannot decide: a cross
  term living in a thin strip, far out on an unbounded box, or outside a disc region.
* Interval enclosures of constants escalate past 512 bits (a 300-digit cancellation).
Each truth is stated with the reason it holds.
"""

from __future__ import annotations

import sympy as sp

from theory import Box, Generator, Region
from theory.checker import check, pick
from theory.exact.constant_zero import decide_constant
from theory.exact.intervals import certify_sign

s1, s2 = sp.symbols("s1 s2", real=True)
THIRD, EPS = sp.Rational(1, 3), sp.Rational(1, 10**6)


def _h(g: Generator, n: int):
    return pick(check(g, [f"H{n}"], isolate=False), f"H{n}")


def test_cross_term_in_a_thin_strip_is_found():
    # nonzero only for 1/3 < s1 < 1/3 + 1e-6, where d^2/ds1 ds2 = (s1-1/3)^2 (1/3+eps-s1)^2 (...) != 0
    bump = (s1 - THIRD) ** 2 * (THIRD + EPS - s1) ** 2 * s1 * s2
    out = s1 + s2 + sp.Piecewise((bump, sp.And(s1 > THIRD, s1 < THIRD + EPS)), (0, True))
    g = Generator("strip", [[s1], [s2]], [s1, s2, out], Box({s1: (-1, 1), s2: (-1, 1)}))
    result = _h(g, 2)
    assert result.verdict == "refuted"
    x = sp.Rational(result.to_json()["witness"]["point"]["s1"])
    assert THIRD < x < THIRD + EPS


def test_cross_term_far_out_on_an_unbounded_box():
    out = sp.Piecewise(((s1 - 10**6) ** 3 * s2, s1 > 10**6), (0, True))
    g = Generator("far", [[s1], [s2]], [s1, s2, out], Box({s1: (-sp.oo, sp.oo), s2: (-1, 1)}))
    result = _h(g, 2)
    assert result.verdict == "refuted" and sp.Rational(result.to_json()["witness"]["point"]["s1"]) > 10**6


def test_cross_term_outside_the_region_is_proved_absent():
    # the cross term lives where s1^2 + s2^2 > 4, outside the disc: H2 holds on the domain
    # (z3 shows the piece's condition false on the region, so piece selection drops it)
    out = sp.Piecewise((s1**2 * s2**2 * (s1**2 + s2**2 - 4) ** 3, s1**2 + s2**2 > 4), (0, True))
    g = Generator("disc", [[s1], [s2]], [s1, s2, out], Region(Box({s1: (-3, 3), s2: (-3, 3)}), s1**2 + s2**2 < 4))
    result = _h(g, 2)
    assert (result.verdict, result.method) == ("proved", "piece-selection")
    # and on the box (the region dropped) it fails
    g_box = Generator("disc-box", [[s1], [s2]], [s1, s2, out], Box({s1: (-3, 3), s2: (-3, 3)}))
    assert _h(g_box, 2).verdict == "refuted"


def test_interval_precision_escalates():
    c = sp.pi - sp.Rational(int(sp.N(sp.pi, 320) * 10**300), 10**300)  # about 1e-300
    assert certify_sign(c, {})[0] is None  # the default precisions stop at 512 bits
    assert certify_sign(c, {}, precs=(1536,))[0] == 1
    decision = decide_constant(c, timeout=2.0)
    assert (decision.status, decision.method) == ("nonzero", "interval")

"""Piecewise conditions that are not what they look like: built from functions that are not
analytic or not continuous, or comparing sides that differ by a constant that is 0 though not
written 0.

Found by hand-written generators (a soundness hunt): ``Eq(floor(s1), -1)`` holds on the
whole interval ``-1 <= s1 < 0``, ``atan2(0, s1) == pi`` on ``s1 < 0``, so such an ``Eq`` is not
a thin set; ``floor(s1) > -1`` is true at ``s1 = 0`` and false just left of it, so a sign at
a point decides nothing near it; ``(s1 > 0) | (s1 < 0)`` is one piece on both sides of
``s1 = 0``; a ``Contains`` condition has boundaries no comparison shows.  Every truth below is
computed from the generator's values alone (exact rational difference quotients, with sympy
evaluating floor and atan2 exactly), never from the piece rules under test, and every
assertion is "the truth or unknown".
"""

from __future__ import annotations

import sympy as sp

from theory import Box, Generator
from theory.checker import check
from theory.criteria.context import CheckContext
from theory.criteria.smoothness import check_smoothness
from theory.io.casefile import load_toml_text
from theory.model.piecewise import _not_identically_zero, interior_form, robust_truth
from theory.model.regularity import analytic_everywhere, continuous_at

s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
H = sp.Rational(1, 1000)


def _verdicts(g: Generator, criteria: list[str], budget: float = 20) -> dict[tuple[str, str], str]:
    return {(r.criterion, r.scope): r.verdict for r in check(g, criteria, isolate=False, budget=budget)}


def _cross_difference(f: sp.Expr, x: sp.Rational, y: sp.Rational) -> sp.Expr:
    """The exact central cross difference quotient of ``f`` at ``(x, y)`` (step 1/1000)."""
    v = lambda a, b: f.xreplace({s1: a, s2: b})  # noqa: E731
    return sp.nsimplify((v(x + H, y + H) - v(x + H, y - H) - v(x - H, y + H) + v(x - H, y - H)) / (4 * H * H))


def test_eq_of_a_step_function_is_not_thin():
    pw = sp.Piecewise((s1 * s2, sp.Eq(sp.floor(s1), -1)), (0, True))
    assert not _not_identically_zero(sp.floor(s1) + 1)
    assert interior_form(pw) == pw  # the Eq atom stays: it holds on an open set
    half = sp.Rational(1, 2)
    assert _cross_difference(pw, -half, half) == 1  # s1*s2 on the open half s1 < 0: H2 and D fail
    g = Generator("floor-eq", [[s1], [s2]], [s1, s2, pw], BOX)
    v = _verdicts(g, ["H2", "D"])
    assert v[("H2", "global")] != "proved"
    assert v[("D", "global")] != "proved"


def test_eq_of_atan2_on_its_cut_from_a_toml_case():
    (g,) = load_toml_text(
        'name = "atan2-eq"\nlatents = ["s1", "s2"]\nfactors = [["s1"], ["s2"]]\n'
        'outputs = ["s1", "s2", "where(atan2(0, s1) == pi, s1*s2, 0)"]\n[domain]\ns1 = [-1, 1]\ns2 = [-1, 1]\n'
    )
    third = sp.Rational(1, 3)
    assert _cross_difference(g.outputs[2], -sp.Rational(1, 2), third) == 1
    v = _verdicts(g, ["H2", "D"])
    assert v[("H2", "global")] != "proved"
    assert v[("D", "global")] != "proved"


def test_no_false_refutation_where_the_step_is_constant_on_the_domain():
    # floor(s1) = -1 on the whole domain (-1, 0): g3 = 10^60 (s1^2 + s2^2), H2 and D hold
    out = 10**60 * (s1**2 + s2**2) + sp.Piecewise((0, sp.Eq(sp.floor(s1), -1)), (s1 * s2, True))
    g = Generator("floor-huge", [[s1], [s2]], [s1, s2, out], Box({s1: (-1, 0), s2: (-1, 1)}))
    assert _cross_difference(out, -sp.Rational(1, 2), sp.Rational(1, 5)) == 0
    v = _verdicts(g, ["H2", "D"])
    assert v[("H2", "global")] != "refuted"
    assert v[("D", "global")] != "refuted"


def test_separability_not_proved_on_a_wrong_interior_form():
    # near (-1/2, 1/3) g = (s2, s2^2, s1^2 + 3 s1 + 1): d1 g = d11 g = (0, 0, 2), SEP-weak fails
    out = s1**2 + s1 + sp.Piecewise((2 * (s1 + sp.Rational(1, 2)), sp.Eq(sp.floor(s1), -1)), (0, True))
    point = {s1: -sp.Rational(1, 2), s2: sp.Rational(1, 3)}
    g = Generator("floor-sep", [[s1], [s2]], [s2, s2**2, out], BOX, points=[point])
    assert out.xreplace({s1: -sp.Rational(1, 2) + H}) - out.xreplace({s1: -sp.Rational(1, 2)}) == 2 * H + H**2
    assert _verdicts(g, ["sep2"])[("sep2", "point")] != "proved"


def test_smoothness_of_a_polynomial_written_with_a_step_is_not_refuted():
    # g3 = s1^2 + s2^2 everywhere (floor(s1) = -1 on [-1, 0); s1^2 for s1 > 0; s1 = 0 = s1^2 at 0)
    inner = sp.Piecewise((s1**2, s1 > 0), (s1, True))
    out = s2**2 + sp.Piecewise((s1**2, sp.Eq(sp.floor(s1), -1)), (inner, True))
    for k in range(-20, 21):
        x = sp.Rational(k, 20)
        assert out.xreplace({s1: x, s2: sp.Rational(1, 3)}) == x**2 + sp.Rational(1, 9)
    g = Generator("floor-c2", [[s1], [s2]], [s1, s2, out], BOX)
    assert check_smoothness(CheckContext(g), 2).verdict != "refuted"


def test_one_piece_on_both_sides_of_its_boundary_is_no_jump():
    # (s1 > 0) | (s1 < 0) is s1 != 0: g3 = s1 + s1^2 + s2^2 on a dense open set, smooth
    for cond in ((s1 > 0) | (s1 < 0), sp.Not((s1 >= 0) & (s1 <= 0))):
        out = s1**2 + s2**2 + sp.Piecewise((s1, cond), (s1 * s2, True))
        g = Generator("or-c2", [[s1], [s2]], [s1, s2, out], BOX)
        assert check_smoothness(CheckContext(g), 2).verdict != "refuted"
    # a real kink on the same boundary is still found
    kink = Generator("kink", [[s1], [s2]], [s1, s2, sp.Piecewise((s1, (s1 > 0) | (s1 < -2)), (2 * s1, True))], BOX)
    assert check_smoothness(CheckContext(kink), 1).verdict == "refuted"


def test_contains_condition_is_not_a_smooth_piece():
    # jumps by 8/125 across s1 = 0 at s2 = 9/10: g is not continuous
    half = sp.Rational(1, 2)
    pw = sp.Piecewise(((s2 - half) ** 3, sp.Contains(s1, sp.Interval(-1, 0)) & (s2 > half)), (0, True))
    out = s2**2 + pw
    eps = sp.Rational(1, 10**6)
    at = lambda x: out.xreplace({s1: x, s2: sp.Rational(9, 10)})  # noqa: E731
    assert at(-eps) - at(eps) == sp.Rational(8, 125)
    g = Generator("contains", [[s1], [s2]], [s1, s2, s1**2, out], BOX)
    assert check_smoothness(CheckContext(g), 2).verdict != "proved"


def test_a_sign_at_a_jump_is_not_robust():
    jump = s1 + sp.floor(s1) > -sp.Rational(1, 2)  # true at s1 = 0 (0 > -1/2), false just left of it (about -1)
    assert jump.xreplace({s1: 0}) == sp.true and jump.xreplace({s1: -sp.Rational(1, 10**9)}) == sp.false
    assert robust_truth(jump, {s1: 0}) == "boundary"
    assert robust_truth(sp.floor(s1) > -1, {s1: sp.Rational(1, 2)}) == "true"  # sympy writes it s1 >= 0, continuous
    assert robust_truth(s1**2 + sp.Abs(s2) > sp.Rational(1, 5), {s1: sp.Rational(1, 2), s2: 0}) == "true"
    assert not continuous_at(sp.atan2(0, s1), {s1: -sp.Rational(1, 2)})
    assert analytic_everywhere(sp.tanh(s1 * s2) - sp.exp(-s1)) and not analytic_everywhere(sp.atan(1 / s1))


def test_eq_whose_sides_differ_by_a_hidden_zero_holds_everywhere():
    # sqrt(3 - 2 sqrt(2)) = sqrt(2) - 1 (square both sides; both positive): the Eq holds for every
    # s1, so g = (s1, s2) is the identity and D, M and graph hold
    assert sp.expand((sp.sqrt(2) - 1) ** 2) == 3 - 2 * sp.sqrt(2) and sp.sqrt(2) - 1 > 0
    cond = sp.Eq(s1 * sp.sqrt(3 - 2 * sp.sqrt(2)), s1 * (sp.sqrt(2) - 1))
    assert not _not_identically_zero(cond.lhs - cond.rhs)
    point = {s1: sp.Rational(1, 2), s2: sp.S.Zero}
    g = Generator("eq-denest", [[s1], [s2]], [sp.Piecewise((s1, cond), (s1 + s2, True)), s2], BOX, points=[point])
    v = _verdicts(g, ["D", "M", "graph"])
    for key in [("D", "global"), ("D", "point"), ("M", "global"), ("M", "point"), ("graph", "point")]:
        assert v[key] != "refuted", key


def test_eq_with_the_p16_constant_is_not_thin():
    # c = tan(3 pi/11) + 4 sin(2 pi/11) - sqrt(11) = 0 (a classical identity; 0 to 100 digits), so
    # g3 = s1 s2 on all of S and D fails wherever s1 s2 != 0
    c = sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11)
    assert abs(sp.N(c, 110)) < sp.Float("1e-100")
    g = Generator("eq-p16", [[s1], [s2]], [s1, s2, sp.Piecewise((s1 * s2, sp.Eq(c * s1, 0)), (s1, True))], BOX)
    assert _verdicts(g, ["D"], budget=3)[("D", "global")] != "proved"



def test_a_thin_piece_written_without_eq_supplies_no_derivative():
    # (s1 >= 0) & (s1 <= 0) is s1 = 0, and the piece's value there (0) is s1^2/2's: g1 = s1^2/2 on
    # the whole box, so d g1/d s1 = 0 on the line s1 = 0 (M and irreducible:D fail there, and
    # strict S fails: rho = (2, 2)); the global checks took the thin piece's derivative, 1
    for cond in ((s1 >= 0) & (s1 <= 0), s1**2 <= 0):
        g1 = sp.Piecewise((s1, cond), (s1**2 / 2, True))
        for x in (sp.S.Zero, H, -H, sp.Rational(3, 10)):
            assert g1.xreplace({s1: x}) == x**2 / 2
        assert (g1.xreplace({s1: H}) - g1.xreplace({s1: -H})) / (2 * H) == 0
        g = Generator("thin-and", [[s1], [s2]], [g1, s2, s2**3], BOX, points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}])
        v = _verdicts(g, ["M", "S", "irreducible:D"], budget=10)
        for key in [("M", "global"), ("S", "global"), ("irreducible:D", "global")]:
            assert v[key] != "proved", (cond, key)


def test_a_thin_line_along_an_axis_carries_the_partial_derivative():
    # off the line s2 = 1/7, g3 = s2; on it, g3 = s1 - 5/14 (equal to s2 = 1/7 only at s1 = 1/2):
    # along s1 the quotients at (1/2, 1/7) are 1 (the thin formula), so row 3 is (1, 1) and D
    # fails there; the surrounding formula alone says (0, 1).  And the mirror case: a constant thin
    # piece makes d/ds1 = 0 where the surrounding formula s1 + s2 - 1/7 says 1.
    R = sp.Rational
    point = {s1: R(1, 2), s2: R(1, 7)}
    cases = [
        (sp.Piecewise((s2, sp.Ne(s2**2, R(1, 49))), (s1 - R(5, 14), True)), 1, "proved"),
        (sp.Piecewise((R(1, 2), sp.Eq(s2**2, R(1, 49))), (s1 + s2 - R(1, 7), True)), 0, "refuted"),
    ]
    for out, slope, wrong in cases:
        for step in (H, -H, R(1, 10**40)):
            assert (out.xreplace({s1: R(1, 2) + step, s2: R(1, 7)}) - out.xreplace(point)) / step == slope
        g = Generator("thin-line", [[s1], [s2]], [s1, s2, out], BOX, points=[point])
        assert _verdicts(g, ["D"])[("D", "point")] != wrong

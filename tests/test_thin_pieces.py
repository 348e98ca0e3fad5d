"""Piecewise pieces with empty interior, removable singularities and kinks (issue 12, cause 2).

A derivative at a point depends on the values of g on a neighbourhood, so it must come
from the pieces with interior around the point.  Each generator here is written the way
users write removable singularities and switches; every truth is worked out by hand
from the smooth function the Piecewise equals (stated next to it), never from the
Piecewise rule under test.  The assertion is always "the true verdict or unknown".
"""

from __future__ import annotations

import sympy as sp
import pytest

from theory import Box, Generator
from theory.checker import check, pick
from theory.model.derivatives import PointDerivativeUndecided
from theory.model.piecewise import interior_form, local_formulas, robust_truth

s1, s2 = sp.symbols("s1 s2", real=True)
HALF = sp.Rational(1, 2)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})


def _verdicts(g: Generator, criteria: list[str]) -> dict[tuple[str, str], str]:
    return {(r.criterion, r.scope): r.verdict for r in check(g, criteria, isolate=False, budget=20)}


def _never(verdict: str, wrong: str) -> None:
    assert verdict != wrong, f"unsound: {wrong}"


def test_identity_written_with_a_thin_piece_is_not_refuted():
    # Piecewise((s1, Ne(s1, s2)), (s2, True)) is s1 everywhere: g is the identity, D holds.
    g = Generator("ident", [[s1], [s2]], [sp.Piecewise((s1, sp.Ne(s1, s2)), (s2, True)), s2], BOX, points=[{s1: HALF, s2: HALF}])
    v = _verdicts(g, ["D", "M", "H2"])
    for key in [("D", "global"), ("D", "point"), ("M", "global"), ("M", "point"), ("H2", "global")]:
        _never(v[key], "refuted")
    assert v[("D", "point")] == "proved"  # the open piece s1 decides at the thin point


def test_thin_piece_with_the_same_value_but_another_derivative():
    # Piecewise((s1*s2, Ne(s1, 1/2)), (s2/2, True)) = s1*s2 everywhere; at (1/2, 1/2) its
    # gradient is (1/2, 1/2): D fails there (and globally), H2 fails.
    out = sp.Piecewise((s1 * s2, sp.Ne(s1, HALF)), (s2 / 2, True))
    g = Generator("thin-gradient", [[s1], [s2]], [s1, s2, out], BOX, points=[{s1: HALF, s2: HALF}])
    v = _verdicts(g, ["D", "H2"])
    _never(v[("D", "point")], "proved")
    _never(v[("D", "global")], "proved")
    _never(v[("H2", "global")], "proved")
    assert v[("D", "point")] == "refuted"


def test_removable_singularity_is_never_proved_where_it_fails():
    # (exp(s1 s2) - 1)/s1 extended by s2 at s1 = 0 is analytic; at (0, 1/2) its gradient is
    # (s2^2/2, 1) = (1/8, 1): D fails at the point and globally, and H2 fails.
    out = sp.Piecewise(((sp.exp(s1 * s2) - 1) / s1, sp.Ne(s1, 0)), (s2, True))
    g = Generator("removable", [[s1], [s2]], [s1, s2, out], BOX, points=[{s1: 0, s2: HALF}])
    v = _verdicts(g, ["D", "H2"])
    for key in [("D", "point"), ("D", "global"), ("H2", "global")]:
        _never(v[key], "proved")


def test_sinc_like_term_at_its_singular_point():
    # sin(s1 s2)/s1 extended by s2: gradient at (0, 1/2) is (0, 1), the cross derivative
    # d^2/ds1 ds2 at (0, s2) is 0 but H2 fails elsewhere (at (1/2, 1/2) it is -0.2447...).
    out = sp.Piecewise((sp.sin(s1 * s2) / s1, sp.Ne(s1, 0)), (s2, True))
    g = Generator("sinc-like", [[s1], [s2]], [s1, s2, out], BOX, points=[{s1: 0, s2: HALF}])
    v = _verdicts(g, ["D", "H2"])
    _never(v[("D", "global")], "proved")
    _never(v[("H2", "global")], "proved")
    # at (0, 1/2) row 3 is (0, 1): D holds at that point, so it must not be refuted there
    _never(v[("D", "point")], "refuted")


def test_m_failing_on_the_line_hidden_by_a_thin_piece():
    # Piecewise((s2**2, Ne(s2, 0)), (s2, True)) is s2**2 everywhere.  With the other row
    # s1 + s2, on the line s2 = 0 column s2 is (1, 0), inside column s1 = (1, 0): M fails.
    out = sp.Piecewise((s2**2, sp.Ne(s2, 0)), (s2, True))
    g = Generator("thin-line", [[s1], [s2]], [s1 + s2, out], BOX, points=[{s1: HALF, s2: 0}])
    v = _verdicts(g, ["M"])
    _never(v[("M", "global")], "proved")
    _never(v[("M", "point")], "proved")


def test_discontinuous_thin_value_gives_no_derivative():
    # Piecewise((s1, Ne(s1, 1/2)), (7, True)) jumps at s1 = 1/2: no derivative there.
    out = sp.Piecewise((s1 + s2, sp.Ne(s1, HALF)), (7, True))
    g = Generator("jump", [[s1], [s2]], [s1, s2, out], BOX, points=[{s1: HALF, s2: HALF}])
    with pytest.raises(PointDerivativeUndecided):
        g.derivatives.value(2, (0,), {s1: HALF, s2: HALF})
    v = _verdicts(g, ["D"])
    assert v[("D", "point")] == "unknown"


@pytest.mark.parametrize("first", [True, False])
def test_kink_of_max_is_not_decided_by_one_branch(first: bool):
    # Max(s1 + s2, 2 s1) at (0, 0): the one-sided gradients are (1, 1) (D fails) and
    # (2, 0) (D holds): no Jacobian exists, and neither branch may decide.
    a, b = s1 + s2, 2 * s1
    out = sp.Max(a, b) if first else sp.Max(b, a)
    g = Generator("kink", [[s1], [s2]], [s1, s2, out], BOX, points=[{s1: 0, s2: 0}])
    v = _verdicts(g, ["D"])
    assert v[("D", "point")] == "unknown"


def test_smooth_switch_at_its_boundary_keeps_its_derivative():
    # Piecewise((s1**3, s1 > 0), (0, True)) is C^2: at s1 = 0 both pieces have value 0 and
    # derivative 0, so the Jacobian there is determined.
    out = sp.Piecewise((s1**3 + s2, s1 > 0), (s2, True))
    g = Generator("switch", [[s1], [s2]], [s1, out], BOX, points=[{s1: 0, s2: HALF}])
    assert g.derivatives.value(1, (0,), {s1: 0, s2: HALF}) == 0
    assert g.derivatives.value(1, (1,), {s1: 0, s2: HALF}) == 1
    with pytest.raises(PointDerivativeUndecided):  # second order at a boundary: not claimed
        g.derivatives.value(1, (0, 0), {s1: 0, s2: HALF})


def test_interior_form_and_local_formulas_by_hand():
    x, y = s1, s2
    assert interior_form(sp.Piecewise((x, sp.Eq(x, 0)), (y, True))) == y
    assert interior_form(sp.Piecewise((x, sp.And(sp.Ne(x, 0), y > 0)), (y, True))) == sp.Piecewise((x, y > 0), (y, True))
    # an Eq atom that is identically true is not thin: it is kept
    kept = sp.Piecewise((x, sp.Eq(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1)), (y, True))
    assert interior_form(kept).has(sp.Piecewise)
    assert robust_truth(sp.And(x > 0, y < 0), {x: HALF, y: -HALF}) == "true"
    assert robust_truth(sp.Or(x > 0, y < 0), {x: 0, y: HALF}) == "boundary"
    assert robust_truth(sp.Not(x > 0), {x: HALF, y: 0}) == "false"
    f = sp.Piecewise((x, x > 0), (y, y > 0), (0, True))
    assert local_formulas(f, {x: 0, y: HALF}) == [x, y]
    assert local_formulas(f, {x: -HALF, y: -HALF}) == [0]


def test_kink_nested_inside_a_product():
    # (|s1|^3 + 1) s2 is C^2: at s1 = 0 both one-sided formulas give d/ds1 = 0, d/ds2 = 1
    g = Generator("nested", [[s1], [s2]], [s1, (sp.Abs(s1) ** 3 + 1) * s2], BOX)
    p = {s1: 0, s2: HALF}
    assert g.derivatives.value(1, (0,), p) == 0
    assert g.derivatives.value(1, (1,), p) == 1
    # (|s1| + 1) s2 has a kink: d/ds1 is s2 on one side and -s2 on the other
    kinked = Generator("kinked", [[s1], [s2]], [s1, (sp.Abs(s1) + 1) * s2], BOX)
    with pytest.raises(PointDerivativeUndecided):
        kinked.derivatives.value(1, (0,), p)
    assert kinked.derivatives.value(1, (1,), p) == 1


def _directional_quotients(out: sp.Expr, point: dict, direction: tuple, steps=(3, 6, 9)) -> list[sp.Rational]:
    """Exact rational difference quotients of g's own values (Piecewise evaluated at rational
    points by sympy) along ``direction``: the truth the derivative rule must match."""
    base = out.subs(point)
    hs = [sp.Rational(1, 10**k) for k in steps]
    return [(out.subs({s1: point[s1] + h * direction[0], s2: point[s2] + h * direction[1]}) - base) / h for h in hs]


def test_partials_on_a_thin_set_are_not_a_derivative():
    """g3 = s1 - s2 off the diagonal and 5 (s1 - 1/2) on it: continuous at (1/2, 1/2) with
    partials (1, -1), but g moves at rate 5 along (1, 1), where (1, -1) . (1, 1) = 0: g has no
    derivative there, so no J-based verdict may use that point (Type S was refuted there with
    the basis (1, 1), (0, 1), and counterexample built competitors from it)."""
    out = sp.Piecewise((s1 - s2, sp.Ne(s1, s2)), (5 * (s1 - HALF), True))
    p = {s1: HALF, s2: HALF}
    assert _directional_quotients(out, p, (1, 0)) == [1, 1, 1] and _directional_quotients(out, p, (0, 1)) == [-1, -1, -1]
    assert _directional_quotients(out, p, (1, 1)) == [5, 5, 5]
    g = Generator("thin-diagonal", [[s1], [s2]], [s1, s2, out], BOX, points=[p])
    for a in (0, 1):
        with pytest.raises(PointDerivativeUndecided, match="thin piece"):
            g.derivatives.value(2, (a,), p)
    results = check(g, ["D", "S", "M", "irreducible:D", "graph"], isolate=False, budget=20)
    assert all(r.verdict == "unknown" for r in results if r.scope == "point" and r.criterion in ("D", "S", "graph"))


def test_a_thin_piece_flat_along_its_set_keeps_the_derivative():
    """On the diagonal the thin formula differs from s1 - s2 by (s1 - 1/2)**2 (second order) at
    (1/2, 1/2), and by a normal slope 3 (s1 - s2), which is 0 on the set: g is differentiable
    there with gradient (1, -1) in every direction (the quotients along (1, 1) tend to 0)."""
    out = sp.Piecewise((s1 - s2, sp.Ne(s1, s2)), (4 * (s1 - s2) + (s1 - HALF) ** 2, True))
    p = {s1: HALF, s2: HALF}
    along = _directional_quotients(out, p, (1, 1))
    assert along == [sp.Rational(1, 10**3), sp.Rational(1, 10**6), sp.Rational(1, 10**9)]  # -> 0 = (1, -1) . (1, 1)
    g = Generator("thin-flat", [[s1], [s2]], [s1, s2, out], BOX, points=[p])
    assert [g.derivatives.value(2, (a,), p) for a in (0, 1)] == [1, -1]
    (d,) = [r for r in check(g, ["D"], isolate=False, budget=20) if r.scope == "point"]
    assert d.verdict == "refuted"  # row 3 is (1, -1): nonzero in both factors


@pytest.mark.parametrize("thin", [s1**2 <= 0, -(s1**4) >= 0, sp.Abs(s1) <= 0])
def test_a_thin_piece_written_with_le_is_not_lost_by_the_smoothness_proof(thin):
    """Opening s1**2 <= 0 gives s1**2 < 0, which sympy evaluates to false: the piece and its
    boundary vanished from the derivatives' form, and C1, C2, local injectivity and Theorem 2
    were proved for a g that swaps its values on the line s1 = 0 (g(0, e) = g(e, 0) = (e, 0):
    not injective near 0, and not continuous there)."""
    from theory.criteria.context import CheckContext
    from theory.criteria.smoothness import check_smoothness
    from theory.theorems.statements import theorem_report

    out1, out2 = sp.Piecewise((s2, thin), (s1, True)), sp.Piecewise((0, thin), (s2, True))
    for e in (sp.Rational(1, 4), sp.Rational(1, 10**6)):
        at_line = [o.subs({s1: 0, s2: e}) for o in (out1, out2)]
        assert at_line == [o.subs({s1: e, s2: 0}) for o in (out1, out2)] == [e, 0]
    g = Generator("thin-le", [[s1], [s2]], [out1, out2], BOX)
    assert _verdicts(g, ["locally-injective"])[("locally-injective", "global")] != "proved"

    for n in (1, 2):
        assert check_smoothness(CheckContext(g), n).verdict != "proved"
    assert theorem_report(g, 2).conclusion != "established"


def test_a_thin_piece_is_not_hidden_by_the_same_difference_elsewhere():
    """The dropped boundary s1**2 was looked up among every comparison of the output, and
    another Piecewise node comparing s1**2 > 0 hid it: C1, local injectivity and Theorem 2 were
    proved for g = (s2 on s1 = 0 else s1 + s1**7, s2), where g(0, e) = (e, e) = g(x, e) with
    x + x**7 = e, and the value 1/2 at (0, 1/2) is not the limit 0 beside it."""
    from theory.criteria.context import CheckContext
    from theory.criteria.smoothness import check_smoothness
    from theory.theorems.statements import theorem_report

    out = sp.Piecewise((s2, s1**2 <= 0), (s1, True)) + sp.Piecewise((s1**7, s1**2 > 0), (0, True))
    assert out.subs({s1: 0, s2: HALF}) == HALF and out.subs({s1: sp.Rational(1, 10**9), s2: HALF}) < sp.Rational(1, 10**8)
    g = Generator("thin-hidden", [[s1], [s2]], [out, s2], BOX)
    assert check_smoothness(CheckContext(g), 1).verdict != "proved"
    assert _verdicts(g, ["locally-injective"])[("locally-injective", "global")] != "proved"
    assert theorem_report(g, 2).conclusion != "established"

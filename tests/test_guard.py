"""The independent guard (issue 12): finite differences of g's values against exact derivatives.

The guard must (1) estimate derivatives accurately where g is smooth, (2) notice when
finite differences do not converge (g is not differentiable there), and (3) turn a wrong
exact value into ``unknown`` / ``self-check-failed`` wherever a verdict would use it.
(3) is tested by planting bugs in the exact route, since the bugs it exists for are
the ones nobody has found yet.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from mechind.inputs import resolve_cases
from theory import Box, Generator
from theory.checker import check, pick
from theory.model.derivatives import DerivativeTable
from theory.model.guard import BlackBox, SelfCheckFailed, agrees, finite_difference, guard_value

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
P = {s1: sp.Rational(1, 3), s2: sp.Rational(-2, 7), s3: sp.Rational(5, 4)}
BOX = Box({s1: (-1, 1), s2: (-1, 1), s3: (0, 2)})


@pytest.mark.parametrize(
    "expr, alpha",
    [
        (sp.exp(s1 * s2) * sp.sin(s3), (0,)),
        (sp.exp(s1 * s2) * sp.sin(s3), (0, 1)),
        (sp.exp(s1 * s2) * sp.sin(s3), (0, 1, 2)),
        (sp.log(1 + s3) * s1**5 + sp.atan(s2 / s3), (0, 0, 0, 2)),
        (sp.sin(1000001 * sp.pi * s1) * s2, (0, 1)),
        (sp.sin(12 * sp.ilcm(*range(1, 41)) * sp.pi * s1) * s2, (0,)),  # N h = 650 at the first step
        (sp.erfinv(s1 / 2) * sp.besselj(sp.Rational(1, 3), s3), (0, 2)),
    ],
)
def test_finite_differences_match_sympy(expr, alpha):
    g = Generator("g", [[s1], [s2], [s3]], [expr], BOX)
    fd = finite_difference(BlackBox(g), 0, alpha, P)
    assert fd is not None and fd.converged
    exact = expr
    for a in alpha:
        exact = sp.diff(exact, (s1, s2, s3)[a])
    exact = exact.xreplace(P)
    assert agrees(exact, fd)
    assert not agrees(exact + sp.Rational(1, 10**6) * (1 + abs(exact.evalf())), fd)
    with mpmath.workdps(40):
        assert abs(fd.estimate - mpmath.mpf(str(exact.evalf(40)))) < mpmath.mpf(10) ** -12 * (1 + abs(fd.estimate))


def test_jump_does_not_converge():
    g = Generator("jump", [[s1], [s2]], [sp.Piecewise((s1 + 1, s1 > sp.Rational(1, 3)), (s1, True))], Box({s1: (-1, 1), s2: (-1, 1)}))
    fd = finite_difference(BlackBox(g), 0, (0,), {s1: sp.Rational(1, 3), s2: 0})
    assert fd is not None and not fd.converged
    with pytest.raises(SelfCheckFailed):
        guard_value(BlackBox(g), 0, (0,), {s1: sp.Rational(1, 3), s2: 0}, sp.S.One)


def test_no_value_no_opinion():
    # log of a negative number has no real value: the guard has nothing to contradict
    g = Generator("log", [[s1], [s2]], [sp.log(s1) + s2], Box({s1: (0, 1), s2: (-1, 1)}))
    assert finite_difference(BlackBox(g), 0, (0,), {s1: sp.Rational(1, 10**16), s2: 0}) is None


def test_planted_wrong_jacobian_entry_becomes_unknown(monkeypatch):
    g = Generator("mix", [[s1], [s2]], [s1, s2, s1 * s2 + s1], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}])
    honest = pick(check(g, ["D"], isolate=False), "D", "point")
    assert honest.verdict == "refuted"
    original = DerivativeTable.value
    monkeypatch.setattr(DerivativeTable, "value", lambda self, t, alpha, point: sp.S.Zero if (t, alpha) == (2, (1,)) else original(self, t, alpha, point))
    fresh = Generator("mix", [[s1], [s2]], [s1, s2, s1 * s2 + s1], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}])
    result = pick(check(fresh, ["D"], isolate=False), "D", "point")
    assert (result.verdict, result.method) == ("unknown", "self-check-failed")
    assert result.details["disagreement"]["output"] == 2
    assert result.details["disagreement"]["multi_index"] == ["s2"]
    # without the guard the planted bug would have proved D at the point
    unguarded = pick(check(fresh, ["D"], isolate=False, guard=False), "D", "point")
    assert unguarded.verdict == "proved"


def test_planted_wrong_global_zero_becomes_unknown(monkeypatch):
    # a cross derivative the exact route wrongly believes identically zero (the shape of the
    # symengine bug: sinc(s1*s2 + 1) differentiated to 0)
    out = sp.sin(s1 * s2 + 1)
    original = DerivativeTable.derivative
    monkeypatch.setattr(DerivativeTable, "derivative", lambda self, t, alpha: sp.S.Zero if t == 2 and len(alpha) == 2 else original(self, t, alpha))
    g = Generator("cross", [[s1], [s2]], [s1, s2, out], Box({s1: (-1, 1), s2: (-1, 1)}))
    result = pick(check(g, ["H2"], isolate=False), "H2")
    assert (result.verdict, result.method) == ("unknown", "self-check-failed")
    assert result.details["disagreement"]["claim"] == "identically zero on the domain"


def test_planted_wrong_witness_value_is_dropped(monkeypatch):
    # the witness re-check must not share the route it checks: a wrong exact value of a
    # witness entry is caught by the finite differences and the refutation is not reported
    import theory.criteria.witness as witness

    g = Generator("sep", [[s1], [s2]], [s1, s2, s1 + s2**2], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}])
    decision = witness.independent_derivative(g, 2, (1,), {s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)})
    assert decision.is_nonzero and decision.value == sp.Rational(2, 3)
    monkeypatch.setattr(witness, "sympy_derivative", lambda expr, sym, latents: sp.S.One + 0 * sym)
    wrong = witness.independent_derivative(g, 2, (1,), {s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)})
    assert (wrong.status, wrong.method) == ("unknown", "self-check-failed")


def test_bundled_verdicts_do_not_depend_on_the_guard():
    # the guard never changes a correct verdict: P18 (Heaviside pieces), P22 (a hidden trig zero)
    for name in ("p18", "p22"):
        for g in resolve_cases((name,), False):
            on = [(r.criterion, r.scope, r.verdict) for r in check(g, ["D", "M", "H2"], isolate=False)]
            off = [(r.criterion, r.scope, r.verdict) for r in check(g, ["D", "M", "H2"], isolate=False, guard=False)]
            assert on == off


def test_guard_resolves_a_derivative_under_a_huge_value():
    # d12 g3 = 1 under values of size 10^60: at the default precision the rounding floor
    # (about 10^25) would let any claim pass; the guard adds the digits it lacks
    g = Generator("huge", [[s1], [s2]], [s1, s2, 10**60 * (s1**2 + s2**2) + s1 * s2], Box({s1: (-1, 1), s2: (-1, 1)}))
    box, point = BlackBox(g), {s1: -sp.Rational(1, 2), s2: sp.Rational(1, 3)}
    guard_value(box, 2, (0, 1), point, sp.S.One)
    try:
        guard_value(box, 2, (0, 1), point, sp.S.Zero)
    except SelfCheckFailed:
        pass
    else:
        raise AssertionError("the guard accepted d12 g3 = 0 for s1*s2 + 10^60 (s1^2 + s2^2)")


def test_a_latent_named_pi_does_not_shadow_the_constant():
    # the guard's compiled function must keep sp.pi the number: d/dpi of pi_constant * pi_latent**2 at 1/2 is pi
    p_latent, y = sp.symbols("pi y", real=True)
    g = Generator("named-pi", [[p_latent], [y]], [p_latent, y, sp.pi * p_latent**2 + y], Box({p_latent: (-1, 1), y: (-1, 1)}))
    point = {p_latent: sp.Rational(1, 2), y: sp.Rational(1, 3)}
    guard_value(BlackBox(g), 2, (0,), point, sp.pi)
    with pytest.raises(SelfCheckFailed):
        guard_value(BlackBox(g), 2, (0,), point, sp.Rational(1, 2))  # what pi = 1/2 in place of the constant would give


def test_a_steep_polynomial_is_not_a_false_alarm():
    """10^120 s1^3 at s1 = 0: the exact first derivative is 0, and central differences are
    10^120 h^2, which shrink like h^2 but reach a small error only below h ~ 1e-64; the guard
    called it non-convergent and every check at the point failed its self-check.  It now refines
    while the differences keep shrinking.  At a kink (|s| at 0) they do not shrink, and the
    guard still refuses a derivative there."""
    s1, s2 = sp.symbols("s1 s2", real=True)
    g = Generator("steep", [[s1], [s2]], [s1, s2, 10**120 * s1**3 + s2, sp.Abs(s1) + s2], Box({s1: (-1, 1), s2: (-1, 1)}))
    box = BlackBox(g)
    at0 = {s1: sp.S(0), s2: sp.Rational(1, 2)}
    fd = finite_difference(box, 2, (0,), at0)
    assert fd.converged and abs(fd.estimate) < 1e-8
    guard_value(box, 2, (0,), at0, sp.S.Zero)  # no false alarm
    with pytest.raises(SelfCheckFailed):
        guard_value(box, 3, (0,), at0, sp.S.One)  # d|s1|/ds1 does not exist at 0

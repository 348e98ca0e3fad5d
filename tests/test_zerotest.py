"""The sound zero test: hidden zeros are never called nonzero, near-zeros never zero."""

from __future__ import annotations

import pytest
import sympy as sp

from theory.budget import Budget
from theory.model.domain import Box
from theory.exact.zerotest import ZeroTester, exp_normal_form, rational_zero_test
from tests.witness_check import is_nonzero

s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
C16 = sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11)
C17 = sp.acos(sp.Rational(5, 13)) - 2 * sp.atan(sp.Rational(2, 3))

HIDDEN_ZEROS = [
    (sp.cos(2 * s2) + 2 * sp.sin(s2) ** 2 - 1, "exp-normal-form"),
    (sp.sin(s1 + s2) - sp.sin(s1) * sp.cos(s2) - sp.cos(s1) * sp.sin(s2), "exp-normal-form"),
    (sp.tanh(s1) - (sp.exp(2 * s1) - 1) / (sp.exp(2 * s1) + 1), "exp-normal-form"),
    (sp.exp(s1 / 2) ** 3 - sp.exp(3 * s1 / 2) * (1 + 0 * s2), None),
    (sp.cosh(s1) ** 2 - sp.sinh(s1) ** 2 - 1, "exp-normal-form"),
    (2 * C16 * s1 * s2, "minimal-polynomial"),
    ((sp.sqrt(2) + sp.sqrt(3)) ** 2 * s1 - (5 + 2 * sp.sqrt(6)) * s1, None),
    (s1 / (1 + s2**2) - s1 * (1 - s2**2) / (1 - s2**4), "rational-canonical-form"),
    (sp.exp(sp.log(1 + s1**2)) - 1 - s1**2, None),
    (sp.Heaviside(s2 - 2) * s1 * s2, "piece-selection"),
]


@pytest.mark.parametrize("expr, method", HIDDEN_ZEROS, ids=[str(e) for e, _ in HIDDEN_ZEROS])
def test_hidden_zeros_are_proved_zero(expr, method):
    from theory.model.piecewise import piecewise_normal_form

    result = ZeroTester(BOX, (s1, s2)).test(piecewise_normal_form(expr))
    assert result.status == "zero", result
    if method is not None:
        assert result.method == method


NEAR_ZEROS = [
    sp.Rational(1, 10**30) * s1 * s2,
    sp.sin(s1) * sp.Rational(1, 10**25),
    (sp.exp(sp.pi * sp.sqrt(163)) - 640320**3 - 744) * s1,
    s1**40,
    sp.cos(2 * s2) + 2 * sp.sin(s2) ** 2 - 1 + sp.Rational(1, 10**20) * s1,
    sp.atan(s1) + sp.atan(1 / s1),  # pi/2 sign(s1): nonzero, not polynomial
]


@pytest.mark.parametrize("expr", NEAR_ZEROS, ids=str)
def test_near_zeros_are_nonzero_with_a_verified_point(expr):
    result = ZeroTester(BOX, (s1, s2)).test(expr)
    assert result.status == "nonzero", result
    assert BOX.contains(result.point)
    assert is_nonzero(sp.sympify(expr).subs(result.point))


def test_undecidable_constant_gives_unknown_never_a_verdict():
    tester = ZeroTester(BOX, (s1, s2))
    for expr in (2 * C17 * s1, 2 * C17, C17 * sp.exp(s1)):
        assert tester.test(expr).status == "unknown"


def test_budget_exhaustion_is_unknown():
    budget = Budget(1e-9)
    result = ZeroTester(BOX, (s1, s2), budget=budget).test(sp.sin(s1) ** 2 + sp.cos(s1) ** 2 - 1 + s2 * 0)
    assert result.status == "unknown" and result.method == "budget-exhausted"


def test_exp_normal_form_units():
    form = exp_normal_form(sp.exp(s1 / 2) * sp.exp(s1 / 3) - sp.exp(5 * s1 / 6), (s1, s2))
    assert rational_zero_test(form.expr, form.variables) == "zero"


def test_rational_zero_test_needs_a_nonzero_denominator():
    assert rational_zero_test(s1 / (C16 * s2 + C16), (s1, s2)) == "unknown"
    assert rational_zero_test(s1 / (1 + s2**2), (s1, s2)) == "nonzero"


def test_a_nonzero_piece_on_a_small_part_of_the_domain_is_found():
    """Piecewise((s1 - 99/100, s1 > 99/100), (0, True)) is nonzero only on 1/200 of the box,
    where sampled points rarely fall (the test was `unknown`); z3's point of the piece's
    condition, off every boundary, is a witness.  Truth: the value at the witness by sympy, and
    the piece's condition there."""
    import sympy as sp

    from theory import Box
    from theory.exact.zerotest import ZeroTester

    a, b = sp.symbols("a b", real=True)
    f = sp.Piecewise((a - sp.Rational(99, 100), a > sp.Rational(99, 100)), (0, True))
    result = ZeroTester(Box({a: (-1, 1), b: (-1, 1)}), (a, b), seed=0).test(f)
    assert result.status == "nonzero", result
    assert result.point[a] > sp.Rational(99, 100) and f.xreplace(result.point) > 0


def test_spanning_with_a_small_cubic_piece_is_proved():
    """Output s1 + s2 + (s1 - 9/10)^3 for s1 > 9/10 (0 otherwise): its gradient is (1, 1) on 95%
    of the box and (1 + 3 (s1 - 9/10)^2, 1) on the rest, so the row spans R^2; the dependency
    (-1, 1) of the sampled gradients was left undecided.  Truth: exact difference quotients of
    g's values at (19/20, 0) and (1/2, 1/3), whose determinant is 3/400."""
    from theory import Generator, check

    out = s1 + s2 + sp.Piecewise(((s1 - sp.Rational(9, 10)) ** 3, s1 > sp.Rational(9, 10)), (0, True))
    h = sp.Rational(1, 10**12)

    def gradient(p):
        return [(out.xreplace({**p, v: p[v] + h}) - out.xreplace({**p, v: p[v] - h})) / (2 * h) for v in (s1, s2)]

    u, v = gradient({s1: sp.Rational(19, 20), s2: sp.Integer(0)}), gradient({s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)})
    assert abs(u[0] * v[1] - u[1] * v[0] - sp.Rational(3, 400)) < sp.Rational(1, 10**20)
    g = Generator("small-piece", [[s1], [s2]], [s1, s2, out], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}])
    (r,) = [r for r in check(g, criteria=["spanning"], budget=30, isolate=False) if r.scope == "global"]
    assert r.verdict == "proved", r

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

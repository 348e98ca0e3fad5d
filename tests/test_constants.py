"""Deciding constants (docs/mathematics.md 2.3) and the forbidden shortcuts of 2.4."""

from __future__ import annotations

import sympy as sp

from theory.exact.constant_zero import decide_constant

C16 = sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11)
C17 = sp.acos(sp.Rational(5, 13)) - 2 * sp.atan(sp.Rational(2, 3))


def test_rationals_and_structural_zero():
    assert decide_constant(sp.Rational(3, 4)).status == "nonzero"
    assert decide_constant(sp.S.Zero).method == "structural"


def test_p16_constant_is_zero_through_its_minimal_polynomial():
    assert sp.simplify(C16) != 0  # simplify misses it (docs/mathematics.md 2.1) ...
    result = decide_constant(C16)
    assert (result.status, result.method, result.minimal_polynomial) == ("zero", "minimal-polynomial", "x")


def test_p16_entry_is_exactly_two_thirds():
    result = decide_constant(sp.Rational(2, 3) + sp.Rational(4, 9) * C16, exact_value=True)
    assert result.status == "nonzero" and result.value == sp.Rational(2, 3)
    assert result.minimal_polynomial == "3*x - 2"


def test_p17_constant_stays_undecided():
    assert sp.nsimplify(C17) == 0  # nsimplify says 0: right here only by luck, and never a proof
    result = decide_constant(C17)
    assert result.status == "unknown"


def test_tiny_nonzero_is_not_called_zero():
    eps = sp.exp(sp.pi * sp.sqrt(163)) - 640320**3 - 744
    assert float(eps) == 0.0 or abs(float(eps)) < 1e-3  # doubles cannot see it
    assert decide_constant(eps).status == "nonzero"
    assert decide_constant(sp.Rational(1, 10**40)).status == "nonzero"


def test_complex_constants_split_into_parts():
    assert decide_constant(sp.exp(sp.I * sp.pi / 7) * sp.exp(-sp.I * sp.pi / 7) - 1).status == "zero"
    assert decide_constant(sp.I * C16 + C16).status == "zero"
    assert decide_constant(sp.I * (1 + C16)).status == "nonzero"


def test_cheap_mode_never_runs_the_slow_tiers():
    assert decide_constant(C16, cheap=True).status == "unknown"
    assert decide_constant(1 + C16, cheap=True).status == "nonzero"

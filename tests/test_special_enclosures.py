"""Enclosures of special functions through FLINT balls (theory.exact.intervals) against mpmath
at 60 digits (an independent implementation): every enclosure contains the value, is narrow on
a thin input, and there is none where sympy's function is not real or not finite."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from theory import Box, Generator, check
from theory.exact.intervals import NoEnclosure, certify_sign, enclose

X = sp.Symbol("x", real=True)

#: sympy expression in x, the mpmath value at a float x (60 digits), the range of x tried
CASES = [
    (sp.erf(X), lambda x: mpmath.erf(x), (-3, 3)),
    (sp.erfc(X), lambda x: mpmath.erfc(x), (-3, 3)),
    (sp.erfi(X), lambda x: mpmath.erfi(x), (-2, 2)),
    (sp.gamma(X), lambda x: mpmath.gamma(x), (-3, 5)),
    (sp.loggamma(X), lambda x: mpmath.loggamma(x), (0.01, 6)),
    (sp.besselj(0, X), lambda x: mpmath.besselj(0, x), (-9, 9)),
    (sp.besselj(3, X), lambda x: mpmath.besselj(3, x), (-9, 9)),
    (sp.besselj(sp.Rational(1, 3), X), lambda x: mpmath.besselj(mpmath.mpf(1) / 3, x), (0.01, 9)),
    (sp.bessely(1, X), lambda x: mpmath.bessely(1, x), (0.01, 9)),
    (sp.LambertW(X), lambda x: mpmath.lambertw(x).real, (-0.36, 5)),
    (sp.Ei(X), lambda x: mpmath.ei(x), (-4, 4)),
    (sp.Si(X), lambda x: mpmath.si(x), (-6, 6)),
    (sp.Ci(X), lambda x: mpmath.ci(x), (0.01, 6)),
    (sp.polygamma(0, X), lambda x: mpmath.digamma(x), (0.01, 6)),
    (sp.acot(X), lambda x: mpmath.acot(x), (-3, 3)),  # mpmath's acot is atan(1/x): sympy's branch
    (sp.beta(X, sp.Rational(2, 3)), lambda x: mpmath.beta(x, mpmath.mpf(2) / 3), (0.01, 12)),
]


@pytest.mark.parametrize("expr, value, span", CASES, ids=[str(c[0]) for c in CASES])
def test_enclosures_contain_the_value_and_are_narrow(expr, value, span):
    rng = random.Random(str(expr))
    tried = 0
    for _ in range(25):
        q = sp.Rational(rng.randint(int(span[0] * 1000), int(span[1] * 1000)), 1000)
        if q == 0 or (isinstance(expr, sp.gamma) and q.is_integer and q <= 0):
            continue
        try:
            box = enclose(expr, {X: (q, q)})
        except NoEnclosure:
            continue
        with mpmath.workdps(60):
            exact = value(mpmath.mpf(q.p) / q.q)
        with mpmath.workdps(60):
            lo, hi = (mpmath.mpf(v) for v in box._mpi_)  # the raw endpoints, exactly
            assert lo <= exact <= hi, (expr, q, box, exact)
            assert hi - lo < mpmath.mpf(10) ** -12 * max(1, abs(exact)), (expr, q, box)
        tried += 1
    assert tried >= 15


@pytest.mark.parametrize(
    "expr, point",
    [
        (sp.loggamma(X), sp.Rational(-1, 2)),  # complex there
        (sp.bessely(0, X), sp.Rational(-1, 2)),
        (sp.besselj(sp.Rational(1, 3), X), sp.Rational(-1, 2)),
        (sp.Ci(X), sp.Rational(-1, 2)),
        (sp.LambertW(X), sp.Rational(-1, 2)),  # below -1/e
        (sp.LambertW(X, -1), sp.Rational(-1, 4)),  # another branch: not enclosed
        (sp.gamma(X), sp.Integer(-2)),  # a pole
        (sp.Ei(X), sp.Integer(0)),
        (sp.beta(X, sp.Rational(1, 2)), sp.Rational(-1, 3)),  # x <= 0: not enclosed
    ],
)
def test_no_enclosure_where_not_real_or_not_finite(expr, point):
    with pytest.raises(NoEnclosure):
        enclose(expr, {X: (point, point)})


def test_ranges_and_signs():
    """A range argument gives an enclosure of the whole range; signs are certified."""
    box = enclose(sp.erf(X), {X: (sp.Rational(1, 10), sp.Rational(1, 2))})
    lo, hi = (mpmath.mpf(v) for v in box._mpi_)
    assert lo <= mpmath.erf(mpmath.mpf(1) / 10) and mpmath.erf(mpmath.mpf(1) / 2) <= hi
    assert certify_sign(sp.besselj(1, sp.Rational(1, 5)), {})[0] == 1
    assert certify_sign(sp.besselj(0, X) - 1, {X: (sp.Rational(1, 5), sp.Rational(1, 5))})[0] == -1


@pytest.mark.parametrize(
    "third, truth",
    [
        (lambda s1, s2: sp.besselj(0, s1) + s2, "refuted"),  # J0'(s1) = -J1(s1) != 0 away from 0
        (lambda s1, s2: sp.LambertW(s1 + 2) * s2, "refuted"),
        (lambda s1, s2: sp.erf(s2) + sp.gamma(s2 + 3), "proved"),  # a function of s2 only
    ],
)
def test_type_d_with_special_functions(third, truth):
    """D on g = (s1, s2, g3): refuted exactly when g3 depends on both factors; each refutation's
    witness point is re-checked by the tool with these enclosures."""
    s1, s2 = sp.symbols("s1 s2", real=True)
    g = Generator(name="special", factors=[[s1], [s2]], outputs=[s1, s2, third(s1, s2)], domain=Box({s1: (sp.Rational(1, 10), 1), s2: (0, 1)}))
    (result,) = [r for r in check(g, criteria="D", budget=30, isolate=False) if r.scope == "global"]
    assert result.verdict == truth, result
    if truth == "refuted":
        assert result.witness


@pytest.mark.parametrize(
    "expr, value",
    [
        (sp.EulerGamma, lambda: mpmath.euler),
        (sp.Catalan, lambda: mpmath.catalan),
        # sympy writes digamma at a rational with EulerGamma, pi, logs and roots
        (sp.gamma(sp.Rational(16, 5)) * sp.polygamma(0, sp.Rational(16, 5)), lambda: mpmath.gamma(mpmath.mpf(16) / 5) * mpmath.digamma(mpmath.mpf(16) / 5)),
        (sp.polygamma(0, sp.Rational(1, 3)), lambda: mpmath.digamma(mpmath.mpf(1) / 3)),
    ],
)
def test_euler_and_catalan_constants_are_enclosed(expr, value):
    """mpmath's own constants and digamma at 60 digits lie in the Arb enclosures (before, an
    EulerGamma term made every digamma value at a rational point undecided)."""
    with mpmath.workdps(60):
        truth = value()
    sign, (lo, hi) = certify_sign(expr, {})
    assert sign == (1 if truth > 0 else -1)
    with mpmath.workdps(60):
        assert mpmath.mpf(lo) <= truth <= mpmath.mpf(hi) and mpmath.mpf(hi) - mpmath.mpf(lo) < 1e-15

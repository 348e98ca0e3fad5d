"""Certified enclosures: cross-checked against 120-digit mpmath values; refusal, never floats."""

from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from theory.exact.intervals import NoEnclosure, certify_sign, enclose

x, y = sp.symbols("x y", real=True)

FUNCTIONS = [
    sp.exp(x) - 1,
    sp.log(1 + x**2),
    sp.sin(3 * x) * sp.cos(x),
    sp.tan(x / 2),
    sp.tanh(x),
    sp.sinh(x) * sp.cosh(x),
    sp.atan(5 * x),
    sp.atan(x / 7),
    sp.asin(x / 2),
    sp.acos(x / 3),
    sp.sqrt(2 + x),
    (x + 2) ** sp.Rational(1, 3),
    x**3 - x / 3,
    1 / (2 + x),
    sp.Abs(x) + sp.sign(x),
    sp.Max(x, 0) - sp.Min(x, 0),
    sp.Piecewise((x**2, x > 0), (-x, True)),
]


def _inside(box, exact):
    lo = mpmath.mpf(box.a._mpi_[0])
    hi = mpmath.mpf(box.b._mpi_[1])
    return lo <= exact <= hi


@pytest.mark.parametrize("expr", FUNCTIONS, ids=str)
def test_point_enclosures_contain_the_true_value(expr):
    rng = random.Random(7)
    mpmath.mp.dps = 120
    try:
        for _ in range(25):
            q = sp.Rational(rng.randint(-900, 900), rng.randint(1, 500))
            if abs(q) >= 1.9:
                continue
            exact = mpmath.mpmathify(sp.N(expr.subs(x, q), 110))
            for prec in (53, 100, 300):
                assert _inside(enclose(expr, {x: (q, q)}, prec), exact), (expr, q, prec)
    finally:
        mpmath.mp.dps = 15


@pytest.mark.parametrize("expr", FUNCTIONS, ids=str)
def test_range_enclosures_contain_sampled_values(expr):
    lo, hi = sp.Rational(-3, 2), sp.Rational(7, 5)
    box = enclose(expr, {x: (lo, hi)}, 64)
    mpmath.mp.dps = 60
    try:
        for k in range(41):
            q = lo + (hi - lo) * sp.Rational(k, 40)
            value = sp.N(expr.subs(x, q), 60)
            if value.is_real:
                assert _inside(box, mpmath.mpmathify(value)), (expr, q)
    finally:
        mpmath.mp.dps = 15


@pytest.mark.parametrize(
    "expr",
    [sp.gamma(x), sp.Float(0.1) * x, sp.log(x), sp.sqrt(x - 5), sp.fresnels(x), x ** sp.Rational(1, 3), sp.atan2(x, y)],  # gamma: a pole at 0
    ids=str,
)
def test_refuses_what_it_cannot_enclose(expr):
    with pytest.raises(NoEnclosure):
        enclose(expr, {x: (-1, 1), y: (-1, 1)})


def test_certify_sign_separates_near_zeros_and_refuses_hidden_zeros():
    # exp(pi sqrt(163)) - 640320^3 - 744 is about -7.5e-13: floats call it 0 or get its sign wrong
    ramanujan = sp.exp(sp.pi * sp.sqrt(163)) - 640320**3 - 744
    assert certify_sign(ramanujan, {})[0] == -1
    assert certify_sign(sp.Rational(1, 10**30) * (x + 2), {x: (-1, 1)})[0] == 1
    hidden = sp.acos(sp.Rational(5, 13)) - 2 * sp.atan(sp.Rational(2, 3))
    sign, enclosure = certify_sign(hidden, {})
    assert sign is None and float(enclosure[0]) <= 0 <= float(enclosure[1])


@pytest.mark.parametrize("prec", [53, 64, 300, 1536])
def test_atan_enclosures_are_tight_and_contain_the_value(prec):
    """atan (python-flint's Arb ball, rounded outward back into mpmath) against 500-digit
    mpmath values: tiny, huge, negative and near-1 arguments, and the acos/asin built on it."""
    rng = random.Random(prec)
    args = [sp.Rational(1, 10**30), sp.Rational(-10**40, 3), sp.Rational(999, 1000), sp.Rational(-1001, 1000), sp.Integer(0)]
    args += [sp.Rational(rng.randint(-10**6, 10**6), rng.randint(1, 10**4)) for _ in range(20)]
    mpmath.mp.dps = 500
    try:
        for q in args:
            for expr in (sp.atan(x), 2 * sp.atan(x) - 1, sp.acos(x / (2 + 2 * abs(q))), sp.asin(x / (2 + 2 * abs(q)))):
                exact = mpmath.mpmathify(sp.N(expr.subs(x, q), 480))
                box = enclose(expr, {x: (q, q)}, prec)
                assert _inside(box, exact), (expr, q, prec)
                width = mpmath.mpf(box.b._mpi_[1]) - mpmath.mpf(box.a._mpi_[0])
                assert width <= mpmath.mpf(2) ** (8 - prec) * (1 + abs(exact)), (expr, q, prec, width)
    finally:
        mpmath.mp.dps = 15


def test_atan_of_a_range_contains_both_ends():
    rng = random.Random(3)
    mpmath.mp.dps = 60
    try:
        for _ in range(30):
            a, b = sorted(sp.Rational(rng.randint(-5000, 5000), rng.randint(1, 300)) for _ in range(2))
            box = enclose(sp.atan(x), {x: (a, b)}, 64)
            for q in (a, (a + b) / 2, b):
                assert _inside(box, mpmath.mpmathify(sp.N(sp.atan(q), 55)))
    finally:
        mpmath.mp.dps = 15


def test_heaviside_enclosure_holds_its_value_at_zero():
    """Heaviside(x, h0) is h0 at x = 0 (sympy: Heaviside(0, -2) = -2).  Where the argument's
    enclosure contains 0 the enclosure must contain h0; it held [0, 1] only, so Heaviside(c, -2) + 2
    for P16's zero constant c (the value is 0) was enclosed in [2, 3] and decided nonzero."""
    from theory.exact.constant_zero import decide_constant

    x = sp.Symbol("x", real=True)
    assert sp.Heaviside(0, -2) == -2  # the value the enclosure must contain
    box = enclose(sp.Heaviside(x, -2), {x: (sp.Rational(-1, 2), sp.Rational(1, 2))})
    assert box.a <= -2 and box.b >= 1
    c = sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11)
    assert not decide_constant(sp.Heaviside(c, -2) + 2).is_nonzero


@pytest.mark.parametrize("value", [-(10**6) * sp.exp(-250000), sp.exp(-300000), sp.exp(300000), -sp.exp(400000) / 3])
def test_printed_ends_of_a_far_value_keep_its_sign_and_contain_it(value):
    """Ends beyond 2**100000 are written as powers of ten, outward: a tiny negative upper end
    was written '0', so a witness of a value certified nonzero showed an enclosure holding 0."""
    from theory.exact.intervals import interval_str

    box = enclose(value, {}, 200)
    lo, hi = interval_str(box)
    with mpmath.workdps(60):
        truth = mpmath.mpf(sp.N(value, 60))
        assert mpmath.mpf(lo) <= truth <= mpmath.mpf(hi)
    assert (mpmath.mpf(lo) > 0) == (mpmath.mpf(hi) > 0) == (sp.N(value, 30) > 0)


@pytest.mark.parametrize("value", [sp.exp(-sp.exp(50)), -sp.exp(sp.exp(50)) / 7, sp.exp(sp.exp(711))])
def test_ends_past_2_to_the_1e308_stay_outward(value):
    """The exponent of a far end was a float product: past 2**53 it lost whole digits (the
    enclosure of exp(-exp(50)) missed the value by 10**157804) and past 1e308 it overflowed
    (certify_sign raised on exp(exp(711)), and D read unknown instead of refuted)."""
    from theory.exact.intervals import interval_str

    sign, ends = certify_sign(value, {})
    assert sign == (1 if sp.N(value, 30) > 0 else -1)
    with mpmath.workdps(60):
        log10 = mpmath.log10(abs(mpmath.mpf(sp.N(value, 60))))
        exponents = [mpmath.mpf(e.lstrip("-").split("e")[1]) for e in ends]
        assert all(e.lstrip("-").startswith("1e") and e.startswith("-") == (sign < 0) for e in ends)
        low, high = sorted(exponents)  # |lo end| and |hi end| as powers of ten
        assert low <= log10 <= high

"""Exact ranks of vectors of constants (theory.criteria.constant_rank) and the separability and
spanning checks that use them where derivative values are not rational (docs/mathematics.md 4.3,
6.4), against independent computations: Fraction elimination, and mpmath singular values at 60
digits for transcendental entries."""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from theory import Box, Generator
from theory.criteria.constant_rank import exact_rank
from theory.criteria.context import CheckContext, NotRational
from theory.criteria.separability import check_separability_at
from theory.criteria.spanning import check_spanning
from theory.linalg.rational import rank

s = sp.Symbol("s", real=True)


def _ctx() -> CheckContext:
    return CheckContext(Generator("c", [[s]], [s], Box({s: (-1, 1)})))


def _numeric_rank(vectors, digits: int = 60) -> int:
    with mpmath.workdps(digits):
        M = mpmath.matrix([[mpmath.mpf(sp.N(x, digits + 10)) for x in v] for v in vectors])
        sv = mpmath.svd_r(M, compute_uv=False)
        return sum(1 for x in sv if abs(x) > mpmath.mpf(10) ** (-digits // 2))


def test_rational_vectors_match_fraction_elimination():
    rng = random.Random(0)
    for _ in range(30):
        rows, cols = rng.randint(1, 5), rng.randint(1, 5)
        A = [[Fraction(rng.randint(-2, 2), rng.randint(1, 3)) for _ in range(cols)] for _ in range(rows)]
        assert exact_rank(_ctx(), [[sp.Rational(x.numerator, x.denominator) for x in r] for r in A]) == rank(A)


def test_disguised_rationals_are_recognised():
    v = [[sp.sqrt(2) * sp.sqrt(8), sp.S(1)], [sp.S(8), sp.sqrt(3) * sp.sqrt(12) - 4]]  # (4, 1), (8, 2): rank 1
    assert exact_rank(_ctx(), v) == 1


@pytest.mark.parametrize("seed", range(10))
def test_transcendental_vectors_match_high_precision_numerics(seed):
    rng = random.Random(seed)
    atoms = [sp.exp(sp.Rational(1, 3)), sp.sin(sp.Rational(1, 5)), sp.log(3), sp.pi, sp.cos(sp.Rational(2, 7)), sp.atan(sp.Rational(1, 2))]
    length = rng.randint(2, 4)
    base = [[rng.choice(atoms) * rng.randint(-2, 2) + rng.randint(-1, 1) for _ in range(length)] for _ in range(rng.randint(1, 3))]
    # planted dependencies: rational combinations of the base vectors
    extra = []
    for _ in range(rng.randint(0, 2)):
        c = [rng.randint(-2, 2) for _ in base]
        extra.append([sum((ci * v[j] for ci, v in zip(c, base)), sp.S.Zero) for j in range(length)])
    vectors = base + extra
    rng.shuffle(vectors)
    try:
        r = exact_rank(_ctx(), vectors)
    except NotRational:
        return  # undecided is allowed; a wrong number is not
    assert r == _numeric_rank(vectors)


def test_separability_at_a_transcendental_point():
    """x05's generator at (1/2, 1/3): every second derivative repeats a first one (W_k inside L)."""
    s1, s2 = sp.symbols("s1 s2", real=True)
    g = Generator("tie", [[s1], [s2]], [sp.exp(s1), sp.exp(s2), sp.exp(s1) + sp.exp(s2)], Box({s1: (-1, 1), s2: (-1, 1)}))
    r = check_separability_at(CheckContext(g), {s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}, 2)
    assert r.verdict == "refuted" and r.method == "certified-minors" and r.witness["fails"] == "weak"
    # sprites with independent second derivatives: separable, decided by certified minors
    h = Generator(
        "sprites",
        [[s1], [s2]],
        [sp.exp(s1), sp.sin(s1) + s1**2, sp.exp(-s2), sp.tanh(s2) + s2**2],
        Box({s1: (-1, 1), s2: (-1, 1)}),
    )
    r = check_separability_at(CheckContext(h), {s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}, 2)
    assert r.verdict == "proved" and r.method == "certified-minors"
    assert r.details["dim_L"] == 2 and r.details["dim_W"] == {"f1": 1, "f2": 1}


def test_spanning_with_transcendental_partials():
    s1, s2 = sp.symbols("s1 s2", real=True)
    g = Generator("span", [[s1], [s2]], [s1, s2, sp.exp(s1) + sp.sin(s2)], Box({s1: (-1, 1), s2: (-1, 1)}))
    assert check_spanning(CheckContext(g)).verdict == "proved"


_R1, _R2 = sp.symbols("s1 s2", real=True)


@pytest.mark.parametrize(
    "ridge, dependency",
    [
        (sp.exp(_R1 + _R2), {"s1": 1, "s2": -1}),  # d1 - d2 = 0
        (sp.sin(_R1 - 2 * _R2), {"s1": 1, "s2": sp.Rational(1, 2)}),  # d1 + d2 / 2 = cos - cos = 0
        (sp.Max(_R1 + _R2, 2 * _R1 + 2 * _R2), {"s1": -1, "s2": 1}),  # gradient (1, 1) or (2, 2)
    ],
)
def test_ridges_with_irrational_or_undecided_values_do_not_span(ridge, dependency):
    """A ridge f(a s1 + b s2) has gradients on one line: its row does not span.  The values at
    rational points are irrational (exp, sin) or undecided at a point on the kink (0, 0), so no
    exact kernel vector comes from them; the dependency found in floating point is a candidate,
    and the zero test of its combination of partials refutes.  The truth: the combination, by hand."""
    s1, s2 = _R1, _R2
    g = Generator("ridge", [[s1], [s2]], [s1, s2, ridge], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: sp.S(0), s2: sp.S(0)}])
    combination = sum(sp.S(c) * sp.diff(ridge, s) for s, c in zip((s1, s2), dependency.values()))
    assert sp.simplify(combination.rewrite(sp.Piecewise)) == 0
    r = check_spanning(CheckContext(g))
    assert r.verdict == "refuted" and r.witness["output"] == 2
    found = {k: sp.Rational(v) for k, v in r.witness["dependency"].items()}
    assert found["s1"] * dependency["s2"] == found["s2"] * dependency["s1"]  # the same line


def test_a_rejected_candidate_adds_its_point_and_the_row_spans():
    """exp(Max(s1 + s2, s1 - 3 s2 - 199/100)): the gradient is e^u (1, 1) on most of the box and
    e^u (1, -3) on a thin corner, so the row spans R^2.  The sampled values all lie on (1, 1);
    the float candidate (1, -1) fails the zero test at a point of the corner, which now joins the
    sample (it was the end of the search: unknown)."""
    s1, s2 = _R1, _R2
    out = sp.exp(sp.Max(s1 + s2, s1 - 3 * s2 - sp.Rational(199, 100)))
    g = Generator("corner", [[s1], [s2]], [s1, s2, out], Box({s1: (-1, 1), s2: (-1, 1)}))
    assert check_spanning(CheckContext(g)).verdict == "proved"

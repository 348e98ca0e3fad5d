"""The structural tracer is conservative: cross-checked against sympy differentiation."""

from __future__ import annotations

import random

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.errors import GeneratorError
from theory.model.tracer import _Tracer, check_dependencies, derivative_patterns, differentiated_latents, multi_indices, trace_outputs

S = sp.symbols("s1 s2 s3", real=True)

UNARY = [
    lambda e: sp.exp(e / 2),
    sp.sin,
    sp.tanh,
    lambda e: sp.log(1 + e**2),
    lambda e: e**2,
    lambda e: e**3,
    lambda e: 1 / (2 + e**2),
    lambda e: sp.Piecewise((e**2, e > 0), (0, True)),
]


@st.composite
def expressions(draw, depth=3):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            return draw(st.sampled_from(S))
        return sp.Rational(draw(st.integers(-3, 3)), draw(st.integers(1, 3)))
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(st.sampled_from(UNARY))(draw(expressions(depth=depth - 1)))
    left, right = draw(expressions(depth=depth - 1)), draw(expressions(depth=depth - 1))
    return left + right if kind == 1 else left * right


def _value(expr, point):
    v = expr.xreplace(point)
    return complex(sp.N(v, 30)) if v.is_finite is not False else 0.0


@settings(max_examples=60, deadline=None)
@given(expressions(), st.integers(0, 10**6))
def test_tracer_never_drops_a_nonzero_derivative(expr, seed):
    patterns = derivative_patterns(expr, S, 3)
    rng = random.Random(seed)
    points = [{s: sp.Rational(rng.randint(-9, 9), rng.randint(1, 7)) for s in S} for _ in range(2)]
    for n in (1, 2, 3):
        for alpha in multi_indices(len(S), n):
            if alpha in patterns:
                continue
            d = expr
            for a in alpha:
                d = sp.diff(d, S[a])
            # a multi-index the tracer drops must have an identically zero derivative
            for p in points:
                assert abs(_value(d, p)) < 1e-20, (expr, alpha, d)


def test_tracer_facts():
    s1, s2, s3 = S
    assert sorted(derivative_patterns(s1**2 * s2, S, 3)) == [(), (0,), (0, 0), (0, 0, 1), (0, 1), (1,)]
    assert (0, 1) not in derivative_patterns(sp.exp(s1) + sp.sin(s2), S, 2)
    assert (0, 1) in derivative_patterns(sp.exp(s1 + s2), S, 2)
    assert (0, 0, 0) not in derivative_patterns(s1**2, S, 3)  # integer powers cap the order
    assert (0, 0, 0) in derivative_patterns(s1 ** sp.Rational(5, 2), S, 3)
    assert derivative_patterns(sp.S.Zero, S, 2) == frozenset()
    assert derivative_patterns(sp.pi, S, 2) == frozenset({()})
    assert (0, 1) not in derivative_patterns(sp.Piecewise((s1, s2 > 0), (s1**2, True)), S, 2)


def test_latents_inside_tuple_arguments_are_dependencies():
    s1, s2, s3 = S
    hyper = sp.hyper((s1,), (1,), s2)
    patterns = derivative_patterns(hyper, S, 2)
    assert {(0,), (1,), (0, 1), (0, 0)} <= patterns
    meijer = sp.meijerg(((s3,), ()), ((1,), ()), s2)
    assert (2,) in derivative_patterns(meijer, S, 1)
    assert (0, 2) in derivative_patterns(s1 * meijer, S, 2)


def test_dependency_invariant_holds_and_exempts_conditions():
    s1, s2, s3 = S
    pw = sp.Piecewise((s1 * sp.exp(s3), s2 > 0), (s1, True))
    assert differentiated_latents(pw, S) == {s1, s3}
    check_dependencies(pw, S, derivative_patterns(pw, S, 2))  # s2 only in a condition: allowed
    trace_outputs([pw, sp.hyper((s1,), (1,), s2), sp.S.Zero, sp.pi], S, 2)


def test_dependency_invariant_raises_on_a_violation(monkeypatch):
    s1, s2, s3 = S
    with pytest.raises(GeneratorError, match="cannot see how s1\\*s2 depends on s2"):
        check_dependencies(s1 * s2, S, frozenset({(), (0,)}))
    with pytest.raises(GeneratorError, match="reports dependencies"):
        check_dependencies(s1, S, frozenset({(), (0,), (1,)}))
    # a tracer that, like the old one, skips arguments that are not Expr
    original = _Tracer._trace

    def blind(self, e):
        if isinstance(e, sp.Tuple):
            return frozenset({()})
        return original(self, e)

    monkeypatch.setattr(_Tracer, "_trace", blind)
    with pytest.raises(GeneratorError, match="depends on s1"):
        trace_outputs([sp.hyper((s1,), (1,), s2)], S, 1)

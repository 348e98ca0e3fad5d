"""The normal form refuses more than KINKS_IN_CONDITIONS kinks inside Piecewise conditions
(theory.model.piecewise): sympy would fold each rewritten kink into its condition at a cost
exponential in their number.  The count is checked against a plain preorder walk."""

from __future__ import annotations

import random

import pytest
import sympy as sp

from theory.budget import BudgetExhausted, TooComplex
from theory.model.piecewise import KINKS_IN_CONDITIONS, kinks_in_conditions, piecewise_normal_form

S1, S2 = sp.symbols("s1 s2", real=True)


def walk_count(expr: sp.Basic) -> int:
    """Distinct kinks per Piecewise condition, by a preorder walk (no ``atoms``)."""
    total = 0
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                seen = {k for k in sp.preorder_traversal(cond) if isinstance(k, (sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min))}
                total += sum(len(k.args) - 1 if isinstance(k, (sp.Max, sp.Min)) else 1 for k in seen)
    return total


def test_count_matches_a_preorder_walk() -> None:
    rng = random.Random(4)
    pieces = [sp.Abs(S1 - 1), sp.sign(S2), sp.Heaviside(S1 + S2), sp.Max(S1, 0, S2), sp.Min(S1, 2), S1 * S2]
    for _ in range(60):
        cond = sp.Add(*rng.sample(pieces, rng.randint(1, 5))) > rng.randint(-2, 2)
        inner = sp.Piecewise((S1, sp.Add(*rng.sample(pieces, 2)) < 1), (S2, True))
        expr = sp.Piecewise((inner, cond), (sp.Abs(S2), True)) + rng.choice([0, sp.Abs(S1)])
        assert kinks_in_conditions(expr) == walk_count(expr)


def test_normal_form_refuses_past_the_limit_at_once() -> None:
    many = sp.Piecewise((S2, sp.Add(*[sp.Abs(S1 - i) for i in range(KINKS_IN_CONDITIONS + 1)]) > 3), (0, True))
    with pytest.raises(TooComplex, match="kinks"):
        piecewise_normal_form(many)
    assert issubclass(TooComplex, BudgetExhausted)  # every budget handler answers unknown for it
    few = sp.Piecewise((S2, sp.Abs(S1) + sp.Abs(S1 - 1) > 3), (0, True))
    normal = piecewise_normal_form(few)
    assert not normal.has(sp.Abs)
    for x in (-3, 0, sp.Rational(1, 2), 3):
        assert normal.subs({S1: x, S2: 5}) == few.subs({S1: x, S2: 5})


# -- ITE: a Piecewise that sympy folded into a condition ---------------------------------------------
def _random_condition(rng: random.Random) -> sp.Basic:
    def rel() -> sp.Basic:
        a, b, c = (sp.Rational(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(3))
        return rng.choice([sp.StrictGreaterThan, sp.GreaterThan, sp.StrictLessThan, sp.LessThan])(a * S1 + b * S2, c)

    return sp.ITE(rel(), rel(), rng.choice([rel(), sp.ITE(rel(), rel(), rel())]))


def test_robust_truth_of_ite_against_its_expansion_and_nearby_points() -> None:
    """Where the expansion (c & a) | (~c & b) is decided, ITE agrees; where ITE is decided, the
    condition has that value at random exact points around the point (sampling can refute a
    wrong claim of robustness, never prove one)."""
    from theory.model.piecewise import BOUNDARY, ROBUST_TRUE, robust_truth

    rng = random.Random(9)
    decided = 0
    for _ in range(150):
        cond = _random_condition(rng)
        if not isinstance(cond, sp.ITE):
            continue
        point = {S1: sp.Rational(rng.randint(-6, 6), rng.randint(1, 3)), S2: sp.Rational(rng.randint(-6, 6), rng.randint(1, 3))}
        got = robust_truth(cond, point)
        c, a, b = cond.args
        expanded = robust_truth(sp.Or(sp.And(c, a), sp.And(sp.Not(c), b), evaluate=False), point)
        if expanded != BOUNDARY:
            assert got == expanded, (cond, point)
        if got != BOUNDARY:
            decided += 1
            for _ in range(6):
                near = {s: v + sp.Rational(rng.randint(-1000, 1000), 10**9) for s, v in point.items()}
                assert bool(cond.subs(near)) == (got == ROBUST_TRUE), (cond, point, near)
    assert decided >= 50


def test_interval_truth_of_ite_against_corners() -> None:
    from theory.exact.intervals import _Evaluator, _context, _rational_interval

    rng = random.Random(10)
    ctx = _context(64)
    for _ in range(200):
        cond = _random_condition(rng)
        if not isinstance(cond, sp.ITE):
            continue
        lo = {s: sp.Rational(rng.randint(-6, 6), 2) for s in (S1, S2)}
        box = {s: _rational_interval(ctx, v, v + sp.Rational(1, 4)) for s, v in lo.items()}
        got = _Evaluator(ctx, box).truth(cond)
        if got is None:
            continue
        for dx in (0, sp.Rational(1, 8), sp.Rational(1, 4)):
            for dy in (0, sp.Rational(1, 8), sp.Rational(1, 4)):
                assert bool(cond.subs({S1: lo[S1] + dx, S2: lo[S2] + dy})) == got, (cond, lo)

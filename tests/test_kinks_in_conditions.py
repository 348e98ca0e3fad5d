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

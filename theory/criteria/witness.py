"""Independent re-verification of witnesses before a refutation is reported.

The criteria find witnesses with the derivative table (symengine derivatives of the
piecewise normal form, restricted to the domain).  Here every claimed value is
recomputed on a separate path: sympy's ``diff`` of the generator's outputs exactly as the
user wrote them (for a piecewise output, of the pieces around the point, so a piece of
empty interior never decides), evaluated at the rational point and decided by
:func:`theory.exact.constant_zero.decide_constant`, and then confirmed by the independent guard
(:mod:`theory.model.guard`): finite differences of g's *values*, which share no derivative
rule and no Piecewise rule with the exact route.  A witness that does not re-verify is
dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from theory.exact.constant_zero import ConstantCache, ConstantDecision, certainly_not_real, decide_constant
from theory.model.derivatives import PointDerivativeUndecided
from theory.model.functions import sympy_derivative
from theory.model.generator import Generator
from theory.model.guard import SelfCheckFailed, guard_value

__all__ = ["independent_derivative", "verify_two_blocks", "verify_containment", "verify_cross_derivative"]

Point = dict[sp.Symbol, sp.Rational]


def independent_derivative(g: Generator, t: int, alpha: tuple[int, ...], point: Point, cache: ConstantCache | None = None) -> ConstantDecision:
    """``d^alpha g_t(point)``, from sympy's ``diff`` of the original output, decided exactly
    and confirmed by finite differences of g's values (``unknown`` /
    ``self-check-failed`` when they disagree).  ``cache``: a
    :class:`~theory.exact.constant_zero.ConstantCache` of decided constants (the check's
    context's); the decision is the one :func:`decide_constant` makes without it."""
    if not g.domain.contains(point):
        return ConstantDecision("unknown", "outside-domain", sp.nan)
    if g.outputs[t].has(sp.Piecewise, sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min):
        try:
            value = g.derivatives.value(t, alpha, point)
        except PointDerivativeUndecided as exc:
            return ConstantDecision("unknown", exc.method, sp.nan)
    else:
        expr = g.outputs[t]
        for a in alpha:
            expr = sympy_derivative(expr, g.latents[a], g.latents)
        value = expr.xreplace(point)
    if value.free_symbols or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.DiracDelta, sp.Derivative):
        return ConstantDecision("unknown", "undefined-value", value)
    if certainly_not_real(value):  # g is not real-valued near the point: no witness for a real criterion
        return ConstantDecision("unknown", "not-real", value)
    # the exact rational value of an algebraic constant is worth 2 s, not a whole budget
    decision = decide_constant(value, timeout=2.0, exact_value=True, cache=cache)
    if decision.status != "unknown":
        try:
            guard_value(g.black_box, t, alpha, point, decision.value if decision.is_nonzero else sp.S.Zero)
        except SelfCheckFailed:
            return ConstantDecision("unknown", "self-check-failed", value)
    return decision


def verify_two_blocks(g: Generator, point: Point, t: int, a: int, b: int, cache: ConstantCache | None = None) -> tuple[ConstantDecision, ConstantDecision] | None:
    """Both ``d_a g_t`` and ``d_b g_t`` nonzero at ``point``, with a and b in different blocks."""
    if g.block_of[a] == g.block_of[b]:
        return None
    da = independent_derivative(g, t, (a,), point, cache)
    db = independent_derivative(g, t, (b,), point, cache)
    return (da, db) if da.is_nonzero and db.is_nonzero else None


def verify_containment(g: Generator, point: Point, a: int, b: int, cache: ConstantCache | None = None, rows: Iterable[int] | None = None) -> dict[str, list[int]] | None:
    """``supp(d_a g(point))`` is contained in ``supp(d_b g(point))``, decided row by row.

    Returns the two supports when containment is certified, else ``None``; rows where
    ``d_b g_t`` is undecided are listed apart (``b_undecided``): they do not matter for the
    containment, and are not claimed in or out of the support; so are rows where
    ``d_a g_t`` is undecided and ``d_b g_t`` certified nonzero (``a_undecided``).  ``rows``:
    only these outputs (the caller knows both columns vanish exactly on the others).
    """
    if g.block_of[a] == g.block_of[b]:
        return None
    support_a, support_b, undecided_a, undecided_b = [], [], [], []
    for t in range(g.m) if rows is None else rows:
        da = independent_derivative(g, t, (a,), point, cache)
        db = independent_derivative(g, t, (b,), point, cache)
        if db.is_nonzero:
            support_b.append(t)
        elif not db.is_zero:
            undecided_b.append(t)
        if da.is_nonzero:
            support_a.append(t)
            if not db.is_nonzero:
                return None
        elif not da.is_zero:
            if not db.is_nonzero:
                return None
            undecided_a.append(t)
    return {"a": support_a, "b": support_b, "a_undecided": undecided_a, "b_undecided": undecided_b}


def verify_cross_derivative(g: Generator, point: Point, t: int, alpha: tuple[int, ...], reading: str, cache: ConstantCache | None = None) -> ConstantDecision | None:
    """``d^alpha g_t(point)`` nonzero, with alpha meeting the blocks the reading requires."""
    blocks = {g.block_of[a] for a in alpha}
    if len(blocks) < 2 or (reading == "pairwise" and len(blocks) != 2):
        return None
    value = independent_derivative(g, t, alpha, point, cache)
    return value if value.is_nonzero else None

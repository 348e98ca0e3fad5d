"""Independent re-verification of witnesses before a refutation is reported.

The criteria find witnesses with the derivative table (symengine derivatives of the
piecewise normal form, restricted to the domain).  Here every claimed value is
recomputed on a separate path: sympy's ``diff`` of the generator's outputs exactly as the
user wrote them, evaluated at the rational point, and decided by
:func:`theory.constants.decide_constant` (asking for the exact rational value of algebraic
constants through their minimal polynomial).  A witness that does not re-verify is dropped.
"""

from __future__ import annotations

import sympy as sp

from ..constants import ConstantDecision, decide_constant
from ..generator import Generator

__all__ = ["independent_derivative", "verify_two_blocks", "verify_containment", "verify_cross_derivative"]

Point = dict[sp.Symbol, sp.Rational]


def independent_derivative(g: Generator, t: int, alpha: tuple[int, ...], point: Point) -> ConstantDecision:
    """``d^alpha g_t(point)``, from sympy's ``diff`` of the original output, decided exactly."""
    if not g.domain.contains(point):
        return ConstantDecision("unknown", "outside-domain", sp.nan)
    expr = g.outputs[t]
    for a in alpha:
        expr = sp.diff(expr, g.latents[a])
    value = expr.xreplace(point)
    if value.free_symbols or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.DiracDelta, sp.Derivative):
        return ConstantDecision("unknown", "undefined-value", value)
    return decide_constant(value, exact_value=True)


def verify_two_blocks(g: Generator, point: Point, t: int, a: int, b: int) -> tuple[ConstantDecision, ConstantDecision] | None:
    """Both ``d_a g_t`` and ``d_b g_t`` nonzero at ``point``, with a and b in different blocks."""
    if g.block_of[a] == g.block_of[b]:
        return None
    da = independent_derivative(g, t, (a,), point)
    db = independent_derivative(g, t, (b,), point)
    return (da, db) if da.is_nonzero and db.is_nonzero else None


def verify_containment(g: Generator, point: Point, a: int, b: int) -> dict[str, list[int]] | None:
    """``supp(d_a g(point))`` is contained in ``supp(d_b g(point))``, decided row by row.

    Returns the two supports when containment is certified, else ``None``.
    """
    if g.block_of[a] == g.block_of[b]:
        return None
    support_a, support_b = [], []
    for t in range(g.m):
        da = independent_derivative(g, t, (a,), point)
        db = independent_derivative(g, t, (b,), point)
        if db.is_nonzero:
            support_b.append(t)
        if da.is_nonzero:
            support_a.append(t)
            if not db.is_nonzero:
                return None
        elif not da.is_zero and not db.is_nonzero:
            return None
    return {"a": support_a, "b": support_b}


def verify_cross_derivative(g: Generator, point: Point, t: int, alpha: tuple[int, ...], reading: str) -> ConstantDecision | None:
    """``d^alpha g_t(point)`` nonzero, with alpha meeting the blocks the reading requires."""
    blocks = {g.block_of[a] for a in alpha}
    if len(blocks) < 2 or (reading == "pairwise" and len(blocks) != 2):
        return None
    value = independent_derivative(g, t, alpha, point)
    return value if value.is_nonzero else None

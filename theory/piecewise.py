"""Piecewise normal form and domain-aware piece selection (MATH.md section 2.2, tier 2).

Non-smooth primitives (Abs, sign, Heaviside, Max, Min) are rewritten as ``Piecewise``
with polynomial-style conditions, so that one mechanism differentiates them (piece by
piece, the derivative of a C^r generator away from the null set of boundaries) and one
mechanism selects pieces: every condition whose truth is fixed on the domain's bounding
box (by a certified interval enclosure) is replaced by its value, and the Piecewise
collapses to its active pieces.

Examples
--------
>>> import sympy as sp
>>> from theory.domain import Box
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> g3 = s2**2 + s1 * (1 + sp.Heaviside(s2 - 2) * (s2 - 2)**3)
>>> select_pieces(piecewise_normal_form(g3), Box({s1: (-1, 1), s2: (0, 1)}))
s1 + s2**2
"""

from __future__ import annotations

import sympy as sp
from sympy.logic.boolalg import BooleanTrue

from .domain import Domain
from .intervals import _context, _Evaluator, _rational_interval

__all__ = ["piecewise_normal_form", "select_pieces", "is_piecewise_free", "NON_ANALYTIC"]

#: Functions that make a generator non-analytic (after the normal form only Piecewise remains).
NON_ANALYTIC = (sp.Piecewise, sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.floor, sp.ceiling, sp.frac, sp.Mod)


def _heaviside(arg: sp.Expr, h0: sp.Expr | None = None) -> sp.Expr:
    h0 = sp.S.Half if h0 is None else h0
    return sp.Piecewise((1, arg > 0), (0, arg < 0), (h0, True))


def piecewise_normal_form(expr: sp.Expr) -> sp.Expr:
    """Rewrite Abs, sign, Heaviside, Max and Min as Piecewise (an identity of functions)."""
    def abs_(a: sp.Expr) -> sp.Expr:
        return sp.Piecewise((a, a >= 0), (-a, True))

    def sign_(a: sp.Expr) -> sp.Expr:
        return sp.Piecewise((1, a > 0), (-1, a < 0), (0, True))

    def extremum(args: tuple[sp.Expr, ...], ge: bool) -> sp.Expr:
        pieces = []
        for i, a in enumerate(args[:-1]):
            others = [b for j, b in enumerate(args) if j != i]
            pieces.append((a, sp.And(*[(a >= b) if ge else (a <= b) for b in others])))
        pieces.append((args[-1], True))
        return sp.Piecewise(*pieces)

    def max_(*args: sp.Expr) -> sp.Expr:
        return extremum(args, ge=True)

    def min_(*args: sp.Expr) -> sp.Expr:
        return extremum(args, ge=False)

    if not expr.has(sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min):
        return expr
    return expr.replace(sp.Abs, abs_).replace(sp.sign, sign_).replace(sp.Heaviside, _heaviside).replace(
        sp.Max, max_
    ).replace(sp.Min, min_)


def is_piecewise_free(expr: sp.Expr) -> bool:
    """True when ``expr`` uses none of the non-analytic primitives."""
    return not expr.has(*NON_ANALYTIC)


def select_pieces(expr: sp.Expr, domain: Domain) -> sp.Expr:
    """Replace every Piecewise condition whose truth is fixed on the domain's bounding box.

    Sound for any domain: the bounding box contains the domain, and a condition true
    (false) on the whole box is true (false) on the domain.
    """
    if not expr.has(sp.Piecewise):
        return expr
    symbols = sorted(expr.free_symbols, key=str)
    ctx = _context(64)
    env = {s: _rational_interval(ctx, *domain.interval(s)) for s in symbols}
    evaluator = _Evaluator(ctx, env)

    def rebuild(pw: sp.Piecewise) -> sp.Expr:
        pieces = []
        for piece, cond in pw.args:
            truth = evaluator.truth(cond)
            if truth is False:
                continue
            pieces.append((piece, sp.true if truth is True else cond))
            if truth is True:
                break
        if not pieces:
            return sp.nan  # no piece applies anywhere on the domain: undefined
        if isinstance(pieces[0][1], BooleanTrue):
            return pieces[0][0]
        return sp.Piecewise(*pieces)

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), rebuild)


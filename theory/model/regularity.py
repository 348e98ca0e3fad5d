"""Where an expression is analytic or continuous: what thin sets and robust truths rest on.

Two facts about a real function ``f`` of the latents decide Piecewise conditions soundly:

* **thin zero sets**: if ``f`` is real-analytic on all of R^d and nonzero at one point, then
  ``{f = 0}`` has empty interior (identity theorem), so ``Eq(a, b)`` holds only on a thin
  set and ``Ne(a, b)`` on a dense open one.  A quotient ``n / d`` of two such functions
  vanishes only where ``n`` does, so it is thin as well;
* **robust signs**: if ``f`` is continuous at ``p`` and ``f(p) > 0``, then ``f > 0`` on a
  neighbourhood of ``p``, so a comparison decided at ``p`` is decided near ``p``.

Neither holds without the regularity: ``Eq(floor(s), -1)`` holds on the whole interval
``-1 <= s < 0``, ``atan2(0, s) = pi`` on ``s < 0``, ``atan(s) + atan(1/s) = -pi/2`` on
``s < 0``; and ``floor(s) > -1`` is true at ``s = 0`` but false just left of it.  The
predicates here certify the properties syntactically, head by head, and conservatively:
a head they do not know is not certified.

Examples
--------
>>> import sympy as sp
>>> s = sp.Symbol("s", real=True)
>>> analytic_everywhere(sp.exp(s) * sp.sin(s) - s**3), analytic_everywhere(sp.floor(s) + 1)
(True, False)
>>> continuous_at(sp.log(s) + sp.Abs(s), {s: sp.Rational(1, 2)}), continuous_at(sp.log(s), {s: -1})
(True, False)
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from theory.exact.intervals import certify_sign

__all__ = ["ANALYTIC_ON_R", "head_conditions", "analytic_everywhere", "analytic_at", "continuous_at", "sign_at"]

#: Functions analytic on all of R (their arguments need no condition).
ANALYTIC_ON_R = (
    sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.tanh, sp.atan, sp.asinh, sp.erf, sp.erfc, sp.erfi,
    sp.Si, sp.Shi, sp.fresnels, sp.fresnelc, sp.airyai, sp.airybi, sp.airyaiprime, sp.airybiprime, sp.sinc, sp.sech,
)
#: Functions continuous on all of R, though not analytic (kinks).
_CONTINUOUS_ON_R = (sp.Abs, sp.Max, sp.Min)


def head_conditions(e: sp.Expr) -> list[sp.Expr] | None:
    """Expressions that must be ``> 0`` near a point for ``e``'s head to be analytic there.

    ``[]`` when the head is analytic everywhere (a sum, a product, a power by a natural
    number, a function of :data:`ANALYTIC_ON_R`, a symbol or a number), ``None`` when the
    head is not understood (Piecewise, floor, sign, atan2, ...: no claim is made).

    >>> x = sp.Symbol("x", real=True)
    >>> head_conditions(x**-2), head_conditions(sp.log(x)), head_conditions(sp.floor(x))
    ([x**2], [x], None)
    """
    if isinstance(e, (sp.Add, sp.Mul, sp.Symbol)) or e.is_Number or isinstance(e, ANALYTIC_ON_R):
        return []
    if isinstance(e, sp.Pow):
        base, exp = e.args
        if exp.is_Integer:
            return [] if exp >= 0 else [base**2]
        return [base]  # a rational, irrational or latent exponent: analytic where the base is positive
    if not e.args:
        return [] if e.is_number and e.is_extended_real and e.is_finite else None  # pi, E, ...
    arg = e.args[0]
    if isinstance(e, sp.log):
        return [arg]
    if isinstance(e, (sp.asin, sp.acos, sp.atanh, sp.erfinv)):
        return [1 - arg**2]
    if isinstance(e, sp.acosh):
        return [arg - 1]
    if isinstance(e, (sp.tan, sp.sec)):
        return [sp.cos(arg) ** 2]
    if isinstance(e, (sp.cot, sp.csc)):
        return [sp.sin(arg) ** 2]
    if isinstance(e, (sp.acot, sp.coth, sp.csch)):  # sympy's acot jumps from -pi/2 to pi/2 at 0
        return [arg**2]
    if isinstance(e, (sp.acoth, sp.asec, sp.acsc)):  # real and analytic for |arg| > 1
        return [arg**2 - 1]
    if isinstance(e, (sp.gamma, sp.loggamma, sp.digamma)):
        return [arg]
    return None


def _varying(expr: sp.Expr):
    """The subterms of ``expr`` that depend on a symbol (constants are values, not heads)."""
    for e in sp.preorder_traversal(expr):
        if isinstance(e, sp.Basic) and e.free_symbols:
            yield e


def analytic_everywhere(f: sp.Expr) -> bool:
    """Whether ``f`` is certified real-analytic on all of R^d (every head needs no condition).

    >>> x, y = sp.symbols("x y", real=True)
    >>> analytic_everywhere(sp.tanh(x * y) + sp.atan(x) ** 3), analytic_everywhere(sp.atan(1 / x))
    (True, False)
    """
    for e in _varying(sp.sympify(f)):
        if not isinstance(e, sp.Expr) or head_conditions(e) != []:
            return False
    return True


def sign_at(f: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> int | None:
    """The certified sign of ``f`` at ``point`` (0 for an exact zero), ``None`` if undecided.

    >>> x = sp.Symbol("x", real=True)
    >>> sign_at(sp.sqrt(2) - x, {x: sp.Rational(7, 5)}), sign_at(x - 1, {x: 1}), sign_at(1 / x, {x: 0})
    (1, 0, None)
    """
    try:
        value = sp.sympify(sp.sympify(f).xreplace({k: sp.sympify(v) for k, v in point.items()}))
    except (TypeError, ZeroDivisionError, ValueError, OverflowError):  # an undefined or unevaluable value inside f
        return None
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.free_symbols:
        return None
    if value.is_Rational:
        return int(sp.sign(value))
    sign, _ = certify_sign(value, {})
    return sign


def _regular_at(f: sp.Expr, point: Mapping[sp.Symbol, sp.Expr], kinks: bool) -> bool:
    for e in _varying(sp.sympify(f)):
        if not isinstance(e, sp.Expr):
            return False
        if kinks and isinstance(e, _CONTINUOUS_ON_R):
            continue
        needs = head_conditions(e)
        if needs is None or any(sign_at(u, point) != 1 for u in needs):
            return False
    return True


def analytic_at(f: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> bool:
    """Whether ``f`` is certified real-analytic on a neighbourhood of ``point`` (every
    head's conditions certified positive at the point, hence near it).

    >>> x = sp.Symbol("x", real=True)
    >>> analytic_at(sp.sqrt(x) + 1 / (x - 1), {x: sp.Rational(1, 2)}), analytic_at(sp.Abs(x), {x: 1})
    (True, False)
    """
    return _regular_at(f, point, kinks=False)


def continuous_at(f: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> bool:
    """Whether ``f`` is certified continuous on a neighbourhood of ``point``: analytic there
    (:func:`analytic_at`) up to Abs, Max and Min, which are continuous everywhere.

    >>> x = sp.Symbol("x", real=True)
    >>> continuous_at(sp.Max(x, 0) - sp.Abs(x - 1), {x: 0}), continuous_at(sp.floor(x), {x: sp.Rational(1, 2)})
    (True, False)
    """
    return _regular_at(f, point, kinks=True)

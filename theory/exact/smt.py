"""Existential questions over the reals with z3's nlsat (complete for polynomial arithmetic).

Piecewise polynomials with rational coefficients and polynomial conditions translate to
``If`` terms; the domain (open box and region condition) becomes constraints.  A ``sat``
answer comes with the model's point: exact when z3's values are rational, otherwise with
rational approximations of the algebraic values for the caller to re-verify exactly
(the conditions asked about are open, so nearby rationals usually work).  ``unsat``
is a proof (method ``z3-nlsat``).

Examples
--------
>>> import sympy as sp
>>> from theory.model.domain import Box
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> box = Box({s1: (0, 2), s2: (-2, 0)})
>>> p = sp.Piecewise((4 * (s1 - 1)**3, s1 > 1), (0, True))
>>> q = sp.Piecewise((4 * (s2 + 1)**3, s2 < -1), (0, True))
>>> answer = exists([Ne(p), Ne(q)], box, (s1, s2))
>>> answer.status, len(answer.candidates) > 0
('sat', True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp
import z3

from theory.model.domain import Box, Domain, Region

__all__ = ["NotTranslatable", "SmtAnswer", "exists", "satisfiable_on", "fresh_z3_context", "satisfiable", "Ne", "Eq", "Implies", "AnyOf", "to_z3", "z3_fraction", "z3_timeout_ms", "DEFAULT_SMT_TIMEOUT"]

DEFAULT_SMT_TIMEOUT = 20.0


class NotTranslatable(Exception):
    """The expression is outside the piecewise-polynomial fragment z3 decides exactly."""


@dataclass(frozen=True)
class SmtAnswer:
    """``status`` is ``sat``, ``unsat`` or ``unknown``; for ``sat``, ``candidates`` are
    rational points (the exact model first when it is rational)."""

    status: str
    candidates: tuple[dict[sp.Symbol, sp.Rational], ...] = field(default=())
    reason: str = ""


@dataclass(frozen=True)
class _Atom:
    kind: str
    exprs: tuple[sp.Expr, ...]


def Ne(expr: sp.Expr) -> _Atom:
    """The constraint ``expr != 0``."""
    return _Atom("ne", (expr,))


def Eq(expr: sp.Expr) -> _Atom:
    """The constraint ``expr == 0``."""
    return _Atom("eq", (expr,))


def Implies(premise: _Atom, conclusion: _Atom) -> _Atom:
    """The constraint ``premise -> conclusion``."""
    return _Atom("implies", (premise, conclusion))  # type: ignore[arg-type]


def AnyOf(*atoms: _Atom) -> _Atom:
    """The constraint that at least one of ``atoms`` holds."""
    return _Atom("or", atoms)  # type: ignore[arg-type]


def fresh_z3_context() -> None:
    """Make z3's next default context a new one.

    z3's answers (the model of a satisfiable query, hence a witness point) depend on the ids of
    the terms in its context, and so on every term created before in the same process.
    :func:`theory.checker.check` calls this first, so a generator's checks give the same
    witnesses whatever ran before them in their process: alone, after other cases in one
    reused worker (``check --all``), or in another worker (``--jobs``, ``--executor``).  Terms
    of the previous context stay valid; none is kept across generators.  The context is built
    on z3's first use (about 1-3 ms), not here.
    """
    z3.z3._main_ctx = None  # main_ctx() builds a new Context on first use


def exists(
    constraints: Sequence[_Atom],
    domain: Domain,
    latents: Sequence[sp.Symbol],
    timeout: float = DEFAULT_SMT_TIMEOUT,
    boundaries: str = "first-piece",
) -> SmtAnswer:
    """Is there a point of ``domain`` satisfying every constraint?

    ``boundaries`` says what a Piecewise is at a point: ``first-piece``, the piece whose
    condition holds first (sympy's value); ``closure``, any piece whose region's closure holds
    the point (its condition, and the earlier ones' negations, closed: ``<`` read as ``<=``,
    ``Ne`` as true).  The derivatives of a piecewise g at a point of a boundary, where g is
    differentiable, are those of a piece whose region has the point in its closure, not
    necessarily the formula sympy selects there (``Piecewise((0, s > 0), (0, s < 0), (s, True))``
    is 0, but its formal derivative is 1 at 0): a query that asks whether derivatives can
    vanish somewhere, whose ``unsat`` is a proof that they cannot, asks with ``closure``.

    Raises
    ------
    NotTranslatable
        If a constraint leaves the piecewise-polynomial fragment.

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> slope = sp.Piecewise((0, x > 0), (0, x < 0), (1, True))  # d/dx of Piecewise((0, x > 0), (0, x < 0), (x, True))
    >>> [exists([Eq(slope), Eq(x)], Box({x: (-1, 1)}), (x,), boundaries=b).status for b in ("first-piece", "closure")]
    ['unsat', 'sat']
    """
    if boundaries not in ("first-piece", "closure"):
        raise ValueError(f"boundaries must be 'first-piece' or 'closure', not {boundaries!r}")
    variables = {s: z3.Real(str(s)) for s in latents}
    memo: dict[Any, Any] = {_CLOSURE: [] if boundaries == "closure" else None}
    formulas = [_atom(c, variables, memo) for c in constraints] + _domain_constraints(domain, variables, memo)
    return _solve(formulas + (memo[_CLOSURE] or []), variables, timeout)


#: The memo's key of the side constraints of ``boundaries="closure"`` (``None``: sympy's value).
_CLOSURE = object()


def satisfiable_on(
    condition: sp.Basic,
    domain: Domain,
    latents: Sequence[sp.Symbol],
    timeout: float = DEFAULT_SMT_TIMEOUT,
) -> SmtAnswer:
    """Is there a point of ``domain`` where the sympy Boolean ``condition`` (polynomial
    relations joined by ``&``, ``|``, ``~``) holds?

    Raises
    ------
    NotTranslatable
        If the condition is not polynomial.

    Examples
    --------
    >>> x, y = sp.symbols("x y", real=True)
    >>> box = Box({x: (-1, 1), y: (-1, 1)})
    >>> satisfiable_on((x >= 0) & (x <= 0), box, (x, y)).candidates[0][x]
    0
    >>> satisfiable_on(x**2 + y**2 > 2, box, (x, y)).status
    'unsat'
    """
    variables = {s: z3.Real(str(s)) for s in latents}
    memo: dict[sp.Basic, Any] = {}
    formulas = [_condition(condition, variables, memo)] + _domain_constraints(domain, variables, memo)
    return _solve(formulas, variables, timeout)


def z3_timeout_ms(seconds: float) -> int:
    """A timeout in seconds as z3's ``timeout`` parameter: milliseconds, at least 1, at most
    z3's unsigned 32-bit limit (about 49 days; ``--budget 1e308`` made ``int(inf)`` fail).

    >>> z3_timeout_ms(2.5), z3_timeout_ms(1e308), z3_timeout_ms(float("inf")), z3_timeout_ms(0)
    (2500, 4294967295, 4294967295, 1)
    """
    return max(1, int(min(seconds, _Z3_MAX_MS / 1000) * 1000))


_Z3_MAX_MS = 2**32 - 1


def _solve(formulas: Sequence[Any], variables: dict, timeout: float) -> SmtAnswer:
    """z3 nlsat on ``formulas`` within ``timeout`` seconds, with candidate points when sat."""
    solver = z3.SolverFor("QF_NRA")
    solver.set("timeout", z3_timeout_ms(timeout))
    for f in formulas:
        solver.add(f)
    result = solver.check()
    if result == z3.unsat:
        return SmtAnswer("unsat")
    if result == z3.unknown:
        return SmtAnswer("unknown", reason=solver.reason_unknown())
    return SmtAnswer("sat", _candidates(solver.model(), variables))


def satisfiable(
    conditions: Sequence[sp.Basic],
    bounds: Mapping[sp.Symbol, tuple[sp.Expr, sp.Expr]],
    timeout: float = DEFAULT_SMT_TIMEOUT,
) -> SmtAnswer:
    """Is there a point, each symbol strictly inside its ``bounds``, where every sympy Boolean
    of ``conditions`` (polynomial relations joined by ``&``, ``|``, ``~``) holds?

    Raises
    ------
    NotTranslatable
        If a condition is not polynomial.

    Examples
    --------
    >>> x, y = sp.symbols("x y", real=True)
    >>> satisfiable([x**2 + y**2 < 1, x > sp.Rational(9, 10), y > sp.Rational(9, 10)], {x: (-2, 2), y: (-2, 2)}).status
    'unsat'
    """
    variables = {s: z3.Real(str(s)) for s in bounds}
    memo: dict[sp.Basic, Any] = {}
    formulas = [_condition(c, variables, memo) for c in conditions]
    for sym, (lo, hi) in bounds.items():
        if lo != -sp.oo:
            formulas.append(variables[sym] > _rational(sp.sympify(lo)))
        if hi != sp.oo:
            formulas.append(variables[sym] < _rational(sp.sympify(hi)))
    return _solve(formulas, variables, timeout)


def _atom(c: _Atom, variables: dict, memo: dict) -> Any:
    if c.kind == "ne":
        return to_z3(c.exprs[0], variables, memo) != 0
    if c.kind == "eq":
        return to_z3(c.exprs[0], variables, memo) == 0
    if c.kind == "or":
        return z3.Or([_atom(a, variables, memo) for a in c.exprs])  # type: ignore[arg-type]
    premise, conclusion = c.exprs
    return z3.Implies(_atom(premise, variables, memo), _atom(conclusion, variables, memo))  # type: ignore[arg-type]


def _domain_constraints(domain: Domain, variables: dict, memo: dict) -> list:
    box = domain.box if isinstance(domain, (Box, Region)) else domain
    out = []
    for s, v in variables.items():
        lo, hi = box.interval(s)
        if lo != -sp.oo:
            out.append(v > _rational(lo))
        if hi != sp.oo:
            out.append(v < _rational(hi))
    if isinstance(domain, Region):
        out.append(_condition(domain.condition, variables, memo))
    return out


def z3_fraction(x: Fraction) -> Any:
    """An exact z3 real for a :class:`fractions.Fraction`."""
    return z3.RealVal(f"{x.numerator}/{x.denominator}")


def _rational(q: sp.Expr) -> Any:
    q = sp.Rational(q)
    return z3.RealVal(f"{q.p}/{q.q}")


def to_z3(expr: sp.Expr, variables: dict, memo: dict | None = None) -> Any:
    """Translate a piecewise polynomial with rational coefficients to a z3 real term."""
    memo = {} if memo is None else memo
    hit = memo.get(expr)
    if hit is not None:
        return hit
    out = _translate(expr, variables, memo)
    memo[expr] = out
    return out


def _translate(e: sp.Expr, variables: dict, memo: dict) -> Any:
    if e.is_Rational:
        return _rational(e)
    if isinstance(e, sp.Symbol):
        if e not in variables:
            raise NotTranslatable(f"unknown symbol {e}")
        return variables[e]
    if isinstance(e, sp.Add):
        return z3.Sum([to_z3(a, variables, memo) for a in e.args])
    if isinstance(e, sp.Mul):
        out = to_z3(e.args[0], variables, memo)
        for a in e.args[1:]:
            out = out * to_z3(a, variables, memo)
        return out
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp >= 0:
        n = int(e.exp)
        base = to_z3(e.base, variables, memo)
        return z3.RealVal(1) if n == 0 else (base if n == 1 else base**n)
    if isinstance(e, sp.Piecewise):
        pieces = list(e.args)
        if pieces[-1][1] != sp.true:
            raise NotTranslatable("a Piecewise without a final True branch may be undefined")
        side = memo.get(_CLOSURE)
        if side is not None:  # any piece whose region's closure holds the point
            value = z3.FreshReal("piece")
            options, earlier = [], []
            for piece, cond in pieces:
                region = z3.And([_closed(cond, True, variables, memo), *[_closed(c, False, variables, memo) for c in earlier]])
                options.append(z3.And(region, value == to_z3(piece, variables, memo)))
                earlier.append(cond)
            side.append(z3.Or(options))
            return value
        out = to_z3(pieces[-1][0], variables, memo)
        for piece, cond in reversed(pieces[:-1]):
            out = z3.If(_condition(cond, variables, memo), to_z3(piece, variables, memo), out)
        return out
    raise NotTranslatable(f"{type(e).__name__} is outside the piecewise-polynomial fragment")


def _closed(cond: sp.Basic, holds: bool, variables: dict, memo: dict) -> Any:
    """A closed condition that holds on the closure of where ``cond`` holds (``holds``) or
    fails (not ``holds``): negations pushed to the comparisons, strict ones made non-strict,
    ``Ne`` (and a failing ``Eq``) read as true, which holds on a dense set."""
    if cond == sp.true or cond == sp.false:
        return z3.BoolVal((cond == sp.true) == holds)
    if isinstance(cond, sp.Not):
        return _closed(cond.args[0], not holds, variables, memo)
    if isinstance(cond, (sp.And, sp.Or)):
        parts = [_closed(c, holds, variables, memo) for c in cond.args]
        return z3.And(parts) if isinstance(cond, sp.And) == holds else z3.Or(parts)
    if isinstance(cond, sp.core.relational.Relational):
        lhs, rhs = to_z3(cond.lhs, variables, memo), to_z3(cond.rhs, variables, memo)
        if isinstance(cond, (sp.Eq, sp.Ne)):
            return (lhs == rhs) if isinstance(cond, sp.Eq) == holds else z3.BoolVal(True)
        below = isinstance(cond, (sp.StrictLessThan, sp.LessThan)) == holds  # holds where lhs <= rhs
        return lhs <= rhs if below else lhs >= rhs
    raise NotTranslatable(f"condition {cond} is not a polynomial relation")


def _condition(cond: sp.Basic, variables: dict, memo: dict) -> Any:
    if cond == sp.true:
        return z3.BoolVal(True)
    if cond == sp.false:
        return z3.BoolVal(False)
    if isinstance(cond, sp.And):
        return z3.And([_condition(c, variables, memo) for c in cond.args])
    if isinstance(cond, sp.Or):
        return z3.Or([_condition(c, variables, memo) for c in cond.args])
    if isinstance(cond, sp.Not):
        return z3.Not(_condition(cond.args[0], variables, memo))
    if isinstance(cond, sp.core.relational.Relational):
        lhs = to_z3(cond.lhs, variables, memo)
        rhs = to_z3(cond.rhs, variables, memo)
        ops = {
            sp.StrictLessThan: lambda a, b: a < b,
            sp.StrictGreaterThan: lambda a, b: a > b,
            sp.LessThan: lambda a, b: a <= b,
            sp.GreaterThan: lambda a, b: a >= b,
            sp.Eq: lambda a, b: a == b,
            sp.Ne: lambda a, b: a != b,
        }
        op = ops.get(type(cond))
        if op is not None:
            return op(lhs, rhs)
    raise NotTranslatable(f"condition {cond} is not a polynomial relation")


def _candidates(model: Any, variables: dict) -> tuple[dict[sp.Symbol, sp.Rational], ...]:
    exact: dict[sp.Symbol, sp.Rational] = {}
    approximate: dict[sp.Symbol, list] = {}
    for s, v in variables.items():
        val = model.eval(v, model_completion=True)
        if z3.is_rational_value(val):
            exact[s] = sp.Rational(val.numerator_as_long(), val.denominator_as_long())
        elif z3.is_algebraic_value(val):
            approximate[s] = [val.approx(k) for k in (4, 8, 16, 32)]
        else:  # pragma: no cover - z3 returns numerals for real variables
            return ()
    if not approximate:
        return (exact,)
    out = []
    for level in range(4):
        point = dict(exact)
        for s, approx in approximate.items():
            a = approx[level]
            point[s] = sp.Rational(a.numerator_as_long(), a.denominator_as_long())
        out.append({s: point[s] for s in variables})
    return tuple(out)

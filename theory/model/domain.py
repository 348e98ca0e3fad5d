"""Latent domains: open boxes and semi-algebraic regions inside them.

A :class:`Box` is an open product of intervals ``(lo, hi)`` with rational or infinite
ends; latents it does not mention range over all of R.  A :class:`Region` intersects a
box with a Boolean combination of polynomial inequalities with rational coefficients.

The domain of a generator must be open (the theory differentiates on it):
:func:`open_condition_problem` accepts strict inequalities (``<``, ``>``) and ``Ne`` of
polynomials, joined by ``&`` and ``|`` (``~`` flips them), and refuses equalities and
non-strict inequalities.  A :class:`Region` itself may be closed: the checks build
closures (``<=``) for their own queries.

Examples
--------
>>> import sympy as sp
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> box = Box({s1: (0, 2), s2: (-2, 0)})
>>> box.contains({s1: sp.Rational(1, 2), s2: -1})
True
>>> Region(box, s1 - s2 < 2).contains({s1: sp.Rational(3, 2), s2: sp.Rational(-3, 4)})
False
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Union

import sympy as sp
from sympy.logic.boolalg import Boolean, BooleanFalse, BooleanTrue

from theory.errors import DomainError
from theory.exact.rationals import rational_str, to_bound, to_rational

__all__ = ["Box", "Region", "Domain", "Point", "open_condition_problem", "interval_point"]

Point = Mapping[sp.Symbol, sp.Rational]


def interval_point(lo: sp.Expr, hi: sp.Expr) -> sp.Rational:
    """A rational inside the open interval ``(lo, hi)``, whose ends may be infinite: the
    midpoint, ``lo + 1``, ``hi - 1`` or 0.

    >>> interval_point(sp.Integer(1), sp.Integer(2)), interval_point(sp.Integer(1), sp.oo), interval_point(-sp.oo, sp.oo)
    (3/2, 2, 0)
    """
    if lo.is_finite and hi.is_finite:
        return sp.Rational(lo + hi, 2)
    if lo.is_finite:
        return sp.Rational(lo) + 1
    if hi.is_finite:
        return sp.Rational(hi) - 1
    return sp.Integer(0)


class Box:
    """An open box ``prod_a (lo_a, hi_a)`` with rational or infinite ends.

    Parameters
    ----------
    bounds
        ``{symbol: (lo, hi)}``.  Ends are read exactly (see :func:`theory.exact.rationals.to_bound`);
        ``-sympy.oo`` / ``sympy.oo`` (or ``"-oo"`` / ``"oo"``) make an end infinite.
        Symbols not listed are unbounded.
    """

    def __init__(self, bounds: Mapping[sp.Symbol, tuple[object, object]] | None = None):
        if bounds is None:
            bounds = {}
        if not isinstance(bounds, Mapping):
            raise DomainError(f"Box needs a dict {{symbol: (lo, hi)}}, got {type(bounds).__name__}")
        parsed: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] = {}
        for sym, pair in bounds.items():
            if not isinstance(sym, sp.Symbol):
                raise DomainError(f"Box keys must be sympy Symbols, got {sym!r}")
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise DomainError(f"Box bound of {sym} must be a pair (lo, hi), got {pair!r}")
            try:
                lo = to_bound(pair[0], f"lower bound of {sym}")
                hi = to_bound(pair[1], f"upper bound of {sym}")
            except ValueError as exc:
                raise DomainError(f"bad domain bound: {exc}") from None
            if lo == sp.oo or hi == -sp.oo or not bool(lo < hi):
                raise DomainError(f"empty interval for {sym}: lower bound {lo} must be below upper bound {hi}")
            parsed[sym] = (lo, hi)
        self._bounds = parsed

    @property
    def bounds(self) -> dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]:
        """The bounds as given (a copy), ``{symbol: (lo, hi)}``."""
        return dict(self._bounds)

    @property
    def box(self) -> "Box":
        """The bounding box (the box itself)."""
        return self

    @property
    def symbols(self) -> frozenset[sp.Symbol]:
        return frozenset(self._bounds)

    @property
    def is_convex(self) -> bool:
        return True

    def interval(self, sym: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
        """``(lo, hi)`` of ``sym``; ``(-oo, oo)`` for a symbol the box does not mention."""
        return self._bounds.get(sym, (-sp.oo, sp.oo))

    def contains(self, point: Point) -> bool:
        """Whether the rational point lies in the open box."""
        for sym, (lo, hi) in self._bounds.items():
            if sym not in point:
                return False
            value = point[sym]
            if not (_below(lo, value) and _below(value, hi)):
                return False
        return True

    def to_json(self, latents: tuple[sp.Symbol, ...]) -> dict[str, object]:
        return {str(s): [rational_str(lo), rational_str(hi)] for s in latents for lo, hi in [self.interval(s)]}

    def __repr__(self) -> str:
        inner = ", ".join(f"{s}: ({lo}, {hi})" for s, (lo, hi) in self._bounds.items())
        return f"Box({{{inner}}})"


class Region:
    """An open box intersected with a Boolean combination of polynomial inequalities.

    Parameters
    ----------
    box
        The bounding :class:`Box`.
    condition
        A sympy Boolean (``<``, ``>``, ``<=``, ``>=``, ``Ne``, ``Eq``, ``&``, ``|``, ``~``)
        of polynomial inequalities with rational coefficients in the latent symbols.
        The domain of a :class:`~theory.Generator` must be open: there only ``<``, ``>``
        and ``Ne`` are accepted (see :func:`open_condition_problem`).
    """

    def __init__(self, box: Box, condition: object):
        if not isinstance(box, Box):
            raise DomainError(f"Region needs a Box as its first argument, got {type(box).__name__}")
        if isinstance(condition, bool):
            condition = sp.true if condition else sp.false
        if not isinstance(condition, Boolean):
            raise DomainError(f"Region condition must be a sympy Boolean (e.g. s1**2 + s2**2 < 1), got {condition!r}")
        if isinstance(condition, BooleanFalse):
            raise DomainError("Region condition is False: the region is empty")
        floats = condition.atoms(sp.Float)
        if floats:  # decimals are read exactly, as in boxes and points: 0.5 is 1/2
            try:
                condition = condition.xreplace({f: to_rational(f, "a number in the Region condition") for f in floats})
            except ValueError as exc:
                raise DomainError(str(exc)) from None
            if isinstance(condition, BooleanFalse):
                raise DomainError("Region condition is False: the region is empty")
        condition = _check_polynomial_condition(condition)
        self._box = box
        self._condition = condition

    @property
    def box(self) -> Box:
        return self._box

    @property
    def condition(self) -> Boolean:
        return self._condition

    @property
    def symbols(self) -> frozenset[sp.Symbol]:
        return self._box.symbols | frozenset(self._condition.free_symbols)

    @property
    def is_convex(self) -> bool:
        """True when the condition is a conjunction of strict linear inequalities (a convex set)."""
        return _is_linear_conjunction(self._condition)

    def interval(self, sym: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
        return self._box.interval(sym)

    def contains(self, point: Point) -> bool:
        if not self._box.contains(point):
            return False
        missing = [s for s in self._condition.free_symbols if s not in point]
        if missing:
            return False
        value = self._condition.xreplace(dict(point))
        if not isinstance(value, (BooleanTrue, BooleanFalse)):
            raise DomainError(f"cannot decide the region condition {self._condition} at {dict(point)}")
        return bool(value)

    def to_json(self, latents: tuple[sp.Symbol, ...]) -> dict[str, object]:
        out = self._box.to_json(latents)
        out["condition"] = sp.sstr(self._condition)
        return out

    def __repr__(self) -> str:
        return f"Region({self._box!r}, {self._condition})"


Domain = Union[Box, Region]


def _below(a: object, b: object) -> bool:
    """``a < b`` for exact numbers: two rationals compare by their integers (sympy's ``<``
    costs about fifty times more), anything else (an infinite end) through sympy.

    >>> _below(sp.Rational(1, 3), sp.Rational(1, 2)), _below(sp.Integer(1), sp.Rational(1, 2)), _below(-sp.oo, 0)
    (True, False, True)
    """
    if isinstance(a, sp.Rational) and isinstance(b, sp.Rational):
        return a.p * b.q < b.p * a.q  # denominators are positive
    return bool(a < b)

_RELATIONS = (sp.StrictLessThan, sp.StrictGreaterThan, sp.LessThan, sp.GreaterThan, sp.Ne, sp.Eq)


def _check_polynomial_condition(cond: Boolean) -> Boolean:
    """``cond`` checked to compare polynomials with rational coefficients; a comparison whose
    difference is written with irrational numbers that cancel on expansion
    (``(s1 + sqrt(2) s2)**2 - 2 sqrt(2) s1 s2 < 1/2``) is returned in its expanded form, which
    the exact routes (z3, interval geometry) read."""
    if isinstance(cond, (BooleanTrue, BooleanFalse)):
        return cond
    if isinstance(cond, (sp.And, sp.Or, sp.Not)):
        args = [_check_polynomial_condition(arg) for arg in cond.args]
        return cond if all(a is b for a, b in zip(args, cond.args)) else cond.func(*args)
    if isinstance(cond, _RELATIONS):
        diff = cond.lhs - cond.rhs
        syms = sorted(diff.free_symbols, key=str)
        if not syms:
            return cond
        if not diff.is_polynomial(*syms):
            raise DomainError(f"Region condition must use polynomial inequalities, got {cond}")
        poly = sp.Poly(diff, *syms)
        if not all(c.is_Rational for c in poly.coeffs()):
            raise DomainError(f"Region condition must have rational coefficients, got {cond}")
        irrational = any(isinstance(e, sp.Expr) and e.is_number and not e.is_Rational for e in sp.preorder_traversal(diff))
        return cond.func(poly.as_expr(), 0) if irrational else cond
    raise DomainError(f"Region condition may only combine inequalities with &, |, ~; got {cond}")


_OPEN = (sp.StrictLessThan, sp.StrictGreaterThan, sp.Ne)
_CLOSED = (sp.LessThan, sp.GreaterThan, sp.Eq)


def open_condition_problem(cond: Boolean) -> str | None:
    """Why the set where the polynomial condition ``cond`` holds may not be open, or ``None``.

    Strict inequalities and ``Ne`` of polynomials (continuous functions) define open sets,
    and finite unions and intersections of open sets are open; under ``~`` the roles swap
    (``~Eq`` is ``Ne``).  Anything else is refused, even where it happens to be open.

    >>> s = sp.Symbol("s", real=True)
    >>> open_condition_problem((s < 1) | sp.Ne(s, 3)) is None
    True
    >>> open_condition_problem(sp.Eq(s, 0))
    'the condition s = 0 is an equality, so the domain is not open; use strict inequalities (<, >) or Ne'
    """
    return _open_problem(cond, negated=False)


def _open_problem(cond: Boolean, negated: bool) -> str | None:
    if isinstance(cond, (BooleanTrue, BooleanFalse)):
        return None
    if isinstance(cond, sp.Not):
        return _open_problem(cond.args[0], not negated)
    if isinstance(cond, (sp.And, sp.Or)):
        for arg in cond.args:
            problem = _open_problem(arg, negated)
            if problem:
                return problem
        return None
    if isinstance(cond, _OPEN if not negated else _CLOSED):
        return None
    closed = sp.Not(cond) if negated else cond
    if isinstance(closed, sp.Eq):
        return f"the condition {sp.sstr(closed.lhs)} = {sp.sstr(closed.rhs)} is an equality, so the domain is not open; use strict inequalities (<, >) or Ne"
    if isinstance(closed, (sp.LessThan, sp.GreaterThan)):
        return f"the condition {sp.sstr(closed)} is not strict, so the domain is not open; write < or > instead of <= or >="
    return f"the condition {sp.sstr(closed)} does not define an open set (use <, >, Ne joined by & and |)"


def _is_linear_conjunction(cond: Boolean) -> bool:
    if isinstance(cond, BooleanTrue):
        return True
    parts = cond.args if isinstance(cond, sp.And) else (cond,)
    for part in parts:
        if not isinstance(part, (sp.StrictLessThan, sp.StrictGreaterThan, sp.LessThan, sp.GreaterThan)):
            return False
        diff = part.lhs - part.rhs
        syms = sorted(diff.free_symbols, key=str)
        if syms and sp.Poly(diff, *syms).total_degree() > 1:
            return False
    return True

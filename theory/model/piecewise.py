"""Piecewise normal form and domain-aware piece selection (docs/mathematics.md section 2.2, tier 2).

Non-smooth primitives (Abs, sign, Heaviside, Max, Min) are rewritten as ``Piecewise``
with polynomial-style conditions, so that one mechanism differentiates them (piece by
piece, the derivative of a C^r generator away from the null set of boundaries) and one
mechanism selects pieces: every condition whose truth is fixed on the domain's bounding
box (by a certified interval enclosure) is replaced by its value, and the Piecewise
collapses to its active pieces.

Examples
--------
>>> import sympy as sp
>>> from theory.model.domain import Box
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> g3 = s2**2 + s1 * (1 + sp.Heaviside(s2 - 2) * (s2 - 2)**3)
>>> select_pieces(piecewise_normal_form(g3), Box({s1: (-1, 1), s2: (0, 1)}))
s1 + s2**2
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sympy as sp
from sympy.logic.boolalg import ITE, Boolean, BooleanTrue

from theory.budget import TooComplex
from theory.exact.smt import NotTranslatable, satisfiable_on
from theory.model.domain import Domain, Region
from theory.exact.intervals import _context, _Evaluator, _rational_interval
from theory.model.regularity import analytic_everywhere, continuous_at, sign_at

__all__ = ["off_boundaries", "piecewise_normal_form", "select_pieces", "undefined_condition", "is_piecewise_free", "kinks_in_conditions", "opened_atoms", "vanished_by_opening", "NON_ANALYTIC", "KINKS_IN_CONDITIONS"]

#: Functions that make a generator non-analytic (after the normal form only Piecewise remains).
NON_ANALYTIC = (sp.Piecewise, sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.floor, sp.ceiling, sp.frac, sp.Mod)
#: The most kinks (Abs, sign, Heaviside; n - 1 per Max or Min of n arguments) the normal form
#: rewrites inside Piecewise conditions of one expression.  sympy folds each rewritten kink into
#: its condition, at a cost exponential in their number: a sum of k Abs in one condition took
#: 2.4 s (k = 6), 13 s (8), and k = 9 exhausted Python's recursion limit.
KINKS_IN_CONDITIONS = 8


def _heaviside(arg: sp.Expr, h0: sp.Expr | None = None) -> sp.Expr:
    h0 = sp.S.Half if h0 is None else h0
    return sp.Piecewise((1, arg > 0), (0, arg < 0), (h0, True))


def piecewise_normal_form(expr: sp.Expr, memo: dict | None = None) -> sp.Expr:
    """Rewrite Abs, sign, Heaviside, Max and Min as Piecewise (an identity of functions).

    ``memo`` (optional, shared across calls) keeps each rewritten node, so the outputs of
    one generator, which often share subexpressions (the units of a network), build each
    Piecewise once.  The rewriting is a pure function of the node: results are the same.
    """
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

    rules = ((sp.Abs, abs_), (sp.sign, sign_), (sp.Heaviside, _heaviside), (sp.Max, max_), (sp.Min, min_))
    if not expr.has(*(head for head, _ in rules)):
        return expr
    kinks = kinks_in_conditions(expr)
    if kinks > KINKS_IN_CONDITIONS:
        raise TooComplex(
            f"{kinks} kinks (Abs, sign, Heaviside, Max/Min pieces) inside Piecewise conditions of one output, more than "
            f"{KINKS_IN_CONDITIONS}: rewriting them as Piecewise, as the derivatives need, takes time exponential in their "
            "number (sympy folds each into its condition); split such a condition into comparisons without kinks"
        )
    for head, rule in rules:
        if expr.has(head):
            if memo is None:
                expr = expr.replace(head, rule)
            else:
                expr = _replace(expr, lambda e, head=head: isinstance(e, head), lambda e, rule=rule: rule(*e.args), memo.setdefault(head, {}))
    return expr


def _replace(expr: sp.Basic, query: Callable[[sp.Basic], bool], value: Callable[[sp.Basic], sp.Basic], memo: dict) -> sp.Basic:
    """``expr.replace(query, value)`` (sympy's bottom-up walk, ``simultaneous=True``), with every
    node's result kept in ``memo``: the walk is a pure function of the node, so the outputs of
    one generator, which often share subexpressions (the units of a network), are walked and
    rewritten once per distinct node.  tests/test_piecewise_memo.py compares it with sympy's."""

    def walk(rv: Any) -> Any:
        hit = memo.get(rv)
        if hit is not None:
            return hit
        out = rv
        args = getattr(rv, "args", None)
        if args is not None:
            if args:
                newargs = tuple([walk(a) for a in args])
                if args != newargs:
                    out = rv.func(*newargs)
                    # as sympy: what an argument was already rewritten into is not rewritten again
                    if any(out == e and e != n for e, n in zip(args, newargs)):
                        memo[rv] = out
                        return out
            if query(out):
                v = value(out)
                if v is not None and v != out:
                    out = v
        memo[rv] = out
        return out

    return walk(expr)


def kinks_in_conditions(expr: sp.Expr) -> int:
    """The distinct kinks inside the conditions of each Piecewise of ``expr``, summed: one per
    Abs, sign or Heaviside, ``n - 1`` per Max or Min of ``n`` arguments.

    >>> s = sp.Symbol("s", real=True)
    >>> kinks_in_conditions(sp.Piecewise((s, sp.Abs(s) + sp.Max(s, 0, 1 - s) > 1), (0, True)) + sp.Abs(s))
    3
    """
    total = 0
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            if isinstance(cond, sp.Basic):
                total += len(cond.atoms(sp.Abs, sp.sign, sp.Heaviside))
                total += sum(len(f.args) - 1 for f in cond.atoms(sp.Max, sp.Min))
    return total


def is_piecewise_free(expr: sp.Expr) -> bool:
    """True when ``expr`` uses none of the non-analytic primitives."""
    return not expr.has(*NON_ANALYTIC)


def select_pieces(expr: sp.Expr, domain: Domain, memo: dict | None = None) -> sp.Expr:
    """Replace every Piecewise condition whose truth is fixed on the domain's bounding box.

    Sound for any domain: the bounding box contains the domain, and a condition true
    (false) on the whole box is true (false) on the domain.  ``memo`` (optional) keeps each
    rebuilt Piecewise for later calls on the same domain.
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
            if truth is None and isinstance(domain, Region):
                truth = _truth_on_region(cond, domain)
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

    if memo is None:
        return expr.replace(lambda e: isinstance(e, sp.Piecewise), rebuild)
    return _replace(expr, lambda e: isinstance(e, sp.Piecewise), rebuild, memo)



def _truth_on_region(cond: sp.Basic, domain: Region) -> bool | None:
    """Whether a polynomial condition holds at every point of the Region (``True``), at none
    (``False``), or neither is proved, by z3 on the open region (its bounding box alone cannot
    tell: ``s1 + s2 > 0`` on ``{s2 > 1/10}`` with ``s1`` in ``(0, 1)``)."""
    latents = tuple(sorted(domain.symbols | cond.free_symbols, key=str))
    try:
        if satisfiable_on(sp.Not(cond), domain, latents, timeout=_REGION_TIMEOUT).status == "unsat":
            return True
        if satisfiable_on(cond, domain, latents, timeout=_REGION_TIMEOUT).status == "unsat":
            return False
    except NotTranslatable:
        return None
    return None


#: z3's time to decide one Piecewise condition on a Region (seconds).
_REGION_TIMEOUT = 1.0


def undefined_condition(expr: sp.Expr) -> Boolean:
    """Where ``expr`` has no value because no piece of a Piecewise without a default piece
    applies: the disjunction, over such Piecewise, of "the Piecewise is reached (the
    conditions of the pieces around it select it) and none of its conditions holds";
    ``false`` when every Piecewise has a default piece ``(..., True)``.

    Only expression arguments are followed (a Piecewise inside a condition is not).  The
    condition is not simplified: whether it holds anywhere on a domain is the caller's
    question (:func:`theory.exact.smt.satisfiable_on` for polynomial conditions).

    >>> x = sp.Symbol("x", real=True)
    >>> undefined_condition(sp.Piecewise((x, x > 0), (-x, x < 0)))
    (x >= 0) & (x <= 0)
    >>> undefined_condition(sp.Piecewise((sp.Piecewise((x, x > 0)), x > 1), (0, True)))
    (x <= 0) & (x > 1)
    >>> undefined_condition(sp.exp(x) + sp.Piecewise((x, x > 0), (0, True)))
    False
    """
    parts: list[Boolean] = []

    def walk(e: sp.Basic, reached: Boolean) -> None:
        if isinstance(e, sp.Piecewise):
            earlier: list[Boolean] = []
            for value, cond in e.args:
                walk(value, sp.And(reached, cond, *[sp.Not(c) for c in earlier]))
                earlier.append(cond)
            if e.args[-1][1] != sp.true:
                parts.append(sp.And(reached, *[sp.Not(c) for c in earlier]))
            return
        for a in e.args:
            if isinstance(a, sp.Expr) and a.has(sp.Piecewise):
                walk(a, reached)

    walk(expr, sp.true)
    return sp.Or(*parts)


# -- thin pieces and points on piece boundaries ------------------------------------------------
def _not_identically_zero(f: sp.Expr) -> bool:
    """Whether ``f = 0`` is certified to have empty interior (``f`` not identically zero near any point).

    A polynomial with a coefficient certified nonzero (a rational, or an enclosure that
    excludes 0: ``sqrt(3 - 2 sqrt(2)) - (sqrt(2) - 1)`` is 0 though not written 0) proves it; so does a certified nonzero value at
    one rational point when ``f`` is a quotient of two functions analytic on all of R^d
    (:func:`theory.model.regularity.analytic_everywhere`; identity theorem).  Without that
    regularity a nonzero value proves nothing: ``floor(s) + 1`` is nonzero at ``s = 1/2`` and
    zero on ``[-1, 0)``.  Anything else answers ``False`` (undecided).

    >>> s = sp.Symbol("s", real=True)
    >>> _not_identically_zero(sp.sin(s) / s - 1), _not_identically_zero(sp.floor(s) + 1)
    (True, False)
    >>> _not_identically_zero(s * (sp.sqrt(3 - 2 * sp.sqrt(2)) - sp.sqrt(2) + 1)), _not_identically_zero(s * (sp.sqrt(2) - 1))
    (False, True)
    """
    f = sp.sympify(f)
    if f.is_Rational:
        return f != 0
    if not f.free_symbols:
        return sign_at(f, {}) in (1, -1)  # a constant: certified nonzero (P16's constant is 0 though not written 0)
    if f.is_polynomial(*f.free_symbols):
        # a coefficient written as a nonzero expression may still be 0: one must be certified nonzero
        try:
            coefficients = sp.Poly(f, *sorted(f.free_symbols, key=str)).coeffs()
        except (sp.PolynomialError, sp.GeneratorsNeeded, sp.CoercionFailed):
            return False
        return any(c != 0 if c.is_Rational else sign_at(c, {}) in (1, -1) for c in coefficients)
    numerator, denominator = f.as_numer_denom()
    if not (analytic_everywhere(numerator) and analytic_everywhere(denominator)):
        return False
    point = {s: sp.Rational(2 * i + 3, 7 * i + 11) for i, s in enumerate(sorted(f.free_symbols, key=str))}
    return sign_at(f, point) in (1, -1)


def _condition_differences(expr: sp.Expr, *kinds: type) -> tuple[sp.Expr, ...]:
    """The differences ``lhs - rhs`` of the comparisons of ``kinds`` in ``expr``'s Piecewise conditions (once each).

    >>> x = sp.Symbol("x", real=True)
    >>> _condition_differences(sp.Piecewise((x, x**2 <= 1), (0, True)), sp.LessThan)
    (x**2 - 1,)
    """
    out = []
    for pw in expr.atoms(sp.Piecewise):
        for _piece, cond in pw.args:
            if isinstance(cond, sp.Basic):
                out += [a.lhs - a.rhs for a in cond.atoms(*kinds)]
    return tuple(dict.fromkeys(out))


def thin_atoms(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    """The differences ``lhs - rhs`` of every ``Eq``/``Ne`` atom in a Piecewise condition of ``expr``."""
    return _condition_differences(expr, sp.Eq, sp.Ne)


def opened_atoms(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    """The differences ``a - b`` of the comparisons :func:`interior_form` opens in ``expr``'s
    Piecewise conditions (``Eq``, ``Ne``, ``>=``, ``<=`` with ``a - b`` certified not identically
    zero): on their zero sets g may follow a piece the derivatives' form does not show.

    >>> x, y = sp.symbols("x y", real=True)
    >>> opened_atoms(sp.Piecewise((x, sp.Eq(y**2, 1)), (x + y, x >= 0), (0, True)))
    (x, y**2 - 1)
    """
    found = _condition_differences(expr, sp.Eq, sp.Ne, sp.GreaterThan, sp.LessThan)
    return tuple(sorted((h for h in found if _not_identically_zero(h)), key=sp.default_sort_key))


def vanished_by_opening(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    """The differences ``a - b`` of the comparisons in every Piecewise piece of ``expr`` whose
    condition :func:`interior_form` turns into false while it was not false as written: a thin
    piece (``s1**2 <= 0`` opens to ``s1**2 < 0``, which sympy evaluates to false, so the piece
    and, with it, its boundary leave the derivatives' form).  Judged piece by piece: the same
    difference elsewhere in ``expr`` does not hide it.

    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> g = sp.Piecewise((s2, s1**2 <= 0), (s1, True)) + sp.Piecewise((s1**7, s1**2 > 0), (0, True))
    >>> vanished_by_opening(g)
    (s1**2,)
    """
    out = []
    for pw in expr.atoms(sp.Piecewise):
        for _piece, cond in pw.args:
            if not isinstance(cond, sp.Basic) or cond in (sp.true, sp.false):
                continue
            opened, atoms = _open_condition(cond, open_comparisons=True)
            if atoms and opened == sp.false:
                out += [a.lhs - a.rhs for a in atoms]
    return tuple(dict.fromkeys(out))


def off_boundaries(exprs: Sequence[sp.Expr], point: Mapping[sp.Symbol, sp.Expr]) -> bool:
    """Whether ``point`` lies on no boundary of the Piecewise conditions in ``exprs``: every
    comparison ``a ~ b`` in them has ``a - b`` a nonzero rational there.  Then each Piecewise
    keeps its piece on a neighbourhood of the point, and its formula's value and derivatives
    there are the expression's (on a boundary the piece sympy selects need not be).

    >>> x = sp.Symbol("x", real=True)
    >>> f = sp.Piecewise((0, x > 0), (1, True))
    >>> off_boundaries([f], {x: sp.Rational(1, 2)}), off_boundaries([f], {x: 0}), off_boundaries([x**2], {x: 0})
    (True, False, True)
    """
    values = {s: sp.sympify(v) for s, v in point.items()}
    for e in exprs:
        for pw in e.atoms(sp.Piecewise):
            for _, cond in pw.args:
                if not isinstance(cond, sp.Basic):
                    continue
                for atom in cond.atoms(sp.core.relational.Relational):
                    gap = (atom.lhs - atom.rhs).xreplace(values)
                    if not (gap.is_Rational and gap != 0):
                        return False
    return True


def interior_form(expr: sp.Expr, memo: dict | None = None, open_comparisons: bool = True) -> sp.Expr:
    """``expr`` with every Piecewise piece of empty interior removed.

    An ``Eq(a, b)`` atom with ``a - b`` certified not identically zero holds only on a set
    without interior, and ``Ne(a, b)`` holds on a dense open set: on the open dense set
    where no such atom is at its boundary the function equals the result, where ``Eq``
    is replaced by false and ``Ne`` by true.  Likewise (``open_comparisons``) ``a >= b``
    becomes ``a > b`` and ``a <= b`` becomes ``a < b``: they differ only where ``a = b``, a
    set without interior, so a thin piece written without ``Eq`` (``(s >= 0) & (s <= 0)``,
    ``s**2 <= 0``) holds nowhere in the result.  Derivatives are computed from this form,
    since a derivative at a point depends on the values on a neighbourhood (a piece
    such as ``Piecewise((sin(x)/x, Ne(x, 0)), (1, True))`` contributes the open formula).
    Atoms whose difference cannot be certified nonzero are kept.  ``memo`` (optional, one
    per value of ``open_comparisons``) keeps each rebuilt Piecewise for later calls.

    >>> import sympy as sp
    >>> x, y = sp.symbols("x y", real=True)
    >>> interior_form(sp.Piecewise((x, sp.Ne(x, y)), (y, True)))
    x
    >>> interior_form(sp.Piecewise((sp.sin(x) / x, sp.Ne(x, 0)), (1, True)))
    sin(x)/x
    >>> interior_form(sp.Piecewise((x, (x >= 0) & (x <= 0)), (x**2 / 2, True))).subs(x, 0)
    0
    """
    if not expr.has(sp.Piecewise):
        return expr

    def rebuild(pw: sp.Piecewise) -> sp.Expr:
        pieces = []
        for piece, cond in pw.args:
            cond, _ = _open_condition(cond, open_comparisons)
            if cond == sp.false:
                continue
            pieces.append((piece, cond))
            if cond == sp.true:
                break
        if not pieces:
            return sp.nan
        if pieces[0][1] == sp.true:
            return pieces[0][0]
        return sp.Piecewise(*pieces)

    if memo is None:
        return expr.replace(lambda e: isinstance(e, sp.Piecewise), rebuild)
    return _replace(expr, lambda e: isinstance(e, sp.Piecewise), rebuild, memo)


def _open_condition(cond: Any, open_comparisons: bool) -> tuple[Any, list[sp.Basic]]:
    """``cond`` on the open dense set off its thin boundaries (``Eq`` false, ``Ne`` true and,
    with ``open_comparisons``, ``>=`` and ``<=`` strict; only atoms whose sides differ
    somewhere, certified), with the atoms it opened."""
    kinds = (sp.Eq, sp.Ne, sp.GreaterThan, sp.LessThan) if open_comparisons else (sp.Eq, sp.Ne)
    found = sorted(cond.atoms(*kinds), key=sp.default_sort_key) if isinstance(cond, sp.Basic) else []  # a set: in a fixed order
    atoms = [a for a in found if _not_identically_zero(a.lhs - a.rhs)]
    return (cond.xreplace({a: _opened(a) for a in atoms}) if atoms else cond), atoms


def _opened(atom: sp.Basic) -> sp.Basic:
    """What a comparison with a thin boundary is on the open dense set off that boundary."""
    if isinstance(atom, sp.Eq):
        return sp.false
    if isinstance(atom, sp.Ne):
        return sp.true
    if isinstance(atom, sp.GreaterThan):
        return sp.StrictGreaterThan(atom.lhs, atom.rhs)
    return sp.StrictLessThan(atom.lhs, atom.rhs)


#: Three-valued truth of a condition on a neighbourhood of a point.
ROBUST_TRUE, ROBUST_FALSE, BOUNDARY = "true", "false", "boundary"


def robust_truth(cond: sp.Basic, point: dict, sides: Mapping[sp.Expr, int] | None = None) -> str:
    """Whether ``cond`` holds on a whole neighbourhood of ``point`` (``"true"``), fails on
    one (``"false"``), or neither is certified (``"boundary"``).

    Strict and non-strict inequalities of functions certified continuous near the point
    (:func:`theory.model.regularity.continuous_at`) are robust where the two sides differ
    at the point; where they are equal, the sign is undecided or continuity is not
    certified (``floor(s) > -1`` holds at ``s = 0``, not just left of it), the point may lie
    on the boundary.  ``sides`` maps differences ``lhs - rhs`` to the sign they are given
    instead (a side of a boundary through the point, :func:`local_formulas`).

    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> robust_truth(x > 0, {x: sp.Rational(1, 3)}), robust_truth(x >= 0, {x: 0})
    ('true', 'boundary')

    An ``ITE(c, a, b)`` (a Piecewise that sympy folded into a condition) follows ``a`` or ``b``
    where ``c`` is decided, and is decided on the boundary of ``c`` when ``a`` and ``b`` agree:

    >>> robust_truth(sp.ITE(x >= 0, x > -1, x > -2), {x: 0})
    'true'
    >>> robust_truth(sp.floor(x) > -1, {x: 0}), robust_truth(x >= 0, {x: 0}, sides={x: -1})
    ('boundary', 'false')
    """
    if cond == sp.true:
        return ROBUST_TRUE
    if cond == sp.false:
        return ROBUST_FALSE
    if isinstance(cond, sp.And):
        parts = [robust_truth(c, point, sides) for c in cond.args]
        return ROBUST_FALSE if ROBUST_FALSE in parts else (ROBUST_TRUE if all(p == ROBUST_TRUE for p in parts) else BOUNDARY)
    if isinstance(cond, sp.Or):
        parts = [robust_truth(c, point, sides) for c in cond.args]
        return ROBUST_TRUE if ROBUST_TRUE in parts else (ROBUST_FALSE if all(p == ROBUST_FALSE for p in parts) else BOUNDARY)
    if isinstance(cond, sp.Not):
        inner = robust_truth(cond.args[0], point, sides)
        return {ROBUST_TRUE: ROBUST_FALSE, ROBUST_FALSE: ROBUST_TRUE}.get(inner, BOUNDARY)
    if isinstance(cond, ITE):  # sympy's form of a Piecewise folded into a condition
        test, then, other = cond.args
        which = robust_truth(test, point, sides)
        if which != BOUNDARY:
            return robust_truth(then if which == ROBUST_TRUE else other, point, sides)
        both = robust_truth(then, point, sides)
        return both if both == robust_truth(other, point, sides) else BOUNDARY  # the same near the point, whichever applies
    if isinstance(cond, sp.core.relational.Relational):
        sign = _side_sign(cond.lhs - cond.rhs, point, sides)
        if sign is None or sign == 0:
            return BOUNDARY
        if isinstance(cond, (sp.StrictGreaterThan, sp.GreaterThan)):
            return ROBUST_TRUE if sign > 0 else ROBUST_FALSE
        if isinstance(cond, (sp.StrictLessThan, sp.LessThan)):
            return ROBUST_TRUE if sign < 0 else ROBUST_FALSE
        if isinstance(cond, sp.Eq):
            return ROBUST_FALSE
        if isinstance(cond, sp.Ne):
            return ROBUST_TRUE
    return BOUNDARY


def _side_sign(diff: sp.Expr, point: dict, sides: Mapping[sp.Expr, int] | None) -> int | None:
    """The sign of ``diff`` near ``point``: given by ``sides`` (for ``diff`` or ``-diff``), else
    certified at the point for a function continuous near it, else ``None``."""
    if sides:
        if diff in sides:
            return sides[diff]
        if -diff in sides:
            return -sides[-diff]
    if not continuous_at(diff, point):
        return None
    return sign_at(diff, point)


def local_formulas(expr: sp.Expr, point: dict, limit: int = 32, sides: Mapping[sp.Expr, int] | None = None) -> list[sp.Expr] | None:
    """The Piecewise-free formulas that ``expr`` may follow on a neighbourhood of ``point``.

    Every Piecewise is resolved by :func:`robust_truth`: pieces robustly false are
    dropped, the first robustly true piece ends the list, and pieces at a boundary all
    stay.  One formula means ``expr`` equals it on a neighbourhood (on the open set where
    its conditions hold); several mean the point may lie on a boundary between pieces.
    ``None`` when more than ``limit`` combinations arise.  With ``sides`` (differences
    ``h`` mapped to a sign), the formulas on that side of the boundaries ``h = 0`` near the
    point (see :func:`robust_truth`).

    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> f = sp.Piecewise((x**3, x > 0), (0, True))
    >>> local_formulas(f, {x: sp.Rational(1, 2)}), local_formulas(f, {x: 0})
    ([x**3], [x**3, 0])
    """
    memo: dict[sp.Basic, list[sp.Expr] | None] = {}

    def walk(e: sp.Basic) -> list[sp.Expr] | None:
        if not e.has(sp.Piecewise):
            return [e]
        if e in memo:
            return memo[e]
        out: list[sp.Expr] | None
        if isinstance(e, sp.Piecewise):
            out = []
            for piece, cond in e.args:
                truth = robust_truth(cond, point, sides)
                if truth == ROBUST_FALSE:
                    continue
                sub = walk(piece)
                if sub is None:
                    out = None
                    break
                out += sub
                if truth == ROBUST_TRUE:
                    break
        else:
            out = []
            combos: list[list[sp.Basic]] = [[]]
            for arg in e.args:
                sub = walk(arg)
                if sub is None:
                    combos = []
                    out = None
                    break
                combos = [c + [s] for c in combos for s in sub]
                if len(combos) > limit:
                    out = None
                    break
            if out is not None:
                out = [e.func(*c) for c in combos]
        if out is not None:
            out = list(dict.fromkeys(out))
            if len(out) > limit:
                out = None
        memo[e] = out
        return out

    return walk(sp.sympify(expr))

"""Zero patterns of a few expressions over the domain: the strata of docs/mathematics.md 5.10.

For piecewise-polynomial expressions ``e_1, ..., e_k`` the domain splits into strata by which
``e_i`` vanish.  :func:`zero_strata` lists the realisable patterns: expressions proved
identically zero or nowhere zero on the domain are fixed first, and for the remaining ones
("free") every subset ``Z`` is asked of z3 nlsat (``exists s: e_i(s) = 0 for i in Z, e_j(s) != 0
otherwise``).  ``unsat`` drops the pattern, ``sat`` keeps it (z3's answer is a proof of
existence), with an exact rational point of the stratum when z3's model re-verifies exactly;
``unknown`` makes the whole enumeration undecided.  The number of free expressions is capped.

Examples
--------
>>> import sympy as sp
>>> from theory import Generator, Box
>>> from theory.criteria.context import CheckContext
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> g = Generator("g", [[s1], [s2]], [s1, s2], Box({s1: (-1, 1), s2: (-1, 1)}))
>>> strata = zero_strata(CheckContext(g), [s1, s2 - 2, sp.S.Zero])
>>> sorted(sorted(s.zero) for s in strata)
[[0, 2], [2]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import sympy as sp

from theory.criteria.context import CheckContext
from theory.exact.intervals import certify_sign
from theory.criteria.domain_sign import rational_parts
from theory.exact.smt import Eq, Ne, NotTranslatable, exists
from theory.model.derivatives import is_piecewise_polynomial
from theory.model.piecewise import off_boundaries

__all__ = ["Stratum", "StrataUndecided", "zero_strata", "never_zero", "MAX_FREE", "MAX_DEPTH"]

#: The most expressions left free (2**MAX_FREE z3 queries at most).
MAX_FREE = 8
#: The deepest bisection of the bounding box in the interval route of :func:`never_zero`.
MAX_DEPTH = 8


class StrataUndecided(Exception):
    """The realisable zero patterns could not be enumerated (the message says why)."""


@dataclass(frozen=True)
class Stratum:
    """One realisable zero pattern: the indices of the expressions that vanish on it, and an
    exact rational point of it when one was found (``None`` otherwise)."""

    zero: frozenset[int]
    point: dict | None


def zero_strata(ctx: CheckContext, exprs: Sequence[sp.Expr], max_free: int = MAX_FREE) -> list[Stratum]:
    """Every realisable zero pattern of ``exprs`` on the generator's domain.

    Raises
    ------
    StrataUndecided
        For a non-polynomial free expression, too many free expressions, or a z3 ``unknown``.
    """
    g = ctx.generator
    always_zero, free = set(), []
    for i, e in enumerate(exprs):
        ctx.budget.check()
        if ctx.tester.test(e).status == "zero":
            always_zero.add(i)
        elif not _nowhere_zero(ctx, e):
            free.append(i)
    if any(not is_piecewise_polynomial(exprs[i]) for i in free):
        raise StrataUndecided("a free expression is not piecewise polynomial")
    if len(free) > max_free:
        raise StrataUndecided(f"{len(free)} expressions change sign pattern on S (at most {max_free} are enumerated)")
    strata = []
    for size in range(len(free) + 1):
        for zero in combinations(free, size):
            ctx.budget.check()
            constraints = [Eq(exprs[i]) for i in zero] + [Ne(exprs[i]) for i in free if i not in zero]
            try:
                answer = exists(constraints, g.domain, g.latents, timeout=ctx.smt_time(), boundaries="closure")
            except NotTranslatable as exc:
                raise StrataUndecided(str(exc)) from None
            if answer.status == "unknown":
                raise StrataUndecided(f"z3: {answer.reason}")
            if answer.status == "sat":
                strata.append(Stratum(frozenset(zero) | always_zero, _verified_point(g, exprs, set(zero) | always_zero, answer.candidates, ctx.table.values)))
    return strata


def _nowhere_zero(ctx: CheckContext, e: sp.Expr) -> bool:
    return never_zero(ctx, [e])[0] is True


def _verified_point(g, exprs: Sequence[sp.Expr], zero: set[int], candidates, pieces: Sequence[sp.Expr] = ()) -> dict | None:
    """The first candidate where exactly the ``zero`` expressions vanish, off every piece
    boundary of ``exprs`` and of ``pieces`` (g's own Piecewise outputs: sympy merges equal
    derivative pieces, and the boundary of a jump in g can vanish from its derivatives)."""
    for cand in candidates:
        if not g.domain.contains(cand) or not off_boundaries([*exprs, *pieces], cand):  # on a boundary: not the pieces' values
            continue
        values = [e.xreplace(cand) for e in exprs]
        if all(v.is_Rational for v in values) and all((v == 0) == (i in zero) for i, v in enumerate(values)):
            return dict(cand)
    return None


def never_zero(ctx: CheckContext, minors: list[sp.Expr], found: list[dict] | None = None) -> tuple[bool | None, str]:
    """Whether no point of the domain is a common zero of ``minors``: ``(True, method)``
    certified, ``(False, method)`` with a common zero re-verified exactly (appended to
    ``found`` when given), ``(None, why)``."""
    g = ctx.generator
    if all(is_piecewise_polynomial(e) for e in minors):
        try:
            answer = exists([Eq(e) for e in minors], g.domain, g.latents, timeout=ctx.smt_time(), boundaries="closure")
        except NotTranslatable:
            answer = None
        if answer is not None:
            if answer.status == "unsat":
                return True, "z3-nlsat"
            if answer.status == "sat":
                for cand in answer.candidates:  # re-verified exactly: rational values of polynomials
                    values = [e.xreplace(cand) for e in minors]
                    if g.domain.contains(cand) and off_boundaries([*minors, *ctx.table.values], cand) and all(v.is_Rational and v == 0 for v in values):
                        if found is not None:
                            found.append(dict(cand))
                        return False, "z3-nlsat"
                return None, "z3 found a rank drop it could not give at an exact point"
            return None, f"z3-nlsat: {answer.reason}"
    parts = [rational_parts(e, g.latents) for e in minors]
    if all(pq is not None for pq in parts):
        # rational functions p / q: no common zero of the numerators anywhere on S, denominators'
        # zeros included (at a removable 0/0 the minor's limit may well be 0: (s1 + 1)**4 / (s1 + 1))
        try:
            answer = exists([Eq(p) for p, _ in parts], g.domain, g.latents, timeout=ctx.smt_time(), boundaries="closure")
        except NotTranslatable:
            answer = None
        if answer is not None and answer.status == "unsat":
            return True, "z3-nlsat"
    return _by_subdivision(ctx, minors)


def _by_subdivision(ctx: CheckContext, minors: list[sp.Expr]) -> tuple[bool | None, str]:
    g = ctx.generator
    env = {s: g.domain.interval(s) for s in g.latents}
    if any(not (lo.is_finite and hi.is_finite) for lo, hi in env.values()):
        return None, "interval subdivision needs a bounded domain"
    cells = [env]
    for _ in range(MAX_DEPTH + 1):
        ctx.budget.check()
        open_cells = [cell for cell in cells if not any(certify_sign(e, cell)[0] is not None for e in minors)]
        if not open_cells:
            return True, "interval-subdivision"
        if _ == MAX_DEPTH:
            break
        cells = [half for cell in open_cells for half in _bisect(cell)]
    return None, f"interval subdivision to depth {MAX_DEPTH} left cells where no maximal minor is certified nonzero"


def _bisect(cell: dict) -> list[dict]:
    s, (lo, hi) = max(cell.items(), key=lambda item: item[1][1] - item[1][0])
    mid = (lo + hi) / 2
    return [{**cell, s: (lo, mid)}, {**cell, s: (mid, hi)}]

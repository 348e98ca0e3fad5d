"""The exact rank of a few vectors of exact constants (rational, algebraic or transcendental).

docs/mathematics.md sections 4.3 and 6.4.  Separability and the spanning condition count
dimensions of spans of derivative vectors at a point.  Where every entry is a rational (after
:func:`theory.exact.constant_zero.decide_constant` with ``exact_value``, which also turns an
algebraic constant that is rational into one) the rank is exact elimination.  Otherwise it is
certified minor by minor (:func:`theory.criteria.certified_minors.certified_rank`): a nonzero
minor by an interval enclosure that excludes 0, a vanishing one by the zero-test cascade; an
undecided minor the rank depends on raises :class:`~theory.criteria.context.NotRational`, so
the caller answers ``unknown`` naming it.  Floats never decide.

Examples
--------
>>> import sympy as sp
>>> from theory import Box, Generator
>>> from theory.criteria.context import CheckContext
>>> s = sp.Symbol("s", real=True)
>>> ctx = CheckContext(Generator("g", [[s]], [s], Box({s: (-1, 1)})))
>>> exact_rank(ctx, [[sp.E, sp.pi], [2 * sp.E, 2 * sp.pi], [sp.S(1), sp.S(0)]])
2
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy as sp

from theory.criteria.certified_minors import MAX_DET_DIM, MinorOracle, MinorUndecided, TooManyMinors, certified_rank
from theory.criteria.context import CheckContext, NotRational
from theory.linalg.rational import rank

__all__ = ["exact_rank", "as_rationals"]


def as_rationals(ctx: CheckContext, vectors: Sequence[Sequence[sp.Expr]]) -> list[list[Fraction]] | None:
    """The vectors as Fractions when every entry is (decided to be) a rational, else ``None``."""
    out = []
    for v in vectors:
        row = []
        for x in v:
            x = sp.sympify(x)
            if not x.is_Rational:
                decision = ctx.decide_constant(x, exact_value=True, cheap=False)
                x = sp.S.Zero if decision.status == "zero" else decision.value
                if decision.status == "unknown" or not x.is_Rational:
                    return None
            row.append(Fraction(int(x.p), int(x.q)))
        out.append(row)
    return out


def exact_rank(ctx: CheckContext, vectors: Sequence[Sequence[sp.Expr]], rational_first: bool = True) -> int:
    """The rank of ``vectors`` (rows of exact constants), exact or certified (see the module);
    ``rational_first=False`` skips the attempt at rationals (the caller has seen it fail).

    Raises
    ------
    NotRational
        When a minor the rank depends on is undecided, or the vectors are too many and too
        long for determinants of at most :data:`~theory.criteria.certified_minors.MAX_DET_DIM` rows.
    """
    if not vectors:
        return 0
    rational = as_rationals(ctx, vectors) if rational_first else None
    if rational is not None:
        return rank(rational)
    rows, length = len(vectors), len(vectors[0])
    matrix = [list(v) for v in vectors]
    if length > MAX_DET_DIM:  # work with the transpose: the vectors as columns
        if rows > MAX_DET_DIM:
            raise NotRational(f"{rows} vectors of length {length}: too many for certified minors (at most {MAX_DET_DIM})")
        matrix = [[vectors[i][j] for i in range(rows)] for j in range(length)]
    # entries decided through the context's cache of constants (as_rationals has just decided them)
    entries = [[ctx.decide_constant(sp.sympify(v)) for v in row] for row in matrix]
    oracle = MinorOracle(entries, ctx.budget, ctx.symbolic_timeout)
    try:
        return certified_rank(oracle, list(range(len(matrix))), list(range(len(matrix[0])))).rank
    except MinorUndecided as exc:
        raise NotRational(f"a minor of the derivative vectors is undecided: {exc}") from exc
    except TooManyMinors as exc:
        raise NotRational(str(exc)) from exc

"""The spanning condition of Theorem 3 (criterion ``spanning``, scope ``global``).

docs/mathematics.md 4.3, reading ``thm3: with-spanning``: for every output n, the rows
``J_{n,:}(s)``, s in S, span ``R^{supp_n}``.  Exact ranks at seeded rational points prove
it; a kernel vector ``y`` whose combination ``sum_a y_a d_a g_n`` is proved identically
zero refutes it (the witness is the dependency); a nonzero combination adds its witness
point and the loop repeats.  A piecewise-linear g is proved from the gradients on its linear
regions first (method ``linear-regions``, :func:`theory.criteria.piecewise_linear.pl_spanning`).

Examples
--------
>>> import sympy as sp
>>> from theory import Generator, Box
>>> from theory.criteria.context import CheckContext
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> g = Generator("lin", [[s1], [s2]], [s1, s2, s1 + s2], Box({s1: (-1, 1), s2: (-1, 1)}))
>>> r = check_spanning(CheckContext(g))
>>> r.verdict, r.witness["output"], r.witness["dependency"]
('refuted', 2, {'s1': '-1', 's2': '1'})
>>> summary(r)
'output 3 (counting from 1): s1 = -1, s2 = 1 gives an identically zero combination of its partials: the rows do not span'
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from theory.criteria.constant_rank import exact_rank
from theory.criteria.context import CheckContext, NotRational, constant_value, rational_value
from theory.criteria.piecewise_linear import pl_spanning
from theory.linalg.rational import nullspace, rank
from theory.result import CheckResult

__all__ = ["check_spanning", "summary"]

_MAX_ROUNDS = 6


def check_spanning(ctx: CheckContext) -> CheckResult:
    """The spanning (sufficient variability) condition of Theorem 3, on every output."""
    g = ctx.generator
    details: dict = {"readings": {"thm3": "with-spanning"}, "rows": {}}
    linear = pl_spanning(ctx)  # a piecewise-linear g: the gradients on its linear regions
    if linear is not None and linear[0] == "proved":
        return CheckResult("spanning", "proved", "global", "linear-regions", details={**details, **linear[1]})
    if linear is not None:
        return CheckResult("spanning", "refuted", "global", "linear-regions", witness=linear[1], details=details)
    undecided = []
    methods: set[str] = set()
    for n in range(g.m):
        support = []
        for a in range(g.d):
            ctx.budget.check()
            zt = ctx.partial_zero_test(n, a)
            if zt.status == "unknown":
                undecided.append(f"output {n}: d/d{g.latents[a]} not decided")
                support = None
                break
            if zt.status == "nonzero":
                support.append(a)
        if support is None:
            continue
        if not support:
            details["rows"][str(n)] = "no dependence"
            continue
        if len(support) == 1:  # a partial not identically zero spans R^1
            details["rows"][str(n)] = "spans"
            continue
        points = [dict(p) for p in g.points] + ctx.random_points(len(support) + 2)
        outcome = _row_spans(ctx, n, support, points)
        if outcome[0] == "refuted":
            witness = {"output": n, "support": [str(g.latents[a]) for a in support], "dependency": outcome[1]}
            return CheckResult("spanning", "refuted", "global", outcome[2], witness=witness, details=details)
        if outcome[0] == "unknown":
            undecided.append(f"output {n}: {outcome[1]}")
        else:
            details["rows"][str(n)] = "spans"
            methods.add(outcome[1] if len(outcome) > 1 else "exact-evaluation")
    if undecided:
        details["undecided"] = undecided
        return CheckResult("spanning", "unknown", "global", "exact-evaluation", details=details)
    return CheckResult("spanning", "proved", "global", "certified-minors" if "certified-minors" in methods else "exact-evaluation", details=details)


def _row_spans(ctx: CheckContext, n: int, support: list[int], points: list[dict]) -> tuple:
    g = ctx.generator
    for _ in range(_MAX_ROUNDS):
        V, skipped = [], False
        for p in points:
            try:
                V.append([rational_value(ctx, n, (a,), p) for a in support])
            except NotRational:  # an irrational or undecided value (a point on a kink): not this route
                skipped = True
        if V and rank(V) == len(support):
            return ("proved",)
        if skipped:
            return _row_spans_certified(ctx, n, support, points)
        y = nullspace(V, len(support))[0]
        combination = sum((sp.Rational(c.numerator, c.denominator) * ctx.table.derivative(n, (a,)) for c, a in zip(y, support) if c != 0), sp.S.Zero)
        zt = ctx.tester.test(combination)
        if zt.status == "zero":
            return ("refuted", {str(g.latents[a]): str(c) for a, c in zip(support, y)}, zt.method)
        if zt.status == "unknown" or zt.point is None:
            return ("unknown", f"the dependency {[str(c) for c in y]} is undecided ({zt.method})")
        points.append(zt.point)
    return ("unknown", f"no spanning sample after {_MAX_ROUNDS} rounds")


def _row_spans_certified(ctx: CheckContext, n: int, support: list[int], points: list[dict]) -> tuple:
    """The partials' values at the points are not all rational.  Points where a value is
    undecided (on a kink, at a thin piece) are left out: any sample serves.  The rank of the rest,
    certified minor by minor (:func:`~theory.criteria.constant_rank.exact_rank`), proves that the
    row spans when it is full.  Otherwise a dependency of the values, found in floating point and
    rounded to small rationals, is only a candidate: it refutes spanning when the zero test proves
    its combination of the partials identically zero (``exp(s1 + s2)``: ``d1 - d2``)."""
    g = ctx.generator
    for _ in range(_MAX_ROUNDS):
        values = []
        for p in points:
            try:
                values.append([constant_value(ctx, n, (a,), p) for a in support])
            except NotRational:
                continue
        if len(values) >= len(support):
            try:
                if exact_rank(ctx, values, rational_first=False) == len(support):
                    return ("proved", "certified-minors")
            except NotRational:
                pass
        y = _float_dependency(values, len(support))
        if y is None:
            break
        combination = sum((c * ctx.table.derivative(n, (a,)) for c, a in zip(y, support) if c != 0), sp.S.Zero)
        zt = ctx.tester.test(combination)
        if zt.status == "zero":
            return ("refuted", {str(g.latents[a]): str(c) for a, c in zip(support, y)}, zt.method)
        if zt.status != "nonzero" or zt.point is None or zt.point in points:
            break
        points.append(zt.point)  # the candidate fails there: a point that adds rank, as in the rational route
    return ("unknown", "the partials' values at the sample points are not proved independent, and no exact dependency of the functions was found")


def _float_dependency(values: list[list[sp.Expr]], k: int) -> list[sp.Rational] | None:
    """A candidate kernel vector of the value matrix: the right singular vector of its smallest
    singular value (30-digit values), scaled to largest entry 1 and rounded to denominators
    <= 1000; ``None`` without values or when the rounding leaves nothing.  Only the zero test of
    its combination decides anything."""
    if not values:
        return None
    try:
        M = np.array([[float(sp.N(v, 30)) for v in row] for row in values], dtype=float)
    except (TypeError, ValueError):
        return None
    if not np.all(np.isfinite(M)):
        return None
    _, _, vt = np.linalg.svd(M, full_matrices=True)
    v = vt[-1] if M.shape[0] >= k else vt[min(M.shape[0], k - 1)]
    v = v / v[np.argmax(np.abs(v))]
    y = [sp.Rational(Fraction(float(x)).limit_denominator(1000)) for x in v]
    return y if any(y) else None


def summary(result: CheckResult) -> str:
    """The witness of a refuted ``spanning`` in words (outputs counted from 1)."""
    w = result.witness
    if not w:
        return ""
    dependency = ", ".join(f"{k} = {v}" for k, v in w["dependency"].items())
    return f"output {w['output'] + 1} (counting from 1): {dependency} gives an identically zero combination of its partials: the rows do not span"

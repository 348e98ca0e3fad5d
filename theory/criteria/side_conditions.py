"""Side conditions of Theorems 3 and 5: the spanning condition and n-order separability.

* ``spanning`` (docs/mathematics.md 4.3, reading ``thm3: with-spanning``; scope ``global``): for every
  output n, the rows ``J_{n,:}(s)``, s in S, span ``R^{supp_n}``.  Exact ranks at seeded
  rational points prove it; a kernel vector ``y`` whose combination
  ``sum_a y_a d_a g_n`` is proved identically zero refutes it (the witness is the
  dependency); a nonzero combination adds its witness point and the loop repeats.
* ``sepN`` (docs/mathematics.md 6.4, reading ``sep``; scope ``point``): with ``L = span{d^b g(s) :
  1 <= |b| <= n-1}`` and ``W_k = span{d^a g(s) : |a| = n, a inside C_k}``, SEP-weak
  (``W_k`` meets ``L + sum_{j != k} W_j`` only in 0), non-degeneracy (``W_k != 0``) and
  SEP-strong (the pure-block derivatives of orders 1..n are independent), all computed;
  the reading picks the one that decides the verdict (default ``weak+nondegenerate``).

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
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations_with_replacement

import sympy as sp

from theory.linalg.rational import nullspace, rank
from theory.result import CheckResult, point_json
from theory.criteria.context import CheckContext

__all__ = ["SEP_READINGS", "check_spanning", "check_separability_at", "separability_figures"]

SEP_READINGS = ("weak+nondegenerate", "weak", "strong")
_MAX_ROUNDS = 6


class _NotRational(Exception):
    pass


def _rational(ctx: CheckContext, t: int, alpha: tuple[int, ...], point: dict) -> Fraction:
    decision = ctx.value_at(t, alpha, point, cheap=False)
    if decision.status == "unknown":
        raise _NotRational(f"d^{alpha} g_{t} at {point_json(point)} is undecided")
    value = sp.S.Zero if decision.status == "zero" else decision.value
    if not value.is_Rational:
        raise _NotRational(f"d^{alpha} g_{t} at {point_json(point)} is not a known rational")
    return Fraction(int(value.p), int(value.q))


def check_spanning(ctx: CheckContext) -> CheckResult:
    """The spanning (sufficient variability) condition of Theorem 3, on every output."""
    g = ctx.generator
    details: dict = {"readings": {"thm3": "with-spanning"}, "rows": {}}
    undecided = []
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
    if undecided:
        details["undecided"] = undecided
        return CheckResult("spanning", "unknown", "global", "exact-evaluation", details=details)
    return CheckResult("spanning", "proved", "global", "exact-evaluation", details=details)


def _row_spans(ctx: CheckContext, n: int, support: list[int], points: list[dict]) -> tuple:
    g = ctx.generator
    for _ in range(_MAX_ROUNDS):
        try:
            V = [[_rational(ctx, n, (a,), p) for a in support] for p in points]
        except _NotRational as exc:
            return ("unknown", str(exc))
        if rank(V) == len(support):
            return ("proved",)
        y = nullspace(V, len(support))[0]
        combination = sum((sp.Rational(c.numerator, c.denominator) * ctx.table.derivative(n, (a,)) for c, a in zip(y, support) if c != 0), sp.S.Zero)
        zt = ctx.tester.test(combination)
        if zt.status == "zero":
            return ("refuted", {str(g.latents[a]): str(c) for a, c in zip(support, y)}, zt.method)
        if zt.status == "unknown" or zt.point is None:
            return ("unknown", f"the dependency {[str(c) for c in y]} is undecided ({zt.method})")
        points.append(zt.point)
    return ("unknown", f"no spanning sample after {_MAX_ROUNDS} rounds")


def _inside_one_block(ctx: CheckContext, alpha: tuple[int, ...]) -> int | None:
    blocks = {ctx.generator.block_of[a] for a in alpha}
    return next(iter(blocks)) if len(blocks) == 1 else None


def separability_figures(ctx: CheckContext, point: dict, n: int) -> dict:
    """Dimensions of ``L``, ``W_k`` and their sums at ``point``, and the three verdicts."""
    g = ctx.generator

    def vec(alpha: tuple[int, ...]) -> list[Fraction]:
        return [_rational(ctx, t, alpha, point) for t in range(g.m)]

    lower = [vec(b) for order in range(1, n) for b in combinations_with_replacement(range(g.d), order)]
    W = [[vec(a) for a in combinations_with_replacement(block, n)] for block in g.blocks]
    total = rank(lower + [v for Wk in W for v in Wk])
    dims = [rank(Wk) for Wk in W]
    weak = []
    for k in range(g.K):
        rest = rank(lower + [v for j, Wj in enumerate(W) if j != k for v in Wj])
        weak.append(dims[k] + rest == total)
    pure = [vec(a) for block in g.blocks for order in range(1, n + 1) for a in combinations_with_replacement(block, order)]
    return {
        "n": n,
        "dim_L": rank(lower),
        "dim_W": dict(zip(g.factor_names, dims)),
        "weak": dict(zip(g.factor_names, weak)),
        "nondegenerate": dict(zip(g.factor_names, [d > 0 for d in dims])),
        "strong": rank(pure) == len(pure),
        "pure_block_derivatives": len(pure),
    }


def check_separability_at(ctx: CheckContext, point: dict, n: int = 2, reading: str = "weak+nondegenerate") -> CheckResult:
    """n-order separability at ``point`` (criterion ``sepN``, scope ``point``)."""
    if reading not in SEP_READINGS:
        raise ValueError(f"unknown separability reading {reading!r} (choose from {', '.join(SEP_READINGS)})")
    criterion = f"sep{n}"
    try:
        fig = separability_figures(ctx, point, n)
    except _NotRational as exc:
        return CheckResult(criterion, "unknown", "point", "not-rational", details={"reason": str(exc), "readings": {"sep": reading}}, point=point)
    details = {**fig, "readings": {"sep": reading}}
    weak = all(fig["weak"].values())
    nondeg = all(fig["nondegenerate"].values())
    holds = {"weak": weak, "weak+nondegenerate": weak and nondeg, "strong": fig["strong"]}[reading]
    if not weak or not nondeg:
        details["note"] = "SEP-weak holds vacuously where W_k = 0" if weak and not nondeg else ""
    if holds:
        return CheckResult(criterion, "proved", "point", "exact-evaluation", details=details, point=point)
    failing = [k for k in fig["weak"] if not fig["weak"][k]] if not weak else [k for k in fig["nondegenerate"] if not fig["nondegenerate"][k]]
    witness = {
        "point": point_json(point),
        "n": n,
        "reading": reading,
        "fails": "strong" if reading == "strong" else ("weak" if not weak else "nondegenerate"),
        "factors": failing if reading != "strong" else list(fig["dim_W"]),
        "dim_W": fig["dim_W"],
        "dim_L": fig["dim_L"],
    }
    return CheckResult(criterion, "refuted", "point", "exact-evaluation", witness=witness, details=details, point=point)

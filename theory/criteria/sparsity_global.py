"""Type S on the whole domain (criterion ``S``, scope ``global``; docs/mathematics.md 5.10).

Two sound routes, cheapest first:

* **Refutation at a point.**  Type S fails on S as soon as it fails at one point of S: the
  pointwise check (:func:`~theory.criteria.sparsity_gap.check_sparsity_gap_at`) runs at the
  generator's points and at seeded random points, and its first refutation, with its exact
  point and misaligned basis (re-verified there), refutes the global statement.
* **Type D everywhere and full column rank everywhere.**  If every output depends on one
  factor only (D on all of S) and every block ``J_k(s)`` has full column rank at every s,
  then Type S holds at every s.  Proof: write a basis ``u^1, ..., u^d`` by blocks,
  ``u^j = sum_k P_k u^j``.  By the generalised Laplace expansion of ``det[u^1 ... u^d]``
  along the block rows there is a partition of the basis into sets ``S_k`` of sizes
  ``d_k`` with ``{P_k u^j : j in S_k}`` a basis of ``E_k``.  Under D the supports of the
  ``J P_k u^j`` lie in disjoint row sets, so ``w(u^j) = sum_k w(P_k u^j)``, and under full
  column rank every nonzero ``P_k u^j`` has weight >= 1.  The aligned basis
  ``{P_k u^j : j in S_k}`` therefore weighs at most the basis, strictly less when some
  ``u^j`` mixes blocks: rho- > rho+ under the pointwise reading (and under the coordinate
  reading when every factor is 1-D, where the two agree).  Full column rank everywhere is
  certified per block by z3 (no point of S where all maximal minors vanish) for
  piecewise-polynomial blocks, else by interval enclosures on a subdivision of the domain's
  bounding box in which every cell has a maximal minor certified nonzero.

Anything else is ``unknown`` with the reason (the strata of section 5.10 are not enumerated).

Examples
--------
>>> import sympy as sp
>>> from theory import Generator, Box
>>> from theory.criteria.context import CheckContext
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> g = Generator("bumps", [[s1], [s2]], [sp.exp(s1), s1 + 2, sp.sin(s2) + 2], Box({s1: (-1, 1), s2: (-1, 1)}))
>>> r = check_sparsity_gap_global(CheckContext(g))
>>> r.verdict, r.method
('proved', 'disjoint-and-full-rank')
>>> p05 = Generator("p05", [[s1], [s2]], [s1, s2, s1**3 + s2**3], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}])
>>> r = check_sparsity_gap_global(CheckContext(p05))
>>> r.verdict, r.witness["point"] == {s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}
('refuted', True)
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import sympy as sp

from theory.criteria.context import CheckContext
from theory.criteria.disjointness import check_disjointness
from theory.criteria.sparsity_gap import check_sparsity_gap_at
from theory.exact.intervals import certify_sign
from theory.exact.smt import Eq, NotTranslatable, exists
from theory.model.derivatives import is_piecewise_polynomial
from theory.result import CheckResult

__all__ = ["check_sparsity_gap_global", "full_column_rank_everywhere", "never_zero", "RANDOM_POINTS", "MAX_MINORS", "MAX_DEPTH"]

#: Seeded random points (besides the generator's own) where a refutation is sought.
RANDOM_POINTS = 3
#: The most maximal minors of one block examined for the rank certificate.
MAX_MINORS = 200
#: The deepest bisection of the bounding box in the interval route (2**MAX_DEPTH cells at most per block).
MAX_DEPTH = 8


def check_sparsity_gap_global(ctx: CheckContext) -> CheckResult:
    """Type S at every point of the domain (criterion ``S``, scope ``global``)."""
    g = ctx.generator
    readings = {"s-strict": ctx.readings.s, "rho-plus": ctx.readings.rho_plus}
    details: dict[str, Any] = {"readings": readings}
    undecided_points = []
    for point in [dict(p) for p in g.points] + ctx.random_points(RANDOM_POINTS):
        at = check_sparsity_gap_at(ctx, point)
        if at.verdict == "refuted":
            details["found_at"] = "a checked point" if any(point == dict(p) for p in g.points) else "a seeded random point"
            details["pointwise"] = {k: at.details.get(k) for k in ("rho_plus", "rho_minus", "rho_star") if k in at.details}
            return CheckResult("S", "refuted", "global", at.method, witness=at.witness, details=details)
        if at.verdict == "unknown":
            undecided_points.append(at.method)
    if ctx.readings.rho_plus == "coordinates" and any(len(b) > 1 for b in g.blocks):
        details["reason"] = "rho+ in the given coordinates: the D-and-full-rank route needs 1-D factors"
        return CheckResult("S", "unknown", "global", "not-implemented", details=details)
    disjoint = check_disjointness(ctx)
    details["D"] = {"verdict": disjoint.verdict, "method": disjoint.method}
    if disjoint.verdict == "refuted" and g.K == 2 and all(len(b) == 1 for b in g.blocks):
        return _two_lines(ctx, details)
    if disjoint.verdict != "proved":
        details["reason"] = (
            "Type D fails on S, and Type S on S without D needs the strata of docs/mathematics.md 5.10, which are not enumerated"
            if disjoint.verdict == "refuted"
            else "Type D on S is undecided"
        )
        return CheckResult("S", "unknown", "global", "not-implemented" if disjoint.verdict == "refuted" else disjoint.method, details=details)
    ranks = {}
    for k, name in enumerate(g.factor_names):
        ctx.budget.check()
        verdict, method = full_column_rank_everywhere(ctx, k)
        ranks[name] = {"full_rank": verdict, "method": method}
        if verdict is not True:
            details["rank"] = ranks
            details["reason"] = f"factor {name}: full column rank on all of S is {'refuted' if verdict is False else 'undecided'} ({method})"
            return CheckResult("S", "unknown", "global", method, details=details)
    details["rank"] = ranks
    details["note"] = "Type D on S and full column rank of every block on S imply Type S on S (module docstring)"
    return CheckResult("S", "proved", "global", "disjoint-and-full-rank", details=details)


def _two_lines(ctx: CheckContext, details: dict[str, Any]) -> CheckResult:
    """Two 1-D factors: the closed form of docs/mathematics.md 5.7 (rho+ = n1 + n2,
    rho- = (n1 + n2 - o - o1) + min(n1, n2, n1 + n2 - o - o2)), valid on all of S when the
    supports and the proportionality classes on the overlap do not change on S: every
    partial is identically zero or never zero on S, and so is every 2x2 minor of two
    overlap rows."""
    g = ctx.generator
    a, b = g.blocks[0][0], g.blocks[1][0]
    status = {}
    for t in range(g.m):
        for c in (a, b):
            ctx.budget.check()
            status[t, c] = _constant_status(ctx, ctx.table.derivative(t, (c,)), ctx.partial_zero_test(t, c).status)
            if status[t, c] is None:
                details["reason"] = f"the support of output {t} in {g.latents[c]} may change on S"
                return CheckResult("S", "unknown", "global", "not-implemented", details=details)
    n1 = sum(status[t, a] for t in range(g.m))
    n2 = sum(status[t, b] for t in range(g.m))
    overlap = [t for t in range(g.m) if status[t, a] and status[t, b]]
    if n1 == 0 or n2 == 0:
        details["reason"] = "a factor's column vanishes identically: the Jacobian is rank-deficient on S"
        return CheckResult("S", "unknown", "global", "not-implemented", details=details)
    classes: list[list[int]] = []
    for t in overlap:
        for cls in classes:
            ctx.budget.check()
            u = cls[0]
            minor = ctx.table.derivative(t, (a,)) * ctx.table.derivative(u, (b,)) - ctx.table.derivative(u, (a,)) * ctx.table.derivative(t, (b,))
            same = _constant_status(ctx, minor, ctx.tester.test(minor).status)
            if same is None:
                details["reason"] = f"whether outputs {u} and {t} stay proportional may change on S"
                return CheckResult("S", "unknown", "global", "not-implemented", details=details)
            if not same:
                cls.append(t)
                break
        else:
            classes.append([t])
    sizes = sorted((len(c) for c in classes), reverse=True) + [0, 0]
    o, o1, o2 = len(overlap), sizes[0], sizes[1]
    rho_plus, rho_minus = n1 + n2, (n1 + n2 - o - o1) + min(n1, n2, n1 + n2 - o - o2)
    holds = rho_plus < rho_minus if ctx.readings.s == "strict" else rho_plus <= rho_minus
    details.update({"n1": n1, "n2": n2, "overlap": o, "class_sizes": sizes[: len(classes)], "rho_plus": rho_plus, "rho_minus": rho_minus})
    details["note"] = "supports and proportionality classes are the same at every s: the closed form of docs/mathematics.md 5.7 holds on all of S"
    if holds:
        return CheckResult("S", "proved", "global", "two-factor-closed-form", details=details)
    # S fails at every point: the pointwise check gives the exact misaligned basis at one
    for point in [dict(p) for p in g.points] + ctx.random_points(RANDOM_POINTS):
        at = check_sparsity_gap_at(ctx, point)
        if at.verdict == "refuted":
            return CheckResult("S", "refuted", "global", "two-factor-closed-form", witness=at.witness, details=details)
    details["reason"] = "the closed form says S fails everywhere, but no exact witness point was found"
    return CheckResult("S", "unknown", "global", "two-factor-closed-form", details=details)


def _constant_status(ctx: CheckContext, e: sp.Expr, zero_status: str) -> bool | None:
    """``False`` if ``e`` is identically zero on S, ``True`` if it vanishes nowhere on S,
    ``None`` if neither is certified."""
    if zero_status == "zero":
        return False
    verdict, _ = never_zero(ctx, [e])
    return True if verdict is True else None


def _block_rows(ctx: CheckContext, k: int) -> list[int]:
    g = ctx.generator
    return [t for t in range(g.m) if any(not ctx.table.is_structural_zero(t, (a,)) for a in g.blocks[k])]


def _maximal_minors(ctx: CheckContext, k: int) -> list[sp.Expr] | None:
    g = ctx.generator
    block = g.blocks[k]
    rows = _block_rows(ctx, k)
    minors = []
    for chosen in combinations(rows, len(block)):
        if len(minors) >= MAX_MINORS:
            return None
        M = sp.Matrix([[ctx.table.derivative(t, (a,)) for a in block] for t in chosen])
        minors.append(M[0, 0] if len(block) == 1 else M.det(method="berkowitz"))
    return minors


def full_column_rank_everywhere(ctx: CheckContext, k: int) -> tuple[bool | None, str]:
    """Whether block ``k``'s Jacobian ``J_k(s)`` has full column rank at every s in the domain.

    Returns ``(True, method)`` when certified, ``(False, method)`` when z3 finds a point
    where every maximal minor vanishes (re-verified exactly there), ``(None, why)`` when
    undecided.
    """
    g = ctx.generator
    minors = _maximal_minors(ctx, k)
    if minors is None:
        return None, f"more than {MAX_MINORS} maximal minors"
    if not minors:
        return False, "structural"  # fewer nonzero rows than latents: rank-deficient everywhere
    return never_zero(ctx, minors)


def never_zero(ctx: CheckContext, minors: list[sp.Expr]) -> tuple[bool | None, str]:
    """Whether no point of the domain is a common zero of ``minors``: ``(True, method)``
    certified, ``(False, method)`` with a common zero re-verified exactly, ``(None, why)``."""
    g = ctx.generator
    if all(is_piecewise_polynomial(e) for e in minors):
        try:
            answer = exists([Eq(e) for e in minors], g.domain, g.latents, timeout=ctx.smt_time())
        except NotTranslatable:
            answer = None
        if answer is not None:
            if answer.status == "unsat":
                return True, "z3-nlsat"
            if answer.status == "sat":
                for cand in answer.candidates:  # re-verified exactly: rational values of polynomials
                    values = [e.xreplace(cand) for e in minors]
                    if g.domain.contains(cand) and all(v.is_Rational and v == 0 for v in values):
                        return False, "z3-nlsat"
                return None, "z3 found a rank drop it could not give at an exact point"
            return None, f"z3-nlsat: {answer.reason}"
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

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
  reading when every factor is 1-D, where the two agree).  Without full rank the same
  argument still gives an aligned basis no heavier than any basis (components may weigh 0),
  so Type D alone implies the non-strict reading, rho+ <= rho- (method `disjoint`).  Full column rank everywhere is
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
from math import comb
from typing import Any

import sympy as sp

from theory.criteria.context import CheckContext
from theory.criteria.disjointness import check_disjointness
from theory.criteria.piecewise_linear import pl_full_column_rank, pl_network
from theory.criteria.sparsity_gap import check_sparsity_gap_at, gap_holds, parallel_classes, two_factor_rho
from theory.criteria.strata import StrataUndecided, never_zero, zero_strata
from theory.model.piecewise import is_piecewise_free
from theory.result import CheckResult, point_json

__all__ = ["check_sparsity_gap_global", "full_column_rank_everywhere", "RANDOM_POINTS", "MAX_MINORS"]

#: Seeded random points (besides the generator's own) where a refutation is sought.
RANDOM_POINTS = 3
#: The most maximal minors of one block examined for the rank certificate.
MAX_MINORS = 200


def check_sparsity_gap_global(ctx: CheckContext) -> CheckResult:
    """Type S at every point of the domain (criterion ``S``, scope ``global``)."""
    g = ctx.generator
    readings = {"s-strict": ctx.readings.s, "rho-plus": ctx.readings.rho_plus}
    details: dict[str, Any] = {"readings": readings}
    if pl_network(ctx) is not None:  # piecewise-linear g: the proof from its regions is cheap, try it first
        first = _by_structure(ctx, {"readings": dict(readings)})
        if first.verdict == "proved":
            return first
    for point in [dict(p) for p in g.points] + ctx.random_points(RANDOM_POINTS):
        at = check_sparsity_gap_at(ctx, point)
        if at.verdict == "refuted":
            details["found_at"] = "a checked point" if any(point == dict(p) for p in g.points) else "a seeded random point"
            details["pointwise"] = {k: at.details.get(k) for k in ("rho_plus", "rho_minus", "rho_star") if k in at.details}
            return CheckResult("S", "refuted", "global", at.method, witness=at.witness, details=details)
    result = _by_structure(ctx, details)
    if result.verdict == "unknown" and _constant_jacobian(ctx):  # g affine: J, hence rho+ and rho-, is the same at every point
        point = ctx.some_point()
        at = check_sparsity_gap_at(ctx, point)
        if at.verdict in ("proved", "refuted"):
            details.pop("reason", None)
            details.update(point=point_json(point), method_at_point=at.method, note="every partial of g is a constant: Type S at one point is Type S on S")
            details.update({k: at.details.get(k) for k in ("rho_plus", "rho_minus", "rho_star") if k in at.details})
            return CheckResult("S", at.verdict, "global", "constant-jacobian", witness=at.witness, details=details)
    return result


def _constant_jacobian(ctx: CheckContext) -> bool:
    """Whether every first partial of every output is a constant (g affine in the latents, with
    no pieces: a Piecewise could change its slope across a boundary)."""
    g = ctx.generator
    if any(o.has(sp.Piecewise) or not is_piecewise_free(o) for o in g.outputs):
        return False
    for t in range(g.m):
        for a in range(g.d):
            ctx.budget.check()
            if not ctx.table.is_structural_zero(t, (a,)) and ctx.table.derivative(t, (a,)).free_symbols:
                return False
    return True


def _by_structure(ctx: CheckContext, details: dict[str, Any]) -> CheckResult:
    """Type S on S from D on S and full column rank (or the two-lines strata), no point search."""
    g = ctx.generator
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
    if ctx.readings.s == "non-strict":
        details["note"] = "Type D on S alone implies rho+ <= rho- at every s (module docstring): non-strict Type S on S"
        return CheckResult("S", "proved", "global", "disjoint", details=details)
    ranks = {}
    for k, name in enumerate(g.factor_names):
        ctx.budget.check()
        drops: list[dict] = []
        verdict, method = full_column_rank_everywhere(ctx, k, drops)
        ranks[name] = {"full_rank": verdict, "method": method}
        if verdict is not True:
            details["rank"] = ranks
            for point in drops:  # D with a rank drop: a tie there (a vector of the kernel mixes freely)
                at = check_sparsity_gap_at(ctx, point)
                if at.verdict == "refuted":
                    details["found_at"] = f"a point where factor {name} loses rank"
                    return CheckResult("S", "refuted", "global", at.method, witness=at.witness, details=details)
            details["reason"] = f"factor {name}: full column rank on all of S is {'refuted' if verdict is False else 'undecided'} ({method})"
            return CheckResult("S", "unknown", "global", method, details=details)
    details["rank"] = ranks
    details["note"] = "Type D on S and full column rank of every block on S imply Type S on S (module docstring)"
    return CheckResult("S", "proved", "global", "disjoint-and-full-rank", details=details)


def _two_lines(ctx: CheckContext, details: dict[str, Any]) -> CheckResult:
    """Two 1-D factors: the closed form of docs/mathematics.md 5.7 (rho+ = n1 + n2,
    rho- = (n1 + n2 - o - o1) + min(n1, n2, n1 + n2 - o - o2)) on every stratum of S (the
    zero patterns of the partials and of the 2x2 minors of pairs of rows,
    :func:`theory.criteria.strata.zero_strata`).  Proved when it holds on every realisable
    stratum; refuted by the pointwise check at an exact point of a stratum where it fails."""
    g = ctx.generator
    a, b = g.blocks[0][0], g.blocks[1][0]
    d = ctx.table.derivative
    entries = [(t, c) for t in range(g.m) for c in (a, b)]
    both = [t for t in range(g.m) if all(ctx.partial_zero_test(t, c).status != "zero" for c in (a, b))]
    pairs = [(t, u) for i, t in enumerate(both) for u in both[i + 1 :]]  # only rows that can share the overlap
    exprs = [d(t, (c,)) for t, c in entries] + [d(t, (a,)) * d(u, (b,)) - d(u, (a,)) * d(t, (b,)) for t, u in pairs]
    try:
        strata = zero_strata(ctx, exprs)
    except StrataUndecided as exc:
        details["reason"] = f"the strata of S could not be enumerated: {exc}"
        return CheckResult("S", "unknown", "global", "not-implemented", details=details)
    details["strata"] = len(strata)
    failing = []
    for stratum in strata:
        nonzero = {entries[i] for i in range(len(entries)) if i not in stratum.zero}
        parallel = {pairs[i] for i in range(len(pairs)) if len(entries) + i in stratum.zero}
        figures = _two_line_figures(g.m, a, b, nonzero, parallel)
        if figures is None:
            details["reason"] = "a stratum where a factor's column vanishes (rank-deficient Jacobian)"
            return CheckResult("S", "unknown", "global", "not-implemented", details=details)
        rho_plus, rho_minus = figures["rho_plus"], figures["rho_minus"]
        if not gap_holds(rho_plus, rho_minus, ctx.readings.s):
            failing.append((stratum, figures))
    if not failing:
        details["note"] = "the closed form of docs/mathematics.md 5.7 holds on every stratum of S"
        return CheckResult("S", "proved", "global", "two-factor-closed-form", details=details)
    for stratum, figures in failing:
        if stratum.point is None:
            continue
        at = check_sparsity_gap_at(ctx, stratum.point)
        if at.verdict == "refuted":
            details["failing_stratum"] = figures
            return CheckResult("S", "refuted", "global", "two-factor-closed-form", witness=at.witness, details=details)
    details["reason"] = "the closed form fails on a stratum where no exact witness point was found"
    return CheckResult("S", "unknown", "global", "two-factor-closed-form", details=details)


def _two_line_figures(m: int, a: int, b: int, nonzero: set, parallel: set) -> dict[str, Any] | None:
    """n1, n2, o, the overlap's proportionality classes and rho+- on one stratum."""
    n1 = sum((t, a) in nonzero for t in range(m))
    n2 = sum((t, b) in nonzero for t in range(m))
    if n1 == 0 or n2 == 0:
        return None
    overlap = [t for t in range(m) if (t, a) in nonzero and (t, b) in nonzero]
    sizes = sorted((len(c) for c in parallel_classes(overlap, parallel)), reverse=True)
    rho_plus, rho_minus = two_factor_rho(n1, n2, len(overlap), sizes)
    return {"n1": n1, "n2": n2, "overlap": len(overlap), "class_sizes": sizes, "rho_plus": rho_plus, "rho_minus": rho_minus}


def _block_rows(ctx: CheckContext, k: int) -> list[int]:
    g = ctx.generator
    return [t for t in range(g.m) if any(not ctx.table.is_structural_zero(t, (a,)) for a in g.blocks[k])]


def _maximal_minors(ctx: CheckContext, k: int) -> list[sp.Expr] | None:
    g = ctx.generator
    block = g.blocks[k]
    rows = _block_rows(ctx, k)
    if comb(len(rows), len(block)) > MAX_MINORS:  # decided before computing any determinant
        return None
    minors = []
    for chosen in combinations(rows, len(block)):
        if len(minors) >= MAX_MINORS:
            return None
        M = sp.Matrix([[ctx.table.derivative(t, (a,)) for a in block] for t in chosen])
        minors.append(M[0, 0] if len(block) == 1 else M.det(method="berkowitz"))
    return minors


def full_column_rank_everywhere(ctx: CheckContext, k: int, found: list[dict] | None = None) -> tuple[bool | None, str]:
    """Whether block ``k``'s Jacobian ``J_k(s)`` has full column rank at every s in the domain.

    Returns ``(True, method)`` when certified, ``(False, method)`` when z3 finds a point
    where every maximal minor vanishes (re-verified exactly there, and appended to ``found``
    when given), ``(None, why)`` when undecided.  A piecewise-linear g is decided on its
    linear regions first (method ``linear-regions``,
    :func:`theory.criteria.piecewise_linear.pl_full_column_rank`).
    """
    g = ctx.generator
    linear = pl_full_column_rank(ctx, k) if len(g.blocks[k]) > 1 else None  # piecewise-linear g: its regions
    if linear is not None and linear[0]:
        return linear
    minors = _maximal_minors(ctx, k)
    if minors is None:
        return None, f"more than {MAX_MINORS} maximal minors"
    if not minors:
        return False, "structural"  # fewer nonzero rows than latents: rank-deficient everywhere
    return never_zero(ctx, minors, found)

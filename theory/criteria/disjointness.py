"""Type D (disjoint Jacobian supports): every row of J(s) is nonzero in at most one block.

docs/mathematics.md section 3.  Globally:

* rows whose structural dependencies meet one block are fine (``structural``);
* a refutation is a rational point and a row with nonzero partials in two blocks,
  searched first at the generator's points and simple grid points;
* piecewise polynomials with rational coefficients: z3 nlsat decides
  ``exists s in S: (some d_a g_n != 0, a in C_i) and (some d_b g_n != 0, b in C_j)``
  for every row and pair of blocks, which is complete even where supports switch with s
  (P20/P21);
* otherwise: zero tests of the partials; if every row keeps at most one block whose
  partials are not proved identically zero, D holds (valid for any g); else a witness
  is searched (for analytic g on a connected domain such points are dense), and failing
  that the answer is ``unknown``.

At a point: the exact Jacobian decides (``scope: point``).

With the probabilistic mode on (:mod:`theory.probabilistic`) and g rational, the zero
tests are replaced by one random-direction derivative per block tested modulo random
primes, before any other step (``holds-probabilistically``, never ``proved``).
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

from theory.result import CheckResult, point_json, point_text
from theory.exact.smt import AnyOf, Ne, NotTranslatable, exists
from theory.criteria.context import CheckContext, enclosures_json, strongest_method, value_json
from theory.criteria.witness import verify_two_blocks
from theory.criteria.piecewise_linear import pl_group_regions, region_point
from theory.probabilistic import Undecided

__all__ = ["check_disjointness", "check_disjointness_at"]


def _candidate_rows(ctx: CheckContext) -> dict[int, dict[int, list[int]]]:
    """Rows whose possible dependencies meet >= 2 blocks: ``{row: {block: [latents]}}``."""
    g = ctx.generator
    out = {}
    for t in range(g.m):
        by_block: dict[int, list[int]] = {}
        for a in sorted(ctx.table.dependencies(t)):
            by_block.setdefault(g.block_of[a], []).append(a)
        if len(by_block) >= 2:
            out[t] = by_block
    return out


def _refuted(ctx: CheckContext, point: dict, t: int, a: int, b: int, found_by: str | None = None, scope: str = "global") -> CheckResult | None:
    """The re-verified refutation (row t nonzero in latents a and b at point), or ``None``.

    The method is ``found_by`` (e.g. ``z3-nlsat``) or else how the values were decided.
    """
    g = ctx.generator
    checked = verify_two_blocks(g, point, t, a, b, ctx.constants)
    if checked is None:
        return None
    da, db = checked
    witness = {
        "point": dict(point),
        "output": t,
        "latents": [str(g.latents[a]), str(g.latents[b])],
        "values": [value_json(da), value_json(db)],
    }
    enclosures = enclosures_json([da, db])
    if enclosures:
        witness["enclosures"] = enclosures
    method = found_by or strongest_method([da.method, db.method])
    return CheckResult("D", "refuted", scope, method, witness=witness, point=point if scope == "point" else None)


def _search(ctx: CheckContext, rows: dict[int, dict[int, list[int]]], points: list[dict]) -> CheckResult | None:
    """A point where some row has certified-nonzero partials in two blocks.

    Witnesses whose values are exact rationals are preferred (docs/mathematics.md section 3.3: P17's
    witness must be exact); one certified only by enclosures is the fallback.
    """
    fallback = None
    for point in points:
        for t, by_block in rows.items():
            ctx.budget.check()
            hits: dict[int, tuple[int, str]] = {}
            for k, latents in by_block.items():
                for a in latents:
                    decision = ctx.value_at(t, (a,), point)
                    if decision.is_nonzero:
                        hits[k] = (a, decision.method)
                        break
            if len(hits) >= 2:
                (a, ma), (b, mb) = list(hits.values())[:2]
                if fallback is not None and not (ma == mb == "exact-evaluation"):
                    continue
                found = _refuted(ctx, point, t, a, b)
                if found is None:
                    continue
                if "enclosures" not in found.witness:
                    return found
                fallback = fallback or found
    return fallback


def _search_exact(ctx: CheckContext, rows: dict[int, dict[int, list[int]]]) -> CheckResult | None:
    """The generator's own points with every entry decided by the full cascade (minimal
    polynomials included), where the cheap witness search found nothing."""
    for point in ctx.generator.points:
        jac = ctx.checked_jacobian_at(point)
        if jac is None:
            continue
        for t, by_block in rows.items():
            hits = {k: a for k, latents in by_block.items() for a in latents if jac.status(t, a) == "nonzero"}
            if len(hits) >= 2:
                a, b = list(hits.values())[:2]
                found = _refuted(ctx, point, t, a, b)
                if found is not None:
                    return found
    return None


def check_disjointness(ctx: CheckContext) -> CheckResult:
    """Global Type D on the generator's domain (criterion ``D``, scope ``global``)."""
    g = ctx.generator
    rows = _candidate_rows(ctx)
    details: dict = {"rows_checked": len(rows), "rows": g.m}
    if not rows:
        raw = any(len({g.block_of[a[0]] for a in p if len(a) == 1}) >= 2 for p in ctx.table.raw_patterns(1))
        return CheckResult("D", "proved", "global", "piece-selection" if raw else "structural", details=details)
    prob = ctx.probabilistic
    if prob is not None and prob.active and prob.program is not None:
        decided = _by_random_primes(ctx, rows, details)
        if decided is not None:
            return decided
    found = _search(ctx, rows, ctx.probe_points())
    if found is not None:
        return found
    regions = _by_linear_regions(ctx, rows, details)  # piecewise-linear g only
    if regions is not None:
        return regions
    if ctx.table.is_piecewise_polynomial:
        try:
            by_smt = _by_smt(ctx, rows, details)
        except NotTranslatable:  # pragma: no cover - is_piecewise_polynomial guards this
            by_smt = None
        if by_smt is not None and by_smt.verdict != "unknown":
            return by_smt
    return _by_zero_tests(ctx, rows, details)


def _by_linear_regions(ctx: CheckContext, rows: dict[int, dict[int, list[int]]], details: dict) -> CheckResult | None:
    """Type D on every linear region of a piecewise-linear g (method ``linear-regions``,
    docs/mathematics.md 7.3): J is constant on a region, so its rows' supports there are exact.
    A row nonzero in two blocks on a region refutes at the region's exact interior point,
    re-verified by :func:`_refuted` (a strip of width 10^-6 between two kinks is a region like
    any other, which sampled points miss); no such row on any region proves D (at kinks J does
    not exist).  ``None`` when g is not PL, the regions are undecided, or the refutation does
    not re-check (the general route then decides)."""
    groups = pl_group_regions(ctx)
    if groups is None:
        return None
    g = ctx.generator
    for outputs, latents, regions in groups:
        for region in regions:
            ctx.budget.check()
            for i, row in enumerate(region.rows):
                if outputs[i] not in rows:
                    continue
                nonzero: dict[int, int] = {}  # block -> a latent of it with a nonzero entry
                for j, v in enumerate(row):
                    if v:
                        nonzero.setdefault(g.block_of[latents[j]], latents[j])
                if len(nonzero) >= 2:
                    a, b = list(nonzero.values())[:2]
                    return _refuted(ctx, region_point(ctx, latents, region.point), outputs[i], a, b, "linear-regions")
    details["linear_regions"] = {",".join(str(g.latents[a]) for a in latents): len(regions) for _, latents, regions in groups}
    details["note"] = "no row is nonzero in two blocks on any linear region; at kinks J does not exist (docs/mathematics.md 7.3)"
    return CheckResult("D", "proved", "global", "linear-regions", details=details)


def _by_random_primes(ctx: CheckContext, rows: dict[int, dict[int, list[int]]], details: dict) -> CheckResult | None:
    """The probabilistic mode (:mod:`theory.probabilistic`): one random direction per block,
    and the derivative of every row along it tested modulo random primes.  Every row
    with at most one block left nonzero: ``proved`` here, reported as
    ``holds-probabilistically`` with the error bound.  A row certainly nonzero in two
    blocks: a witness point of the domain is searched and re-verified exactly; ``None``
    (the exact route) when none turns up."""
    g, prob = ctx.generator, ctx.probabilistic
    try:
        nonzero = prob.nonzero(tuple(tuple(b) for b in g.blocks), mixed=False)
    except Undecided:
        prob.discard()
        return None
    conflicts: dict[int, dict[int, list[int]]] = {}
    try:
        for t, by_block in rows.items():
            active = {k: latents for k, latents in by_block.items() if nonzero[t][k]}
            for k in by_block:
                if not nonzero[t][k]:
                    prob.consume(t, 1)
            if len(active) >= 2:
                conflicts[t] = active
    except Undecided:  # the error bound says nothing: the exact route
        prob.discard()
        return None
    if not conflicts:
        return CheckResult("D", "proved", "global", "probabilistic", details=details)
    found = _search(ctx, conflicts, ctx.points.take(ctx.tester.thorough_points)) or _search(ctx, conflicts, ctx.points.large_points(4))
    if found is None:
        prob.discard()
    return found


def _by_smt(ctx: CheckContext, rows: dict[int, dict[int, list[int]]], details: dict) -> CheckResult:
    g, table = ctx.generator, ctx.table
    undecided = []
    for t, by_block in rows.items():
        for ki, kj in combinations(sorted(by_block), 2):
            ctx.budget.check()
            left = AnyOf(*[Ne(table.derivative(t, (a,))) for a in by_block[ki]])
            right = AnyOf(*[Ne(table.derivative(t, (b,))) for b in by_block[kj]])
            answer = exists([left, right], g.domain, g.latents, timeout=ctx.smt_time())
            if answer.status == "unsat":
                continue
            if answer.status == "sat":
                for point in answer.candidates:
                    if not g.domain.contains(point):
                        continue
                    for a in by_block[ki]:
                        for b in by_block[kj]:
                            found = _refuted(ctx, point, t, a, b, "z3-nlsat")
                            if found is not None:
                                return found
            undecided.append({"output": t, "blocks": [g.factor_names[ki], g.factor_names[kj]], "z3": answer.status})
    if undecided:
        details["undecided"] = undecided
        return CheckResult("D", "unknown", "global", "z3-nlsat", details=details)
    return CheckResult("D", "proved", "global", "z3-nlsat", details=details)


def _by_zero_tests(ctx: CheckContext, rows: dict[int, dict[int, list[int]]], details: dict) -> CheckResult:
    g = ctx.generator
    # first a few points with large denominators: a term like sin(N pi s) vanishes at every
    # small-denominator point, and the zero test of a hidden zero can take the whole budget
    found = _search(ctx, rows, ctx.points.large_points(4))
    if found is not None:
        return found
    methods: Counter = Counter()
    conflicts: dict[int, dict[int, list[int]]] = {}
    undecided_rows = []
    for t, by_block in rows.items():
        active: dict[int, list[int]] = {}
        unknown_here = False
        for k, latents in by_block.items():
            for a in latents:
                result = ctx.partial_zero_test(t, a)
                if result.is_zero:
                    methods[result.method] += 1
                    continue
                active.setdefault(k, []).append(a)
                unknown_here = unknown_here or result.status == "unknown"
        if len(active) >= 2:
            conflicts[t] = active
            if unknown_here:
                undecided_rows.append(t)
    if not conflicts:
        details["methods"] = dict(methods)
        return CheckResult("D", "proved", "global", strongest_method(methods), details=details)
    found = _search(ctx, conflicts, ctx.points.take(ctx.tester.thorough_points)) or _search_exact(ctx, conflicts)
    if found is not None:
        return found
    details["undecided"] = [{"output": t, "blocks": [g.factor_names[k] for k in by_block]} for t, by_block in conflicts.items()]
    return CheckResult("D", "unknown", "global", "witness-search", details=details)


def check_disjointness_at(ctx: CheckContext, point: dict) -> CheckResult:
    """Type D at one rational point (criterion ``D``, scope ``point``)."""
    g = ctx.generator
    jac = ctx.jacobian_at(point)
    undecided = []
    for t in range(g.m):
        nonzero: dict[int, int] = {}
        maybe: set[int] = set()
        for a in range(g.d):
            status = jac.status(t, a)
            if status == "nonzero":
                nonzero.setdefault(g.block_of[a], a)
            elif status == "unknown":
                maybe.add(g.block_of[a])
        if len(nonzero) >= 2:
            (a, b) = list(nonzero.values())[:2]
            found = _refuted(ctx, point, t, a, b, scope="point")
            if found is not None:
                return found
            undecided.append(t)
        elif len(set(nonzero) | maybe) >= 2:
            undecided.append(t)
    details = {"methods": dict(jac.methods())}
    if undecided:
        details["undecided_outputs"] = undecided
        return CheckResult("D", "unknown", "point", "exact-evaluation", details=details, point=point)
    return CheckResult("D", "proved", "point", strongest_method(list(jac.methods()) + ["exact-evaluation"]), details=details, point=point)


def summary(result: CheckResult) -> str:
    """A refuted Type D's witness in words (outputs counted from 1)."""
    w = result.witness
    if not w:
        return ""
    a, b = w["latents"]
    va, vb = w["values"]
    return f"output {w['output'] + 1}: d/d{a} = {va}, d/d{b} = {vb} at {point_text(w.get('point'))}"

"""Type M (non-containment) in the coordinate basis: no cross-block column support is
contained in another (docs/mathematics.md section 4).  An empty support is contained in everything,
so a zero column violates M.

* At a rational point: exact supports of J(s0), then set comparisons (``scope: point``).
* Globally: a refutation is a point where containment is certified row by row (exact
  zeros in column a or certified nonzeros in column b); for piecewise polynomials z3
  decides ``exists s: for all rows (d_a g_n != 0 -> d_b g_n != 0)`` for every ordered
  cross pair; otherwise an ``exclusive-rows`` certificate per pair: rows where
  ``d_b g`` is proved identically zero and ``sum (d_a g_n)^2`` provably positive on S.

The basis used is reported in ``details`` (reading option ``m-basis``: ``coordinates``).
With the probabilistic mode on (:mod:`theory.probabilistic`), the zero tests of the
certificates are random tests modulo random primes, and the certificates come first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from itertools import permutations

import sympy as sp

from theory.readings import M_BASES
from theory.exact.constant_zero import decide_constant
from theory.result import CheckResult, point_text, vectors_text
from theory.exact.smt import Eq, Implies, Ne, NotTranslatable, exists
from theory.model.derivatives import is_piecewise_polynomial
from theory.criteria.context import CheckContext, ExactJacobian, strongest_method
from theory.criteria.witness import verify_containment
from theory.model.generator import Generator
from theory.criteria.piecewise_linear import pl_group_regions, region_point
from theory.linalg.rational import support
from theory.linalg.sparsest_basis import sparsest_alternatives

__all__ = ["check_containment", "check_containment_at", "check_containment_sparsest_at", "containment_witness", "M_BASES"]

READING = {"m-basis": "coordinates"}
#: Readings of the basis of Type M (docs/mathematics.md 4.1): the given coordinates (default) or the
#: block-wise sparsest aligned basis B* of section 5.


def _cross_pairs(ctx: CheckContext) -> list[tuple[int, int]]:
    g = ctx.generator
    return [(a, b) for a in range(g.d) for b in range(g.d) if g.block_of[a] != g.block_of[b]]


def _contained_at(jac: ExactJacobian, a: int, b: int) -> bool | None:
    """Is supp(column a) within supp(column b) at this point? ``None`` if undecided."""
    verdict: bool | None = True
    for row in jac.entries:
        sa, sb = row[a].status, row[b].status
        if sa == "zero" or sb == "nonzero":
            continue
        if sa == "nonzero" and sb == "zero":
            return False
        verdict = None
    return verdict


def _refutation(ctx: CheckContext, point: dict, a: int, b: int, method: str, scope: str, rows: Sequence[int] | None = None) -> CheckResult | None:
    g = ctx.generator
    supports = verify_containment(g, point, a, b, ctx.constants, rows=rows)
    if supports is None:
        return None
    return CheckResult("M", "refuted", scope, method, witness=containment_witness(g, point, a, b, supports), details=dict(READING), point=point if scope == "point" else None)


def containment_witness(g: Generator, point: dict, a: int, b: int, supports: dict[str, list[int]]) -> dict:
    """The witness of ``supp d_a g(point)`` contained in ``supp d_b g(point)``, from the supports
    :func:`theory.criteria.witness.verify_containment` re-verified."""
    names = [str(g.latents[a]), str(g.latents[b])]
    witness = {
        "point": dict(point),
        "latents": names,
        "supports": {names[0]: supports["a"], names[1]: supports["b"]},
        "contained": f"supp d{names[0]} is contained in supp d{names[1]}",
    }
    undecided = {n: rows for n, rows in zip(names, (supports["a_undecided"], supports["b_undecided"])) if rows}
    if undecided:
        witness["undecided"] = undecided
    return witness


def check_containment_at(ctx: CheckContext, point: dict, rows: Callable[[int, int], Sequence[int]] | None = None) -> CheckResult:
    """Type M at one rational point, coordinate basis (criterion ``M``, scope ``point``).

    ``rows(a, b)`` (optional) names the outputs where latent ``a`` or ``b`` can have a nonzero
    derivative near the point (every other output is an exact zero in both columns, as a
    structured generator knows): a containment is then re-verified on those outputs only.
    """
    g = ctx.generator
    jac = ctx.jacobian_at(point)
    details: dict = dict(READING)
    details["supports"] = {str(s): sorted(jac.support(a)) for a, s in enumerate(g.latents)}
    undecided = []
    for a, b in _cross_pairs(ctx):
        contained = _contained_at(jac, a, b)
        if contained:
            method = strongest_method(list(jac.methods()) + ["exact-evaluation"])
            found = _refutation(ctx, point, a, b, method, "point", None if rows is None else rows(a, b))
            if found is not None:
                found.details.update(details)
                return found
            undecided.append([str(g.latents[a]), str(g.latents[b])])
        elif contained is None:
            undecided.append([str(g.latents[a]), str(g.latents[b])])
    if undecided:
        details["undecided_pairs"] = undecided
        return CheckResult("M", "unknown", "point", "exact-evaluation", details=details, point=point)
    method = strongest_method(list(jac.methods()) + ["exact-evaluation"])
    return CheckResult("M", "proved", "point", method, details=details, point=point)


def check_containment_sparsest_at(ctx: CheckContext, point: dict) -> CheckResult:
    """Type M at a rational point in the sparsest aligned basis B* (reading ``m-basis:
    sparsest-aligned``): no support ``supp(J b)`` of a vector of B* is contained in the
    support of a vector of another factor's part of B*.

    B* need not be unique (equal weights in a factor): the verdict is about every sparsest
    aligned basis, whatever order the outputs are written in.  A factor's part can be any of its
    sparsest bases, independently of the others', so M fails in some B* exactly when a vector of
    some sparsest basis of one factor (:func:`~theory.linalg.sparsest_basis.sparsest_alternatives`)
    has its support inside that of a vector of some sparsest basis of another; the witness is
    such a B*.  The basis is reported."""
    g = ctx.generator
    details: dict = {"m-basis": "sparsest-aligned"}
    J, reason = ctx.rational_jacobian_at(point)
    if J is None and all(len(b) == 1 for b in g.blocks):
        # 1-D factors: B* is the coordinate basis up to scale, which changes no support
        at = check_containment_at(ctx, point)
        note = "every factor is one-dimensional: B* is the coordinate basis up to scale"
        return CheckResult("M", at.verdict, "point", at.method, witness=at.witness, details={**(at.details or {}), **details, "note": note}, point=point)
    if J is None:
        details["reason"] = reason
        return CheckResult("M", "unknown", "point", "not-rational", details=details, point=point)
    parts = [sparsest_alternatives(J, block, g.d, ctx.budget.check) for block in g.blocks]
    bases = [[v for v, _ in basis] for basis, _ in parts]
    # every vector of some sparsest basis of each factor, with the place it takes in the greedy one
    options = [list(zip(basis, range(len(basis)))) + [(v, position) for v, _, position in others] for basis, (_, others) in zip(bases, parts)]
    offsets = [sum(map(len, bases[:k])) for k in range(len(bases))]
    details["basis"] = [[str(x) for x in v] for basis in bases for v in basis]
    details["supports"] = [sorted(support(J, v)) for basis in bases for v in basis]
    if any(others for _, others in parts):
        details["note"] = "B* is not unique here: the verdict is about every sparsest aligned basis"
    supports = [[frozenset(support(J, v)) for v, _ in opts] for opts in options]
    for k, l in permutations(range(len(g.blocks)), 2):
        for i, (u, pu) in enumerate(options[k]):
            ctx.budget.check()
            for j, (v, pv) in enumerate(options[l]):
                if supports[k][i] <= supports[l][j]:  # a sparsest aligned basis holding u and v
                    chosen = [list(basis) for basis in bases]
                    chosen[k][pu], chosen[l][pv] = u, v
                    details["basis"] = [[str(x) for x in w] for part in chosen for w in part]
                    details["supports"] = [sorted(support(J, w)) for part in chosen for w in part]
                    witness = {"point": dict(point), "vectors": [offsets[k] + pu, offsets[l] + pv], "basis": details["basis"], "supports": [sorted(supports[k][i]), sorted(supports[l][j])]}
                    return CheckResult("M", "refuted", "point", "exact-evaluation", witness=witness, details=details, point=point)
    return CheckResult("M", "proved", "point", "exact-evaluation", details=details, point=point)


def _search(ctx: CheckContext, pairs: list[tuple[int, int]], points: list[dict], method: str) -> CheckResult | None:
    for point in points:
        ctx.budget.check()
        jac = ctx.checked_jacobian_at(point)
        if jac is None:
            continue
        for a, b in pairs:
            if _contained_at(jac, a, b):
                found = _refutation(ctx, point, a, b, method, "global")
                if found is not None:
                    return found
    return None


def check_containment(ctx: CheckContext) -> CheckResult:
    """Global Type M on the domain, coordinate basis (criterion ``M``, scope ``global``)."""
    pairs = _cross_pairs(ctx)
    details: dict = dict(READING)
    if not pairs:
        details["note"] = "a single factor: no cross-block pair to compare"
        return CheckResult("M", "proved", "global", "structural", details=details)
    regions = _by_linear_regions(ctx, pairs, details)  # piecewise-linear g only
    if regions is not None:
        return regions
    # the probabilistic mode tries the certificates first (their zero tests are cheap
    # there) and searches the probe points only for the pairs left over
    prob = ctx.probabilistic
    random_first = prob is not None and prob.active and prob.program is not None
    if not random_first:
        found = _search(ctx, pairs, ctx.probe_points(), "exact-evaluation")
        if found is not None:
            return found
    certificates: dict[str, dict] = {}
    remaining = []
    methods: Counter = Counter()
    cache: dict = {}
    for a, b in pairs:
        ctx.budget.check()
        cert = _exclusive_rows(ctx, a, b, cache)
        if cert is not None:
            certificates[_pair_name(ctx, a, b)] = cert
            methods["exclusive-rows"] += 1
        else:
            remaining.append((a, b))
    if remaining and random_first:
        found = _search(ctx, remaining, ctx.probe_points(), "exact-evaluation")
        if found is not None:
            return found
    if remaining and ctx.table.is_piecewise_polynomial:
        try:
            result = _by_smt(ctx, remaining, details)
        except NotTranslatable:  # pragma: no cover - is_piecewise_polynomial guards this
            result = None
        if result is not None and result.verdict == "refuted":
            return result
        if result is not None and result.verdict == "proved":
            methods["z3-nlsat"] += len(remaining)
            remaining = []
    if not remaining:
        details["certificates"] = certificates
        return CheckResult("M", "proved", "global", strongest_method(methods), details=details)
    found = _search(ctx, remaining, ctx.points.take(ctx.tester.thorough_points), "exact-evaluation")
    if found is not None:
        return found
    details["certificates"] = certificates
    details["undecided_pairs"] = [[str(ctx.generator.latents[a]), str(ctx.generator.latents[b])] for a, b in remaining]
    return CheckResult("M", "unknown", "global", "exclusive-rows", details=details)


def _by_linear_regions(ctx: CheckContext, pairs: list[tuple[int, int]], details: dict) -> CheckResult | None:
    """Type M on every linear region of a piecewise-linear g (method ``linear-regions``,
    docs/mathematics.md 7.3): J is constant on a region, so the column supports there are
    exact; a pair ``(a, b)`` is contained on a region iff the rows of a's group where
    column a is nonzero are among those where column b is (b outside a's group: none).
    Proved when no pair is contained on any region (at kinks J does not exist); a contained
    pair refutes at the region's exact interior point, re-checked by :func:`_refutation`.
    ``None`` when g is not PL, the regions are undecided, some latent is read by no output,
    or the refutation does not re-check (the general route then decides)."""
    groups = pl_group_regions(ctx)
    if groups is None:
        return None
    group_of = {a: i for i, (_, latents, _) in enumerate(groups) for a in latents}
    if len(group_of) < ctx.generator.d:
        return None
    supports: dict[int, list[list[int]]] = {}  # group -> per region, per latent: its column's support as a bit mask
    for a, b in pairs:
        ctx.budget.check()
        k = group_of[a]
        outputs, latents, regions = groups[k]
        if k not in supports:
            supports[k] = [[sum(1 << i for i, row in enumerate(region.rows) if row[j]) for j in range(len(latents))] for region in regions]
        ia = latents.index(a)
        ib = latents.index(b) if group_of[b] == k else None
        for region, masks in zip(regions, supports[k]):
            # supp(col a) <= supp(col b); b outside a's group: its column is 0 on these rows
            if not masks[ia] & ~(masks[ib] if ib is not None else 0):
                return _refutation(ctx, region_point(ctx, latents, region.point), a, b, "linear-regions", "global")
    details["linear_regions"] = {",".join(str(ctx.generator.latents[a]) for a in latents): len(regions) for _, latents, regions in groups}
    details["note"] = "no cross-block column support is contained in another on any linear region; at kinks J does not exist (docs/mathematics.md 7.3)"
    return CheckResult("M", "proved", "global", "linear-regions", details=details)


def _pair_name(ctx: CheckContext, a: int, b: int) -> str:
    return f"{ctx.generator.latents[a]} not in {ctx.generator.latents[b]}"


def _by_smt(ctx: CheckContext, pairs: list[tuple[int, int]], details: dict) -> CheckResult | None:
    g, table = ctx.generator, ctx.table
    undecided = []
    for a, b in pairs:
        ctx.budget.check()
        constraints = []
        for t in range(g.m):
            if table.is_structural_zero(t, (a,)):
                continue
            da = table.derivative(t, (a,))
            if table.is_structural_zero(t, (b,)):
                constraints.append(Eq(da))
            else:
                constraints.append(Implies(Ne(da), Ne(table.derivative(t, (b,)))))
        answer = exists(constraints, g.domain, g.latents, timeout=ctx.smt_time(), boundaries="closure")
        if answer.status == "unsat":
            continue
        if answer.status == "sat":
            for point in answer.candidates:
                if g.domain.contains(point):
                    found = _refutation(ctx, point, a, b, "z3-nlsat", "global")
                    if found is not None:
                        return found
        undecided.append([str(g.latents[a]), str(g.latents[b]), answer.status])
    if undecided:
        details["z3_undecided"] = undecided
        return CheckResult("M", "unknown", "global", "z3-nlsat", details=details)
    return CheckResult("M", "proved", "global", "z3-nlsat", details=details)


def _exclusive_rows(ctx: CheckContext, a: int, b: int, cache: dict) -> dict | None:
    """A certificate that supp(d_a g) is never inside supp(d_b g) on S, or ``None``.

    Rows where d_b g_n is identically zero (structurally first, then by zero tests) and
    sum over them of (d_a g_n)^2 is positive everywhere: one such partial has an interval
    enclosure on the domain box excluding 0, or (piecewise polynomials) z3 shows the
    partials have no common zero in S, or the sum of squares is provably a positive
    constant.  ``cache`` maps ``(a, rows)`` to earlier answers (pairs (a, b) and (a, b')
    often share their rows).
    """
    g, table = ctx.generator, ctx.table
    candidates = [t for t in range(g.m) if not table.is_structural_zero(t, (a,))]
    structural = [t for t in candidates if table.is_structural_zero(t, (b,))]
    cert = _positive_sum(ctx, a, structural, cache)
    if cert is not None:
        return cert
    tested = [t for t in candidates if t not in structural and ctx.partial_zero_test(t, b).is_zero]
    if not tested:
        return None
    return _positive_sum(ctx, a, structural + tested, cache)


def _positive_sum(ctx: CheckContext, a: int, rows: list[int], cache: dict) -> dict | None:
    key = (a, tuple(rows))
    if key not in cache:
        cache[key] = _positive_sum_uncached(ctx, a, rows)
    return cache[key]


def _positive_sum_uncached(ctx: CheckContext, a: int, rows: list[int]) -> dict | None:
    if not rows:
        return None
    g, table = ctx.generator, ctx.table
    for t in rows:
        sign, enclosure = ctx.partial_sign(t, a)
        if sign is not None:
            if enclosure is None:  # decided by z3 on the open domain
                return {"rows": [t], "how": "z3-nlsat", "sign": sign}
            return {"rows": [t], "how": "interval", "enclosure": list(enclosure)}
    partials = [table.derivative(t, (a,)) for t in rows]
    if all(is_piecewise_polynomial(e) for e in partials):
        try:
            answer = exists([Eq(e) for e in partials], g.domain, g.latents, timeout=ctx.smt_time(), boundaries="closure")
        except NotTranslatable:  # pragma: no cover - is_piecewise_polynomial guards this
            return None
        return {"rows": rows, "how": "z3-nlsat: no common zero"} if answer.status == "unsat" else None
    total = sp.Add(*[e**2 for e in partials])
    probe = ctx.points.take(1)
    if not probe:
        return None
    constant = total.xreplace(probe[0])
    if not (constant.is_Rational and constant > 0):
        return None
    for point in ctx.random_points(2):  # a cheap look elsewhere before the zero test
        if decide_constant(total.xreplace(point) - constant, cheap=True).is_nonzero:
            return None
    if ctx.tester.test(total - constant).is_zero:
        return {"rows": rows, "how": "sum-of-squares-constant", "value": str(constant)}
    return None


def summary(result: CheckResult) -> str:
    """A refuted Type M's witness in words (outputs counted from 1)."""
    w = result.witness
    if not w:
        return ""
    if "vectors" in w:  # the sparsest aligned basis B*: vectors of the basis, not latents
        (l, k), (sl, sk) = w["vectors"], w["supports"]
        vl, vk = (vectors_text([w["basis"][i]]) for i in (l, k))
        return f"outputs of B* vector {vl} {{{', '.join(str(t + 1) for t in sl)}}} inside those of {vk} {{{', '.join(str(t + 1) for t in sk)}}} (counted from 1) at {point_text(w.get('point'))}"
    a, b = w["latents"]
    sa, sb = ({t + 1 for t in w["supports"][x]} for x in (a, b))
    return f"outputs of d/d{a} {sa or '{}'} inside those of d/d{b} {sb or '{}'} (counted from 1) at {point_text(w.get('point'))}"


def check_containment_point(ctx: CheckContext, point: dict) -> CheckResult:
    """Type M at ``point`` in the basis ``ctx.readings.m_basis`` names."""
    if ctx.readings.m_basis == "sparsest-aligned":
        return check_containment_sparsest_at(ctx, point)
    return check_containment_at(ctx, point)


def check_containment_global(ctx: CheckContext) -> CheckResult:
    """Type M on the whole domain in the basis ``ctx.readings.m_basis`` names.

    In the sparsest aligned basis B* the global check is the coordinate one when every
    factor is 1-D (B* is then the coordinate basis up to scale) and ``unknown`` otherwise.
    """
    if ctx.readings.m_basis != "sparsest-aligned":
        return check_containment(ctx)
    g = ctx.generator
    if all(len(b) == 1 for b in g.blocks):
        result = check_containment(ctx)
        result.details["m-basis"] = "sparsest-aligned"
        result.details["note"] = "every factor is 1-D, so B* is the coordinate basis up to scale"
        return result
    note = "B* varies with s for factors of dimension >= 2; Type M in B* is checked pointwise only"
    return CheckResult("M", "unknown", "global", "not-implemented", details={"m-basis": "sparsest-aligned", "note": note})

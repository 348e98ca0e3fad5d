"""Type H_n: every n-th order cross-block derivative vanishes identically on S (docs/mathematics.md section 6).

Reading option ``hn``: ``block-diagonal`` (default) tests every multi-index of order n
meeting at least two blocks; ``pairwise`` only those meeting exactly two (they differ for
K >= 3 and n >= 3, P29).  The structural tracer discards most multi-indices for free;
the rest go through the zero test.  A nonzero derivative comes with a rational point and
its exact value, re-verified on an independent path.  With the probabilistic mode on
(:mod:`theory.probabilistic`) and g rational, the candidates are tested modulo random
primes first, a group of multi-indices at a time (``holds-probabilistically``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import sympy as sp

from theory.readings import HN_READINGS, Readings
from theory.result import CheckResult, point_text
from theory.exact.smt import Ne, NotTranslatable, exists
from theory.exact.zerotest import ZeroTestResult
from theory.criteria.context import CheckContext, enclosures_json, strongest_method, value_json
from theory.criteria.witness import verify_cross_derivative
from theory.probabilistic import Undecided

__all__ = ["check_cross_derivatives", "HN_READINGS", "cross_multi_indices", "hn_reading"]



def cross_multi_indices(ctx: CheckContext, n: int, reading: str, raw: bool = False) -> list[tuple[int, tuple[int, ...]]]:
    """``(output, alpha)`` pairs the tracer keeps, with |alpha| = n meeting the required blocks."""
    g = ctx.generator
    patterns = ctx.table.raw_patterns(n) if raw else ctx.table.patterns(n)
    out = []
    for t, pats in enumerate(patterns):
        for alpha in sorted(pats):
            if len(alpha) != n:
                continue
            k = len({g.block_of[a] for a in alpha})
            if k >= 2 and (reading == "block-diagonal" or k == 2):
                out.append((t, alpha))
    return out


def _by_smt(ctx: CheckContext, t: int, alpha: tuple[int, ...], reading: str, fallback: ZeroTestResult) -> ZeroTestResult | CheckResult:
    """z3 nlsat on a piecewise-polynomial derivative: ``unsat`` of ``d^alpha g_t != 0`` on S
    proves it zero (a cross term in a thin strip or far out on an unbounded box is found
    where the sampled points miss it); ``sat`` gives candidate points, re-verified."""
    g = ctx.generator
    try:
        answer = exists([Ne(ctx.table.derivative(t, alpha))], g.domain, g.latents, timeout=ctx.smt_time())
    except NotTranslatable:
        return fallback
    if answer.status == "unsat":
        return ZeroTestResult("zero", "z3-nlsat")
    if answer.status == "sat":
        for point in answer.candidates:
            if not g.domain.contains(point):
                continue
            value = verify_cross_derivative(g, point, t, alpha, reading, ctx.constants)
            if value is not None:
                witness = {"point": dict(point), "output": t, "multi_index": [str(g.latents[a]) for a in alpha], "value": value_json(value)}
                return CheckResult(f"H{len(alpha)}", "refuted", "global", "z3-nlsat", witness=witness, details={"reading": reading})
    return fallback


def _cheap_refutation(ctx: CheckContext, candidates: list[tuple[int, tuple[int, ...]]], reading: str, details: dict) -> CheckResult | None:
    """Before any zero test (one of them may take the whole budget on a hidden zero), a
    quick witness search over every candidate: a few grid points and two points with
    large denominators, values decided by exact evaluation or intervals only."""
    g = ctx.generator
    for t, alpha in candidates:
        ctx.budget.check()
        for hit in _nonzero_points(ctx, ctx.table.derivative(t, alpha)):
            value = verify_cross_derivative(g, hit.point, t, alpha, reading, ctx.constants)
            if value is None:  # e.g. a point on a piece boundary, where g has no such derivative: try the next
                continue
            witness = {"point": dict(hit.point), "output": t, "multi_index": [str(g.latents[a]) for a in alpha], "value": value_json(value)}
            enclosures = enclosures_json([value])
            if enclosures:
                witness["enclosure"] = enclosures[0]
            return CheckResult(f"H{len(alpha)}", "refuted", "global", value.method, witness=witness, details=details)
    return None


def _nonzero_points(ctx: CheckContext, expr: sp.Expr) -> Iterator[ZeroTestResult]:
    """The quick witness search's points where ``expr`` is certified nonzero, one at a time:
    the first grid points in order, then one of two points with large denominators."""
    for i in range(ctx.tester.quick_points):
        hit = ctx.tester.find_nonzero_point(expr, i + 1, start=i)
        if hit is not None and hit.point is not None:
            yield hit
    hit = ctx.tester.find_nonzero_large(expr, 2)
    if hit is not None and hit.point is not None:
        yield hit


def _by_random_primes(ctx: CheckContext, n: int, candidates: list[tuple[int, tuple[int, ...]]], reading: str, details: dict) -> CheckResult | None:
    """The probabilistic mode (:mod:`theory.probabilistic`): the candidates grouped by the
    blocks they meet (with multiplicity); per group, the mixed derivative of every output
    along n random directions, one in each of those blocks, tested modulo random primes
    (zero exactly when every d^alpha g_t of the group is).  All zero: ``proved`` here,
    reported as ``holds-probabilistically`` with the error bound.  A group certainly
    nonzero: a witness point is searched for its multi-indices and re-verified exactly;
    ``None`` (the exact route) when none turns up."""
    g, prob = ctx.generator, ctx.probabilistic
    groups: dict[tuple[int, ...], dict[int, list[tuple[int, ...]]]] = {}
    for t, alpha in candidates:
        groups.setdefault(tuple(sorted(g.block_of[a] for a in alpha)), {}).setdefault(t, []).append(alpha)
    nonzero = []
    for blocks, by_output in groups.items():
        ctx.budget.check()
        try:
            answers = prob.nonzero(tuple(tuple(g.blocks[k]) for k in blocks), mixed=True)
        except Undecided:
            prob.discard()
            return None
        for t, alphas in by_output.items():
            if answers[t][0]:
                nonzero.extend((t, alpha) for alpha in alphas)
            else:
                try:
                    prob.consume(t, n)
                except Undecided:  # the error bound says nothing: the exact route
                    prob.discard()
                    return None
    if not nonzero:
        return CheckResult(f"H{n}", "proved", "global", "probabilistic", details=details)
    for t, alpha in nonzero:
        ctx.budget.check()
        expr = ctx.table.derivative(t, alpha)
        hit = ctx.tester.find_nonzero_point(expr, ctx.tester.thorough_points) or ctx.tester.find_nonzero_large(expr, 4)
        value = verify_cross_derivative(g, hit.point, t, alpha, reading, ctx.constants) if hit is not None and hit.point is not None else None
        if value is not None:
            witness = {"point": dict(hit.point), "output": t, "multi_index": [str(g.latents[a]) for a in alpha], "value": value_json(value)}
            return CheckResult(f"H{n}", "refuted", "global", value.method, witness=witness, details=details)
    prob.discard()
    return None


def hn_reading(n: int, reading: str | None, readings: Readings) -> str:
    """The reading of H_n to use (``readings.hn`` when ``reading`` is None), after checking
    the order and the reading.

    Raises
    ------
    ValueError
        If ``n < 2`` or the reading is not one of :data:`HN_READINGS`.

    Examples
    --------
    >>> hn_reading(2, None, Readings())
    'block-diagonal'
    >>> hn_reading(3, "pairwise", Readings())
    'pairwise'
    >>> hn_reading(1, None, Readings())
    Traceback (most recent call last):
    ...
    ValueError: H_n needs n >= 2, got 1
    """
    reading = readings.hn if reading is None else reading
    if n < 2:
        raise ValueError(f"H_n needs n >= 2, got {n}")
    if reading not in HN_READINGS:
        raise ValueError(f"unknown H_n reading {reading!r} (choose from {', '.join(HN_READINGS)})")
    return reading


def check_cross_derivatives(ctx: CheckContext, n: int, reading: str | None = None) -> CheckResult:
    """Global Type H_n (criterion ``Hn``, scope ``global``); ``reading`` defaults to ``ctx.readings.hn``."""
    reading = hn_reading(n, reading, ctx.readings)
    g = ctx.generator
    name = f"H{n}"
    candidates = cross_multi_indices(ctx, n, reading)
    details: dict = {"reading": reading, "candidates": len(candidates)}
    if not candidates:
        raw = cross_multi_indices(ctx, n, reading, raw=True)
        return CheckResult(name, "proved", "global", "piece-selection" if raw else "structural", details=details)
    prob = ctx.probabilistic
    if prob is not None and prob.active and prob.program is not None:
        decided = _by_random_primes(ctx, n, candidates, reading, details)
        if decided is not None:
            return decided
    found = _cheap_refutation(ctx, candidates, reading, details)
    if found is not None:
        return found
    methods: Counter = Counter()
    undecided = []
    for t, alpha in candidates:
        ctx.budget.check()
        result = ctx.tester.test(ctx.table.derivative(t, alpha))
        if result.status == "unknown" and ctx.table.is_piecewise_polynomial:
            result = _by_smt(ctx, t, alpha, reading, result)
            if isinstance(result, CheckResult):
                return result
        if result.is_zero:
            ctx.guard_zero(t, alpha)
            methods[result.method] += 1
            continue
        if result.is_nonzero and result.point is not None:
            value = verify_cross_derivative(g, result.point, t, alpha, reading, ctx.constants)
            if value is not None:
                witness = {
                    "point": dict(result.point),
                    "output": t,
                    "multi_index": [str(g.latents[a]) for a in alpha],
                    "value": value_json(value),
                }
                enclosures = enclosures_json([value])
                if enclosures:
                    witness["enclosure"] = enclosures[0]
                return CheckResult(name, "refuted", "global", value.method, witness=witness, details=details)
        undecided.append({"output": t, "multi_index": [str(g.latents[a]) for a in alpha], "tried": result.method})
    details["methods"] = dict(methods)
    if undecided:
        details["undecided"] = undecided
        return CheckResult(name, "unknown", "global", undecided[0]["tried"], details=details)
    return CheckResult(name, "proved", "global", strongest_method(methods), details=details)


def summary(result: CheckResult) -> str:
    """A refuted H_n's witness in words (outputs counted from 1)."""
    w = result.witness
    if not w:
        return ""
    index = "".join(f"d{name}" for name in w["multi_index"])
    return f"{index} g_{w['output'] + 1} = {w['value']} at {point_text(w.get('point'))}"

"""Run a list of criteria on a generator: the engine behind ``mechind check``.

Examples
--------
>>> import sympy as sp
>>> from theory import Generator, Box
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> g = Generator("p08", [[s1], [s2]], [s1, s2, s1 * s2], Box({s1: (-1, 1), s2: (-1, 1)}))
>>> [(r.criterion, r.verdict) for r in check(g, ["H2", "H3"])]
[('H2', 'refuted'), ('H3', 'proved')]
"""

from __future__ import annotations

import random
import re
import time

import sympy as sp
from collections.abc import Callable, Iterable, Sequence

from theory.budget import Budget, BudgetExhausted, run_killable
from theory.criteria import (
    HN_READINGS,
    CheckContext,
    check_containment,
    check_containment_at,
    check_cross_derivatives,
    check_disjointness,
    check_disjointness_at,
)
from theory.criteria.containment import M_BASES, check_containment_sparsest_at
from theory.criteria.graph import check_graph_at
from theory.criteria.injectivity import check_locally_injective
from theory.criteria.side_conditions import SEP_READINGS, check_separability_at, check_spanning
from theory.criteria.irreducibility import IRREDUCIBLE_SCOPES, check_irreducible_at, check_irreducible_d_global
from theory.criteria.smoothness import check_smoothness
from theory.criteria.sparsity_gap import RHO_PLUS_READINGS, check_sparsity_gap_at
from theory.linalg.rho import ENGINES, S_READINGS
from theory.theorems.topology import SLICE_READINGS, check_simply_connected, check_slices
from theory.errors import InputError
from theory.model.generator import Generator
from theory.model.guard import SelfCheckFailed
from theory.exact.points import random_point
from theory.result import CheckResult

__all__ = ["check", "pick", "parse_criteria", "DEFAULT_CRITERIA", "KNOWN_CRITERIA", "DEFAULT_BUDGET", "check_points"]

#: Every criterion the tool knows, in report order (``Hn`` for any n >= 2 as well).
KNOWN_CRITERIA = (
    "D",
    "M",
    "S",
    "H2",
    "H3",
    "irreducible:D",
    "irreducible:S",
    "irreducible:M",
    "irreducible:H2",
    "graph",
    "spanning",
    "sep2",
    "T1",
    "T2",
    "locally-injective",
)
DEFAULT_CRITERIA = KNOWN_CRITERIA
_KNOWN_TEXT = (
    "D, M, S, H2, H3, ... Hn, irreducible:D, irreducible:S, irreducible:M, irreducible:H2, graph, spanning, "
    "sep2, sep3, ... sepN, T1, T2, locally-injective"
)
_SEP = re.compile(r"^sep([1-9][0-9]*)$")
#: Seeded random points used for irreducibility under ``irreducible-scope: generic``.
GENERIC_POINTS = 3
DEFAULT_BUDGET = 120.0
_HN = re.compile(r"^H([1-9][0-9]*)$")


def parse_criteria(spec: str | Iterable[str] | None) -> tuple[str, ...]:
    """Criteria ids from ``"D,M,H2"`` or a list; ``None`` gives :data:`DEFAULT_CRITERIA`.

    ``D``, ``M``, ``S`` and ``Hn`` are case-insensitive; so is the kind of
    ``irreducible:D|S|M|H2``.

    Raises
    ------
    InputError
        For an unknown criterion or H_n with n < 2.
    """
    if spec is None:
        return DEFAULT_CRITERIA
    items = [c.strip() for c in (spec.split(",") if isinstance(spec, str) else spec)]
    items = [c for c in items if c]
    if not items:
        raise InputError(f"no criterion given (known: {_KNOWN_TEXT})")
    out = []
    for c in items:
        key = _normalise(c)
        m = _HN.match(key) or _SEP.match(key)
        if key not in KNOWN_CRITERIA and not m:
            raise InputError(f"unknown criterion {c!r} (known: {_KNOWN_TEXT})")
        if m and int(m.group(1)) < 2:
            raise InputError(f"{'H_n' if key.startswith('H') else 'separability'} needs n >= 2, got {c!r}")
        if key not in out:
            out.append(key)
    return tuple(out)


def _normalise(c: str) -> str:
    prefix, sep, kind = c.partition(":")
    if sep:
        return f"{prefix.lower()}:{kind.upper()}"
    low = c.lower()
    return low if low in ("graph", "spanning", "locally-injective") or _SEP.match(low) else c.upper()


def _containment_sparsest_global(ctx: CheckContext) -> CheckResult:
    g = ctx.generator
    if all(len(b) == 1 for b in g.blocks):
        result = check_containment(ctx)
        result.details["m-basis"] = "sparsest-aligned"
        result.details["note"] = "every factor is 1-D, so B* is the coordinate basis up to scale"
        return result
    note = "B* varies with s for factors of dimension >= 2; Type M in B* is checked pointwise only"
    return CheckResult("M", "unknown", "global", "not-implemented", details={"m-basis": "sparsest-aligned", "note": note})


def check_points(generator: Generator, extra: Sequence[dict] = (), seed: int = 0) -> list[dict]:
    """The points of pointwise checks: the generator's, then ``extra``; a seeded random
    rational point of the domain when there are none."""
    points = [dict(p) for p in generator.points] + [dict(p) for p in extra]
    unique, seen = [], set()
    for p in points:
        key = tuple(p[s] for s in generator.latents)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    if not unique:
        unique.append(random_point(generator.domain, generator.latents, random.Random(seed)))
    return unique


def check(
    generator: Generator,
    criteria: str | Iterable[str] | None = None,
    points: Sequence[dict] = (),
    seed: int = 0,
    budget: float | None = DEFAULT_BUDGET,
    hn_reading: str = "block-diagonal",
    context: CheckContext | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
    isolate: bool = True,
    s_reading: str = "strict",
    rho_plus_reading: str = "pointwise",
    irreducible_scope: str = "everywhere",
    engine: str = "auto",
    m_basis: str = "coordinates",
    sep_reading: str = "weak+nondegenerate",
    slices: str = "both",
    guard: bool = True,
) -> list[CheckResult]:
    """Run ``criteria`` on ``generator`` and return one result per check.

    Parameters
    ----------
    generator
        The generator.
    criteria
        Criterion ids (``"D,M,H2"`` or a list); default :data:`DEFAULT_CRITERIA`.
    points
        Extra exact points (already parsed) for the pointwise checks.
    seed
        Seed of every random choice (candidate points, the default point).
    budget
        Wall-time budget in seconds for each check; ``None`` for no limit.
    hn_reading
        ``block-diagonal`` (default) or ``pairwise`` (docs/mathematics.md section 6.1).
    context
        A :class:`CheckContext` to reuse (shares derivative and zero-test caches).
    on_result
        Called with every result as soon as it is ready (progress reporting).
    isolate
        Run the checks in a forked worker that is killed when a check overruns its
        budget (:func:`theory.budget.run_killable`), so the budget holds in wall time
        even in sympy work that cannot be interrupted; ``False`` runs them in-process,
        where only the budget's own checkpoints stop them.  With ``isolate``, what the
        worker adds to ``context``'s caches is not kept after the call.
    s_reading
        ``strict`` (default: rho+ < rho-) or ``non-strict`` (ties count), docs/mathematics.md 5.1.
    rho_plus_reading
        ``pointwise`` (default) or ``coordinates`` (the weight of the given
        coordinates), docs/mathematics.md 5.9.
    irreducible_scope
        ``everywhere`` (default: also a global D-irreducibility check) or ``generic``
        (pointwise checks at seeded random points instead), docs/mathematics.md 7.3.
    engine
        Engine of the rho computations: ``auto`` (default), ``matroid`` or ``z3``.
    m_basis
        Basis of Type M: ``coordinates`` (default) or ``sparsest-aligned`` (docs/mathematics.md 4.1;
        pointwise; the global check is the coordinate one when every factor is 1-D,
        where B* is the coordinate basis up to scale, and ``unknown`` otherwise).
    sep_reading
        Which separability decides ``sepN``: ``weak+nondegenerate`` (default), ``weak``
        or ``strong`` (docs/mathematics.md 6.4; all three are reported).
    slices
        Which slices T2 asks to be path-connected: ``both`` (default), ``fibres`` or
        ``co-slices`` (docs/mathematics.md 9.1).
    guard
        Re-check every exact derivative a verdict uses against finite differences of g's
        values (:mod:`theory.model.guard`, on by default); a disagreement makes the check
        ``unknown`` with method ``self-check-failed``.  Ignored when ``context`` is given
        (the context's own setting holds).
    """
    if hn_reading not in HN_READINGS:
        raise InputError(f"unknown H_n reading {hn_reading!r} (choose from {', '.join(HN_READINGS)})")
    for name, value, allowed in (
        ("Type S reading", s_reading, S_READINGS),
        ("rho-plus reading", rho_plus_reading, RHO_PLUS_READINGS),
        ("irreducible scope", irreducible_scope, IRREDUCIBLE_SCOPES),
        ("engine", engine, ENGINES),
        ("Type M basis", m_basis, M_BASES),
        ("separability reading", sep_reading, SEP_READINGS),
        ("slices reading", slices, SLICE_READINGS),
    ):
        if value not in allowed:
            raise InputError(f"unknown {name} {value!r} (choose from {', '.join(allowed)})")
    ids = parse_criteria(criteria)
    ctx = context or CheckContext(generator, seed=seed, guard=guard)
    pts = check_points(generator, points, seed)
    jobs: list[tuple[str, str, dict | None, Callable[[], CheckResult]]] = []
    for c in ids:
        if c == "D":
            jobs.append(("D", "global", None, lambda: check_disjointness(ctx)))
            jobs += [("D", "point", p, (lambda p=p: check_disjointness_at(ctx, p))) for p in pts]
        elif c == "M" and m_basis == "sparsest-aligned":
            jobs += [("M", "point", p, (lambda p=p: check_containment_sparsest_at(ctx, p))) for p in pts]
            jobs.append(("M", "global", None, lambda: _containment_sparsest_global(ctx)))
        elif c == "M":
            jobs += [("M", "point", p, (lambda p=p: check_containment_at(ctx, p))) for p in pts]
            jobs.append(("M", "global", None, lambda: check_containment(ctx)))
        elif c == "S":
            jobs += [("S", "point", p, (lambda p=p: check_sparsity_gap_at(ctx, p, s_reading, rho_plus_reading, engine))) for p in pts]
        elif c.startswith("irreducible:"):
            kind = c.split(":")[1]
            where = pts + (ctx.random_points(GENERIC_POINTS) if irreducible_scope == "generic" else [])
            jobs += [(c, "point", p, (lambda p=p, kind=kind: check_irreducible_at(ctx, p, kind))) for p in where]
            if kind == "D" and irreducible_scope == "everywhere":
                jobs.append((c, "global", None, lambda: check_irreducible_d_global(ctx)))
        elif c == "graph":
            jobs += [("graph", "point", p, (lambda p=p: check_graph_at(ctx, p))) for p in pts]
        elif c == "T1":
            jobs.append(("T1", "global", None, lambda: check_simply_connected(generator.domain)))
        elif c == "T2":
            jobs.append(("T2", "global", None, lambda: check_slices(generator.domain, generator.blocks, slices)))
        elif c == "locally-injective":
            jobs.append(("locally-injective", "global", None, lambda: check_locally_injective(ctx)))
        elif c == "spanning":
            jobs.append(("spanning", "global", None, lambda: check_spanning(ctx)))
        elif c.startswith("sep"):
            n = int(c[3:])
            jobs += [(c, "point", p, (lambda p=p, n=n: check_separability_at(ctx, p, n, sep_reading))) for p in pts]
        else:
            n = int(c[1:])
            jobs.append((c, "global", None, (lambda n=n: check_cross_derivatives(ctx, n, hn_reading))))
    # each check runs in a killable worker: uninterruptible sympy work cannot overrun its budget
    tasks = [(lambda c=c, s=s, p=p, j=j: _run(ctx, c, s, p, j, budget)) for c, s, p, j in jobs]
    results = []
    for result in run_killable(tasks, budget, lambda i, why, elapsed: _killed(jobs[i], budget, why, elapsed), isolate=isolate):
        results.append(result)
        if on_result is not None:
            on_result(result)
    _note_smoothness(ctx, results, budget)
    return results


#: Global verdicts that are statements about the derivatives of g on its whole domain.
_DERIVATIVE_GLOBALS = re.compile(r"^(D|M|H[0-9]+|irreducible:D)$")


def _note_smoothness(ctx: CheckContext, results: list[CheckResult], seconds: float | None) -> None:
    """Where g has piece boundaries in the domain and is not proved C^1 there, say so on
    every global derivative verdict: such a verdict describes the derivatives on the open
    pieces, and at a boundary where a derivative jumps g has no Jacobian."""
    targets = [r for r in results if r.scope == "global" and _DERIVATIVE_GLOBALS.match(r.criterion)]
    if not targets or not any(v.has(sp.Piecewise) for v in ctx.table.values):
        return
    ctx.use_budget(Budget(None if seconds is None else min(seconds, 10.0)))
    try:
        smooth = check_smoothness(ctx, 1)
    except BudgetExhausted:
        smooth = CheckResult("C1", "unknown", "global", "budget-exhausted")
    if smooth.verdict == "proved":
        return
    note = {
        "C1": smooth.verdict,
        "method": smooth.method,
        "note": "g is not known to be C^1 across its piece boundaries: this verdict is about the derivatives on the open pieces"
        if smooth.verdict == "unknown"
        else "g is not C^1: a derivative jumps across a piece boundary (no Jacobian there); this verdict is about the derivatives on the open pieces",
    }
    if smooth.witness:
        note["witness"] = smooth.witness
    for r in targets:
        r.details = {**(r.details or {}), "smoothness": note}


_STOPPED = {  # why a check gave no answer -> (method, note)
    "timeout": ("budget-exhausted", "the check ran past its time budget in work that cannot be interrupted and was stopped"),
    "recursion": ("too-deep", "an expression is nested too deeply for sympy (Python's recursion limit)"),
    "memory": ("out-of-memory", "the check ran out of memory"),
}


def _killed(job: tuple, seconds: float | None, why: str, elapsed: float) -> CheckResult:
    criterion, scope, point, _ = job
    method, note = _STOPPED.get(why, ("worker-died", why))
    result = CheckResult(criterion, "unknown", scope, method, details={"budget_seconds": seconds, "note": note}, point=point)
    result.seconds = elapsed
    return result


def _run(ctx: CheckContext, criterion: str, scope: str, point: dict | None, job: Callable[[], CheckResult], seconds: float | None) -> CheckResult:
    budget = Budget(seconds)
    ctx.use_budget(budget)
    start = time.perf_counter()
    try:
        result = job()
    except OverflowError as exc:
        result = CheckResult(
            criterion,
            "unknown",
            scope,
            "evaluation-overflow",
            details={"note": f"a value is too large to evaluate ({exc})"},
            point=point,
        )
    except SelfCheckFailed as exc:
        result = CheckResult(
            criterion,
            "unknown",
            scope,
            "self-check-failed",
            details={"disagreement": exc.details, "note": "an exact derivative disagrees with finite differences of g's values; no verdict is given"},
            point=point,
        )
    except BudgetExhausted:
        result = CheckResult(
            criterion,
            "unknown",
            scope,
            "budget-exhausted",
            details={"budget_seconds": seconds, "note": "the check ran out of its time budget before deciding"},
            point=point,
        )
    if point is not None and result.verdict != "unknown":
        _note_undetermined(ctx, result, point)
    result.seconds = time.perf_counter() - start
    return result


def _note_undetermined(ctx: CheckContext, result: CheckResult, point: dict) -> None:
    """State, on a definite pointwise verdict, the Jacobian entries it did not need to know
    (where g is not differentiable, or a value is undefined, the verdict holds for every
    value those entries could take, e.g. every one-sided derivative at a kink)."""
    jac = ctx.cached_jacobian(point)
    if jac is None:
        return
    undetermined = jac.undetermined()
    if not undetermined:
        return
    g = ctx.generator
    details = dict(result.details or {})
    details["undetermined_entries"] = [{"output": t, "latent": str(g.latents[a]), "why": why} for t, a, why in undetermined]
    details["undetermined_note"] = "the verdict holds whatever values these entries take (e.g. every one-sided derivative at a piece boundary)"
    result.details = details


def pick(results: Sequence[CheckResult], criterion: str, scope: str = "global", point: dict | None = None) -> CheckResult:
    """The one result of ``criterion`` with ``scope`` (and ``point`` for pointwise checks).

    >>> import sympy as sp
    >>> from theory import Generator
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> results = check(Generator("g", [[s1], [s2]], [s1 * s2]), ["H2", "H3"])
    >>> pick(results, "H3").verdict
    'proved'
    """
    found = [r for r in results if r.criterion == criterion and r.scope == scope and (point is None or r.point == dict(point))]
    if len(found) != 1:
        raise LookupError(f"{len(found)} results match criterion={criterion} scope={scope} point={point}")
    return found[0]

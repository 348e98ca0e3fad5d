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
from functools import partial

import sympy as sp
from collections.abc import Callable, Iterable, Sequence

from theory.budget import DEFAULT_BUDGET, Budget, BudgetExhausted, TooComplex, run_killable, run_one_killable
from theory.criteria.context import CheckContext
from theory.criteria.smoothness import check_smoothness
from theory.errors import DomainError
from theory.model.generator import Generator
from theory.model.guard import SelfCheckFailed
from theory.model.piecewise import NON_ANALYTIC
from theory.model.regularity import analytic_everywhere
from theory.exact.points import random_point, region_point
from theory.exact.smt import fresh_z3_context
from theory.probabilistic import ProbabilisticTester
from theory.readings import Readings
from theory.registry import DEFAULT_CRITERIA, KNOWN_CRITERIA, Job, Which, parse_criteria, resolve
from theory.result import CheckResult

__all__ = ["check", "pick", "parse_criteria", "plan", "DEFAULT_CRITERIA", "KNOWN_CRITERIA", "DEFAULT_BUDGET", "check_points", "STOPPED"]

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
        try:
            unique.append(random_point(generator.domain, generator.latents, random.Random(seed)))
        except DomainError:  # a region sampling misses (far out, or thin): z3's point of it, if any
            found = region_point(generator.domain, generator.latents)
            if found is None:
                raise
            unique.append(found)
    return unique


def plan(ctx: CheckContext, which: Which, points: Sequence[dict]) -> list[Job]:
    """The jobs of one criterion, from its registry record: its own ``plan`` if it has one,
    else its global check and one point check per point (in the record's order)."""
    c = which.criterion
    params = {k: v for k, v in which.params.items()}
    if c.plan is not None:
        offer = getattr(ctx.generator, "structured_check", None)
        own = offer(c.id, "plan") if offer is not None else None  # an image generator's plan (theory.image)
        return (own or resolve(c.plan))(ctx, list(points), **params)
    glob = [Job("global", None, partial(_check_function(ctx, c.id, "global", c.global_check), ctx, **params))] if c.global_check else []
    local = [Job("point", p, partial(_check_function(ctx, c.id, "point", c.point_check), ctx, p, **params)) for p in points] if c.point_check else []
    return glob + local if c.global_first else local + glob


def _check_function(ctx: CheckContext, criterion: str, scope: str, default: str) -> Callable:
    """The check of ``criterion`` at ``scope``: the generator's own where it offers one that
    uses a structure the general checks cannot see (an image generator, :mod:`theory.image`),
    else the registry's ``default``."""
    offer = getattr(ctx.generator, "structured_check", None)
    own = offer(criterion, scope) if offer is not None else None
    return own if own is not None else resolve(default)


def check(
    generator: Generator,
    criteria: str | Iterable[str] | None = None,
    points: Sequence[dict] = (),
    readings: Readings | None = None,
    *,
    seed: int = 0,
    budget: float | None = DEFAULT_BUDGET,
    engine: str = "auto",
    guard: bool = True,
    context: CheckContext | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
    isolate: bool = True,
    probabilistic: bool = False,
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
    readings
        The readings (:class:`theory.readings.Readings`; defaults everywhere).  Ignored when
        ``context`` is given: the context's own readings hold.
    seed
        Seed of every random choice (candidate points, the default point).
    budget
        Wall-time budget in seconds for each check; ``None`` for no limit.
    engine
        Engine of the rho computations: ``auto`` (default), ``matroid`` or ``z3``.
    guard
        Re-check every exact derivative a verdict uses against finite differences of g's
        values (:mod:`theory.model.guard`, on by default); a disagreement makes the check
        ``unknown`` with method ``self-check-failed``.  Ignored when ``context`` is given.
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
    probabilistic
        The probabilistic mode (off by default, :mod:`theory.probabilistic`): for a
        rational g the identities of the global D, M and H_n checks are tested at random
        points modulo random primes; a verdict that relies on such a test is
        ``holds-probabilistically`` with ``details.error_bound``, never ``proved``.
    """
    ids = parse_criteria(criteria)
    # z3's models (witness points) depend on every term its context has seen: each generator's
    # checks start from a fresh one, so a case gives the same witnesses alone, after other
    # cases in one reused worker (check --all), or in another worker (--jobs, --executor)
    fresh_z3_context()
    ctx = context or CheckContext(generator, seed=seed, guard=guard, readings=readings, engine=engine)
    pts = check_points(generator, points, seed)
    jobs = [(which.id, job) for which in ids for job in plan(ctx, which, pts)]
    # each check runs in a killable worker: uninterruptible sympy work cannot overrun its budget
    prob = ProbabilisticTester(ctx.generator, seed=seed) if probabilistic else None
    tasks = [partial(_run, ctx, c, job, budget, prob) for c, job in jobs]
    results = []
    for result in run_killable(tasks, budget, lambda i, why, elapsed: _killed(jobs[i], budget, why, elapsed), isolate=isolate):
        results.append(result)
        if on_result is not None:
            on_result(result)
    _note_smoothness(ctx, results, budget, isolate)
    return results


#: Global verdicts that are statements about the derivatives of g on its whole domain (spanning
#: and every irreducibility read J, or higher derivatives, wherever they exist).
_DERIVATIVE_GLOBALS = re.compile(r"^(D|M|S|H[0-9]+|spanning|irreducible:(D|S|M|H[0-9]+))$")


def _note_smoothness(ctx: CheckContext, results: list[CheckResult], seconds: float | None, isolate: bool = True) -> None:
    """Where g has piece boundaries in the domain and is not proved C^1 there, say so on
    every global derivative verdict: such a verdict describes the derivatives on the open
    pieces, and at a boundary where a derivative jumps g has no Jacobian.  The C^1 check runs
    in a killable worker like the checks themselves (sympy's piecewise folding cannot be
    interrupted), within ``min(seconds, 10)``."""
    targets = [r for r in results if r.scope == "global" and _DERIVATIVE_GLOBALS.match(r.criterion)]
    if not targets:
        return
    offer = getattr(ctx.generator, "structured_check", None)
    smoothness = offer("Cn", "global") if offer is not None else None
    if smoothness is None and not _may_be_non_smooth(ctx):
        return
    limit = None if seconds is None else min(seconds, 10.0)
    smooth = run_one_killable(
        partial(_smoothness, ctx, limit, smoothness or check_smoothness),
        limit,
        lambda why, elapsed: CheckResult("C1", "unknown", "global", STOPPED.get(why, ("worker-died", why))[0]),
        isolate=isolate,
    )
    if smooth.verdict == "proved":
        return
    if smooth.verdict == "refuted":
        text = "g is not C^1: a derivative jumps across a piece boundary (no Jacobian there); this verdict is about the derivatives on the open pieces"
    elif smoothness is not None or _has_pieces(ctx):
        text = "g is not known to be C^1 across its piece boundaries: this verdict is about the derivatives on the open pieces"
    else:
        text = "g is not known to be C^1 on its domain (a primitive may be singular there, or jump: acot(0), atan2 across x < 0): this verdict is about the derivatives where they exist"
    note = {"C1": smooth.verdict, "method": smooth.method, "note": text}
    if smooth.witness:
        note["witness"] = smooth.witness
    for r in targets:
        r.details = {**(r.details or {}), "smoothness": note}


def _may_be_non_smooth(ctx: CheckContext) -> bool:
    """Whether g may fail to be C^1 somewhere: it may have piece boundaries
    (:func:`_has_pieces`), or a primitive of an output is not analytic on all of R^d
    (``log``, a root, ``acot``, ``atan2``, ...: the C^1 check certifies its argument on the domain)."""
    return _has_pieces(ctx) or not all(analytic_everywhere(o) for o in ctx.generator.outputs)


def _has_pieces(ctx: CheckContext) -> bool:
    """Whether g may have piece boundaries: an output uses a non-analytic primitive, or (else)
    a derivative is a Piecewise.  The first test reads the outputs only: with kinks the
    derivative table goes through the Piecewise normal form, which can be arbitrarily slow
    (sympy folds Piecewise into conditions), and this process has no budget of its own; the
    smoothness check then builds the table in its killable worker."""
    if any(o.has(*NON_ANALYTIC) for o in ctx.generator.outputs):
        return True
    return any(v.has(sp.Piecewise) for v in ctx.table.values)


def _smoothness(ctx: CheckContext, seconds: float | None, smoothness: Callable = check_smoothness) -> CheckResult:
    ctx.use_budget(Budget(seconds))
    try:
        return smoothness(ctx, 1)
    except BudgetExhausted:
        return CheckResult("C1", "unknown", "global", "budget-exhausted")


#: Why a killed check gave no answer -> (method, note).
STOPPED = {
    "timeout": ("budget-exhausted", "the check ran past its time budget in work that cannot be interrupted and was stopped"),
    "recursion": ("too-deep", "an expression is nested too deeply for sympy (Python's recursion limit)"),
    "memory": ("out-of-memory", "the check ran out of memory"),
}


def _killed(job: tuple[str, Job], seconds: float | None, why: str, elapsed: float) -> CheckResult:
    criterion, (scope, point, _) = job
    method, note = STOPPED.get(why, ("worker-died", why))
    result = CheckResult(criterion, "unknown", scope, method, details={"budget_seconds": seconds, "note": note}, point=point)
    result.seconds = elapsed
    return result


def _run(ctx: CheckContext, criterion: str, job: Job, seconds: float | None, prob: ProbabilisticTester | None = None) -> CheckResult:
    scope, point, run = job
    budget = Budget(seconds)
    ctx.use_budget(budget)
    ctx.probabilistic = prob
    if prob is not None:
        prob.begin(criterion, scope)
    start = time.perf_counter()
    try:
        result = run()
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
    except TooComplex as exc:
        result = CheckResult(criterion, "unknown", scope, "too-complex", details={"note": str(exc)}, point=point)
    except DomainError as exc:  # a thin region where random points cannot be drawn: this check only
        result = CheckResult(criterion, "unknown", scope, "sampling-failed", details={"note": str(exc)}, point=point)
    except BudgetExhausted:
        result = CheckResult(
            criterion,
            "unknown",
            scope,
            "budget-exhausted",
            details={"budget_seconds": seconds, "note": "the check ran out of its time budget before deciding"},
            point=point,
        )
    if prob is not None:
        result = prob.finish(result)
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

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
from collections.abc import Callable, Iterable, Sequence

from .budget import Budget, BudgetExhausted
from .criteria import (
    HN_READINGS,
    CheckContext,
    check_containment,
    check_containment_at,
    check_cross_derivatives,
    check_disjointness,
    check_disjointness_at,
)
from .errors import InputError
from .generator import Generator
from .points import random_point
from .result import CheckResult

__all__ = ["check", "pick", "parse_criteria", "DEFAULT_CRITERIA", "DEFAULT_BUDGET", "check_points"]

DEFAULT_CRITERIA = ("D", "M", "H2", "H3")
DEFAULT_BUDGET = 120.0
_HN = re.compile(r"^H([1-9][0-9]*)$")


def parse_criteria(spec: str | Iterable[str] | None) -> tuple[str, ...]:
    """Criteria ids from ``"D,M,H2"`` or a list; ``None`` gives :data:`DEFAULT_CRITERIA`.

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
        raise InputError("no criterion given (known: D, M, H2, H3, ... Hn)")
    out = []
    for c in items:
        key = c.upper() if c.upper() in ("D", "M") or _HN.match(c.upper()) else c
        m = _HN.match(key)
        if key not in ("D", "M") and not m:
            raise InputError(f"unknown criterion {c!r} (known: D, M, H2, H3, ... Hn)")
        if m and int(m.group(1)) < 2:
            raise InputError(f"H_n needs n >= 2, got {c!r}")
        if key not in out:
            out.append(key)
    return tuple(out)


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
        ``block-diagonal`` (default) or ``pairwise`` (MATH.md section 6.1).
    context
        A :class:`CheckContext` to reuse (shares derivative and zero-test caches).
    on_result
        Called with every result as soon as it is ready (progress reporting).
    """
    if hn_reading not in HN_READINGS:
        raise InputError(f"unknown H_n reading {hn_reading!r} (choose from {', '.join(HN_READINGS)})")
    ids = parse_criteria(criteria)
    ctx = context or CheckContext(generator, seed=seed)
    pts = check_points(generator, points, seed)
    jobs: list[tuple[str, str, dict | None, Callable[[], CheckResult]]] = []
    for c in ids:
        if c == "D":
            jobs.append(("D", "global", None, lambda: check_disjointness(ctx)))
            jobs += [("D", "point", p, (lambda p=p: check_disjointness_at(ctx, p))) for p in pts]
        elif c == "M":
            jobs += [("M", "point", p, (lambda p=p: check_containment_at(ctx, p))) for p in pts]
            jobs.append(("M", "global", None, lambda: check_containment(ctx)))
        else:
            n = int(c[1:])
            jobs.append((c, "global", None, (lambda n=n: check_cross_derivatives(ctx, n, hn_reading))))
    results = []
    for criterion, scope, point, job in jobs:
        results.append(_run(ctx, criterion, scope, point, job, budget))
        if on_result is not None:
            on_result(results[-1])
    return results


def _run(ctx: CheckContext, criterion: str, scope: str, point: dict | None, job: Callable[[], CheckResult], seconds: float | None) -> CheckResult:
    budget = Budget(seconds)
    ctx.use_budget(budget)
    start = time.perf_counter()
    try:
        result = job()
    except BudgetExhausted:
        result = CheckResult(
            criterion,
            "unknown",
            scope,
            "budget-exhausted",
            details={"budget_seconds": seconds, "note": "the check ran out of its time budget before deciding"},
            point=point,
        )
    result.seconds = time.perf_counter() - start
    return result


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

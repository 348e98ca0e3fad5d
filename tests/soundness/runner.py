"""Run the checker on fuzz instances and judge every verdict against the truth.

A verdict is **unsound** when

* it is definite (``proved`` / ``refuted``) and contradicts a truth known by construction
  (global truths from the family, pointwise truths of D and M from the independent
  oracle's exact Jacobian at the point);
* it is ``refuted`` and its witness does not re-verify independently;
* a pointwise refutation (re-verified) meets a global ``proved`` of the same criterion.

A criterion labelled ``X/non-strict`` is checked under the reading ``s: non-strict``; for
``irreducible:S`` the runner also calls the registry's global check, which
:func:`theory.checker.check` does not run (only theorems do).

A generator the checker refuses (:class:`theory.errors.InputError`, e.g. a
:class:`~theory.errors.GeneratorError` for a function whose derivative it cannot vouch
for), at construction or when checked, is one ``refused`` outcome: refusal is sound.

Examples
--------
>>> from tests.soundness.families import make_instance
>>> outcomes = judge(make_instance("additive", 0), seed=0, budget=20)
>>> all(o.kind != "unsound" for o in outcomes)
True
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial

from theory.budget import Budget, BudgetExhausted, run_killable
from theory.checker import check
from theory.criteria.context import CheckContext
from theory.errors import InputError
from theory.readings import Readings
from theory.registry import lookup, resolve
from theory.result import CheckResult

from tests.soundness.families import Instance, make_instance
from tests.soundness.oracle import point_truth, verify_refutation

#: criteria whose global check :func:`theory.checker.check` does not run (only theorems
#: do): the runner calls the registry's ``global_check`` itself
GLOBAL_ONLY = frozenset({"irreducible:S"})

__all__ = ["Outcome", "judge", "judge_results", "refused", "run_checks", "global_check", "run_specs", "summarise", "GLOBAL_ONLY"]


@dataclass(frozen=True)
class Outcome:
    """One judged check.

    ``kind`` is ``agree`` (definite, matches a known truth), ``verified`` (definite, no
    truth known, but a refutation's witness re-verified), ``unchecked`` (``proved`` with
    no truth known), ``unknown``, ``unsound``, ``refused`` (one per generator the
    checker refused with an input error; criterion ``*``), or ``crash`` (one per
    generator whose check raised anything else: a bug, reported, but not a verdict).
    """

    family: str
    criterion: str
    scope: str
    verdict: str
    method: str
    kind: str
    reason: str = ""


def refused(family: str, error: Exception) -> Outcome:
    """The outcome of a generator the checker refused."""
    return Outcome(family, "*", "-", "refused", type(error).__name__, "refused", str(error).splitlines()[0][:300] if str(error) else "")


def judge(instance: Instance, seed: int = 0, budget: float | None = 10.0, **kwargs) -> list[Outcome]:
    """Check ``instance`` (its criteria, explicit ``seed``) and judge every result."""
    try:
        results = run_checks(instance, seed=seed, budget=budget, **kwargs)
    except InputError as exc:  # refused when checked: sound
        return [refused(instance.family, exc)]
    return judge_results(instance, results)


def run_checks(instance: Instance, seed: int = 0, budget: float | None = 10.0, isolate: bool = True, **kwargs) -> list[CheckResult]:
    """The results of ``instance``'s criteria.  A criterion ``X/non-strict`` is checked under
    the reading ``s: non-strict`` and its results are labelled ``X/non-strict``; for a
    criterion of :data:`GLOBAL_ONLY` the registry's global check runs too (under the same
    budget, in the killable worker when ``isolate``)."""
    by_reading: dict[str, list[str]] = {}
    for c in instance.criteria:
        base, _, reading = c.partition("/")
        by_reading.setdefault(reading, []).append(base)
    results: list[CheckResult] = []
    for reading, criteria in by_reading.items():
        readings = Readings(s=reading) if reading else None
        part = check(instance.generator, criteria, readings=readings, seed=seed, budget=budget, isolate=isolate, **kwargs)
        part += [global_check(instance, c, readings, seed, budget, isolate) for c in criteria if c in GLOBAL_ONLY]
        if reading:
            part = [dataclasses.replace(r, criterion=f"{r.criterion}/{reading}") for r in part]
        results += part
    return results


def global_check(instance: Instance, criterion: str, readings: Readings | None, seed: int, budget: float | None, isolate: bool) -> CheckResult:
    """The registry's global check of ``criterion`` on ``instance`` (as the theorems call it)."""
    which = lookup(criterion)
    ctx = CheckContext(instance.generator, seed=seed, readings=readings)
    run = partial(resolve(which.criterion.global_check), ctx, **which.params)

    def task() -> CheckResult:
        ctx.use_budget(Budget(budget))
        try:
            return run()
        except BudgetExhausted:
            return CheckResult(which.id, "unknown", "global", "budget-exhausted")

    def killed(i: int, why: str, elapsed: float) -> CheckResult:
        return CheckResult(which.id, "unknown", "global", "budget-exhausted", details={"note": why})

    (result,) = run_killable([task], budget, killed, isolate=isolate)
    return result


def judge_results(instance: Instance, results: list) -> list[Outcome]:
    """Judge check results of ``instance`` against its truths and the oracle."""
    out = []
    refuted_at_points = {r.criterion for r in results if r.scope == "point" and r.verdict == "refuted" and verify_refutation(instance, r) is None}
    for r in results:
        truth = instance.truth.get(r.criterion) if r.scope == "global" else point_truth(instance, r.criterion, r.point)
        reason = ""
        if r.verdict == "unknown":
            kind = "unknown"
        else:
            holds = r.verdict == "proved"
            kind = "agree" if truth is not None else ("verified" if not holds else "unchecked")
            if truth is not None and truth != holds:
                kind, reason = "unsound", f"{r.verdict} but the truth is {'holds' if truth else 'fails'}"
            if not holds:
                why = verify_refutation(instance, r)
                if why is not None:
                    kind, reason = "unsound", f"witness does not re-verify: {why}"
            if holds and r.scope == "global" and r.criterion in refuted_at_points:
                kind, reason = "unsound", "proved globally but refuted (re-verified) at a point"
        out.append(Outcome(instance.family, r.criterion, r.scope, r.verdict, r.method, kind, reason))
    return out


def judge_spec(spec: tuple[str, int, int, float | None, bool]) -> tuple[list[Outcome], list[str]]:
    family, instance_seed, seed, budget, isolate = spec
    try:
        instance = make_instance(family, instance_seed)
    except InputError as exc:  # refused at construction (e.g. a GeneratorError): sound
        return [refused(family, exc)], []
    try:
        outcomes = judge(instance, seed=seed, budget=budget, isolate=isolate)
    except Exception as exc:  # noqa: BLE001 - an internal error is a bug, but not a verdict
        why = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
        return [Outcome(family, "*", "-", "crash", type(exc).__name__, "crash", f"{why}\n{instance.describe()}")], []
    reports = [f"{o.criterion} {o.scope} {o.verdict} ({o.method}): {o.reason}\n{instance.describe()}" for o in outcomes if o.kind == "unsound"]
    return outcomes, reports


def run_specs(
    specs: list[tuple[str, int]], seed: int = 0, budget: float | None = 10.0, isolate: bool = False, workers: int = 1
) -> tuple[list[Outcome], list[str]]:
    """Judge the instances ``(family, instance_seed)`` on ``workers`` processes.

    Returns every outcome (in the order of ``specs``) and a report per unsound verdict.
    """
    jobs = [(family, k, seed, budget, isolate) for family, k in specs]
    if workers <= 1:
        parts = [judge_spec(job) for job in jobs]
    else:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            parts = list(pool.map(judge_spec, jobs, chunksize=1))
    outcomes = [o for part, _ in parts for o in part]
    reports = [r for _, part in parts for r in part]
    return outcomes, reports


def summarise(outcomes: list[Outcome]) -> dict:
    """Counts by kind, and by family and kind (``checks`` leaves out ``refused`` and ``crash`` generators)."""
    by_kind = Counter(o.kind for o in outcomes)
    by_family: dict[str, Counter] = {}
    for o in outcomes:
        by_family.setdefault(o.family, Counter())[o.kind] += 1
    checks = len(outcomes) - by_kind["refused"] - by_kind["crash"]
    return {"checks": checks, "refused": by_kind["refused"], "crashes": by_kind["crash"], "kinds": dict(by_kind), "families": {f: dict(c) for f, c in sorted(by_family.items())}}

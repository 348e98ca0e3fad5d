"""Budgets: exhausted checks answer unknown/budget-exhausted; slow sympy work is killed."""

from __future__ import annotations

import time

import pytest

import cases
from theory.budget import Budget, BudgetExhausted, call_with_timeout
from theory.checker import check


def _sleep_then(value):
    time.sleep(30)
    return value


def test_budget_basics():
    budget = Budget(1000)
    assert not budget.expired() and 0 < budget.remaining() <= 1000
    assert budget.slice(5) == 5
    with pytest.raises(ValueError):
        Budget(0)
    assert Budget(None).remaining() == float("inf")
    expired = Budget(1e-9)
    time.sleep(0.001)
    with pytest.raises(BudgetExhausted):
        expired.check()


def test_call_with_timeout_kills_the_worker():
    start = time.perf_counter()
    assert call_with_timeout(_sleep_then, (1,), timeout=0.5) == ("timeout", None)
    assert time.perf_counter() - start < 5
    assert call_with_timeout(divmod, (7, 2), timeout=5) == ("ok", (3, 1))
    status, message = call_with_timeout(divmod, (1, 0), timeout=5)
    assert status == "error" and "ZeroDivisionError" in message


def test_exhausted_checks_say_so_and_claim_nothing():
    g = cases.find_case("p22")  # D and H2 need the exp-normal-form tier, not just the tracer
    results = check(g, ["D", "H2"], budget=1e-6)
    for r in results:
        assert r.verdict in ("unknown", "proved", "refuted")
        if r.verdict == "unknown":
            assert r.method == "budget-exhausted" and r.details["budget_seconds"] == 1e-6
    assert any(r.method == "budget-exhausted" for r in results)
    # with a real budget the same checks are decided
    assert {r.verdict for r in check(g, ["D", "H2"], budget=60) if r.scope == "global"} == {"proved"}


def test_the_smoothness_note_runs_within_the_budget():
    """The C^1 note on global verdicts of a piecewise generator runs in a killable worker: a
    LeakyReLU network whose piecewise folding takes minutes must not hold check() past its
    budget (it did, in-process, before)."""
    import time

    from numeric.experiment.config import load_config
    from numeric.experiment.exact import sample_points
    from numeric.experiment.sweep import derive_seed, ground_truth
    from theory.checker import check

    config = load_config("small")
    gt, _ = ground_truth(config, 2, 0.0, 0)
    g = gt.exact_generator(sample_points(2 * config.slot_dim, 1, derive_seed(config.seed, "points", 2, 0)))
    start = time.perf_counter()
    (glob, _) = check(g, ["D"], budget=4)
    assert time.perf_counter() - start < 4 + 10 + 30  # the check, then the note's own min(budget, 10) s, and the grace
    assert glob.verdict == "proved" and "smoothness" in glob.details

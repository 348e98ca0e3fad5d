"""The reused budget worker (theory.budget.KillableWorker): every task inside a job keeps its
hard limit, a killed task's stand-in result takes its place, the job goes on after it in a
fresh worker, and the results are those of the same job run in-process."""

from __future__ import annotations

import os
import signal
import time

import pytest

import cases
from theory.budget import KillableWorker, can_fork, run_killable
from theory.checker import check

pytestmark = pytest.mark.skipif(not can_fork(), reason="the budget worker needs fork")


def _killed(i: int, why: str, elapsed: float) -> tuple:
    return ("killed", i, why)


def _job(shared: dict, item: str) -> list:
    """Three tasks around the one ``item`` names; the middle one may misbehave."""
    middle = {
        "fine": lambda: "fine",
        "sleep": lambda: time.sleep(30),
        "recursion": _recurse,
        "die": lambda: os.kill(os.getpid(), signal.SIGKILL),
        "raise": _raise,
    }[item]
    tasks = [os.getpid, middle, lambda: shared["x"] * 2]
    return list(run_killable(tasks, shared["seconds"], _killed))


def _recurse(n: int = 0) -> int:
    return _recurse(n + 1) + 1


def _raise() -> None:
    raise ValueError("a task's own error")


def test_jobs_reuse_one_worker_and_see_shared_state():
    with KillableWorker({"x": 21, "seconds": 5.0}) as worker:
        first = worker.call(_job, "fine")
        pid = worker.pid
        second = worker.call(_job, "fine")
        assert worker.pid == pid != os.getpid()
        assert first == second == [pid, "fine", 42]
    assert worker.pid is None


def test_an_overrunning_task_is_killed_and_the_job_goes_on():
    with KillableWorker({"x": 1, "seconds": 0.2}) as worker:
        started = time.perf_counter()
        out = worker.call(_job, "sleep")
        took = time.perf_counter() - started
        first_pid = out[0]
        # the first task's result is replayed from the record, the second is the stand-in,
        # the third ran in the fresh worker
        assert out == [first_pid, ("killed", 1, "timeout"), 2]
        assert took < 5.0
        assert worker.pid not in (None, first_pid)
        assert worker.call(_job, "fine")[0] == worker.pid  # the fresh worker serves the next job


@pytest.mark.parametrize("item, why", [("recursion", "recursion"), ("die", "killed")])
def test_an_exhausted_or_dead_worker_is_replaced(item, why):
    with KillableWorker({"x": 1, "seconds": 10.0}) as worker:
        out = worker.call(_job, item)
        assert out[0] != worker.pid and out[2] == 2
        assert out[1][:2] == ("killed", 1) and why in out[1][2]


def test_a_raising_task_raises_in_the_caller_and_the_worker_survives():
    with KillableWorker({"x": 1, "seconds": 10.0}) as worker:
        with pytest.raises(ValueError, match="a task's own error"):
            worker.call(_job, "raise")
        pid = worker.pid
        assert worker.call(_job, "fine")[0] == pid


def _nested(shared: None, item: None) -> list:
    def inner() -> list:
        return list(run_killable([os.getpid], 5.0, _killed)) + [os.getpid()]

    return list(run_killable([inner], 5.0, _killed))


def test_run_killable_inside_a_task_runs_in_the_task_process():
    with KillableWorker() as worker:
        ((inner_pid, task_pid),) = worker.call(_nested, None)
        assert inner_pid == task_pid == worker.pid


def _check_case(names: list[str], i: int) -> list:
    return check(cases.find_case(names[i]), budget=30.0)


def test_checks_through_the_worker_equal_the_checks_inline():
    names = ["p05-cubic-overlap-tie", "p18-heaviside-inactive-piece"]  # the second has a smoothness note
    with KillableWorker(names) as worker:
        through = [worker.call(_check_case, i) for i in range(len(names))]
    inline = [check(cases.find_case(n), budget=30.0, isolate=False) for n in names]
    for a, b in zip(through, inline):
        assert [(r.criterion, r.scope, r.verdict, r.method, r.witness, r.details) for r in a] == [
            (r.criterion, r.scope, r.verdict, r.method, r.witness, r.details) for r in b
        ]

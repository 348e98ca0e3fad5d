"""``mechind check --jobs N`` (issue 17, item 3) and its executor, :mod:`mechind.executor`.

* ``--jobs 2`` gives the same JSON document as ``--jobs 1`` (apart from timings), with a
  case whose checks fork their own killable children (p16: ``call_with_timeout``) running
  inside a pool worker;
* the executor yields results in input order even when the first item finishes last, and
  reports completions as they happen;
* bad ``--jobs`` values exit with status 2 and say why;
* ``--executor ray`` without Ray installed, and an unknown executor, exit with status 2 and
  say what to do (the Ray executor itself: ``tests/test_ray_executor.py``).
"""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from mechind.executor import map_cases, resolve_jobs
from tests.cli_runs import run, strip_seconds

# fast bundled cases (about 0.1 s of checks each), and p16, whose zero tests run
# minimal_polynomial in forked children (theory.budget.call_with_timeout): nested forks
CASES = ("p01", "p07", "p16", "p15")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the pool forks its workers")
def test_jobs_2_gives_the_document_of_jobs_1():
    one = run("check", *CASES, "--json", "--budget", "60", "--jobs", "1")
    two = run("check", *CASES, "--json", "--budget", "60", "--jobs", "2")
    assert one.exit_code == 0, one.output
    assert two.exit_code == 0, two.output
    doc1, doc2 = json.loads(one.stdout), json.loads(two.stdout)
    assert [c["case"].split("-")[0] for c in doc2["cases"]] == list(CASES)  # input order
    assert strip_seconds(doc1) == strip_seconds(doc2)
    p16 = doc2["cases"][2]["checks"]
    assert any(c["method"] == "minimal-polynomial" for c in p16)  # decided in a grandchild of the pool
    # without a terminal: one progress line per case (completion order), counting finished cases
    lines = [line for line in two.stderr.splitlines() if line.startswith("[")]
    assert sorted(line.split("]")[0] for line in lines) == ["[1/4", "[2/4", "[3/4", "[4/4"]


def test_tables_and_errors_do_not_depend_on_jobs():
    """An error in the second case (a --at point without its s3) stops both runs after the
    first case's table, with exit 2."""
    args = ("check", "p01", "p03", "p04", "--criteria", "D", "--at", "s1=1/3,s2=1/5")
    one, two = run(*args, "--jobs", "1"), run(*args, "--jobs", "3")
    assert one.exit_code == two.exit_code == 2
    assert "missing the coordinate(s) s3" in two.stderr
    assert "p01-disjoint-baseline" in two.stdout and "p04" not in two.stdout
    assert one.stdout.splitlines()[:3] == two.stdout.splitlines()[:3]


@pytest.mark.parametrize("value", ["-1", "two", "1.5", ""])
def test_bad_jobs_exit_2_with_a_message(value):
    result = run("check", "p01", "--jobs", value)
    assert result.exit_code == 2
    assert "--jobs" in result.output and "Invalid value" in result.output


def test_jobs_is_in_the_help():
    result = run("check", "--help")
    assert result.exit_code == 0 and "--jobs" in result.output


def _sleep_then(item: tuple[float, int]) -> int:
    seconds, value = item
    time.sleep(seconds)
    return value


def _fail_on_two(item: int) -> int:
    if item == 2:
        raise ValueError("two")
    return item


def test_results_come_in_input_order_when_the_first_item_is_slowest():
    items = [(0.6, 0), (0.0, 1), (0.1, 2), (0.0, 3)]
    finished: list[int] = []
    started = time.perf_counter()
    results = list(map_cases(_sleep_then, items, jobs=2, on_done=lambda i, r: finished.append(i)))
    assert results == [0, 1, 2, 3]
    assert finished[-1] == 0  # completion order: the slow first item ends last
    assert sorted(finished) == [0, 1, 2, 3]
    assert time.perf_counter() - started < 3


def test_order_changes_when_items_run_not_the_order_of_results():
    items = [(0.0, 0), (0.0, 1), (0.3, 2)]
    finished: list[int] = []
    results = list(map_cases(_sleep_then, items, jobs=2, on_done=lambda i, r: finished.append(i), order=[2, 0, 1]))
    assert results == [0, 1, 2]
    assert finished[-1] == 2
    with pytest.raises(ValueError, match="permutation"):
        map_cases(_sleep_then, items, jobs=2, order=[0, 0, 1])


def _pid(item: object) -> int:
    return os.getpid()


def test_jobs_1_runs_inline_and_jobs_2_in_workers():
    here = os.getpid()
    assert list(map_cases(_pid, [0, 1], jobs=1)) == [here, here]
    assert list(map_cases(_pid, [0], jobs=4)) == [here]  # one item: inline too
    assert here not in list(map_cases(_pid, [0, 1], jobs=2))


def test_an_error_is_raised_in_its_turn_after_the_items_before_it():
    got: list[int] = []
    with pytest.raises(ValueError, match="two"):
        for r in map_cases(_fail_on_two, [0, 1, 2, 3], jobs=2):
            got.append(r)
    assert got == [0, 1]


def test_resolve_jobs():
    assert resolve_jobs(1) == 1
    assert resolve_jobs(8, items=3) == 3
    assert resolve_jobs(2, items=0) == 1
    assert resolve_jobs(0) >= 1  # one per usable CPU
    with pytest.raises(ValueError):
        resolve_jobs(-1)


def test_crosscheck_jobs_2_gives_the_document_of_jobs_1():
    args = ("crosscheck", "p01", "p05", "p07", "--criteria", "D,S", "--dtype", "float64", "--random-points", "1", "--json")
    one, two = run(*args, "--jobs", "1"), run(*args, "--jobs", "2")
    assert one.exit_code == 0, one.output
    assert two.exit_code == 0, two.output
    assert strip_seconds(json.loads(one.stdout)) == strip_seconds(json.loads(two.stdout))


def test_crosscheck_jobs_above_1_needs_the_cpu():
    result = run("crosscheck", "p01", "p05", "--criteria", "D", "--device", "meta", "--jobs", "2")
    assert result.exit_code == 2
    assert "--jobs above 1 needs --device cpu" in result.stderr


def test_executor_ray_without_ray_says_install_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError, as where the extra is missing
    result = run("check", "p01", "--executor", "ray")
    assert result.exit_code == 2
    assert "install mechind[cluster]" in result.stderr


@pytest.mark.parametrize("value", ["dask", "ray:/head", "ray://", "Ray"])
def test_bad_executor_exits_2_with_a_message(value):
    result = run("check", "p01", "--executor", value)
    assert result.exit_code == 2
    assert "--executor must be local, ray or ray://ADDRESS" in result.stderr

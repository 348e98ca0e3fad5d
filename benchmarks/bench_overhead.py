"""Benchmark: what the killable budget workers cost over running the same checks inline.

Every check of ``mechind check`` runs in a forked worker (:func:`theory.budget.run_killable`)
so that its budget holds in wall time even inside sympy work that cannot be interrupted.
This script runs the checks of every bundled case (the default criteria, as ``check --all``
does) both ways, in the same run:

* ``worker``: through one reused budget worker (:class:`theory.budget.KillableWorker`, the
  CLI's path): each check is still killed when it overruns its budget;
* ``per-case``: a fresh budget worker forked for every case (``check(g)`` with
  ``isolate=True`` called case by case; the path before the reused worker);
* ``inline``: :func:`theory.checker.check` with ``isolate=False``, in-process (no hard limit).

Each measurement is one fresh Python process (imports excluded from the time; the cases
loaded before the clock starts), so that neither mode inherits the other's sympy caches;
the modes alternate, ``--repeat`` times each, and the medians are compared (the target:
``worker`` within 1.1x of ``inline``).  The verdicts
of the two modes are compared too (they must be identical).

Run from the repository root::

    python benchmarks/bench_overhead.py [--repeat 3] [--budget 120] [--json out.json] [CASE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

_CHILD = r"""
import json, sys, time
from mechind.inputs import resolve_cases
from theory.budget import KillableWorker
from theory.checker import check
mode, budget, names = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
generators = resolve_cases(names, not names)

def job(gens, i):
    return check(gens[i], budget=budget)

started = time.perf_counter()
if mode == "worker":
    with KillableWorker(generators) as worker:
        results = [worker.call(job, i) for i in range(len(generators))]
else:
    results = [check(g, budget=budget, isolate=mode == "per-case") for g in generators]
seconds = time.perf_counter() - started
verdicts = [[g.name, r.criterion, r.scope, r.verdict, r.method] for g, rs in zip(generators, results) for r in rs]
print(json.dumps({"seconds": seconds, "verdicts": verdicts}))
"""


MODES = ("worker", "per-case", "inline")


def run_mode(mode: str, budget: float, cases: list[str]) -> dict:
    """One fresh process checking the cases (default: every bundled case) in ``mode``."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run([sys.executable, "-c", _CHILD, mode, str(budget), *cases], capture_output=True, text=True, env=env)
    if out.returncode:
        raise RuntimeError(f"the {mode} run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--json", default=None)
    parser.add_argument("cases", nargs="*", help="bundled case names or files (default: all bundled cases)")
    args = parser.parse_args(argv)
    times: dict[str, list[float]] = {m: [] for m in MODES}
    verdicts: dict[str, list] = {}
    for k in range(args.repeat):
        for mode in MODES if k % 2 == 0 else MODES[::-1]:
            res = run_mode(mode, args.budget, args.cases)
            times[mode].append(res["seconds"])
            verdicts.setdefault(mode, res["verdicts"])
            print(f"run {k + 1}/{args.repeat} {mode:8s} {res['seconds']:.2f} s", file=sys.stderr, flush=True)
    same = verdicts["worker"] == verdicts["inline"] == verdicts["per-case"]
    med = {m: statistics.median(v) for m, v in times.items()}
    ratio = med["worker"] / med["inline"]
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, python {platform.python_version()}",
        "repeat": args.repeat,
        "seconds": times,
        "median": med,
        "ratio_worker_over_inline": ratio,
        "ratio_per_case_over_inline": med["per-case"] / med["inline"],
        "checks": len(verdicts["worker"]),
        "same_verdicts": same,
        "target": "ratio <= 1.1",
        "pass": same and ratio <= 1.1,
    }
    print(f"checks: {report['checks']}, verdicts identical: {same}")
    print(f"medians: reused budget worker {med['worker']:.2f} s, a worker per case {med['per-case']:.2f} s, inline {med['inline']:.2f} s")
    print(f"reused worker / inline {ratio:.3f} ({'PASS' if report['pass'] else 'FAIL'} against <= 1.1); per case / inline {report['ratio_per_case_over_inline']:.3f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2)
    return 0 if same else 1


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - started:.0f} s in all)", file=sys.stderr)
    sys.exit(code)

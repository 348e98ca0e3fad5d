"""Benchmark: the soundness fuzzer for long runs (issue 7).

Draws generators whose truths are known by construction (``tests/soundness/families.py``:
block-additive pixel layouts with planted supports, cross terms, hidden zeros, near-zeros,
switching pieces on boxes and regions; and, for issue 12, thin Piecewise pieces that
rewrite smooth functions, special functions with a latent in every argument position, and
large-denominator hidden terms such as sin(N pi s) with a large N), checks them with :func:`theory.checker.check`
(criteria D, M, H2, H3 and often H4, global and at points), compares every definite
verdict with the truth, and re-verifies every witness with the independent oracle
(``tests/soundness/oracle.py``).  It reports checks per second, the number of unsound
verdicts (must be 0), the unknown rate, the generators the checker refused (an
``InputError`` such as ``GeneratorError``: sound, counted apart from the checks) and those
whose check crashed (a bug, but not a verdict), and the same per family, with the decided
fraction and the verdicts by method for every criterion and scope.

The opt-in families of issue 13 (``--families global-s,global-s-irreducible``) check Type S
on the whole domain under both ``s`` readings (labelled ``S`` and ``S/non-strict``) and, for
``global-s-irreducible``, S-irreducibility (``irreducible:S``, whose global check the runner
calls through the registry, as the theorems do); their truths are enumerated from the
construction (docs/mathematics.md 5.7 and 5.10, written out in the oracle).

Run from the repository root::

    python benchmarks/fuzz_soundness.py --count 100000 --seed 0 [--workers 2]
        [--budget 10] [--isolate] [--families additive,near-zero] [--max-seconds 600]
        [--json out.json] [--progress] [--executor local|ray|ray://ADDRESS] [--batch N]

``--count`` is the number of checks (results) to judge; instances are drawn until it is
reached, cycling through the families (instance k of the run uses seed ``seed + k``).
Exit status 1 if any verdict was unsound (each is printed with its generator).

The generators are judged in rounds of ``--batch`` instances (default 8 per worker), each
instance in a worker of :func:`mechind.executor.map_cases`: ``--workers`` processes of this
machine, or one Ray task per instance with ``--executor ray`` (a local Ray instance) or
``ray://ADDRESS`` (a running cluster, with mechind installed on its nodes; this script
ships ``tests/`` to it).  The figures depend only on the seed, the families, the budget,
``--count`` and the batch size, not on where the instances ran (timings apart).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mechind.executor import EXECUTOR_HELP, check_executor, map_cases, open_executor  # noqa: E402
from theory.errors import InputError  # noqa: E402
from tests.soundness.families import ALL_FAMILIES, FAMILIES, S_FAMILIES  # noqa: E402
from tests.soundness.runner import judge_spec  # noqa: E402


def _executor(text: str) -> str:
    try:
        return check_executor(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="checks to judge (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the instances and of the checker (default 0)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per check (default 10)")
    parser.add_argument("--isolate", action="store_true", help="run each generator's checks in the killable worker (the CLI's path)")
    parser.add_argument(
        "--families",
        default=",".join(FAMILIES),
        help=f"comma-separated families (default: every family but the opt-in {', '.join(S_FAMILIES)})",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    parser.add_argument("--max-seconds", type=float, default=None, help="stop drawing new generators after this many seconds")
    parser.add_argument("--progress", action="store_true", help="print a line per batch")
    parser.add_argument("--executor", type=_executor, default="local", help=EXECUTOR_HELP.replace("--jobs", "--workers"))
    parser.add_argument("--batch", type=int, default=None, help="instances judged per round (default 8 per worker, at least 8; with Ray 8 per cluster CPU)")
    args = parser.parse_args(argv)
    families = [f.strip() for f in args.families.split(",") if f.strip()]
    unknown_families = sorted(set(families) - set(ALL_FAMILIES))
    if unknown_families or not families:
        parser.error(f"unknown families {unknown_families} (known: {', '.join(ALL_FAMILIES)})")

    kinds: Counter = Counter()
    per_family: dict[str, Counter] = {f: Counter() for f in families}
    verdicts: Counter = Counter()
    # per family and criterion (scope): checks, decided, and the verdicts by method
    by_check: dict[str, dict[str, Counter]] = {f: {} for f in families}
    reports: list[str] = []
    crashes: list[str] = []
    instances = 0
    ship = {"py_modules": [str(ROOT / "tests")]} if args.executor.startswith("ray://") else None  # the families and oracle
    with open_executor(args.executor, ship) as cluster:
        started = time.perf_counter()  # the checks, not the start of a Ray instance
        batch = args.batch or max(8, 8 * (args.workers if cluster is None else cluster.cpus))
        next_k = 0
        while sum(kinds.values()) - kinds["refused"] - kinds["crash"] < args.count and instances < 50 * args.count:
            if args.max_seconds is not None and time.perf_counter() - started > args.max_seconds:
                break
            specs = [(families[k % len(families)], args.seed + k, args.seed, args.budget, args.isolate) for k in range(next_k, next_k + batch)]
            next_k += batch
            for outcomes, unsound in map_cases(judge_spec, specs, max(1, args.workers), executor=cluster):
                instances += 1
                reports += unsound
                per_family[outcomes[0].family]["instances"] += 1
                for o in outcomes:
                    kinds[o.kind] += 1
                    per_family[o.family][o.kind] += 1
                    if o.kind == "crash":
                        crashes.append(o.reason)
                    if o.kind not in ("refused", "crash"):
                        per_family[o.family]["checks"] += 1
                        verdicts[o.verdict] += 1
                        tally = by_check[o.family].setdefault(f"{o.criterion} {o.scope}", Counter())
                        tally["checks"] += 1
                        tally["decided"] += o.verdict != "unknown"
                        tally[f"{o.verdict} {o.method}"] += 1
            if args.progress:
                done = sum(kinds.values()) - kinds["refused"] - kinds["crash"]
                elapsed = time.perf_counter() - started
                print(
                    f"  {done} checks, {instances} instances, {elapsed:.0f} s, {done / elapsed:.1f} checks/s, unsound {kinds['unsound']}, "
                    f"refused {kinds['refused']}, crashed {kinds['crash']}",
                    flush=True,
                )
    elapsed = time.perf_counter() - started
    checks = sum(kinds.values()) - kinds["refused"] - kinds["crash"]
    for c in per_family.values():
        c["unknown_rate"] = round(c["unknown"] / c["checks"], 4) if c["checks"] else 0.0
    figures = {
        "checks": checks,
        "instances": instances,
        "seconds": round(elapsed, 1),
        "checks_per_second": round(checks / elapsed, 2),
        "unsound": kinds["unsound"],
        "unknown": kinds["unknown"],
        "unknown_rate": round(kinds["unknown"] / checks, 4) if checks else 0.0,
        "refused": kinds["refused"],
        "crashed": kinds["crash"],
        "kinds": dict(kinds),
        "verdicts": dict(verdicts),
        "families": {f: dict(c) for f, c in per_family.items()},
        "by_check": {f: {k: dict(sorted(c.items())) for k, c in sorted(checks_of.items())} for f, checks_of in by_check.items()},
        "crash_examples": crashes[:10],
        "seed": args.seed,
        "workers": args.workers,
        "executor": args.executor,
        "budget": args.budget,
        "isolate": args.isolate,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
    }
    print(f"soundness fuzzer: {checks} checks on {instances} generators in {elapsed:.1f} s ({figures['checks_per_second']} checks/s, {args.workers} workers)")
    print(f"  unsound verdicts: {kinds['unsound']}   unknown: {kinds['unknown']} ({100 * figures['unknown_rate']:.2f} %)   refused generators: {kinds['refused']}   crashed: {kinds['crash']}")
    print(f"  definite and matching a known truth: {kinds['agree']}; refutations with no global truth but a re-verified witness: {kinds['verified']}; proofs with no truth to compare: {kinds['unchecked']}")
    header = f"  {'family':22s} {'gens':>5s} {'checks':>7s} {'agree':>7s} {'verified':>8s} {'unchecked':>9s} {'unknown':>7s} {'unk %':>6s} {'unsound':>7s} {'refused':>7s} {'crashed':>7s}"
    print(header)
    for f, c in per_family.items():
        print(
            f"  {f:22s} {c['instances']:5d} {c['checks']:7d} {c['agree']:7d} {c['verified']:8d} {c['unchecked']:9d} {c['unknown']:7d} "
            f"{100 * c['unknown_rate']:6.2f} {c['unsound']:7d} {c['refused']:7d} {c['crash']:7d}"
        )
    print("  decided per criterion and scope (verdict by method):")
    for f, checks_of in by_check.items():
        for key, c in sorted(checks_of.items()):
            methods = ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if k not in ("checks", "decided"))
            print(f"    {f:22s} {key:30s} {c['decided']:6d}/{c['checks']:<6d} decided  [{methods}]")
    for crash in crashes[:5]:
        print("\nCRASH: " + crash)
    for report in reports:
        print("\nUNSOUND: " + report)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if kinds["unsound"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the probabilistic mode (random primes, Schwartz-Zippel) against the exact checks.

The generator (:func:`hidden_generator`) has 6 latents in 2 factors of 3 on the box
(-1,1)^6 and, by default, 200 outputs: the 6 latents themselves, then per output a random
degree-4 polynomial of one factor's latents plus a hidden zero ``A*B - expand(A*B)``
with ``A, B`` random degree-2 polynomials of all 6 latents.  Every output depends on one
factor only, but the structural tracer sees all 6 latents, so D, M and H2 hold and the
identities behind them (partials of the other factor, cross derivatives) must be tested.

The script runs :func:`theory.checker.check` with criteria ``D, M, H2`` (in-process, the
same budget) once exactly and once with ``probabilistic=True``, each on a freshly built
generator, and reports per criterion the global verdict, its method, its time (the
check's own ``seconds``; the pointwise checks at the default point are the same in both
modes and are left out), the error bound of the probabilistic verdicts, and the ratio.

Run from the repository root::

    python benchmarks/bench_probabilistic.py [--outputs 200] [--seed 0] [--criteria D,M,H2]
                                             [--budget 900] [--modes probabilistic,exact]
                                             [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from itertools import combinations_with_replacement
from pathlib import Path

import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from theory import Box, Generator, check  # noqa: E402


def random_polynomial(rng: random.Random, variables: list[sp.Symbol], degree: int) -> sp.Expr:
    """Every monomial of degree <= ``degree`` with a random integer coefficient in [-9, 9]."""
    terms = [rng.randint(-9, 9) * sp.Mul(*mono) for d in range(degree + 1) for mono in combinations_with_replacement(variables, d)]
    return sp.Add(*terms)


def hidden_generator(outputs: int = 200, seed: int = 0) -> Generator:
    """The benchmark generator (see the module docs)."""
    rng = random.Random(seed)
    s = list(sp.symbols("s1:7", real=True))
    blocks = [s[:3], s[3:]]
    outs: list[sp.Expr] = list(s)
    for t in range(outputs - len(s)):
        a, b = random_polynomial(rng, s, 2), random_polynomial(rng, s, 2)
        outs.append(random_polynomial(rng, blocks[t % 2], 4) + a * b - sp.expand(a * b))
    return Generator(f"hidden-{outputs}", blocks, outs, Box({v: (-1, 1) for v in s}))


def run(outputs: int, seed: int, criteria: list[str], budget: float, probabilistic: bool) -> dict:
    g = hidden_generator(outputs, seed)
    start = time.perf_counter()
    results = check(g, criteria, budget=budget, isolate=False, probabilistic=probabilistic, seed=seed)
    wall = time.perf_counter() - start
    rows = {}
    for r in results:
        if r.scope == "global":
            rows[r.criterion] = {"verdict": r.verdict, "method": r.method, "seconds": round(r.seconds, 3), "error_bound": r.details.get("error_bound")}
    return {"wall": round(wall, 3), "checks": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--criteria", default="D,M,H2")
    parser.add_argument("--budget", type=float, default=900.0)
    parser.add_argument("--modes", default="probabilistic,exact", help="which modes to run (both for the ratio)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    criteria = args.criteria.split(",")
    report = {"outputs": args.outputs, "seed": args.seed}
    modes = args.modes.split(",")
    for mode in modes:
        report[mode] = run(args.outputs, args.seed, criteria, args.budget, mode == "probabilistic")
        print(f"{mode}: wall {report[mode]['wall']:.1f} s", flush=True)
        for c, row in report[mode]["checks"].items():
            print(f"  {c:4s} {row['verdict']:24s} {row['method']:24s} {row['seconds']:8.2f} s  bound {row['error_bound']}", flush=True)
    if set(modes) != {"probabilistic", "exact"}:
        return
    exact = sum(r["seconds"] for r in report["exact"]["checks"].values())
    fast = sum(r["seconds"] for r in report["probabilistic"]["checks"].values())
    report["global_seconds"] = {"exact": round(exact, 3), "probabilistic": round(fast, 3), "ratio": round(exact / max(fast, 1e-9), 2)}
    for c in criteria:
        e, p = report["exact"]["checks"][c], report["probabilistic"]["checks"][c]
        print(f"{c}: exact {e['seconds']:.2f} s / probabilistic {p['seconds']:.2f} s = {e['seconds'] / max(p['seconds'], 1e-9):.1f}x")
    print(f"global checks: exact {exact:.1f} s, probabilistic {fast:.1f} s, ratio {exact / max(fast, 1e-9):.1f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

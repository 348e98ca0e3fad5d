"""Benchmark: the structural derivative tracer against CasADi's native Jacobian sparsity pass.

Both sides answer the same question on the same generator: which entries of the Jacobian
``d g_t / d s_a`` are structurally nonzero.  The project's side is
:func:`theory.model.tracer.trace_outputs` at order 1 (its dependency invariant included, as the
checks call it), on the sympy outputs.  CasADi's side is ``casadi.jacobian_sparsity(f, x)`` on
the same outputs as one CasADi ``SX`` expression graph (bit-vector propagation in C++).  The
sympy-to-CasADi conversion (:func:`to_casadi`, shared subexpressions converted once) is timed
and reported separately: a user of the project holds sympy expressions, so CasADi's full cost
is conversion + pass.  The two sparsity patterns are compared entry by entry.

The structures (outputs x latents):

* ``96x6``: ``pixel_generator(0, 96)`` of ``bench_symbolic.py`` (3 factors of 2 latents;
  single-factor, additive and multiplicative polynomial bumps);
* ``1000x20``: :func:`wide_outputs`, the same kind of bumps over 10 factors of 2 latents and
  1000 outputs (m // 16 products and 3m // 16 sums of two bumps of seeded factor pairs, the rest
  single bumps).

Every timing is the median of ``--repeat`` runs, the two sides interleaved, and reported both
as wall time and as CPU time of this process (``time.process_time``: less disturbed when
other processes load the machine; CasADi's pass is single-threaded, like the tracer).  The
orders 2 and 3 of the tracer are timed too (for H2/H3), for information: CasADi has no pass
for them that answers the same question.

The passes are timed twice: in the round ``conversion, CasADi pass, tracer orders 1-3`` (a
user's CasADi pass follows the conversion, which leaves the caches cold: it makes CasADi's
pass up to 2x slower, the tracer 1.2x), and ``alone``, CasADi's pass and the tracer at order 1
back to back with nothing in between (which of the two goes first alternates).
``--baseline PATH`` times another version of ``theory/model/tracer.py`` (a file, e.g. from
``git show HEAD:theory/model/tracer.py``) in the same rounds, and checks that its patterns are
the same.  In the round its order 1 always follows the tracer's (on warm caches, which favours
it), so order 1 is compared alone as well: the three passes back to back, each first in turn.

CasADi is an optional benchmark dependency (``pip install mechind[bench]``); without it the
script says so and exits with status 0.  Run from the repository root::

    python benchmarks/bench_tracer_casadi.py [--repeat 15] [--json benchmarks/results/tracer_casadi.json] [--baseline PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import sympy as sp  # noqa: E402

from bench_symbolic import _bump, pixel_generator  # noqa: E402
from theory.model.tracer import trace_outputs  # noqa: E402

__all__ = ["wide_outputs", "to_casadi", "casadi_pattern", "tracer_pattern", "main"]

MISSING = "bench_tracer_casadi: skipped, CasADi is not installed (pip install 'mechind[bench]' or pip install casadi)"


def wide_outputs(seed: int = 0, n_outputs: int = 1000, factors: int = 10) -> tuple[list[sp.Expr], tuple[sp.Symbol, ...]]:
    """The ``1000x20`` structure: polynomial bumps over ``factors`` factors of 2 latents.

    Parameters
    ----------
    seed
        Seed of the bump parameters and of the factor pairs.
    n_outputs
        Number of outputs (at least 16).
    factors
        Number of two-dimensional factors (latents ``s1 .. s_{2 factors}``).

    Returns
    -------
    (outputs, latents)

    Examples
    --------
    >>> outs, lat = wide_outputs(0, 32, 4)
    >>> len(outs), len(lat)
    (32, 8)
    """
    rng = random.Random(seed)
    s = sp.symbols(f"s1:{2 * factors + 1}", real=True)
    blocks = [(s[2 * k], s[2 * k + 1]) for k in range(factors)]
    pairs = list(itertools.combinations(range(factors), 2))
    multiplicative, additive = n_outputs // 16, 3 * n_outputs // 16
    outputs = [_bump(rng, *blocks[i % factors]) for i in range(n_outputs - additive - multiplicative)]
    for _ in range(additive):
        k, l = pairs[rng.randrange(len(pairs))]
        outputs.append(_bump(rng, *blocks[k]) + _bump(rng, *blocks[l]))
    for _ in range(multiplicative):
        k, l = pairs[rng.randrange(len(pairs))]
        outputs.append(_bump(rng, *blocks[k]) * _bump(rng, *blocks[l]))
    return outputs, s


def to_casadi(outputs: Sequence[sp.Expr], latents: Sequence[sp.Symbol]) -> tuple[Any, Any]:
    """The outputs as one CasADi ``SX`` column over ``x = SX.sym("x", d)``.

    Converts sums, products, powers, numbers, the latents and ``exp``, ``log``, ``sin``,
    ``cos``, ``tanh`` (enough for the structures here); every distinct subexpression once.

    Returns
    -------
    (x, f)
        The CasADi symbol vector and the ``SX`` column of the outputs.
    """
    import casadi as ca

    x = ca.SX.sym("x", len(latents))
    memo: dict[sp.Basic, Any] = {s: x[i] for i, s in enumerate(latents)}
    unary = {sp.exp: ca.exp, sp.log: ca.log, sp.sin: ca.sin, sp.cos: ca.cos, sp.tanh: ca.tanh}

    def conv(e: sp.Basic) -> Any:
        hit = memo.get(e)
        if hit is not None:
            return hit
        if e.is_Number:
            out = float(e)
        elif isinstance(e, sp.Add):
            out = conv(e.args[0])
            for a in e.args[1:]:
                out = out + conv(a)
        elif isinstance(e, sp.Mul):
            out = conv(e.args[0])
            for a in e.args[1:]:
                out = out * conv(a)
        elif isinstance(e, sp.Pow):
            base, power = e.args
            out = ca.constpow(conv(base), float(power)) if power.is_Number else ca.power(conv(base), conv(power))
        elif e.func in unary:
            out = unary[e.func](conv(e.args[0]))
        else:
            raise NotImplementedError(f"to_casadi: {type(e).__name__} is not converted")
        memo[e] = out
        return out

    return x, ca.vertcat(*[conv(o) for o in outputs])


def casadi_pattern(x: Any, f: Any) -> list[frozenset[int]]:
    """Per output, the latents of CasADi's ``jacobian_sparsity(f, x)``."""
    import casadi as ca

    sparsity = ca.jacobian_sparsity(f, x)
    rows: list[set[int]] = [set() for _ in range(sparsity.size1())]
    for r, c in zip(sparsity.get_triplet()[0], sparsity.get_triplet()[1]):
        rows[r].add(c)
    return [frozenset(r) for r in rows]


def tracer_pattern(outputs: Sequence[sp.Expr], latents: Sequence[sp.Symbol]) -> list[frozenset[int]]:
    """Per output, the latents of the tracer's order-1 patterns."""
    return [frozenset(a[0] for a in p if len(a) == 1) for p in trace_outputs(outputs, latents, 1)]


def _timed(fn: Callable[[], Any]) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def _median(rows: list[tuple[float, float]]) -> dict[str, float]:
    return {"wall": statistics.median(r[0] for r in rows), "cpu": statistics.median(r[1] for r in rows)}


def load_tracer(path: Path) -> Any:
    """A version of ``theory/model/tracer.py`` loaded from ``path`` (a module of its own)."""
    spec = importlib.util.spec_from_file_location("baseline_tracer", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(name: str, outputs: list[sp.Expr], latents: Sequence[sp.Symbol], repeat: int, baseline: Any = None) -> dict[str, Any]:
    """Time conversion, CasADi's pass and the tracer (orders 1-3) on one structure, interleaved;
    then CasADi's pass and the tracer at order 1 alone, back to back."""
    import casadi as ca

    x, f = to_casadi(outputs, latents)
    agree = casadi_pattern(x, f) == tracer_pattern(outputs, latents)
    keys = ["convert", "casadi", "tracer1", "tracer2", "tracer3", "casadi_alone", "tracer1_alone"]
    if baseline is not None:
        keys += ["baseline1", "baseline2", "baseline3", "baseline1_alone"]
        baseline_agrees = all(baseline.trace_outputs(outputs, latents, k) == trace_outputs(outputs, latents, k) for k in (1, 2, 3))
    rows: dict[str, list[tuple[float, float]]] = {k: [] for k in keys}
    for i in range(repeat):
        rows["convert"].append(_timed(lambda: to_casadi(outputs, latents)))
        rows["casadi"].append(_timed(lambda: ca.jacobian_sparsity(f, x)))
        for order in (1, 2, 3):
            # each order of the baseline next to the same order of the tracer; the tracer's order 1
            # right after CasADi's pass, otherwise which of the two goes first alternates
            pair = [(f"tracer{order}", trace_outputs)] + ([] if baseline is None else [(f"baseline{order}", baseline.trace_outputs)])
            for key, trace in pair[:: 1 if order == 1 or i % 2 == 0 else -1]:
                rows[key].append(_timed(lambda: trace(outputs, latents, order)))
    alone = [("casadi_alone", lambda: ca.jacobian_sparsity(f, x)), ("tracer1_alone", lambda: trace_outputs(outputs, latents, 1))]
    if baseline is not None:  # at order 1 in the round the baseline always follows the tracer (warm): compared here
        alone.append(("baseline1_alone", lambda: baseline.trace_outputs(outputs, latents, 1)))
    for i in range(repeat):
        turn = i % len(alone)  # each goes first, second, ... in turn
        for key, fn in alone[turn:] + alone[:turn]:
            rows[key].append(_timed(fn))
    med = {k: _median(v) for k, v in rows.items()}
    nnz = sum(len(r) for r in casadi_pattern(x, f))
    result = {
        "structure": name,
        "outputs": len(outputs),
        "latents": len(latents),
        "nonzeros": nnz,
        "patterns_agree": agree,
        "seconds": med,
        "runs": {k: [list(r) for r in v] for k, v in rows.items()},
        "ratio_tracer_over_casadi": {k: med["tracer1"][k] / med["casadi"][k] for k in ("wall", "cpu")},
        "ratio_tracer_over_casadi_alone": {k: med["tracer1_alone"][k] / med["casadi_alone"][k] for k in ("wall", "cpu")},
        "ratio_tracer_over_convert_plus_casadi": {k: med["tracer1"][k] / (med["convert"][k] + med["casadi"][k]) for k in ("wall", "cpu")},
    }
    if baseline is not None:
        result["baseline_agrees"] = baseline_agrees
        result["ratio_baseline_over_tracer"] = {f"order{o}": {k: med[f"baseline{o}"][k] / med[f"tracer{o}"][k] for k in ("wall", "cpu")} for o in (1, 2, 3)}
        result["ratio_baseline_over_tracer_alone"] = {k: med["baseline1_alone"][k] / med["tracer1_alone"][k] for k in ("wall", "cpu")}
    return result


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    """Run the benchmark, print the table and return the numbers (``None`` without CasADi)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each side (median; default 15)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this JSON file")
    parser.add_argument("--baseline", type=Path, default=None, help="another tracer.py to time side by side (e.g. git HEAD's)")
    args = parser.parse_args(argv)
    try:
        import casadi
    except ImportError:
        print(MISSING)
        return None
    g = pixel_generator(args.seed, 96)
    wide, wide_latents = wide_outputs(args.seed)
    load_before = os.getloadavg()
    baseline = None if args.baseline is None else load_tracer(args.baseline)
    results = [measure("96x6", list(g.outputs), g.latents, args.repeat, baseline), measure("1000x20", wide, wide_latents, args.repeat, baseline)]
    report = {
        "benchmark": "bench_tracer_casadi",
        "repeat": args.repeat,
        "load_average_before_after": [load_before[0], os.getloadavg()[0]],
        "cpus": os.cpu_count(),
        "versions": {"python": platform.python_version(), "sympy": sp.__version__, "casadi": casadi.__version__},
        "baseline": None if args.baseline is None else str(args.baseline),
        "results": results,
    }
    print(f"# structural Jacobian sparsity: tracer (order 1) vs casadi.jacobian_sparsity, median of {args.repeat}, "
          f"load average {load_before[0]:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus, casadi {casadi.__version__}")
    print("| structure | nonzeros | patterns agree | sympy->CasADi conversion | CasADi pass | tracer order 1 | tracer / CasADi pass | tracer / (conversion + pass) | tracer order 2 | tracer order 3 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        s = r["seconds"]
        ms = lambda k: f"{s[k]['wall'] * 1e3:.2f} ms ({s[k]['cpu'] * 1e3:.2f})"  # noqa: E731
        ratio, total = r["ratio_tracer_over_casadi"], r["ratio_tracer_over_convert_plus_casadi"]
        print(f"| {r['structure']} | {r['nonzeros']} | {'yes' if r['patterns_agree'] else 'NO'} | {ms('convert')} | {ms('casadi')} | {ms('tracer1')} | "
              f"{ratio['wall']:.1f}x ({ratio['cpu']:.1f}x) | {total['wall']:.2f}x ({total['cpu']:.2f}x) | {ms('tracer2')} | {ms('tracer3')} |")
    print("(wall time, CPU time of this process in parentheses)")
    print("| structure | CasADi pass alone | tracer order 1 alone | tracer / CasADi pass, alone |")
    print("|---|---|---|---|")
    for r in results:
        s, ratio = r["seconds"], r["ratio_tracer_over_casadi_alone"]
        ms = lambda k: f"{s[k]['wall'] * 1e3:.2f} ms ({s[k]['cpu'] * 1e3:.2f})"  # noqa: E731
        print(f"| {r['structure']} | {ms('casadi_alone')} | {ms('tracer1_alone')} | {ratio['wall']:.1f}x ({ratio['cpu']:.1f}x) |")
    if baseline is not None:
        print(f"| structure | baseline ({args.baseline}) orders 1 / 2 / 3 | baseline / tracer, CPU, orders 1 / 2 / 3 in the round | order 1 alone | same patterns |")
        print("|---|---|---|---|---|")
        for r in results:
            s, ratio = r["seconds"], r["ratio_baseline_over_tracer"]
            print(f"| {r['structure']} | " + " / ".join(f"{s[f'baseline{o}']['cpu'] * 1e3:.2f}" for o in (1, 2, 3)) + " ms | "
                  + " / ".join(f"{ratio[f'order{o}']['cpu']:.2f}x" for o in (1, 2, 3))
                  + f" | {s['baseline1_alone']['cpu'] * 1e3:.2f} ms, {r['ratio_baseline_over_tracer_alone']['cpu']:.2f}x | {'yes' if r['baseline_agrees'] else 'NO'} |")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()

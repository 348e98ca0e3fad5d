"""Benchmark: the exact D/M/H2/H3 check of a pixel-like generator against a naive sympy baseline.

The generator (:func:`pixel_generator`) has 3 factors of 2 latents each and, by default,
96 outputs ("pixels"), each a polynomial bump of one or two factors with rational
coefficients.  The script times

* the project's path: :func:`theory.checker.check` with criteria ``D, M, H2, H3`` on a
  freshly built generator (median of ``--repeat`` runs, sympy's cache cleared before each);
* a naive baseline: ``sympy.diff`` of the original outputs followed by ``sympy.simplify``
  on every cross-block derivative the check is about (every mixed first-order product
  ``d_a g * d_b g`` with a, b in different blocks, for D; every order-2 and order-3
  multi-index meeting at least two blocks, for H2 and H3), each in a child process with
  a time limit.  It is **measured on a seeded random sample** (200 by default) and
  **extrapolated** to all of them (mean time per expression x their number).

It reports both, their ratio, and PASS/FAIL against the targets of the issue: the full
check under 5 s, and at least 20x faster than the baseline.

Run from the repository root::

    python benchmarks/bench_symbolic.py [--seed 0] [--outputs 96] [--sample 200]
                                        [--limit 10] [--repeat 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass

import sympy as sp
from sympy.core.cache import clear_cache

from theory import Box, Generator
from theory.budget import call_with_timeout
from theory.checker import DEFAULT_BUDGET, check
from theory.result import CheckResult

__all__ = [
    "pixel_generator",
    "pixel_kinds",
    "pixel_labels",
    "expected_verdicts",
    "naive_tasks",
    "NaiveTask",
    "run_project",
    "run_baseline",
    "main",
]

#: Criteria of the full check.
CRITERIA = ("D", "M", "H2", "H3")
#: Targets of the issue: full check under this many seconds ...
TARGET_SECONDS = 5.0
#: ... and at least this many times faster than the naive baseline.
TARGET_RATIO = 20.0
#: Denominator of the bump centres (the point of interest uses 7, so it never sits on a centre line).
_CENTRE_DENOMINATOR = 8


# -- the generator -------------------------------------------------------------------------
def pixel_kinds(n_outputs: int) -> tuple[int, int, int]:
    """How many single-factor, additive-overlap and multiplicative-overlap pixels there are.

    Parameters
    ----------
    n_outputs
        Number of outputs (at least 16).

    Returns
    -------
    (single, additive, multiplicative)
        ``multiplicative = n // 16``, ``additive = 3 * n // 16``, the rest single-factor
        (for 96 outputs: 72, 18 and 6).
    """
    if n_outputs < 16:
        raise ValueError(f"pixel_generator needs at least 16 outputs for a mixed overlap, got {n_outputs}")
    multiplicative = n_outputs // 16
    additive = 3 * n_outputs // 16
    return n_outputs - additive - multiplicative, additive, multiplicative


def pixel_labels(n_outputs: int) -> tuple[str, ...]:
    """The kind of every output of :func:`pixel_generator`, in order.

    Parameters
    ----------
    n_outputs
        Number of outputs (at least 16).

    Returns
    -------
    tuple of str
        ``"single"``, ``"additive"`` or ``"multiplicative"`` per output.
    """
    single, additive, multiplicative = pixel_kinds(n_outputs)
    return ("single",) * single + ("additive",) * additive + ("multiplicative",) * multiplicative


def _centre(rng: random.Random) -> sp.Rational:
    """A rational bump centre k/8 strictly inside (-1, 1)."""
    q = _CENTRE_DENOMINATOR
    return sp.Rational(rng.randint(-q + 1, q - 1), q)


def _bump(rng: random.Random, a: sp.Symbol, b: sp.Symbol) -> sp.Expr:
    """A polynomial bump ``c * (1 - ((a - mu)**2 + (b - nu)**2) / r2)**2`` with rational parameters."""
    mu, nu = _centre(rng), _centre(rng)
    r2 = sp.Rational(rng.randint(2, 8), 8)  # squared radius in [1/4, 1]
    c = sp.Rational(rng.randint(1, 8), 4)  # height in [1/4, 2]
    return c * (1 - ((a - mu) ** 2 + (b - nu) ** 2) / r2) ** 2


def pixel_generator(seed: int = 0, n_outputs: int = 96) -> Generator:
    """A pixel-like polynomial generator with 3 factors of 2 latents and mixed overlap.

    Latents ``s1..s6`` (real), factors ``f1 = [s1, s2]``, ``f2 = [s3, s4]``,
    ``f3 = [s5, s6]`` (think of three objects, each with a 2-D position), domain the open
    box ``(-1, 1)^6``, one rational point of interest with coordinates ``k/7``.

    A bump of factor k is ``c * (1 - ((s_a - mu)**2 + (s_b - nu)**2) / r2)**2`` where
    ``(s_a, s_b)`` are the latents of factor k, ``mu, nu`` are seeded rationals ``j/8`` in
    (-1, 1), ``r2`` in ``{2/8, ..., 8/8}`` and ``c`` in ``{1/4, ..., 2}``: a polynomial of
    degree 4 with rational coefficients (never floats).  The outputs, in this order
    (counts from :func:`pixel_kinds`; for ``n_outputs = 96``):

    * 72 single-factor pixels (outputs 0..71): one bump of factor ``i % 3``, so 24 per factor;
    * 18 additive-overlap pixels (outputs 72..89): ``bump_k + bump_l`` for the factor pairs
      (f1, f2), (f1, f3), (f2, f3) in turn, 6 per pair.  They break D (a row nonzero in two
      blocks) but keep H2 (their cross derivatives vanish);
    * 6 multiplicative-overlap pixels (outputs 90..95): ``bump_k * bump_l``, 2 per pair.
      They break H2 and H3 (e.g. ``d_{s1} d_{s1} d_{s3}`` of a product of two quadratic
      bumps is ``(d_{s1}^2 bump_k)(d_{s3} bump_l)``, not identically zero).

    Expected verdicts (see :func:`expected_verdicts`): D refuted, H2 refuted, H3 refuted,
    M proved.  M holds because every column ``d/ds_a`` (a in factor k) has its
    single-factor rows of factor k (24 of them for 96 outputs) where every column of the other factors vanishes
    identically; for ``supp d_a`` to lie inside ``supp d_b`` all of these partials
    ``-4c/r2 * (1 - q_i/r2) * (s_a - mu_i)`` would have to vanish at one point, i.e. the
    point would lie, for each of these bumps, on its centre line or its rim circle, and
    no point of the plane does for the seeded parameters (z3 proves it).

    Parameters
    ----------
    seed
        Seed of the bump parameters and of the point of interest.
    n_outputs
        Number of pixels (at least 16).

    Returns
    -------
    theory.Generator
        A fresh generator (no derivative cache shared with any other).
    """
    rng = random.Random(seed)
    s = sp.symbols("s1:7", real=True)
    blocks = ((s[0], s[1]), (s[2], s[3]), (s[4], s[5]))
    pairs = tuple(itertools.combinations(range(3), 2))
    single, additive, multiplicative = pixel_kinds(n_outputs)
    outputs: list[sp.Expr] = []
    for i in range(single):
        outputs.append(_bump(rng, *blocks[i % 3]))
    for i in range(additive):
        k, l = pairs[i % 3]
        outputs.append(_bump(rng, *blocks[k]) + _bump(rng, *blocks[l]))
    for i in range(multiplicative):
        k, l = pairs[i % 3]
        outputs.append(_bump(rng, *blocks[k]) * _bump(rng, *blocks[l]))
    point = {x: sp.Rational(rng.choice((-3, -2, -1, 1, 2, 3)), 7) for x in s}
    return Generator(
        name=f"pixel-bumps-{n_outputs}-seed{seed}",
        factors={"f1": list(blocks[0]), "f2": list(blocks[1]), "f3": list(blocks[2])},
        outputs=outputs,
        domain=Box({x: (-1, 1) for x in s}),
        points=[point],
        description=(
            f"{single} single-factor, {additive} additive-overlap and {multiplicative} "
            "multiplicative-overlap polynomial bumps of 3 two-dimensional factors"
        ),
    )


def expected_verdicts() -> dict[str, str]:
    """The verdicts the construction implies (for both scopes of D and M).

    Returns
    -------
    dict
        ``{criterion: verdict}``: D refuted (additive pixels), M proved (see
        :func:`pixel_generator`), H2 and H3 refuted (multiplicative pixels).
    """
    return {"D": "refuted", "M": "proved", "H2": "refuted", "H3": "refuted"}


# -- the project's path ------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectRun:
    """One timed run of the project's check.

    Attributes
    ----------
    build_seconds
        Time to build the generator (not counted in :attr:`check_seconds`).
    check_seconds
        Wall time of :func:`theory.checker.check` (``time.perf_counter``).
    results
        The check results, in the order the check produced them.
    """

    build_seconds: float
    check_seconds: float
    results: tuple[CheckResult, ...]


def run_project(seed: int, n_outputs: int, budget: float | None) -> ProjectRun:
    """Build a fresh generator and time the full D/M/H2/H3 check on it.

    sympy's global cache is cleared first, so no earlier run (or the baseline) helps.

    Parameters
    ----------
    seed
        Seed of the generator and of the check.
    n_outputs
        Number of pixels.
    budget
        Per-check wall-time budget of :func:`theory.checker.check`.
    """
    clear_cache()
    start = time.perf_counter()
    g = pixel_generator(seed, n_outputs)
    built = time.perf_counter()
    results = check(g, list(CRITERIA), seed=seed, budget=budget)
    done = time.perf_counter()
    return ProjectRun(built - start, done - built, tuple(results))


# -- the naive baseline ----------------------------------------------------------------------------
@dataclass(frozen=True)
class NaiveTask:
    """One expression of the naive baseline.

    Attributes
    ----------
    output
        Output index.
    kind
        ``"D"`` (the product ``d_a g * d_b g``), ``"H2"`` or ``"H3"`` (``d^alpha g``).
    alpha
        Latent positions: the pair (a, b) for ``D``, the sorted multi-index otherwise.
    """

    output: int
    kind: str
    alpha: tuple[int, ...]


def naive_tasks(g: Generator) -> list[NaiveTask]:
    """Every cross-block derivative the naive baseline would process, for every output.

    Per output: every unordered pair (a, b) of latents in different blocks (Type D
    products), and every multi-index of order 2 and 3 meeting at least two blocks (H2,
    H3; block-diagonal reading).  No structural pruning: that is the project's job.

    Parameters
    ----------
    g
        The generator.
    """
    per_output: list[tuple[str, tuple[int, ...]]] = []
    for a, b in itertools.combinations(range(g.d), 2):
        if g.block_of[a] != g.block_of[b]:
            per_output.append(("D", (a, b)))
    for n in (2, 3):
        for alpha in itertools.combinations_with_replacement(range(g.d), n):
            if len({g.block_of[a] for a in alpha}) >= 2:
                per_output.append((f"H{n}", alpha))
    return [NaiveTask(t, kind, alpha) for t in range(g.m) for kind, alpha in per_output]


def _naive_one(expr: sp.Expr, kind: str, symbols: tuple[sp.Symbol, ...]) -> tuple[float, bool]:
    """``sympy.diff`` then ``sympy.simplify`` of one task; runs in a child process.

    Returns the seconds it took (measured in the child, so process start-up is not
    counted) and whether the simplified result is 0.
    """
    start = time.perf_counter()
    if kind == "D":
        derived = sp.diff(expr, symbols[0]) * sp.diff(expr, symbols[1])
    else:
        derived = sp.diff(expr, *symbols)
    simplified = sp.simplify(derived)
    return time.perf_counter() - start, bool(simplified == 0)


@dataclass(frozen=True)
class BaselineResult:
    """The sampled naive baseline and its extrapolation.

    Attributes
    ----------
    total
        Number N of expressions of the full baseline.
    by_kind
        N split by kind (``D``, ``H2``, ``H3``).
    seconds
        Per sampled expression: seconds (the limit for a timed-out one).
    statuses
        Per sampled expression: ``ok``, ``timeout`` or ``error``.
    zeros
        How many sampled expressions simplified to 0.
    sample_kinds
        The sample split by kind.
    wall_seconds
        Wall time of the whole sample, process start-ups included.
    limit
        The per-expression time limit.
    strata
        Per sampled expression: its stratum ``"<output label>/<kind>"``.
    stratum_sizes
        Number of expressions of every stratum in the full baseline.
    """

    total: int
    by_kind: dict[str, int]
    seconds: tuple[float, ...]
    statuses: tuple[str, ...]
    zeros: int
    sample_kinds: dict[str, int]
    wall_seconds: float
    limit: float
    strata: tuple[str, ...]
    stratum_sizes: dict[str, int]

    @property
    def sample(self) -> int:
        return len(self.seconds)

    @property
    def timeouts(self) -> int:
        return sum(1 for s in self.statuses if s == "timeout")

    @property
    def errors(self) -> int:
        return sum(1 for s in self.statuses if s == "error")

    @property
    def mean(self) -> float:
        return statistics.fmean(self.seconds) if self.seconds else 0.0

    @property
    def estimate(self) -> float:
        """Extrapolated time of the full baseline: the stratified estimate (sum of stratum
        size x stratum sample mean)."""
        return self.stratified_estimate

    @property
    def estimate_interval(self) -> tuple[float, float]:
        """An approximate 95% interval of :attr:`estimate` (stratified variance, finite population)."""
        var = 0.0
        for name, size in self.stratum_sizes.items():
            values = [sec for sec, st in zip(self.seconds, self.strata) if st == name]
            n = len(values)
            if n >= 2 and size > 1:
                fpc = max(0.0, (size - n) / (size - 1))
                var += size**2 * statistics.variance(values) / n * fpc
        half = 1.96 * math.sqrt(var)
        return (max(0.0, self.estimate - half), self.estimate + half)

    def stratified(self) -> dict[str, dict[str, float | None]]:
        """Per stratum: population size, sample size, sample mean (``None`` if unsampled)."""
        out: dict[str, dict[str, float | None]] = {}
        for name, size in sorted(self.stratum_sizes.items()):
            values = [sec for sec, st in zip(self.seconds, self.strata) if st == name]
            out[name] = {"size": size, "sampled": len(values), "mean": statistics.fmean(values) if values else None}
        return out

    @property
    def stratified_estimate(self) -> float:
        """Stratified extrapolation: sum over strata of size x sample mean.

        A stratum with no sampled expression contributes its size x the overall mean.
        """
        total = 0.0
        for row in self.stratified().values():
            mean = row["mean"]
            total += float(row["size"] or 0) * (mean if mean is not None else self.mean)
        return total


def stratified_sample(stratum: list[str], sample: int, seed: int, floor: int = 8) -> list[int]:
    """A seeded stratified random sample of task indices: every stratum gets at least
    ``floor`` (or all of it), the rest of ``sample`` is allocated in proportion to size.

    Costly expressions are rare (the overlap pixels), so a simple random sample of 200
    swings by an order of magnitude between seeds; stratifying by pixel kind and
    expression kind makes the extrapolation stable.
    """
    rng = random.Random(seed)
    members: dict[str, list[int]] = {}
    for i, name in enumerate(stratum):
        members.setdefault(name, []).append(i)
    total = len(stratum)
    if sample >= total:
        return list(range(total))
    alloc = {name: min(len(idx), floor) for name, idx in members.items()}
    left = max(0, sample - sum(alloc.values()))
    for name, idx in members.items():
        alloc[name] = min(len(idx), alloc[name] + int(left * len(idx) / total))
    for name in sorted(members, key=lambda n: -len(members[n])):  # hand out what rounding left over
        while sum(alloc.values()) < sample and alloc[name] < len(members[name]):
            alloc[name] += 1
    return sorted(i for name, idx in sorted(members.items()) for i in rng.sample(idx, alloc[name]))


def run_baseline(
    g: Generator,
    sample: int,
    limit: float,
    seed: int,
    labels: tuple[str, ...] | None = None,
    progress: bool = False,
) -> BaselineResult:
    """Time ``diff`` + ``simplify`` on a seeded random sample of the naive tasks.

    Each expression runs in a forked child (:func:`theory.budget.call_with_timeout`)
    killed after ``limit`` seconds; a timed-out one counts as ``limit`` seconds.
    sympy's cache is cleared first, so every child starts cold.

    Parameters
    ----------
    g
        The generator (its original sympy outputs are differentiated).
    sample
        Sample size (all tasks if there are fewer).
    limit
        Per-expression time limit in seconds.
    seed
        Seed of the sample.
    labels
        A label per output (e.g. :func:`pixel_labels`) for the stratified sample and estimate;
        all outputs share one label when omitted.
    progress
        Print a dot per expression on stderr.
    """
    tasks = naive_tasks(g)
    labels = labels if labels is not None else ("output",) * g.m
    stratum = [f"{labels[t.output]}/{t.kind}" for t in tasks]
    chosen = stratified_sample(stratum, sample, seed)
    clear_cache()
    seconds: list[float] = []
    statuses: list[str] = []
    zeros = 0
    start = time.perf_counter()
    for i in chosen:
        task = tasks[i]
        symbols = tuple(g.latents[a] for a in task.alpha)
        status, value = call_with_timeout(_naive_one, (g.outputs[task.output], task.kind, symbols), limit)
        if status == "ok":
            spent, is_zero = value
            seconds.append(spent)
            zeros += int(is_zero)
        elif status == "timeout":
            seconds.append(limit)
        else:  # an error inside sympy: count the limit, like a timeout (never happened in our runs)
            seconds.append(limit)
        statuses.append(status)
        if progress:
            print({"ok": ".", "timeout": "T"}.get(status, "E"), end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    wall = time.perf_counter() - start
    return BaselineResult(
        total=len(tasks),
        by_kind=dict(Counter(t.kind for t in tasks)),
        seconds=tuple(seconds),
        statuses=tuple(statuses),
        zeros=zeros,
        sample_kinds=dict(Counter(tasks[i].kind for i in chosen)),
        wall_seconds=wall,
        limit=limit,
        strata=tuple(stratum[i] for i in chosen),
        stratum_sizes=dict(Counter(stratum)),
    )


# -- reporting ---------------------------------------------------------------------------------
def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _result_line(r: CheckResult, expected: dict[str, str]) -> str:
    scope = r.scope if r.point is None else "point"
    flag = "" if r.verdict == expected.get(r.criterion) else f"   <-- expected {expected.get(r.criterion)}"
    return f"  {r.criterion:<3} {scope:<7} {r.verdict:<9} {r.method:<22} {r.seconds:8.3f} s{flag}"


def _result_json(r: CheckResult) -> dict[str, object]:
    out: dict[str, object] = {"criterion": r.criterion, "scope": r.scope, "verdict": r.verdict, "method": r.method, "seconds": r.seconds}
    if r.witness:
        out["witness"] = r.witness
    return out


def _versions() -> dict[str, str]:
    import symengine
    import z3

    return {
        "python": platform.python_version(),
        "sympy": sp.__version__,
        "symengine": symengine.__version__,
        "z3": z3.get_version_string(),
        "machine": platform.machine(),
    }


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Time the exact D/M/H2/H3 check of a 96-pixel, 3-factor polynomial generator "
        "against a naive sympy diff+simplify baseline (sampled and extrapolated)."
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the generator, the check and the baseline sample (default 0)")
    p.add_argument("--outputs", type=int, default=96, help="number of pixels, at least 16 (default 96)")
    p.add_argument("--sample", type=int, default=200, help="baseline sample size (default 200)")
    p.add_argument("--limit", type=float, default=10.0, help="baseline time limit per expression, seconds (default 10)")
    p.add_argument("--repeat", type=int, default=3, help="runs of the project's check; the median is reported (default 3)")
    p.add_argument("--budget", type=float, default=DEFAULT_BUDGET, help=f"per-check budget of the project's check, seconds (default {DEFAULT_BUDGET:g})")
    p.add_argument("--json", metavar="PATH", help="also write the numbers as JSON to PATH")
    p.add_argument("--progress", action="store_true", help="print a dot per baseline expression on stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the summary.

    Parameters
    ----------
    argv
        Command-line arguments (``sys.argv[1:]`` when ``None``).

    Returns
    -------
    int
        0 (the PASS/FAIL lines report the targets; the exit status does not).
    """
    args = _parser().parse_args(argv)
    if args.repeat < 1 or args.sample < 1 or args.limit <= 0:
        raise SystemExit("--repeat and --sample must be >= 1 and --limit > 0")
    expected = expected_verdicts()
    single, additive, multiplicative = pixel_kinds(args.outputs)
    g = pixel_generator(args.seed, args.outputs)
    print("bench_symbolic: exact D/M/H2/H3 check vs naive sympy diff + simplify")
    print(f"  generator  {g.name}: m={g.m} outputs, d={g.d} latents, factors "
          + ", ".join(f"{k}={[str(s) for s in v]}" for k, v in g.factors.items()))
    print(f"             {single} single-factor, {additive} additive-overlap, {multiplicative} multiplicative-overlap pixels; "
          f"domain (-1,1)^6; {len(g.points)} point of interest")
    print(f"  machine    {_cores()} usable core(s); " + ", ".join(f"{k} {v}" for k, v in _versions().items()))
    print()

    print(f"Project path: theory.checker.check(g, {list(CRITERIA)}, seed={args.seed}, budget={args.budget:g}) "
          f"on a fresh generator, sympy cache cleared, {args.repeat} run(s)")
    runs: list[ProjectRun] = []
    for k in range(args.repeat):
        run = run_project(args.seed, args.outputs, args.budget)
        runs.append(run)
        print(f" run {k + 1}: check {run.check_seconds:.3f} s (generator built in {run.build_seconds:.3f} s, not counted)")
        for r in run.results:
            print(_result_line(r, expected))
    times = [r.check_seconds for r in runs]
    project = statistics.median(times)
    median_run = sorted(runs, key=lambda r: r.check_seconds)[(len(runs) - 1) // 2]
    mismatches = sorted({f"{r.criterion} {r.scope}: {r.verdict}" for run in runs for r in run.results if r.verdict != expected[r.criterion]})
    print(f" project check time: median {project:.3f} s (runs: {', '.join(f'{t:.3f}' for t in times)})")
    print()

    print(f"Naive baseline: sympy.diff of the original outputs, then sympy.simplify, per cross-block expression, "
          f"in a child process with a {args.limit:g} s limit")
    base = run_baseline(g, args.sample, args.limit, args.seed, labels=pixel_labels(args.outputs), progress=args.progress)
    kinds = ", ".join(f"{v} {k}" for k, v in sorted(base.by_kind.items()))
    print(f"  expressions in the full baseline: N = {base.total} ({kinds}; D = products d_a g * d_b g across blocks)")
    print(f"  MEASURED ON A SEEDED RANDOM SAMPLE OF {base.sample} (STRATIFIED BY PIXEL KIND x EXPRESSION KIND) AND EXTRAPOLATED")
    print(f"  sample: {', '.join(f'{v} {k}' for k, v in sorted(base.sample_kinds.items()))}; "
          f"{base.zeros} simplified to 0; {base.timeouts} timed out (counted as {args.limit:g} s each); {base.errors} errors")
    print(f"  sample: total {sum(base.seconds):.2f} s measured in the children "
          f"(wall {base.wall_seconds:.2f} s with process start-up), mean {base.mean:.4f} s, "
          f"median {statistics.median(base.seconds):.4f} s, max {max(base.seconds):.2f} s")
    lo, hi = base.estimate_interval
    print(f"  baseline estimate: {base.estimate:.1f} s for all {base.total} (approx. 95% interval {lo:.1f} - {hi:.1f} s)")
    print(f"  (an unstratified mean x N from the same sample would say {base.mean * base.total:.1f} s: "
          "costly expressions are rare, so stratifying matters)")
    print("  per stratum: size, sample size, mean time")
    for name, row in base.stratified().items():
        mean = "     -" if not row["sampled"] else f"{row['mean']:.4f}"
        print(f"    {name:<20} N={int(row['size']):5d}  sampled {int(row['sampled']):3d}  mean {mean} s")
    print()

    ratio = base.estimate / project if project > 0 else math.inf
    pass_time = project < TARGET_SECONDS
    pass_ratio = ratio >= TARGET_RATIO
    print("Summary")
    print(f"  project (median of {args.repeat}):        {project:8.3f} s")
    print(f"  baseline (extrapolated from {base.sample}): {base.estimate:8.1f} s")
    print(f"  ratio baseline / project:      {ratio:8.1f}x")
    print(f"  target: full check < {TARGET_SECONDS:g} s on 2 cores ({_cores()} here): {'PASS' if pass_time else 'FAIL'}")
    print(f"  target: ratio >= {TARGET_RATIO:g}x:                    {'PASS' if pass_ratio else 'FAIL'}")
    print(f"  verdicts as the construction implies (D refuted, M proved, H2 refuted, H3 refuted): "
          + ("yes" if not mismatches else "NO: " + "; ".join(mismatches)))
    slowest = max(median_run.results, key=lambda r: r.seconds)
    print(f"  slowest check in the median run: {slowest.criterion} {slowest.scope} ({slowest.method}) {slowest.seconds:.3f} s")

    if args.json:
        doc = {
            "benchmark": "bench_symbolic",
            "generator": {"name": g.name, "m": g.m, "d": g.d, "seed": args.seed,
                          "pixels": {"single": single, "additive": additive, "multiplicative": multiplicative}},
            "machine": {"cores": _cores(), **_versions()},
            "project": {
                "criteria": list(CRITERIA),
                "budget": args.budget,
                "seconds": times,
                "median_seconds": project,
                "build_seconds": [r.build_seconds for r in runs],
                "results_of_median_run": [_result_json(r) for r in median_run.results],
                "verdict_mismatches": mismatches,
            },
            "baseline": {
                "note": f"measured on a seeded random sample of {base.sample} of {base.total} expressions, stratified by pixel kind x expression kind, and extrapolated (sum of stratum size x stratum mean)",
                "total_expressions": base.total,
                "by_kind": base.by_kind,
                "sample": base.sample,
                "sample_by_kind": base.sample_kinds,
                "limit_seconds": base.limit,
                "timeouts": base.timeouts,
                "errors": base.errors,
                "zeros": base.zeros,
                "sample_seconds": list(base.seconds),
                "sample_total_seconds": sum(base.seconds),
                "sample_wall_seconds": base.wall_seconds,
                "mean_seconds": base.mean,
                "estimate_seconds": base.estimate,
                "estimate_interval_95": list(base.estimate_interval),
                "stratified_estimate_seconds": base.stratified_estimate,
                "strata": base.stratified(),
            },
            "ratio": ratio,
            "targets": {
                "check_under_seconds": TARGET_SECONDS,
                "check_pass": pass_time,
                "min_ratio": TARGET_RATIO,
                "ratio_pass": pass_ratio,
            },
        }
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=2, default=str)
        print(f"  numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``mechind`` command line: parse, call the library, print.

Exit codes: 0 the checks ran (whatever the verdicts), 2 bad input or usage, 3 an
internal error (one line, and a hint to rerun with ``--debug`` for the traceback).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

# pure Python (no sympy): the options and their help are built from these, so that
# `mechind --help`, `mechind --version` and `mechind CMD --help` import neither sympy,
# torch nor matplotlib; each command imports the heavy layers when it runs
from theory.errors import InputError
from theory.readings import (
    ENGINES,
    HN_READINGS,
    IRREDUCIBLE_SCOPES,
    M_BASES,
    RHO_PLUS_READINGS,
    S_READINGS,
    SEP_READINGS,
    SLICE_READINGS,
)
from theory.registry import KNOWN_TEXT

from . import __version__
from .inputs import COUNTEREXAMPLE_CRITERIA, DEFAULT_BUDGET, guard, parse_at, resolve_cases
from .neural_cases import NEURAL_POINTS, NeuralCase, check_dtype, resolve_check_cases
from .crosscheck_cmd import crosscheck_command
from .report_cmd import report_command
from .reproduce_cmd import reproduce_command
from .theorem_cmd import hierarchy_command, theorem_command

if TYPE_CHECKING:
    from theory.budget import KillableWorker
    from theory.model.generator import Generator
    from theory.readings import Readings
    from theory.registry import Which
    from theory.result import CheckResult

__all__ = ["main", "parse_at"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mechind")
def main() -> None:
    """mechind: check mechanistic-independence criteria of generators, exactly."""


@main.command("check")
@click.argument("paths", nargs=-1)
@click.option("--all", "use_all", is_flag=True, help="Run every bundled case.")
@click.option("--criteria", default=None, help=f"Comma-separated criteria: {KNOWN_TEXT} (default: all of them, with H2, H3 and sep2).")
@click.option("--at", "at", multiple=True, help="An extra exact point, e.g. s1=1/2,s2=-3/4 (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of tables.")
@click.option("--budget", type=float, default=DEFAULT_BUDGET, show_default=True, help="Seconds allowed per check.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of every random choice.")
@click.option("--hn-reading", type=click.Choice(HN_READINGS), default="block-diagonal", show_default=True, help="Reading of Type H_n.")
@click.option("--s-reading", type=click.Choice(S_READINGS), default="strict", show_default=True, help="Type S: rho+ < rho- (strict) or rho+ <= rho- (non-strict).")
@click.option("--rho-plus", "rho_plus_reading", type=click.Choice(RHO_PLUS_READINGS), default="pointwise", show_default=True, help="rho+: least aligned weight (pointwise) or weight of the given coordinates.")
@click.option("--irreducible-scope", type=click.Choice(IRREDUCIBLE_SCOPES), default="everywhere", show_default=True, help="Irreducibility everywhere (with a global check) or at generic points.")
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True, help="Engine of the rho computations.")
@click.option("--m-basis", type=click.Choice(M_BASES), default="coordinates", show_default=True, help="Basis of Type M: the given coordinates or the sparsest aligned basis.")
@click.option("--sep", "sep_reading", type=click.Choice(SEP_READINGS), default="weak+nondegenerate", show_default=True, help="Which separability decides sepN.")
@click.option("--slices", type=click.Choice(SLICE_READINGS), default="both", show_default=True, help="Which slices T2 asks to be path-connected.")
@click.option("--no-self-check", "no_self_check", is_flag=True, help="Skip the independent guard (finite differences of g's values re-checking every exact derivative a verdict uses).")
@click.option("--probabilistic", is_flag=True, help="Fast, not a proof: for rational g, test the identities of the global D, M and H_n checks at random points modulo random primes; such verdicts are holds-probabilistically with an error bound, never proved.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True, help="Cases checked at once, each in a worker process (0: one per CPU); the output is the same for every value.")
@click.option("--executor", default="local", show_default=True, help="Where the cases run: local (see --jobs), ray (a local Ray instance) or ray://ADDRESS (a Ray cluster; one case per task, needs mechind[cluster]); the output is the same for every choice.")
@click.option("--device", default="cpu", show_default=True, help="Torch device of neural cases (a NeuralGenerator case file or a reproduce decoder .pt; exact cases ignore it).")
@click.option("--dtype", default="float64", show_default=True, help="Torch dtype of neural cases: float32, float64, float16 or bfloat16 (exact cases ignore it).")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@guard
def check_command(
    paths: tuple[str, ...],
    use_all: bool,
    criteria: str | None,
    at: tuple[str, ...],
    as_json: bool,
    budget: float,
    seed: int,
    hn_reading: str,
    s_reading: str,
    rho_plus_reading: str,
    irreducible_scope: str,
    engine: str,
    m_basis: str,
    sep_reading: str,
    slices: str,
    no_self_check: bool,
    probabilistic: bool,
    jobs: int,
    executor: str,
    device: str,
    dtype: str,
    debug: bool,
) -> None:
    """Check generators (case files or bundled case names) against the criteria.

    With --jobs N the cases run in N worker processes (one case at a time in each);
    the results are printed in the order of the cases, whatever N.  With
    --executor ray (or ray://ADDRESS) each case is a task of a Ray cluster instead.

    A neural case (a case file whose GENERATOR is a numeric.NeuralGenerator, or a
    decoder .pt file of `mechind reproduce`) gets the numeric criteria instead, at
    sampled points in --dtype on --device (holds-/fails-numerically, never proved);
    it runs in this process, between the exact cases, whatever --jobs.
    """
    # deferred: keeps --help/--version fast
    from theory.checker import parse_criteria
    from theory.readings import Readings

    from .executor import BatchProgress, check_executor, map_cases, open_executor, resolve_jobs
    from .render import case_document, case_table, console, document, json_text

    if not budget > 0:
        raise InputError(f"--budget must be positive, got {budget}")
    check_executor(executor)
    # at exit, the interpreter's last garbage collections would walk every object of the batch
    # (0.1-0.2 s); frozen, they are left to the system, which reclaims the memory anyway
    atexit.unregister(gc.freeze)  # registered once, however many commands run in this process
    atexit.register(gc.freeze)
    ids = parse_criteria(criteria)
    readings = Readings(hn=hn_reading, s=s_reading, rho_plus=rho_plus_reading, irreducible_scope=irreducible_scope, m_basis=m_basis, sep=sep_reading, slices=slices)
    raw_points = [parse_at(text) for text in at]
    check_dtype(dtype)
    items = resolve_check_cases(paths, use_all)
    generators = [g for g in items if not isinstance(g, NeuralCase)]
    neural = _NeuralRun.make(criteria, dtype, device, seed, budget, engine, hn_reading, s_reading) if len(generators) < len(items) else None
    out = console(width=160)
    err = console(stderr=True)
    n = len(generators)
    with open_executor(executor) as cluster:  # a Ray session, or None: this machine
        workers = resolve_jobs(jobs, n) if cluster is None else max(1, min(cluster.cpus, n))
        batch = _CheckBatch(generators, raw_points, ids, readings, seed, budget, engine, not no_self_check, probabilistic)
        progress = BatchProgress(err, out, [g.name for g in generators], workers, "checking")

        def done(i: int, results: list[CheckResult]) -> None:
            progress.advance(i, f"{len(results)} checks in {sum(r.seconds for r in results):.2f} s")

        docs = []
        started = time.perf_counter()
        # with workers > 1 this forks them (or submits the Ray tasks) now, before the progress display starts its thread
        # the largest Jacobians start first, so that a long case does not run alone at the end
        largest_first = sorted(range(n), key=lambda i: -generators[i].m * generators[i].d)
        outcomes = map_cases(_check_case, range(n), workers, done, shared=batch, order=largest_first, executor=cluster)
        with contextlib.closing(outcomes), progress.live(), contextlib.closing(batch):
            exact = iter(outcomes)
            for g in items:
                if isinstance(g, NeuralCase):  # in this process, between the exact cases
                    doc = neural.run(g)
                    if as_json:
                        docs.append(doc)
                    else:
                        with progress.paused():
                            out.print(neural.table(doc))
                    continue
                results = next(exact)
                if as_json:
                    docs.append(case_document(g, results))
                else:
                    with progress.paused():
                        out.print(case_table(g, results))
                        for note in g.notes:
                            out.print(f"  note: {note}", highlight=False)
    if as_json:
        click.echo(json_text(document(docs)))
    elif len(items) > 1:
        err.print(f"{len(items)} cases checked in {time.perf_counter() - started:.1f} s", highlight=False)


@dataclass(frozen=True)
class _NeuralRun:
    """How ``mechind check`` runs its neural cases (:mod:`mechind.neural_cases`)."""

    criteria: str | None
    dtype: str
    device: object
    options: object

    @staticmethod
    def make(criteria: str | None, dtype: str, device: str, seed: int, budget: float, engine: str, hn: str, s: str) -> _NeuralRun:
        """Validate the numeric settings once (torch is imported here, for neural cases only)."""
        # deferred: torch and the numeric layer are heavy (keeps --help fast)
        import torch

        from numeric.criteria.options import NumericOptions
        from numeric.criteria.run import numeric_criteria
        from theory.readings import Readings

        if criteria is not None:
            numeric_criteria(criteria)
        try:
            torch_device = torch.device(device)
            torch.zeros(1, device=torch_device)
        except (RuntimeError, AssertionError) as exc:
            raise InputError(f"--device {device!r} is not usable here: {' '.join(str(exc).split())}") from None
        options = NumericOptions(readings=Readings(hn=hn, s=s), seed=seed, s_budget=budget, s_engine=engine, s_total_budget=budget)
        return _NeuralRun(criteria, dtype, torch_device, options)

    def run(self, case: NeuralCase) -> dict:
        """The JSON document of one neural case."""
        # deferred: keeps --help fast (the numeric layer imports torch)
        from .neural_cases import neural_document, run_neural_case

        g, results = run_neural_case(case, self.criteria, self.dtype, self.device, self.options, NEURAL_POINTS)
        return neural_document(case, g, results, self.dtype, str(self.device), NEURAL_POINTS)

    def table(self, doc: dict) -> object:
        """Its rich table."""
        # deferred: keeps --help fast (rich tables)
        from .neural_cases import neural_table

        return neural_table(doc)


@dataclass(frozen=True)
class _CheckBatch:
    """What every case of one ``mechind check`` run shares (each worker gets it once)."""

    generators: Sequence[Generator]
    raw_points: Sequence[dict[str, str]]
    ids: Sequence[Which]
    readings: Readings
    seed: int
    budget: float
    engine: str
    guard: bool
    #: the probabilistic mode (theory.probabilistic)
    probabilistic: bool = False
    #: this process's budget worker (by process id), reused from case to case; never pickled
    workers: dict[int, KillableWorker] = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "workers": {}}

    def worker(self) -> KillableWorker:
        """The budget worker of this process (forked on first use, replaced when a check is killed)."""
        # deferred: keeps --help/--version fast (the CLI imports no layer before a command runs)
        from theory.budget import KillableWorker

        return self.workers.setdefault(os.getpid(), KillableWorker(self))

    def close(self) -> None:
        """Stop this process's budget worker."""
        worker = self.workers.pop(os.getpid(), None)
        if worker is not None:
            worker.close()


def _check_case(b: _CheckBatch, index: int) -> list[CheckResult]:
    """Check case ``index`` of the batch (top-level: the workers of ``--jobs`` run it), in
    this process's budget worker: one forked worker serves case after case, each check
    still killed when it overruns its budget (:class:`theory.budget.KillableWorker`)."""
    return b.worker().call(_check_job, index)


def _check_job(b: _CheckBatch, index: int) -> list[CheckResult]:
    """Check case ``index`` of the batch (in the budget worker)."""
    # deferred: keeps --help/--version fast (the exact layer imports sympy)
    from theory.checker import check
    from theory.model.generator import parse_point

    g = b.generators[index]
    points = [parse_point(p, g.latents, g.domain, what=f"--at point for case {g.name}") for p in b.raw_points]
    return check(g, b.ids, points, b.readings, seed=b.seed, budget=b.budget, engine=b.engine, guard=b.guard, probabilistic=b.probabilistic)


@main.command("counterexample")
@click.argument("path")
@click.option("--criterion", required=True, type=click.Choice(COUNTEREXAMPLE_CRITERIA), help="The failing criterion whose competitor to build.")
@click.option("--at", "at", default=None, help="The exact point where the criterion fails (default: the case's points).")
@click.option("--json", "as_json", is_flag=True, help="Print the competitor and its facts as JSON.")
@click.option("--out", "out_path", default=None, type=click.Path(dir_okay=False), help="Write the competitor as a case file here.")
@click.option("--budget", type=float, default=DEFAULT_BUDGET, show_default=True, help="Seconds allowed per check.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of every random choice.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@guard
def counterexample_command(path: str, criterion: str, at: str | None, as_json: bool, out_path: str | None, budget: float, seed: int, debug: bool) -> None:
    """Build the spurious competitor a failing criterion allows, re-verified (docs/mathematics.md 11).

    Prints the competitor as a case file (or JSON) with its machine-checked facts:
    g = g_hat o h, h not decomposable, and the criterion's verdict for g_hat.
    """
    # deferred: keeps --help/--version fast
    from theory.model.generator import parse_point
    from theory.theorems.counterexample import counterexample

    from .render import json_text

    if not budget > 0:
        raise InputError(f"--budget must be positive, got {budget}")
    generators = resolve_cases([path], False)
    if len(generators) != 1:
        raise InputError(f"{path} defines {len(generators)} generators; name one bundled case or a file with one")
    g = generators[0]
    point = parse_point(parse_at(at), g.latents, g.domain, what="--at point") if at else None
    comp = counterexample(g, criterion, point=point, seed=seed, budget=budget)
    text = comp.case_file_text()
    if out_path:
        Path(out_path).write_text(text)
    if as_json:
        doc = comp.to_json()
        doc["case_file"] = text
        click.echo(json_text({"mechind": __version__, **doc}))
        return
    click.echo(text)
    for name, fact in comp.facts.items():
        mark = "" if not isinstance(fact, dict) or "holds" not in fact else (" ok" if fact["holds"] else " FAILS")
        click.echo(f"# fact {name}:{mark} {json.dumps(fact)}")
    for r in comp.ghat_results:
        click.echo(f"# competitor {r.criterion} ({r.scope}): {r.verdict} [{r.method}]")


@main.command("list")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@guard
def list_command(debug: bool) -> None:
    """List the bundled cases: name, size, factors, what each shows."""
    # deferred: keeps --help/--version fast
    from rich.table import Table

    import cases

    from .render import console

    table = Table(title="bundled cases", title_justify="left")
    for column in ("name", "m x d", "factors", "shows"):
        table.add_column(column, overflow="fold")
    for g in cases.load_bundled():
        factors = "; ".join("{" + ", ".join(map(str, v)) + "}" for v in g.factors.values())
        table.add_row(g.name, f"{g.m} x {g.d}", factors, g.description.splitlines()[0] if g.description else "")
    console(width=160).print(table)


for _command in (theorem_command, hierarchy_command, crosscheck_command, reproduce_command, report_command):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()

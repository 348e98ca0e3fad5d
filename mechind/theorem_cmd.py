"""``mechind theorem`` and ``mechind hierarchy``: parse, call :mod:`theory.theorems.statements` /
:mod:`theory.theorems.hierarchy`, print."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

# pure Python (no sympy): the options are built from these; the exact layer is imported
# when a command runs
from theory.errors import InputError
from theory.readings import (
    HN_READINGS,
    IRREDUCIBLE_READINGS,
    IRREDUCIBLE_SCOPES,
    M_BASES,
    RHO_PLUS_READINGS,
    S_READINGS,
    SEP_READINGS,
    SLICE_READINGS,
    THM3_READINGS,
)

from . import __version__
from .inputs import COUNTEREXAMPLE_CRITERIA, DEFAULT_BUDGET, guard, resolve_cases

if TYPE_CHECKING:
    from rich.console import Console

    from theory.model.generator import Generator
    from theory.theorems.hierarchy import HierarchyReport

__all__ = ["theorem_command", "hierarchy_command"]


def _console() -> Console:
    from .render import console  # deferred: keeps --help/--version fast

    return console(width=160)


@click.command("theorem")
@click.argument("number", type=click.IntRange(1, 5))
@click.argument("paths", nargs=-1)
@click.option("--all", "use_all", is_flag=True, help="Every bundled case.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--n", "n", type=int, default=2, show_default=True, help="The order n of Theorem 5 (Type H_n).")
@click.option("--slices", type=click.Choice(SLICE_READINGS), default="both", show_default=True)
@click.option("--irreducible", type=click.Choice(IRREDUCIBLE_READINGS), default="matched", show_default=True, help="X-irreducibility for criterion X, or D-irreducibility always.")
@click.option("--irreducible-scope", type=click.Choice(IRREDUCIBLE_SCOPES), default="everywhere", show_default=True)
@click.option("--thm3", type=click.Choice(THM3_READINGS), default="with-spanning", show_default=True)
@click.option("--m-basis", type=click.Choice(M_BASES), default="coordinates", show_default=True)
@click.option("--s-reading", type=click.Choice(S_READINGS), default="strict", show_default=True)
@click.option("--rho-plus", type=click.Choice(RHO_PLUS_READINGS), default="pointwise", show_default=True)
@click.option("--hn-reading", type=click.Choice(HN_READINGS), default="block-diagonal", show_default=True)
@click.option("--sep", type=click.Choice(SEP_READINGS), default="weak+nondegenerate", show_default=True)
@click.option("--competitor", "competitor_of", type=click.Choice(COUNTEREXAMPLE_CRITERIA), default=None, help="Also build the competitor that this failing criterion allows and check the theorem's conditions on it (T4, Theorem 3's sparsity constraint).")
@click.option("--decoder", "decoder", type=click.Path(dir_okay=False), default=None, help="A trained decoder file (mechind reproduce writes decoders/RUN.pt): check the theorem's conditions on it numerically (docs/decoder-conditions.md). Without a case, the ground truth saved with it is g.")
@click.option("--points", "n_points", type=click.IntRange(min=1), default=64, show_default=True, help="With --decoder: sampled latent points.")
@click.option("--c", "c", type=float, default=None, help="With --decoder: tolerance factor c in tau = c * eps(dtype) * max|J| (default 10).")
@click.option("--reach-tol", type=float, default=None, help="With --decoder: relative reconstruction error within which an observation counts as reached (default 0.05).")
@click.option("--budget", type=float, default=DEFAULT_BUDGET, show_default=True, help="Seconds allowed per check.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@guard
def theorem_command(number: int, paths: tuple[str, ...], use_all: bool, as_json: bool, n: int, slices: str, irreducible: str, irreducible_scope: str, thm3: str, m_basis: str, s_reading: str, rho_plus: str, hn_reading: str, sep: str, competitor_of: str | None, decoder: str | None, n_points: int, c: float | None, reach_tol: float | None, budget: float, seed: int, debug: bool) -> None:
    """The hypotheses of theorem NUMBER on generators, each with its verdict, and the conclusion.

    With --decoder FILE, also the conditions the theorem puts on that trained decoder, checked
    numerically, and what follows for it."""
    # deferred: keeps --help/--version fast
    from rich.table import Table

    from theory.theorems.counterexample import NoCompetitor, counterexample, refuting_points
    from theory.readings import Readings
    from theory.theorems.statements import competitor_conditions, theorem_report

    from theory.result import point_text

    from .render import json_text, witness_summary

    if not budget > 0:
        raise InputError(f"--budget must be positive, got {budget}")
    readings = Readings(slices=slices, m_basis=m_basis, irreducible=irreducible, irreducible_scope=irreducible_scope, thm3=thm3, s=s_reading, rho_plus=rho_plus, hn=hn_reading, sep=sep)
    if n < 2:
        raise InputError(f"Theorem 5 needs n >= 2, got {n}")
    checked = None
    if decoder is not None:
        if use_all or len(paths) > 1:
            raise InputError("--decoder checks one decoder against one generator: give at most one case")
        checked = _check_decoder(number, decoder, paths, n, n_points, c, reach_tol, seed)
        generators = [checked.generator]
    else:
        generators = resolve_cases(paths, use_all)
    reports = [theorem_report(g, number, readings, n, seed=seed, budget=budget, isolate=True) for g in generators]
    conditions: list[dict] = []
    for g, rep in zip(generators, reports):
        if competitor_of is None:
            conditions.append({})
            continue
        try:
            refuted_at = refuting_points((r for results in rep.results.values() for r in results), competitor_of)
            comp = counterexample(g, competitor_of, seed=seed, budget=budget, also=refuted_at)
        except NoCompetitor as exc:  # this case has none: say so, and go on with the others
            conditions.append({"none": str(exc)})
            continue
        conditions.append({"competitor": comp, "results": competitor_conditions(rep, comp)})
    if as_json:
        docs = []
        for rep, cond in zip(reports, conditions):
            doc = rep.to_json()
            if "none" in cond:
                doc["competitor"] = None
                doc["competitor_reason"] = cond["none"]
            elif cond:
                doc["competitor"] = cond["competitor"].to_json()
                doc["competitor_conditions_checked"] = {k: [r.to_json() for r in v] for k, v in cond["results"].items()}
            if checked is not None:
                doc["decoder"] = {"file": decoder, "run": checked.run, **checked.conditions.to_json(), "conclusion": _decoder_conclusion(rep, checked)}
            docs.append(doc)
        click.echo(json_text({"mechind": __version__, "cases": docs}))
        return
    out = _console()
    for rep, cond in zip(reports, conditions):
        th = rep.theorem
        table = Table(title=f"Theorem {th.number} ({th.name}) on {rep.generator.name}: {rep.conclusion}", title_justify="left", caption=rep.reason, caption_justify="left")
        for col in ("hypothesis", "scope", "point", "verdict", "method", "witness / notes"):
            table.add_column(col, overflow="fold")
        for h in th.hypotheses:
            for r in rep.results.get(h.id, []):
                table.add_row(f"{h.id}: {h.label}", r.scope, point_text(r.point), r.verdict, r.method, witness_summary(r))
        out.print(table)
        for condition in th.competitor_conditions:
            out.print(f"  on the competitor: {condition}", highlight=False)
        if "none" in cond:
            out.print(f"  no competitor: {cond['none']}", highlight=False)
        elif cond:
            comp = cond["competitor"]
            out.print(f"  competitor ({comp.kind}, {comp.scope}): g_hat = {[str(e) for e in comp.generator.outputs]}, h = {[str(e) for e in comp.h]}", highlight=False)
            for key, results in cond["results"].items():
                for r in results:
                    out.print(f"    {key}: {r.verdict} [{r.method}] {witness_summary(r)}", highlight=False)
        if checked is not None:
            _print_decoder(out, rep, checked, decoder)


def _check_decoder(number: int, path: str, paths: tuple[str, ...], n: int, n_points: int, c: float | None, reach_tol: float | None, seed: int):
    """The decoder's conditions (numeric layer; torch imported only here)."""
    # deferred: torch is imported only when a decoder is checked (keeps --help and the exact commands fast)
    from numeric.criteria.options import NumericOptions
    from numeric.decoder_conditions import DEFAULT_REACH_TOL, check_decoder_file

    if reach_tol is not None and not reach_tol > 0:
        raise InputError(f"--reach-tol must be positive, got {reach_tol}")
    options = NumericOptions(seed=seed) if c is None else NumericOptions(seed=seed, c=c)
    generator = resolve_cases(paths, False)[0] if paths else None
    return check_decoder_file(number, path, generator, n_points, options, n, DEFAULT_REACH_TOL if reach_tol is None else reach_tol)


def _decoder_conclusion(rep, checked) -> str:
    return checked.conditions.conclusion(rep.conclusion == "established", rep.reason)


def _decoder_figure(r) -> str:
    d = r.details
    if r.criterion == "T4":
        return "; ".join(f"{k}: {p['verdict']}" + (f" (largest error {p['largest_relative_error']:.3g})" if p.get("largest_relative_error") is not None else "") for k, p in d["parts"].items())
    parts = []
    if r.criterion == "sparsity-constraint":
        parts.append(f"l0(J_g) {min(d['l0_g'])}..{max(d['l0_g'])}, l0(J_ghat) {min(d['l0_ghat'])}..{max(d['l0_ghat'])} of {d['entries']}")
    if r.criterion == "locally-injective":
        parts.append(f"rank {min(d['rank'])}..{max(d['rank'])} of {d['d']}, smallest singular value {d['smallest_singular_value']:.3g}")
    if d.get("c_to_hold") is not None:
        word = "holds up to" if r.criterion == "locally-injective" else "holds from"
        parts.append(f"{word} c = {d['c_to_hold']:.3g} at every point, {d['c_to_hold_median']:.3g} at half")
    return "; ".join(parts)


def _print_decoder(out: Console, rep, checked, path: str) -> None:
    # deferred: keeps --help/--version fast
    from rich.table import Table

    from .render import witness_summary

    cond = checked.conditions
    run = checked.run
    about = ", ".join(f"{k} {run[k]:.3g}" if isinstance(run[k], float) else f"{k} {run[k]}" for k in ("run", "sis", "lam") if k in run)
    table = Table(title=f"conditions of Theorem {cond.number} on the decoder {path}" + (f" ({about})" if about else ""), title_justify="left", caption=_decoder_conclusion(rep, checked), caption_justify="left")
    for col in ("condition", "verdict", "points", "dtype", "c", "figures", "witness"):
        table.add_column(col, overflow="fold")
    for key, r in cond.results.items():
        table.add_row(key, r.verdict, str(r.points_sampled), r.dtype, f"{r.tolerance.get('c', '')}", _decoder_figure(r), witness_summary(r) if r.witness else "")
    out.print(table)
    for key, value in cond.figures.items():
        out.print(f"  {key}: " + ", ".join(f"{k} {v:.3g}" for k, v in value.items()), highlight=False)
    for note in cond.notes:
        out.print(f"  note: {note}", highlight=False)


@click.command("hierarchy")
@click.argument("paths", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option("--budget", type=float, default=60.0, show_default=True, help="Seconds allowed per check.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True, help="Cases checked at once, each in a worker process (0: one per CPU); the output is the same for every value.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@guard
def hierarchy_command(paths: tuple[str, ...], as_json: bool, budget: float, seed: int, jobs: int, debug: bool) -> None:
    """Check the implications of docs/mathematics.md 10 on the computed verdicts (default: every bundled
    case); a violated implication is a bug and exits 3.  Lists the failing converses."""
    # deferred: keeps --help/--version fast
    from rich.table import Table

    from .render import console

    from theory.theorems.hierarchy import HierarchyReport

    from .executor import map_cases, resolve_jobs

    generators = resolve_cases(paths, not paths)
    err = console(stderr=True)
    report = HierarchyReport()
    batch = _HierarchyBatch(generators, seed, budget)
    on_done = lambda i, part: err.print(f"  {generators[i].name}: {part[1]} checks", highlight=False)  # noqa: E731
    for part, _ in map_cases(_hierarchy_case, range(len(generators)), resolve_jobs(jobs, len(generators)), on_done, shared=batch):
        report.merge(part)
    if as_json:
        from .render import json_text  # deferred: keeps --help/--version fast

        click.echo(json_text({"mechind": __version__, **report.to_json()}))
    else:
        out = _console()
        table = Table(title="implications (docs/mathematics.md 10)", title_justify="left")
        for col in ("implication", "confirmed", "unconfirmed", "violated"):
            table.add_column(col)
        for name, c in report.counts().items():
            table.add_row(name, str(c["confirmed"]), str(c["unconfirmed"]), str(c["violated"]))
        out.print(table)
        conv = defaultdict(list)
        for c in report.converses:
            conv[c.converse].append(c.case)
        table = Table(title="failing converses, with the cases that show them", title_justify="left")
        table.add_column("does not hold")
        table.add_column("cases", overflow="fold")
        for name, cases in sorted(conv.items()):
            table.add_row(name, ", ".join(sorted(set(cases))))
        out.print(table)
    if report.violations:
        for f in report.violations:
            click.echo(f"VIOLATION: {f.implication} on {f.case} at {f.point}: {f.premise} but {f.conclusion}", err=True)
        sys.exit(3)


@dataclass(frozen=True)
class _HierarchyBatch:
    """What every case of one ``mechind hierarchy`` run shares (each worker gets it once)."""

    generators: Sequence[Generator]
    seed: int
    budget: float


def _hierarchy_case(b: _HierarchyBatch, index: int) -> tuple[HierarchyReport, int]:
    """The hierarchy findings of case ``index`` alone, and its number of checks (top-level:
    the workers of ``--jobs`` run it)."""
    # deferred: keeps --help/--version fast (the exact layer imports sympy)
    from theory.theorems.hierarchy import HierarchyReport, check_case

    part = HierarchyReport()
    results, _ = check_case(part, b.generators[index], seed=b.seed, budget=b.budget, isolate=True)
    return part, len(results)

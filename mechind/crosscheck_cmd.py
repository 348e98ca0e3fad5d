"""``mechind crosscheck``: the numeric (torch) layer against the exact layer, point by point.

Registered on the ``mechind`` group in :mod:`mechind.cli`.  torch is imported only when
the command runs, so ``mechind check`` never pays for it.

Examples
--------
>>> from click.testing import CliRunner
>>> from mechind.cli import main
>>> result = CliRunner().invoke(main, ["crosscheck", "p01", "--criteria", "D", "--dtype", "float64", "--random-points", "0", "--json"])
>>> result.exit_code, '"agree": true' in result.output
(0, True)
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

# pure Python (no sympy, no torch): the options are built from these; the exact and
# numeric layers and rich's tables are imported when the command runs
from theory.errors import InputError
from theory.readings import HN_READINGS, S_READINGS, Readings

from . import __version__
from .inputs import DEFAULT_BUDGET, guard, parse_at, resolve_cases

if TYPE_CHECKING:
    from rich.table import Table

    from numeric.crosscheck import CaseCrosscheck
    from theory.model.generator import Generator

__all__ = ["crosscheck_command", "crosscheck_table", "summary_table"]


def _fmt(x: float | None, spec: str = ".2g") -> str:
    return "" if x is None else format(x, spec)


def _margin_text(margin: dict[str, Any]) -> str:
    """``zero <= r0 tau | nonzero >= r1 tau`` (ratios to the point's tolerance)."""
    parts = []
    if margin.get("largest_zero_ratio") is not None:
        parts.append(f"0 ≤ {margin['largest_zero_ratio']:.2g}τ")
    elif margin.get("largest_zero") is not None:
        parts.append(f"0 ≤ {margin['largest_zero']:.2g}")
    if margin.get("smallest_nonzero_ratio") is not None:
        parts.append(f"≠0 ≥ {margin['smallest_nonzero_ratio']:.2g}τ")
    return " | ".join(parts)


def _rho_note(row: dict[str, Any]) -> str:
    """``rho± = (4, 4), snap rational`` for an agreeing S row (empty for other criteria).

    >>> _rho_note({"rho": {"numeric": {"rho_plus": 4, "rho_minus": 4}, "snap": "rational"}})
    'ρ± = (4, 4), snap rational'
    """
    rho = row.get("rho")
    if not rho or not rho.get("numeric"):
        return ""
    n = rho["numeric"]
    return f"ρ± = ({n.get('rho_plus')}, {n.get('rho_minus')}), snap {rho.get('snap')}"


def crosscheck_table(case: dict[str, Any]) -> Table:
    """A rich table of one case's cross-check rows (the ``to_json`` form of a case).

    >>> t = crosscheck_table({"case": "x", "rows": [], "summary": {}})
    >>> t.title
    'x'
    """
    # deferred: keeps --help/--version fast (render imports sympy)
    from rich.table import Table
    from rich.text import Text

    from .render import VERDICT_STYLE

    counts = "; ".join(
        f"{dt}: {s['agree']}/{s['compared']} agree" + (f", {s['disagree']} disagree" if s["disagree"] else "") + (f", {s['not_compared']} not compared" if s["not_compared"] else "")
        for dt, s in case.get("summary", {}).items()
    )
    title = case["case"] + (f"  ({counts})" if counts else "")
    table = Table(title=title, title_justify="left")
    for column in ("criterion", "point", "dtype", "exact", "numeric", "agree", "tau", "margin", "explanation"):
        table.add_column(column, overflow="fold")
    for r in case["rows"]:
        point = "(" + ", ".join(r["point"].values()) + ")"
        if r.get("point_source") not in (None, "case"):
            point += f" [{r['point_source']}]"
        agree = r["agree"]
        agree_text = Text("-" if agree is None else ("yes" if agree else "NO"), style="" if agree is None else ("green" if agree else "bold red"))
        exact_text = Text(r["exact"] + (" (global)" if r.get("exact_scope") == "global" else ""), style=VERDICT_STYLE.get(r["exact"], ""))
        table.add_row(
            r["criterion"],
            point,
            r["dtype"],
            exact_text,
            Text(r["numeric"], style=VERDICT_STYLE.get(r["numeric"], "")),
            agree_text,
            _fmt(r["tolerance"]),
            _margin_text(r["margin"]),
            "" if agree is None else (r["explanation"] or _rho_note(r)),
        )
    return table


def summary_table(summary: dict[str, dict[str, int]]) -> Table:
    """Totals per dtype.

    >>> summary_table({"float64": {"compared": 2, "agree": 2, "disagree": 0, "tolerance_sensitive": 0, "possible_bug": 0, "not_compared": 1, "rho_differs": 0}}).row_count
    1
    """
    from rich.table import Table  # deferred: keeps --help/--version fast

    table = Table(title="cross-check totals", title_justify="left")
    for column in ("dtype", "compared", "agree", "of which rho differs", "disagree", "tolerance-sensitive", "possible bug", "not compared (an unknown side)"):
        table.add_column(column)
    for dt, s in summary.items():
        table.add_row(
            dt, str(s["compared"]), str(s["agree"]), str(s.get("rho_differs", 0)), str(s["disagree"]), str(s["tolerance_sensitive"]), str(s["possible_bug"]), str(s["not_compared"])
        )
    return table


@click.command("crosscheck")
@click.argument("paths", nargs=-1)
@click.option("--all", "use_all", is_flag=True, help="Cross-check every bundled case.")
@click.option("--criteria", default=None, help="Comma-separated criteria: D, M, S, H2, H3, ... Hn, irreducible:D (default D,M,S,H2,H3 and irreducible:D where the exact layer has it).")
@click.option("--dtype", "dtypes", default="float32,float64", show_default=True, help="Comma-separated torch dtypes.")
@click.option("--random-points", type=int, default=2, show_default=True, help="Seeded random exact points added to each case's points.")
@click.option("--at", "at", multiple=True, help="An extra exact point, e.g. s1=1/2,s2=-3/4 (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of tables.")
@click.option("--budget", type=float, default=DEFAULT_BUDGET, show_default=True, help="Seconds allowed per exact check.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of every random choice.")
@click.option("--c", "c", type=float, default=None, help="Tolerance factor c in tau = c * eps(dtype) * max|J| (default 10).")
@click.option("--band", type=float, default=None, help="A disagreeing entry within band * tau of zero is tolerance-sensitive (default 100).")
@click.option("--device", default="cpu", show_default=True, help="Torch device of the numeric layer (cpu, cuda, ...).")
@click.option("--hn-reading", type=click.Choice(HN_READINGS), default="block-diagonal", show_default=True, help="Reading of Type H_n.")
@click.option("--s-reading", type=click.Choice(S_READINGS), default="strict", show_default=True, help="Type S on both layers: rho+ < rho- (strict) or rho+ <= rho- (non-strict).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True, help="Cases cross-checked at once, each in a worker process (0: one per CPU; above 1 needs --device cpu); the output is the same for every value.")
@click.option("--executor", default="local", show_default=True, help="Where the cases run: local (see --jobs), ray (a local Ray instance) or ray://ADDRESS (a Ray cluster; one case per task, needs mechind[cluster], --device cpu); the output is the same for every choice.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@guard
def crosscheck_command(
    paths: tuple[str, ...],
    use_all: bool,
    criteria: str | None,
    dtypes: str,
    random_points: int,
    at: tuple[str, ...],
    as_json: bool,
    budget: float,
    seed: int,
    c: float | None,
    band: float | None,
    device: str,
    hn_reading: str,
    s_reading: str,
    jobs: int,
    executor: str,
    debug: bool,
) -> None:
    """Cross-check closed-form generators: exact verdicts against numeric (torch) ones,
    per criterion, point and dtype, with the entries behind every disagreement (for S: the
    entry that flips the support, or the snapped entries behind a rho mismatch)."""
    # deferred: keeps --help/--version fast
    from .render import console

    from .executor import BatchProgress, check_executor, map_cases, open_executor, resolve_jobs

    check_executor(executor)
    if not budget > 0:
        raise InputError(f"--budget must be positive, got {budget}")
    if random_points < 0:
        raise InputError(f"--random-points must be >= 0, got {random_points}")
    if c is not None and not c > 0:
        raise InputError(f"--c must be positive, got {c}")
    if band is not None and not band >= 1:
        raise InputError(f"--band must be at least 1, got {band}")
    from numeric.crosscheck import crosscheck_criteria  # deferred: the numeric layer imports torch (heavy)

    ids = crosscheck_criteria(criteria)
    raw_points = [parse_at(text) for text in at]
    generators = resolve_cases(paths, use_all)

    # deferred: torch and the numeric layer are heavy (keeps --help/--version fast)
    import torch

    from numeric.criteria import DEFAULT_C
    from numeric.crosscheck import DEFAULT_BAND, parse_dtypes, summarize

    names = parse_dtypes(dtypes)
    try:
        torch_device = torch.device(device)
        torch.zeros(1, device=torch_device)
    except (RuntimeError, AssertionError) as exc:
        raise InputError(f"--device {device!r} is not usable here: {' '.join(str(exc).split())}") from None
    if executor != "local" and torch_device.type != "cpu":
        raise InputError(f"--executor {executor} needs --device cpu: every task builds its own torch state, and a {torch_device.type} device is this machine's")
    out = console(width=200)
    err = console(stderr=True)
    options = {
        "criteria": ids,
        "dtypes": names,
        "random_points": random_points,
        "seed": seed,
        "budget": budget,
        "c": DEFAULT_C if c is None else c,
        "band": DEFAULT_BAND if band is None else band,
        "device": torch_device,
        "readings": Readings(hn=hn_reading, s=s_reading),
    }
    threads = torch.get_num_threads()  # every worker and Ray task computes with this count
    docs, all_rows = [], []
    started = time.perf_counter()
    with open_executor(executor) as cluster:  # a Ray session, or None: this machine
        workers = resolve_jobs(jobs, len(generators)) if cluster is None else max(1, min(cluster.cpus, len(generators)))
        if cluster is None and workers > 1 and torch_device.type != "cpu":
            raise InputError(f"--jobs above 1 needs --device cpu: the workers are forked, and {torch_device.type} cannot be used in a forked process")
        progress = BatchProgress(err, out, [g.name for g in generators], workers, "cross-checking")

        def done(i: int, report: CaseCrosscheck) -> None:
            progress.advance(i, f"{len(report.rows)} rows in {sum(report.seconds.values()):.2f} s")

        # with workers > 1 this forks them (or submits the Ray tasks) now, before the progress
        # display starts its thread; torch keeps its thread count in the workers: another count
        # could round a parallel reduction differently, and the output must not depend on --jobs
        reports = map_cases(_crosscheck_case, range(len(generators)), workers, done, shared=(generators, raw_points, options, threads), executor=cluster)
        with contextlib.closing(reports), progress.live():
            for report in reports:
                doc = report.to_json()
                docs.append(doc)
                all_rows += report.rows
                if not as_json:
                    with progress.paused():
                        out.print(crosscheck_table(doc))
    totals = summarize(all_rows)
    if as_json:
        from .render import json_text  # deferred: keeps --help/--version fast

        click.echo(
            json_text(
                {
                    "mechind": __version__,
                    "tolerance": {"c": DEFAULT_C if c is None else c, "band": DEFAULT_BAND if band is None else band},
                    "cases": docs,
                    "summary": totals,
                }
            )
        )
    else:
        out.print(summary_table(totals))
        if len(generators) > 1:
            err.print(f"{len(generators)} cases cross-checked in {time.perf_counter() - started:.1f} s", highlight=False)


def _crosscheck_case(shared: tuple[Sequence[Generator], Sequence[dict[str, str]], dict[str, Any], int], index: int) -> CaseCrosscheck:
    """Cross-check case ``index`` of the batch (top-level: the workers of ``--jobs`` and the
    Ray tasks of ``--executor`` run it) with the parent's torch thread count: another count
    could round a parallel reduction differently, and the output must not depend on where
    the case ran (a Ray worker starts with one thread per CPU it asked for)."""
    # deferred: the numeric layer imports torch (heavy; keeps --help/--version fast)
    import torch

    from numeric.crosscheck import crosscheck_case
    from theory.model.generator import parse_point

    generators, raw_points, options, threads = shared
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    g = generators[index]
    points = [parse_point(p, g.latents, g.domain, what=f"--at point for case {g.name}") for p in raw_points]
    return crosscheck_case(g, extra_points=points, **options)

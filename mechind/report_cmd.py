"""``mechind report``: parse, call :func:`mechind.report.build_report`, print where it went."""

from __future__ import annotations

import time

import click

from .inputs import guard, resolve_cases

__all__ = ["report_command"]


@click.command("report")
@click.argument("paths", nargs=-1)
@click.option("--out", "out_dir", default="mechind-report", show_default=True, type=click.Path(file_okay=False), help="Directory for report.md and figures/.")
@click.option("--budget", type=float, default=60.0, show_default=True, help="Seconds allowed per check.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True, help="Cases checked at once, each in a worker process (0: one per CPU); the report is the same for every value.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@guard
def report_command(paths: tuple[str, ...], out_dir: str, budget: float, seed: int, jobs: int, debug: bool) -> None:
    """Everything on the bundled cases (or the given ones) as Markdown + PNG figures."""
    # deferred: keeps --help/--version fast (the report imports sympy and matplotlib)
    from .render import console

    from .report import build_report

    generators = resolve_cases(paths, not paths)
    err = console(stderr=True)
    started = time.perf_counter()
    total = len(generators)
    done = []

    def progress(g) -> None:
        done.append(g)
        err.print(f"  [{len(done)}/{total}] {g.name} ({time.perf_counter() - started:.0f} s)", highlight=False)

    path = build_report(generators, out_dir, seed=seed, budget=budget, on_case=progress, jobs=jobs)
    click.echo(f"wrote {path} ({total} cases, {time.perf_counter() - started:.1f} s)")

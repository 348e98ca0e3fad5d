"""The ``mechind`` command line: parse, call the library, print.

Exit codes: 0 the checks ran (whatever the verdicts), 2 bad input or usage, 3 an
internal error (one line, and a hint to rerun with ``--debug`` for the traceback).
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from theory.casefile import load_case_file
from theory.check import DEFAULT_BUDGET, check, parse_criteria
from theory.criteria import HN_READINGS
from theory.errors import InputError, PointError
from theory.generator import Generator, parse_point

from . import __version__
from .render import case_document, case_table, document

__all__ = ["main", "parse_at"]


def parse_at(text: str) -> dict[str, str]:
    """``"s1=1/2,s2=-3/4"`` -> ``{"s1": "1/2", "s2": "-3/4"}`` (values checked later).

    >>> parse_at("s1=1/2, s2=-0.75")
    {'s1': '1/2', 's2': '-0.75'}
    """
    out: dict[str, str] = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise PointError(f"malformed --at {text!r}: expected name=value pairs separated by commas, e.g. s1=1/2,s2=-3/4")
        if name in out:
            raise PointError(f"malformed --at {text!r}: {name} is given twice")
        out[name] = value
    return out


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Map input errors to exit 2 and anything unexpected to exit 3 (``--debug`` re-raises)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False)
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            if debug:
                raise
            click.echo(f"error: {_one_line(exc)}", err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if debug:
                raise
            click.echo(f"internal error: {type(exc).__name__}: {_one_line(exc)} (rerun with --debug for the traceback)", err=True)
            sys.exit(3)

    return wrapper


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def resolve_cases(paths: Sequence[str], use_all: bool) -> list[Generator]:
    """Generators named by case-file paths or bundled case names (or all bundled ones)."""
    import cases

    if use_all and paths:
        raise InputError("give case paths or --all, not both")
    if use_all:
        return cases.load_bundled()
    if not paths:
        raise InputError("no case given: pass case files or bundled case names, or --all (see `mechind list`)")
    out: list[Generator] = []
    for p in paths:
        path = Path(p)
        if path.exists() or p.endswith(".py"):
            out.extend(load_case_file(path))
        else:
            out.append(cases.find_case(p))
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mechind")
def main() -> None:
    """mechind: check mechanistic-independence criteria of generators, exactly."""


@main.command("check")
@click.argument("paths", nargs=-1)
@click.option("--all", "use_all", is_flag=True, help="Run every bundled case.")
@click.option("--criteria", default=None, help="Comma-separated criteria: D, M, H2, H3, ... Hn (default D,M,H2,H3).")
@click.option("--at", "at", multiple=True, help="An extra exact point, e.g. s1=1/2,s2=-3/4 (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of tables.")
@click.option("--budget", type=float, default=DEFAULT_BUDGET, show_default=True, help="Seconds allowed per check.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of every random choice.")
@click.option("--hn-reading", type=click.Choice(HN_READINGS), default="block-diagonal", show_default=True, help="Reading of Type H_n.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guard
def check_command(
    paths: tuple[str, ...],
    use_all: bool,
    criteria: str | None,
    at: tuple[str, ...],
    as_json: bool,
    budget: float,
    seed: int,
    hn_reading: str,
    debug: bool,
) -> None:
    """Check generators (case files or bundled case names) against the criteria."""
    if not budget > 0:
        raise InputError(f"--budget must be positive, got {budget}")
    ids = parse_criteria(criteria)
    raw_points = [parse_at(text) for text in at]
    generators = resolve_cases(paths, use_all)
    out = Console() if sys.stdout.isatty() else Console(width=160)
    err = Console(stderr=True)
    docs = []
    started = time.perf_counter()
    for i, g in enumerate(generators, 1):
        points = [parse_point(p, g.latents, g.domain, what=f"--at point for case {g.name}") for p in raw_points]
        label = f"[{i}/{len(generators)}] {g.name}"
        with err.status(f"{label}: checking", spinner="dots") if err.is_terminal else contextlib.nullcontext():
            results = check(g, ids, points=points, seed=seed, budget=budget, hn_reading=hn_reading)
        if not err.is_terminal and len(generators) > 1:
            err.print(f"{label}: {len(results)} checks in {sum(r.seconds for r in results):.2f} s", highlight=False)
        if as_json:
            docs.append(case_document(g, results))
        else:
            out.print(case_table(g, results))
            for note in g.notes:
                out.print(f"  note: {note}", highlight=False)
    if as_json:
        click.echo(json.dumps(document(docs), indent=2))
    elif len(generators) > 1:
        err.print(f"{len(generators)} cases checked in {time.perf_counter() - started:.1f} s", highlight=False)


@main.command("list")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guard
def list_command(debug: bool) -> None:
    """List the bundled cases: name, size, factors, what each shows."""
    import cases

    table = Table(title="bundled cases", title_justify="left")
    for column in ("name", "m x d", "factors", "shows"):
        table.add_column(column, overflow="fold")
    for g in cases.load_bundled():
        factors = "; ".join("{" + ", ".join(map(str, v)) + "}" for v in g.factors.values())
        table.add_row(g.name, f"{g.m} x {g.d}", factors, g.description.splitlines()[0] if g.description else "")
    (Console() if sys.stdout.isatty() else Console(width=160)).print(table)


if __name__ == "__main__":  # pragma: no cover
    main()

"""How the ``mechind`` commands read their inputs: ``--at`` parsing, case resolution, the error
guard that maps input errors to exit 2 and anything unexpected to exit 3, and the
defaults the options show.

Kept apart from :mod:`mechind.cli` so that the command modules can import it without
importing the command group (``python -m mechind.cli`` would otherwise import itself twice).
Importing it imports neither sympy, torch nor matplotlib: ``mechind --help`` and
``mechind --version`` stay fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from theory.budget import DEFAULT_BUDGET
from theory.errors import InputError, PointError
from theory.registry import COUNTEREXAMPLE_CRITERIA

if TYPE_CHECKING:
    from theory.model.generator import Generator

__all__ = ["parse_at", "guard", "resolve_cases", "DEFAULT_BUDGET", "COUNTEREXAMPLE_CRITERIA"]



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


def guard(fn: Callable[..., Any]) -> Callable[..., Any]:
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
    # deferred: keeps --help/--version fast (case files and generators import sympy)
    import cases
    from theory.io.casefile import load_case_file

    if use_all and paths:
        raise InputError("give case paths or --all, not both")
    if use_all:
        return cases.load_bundled()
    if not paths:
        raise InputError("no case given: pass case files or bundled case names, or --all (see `mechind list`)")
    out: list[Generator] = []
    for p in paths:
        path = Path(p)
        if path.exists() or p.endswith((".py", ".toml")):
            out.extend(load_case_file(path))
        else:
            out.append(cases.find_case(p))
    return out

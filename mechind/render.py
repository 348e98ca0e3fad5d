"""Turning check results into the JSON document and rich tables (no I/O here).

Examples
--------
>>> from theory.result import CheckResult
>>> witness_summary(CheckResult("H2", "proved", "global", "structural"))
''
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from theory.errors import InputError
from theory.model.generator import Generator
from theory.registry import lookup, resolve
from theory.result import CheckResult, point_text

from . import __version__

__all__ = ["console", "case_document", "document", "json_text", "case_table", "witness_summary", "VERDICT_STYLE"]

VERDICT_STYLE = {
    "proved": "bold green",
    "refuted": "bold red",
    "unknown": "yellow",
    "holds-numerically": "green",
    "fails-numerically": "red",
    "holds-probabilistically": "cyan",
}


def console(*, stderr: bool = False, width: int | None = None) -> Console:
    """A rich console for the commands' output, with markup and emoji codes off: case, factor
    and latent names and witnesses are user text, and ``[/]``, ``[red]x`` or ``:smile:`` in them
    must print as written, not end the command or turn into a style or a picture.  ``width``
    applies when the output is not a terminal (a pipe or a file).

    >>> import io
    >>> out = console(width=80)
    >>> out.file = io.StringIO()
    >>> out.print("case [/] and [red]x :smile:")
    >>> out.file.getvalue().strip()
    'case [/] and [red]x :smile:'
    """
    stream = sys.stderr if stderr else sys.stdout
    if width is not None and not stream.isatty():
        return Console(stderr=stderr, width=width, markup=False, emoji=False)
    return Console(stderr=stderr, markup=False, emoji=False)


def case_document(generator: Generator, results: list[CheckResult]) -> dict[str, Any]:
    """One entry of ``cases`` in the JSON document (docs/user-guide.md section 4)."""
    out = generator.to_json()
    ordered = {"case": out["case"], "source": generator.source}
    ordered.update({k: v for k, v in out.items() if k != "case"})
    if generator.notes:
        ordered["notes"] = list(generator.notes)
    ordered["checks"] = [r.to_json() for r in results]
    return ordered


def document(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole ``--json`` document."""
    return {"mechind": __version__, "cases": cases}


def _finite_json(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, dict):
        return {k: _finite_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite_json(v) for v in x]
    return x


def json_text(doc: Any, indent: int | None = 2) -> str:
    """``doc`` as strict JSON: a float that is NaN or infinite (a numeric tolerance, a snap
    error) becomes the string ``"nan"``, ``"inf"`` or ``"-inf"``, since JSON has no such numbers.

    >>> json_text({"tau": float("nan"), "e": [1.5, float("-inf")]}, indent=None)
    '{"tau": "nan", "e": [1.5, "-inf"]}'
    """
    return json.dumps(_finite_json(doc), indent=indent, allow_nan=False)


def witness_summary(result: CheckResult) -> str:
    """A one-line human summary of the witness (refuted) or of what stayed undecided.

    The criterion's registry record names its own summary; outputs are counted from 1, as
    in the case descriptions (the JSON counts from 0).
    """
    try:
        summary = lookup(result.criterion).criterion.summary
    except InputError:  # a hypothesis that is not a criterion (C2, sparsity-constraint, ...)
        summary = None
    text = resolve(summary)(result) if summary else ""
    if text:
        return text
    w = result.witness
    if w:
        return ", ".join(f"{k}={v}" if k != "point" else f"at {point_text(v)}" for k, v in w.items())
    d = result.details
    if result.verdict == "holds-probabilistically" and "error_bound" in d:
        return f"not a proof: wrong with probability <= {_bound_text(d['error_bound'])} (random primes)"
    if result.verdict == "unknown":
        for key in ("undecided", "undecided_pairs", "undecided_outputs", "z3_undecided"):
            if key in d:
                items = [_undecided_item(item) for item in d[key]]
                more = f" (+{len(items) - 3} more)" if len(items) > 3 else ""
                return "undecided: " + "; ".join(items[:3]) + more
        for key in ("note", "reason"):
            if key in d:
                return str(d[key])
    return ""


def _bound_text(bound: float) -> str:
    """An error bound with three digits, rounded up (a bound stays a bound).

    >>> _bound_text(1.4641e-33), _bound_text(2.5e-10)
    ('1.47e-33', '2.50e-10')
    """
    text = f"{bound:.2e}"
    if float(text) < bound:
        mantissa, exponent = text.split("e")
        text = f"{float(mantissa) + 0.01:.2f}e{exponent}"
    return text


def _undecided_item(item: Any) -> str:
    """One undecided item of any criterion, in words."""
    if isinstance(item, dict):
        where = f"output {item['output'] + 1}" if isinstance(item.get("output"), int) else ""
        if "multi_index" in item:
            return f"{where} {''.join('d' + n for n in item['multi_index'])}".strip()
        if "blocks" in item:
            return f"{where} blocks {'/'.join(item['blocks'])}".strip()
        return ", ".join(f"{k}={v}" for k, v in item.items())
    if isinstance(item, (list, tuple)):
        return " vs ".join(map(str, item))
    return f"output {item + 1}" if isinstance(item, int) else str(item)


def case_table(generator: Generator, results: list[CheckResult]) -> Table:
    """A rich table of one case's results."""
    title = f"{generator.name}  (m={generator.m}, d={generator.d}, factors: " + "; ".join(
        f"{k}={{{', '.join(map(str, v))}}}" for k, v in generator.factors.items()
    ) + ")"
    table = Table(title=title, title_justify="left", expand=False)
    for column in ("criterion", "scope", "point", "verdict", "method", "witness / notes", "s"):
        table.add_column(column, overflow="fold")
    for r in results:
        point = point_text(r.point)
        table.add_row(
            r.criterion,
            r.scope,
            point,
            Text(r.verdict, style=VERDICT_STYLE.get(r.verdict, "")),
            r.method,
            witness_summary(r),
            f"{r.seconds:.2f}",
        )
    return table

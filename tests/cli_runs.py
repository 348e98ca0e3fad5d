"""The CLI run in-process, and its JSON documents compared apart from timings."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner, Result

from mechind.cli import main


def run(*args: str) -> Result:
    """``mechind ARGS`` in this process (click's test runner); the exit code is not checked.

    >>> result = run("check", "--help")
    >>> result.exit_code, "--json" in result.stdout
    (0, True)
    """
    return CliRunner().invoke(main, list(args))


def strip_seconds(doc: Any) -> Any:
    """``doc`` without any ``seconds`` field, at any depth.

    >>> strip_seconds({"seconds": 1.5, "cases": [{"case": "p01", "seconds": 0.2}]})
    {'cases': [{'case': 'p01'}]}
    """
    if isinstance(doc, dict):
        return {k: strip_seconds(v) for k, v in doc.items() if k != "seconds"}
    if isinstance(doc, list):
        return [strip_seconds(v) for v in doc]
    return doc

"""Loading case files: Python files that define ``GENERATOR`` or ``GENERATORS``.

A case file is trusted code: loading it executes it.  Every failure (the file is
missing, raises, defines nothing, defines the wrong type) becomes a
:class:`~theory.errors.CaseFileError` whose message names the file and the problem.

Examples
--------
>>> from pathlib import Path
>>> import cases
>>> gens = load_case_file(cases.case_files()[0])
>>> gens[0].name.startswith("p01")
True
"""

from __future__ import annotations

import runpy
import traceback
from pathlib import Path

from .errors import CaseFileError, InputError
from .generator import Generator

__all__ = ["load_case_file"]


def load_case_file(path: str | Path) -> list[Generator]:
    """Execute the case file at ``path`` and return its generators.

    The file's docstring becomes the description of generators that have none, and
    every generator records the file in its ``source`` attribute.
    """
    path = Path(path)
    if not path.is_file():
        raise CaseFileError(f"{path}: no such case file")
    if path.suffix != ".py":
        raise CaseFileError(f"{path}: a case file is a Python file ending in .py")
    try:
        namespace = runpy.run_path(str(path), run_name=f"mechind_case_{path.stem}")
    except InputError as exc:
        raise CaseFileError(f"{path}: {exc}") from None
    except SyntaxError as exc:
        raise CaseFileError(f"{path}: syntax error on line {exc.lineno}: {exc.msg}") from None
    except BaseException as exc:  # the file is user code: report anything it raises
        if isinstance(exc, KeyboardInterrupt):
            raise
        line = _user_line(exc, path)
        raise CaseFileError(f"{path}: the case file raised {type(exc).__name__}: {exc}{line}") from None
    if "GENERATOR" in namespace and "GENERATORS" in namespace:
        raise CaseFileError(f"{path}: defines both GENERATOR and GENERATORS; keep one")
    if "GENERATOR" in namespace:
        found = [namespace["GENERATOR"]]
        label = "GENERATOR"
    elif "GENERATORS" in namespace:
        found = namespace["GENERATORS"]
        label = "GENERATORS"
        if not isinstance(found, (list, tuple)) or not found:
            raise CaseFileError(f"{path}: GENERATORS must be a non-empty list of theory.Generator")
        found = list(found)
    else:
        raise CaseFileError(f"{path}: defines no generator (set GENERATOR or GENERATORS)")
    for item in found:
        if not isinstance(item, Generator):
            raise CaseFileError(f"{path}: {label} must hold theory.Generator objects, got {type(item).__name__}")
    doc = (namespace.get("__doc__") or "").strip()
    names = [g.name for g in found]
    if len(set(names)) != len(names):
        raise CaseFileError(f"{path}: two generators share a name")
    for g in found:
        if not g.description and doc:
            g.description = doc
        g.source = str(path)
    return found


def _user_line(exc: BaseException, path: Path) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    return f" (line {frames[-1].lineno})" if frames else ""

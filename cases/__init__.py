"""The bundled library of hand-written generators (docs/mathematics.md section 13, rows P01-P33,
and x01, x02: the spec's counterexamples showing that a theorem needs a hypothesis).

Each module here is a case file (it defines ``GENERATOR`` or ``GENERATORS``) named by
what it shows; its docstring says what and which row of the case table it covers.

Examples
--------
>>> names = [g.name for g in load_bundled()]
>>> "p05-cubic-overlap-tie" in names
True
"""

from __future__ import annotations

from pathlib import Path

from theory.io.casefile import load_case_file
from theory.errors import CaseFileError
from theory.model.generator import Generator

__all__ = ["case_files", "load_bundled", "find_case"]

_HERE = Path(__file__).resolve().parent


def case_files() -> list[Path]:
    """Paths of the bundled case files, sorted by name."""
    return sorted(p for p in _HERE.glob("*.py") if not p.name.startswith("_"))


def load_bundled() -> list[Generator]:
    """Every bundled generator, in file order."""
    return [g for path in case_files() for g in load_case_file(path)]


def find_case(name: str) -> Generator:
    """The bundled generator called ``name`` (or whose table row id, e.g. ``p05``, is ``name``)."""
    key = name.strip().lower()
    generators = load_bundled()
    exact = [g for g in generators if g.name.lower() == key]
    if exact:
        return exact[0]
    by_row = [g for g in generators if g.name.lower().split("-", 1)[0] == key]
    if len(by_row) == 1:
        return by_row[0]
    raise CaseFileError(f"no bundled case is called {name!r} (see `mechind list`)")

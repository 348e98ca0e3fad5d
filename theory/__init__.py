"""mechind's exact layer: generators, derivatives, sound zero tests and the criteria.

Nothing here imports torch.  The subpackages:

``theory.exact``
    exact arithmetic and sound zero tests (rationals, interval enclosures, constants, SMT).
``theory.model``
    the generator: expressions, domains, derivatives, the structural tracer, Piecewise.
``theory.linalg``
    exact rational linear algebra, matroids and the rho engines of Type S.
``theory.criteria``
    one module per criterion, and the context they share.
``theory.theorems``
    the theorems' hypotheses, topology of the domain, the hierarchy, counterexamples.
``theory.io``
    case files and the safe expression parser.

The names below are loaded on first use, so that ``import theory.readings`` (the command
line's options) does not import sympy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "Box",
    "Region",
    "Generator",
    "parse_point",
    "load_case_file",
    "check",
    "pick",
    "CheckResult",
    "Readings",
    "InputError",
    "GeneratorError",
    "DomainError",
    "PointError",
    "CaseFileError",
]

_HOME = {
    "Box": "theory.model.domain",
    "Region": "theory.model.domain",
    "Generator": "theory.model.generator",
    "parse_point": "theory.model.generator",
    "load_case_file": "theory.io.casefile",
    "check": "theory.checker",
    "pick": "theory.checker",
    "CheckResult": "theory.result",
    "Readings": "theory.readings",
    "InputError": "theory.errors",
    "GeneratorError": "theory.errors",
    "DomainError": "theory.errors",
    "PointError": "theory.errors",
    "CaseFileError": "theory.errors",
}


def __getattr__(name: str) -> Any:
    # lazy loading (PEP 562) defers sympy, the heavy dependency, to the first real use
    if name not in _HOME:
        raise AttributeError(f"module 'theory' has no attribute {name!r}")
    value = getattr(import_module(_HOME[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

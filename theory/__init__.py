"""mechind's exact layer: generators, derivatives, sound zero tests and the criteria.

Nothing here imports torch.
"""

from theory.model.domain import Box, Region
from theory.errors import CaseFileError, DomainError, GeneratorError, InputError, PointError
from theory.model.generator import Generator, parse_point
from theory.io.casefile import load_case_file
from theory.check import check, pick
from theory.result import CheckResult

__all__ = [
    "Box",
    "Region",
    "Generator",
    "parse_point",
    "load_case_file",
    "check",
    "pick",
    "CheckResult",
    "InputError",
    "GeneratorError",
    "DomainError",
    "PointError",
    "CaseFileError",
]

"""mechind's exact layer: generators, derivatives, sound zero tests and the criteria.

Nothing here imports torch.
"""

from .domain import Box, Region
from .errors import CaseFileError, DomainError, GeneratorError, InputError, PointError
from .generator import Generator, parse_point
from .casefile import load_case_file
from .check import check, pick
from .result import CheckResult

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

"""Exceptions raised by the exact layer for bad input.

Every error a user can cause by writing a generator, a case file or a command-line
argument is an :class:`InputError`; the CLI prints its message on one line and exits
with status 2.  Anything else escaping the library is a bug (exit status 3).
"""

from __future__ import annotations

__all__ = ["InputError", "GeneratorError", "DomainError", "CaseFileError", "PointError"]


class InputError(ValueError):
    """Base class of every error caused by user input."""


class GeneratorError(InputError):
    """A :class:`theory.Generator` was given inconsistent data."""


class DomainError(InputError):
    """A :class:`theory.Box` or :class:`theory.Region` is malformed."""


class PointError(InputError):
    """A point is malformed, incomplete or outside the domain."""


class CaseFileError(InputError):
    """A case file could not be loaded (it raised, or defines no generator)."""

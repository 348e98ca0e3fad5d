"""The options of the numeric criteria: one validated value passed whole to every criterion.

:class:`NumericOptions` holds the readings (:class:`theory.readings.Readings`, shared with
the exact layer) and the numeric settings: the tolerance factor ``c``, the ``vmap`` chunk,
the H_n method and probes, the seed, the irreducible:D method, the snap's largest
denominator and the Type S budget and engine.  It is checked once, where it is made; the
criteria read it without checking again.

Examples
--------
>>> o = NumericOptions(c=30, hn_method="probe")
>>> o.c, o.hn_method, o.readings.hn, o.s_budget
(30, 'probe', 'block-diagonal', 10.0)
>>> o.replace(seed=3).seed
3
>>> NumericOptions(hn_method="nested")
Traceback (most recent call last):
...
theory.errors.InputError: unknown H_n method 'nested' (auto, entries, probe)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from numbers import Integral, Real
from typing import Any

from numeric.derivatives import DEFAULT_CHUNK
from theory.errors import InputError
from theory.readings import ENGINES, Readings

__all__ = [
    "NumericOptions",
    "DEFAULT_C",
    "DEFAULT_S_BUDGET",
    "HN_METHODS",
    "IRREDUCIBLE_METHODS",
]

#: Default factor c of the tolerance tau = c * eps(dtype) * scale.
DEFAULT_C = 10.0

#: Seconds the exact rho algorithm may spend at one point for numeric Type S.
DEFAULT_S_BUDGET = 10.0

#: How H_n is computed: every cross entry, the randomized probe, or the cheaper of the two.
HN_METHODS = ("auto", "entries", "probe")

#: How irreducible:D decides a point: exact elimination on the snapped block, least squares, or either.
IRREDUCIBLE_METHODS = ("auto", "snap", "tolerance")


@dataclass(frozen=True)
class NumericOptions:
    """Every option of the numeric criteria, validated once.

    Parameters
    ----------
    readings
        The readings (:class:`theory.readings.Readings`): ``readings.hn`` is the H_n reading,
        ``readings.s`` the Type S one.  The numeric layer computes Type M in the coordinate
        basis and rho+ pointwise only (see :func:`numeric.criteria.containment.assess`,
        :func:`numeric.criteria.sparsity_gap.assess`).
    c
        The tolerance factor (:data:`DEFAULT_C`), finite and >= 0.
    chunk_size
        Points per ``vmap`` call.
    hn_method
        ``entries``, ``probe`` or ``auto`` (:data:`HN_METHODS`,
        :func:`numeric.criteria.cross_derivatives.uses_probe`).
    probes
        Probe draws per block pair (H_n with ``probe``).
    seed
        Seed of the sampled points (:func:`numeric.criteria.check_numeric`), of the probe
        directions and of the Type S witness bases.
    irreducible_method
        ``auto``, ``snap`` or ``tolerance`` (:data:`IRREDUCIBLE_METHODS`,
        :func:`numeric.criteria.assess_irreducible_D`).
    max_denominator
        Largest denominator of the snaps; ``None``: 1000 for irreducible:D and
        :func:`numeric.criteria.s_max_denominator` for S.
    s_budget
        Seconds of the rho algorithm per point for Type S (``None``: no limit).
    s_engine
        Engine of the rho algorithm: ``auto``, ``matroid`` or ``z3``.
    s_total_budget
        Seconds of the rho algorithm over all the points of one Type S check (``None``: no
        limit): points it does not reach are undecided and count neither way.

    Raises
    ------
    theory.errors.InputError
        For a value outside its range (a :class:`ValueError`).
    TypeError
        When ``readings`` is not a :class:`~theory.readings.Readings`.

    Examples
    --------
    >>> NumericOptions(readings=Readings(s="non-strict")).readings.s
    'non-strict'
    >>> NumericOptions(s_budget=0)
    Traceback (most recent call last):
    ...
    theory.errors.InputError: the per-point budget must be positive, got 0
    """

    readings: Readings = Readings()
    c: float = DEFAULT_C
    chunk_size: int = DEFAULT_CHUNK
    hn_method: str = "auto"
    probes: int = 2
    seed: int = 0
    irreducible_method: str = "auto"
    max_denominator: int | None = None
    s_budget: float | None = DEFAULT_S_BUDGET
    s_engine: str = "auto"
    s_total_budget: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.readings, Readings):
            raise TypeError(f"readings must be a theory.readings.Readings, got {type(self.readings).__name__}")
        if not (isinstance(self.c, Real) and math.isfinite(self.c) and self.c >= 0):
            raise InputError(f"the tolerance factor c must be a finite number >= 0, got {self.c!r}")
        if not _positive_int(self.chunk_size):
            raise InputError(f"chunk_size must be a positive integer, got {self.chunk_size!r}")
        if self.hn_method not in HN_METHODS:
            raise InputError(f"unknown H_n method {self.hn_method!r} ({', '.join(HN_METHODS)})")
        if not _positive_int(self.probes):
            raise InputError(f"probes must be a positive integer, got {self.probes!r}")
        if self.irreducible_method not in IRREDUCIBLE_METHODS:
            raise InputError(f"unknown irreducible:D method {self.irreducible_method!r} ({', '.join(IRREDUCIBLE_METHODS)})")
        if self.max_denominator is not None and not _positive_int(self.max_denominator):
            raise InputError(f"max_denominator must be a positive integer, got {self.max_denominator!r}")
        if self.s_budget is not None and not self.s_budget > 0:
            raise InputError(f"the per-point budget must be positive, got {self.s_budget}")
        if self.s_total_budget is not None and not self.s_total_budget > 0:
            raise InputError(f"the total budget of Type S must be positive, got {self.s_total_budget}")
        if self.s_engine not in ENGINES:
            raise InputError(f"unknown engine {self.s_engine!r} (choose from {', '.join(ENGINES)})")

    def replace(self, **changes: Any) -> NumericOptions:
        """A copy with ``changes`` (validated again).

        >>> NumericOptions().replace(c=0.0).c
        0.0
        """
        return replace(self, **changes)


def _positive_int(x: object) -> bool:
    return isinstance(x, Integral) and not isinstance(x, bool) and x >= 1

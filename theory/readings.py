"""The readings: the places where the theory admits more than one precise statement.

Each reading has a default (the reading the tool argues for, docs/mathematics.md section 0.3)
and named alternatives.  A :class:`Readings` value holds one choice for every reading; it
is validated once, where it is made (the CLI, a notebook), and then passed whole to
:func:`theory.checker.check`, the theorems and the numeric layer.

This module is pure Python: the command line builds its options from it without
importing sympy.

Examples
--------
>>> r = Readings(s="non-strict")
>>> r.s, r.hn
('non-strict', 'block-diagonal')
>>> Readings(hn="diagonal")
Traceback (most recent call last):
...
theory.errors.InputError: unknown H_n reading 'diagonal' (choose from block-diagonal, pairwise)
>>> r.replace(hn="pairwise").hn
'pairwise'
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from theory.errors import InputError

__all__ = [
    "Readings",
    "READING_CHOICES",
    "HN_READINGS",
    "S_READINGS",
    "RHO_PLUS_READINGS",
    "IRREDUCIBLE_SCOPES",
    "M_BASES",
    "SEP_READINGS",
    "SLICE_READINGS",
    "IRREDUCIBLE_READINGS",
    "THM3_READINGS",
    "ENGINES",
]

#: Type H_n: cross derivatives between distinct blocks (default) or between pairs of blocks.
HN_READINGS = ("block-diagonal", "pairwise")
#: Type S: rho+ < rho- (default) or rho+ <= rho- (ties count).
S_READINGS = ("strict", "non-strict")
#: rho+: least weight of an aligned basis at the point (default) or weight of the given coordinates.
RHO_PLUS_READINGS = ("pointwise", "coordinates")
#: Irreducibility on the whole domain (default, with a global check) or at generic points.
IRREDUCIBLE_SCOPES = ("everywhere", "generic")
#: Basis of Type M: the given coordinates (default) or the sparsest aligned basis.
M_BASES = ("coordinates", "sparsest-aligned")
#: Which n-th order separability decides ``sepN``.
SEP_READINGS = ("weak+nondegenerate", "weak", "strong")
#: Which slices T2 asks to be path-connected.
SLICE_READINGS = ("both", "fibres", "co-slices")
#: Theorems' irreducibility: X-irreducibility for criterion X (default), or D-irreducibility always.
IRREDUCIBLE_READINGS = ("matched", "D")
#: Theorem 3 with the spanning condition (default), or the summary's hypotheses only.
THM3_READINGS = ("with-spanning", "summary")
#: Engine of the rho computations (an algorithm, not a reading: every engine gives the same rho).
ENGINES = ("auto", "matroid", "z3")


@dataclass(frozen=True)
class Readings:
    """One choice for every reading (defaults first in each ``*_READINGS`` tuple).

    Parameters
    ----------
    hn
        Type H_n: ``block-diagonal`` or ``pairwise`` (docs/mathematics.md 6.1).
    s
        Type S: ``strict`` or ``non-strict`` (5.1).
    rho_plus
        rho+: ``pointwise`` or ``coordinates`` (5.9).
    irreducible_scope
        ``everywhere`` or ``generic`` (7.3).
    m_basis
        Basis of Type M: ``coordinates`` or ``sparsest-aligned`` (4.1).
    sep
        Separability deciding ``sepN``: ``weak+nondegenerate``, ``weak`` or ``strong`` (6.4).
    slices
        T2: ``both``, ``fibres`` or ``co-slices`` (9.1).
    irreducible
        The theorems' irreducibility hypothesis: ``matched`` or ``D`` (9.2).
    thm3
        Theorem 3: ``with-spanning`` or ``summary`` (4.3).
    """

    hn: str = HN_READINGS[0]
    s: str = S_READINGS[0]
    rho_plus: str = RHO_PLUS_READINGS[0]
    irreducible_scope: str = IRREDUCIBLE_SCOPES[0]
    m_basis: str = M_BASES[0]
    sep: str = SEP_READINGS[0]
    slices: str = SLICE_READINGS[0]
    irreducible: str = IRREDUCIBLE_READINGS[0]
    thm3: str = THM3_READINGS[0]

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            allowed, label = READING_CHOICES[f.name]
            if value not in allowed:
                raise InputError(f"unknown {label} {value!r} (choose from {', '.join(allowed)})")

    def replace(self, **changes: str) -> Readings:
        """A copy with ``changes`` (validated again)."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The choices by name.

        >>> Readings().to_json()["sep"]
        'weak+nondegenerate'
        """
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: For each field of :class:`Readings`: its allowed values and its name in messages.
READING_CHOICES: dict[str, tuple[tuple[str, ...], str]] = {
    "hn": (HN_READINGS, "H_n reading"),
    "s": (S_READINGS, "Type S reading"),
    "rho_plus": (RHO_PLUS_READINGS, "rho-plus reading"),
    "irreducible_scope": (IRREDUCIBLE_SCOPES, "irreducible scope"),
    "m_basis": (M_BASES, "Type M basis"),
    "sep": (SEP_READINGS, "separability reading"),
    "slices": (SLICE_READINGS, "slices reading"),
    "irreducible": (IRREDUCIBLE_READINGS, "irreducible reading"),
    "thm3": (THM3_READINGS, "thm3 reading"),
}

"""Check results: the verdict vocabulary of docs/user-guide.md section 3 and its JSON form.

Examples
--------
>>> r = CheckResult("H2", "proved", "global", "structural")
>>> r.to_json()["verdict"]
'proved'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from theory.exact.rationals import expr_str, rational_str

__all__ = ["CheckResult", "VERDICTS", "NOT_PROOFS", "point_json", "jsonable", "point_text", "vectors_text"]

VERDICTS = ("proved", "refuted", "unknown", "holds-numerically", "fails-numerically", "holds-probabilistically")
#: Verdicts that are not proofs although they say "holds": the numeric layer's, and the
#: probabilistic mode's (theory.probabilistic), which carries ``details.error_bound``.
NOT_PROOFS = ("holds-numerically", "holds-probabilistically")


@dataclass
class CheckResult:
    """One verdict of one criterion (docs/user-guide.md section 3).

    Attributes
    ----------
    criterion
        ``D``, ``M``, ``H2``, ``H3``, ...
    verdict
        ``proved``, ``refuted`` or ``unknown`` (exact layer); ``holds-probabilistically``
        (the probabilistic mode: never a proof, ``details.error_bound`` bounds the chance
        that it is wrong).
    scope
        ``global`` (the whole domain) or ``point`` (at :attr:`point` only).
    method
        How it was decided (``structural``, ``z3-nlsat``, ``exact-evaluation``, ...).
    witness
        For ``refuted``: the exact point (``{Symbol: Rational}``), indices and values;
        exact objects stay exact here and become strings only in :meth:`to_json`.
    details
        Check-specific figures (JSON-ready).
    point
        The point of a pointwise check.
    seconds
        Wall time of the check.
    """

    criterion: str
    verdict: str
    scope: str
    method: str
    witness: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    point: dict[sp.Symbol, sp.Rational] | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {self.verdict!r}")
        if self.scope not in ("global", "point"):
            raise ValueError(f"unknown scope {self.scope!r}")
        if self.verdict == "refuted" and not self.witness:
            raise ValueError("a refutation needs a witness")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"criterion": self.criterion, "verdict": self.verdict, "scope": self.scope}
        if self.point is not None:
            out["point"] = point_json(self.point)
        out["method"] = self.method
        out["witness"] = jsonable(self.witness)
        out["details"] = jsonable(self.details)
        out["seconds"] = round(self.seconds, 4)
        return out


def point_json(point: dict[sp.Symbol, sp.Rational]) -> dict[str, str]:
    """``{name: "p/q"}``."""
    return {str(s): rational_str(v) for s, v in point.items()}


def jsonable(value: Any) -> Any:
    """Exact sympy values as strings (rationals as ``"p/q"``), containers recursively."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, sp.Basic):
        return expr_str(value)
    if isinstance(value, Fraction):
        return str(value)
    return value


def point_text(point: dict | None) -> str:
    """A point for humans: ``(1/2, -3/4)`` (exact values; ``""`` for none).

    >>> import sympy as sp
    >>> s1, s2 = sp.symbols("s1 s2")
    >>> point_text({s1: sp.Rational(1, 2), s2: sp.Integer(-3)}), point_text({"s1": "1/2"})
    ('(1/2, -3)', '(1/2)')
    """
    if not point:
        return ""
    return "(" + ", ".join(str(v) if isinstance(v, str) else rational_str(v) for v in point.values()) + ")"


def vectors_text(vectors: list[list[str]]) -> str:
    """Vectors for humans: ``(1, 0), (1, 1)``."""
    return ", ".join("(" + ", ".join(map(str, v)) + ")" for v in vectors)

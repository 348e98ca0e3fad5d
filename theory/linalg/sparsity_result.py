"""The result of the Type S computation: rho+, rho-, rho* with witness bases (docs/mathematics.md section 5).

:class:`SparsityResult` is what both engines of :func:`theory.linalg.rho.sparsity` return,
exact or (past the budget) as proven bounds; :data:`S_READINGS` are the two readings of
Type S it decides.

Examples
--------
>>> r = SparsityResult("matroid", "exact", 4, 5, 4, [2, 2], None, None, coordinate_l0=4)
>>> r.type_s(), r.tie
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from theory.linalg.rational import QMatrix

__all__ = ["SPARSITY_METHODS", "S_READINGS", "SparsityResult"]

S_READINGS = ("strict", "non-strict")
#: The method a result reports, by the engine that decided it (docs/mathematics.md 5.3, 5.4, 5.11).
SPARSITY_METHODS = {"matroid": "matroid-exact", "z3": "z3-lra-pb", "structure": "mixing-weight-bound"}


@dataclass
class SparsityResult:
    """rho+, rho-, rho* at one exact Jacobian, with witness bases (lists of column vectors).

    ``status`` is ``exact`` (all three numbers decided) or ``bounds`` (the budget ran out:
    ``bounds`` holds ``[lower, upper]`` per number, ``None`` where nothing is known, and the
    bases achieve the upper bounds).  With bounds only, ``gap_lower`` is a proven
    ``rho- - rho+ >= gap_lower >= 1`` (so Type S holds under both readings, even when rho+
    itself is known only within bounds) and ``gap_certificate`` the private-rows
    certificate that proves it (:func:`theory.linalg.rho_bounds.sparsity_gap_certificate`); both are ``None``
    otherwise, and always for exact results.
    """

    engine: str
    status: str
    rho_plus: int | None
    rho_minus: int | None
    rho_star: int | None
    block_rho: list[int] | None
    aligned_basis: QMatrix | None
    misaligned_basis: QMatrix | None
    coordinate_l0: int
    one_block: bool = False
    bounds: dict[str, list[int | None]] = field(default_factory=dict)
    note: str = ""
    gap_lower: int | None = None
    gap_certificate: dict[str, Any] | None = None

    @property
    def tie(self) -> bool:
        return self.status == "exact" and self.rho_minus is not None and self.rho_plus == self.rho_minus

    def type_s(self, reading: str = "strict") -> bool | None:
        """Type S at this Jacobian (``None`` when undecided); one block holds vacuously."""
        if reading not in S_READINGS:
            raise ValueError(f"unknown Type S reading {reading!r} (choose from {', '.join(S_READINGS)})")
        if self.one_block:
            return True
        if self.status != "exact":
            if self.gap_lower is not None and self.gap_lower > 0:
                return True  # rho- >= rho+ + gap_lower > rho+
            lo_minus, hi_minus = self.bounds.get("rho_minus", [None, None])
            lo_plus, hi_plus = self.bounds.get("rho_plus", [None, None])
            # Decided anyway when the bounds separate.
            if hi_plus is not None and lo_minus is not None and (hi_plus < lo_minus or (reading == "non-strict" and hi_plus <= lo_minus)):
                return True
            if lo_plus is not None and hi_minus is not None and (hi_minus < lo_plus or (reading == "strict" and hi_minus <= lo_plus)):
                return False
            return None
        assert self.rho_plus is not None and self.rho_minus is not None
        return self.rho_plus < self.rho_minus if reading == "strict" else self.rho_plus <= self.rho_minus

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "engine": self.engine,
            "status": self.status,
            "rho_plus": self.rho_plus,
            "rho_minus": self.rho_minus,
            "rho_star": self.rho_star,
            "block_rho": self.block_rho,
            "coordinate_l0": self.coordinate_l0,
            "aligned_basis": _basis_json(self.aligned_basis),
            "misaligned_basis": _basis_json(self.misaligned_basis),
        }
        if self.bounds:
            out["bounds"] = self.bounds
        if self.note:
            out["note"] = self.note
        if self.gap_lower is not None:
            out["gap_lower"] = self.gap_lower
        if self.gap_certificate is not None:
            out["gap_certificate"] = self.gap_certificate
        return out


def _basis_json(basis: QMatrix | None) -> list[list[str]] | None:
    return None if basis is None else [[str(x) for x in v] for v in basis]

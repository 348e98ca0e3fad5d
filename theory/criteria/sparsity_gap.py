"""Type S at a point: the sparsity gap ``rho+ < rho-`` of the exact Jacobian (docs/mathematics.md section 5).

The Jacobian at the point is evaluated exactly (every entry decided, and rational: the
matroid and z3 engines work over the rationals); :func:`theory.linalg.rho.sparsity` computes
rho+, rho-, rho* with witness bases it re-checks.  A refutation's witness is the
misaligned basis (columns, as ``p/q`` strings) whose weight ``rho-`` does not exceed
``rho+``.  The verdict has ``scope: point``.

Readings (docs/mathematics.md section 0.3): ``s-strict`` (``strict`` default, ``non-strict``) and
``rho-plus`` (``pointwise`` default: the least aligned weight; ``coordinates``: the weight
of the given coordinates, the "integrated basis").  Both rho+ numbers are always reported,
with ``non_integrable`` set when they differ.

Past the budget the verdict comes from proven bounds when they decide; the private-rows
certificate (:func:`theory.linalg.rho.sparsity_gap_certificate`) can prove ``rho- > rho+``
there on its own, and is then reported in ``details["certificate"]`` with
``details["decided_by"] = "private-rows certificate"``.
"""

from __future__ import annotations

from theory.readings import RHO_PLUS_READINGS
from theory.result import CheckResult, point_json, vectors_text
from theory.linalg.rho import S_READINGS, SparsityResult, basis_weight, mixes, sparsity
from theory.criteria.context import CheckContext

__all__ = ["check_sparsity_gap_at", "RHO_PLUS_READINGS", "S_READINGS", "point_sparsity"]

_METHOD = {"matroid": "matroid-exact", "z3": "z3-lra-pb"}


def point_sparsity(ctx: CheckContext, point: dict, engine: str = "auto") -> tuple[SparsityResult | None, str]:
    """The sparsity result at ``point``, or ``None`` and why the Jacobian is not available."""
    J, reason = ctx.rational_jacobian_at(point)
    if J is None:
        return None, reason
    g = ctx.generator
    return sparsity(J, [list(b) for b in g.blocks], engine=engine, budget=ctx.budget, seed=ctx.seed), ""


def _basis_strings(basis: list) -> list[list[str]]:
    return [[str(x) for x in v] for v in basis]


def check_sparsity_gap_at(
    ctx: CheckContext, point: dict, reading: str | None = None, rho_plus_reading: str | None = None, engine: str | None = None
) -> CheckResult:
    """Type S at ``point`` (criterion ``S``, scope ``point``).

    ``reading``, ``rho_plus_reading`` and ``engine`` default to ``ctx.readings.s``,
    ``ctx.readings.rho_plus`` and ``ctx.engine``.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory import Generator, Box
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> g = Generator("p05", [[s1], [s2]], [s1, s2, s1**3 + s2**3], Box({s1: (-1, 1), s2: (-1, 1)}))
    >>> r = check_sparsity_gap_at(CheckContext(g), {s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)})
    >>> r.verdict, r.details["rho_plus"], r.details["rho_minus"]
    ('refuted', 4, 4)
    """
    reading = ctx.readings.s if reading is None else reading
    rho_plus_reading = ctx.readings.rho_plus if rho_plus_reading is None else rho_plus_reading
    engine = ctx.engine if engine is None else engine
    if reading not in S_READINGS:
        raise ValueError(f"unknown Type S reading {reading!r} (choose from {', '.join(S_READINGS)})")
    if rho_plus_reading not in RHO_PLUS_READINGS:
        raise ValueError(f"unknown rho-plus reading {rho_plus_reading!r} (choose from {', '.join(RHO_PLUS_READINGS)})")
    readings = {"s-strict": reading, "rho-plus": rho_plus_reading}
    result, reason = point_sparsity(ctx, point, engine)
    if result is None:
        return CheckResult("S", "unknown", "point", "not-rational", details={"reason": reason, "readings": readings}, point=point)
    g = ctx.generator
    details = {
        "rho_plus": result.rho_plus,
        "rho_minus": result.rho_minus,
        "rho_star": result.rho_star,
        "block_rho": dict(zip(g.factor_names, result.block_rho)) if result.block_rho is not None else None,
        "coordinate_l0": result.coordinate_l0,
        "non_integrable": result.rho_plus is not None and result.coordinate_l0 != result.rho_plus,
        "tie": result.tie,
        "engine": result.engine,
        "aligned_basis": _basis_strings(result.aligned_basis) if result.aligned_basis else None,
        "readings": readings,
    }
    if result.note:
        details["note"] = result.note
    if result.status != "exact":
        details["bounds"] = result.bounds
        if result.gap_certificate is not None:
            details["certificate"] = result.gap_certificate
        verdict = result.type_s(reading) if rho_plus_reading == "pointwise" else None
        if verdict is None or (verdict is False and result.misaligned_basis is None):
            return CheckResult("S", "unknown", "point", "budget-exhausted", details=details, point=point)
    rho_plus = result.rho_plus if rho_plus_reading == "pointwise" else result.coordinate_l0
    method = _METHOD[result.engine]
    if result.one_block:
        return CheckResult("S", "proved", "point", method, details=details, point=point)
    if result.status == "exact":
        assert rho_plus is not None and result.rho_minus is not None
        holds = rho_plus < result.rho_minus if reading == "strict" else rho_plus <= result.rho_minus
    else:
        holds = bool(result.type_s(reading))
        if holds and result.gap_lower is not None:
            details["decided_by"] = "private-rows certificate"
    if holds:
        return CheckResult("S", "proved", "point", method, details=details, point=point)
    basis = result.misaligned_basis
    assert basis is not None
    J, _ = ctx.rational_jacobian_at(point)
    witness = {
        "point": dict(point),
        "basis": _basis_strings(basis),
        "weight": basis_weight(J, basis),
        "mixing": [i for i, u in enumerate(basis) if mixes(u, [list(b) for b in g.blocks])],
        # with bounds only, the proven lower bound of rho+ (the witness weighs no more)
        "rho_plus": rho_plus if rho_plus is not None else result.bounds["rho_plus"][0],
    }
    return CheckResult("S", "refuted", "point", method, witness=witness, details=details, point=point)


def summary(result: CheckResult) -> str:
    """rho+ against rho- and, when refuted, the misaligned basis as sparse as the aligned one."""
    d = result.details
    if "rho_plus" not in d:
        return ""
    if d.get("bounds"):
        text = f"bounds: rho+ in {d['bounds'].get('rho_plus')}, rho- in {d['bounds'].get('rho_minus')}"
    elif d.get("rho_minus") is None:
        text = f"rho+ = {d['rho_plus']}; one factor, no misaligned basis"
    else:
        relation = "<" if d["rho_plus"] < d["rho_minus"] else ("=" if d["rho_plus"] == d["rho_minus"] else ">")
        text = f"rho+ = {d['rho_plus']} {relation} rho- = {d['rho_minus']} (rho* = {d['rho_star']})"
    if d.get("non_integrable"):
        text += f"; coordinate l0 = {d['coordinate_l0']} != rho+"
    if result.witness:
        text += f"; misaligned basis {vectors_text(result.witness['basis'])} of weight {result.witness['weight']}"
    return text

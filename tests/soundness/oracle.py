"""An independent oracle for the soundness fuzzer: exact values and witness re-verification.

Nothing here calls the project's derivative table, tracer, zero tests, constant decisions,
z3 layer or domain objects.  Values are re-derived from an instance's *reference outputs*
(expressions equal to the generator's outputs on the domain by construction, but written
differently: hidden-zero terms are left out) with plain ``sympy.diff`` and ``xreplace``,
and decided by:

* a rational: exact comparison with 0;
* otherwise ``evalf`` with ``strict=True`` (sympy's adaptive precision; it raises instead
  of returning a number it cannot distinguish from 0): a nonzero result counts as nonzero;
* otherwise ``minimal_polynomial(value) == x`` counts as zero (algebraic constants);
* anything else is undecided (``None``).

Examples
--------
>>> import sympy as sp
>>> decide(sp.Rational(1, 10**30)), decide(sp.sin(1)**2 + sp.cos(1)**2 - 1 + sp.Rational(1, 10**30))
(True, True)
>>> decide(sp.S.Zero), decide((sp.sqrt(2) + sp.sqrt(3))**2 - 5 - 2 * sp.sqrt(6))
(False, False)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import sympy as sp
from sympy.core.evalf import PrecisionExhausted

__all__ = ["decide", "exact_value", "verify_refutation", "point_truth"]

_X = sp.Symbol("x")
_RATIONAL = re.compile(r"^-?\d+(/\d+)?$")
_UNDEFINED = (sp.nan, sp.zoo, sp.oo, -sp.oo)


def decide(value: sp.Expr) -> bool | None:
    """``True`` if the constant ``value`` is nonzero, ``False`` if zero, ``None`` if undecided."""
    value = sp.sympify(value)
    if value.free_symbols:
        return None
    if value.is_Rational:
        return value != 0
    if value.has(*_UNDEFINED) or value.has(sp.DiracDelta, sp.Derivative, sp.Subs):
        return None
    try:
        approx = value.evalf(60, strict=True, maxn=600)
    except (PrecisionExhausted, ValueError, TypeError):
        approx = None
    if approx is not None and approx.is_Number and approx != 0 and approx.is_finite:
        return True
    try:
        return sp.minimal_polynomial(value, _X) != _X
    except Exception:
        return None


def exact_value(outputs: Sequence[sp.Expr], latents: Sequence[sp.Symbol], t: int, names: Sequence[str], point: Mapping) -> sp.Expr:
    """``d^names outputs[t]`` at ``point`` with plain ``sympy.diff`` and ``xreplace``."""
    by_name = {str(s): s for s in latents}
    expr = outputs[t]
    for n in names:
        expr = sp.diff(expr, by_name[n])
    return expr.xreplace(dict(point))


def _point(instance, witness_point: Mapping[str, str]) -> tuple[dict, dict]:
    names = [str(s) for s in instance.latents]
    assert set(witness_point) == set(names), f"witness point {witness_point} must give every latent"
    rationals = {n: sp.Rational(witness_point[n]) for n in names}
    assert instance.contains(rationals), f"witness point {witness_point} lies outside the domain"
    return rationals, {s: rationals[str(s)] for s in instance.latents}


def verify_refutation(instance, result) -> str | None:
    """Re-verify the witness of a refutation; ``None`` when it shows what it claims, else why not."""
    w = result.witness
    if not w or "point" not in w:
        return "a refutation without a witness point"
    try:
        _, point = _point(instance, w["point"])
    except AssertionError as exc:
        return str(exc)
    if result.scope == "point":
        if result.point is None or {str(s): v for s, v in result.point.items()} != {str(s): v for s, v in point.items()}:
            return "a pointwise refutation whose witness is not at the checked point"
    block = instance.block_of_name
    outs, lat = instance.reference, instance.latents
    if result.criterion == "D":
        a, b = w["latents"]
        if block[a] == block[b]:
            return f"D witness latents {a}, {b} are in the same block"
        va = exact_value(outs, lat, w["output"], [a], point)
        vb = exact_value(outs, lat, w["output"], [b], point)
        if decide(va) is not True or decide(vb) is not True:
            return f"D witness: d{a} = {va}, d{b} = {vb} are not both certified nonzero"
        for claimed, actual in zip(w["values"], (va, vb)):
            if _RATIONAL.match(claimed) and decide(sp.Rational(claimed) - actual) is not False:
                return f"D witness claims the value {claimed}, the exact value is {actual}"
        return None
    if result.criterion == "M":
        a, b = w["latents"]
        if block[a] == block[b]:
            return f"M witness latents {a}, {b} are in the same block"
        for t in range(len(outs)):
            va = decide(exact_value(outs, lat, t, [a], point))
            vb = decide(exact_value(outs, lat, t, [b], point))
            if not (va is False or vb is True):
                return f"M witness: row {t} has d{a} nonzero-or-undecided ({va}) and d{b} not certified nonzero ({vb})"
            if va is not None and (t in w["supports"][a]) != va:
                return f"M witness: support of d{a} misreports row {t}"
            if vb is not None and (t in w["supports"][b]) != vb:
                return f"M witness: support of d{b} misreports row {t}"
        return None
    if result.criterion.startswith("H"):
        alpha = w["multi_index"]
        if len(alpha) != int(result.criterion[1:]):
            return f"H witness multi-index {alpha} has the wrong order"
        if len({block[n] for n in alpha}) < 2:
            return f"H witness multi-index {alpha} meets one block"
        value = exact_value(outs, lat, w["output"], alpha, point)
        if decide(value) is not True:
            return f"H witness: d^{alpha} g_{w['output']} = {value} is not certified nonzero"
        if _RATIONAL.match(w["value"]) and decide(sp.Rational(w["value"]) - value) is not False:
            return f"H witness claims the value {w['value']}, the exact value is {value}"
        return None
    return f"no re-verification for criterion {result.criterion}"


def point_truth(instance, criterion: str, point: Mapping[sp.Symbol, sp.Rational]) -> bool | None:
    """Whether D or M holds at ``point``, from the exact Jacobian of the reference outputs."""
    if criterion not in ("D", "M"):
        return None
    point = {s: point[s] for s in instance.latents}
    lat, outs = instance.latents, instance.reference
    nonzero = [[decide(exact_value(outs, lat, t, [str(s)], point)) for s in lat] for t in range(len(outs))]
    blocks = instance.block_of
    if criterion == "D":
        undecided = False
        for row in nonzero:
            sure = {blocks[a] for a, v in enumerate(row) if v is True}
            maybe = {blocks[a] for a, v in enumerate(row) if v is not False}
            if len(sure) >= 2:
                return False
            undecided = undecided or len(maybe) >= 2
        return None if undecided else True
    if any(v is None for row in nonzero for v in row):
        return None
    d = len(lat)
    supports = [frozenset(t for t in range(len(outs)) if nonzero[t][a]) for a in range(d)]
    for a in range(d):
        for b in range(d):
            if blocks[a] != blocks[b] and supports[a] <= supports[b]:
                return False
    return True

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

For the families of issue 12 (:data:`FD_FAMILIES`: thin Piecewise pieces and special
functions) every derivative a witness claims is also compared with a central finite
difference of the generator's output *values* at 80 digits (a black box: no
differentiation rule, no Piecewise piece-by-piece rule; the values at exact rational points
pick the piece that holds there, which is right for the thin rewrites because they are the
same function).  The reference outputs of these families are smooth (a removable
singularity is written as an integral, which is differentiated under the integral sign and
evaluated with ``doit``); where sympy cannot evaluate a derivative (the order of a Bessel
function, say), the finite difference alone may certify a value nonzero (its magnitude far
above its estimated error).

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

import mpmath
import sympy as sp
from sympy.core.evalf import PrecisionExhausted

__all__ = ["decide", "exact_value", "finite_difference", "verify_refutation", "point_truth", "FD_FAMILIES"]

#: families whose witnesses are also checked by finite differences of the output values
FD_FAMILIES = frozenset({"thin-piecewise", "special-functions"})
_FD_DIGITS = 80
_FD_STEP = {1: sp.Rational(1, 10**15), 2: sp.Rational(1, 10**12), 3: sp.Rational(1, 10**10), 4: sp.Rational(1, 10**8)}

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
    except (PrecisionExhausted, ValueError, TypeError, RecursionError, ArithmeticError):
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
    try:
        value = expr.xreplace(dict(point))
    except ValueError:  # an unevaluated Derivative with respect to a latent: left undecided
        return expr.subs(dict(point))
    if value.has(sp.Integral):  # a removable singularity's smooth reference
        value = value.doit()
    return value


def _evaluate(expr: sp.Expr, point: Mapping) -> mpmath.mpf:
    value = expr.xreplace(dict(point))
    if value.has(sp.Integral):
        value = value.doit()
    number = sp.N(value, _FD_DIGITS + 10)
    if not number.is_real or not number.is_Number:
        raise ValueError(f"no real value at the point: {number}")
    return mpmath.mpf(number._to_mpmath(mpmath.mp.prec))


def finite_difference(outputs: Sequence[sp.Expr], latents: Sequence[sp.Symbol], t: int, names: Sequence[str], point: Mapping) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``d^names outputs[t]`` at ``point`` by nested central differences of the output
    *values* (exact rational points, 80-digit evaluation); returns the value and an error
    estimate (from the same difference with a 10 times larger step)."""
    by_name = {str(s): s for s in latents}
    point = dict(point)
    h = _FD_STEP.get(len(names), sp.Rational(1, 10**6))

    def nested(at: dict, rest: Sequence[str], step: sp.Rational) -> mpmath.mpf:
        if not rest:
            return _evaluate(outputs[t], at)
        s = by_name[rest[0]]
        plus, minus = dict(at), dict(at)
        plus[s] += step
        minus[s] -= step
        return (nested(plus, rest[1:], step) - nested(minus, rest[1:], step)) / (2 * mpmath.mpf(step.p) / step.q)

    with mpmath.workdps(_FD_DIGITS):
        fine = nested(point, list(names), h)
        coarse = nested(point, list(names), 10 * h)
        error = abs(fine - coarse) / 99 + mpmath.mpf(10) ** (-40)
        return +fine, +error


def _claimed(text: str) -> sp.Expr | None:
    """A witness's claimed exact value, parsed; ``None`` when it is not a constant."""
    try:
        value = sp.sympify(text)
    except Exception:
        return None
    return value if isinstance(value, sp.Expr) and not value.free_symbols else None


def _fd_check(instance, t: int, names: Sequence[str], point: Mapping, claimed: str | None, exact: sp.Expr) -> tuple[bool | None, str | None]:
    """For :data:`FD_FAMILIES`: the finite difference of the generator's output values at
    ``point``, compared with the claimed value and with the reference's exact value.
    Returns (nonzero certified by the finite difference, disagreement or ``None``)."""
    if instance.family not in FD_FAMILIES:
        return None, None
    with mpmath.workdps(_FD_DIGITS):
        try:
            fd, err = finite_difference(instance.generator.outputs, instance.latents, t, names, point)
        except (ValueError, TypeError, ZeroDivisionError, RecursionError, ArithmeticError):
            return None, None
        tolerance = 1000 * err + mpmath.mpf(10) ** (-30) * (1 + abs(fd))
        if claimed is not None:
            value = _claimed(claimed)
            if value is not None:
                try:
                    number = sp.N(value, 40)
                    if number.is_Number and number.is_real and abs(fd - mpmath.mpf(number._to_mpmath(mpmath.mp.prec))) > tolerance:
                        return None, f"d^{list(names)} g_{t}: the claimed value {claimed} = {number} disagrees with the finite difference of the values {mpmath.nstr(fd, 20)} (+- {mpmath.nstr(err, 3)})"
                except (ValueError, TypeError, RecursionError, ArithmeticError):
                    pass
        try:
            number = sp.N(exact, 40)
            if number.is_Number and number.is_real and abs(fd - mpmath.mpf(number._to_mpmath(mpmath.mp.prec))) > tolerance:
                return None, f"oracle inconsistency: d^{list(names)} g_{t} of the reference is {number}, the finite difference of the values {mpmath.nstr(fd, 20)}"
        except (ValueError, TypeError, RecursionError, ArithmeticError):
            pass
        return (True if abs(fd) > 10**6 * err else None), None


def _decision(instance, t: int, names: Sequence[str], point: Mapping) -> tuple[bool | None, sp.Expr]:
    """Whether ``d^names g_t`` is nonzero at ``point``: exact on the reference outputs, with
    the finite difference of the values as a fallback (nonzero only) for FD_FAMILIES."""
    value = exact_value(instance.reference, instance.latents, t, names, point)
    verdict = decide(value)
    if verdict is None and instance.family in FD_FAMILIES:
        verdict, _ = _fd_check(instance, t, names, point, None, value)
    return verdict, value


def _point(instance, witness_point: Mapping[str, str]) -> tuple[dict, dict]:
    names = [str(s) for s in instance.latents]
    assert set(witness_point) == set(names), f"witness point {witness_point} must give every latent"
    rationals = {n: sp.Rational(witness_point[n]) for n in names}
    assert instance.contains(rationals), f"witness point {witness_point} lies outside the domain"
    return rationals, {s: rationals[str(s)] for s in instance.latents}


def verify_refutation(instance, result) -> str | None:
    """Re-verify the witness of a refutation; ``None`` when it shows what it claims, else why not."""
    w = result.to_json()["witness"]  # the JSON form, as a user reads it
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
        da, va = _decision(instance, w["output"], [a], point)
        db, vb = _decision(instance, w["output"], [b], point)
        if da is not True or db is not True:
            return f"D witness: d{a} = {va}, d{b} = {vb} are not both certified nonzero"
        for claimed, actual, n in zip(w["values"], (va, vb), (a, b)):
            if _RATIONAL.match(claimed) and decide(sp.Rational(claimed) - actual) is not False:
                return f"D witness claims the value {claimed}, the exact value is {actual}"
            _, why = _fd_check(instance, w["output"], [n], point, claimed, actual)
            if why is not None:
                return f"D witness: {why}"
        return None
    if result.criterion == "M":
        a, b = w["latents"]
        if block[a] == block[b]:
            return f"M witness latents {a}, {b} are in the same block"
        for t in range(len(outs)):
            va = _decision(instance, t, [a], point)[0]
            vb = _decision(instance, t, [b], point)[0]
            if not (va is False or vb is True):
                return f"M witness: row {t} has d{a} nonzero-or-undecided ({va}) and d{b} not certified nonzero ({vb})"
            if va is not None and (t in w["supports"][a]) != va and t not in w.get("undecided", {}).get(a, []):
                return f"M witness: support of d{a} misreports row {t}"
            if vb is not None and (t in w["supports"][b]) != vb and t not in w.get("undecided", {}).get(b, []):
                return f"M witness: support of d{b} misreports row {t}"
        return None
    if result.criterion.startswith("H"):
        alpha = w["multi_index"]
        if len(alpha) != int(result.criterion[1:]):
            return f"H witness multi-index {alpha} has the wrong order"
        if len({block[n] for n in alpha}) < 2:
            return f"H witness multi-index {alpha} meets one block"
        nonzero, value = _decision(instance, w["output"], alpha, point)
        if nonzero is not True:
            return f"H witness: d^{alpha} g_{w['output']} = {value} is not certified nonzero"
        if _RATIONAL.match(w["value"]) and decide(sp.Rational(w["value"]) - value) is not False:
            return f"H witness claims the value {w['value']}, the exact value is {value}"
        _, why = _fd_check(instance, w["output"], alpha, point, w["value"], value)
        if why is not None:
            return f"H witness: {why}"
        return None
    return f"no re-verification for criterion {result.criterion}"


def point_truth(instance, criterion: str, point: Mapping[sp.Symbol, sp.Rational]) -> bool | None:
    """Whether D or M holds at ``point``, from the exact Jacobian of the reference outputs."""
    if criterion not in ("D", "M"):
        return None
    point = {s: point[s] for s in instance.latents}
    lat, outs = instance.latents, instance.reference
    nonzero = [[_decision(instance, t, [str(s)], point)[0] for s in lat] for t in range(len(outs))]
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

"""Independent re-verification of witnesses, written for the tests only.

Nothing here calls the project's derivative table, zero test or constant decision: a
witness is re-derived from the generator's outputs with plain ``sympy.diff`` and
``subs``, and a value counts as nonzero only if it is a nonzero rational, or an
algebraic number whose minimal polynomial is not ``x``, or (transcendental values
only) its 60-digit evaluation is far from 0 and its enclosure in the witness excludes 0.
"""

from __future__ import annotations

import re

import sympy as sp

_X = sp.Symbol("x")
_RATIONAL = re.compile(r"^-?\d+(/\d+)?$")


def parse_point(g, point: dict[str, str]) -> dict:
    by_name = {str(s): s for s in g.latents}
    assert set(point) == set(by_name), f"witness point {point} must give every latent"
    out = {by_name[k]: sp.Rational(v) for k, v in point.items()}
    assert g.domain.contains(out), f"witness point {point} lies outside the domain"
    return out


def exact_value(g, t: int, names: list[str], point: dict) -> sp.Expr:
    by_name = {str(s): s for s in g.latents}
    expr = g.outputs[t]
    for n in names:
        expr = sp.diff(expr, by_name[n])
    return sp.sympify(expr.subs(point))


def is_nonzero(value: sp.Expr) -> bool:
    if value.is_Rational:
        return value != 0
    try:
        return sp.minimal_polynomial(value, _X) != _X
    except sp.polys.polyerrors.NotAlgebraic:
        return abs(sp.N(value, 60)) > sp.Rational(1, 10**40)


def is_zero(value: sp.Expr) -> bool:
    if value.is_Rational:
        return value == 0
    try:
        return sp.minimal_polynomial(value, _X) == _X
    except sp.polys.polyerrors.NotAlgebraic:
        return False


def verify_witness(g, result) -> None:
    """Assert that a refutation's witness shows what it claims, independently."""
    w = result.witness if isinstance(result, dict) is False else result["witness"]
    criterion = result.criterion if not isinstance(result, dict) else result["criterion"]
    point = parse_point(g, w["point"])
    names = list(map(str, g.latents))
    block = {str(s): g.block_of[i] for i, s in enumerate(g.latents)}
    if criterion == "D":
        a, b = w["latents"]
        assert block[a] != block[b]
        va = exact_value(g, w["output"], [a], point)
        vb = exact_value(g, w["output"], [b], point)
        assert is_nonzero(va) and is_nonzero(vb), (va, vb)
        for claimed, actual in zip(w["values"], (va, vb)):
            if _RATIONAL.match(claimed):
                assert is_zero(sp.Rational(claimed) - actual), (claimed, actual)
    elif criterion == "M":
        a, b = w["latents"]
        assert block[a] != block[b]
        for t in range(g.m):
            va = exact_value(g, t, [a], point)
            vb = exact_value(g, t, [b], point)
            assert is_zero(va) or is_nonzero(vb), f"row {t}: d{a}={va}, d{b}={vb} breaks containment"
            assert (t in w["supports"][a]) == is_nonzero(va)
            assert (t in w["supports"][b]) == is_nonzero(vb)
    elif criterion.startswith("H"):
        alpha = w["multi_index"]
        assert len(alpha) == int(criterion[1:])
        assert len({block[n] for n in alpha}) >= 2
        value = exact_value(g, w["output"], alpha, point)
        assert is_nonzero(value), value
        if _RATIONAL.match(w["value"]):
            assert value == sp.Rational(w["value"])
    else:  # pragma: no cover
        raise AssertionError(f"no re-verification for {criterion}")
    assert names  # every latent name is known

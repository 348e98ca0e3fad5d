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
    w = result.to_json()["witness"] if not isinstance(result, dict) else result["witness"]  # the JSON form, as a user reads it
    criterion = result.criterion if not isinstance(result, dict) else result["criterion"]
    if criterion == "spanning":  # a global identity, no point
        _verify_dependency(g, w)
        return
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
    elif criterion == "M" and "vectors" in w:  # reading m-basis: sparsest-aligned
        J = jacobian(g, point)
        l, k = w["vectors"]
        u, v = ([sp.Rational(x) for x in w["basis"][i]] for i in (l, k))
        assert _blocks_of(g, u) != _blocks_of(g, v) and len(_blocks_of(g, u)) == len(_blocks_of(g, v)) == 1
        su = {i for i, x in enumerate(J * sp.Matrix(u)) if x != 0}
        sv = {i for i, x in enumerate(J * sp.Matrix(v)) if x != 0}
        assert su <= sv and [sorted(su), sorted(sv)] == w["supports"]
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
    elif criterion == "S":
        _verify_misaligned_basis(g, w, point)
    elif criterion.startswith("irreducible:"):
        _verify_split(g, criterion.split(":")[1], w, point)
    elif criterion == "graph" and "full_rank_minor" in w:  # J not rational: D fails at full column rank
        _verify_d_at_full_rank(g, w, point, block)
    elif criterion == "graph":
        _verify_finest_decomposition(g, w, point)
    elif criterion.startswith("sep"):
        _verify_separability(g, w, point)
    else:  # pragma: no cover
        raise AssertionError(f"no re-verification for {criterion}")
    assert names  # every latent name is known


def jacobian(g, point: dict) -> sp.Matrix:
    """``J(point)`` by plain sympy differentiation; every entry must come out rational."""
    J = sp.Matrix(g.m, g.d, lambda t, a: sp.diff(g.outputs[t], g.latents[a]).subs(point))
    J = J.applyfunc(_as_rational)
    assert all(x.is_Rational for x in J), f"J at {point} is not rational: {J}"
    return J


def _as_rational(value: sp.Expr) -> sp.Expr:
    """The rational value of an algebraic constant whose minimal polynomial is linear."""
    value = sp.sympify(value)
    if value.is_Rational:
        return value
    try:
        poly = sp.Poly(sp.minimal_polynomial(value, _X), _X)
    except (sp.polys.polyerrors.NotAlgebraic, NotImplementedError):
        return value
    if poly.degree() == 1:
        a, b = poly.all_coeffs()
        return -b / a
    return value


def _blocks_of(g, vector) -> set[int]:
    return {g.block_of[a] for a in range(g.d) if vector[a] != 0}


def _weight(J: sp.Matrix, vector) -> int:
    return sum(1 for x in J * sp.Matrix(vector) if x != 0)


def _verify_misaligned_basis(g, w: dict, point: dict) -> None:
    """Type S refuted: a basis with a mixing vector whose weight does not exceed rho+."""
    if not all(_RATIONAL.match(x) for v in w["basis"] for x in v) or not all(_as_rational(x).is_Rational for x in _plain_jacobian(g, point)):
        _verify_misaligned_basis_two_lines(g, w, point)
        return
    J = jacobian(g, point)
    basis = [[sp.Rational(x) for x in v] for v in w["basis"]]
    M = sp.Matrix(basis).T
    assert M.shape == (g.d, g.d) and M.rank() == g.d, "the witness is not a basis"
    assert any(len(_blocks_of(g, v)) >= 2 for v in basis), "no vector of the witness mixes blocks"
    weight = sum(_weight(J, v) for v in basis)
    assert weight == w["weight"], (weight, w["weight"])
    # the weight must not exceed the sparsest aligned basis' weight: bound it by the
    # block-wise coordinate weight (rho+ <= that) and check the claim rho+ >= weight
    assert weight <= w["rho_plus"], (weight, w["rho_plus"])
    coordinate = sum(1 for x in J if x != 0)
    assert w["rho_plus"] <= coordinate


def _plain_jacobian(g, point: dict) -> sp.Matrix:
    return sp.Matrix(g.m, g.d, lambda t, a: sp.diff(g.outputs[t], g.latents[a]).subs(point))


def _certainly_nonzero(x: sp.Expr) -> bool:
    """Zero when sympy's expansion is 0; nonzero when its 60-digit value is not tiny; the
    test cannot tell otherwise (and fails)."""
    x = sp.expand(x)
    if x == 0:
        return False
    value = abs(sp.N(x, 60))
    assert value > sp.Float("1e-40", 60), f"cannot tell whether {x} is 0"
    return True


def _verify_misaligned_basis_two_lines(g, w: dict, point: dict) -> None:
    """Type S refuted where J or the basis is not rational (two 1-D factors, so rho+ is the
    number of nonzero entries of J): J by sympy's diff, J x decided entry by entry."""
    assert g.K == 2 and all(len(b) == 1 for b in g.blocks), "a non-rational basis outside two 1-D factors"
    J = _plain_jacobian(g, point)
    basis = [[sp.sympify(x) for x in v] for v in w["basis"]]
    assert _certainly_nonzero(sp.Matrix(basis).det()), "the witness is not a basis"
    assert any(all(_certainly_nonzero(x) for x in v) for v in basis), "no vector of the witness mixes blocks"
    weight = sum(_certainly_nonzero(sum(J[t, a] * v[a] for a in range(g.d))) for v in basis for t in range(g.m))
    assert weight == w["weight"], (weight, w["weight"])
    rho_plus = sum(_certainly_nonzero(x) for x in J)
    assert weight <= rho_plus == w["rho_plus"], (weight, rho_plus, w["rho_plus"])


def _verify_split(g, kind: str, w: dict, point: dict) -> None:
    """A reducible factor: the split spans the factor's subspace and shows the property."""
    J = jacobian(g, point)
    k = g.factor_names.index(w["factor"])
    block = g.blocks[k]
    if "degenerate" in w:
        assert J[:, list(block)].rank() < len(block)
        return
    if kind == "D":
        parts = [[[sp.Rational(x) for x in v] for v in T] for T in w["subspaces"]]
        embed = lambda v: [v[list(block).index(a)] if a in block else 0 for a in range(g.d)]  # noqa: E731
        parts = [[embed(v) for v in T] for T in parts]
    elif kind == "H2":
        P = sp.Matrix([[sp.Rational(x) for x in r] for r in w["projector"]])
        assert P * P == P and 1 <= P.trace() <= len(block) - 1
        for t in range(g.m):
            H = sp.Matrix(len(block), len(block), lambda i, j: sp.diff(g.outputs[t], g.latents[block[i]], g.latents[block[j]]).subs(point))
            H = H.applyfunc(_as_rational)
            assert P.T * H == H * P, f"the projector does not commute with output {t}'s block Hessian"
        return
    else:
        parts = [[[sp.Rational(x) for x in v] for v in T] for T in w["split"]]
    vectors = [v for T in parts for v in T]
    assert all(_blocks_of(g, v) <= {k} for v in vectors), "split vectors leave the factor"
    assert sp.Matrix(vectors).rank() == len(block) == len(vectors), "the split does not span the factor"
    assert all(len(T) > 0 for T in parts) and len(parts) >= 2
    supports = [set().union(*[{i for i, x in enumerate(J * sp.Matrix(v)) if x != 0} for v in T]) for T in parts]
    if kind == "D":
        for i in range(len(supports)):
            for j in range(i + 1, len(supports)):
                assert not supports[i] & supports[j], "D split with overlapping supports"
    if kind == "M":
        singles = [[{i for i, x in enumerate(J * sp.Matrix(v)) if x != 0} for v in T] for T in parts]
        for a in singles[0]:
            for b in singles[1]:
                assert not (a <= b or b <= a), "M split with a contained support"


def _verify_finest_decomposition(g, w: dict, point: dict) -> None:
    """graph refuted: the parts have pairwise disjoint supports and do not match the factors."""
    J = jacobian(g, point)
    parts = [[[sp.Rational(x) for x in v] for v in T] for T in w["finest_decomposition"]]
    supports = [set().union(*[{i for i, x in enumerate(J * sp.Matrix(v)) if x != 0} for v in T]) for T in parts]
    for i in range(len(supports)):
        for j in range(i + 1, len(supports)):
            assert not supports[i] & supports[j]
    owners = [set().union(*[_blocks_of(g, v) for v in T]) for T in parts]
    matches = all(len(o) == 1 for o in owners) and sorted(next(iter(o)) for o in owners) == list(range(g.K))
    assert not matches, "the finest decomposition is the factor partition, yet graph was refuted"


def _verify_d_at_full_rank(g, w: dict, point: dict, block: dict) -> None:
    """graph refuted where J is not rational: a row nonzero in two factors, and a nonzero d x d minor."""
    a, b = w["latents"]
    assert block[a] != block[b]
    assert is_nonzero(exact_value(g, w["output"], [a], point)) and is_nonzero(exact_value(g, w["output"], [b], point))
    minor = w["full_rank_minor"]
    assert len(minor["rows"]) == len(set(minor["rows"])) == len(minor["cols"]) == len(set(minor["cols"])) == g.d
    by_name = {str(s): s for s in g.latents}
    M = sp.Matrix(g.d, g.d, lambda i, j: sp.diff(g.outputs[minor["rows"][i]], by_name[minor["cols"][j]]).subs(point))
    assert is_nonzero(M.det()), M


def _verify_dependency(g, w: dict) -> None:
    """spanning refuted: sum_a y_a d_a g_n is identically zero, with y != 0 on the support."""
    by_name = {str(s): s for s in g.latents}
    y = {n: sp.Rational(v) for n, v in w["dependency"].items()}
    assert any(v != 0 for v in y.values())
    out = g.outputs[w["output"]]
    for n in w["support"]:
        assert sp.simplify(sp.diff(out, by_name[n])) != 0
    combination = sum(c * sp.diff(out, by_name[n]) for n, c in y.items())
    assert sp.simplify(combination) == 0, combination


def _verify_separability(g, w: dict, point: dict) -> None:
    """sepN refuted: recompute dim L, dim W_k with sympy at the point."""
    from itertools import combinations_with_replacement

    n = w["n"]

    def vec(alpha):
        return [_as_rational(sp.diff(o, *[g.latents[a] for a in alpha]).subs(point)) for o in g.outputs]

    lower = [vec(b) for order in range(1, n) for b in combinations_with_replacement(range(g.d), order)]
    W = [[vec(a) for a in combinations_with_replacement(block, n)] for block in g.blocks]
    rank = lambda vs: sp.Matrix(vs).rank() if vs else 0  # noqa: E731
    dims = {name: rank(Wk) for name, Wk in zip(g.factor_names, W)}
    assert dims == w["dim_W"] and rank(lower) == w["dim_L"]
    total = rank(lower + [v for Wk in W for v in Wk])
    weak = {name: dims[name] + rank(lower + [v for j, Wj in enumerate(W) if j != k for v in Wj]) == total for k, name in enumerate(g.factor_names)}
    if w["fails"] == "weak":
        assert not all(weak.values()) and all(not weak[f] for f in w["factors"])
    elif w["fails"] == "nondegenerate":
        assert all(dims[f] == 0 for f in w["factors"]) and w["factors"]
    else:
        pure = [vec(a) for block in g.blocks for order in range(1, n + 1) for a in combinations_with_replacement(block, order)]
        assert rank(pure) < len(pure)

"""S, irreducibility and G_D at points where the exact Jacobian is not rational (issue 13, item 3).

The verdicts come from structure (square J: S <=> D, docs/mathematics.md 5.8; one-dimensional
factors) and from minors certified by :mod:`theory.criteria.certified_minors`.  Every decided
minor is compared here with a 60-digit mpmath evaluation (a test-only oracle, which never
decides anything in the library), and on rational points the certified path must agree with the
exact rational path.
"""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from cases.p17_undecidable_zero_constant import GENERATOR as p17
from theory import Box, Generator
from theory.criteria.certified_minors import (
    CertifiedMatroid,
    CertifiedRank,
    Minor,
    MinorOracle,
    MinorUndecided,
    TooManyMinors,
    certified_matroid,
    jacobian_oracle,
)
from theory.criteria.context import CheckContext
from theory.criteria.graph import check_graph_at, check_graph_certified
from theory.criteria.irreducibility import check_irreducible_at, check_irreducible_certified
from theory.criteria.sparsity_gap import check_sparsity_gap_at, square_jacobian_s
from theory.linalg.matroid import row_matroid_components
from theory.linalg.rational import rank

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
BOX3 = Box({s: (0, 1) for s in (s1, s2, s3)})
POINT3 = {s1: sp.Rational(1, 3), s2: sp.Rational(1, 4), s3: sp.Rational(1, 5)}
#: exactly 0, but no step of the cascade proves it (P17)
C_PRIME = sp.acos(sp.Rational(5, 13)) - 2 * sp.atan(sp.Rational(2, 3))


# -- the test-only oracle ----------------------------------------------------------------------
@pytest.fixture(autouse=True)
def sixty_digits():
    """Every mpmath comparison of this module at 60 digits."""
    with mpmath.workdps(60):
        yield


def _mp(value: sp.Expr) -> mpmath.mpf:
    return mpmath.mpf(str(sp.N(value, 60)))


def assert_agrees_with_mpmath(minor: Minor) -> None:
    """A decided minor against its 60-digit value: zero is tiny, nonzero is not and lies in
    its enclosure."""
    if minor.status == "unknown":
        return
    value = _mp(minor.expr)
    if minor.status == "zero":
        assert abs(value) < mpmath.mpf(10) ** -50, (minor, value)
    else:
        assert abs(value) > mpmath.mpf(10) ** -40, (minor, value)
        if minor.decision.enclosure is not None:
            lo, hi = (mpmath.mpf(x) for x in minor.decision.enclosure)
            assert lo <= value <= hi, (minor, value)


def oracle_of(g: Generator, point: dict) -> tuple[CheckContext, MinorOracle]:
    ctx = CheckContext(g)
    return ctx, jacobian_oracle(ctx, ctx.jacobian_at(point))


def check_all_minors(g: Generator, point: dict, oracle: MinorOracle) -> None:
    for m in oracle.decided:
        assert_agrees_with_mpmath(m)
    for i in range(g.m):
        for j in range(g.d):
            assert_agrees_with_mpmath(oracle.entry(i, j))


# -- Type S on a square Jacobian -------------------------------------------------------------------
def polar() -> Generator:
    box = Box({s1: (sp.Rational(1, 2), 2), s2: (0, 1)})
    return Generator("ima-polar", [[s1], [s2]], [s1 * sp.cos(s2), s1 * sp.sin(s2)], box, points=[{s1: sp.S(1), s2: sp.Rational(1, 4)}])


def test_polar_map_s_refuted_through_the_square_jacobian():
    g = polar()
    ctx = CheckContext(g)
    p = g.points[0]
    J, reason = ctx.rational_jacobian_at(p)
    assert J is None and "not known to be rational" in reason
    r = check_sparsity_gap_at(ctx, p)
    assert (r.verdict, r.method) == ("refuted", "square-jacobian")
    w = r.witness
    assert w["output"] == 0 and w["latents"] == ["s1", "s2"]
    # the D witness, independently: both entries nonzero at 60 digits, in their enclosures
    for name, text, enclosure in zip(w["latents"], w["values"], w["enclosures"]):
        value = _mp(sp.diff(g.outputs[0], sp.Symbol(name, real=True)).subs(p))
        assert abs(value) > 0.1 and mpmath.mpf(enclosure[0]) <= value <= mpmath.mpf(enclosure[1])
        assert abs(_mp(sp.sympify(text)) - value) < mpmath.mpf(10) ** -50
    (det,) = w["determinant"]
    assert det["status"] == "nonzero" and abs(_mp(sp.Matrix(2, 2, lambda t, a: sp.diff(g.outputs[t], g.latents[a])).det().subs(p)) - 1) < 1e-50
    assert r.details["rho_minus"] == 2 and r.details["rho_plus"] is None and r.details["bounds"]["rho_plus"] == [3, 4]
    assert r.to_json()["witness"]["point"] == {"s1": "1", "s2": "1/4"}


def test_polar_map_under_both_readings():
    g = polar()
    for reading in ("strict", "non-strict"):
        for rho_plus in ("pointwise", "coordinates"):
            assert check_sparsity_gap_at(CheckContext(g), g.points[0], reading, rho_plus).verdict == "refuted"


def test_diagonal_transcendental_map_s_proved():
    g = Generator("diag", [[s1], [s2]], [sp.exp(s1), sp.sin(s2) + 2], Box({s1: (0, 1), s2: (0, 1)}))
    p = {s1: sp.Rational(1, 3), s2: sp.Rational(1, 4)}
    for reading in ("strict", "non-strict"):
        for rho_plus in ("pointwise", "coordinates"):
            r = check_sparsity_gap_at(CheckContext(g), p, reading, rho_plus)
            assert (r.verdict, r.method) == ("proved", "square-jacobian"), r.to_json()
    assert r.details["rho_plus"] == 2 and r.details["block_rho"] == {"f1": 1, "f2": 1}


def test_square_multidimensional_factor_with_d():
    """D holds on a square J with a 2-D factor: det J is the product of the factors' determinants."""
    g = Generator("blocks", [[s1, s2], [s3]], [sp.sin(s1) + s2, sp.cos(s2) - s1, sp.exp(s3)], BOX3)
    r = check_sparsity_gap_at(CheckContext(g), POINT3)
    assert (r.verdict, r.method) == ("proved", "square-jacobian")
    assert [len(m["rows"]) for m in r.details["square_jacobian"]["determinant"]] == [2, 1]
    # the coordinate reading needs coordinate l0 = d, and this block is dense: not decided here
    r = check_sparsity_gap_at(CheckContext(g), POINT3, "strict", "coordinates")
    assert r.verdict == "unknown" and r.method == "not-rational"


def test_singular_square_jacobian():
    """J with two equal rows c (1, 1), c = cos(7/12): det J = 0 (proved), so S <=> D does not
    apply; the two-factor closed form decides instead: x = (1, -1) has J x = 0, so {x, e1}
    weighs 2 < rho+ = 4 and S fails."""
    g = Generator("singular", [[s1], [s2]], [sp.sin(s1 + s2), sp.sin(s1 + s2) + 1], Box({s1: (0, 1), s2: (0, 1)}))
    point = {s1: sp.Rational(1, 3), s2: sp.Rational(1, 4)}
    assert "not known to be invertible" in square_jacobian_s(CheckContext(g), point).details["reason"]
    r = check_sparsity_gap_at(CheckContext(g), point)
    assert (r.verdict, r.method, r.details["rho_plus"], r.details["rho_minus"]) == ("refuted", "two-factor-closed-form", 4, 2)
    _assert_misaligned_basis_as_sparse(g, point, r.witness, "strict")


def test_one_factor_at_an_irrational_point():
    g = Generator("one", [[s1, s2]], [sp.sin(s1), sp.cos(s2), s1 * s2], Box({s1: (0, 1), s2: (0, 1)}))
    r = check_sparsity_gap_at(CheckContext(g), {s1: sp.Rational(1, 3), s2: sp.Rational(1, 4)})
    assert (r.verdict, r.method) == ("proved", "structural")


# -- D-irreducibility from certified minors --------------------------------------------------------
def irreducible_block() -> Generator:
    """Rows (cos s1, 0), (0, exp s2), (sin s1, sin s2) of the 2-D factor: pairwise non-parallel."""
    return Generator("irr", [[s1, s2], [s3]], [sp.sin(s1), sp.exp(s2), -sp.cos(s1) - sp.cos(s2), sp.exp(s3)], BOX3)


def reducible_block() -> Generator:
    """Rows (sin(1)^2, 1) and (1 - cos(1)^2, 1) are parallel: their minor is a hidden zero."""
    return Generator("red", [[s1, s2], [s3]], [s1 * sp.sin(1) ** 2 + s2, s1 * (1 - sp.cos(1) ** 2) + s2, sp.exp(s2) + s1, sp.exp(s3)], BOX3)


def undecidable_block() -> Generator:
    """Rows (1, 1), (1, 1 + c'), (0, 1) with c' = acos(5/13) - 2 atan(2/3): the minor c' decides."""
    return Generator("und", [[s1, s2], [s3]], [s1 + s2, s1 + (1 + C_PRIME) * s2, s2, sp.exp(s3)], BOX3)


def test_two_dimensional_block_d_irreducible():
    g = irreducible_block()
    r = check_irreducible_at(CheckContext(g), POINT3, "D")
    assert (r.verdict, r.method) == ("proved", "certified-minors")
    ctx, oracle = oracle_of(g, POINT3)
    m = certified_matroid(oracle, range(g.m), g.blocks[0])
    assert isinstance(m, CertifiedMatroid) and m.connected and [sorted(c) for c in m.components] == [[0, 1, 2]]
    assert sorted(m.rank.loops) == [3]
    check_all_minors(g, POINT3, oracle)
    assert check_graph_at(CheckContext(g), POINT3).verdict == "proved"


def test_two_dimensional_block_d_reducible_through_a_hidden_zero():
    g = reducible_block()
    r = check_irreducible_at(CheckContext(g), POINT3, "D")
    assert (r.verdict, r.method) == ("refuted", "certified-minors")
    w = r.witness
    assert w["factor"] == "f1" and w["components"] == [[0, 1], [2]] and w["loops"] == [3]
    zero = [m for m in w["certificate"] if m["status"] == "zero"]
    assert [m["rows"] for m in zero] == [[0, 1]] and zero[0]["method"] == "simplify"
    ctx, oracle = oracle_of(g, POINT3)
    certified_matroid(oracle, range(g.m), g.blocks[0])
    check_all_minors(g, POINT3, oracle)
    graph = check_graph_at(CheckContext(g), POINT3)
    assert graph.verdict == "refuted" and graph.details["c_matroid"] == 3 and graph.witness["factor"] == "f1"


def test_undecidable_minor_gives_unknown_naming_it():
    g = undecidable_block()
    r = check_irreducible_at(CheckContext(g), POINT3, "D")
    assert (r.verdict, r.method) == ("unknown", "certified-minors")
    named = r.details["undecided"]["f1"]["undecided_minor"]
    assert named["rows"] == [0, 1] and named["status"] == "unknown"
    assert sp.simplify(sp.sympify(named["value"]) - C_PRIME) == 0
    graph = check_graph_at(CheckContext(g), POINT3)
    assert graph.verdict == "unknown"


def test_undecidable_column_and_determinant_give_unknown():
    """The column of s1 is (c', 0): not known to be nonzero, nor zero."""
    g = Generator("und-col", [[s1], [s2]], [C_PRIME * s1, sp.sin(s2) + 2], Box({s1: (0, 1), s2: (0, 1)}))
    p = {s1: sp.Rational(1, 3), s2: sp.Rational(1, 4)}
    r = check_irreducible_at(CheckContext(g), p, "D")
    assert (r.verdict, r.method) == ("unknown", "certified-minors") and r.details["undecided"]["f1"]["undecided_minor"]["rows"] == [0]
    s = check_sparsity_gap_at(CheckContext(g), p)
    assert s.verdict == "unknown" and "not known to be invertible" in s.details["square_jacobian"]
    assert check_graph_at(CheckContext(g), p).verdict == "unknown"


def test_other_kinds_keep_multidimensional_blocks_unknown():
    g = irreducible_block()
    for kind in ("S", "M", "H2"):
        r = check_irreducible_at(CheckContext(g), POINT3, kind)
        assert (r.verdict, r.method) == ("unknown", "not-rational"), kind


def test_one_dimensional_factors_at_p17():
    p = p17.points[0]
    assert CheckContext(p17).rational_jacobian_at(p)[0] is None
    for kind in ("D", "S", "M", "H2"):
        r = check_irreducible_at(CheckContext(p17), p, kind)
        assert r.verdict == "proved", (kind, r.to_json())
    graph = check_graph_at(CheckContext(p17), p)
    # D fails at s* (row 3 is nonzero in both factors) and J has full rank: M(J) is U(2,3)
    assert graph.verdict == "refuted" and graph.details["c_matroid"] == 1 and graph.witness["full_rank_minor"]["value"] == "1"
    # 3 x 2, not square; the two-factor closed form decides without c': the one shared row is
    # cancelled by x = (J_32, -J_31), and {x, e1} weighs 2 + 2 = rho+ (a tie, section 5.7)
    r = check_sparsity_gap_at(CheckContext(p17), p)
    assert (r.verdict, r.method, r.details["rho_plus"], r.details["rho_minus"]) == ("refuted", "two-factor-closed-form", 4, 4)
    _assert_misaligned_basis_as_sparse(p17, p, r.witness, "strict")


def test_zero_column_of_a_one_dimensional_factor_is_degenerate():
    g = Generator("flat", [[s1], [s2]], [sp.sin(s2), sp.cos(s2), sp.exp(s2)], Box({s1: (0, 1), s2: (0, 1)}))
    p = {s1: sp.Rational(1, 3), s2: sp.Rational(1, 4)}
    r = check_irreducible_at(CheckContext(g), p, "D")
    assert r.verdict == "unknown" and r.details["degenerate"] == "rank"
    assert check_irreducible_at(CheckContext(g), p, "H2").verdict == "proved"  # H2 asks no rank


def test_minor_cap_and_large_blocks_give_unknown():
    g = irreducible_block()
    ctx = CheckContext(g)
    oracle = MinorOracle(ctx.jacobian_at(POINT3).entries, cap=1)
    with pytest.raises(TooManyMinors):
        certified_matroid(oracle, range(g.m), g.blocks[0])
    s4 = sp.Symbol("s4", real=True)
    box = Box({s: (0, 1) for s in (s1, s2, s3, s4)})
    big = Generator("big", [[s1, s2, s3, s4]], [sp.sin(s1), sp.sin(s2), sp.sin(s3), sp.sin(s4), sp.exp(s1 + s2 + s3 + s4)], box)
    r = check_irreducible_at(CheckContext(big), {**POINT3, s4: sp.Rational(1, 6)}, "D")
    assert (r.verdict, r.method) == ("unknown", "certified-minors") and "up to 3" in r.details["undecided"]["f1"]["reason"]


# -- agreement with the rational path -------------------------------------------------------------
def _components_from_minors(J: list[list[Fraction]]) -> tuple[list[frozenset[int]], frozenset[int]] | None:
    oracle = MinorOracle.from_values([[sp.Rational(x.numerator, x.denominator) for x in row] for row in J])
    found = certified_matroid(oracle, range(len(J)), range(len(J[0])))
    if isinstance(found, CertifiedRank):
        return None
    assert found.components is not None
    return found.components, found.rank.loops


@pytest.mark.parametrize("seed", range(60))
def test_matroid_components_agree_with_the_rational_kernel(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 3)
    m = rng.randint(1, 6)
    J = [[Fraction(rng.choice([0, 0, 1, -1, 2])) for _ in range(n)] for _ in range(m)]
    if rng.random() < 0.3 and m >= 2:  # force parallel rows
        J[1] = [2 * x for x in J[0]]
    mine = _components_from_minors(J)
    if rank(J) < n:
        assert mine is None
        return
    comps, loops = row_matroid_components(J)
    assert mine is not None
    assert sorted(map(sorted, mine[0])) == sorted(map(sorted, comps)) and mine[1] == loops


def _random_linear(seed: int) -> Generator:
    rng = random.Random(100 + seed)
    blocks = [[s1, s2], [s3]] if seed % 2 else [[s1], [s2], [s3]]
    m = 3 if seed % 3 == 0 else rng.randint(3, 6)
    outputs = []
    for _ in range(m):
        chosen = rng.sample(blocks, rng.choice([1, 1, 1, 2]))
        terms = [rng.choice([1, -1, 2, 3]) * x for b in chosen for x in b if rng.random() < 0.8]
        outputs.append(sp.Add(*terms) if terms else chosen[0][0])
    return Generator(f"lin-{seed}", blocks, outputs, BOX3)


def _scaled(g: Generator) -> Generator:
    """g with output t multiplied by the transcendental constant exp((t + 1)/7): J gets
    nonzero irrational row factors, which change no support, so no matroid, D, S or G_D."""
    outputs = [sp.exp(sp.Rational(t + 1, 7)) * o for t, o in enumerate(g.outputs)]
    return Generator(g.name + "-scaled", [[g.latents[a] for a in b] for b in g.blocks], outputs, g.domain)


@pytest.mark.parametrize("seed", range(24))
def test_certified_checks_agree_with_the_rational_path(seed):
    """On a rational J the certified path gives the rational path's verdict (or unknown), and on
    the same J with rows scaled by transcendental constants (no longer rational) as well."""
    g = _random_linear(seed)
    h = _scaled(g)
    p = POINT3
    assert CheckContext(h).rational_jacobian_at(p)[0] is None
    for kind in ("D", "S", "M", "H2"):
        exact = check_irreducible_at(CheckContext(g), p, kind)
        for other in (g, h):
            certified = check_irreducible_certified(CheckContext(other), p, kind)
            assert certified.verdict in ("unknown", exact.verdict), (kind, exact.to_json(), certified.to_json())
            if kind == "D" or all(len(b) == 1 for b in g.blocks):
                assert certified.verdict == exact.verdict, (kind, exact.to_json(), certified.to_json())
    exact = check_graph_at(CheckContext(g), p)
    for other in (g, h):
        certified = check_graph_certified(CheckContext(other), p)
        assert certified.verdict == exact.verdict, (exact.to_json(), certified.to_json())
        if exact.verdict != "unknown":
            assert certified.details["c_matroid"] in (None, exact.details["c_matroid"])
    assert check_graph_at(CheckContext(h), p).verdict == exact.verdict
    _, oracle = oracle_of(h, p)
    for block in h.blocks:
        try:
            certified_matroid(oracle, range(h.m), block)
        except MinorUndecided:
            pass
    check_all_minors(h, p, oracle)
    if g.m == g.d:
        exact = check_sparsity_gap_at(CheckContext(g), p)
        for other in (g, h):
            square = square_jacobian_s(CheckContext(other), p)
            assert square.verdict in ("unknown", exact.verdict)
            if exact.verdict != "unknown" and rank(CheckContext(g).rational_jacobian_at(p)[0]) == g.d:
                assert square.verdict == exact.verdict
        assert check_sparsity_gap_at(CheckContext(h), p).verdict in ("unknown", exact.verdict)


@pytest.mark.parametrize("seed", range(20))
def test_two_line_closed_form_at_irrational_points_matches_the_rational_path(seed):
    """Scaling every output by its own constant exp((t + 1) / 7) keeps supports and
    proportionality classes (so rho) and makes J irrational: the closed form on the scaled
    generator must prove S exactly where the matroid engine proves it on the original."""
    import random

    from theory.criteria.sparsity_gap import check_sparsity_gap_at, two_lines_s_at
    from theory.readings import Readings

    rng = random.Random(seed)
    a, b = sp.symbols("s1 s2", real=True)
    rows = [rng.choice([1, 2, -1]) * a for _ in range(rng.randint(1, 4))] + [rng.choice([1, 3]) * b for _ in range(rng.randint(1, 4))]
    ratios = [rng.choice([1, 2, sp.Rational(1, 2)]) for _ in range(rng.randint(0, 3))]
    rows += [rng.choice([1, -2]) * (a + r * b) for r in ratios]
    box = Box({a: (-1, 1), b: (-1, 1)})
    point = {a: sp.Rational(1, 3), b: sp.Rational(-1, 4)}
    plain = Generator("plain", [[a], [b]], rows, box)
    scaled = Generator("scaled", [[a], [b]], [sp.exp(sp.Rational(t + 1, 7)) * r for t, r in enumerate(rows)], box)
    for reading in ("strict", "non-strict"):
        exact = check_sparsity_gap_at(CheckContext(plain, readings=Readings(s=reading)), point)
        closed = two_lines_s_at(CheckContext(scaled, readings=Readings(s=reading)), point, reading)
        assert (exact.details["rho_plus"], exact.details["rho_minus"]) == (closed.details["rho_plus"], closed.details["rho_minus"])
        assert closed.verdict == exact.verdict, (seed, reading, rows)
        if closed.verdict == "refuted":
            _assert_misaligned_basis_as_sparse(scaled, point, closed.witness, reading)


def _assert_misaligned_basis_as_sparse(g: Generator, point: dict, witness: dict, reading: str) -> None:
    """The witness basis, checked from g alone: J by sympy's diff at the point, J x counted
    at 50 digits (entries here are exact zeros or of size >= 1e-6), the basis invertible and
    a vector of it mixing both factors, and its weight within the reading's bound of
    rho+ = n1 + n2 (two 1-D factors)."""
    import mpmath

    J = sp.Matrix([[sp.diff(f, v).subs(point) for v in g.latents] for f in g.outputs])
    basis = [[sp.sympify(x) for x in v] for v in witness["basis"]]
    with mpmath.workdps(50):
        def nonzero(x):
            return bool(abs(sp.N(x, 50)) > sp.Float("1e-30", 50))

        weight = sum(nonzero(sum(J[t, j] * v[j] for j in range(g.d))) for v in basis for t in range(g.m))
        rho_plus = sum(nonzero(J[t, j]) for t in range(g.m) for j in range(g.d))
        assert nonzero(sp.Matrix(basis).det())
    assert any(all(nonzero(x) for x in v) for v in basis)
    assert weight == witness["weight"]
    assert weight <= rho_plus if reading == "strict" else weight < rho_plus


def test_two_line_closed_form_refutes_with_a_basis_whose_entries_are_not_rational():
    """S fails at (5/23, -1/7) for (s1 exp(s2), s2, s1): row 1 is exp(s2) (1, s1), so
    x = (1, -1/s1) cancels it and {x, e1} weighs 2 + 2 = rho+ (a tie).  With rows whose
    ratio is irrational the basis keeps exact irrational entries."""
    from theory.criteria.sparsity_gap import check_sparsity_gap_at

    a, b = sp.symbols("s1 s2", real=True)
    box = Box({a: (-1, 1), b: (-1, 1)})
    point = {a: sp.Rational(5, 23), b: sp.Rational(-1, 7)}
    g = Generator("s-exp", [[a], [b]], [a * sp.exp(b), b, a], box)
    result = check_sparsity_gap_at(CheckContext(g), point)
    assert (result.verdict, result.method) == ("refuted", "two-factor-closed-form")
    assert all(sp.sympify(x).is_Rational for v in result.witness["basis"] for x in v)
    _assert_misaligned_basis_as_sparse(g, point, result.witness, "strict")
    r2, r3, r6 = sp.sqrt(2), sp.sqrt(3), sp.sqrt(6)
    h = Generator("t1", [[a], [b]], [a + r2 * b, (r3 - 1) * a + (r6 - r2) * b, a, b, sp.exp(b)], box)
    result = check_sparsity_gap_at(CheckContext(h), point)
    assert (result.verdict, result.method, result.details["rho_plus"], result.details["rho_minus"]) == ("refuted", "two-factor-closed-form", 7, 6)
    assert not all(sp.sympify(x).is_Rational for v in result.witness["basis"] for x in v)
    _assert_misaligned_basis_as_sparse(h, point, result.witness, "strict")

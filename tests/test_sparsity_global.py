"""Type S on the whole domain: refutations are pointwise refutations with their exact
witness; proofs by "D everywhere and full column rank everywhere" are cross-checked by the
pointwise rho computation (the matroid engine) at seeded random points, and the rank
certificate is cross-checked against exact ranks at those points."""

from __future__ import annotations

import random

import pytest
import sympy as sp

from theory import Box, Generator
from theory.checker import check
from theory.criteria.context import CheckContext
from theory.criteria.sparsity_gap import check_sparsity_gap_at
from theory.criteria.sparsity_global import check_sparsity_gap_global, full_column_rank_everywhere
from theory.exact.points import random_point
from theory.readings import Readings
from tests.witness_check import verify_witness

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)})


def _global(results):
    return next(r for r in results if r.criterion == "S" and r.scope == "global")


def _pointwise_at_random_points(g: Generator, count: int, seed: int) -> list[str]:
    ctx = CheckContext(g, seed=seed)
    rng = random.Random(seed)
    return [check_sparsity_gap_at(ctx, random_point(g.domain, g.latents, rng)).verdict for _ in range(count)]


def test_bundled_global_s_agrees_with_pointwise_s(bundled):
    for name, g in bundled.items():
        result = _global(check(g, ["S"], isolate=False))
        if result.verdict == "proved":
            verdicts = _pointwise_at_random_points(g, 6, seed=7)
            assert "refuted" not in verdicts, (name, verdicts)
            assert result.method in ("disjoint-and-full-rank", "two-factor-closed-form", "constant-jacobian")
        elif result.verdict == "refuted":
            verify_witness(g, result)  # the misaligned basis, re-checked at the exact point


def test_refutation_is_a_pointwise_refutation_with_its_point():
    g = Generator("tie", [[s1], [s2]], [s1, s2, s1 + s2], Box({s1: (-1, 1), s2: (-1, 1)}))
    r = check_sparsity_gap_global(CheckContext(g))
    assert r.verdict == "refuted" and r.scope == "global"
    assert set(r.witness["point"]) == {s1, s2} and g.domain.contains(r.witness["point"])
    verify_witness(g, r)


def _random_disjoint_polynomial(rng: random.Random, rows_per_block: int) -> Generator:
    latents = [s1, s2, s3]
    blocks = [[s1, s2], [s3]]
    outputs = []
    for block in blocks:
        for _ in range(rows_per_block):
            outputs.append(sum(rng.randint(-3, 3) * s**e for s in block for e in (1, 2)) + rng.randint(-2, 2) * block[0] * block[-1])
    return Generator("random-d", blocks, outputs, BOX)


@pytest.mark.parametrize("seed", range(12))
def test_d_and_full_rank_proof_matches_pointwise_rho(seed):
    """On random polynomial generators with D by construction: a proof must agree with the
    pointwise matroid engine at random points, and a full-rank certificate with exact ranks."""
    rng = random.Random(seed)
    g = _random_disjoint_polynomial(rng, rows_per_block=rng.choice([1, 2, 3]))
    ctx = CheckContext(g, seed=seed)
    result = check_sparsity_gap_global(ctx)
    ranks = [full_column_rank_everywhere(ctx, k) for k in range(g.K)]
    for k, (full, _) in enumerate(ranks):
        if full is True:
            for p in ctx.random_points(4):
                J = sp.Matrix([[ctx.table.derivative(t, (a,)).xreplace(p) for a in g.blocks[k]] for t in range(g.m)])
                assert J.rank() == len(g.blocks[k]), (seed, k, p)
    if result.verdict == "proved":
        assert all(full is True for full, _ in ranks)
        assert "refuted" not in _pointwise_at_random_points(g, 5, seed)
    if result.verdict == "refuted":
        verify_witness(g, result)


def test_a_column_that_vanishes_somewhere_is_not_proved():
    """cos(s1) is the only row of block {s1}: its partial -sin(s1) vanishes at s1 = 0, so the
    full-rank route must not prove S (D holds); with sin(s1) instead (partial cos(s1) > 0 on
    the box) it must."""
    g = Generator("vanishing", [[s1], [s2]], [sp.cos(s1), sp.exp(s2)], Box({s1: (-1, 1), s2: (-1, 1)}))
    r = check_sparsity_gap_global(CheckContext(g))
    assert r.verdict == "unknown"
    assert r.details["rank"]["f1"]["full_rank"] is not True
    g = Generator("nonvanishing", [[s1], [s2]], [sp.sin(s1), sp.exp(s2)], Box({s1: (-1, 1), s2: (-1, 1)}))
    assert check_sparsity_gap_global(CheckContext(g)).verdict == "proved"


def test_transcendental_full_rank_by_intervals():
    g = Generator("bumps", [[s1, s2], [s3]], [sp.exp(s1), sp.exp(s1) + sp.cos(s2), s2 + 3, sp.tanh(s3) + 2 * s3], BOX)
    r = check_sparsity_gap_global(CheckContext(g))
    assert r.verdict == "proved" and r.method == "disjoint-and-full-rank"
    assert r.details["rank"]["f1"]["method"] == "interval-subdivision"
    assert "refuted" not in _pointwise_at_random_points(g, 3, seed=1)


def test_coordinates_reading_with_multidimensional_factors():
    """The routes for the pointwise reading (D and full rank) prove nothing under the
    coordinates reading; a constant J decides it at one point.  By hand:

    * P13, J rows (1, 1, 0), (1, -1, 0), (0, 0, 1), (0, 0, 1): coordinate l0 = 6, pointwise
      rho+ = 1 + 1 + 2 = 4 (vectors (1, 1, 0), (1, -1, 0), e3).  A mixing vector (a, b, c), c != 0,
      (a, b) != 0, maps to (a + b, a - b, c, c), weight >= 3; with (1, 1, 0) and (1, -1, 0)
      (weight 1 each) the basis {(1, 1, 1), (1, 1, 0), (1, -1, 0)} (det -2) weighs 5 = rho-.  So S
      fails under coordinates (6 > 5) and holds pointwise (4 < 5).
    * (s1, s2, s1 + s2, s3): coordinate l0 = 5 = rho+; a mixing vector weighs >= 3 ((a, b) != 0
      leaves two of a, b, a + b nonzero), and the two others >= 1 + 2 (only multiples of e3
      weigh 1): rho- = 6, S holds under both readings.
    """
    p13 = Generator("p13", [[s1, s2], [s3]], [s1 + s2, s1 - s2, s3, s3], BOX)
    coordinates = check_sparsity_gap_global(CheckContext(p13, readings=Readings(rho_plus="coordinates")))
    assert coordinates.verdict == "refuted"
    assert check_sparsity_gap_global(CheckContext(p13)).verdict == "proved"
    g = Generator("block", [[s1, s2], [s3]], [s1, s2, s1 + s2, s3], BOX)
    r = check_sparsity_gap_global(CheckContext(g, readings=Readings(rho_plus="coordinates")))
    assert (r.verdict, r.method, r.details["rho_minus"]) == ("proved", "constant-jacobian", 6)
    curved = Generator("curved", [[s1, s2], [s3]], [s1, s2, s1 + s2 + s1 * s2 / 4, s3], BOX)
    assert check_sparsity_gap_global(CheckContext(curved, readings=Readings(rho_plus="coordinates"))).verdict != "proved"


def _random_two_lines(rng: random.Random) -> Generator:
    """Two 1-D factors whose supports and proportionality classes are the same on the whole
    box: every partial is a nonzero constant or an affine function of constant sign, and
    overlap rows are built as multiples of a few fixed ratios."""
    outputs = []
    for _ in range(rng.randint(0, 3)):  # private to s1
        outputs.append(rng.choice([1, 2, 3]) * s1 + rng.choice([0, s2**0 - 1]))
    for _ in range(rng.randint(0, 3)):  # private to s2
        outputs.append(rng.choice([1, -2]) * s2 + rng.choice([0, 2]) * s2**3)
    ratios = [sp.Rational(rng.randint(1, 4), rng.randint(1, 3)) for _ in range(rng.randint(1, 3))]
    for _ in range(rng.randint(0, 4)):  # overlap rows: (c, c * ratio) up to a common nonvanishing factor
        ratio, c = rng.choice(ratios), rng.choice([1, -1, 2])
        outputs.append(c * (s1 + ratio * s2) * rng.choice([1, 3]))
    if not outputs:
        outputs = [s1, s2]
    return Generator("two-lines", [[s1], [s2]], outputs + [s1, s2], Box({s1: (-1, 1), s2: (-1, 1)}))


@pytest.mark.parametrize("seed", range(16))
def test_two_factor_closed_form_matches_the_pointwise_engine(seed):
    """The closed form, made uniform over S, against the matroid engine at random points:
    proved means S at every sampled point, refuted means S fails at every sampled point."""
    g = _random_two_lines(random.Random(seed))
    for reading in ("strict", "non-strict"):
        ctx = CheckContext(g, seed=seed, readings=Readings(s=reading))
        result = check_sparsity_gap_global(ctx)
        rng = random.Random(seed + 100)
        pointwise = [check_sparsity_gap_at(ctx, random_point(g.domain, g.latents, rng)).verdict for _ in range(4)]
        if result.verdict == "proved":
            assert set(pointwise) == {"proved"}, (seed, reading, result.details, pointwise)
        elif result.verdict == "refuted":
            verify_witness(g, result)
            if result.method == "two-factor-closed-form":
                assert set(pointwise) == {"refuted"}, (seed, reading, result.details, pointwise)


def test_d_alone_proves_non_strict_s_even_where_rank_drops():
    """Under Type D an aligned basis is never heavier than any basis, full rank or not: the
    non-strict reading holds on all of S; checked pointwise on and off the rank drop s1 = 0."""
    g = Generator("drop", [[s1], [s2]], [sp.cos(s1), sp.exp(s2), s2], Box({s1: (-1, 1), s2: (-1, 1)}))
    ctx = CheckContext(g, readings=Readings(s="non-strict"))
    r = check_sparsity_gap_global(ctx)
    assert r.verdict == "proved" and r.method == "disjoint"
    for p in ({s1: sp.S.Zero, s2: sp.Rational(1, 3)}, {s1: sp.Rational(1, 2), s2: sp.S.Zero}):
        assert check_sparsity_gap_at(ctx, p).verdict != "refuted"


def test_exact_rho_at_a_point_is_computed_once_per_context():
    """The global check asks S again at the checked points: exact rho results are reused from
    the context (and only exact ones)."""
    from theory.criteria.sparsity_gap import point_sparsity

    g = Generator("tie", [[s1], [s2]], [s1, s2, s1 + s2], Box({s1: (-1, 1), s2: (-1, 1)}))
    ctx = CheckContext(g)
    p = {s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}
    first, _ = point_sparsity(ctx, p)
    again, _ = point_sparsity(ctx, p)
    assert first.status == "exact" and again is first


def test_a_thin_region_with_a_given_point_is_checked_at_that_point():
    """The strip s1 > 1 - 10**-40 is too thin to sample: the random points are fewer (none), and
    the checks go on at the generator's own point instead of ending unknown (sampling-failed).
    At that point J = [[1, 0], [0, 1], [2 s1 s2, s1**2]]: (s1, -2 s2) annihilates row 3, so the
    misaligned basis {(s1, -2 s2), (0, 1)} weighs 2 + 2 = 4 = rho+ (a tie, strict S fails)."""
    from theory import Region
    from theory.checker import pick

    a, b = sp.symbols("s1 s2", real=True)
    eps = sp.Rational(1, 10**40)
    p = {a: 1 - eps / 2, b: sp.Rational(1, 3)}
    g = Generator("strip", [[a], [b]], [a, b, a**2 * b], Region(Box({a: (-1, 1), b: (-1, 1)}), a > 1 - eps), points=[p])
    result = pick(check(g, ["S"], isolate=False, budget=20), "S")
    assert result.verdict == "refuted" and result.witness["point"] == p
    J = sp.Matrix(g.outputs).jacobian([a, b]).subs(p)
    weights = [sum(1 for t in range(3) if (J[t, :] * sp.Matrix([sp.Rational(x) for x in u]))[0] != 0) for u in result.witness["basis"]]
    assert sum(weights) == 4


def test_an_affine_generator_without_d_is_decided_from_its_constant_jacobian():
    """g = (s1, s1, s1, s2, s2, s2, s3, s3, s3, s1 + s2): D fails and there are three factors, so
    neither D-and-full-rank nor the two-lines strata apply; J is constant, so Type S at one point
    is Type S on S.  The truth: rho+ and rho- by brute force over bases with entries in {-1, 0, 1}
    (enough here: every lightest vector is a coordinate vector or e1 - e2)."""
    import itertools

    from theory.checker import pick

    a, b, c = sp.symbols("s1 s2 s3", real=True)
    rows = [(1, 0, 0)] * 3 + [(0, 1, 0)] * 3 + [(0, 0, 1)] * 3 + [(1, 1, 0)]
    g = Generator("lin", [[a], [b], [c]], [r[0] * a + r[1] * b + r[2] * c for r in rows], Box({a: (-1, 1), b: (-1, 1), c: (-1, 1)}))
    weight = lambda u: sum(1 for r in rows if sum(x * y for x, y in zip(r, u)) != 0)  # noqa: E731
    vectors = [u for u in itertools.product((-1, 0, 1), repeat=3) if any(u)]
    aligned = lambda u: sum(1 for x in u if x) == 1  # noqa: E731
    bases = [B for B in itertools.combinations(vectors, 3) if sp.Matrix(B).det() != 0]
    rho_plus = min(sum(map(weight, B)) for B in bases if all(map(aligned, B)))
    rho_minus = min(sum(map(weight, B)) for B in bases if not all(map(aligned, B)))
    r = pick(check(g, ["S"], isolate=False, budget=20), "S")
    assert (rho_plus, rho_minus) == (11, 13)
    assert r.verdict == "proved" and r.method == "constant-jacobian"
    assert (r.details["rho_plus"], r.details["rho_minus"]) == (rho_plus, rho_minus)

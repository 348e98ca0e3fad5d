"""z3 against independent routes on random polynomial generators.

For polynomials on a box (analytic, connected domain) Type D is decided both by z3 nlsat
and by zero tests plus witness search: the two must agree.  A z3 proof of global Type M
must never meet a sampled point where a support containment is certified, and every z3
witness re-verifies.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp

from theory import Box, Generator
from theory.criteria import CheckContext
from theory.criteria.containment import _by_smt as m_by_smt
from theory.criteria.containment import _contained_at
from theory.criteria.disjointness import _by_smt as d_by_smt
from theory.criteria.disjointness import _by_zero_tests, _candidate_rows
from theory.exact.smt import Eq, Ne, exists
from tests.witness_check import verify_witness

S = sp.symbols("s1 s2 s3", real=True)


def random_polynomial_generator(seed: int) -> Generator:
    """Pure pixels of single latents (often), mixed pixels (sometimes), and cross terms
    that cancel exactly but only after expansion (so the tracer keeps them)."""
    rng = random.Random(seed)
    blocks = [[S[0]], [S[1], S[2]]] if rng.random() < 0.5 else [[S[0]], [S[1]], [S[2]]]
    block_of = {s: k for k, b in enumerate(blocks) for s in b}

    def univariate(s):
        if rng.random() < 0.5:  # derivative vanishes on a grid point: supports change there
            return rng.choice([1, -2, 3]) * (s - sp.Rational(rng.randint(-2, 2), 3)) ** rng.randint(1, 3)
        return rng.choice([1, -2, 3]) * (s + s**3)  # derivative never vanishes

    outputs = [univariate(s) for s in S if rng.random() < 0.7]
    for _ in range(rng.randint(1, 3)):
        a, b = rng.sample(S, 2)
        kind = rng.random()
        if kind < 0.4 and block_of[a] != block_of[b]:  # cancelling cross term on top of a pure pixel
            outputs.append(univariate(a) + (a + b) ** 2 - a**2 - 2 * a * b - b**2)
        elif kind < 0.7:
            outputs.append(univariate(a) + univariate(b))
        else:
            outputs.append(univariate(a) * univariate(b))
    return Generator(f"random-{seed}", blocks, outputs, Box({s: (-1, 1) for s in S}))


@pytest.mark.parametrize("seed", range(40))
def test_type_d_z3_agrees_with_zero_tests(seed):
    g = random_polynomial_generator(seed)
    ctx = CheckContext(g, seed=seed)
    rows = _candidate_rows(ctx)
    if not rows:
        return
    by_z3 = d_by_smt(ctx, rows, {})
    by_tests = _by_zero_tests(CheckContext(g, seed=seed), rows, {})
    assert by_z3.verdict == by_tests.verdict, (g.outputs, by_z3.to_json(), by_tests.to_json())
    for r in (by_z3, by_tests):
        if r.verdict == "refuted":
            verify_witness(g, r)


@pytest.mark.parametrize("seed", range(40))
def test_type_m_z3_proofs_survive_sampling(seed):
    g = random_polynomial_generator(seed)
    ctx = CheckContext(g, seed=seed)
    pairs = [(a, b) for a in range(g.d) for b in range(g.d) if g.block_of[a] != g.block_of[b]]
    result = m_by_smt(ctx, pairs, {})
    if result.verdict == "refuted":
        verify_witness(g, result)
    if result.verdict == "proved":
        for point in ctx.points.take(40):
            jac = ctx.jacobian_at(point)
            assert not any(_contained_at(jac, a, b) for a, b in pairs), (g.outputs, point)


def test_exists_respects_region_and_piecewise():
    from theory.model.domain import Region

    s1, s2 = S[:2]
    p = sp.Piecewise((4 * (s1 - 1) ** 3, s1 > 1), (0, True))
    q = sp.Piecewise((4 * (s2 + 1) ** 3, s2 < -1), (0, True))
    box = Box({s1: (0, 2), s2: (-2, 0)})
    answer = exists([Ne(p), Ne(q)], box, (s1, s2))
    assert answer.status == "sat"
    point = answer.candidates[0]
    assert p.subs(point) != 0 and q.subs(point) != 0 and box.contains(point)
    assert exists([Ne(p), Ne(q)], Region(box, s1 - s2 < 2), (s1, s2)).status == "unsat"
    assert exists([Eq(s1**2 + s2**2 + 1)], box, (s1, s2)).status == "unsat"


def test_algebraic_models_come_with_rational_candidates():
    s1, s2 = S[:2]
    answer = exists([Eq(s1**2 - 2)], Box({s1: (0, 2), s2: (0, 1)}), (s1, s2))
    assert answer.status == "sat"
    assert all(c[s1].is_Rational for c in answer.candidates)
    assert abs(float(answer.candidates[-1][s1]) - 2**0.5) < 1e-6


def test_partial_piecewise_is_outside_the_z3_fragment():
    from theory.model.derivatives import is_piecewise_polynomial

    s1 = S[0]
    assert is_piecewise_polynomial(sp.Piecewise((s1**2, s1 > 0), (0, True)))
    assert not is_piecewise_polynomial(sp.Piecewise((s1**2, s1 > 0)))  # undefined for s1 <= 0

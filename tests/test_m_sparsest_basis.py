"""Type M in the sparsest aligned basis B* (reading ``m-basis: sparsest-aligned``) when B* is
not unique: the verdict is about every sparsest aligned basis, so it cannot depend on the order
in which the outputs are written.  Truth by brute force: every aligned basis made of small
integer vectors (every cocircuit direction of these small matrices is one), the sparsest ones
kept, and Type M checked in each."""

from __future__ import annotations

import itertools
import math
import random

import pytest
import sympy as sp

from theory import Box, Generator
from theory.criteria.containment import check_containment_sparsest_at
from theory.criteria.context import CheckContext
from theory.readings import Readings


def _support(J, u):
    return frozenset(i for i, row in enumerate(J) if sum(a * b for a, b in zip(row, u)) != 0)


def _factor_bases(J, block, d):
    """Every sparsest basis of the factor among primitive vectors with entries in [-2, 2] (up to
    sign; every cocircuit and kernel direction of a factor of at most two columns of these
    matrices, entries in [-1, 2], is one), as tuples."""
    vectors = []
    for coeffs in itertools.product(range(-2, 3), repeat=len(block)):
        nonzero = [c for c in coeffs if c]
        if not nonzero or nonzero[0] < 0 or math.gcd(*map(abs, coeffs)) != 1:
            continue
        u = [0] * d
        for a, c in zip(block, coeffs):
            u[a] = c
        vectors.append((tuple(u), len(_support(J, u)), coeffs))
    best, out = None, []
    for combo in itertools.combinations(vectors, len(block)):
        if len(block) == 2 and combo[0][2][0] * combo[1][2][1] == combo[0][2][1] * combo[1][2][0]:
            continue  # parallel: not a basis
        w = sum(c[1] for c in combo)
        if best is None or w < best:
            best, out = w, [tuple(c[0] for c in combo)]
        elif w == best:
            out.append(tuple(c[0] for c in combo))
    return out


def _truth(J, blocks, d) -> bool:
    """Type M holds in every sparsest aligned basis."""
    per_factor = [_factor_bases(J, b, d) for b in blocks]
    for choice in itertools.product(*per_factor):
        for k, l in itertools.permutations(range(len(blocks)), 2):
            if any(_support(J, u) <= _support(J, v) for u in choice[k] for v in choice[l]):
                return False
    return True


def _generator(J, blocks, order):
    s = sp.symbols(f"s1:{len(J[0]) + 1}", real=True)
    outputs = [sum(c * x for c, x in zip(J[i], s)) for i in order]
    return Generator("linear", [[s[a] for a in b] for b in blocks], outputs, Box({x: (-1, 1) for x in s})), {x: sp.Integer(0) for x in s}


def _verdict(J, blocks, order):
    g, point = _generator(J, blocks, order)
    r = check_containment_sparsest_at(CheckContext(g, readings=Readings(m_basis="sparsest-aligned")), point)
    return r


def test_the_outputs_order_does_not_decide_m_in_b_star():
    """Six bases of the factor {s1, s2} weigh 6; three contain (0, 1), whose support lies in
    that of s3, and three do not: M fails in some B*, whichever output comes first."""
    J = [[1, 0, 0], [0, 1, 1], [1, 1, 1], [1, -1, 1], [0, 0, 1]]
    blocks = [[0, 1], [2]]
    assert not _truth(J, blocks, 3)
    for order in list(itertools.permutations(range(5)))[::5]:  # 24 orders, the given one and its reverse among them
        r = _verdict(J, blocks, list(order))
        assert r.verdict == "refuted", (order, r)
        g, point = _generator(J, blocks, list(order))
        rows = [J[i] for i in order]
        basis = [[int(sp.Rational(x)) for x in v] for v in r.witness["basis"]]
        l, k = r.witness["vectors"]
        assert _support(rows, basis[l]) <= _support(rows, basis[k])
        # the witness is a sparsest aligned basis: as light as the brute force's
        assert sum(len(_support(rows, u)) for u in basis) == sum(min(sum(len(_support(rows, u)) for u in b) for b in _factor_bases(rows, bl, 3)) for bl in blocks)


@pytest.mark.parametrize("seed", range(16))
def test_m_in_b_star_against_every_sparsest_basis(seed):
    rng = random.Random(seed)
    blocks = [[0, 1], [2]] if seed % 2 else [[0, 1], [2, 3]]
    d = 3 if seed % 2 else 4
    m = rng.randint(4, 6)
    # each row reads the first factor, the second or both (rows of one factor keep M likely)
    reads = [rng.choice([(0,), (0,), (1,), (1,), (0, 1)]) for _ in range(m)]
    J = [[rng.choice([-1, 1, 1, 2]) if any(a in blocks[k] for k in r) else 0 for a in range(d)] for r in reads]
    truth = _truth(J, blocks, d)
    orders = [list(range(m)), list(reversed(range(m)))]
    verdicts = {_verdict(J, blocks, order).verdict for order in orders}
    assert verdicts == {"proved" if truth else "refuted"}, (J, truth, verdicts)


def test_m_irreducibility_in_b_star_compares_with_the_other_factors_sparsest_bases():
    """irreducible:M under ``sparsest-aligned``: a split of a factor keeps Type M when the
    refined decomposition is Type M in B*, so the parts are compared with the other factor's
    sparsest basis, not with its coordinate columns.  Truth by brute force: the lines u = (0, 1)
    and v = (1, -2) of the factor {s1, s2} are non-containing with each other and with every
    vector of every sparsest basis of {s3, s4} (found among small integer vectors); against
    the coordinate column e3 the same split fails, which is what the check compared with."""
    from theory.criteria.irreducibility import check_irreducible_at

    J = [[0, -1, 2, 2], [-1, 0, 1, 2], [1, 1, 2, 0], [2, 1, 1, 1], [2, 1, 1, 0], [1, 0, 1, 1]]
    blocks = [[0, 1], [2, 3]]
    u, v = (0, 1, 0, 0), (1, -2, 0, 0)
    others = {w for basis in _factor_bases(J, blocks[1], 4) for w in basis}
    groups = [[u], [v], sorted(others)]
    for i, j in itertools.permutations(range(3), 2):
        assert not any(_support(J, a) <= _support(J, b) for a in groups[i] for b in groups[j]), (i, j)
    assert _support(J, u) <= _support(J, (0, 0, 1, 0))  # against the coordinate column s3 it fails
    g, point = _generator(J, blocks, list(range(6)))
    r = check_irreducible_at(CheckContext(g, readings=Readings(m_basis="sparsest-aligned")), point, "M")
    assert r.verdict == "refuted", r


def test_an_m_split_keeps_type_m_in_every_sparsest_basis_of_its_parts():
    """g = (s1+s2+s3+s4, s2+s3+s4, s1-s2+s3, s1+s2-s3), factors {s1, s2, s3} and {s4}: a split of
    the first factor into a plane and a line was reported as keeping Type M in B*, but the plane
    has several sparsest bases, and one holds (0, 1, 1), whose support {0, 1} is that of s4.
    Truth by brute force: every sparsest basis of each part of the reported split (small
    integer combinations of its vectors), every pair of parts and s4's column non-containing."""
    from theory.criteria.irreducibility import check_irreducible_at

    J = [[1, 1, 1, 1], [0, 1, 1, 1], [1, -1, 1, 0], [1, 1, -1, 0]]
    g, point = _generator(J, [[0, 1, 2], [3]], list(range(4)))
    r = check_irreducible_at(CheckContext(g, readings=Readings(m_basis="sparsest-aligned")), point, "M")
    assert r.verdict == "refuted", r  # reducible: a valid split exists (brute force, below)
    groups = []
    for part in r.witness["split"]:
        vectors = [[sp.Rational(x) for x in v] for v in part]
        if len(vectors) == 1:
            groups.append([tuple(vectors[0])])
            continue
        combos = []
        for c in itertools.product(range(-3, 4), repeat=2):
            if math.gcd(*map(abs, c)) == 1:
                combos.append(tuple(c[0] * a + c[1] * b for a, b in zip(*vectors)))
        best = min(len(_support(J, u)) + len(_support(J, v)) for u, v in itertools.combinations(combos, 2) if sp.Matrix([u, v]).rank() == 2)
        groups.append(sorted({w for u, v in itertools.combinations(combos, 2) if sp.Matrix([u, v]).rank() == 2 and len(_support(J, u)) + len(_support(J, v)) == best for w in (u, v)}))
    groups.append([(0, 0, 0, 1)])
    for i, j in itertools.permutations(range(len(groups)), 2):
        assert not any(_support(J, a) <= _support(J, b) for a in groups[i] for b in groups[j]), (i, j, groups)


def test_m_in_b_star_with_one_dimensional_factors_at_an_irrational_jacobian():
    """g = (e^s1 + s2, s2): every factor is 1-D, so B* is the coordinate basis up to scale and
    Type M in B* is the coordinate check, which decides it where J is irrational (it was
    `unknown`, not-rational).  Truth: the columns at (1/3, 1/2) by sympy's diff,
    (e^(1/3), 0) and (1, 1): the first support lies inside the second."""
    s1, s2 = sp.symbols("s1 s2", real=True)
    at = {s1: sp.Rational(1, 3), s2: sp.Rational(1, 2)}
    rows = [sp.exp(s1) + s2, s2]
    columns = [[sp.diff(r, v).xreplace(at) for r in rows] for v in (s1, s2)]
    assert columns == [[sp.exp(sp.Rational(1, 3)), 0], [1, 1]]
    g = Generator("m-exp", [[s1], [s2]], rows, Box({s1: (-1, 1), s2: (-1, 1)}))
    r = check_containment_sparsest_at(CheckContext(g, readings=Readings(m_basis="sparsest-aligned")), at)
    assert r.verdict == "refuted", r

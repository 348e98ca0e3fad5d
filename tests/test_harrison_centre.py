"""H_n-irreducibility for n >= 3 through the centre of the derivative tensors (docs/mathematics.md
7.7), against an independent route: z3 nlsat searching directly for an idempotent P whose split
makes every mixed n-th derivative vanish (the polynomial formulation of section 7.6)."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
import z3

from theory.criteria.harrison_centre import centre_split, mixed_vanish, tensor_value


def _power_tensor(linear: list[Fraction], n: int, scale: Fraction = Fraction(1)) -> dict:
    """The symmetric tensor of scale * (l . x)^n: entries n! * scale * prod l_i (by sorted index)."""
    d = len(linear)
    out = {}
    fact = 1
    for k in range(2, n + 1):
        fact *= k
    for idx in itertools.combinations_with_replacement(range(d), n):
        value = Fraction(fact) * scale
        for i in idx:
            value *= linear[i]
        if value:
            out[idx] = value
    return out


def _add(*tensors):
    out: dict = {}
    for A in tensors:
        for k, v in A.items():
            out[k] = out.get(k, Fraction(0)) + v
    return {k: v for k, v in out.items() if v}


def _random_tensor(rng: random.Random, d: int, n: int) -> dict:
    return {idx: Fraction(rng.randint(-3, 3)) for idx in itertools.combinations_with_replacement(range(d), n) if rng.random() < 0.7}


def _z3_reducible(tensors, d: int, n: int) -> str:
    """sat: an idempotent P (1 <= tr P <= d - 1) with every mixed value A(P.., Q..) = 0."""
    P = [[z3.Real(f"p{i}{j}") for j in range(d)] for i in range(d)]
    Q = [[(1 if i == j else 0) - P[i][j] for j in range(d)] for i in range(d)]
    s = z3.SolverFor("QF_NRA")
    s.set("timeout", 20_000)
    for i in range(d):
        for j in range(d):
            s.add(z3.Sum([P[i][l] * P[l][j] for l in range(d)]) == P[i][j])
    tr = z3.Sum([P[i][i] for i in range(d)])
    s.add(tr >= 1, tr <= d - 1)
    cols = {0: [[P[r][c] for r in range(d)] for c in range(d)], 1: [[Q[r][c] for r in range(d)] for c in range(d)]}
    for A in tensors:
        for sides in itertools.product((0, 1), repeat=n):
            if len(set(sides)) < 2 or list(sides) != sorted(sides):
                continue
            for idx in itertools.product(range(d), repeat=n):
                vecs = [cols[side][i] for side, i in zip(sides, idx)]
                terms = []
                for full in itertools.product(range(d), repeat=n):
                    a = A.get(tuple(sorted(full)), 0)
                    if a:
                        term = z3.RealVal(str(a))
                        for v, k in zip(vecs, full):
                            term = term * v[k]
                        terms.append(term)
                if terms:
                    s.add(z3.Sum(terms) == 0)
    return str(s.check())


@pytest.mark.parametrize("case", range(14))
def test_centre_agrees_with_idempotent_search(case):
    rng = random.Random(case)
    d, n = 2, 3
    kind = case % 3
    if kind == 0:  # a direct sum of cubes of two independent rational linear forms
        while True:
            l1 = [Fraction(rng.randint(-3, 3)) for _ in range(d)]
            l2 = [Fraction(rng.randint(-3, 3)) for _ in range(d)]
            if l1[0] * l2[1] - l1[1] * l2[0]:
                break
        tensors = [_add(_power_tensor(l1, n, Fraction(rng.randint(1, 3))), _power_tensor(l2, n, Fraction(rng.randint(-3, -1))))]
        tensors.append(_power_tensor(l1, n))
    elif kind == 1:  # generic random cubics (two of them)
        tensors = [_random_tensor(rng, d, n), _random_tensor(rng, d, n)]
    else:  # one random cubic: reducible over the reals exactly when its discriminant is negative
        tensors = [_random_tensor(rng, d, n)]
    tensors = [A for A in tensors if A]
    if not tensors:
        pytest.skip("empty family")
    answer = centre_split(tensors, d, n, seed=case)
    oracle = _z3_reducible(tensors, d, n)
    assert oracle in ("sat", "unsat")
    if answer.status == "reducible":
        assert oracle == "sat"
        first, second = answer.split
        assert first and second and mixed_vanish(tensors, first, second, n)
    elif answer.status == "irreducible":
        assert oracle == "unsat"
    else:  # an irrational split: reducible over the reals
        assert oracle == "sat"
    if kind == 0:
        assert answer.status == "reducible"


def test_three_dimensional_families():
    """x^2 y + z^3 splits ({x, y} | {z}); x y z does not (the centre is diagonal but its semisimple
    part has three components only for x^3 + y^3 + z^3); a common kernel direction splits off."""
    e = lambda i: [Fraction(int(i == j)) for j in range(3)]
    xyz = {(0, 1, 2): Fraction(1)}
    x2y_z3 = {(0, 0, 1): Fraction(2), (2, 2, 2): Fraction(6)}
    answer = centre_split([x2y_z3], 3, 3)
    assert answer.status == "reducible" and mixed_vanish([x2y_z3], *answer.split, 3)
    assert sorted(len(part) for part in answer.split) == [1, 2]
    assert centre_split([xyz], 3, 3).status == "irreducible"
    assert _z3_reducible([xyz], 3, 3) == "unsat"
    only_xy = {(0, 0, 1): Fraction(2)}  # z is in the common kernel
    answer = centre_split([only_xy], 3, 3)
    assert answer.status == "reducible" and answer.method == "common-kernel"
    assert tensor_value(only_xy, [e(0), e(0), e(1)]) == 2


def test_irrational_split_is_undecided_not_refuted():
    """x^3 - 6 x y^2 ... a binary cubic whose real direct sum needs sqrt: reported undecided."""
    # (x + sqrt(2) y)^3 + (x - sqrt(2) y)^3 = 2 x^3 + 12 x y^2: reducible over R, not over Q
    A = {(0, 0, 0): Fraction(12), (0, 1, 1): Fraction(24)}
    answer = centre_split([A], 2, 3)
    assert answer.status == "undecided"
    assert _z3_reducible([A], 2, 3) == "sat"


def test_order_four():
    """x^4 + y^4 splits along the axes, (x^2 + y^2)^2 does not."""
    x4_y4 = {(0, 0, 0, 0): Fraction(24), (1, 1, 1, 1): Fraction(24)}
    answer = centre_split([x4_y4], 2, 4)
    assert answer.status == "reducible" and mixed_vanish([x4_y4], *answer.split, 4)
    square = {(0, 0, 0, 0): Fraction(24), (0, 0, 1, 1): Fraction(8), (1, 1, 1, 1): Fraction(24)}
    assert centre_split([square], 2, 4).status == "irreducible"
    assert _z3_reducible([square], 2, 4) == "unsat"

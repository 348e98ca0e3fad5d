"""Vectors on few columns (theory/linalg/sparse_normals.py): exact weights, and the bases built from
them bound rho* and rho- from above (checked against the exact engine and a brute force)."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

from theory.linalg.rational import nullspace, rank
from theory.linalg.rho import sparsity, verify_sparsity
from theory.linalg.sparse_normals import best_exchange, generic_normals, light_basis, sparse_vectors
from theory.linalg.sparsest_basis import basis_weight, is_aligned, sparsest_basis, weight


def _matrix(rng: random.Random, m: int, d: int) -> list[list[Fraction]]:
    return [[Fraction(rng.choice((0, 1, -1, 2, -2, 3))) for _ in range(d)] for _ in range(m)]


def _lightest_on_two_columns(J: list[list[Fraction]]) -> int:
    """Brute force: the least weight of a nonzero vector supported on at most two columns (every
    normal of one row inside a pair of columns, and every coordinate vector)."""
    d = len(J[0])
    best = len(J)
    for a in range(d):
        x = [Fraction(int(b == a)) for b in range(d)]
        best = min(best, weight(J, x))
    for a, b in itertools.combinations(range(d), 2):
        for row in J:
            for u in nullspace([[row[a], row[b]]], 2):
                x = [Fraction(0)] * d
                x[a], x[b] = u
                if any(x):
                    best = min(best, weight(J, x))
    return best


def test_weights_are_exact_and_the_lightest_pair_vector_is_found():
    rng = random.Random(0)
    for _ in range(40):
        J = _matrix(rng, rng.randint(3, 12), rng.randint(2, 5))
        found = sparse_vectors(J, max_support=2, keep=10_000)
        assert found
        for w, x in found:
            assert any(x) and sum(1 for v in x if v) <= 2
            assert weight(J, x) == w
        assert found[0][0] == _lightest_on_two_columns(J)


def test_bases_bound_rho_from_above():
    rng = random.Random(1)
    for _ in range(25):
        d = rng.randint(2, 4)
        J = _matrix(rng, rng.randint(d, 8), d)
        if rank(J) < d:
            continue
        blocks = [list(range(0, d // 2)), list(range(d // 2, d))]
        exact = sparsity(J, blocks, engine="matroid")
        candidates = sparse_vectors(J)
        aligned = exact.aligned_basis
        basis = light_basis(candidates, [(weight(J, u), u) for u in aligned], d)
        assert basis is not None and rank([v for v, _ in basis]) == d
        assert sum(w for _, w in basis) >= exact.rho_star
        exchanged = best_exchange(J, blocks, aligned, candidates)
        if exchanged is not None:
            assert rank(exchanged) == d and not is_aligned(exchanged, blocks)
            assert basis_weight(J, exchanged) >= exact.rho_minus


# -- normals of random d - 1 rows (generic_normals) ------------------------------------------------
def _generic(rng: random.Random, m: int, d: int) -> list[list[Fraction]]:
    return [[Fraction(rng.randint(-999, 999) or 1) for _ in range(d)] for _ in range(m)]


def test_generic_normals_are_exact_kernel_vectors_of_d_minus_1_rows():
    rng = random.Random(3)
    for trial in range(30):
        m, d = rng.randint(4, 9), rng.randint(2, 4)
        J = _matrix(rng, m, d) if trial % 2 else _generic(rng, m, d)
        found = generic_normals(J, random.Random(trial), tries=10)
        assert [w for w, _ in found] == sorted(w for w, _ in found)
        assert len({tuple(x) for _, x in found}) == len(found)
        for w, x in found:
            assert any(x) and all(v.denominator == 1 for v in x)
            zeros = [i for i, row in enumerate(J) if sum(a * b for a, b in zip(row, x)) == 0]
            assert w == m - len(zeros) == weight(J, x)
            assert rank([J[i] for i in zeros]) == d - 1  # x is the normal of a hyperplane of rows
            assert w <= m - d + 1


def test_generic_normals_give_the_sparsest_basis_in_general_position():
    """Brute force: in general position (every d rows independent, checked) every nonzero vector
    weighs at least m - d + 1, and the greedy basis over the normals attains d (m - d + 1)."""
    rng = random.Random(5)
    checked = 0
    for trial in range(12):
        m, d = rng.randint(5, 9), rng.randint(2, 4)
        J = _generic(rng, m, d)
        if any(rank([J[i] for i in rows]) < d for rows in itertools.combinations(range(m), d)):
            continue
        checked += 1
        exact = sum(w for _, w in sparsest_basis(J, range(d)))  # the flat enumeration, an independent algorithm
        basis = light_basis(generic_normals(J, random.Random(trial)), [], d)
        assert basis is not None
        assert sum(w for _, w in basis) == exact == d * (m - d + 1)
    assert checked >= 8


def test_generic_normals_bound_rho_minus_past_the_budget():
    """A dense generic 40 x 8 (blocks 4, 4) past a 2 s budget: rho- is bounded by a mixing basis of
    normals, below rho+, and that witness re-verifies (Type S fails in both readings)."""
    rng = random.Random(1)
    J = _generic(rng, 40, 8)
    blocks = [[0, 1, 2, 3], [4, 5, 6, 7]]
    result = sparsity(J, blocks, budget=2)
    assert verify_sparsity(J, blocks, result) == []
    upper = result.bounds["rho_minus"][1] if result.status == "bounds" else result.rho_minus
    assert result.rho_plus is not None and upper < result.rho_plus
    assert upper <= 8 * (40 - 8 + 1)
    assert not is_aligned(result.misaligned_basis, blocks)

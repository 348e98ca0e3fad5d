"""Vectors on few columns (theory/linalg/sparse_normals.py): exact weights, and the bases built from
them bound rho* and rho- from above (checked against the exact engine and a brute force)."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

from theory.linalg.rational import nullspace, rank
from theory.linalg.rho import sparsity
from theory.linalg.sparse_normals import best_exchange, light_basis, sparse_vectors
from theory.linalg.sparsest_basis import basis_weight, is_aligned, weight


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

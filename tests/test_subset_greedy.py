"""The greedy through all (n-1)-subsets modulo a prime (theory.linalg.subset_greedy) against an
independent brute force in Fractions (tests/exact_linalg.py: no prime, no FLINT, no flats)."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest

from exact_linalg import independent_rows, kernel, rank
from theory.linalg.matroid import hyperplanes
from theory.linalg.modular import PRIME
from theory.linalg.sparsest_basis import SUBSETS_FROM, sparsest_basis, weight
from theory.linalg.subset_greedy import sparsest_basis_by_subsets


def brute_weights(J: list[list[Fraction]], cols: list[int]) -> list[int]:
    """Sorted greedy weights over every hyperplane, each from every independent (n-1)-subset."""
    m, n = len(J), len(cols)
    sub = [[row[a] for a in cols] for row in J]
    cands = []
    for T in itertools.combinations(range(m), n - 1):
        rows = [sub[i] for i in T]
        if rank(rows, n) != n - 1:
            continue
        (u,) = kernel(rows, n)
        w = sum(1 for row in sub if sum(a * b for a, b in zip(row, u)) != 0)
        cands.append((w, u))
    cands.sort(key=lambda c: c[0])
    kept = independent_rows([u for _, u in cands])
    return sorted(cands[i][0] for i in kept)


def random_matrix(rng: random.Random, m: int, n: int, kind: str) -> list[list[Fraction]]:
    if kind == "small":
        J = [[Fraction(rng.choice((-2, -1, 0, 0, 1, 1, 2))) for _ in range(n)] for _ in range(m)]
        for _ in range(rng.randrange(3)):  # parallel rows and zero rows
            i, j = rng.randrange(m), rng.randrange(m)
            J[i] = [rng.choice((-2, 1, 3)) * x for x in J[j]] if rng.random() < 0.7 else [Fraction(0)] * n
        return J
    return [[Fraction(rng.randrange(-10**30, 10**30), rng.randrange(1, 10**30)) for _ in range(n)] for _ in range(m)]


@pytest.mark.parametrize("p", [3, 5, 7, 101, PRIME])
def test_same_weights_as_brute_force_for_any_prime(p: int) -> None:
    """Small primes make the groups merge different hyperplanes and make subsets dependent by
    accident: the exact checks must still give the brute force's weights."""
    rng = random.Random(p)
    tried = 0
    for trial in range(60):
        m, n = rng.randrange(5, 11), rng.randrange(2, 5)
        J = random_matrix(rng, m, n, "small" if trial % 4 else "huge")
        cols = list(range(n))
        got = sparsest_basis_by_subsets(J, cols, n, seed=trial, redo_cap=10**6, p=p)
        if rank(J, n) < n:
            assert got is None
            continue
        if got is None:  # full rank not proved modulo p (possible for a small prime only)
            assert p < 100
            continue
        tried += 1
        assert sorted(w for _, w in got) == brute_weights(J, cols)
        vectors = [v for v, _ in got]
        assert len(independent_rows(vectors)) == n
        assert all(weight(J, v) == w for v, w in got)
        assert [w for _, w in got] == sorted(w for _, w in got)  # lightest first
    assert tried >= 20


def test_columns_subset_and_embedding() -> None:
    rng = random.Random(7)
    for _ in range(20):
        m, d = rng.randrange(6, 10), 5
        J = random_matrix(rng, m, d, "small")
        cols = sorted(rng.sample(range(d), 3))
        got = sparsest_basis_by_subsets(J, cols, d)
        sub_rank = rank([[row[a] for a in cols] for row in J], 3)
        if sub_rank < 3:
            assert got is None
            continue
        assert got is not None
        assert all(len(v) == d and all(v[a] == 0 for a in range(d) if a not in cols) for v, _ in got)
        assert sorted(w for _, w in got) == brute_weights(J, cols)


def test_declines_past_its_caps() -> None:
    J = [[Fraction(i + 1), Fraction((i * i) % 7 + 1), Fraction(1)] for i in range(12)]
    assert sparsest_basis_by_subsets(J, [0, 1, 2], cap=10) is None  # C(12, 2) = 66 subsets
    dependent = [[Fraction(1), Fraction(2), Fraction(3)]] * 6 + [[Fraction(0), Fraction(1), Fraction(0)], [Fraction(0), Fraction(0), Fraction(1)]]
    assert sparsest_basis_by_subsets(dependent, [0, 1, 2], redo_cap=3) is None  # 15 pairs of equal rows


def test_sparsest_basis_uses_it_with_the_same_weights() -> None:
    """Above SUBSETS_FROM subsets sparsest_basis takes this path; forcing the flat enumeration
    (``planes``) gives the same weights on a matrix with many coincidences."""
    rng = random.Random(3)
    m, n = 30, 4
    assert len(list(itertools.combinations(range(m), n - 1))) >= SUBSETS_FROM
    J = [[Fraction(rng.choice((1, -1, 2, -2, 3))) for _ in range(n)] for _ in range(m)]
    fast = sparsest_basis(J, range(n), n)
    slow = sparsest_basis(J, range(n), n, planes=hyperplanes(J))
    assert [w for _, w in fast] == [w for _, w in slow]
    assert len(independent_rows([v for v, _ in fast])) == n

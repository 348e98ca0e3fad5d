"""Structure before search (docs/mathematics.md 5.11): hyperplanes modulo a prime, the
mixing-weight bound and the structure route of ``sparsity``, each against an independent
computation (exact elimination, brute force over row subsets, the matroid engine)."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest

import theory.linalg.modular as modular
import theory.linalg.rho as rho
from theory.linalg.mixing_bound import mixing_weight_bound, mixing_witness
from theory.linalg.modular import largest_hyperplane_mod_p, rank_mod_p, rows_mod_p
from theory.linalg.rational import nullspace, rank
from theory.linalg.rho import sparsity
from theory.linalg.rho_bounds import largest_annihilated
from theory.linalg.sparsest_basis import mixes, weight


def _random_matrix(rng: random.Random, m: int, n: int, values=(0, 0, 1, -1, 2, 3)) -> list[list[Fraction]]:
    return [[Fraction(rng.choice(values)) for _ in range(n)] for _ in range(m)]


def _structured(rng: random.Random, private: int, shared: int, sizes: list[int], digits: int = 0) -> tuple[list[list[Fraction]], list[list[int]]]:
    """Rows private to each block, then rows shared by all blocks (the experiment's layout)."""
    d = sum(sizes)
    blocks, start = [], 0
    for s in sizes:
        blocks.append(list(range(start, start + s)))
        start += s

    def entry() -> Fraction:
        if digits:
            return Fraction(rng.randint(1, 10**digits) * rng.choice((1, -1)), rng.randint(1, 10**digits))
        return Fraction(rng.choice((1, -1, 2, -2, 3)))

    J = []
    for block in blocks:
        for _ in range(private):
            J.append([entry() if a in block else Fraction(0) for a in range(d)])
    for _ in range(shared):
        J.append([entry() for _ in range(d)])
    return J, blocks


# -- hyperplanes modulo p ---------------------------------------------------------------------
@pytest.mark.parametrize("subsets", [True, False], ids=["subsets", "search"])
def test_largest_hyperplane_mod_p_matches_exact_elimination(subsets, monkeypatch):
    """Both strategies equal the exact largest_annihilated on small integer matrices of full rank."""
    if not subsets:
        monkeypatch.setattr(modular, "SUBSET_LIMIT", 0)
    rng = random.Random(7)
    compared = 0
    for _ in range(250):
        m, n = rng.randint(1, 9), rng.randint(1, 4)
        A = _random_matrix(rng, m, n)
        bound = largest_hyperplane_mod_p(rows_mod_p(A))
        if rank(A) < n:
            assert bound is None
            continue
        assert bound is not None and bound.size == largest_annihilated(A)
        # the reported rows are that hyperplane: rank n - 1 and of the reported size
        assert len(bound.rows) == bound.size and rank([A[i] for i in sorted(bound.rows)] or [[Fraction(0)] * n]) <= n - 1
        compared += 1
    assert compared > 100


def test_modular_bound_is_an_upper_bound_when_p_divides_a_minor():
    """Row 2 is parallel to row 0 modulo p but not over the rationals: the bound is larger, never smaller."""
    p = 101
    A = [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)], [Fraction(1), Fraction(p)]]
    assert largest_annihilated(A) == 1
    assert largest_hyperplane_mod_p(rows_mod_p(A, p), p).size == 2
    assert rank_mod_p(rows_mod_p([[Fraction(1), Fraction(1)], [Fraction(1), Fraction(1 + p)]], p), p) == 1


def test_modular_bound_on_long_rationals_matches_exact():
    rng = random.Random(3)
    A = [[Fraction(rng.randint(1, 10**60), rng.randint(1, 10**60)) * rng.choice((1, -1)) for _ in range(4)] for _ in range(9)]
    A.append([a + b for a, b in zip(A[0], A[1])])  # rows 0, 1, 9 span a plane: with one more row, a hyperplane of 4
    assert largest_hyperplane_mod_p(rows_mod_p(A)).size == largest_annihilated(A) == 4


# -- the mixing-weight bound ------------------------------------------------------------------
def _brute_min_mixing_weight(J, blocks, rng) -> int | None:
    """Least weight of a mixing vector: a generic vector of ker J_S for every row subset S."""
    m, d = len(J), len(J[0])
    best = None
    for size in range(m + 1):
        for S in itertools.combinations(range(m), size):
            N = nullspace([J[i] for i in S], d) if S else [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
            if not N:
                continue
            for _ in range(4):
                coef = [Fraction(rng.randint(-50, 50)) for _ in N]
                x = [sum((c * u[a] for c, u in zip(coef, N)), Fraction(0)) for a in range(d)]
                if any(x) and mixes(x, blocks):
                    w = weight(J, x)
                    best = w if best is None else min(best, w)
    return best


def test_mixing_bound_is_below_brute_force_and_tight_when_attained():
    rng = random.Random(11)
    tight = compared = 0
    for trial in range(60):
        sizes = rng.choice([[1, 1], [1, 2], [2, 2], [1, 1, 1], [1, 1, 2]])
        if rng.random() < 0.5:
            J, blocks = _structured(rng, rng.randint(0, 2), rng.randint(0, 3), sizes)
        else:
            d = sum(sizes)
            blocks = [list(range(sum(sizes[:k]), sum(sizes[: k + 1]))) for k in range(len(sizes))]
            J = _random_matrix(rng, rng.randint(2, 7), d)
        if len(J) > 9 or not any(any(r) for r in J):
            continue
        brute = _brute_min_mixing_weight(J, blocks, rng)
        bound = mixing_weight_bound(J, blocks)
        assert bound is not None and brute is not None
        assert bound.lower <= brute, (trial, J, blocks)
        x = mixing_witness(J, blocks, bound, seed=trial)
        if x is not None:
            assert mixes(x, blocks)
            assert weight(J, x) >= brute
            if weight(J, x) == bound.lower:
                assert brute == bound.lower
        tight += bound.lower == brute
        compared += 1
    assert compared >= 40
    assert tight >= compared * 0.8  # the bound is the point of the exercise: mostly exact


def test_mixing_bound_memo_changes_nothing():
    """The memo of h(V) shared by the target pass and the exact pass (as _structure_first does)
    gives the bounds computed without it, and is filled."""
    rng = random.Random(12)
    for _ in range(6):
        J, blocks = _structured(rng, 2, 6, [2, 2, 2], digits=12)
        memo: dict = {}
        plain = mixing_weight_bound(J, blocks)
        target = mixing_weight_bound(J, blocks, target=3, memo=memo)
        assert memo
        assert mixing_weight_bound(J, blocks, memo=memo) == plain
        assert target == mixing_weight_bound(J, blocks, target=3)


def test_mixing_bound_beats_private_rows_certificate_on_overlapping_factors():
    """Two 3-dim factors, 3 private rows each and 8 shared: the private-rows bound
    spends the rank budget twice, the mixing-weight bound does not."""
    from theory.linalg.rho_bounds import mixing_weight_lower_bound

    rng = random.Random(5)
    J, blocks = _structured(rng, 3, 8, [3, 3], digits=20)
    bound = mixing_weight_bound(J, blocks)
    x = mixing_witness(J, blocks, bound)
    assert weight(J, x) == bound.lower == 14 - 5  # generic: 5 zeros in rank 6
    assert mixing_weight_lower_bound(J, blocks) < bound.lower


# -- the structure route of sparsity ------------------------------------------------------------
def _numbers(r):
    return r.status, r.rho_plus, r.rho_minus, r.rho_star


@pytest.mark.parametrize("case", range(8))
def test_structure_route_agrees_with_matroid_engine(case, monkeypatch):
    rng = random.Random(100 + case)
    if case < 5:
        J, blocks = _structured(rng, rng.randint(1, 4), rng.randint(2, 6), rng.choice([[2, 2], [3, 2], [2, 1, 1]]), digits=rng.choice((0, 12)))
    else:  # dense, long rationals: the uniform lower bound
        d = rng.choice((3, 4))
        J = [[Fraction(rng.randint(1, 10**15), rng.randint(1, 10**15)) for _ in range(d)] for _ in range(rng.randint(6, 10))]
        blocks = [[0], list(range(1, d))] if case == 5 else [[a] for a in range(d)]
    monkeypatch.setattr(rho, "STRUCTURE_THRESHOLD", -1)
    structured = sparsity(J, blocks, budget=60)
    monkeypatch.setattr(rho, "STRUCTURE_THRESHOLD", 10**12)
    engine = sparsity(J, blocks, budget=60)
    assert engine.status == "exact"
    if structured.engine == "structure":
        assert _numbers(structured) == _numbers(engine)
    else:
        assert structured.status == "exact" and _numbers(structured) == _numbers(engine)


def test_structure_route_is_taken_and_exact_on_overlapping_factors(monkeypatch):
    rng = random.Random(9)
    J, blocks = _structured(rng, 3, 8, [3, 3], digits=30)
    monkeypatch.setattr(rho, "STRUCTURE_THRESHOLD", -1)
    r = sparsity(J, blocks, budget=60)
    assert r.engine == "structure" and r.status == "exact"
    monkeypatch.setattr(rho, "STRUCTURE_THRESHOLD", 10**12)
    assert _numbers(sparsity(J, blocks, budget=60)) == _numbers(r)


@pytest.mark.parametrize("seed", range(4))
def test_structure_route_through_all_row_subsets_on_dense_small_integers(seed, monkeypatch):
    """No private rows and many coincidences (small integers): the mixing bound is weak, and
    rho* through all (d-1)-subsets modulo a prime decides.  Same numbers as the flat search."""
    rng = random.Random(200 + seed)
    d = 5
    J = [[Fraction(rng.choice((1, -1, 2, -2, 3))) for _ in range(d)] for _ in range(12)]
    blocks = [[0, 1], [2, 3, 4]]
    monkeypatch.setattr(rho, "STRUCTURE_THRESHOLD", -1)
    structured = sparsity(J, blocks, budget=60)
    monkeypatch.setattr(rho, "STRUCTURE_THRESHOLD", 10**12)
    engine = sparsity(J, blocks, budget=60)
    assert engine.status == "exact"
    assert _numbers(structured) == _numbers(engine)
    if engine.rho_star < engine.rho_plus:
        assert structured.engine == "structure" and "subsets" in structured.note


def test_auto_tries_the_structure_first_on_dense_short_entries(monkeypatch):
    """A dense matrix of small integers has about C(m, d-1) flats: ``auto`` goes to the structure
    first (DENSE_SHARE) and decides there, with the flat search's numbers."""
    rng = random.Random(31)
    J = [[Fraction(rng.choice((1, -1, 2, -2, 3))) for _ in range(6)] for _ in range(25)]
    blocks = [[0, 1], [2, 3], [4, 5]]
    assert rho._search_cost(25, 6, rho._entry_bits(J)) > rho.STRUCTURE_THRESHOLD
    auto = sparsity(J, blocks, engine="auto", budget=60)
    monkeypatch.setattr(rho, "STRUCTURE_THRESHOLD", 10**12)
    engine = sparsity(J, blocks, budget=60)
    assert engine.status == "exact" and _numbers(auto) == _numbers(engine)
    if engine.rho_star < engine.rho_plus:
        assert auto.engine == "structure"

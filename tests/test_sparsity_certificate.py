"""The private-rows certificate of Type S (``theory.linalg.rho.sparsity_gap_certificate``).

Claim (proved in the function's docstring): with ``mix_lb`` a lower bound on the weight of
every mixing vector and ``W`` the heaviest vector of an aligned basis, ``mix_lb > W``
implies ``rho* = rho+`` and ``rho- >= rho+ + (mix_lb - W)``.

Everything used to *judge* it is written here from the definitions, without calling
``theory.linalg.rational`` or ``theory.linalg.matroid``:

* an exact Fraction elimination (rank, kernel) of its own;
* the true least weight of a mixing vector, by brute force over row subsets ``T``: every
  vector ``x`` lies in ``U_T = ker J_T`` for ``T = Z(x)``, a generic element of ``U_T``
  weighs ``m - |{rows annihilating U_T}|`` (no more than ``x``), and it mixes exactly when
  ``U_T`` lies in no single block (a space is not a finite union of proper subspaces);
* the true ``h`` (most rows one nonzero vector annihilates): the largest row subset of rank
  below the dimension, by brute force over subsets;
* the exact engine (``sparsity(..., engine="matroid")`` without a budget), itself checked
  against brute force in ``tests/test_sparsity.py``.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations

import pytest
import sympy as sp

from tests.exact_linalg import kernel, rank
from theory.budget import Budget
from theory.linalg.rho import (
    ANNIHILATION_SUBSET_CAP,
    largest_annihilated,
    mixing_weight_lower_bound,
    sparsity,
    sparsity_gap_certificate,
)

ENTRIES = (1, -1, 2, -2, 3, 1, 1)  # small nonzero integers, repeats make parallel rows likely


# -- independent exact linear algebra -------------------------------------------------------
def _dot(row, x):
    return sum((a * b for a, b in zip(row, x)), Fraction(0))


# -- brute force ----------------------------------------------------------------------------
def least_mixing_weight(J, blocks):
    """The least ``|supp(J x)|`` over vectors ``x`` with nonzero parts in two blocks."""
    m, d = len(J), len(J[0])
    best = None
    for size in range(m + 1):
        for T in combinations(range(m), size):
            U = kernel([J[i] for i in T], d)
            if not U or any(all(u[a] == 0 for u in U for a in range(d) if a not in block) for block in blocks):
                continue  # U_T = 0, or it lies inside one block: nothing in it mixes
            annihilating = sum(1 for row in J if all(_dot(row, u) == 0 for u in U))
            w = m - annihilating
            best = w if best is None else min(best, w)
    return best


def most_annihilated(rows, n):
    """The largest number of ``rows`` (in R^n) of rank below ``n``: what one nonzero x can kill."""
    for size in range(len(rows), -1, -1):
        if any(rank([rows[i] for i in T], n) < n for T in combinations(range(len(rows)), size)):
            return size
    raise AssertionError("unreachable: the empty set has rank 0 < n")


def random_blocks(rng, d):
    cols = list(range(d))
    rng.shuffle(cols)
    k = rng.randint(2, d)
    cuts = sorted(rng.sample(range(1, d), k - 1))
    return [sorted(cols[a:b]) for a, b in zip([0, *cuts], [*cuts, d])]


def random_instance(rng):
    """A small exact J (m <= 8, d <= 4) whose rows are mostly private to one block."""
    d = rng.randint(2, 4)
    blocks = random_blocks(rng, d)
    m = rng.randint(3, 8)
    J = []
    for _ in range(m):
        inside = set(rng.choice(blocks)) if rng.random() < 0.8 else set(range(d))
        J.append([Fraction(rng.choice(ENTRIES)) if a in inside and rng.random() < 0.75 else Fraction(0) for a in range(d)])
    return J, blocks


def identity(d):
    return [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]


# -- h_k ------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_largest_annihilated_matches_brute_force(seed):
    rng = random.Random(seed)
    for _ in range(40):
        n = rng.randint(1, 4)
        rows = [[Fraction(rng.choice((0, 0, *ENTRIES))) for _ in range(n)] for _ in range(rng.randint(0, 8))]
        assert largest_annihilated(rows) == most_annihilated(rows, n), rows


# -- soundness ------------------------------------------------------------------------------
def test_certificate_is_sound_against_brute_force():
    rng = random.Random(20240611)
    certified = 0
    multi_dimensional = 0
    for _ in range(150):
        J, blocks = random_instance(rng)
        d = len(J[0])
        true_mix = least_mixing_weight(J, blocks)
        bound = mixing_weight_lower_bound(J, blocks)
        assert bound is not None and true_mix is not None
        assert bound <= true_mix, (J, blocks, bound, true_mix)
        exact = sparsity(J, blocks, engine="matroid")
        assert exact.status == "exact"
        for basis in (exact.aligned_basis, identity(d)):
            cert = sparsity_gap_certificate(J, blocks, basis)
            if cert is None:
                continue
            certified += 1
            multi_dimensional += any(len(b) > 1 for b in blocks)
            assert cert["mixing_weight_lower_bound"] == bound
            assert cert["gap_lower_bound"] == bound - cert["aligned_max_weight"] >= 1
            assert exact.rho_star == exact.rho_plus, (J, blocks, cert)
            assert exact.rho_minus - exact.rho_plus >= cert["gap_lower_bound"], (J, blocks, cert, exact.to_json())
            assert exact.type_s("strict") is True
    assert certified >= 40, certified  # the test must be able to fail
    assert multi_dimensional >= 10, multi_dimensional


# -- the motivating shape: a budget-exhausted exchange step ---------------------------------
def motivating_matrix(seed=1):
    """35 x 6: rows 0..14 only in block 1, 15..29 only in block 2, 30..34 in both; generic
    rationals with big denominators."""
    rng = random.Random(seed)
    J = []
    for i in range(35):
        cols = range(3) if i < 15 else range(3, 6) if i < 30 else range(6)
        J.append([Fraction(rng.randint(-(10**6), 10**6), rng.randint(1, 10**6)) if a in cols else Fraction(0) for a in range(6)])
    return J


BLOCKS = [[0, 1, 2], [3, 4, 5]]


@pytest.mark.parametrize("engine", ["matroid", "z3"])
def test_motivating_shape_decided_by_the_certificate(engine):
    J = motivating_matrix()
    assert mixing_weight_lower_bound(J, BLOCKS) == 2 * (15 - 2)  # generic: h_k = d_k - 1 = 2
    r = sparsity(J, BLOCKS, engine=engine, budget=Budget(0.3))
    assert r.status == "bounds"
    assert r.type_s("strict") is True and r.type_s("non-strict") is True
    cert = r.gap_certificate
    assert cert is not None and r.gap_lower == cert["gap_lower_bound"] >= 1
    if cert["kind"] == "private-rows certificate":
        assert cert["private_rows"] == [list(range(15)), list(range(15, 30))]
        assert cert["annihilated"] == [2, 2]
    else:  # the structure route (docs/mathematics.md 5.11) got there first: its bound is at least as strong
        assert cert["kind"] == "mixing-weight bound"
        assert cert["mixing_weight_lower_bound"] >= mixing_weight_lower_bound(J, BLOCKS)
    lower, upper = r.bounds["rho_minus"]
    plus_lower = r.bounds["rho_plus"][0]
    assert lower >= plus_lower + r.gap_lower and lower <= upper
    if r.rho_plus is not None:  # the aligned greedy finished: rho* = rho+ is proven too
        assert lower >= r.rho_plus + r.gap_lower and r.rho_star == r.rho_plus
    assert cert["kind"] in r.note
    out = r.to_json()
    assert out["gap_lower"] == r.gap_lower and out["gap_certificate"] == cert


def test_without_the_gap_the_same_bounds_would_not_decide():
    """The certificate is what decides: the coordinate-basis bounds alone do not separate."""
    J = motivating_matrix()
    r = sparsity(J, BLOCKS, engine="z3", budget=Budget(0.05))
    assert r.status == "bounds" and r.gap_lower is not None
    r.gap_lower = None
    if r.rho_plus is None:
        assert r.type_s() is None


@pytest.mark.parametrize("engine", ["matroid", "auto"])
def test_criterion_s_reports_proved_via_the_certificate(engine):
    from theory import Box, Generator
    from theory.criteria.context import CheckContext
    from theory.criteria.sparsity_gap import check_sparsity_gap_at

    J = motivating_matrix()
    s = sp.symbols("s1:7", real=True)
    outputs = [sum(sp.Rational(x.numerator, x.denominator) * v for x, v in zip(row, s)) for row in J]
    point = {v: sp.S(0) for v in s}
    g = Generator("private-rows", [list(s[:3]), list(s[3:])], outputs, Box({v: (-1, 1) for v in s}), points=[point])
    ctx = CheckContext(g)
    assert ctx.rational_jacobian_at(point)[0] == J  # cached: the budget below goes to the engine
    ctx.use_budget(Budget(0.3))
    result = check_sparsity_gap_at(ctx, point, engine=engine)
    assert result.verdict == "proved"
    if "decided_by" in result.details:  # within bounds: a certificate decided, and says which
        assert result.details["decided_by"] == result.details["certificate"]["kind"] in ("private-rows certificate", "mixing-weight bound")
        assert result.details["certificate"]["gap_lower_bound"] >= 1
    else:  # the structure route found rho- exactly (docs/mathematics.md 5.11)
        assert result.method == "mixing-weight-bound" and result.details["rho_minus"] > result.details["rho_plus"]
    assert "bounds" in result.details


# -- no certificate, the cap, the exact path ------------------------------------------------
def test_no_certificate_when_the_mixing_bound_does_not_exceed_w():
    # Two 1-D blocks, 2 private rows each, 3 shared rows all parallel to (1, 1): x = (1, -1)
    # annihilates all three, so mix_lb = 2 + 2 + 0 = 4 < W = 5 -- and S indeed fails (rho- = 9 < 10).
    J = [[Fraction(x) for x in row] for row in [[1, 0], [2, 0], [0, 1], [0, 3], [1, 1], [2, 2], [3, 3]]]
    assert mixing_weight_lower_bound(J, [[0], [1]]) == 4
    assert sparsity_gap_certificate(J, [[0], [1]], identity(2)) is None
    exact = sparsity(J, [[0], [1]])
    assert exact.gap_lower is None and exact.gap_certificate is None
    assert (exact.rho_plus, exact.rho_minus) == (10, 9)
    # One block: nothing mixes.
    assert mixing_weight_lower_bound(J, [[0, 1]]) is None
    assert sparsity_gap_certificate(J, [[0, 1]], identity(2)) is None


def test_shared_rows_add_to_the_mixing_bound():
    # The same private rows, but shared rows in general position: a nonzero x annihilates at
    # most one of them, so every mixing vector is nonzero on 2 of the 3: mix_lb = 2 + 2 + 2 = 6
    # > W = 5.  The true least mixing weight is 6 ((1, -1) kills the row (1, 1)) and the true gap 1.
    J = [[Fraction(x) for x in row] for row in [[1, 0], [2, 0], [0, 1], [0, 3], [1, 1], [1, 2], [2, 1]]]
    assert mixing_weight_lower_bound(J, [[0], [1]]) == 6
    cert = sparsity_gap_certificate(J, [[0], [1]], identity(2))
    assert cert is not None and cert["gap_lower_bound"] == 1
    exact = sparsity(J, [[0], [1]])
    assert (exact.rho_plus, exact.rho_minus) == (10, 11)


def test_the_certificate_needs_an_aligned_basis():
    J = motivating_matrix()
    mixed = identity(6)
    mixed[0] = [Fraction(1)] * 6
    with pytest.raises(ValueError):
        sparsity_gap_certificate(J, BLOCKS, mixed)


def test_the_cap_falls_back_to_the_safe_bound():
    """Past the cap, h_k = |P_k| (q_k = 0) stands in: a weaker bound, still sound."""
    rng = random.Random(3)

    def big():
        return Fraction(rng.randint(-(10**4), 10**4), rng.randint(1, 10**4))

    # Block 0: 4 columns, 12 generic private rows (h = 3: its search examines dozens of sets);
    # block 1: 2 columns, 10 generic private rows (h = 1, found without a search).
    J = [[big() for _ in range(4)] + [Fraction(0)] * 2 for _ in range(12)]
    J += [[Fraction(0)] * 4 + [big() for _ in range(2)] for _ in range(10)]
    blocks = [[0, 1, 2, 3], [4, 5]]
    assert ANNIHILATION_SUBSET_CAP >= 1000
    block0 = [row[:4] for row in J[:12]]
    assert largest_annihilated(block0) == most_annihilated_of_spans(block0, 4) == 3
    assert largest_annihilated(block0, cap=5) is None
    assert mixing_weight_lower_bound(J, blocks) == (12 - 3) + (10 - 1)
    assert mixing_weight_lower_bound(J, blocks, cap=5) == 0 + (10 - 1)
    cert = sparsity_gap_certificate(J, blocks, identity(6))
    assert cert is not None and cert["gap_lower_bound"] == 18 - 12
    assert sparsity_gap_certificate(J, blocks, identity(6), cap=5) is None  # a capped q_k = 0 never proves
    ticks = []
    assert largest_annihilated(block0, check=lambda: ticks.append(1)) == 3
    assert 12 <= len(ticks) <= 12 + 66  # independent sets of at most 2 rows


def most_annihilated_of_spans(rows, n):
    """The largest number of ``rows`` in the span of some ``n - 1`` of them (rows of rank n)."""
    best = 0
    for T in combinations(range(len(rows)), n - 1):
        span = [rows[i] for i in T]
        if rank(span, n) == n - 1:
            best = max(best, sum(1 for r in rows if rank([*span, r], n) == n - 1))
    return best


def test_exact_results_are_unchanged():
    rng = random.Random(7)
    for _ in range(10):
        J, blocks = random_instance(rng)
        r = sparsity(J, blocks)
        assert r.status == "exact" and r.gap_lower is None and r.gap_certificate is None
        assert "gap_lower" not in r.to_json() and "gap_certificate" not in r.to_json()

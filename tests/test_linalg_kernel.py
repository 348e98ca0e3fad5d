"""The FLINT kernel of ``theory.linalg.rational`` against the independent Fraction oracle.

``tests/exact_linalg.py`` holds the textbook Fraction eliminations (the ones the kernel used
before FLINT).  Every rewritten function must give *identical* answers: the same RREF rows
and pivots, the same kernel vectors in the same order and normalisation, the same greedy
choice of independent rows, the same inverse and products, every entry a ``Fraction``.
Inputs: random small matrices with zero rows, repeated and scaled rows, low rank, 1 x N,
N x 1 and empty shapes, small entries and ~200-digit numerators and denominators.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import exact_linalg as oracle
from theory.linalg import matroid
from theory.linalg import rational as Q

SETTINGS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
HUGE = 10**200


# -- inputs ---------------------------------------------------------------------------------------
def rationals(huge: bool) -> st.SearchStrategy[Fraction]:
    """Mostly zeros and small integers; some small fractions; with ``huge``, ~200-digit ones."""
    small = st.sampled_from([0, 0, 0, 1, -1, 2, -3]).map(Fraction)
    frac = st.builds(Fraction, st.integers(-9, 9), st.integers(1, 7))
    parts = [small, small, frac]
    if huge:
        parts.append(st.builds(Fraction, st.integers(-HUGE, HUGE), st.integers(1, HUGE)))
    return st.one_of(parts)


@st.composite
def matrices(draw: st.DrawFn, max_rows: int = 6, max_cols: int = 6, min_rows: int = 0, min_cols: int = 0) -> list[list[Fraction]]:
    """A matrix built to be interesting: low rank (a product), with zero, repeated and scaled rows."""
    m = draw(st.integers(min_rows, max_rows))
    n = draw(st.integers(min_cols, max_cols))
    huge = draw(st.booleans())
    entry = rationals(huge)
    if draw(st.booleans()) and m and n:  # a product: rank <= r
        r = draw(st.integers(0, min(m, n)))
        L = [[draw(entry) for _ in range(r)] for _ in range(m)]
        Rt = [[draw(entry) for _ in range(n)] for _ in range(r)]
        A = [[sum((L[i][k] * Rt[k][j] for k in range(r)), Fraction(0)) for j in range(n)] for i in range(m)]
    else:
        A = [[draw(entry) for _ in range(n)] for _ in range(m)]
    for i in range(m):
        trick = draw(st.sampled_from(["keep", "keep", "zero", "copy"]))
        if trick == "zero":
            A[i] = [Fraction(0)] * n
        elif trick == "copy" and i:
            j = draw(st.integers(0, i - 1))
            c = draw(entry.filter(bool)) if draw(st.booleans()) else Fraction(1)
            A[i] = [c * x for x in A[j]]
    return A


def vectors(n: int) -> st.SearchStrategy[list[Fraction]]:
    return st.lists(rationals(True), min_size=n, max_size=n)


def same(a: object, b: object) -> bool:
    """Equal values and every number a ``Fraction`` (recursively through lists and tuples)."""
    if isinstance(a, (list, tuple)):
        return isinstance(b, type(a)) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, Fraction):
        return isinstance(b, Fraction) and a == b
    return a == b


# -- eliminations -------------------------------------------------------------------------------------
@SETTINGS
@given(matrices())
def test_rref_rank_nullspace_identical(A):
    n = len(A[0]) if A else 0
    expected_R, expected_piv = oracle.rref(A, n)
    assert same(Q.rref(A), (expected_R, expected_piv))
    assert same(Q.rref(A, n), (expected_R, expected_piv))
    assert Q.rank(A) == oracle.rank(A, n)
    assert same(Q.nullspace(A, n), oracle.nullspace(A, n))


@SETTINGS
@given(st.integers(0, 5))
def test_nullspace_of_no_rows_is_the_identity(n):
    assert same(Q.nullspace([], n), oracle.nullspace([], n))
    assert Q.rref([], n) == ([], []) and Q.rank([]) == 0


@SETTINGS
@given(matrices(max_rows=8, max_cols=5), st.data())
def test_independent_rows_identical_in_any_order(A, data):
    assert Q.independent_rows(A) == oracle.independent_rows(A)
    if A:
        order = data.draw(st.lists(st.integers(0, len(A) - 1), max_size=2 * len(A)))
        assert Q.independent_rows(A, order) == oracle.independent_rows(A, order)
        assert Q.independent_rows(A, iter(order)) == oracle.independent_rows(A, order)


@SETTINGS
@given(matrices(max_rows=5, max_cols=5), st.data())
def test_inverse_and_coordinates_identical(A, data):
    n = len(A)
    A = [row[:n] + [Fraction(0)] * (n - len(row)) for row in A]  # square it
    try:
        expected = oracle.inverse(A)
    except ValueError:
        with pytest.raises(ValueError, match="singular"):
            Q.inverse(A)
        return
    assert same(Q.inverse(A), expected)
    x = data.draw(vectors(n))
    basis = [[A[a][l] for a in range(n)] for l in range(n)]  # the columns of A
    assert same(Q.coordinates(basis, x), oracle.coordinates(basis, x))


@SETTINGS
@given(matrices(max_rows=5, max_cols=5, min_cols=1), st.data())
def test_in_span_identical(A, data):
    n = len(A[0]) if A else data.draw(st.integers(1, 4))
    x = data.draw(vectors(n) | st.just([Fraction(0)] * n))
    if A and data.draw(st.booleans()):  # a combination of the rows: in the span
        c = data.draw(vectors(len(A)))
        x = [sum((ci * row[j] for ci, row in zip(c, A)), Fraction(0)) for j in range(n)]
    assert Q.in_span(A, x) == oracle.in_span(A, x)


# -- products -----------------------------------------------------------------------------------------
@SETTINGS
@given(matrices(min_cols=1), st.data())
def test_mat_vec_and_support_identical(A, data):
    n = len(A[0]) if A else data.draw(st.integers(1, 4))
    x = data.draw(vectors(n))
    assert same(Q.mat_vec(A, x), oracle.mat_vec(A, x))
    assert Q.support(A, x) == oracle.support(A, x)


@SETTINGS
@given(matrices(max_rows=5, max_cols=5), st.data())
def test_mat_mul_identical(A, data):
    k = len(A[0]) if A else 0
    n = data.draw(st.integers(0, 4))
    B = [data.draw(vectors(n)) for _ in range(k)]
    assert same(Q.mat_mul(A, B), oracle.mat_mul(A, B))


@SETTINGS
@given(matrices(min_rows=1, min_cols=1))
def test_flint_conversions_round_trip(A):
    n = len(A[0])
    assert same(Q.from_fmpq_mat(Q.to_fmpq_mat(A, n)), A)
    assert Q.to_fmpz_mat(A, n).rank() == oracle.rank(A, n)


# -- larger random matrices (beyond what hypothesis draws) ---------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_larger_matrices_identical(seed):
    rng = random.Random(seed)
    m, n, r = 18, 9, 5
    L = [[Fraction(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(r)] for _ in range(m)]
    Rt = [[Fraction(rng.randint(-5, 5)) for _ in range(n)] for _ in range(r)]
    A = [[sum((L[i][k] * Rt[k][j] for k in range(r)), Fraction(0)) for j in range(n)] for i in range(m)]
    A[3] = [Fraction(0)] * n
    A[7] = [Fraction(rng.randint(-HUGE, HUGE), rng.randint(1, HUGE)) * x for x in A[2]]
    assert same(Q.rref(A), oracle.rref(A, n))
    assert same(Q.nullspace(A, n), oracle.nullspace(A, n))
    order = rng.sample(range(m), m)
    assert Q.independent_rows(A, order) == oracle.independent_rows(A, order)
    assert Q.independent_rows(Q.transpose(A)) == oracle.independent_rows(Q.transpose(A))


def test_shapes_and_errors():
    one_by_n = [[Fraction(0), Fraction(2), Fraction(-4)]]
    assert same(Q.rref(one_by_n), ([[Fraction(0), Fraction(1), Fraction(-2)]], [1]))
    n_by_one = [[Fraction(0)], [Fraction(3, 7)], [Fraction(1)]]
    assert same(Q.rref(n_by_one), ([[Fraction(1)]], [0]))
    assert Q.independent_rows(n_by_one) == [1]
    assert Q.nullspace(n_by_one, 1) == []
    assert Q.rref([[], []]) == ([], []) and Q.rank([[], []]) == 0 and Q.independent_rows([[], []]) == []
    assert Q.inverse([]) == [] and Q.mat_mul([], []) == [] and Q.mat_mul([[Fraction(1)]], []) == [[]]
    with pytest.raises(ValueError, match="singular"):
        Q.inverse([[Fraction(1), Fraction(2)], [Fraction(2), Fraction(4)]])
    with pytest.raises(ValueError, match="entries"):
        Q.rank([[Fraction(1), Fraction(2)], [Fraction(1)]])


# -- the row matroid's flats (theory.linalg.matroid runs them in FLINT) ---------------------------------
def _dot(x, y):
    return sum((a * b for a, b in zip(x, y)), Fraction(0))


def reference_component_flats(J, component, max_rank=None):
    """The Fraction enumeration ``component_flats`` used before FLINT, on the oracle's kernel."""
    d = len(J[0]) if J else 0
    comp = sorted(component)
    classes = [[comp[j] for j in cls] for cls in matroid.parallel_classes([J[i] for i in comp])]
    reps = [cls[0] for cls in classes]
    top = len(oracle.independent_rows(J, comp))
    limit = top if max_rank is None else min(max_rank, top)
    levels = {0: [(frozenset(), [[Fraction(int(i == j)) for j in range(d)] for i in range(d)])]}
    for k in range(limit):
        seen, nxt = set(), []
        for flat, U in levels[k]:
            for r in reps:
                if r in flat:
                    continue
                kernel = oracle.nullspace([[_dot(J[r], u) for u in U]], len(U))
                newU = [[sum((c * u[j] for c, u in zip(vec, U)), Fraction(0)) for j in range(d)] for vec in kernel]
                newflat = frozenset(i for i in comp if all(_dot(J[i], u) == 0 for u in newU))
                if newflat not in seen:
                    seen.add(newflat)
                    nxt.append((newflat, newU))
        levels[k + 1] = nxt
    return levels


def reference_hyperplanes(J):
    m = len(J)
    comps, _ = matroid.row_matroid_components(J)
    out = []
    for comp in comps:
        levels = reference_component_flats(J, comp)
        top = max(levels)
        if top == 0:
            continue
        for flat, _ in levels[top - 1]:
            H = flat | (frozenset(range(m)) - comp)
            U = oracle.nullspace([J[i] for i in sorted(H)], len(J[0]))
            out.append((H, next(v for v in U if any(oracle.mat_vec(J, v)))))
    return out


@st.composite
def jacobians(draw: st.DrawFn) -> list[list[Fraction]]:
    """Small matrices with parallel rows, zero rows and sparse entries (several components)."""
    A = draw(matrices(max_rows=7, max_cols=4, min_rows=1, min_cols=1))
    n = len(A[0])
    for _ in range(draw(st.integers(0, 2))):  # a sparse row: one or two nonzeros
        row = [Fraction(0)] * n
        for a in draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=2)):
            row[a] = draw(rationals(False).filter(bool))
        A.append(row)
    return A


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(jacobians())
def test_flats_and_hyperplanes_identical_to_the_fraction_enumeration(J):
    comps, _ = matroid.row_matroid_components(J)
    for comp in comps:
        assert same(matroid.component_flats(J, comp), reference_component_flats(J, comp))
    assert same(matroid.hyperplanes(J), reference_hyperplanes(J))


@pytest.mark.parametrize("seed", range(3))
def test_flats_of_a_planted_jacobian_identical(seed):
    rng = random.Random(seed)
    m, d = 12, 4
    J = []
    for _ in range(m):
        row = [Fraction(0)] * d
        home = rng.randrange(2)
        for a in rng.sample([2 * home, 2 * home + 1], rng.randint(1, 2)):
            row[a] = Fraction(rng.choice([1, -1, 2, -2, 3]), rng.choice([1, 1, 2]))
        if rng.random() < 0.3:
            row[rng.choice([2 * (1 - home), 2 * (1 - home) + 1])] = Fraction(rng.choice([1, -1, 2]))
        J.append(row)
    for comp in matroid.row_matroid_components(J)[0]:
        assert same(matroid.component_flats(J, comp), reference_component_flats(J, comp))
    assert same(matroid.hyperplanes(J), reference_hyperplanes(J))


@SETTINGS
@given(matrices(), st.data())
def test_kernel_basis_is_the_nullspace_of_any_matrix_with_that_kernel(A, data):
    n = len(A[0]) if A else data.draw(st.integers(0, 5))
    N = oracle.nullspace(A, n)
    # any spanning set of the kernel: combinations of the basis, scaled, with repeats
    mix = [[sum((c * v[j] for c, v in zip(coef, N)), Fraction(0)) for j in range(n)] for coef in (data.draw(vectors(len(N))) for _ in range(len(N) + 1))]
    spanning = [[2 * x for x in v] for v in N[::-1]] + mix
    assert same(Q.kernel_basis(spanning, n), N)

"""The light hyperplanes of M(J) through the private rows, and rho* from them
(theory/linalg/block_hyperplanes.py), against the plain hyperplane enumeration and greedy."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

import theory.linalg.rho as rho
from theory.budget import Budget
from theory.linalg.block_hyperplanes import light_candidates, sparsest_basis_by_blocks
from theory.linalg.matroid import hyperplanes
from theory.linalg.rational import rank
from theory.linalg.sparsest_basis import sparsest_basis, weight


def _blocks(sizes: list[int]) -> list[list[int]]:
    out, start = [], 0
    for s in sizes:
        out.append(list(range(start, start + s)))
        start += s
    return out


def _structured(rng: random.Random, m: int, sizes: list[int], degenerate: bool) -> list[list[Fraction]]:
    """Rows private to one block, rows shared by several, zero rows; with ``degenerate`` the shared
    rows repeat their first block's entries on the second (identical Jacobian blocks, like the
    experiment's degenerate ground truths)."""
    blocks = _blocks(sizes)
    d = sum(sizes)
    J = []
    for _ in range(m):
        row = [Fraction(0)] * d
        kind = rng.random()
        if kind < 0.45:
            for a in rng.choice(blocks):
                row[a] = Fraction(rng.choice((0, 1, -1, 2, 3)))
        elif kind < 0.95:
            for a in range(d):
                row[a] = Fraction(rng.choice((0, 1, -1, 2, -2, 3)))
            if degenerate and len(sizes) >= 2 and sizes[0] == sizes[1]:
                for a, b in zip(blocks[0], blocks[1]):
                    row[b] = row[a]
        J.append(row)
    return J


def _cases(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        sizes = [rng.randint(1, 3) for _ in range(rng.randint(2, 3))]
        if rng.random() < 0.4:
            sizes[1] = sizes[0]
        J = _structured(rng, rng.randint(2, 10), sizes, rng.random() < 0.5)
        yield J, _blocks(sizes)


def test_candidates_cover_every_light_hyperplane():
    """Every hyperplane of M(J) of weight <= cap has a candidate with exactly that zero set."""
    for J, blocks in _cases(30, 1):
        m, d = len(J), len(J[0])
        for cap in (m, m // 2):
            cands = light_candidates(J, blocks, cap)
            assert cands is not None
            for w, x in cands:
                assert weight(J, x) == w
            zero_sets = {frozenset(i for i, row in enumerate(J) if sum(a * b for a, b in zip(row, x)) == 0) for _, x in cands}
            for H, _ in hyperplanes(J):
                if m - len(H) <= cap:
                    assert H in zero_sets, (J, blocks, cap, sorted(H))


def test_rho_star_agrees_with_the_plain_greedy():
    """The greedy over the candidates equals the greedy over all hyperplanes, at the cap the engine
    uses (the heaviest vector of the sparsest aligned basis) and with no cap."""
    checked = 0
    for J, blocks in _cases(40, 2):
        m, d = len(J), len(J[0])
        truth = sum(w for _, w in sparsest_basis(J, range(d), d))
        aligned = [w for block in blocks for _, w in sparsest_basis(J, block, d)]
        for cap in (m, max(aligned)):
            basis = sparsest_basis_by_blocks(J, blocks, cap)
            assert basis is not None  # the aligned basis spans R^d with no vector heavier than cap
            assert sum(w for _, w in basis) == truth
            assert rank([v for v, _ in basis]) == d
            assert all(weight(J, v) == w for v, w in basis)
            checked += 1
    assert checked == 80


def test_structure_route_decides_degenerate_rho_minus():
    """On degenerate structured matrices where rho* < rho+, the structure route's exact rho- is the
    matroid engine's."""
    rng = random.Random(3)
    decided = 0
    for _ in range(60):
        J = _structured(rng, 10, [2, 2, 1], degenerate=True)
        blocks = _blocks([2, 2, 1])
        known: dict = {}
        result = rho._structure_first(J, blocks, len(J), 5, Budget(None), 0, known)
        if result is None or result.engine != "structure" or "private rows" not in result.note:
            continue
        reference = rho.sparsity(J, blocks, engine="matroid")
        assert (result.rho_plus, result.rho_minus, result.rho_star) == (reference.rho_plus, reference.rho_minus, reference.rho_star)
        assert not rho.verify_sparsity(J, blocks, result)
        decided += 1
        if decided == 4:
            break
    assert decided == 4

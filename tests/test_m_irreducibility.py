"""M-irreducibility at a point (docs/mathematics.md 7.5): a block is M-reducible when some
split of it into two parts keeps Type M.  The truths here come from a brute-force search over
pairs of integer directions, independent of the checker's candidate directions, on linear
generators whose Jacobian is the integer matrix itself."""

from __future__ import annotations

import itertools
import random

import sympy as sp

from theory import Generator
from theory.checker import check, pick

s1, s2, s3, s4 = sp.symbols("s1 s2 s3 s4", real=True)
POINT = {s1: sp.Rational(1, 2), s2: sp.Rational(1, 3), s3: sp.Rational(1, 5)}


def _linear(rows: list[tuple[int, ...]], latents, blocks, name: str = "lin") -> Generator:
    outputs = [sum(c * s for c, s in zip(row, latents)) for row in rows]
    return Generator(name, blocks, outputs, points=[{s: POINT.get(s, sp.Rational(1, 7)) for s in latents}])


def _verdict(g: Generator) -> str:
    return pick(check(g, ["irreducible:M"], isolate=False, budget=30), "irreducible:M", "point", dict(g.points[0])).verdict


def _support(rows, u) -> frozenset[int]:
    return frozenset(i for i, row in enumerate(rows) if sum(a * b for a, b in zip(row, u)) != 0)


def _reducible_by_brute_force(rows: list[tuple[int, int, int]]) -> bool:
    """Some pair of independent integer directions (u, v) of the block {s1, s2}, entries in
    [-2, 2], with the supports of u, v and of the column s3 pairwise non-containing."""
    e3 = _support(rows, (0, 0, 1))
    directions = [(a, b, 0) for a, b in itertools.product(range(-2, 3), repeat=2) if (a, b) != (0, 0)]
    for u, v in itertools.combinations(directions, 2):
        if u[0] * v[1] - u[1] * v[0] == 0:
            continue
        su, sv = _support(rows, u), _support(rows, v)
        if all(not (a <= b or b <= a) for a, b in [(su, sv), (su, e3), (sv, e3)]):
            return True
    return False


def test_two_dimensional_blocks_agree_with_brute_force_and_ignore_the_row_order():
    rng = random.Random(7)
    seen = {"refuted": 0, "proved": 0}
    for trial in range(40):
        m = rng.randint(4, 6)
        rows = []
        while len(rows) < m:
            row = (rng.randint(-1, 1), rng.randint(-1, 1), rng.choice((0, 0, 1)))
            if any(row):
                rows.append(row)
        truth = _reducible_by_brute_force(rows)
        expected = "refuted" if truth else "proved"
        got = _verdict(_linear(rows, (s1, s2, s3), [[s1, s2], [s3]], f"t{trial}"))
        if got == "unknown":  # rank-deficient block: a degenerate result, not a verdict
            continue
        assert got == expected, (rows, got)
        shuffled = rows[:]
        rng.shuffle(shuffled)
        assert _verdict(_linear(shuffled, (s1, s2, s3), [[s1, s2], [s3]], f"u{trial}")) == got, shuffled
        seen[got] += 1
    assert seen["refuted"] >= 5 and seen["proved"] >= 5, seen


def test_a_split_outside_the_greedy_basis_is_found():
    """Every pair of row normals is a sparsest basis here (weight 6); the greedy one, for this
    row order, contains (0, 1), whose support {2, 3, 4} lies inside that of s3.  The split
    (1, 0) + (1, -1) keeps Type M, so the block is M-reducible, in either row order."""
    rows = [(1, 0, 0), (0, 1, 1), (1, 1, 1), (1, -1, 1), (0, 0, 1)]
    for order in (rows, [rows[i] for i in (3, 1, 4, 0, 2)]):
        assert _verdict(_linear(order, (s1, s2, s3), [[s1, s2], [s3]])) == "refuted"


def test_three_dimensional_block_without_a_splitting_colouring_is_not_proved():
    """Blocks of dimension 3 are searched only through the greedy basis's colourings; when none
    keeps Type M the answer is unknown, never proved."""
    rows = [(1, 1, -1, 1), (1, -1, 0, 0), (1, -1, 0, 1), (1, -1, 0, 0), (1, -1, 0, 1), (-1, 0, 1, 0), (-1, 1, 1, 1)]
    g = _linear(rows, (s1, s2, s3, s4), [[s1, s2, s3], [s4]])
    result = pick(check(g, ["irreducible:M"], isolate=False, budget=30), "irreducible:M", "point", dict(g.points[0]))
    assert result.verdict == "unknown" and "blocks of dimension 2 only" in result.details["reason"]

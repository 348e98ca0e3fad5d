"""D-irreducibility on all of S (docs/mathematics.md 7.3) against pointwise checks, independently.

A global ``proved`` must hold at every point we can find, including the degenerate points
that random sampling misses: each random generator plants its degeneracies on rational
lines, and those lines are sampled too.  A global ``refuted`` must come with a point where
the block is reducible or rank-deficient, re-checked here with sympy.
"""

from __future__ import annotations

import random

import pytest
import sympy as sp

from theory import Box, Generator, check

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)


def test_a_single_nonzero_row_is_reducible():
    """Regression: at s3 = 0 only the first row of the 2-D factor is nonzero (rank 1), so the
    factor is not irreducible everywhere although it is at generic points."""
    g = Generator("one-row", [[s1, s2], [s3]], [s1, s2 * s3, (s1 + s2) * s3, s3], Box({s: (-1, 1) for s in (s1, s2, s3)}), points=[{s1: sp.S(0), s2: sp.S(0), s3: sp.Rational(1, 2)}])
    by = {r.scope: r for r in check(g, ["irreducible:D"], isolate=False)}
    assert by["point"].verdict == "proved"
    assert by["global"].verdict == "refuted" and by["global"].to_json()["witness"]["point"]["s3"] == "0"


def _rank_and_directions(g, point) -> tuple[int, int]:
    rows = [[sp.diff(o, s).subs(point) for s in (s1, s2)] for o in g.outputs[:-1]]
    nonzero = [r for r in rows if any(x != 0 for x in r)]
    directions = set()
    for r in nonzero:
        k = next(x for x in r if x != 0)
        directions.add(tuple(x / k for x in r))
    return sp.Matrix(rows).rank(), len(directions)


@pytest.mark.parametrize("seed", range(30))
def test_global_verdict_agrees_with_points(seed):
    rng = random.Random(seed)
    c = [sp.Rational(rng.randint(-2, 2), rng.choice([1, 2, 3])) for _ in range(4)]
    # rows of the 2-D factor, some with a coefficient that vanishes on a rational line
    line = s3 - c[0]
    rows = [(1, 0), (0, 1), (1, rng.choice([1, -1, 2]))]
    outputs = []
    for a, b in rows:
        factor = line if rng.random() < 0.4 else 1
        outputs.append(factor * (a * s1 + b * s2) + (s1 * s2 * c[1] if rng.random() < 0.3 else 0))
    outputs.append(s3)
    g = Generator(f"irr-{seed}", [[s1, s2], [s3]], outputs, Box({s: (-1, 1) for s in (s1, s2, s3)}))
    glob = next(r for r in check(g, ["irreducible:D"], isolate=False) if r.scope == "global")
    samples = [{s1: sp.Rational(rng.randint(-9, 9), 10), s2: sp.Rational(rng.randint(-9, 9), 10), s3: v} for v in (c[0], sp.Rational(rng.randint(-9, 9), 10)) for _ in range(6)]
    samples = [p for p in samples if g.domain.contains(p)]
    if glob.verdict == "proved":
        for p in samples:
            rank, directions = _rank_and_directions(g, p)
            assert rank == 2 and directions >= 3, (seed, p)
    elif glob.verdict == "refuted":
        p = {s: sp.Rational(glob.to_json()["witness"]["point"][str(s)]) for s in (s1, s2, s3)}
        assert g.domain.contains(p)
        rank, directions = _rank_and_directions(g, p)
        assert rank < 2 or directions <= 2, (seed, p)

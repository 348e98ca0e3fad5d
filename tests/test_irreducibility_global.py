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


def _float_rows(g, point):
    return [[float(sp.diff(o, s).subs(point).evalf(30)) for s in (s1, s2)] for o in g.outputs[:-1]]


@pytest.mark.parametrize("seed", range(16))
def test_transcendental_factors_by_certified_circuits(seed):
    """Certified circuits (docs/mathematics.md 7.3) on 2-D factors with rows F'(a s1 + b s2) (a, b),
    F built from exp, tanh, sin and sigmoids.  Half the generators have a row whose F' vanishes on
    the line a s1 + b s2 = 0; with only three directions the factor is reducible on that line and
    must not be proved.  A global ``proved`` must hold at every sampled point, the planted lines
    included (directions counted with mpmath at 30 digits, independent of the interval certificates)."""
    rng = random.Random(100 + seed)
    u = sp.Symbol("u")
    increasing = [sp.exp(u), sp.tanh(u) + 2 * u, 1 / (1 + sp.exp(-u)), u + sp.sin(u) / 2, -sp.exp(-u)]  # F' never 0
    flat = [u - sp.sin(u), u**3 + sp.exp(u) - u]  # F' = 1 - cos u, 3u^2 + e^u - 1: zero at u = 0
    directions = [(1, 0), (0, 1), (1, rng.choice([1, -1, 2])), (rng.choice([1, 3]), 1)][: rng.choice([3, 4])]
    planted = rng.randrange(3) if seed % 2 else None
    outputs = [(rng.choice(flat) if i == planted else rng.choice(increasing)).subs(u, a * s1 + b * s2) for i, (a, b) in enumerate(directions)]
    outputs.append(s3)
    g = Generator(f"tirr-{seed}", [[s1, s2], [s3]], outputs, Box({s: (-1, 1) for s in (s1, s2, s3)}), points=[{s1: sp.Rational(1, 3), s2: sp.Rational(-1, 5), s3: sp.S(0)}])
    glob = next(r for r in check(g, ["irreducible:D"], isolate=False, budget=60) if r.scope == "global")
    assert glob.verdict in ("proved", "unknown")  # this route never refutes
    distinct = {(a / max(abs(a), abs(b)), b / max(abs(a), abs(b))) if a >= 0 else (-a / max(abs(a), abs(b)), -b / max(abs(a), abs(b))) for a, b in directions}
    if planted is not None and len(distinct) == 3:
        assert glob.verdict == "unknown", (seed, directions, planted)
    if planted is None:
        assert glob.verdict == "proved", (seed, glob.to_json())
    if glob.verdict != "proved":
        return
    samples = [{s1: sp.Rational(rng.randint(-9, 9), 10), s2: sp.Rational(rng.randint(-9, 9), 10), s3: sp.S(0)} for _ in range(8)]
    if planted is not None:  # on the planted line a s1 + b s2 = 0
        a, b = directions[planted]
        samples += [{s1: sp.Rational(b, 2 * max(abs(a), abs(b))), s2: sp.Rational(-a, 2 * max(abs(a), abs(b))), s3: sp.S(0)}]
    for p in samples:
        rows = [r for r in _float_rows(g, p) if max(abs(x) for x in r) > 1e-12]
        seen = []
        for r in rows:
            if not any(abs(r[0] * q[1] - r[1] * q[0]) < 1e-9 for q in seen):
                seen.append(r)
        assert len(seen) >= 3, (seed, p, rows)


def test_certified_circuit_route_stays_unknown_where_a_row_vanishes():
    """(e^s1, 0), (0, e^s2), sin(s1) (1, 1): at s1 = 0 only two directions remain (reducible);
    the circuit's minor e^s1 sin(s1) vanishes there, so nothing is proved."""
    g = Generator("trig-zero", [[s1, s2], [s3]], [sp.exp(s1), sp.exp(s2), sp.sin(s1) * (s1 + s2), s3], Box({s: (-1, 1) for s in (s1, s2, s3)}), points=[{s1: sp.Rational(1, 2), s2: sp.S(0), s3: sp.S(0)}])
    by = {r.scope: r for r in check(g, ["irreducible:D"], isolate=False, budget=30)}
    assert by["point"].verdict == "proved"
    assert by["global"].verdict == "unknown"


def test_a_factor_with_too_few_rows_is_refuted_at_a_point():
    """(exp(s1), exp(s2)) as a 2-D factor: its two rows are (e^s1, 0) and (0, e^s2), independent
    coloops at every point, so the factor splits everywhere; no circuit of 3 rows exists to
    certify, and the global check said "too many rows".  A pointwise refutation now refutes it."""
    g = Generator("diag-exp", [[s1, s2], [s3]], [sp.exp(s1), sp.exp(s2), s3], Box({s: (-1, 1) for s in (s1, s2, s3)}))
    r = next(r for r in check(g, ["irreducible:D"], isolate=False) if r.scope == "global")
    assert r.verdict == "refuted" and r.witness["factor"] == "f1"
    p = r.witness["point"]
    J = sp.Matrix(g.outputs).jacobian([s1, s2]).subs(p)
    assert J[0, 1] == J[1, 0] == 0 and J[0, 0] != 0 and J[1, 1] != 0 and J[2, :] == sp.zeros(1, 2)


def _quotient_jacobian(g, point, h):
    """J by exact forward difference quotients of g's own values (exact on a linear region)."""
    base = [o.xreplace(point) for o in g.outputs]
    return [[(o.xreplace({**point, s: point[s] + h}) - b) / h for s in g.latents] for o, b in zip(g.outputs, base)]


def test_leaky_relus_reducible_inside_a_region_are_refuted_globally():
    """Leaky ReLUs of s1 + s2 and s1 - s2: z3's point for the 2-D factor lands on a kink, where
    J is undefined, and the check said `unknown`; the linear regions (and the given point)
    refute.  The truth: J from exact difference quotients of g's values at (1/3, 1/5, 1/7) with
    steps 1/1000 and 1/2000 (a region's interior, the same there) is diag(2, -2, 1), whose rows
    split the factor {s1, s2}."""
    u, v = s1 + s2, s1 - s2
    leaky = lambda x: sp.Max(x / 10, x)  # noqa: E731
    point = {s1: sp.Rational(1, 3), s2: sp.Rational(1, 5), s3: sp.Rational(1, 7)}
    g = Generator("leaky", [[s1, s2], [s3]], [leaky(u) + leaky(v), leaky(v) - leaky(u), leaky(s3)], Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)}), points=[point])
    assert _quotient_jacobian(g, point, sp.Rational(1, 1000)) == _quotient_jacobian(g, point, sp.Rational(1, 2000)) == [[2, 0, 0], [0, -2, 0], [0, 0, 1]]
    (result,) = [r for r in check(g, criteria=["irreducible:D"], budget=30, isolate=False) if r.scope == "global"]
    assert result.verdict == "refuted", result

"""S-irreducibility on all of S for 2-D factors: the class-size rule against the pointwise
split search (the rho engine over every 2-colouring of a greedy basis), on random linear and
nonlinear blocks whose direction classes are chosen by construction."""

from __future__ import annotations

import random
from itertools import product

import pytest
import sympy as sp

from theory import Box, Generator
from theory.criteria.context import CheckContext
from theory.criteria.irreducibility import check_irreducible_at
from theory.criteria.s_irreducibility_global import check_s_irreducible_global, split_keeps_s
from theory.readings import Readings
from tests.witness_check import verify_witness

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)})
DIRECTIONS = [(1, 0), (0, 1), (1, 1), (1, -1), (2, 1), (1, 3)]


def _block_generator(sizes: list[int], rng: random.Random, nonlinear: bool) -> Generator:
    """Rows of the 2-D factor {s1, s2}: ``size`` rows per direction, each a nonvanishing
    multiple of the direction's linear form (times exp(s3-free) factors when nonlinear)."""
    outputs = []
    for (a, b), size in zip(rng.sample(DIRECTIONS, len(sizes)), sizes):
        form = a * s1 + b * s2
        for _ in range(size):
            c = rng.choice([1, -2, 3])
            outputs.append(c * (sp.exp(form) if nonlinear else form))
    outputs.append(s3)
    return Generator("classes", [[s1, s2], [s3]], outputs, BOX, points=[{s1: sp.Rational(1, 3), s2: sp.Rational(-1, 5), s3: sp.Rational(1, 7)}])


@pytest.mark.parametrize("sizes", [list(p) for n in (2, 3, 4) for p in product((1, 2, 3), repeat=n) if list(p) == sorted(p, reverse=True)])
def test_class_rule_matches_the_pointwise_split_search(sizes):
    rng = random.Random(sum(sizes) * 31 + len(sizes))
    g = _block_generator(sizes, rng, nonlinear=False)
    for reading in ("strict", "non-strict"):
        ctx = CheckContext(g, readings=Readings(s=reading))
        at = check_irreducible_at(ctx, g.points[0], "S")
        rule = split_keeps_s(sizes, strict=reading == "strict")
        if reading == "strict":  # the pointwise search is complete for the strict reading
            assert at.verdict == ("refuted" if rule else "proved"), (sizes, at.verdict, at.witness)
        elif at.verdict == "refuted":
            assert rule, sizes  # a split found under non-strict is a split the rule knows
        glob = check_s_irreducible_global(ctx)
        assert glob.verdict in ("refuted" if rule else "proved", "unknown"), (sizes, reading, glob.details)
        if glob.verdict == "refuted":
            verify_witness(g, glob)


@pytest.mark.parametrize("seed", range(6))
def test_nonlinear_blocks_with_constant_classes_are_decided(seed):
    rng = random.Random(seed)
    sizes = sorted(rng.choices([1, 2, 3], k=rng.choice([2, 3])), reverse=True)
    g = _block_generator(sizes, rng, nonlinear=True)
    glob = check_s_irreducible_global(CheckContext(g))
    if split_keeps_s(sizes):  # a refutation needs an exact split at a point; exp entries are irrational there
        assert glob.verdict in ("refuted", "unknown"), (sizes, glob.details)
    else:
        assert glob.verdict == "proved", (sizes, glob.details)


def test_classes_that_merge_on_a_line_are_decided_by_strata():
    """The rows of s1 + s2 and s1 + s2 + s1*s2, (1, 1) and (1 + s2, 1 + s1), are parallel
    exactly on the diagonal s1 = s2: classes [2, 1, 1] there, [1, 1, 1, 1] elsewhere; no
    stratum splits, so the factor is S-irreducible on all of S (pointwise: on and off the line)."""
    g = Generator("merge", [[s1, s2], [s3]], [s1, s2, s1 + s2, s1 + s2 + s1 * s2, s3], BOX)
    ctx = CheckContext(g)
    assert check_s_irreducible_global(ctx).verdict == "proved"
    for p in ({s1: sp.Rational(1, 2), s2: sp.Rational(1, 2), s3: sp.S.Zero}, {s1: sp.Rational(1, 2), s2: sp.Rational(-1, 3), s3: sp.S.Zero}):
        assert check_irreducible_at(ctx, p, "S").verdict == "proved"


def test_a_split_on_a_line_refutes_with_a_point_of_the_line():
    """Row 3, (1 + 2 s2, 1 + 2 s1), is parallel to (1, 0) on s1 = -1/2 and to (0, 1) on
    s2 = -1/2: classes [2, 1] there (a split keeps Type S), [1, 1, 1] elsewhere."""
    g = Generator("line", [[s1, s2], [s3]], [s1, s2, s1 + s2 + 2 * s1 * s2, s3], BOX)
    ctx = CheckContext(g)
    result = check_s_irreducible_global(ctx)
    assert result.verdict == "refuted"
    verify_witness(g, result)
    point = result.witness["point"]
    J = [[sp.diff(out, v).xreplace(point) for v in (s1, s2)] for out in g.outputs[:3]]
    assert any(J[2][0] * r[1] - J[2][1] * r[0] == 0 for r in J[:2])  # the witness lies where row 3 turns parallel
    assert check_irreducible_at(ctx, {s1: sp.Rational(1, 3), s2: sp.Rational(1, 5), s3: sp.S.Zero}, "S").verdict == "proved"


# -- a split whose Type S stays undecided ----------------------------------------------------------
def test_a_split_left_in_bounds_makes_s_reducibility_undecided(monkeypatch):
    """When the refined partition's rho comes back as bounds that do not decide Type S (the
    budget ran out inside ``sparsity``), that split may keep Type S: the search must not conclude
    "no split keeps S" (irreducible:S was ``proved`` at --budget 0.1 on a reducible factor)."""
    import theory.criteria.irreducibility as irr
    from theory.linalg.rational import to_fraction_matrix

    class Bounds:  # what sparsity returns past its budget when the bounds straddle the gap
        def type_s(self, reading):
            return None

    J = to_fraction_matrix([[1, 0], [2, 0], [3, 0], [0, 1], [0, 5], [0, 7], [1, 1]])  # x02's block: S-reducible
    assert irr.s_split(J, [[0, 1]], 0, True, None) is not None  # decided: the split e1 | e2 keeps S
    monkeypatch.setattr(irr, "sparsity", lambda *args, **kwargs: Bounds())
    with pytest.raises(irr.SplitUndecided):
        irr.s_split(J, [[0, 1]], 0, True, None)


def test_irreducible_s_is_never_proved_on_a_reducible_factor_under_a_tiny_budget():
    # five 1-D factors, then x02's S-reducible 2-D factor {s6, s7} (rows a, 2a, 3a, b, 5b, 7b, a + b)
    s = sp.symbols("s1:8", real=True)
    a, b, others = s[5], s[6], s[:5]
    outs = [a, 2 * a, 3 * a, b, 5 * b, 7 * b, a + b] + [x * (k + 2) for x in others for k in range(4)]
    g = Generator("irrS-budget", [[x] for x in others] + [[a, b]], outs, Box({x: (-1, 1) for x in s}), points=[{x: sp.Integer(0) for x in s}])
    from theory.checker import check

    for budget in (0.05, 0.1, 0.3):
        (r,) = [r for r in check(g, ["irreducible:S"], isolate=False, budget=budget) if r.scope == "point"]
        assert r.verdict != "proved", (budget, r.details)

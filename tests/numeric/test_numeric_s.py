"""Numeric Type S: the snapped float Jacobian gives the exact rho on the bundled cases (float64 and
float32), ties follow the reading, a block-diagonal MLP holds, undecided points count neither way,
and the cross-check compares S point by point with explained disagreements."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
import sympy as sp
import torch
from click.testing import CliRunner

import cases
import numeric.criteria.sparsity_gap as sparsity_gap
import numeric.crosscheck as cc
from mechind.cli import main
from numeric.exact_to_torch import from_generator, point_tensor
from numeric.criteria import (
    NumericOptions,
    NumericResult,
    assess,
    assess_S,
    check_numeric,
    numeric_S,
    s_max_denominator,
    snap_jacobian,
)
from numeric.crosscheck import POSSIBLE_BUG, TOLERANCE_SENSITIVE, crosscheck_case
from numeric.generator import NeuralGenerator
from theory import Box, Generator
from theory.criteria import CheckContext
from theory.criteria.sparsity_gap import check_sparsity_gap_at
from theory.linalg.rho import SparsityResult, basis_weight, mixes, sparsity
from theory.readings import Readings

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
DTYPES = [torch.float64, torch.float32]

#: (rho+, rho-) at each of the case's own points (docs/mathematics.md sections 5.7, 5.8, 5.10, 13).
RHO = {
    "p05": [(4, 4), (3, 4)],  # the tie, and S at s1 = 0
    "p07": [(6, 5)],
    "p11": [(1, 1), (2, 3)],  # the fold point, and off it
    "p13": [(4, 5)],
    "p23": [(6, 7), (4, 3)],  # S holds at s*, fails on the line s2 = 1/3
    "p25": [(9, 10)],
    "p26": [(9, 9)],
    "p27": [(2, 3), (4, 2)],  # S only on the segment s2 = 0
    "p28": [(10, 10)],
    "x02": [(9, 10)],
}


# -- rho against the exact layer ----------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: str(t)[6:])
def test_numeric_rho_equals_exact_rho_at_case_points(dtype):
    for name, expected in RHO.items():
        g = cases.find_case(name)
        z = point_tensor(g.points, g.latents, dtype)
        a = assess(from_generator(g, dtype), "S", z)["S"]
        ctx = CheckContext(g)
        for i, p in enumerate(g.points):
            exact = check_sparsity_gap_at(ctx, p)
            at = a.details["points"][i]
            rho = (at["rho_plus"], at["rho_minus"])
            assert rho == expected[i] == (exact.details["rho_plus"], exact.details["rho_minus"]), (name, i, dtype)
            assert at["rho_star"] == exact.details["rho_star"] and at["snap"] == "rational"
            assert at["verdict"] == {"proved": "holds-numerically", "refuted": "fails-numerically"}[exact.verdict]
            assert bool(a.holds[i]) == (rho[0] < rho[1]) and bool(a.decided[i])


def test_ties_follow_the_reading():
    for name in ("p05", "p26", "p28"):
        g = cases.find_case(name)
        ng = from_generator(g, torch.float64)
        z = point_tensor(g.points[:1], g.latents, torch.float64)
        strict, loose = numeric_S(ng, z), numeric_S(ng, z, options=NumericOptions(readings=Readings(s="non-strict")))
        assert strict.verdict == "fails-numerically" and loose.verdict == "holds-numerically", name
        assert strict.details["points"][0]["tie"] and strict.details["readings"]["s-strict"] == "strict"
        assert loose.details["readings"]["s-strict"] == "non-strict"
    with pytest.raises(ValueError, match="reading"):
        assess_S(torch.zeros(1, 2, 2, dtype=torch.float64), [[0], [1]], reading="loose")


def test_failing_point_carries_a_misaligned_witness_and_per_point_details():
    g = cases.find_case("p27")  # (3/2, 0): S holds; (3/2, 1/4): rho = (4, 2)
    ng = from_generator(g, torch.float64)
    r = numeric_S(ng, point_tensor(g.points, g.latents, torch.float64))
    assert r.verdict == "fails-numerically" and r.scope == "global" and r.method == "snap-sparsity"
    assert r.details["points_failing"] == 1 and r.details["points_undecided"] == 0
    assert [p["verdict"] for p in r.details["points"]] == ["holds-numerically", "fails-numerically"]
    w = r.witness
    basis = [[Fraction(x) for x in v] for v in w["basis"]]
    assert w["point"] == {"s1": 1.5, "s2": 0.25} and w["weight"] == 2 == w["rho_minus"] and w["rho_plus"] == 4
    assert w["mixing"] and all(mixes(basis[k], [[0], [1]]) for k in w["mixing"])
    J = [[Fraction(3), Fraction(-1, 2)], [Fraction(1, 2), Fraction(3)]]
    assert basis_weight(J, basis) == 2
    doc = r.to_json()
    json.dumps(doc)
    assert doc["tolerance"]["rule"].startswith("tau = c * eps(dtype) * max|J|") and doc["margin"]["smallest_nonzero"] == 0.5
    for p in r.details["points"]:
        assert {"rho_plus", "rho_minus", "rho_star", "snap", "snap_error", "margin", "point", "status"} <= set(p)


# -- snapping ------------------------------------------------------------------------------------
def test_snap_jacobian_zeroes_within_tau_and_labels_the_snap():
    s = snap_jacobian([[1.0, 3e-16], [0.25, -2 / 3]], tau=1e-15)
    assert s.snap == "rational" and s.values == [[1, 0], [Fraction(1, 4), Fraction(-2, 3)]]
    assert s.support == [[True, False], [True, True]]
    # rows scaled by pi: the entries are not rational, the rows are, up to a factor
    rows = [[1, 0, 2], [0, 3, 1], [2, 3, 5], [4, 0, 8]]
    scaled = [[math.pi * (t + 1) * x for x in row] for t, row in enumerate(rows)]
    r = snap_jacobian(scaled, tau=1e-13)
    assert r.snap == "row-scaled" and r.pivots == [2, 1, 2, 2]
    blocks = [[0, 1], [2]]
    exact = sparsity([[Fraction(x) for x in row] for row in rows], blocks)
    snapped = sparsity(r.values, blocks)
    assert (snapped.rho_plus, snapped.rho_minus, snapped.rho_star) == (exact.rho_plus, exact.rho_minus, exact.rho_star)
    # neither works: an approximation that never drops an entry from the support
    a = snap_jacobian([[1.0, math.sqrt(2)], [1e-9, 1.0]], tau=1e-15, max_denominator=1000)
    assert a.snap == "approximate" and a.values[1][0] != 0  # 1e-9 would round to 0/1
    assert a.values[0] == [Fraction(1 / math.sqrt(2)).limit_denominator(1000), 1] and a.max_error > 1e-15
    bad = snap_jacobian([[float("nan"), 1.0]], tau=1e-15)
    assert not bad.finite
    assert s_max_denominator(torch.float64) == 10**6 and 100 < s_max_denominator(torch.float32) < 1000


# -- MLPs ----------------------------------------------------------------------------------------
def _block_mlp(dtype: torch.dtype) -> torch.nn.Module:
    """4 latents in blocks {0,1}, {2,3} -> 16 -> 16 -> 12 with block-diagonal weights: hidden units
    0-7 and outputs 0-5 see block 1 only, the rest block 2 (Type D, hence S, by construction)."""
    gen = torch.Generator().manual_seed(0)
    layers = [torch.nn.Linear(4, 16), torch.nn.Linear(16, 16), torch.nn.Linear(16, 12)]
    with torch.no_grad():
        for layer in layers:
            rows, cols = layer.weight.shape
            mask = (torch.arange(rows) >= rows // 2)[:, None] == (torch.arange(cols) >= cols // 2)[None, :]
            layer.weight.copy_(torch.randn(rows, cols, generator=gen) / cols**0.5 * mask)
            layer.bias.copy_(torch.randn(rows, generator=gen) * 0.1)
    return torch.nn.Sequential(layers[0], torch.nn.Tanh(), layers[1], torch.nn.Tanh(), layers[2]).to(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: str(t)[6:])
def test_block_diagonal_mlp_has_the_sparsity_gap(dtype):
    g = NeuralGenerator(_block_mlp(dtype), {"a": [0, 1], "b": [2, 3]}, 4, name="block-mlp")
    r = numeric_S(g, n_points=4, options=NumericOptions(seed=1))
    assert r.verdict == "holds-numerically" and r.points_sampled == 4 and r.dtype == str(dtype)[6:]
    # 6 generic pixels per 2-D factor: rho_k = 2 * 5, and a mixing vector costs both factors' pixels
    assert {(p["rho_plus"], p["rho_minus"]) for p in r.details["points"]} == {(20, 25)}
    assert set(r.details["snaps"]) <= {"row-scaled", "approximate"}  # generic floats: labelled, never passed off as exact
    assert r.margin["largest_zero"] == 0.0 and r.margin["smallest_nonzero_ratio"] > 1


# -- aggregation and the budget ------------------------------------------------------------------
def test_undecided_points_count_neither_way(monkeypatch):
    real = sparsity_gap.sparsity
    calls = {"n": 0}

    def flaky(J, blocks, engine="auto", budget=None, seed=0):
        calls["n"] += 1
        if calls["n"] % 2:  # every other point: the budget ran out with bounds that do not separate
            return SparsityResult("matroid", "bounds", None, None, None, None, None, None, 0, bounds={"rho_plus": [2, 4], "rho_minus": [2, 5]})
        return real(J, blocks, engine, budget, seed)

    monkeypatch.setattr(sparsity_gap, "sparsity", flaky)
    g = from_generator(cases.find_case("p05"), torch.float64)
    tie, holds = [0.5, 0.5], [0.0, 0.5]
    z = torch.tensor([holds, tie, holds, holds], dtype=torch.float64)  # decided: tie (fails), holds
    r = numeric_S(g, z)
    assert r.verdict == "fails-numerically" and r.details["points_undecided"] == 2 and r.details["points_failing"] == 1
    assert [p["verdict"] for p in r.details["points"]] == ["undecided", "fails-numerically", "undecided", "holds-numerically"]
    calls["n"] = 0
    r = numeric_S(g, torch.tensor([tie, holds, holds], dtype=torch.float64))  # decided: holds only
    assert r.verdict == "holds-numerically" and r.details["points_undecided"] == 2
    calls["n"] = 0
    r = numeric_S(g, torch.tensor([tie], dtype=torch.float64))  # nothing decided
    assert r.verdict == "unknown" and r.method == "budget-exhausted" and r.details["points"][0]["bounds"]
    with pytest.raises(ValueError):
        NumericResult("S", "unknown", "global", "snap-sparsity")
    with pytest.raises(ValueError, match="budget"):
        numeric_S(g, z, options=NumericOptions(s_budget=0))


def test_check_numeric_runs_s_with_the_others():
    g = from_generator(cases.find_case("p13"), torch.float32)
    results = check_numeric(g, "D,S", n_points=3)
    assert [(r.criterion, r.verdict) for r in results] == [("D", "holds-numerically"), ("S", "holds-numerically")]
    assert results[1].details["max_denominator"] == s_max_denominator(torch.float32)


# -- the cross-check -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_crosscheck_s_rows_agree_where_exact_s_is_definite(dtype):
    compared = 0
    for name in ("p05", "p07", "p11", "p13", "p17", "p23", "p25", "p26", "p27", "p28", "x02"):
        report = crosscheck_case(cases.find_case(name), criteria="S", dtypes=dtype, random_points=1, seed=0)
        for r in report.rows:
            assert r["criterion"] == "S" and {"exact", "numeric"} <= set(r["rho"])
            if r["exact"] == "unknown":  # P17: an entry not known to be rational
                assert r["agree"] is None and r["explanation"].startswith("exact verdict unknown")
                continue
            assert r["agree"], (name, r)
            assert r["rho"]["exact"] == r["rho"]["numeric"]
            compared += 1
    assert compared >= 16


def _big_denominator_tie() -> Generator:
    """P28 with the overlap coefficients 1009/1013 and 997/1019: the same tie (10, 10), which
    rests on the dependency row 3 + row 6 = row 7 between entries no small denominator fits."""
    a, b = sp.Rational(1009, 1013), sp.Rational(997, 1019)
    outputs = [s1, s2, s1 - a * s2, s3, s3, a * s2 + b * s3, s1 + b * s3]
    return Generator("p28-big-denominators", [[s1, s2], [s3]], outputs, Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)}), points=[{s1: 0, s2: 0, s3: 0}])


def test_crosscheck_explains_an_s_disagreement_by_the_snap_or_the_support():
    g = _big_denominator_tie()
    agreed = crosscheck_case(g, criteria="S", dtypes="float64", random_points=0)
    (row,) = agreed.rows
    assert row["agree"] and row["rho"]["snap"] == "rational" and row["rho"]["exact"]["rho_minus"] == 10
    # with denominators capped at 1000 the snap misses the dependency: a rho mismatch, not a bug
    missed = crosscheck_case(g, criteria="S", dtypes="float64", random_points=0, max_denominator=1000)
    (row,) = missed.rows
    assert row["exact"] == "refuted" and row["numeric"] == "holds-numerically" and row["agree"] is False
    assert row["rho"]["snap"] == "approximate" and row["rho"]["numeric"]["rho_minus"] > 10
    assert row["class"] == TOLERANCE_SENSITIVE and "snap missed a linear dependency" in row["explanation"]
    assert all(e["kind"] == "snap" and e["class"] == TOLERANCE_SENSITIVE for e in row["entries"])
    assert {e["exact"] for e in row["entries"]} <= {"-1009/1013", "1009/1013", "997/1019"}
    # a coefficient below the float32 resolution flips the support
    tiny = Generator("tiny-coupling", [[s1], [s2]], [s1, s2, s2 + s1 / 10**9], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}])
    by = {r["dtype"]: r for r in crosscheck_case(tiny, criteria="S", random_points=0).rows}
    assert by["float64"]["agree"] and by["float64"]["rho"]["numeric"]["rho_minus"] == 4
    r32 = by["float32"]
    assert r32["exact"] == "refuted" and r32["numeric"] == "holds-numerically" and r32["class"] == TOLERANCE_SENSITIVE
    assert r32["entries"][0]["kind"] == "support" and r32["entries"][0]["exact"] == "1/1000000000"
    assert "the support differs" in r32["explanation"] and "(3, 4)" in r32["explanation"]


def test_a_wrong_numeric_generator_gives_a_possible_bug_for_s(monkeypatch):
    real = cc.from_generator

    def broken(g, dtype=torch.float64, device="cpu"):
        ng = real(g, dtype, device)
        f = ng.f

        def wrong(z):  # every output of P25 picks up a spurious 0.5 * s2: the overlap is everything
            return f(z) + 0.5 * z[..., 1:2]

        return NeuralGenerator(wrong, ng.factors, ng.d, ng.m, ng.name, ng.latent_names, ng.box, ng.dtype, ng.device)

    monkeypatch.setattr(cc, "from_generator", broken)
    (row,) = crosscheck_case(cases.find_case("p25"), criteria="S", dtypes="float64", random_points=0).rows
    assert row["exact"] == "proved" and row["agree"] is False and row["class"] == POSSIBLE_BUG
    assert row["entries"][0]["kind"] == "support" and row["entries"][0]["exact"] == "0"


def test_cli_crosscheck_s_and_its_reading():
    runner = CliRunner()
    result = runner.invoke(main, ["crosscheck", "p05", "--criteria", "S", "--random-points", "0", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["cases"][0]["rows"]
    assert len(rows) == 4 and all(r["agree"] for r in rows)
    assert sorted({(r["exact"], tuple(r["rho"]["numeric"].values())) for r in rows}) == [("proved", (3, 4, 3)), ("refuted", (4, 4, 4))]
    loose = runner.invoke(main, ["crosscheck", "p05", "--criteria", "S", "--random-points", "0", "--json", "--s-reading", "non-strict"])
    assert loose.exit_code == 0 and {r["exact"] for r in json.loads(loose.stdout)["cases"][0]["rows"]} == {"proved"}
    table = runner.invoke(main, ["crosscheck", "p26", "--criteria", "S", "--random-points", "0", "--dtype", "float64"])
    assert table.exit_code == 0 and "ρ± = (9, 9), snap rational" in table.stdout


def test_total_budget_leaves_later_points_undecided():
    """With a total budget spent before the first point, every point is undecided (counted
    neither way) instead of each point taking its own budget: 256 points at 120 s each had no cap."""
    J = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [0.75, 0.75]]] * 3, dtype=torch.float64)
    a = assess_S(J, [[0], [1]], total_budget=1e-9)
    assert not bool(a.decided.any()) and all(p["verdict"] == "undecided" for p in a.details["points"])
    b = assess_S(J, [[0], [1]], total_budget=60.0)
    assert bool(b.decided.all()) and b.holds.tolist() == [False, False, False]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_snaps_keep_exact_structure_in_every_dtype(dtype):
    """Exactly representable entries with two overlap classes (1 and 65/64) next to a large entry
    (1000): numeric rho must be the exact one, which the exact engine computes on the rational
    matrix.  A cap on the denominators sized by tau (wide next to 1000) merged 65/64 into 1
    (a tie: S read as failing), and in float16/bfloat16 the cap reached 0 and crashed."""
    from fractions import Fraction

    from theory.linalg.rho import sparsity

    rows = [[1000, 0], [2, 0], [3, 0], [0, 1], [0, 2], [1, 1], [1, Fraction(65, 64)]]
    exact = sparsity([[Fraction(x) for x in r] for r in rows], [[0], [1]])
    scale = 1 if dtype in (torch.float32, torch.float64) else 1 / 1000  # keep float16 finite
    J = torch.tensor([[[float(x) * scale for x in r] for r in rows]], dtype=dtype)
    a = assess_S(J, [[0], [1]])
    (p,) = a.details["points"]
    assert (exact.rho_plus, exact.rho_minus) == (9, 10)
    if dtype in (torch.float32, torch.float64):
        assert (p["rho_plus"], p["rho_minus"]) == (9, 10) and a.holds.tolist() == [True]
    else:  # low precision: no crash, and a verdict or an honest undecided point
        assert p["verdict"] in ("holds-numerically", "fails-numerically", "undecided")

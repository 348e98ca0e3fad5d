"""Numeric criteria: tolerance rule, hidden zeros, block-diagonal MLPs, irreducibility against
brute force, snapping, result format, options and the registry's dispatch."""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import json
import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import torch

import cases
from numeric.exact_to_torch import from_generator, point_tensor
from numeric.criteria import (
    DEFAULT_C,
    DEFAULT_S_BUDGET,
    NumericOptions,
    NumericResult,
    assess,
    assess_D,
    assess_irreducible_D,
    check_numeric,
    numeric_D,
    numeric_Hn,
    numeric_irreducible_D,
    numeric_M,
    parse_numeric_criteria,
    snap_rational,
    tolerance,
)
from numeric.derivatives import DEFAULT_CHUNK, jacobian
from numeric.generator import NeuralGenerator
from theory import Box, Generator, check
from theory.checker import pick
from theory.errors import InputError
from theory.readings import Readings
from theory.registry import CRITERIA, lookup, resolve

s1, s2 = sp.symbols("s1 s2", real=True)


# -- the hidden zero ----------------------------------------------------------------------------
def _hidden_zero() -> Generator:
    hidden = sp.sin(s1) ** 2 + sp.cos(s1) ** 2 - 1
    return Generator("hidden-zero", [[s1], [s2]], [s1 + s1**3, sp.exp(s1) + hidden * s2, s2], Box({s1: (-2, 2), s2: (-2, 2)}))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_hidden_zero_is_called_zero_not_nonzero(dtype):
    g = _hidden_zero()
    assert pick(check(g, ["D"], budget=60), "D").verdict == "proved"  # exactly zero
    ng = from_generator(g, dtype)
    z = ng.sample(512, seed=0)
    J = jacobian(ng, z)
    cross = J[:, 1, 1].abs()  # d g2 / d s2 = sin^2 + cos^2 - 1, exactly 0
    tau = tolerance(J)
    assert cross.max() > 0, "the test needs the float noise to be there"
    assert torch.all(cross <= tau)
    assert cross.max() > 1e-3 * tau.min()  # not vanishingly small: the tolerance does the work
    r = numeric_D(ng, z)
    assert r.verdict == "holds-numerically"
    assert r.margin["largest_zero"] == pytest.approx(float(cross.max()))
    assert r.margin["largest_zero_ratio"] <= 1
    # a raw "!= 0" test would have failed D: that is what the tolerance is for
    assert numeric_D(ng, z, options=NumericOptions(c=0.0)).verdict == "fails-numerically"


def test_p22_hidden_trig_zero_matches_math_figures():
    g = cases.find_case("p22")
    ng = from_generator(g, torch.float64)
    z = torch.tensor([[0.3, -0.77]], dtype=torch.float64)
    J = jacobian(ng, z)
    assert 0 < abs(J[0, 2, 0].item()) < 1e-15
    assert tolerance(J, c=10)[0].item() == pytest.approx(2.8e-15, rel=0.02)
    assert numeric_D(ng, z).verdict == "holds-numerically"


# -- prescribed MLPs ------------------------------------------------------------------------------
def _block_mlp(cross_weight: float = 0.0, dtype: torch.dtype = torch.float32) -> torch.nn.Module:
    """4 latents in blocks {0,1}, {2,3}; hidden units 0-7 see block 1, 8-15 block 2; outputs
    0-5 read hidden block 1, outputs 6-11 hidden block 2 (Type D by construction)."""
    gen = torch.Generator().manual_seed(0)
    l1, l2, l3 = torch.nn.Linear(4, 16), torch.nn.Linear(16, 16), torch.nn.Linear(16, 12)
    with torch.no_grad():
        for layer, rows, cols in ((l1, 16, 4), (l2, 16, 16), (l3, 12, 16)):
            w = torch.randn(rows, cols, generator=gen) / cols**0.5
            row_block = (torch.arange(rows) >= rows // 2)
            col_block = (torch.arange(cols) >= cols // 2)
            w = w * (row_block[:, None] == col_block[None, :])
            layer.weight.copy_(w)
            layer.bias.copy_(torch.randn(rows, generator=gen) * 0.1)
        l2.weight[0, 8] = cross_weight
    return torch.nn.Sequential(l1, torch.nn.Tanh(), l2, torch.nn.Tanh(), l3).to(dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_block_diagonal_mlp_holds_and_perturbed_copy_fails(dtype):
    factors = {"a": [0, 1], "b": [2, 3]}
    ok = NeuralGenerator(_block_mlp(0.0, dtype), factors, 4, name="block-mlp")
    bad = NeuralGenerator(_block_mlp(1e-3, dtype), factors, 4, name="perturbed")
    r_ok, r_bad = numeric_D(ok, n_points=2048, options=NumericOptions(seed=1)), numeric_D(bad, n_points=2048, options=NumericOptions(seed=1))
    assert r_ok.verdict == "holds-numerically" and r_ok.points_sampled == 2048 and r_ok.dtype == str(dtype)[6:]
    assert r_bad.verdict == "fails-numerically"
    w = r_bad.witness
    assert w["output"] < 6 and w["latents"][0] in ("z1", "z2") and w["latents"][1] in ("z3", "z4")
    assert min(abs(v) for v in w["values"]) > w["tolerance"]
    assert r_bad.details["points_failing"] > 0
    # the cross entries of the perturbed copy are small but far above tau
    assert r_bad.margin["smallest_nonzero_ratio"] > 1
    # H2 follows the same pattern (cross-Hessian blocks by nested jacfwd)
    assert numeric_Hn(ok, 2, n_points=256).verdict == "holds-numerically"
    assert numeric_Hn(bad, 2, n_points=256).verdict == "fails-numerically"
    assert numeric_Hn(bad, 2, n_points=64, options=NumericOptions(hn_method="probe", seed=3)).verdict == "fails-numerically"


# -- tolerance, margins, results ------------------------------------------------------------------
def test_tolerance_rule_is_per_point_and_scales_with_c():
    J = torch.tensor([[[2.0, 0.0]], [[0.0, -8.0]]], dtype=torch.float32)
    eps = torch.finfo(torch.float32).eps
    assert tolerance(J, c=3).tolist() == pytest.approx([3 * eps * 2, 3 * eps * 8])
    extra = torch.tensor([[100.0], [1.0]])
    assert tolerance(J, c=1, extra=[extra]).tolist() == pytest.approx([eps * 100, eps * 8])


def test_margin_reports_largest_zero_and_smallest_nonzero():
    J = torch.tensor([[[1.0, 1e-17], [3e-16, 0.5]]], dtype=torch.float64)
    a = assess_D(J, [[0], [1]], c=10)
    tau = 10 * torch.finfo(torch.float64).eps
    assert bool(a.holds[0])
    m = a.margin(0)
    assert m["largest_zero"] == 3e-16 and m["smallest_nonzero"] == 0.5
    assert m["largest_zero_ratio"] == pytest.approx(3e-16 / tau) and m["smallest_nonzero_ratio"] == pytest.approx(0.5 / tau)


def test_numeric_results_carry_dtype_device_points_tolerance_margin():
    g = from_generator(cases.find_case("p10"), torch.float32)
    results = check_numeric(g, "D,M,H2,H3,irreducible:D", n_points=32, options=NumericOptions(seed=2))
    assert [r.criterion for r in results] == ["D", "M", "H2", "H3", "irreducible:D"]
    for r in results:
        assert isinstance(r, NumericResult)
        doc = r.to_json()
        json.dumps(doc)
        for key in ("criterion", "verdict", "scope", "method", "witness", "details", "dtype", "device", "points_sampled", "tolerance", "margin"):
            assert key in doc
        assert doc["dtype"] == "float32" and doc["device"] == "cpu" and doc["points_sampled"] == 32
        assert doc["tolerance"]["c"] == DEFAULT_C and doc["tolerance"]["min"] <= doc["tolerance"]["max"]
    by = {r.criterion: r.verdict for r in results}
    assert by == {"D": "fails-numerically", "M": "fails-numerically", "H2": "holds-numerically", "H3": "holds-numerically", "irreducible:D": "holds-numerically"}
    with pytest.raises(ValueError):
        NumericResult("D", "proved", "global", "jacfwd")


def test_single_point_result_has_point_scope():
    g = from_generator(cases.find_case("p08"), torch.float64)
    r = numeric_M(g, torch.tensor([0.5, 0.5], dtype=torch.float64))
    assert r.scope == "point" and r.details["at"] == {"s1": 0.5, "s2": 0.5}


def test_parse_numeric_criteria():
    assert parse_numeric_criteria("d,m,h4,irreducible:d,s") == ("D", "M", "H4", "irreducible:D", "S")
    for bad in ("H1", "graph", "irreducible:S", ""):
        with pytest.raises(ValueError):
            parse_numeric_criteria(bad)
    with pytest.raises(InputError, match="no counterpart of irreducible:S"):
        parse_numeric_criteria("D,irreducible:S")


# -- options and the registry -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad",
    [
        {"c": -1.0},
        {"c": float("nan")},
        {"chunk_size": 0},
        {"hn_method": "nested"},
        {"probes": 0},
        {"irreducible_method": "exact"},
        {"max_denominator": 0},
        {"s_budget": 0},
        {"s_engine": "cvc5"},
    ],
)
def test_numeric_options_are_validated_once(bad):
    with pytest.raises(InputError):
        NumericOptions(**bad)
    with pytest.raises(InputError):
        NumericOptions().replace(**bad)


def test_numeric_options_defaults_and_readings():
    o = NumericOptions()
    assert (o.c, o.chunk_size, o.hn_method, o.probes, o.seed) == (DEFAULT_C, DEFAULT_CHUNK, "auto", 2, 0)
    assert (o.irreducible_method, o.max_denominator, o.s_budget, o.s_engine) == ("auto", None, DEFAULT_S_BUDGET, "auto")
    assert o.readings == Readings() and NumericOptions(readings=Readings(hn="pairwise")).readings.hn == "pairwise"
    with pytest.raises(TypeError):
        NumericOptions(readings={"hn": "pairwise"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.c = 1.0  # type: ignore[misc]


def test_every_registry_record_with_a_numeric_counterpart_resolves_to_a_uniform_assess():
    ng = from_generator(cases.find_case("p10"), torch.float64)
    z = ng.sample(3, seed=0)
    J = jacobian(ng, z)
    numeric = [c for c in CRITERIA if c.numeric is not None]
    assert [c.id for c in numeric] == ["D", "M", "S", "Hn", "irreducible:D"]
    for record in numeric:
        which = lookup("H3" if record.is_family else record.id)
        fn = resolve(record.numeric)
        assert list(inspect.signature(fn).parameters) == ["g", "z", "J", "which", "options"]
        a = fn(ng, z, J, which, NumericOptions())
        assert a.criterion == which.id and a.holds.shape == (3,)
    # the uniform entry point gives what the specific function gives
    uniform = resolve(lookup("D").criterion.numeric)(ng, z, J, lookup("D"), NumericOptions(c=50.0))
    specific = assess_D(J, ng.blocks, 50.0, z, ng.latent_names)
    assert uniform.holds.tolist() == specific.holds.tolist() and uniform.witnesses == specific.witnesses
    # records (Which) are accepted wherever ids are
    assert list(assess(ng, [lookup("H2"), "d"], z)) == ["H2", "D"]


def test_options_replace_the_loose_keywords():
    ng = from_generator(cases.find_case("p08"), torch.float64)
    with pytest.raises(TypeError, match="NumericOptions"):
        check_numeric(ng, "D", None, 8, 0)  # the old positional seed
    with pytest.raises(TypeError):
        numeric_D(ng, n_points=8, seed=1)  # type: ignore[call-arg]
    probe = check_numeric(ng, "H2", n_points=4, options=NumericOptions(hn_method="probe", probes=3, seed=5))[0]
    assert probe.method == "jvp-probe" and probe.details["seed"] == 5 and probe.details["probes"] == 3
    assert probe.tolerance["rule"].startswith("tau = c * eps(dtype) * max(max|J|, max|order-n entries|")
    pairwise = numeric_Hn(ng, 2, n_points=4, options=NumericOptions(readings=Readings(hn="pairwise")))
    assert pairwise.details["reading"] == "pairwise"


def test_readings_the_numeric_layer_does_not_compute_are_refused():
    ng = from_generator(cases.find_case("p08"), torch.float64)
    with pytest.raises(InputError, match="coordinate basis"):
        numeric_M(ng, n_points=2, options=NumericOptions(readings=Readings(m_basis="sparsest-aligned")))
    with pytest.raises(InputError, match="pointwise"):
        check_numeric(ng, "S", n_points=1, options=NumericOptions(readings=Readings(rho_plus="coordinates")))
    # the readings of the other criteria do not matter to D
    assert numeric_D(ng, n_points=2, options=NumericOptions(readings=Readings(m_basis="sparsest-aligned"))).verdict


# -- M and H_n against the exact layer on small cases ----------------------------------------------
@pytest.mark.parametrize("name", ["p05", "p08", "p09", "p10", "p23", "p29"])
def test_numeric_verdicts_at_case_points_match_exact_pointwise(name):
    g = cases.find_case(name)
    results = check(g, ["D", "M", "H2", "H3", "H4"], seed=0, budget=60)
    ng = from_generator(g, torch.float64)
    z = point_tensor(g.points, g.latents, torch.float64)
    found = assess(ng, "D,M", z)
    for i, p in enumerate(g.points):
        for cid in ("D", "M"):
            exact = pick(results, cid, "point", p).verdict
            assert exact in ("proved", "refuted")
            assert bool(found[cid].holds[i]) == (exact == "proved"), (name, cid, p)
    for n in (2, 3, 4):
        exact = pick(results, f"H{n}").verdict
        numeric = numeric_Hn(ng, n, n_points=16, options=NumericOptions(seed=1)).verdict
        assert numeric == {"proved": "holds-numerically", "refuted": "fails-numerically"}[exact], (name, n)
        probe = numeric_Hn(ng, n, n_points=16, options=NumericOptions(seed=1, hn_method="probe")).verdict
        assert probe == numeric, (name, n)


# -- irreducible:D ----------------------------------------------------------------------------------
def _rank(rows: list[list[Fraction]]) -> int:
    return int(sp.Matrix(rows).rank()) if rows else 0


def _brute_irreducible(block: list[list[int]]) -> bool:
    """docs/mathematics.md 7.1 (2): reducible iff full rank fails or some split of the nonzero rows is rank-additive."""
    rows = [r for r in block if any(r)]
    k = len(block[0])
    r = _rank(rows)
    if r < k:
        return False
    for size in range(1, len(rows)):
        for part in itertools.combinations(range(len(rows)), size):
            if 0 not in part:
                continue
            s1_ = [rows[i] for i in part]
            s2_ = [rows[i] for i in range(len(rows)) if i not in part]
            if _rank(s1_) + _rank(s2_) == r:
                return False
    return True


@pytest.mark.parametrize("method", ["snap", "tolerance"])
def test_irreducible_d_agrees_with_brute_force_on_random_blocks(method):
    rng = random.Random(7)
    checked = {True: 0, False: 0}
    for _ in range(60):
        m, k = rng.randint(2, 6), rng.randint(1, 3)
        block = [[rng.choice([0, 0, 1, -1, 2]) if rng.random() < 0.8 else 0 for _ in range(k)] for _ in range(m)]
        if rng.random() < 0.3 and m >= 2:  # parallel rows
            block[1] = [2 * x for x in block[0]]
        J = torch.tensor([row + [0] * (m == 0) for row in block], dtype=torch.float64).unsqueeze(0)
        J = torch.cat([J, torch.zeros(1, m, 1, dtype=torch.float64)], dim=2)
        J[0, 0, k] = 1.0  # a second block, irreducible (one nonzero)
        a = assess_irreducible_D(J, [list(range(k)), [k]], method=method)
        truth = _brute_irreducible(block)
        assert bool(a.holds[0]) == truth, (block, a.witnesses[0])
        checked[truth] += 1
    assert checked[True] > 5 and checked[False] > 5


@pytest.mark.parametrize("name,expected", [("p13", "fails-numerically"), ("p14", "holds-numerically"), ("p03", "holds-numerically"), ("p31", "holds-numerically")])
def test_irreducible_d_on_bundled_cases(name, expected):
    for dtype in (torch.float32, torch.float64):
        r = numeric_irreducible_D(from_generator(cases.find_case(name), dtype), n_points=16)
        assert r.verdict == expected, (name, dtype, r.witness)


def test_irreducible_d_finds_p30_lines_and_rank_drop():
    ng = from_generator(cases.find_case("p30"), torch.float64)
    on_line = torch.tensor([[0.5, -0.5, 0.0]], dtype=torch.float64)
    r = numeric_irreducible_D(ng, on_line)
    assert r.verdict == "fails-numerically" and r.witness["factor"] == "f1"
    # tolerance method on a non-rational point near the line agrees
    near = torch.tensor([[0.5 + 1e-3, -0.5, 0.0]], dtype=torch.float64)
    assert numeric_irreducible_D(ng, near, options=NumericOptions(irreducible_method="tolerance")).verdict == "holds-numerically"
    fold = numeric_irreducible_D(from_generator(cases.find_case("p11"), torch.float64), torch.zeros(1, 2, dtype=torch.float64))
    assert fold.verdict == "fails-numerically" and fold.witness["degenerate"] == "rank"


# -- snapping ---------------------------------------------------------------------------------------
def test_snap_rational_recovers_small_denominators_and_refuses_transcendentals():
    rng = random.Random(5)
    exact = [[Fraction(rng.randint(-50, 50), rng.randint(1, 40)) for _ in range(3)] for _ in range(4)]
    J = torch.tensor([[float(q) for q in row] for row in exact], dtype=torch.float64)
    s = snap_rational(J, max_denominator=100)
    assert s.ok and s.values.tolist() == exact and s.max_error <= s.tol
    s32 = snap_rational(J.float(), max_denominator=100)
    assert s32.ok and s32.values.tolist() == exact
    bad = snap_rational(torch.tensor([np.cos(0.5), 1.0], dtype=torch.float64))
    assert not bad.ok and bad.max_error > bad.tol
    assert snap_rational([0.26], max_denominator=5, tol=0.02).values.tolist() == [Fraction(1, 4)]


def test_sampled_points_are_reproducible():
    ng = from_generator(cases.find_case("p12"), torch.float64)
    a = numeric_M(ng, n_points=20, options=NumericOptions(seed=9)).to_json()
    b = numeric_M(ng, n_points=20, options=NumericOptions(seed=9)).to_json()
    a.pop("seconds"), b.pop("seconds")
    assert a == b


def test_hn_on_a_piecewise_linear_network_says_it_is_vacuous():
    """Second derivatives of a LeakyReLU network vanish wherever they exist: H_n holds numerically
    at almost every point whatever the network, and the result says so; a smooth network gets no note."""
    torch.manual_seed(0)
    pl = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.LeakyReLU(0.2), torch.nn.Linear(8, 3)).double()
    smooth = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    (r,) = check_numeric(NeuralGenerator(pl, [[0], [1]], 2), "H2", n_points=8)
    assert r.verdict == "holds-numerically" and "piecewise-linear network" in r.details["note"]
    (r,) = check_numeric(NeuralGenerator(smooth, [[0], [1]], 2), "H2", n_points=8)
    assert "note" not in r.details

"""The sympy-to-torch bridge: every bundled case evaluates, numbers are rounded once, the
function table covers the non-smooth functions, and results are differentiable."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy as sp
import torch

import cases
from numeric.exact_to_torch import compile_condition, compile_outputs, from_generator, point_tensor, round_exact
from numeric.derivatives import jacobian
from theory import Box, Generator, Region
from theory.errors import GeneratorError
from theory.exact.points import random_point

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)


@pytest.mark.parametrize("g", cases.load_bundled(), ids=lambda g: g.name)
def test_every_bundled_case_matches_sympy_in_float64(g):
    ng = from_generator(g, torch.float64)
    rng = random.Random(3)
    points = list(g.points) + [random_point(g.domain, g.latents, rng) for _ in range(3)]
    values = ng(point_tensor(points, g.latents, torch.float64))
    assert values.shape == (len(points), g.m) and values.dtype == torch.float64
    for i, p in enumerate(points):
        for t, expr in enumerate(g.outputs):
            reference = float(sp.N(expr.xreplace(p), 40))
            assert abs(values[i, t].item() - reference) <= 1e-12 * max(1.0, abs(reference)), (g.name, t, p)


@pytest.mark.parametrize("g", cases.load_bundled(), ids=lambda g: g.name)
def test_every_bundled_case_has_float32_jacobians_close_to_float64(g):
    z64 = point_tensor(g.points, g.latents, torch.float64)
    z32 = point_tensor(g.points, g.latents, torch.float32)
    J64 = jacobian(from_generator(g, torch.float64), z64)
    J32 = jacobian(from_generator(g, torch.float32), z32)
    assert J32.dtype == torch.float32
    assert torch.allclose(J32.double(), J64, rtol=1e-5, atol=1e-5)


def _nearest_float32(q: Fraction) -> float:
    """The float32 nearest to q (ties to even), by comparing exact distances of neighbours."""
    x = torch.tensor(float(q), dtype=torch.float32)
    candidates = {x.item(), torch.nextafter(x, torch.tensor(float("inf"))).item(), torch.nextafter(x, torch.tensor(float("-inf"))).item()}
    best = min(candidates, key=lambda c: (abs(Fraction(c) - q), int(torch.tensor(c, dtype=torch.float32).view(torch.int32).item()) & 1))
    return best


def test_rationals_are_rounded_once_to_the_nearest_float32_and_float64():
    rng = random.Random(11)
    for _ in range(300):
        q = Fraction(rng.randint(-(10**12), 10**12), rng.randint(1, 10**12))
        assert round_exact(q, torch.float64) == float(q)  # CPython rounds int/int correctly
        assert round_exact(q, torch.float32) == _nearest_float32(q)


def test_double_rounding_case_is_avoided():
    # 1 + 2^-24 + 2^-60 rounds up to 1 + 2^-23 in float32, but through float64 it becomes
    # 1 + 2^-24 (a tie) and then rounds to even, 1.0
    q = Fraction(1) + Fraction(1, 2**24) + Fraction(1, 2**60)
    assert torch.tensor(float(q), dtype=torch.float32).item() == 1.0
    assert round_exact(q, torch.float32) == 1 + 2**-23
    f = compile_outputs([sp.Rational(q.numerator, q.denominator) * s1], [s1], torch.float32)
    assert f(torch.ones(1, 1, dtype=torch.float32)).item() == 1 + 2**-23


def test_division_by_rational_denominator_is_one_correctly_rounded_division():
    f = compile_outputs([s1 / 3, 2 * s1 / 7], [s1], torch.float64)
    x = torch.tensor([[0.1], [5.0], [1e-300]], dtype=torch.float64)
    out = f(x)
    assert out[:, 0].tolist() == (x[:, 0] / 3).tolist()
    assert out[:, 1].tolist() == ((2 * x[:, 0]) / 7).tolist()


def test_constants_are_evaluated_at_high_precision():
    c = sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11)  # exactly 0 (P16)
    f = compile_outputs([c * s1, sp.pi * s1, sp.E + 0 * s1, sp.sqrt(2)], [s1], torch.float64)
    out = f(torch.ones(2, 1, dtype=torch.float64))
    assert abs(out[0, 0].item()) < 1e-100
    assert out[0, 1].item() == round_exact(sp.pi, torch.float64)
    assert out[0, 2].item() == round_exact(sp.E, torch.float64)
    assert out[:, 3].tolist() == [2**0.5, 2**0.5]


def test_function_table_and_piecewise_values():
    outputs = [
        sp.Abs(s1),
        sp.sign(s1),
        sp.Heaviside(s1),
        sp.Heaviside(s1, 0),
        sp.Max(s1, s2, 0),
        sp.Min(s1, s2),
        sp.Piecewise((s1**2, s1 > 0), (-s1, s2 < 0), (7, True)),
        sp.atan(s1) + sp.tan(s2 / 4),
        sp.sqrt(s2**2 + 1) + (s2**2 + 2) ** sp.Rational(3, 2) + (s2**2 + 1) ** sp.Rational(-1, 2),
        sp.exp(s1) * sp.log(s2**2 + 1) + sp.sin(s1) * sp.cos(s2),
        2**s1 + s1**-2,
        sp.Integer(5),
    ]
    f = compile_outputs(outputs, [s1, s2], torch.float64)
    pts = [(0.0, 1.0), (-0.5, -2.0), (0.75, 3.0), (-1.5, 0.5)]
    z = torch.tensor(pts, dtype=torch.float64)
    out = f(z)
    assert out.shape == (4, len(outputs))
    for i, (a, b) in enumerate(pts):
        env = {s1: sp.Float(a, 30), s2: sp.Float(b, 30)}
        for t, expr in enumerate(outputs):
            if t == 10 and a == 0.0:
                assert out[i, t].item() == float("inf")
                continue
            ref = expr.subs(env)
            ref = float(sp.N(ref, 30))
            assert abs(out[i, t].item() - ref) <= 1e-12 * max(1, abs(ref)), (t, a, b, out[i, t].item(), ref)


def test_piecewise_without_default_is_nan_where_no_piece_applies():
    f = compile_outputs([sp.Piecewise((s1, s1 > 0))], [s1], torch.float64)
    out = f(torch.tensor([[1.0], [-1.0]], dtype=torch.float64))
    assert out[0, 0].item() == 1.0 and torch.isnan(out[1, 0])


def test_constant_outputs_broadcast_to_the_batch_and_have_zero_jacobian():
    f = compile_outputs([sp.Integer(3), sp.Rational(1, 3), s1], [s1, s2], torch.float32)
    z = torch.zeros(5, 2, dtype=torch.float32)
    out = f(z)
    assert out.shape == (5, 3) and out.dtype == torch.float32
    assert torch.all(out[:, 1] == round_exact(Fraction(1, 3), torch.float32))
    J = jacobian(f, z)
    assert J.shape == (5, 3, 2) and torch.all(J[:, :2] == 0) and torch.all(J[:, 2, 0] == 1)


def test_nonsmooth_functions_have_ae_derivatives():
    f = compile_outputs([sp.Heaviside(s1 - 2) * (s1 - 2) ** 3 + s2, sp.Abs(s1) * s2, sp.Max(s1, s2)], [s1, s2], torch.float64)
    J = jacobian(f, torch.tensor([[3.0, 1.0], [1.0, 0.5], [-2.0, 1.0]], dtype=torch.float64))
    assert J[0, 0, 0].item() == pytest.approx(3.0) and J[1, 0, 0].item() == 0.0
    assert J[0, 1, 0].item() == 1.0 and J[2, 1, 0].item() == -1.0
    assert J[0, 2].tolist() == [1.0, 0.0] and J[2, 2].tolist() == [0.0, 1.0]


def test_unknown_function_is_a_clear_error():
    with pytest.raises(GeneratorError, match="no torch translation for gamma"):
        compile_outputs([sp.gamma(s1)], [s1])


def test_region_condition_becomes_the_sampling_test():
    g = Generator("region", [[s1], [s2]], [s1, s2], Region(Box({s1: (0, 2), s2: (-2, 0)}), s1 - s2 < 2))
    ng = from_generator(g, torch.float64)
    z = ng.sample(200, seed=4)
    assert z.shape == (200, 2)
    assert bool(((z[:, 0] - z[:, 1]) < 2).all()) and bool((z[:, 0] > 0).all()) and bool((z[:, 1] < 0).all())
    inside = compile_condition(s1**2 + s2**2 < 1, [s1, s2])
    assert inside(torch.tensor([[0.1, 0.2], [3.0, 0.0]], dtype=torch.float64)).tolist() == [True, False]


def test_point_tensor_rounds_each_coordinate_once():
    pts = [{s1: sp.Rational(1, 3), s2: sp.Rational(-2, 7)}]
    z = point_tensor(pts, [s1, s2], torch.float32)
    assert z.dtype == torch.float32
    assert z[0].tolist() == [round_exact(Fraction(1, 3), torch.float32), round_exact(Fraction(-2, 7), torch.float32)]


def test_from_generator_keeps_names_factors_and_box():
    g = cases.find_case("p03")
    ng = from_generator(g, torch.float32)
    assert ng.name == g.name and ng.latent_names == g.latent_names and ng.blocks == g.blocks
    assert ng.m == g.m and ng.d == g.d and ng.box[0] == (0.5, 1.0)
    assert ng.source is g


@pytest.mark.gpu
def test_bridge_runs_on_cuda():
    g = cases.find_case("p22")
    ng = from_generator(g, torch.float32, "cuda")
    z = point_tensor(g.points, g.latents, torch.float32, "cuda")
    assert jacobian(ng, z).device.type == "cuda"


def test_a_thin_piece_supplies_no_derivative():
    """g3 = s1 + s1*s2 everywhere (on s2 = 0 both pieces give s1), so d g3/d s2 at (1/2, 0) is 1/2
    (exact difference quotients on the written Piecewise, both sides); torch.where on the thin
    piece gave 0, and the numeric D and H2 held there."""
    s1, s2 = sp.symbols("s1 s2", real=True)
    out = sp.Piecewise((s1, sp.Eq(s2, 0)), (s1 + s1 * s2, True))
    h = sp.Rational(1, 10**6)
    half = sp.Rational(1, 2)
    for step in (h, -h):
        assert (out.subs({s1: half, s2: step}) - out.subs({s1: half, s2: 0})) / step == half
    g = Generator("thin", [[s1], [s2]], [s1, s2, out], Box({s1: (-1, 1), s2: (-1, 1)}))
    ng = from_generator(g)
    J = torch.func.jacfwd(ng.f)(torch.tensor([0.5, 0.0], dtype=torch.float64))
    assert float(J[2, 1]) == 0.5

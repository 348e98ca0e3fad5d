"""Generator, Box, Region and point validation: every rejection of docs/user-guide.md section 2, one by one."""

from __future__ import annotations

import pytest
import sympy as sp

from theory import Box, DomainError, Generator, GeneratorError, PointError, Region

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})


def make(**overrides):
    kwargs = dict(name="g", factors=[[s1], [s2]], outputs=[s1, s2, s1 * s2], domain=BOX)
    kwargs.update(overrides)
    return Generator(**kwargs)


def test_valid_generator_and_derived_structure():
    g = make(factors={"left": [s1], "right": [s2]}, points=[{s1: sp.Rational(1, 2), "s2": "-1/3"}])
    assert g.latents == (s1, s2)
    assert g.blocks == ((0,), (1,))
    assert g.factor_names == ("left", "right")
    assert g.points[0] == {s1: sp.Rational(1, 2), s2: sp.Rational(-1, 3)}
    assert g.to_json()["domain"] == {"s1": ["-1", "1"], "s2": ["-1", "1"]}


def test_list_factors_get_default_names_and_matrix_outputs():
    g = make(outputs=sp.Matrix([s1, s2, 3]))
    assert g.factor_names == ("f1", "f2")
    assert g.outputs == (s1, s2, sp.Integer(3))


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(outputs=[s1, s2, s3]), "s3, which is in no factor"),
        (dict(factors=[[s1, s2], [s2]]), "appears in two blocks"),
        (dict(factors=[[s1], [], [s2]]), "empty block"),
        (dict(factors=[[sp.Symbol("s1")], [s2]], outputs=[sp.Symbol("s1"), s2]), "not declared real"),
        (dict(factors=[[sp.Symbol("z", complex=True)], [s2]], outputs=[s2]), "not declared real"),
        (dict(outputs=[s1, sp.nan]), "NaN"),
        (dict(outputs=[s1, s2 + sp.oo]), "infinity"),
        (dict(outputs=[s1, sp.zoo * s2]), "NaN|infinity"),
        (dict(outputs=[s1, sp.I * s2]), "not real-valued"),
        (dict(outputs=[s1, sp.Function("f")(s2)]), "not a closed-form function"),
        (dict(outputs=[s1, sp.Derivative(s2**2, s2)]), "not a closed-form function"),
        (dict(outputs=["s1 + s2"]), "is a string"),
        (dict(outputs=[]), "outputs is empty"),
        (dict(factors=[]), "factors is empty"),
        (dict(factors=[[s1 + s2], [s2]]), "not a sympy Symbol"),
        (dict(name=""), "non-empty string"),
        (dict(domain={s1: (0, 1)}), "must be a Box or a Region"),
        (dict(domain=Box({s3: (0, 1)})), "s3, which is not a latent"),
        (dict(factors=[[s1], [sp.Dummy("s1", real=True)]], outputs=[s1]), "both named s1"),
    ],
)
def test_generator_rejections(overrides, message):
    with pytest.raises(GeneratorError, match=message):
        make(**overrides)


@pytest.mark.parametrize(
    "bounds, message",
    [
        ({s1: ("a", 1)}, "bad domain bound"),
        ({s1: (None, 1)}, "bad domain bound"),
        ({s1: (s2, 1)}, "bad domain bound"),
        ({s1: (float("nan"), 1)}, "bad domain bound"),
        ({s1: (1, 1)}, "empty interval"),
        ({s1: (2, 1)}, "empty interval"),
        ({s1: (sp.oo, sp.oo)}, "empty interval"),
        ({s1: (0, 1, 2)}, "pair"),
        ({"s1": (0, 1)}, "Symbols"),
    ],
)
def test_box_rejections(bounds, message):
    with pytest.raises(DomainError, match=message):
        Box(bounds)


def test_box_reads_bounds_exactly():
    box = Box({s1: ("1/3", 0.5), s2: ("-oo", sp.oo)})
    assert box.interval(s1) == (sp.Rational(1, 3), sp.Rational(1, 2))
    assert box.interval(s2) == (-sp.oo, sp.oo)
    assert box.interval(s3) == (-sp.oo, sp.oo)


@pytest.mark.parametrize(
    "condition, message",
    [
        (s1 + 1, "sympy Boolean"),
        (sp.sin(s1) < 1, "polynomial inequalities"),
        (sp.sqrt(2) * s1 < 1, "rational coefficients"),
        (sp.false, "empty"),
    ],
)
def test_region_rejections(condition, message):
    with pytest.raises(DomainError, match=message):
        Region(BOX, condition)


def test_region_membership_and_convexity():
    region = Region(Box({s1: (0, 2), s2: (-2, 0)}), s1 - s2 < 2)
    assert region.contains({s1: sp.Rational(1, 2), s2: sp.Rational(-1, 2)})
    assert not region.contains({s1: sp.Rational(3, 2), s2: sp.Rational(-3, 2)})
    assert region.is_convex
    assert not Region(BOX, s1**2 + s2**2 < 1).is_convex


@pytest.mark.parametrize(
    "point, message",
    [
        ({s1: 0}, "missing the coordinate"),
        ({s1: 0, s2: 2}, "outside the domain"),
        ({s1: 0, s2: 1}, "outside the domain"),  # the box is open
        ({s1: 0, s2: 0, s3: 0}, "not a latent"),
        ({s1: 0, s2: "x"}, "not a rational number"),
        ({s1: 0, s2: sp.sqrt(2)}, "rational number"),
        ({s1: 0, s2: float("inf")}, "finite"),
        ({s1: 0, s2: True}, "boolean"),
        ([0, 0], "dict"),
    ],
)
def test_point_rejections(point, message):
    with pytest.raises(PointError, match=message):
        make(points=[point])


def test_unused_latent_is_allowed_and_reported():
    g = make(factors=[[s1], [s2, s3]], outputs=[s1, s2])
    assert g.unused_latents == (s3,)
    assert any("s3" in note for note in g.notes)


def test_floats_in_outputs_are_read_as_their_decimals():
    g = make(outputs=[s1, 0.1 * s2])
    assert g.outputs[1] == sp.Rational(1, 10) * s2
    assert any("floats" in note for note in g.notes)


def test_thin_region_checks_with_its_own_point_or_one_z3_finds():
    from theory.checker import check

    thin = Region(BOX, s1**2 + s2**2 < sp.Rational(1, 10**6))
    g = make(outputs=[s1, s2, s1**3 + s2], domain=thin, points=[{s1: 0, s2: 0}])
    verdicts = {(r.criterion, r.scope): r.verdict for r in check(g, ["D", "M", "H2"])}
    assert verdicts[("H2", "global")] == "proved"
    assert verdicts[("D", "global")] == "refuted"  # z3 finds a witness inside the thin disc
    # without points, sampling misses the disc: the pointwise checks run at z3's point of it
    pointwise = [r for r in check(make(outputs=[s1, s2, s1 * s2], domain=thin), ["D"]) if r.scope == "point"]
    assert pointwise and all(r.point[s1] ** 2 + r.point[s2] ** 2 < sp.Rational(1, 10**6) for r in pointwise)
    assert all(r.verdict == "refuted" for r in pointwise if r.point[s1] != 0 and r.point[s2] != 0)


def test_a_checked_generator_pickles_without_its_caches():
    """``--jobs`` workers and Ray tasks receive generators by pickling; one that has been checked
    holds a derivative table and the guard's black box (lambdified functions, mpmath rationals,
    which do not pickle or unpickle), so they are left out and rebuilt on first use."""
    import pickle

    import cases
    from theory import check

    g = cases.find_case("p16")
    before = [(r.criterion, r.scope, r.verdict, r.witness) for r in check(g, ["D", "M", "S"], isolate=False)]
    assert "derivatives" in g.__dict__ and "black_box" in g.__dict__
    copy = pickle.loads(pickle.dumps(g))
    assert "derivatives" not in copy.__dict__ and "black_box" not in copy.__dict__
    after = [(r.criterion, r.scope, r.verdict, r.witness) for r in check(copy, ["D", "M", "S"], isolate=False)]
    assert after == before


def test_decimals_in_a_region_condition_are_read_exactly():
    """0.5 and 0.1 in a Region condition are 1/2 and 1/10, as in box ends and points (the binary
    value of the float 0.1 is not 1/10); before, such a condition was refused."""
    import sympy as sp

    from theory import Box, Region

    a, b = sp.symbols("s1 s2", real=True)
    r = Region(Box({a: (-1, 1), b: (-1, 1)}), a**2 + 0.1 * b < 0.3)
    assert r.condition == (a**2 + b / 10 < sp.Rational(3, 10))
    half = sp.Rational(1, 2)
    assert not r.contains({a: half, b: half})  # exactly on the boundary: 1/4 + 1/20 = 3/10
    assert r.contains({a: half, b: sp.Rational(49, 100)})


def test_region_coefficients_that_cancel_are_read_expanded():
    """(s1 + sqrt(2) s2)^2 - 2 sqrt(2) s1 s2 is s1^2 + 2 s2^2 (by hand): accepted as rational,
    the condition is kept expanded, so z3 reads it (T1 was unknown: 'Pow is outside the
    piecewise-polynomial fragment'); membership is the same as written."""
    from theory import check

    a, b = sp.symbols("a b", real=True)
    written = (a + sp.sqrt(2) * b) ** 2 - 2 * sp.sqrt(2) * a * b < sp.Rational(1, 2)
    region = Region(Box({a: (-1, 1), b: (-1, 1)}), written)
    assert region.condition == (a**2 + 2 * b**2 - sp.Rational(1, 2) < 0)
    for p in [(0, 0), (sp.Rational(1, 2), sp.Rational(1, 3)), (sp.Rational(2, 3), sp.Rational(1, 5)), (sp.Rational(-1, 7), sp.Rational(9, 20))]:
        point = {a: p[0], b: p[1]}
        assert region.contains(point) == bool(written.xreplace(point))
    g = Generator("ellipse", [[a], [b]], [a, b, a * b], region)
    (t1,) = [r for r in check(g, criteria=["T1"], budget=30, isolate=False) if r.scope == "global"]
    assert t1.verdict == "proved", t1

"""Piecewise-linear generators: linear regions, D-irreducibility on them, injectivity by layers.

Each exact route is checked against an independent one: the regions against dense sampling of
exact rational points (activation patterns recomputed here from the weights), the Jacobian of a
region against exact difference quotients of g's values (sympy evaluation of the outputs as
written), the irreducibility of each region's block against brute-force splits (rank
additivity, docs/mathematics.md 7.1), and injectivity against z3 deciding ``g(p) = g(q), p != q``
on the box with ``Max`` as an if-then-else.
"""

from __future__ import annotations

import random
from fractions import Fraction
from itertools import combinations

import pytest
import sympy as sp
import z3

from theory import Box, Generator
from theory.criteria.context import CheckContext
from theory.criteria.injectivity import check_locally_injective
from theory.criteria.irreducibility import check_irreducible_at, check_irreducible_d_global
from theory.criteria.piecewise_linear import block_verdicts, injective_layers, pl_d_irreducible
from theory.linalg.rational import rank
from theory.model.piecewise_linear import NotPiecewiseLinear, PLNetwork, TooManyRegions, linear_regions, pattern_at


# -- small random networks (weights kept, so patterns can be recomputed independently) ---------
def _weights(rng: random.Random, rows: int, cols: int, lo: int = -4, hi: int = 4) -> list[list[int]]:
    return [[rng.randint(lo, hi) for _ in range(cols)] for _ in range(rows)]


def _leaky(u: sp.Expr, slope: sp.Rational) -> sp.Expr:
    return sp.Max(slope * u, u)


def _network(latents, layers: list[list[list[int]]], slope: sp.Rational, biases: list[list[int]] | None = None) -> list[sp.Expr]:
    """``W_L act(... act(W_1 s + b_1) ...)``: every layer but the last followed by the activation."""
    h: list[sp.Expr] = list(latents)
    for i, W in enumerate(layers):
        pre = [sum((w * x for w, x in zip(row, h)), sp.S.Zero) + (biases[i][j] if biases else 0) for j, row in enumerate(W)]
        h = pre if i == len(layers) - 1 else [_leaky(u, slope) for u in pre]
    return h


def _pattern_here(layers, slope: Fraction, point: list[Fraction], biases=None) -> tuple[int, ...] | None:
    """The signs of every hidden pre-activation at ``point``, computed from the weights (``None`` on a kink)."""
    h, signs = list(point), []
    for i, W in enumerate(layers[:-1]):
        pre = [sum((Fraction(w) * x for w, x in zip(row, h)), Fraction(0)) + (biases[i][j] if biases else 0) for j, row in enumerate(W)]
        if any(u == 0 for u in pre):
            return None
        signs.extend(1 if u > 0 else -1 for u in pre)
        h = [u if u > 0 else slope * u for u in pre]
    return tuple(signs)


def _random_point(rng: random.Random, n: int, den: int = 997) -> list[Fraction]:
    return [Fraction(rng.randint(-den + 1, den - 1), den) for _ in range(n)]


def _values(outputs, latents, point) -> list[sp.Rational]:
    env = {s: sp.Rational(x.numerator, x.denominator) for s, x in zip(latents, point)}
    return [sp.sympify(o).xreplace(env) for o in outputs]


def _gradient_by_differences(outputs, latents, point, h: Fraction) -> list[list[Fraction]]:
    base = _values(outputs, latents, point)
    cols = []
    for i in range(len(latents)):
        moved = list(point)
        moved[i] += h
        cols.append([Fraction(str(v - b)) / h for v, b in zip(_values(outputs, latents, moved), base)])
    return [list(r) for r in zip(*cols)]


CASES = [  # (seed, latents, widths, slope, with biases)
    (1, 2, [5, 3], sp.Rational(1, 5), False),
    (2, 3, [6, 4], sp.Rational(1, 100), False),
    (3, 2, [3, 3, 2], sp.Rational(1, 3), True),
    (4, 3, [4, 4, 3], sp.Rational(1, 2), True),
]


@pytest.mark.parametrize("seed,d,widths,slope,bias", CASES)
def test_regions_against_dense_sampling(seed, d, widths, slope, bias):
    rng = random.Random(seed)
    latents = sp.symbols(f"x1:{d + 1}", real=True)
    dims = [d] + widths
    layers = [_weights(rng, dims[i + 1], dims[i]) for i in range(len(widths))]
    biases = [[rng.randint(-2, 2) for _ in range(w)] for w in widths] if bias else None
    outputs = _network(latents, layers, slope, biases)
    net = PLNetwork.parse(outputs, latents)
    regions = linear_regions(net, list(range(len(outputs))), [(-1, 1)] * d)
    a = Fraction(slope.p, slope.q)
    # every region: an exact point strictly inside the box and off every kink, one pattern per region
    found = set()
    for r in regions:
        assert all(-1 < x < 1 for x in r.point)
        mine = _pattern_here(layers, a, list(r.point), biases)
        assert mine is not None and mine not in found
        found.add(mine)
    # J on a region = exact difference quotients of g's values (two steps must agree)
    for r in rng.sample(regions, min(6, len(regions))):
        h = Fraction(1, 10**9)
        by_diff = _gradient_by_differences(outputs, latents, list(r.point), h)
        assert by_diff == _gradient_by_differences(outputs, latents, list(r.point), h / 3)
        assert [list(row) for row in r.rows] == by_diff
    # every sampled exact point's pattern is among the enumerated ones
    sampled = set()
    for _ in range(1000):
        p = _random_point(rng, d)
        mine = _pattern_here(layers, a, p, biases)
        if mine is not None:
            sampled.add(mine)
    assert sampled <= found
    assert len(sampled) >= len(found) // 2  # the sampling is dense enough to mean something


def test_region_counts_of_central_arrangements():
    """n distinct lines through 0 cut the square into 2n regions; a bias-free net on a box
    away from 0 sees only the regions that reach it."""
    x, y = sp.symbols("x y", real=True)
    lines = [(1, 0), (0, 1), (1, 1), (1, -1), (2, 1)]
    outputs = [sp.Max(a * x + b * y, (a * x + b * y) / 4) for a, b in lines]
    net = PLNetwork.parse(outputs, (x, y))
    assert len(linear_regions(net, list(range(5)), [(-1, 1), (-1, 1)])) == 10
    # on (1/2, 1) x (1/2, 1) every form is positive except x - y, whose sign changes
    assert len(linear_regions(net, list(range(5)), [(sp.Rational(1, 2), 1), (sp.Rational(1, 2), 1)])) == 2


def test_parse_other_primitives_and_refusals():
    x, y = sp.symbols("x y", real=True)
    outputs = [sp.Abs(x - y) + sp.Min(x, 2 * y, 0), sp.Piecewise((x, x + y > 0), (y / 2, True)), 3 * sp.Heaviside(x) + sp.sign(y)]
    net = PLNetwork.parse(outputs, (x, y))
    regions = linear_regions(net, [0, 1, 2], [(-1, 1), (-1, 1)])
    for r in regions:  # the gradients agree with exact difference quotients
        assert [list(row) for row in r.rows] == _gradient_by_differences(outputs, (x, y), list(r.point), Fraction(1, 10**7))
    sampled = {pattern_at(net, *net.reach([0, 1, 2]), _random_point(random.Random(5), 2)) for _ in range(1)}
    assert sampled <= {r.pattern for r in regions} | {None}
    for bad in (x * y, sp.exp(x), sp.sqrt(2) * x, sp.Max(x, y) ** 2):
        with pytest.raises(NotPiecewiseLinear):
            PLNetwork.parse([bad], (x, y))
    with pytest.raises(TooManyRegions):
        linear_regions(net, [0, 1, 2], [(-1, 1), (-1, 1)], max_regions=2)


def test_patterns_of_sampled_points_match_pattern_at():
    rng = random.Random(11)
    latents = sp.symbols("x1:4", real=True)
    layers = [_weights(rng, 5, 3), _weights(rng, 4, 5), _weights(rng, 3, 4)]
    outputs = _network(latents, layers, sp.Rational(1, 7))
    net = PLNetwork.parse(outputs, latents)
    units, variables = net.reach(range(3))
    patterns = {r.pattern for r in linear_regions(net, [0, 1, 2], [(-1, 1)] * 3)}
    for _ in range(300):
        p = _random_point(rng, 3)
        here = pattern_at(net, units, variables, p)
        assert here is None or here in patterns


# -- irreducibility per region vs brute-force splits ---------------------------------------------
def _brute_force_state(Jk: list[list[Fraction]]) -> str:
    """``degenerate`` / ``reducible`` / ``irreducible`` by trying every split of the nonzero rows."""
    if rank(Jk) < len(Jk[0]):
        return "degenerate"
    E = [r for r in Jk if any(r)]
    total = rank(E)
    for size in range(1, len(E)):
        for S1 in combinations(range(len(E)), size):
            S2 = [i for i in range(len(E)) if i not in S1]
            if rank([E[i] for i in S1]) + rank([E[i] for i in S2]) == total:
                return "reducible"
    return "irreducible"


@pytest.mark.parametrize("seed", range(6))
def test_block_verdicts_against_brute_force_splits(seed):
    rng = random.Random(100 + seed)
    latents = sp.symbols("x1:4", real=True)
    # a ReLU (slope 0) layer makes rows vanish on some regions: reducible and degenerate blocks occur
    layers = [_weights(rng, 4, 3, -2, 2), _weights(rng, 5, 4, -1, 1)]
    outputs = _network(latents, layers, sp.S.Zero) + list(latents[:2])
    net = PLNetwork.parse(outputs, latents)
    regions = linear_regions(net, list(range(len(outputs))), [(-1, 1)] * 3)
    seen = set()
    for r in regions:
        rows = [list(row) for row in r.rows]
        state, _ = block_verdicts(list(r.rows), [0, 1, 2])
        assert state == _brute_force_state(rows)
        seen.add(state)
    assert seen  # at least one region


def _pl_generator(outputs, latents, blocks, lo=-1, hi=1, name="pl"):
    return Generator(name, [[latents[a] for a in b] for b in blocks], outputs, Box({s: (lo, hi) for s in latents}))


def test_global_d_irreducibility_proved_and_refuted():
    z = sp.symbols("z1:5", real=True)
    u = z[0] + z[1] + z[2]
    # LeakyReLU: the row of u never vanishes, so (e1, e2, e3, (1,1,1)-ish) is one circuit everywhere
    leaky = _pl_generator([z[0], z[1], z[2], sp.Max(u / 5, u), z[3]], z, [[0, 1, 2], [3]])
    r = check_irreducible_d_global(CheckContext(leaky))
    assert (r.verdict, r.method) == ("proved", "linear-regions") and r.details["linear_regions"]["f1"]["regions"] == 2
    # ReLU: where u < 0 the fourth row vanishes and the block splits into three coordinate lines
    relu = _pl_generator([z[0], z[1], z[2], sp.Max(0, u), z[3]], z, [[0, 1, 2], [3]])
    ctx = CheckContext(relu)
    r = check_irreducible_d_global(ctx)
    assert (r.verdict, r.method) == ("refuted", "linear-regions")
    point = r.witness["point"]
    assert sum(point[s] for s in z[:3]) < 0
    # the witness re-checked on the pointwise path and by brute force at its point
    assert check_irreducible_at(ctx, point, "D").verdict == "refuted"
    J = [[Fraction(int(e.p), int(e.q)) for e in row] for row in sp.Matrix([[sp.diff(o, s).subs(point) for s in z[:3]] for o in [z[0], z[1], z[2], sp.Piecewise((u, u > 0), (0, True))]]).tolist()]
    assert _brute_force_state(J) == "reducible"


def test_shared_network_per_slot_is_enumerated_once():
    z = sp.symbols("z1:7", real=True)
    rng = random.Random(3)
    layers = [_weights(rng, 5, 3), _weights(rng, 5, 5)]
    outputs = _network(z[:3], layers, sp.Rational(1, 5)) + _network(z[3:], layers, sp.Rational(1, 5))
    g = _pl_generator(outputs, z, [[0, 1, 2], [3, 4, 5]])
    ctx, cache = CheckContext(g), {}
    first = pl_d_irreducible(ctx, 0, cache)
    assert len(cache) == 1  # one answer for both slots
    assert pl_d_irreducible(ctx, 1, cache) is first or first[0] == "refuted"
    # the regions are enumerated once per context, and the rank check of Type S reuses them
    shared = ctx.__dict__["_piecewise_linear"]
    assert sum(1 for key in shared if key[0] == "regions") == 1
    before = dict(shared)
    from theory.criteria.piecewise_linear import pl_full_column_rank

    assert pl_full_column_rank(ctx, 1)[0] in (True, None) and shared == before


# -- injectivity vs z3 ----------------------------------------------------------------------------
def _z3_collision(outputs, latents, lo=-1, hi=1) -> str:
    """z3 (QF_LRA with if-then-else): is there p != q in the box with g(p) = g(q)?"""
    p = {s: z3.Real(f"p_{s}") for s in latents}
    q = {s: z3.Real(f"q_{s}") for s in latents}

    def enc(e, env):
        if e.is_Symbol:
            return env[e]
        if e.is_Rational:
            return z3.RealVal(str(e))
        if e.is_Add:
            return z3.Sum([enc(a, env) for a in e.args])
        if e.is_Mul:
            out = enc(e.args[0], env)
            for a in e.args[1:]:
                out = out * enc(a, env)
            return out
        if isinstance(e, sp.Max):
            out = enc(e.args[0], env)
            for a in e.args[1:]:
                b = enc(a, env)
                out = z3.If(out >= b, out, b)
            return out
        raise AssertionError(e)

    solver = z3.Solver()
    for env in (p, q):
        for s in latents:
            solver.add(env[s] > lo, env[s] < hi)
    solver.add(z3.Or([p[s] != q[s] for s in latents]))
    for o in outputs:
        solver.add(enc(sp.sympify(o), p) == enc(sp.sympify(o), q))
    return str(solver.check())


INJECTIVITY = [  # (name, layers, slope): injective iff every layer has full column rank and slope > 0
    ("leaky", [[[1, 2], [3, -1], [1, 1]], [[1, 0, 2], [0, 1, 1], [2, 1, 0]]], sp.Rational(1, 5)),
    ("leaky-deep", [[[2, 1], [1, -1]], [[1, 1], [1, -2]], [[1, -1], [2, 1], [1, 3]]], sp.Rational(1, 2)),
    ("relu", [[[1, 2], [3, -1], [1, 1]], [[1, 0, 2], [0, 1, 1], [2, 1, 0]]], sp.S.Zero),
    ("rank-deficient-first", [[[1, 2], [2, 4], [3, 6]], [[1, 0, 2], [0, 1, 1], [2, 1, 0]]], sp.Rational(1, 5)),
    ("rank-deficient-last", [[[1, 2], [3, -1], [1, 1]], [[1, 1, 0], [2, 2, 0], [1, 1, 0]]], sp.Rational(1, 5)),
    ("decreasing-slope", [[[1, 2], [3, -1], [1, 1]], [[1, 0, 2], [0, 1, 1], [2, 1, 0]]], sp.Rational(-1, 2)),
]


@pytest.mark.parametrize("name,layers,slope", INJECTIVITY)
def test_injective_layers_against_z3(name, layers, slope):
    x = sp.symbols("x1:3", real=True)
    outputs = _network(x, layers, slope)
    g = _pl_generator(outputs, x, [[0], [1]])
    verdict = injective_layers(CheckContext(g))
    truth = _z3_collision(outputs, x)
    assert truth in ("sat", "unsat")
    if verdict is not None and verdict[0]:
        assert truth == "unsat", name  # a proof needs the truth
    expected = slope > 0 and all(rank([[Fraction(w) for w in row] for row in W]) == len(W[0]) for W in layers)
    assert bool(verdict and verdict[0]) == expected, (name, verdict)
    if name in ("relu", "rank-deficient-first", "rank-deficient-last", "decreasing-slope"):
        assert truth == "sat"  # these are really not injective on the box


def test_abs_activation_is_not_proved_and_affine_maps_are_left_to_the_old_routes():
    x = sp.symbols("x1:3", real=True)
    folded = _pl_generator([sp.Abs(x[0]) + x[1], x[1], sp.Abs(x[0] - x[1])], x, [[0], [1]])
    ok, info = injective_layers(CheckContext(folded))
    assert not ok and "unit" in info["reason"]
    assert _z3_collision([sp.Max(x[0], -x[0]) + x[1], x[1], sp.Max(x[0] - x[1], x[1] - x[0])], x) == "sat"
    affine = _pl_generator([x[0] + x[1], x[0] - x[1]], x, [[0], [1]])
    assert injective_layers(CheckContext(affine)) is None


def test_locally_injective_hook():
    x = sp.symbols("x1:3", real=True)
    layers = INJECTIVITY[0][1]
    g = _pl_generator(_network(x, layers, sp.Rational(1, 5)), x, [[0], [1]])
    r = check_locally_injective(CheckContext(g))
    assert (r.verdict, r.method) == ("proved", "injective-layers") and r.details["groups"][0]["widths"] == [2, 3, 3]
    bad = _pl_generator(_network(x, layers, sp.S.Zero), x, [[0], [1]])
    r = check_locally_injective(CheckContext(bad))
    assert r.verdict != "proved" and "injective_layers" in r.details


def test_bundled_brady_case():
    """x08: Brady et al.'s generator at their defaults; Theorem 2's three hypotheses on g by the new routes."""
    import cases

    g = cases.find_case("x08")
    assert (g.m, g.d, [len(b) for b in g.blocks]) == (40, 6, [3, 3])
    ctx = CheckContext(g)
    ok, info = injective_layers(ctx)
    assert ok and [grp["widths"] for grp in info["groups"]] == [[3, 20, 20], [3, 20, 20]]
    cache: dict = {}
    first = pl_d_irreducible(ctx, 0, cache)
    assert first[0] == "proved" and first[1]["regions"] > 300
    assert pl_d_irreducible(ctx, 1, cache) is first  # the shared MLP: enumerated once


def test_spanning_from_the_regions_against_sampled_gradients():
    from theory.criteria.piecewise_linear import pl_spanning
    from theory.criteria.spanning import check_spanning

    x = sp.symbols("x1:4", real=True)
    rng = random.Random(21)
    layers = [_weights(rng, 4, 3), _weights(rng, 3, 4)]
    outputs = _network(x, layers, sp.Rational(1, 5))
    g = _pl_generator(outputs, x, [[0, 1], [2]])
    proof = pl_spanning(CheckContext(g))
    assert proof is not None and proof[0] == "proved" and set(proof[1]["rows"].values()) == {"spans"}
    # independent: exact difference quotients at sampled points already span R^3 for every output
    grads = [_gradient_by_differences(outputs, x, _random_point(rng, 3), Fraction(1, 10**9)) for _ in range(12)]
    for t in range(3):
        assert rank([grad[t] for grad in grads]) == 3
    r = check_spanning(CheckContext(g))
    assert (r.verdict, r.method) == ("proved", "linear-regions")
    # outputs whose gradient is always parallel to (1, 1), or to (1, -1) (on a strip of width
    # 10^-6 between two kinks, 0 elsewhere): refuted from the regions, with the dependency.  The
    # truth: g's values do not change along the dependency's direction (exact differences)
    y = x[:2]
    strip = sp.Max(0, y[0] - y[1]) - sp.Max(0, y[0] - y[1] - sp.Rational(1, 10**6))
    for output, direction in ((sp.Max((y[0] + y[1]) / 5, y[0] + y[1]), (1, -1)), (strip, (1, 1))):
        flat = _pl_generator([output, y[1]], y, [[0], [1]])
        for _ in range(6):
            p = _random_point(rng, 2)
            at = {y[0]: sp.Rational(p[0].numerator, p[0].denominator), y[1]: sp.Rational(p[1].numerator, p[1].denominator)}
            h = sp.Rational(1, 7)
            assert output.xreplace({y[0]: at[y[0]] + h * direction[0], y[1]: at[y[1]] + h * direction[1]}) == output.xreplace(at)
        verdict, witness = pl_spanning(CheckContext(flat))
        assert verdict == "refuted" and witness["output"] == 0
        dependency = [Fraction(witness["dependency"][str(v)]) for v in y]
        assert dependency[0] * direction[1] == dependency[1] * direction[0] != 0
        r = check_spanning(CheckContext(flat))
        assert (r.verdict, r.method) == ("refuted", "linear-regions") and r.witness["output"] == 0


# -- J at a point, S-irreducibility and Type M on the regions ---------------------------------------
def _generic_jacobian(ctx: CheckContext, point: dict) -> list[list[Fraction | None]]:
    """J at ``point`` from the generic derivative table (the route the PL hook bypasses);
    ``None`` where that route leaves an entry undecided."""
    g = ctx.generator
    out = []
    for t in range(g.m):
        row = []
        for a in range(g.d):
            decision = ctx._decide_value(t, (a,), point, cheap=False)
            v = sp.S.Zero if decision.status == "zero" else decision.value
            row.append(None if decision.status == "unknown" else Fraction(int(v.p), int(v.q)))
        out.append(row)
    return out


@pytest.mark.parametrize("seed,d,widths,slope,bias", CASES[:3])
def test_jacobian_at_a_point_against_differences_and_the_derivative_table(seed, d, widths, slope, bias):
    rng = random.Random(seed)
    latents = sp.symbols(f"x1:{d + 1}", real=True)
    layers = [_weights(rng, w, c) for w, c in zip(widths, [d] + widths[:-1])]
    biases = [[rng.randint(-2, 2) for _ in range(w)] for w in widths] if bias else None
    outputs = _network(latents, layers, slope, biases)
    g = _pl_generator(outputs, latents, [list(range(d))])
    ctx = CheckContext(g)
    checked = decided = 0
    for _ in range(4):
        p = _random_point(rng, d)
        pattern = _pattern_here(layers, Fraction(slope.p, slope.q), p, biases)
        h = Fraction(1, 10**9)
        if pattern is None or _pattern_here(layers, Fraction(slope.p, slope.q), [x + h for x in p], biases) != pattern:
            continue
        if any(_pattern_here(layers, Fraction(slope.p, slope.q), [x + h * (i == j) for j, x in enumerate(p)], biases) != pattern for i in range(d)):
            continue
        point = {s: sp.Rational(x.numerator, x.denominator) for s, x in zip(latents, p)}
        J, _ = ctx.rational_jacobian_at(point)
        assert ctx.__dict__["_linear_jacobians"][tuple(point[s] for s in latents)] is not None  # the PL route answered
        assert J == _gradient_by_differences(outputs, latents, p, h)
        generic = _generic_jacobian(ctx, point)
        assert all(v is None or v == w for row, wrow in zip(generic, J) for v, w in zip(row, wrow))
        decided += sum(v is not None for row in generic for v in row)
        assert ctx.value_at(0, (0, 0), point).status == "zero"  # affine on the region
        checked += 1
    assert checked >= 2 and (decided > 0 or bias)  # the generic route leaves nested biased kinks undecided
    # on a kink the PL route declines (J may not exist there)
    zero = {s: sp.S.Zero for s in latents}
    if not bias:
        from theory.criteria.piecewise_linear import pl_jacobian_at

        assert pl_jacobian_at(ctx, zero) is None


def test_general_position_blocks_keep_no_split_against_the_split_search():
    """general_position_3d (rows of a 3-D factor's columns, every 3 independent) against the
    exhaustive split search, with and without a second factor whose rows overlap."""
    from theory.criteria.irreducibility import general_position_3d, s_split

    rng = random.Random(11)
    seen = {True: 0, False: 0}
    for trial in range(24):
        n = rng.randint(3, 6)
        Jk = [[Fraction(rng.randint(-3, 3)) for _ in range(3)] for _ in range(n)]
        if rank(Jk) < 3:
            continue
        nonzero = [tuple(r) for r in Jk if any(r)]
        brute = len(nonzero) >= 4 and all(rank([list(r) for r in triple]) == 3 for triple in combinations(nonzero, 3))
        assert general_position_3d(nonzero) == brute
        seen[brute] += 1
        if trial % 2:  # a second, 1-D factor whose column overlaps the first factor's rows
            J = [r + [Fraction(rng.randint(-1, 1))] for r in Jk] + [[Fraction(0)] * 3 + [Fraction(1)]]
            blocks = [[0, 1, 2], [3]]
        else:
            J, blocks = Jk, [[0, 1, 2]]
        if brute:
            assert s_split(J, blocks, 0, True, None) is None
            # and the row matroid is uniform, hence connected (the D shortcut of block_verdicts)
            assert block_verdicts([tuple(r) for r in Jk], [0, 1, 2])[0] == "irreducible" == _brute_force_state(Jk)
    assert seen[True] >= 3 and seen[False] >= 3


def test_s_irreducibility_on_all_of_s_from_the_regions():
    from theory.criteria.irreducibility import s_split
    from theory.criteria.s_irreducibility_global import check_s_irreducible_global

    z = sp.symbols("z1:5", real=True)
    u = z[0] + 2 * z[1] - z[2]
    # LeakyReLU: rows e1, e2, e3 and a multiple of (1, 2, -1) on both regions, in general position
    leaky = _pl_generator([z[0], z[1], z[2], sp.Max(u / 5, u), z[3]], z, [[0, 1, 2], [3]])
    r = check_s_irreducible_global(CheckContext(leaky))
    assert (r.verdict, r.method) == ("proved", "linear-regions") and r.details["linear_regions"]["f1"]["regions"] == 2
    # ReLU: where u < 0 only e1, e2, e3 remain, and the coordinate split keeps Type S
    relu = _pl_generator([z[0], z[1], z[2], sp.Max(0, u), z[3]], z, [[0, 1, 2], [3]])
    ctx = CheckContext(relu)
    r = check_s_irreducible_global(ctx)
    assert (r.verdict, r.method) == ("refuted", "linear-regions")
    point = r.witness["point"]
    assert point[z[0]] + 2 * point[z[1]] - point[z[2]] < 0
    # independently: J by exact difference quotients at the witness, and the plain split search
    p = [Fraction(int(point[s].p), int(point[s].q)) for s in z]
    J = _gradient_by_differences([z[0], z[1], z[2], sp.Max(0, u), z[3]], z, p, Fraction(1, 10**9))
    assert s_split(J, [[0, 1, 2], [3]], 0, True, None) is not None
    # on the LeakyReLU generator no sampled point of S has a split
    rng = random.Random(5)
    outs = [z[0], z[1], z[2], sp.Max(u / 5, u), z[3]]
    for _ in range(3):
        p = _random_point(rng, 4)
        J = _gradient_by_differences(outs, z, p, Fraction(1, 10**9))
        assert s_split(J, [[0, 1, 2], [3]], 0, True, None) is None


def test_type_m_on_all_of_s_from_the_regions():
    from theory.criteria.containment import check_containment

    z = sp.symbols("z1:7", real=True)
    rng = random.Random(8)
    layers = [_weights(rng, 4, 3), _weights(rng, 4, 4)]
    outputs = _network(z[:3], layers, sp.Rational(1, 5)) + _network(z[3:], layers, sp.Rational(1, 5))
    g = _pl_generator(outputs, z, [[0, 1, 2], [3, 4, 5]])
    r = check_containment(CheckContext(g))
    # independently: supports of J by exact difference quotients at sampled points
    contained = False
    for _ in range(4):
        p = _random_point(rng, 6)
        J = _gradient_by_differences(outputs, z, p, Fraction(1, 10**9))
        cols = [{t for t in range(len(J)) if J[t][a]} for a in range(6)]
        contained |= any(cols[a] <= cols[b] for a in range(6) for b in range(6) if (a < 3) != (b < 3))
    assert r.method == "linear-regions" and r.verdict in ("proved", "refuted")
    if contained:
        assert r.verdict == "refuted"
    # ReLU: column z1 vanishes where z1 < 0, inside the column of z2
    x, y = sp.symbols("x y", real=True)
    relu = _pl_generator([sp.Max(0, x), y], (x, y), [[0], [1]])
    r = check_containment(CheckContext(relu))
    assert (r.verdict, r.method) == ("refuted", "linear-regions") and r.witness["point"][x] < 0
    leaky = _pl_generator([sp.Max(x / 3, x), y], (x, y), [[0], [1]])
    assert (check_containment(CheckContext(leaky)).verdict, check_containment(CheckContext(leaky)).method) == ("proved", "linear-regions")


def test_type_d_on_a_thin_strip_is_refuted_from_the_regions():
    """y = Max(0, s1 - s2) - Max(0, s1 - s2 - 10^-6) is s1 - s2 on a strip of width 10^-6 and
    constant elsewhere; output 3 is y.  Sampled points miss the strip (D was `unknown`); its
    linear region gives an exact interior point.  The truth: at the witness, exact difference
    quotients of g's values with steps 10^-9 and 10^-10 (inside the strip) give row 3 = (1, -1),
    nonzero in both factors."""
    from theory.checker import check

    s1, s2 = sp.symbols("s1 s2", real=True)
    y = sp.Max(0, s1 - s2) - sp.Max(0, s1 - s2 - sp.Rational(1, 10**6))
    g = Generator("strip", [[s1], [s2]], [s1 - y, s2, y], Box({s1: (-1, 1), s2: (-1, 1)}))
    (r,) = [r for r in check(g, criteria=["D"], budget=30, isolate=False) if r.scope == "global"]
    assert (r.verdict, r.method) == ("refuted", "linear-regions"), r
    at = r.witness["point"]
    for h in (sp.Rational(1, 10**9), sp.Rational(1, 10**10)):
        row = [(y.xreplace({**at, s: at[s] + h}) - y.xreplace(at)) / h for s in (s1, s2)]
        assert row == [1, -1]

"""The shortcuts that keep ``mechind check --all`` fast answer exactly what the long way answers.

Each cache or fast path on the check path is compared with the computation it replaces:
shared interval contexts with fresh ones, remembered finite differences and constant keys
with recomputed ones, the one-visit constant subterms with the plain recursive definition,
integer comparisons and sampling with sympy's arithmetic, the int64 general-position test
with a brute force over all triples.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from theory import Box, Generator
from theory.criteria.piecewise_linear import _general_position_int64, general_position_3d
from theory.exact import points as points_module
from theory.exact.constant_zero import ConstantCache, _constant_subterms, evaluation_problem
from theory.exact.intervals import _context, _Evaluator, _rational_interval, certify_sign, enclose
from theory.exact.points import random_point
from theory.model.domain import _below
from theory.model.guard import BlackBox, finite_difference

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)


def _fresh_context(prec: int):
    ctx = type(mpmath.iv)()
    ctx.prec = prec
    return ctx


def test_shared_interval_contexts_compute_what_fresh_ones_compute():
    exprs = [sp.exp(s1) * sp.sin(s2) - sp.sqrt(3), sp.atan(s1 / 3) + sp.cos(s1 * s2), sp.log(1 + s1**2) - sp.Rational(1, 7)]
    env = {s1: (sp.Rational(1, 3), sp.Rational(1, 2)), s2: (sp.Rational(-2, 5), sp.Rational(1, 9))}
    for prec in (64, 192, 512):
        for e in exprs:
            shared = enclose(e, env, prec)
            # the same evaluation in a context built for this call alone
            ctx = _fresh_context(prec)
            fresh = _Evaluator(ctx, {s: _rational_interval(ctx, *b) for s, b in env.items()}).eval(e)
            assert (shared.a, shared.b) == (fresh.a, fresh.b)
    # a shared context whose precision was changed is set back on the next request
    ctx = _context(64)
    ctx.prec = 10
    assert _context(64).prec == 64 and _context(64) is ctx
    assert certify_sign(sp.pi - sp.Rational(314159, 100000), {})[0] == 1


def _naive_constant_subterms(e: sp.Basic) -> set:
    if not isinstance(e, sp.Basic) or e.is_Number or e.is_NumberSymbol or isinstance(e, (sp.Symbol, sp.logic.boolalg.BooleanAtom)):
        return set()
    if isinstance(e, sp.Expr) and not e.free_symbols:
        return {e}
    return set().union(*(_naive_constant_subterms(a) for a in e.args)) if e.args else set()


def _random_expr(rng: random.Random, depth: int) -> sp.Expr:
    leaves = [s1, s2, sp.Integer(rng.randint(-3, 3)), sp.Rational(rng.randint(1, 5), 7), sp.pi, sp.sqrt(rng.randint(2, 5))]
    if depth == 0:
        return rng.choice(leaves)
    a, b = _random_expr(rng, depth - 1), _random_expr(rng, depth - 1)
    x = rng.choice([s1, s2])
    return rng.choice(
        [
            a + b,
            a * b,
            sp.sin(a),
            sp.exp(b) * a,
            sp.Abs(a) + b,
            sp.Piecewise((a, s1 > sp.Rational(1, 3)), (b, True)),
            sp.Integral(a * x, (x, 0, 1)) + b,  # binds x: constant exactly when a, b do not use the other latent
            sp.Sum(a, (x, 1, 2)) + b,
        ]
    )


def test_constant_subterms_match_the_recursive_definition():
    rng = random.Random(7)
    memo: dict = {}
    for _ in range(300):
        e = _random_expr(rng, rng.randint(0, 3))
        assert set(_constant_subterms(e, memo)) == _naive_constant_subterms(e), e
        assert set(_constant_subterms(e)) == _naive_constant_subterms(e), e
    assert evaluation_problem([sp.exp(sp.exp(sp.exp(sp.exp(sp.exp(10))))) * s1 + sp.sqrt(2) * s2]) is not None


def test_remembered_finite_differences_equal_recomputed_ones():
    g = Generator("g", [[s1], [s2, s3]], [s1 * sp.sin(s2), sp.exp(s1 * s3) + s2**3, sp.Max(s1, s2)], domain=Box({s: (-1, 1) for s in (s1, s2, s3)}))
    box = BlackBox(g)
    rng = random.Random(3)
    for _ in range(20):
        p = {s: sp.Rational(rng.randint(-90, 90), 97) for s in g.latents}
        t = rng.randrange(g.m)
        alpha = tuple(sorted(rng.choice([(0,), (1,), (2,), (0, 1), (1, 2), (2, 2)])))
        first = finite_difference(box, t, alpha, p)
        again = finite_difference(box, t, alpha, p)  # from the box's memory
        fresh = finite_difference(BlackBox(g), t, alpha, p)  # computed anew
        assert first is again
        assert (first is None) == (fresh is None)
        if first is not None:
            assert (first.estimate, first.error, first.floor, first.converged) == (fresh.estimate, fresh.error, fresh.floor, fresh.converged)


def test_remembered_constant_keys_equal_printed_ones():
    cache = ConstantCache()
    constants = [sp.sqrt(2) + sp.sqrt(3), sp.Float("0.5", 15), sp.Float("0.5", 30), sp.Rational(1, 2), sp.exp(sp.Rational(1, 2)), sp.sqrt(2) + sp.sqrt(3)]
    for c in constants:
        assert cache.key_of(c) == ConstantCache.key(c) == sp.srepr(c)
    assert len({cache.key_of(c) for c in constants}) == 5  # Floats of other precisions stay apart


def test_integer_comparisons_agree_with_sympy():
    rng = random.Random(11)
    numbers = [sp.Rational(rng.randint(-50, 50), rng.randint(1, 30)) for _ in range(60)] + [sp.Integer(0), sp.Integer(-3)]
    for a, b in itertools.product(numbers[:25], numbers):
        assert _below(a, b) == bool(a < b)
    assert _below(-sp.oo, sp.Rational(1, 3)) and not _below(sp.oo, 2) and _below(1, 2)


@pytest.mark.parametrize("large", [False, True])
def test_random_points_in_integers_equal_the_sympy_formula(large):
    box = Box({s1: (sp.Rational(-3, 7), sp.Rational(5, 3)), s2: (0, sp.oo), s3: (-sp.oo, sp.oo)})
    for seed in range(10):
        point = random_point(box, (s1, s2, s3), random.Random(seed), large=large)
        rng = random.Random(seed)  # the same draws, through sympy's arithmetic
        expected = {}
        for s in (s1, s2, s3):
            lo, hi = points_module._finite_window(*box.interval(s))
            bits = points_module._LARGE_BITS
            q = rng.getrandbits(bits) | (1 << (bits - 1)) | 1 if large else rng.choice(points_module._SMALL_DENOMINATORS)
            k = rng.randint(1, q - 1)
            expected[s] = lo + (hi - lo) * sp.Rational(k, q)
        assert point == expected


def _in_general_position(rows: list[tuple[Fraction, ...]]) -> bool:
    """Brute force: at least 4 rows, every 3 of them with a nonzero determinant."""
    if len(rows) < 4:
        return False
    for a, b, c in itertools.combinations(rows, 3):
        if a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0]) == 0:
            return False
    return True


def test_general_position_int64_and_big_integers_against_brute_force():
    rng = random.Random(5)
    seen = {True: 0, False: 0}
    for _ in range(400):
        n = rng.randint(3, 8)
        size = rng.choice([2, 10, 1000])
        rows = [tuple(Fraction(rng.randint(-size, size), rng.choice([1, 2, 3, 100])) for _ in range(3)) for _ in range(n)]
        if rng.random() < 0.3:
            rows[-1] = tuple(2 * x for x in rows[0])  # parallel rows
        if rng.random() < 0.3:
            rows[-2] = tuple(x + y for x, y in zip(rows[0], rows[1]))  # three rows in a plane
        rows = [r for r in rows if any(r)]
        expected = _in_general_position(rows)
        seen[expected] += 1
        assert general_position_3d(rows) == expected
        # entries of 2^40 and more: every determinant overflows int64, the exact Python loop decides
        big = [tuple(x * 2**40 + (x * 2**41 if i == 0 else 0) for i, x in enumerate(r)) for r in rows]
        assert general_position_3d(big) == _in_general_position(big)
    assert seen[True] > 20 and seen[False] > 20
    assert _general_position_int64([(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1), (1, 2, 3)]) == _in_general_position([(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1), (1, 2, 3)])


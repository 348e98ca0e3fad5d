"""The cache of decided constants (theory.exact.constant_zero.ConstantCache, issue 17) and
the modules imported once before forking (theory.budget.preload_for_fork).

A cached decision must be the decision made without the cache; a second decision of the
same constant must not run the slow tiers again; a tier stopped by its time cap must not be
remembered as an answer.
"""

from __future__ import annotations

import subprocess
import sys
from functools import partial

import pytest
import sympy as sp

import theory.exact.constant_zero as constant_zero
from theory.budget import call_with_timeout, can_fork, run_killable
from theory.exact.constant_zero import ConstantCache, decide_constant

C16 = sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11)
C17 = sp.acos(sp.Rational(5, 13)) - 2 * sp.atan(sp.Rational(2, 3))
#: zero, but not to sympy's automatic evaluation (sqrt(2)*sqrt(3) - sqrt(6) would be 0 at once)
Z = sp.sqrt(2) + sp.sqrt(3) - sp.sqrt(5 + 2 * sp.sqrt(6))

CONSTANTS = [
    (Z, {}, "zero"),
    (sp.sqrt(2) + sp.sqrt(3) - sp.pi, {}, "nonzero"),
    (C16, {}, "zero"),  # minimal polynomial x
    (sp.Rational(2, 3) + sp.Rational(4, 9) * C16, {"exact_value": True}, "nonzero"),  # exactly 2/3
    ((1 + sp.I) * Z, {}, "zero"),  # complex: both parts decided
    (C17, {}, "unknown"),  # every tier ran to its end without a decision
]


class Calls:
    """Counts the slow-tier calls (made in the parent, before the child is forked)."""

    def __init__(self, monkeypatch, replace=None):
        self.names: list[str] = []
        self.replace = replace
        monkeypatch.setattr(constant_zero, "call_with_timeout", self)

    def __call__(self, fn, args, timeout):
        self.names.append(fn.__name__)
        if self.replace is not None:
            return self.replace(fn, args, timeout)
        return call_with_timeout(fn, args, timeout)

    def count(self, name: str) -> int:
        return self.names.count(name)


@pytest.mark.parametrize("c, options, status", CONSTANTS, ids=[sp.sstr(c)[:30] for c, _, _ in CONSTANTS])
def test_a_cached_decision_is_the_decision_without_the_cache(c, options, status):
    plain = decide_constant(c, **options)
    cache = ConstantCache()
    first = decide_constant(c, cache=cache, **options)
    again = decide_constant(c, cache=cache, **options)
    assert plain.status == status
    assert first == plain and again == plain  # status, method, value, enclosure, minimal polynomial
    assert cache.hits > 0


def test_the_slow_tiers_run_once_per_constant(monkeypatch):
    calls = Calls(monkeypatch)
    cache = ConstantCache()
    for _ in range(3):
        assert decide_constant(C16, cache=cache).status == "zero"
    assert calls.count("_minimal_polynomial") == 1
    # the same constant built anew (another sympy object, the same srepr) is a hit too
    assert decide_constant(sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11), cache=cache).is_zero
    assert calls.count("_minimal_polynomial") == 1
    # without a cache every call computes
    decide_constant(C16)
    decide_constant(C16)
    assert calls.count("_minimal_polynomial") == 3


def test_an_undecided_constant_is_not_recomputed_either(monkeypatch):
    calls = Calls(monkeypatch)
    cache = ConstantCache()
    first = decide_constant(C17, cache=cache)
    second = decide_constant(C17, cache=cache)
    assert first == second and first.status == "unknown"
    assert calls.count("_minimal_polynomial") == 1 and calls.count("_simplifies_to_zero") == 1


def test_the_interval_tier_is_cached(monkeypatch):
    seen = []
    certify_sign = constant_zero.certify_sign

    def counting(expr, env, precs=(64, 192, 512)):
        seen.append(precs)
        return certify_sign(expr, env, precs)

    monkeypatch.setattr(constant_zero, "certify_sign", counting)
    cache = ConstantCache()
    c = sp.sqrt(2) + sp.sqrt(3) - sp.pi
    assert decide_constant(c, cache=cache, cheap=True).is_nonzero
    assert decide_constant(c, cache=cache).is_nonzero
    assert len(seen) == 1


def test_a_timeout_is_not_cached_as_a_decision(monkeypatch):
    c = Z  # no interval decides a zero: the slow tiers must
    calls = Calls(monkeypatch, replace=lambda fn, args, timeout: ("timeout", None))
    cache = ConstantCache()
    stopped = decide_constant(c, cache=cache)
    assert stopped.status == "unknown" and "minimal-polynomial" in stopped.method
    assert calls.count("_minimal_polynomial") == 1 and calls.count("_simplifies_to_zero") == 1
    calls.replace = None  # time enough now: the tiers run again and decide
    decided = decide_constant(c, cache=cache)
    assert (decided.status, decided.method) == ("zero", "minimal-polynomial")
    assert calls.count("_minimal_polynomial") == 2
    decide_constant(c, cache=cache)
    assert calls.count("_minimal_polynomial") == 2  # the finished answer is kept


def test_a_child_that_died_is_not_cached(monkeypatch):
    c = Z
    calls = Calls(monkeypatch, replace=lambda fn, args, timeout: ("error", "the worker process died"))
    cache = ConstantCache()
    assert decide_constant(c, cache=cache).status == "unknown"
    calls.replace = None
    assert decide_constant(c, cache=cache).is_zero
    assert calls.count("_minimal_polynomial") == 2


def test_an_error_about_the_constant_is_cached(monkeypatch):
    """minimal_polynomial raising NotAlgebraic says something about the constant: kept."""
    calls = Calls(monkeypatch)
    cache = ConstantCache()
    c = sp.pi - 3
    for _ in range(2):
        assert decide_constant(c, cache=cache, exact_value=True).is_nonzero
    assert calls.count("_minimal_polynomial") == 1


def test_the_check_context_shares_one_cache():
    from theory import Box, Generator
    from theory.criteria.context import CheckContext
    from theory.readings import Readings

    s1, s2 = sp.symbols("s1 s2", real=True)
    g = Generator("g", [[s1], [s2]], [s1 + s2, s1 * s2], Box({s1: (-1, 1), s2: (-1, 1)}))
    ctx = CheckContext(g)
    assert ctx.tester.constants is ctx.constants
    assert ctx.with_readings(Readings()).constants is ctx.constants
    assert ctx.decide_constant(C16).is_zero
    assert len(ctx.constants) > 0
    misses = ctx.constants.misses
    assert ctx.tester.nonzero_at(C16 + s1, {s1: sp.S.Zero, s2: sp.S.Zero}).is_zero
    assert ctx.constants.misses == misses  # the tester found it in the context's cache


def test_the_independent_witness_path_decides_through_the_cache(monkeypatch):
    """theory.criteria.witness recomputes a refutation's derivative by sympy's diff of the
    outputs as written; the constant it meets is decided through the check's cache (the
    same decision: only the slow tiers are not run twice)."""
    from theory import Box, Generator
    from theory.criteria.witness import independent_derivative

    s1, s2 = sp.symbols("s1 s2", real=True)
    g = Generator("g", [[s1], [s2]], [s1 * s2 + C16 * s1 + s1 * sp.sqrt(2)], Box({s1: (-1, 1), s2: (-1, 1)}))
    point = {s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}
    plain = independent_derivative(g, 0, (0,), point)
    calls = Calls(monkeypatch)
    cache = ConstantCache()
    first = independent_derivative(g, 0, (0,), point, cache)
    slow = len(calls.names)
    again = independent_derivative(g, 0, (0,), point, cache)
    assert plain == first == again and first.is_nonzero
    assert slow > 0 and len(calls.names) == slow  # the second decision ran no slow tier
    assert cache.hits > 0


ALGEBRAIC = [sp.sqrt(2), sp.sqrt(2) + sp.sqrt(3), sp.cbrt(5) - 1, sp.cos(2 * sp.pi / 7), C16, sp.sqrt(5 + 2 * sp.sqrt(6))]


@pytest.mark.parametrize("seed", range(6))
def test_the_minimal_polynomial_of_an_affine_image_is_sympys(seed):
    """affine_minimal_polynomial (the tier's shortcut for r + k*u) against sympy's own
    minimal_polynomial of r + k*u, computed directly: the same primitive polynomial."""
    import random

    from theory.exact.constant_zero import affine_minimal_polynomial, affine_parts

    rng = random.Random(seed)
    x = sp.Symbol("x")
    u = ALGEBRAIC[seed]
    for _ in range(3):
        r = sp.Rational(rng.randint(-20, 20), rng.randint(1, 9))
        k = sp.Rational(rng.choice([-1, 1]) * rng.randint(1, 20), rng.randint(1, 9))
        c = r + k * u
        r2, k2, u2 = affine_parts(c)
        assert sp.expand(r2 + k2 * u2 - c) == 0 and r2.is_Rational and k2.is_Rational and k2 != 0
        derived = affine_minimal_polynomial(sp.minimal_polynomial(u2, x).subs(x, constant_zero._X), r2, k2)
        assert sp.expand(derived.subs(constant_zero._X, x) - sp.minimal_polynomial(c, x)) == 0


def test_affine_constants_share_one_minimal_polynomial(monkeypatch):
    """The constants r + k*C16 that p16's derivatives produce need one minimal polynomial,
    not one each; the decisions (exact values included) are those of the direct tier."""
    variants = [sp.Rational(2, 3) + sp.Rational(4, 9) * C16, 1 + sp.Rational(4, 9) * C16, 2 * C16, sp.Rational(2, 3) * C16]
    direct = []
    for c in variants:
        poly = sp.minimal_polynomial(c, sp.Symbol("x"))
        direct.append(sp.sstr(poly))
    calls = Calls(monkeypatch)
    cache = ConstantCache()
    decisions = [decide_constant(c, exact_value=True, cache=cache) for c in variants]
    assert calls.count("_minimal_polynomial") == 1
    assert [d.minimal_polynomial for d in decisions] == direct
    assert [d.status for d in decisions] == ["nonzero", "nonzero", "zero", "zero"]
    assert [d.value for d in decisions[:2]] == [sp.Rational(2, 3), 1]


def _decide_and_count(cache: ConstantCache) -> tuple[str, int, int]:
    decision = decide_constant(C16, cache=cache)
    return decision.status, cache.hits, cache.misses


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_the_cache_serves_the_next_check_in_the_same_worker():
    """The checks of one generator run one after the other in one forked worker: what the
    first check put in the cache serves the second; the parent's copy stays as it was."""
    cache = ConstantCache()
    tasks = [partial(_decide_and_count, cache), partial(_decide_and_count, cache)]
    (s1, hits1, misses1), (s2, hits2, misses2) = run_killable(tasks, 30.0, lambda i, why, elapsed: (why, 0, 0))
    assert s1 == s2 == "zero"
    assert misses2 == misses1 and hits2 > hits1
    assert len(cache) == 0  # filled in the worker only


PROBE = """
import sys
import sympy as sp
from theory.budget import call_with_timeout

def new_modules():
    before = set(sys.modules)
    sp.simplify(sp.sin(1) ** 2 + sp.cos(1) ** 2 - 1)
    return sorted(set(sys.modules) - before)

status, new = call_with_timeout(new_modules, (), 60.0)
print(status, [m for m in new if m.startswith("sympy.physics")])
print("sympy.physics.units" in sys.modules)
"""


@pytest.mark.skipif(not can_fork(), reason="needs fork")
def test_simplify_in_a_child_imports_nothing_new():
    """call_with_timeout imports, before it forks, sympy.physics.units, which simplify
    would otherwise import in each child (about 0.15 s each time)."""
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True).stdout.splitlines()
    assert out == ["ok []", "True"]


def test_nothing_is_preloaded_without_sympy():
    code = "import sys, theory.budget as b; b.preload_for_fork(); print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    assert out == "False"

"""The probabilistic mode (theory.exact.schwartz_zippel, theory.probabilistic, ``--probabilistic``).

The error bound is tested empirically: planted identities always hold, and planted
non-identities tested with small primes (where wrong answers are frequent enough to be
counted) are called zero no more often than the bound allows.  The mode agrees with the
exact checks (holds-probabilistically for proved, refuted for refuted), never says
``proved`` on the strength of a random test, and never establishes a theorem.
"""

from __future__ import annotations

import json
import math
import random
import types
from fractions import Fraction

from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

import cases
from mechind.cli import main
from theory import Box, Generator, check
from theory.checker import pick
from theory.io.casefile import load_case_file
from theory.exact.schwartz_zippel import (
    NotApplicable,
    compile_program,
    evaluate,
    float_up,
    prime_count_lower_bound,
    random_prime,
    trial_bound,
)
from theory.probabilistic import ProbabilisticTester
from theory.theorems.statements import theorem_report

x, y, z = sp.symbols("x y z", real=True)
s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
HIDDEN = (s1 + s2) ** 2 - s1**2 - 2 * s1 * s2 - s2**2  # zero, not syntactically


def _value_is_zero(expr: sp.Expr, variables: tuple, rng: random.Random, bits: int = 61) -> bool:
    """One trial of the value test: a random prime, a random point, evaluation mod p."""
    return _trial(compile_program([expr], variables), rng, bits)


def _trial(program, rng: random.Random, bits: int = 61) -> bool:
    p = random_prime(rng, bits)
    return evaluate(program, p, [rng.randrange(p) for _ in range(program.nvars)], [], 0)[0][0] == 0


# -- the engine -----------------------------------------------------------------------------------
def test_evaluation_agrees_with_exact_arithmetic():
    """Values and forward-mode derivatives mod p against sympy's exact ones, reduced mod p."""
    rng = random.Random(3)
    expr = (3 * x**2 * y - sp.Rational(5, 7) * y**3 + 2) / (x**2 + y**2 + 1) + (x - 2 * y) ** 3 * y ** -2
    program = compile_program([expr], (x, y))
    for _ in range(5):
        p = random_prime(rng)
        point = [rng.randrange(1, 1000), rng.randrange(1, 1000)]
        r = [rng.randrange(1, 1000), rng.randrange(1, 1000)]
        sub = {x: point[0], y: point[1]}
        value = evaluate(program, p, point, [[1, 0], [0, 1]], 1)[0][:3]
        exact = [sp.Rational(expr.xreplace(sub)), sp.Rational(sp.diff(expr, x).xreplace(sub)), sp.Rational(sp.diff(expr, y).xreplace(sub))]
        assert value == [int(e.p) * pow(int(e.q), -1, p) % p for e in exact]
        # the mixed derivative along two directions: coefficient of e1*e2
        mixed = evaluate(program, p, point, [r, [1, 0]], 2)[0][-1]
        d2 = sp.diff(r[0] * sp.diff(expr, x) + r[1] * sp.diff(expr, y), x).xreplace(sub)
        assert mixed == int(d2.p) * pow(int(d2.q), -1, p) % p


def test_not_applicable_outside_rational_functions():
    for expr in (sp.sin(x), sp.exp(x) * y, sp.sqrt(x), sp.Piecewise((x, x > 0), (0, True)), sp.Max(x, y), sp.sqrt(2) * x, x * z):
        with pytest.raises(NotApplicable):
            compile_program([expr], (x, y))


def test_random_primes_are_primes_in_range_and_spread():
    rng = random.Random(0)
    primes = [random_prime(rng, 10) for _ in range(400)]
    assert all(sp.isprime(p) and 1024 <= p < 2048 for p in primes)
    assert len(set(primes)) > 100  # 137 primes in the range: all are drawn, not one fixed prime
    assert prime_count_lower_bound(10) <= len(list(sp.primerange(1024, 2048)))
    assert prime_count_lower_bound(20) <= sp.primepi(2**21) - sp.primepi(2**20)


def test_planted_identities_always_hold():
    """Identically zero but not syntactically (and with large coefficients): zero in every trial."""
    rng = random.Random(1)
    big = [rng.randrange(10**30, 10**31) for _ in range(3)]
    a, b, c = big
    identities = [
        (a * x + b * y) ** 2 - a**2 * x**2 - 2 * a * b * x * y - b**2 * y**2,
        ((x + c * y) ** 3 - sp.expand((x + c * y) ** 3)) * (x - y) ** 2,
        (x**2 - c**2 * y**2) / (x - c * y) - x - c * y,
        sp.Rational(a, b) / (x + 1) + sp.Rational(c, b) / (x + 1) - sp.Rational(a + c, b) * (x + 1) ** -1,
    ]
    for expr in identities:
        assert sp.expand(sp.together(expr)) == 0  # the oracle: they are identities
        for _ in range(50):
            assert _value_is_zero(expr, (x, y), rng)


@pytest.mark.parametrize("bits", [10, 12])
def test_false_holds_rate_stays_under_the_bound_roots(bits):
    """A polynomial with many roots, q * (x-1)...(x-k) * (y-2): one trial calls it zero
    with probability about k/p; the observed rate stays under the bound and is not 0 (the
    test could fail)."""
    k = 24
    expr = 6 * sp.Mul(*[x - i for i in range(1, k + 1)]) * (y - 2)
    program = compile_program([expr], (x, y))
    bound = trial_bound(program, 0, 0, bits)
    rng = random.Random(bits)
    n = 3000
    zeros = sum(_trial(program, rng, bits) for _ in range(n))
    assert 0 < zeros / n <= float(bound)


def test_false_holds_rate_stays_under_the_bound_content():
    """Coefficients divisible by primes of the range: a fixed such prime says zero always;
    random primes rarely, and no more often than the bound (its content term)."""
    bits = 10
    content = 1031 * 1033 * 1039  # three primes of [2^10, 2^11)
    expr = content * (x - 1) * (x - 2) * y
    program = compile_program([expr], (x, y))
    assert all(evaluate(program, q, [5, 7], [], 0)[0][0] == 0 for q in (1031, 1033, 1039))
    bound = trial_bound(program, 0, 0, bits)
    rng = random.Random(7)
    n = 4000
    zeros = sum(_trial(program, rng, bits) for _ in range(n))
    assert 0 < zeros / n <= float(bound) < 0.2


def test_false_holds_rate_of_derivatives_under_the_bound():
    """Through the tester: a partial with many roots (d/dy of q (x-1)...(x-k) y^2) over many
    seeds, one and two trials; the rate of 'zero' stays under trial_bound ** trials."""
    k, bits = 20, 10
    g = Generator("roots", [[x], [y]], [1155 * sp.Mul(*[x - i for i in range(1, k + 1)]) * y**2 + x])
    for trials, n in ((1, 600), (2, 600)):
        zeros = 0
        for seed in range(n):
            tester = ProbabilisticTester(g, seed=seed, trials=trials, bits=bits)
            zeros += not tester.nonzero(((1,),), mixed=False)[0][0]
        bound = trial_bound(tester.program, 0, 1, bits) ** trials
        assert zeros / n <= float(bound), (trials, zeros, bound)
    assert bound < Fraction(1, 4)


def test_error_bound_is_a_small_upper_bound():
    program = compile_program([x**4 * y - y**2 / (x + 2)], (x, y))
    bound = trial_bound(program, 0, 2)
    assert 0 < bound < Fraction(1, 10**15)
    assert float_up(bound) >= bound


# -- the checks -------------------------------------------------------------------------------------
def _hidden_generator() -> Generator:
    """D, M, H2 hold; the tracer cannot see it (every output mentions both latents)."""
    return Generator("hidden", [[s1], [s2]], [s1 + HIDDEN, s2 + HIDDEN * s1, s1**3 + HIDDEN / (3 + s2), s2**2 / (s2 + 2) + HIDDEN * s2], Box({s1: (-1, 1), s2: (-1, 1)}))


def test_hidden_identities_hold_probabilistically_with_a_bound():
    g = _hidden_generator()
    exact = check(g, ["D", "M", "H2"], isolate=False)
    results = check(g, ["D", "M", "H2"], probabilistic=True, isolate=False)
    for c in ("D", "M", "H2"):
        assert pick(exact, c).verdict == "proved"
        r = pick(results, c)
        assert (r.verdict, r.method) == ("holds-probabilistically", "probabilistic")
        assert 0 < r.details["error_bound"] < 1e-25
        assert r.details["probabilistic"]["identities"] >= 1
        assert r.to_json()["details"]["error_bound"] == r.details["error_bound"]
    assert not any(r.verdict == "proved" and r.method == "probabilistic" for r in results)


def test_hidden_nonzero_is_refuted_with_an_exact_witness():
    g = Generator("hidden-cross", [[s1], [s2]], [s1 + HIDDEN, s2 + HIDDEN * s1 + s1 * s2**2 / 5], Box({s1: (-1, 1), s2: (-1, 1)}))
    results = check(g, ["D", "H2"], probabilistic=True, isolate=False)
    for c in ("D", "H2"):
        r = pick(results, c)
        assert r.verdict == "refuted"
        point = r.witness["point"]
        assert g.domain.contains(point)
    h2 = pick(results, "H2").witness
    t = h2["output"]
    exact = sp.diff(g.outputs[t], s1, s2).xreplace(h2["point"])
    assert exact != 0 and str(exact) == h2["value"]


def test_non_rational_generator_falls_back_to_the_exact_check():
    g = Generator("trig", [[s1], [s2]], [sp.sin(s1) + HIDDEN, s2], Box({s1: (-1, 1), s2: (-1, 1)}))
    exact = {r.criterion: r.verdict for r in check(g, ["D", "H2"], isolate=False) if r.scope == "global"}
    results = [r for r in check(g, ["D", "H2"], probabilistic=True, isolate=False) if r.scope == "global"]
    assert {r.criterion: r.verdict for r in results} == exact
    for r in results:
        assert r.details["probabilistic"]["applied"] is False
        assert "not a rational function" in r.details["probabilistic"]["reason"]


#: Bundled polynomial/rational cases and the criteria compared.
BUNDLED = ["p01", "p04", "p05", "p08", "p09", "p10", "p11", "p23", "p27", "p29", "p33", "x06"]


@pytest.mark.parametrize("name", BUNDLED)
def test_same_verdicts_as_the_exact_checks_on_bundled_cases(name):
    (path,) = Path(cases.__file__).parent.glob(f"{name}_*.py")
    (g,) = load_case_file(path)
    criteria = ["D", "M", "H2", "H3"]
    exact = {r.criterion: r for r in check(g, criteria, budget=30, isolate=False) if r.scope == "global"}
    fast = {r.criterion: r for r in check(g, criteria, budget=30, probabilistic=True, isolate=False) if r.scope == "global"}
    assert ProbabilisticTester(g).reason is None
    for c in criteria:
        e, f = exact[c].verdict, fast[c].verdict
        assert (e, f) in {("proved", "proved"), ("proved", "holds-probabilistically"), ("refuted", "refuted"), ("unknown", "unknown")}, (c, e, f)
        if f == "proved":
            assert "error_bound" not in fast[c].details and fast[c].method != "probabilistic"
        if f == "refuted":
            assert fast[c].witness


def test_a_probabilistic_hypothesis_never_establishes_a_theorem():
    g = Generator("hidden-t2", [[s1], [s2]], [s1 + HIDDEN, s2 + HIDDEN * s1], Box({s1: (-1, 1), s2: (-1, 1)}))
    assert theorem_report(g, 2).conclusion == "established"
    known = [r for r in check(g, ["D"], probabilistic=True, isolate=False) if r.scope == "global"]
    assert known[0].verdict == "holds-probabilistically"
    report = theorem_report(g, 2, known=known)
    assert report.conclusion == "not-established"
    assert "probabilistic" in report.reason


def test_same_seed_same_answers():
    g = _hidden_generator()
    a = [r.to_json() for r in check(g, ["D", "M", "H2"], probabilistic=True, seed=5, isolate=False)]
    b = [r.to_json() for r in check(g, ["D", "M", "H2"], probabilistic=True, seed=5, isolate=False)]
    for r in a + b:
        r.pop("seconds")
    assert a == b


def test_cli_option(tmp_path):
    path = tmp_path / "hidden.py"
    path.write_text(
        "import sympy as sp\nfrom theory import Generator, Box\n"
        "s1, s2 = sp.symbols('s1 s2', real=True)\n"
        "h = (s1 + s2)**2 - s1**2 - 2*s1*s2 - s2**2\n"
        "GENERATOR = Generator('hidden', [[s1], [s2]], [s1 + h, s2 + h * s1], Box({s1: (-1, 1), s2: (-1, 1)}))\n"
    )
    out = CliRunner().invoke(main, ["check", str(path), "--criteria", "D,H2", "--json", "--probabilistic"])
    assert out.exit_code == 0, out.output
    checks = [c for c in json.loads(out.output)["cases"][0]["checks"] if c["scope"] == "global"]
    assert {c["verdict"] for c in checks} == {"holds-probabilistically"}
    assert all(c["method"] == "probabilistic" and 0 < c["details"]["error_bound"] < 1e-25 for c in checks)
    plain = CliRunner().invoke(main, ["check", str(path), "--criteria", "D,H2", "--json"])
    assert {c["verdict"] for c in json.loads(plain.output)["cases"][0]["checks"]} == {"proved"}
    table = CliRunner().invoke(main, ["check", str(path), "--criteria", "D", "--probabilistic"])
    assert "holds-probabilistically" in table.output and "not a proof" in table.output
    assert math.isfinite(checks[0]["details"]["error_bound"])


def test_two_dimensional_factors_and_third_order():
    """Factors {s1, s2} and {s3}: H3 groups (f1, f1, f2) and (f1, f2, f2); a hidden zero holds,
    a single nonzero multi-index (d1 d1 d3) among the group's six is found and refuted."""
    hidden3 = (s1 + s3) ** 3 - sp.expand((s1 + s3) ** 3)
    box = Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)})
    holds = Generator("h3-holds", [[s1, s2], [s3]], [s1 * s2 + s3 + hidden3 * s2, s2**2 + s1 * s3 + hidden3], box)
    fails = Generator("h3-fails", [[s1, s2], [s3]], [s1 * s2 + s3 + hidden3 * s2, s1**2 * s3 + hidden3], box)
    for g, expected in ((holds, "holds-probabilistically"), (fails, "refuted")):
        exact = pick(check(g, ["H3"], isolate=False), "H3")
        fast = pick(check(g, ["H3"], probabilistic=True, isolate=False), "H3")
        assert exact.verdict == ("proved" if expected != "refuted" else "refuted")
        assert fast.verdict == expected
    witness = fast.witness
    assert sorted(witness["multi_index"]) == ["s1", "s1", "s3"] and witness["value"] == "2"


def test_a_useless_error_bound_falls_back_to_the_exact_route():
    """A degree of 2**70 (beyond the primes, about 2**61) makes the Schwartz-Zippel bound 1 or more:
    the random tests say nothing, so no verdict may rest on them (before: holds-probabilistically
    with error_bound 1.0, or 2.0 for two identities); the exact route proves H2 here structurally."""
    a, b, c = sp.symbols("a b c", real=True)
    hidden = ((a + c) ** 2 - a**2 - 2 * a * c - c**2) * (a + 1) ** (2**70)  # identically 0
    g = Generator("huge-degree", [[a, b], [c]], [a, b, a * b, c, c + hidden], Box({a: (-1, 1), b: (-1, 1), c: (-1, 1)}))
    for r in check(g, ["H2", "H3"], probabilistic=True, isolate=False, budget=10):
        assert r.verdict != "holds-probabilistically" or r.details["error_bound"] < 1e-6, r.to_json()
        assert r.verdict in ("proved", "unknown")


def _drawn_primes(g: Generator, monkeypatch) -> list[int]:
    """The primes the tester draws for g's first-order question (recorded, not recomputed)."""
    import theory.probabilistic as module

    seen: list[int] = []
    real = module.random_prime

    def recording(rng, bits=61):
        p = real(rng, bits)
        seen.append(p)
        return p

    monkeypatch.setattr(module, "random_prime", recording)
    tester = ProbabilisticTester(g, seed=0)
    tester.nonzero(((0,), (1,)), mixed=False)
    monkeypatch.setattr(module, "random_prime", real)
    return seen


def test_a_generator_written_against_the_draws_of_another_is_not_fooled(monkeypatch):
    """The draws depend on g: a coefficient that is the product of the primes drawn for a
    generator of the same shape (which a user can compute from the seed) is not a multiple of
    the primes drawn for the generator that carries it.  Truth: d g_3 / d s2 = C != 0 and
    d g_3 / d s1 = 3 s1**2, so D fails (at (1/2, 1/3) both are nonzero)."""
    box = Box({s1: (-1, 1), s2: (-1, 1)})
    template = Generator("template", [[s1], [s2]], [s1, s2, s1**3 + 7 * s2], box)
    C = math.prod(_drawn_primes(template, monkeypatch))
    g = Generator("against-the-draws", [[s1], [s2]], [s1, s2, s1**3 + C * s2], box, points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}])
    assert sp.diff(g.outputs[2], s2) == C != 0
    tester = ProbabilisticTester(g, seed=0)
    assert tester.nonzero(((0,), (1,)), mixed=False)[2] == [True, True]
    results = check(g, ["D"], probabilistic=True, isolate=False)
    assert [r.verdict for r in results if r.criterion == "D"] == ["refuted", "refuted"]


def test_the_generators_own_points_are_evaluated_modulo_each_prime(monkeypatch):
    """Every random point forced to 0 (a root of both partials of g_2 = s1 s2 + s2**3): only the generator's own
    point s1 = 1/2 shows the partial is nonzero, and D is refuted instead of holding
    probabilistically."""
    import theory.probabilistic as module

    class Zeros(random.Random):
        def randrange(self, start, stop=None, step=1):  # residues (one argument) are 0; primes as drawn
            return 0 if stop is None else super().randrange(start, stop, step)

    monkeypatch.setattr(module, "random", types.SimpleNamespace(Random=Zeros))
    g = Generator("root-at-zero", [[s1], [s2]], [s1, s1 * s2 + s2**3], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}])
    assert [sp.diff(g.outputs[1], v).subs({s1: 0, s2: 0}) for v in (s1, s2)] == [0, 0]
    tester = ProbabilisticTester(g, seed=0)
    assert tester.nonzero(((0,), (1,)), mixed=False)[1] == [True, True]
    bare = Generator("root-at-zero", [[s1], [s2]], [s1, s1 * s2 + s2**3], Box({s1: (-1, 1), s2: (-1, 1)}))
    assert ProbabilisticTester(bare, seed=0).nonzero(((0,), (1,)), mixed=False)[1] == [False, False]
    results = check(g, ["D"], probabilistic=True, isolate=False)
    assert pick(results, "D").verdict == "refuted"

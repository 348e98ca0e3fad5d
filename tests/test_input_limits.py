"""What the loader accepts (issue 12, causes 3-5): symbol assumptions, open domains, number sizes.

Cause 3: a latent must carry ``real=True`` and nothing sympy could simplify with (integer,
positive, ...): sympy rewrites ``sin(pi*s)`` to 0 before any check sees it.  Cause 4: the
domain must be open (no ``Eq``, ``<=``, ``>=``).  Cause 5: numbers read from input have at
most :data:`theory.exact.rationals.MAX_DIGITS` digits; exact values computed from them have no
digit limit; a constant sympy cannot evaluate is refused at load, and an overflow inside
the zero test or the constant decision answers ``unknown``, never a crash.
"""

from __future__ import annotations

import decimal
from fractions import Fraction
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

import cases
from theory import Box, Generator, Region, parse_point
from theory.io.casefile import load_case_file, load_toml_text
from theory.exact.constant_zero import decide_constant, evaluation_problem
from theory.model.domain import open_condition_problem
from theory.errors import CaseFileError, DomainError, GeneratorError, PointError
from theory.exact.intervals import _decimal
from theory.exact.rationals import MAX_DIGITS, to_bound, to_rational
from theory.exact.zerotest import ZeroTester

ROOT = Path(__file__).resolve().parent.parent
s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
TOWER = sp.exp(sp.exp(sp.exp(sp.exp(sp.exp(10)))))


def make(latent: sp.Symbol, outputs: list | None = None, domain: object = BOX) -> Generator:
    box = domain if domain is not BOX else Box({latent: (-1, 1), s2: (-1, 1)})
    return Generator("g", [[latent], [s2]], outputs if outputs is not None else [latent, s2, latent * s2], box)


# -- cause 3: assumptions --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "assumptions, message",
    [
        (dict(integer=True), "latent s1 is declared with integer=True"),
        (dict(positive=True), "latent s1 is declared with positive=True"),
        (dict(nonnegative=True), "latent s1 is declared with nonnegative=True"),
        (dict(real=True, nonzero=True), "latent s1 is declared with nonzero=True"),
        (dict(real=True, rational=True), "latent s1 is declared with rational=True"),
        (dict(prime=True), "latent s1 is declared with prime=True"),
        (dict(extended_real=True), "latent s1 is not declared real"),
        (dict(complex=True), "latent s1 is not declared real"),
        (dict(), "latent s1 is not declared real"),
    ],
)
def test_latents_with_assumptions_beyond_real_are_refused(assumptions, message):
    with pytest.raises(GeneratorError, match=message):
        make(sp.Symbol("s1", **assumptions))


def test_the_refusal_says_what_to_write_instead():
    with pytest.raises(GeneratorError) as err:
        make(sp.Symbol("s1", integer=True))
    text = str(err.value)
    assert "\n" not in text and "declare it with real=True only: sympy.Symbol('s1', real=True)" in text


def test_a_latent_sympy_already_simplified_away_is_refused_too():
    """sin(pi*s) with an integer s is 0 before the Generator sees it: the latent is checked itself."""
    k = sp.Symbol("s1", integer=True)
    outputs = [s2, sp.sin(sp.pi * k) * s2]
    assert outputs[1] == 0  # sympy's rewrite: the written function had a cross term
    with pytest.raises(GeneratorError, match="integer=True"):
        Generator("g", [[k], [s2]], outputs, Box({k: (-1, 1), s2: (-1, 1)}))
    p = sp.Symbol("s1", positive=True)
    assert sp.sqrt(p**2) == p  # |s1| became s1 on a box where s1 < 0 too
    with pytest.raises(GeneratorError, match="positive=True"):
        make(p, [p, s2, sp.sqrt(p**2) * s2])


@pytest.mark.parametrize(
    "latent",
    [sp.Symbol("s1", real=True), sp.Symbol("s1", real=True, finite=True), sp.Symbol("s1", real=True, commutative=True), sp.Dummy("s1", real=True)],
    ids=["real", "real-finite", "real-commutative", "dummy-real"],
)
def test_real_only_latents_are_accepted(latent):
    g = make(latent)
    assert g.latents[0] is latent


def test_wild_and_foreign_symbols_are_refused():
    with pytest.raises(GeneratorError, match="is a sympy Wild"):
        make(sp.Wild("s1", real=True))
    other = sp.Symbol("s1", positive=True)
    with pytest.raises(GeneratorError, match="the domain's s1 is another symbol than the latent s1"):
        Generator("g", [[s1], [s2]], [s1, s2], Region(BOX, other**2 + s2**2 < 1))
    with pytest.raises(GeneratorError, match="the domain's s1 is another symbol"):
        Generator("g", [[s1], [s2]], [s1, s2], Box({other: (0, 1)}))
    for foreign in (sp.Dummy("a", real=True), sp.Wild("a"), sp.Symbol("a", positive=True)):
        with pytest.raises(GeneratorError, match="in no factor"):
            Generator("g", [[s1], [s2]], [s1, s2 + foreign])


def _run_case(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "case.py"
    path.write_text(text)
    command = [sys.executable, "-m", "mechind", "check", str(path), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_an_assumption_laden_case_file_exits_2_with_one_line(tmp_path):
    proc = _run_case(
        tmp_path,
        "import sympy as sp\nfrom theory import Box, Generator\n"
        's1 = sp.Symbol("s1", integer=True)\ns2 = sp.Symbol("s2", real=True)\n'
        'GENERATOR = Generator("g", [[s1], [s2]], [s1, s2, sp.sin(sp.pi * s1) * s2], Box({s1: (-1, 1), s2: (-1, 1)}))\n',
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "latent s1 is declared with integer=True" in lines[0], proc.stderr


# -- cause 4: open domains -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "condition, message",
    [
        (sp.Eq(s1, 0), "the condition s1 = 0 is an equality"),
        (s1 <= 0, "the condition s1 <= 0 is not strict"),
        (s1**2 + s2**2 >= sp.Rational(1, 4), "is not strict"),
        ((s1 < 0) & (s2 <= 0), "the condition s2 <= 0 is not strict"),
        ((s1 < 0) | sp.Eq(s2, 0), "is an equality"),
        (sp.Not(s1 < 0), "the condition s1 >= 0 is not strict"),
        (sp.Not((s1 < 0) & (s2 < 0)), "is not strict"),
        (sp.Not(sp.Ne(s1, s2)), "the condition s1 = s2 is an equality"),
    ],
)
def test_domains_that_are_not_open_are_refused(condition, message):
    with pytest.raises(GeneratorError, match="the domain must be open: the condition .*" + re.escape(message.removeprefix("the condition "))):
        Generator("g", [[s1], [s2]], [s1, s2, s1 * s2], Region(BOX, condition))


@pytest.mark.parametrize(
    "condition",
    [s1 < 0, s1**2 + s2**2 < 1, sp.Ne(s1, 0), (s1 < 0) | (s2 > 0), (s1 > -1) & sp.Ne(s1, s2), sp.Not(sp.Eq(s1, 0)), sp.Not((s1 <= 0) | (s2 >= 0)), sp.true],
)
def test_open_conditions_are_accepted(condition):
    assert open_condition_problem(condition) is None
    g = Generator("g", [[s1], [s2]], [s1, s2], Region(BOX, condition))
    assert g.domain.condition == condition


def test_a_closed_toml_condition_is_refused():
    text = 'factors = [["s1"], ["s2"]]\noutputs = ["s1", "s2"]\n[domain]\ns1 = [-1, 1]\ncondition = "s1*s2 == 0"\n'
    with pytest.raises(CaseFileError, match="the domain must be open: the condition s1[*]s2 = 0 is an equality"):
        load_toml_text(text, "closed.toml")


def test_every_bundled_case_still_loads():
    names = [g.name for path in cases.case_files() for g in load_case_file(path)]
    names += [g.name for path in sorted((Path(cases.__file__).parent / "toml").glob("*.toml")) for g in load_case_file(path)]
    assert len(names) > 30


# -- cause 5: number sizes ---------------------------------------------------------------------------
def test_numbers_read_from_input_have_at_most_max_digits():
    assert MAX_DIGITS == 1000
    assert to_rational("9" * 1000) == sp.Integer(10) ** 1000 - 1
    assert to_rational("1/" + "7" * 1000).q == int("7" * 1000)
    assert to_rational("1e999") == sp.Integer(10) ** 999
    for value, message in [
        ("9" * 1001, "1001 digits"),
        ("1/" + "7" * 1001, "more than 1000 digits"),
        ("1e1000", "has 1001 digits"),
        ("1e9999", "decimal exponent beyond 1000"),
        ("-1e-99999999", "decimal exponent beyond 1000"),
        (sp.Integer(10) ** 4000, "has 4001 digits; numbers read from input have at most 1000 digits"),
        (sp.Rational(1, 10**1000), "has 1001 digits"),
        (10**5000, "has 5001 digits"),
    ]:
        with pytest.raises(ValueError, match=message):
            to_rational(value, "x")
    with pytest.raises(ValueError, match="decimal exponent beyond 1000"):
        to_bound("1e9999")


def test_huge_points_and_bounds_are_refused_with_the_limit():
    n = sp.Integer(10) ** 3999 + 1
    with pytest.raises(PointError, match="coordinate s1 of point has 4000 digits; numbers read from input have at most 1000 digits"):
        parse_point({s1: 1 / n, s2: 0}, (s1, s2), BOX)
    with pytest.raises(PointError, match="coordinate s1 of point 0 of g has 4000 digits"):
        Generator("g", [[s1], [s2]], [s1, s2], points=[{s1: 1 / n, s2: 0}])
    with pytest.raises(DomainError, match="bad domain bound: lower bound of s1 has a decimal exponent beyond 1000"):
        Box({s1: ("-1e9999", 1)})
    big = "1" + "0" * 3999
    with pytest.raises(CaseFileError, match="an integer in the file has more than 1000 digits"):
        load_toml_text(f'factors = [["s1"]]\noutputs = ["s1"]\npoints = [{{ s1 = {big} }}]\n', "big.toml")
    with pytest.raises(CaseFileError, match="more than 1000 digits"):
        load_toml_text(f'factors = [["s1"]]\noutputs = ["s1"]\npoints = [{{ s1 = "1/{big}" }}]\n', "big.toml")


def test_exact_values_have_no_digit_limit():
    """Computed values (a 5,000-digit coefficient times a point) are written in full."""
    assert len(str(sp.Integer(10) ** 6000)) == 6001


def test_a_huge_coefficient_is_carried_through_every_criterion():
    from theory.checker import check

    c = sp.Integer(10) ** 4999 + 7
    g = Generator("g", [[s1], [s2]], [s1, s2, s1 + c * s2 + c * s1**2], BOX, points=[{s1: sp.Rational(1, 3), s2: sp.Rational(1, 5)}])
    results = {(r.criterion, r.scope): r for r in check(g, ["D", "S", "H2"], budget=20)}
    assert results[("D", "global")].verdict in ("refuted", "unknown")  # output 2 depends on both factors
    assert results[("D", "point")].verdict in ("refuted", "unknown")
    assert results[("H2", "global")].verdict in ("proved", "unknown")  # no cross term
    assert results[("S", "point")].verdict in ("proved", "refuted", "unknown")


def test_an_unevaluable_constant_is_refused_at_load():
    assert evaluation_problem([s1 * sp.sqrt(2) + sp.pi, s2]) is None
    assert "exp(exp(exp(exp(exp(10))))) is too large to evaluate" in evaluation_problem([s1 + TOWER * s2])
    text = 'factors = [["s1"], ["s2"]]\noutputs = ["s1", "s2 + exp(exp(exp(exp(exp(10))))) * s1"]\n'
    with pytest.raises(CaseFileError, match="output 1: the constant exp.* is too large to evaluate"):
        load_toml_text(text, "tower.toml")


def test_overflow_in_the_zero_test_gives_unknown():
    tester = ZeroTester(BOX, (s1, s2))
    result = tester.test(TOWER * s1 * s2 + s1 - 1)
    assert result.status in ("nonzero", "unknown")  # nonzero is true; never "zero"


# slow: each assertion takes about 2 minutes (the tiers evaluate the tower until they give up);
# the overflow -> unknown path itself is exercised quickly by
# test_an_overflow_inside_a_tier_is_unknown_not_a_crash
@pytest.mark.slow
def test_overflow_in_the_decision_tiers_gives_unknown():
    assert decide_constant(TOWER - 1).status == "unknown"
    tester = ZeroTester(BOX, (s1, s2))
    assert tester.nonzero_at(TOWER * s1 - 1, {s1: sp.Rational(1, 2), s2: 0}).status in ("nonzero", "unknown")


def test_interval_ends_of_astronomic_magnitude_stay_outward():
    floor, ceiling = decimal.ROUND_FLOOR, decimal.ROUND_CEILING
    # +-2**(+-10**7): outward powers of ten that keep the sign; 10**k <= 2**n iff k log2(10) <= n,
    # with log2(10) in (3.32192809, 3.32192810)
    lo, hi = Fraction("3.32192809"), Fraction("3.32192810")

    def power(text: str) -> tuple[int, int]:
        sign, k = (-1 if text.startswith("-") else 1), int(text.split("e")[1])
        assert text.lstrip("-").startswith("1e")
        return sign, k

    n = 10**7
    for sign in (0, 1):
        down, up = (power(_decimal((sign, 1, e, 1), r, 20)) for e in (n,) for r in (floor, ceiling))
        small_down, small_up = (power(_decimal((sign, 1, -n, 1), r, 20)) for r in (floor, ceiling))
        if sign == 0:  # 2**n: 10**down <= 2**n <= 10**up; 2**-n likewise
            assert down[0] == up[0] == 1 and down[1] * hi <= n and up[1] * lo >= n
            assert small_down[0] == small_up[0] == 1 and small_down[1] * lo <= -n and small_up[1] * hi >= -n
        else:  # -2**n: -10**down <= -2**n <= -10**up
            assert down[0] == up[0] == -1 and down[1] * lo >= n and up[1] * hi <= n
            assert small_down[0] == small_up[0] == -1 and small_down[1] * hi >= -n and small_up[1] * lo <= -n
    assert _decimal((0, 3, 2, 2), floor, 20) == "12"


def test_a_latent_dependent_exp_tower_does_not_crash(tmp_path):
    proc = _run_case(
        tmp_path,
        "import sympy as sp\nfrom theory import Generator\n"
        's1, s2 = sp.symbols("s1 s2", real=True)\n'
        'GENERATOR = Generator("g", [[s1], [s2]], [s1, s2, s1 + s2 + sp.exp(sp.exp(sp.exp(sp.exp(sp.exp(10 + s1 * s2)))))])\n',
        "--criteria",
        "D,H2",
        "--budget",
        "3",
    )
    assert proc.returncode in (0, 2), proc.stderr


def test_an_overflow_inside_a_tier_is_unknown_not_a_crash(monkeypatch):
    import theory.exact.constant_zero as constants

    def overflow(*args, **kwargs):
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr(constants, "certify_sign", overflow)
    decision = decide_constant(sp.sqrt(2) - 1)
    assert (decision.status, decision.method) == ("unknown", "evaluation-overflow")
    tester = ZeroTester(BOX, (s1, s2))
    monkeypatch.setattr(tester, "_test", overflow)
    assert (tester.test(s1 * s2).status, tester.test(s1 * s2).method) == ("unknown", "evaluation-overflow")

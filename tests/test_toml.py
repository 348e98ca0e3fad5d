"""TOML case files: never executed, exact, equivalent to their .py twins; the safe parser fuzzed.

* the bundled TOML twins give the same generators and verdicts as the .py cases;
* loading TOML never reaches ``eval``/``exec``/``sympify``/``parse_expr`` (patched to raise);
* the whitelist parser, fuzzed with hypothesis: random expression trees rendered as text
  build exactly the expression built independently from the tree; random and adversarial
  strings either build an expression over the declared symbols or raise ``CaseFileError``;
* schema errors name the problem.
"""

from __future__ import annotations

import builtins
import json
import random
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
import sympy.parsing.sympy_parser as sympy_parser
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cases
from mechind.cli import main
from theory.io.casefile import load_case_file, load_toml_text
from theory.checker import check
from theory.errors import CaseFileError, InputError
from theory.io.safe_expr import Limits, parse_condition, parse_expression

ROOT = Path(__file__).resolve().parent.parent
TOML_DIR = ROOT / "cases" / "toml"
TWINS = {
    "p08_bilinear.toml": "p08_bilinear_h3_not_h2.py",
    "p16_algebraic_zero_constant.toml": "p16_algebraic_zero_constant.py",
    "p20_p21_switching_supports.toml": "p20_switching_supports.py",
}
S1, S2, S3 = sp.symbols("s1 s2 s3", real=True)
SYMBOLS = {"s1": S1, "s2": S2, "s3": S3}


def _strip(doc: dict) -> list:
    return [dict(c, seconds=0) for c in doc["checks"]]


# -- the bundled TOML twins ------------------------------------------------------------------
def test_every_toml_example_has_a_twin():
    assert sorted(p.name for p in TOML_DIR.glob("*.toml")) == sorted(TWINS)


@pytest.mark.parametrize("toml_name", sorted(TWINS))
def test_toml_twin_builds_the_same_generators_and_verdicts(toml_name):
    from mechind.render import case_document

    from_toml = load_case_file(TOML_DIR / toml_name)
    from_py = load_case_file(ROOT / "cases" / TWINS[toml_name])
    assert [g.name for g in from_toml] == [g.name for g in from_py]
    for gt, gp in zip(from_toml, from_py):
        assert gt.latents == gp.latents and gt.factors.keys() == gp.factors.keys()
        assert gt.outputs == gp.outputs
        assert repr(gt.domain) == repr(gp.domain)
        assert gt.points == gp.points
        criteria = ["D", "M", "H2", "H3"]
        rt = check(gt, criteria, seed=3, budget=60)
        rp = check(gp, criteria, seed=3, budget=60)
        assert _strip(case_document(gt, rt)) == _strip(case_document(gp, rp))


def test_mechind_check_accepts_toml(tmp_path):
    path = TOML_DIR / "p08_bilinear.toml"
    result = CliRunner().invoke(main, ["check", str(path), "--json", "--criteria", "D,H2,H3"])
    assert result.exit_code == 0, result.output
    (case,) = json.loads(result.stdout)["cases"]
    assert case["source"] == str(path)
    assert [(c["criterion"], c["verdict"]) for c in case["checks"] if c["scope"] == "global"] == [
        ("D", "refuted"),
        ("H2", "refuted"),
        ("H3", "proved"),
    ]
    assert case["domain"] == {"s1": ["-1", "1"], "s2": ["-1", "1"]}


# -- never executed ----------------------------------------------------------------------------
def _forbidden(name):
    def boom(*args, **kwargs):
        raise AssertionError(f"{name} was called while loading a TOML case")

    return boom


@pytest.fixture
def no_eval(monkeypatch):
    """eval, exec, sympify and parse_expr raise; so does any sympify of a string inside sympy."""
    core_sympify = sys.modules["sympy.core.sympify"]  # the module (sympy.core.sympify is the function)
    real = core_sympify.sympify

    def guarded(a, *args, **kwargs):
        if isinstance(a, str):
            raise AssertionError(f"sympify of the string {a!r} while loading a TOML case")
        return real(a, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", _forbidden("eval"))
    monkeypatch.setattr(builtins, "exec", _forbidden("exec"))
    monkeypatch.setattr(sp, "sympify", _forbidden("sympy.sympify"))
    monkeypatch.setattr(sp, "parse_expr", _forbidden("sympy.parse_expr"))
    monkeypatch.setattr(sympy_parser, "parse_expr", _forbidden("parse_expr"))
    monkeypatch.setattr(sympy_parser, "eval_expr", _forbidden("eval_expr"))
    monkeypatch.setattr(core_sympify, "sympify", guarded)
    yield


def test_loading_toml_never_reaches_eval_or_sympify(no_eval):
    loaded = [g for name in sorted(TWINS) for g in load_case_file(TOML_DIR / name)]
    assert len(loaded) == 4
    text = """
    name = "everything"
    latents = ["a", "b"]
    factors = { first = ["a"], second = ["b"] }
    outputs = ["exp(a)*sin(b) + 0.25", "where(a > 0 and not b < 0, Max(a, b), Abs(b))", "sqrt(2)*atan2(b, 2) - log(1 + a**2)/3", "1e-30*a*b"]
    points = [{ a = 0.5, b = "-1/3" }]
    domain = { a = ["-1", "oo"], b = [-2.5, 2], condition = "a**2 + b**2 < 4 or a > 1" }
    """
    (g,) = load_toml_text(text, "everything.toml")
    assert g.outputs[3] == sp.Rational(1, 10**30) * g.latents[0] * g.latents[1]
    assert g.points[0][g.latents[0]] == sp.Rational(1, 2)
    for bad in ["__import__('os').system('true')", "eval('1')", "s1.__class__", "(lambda: 1)()", "open('x')"]:
        with pytest.raises(CaseFileError):
            load_toml_text(f'factors = [["s1"]]\noutputs = ["{bad}"]'.replace("'", "\\'").replace("\\'", "'"), "bad.toml")


# -- the parser, fuzzed ------------------------------------------------------------------------
# an expression tree: ("num", text) | ("sym", name) | ("const", name) | (op, a, b) | ("neg", a)
#                     | ("fn", name, a) | ("where", (cmp, a, b), x, y)
FUNCS = {"exp": sp.exp, "sin": sp.sin, "cos": sp.cos, "atan": sp.atan, "tanh": sp.tanh, "Abs": sp.Abs, "sqrt": sp.sqrt, "log": sp.log}
NUMBERS = st.one_of(
    st.integers(0, 10**6).map(str),
    st.tuples(st.integers(0, 999), st.integers(0, 999)).map(lambda t: f"{t[0]}.{t[1]:03d}"),
    st.tuples(st.integers(1, 9), st.integers(-40, 40)).map(lambda t: f"{t[0]}e{t[1]}"),
)
LEAVES = st.one_of(
    NUMBERS.map(lambda t: ("num", t)),
    st.sampled_from(sorted(SYMBOLS)).map(lambda n: ("sym", n)),
    st.sampled_from(["pi", "E"]).map(lambda n: ("const", n)),
)


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), children, children),
        st.tuples(st.just("/"), children, st.sampled_from([("num", "3"), ("num", "0.5"), ("sym", "s1"), ("const", "pi")])),
        st.tuples(st.just("**"), children, st.sampled_from([("num", "2"), ("num", "3"), ("neg", ("num", "1")), ("num", "0.5")])),
        st.tuples(st.just("neg"), children),
        st.tuples(st.just("fn"), st.sampled_from(sorted(FUNCS)), children),
        st.tuples(st.just("where"), st.tuples(st.sampled_from(["<", ">", "<=", ">="]), children, children), children, children),
    )


TREES = st.recursive(LEAVES, _extend, max_leaves=12)


def _render(t) -> str:
    kind = t[0]
    if kind in ("num", "sym", "const"):
        return t[1]
    if kind == "neg":
        return f"(-{_render(t[1])})"
    if kind == "fn":
        return f"{t[1]}({_render(t[2])})"
    if kind == "where":
        (cmp, a, b), x, y = t[1], t[2], t[3]
        return f"where({_render(a)} {cmp} {_render(b)}, {_render(x)}, {_render(y)})"
    return f"({_render(t[1])} {kind} {_render(t[2])})"


def _reference(t):
    """The same expression built directly (numbers through Decimal -> Fraction)."""
    kind = t[0]
    if kind == "num":
        f = Fraction(Decimal(t[1]))
        return sp.Rational(f.numerator, f.denominator)
    if kind == "sym":
        return SYMBOLS[t[1]]
    if kind == "const":
        return {"pi": sp.pi, "E": sp.E}[t[1]]
    if kind == "neg":
        return -_reference(t[1])
    if kind == "fn":
        return FUNCS[t[1]](_reference(t[2]))
    if kind == "where":
        (cmp, a, b), x, y = t[1], t[2], t[3]
        rel = {"<": sp.Lt, ">": sp.Gt, "<=": sp.Le, ">=": sp.Ge}[cmp](_reference(a), _reference(b))
        return sp.Piecewise((_reference(x), rel), (_reference(y), True))
    a, b = _reference(t[1]), _reference(t[2])
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b, "**": lambda: a**b}[kind]()


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    if a == b:
        return True
    rng = random.Random(0)
    for _ in range(3):
        point = {s: sp.Rational(rng.randint(-9, 9), rng.randint(1, 7)) for s in SYMBOLS.values()}
        va, vb = a.xreplace(point), b.xreplace(point)
        if va.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or vb.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            continue
        diff = sp.N(va - vb, 30)
        scale = 1 + abs(sp.N(va, 30))
        if not (diff.is_number and abs(diff) <= scale * sp.Float("1e-20", 30)):
            return False
    return True


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(TREES)
def test_parser_builds_the_intended_expression(tree):
    text = _render(tree)
    try:
        reference = _reference(tree)
    except (ZeroDivisionError, ValueError, TypeError):  # e.g. a comparison with zoo
        with pytest.raises(CaseFileError):
            parse_expression(text, SYMBOLS)
        return
    if reference.has(sp.nan, sp.zoo):
        with pytest.raises(CaseFileError):
            parse_expression(text, SYMBOLS)
        return
    try:
        built = parse_expression(text, SYMBOLS)
    except CaseFileError as exc:  # only a limit or a division by an exact zero may refuse it
        assert "division by zero" in str(exc) or "0 raised to a negative power" in str(exc) or "limit" in str(exc), (text, exc)
        return
    assert _same(built, reference), (text, built, reference)


ADVERSARIAL = st.lists(
    st.sampled_from(
        [
            "__import__", "os", "system", "eval", "exec", "open", "getattr", "__class__", "__subclasses__", "lambda",
            ":", "(", ")", "[", "]", "{", "}", ".", ",", "'", '"', "\\", "#", ";", "\n", "if", "else", "for", "in",
            "not", "and", "or", "=", "==", "@", "%", "^", "~", "!", "`", "$", "**", "*", "/", "//", "+", "-", "<", ">",
            "s1", "s2", "x", "pi", "E", "I", "oo", "nan", "zoo", "1", "0", "9e999", "1j", "0x1f", "1_0", ".5", "1e-30",
            "where", "exp", "Max", "Heaviside", "sqrt", " ", "\t", "\x00", "é", "∞", "Symbol", "Function", "S",
        ]
    ),
    min_size=1,
    max_size=25,
).map("".join)


def _parse_or_error(text: str) -> None:
    try:
        out = parse_expression(text, SYMBOLS, Limits(length=5000, depth=30, exponent=50, bits=2000))
    except CaseFileError as exc:
        message = str(exc)
        assert message and "\n" not in message.strip() and len(message) < 600, message
        return
    assert isinstance(out, sp.Expr), (text, out)
    assert out.free_symbols <= set(SYMBOLS.values()), (text, out)
    assert not out.atoms(sp.Function) - {f for f in out.atoms(sp.Function) if type(f).__name__ in {
        "exp", "log", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "Abs", "sign", "Heaviside", "Max", "Min", "Piecewise"}}, (text, out)


@FUZZ
@given(ADVERSARIAL)
def test_adversarial_strings_build_or_raise_a_clear_error(text):
    _parse_or_error(text)


@FUZZ
@given(st.text(max_size=60))
def test_random_strings_build_or_raise_a_clear_error(text):
    _parse_or_error(text)


def test_fuzzed_strings_under_the_eval_guard(no_eval):
    rng = random.Random(7)
    pieces = ["__import__('os')", "s1", "+", "*", "(", ")", "eval", "'x'", "1.5", "**", "where(s1 > 0, s2, 1)", "exp", "[0]", "."]
    for _ in range(300):
        _parse_or_error("".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))))


def test_parser_limits_and_exact_numbers():
    assert parse_expression("0.1 + 1e-30", SYMBOLS) == sp.Rational(1, 10) + sp.Rational(1, 10**30)
    assert parse_expression("1/3*s1", SYMBOLS) == S1 / 3
    with pytest.raises(CaseFileError, match="exponent"):
        parse_expression("s1**100000", SYMBOLS)
    with pytest.raises(CaseFileError, match="exponent"):
        parse_expression("9**9**9", SYMBOLS)
    with pytest.raises(CaseFileError, match="bits"):
        parse_expression("(10**999)**999", SYMBOLS)
    with pytest.raises(CaseFileError, match="deep"):
        parse_expression("(" * 500 + "s1" + ")" * 500, SYMBOLS)
    with pytest.raises(CaseFileError, match="too long"):
        parse_expression("s1+" * 10 + "s1", SYMBOLS, Limits(length=20))
    with pytest.raises(CaseFileError, match="unknown name 'y'"):
        parse_expression("s1 + y", SYMBOLS)
    with pytest.raises(CaseFileError, match="complex"):
        parse_expression("s1 + 2j", SYMBOLS)
    big = parse_expression("+".join(f"{k % 5}*s1*s2" for k in range(5000)), SYMBOLS)
    assert big == 10000 * S1 * S2
    assert parse_condition("s1 < s2 <= 1 and not s3 > 0", SYMBOLS) == sp.And(S1 < S2, S2 <= 1, sp.Not(S3 > 0))


# -- schema errors name the problem --------------------------------------------------------------
GOOD = 'factors = [["s1"], ["s2"]]\noutputs = ["s1", "s2*s1"]\n'


@pytest.mark.parametrize(
    "text, message",
    [
        ("factors = [", "not valid TOML"),
        ('outputs = ["s1"]', "has no factors"),
        ('factors = [["s1"]]', "has no outputs"),
        (GOOD + "colour = 1", "unknown key(s) colour"),
        ('factors = [["s1"], []]\noutputs = ["s1"]', "factor f2 is an empty block"),
        ('factors = [["s1"], ["s1"]]\noutputs = ["s1"]', "latent s1 appears in two factors (f1 and f2)"),
        ('latents = ["s1"]\nfactors = [["s1"], ["s2"]]\noutputs = ["s1"]', "names s2, which is not declared"),
        ('latents = ["s1", "s1"]\nfactors = [["s1"]]\noutputs = ["s1"]', "declared twice"),
        ('latents = ["s1", "s3"]\nfactors = [["s1"]]\noutputs = ["s1"]', "s3 declared but in no factor"),
        ('factors = [["s1"]]\noutputs = ["s1 + s9"]', "output 0: expression \"s1 + s9\": unknown name 's9'"),
        ('factors = [["pi"]]\noutputs = ["pi"]', "latent name 'pi' is reserved"),
        ('factors = [["s 1"]]\noutputs = ["1"]', "not a valid name"),
        ('factors = [["s1"]]\noutputs = "s1"', "outputs must be a list"),
        ('factors = [["s1"]]\noutputs = []', "outputs is empty"),
        ('factors = [["s1"]]\noutputs = [1.5, true]', "must be a string"),
        ('factors = [["s1"]]\noutputs = ["s1"]\ndomain = { s1 = [1, 0] }', "empty interval for s1"),
        ('factors = [["s1"]]\noutputs = ["s1"]\ndomain = { s1 = ["a", 1] }', "bad domain bound: lower bound of s1 is not a rational number"),
        ('factors = [["s1"]]\noutputs = ["s1"]\ndomain = { s2 = [0, 1] }', "domain names s2"),
        ('factors = [["s1"]]\noutputs = ["s1"]\ndomain = { s1 = [0, 1], condition = "exp(s1) < 2" }', "polynomial"),
        ('factors = [["s1"]]\noutputs = ["s1"]\ndomain = { s1 = [0, 1] }\npoints = [{ s1 = 2 }]', "outside the domain"),
        ('factors = [["s1"]]\noutputs = ["s1"]\npoints = [{ s2 = 2 }]', "not a latent"),
        ('factors = [["s1"]]\noutputs = ["1/(s1 - s1)"]', "division by zero"),
        ('[[generator]]\nname = "a"\n' + GOOD + '[[generator]]\nname = "a"\n' + GOOD, "two generators share a name"),
        ("name = 3\n" + GOOD, "name must be a non-empty string"),
    ],
)
def test_schema_errors_name_the_problem(text, message):
    with pytest.raises(CaseFileError) as info:
        load_toml_text(text, "case.toml")
    assert message in str(info.value), str(info.value)
    assert str(info.value).startswith("case.toml")
    assert isinstance(info.value, InputError)


def test_several_generators_and_exact_decimals():
    text = 'description = "shared"\n[[generator]]\nname = "a"\n' + GOOD + '[[generator]]\nname = "b"\nfactors = { x = ["t"] }\noutputs = ["0.1*t"]\ndomain = { t = [0.5, "oo"] }\n'
    a, b = load_toml_text(text, "two.toml")
    assert (a.name, b.name) == ("a", "b") and a.description == b.description == "shared"
    (t,) = b.latents
    assert b.outputs == (t / 10,) and b.domain.interval(t) == (sp.Rational(1, 2), sp.oo)
    assert b.factors == {"x": (t,)}


def test_bundled_cases_do_not_include_the_toml_twins():
    names = [g.name for g in cases.load_bundled()]
    assert len(names) == len(set(names))


def test_file_size_and_encoding_limits(tmp_path):
    from theory.io.casefile import MAX_TOML_BYTES, load_toml_case

    big = tmp_path / "big.toml"
    big.write_text(GOOD + "# padding\n" * (MAX_TOML_BYTES // 10 + 1))
    with pytest.raises(CaseFileError, match="limited to"):
        load_toml_case(big)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(GOOD.encode() + b"description = '\xe9'\n")
    with pytest.raises(CaseFileError, match="not UTF-8"):
        load_toml_case(latin)


@pytest.mark.parametrize("written", ["ｓ1 + s2", "s1 + xⁱ", "𝑥 * s1", "ⅹ + s1", "s₁ + s2"])
def test_look_alike_names_are_refused_not_mapped_onto_latents(written):
    """Python's parser reads identifiers in NFKC form, so a fullwidth, superscript, italic or
    Roman-numeral letter became a declared latent without a word (x-superscript-i was xi)."""
    import unicodedata

    from theory.errors import CaseFileError
    from theory.io.safe_expr import parse_expression

    symbols = {n: sp.Symbol(n, real=True) for n in ("s1", "s2", "x", "xi")}
    assert unicodedata.normalize("NFKC", written) != written
    with pytest.raises(CaseFileError, match="reads as others"):
        parse_expression(written, symbols)
    assert parse_expression(unicodedata.normalize("NFKC", written), symbols).free_symbols <= set(symbols.values())


def test_toml_underscore_floats_and_a_byte_order_mark(tmp_path):
    from theory.io.casefile import load_toml_case

    path = tmp_path / "bom.toml"
    text = 'factors = [["s1"], ["s2"]]\noutputs = ["s1", "s2"]\npoints = [{ s1 = 0.000_5, s2 = 1_0e-1_1 }]\n[domain]\ns1 = [-1_0.5, 1_0.5]\ns2 = [-1, 1]\n'
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    (g,) = load_toml_case(path)
    s1, s2 = g.latents
    assert g.domain.box.bounds[s1] == (sp.Rational(-21, 2), sp.Rational(21, 2))
    assert g.points[0] == {s1: sp.Rational(5, 10**4), s2: sp.Rational(10, 10**11)}

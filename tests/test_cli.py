"""The command line: check / list, JSON document, --at, --criteria, exit codes 0/2/3, progress."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mechind.cli import main, parse_at
from theory.errors import PointError

CASE = '''"""Cubic overlap."""
import sympy as sp
from theory import Generator, Box
s1, s2 = sp.symbols("s1 s2", real=True)
GENERATOR = Generator(
    name="cubic-overlap",
    factors=[[s1], [s2]],
    outputs=[s1, s2, s1**3 + s2**3],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}],
)
'''


@pytest.fixture
def case_file(tmp_path):
    path = tmp_path / "cubic.py"
    path.write_text(CASE)
    return path


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_check_json_document(case_file):
    result = run("check", case_file, "--json", "--at", "s1=0,s2=1/2")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"mechind", "cases"}
    (case,) = doc["cases"]
    assert case["case"] == "cubic-overlap" and case["source"] == str(case_file)
    assert case["latents"] == ["s1", "s2"] and case["factors"] == {"f1": ["s1"], "f2": ["s2"]}
    assert case["domain"] == {"s1": ["-1", "1"], "s2": ["-1", "1"]}
    checks = case["checks"]
    kinds = [(c["criterion"], c["scope"], c.get("point")) for c in checks]
    assert kinds == [
        ("D", "global", None),
        ("D", "point", {"s1": "1/2", "s2": "1/2"}),
        ("D", "point", {"s1": "0", "s2": "1/2"}),
        ("M", "point", {"s1": "1/2", "s2": "1/2"}),
        ("M", "point", {"s1": "0", "s2": "1/2"}),
        ("M", "global", None),
        ("S", "point", {"s1": "1/2", "s2": "1/2"}),
        ("S", "point", {"s1": "0", "s2": "1/2"}),
        ("S", "global", None),
        ("H2", "global", None),
        ("H3", "global", None),
        ("irreducible:D", "point", {"s1": "1/2", "s2": "1/2"}),
        ("irreducible:D", "point", {"s1": "0", "s2": "1/2"}),
        ("irreducible:D", "global", None),
        ("irreducible:S", "point", {"s1": "1/2", "s2": "1/2"}),
        ("irreducible:S", "point", {"s1": "0", "s2": "1/2"}),
        ("irreducible:M", "point", {"s1": "1/2", "s2": "1/2"}),
        ("irreducible:M", "point", {"s1": "0", "s2": "1/2"}),
        ("irreducible:H2", "point", {"s1": "1/2", "s2": "1/2"}),
        ("irreducible:H2", "point", {"s1": "0", "s2": "1/2"}),
        ("graph", "point", {"s1": "1/2", "s2": "1/2"}),
        ("graph", "point", {"s1": "0", "s2": "1/2"}),
        ("spanning", "global", None),
        ("sep2", "point", {"s1": "1/2", "s2": "1/2"}),
        ("sep2", "point", {"s1": "0", "s2": "1/2"}),
        ("T1", "global", None),
        ("T2", "global", None),
        ("locally-injective", "global", None),
    ]
    s_rows = {c["point"]["s1"]: c for c in checks if c["criterion"] == "S" and c["scope"] == "point"}
    assert (s_rows["1/2"]["details"]["rho_plus"], s_rows["1/2"]["details"]["rho_minus"]) == (4, 4)
    assert s_rows["1/2"]["verdict"] == "refuted" and len(s_rows["1/2"]["witness"]["basis"]) == 2
    assert s_rows["0"]["verdict"] == "proved" and s_rows["0"]["details"]["rho_minus"] == 4
    for c in checks:
        assert set(c) >= {"criterion", "verdict", "scope", "method", "witness", "details", "seconds"}
        assert (c["witness"] is not None) == (c["verdict"] == "refuted")
    d_global = checks[0]
    assert d_global["verdict"] == "refuted"
    assert d_global["witness"]["output"] == 2 and d_global["witness"]["latents"] == ["s1", "s2"]
    # at (0, 1/2) the cubic pixel depends on s2 only: D holds at that point
    assert checks[2]["verdict"] == "proved"


def test_check_table_and_bundled_names(case_file):
    result = run("check", case_file, "p08", "--criteria", "D,H2")
    assert result.exit_code == 0, result.output
    assert "cubic-overlap" in result.stdout and "p08-bilinear-h3-not-h2" in result.stdout
    assert "refuted" in result.stdout
    assert "[1/2]" in result.stderr and "[2/2]" in result.stderr  # progress on stderr


def test_hn_reading_option():
    result = run("check", "p29", "--criteria", "H3", "--hn-reading", "pairwise", "--json")
    assert result.exit_code == 0
    (check,) = json.loads(result.stdout)["cases"][0]["checks"]
    assert check["verdict"] == "proved" and check["details"]["reading"] == "pairwise"


def test_list():
    result = run("list")
    assert result.exit_code == 0
    for row in ("p01-disjoint-baseline", "p17-undecidable-zero-constant", "p33-s-without-h2"):
        assert row in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["check"], "no case given"),
        (["check", "nope.py"], "no such case file"),
        (["check", "no-such-bundled-case"], "no bundled case"),
        (["check", "p05", "--all"], "not both"),
        (["check", "p05", "--criteria", "X"], "unknown criterion"),
        (["check", "p05", "--criteria", "H1"], "n >= 2"),
        (["check", "p05", "--criteria", ""], "no criterion"),
        (["check", "p05", "--at", "s1=1/2,s2"], "malformed --at"),
        (["check", "p05", "--at", "s1=1/2,s1=0"], "given twice"),
        (["check", "p05", "--at", "s1=1/2"], "missing the coordinate"),
        (["check", "p05", "--at", "s1=2,s2=0"], "outside the domain"),
        (["check", "p05", "--at", "s1=x,s2=0"], "not a rational"),
        (["check", "p05", "--at", "s1=0,s2=0,s9=0"], "not a latent"),
        (["check", "p05", "--budget", "0"], "must be positive"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message):
    result = run(*args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr


def test_bad_case_file_exits_2(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("raise ValueError('nope')\n")
    result = run("check", path)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "raised ValueError: nope" in result.stderr


def test_usage_error_exits_2():
    assert run("check", "p05", "--hn-reading", "diagonal").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_internal_error_exits_3(monkeypatch):
    import theory.checker

    def explode(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(theory.checker, "check", explode)  # `mechind check` imports it when it runs
    result = run("check", "p05")
    assert result.exit_code == 3
    assert "internal error: RuntimeError: kaboom" in result.stderr and "--debug" in result.stderr
    debug = run("check", "p05", "--debug")
    assert isinstance(debug.exception, RuntimeError)


def test_decimal_at_is_read_exactly():
    result = run("check", "p05", "--criteria", "D", "--at", "s1=0.25,s2=-0.5", "--json")
    assert result.exit_code == 0
    points = [c.get("point") for c in json.loads(result.stdout)["cases"][0]["checks"]]
    assert {"s1": "1/4", "s2": "-1/2"} in points


def test_parse_at():
    assert parse_at("s1=1/2, s2=-3/4") == {"s1": "1/2", "s2": "-3/4"}
    with pytest.raises(PointError):
        parse_at("s1")


# -- the front door stays light: --help and --version import no heavy layer -----------------
FRONT_DOOR = """
import sys
from click.testing import CliRunner
import mechind.cli

runner = CliRunner()
for args in (["--help"], ["--version"], *[[name, "--help"] for name in mechind.cli.main.commands]):
    result = runner.invoke(mechind.cli.main, args)
    assert result.exit_code == 0, (args, result.output)
heavy = sorted(m for m in ("sympy", "torch", "matplotlib", "symengine", "z3", "numpy") if m in sys.modules)
print(" ".join(heavy) or "none")
"""


def test_help_and_version_import_no_heavy_dependency():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", FRONT_DOOR], cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["none"], f"imported by --help/--version: {result.stdout}"


def test_version_and_subcommand_help():
    assert run("--version").output.strip() == "mechind, version 0.1.0"
    for name in ("check", "counterexample", "list", "theorem", "hierarchy", "crosscheck", "reproduce", "report"):
        result = run(name, "--help")
        assert result.exit_code == 0 and "Usage: " in result.output, (name, result.output)


def test_sparsest_aligned_m_refutation_is_printed():
    """A refuted Type M in the sparsest aligned basis names basis vectors, not latents; the
    table printed it with the coordinate reading's witness keys and failed (exit 3)."""
    res = run("check", "p10", "--criteria", "M", "--m-basis", "sparsest-aligned", "--budget", "15")
    assert res.exit_code == 0, res.output
    assert "outputs of B* vector (0, 1) {1} inside those of (1, 0) {1, 2, 3}" in " ".join(res.output.split())


def test_names_with_brackets_print_as_written(tmp_path):
    """Case and factor names are user text: rich read '[/]' as a closing style tag (exit 3,
    MarkupError) and '[red]x' as a style, in tables, batch lines and theorem reports."""
    case = tmp_path / "brackets.toml"
    case.write_text(
        'name = "[/]"\nlatents = ["s1", "s2"]\noutputs = ["s1", "s2", "s1*s2"]\n'
        '[factors]\n"[red]x" = ["s1"]\n":smile:y" = ["s2"]\n[domain]\ns1 = [-1, 1]\ns2 = [-1, 1]\n'
    )
    other = tmp_path / "plain.toml"
    other.write_text('name = "plain"\nlatents = ["s1", "s2"]\nfactors = [["s1"], ["s2"]]\noutputs = ["s1", "s2"]\n')
    for args in (["check", case, "--criteria", "D"], ["check", case, other, "--criteria", "D"], ["theorem", "2", case], ["crosscheck", case, "--criteria", "D"]):
        result = run(*args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert "internal error" not in result.output
        assert "[/]" in result.output, (args, result.output)
    table = run("check", case, "--criteria", "D").output
    assert "[red]x" in table and ":smile:y" in table  # no style, no emoji


@pytest.mark.parametrize("budget", ["3e6", "1e10", "1e308", "inf"])
def test_a_huge_budget_is_no_limit(case_file, budget):
    """A budget past poll's limit (about 24.8 days) ended the command with OverflowError
    (exit 3); it is a wait without a limit, as inf is."""
    result = run("check", case_file, "--criteria", "D,S", "--budget", budget, "--engine", "z3", "--json")
    assert result.exit_code == 0, result.output
    verdicts = {(c["criterion"], c["scope"]): c["verdict"] for c in json.loads(result.stdout)["cases"][0]["checks"]}
    assert verdicts[("D", "global")] == "refuted"  # s1**3 + s2**3 mixes both factors
    # the z3 engine's timeout: int(1e308 * 1000) failed, and S read 'evaluation-overflow'
    assert verdicts[("S", "point")] == "refuted"  # (1/2, 1/2): rho+ = rho- = 4, a tie

"""Case files: loading, and every failure reported as a CaseFileError naming the file."""

from __future__ import annotations

import textwrap

import pytest

import cases
from theory import CaseFileError, load_case_file

HEADER = "import sympy as sp\nfrom theory import Generator, Box\ns1, s2 = sp.symbols('s1 s2', real=True)\n"


def write(tmp_path, body, name="case.py"):
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body))
    return path


def test_loads_generator_and_docstring(tmp_path):
    path = tmp_path / "ok.py"
    path.write_text('"""A shared pixel."""\n' + HEADER + "GENERATOR = Generator('ok', [[s1], [s2]], [s1 + s2])\n")
    (g,) = load_case_file(path)
    assert g.name == "ok" and g.description == "A shared pixel." and g.source == str(path)


def test_loads_generators_list(tmp_path):
    path = write(tmp_path, "GENERATORS = [Generator('a', [[s1], [s2]], [s1]), Generator('b', [[s1], [s2]], [s2])]\n")
    assert [g.name for g in load_case_file(path)] == ["a", "b"]


@pytest.mark.parametrize(
    "body, message",
    [
        ("x = 1\n", "defines no generator"),
        ("GENERATOR = 42\n", "got int"),
        ("GENERATORS = []\n", "non-empty list"),
        ("GENERATORS = Generator('a', [[s1], [s2]], [s1])\n", "non-empty list"),
        ("raise RuntimeError('boom')\n", "raised RuntimeError: boom"),
        ("1/0\n", "raised ZeroDivisionError"),
        ("GENERATOR = Generator('a', [[s1], [s2]], [s1 + sp.Symbol('t', real=True)])\n", "t, which is in no factor"),
        ("def broken(:\n", "syntax error on line"),
        ("GENERATOR = Generator('a', [[s1], [s2]], [s1])\nGENERATORS = [GENERATOR]\n", "both GENERATOR and GENERATORS"),
        ("GENERATORS = [Generator('a', [[s1], [s2]], [s1]), Generator('a', [[s1], [s2]], [s2])]\n", "share a name"),
    ],
)
def test_bad_case_files(tmp_path, body, message):
    path = write(tmp_path, body)
    with pytest.raises(CaseFileError, match=message) as info:
        load_case_file(path)
    assert str(path) in str(info.value)


def test_missing_and_non_python_files(tmp_path):
    with pytest.raises(CaseFileError, match="no such case file"):
        load_case_file(tmp_path / "nope.py")
    other = tmp_path / "case.txt"
    other.write_text("x")
    with pytest.raises(CaseFileError, match=r"a Python file \(\.py\) or a TOML file \(\.toml\)"):
        load_case_file(other)


def test_bundled_library_is_listed_and_findable():
    files = cases.case_files()
    assert files and all(p.suffix == ".py" and not p.name.startswith("_") for p in files)
    assert cases.find_case("p05").name == "p05-cubic-overlap-tie"
    assert cases.find_case("p05-cubic-overlap-tie").name == "p05-cubic-overlap-tie"
    with pytest.raises(CaseFileError, match="no bundled case"):
        cases.find_case("no-such-case")
    for g in cases.load_bundled():
        assert g.description, f"{g.name} needs a docstring saying what it shows"
        assert g.points, f"{g.name} needs its s* point"

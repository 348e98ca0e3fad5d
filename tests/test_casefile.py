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


def _undefined_by_sympy(expr, point):
    """sympy's own evaluation (all latents replaced at once): a Piecewise with no applicable piece is nan."""
    import sympy as sp

    return expr.xreplace(point) is sp.nan


def test_undefined_condition_agrees_with_sympys_evaluation():
    """Where :func:`undefined_condition` holds is where sympy's evaluation of the Piecewise
    gives no value, on a grid through every boundary of these hand-written forms."""
    import itertools

    import sympy as sp

    from theory.model.piecewise import undefined_condition

    s1, s2 = sp.symbols("s1 s2", real=True)
    half = sp.Rational(1, 2)
    forms = [
        sp.Piecewise((s1, s1 > 0)),
        sp.Piecewise((s1, s1 > 0), (-s1, s1 < 0)),
        sp.Piecewise((s1, s1 > s2), (s2**2, s1 < s2)),
        s2 * sp.Piecewise((sp.Piecewise((s1, s1 > 0)), s1 > half), (1, True)),
        sp.Piecewise((sp.Piecewise((s1, s2 > 0)), s1 > 0), (s2, s1 < -half)),
        sp.exp(sp.Piecewise((s1, s1**2 + s2**2 < 1))) + sp.Piecewise((s2, s2 > 0), (0, True)),
        sp.Piecewise((1, s1 > 0), (sp.Piecewise((2, s2 > 0), (3, s2 < -half)), True)),
    ]
    grid = [sp.Rational(k, 4) for k in range(-5, 6)]
    for expr in forms:
        gap = undefined_condition(expr)
        for a, b in itertools.product(grid, grid):
            point = {s1: a, s2: b}  # xreplace: subs substitutes one latent after the other and can fold a nan away
            assert (gap.xreplace(point) == sp.true) == _undefined_by_sympy(expr, point), (expr, point)


def test_piecewise_without_default_is_accepted_where_it_covers_the_domain(tmp_path):
    """The conditions cover the domain (z3 proves it; the condition is not simplified to false):
    the case loads.  The same Piecewise on a wider domain is refused, naming a point."""
    body = (
        "out = sp.Piecewise((s1, s1 > 0), (s2, s1 <= 0)) + s2 * sp.Piecewise((sp.Piecewise((s1, s1 > 0)), s1 > sp.Rational(1, 2)), (1, True))\n"
        "GENERATOR = Generator('covered', [[s1], [s2]], [out, s2], domain=Box({s1: (-1, 1), s2: (-1, 1)}))\n"
    )
    (g,) = load_case_file(write(tmp_path, body))
    assert g.name == "covered"
    narrow = "GENERATOR = Generator('part', [[s1], [s2]], [sp.Piecewise((s1, s1 > 0)), s2], domain=Box({s1: (0, 1), s2: (-1, 1)}))\n"
    assert load_case_file(write(tmp_path, narrow, "narrow.py"))[0].name == "part"
    wide = "GENERATOR = Generator('wide', [[s1], [s2]], [sp.Piecewise((s1, s1 > 0)), s2], domain=Box({s1: (-1, 1), s2: (-1, 1)}))\n"
    with pytest.raises(CaseFileError, match=r"output 0 has no value at \(s1="):
        load_case_file(write(tmp_path, wide, "wide.py"))


def test_removable_singularities_load_and_poles_outside_the_domain_too(tmp_path):
    """0/0 is not a pole: sin(s1)/s1 and (s1**2 - s2**2)/(s1 - s2) load on boxes through their
    singular sets, and so does 1/(s1 - 2) on (-1, 1)^2 (its pole is outside)."""
    body = (
        "GENERATOR = Generator('removable', [[s1], [s2]], [sp.sin(s1) / s1, (s1**2 - s2**2) / (s1 - s2), 1 / (s1 - 2), s2], "
        "domain=Box({s1: (-1, 1), s2: (-1, 1)}))\n"
    )
    assert load_case_file(write(tmp_path, body))[0].name == "removable"


def test_a_neural_case_file_given_to_a_closed_form_command_points_to_check(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(
        "import torch\nfrom numeric.generator import NeuralGenerator\n"
        "GENERATOR = NeuralGenerator(lambda z: z, [[0], [1]], 2, dtype=torch.float64)\n"
    )
    with pytest.raises(CaseFileError, match="a neural generator: `mechind check` runs its numeric checks"):
        load_case_file(path)


def test_toml_latents_are_ordered_by_the_factors_and_a_different_declaration_is_noted():
    """The guide said ``latents`` declares the order; the order is the factors' (blocks are
    contiguous), and witnesses were written in it while the file declared another."""
    from theory.io.casefile import load_toml_text

    text = 'latents = ["s2", "s1", "s3"]\nfactors = [["s1", "s3"], ["s2"]]\noutputs = ["s1", "s2", "s3", "s1 + s2"]\n'
    (g,) = load_toml_text(text)
    assert [str(s) for s in g.latents] == ["s1", "s3", "s2"]
    assert any("ordered as the factors list them (s1, s3, s2)" in n for n in g.notes)
    (same,) = load_toml_text(text.replace('["s2", "s1", "s3"]', '["s1", "s3", "s2"]'))
    assert not any("ordered as the factors" in n for n in same.notes)


def test_a_root_guarded_by_its_piece_is_accepted(tmp_path):
    """z3 finds where the root's argument is negative, but the output is evaluated there as a
    whole: Piecewise((sqrt(s1), s1 > 0), (0, True)) is 0, real, for s1 < 0 (by hand)."""
    import sympy as sp

    path = tmp_path / "guarded.py"
    path.write_text(
        "import sympy as sp\nfrom theory import Box, Generator\ns1, s2 = sp.symbols('s1 s2', real=True)\n"
        "GENERATOR = Generator('guarded', [[s1], [s2]], [sp.Piecewise((sp.sqrt(s1), s1 > 0), (0, True)), s2], Box({s1: (-1, 1), s2: (-1, 1)}))\n"
    )
    (g,) = load_case_file(path)
    assert g.outputs[0].xreplace({sp.Symbol("s1", real=True): sp.Rational(-3, 4)}) == 0

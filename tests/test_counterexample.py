"""Spurious competitors (docs/mathematics.md section 11): every one passes its own re-check, and
``mechind check`` on the emitted case file agrees with the facts reported."""

from __future__ import annotations

import json
import runpy
import random

import pytest
import sympy as sp
from click.testing import CliRunner

from mechind.cli import main
from tests.case_table import EXPECTED
from theory import Box, Generator
from theory.io.casefile import load_case_file
from theory.checker import check
from theory.theorems.counterexample import NoCompetitor, counterexample

P17 = "p17-undecidable-zero-constant"  # S refuted at s*, where J is not rational (c')
S_FAILS = sorted(n for n, e in EXPECTED.items() if e["S"] == "refuted" and n != P17)
REDUCIBLE = sorted(n for n, e in EXPECTED.items() if e["irreducible_point"] is False)


def _reload(tmp_path, competitor):
    path = tmp_path / "competitor.py"
    path.write_text(competitor.case_file_text())
    (g,) = load_case_file(path)
    return g


def _independent_composition(g, comp):
    """g(s) == g_hat(h(s)) by plain substitution and a rational spot check plus expand."""
    z = comp.generator.latents
    for e_hat, e in zip(comp.generator.outputs, g.outputs):
        diff = e_hat.subs(dict(zip(z, comp.h)), simultaneous=True) - e
        probe = {s: sp.Rational(1, 3 + i) for i, s in enumerate(g.latents)}
        assert sp.simplify(diff.subs(probe)) == 0


@pytest.mark.parametrize("name", S_FAILS)
def test_misaligned_basis_competitor(name, bundled, tmp_path):
    g = bundled[name]
    comp = counterexample(g, "S")
    assert comp.kind == "misaligned-basis"
    assert comp.facts["g_equals_ghat_of_h"]["holds"] is True
    assert comp.facts["h_not_decomposable"]["holds"] is True
    assert comp.facts["sparsity"]["holds"] is True
    assert comp.facts["sparsity"]["ghat_coordinate_l0_at_z0"] == EXPECTED[name]["rho"][1]
    _independent_composition(g, comp)
    # M^-1 really mixes: some row of Dh is nonzero in two source factors
    Minv = sp.Matrix([[sp.Rational(x) for x in row] for row in comp.M]).inv()
    assert any(len({g.block_of[a] for a in range(g.d) if Minv[r, a] != 0}) >= 2 for r in range(g.d))
    linear = all(sp.Poly(e, *g.latents).total_degree() <= 1 for e in g.outputs if e.is_polynomial(*g.latents)) and all(
        e.is_polynomial(*g.latents) for e in g.outputs
    )
    assert comp.scope == ("global" if linear else "point")
    reloaded = _reload(tmp_path, comp)
    again = check(reloaded, ["S"], seed=0, isolate=False)
    assert [(r.criterion, r.scope, r.verdict, r.details.get("rho_plus")) for r in again] == [
        (r.criterion, r.scope, r.verdict, r.details.get("rho_plus")) for r in comp.ghat_results
    ]


def test_no_misaligned_basis_competitor_where_j_is_not_rational(bundled):
    """P17's S refutation at s* has a basis with c' in it: J(s*) M would not be rational, so no
    competitor is built from it (and none at the other points tried)."""
    with pytest.raises(NoCompetitor, match="no rational misaligned basis"):
        counterexample(bundled[P17], "S")


@pytest.mark.parametrize("name", REDUCIBLE)
@pytest.mark.parametrize("kind", ["irreducible:D", "irreducible:S"])
def test_split_and_merge_competitor(name, kind, bundled, tmp_path):
    g = bundled[name]
    comp = counterexample(g, kind)
    assert comp.kind == "split-and-merge"
    assert comp.facts["g_equals_ghat_of_h"]["holds"] and comp.facts["h_not_decomposable"]["holds"]
    assert comp.facts["same_block_sizes"]  # P13: (2, 1) and (1, 2)
    target = "D" if kind == "irreducible:D" else "S"
    verdicts = comp.facts["criterion_for_ghat"]["verdicts"]
    assert all(v == "proved" for v in verdicts.values()), verdicts
    _independent_composition(g, comp)
    reloaded = _reload(tmp_path, comp)
    assert [(r.criterion, r.scope, r.verdict) for r in check(reloaded, [target], isolate=False)] == [
        (r.criterion, r.scope, r.verdict) for r in comp.ghat_results
    ]


def test_type_m_linear_competitor(tmp_path):
    """docs/mathematics.md 11.3: g = (s1, s2, s1 + s2) has g_hat = (z1, z2 - z1, z2) with the same l0."""
    s1, s2 = sp.symbols("s1 s2", real=True)
    g = Generator("m-linear", [[s1], [s2]], [s1, s2, s1 + s2], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: 0, s2: 0}])
    comp = counterexample(g, "M")
    assert comp.scope == "global"
    assert comp.facts["sparsity"]["ghat_l0_at_z0"] == comp.facts["sparsity"]["g_l0_at_s0"] == 4
    assert all(r.verdict == "proved" for r in comp.ghat_results)
    assert comp.facts["h_not_decomposable"]["holds"]
    z1, z2 = comp.generator.latents
    assert sorted(map(str, comp.generator.outputs)) == sorted(map(str, [z1, z2 - z1, z2])) or comp.facts["sparsity"]["holds"]
    assert [r.verdict for r in check(_reload(tmp_path, comp), ["M"], isolate=False)] == [r.verdict for r in comp.ghat_results]


def test_no_competitor_where_the_criterion_holds(bundled):
    with pytest.raises(NoCompetitor, match="Type S is proved"):
        counterexample(bundled["p01-disjoint-baseline"], "S")
    with pytest.raises(NoCompetitor):
        counterexample(bundled["p14-disjoint-irreducible-block"], "irreducible:D")


def test_cli_counterexample_round_trip(tmp_path):
    out = tmp_path / "c.py"
    runner = CliRunner()
    result = runner.invoke(main, ["counterexample", "p05", "--criterion", "S", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["kind"] == "misaligned-basis" and doc["facts"]["h_not_decomposable"]["holds"]
    assert out.read_text() == doc["case_file"]
    checked = runner.invoke(main, ["check", str(out), "--criteria", "S", "--json"])
    assert checked.exit_code == 0, checked.output
    rows = json.loads(checked.output)["cases"][0]["checks"]
    assert [r["verdict"] for r in rows] == [r["verdict"] for r in doc["competitor_checks"]]


def test_cli_counterexample_errors():
    runner = CliRunner()
    held = runner.invoke(main, ["counterexample", "p01", "--criterion", "S"])
    assert held.exit_code == 2 and "Type S is proved" in held.output
    bad = runner.invoke(main, ["counterexample", "p05", "--criterion", "H2"])
    assert bad.exit_code == 2
    point = runner.invoke(main, ["counterexample", "p05", "--criterion", "S", "--at", "s1=0,s2=1/2"])
    assert point.exit_code == 2 and "proved" in point.output  # (0, 1/2): rho = (3, 4), S holds


def test_a_refutation_without_a_rational_basis_gives_no_competitor():
    """The polar map at (1, 1/4): S is refuted through Type D on a square Jacobian, whose
    entries are not rational; there is no rational misaligned basis to build g_hat from, and
    the tool says so instead of failing."""
    import sympy as sp

    from theory import Box, Generator
    from theory.theorems.counterexample import NoCompetitor, counterexample

    s1, s2 = sp.symbols("s1 s2", real=True)
    g = Generator("polar", [[s1], [s2]], [s1 * sp.cos(s2), s1 * sp.sin(s2)], Box({s1: (sp.Rational(1, 2), 2), s2: (-1, 1)}), points=[{s1: sp.S(1), s2: sp.Rational(1, 4)}])
    with pytest.raises(NoCompetitor, match="no rational misaligned basis"):
        counterexample(g, "S")


def test_split_and_merge_is_anchored_where_the_split_was_found():
    """g3 = s1 s2 + s1 + s2: block {s1, s2} splits at p = (-1, 1/2, 0), where row 3 of J is
    (3/2, 0, 0), but not at 0, where it is (1, 1, 0).  Anchored at 0, the printed g-hat was not
    Type D even at its own point; anchored at p it is (checked here on g-hat's Jacobian at z0)."""
    s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
    p = {s1: sp.Integer(-1), s2: sp.Rational(1, 2), s3: sp.Integer(0)}
    g = Generator("split-moves", [[s1, s2], [s3]], [s1, s2, s1 * s2 + s1 + s2, s3], Box({s: (-2, 2) for s in (s1, s2, s3)}), points=[p])
    comp = counterexample(g, "irreducible:D", point=p)
    _independent_composition(g, comp)
    ghat = comp.generator
    (z0,) = ghat.points
    J = sp.Matrix([[sp.diff(e, z).subs(z0) for z in ghat.latents] for e in ghat.outputs])
    for row in range(J.rows):  # Type D at z0: no row nonzero in two blocks of g-hat
        assert len({ghat.block_of[a] for a in range(ghat.d) if J[row, a] != 0}) <= 1, (row, J)


def test_a_constant_with_its_own_variable_survives_the_case_file(tmp_path):
    """A CRootOf reads the variable of its polynomial, which is no latent: the case file
    declared nothing for it and did not load back ("cannot import name 'x' from 'sympy'")."""
    s1, s2, x = sp.symbols("s1 s2", real=True) + (sp.Symbol("x"),)
    c = sp.CRootOf(x**5 - x - 1, 0)
    g = Generator("crootof", [[s1], [s2]], [s1, s2, s1**3 + s2**3, c * ((s1 - sp.Rational(1, 2)) ** 2 + (s2 - sp.Rational(1, 2)) ** 2)], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}])
    comp = counterexample(g, "S", budget=20)
    reloaded = _reload(tmp_path, comp)
    assert [sp.srepr(e) for e in reloaded.outputs] == [sp.srepr(e) for e in comp.generator.outputs]
    _independent_composition(g, comp)


def test_a_competitor_whose_facts_do_not_verify_is_not_returned(bundled, monkeypatch):
    import theory.theorems.counterexample as module

    monkeypatch.setattr(module, "_composition_fact", lambda *args: {"holds": None, "output": 2, "method": "undecided"})
    with pytest.raises(NoCompetitor, match="did not verify"):
        counterexample(bundled["p05-cubic-overlap-tie"], "S")


def test_the_search_on_g_runs_under_the_budget():
    """120 linear outputs in two blocks of 8: the S-irreducibility search ran for minutes
    with --budget 3 (the context had no budget); now each point's search stops with the budget."""
    rng = random.Random(3)
    s = sp.symbols("s1:17", real=True)
    outputs = [sum(rng.choice([-3, -2, -1, 1, 2, 3]) * v for v in rng.sample(s, rng.randint(1, 3))) for _ in range(120)]
    g = Generator("big", [list(s[:8]), list(s[8:])], outputs, Box({v: (-1, 1) for v in s}), points=[{v: sp.Rational(1, k + 2) for k, v in enumerate(s)}])
    with pytest.raises(NoCompetitor, match="budget of 0.5 s ran out|is (unknown|proved) there"):
        counterexample(g, "irreducible:S", budget=0.5)


def test_a_competitor_with_a_long_sum_is_written_and_read_back(tmp_path):
    """A 6,000-term output: the import line parsed the case file's body with ast (one nesting
    level per '+', RecursionError, exit 3), and the file itself did not load for the same reason."""
    from theory.theorems.counterexample import _printed, _sympy_import_line

    x, y = sp.symbols("x y", real=True)
    long_sum = sp.Add(*[sp.Rational(k + 1, 7) * x ** (k % 60) * y ** (k // 60) for k in range(6000)])
    short_sum = sp.Add(*long_sum.args[:300])
    assert _printed(sp.sin(short_sum)).startswith("sin(Add(")  # at any depth, not only at the top
    body = f"x, y = symbols('x y', real=True)\n\nOUT = {_printed(long_sum)}\nNESTED = {_printed(sp.sin(short_sum) + x)}\n"
    header = _sympy_import_line(body)
    assert header.startswith("from sympy import") and "Add" in header and "symbols" in header
    path = tmp_path / "long.py"
    path.write_text(header + body)
    namespace = runpy.run_path(str(path))
    assert len(namespace["OUT"].args) == len(long_sum.args)
    assert len(namespace["NESTED"].atoms(sp.sin).pop().args[0].args) == 300
    probe = {namespace["x"]: sp.Rational(1, 3), namespace["y"]: sp.Rational(2, 5)}
    assert namespace["OUT"].xreplace(probe) == long_sum.xreplace({x: sp.Rational(1, 3), y: sp.Rational(2, 5)})


def test_theorem_competitor_is_built_where_the_global_hypothesis_is_refuted():
    """g = (s1, 2 s1, s1 + s2, s1 s2 + 5 s1 + 5 s2, s2, 2 s2): Type S holds at the case's point
    (1/2, 1/3) but fails on the line s1 = s2, where rows 3 and 4 become proportional (the minor
    s1 - s2 vanishes: by hand, a tie).  `theorem 4 --competitor S` tried the case's point only
    and said there was none; the refutation's witness point is tried too now.  Truth: g = g_hat o
    h by substitution, and h mixes the factors."""
    from theory.theorems.counterexample import counterexample, refuting_points

    s1, s2 = sp.symbols("s1 s2", real=True)
    rows = [s1, 2 * s1, s1 + s2, s1 * s2 + 5 * s2 + 5 * s1, s2, 2 * s2]
    g = Generator("a2", [[s1], [s2]], rows, Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)}])
    minor = sp.Matrix([[sp.diff(rows[i], v) for v in (s1, s2)] for i in (2, 3)]).det()
    assert sp.expand(minor - (s1 - s2)) == 0
    results = check(g, ["S"], budget=30, isolate=False)
    at = refuting_points(results, "S")
    assert at and all(p[s1] == p[s2] for p in at)
    comp = counterexample(g, "S", budget=30, also=at)
    z = comp.generator.latents
    composed = [sp.expand(o.xreplace(dict(zip(z, comp.h)))) for o in comp.generator.outputs]
    assert [sp.expand(c - o) for c, o in zip(composed, rows)] == [0] * 6
    assert any(h.free_symbols == {s1, s2} for h in comp.h)  # h mixes the two factors: not decomposable

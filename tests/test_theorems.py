"""Theorems 1-5 as checkable objects, the hierarchy self-check and the report (issue 5)."""

from __future__ import annotations

import random
import struct

import pytest
import sympy as sp
from click.testing import CliRunner

from mechind.cli import main
from tests.case_table import EXPECTED
from theory import Box, Generator
from theory.criteria.context import CheckContext
from theory.theorems.hierarchy import run_hierarchy
from theory.readings import Readings
from theory.theorems.statements import theorem, theorem_report

NAMES = sorted(EXPECTED)


@pytest.fixture(scope="module")
def reports(bundled):
    out = {}
    for name, g in bundled.items():
        ctx = CheckContext(g, seed=0)
        out[name] = {n: theorem_report(g, n, context=ctx) for n in range(1, 6)}
    return out


def _verdicts(report, hyp, scope=None):
    return [r.verdict for r in report.results[hyp] if scope is None or r.scope == scope]


@pytest.mark.parametrize("name", NAMES)
def test_hypotheses_match_the_case_table(name, bundled, reports):
    e, g, rep = EXPECTED[name], bundled[name], reports[name]
    # topology of boxes and convex regions (docs/mathematics.md 9.1)
    assert _verdicts(rep[1], "T1") == ["proved"] and _verdicts(rep[1], "T2") == ["proved"]
    # T3 = the LI column
    assert _verdicts(rep[1], "T3") == ["proved" if e["LI"] else "refuted"]
    # Theorem 2: D on S and D-irreducibility (at s* and, where listed, everywhere)
    assert _verdicts(rep[2], "D", "global") == [e["D"]]
    irr = {r.scope: r for r in rep[2].results["irreducible:D"] if r.scope == "global" or r.point == g.points[0]}
    if e["irreducible_point"] == "degenerate":
        assert irr["point"].verdict == "unknown"
    elif not name.startswith("p17"):
        assert irr["point"].verdict == ("proved" if e["irreducible_point"] else "refuted")
    if e["irreducible_global"] is not None:
        assert irr["global"].verdict == ("proved" if e["irreducible_global"] else "refuted")
    # Theorem 3: M on S; Theorem 4: S at s*; Theorem 5: H2 on S
    assert _verdicts(rep[3], "M", "global") == [e["M_global"]]
    s_star = [r for r in rep[4].results["S"] if r.point == g.points[0]][0]
    assert s_star.verdict == (e["S"] if e["S"] is not None else "unknown")
    assert _verdicts(rep[5], "H2") == [e["H2"]]


@pytest.mark.parametrize("name", NAMES)
def test_conclusions_are_established_only_from_proved_hypotheses(name, reports):
    for n, rep in reports[name].items():
        if rep.conclusion == "established":
            for h in rep.theorem.hypotheses:
                assert rep.results[h.id] and all(r.verdict == "proved" for r in rep.results[h.id])
                assert h.scope == "point" or any(r.scope == "global" for r in rep.results[h.id])
        else:
            assert rep.reasons and rep.reason.startswith(rep.reasons[0])
        if n == 4 and rep.conclusion == "established":  # S on all of S: D + full rank, or the two-factor closed form
            glob = [r for r in rep.results["S"] if r.scope == "global"]
            assert [r.method for r in glob] in (["disjoint-and-full-rank"], ["two-factor-closed-form"])


def test_spec_counterexamples_name_exactly_the_failing_hypothesis(bundled, reports):
    # the Type M linear competitor (docs/mathematics.md 4.3): only the spanning condition fails
    x01 = reports["x01-type-m-linear-competitor"][3]
    assert x01.reasons == [x01.reason] and x01.reason.startswith("hypothesis spanning ")
    summary = theorem_report(bundled["x01-type-m-linear-competitor"], 3, Readings(thm3="summary"))
    assert [h.id for h in summary.theorem.hypotheses if h.id == "spanning"] == []
    assert summary.reasons == ["reading thm3=summary: this hypothesis set is known to be insufficient (docs/mathematics.md 4.3)"]
    # the linear H_n example (P15, docs/mathematics.md 6.4): H2 holds, separability is degenerate
    p15 = reports["p15-linear-degenerate-separability"][5]
    assert p15.reasons == [p15.reason] and p15.reason.startswith("hypothesis sep2 ")
    sep = p15.results["sep2"][0]
    assert sep.witness["fails"] == "nondegenerate" and all(sep.details["weak"].values())
    # D-irreducible but S-reducible (docs/mathematics.md 7.5): Theorem 4 names S-irreducibility among its reasons
    x02 = reports["x02-s-reducible-d-irreducible"][4]
    assert any(r.startswith("hypothesis irreducible:S ") and r.endswith("refuted") for r in x02.reasons)
    assert reports["x02-s-reducible-d-irreducible"][2].conclusion == "established"  # D + D-irreducible


def test_theorem_5_at_order_3_on_the_cubic_cases(bundled, reports):
    """x06: Theorem 5 with n = 3 established (H3, sep3, H3-irreducible factors on all of S); x07:
    the same generator with both cubics on one output, where only sep3 fails (docs/mathematics.md 7.7)."""
    x06 = theorem_report(bundled["x06-cubic-h3-irreducible"], 5, n=3, context=CheckContext(bundled["x06-cubic-h3-irreducible"], seed=0))
    assert x06.conclusion == "established", x06.reasons
    glob = [r for r in x06.results["irreducible:H3"] if r.scope == "global"]
    assert [(r.verdict, r.method) for r in glob] == [("proved", "constant-tensors")]
    assert reports["x06-cubic-h3-irreducible"][5].conclusion != "established"  # n = 2: H2 fails (s1 s3)
    x07 = theorem_report(bundled["x07-cubic-not-separable"], 5, n=3, context=CheckContext(bundled["x07-cubic-not-separable"], seed=0))
    refuted = [h for h, results in x07.results.items() if any(r.verdict == "refuted" for r in results)]
    assert refuted == ["sep3"] and x07.reasons == [x07.reason] and x07.reason.startswith("hypothesis sep3 ")
    assert all(r.verdict == "proved" for h, results in x07.results.items() if h != "sep3" for r in results)


#: Cases left undecided by a check that is not implemented (not by an undecidable constant), with
#: the hypothesis the report names (none at present: x08's S-irreducibility of 3-D factors on all
#: of S is decided on its linear regions).
NOT_IMPLEMENTED: dict[tuple[str, int], str] = {}


def test_a_case_left_undecided_names_its_undecidable_constant(reports):
    """No bundled case is undecided except where the answer hinges on a constant the zero test
    cannot decide (docs/mathematics.md 2.1), and the report names that constant."""
    for name, by_number in reports.items():
        for number, rep in by_number.items():
            refuted = any(r.verdict == "refuted" for rs in rep.results.values() for r in rs)
            if rep.conclusion == "established" or refuted:
                assert rep.undecided_constants == [], (name, number)
                assert (name, number) not in NOT_IMPLEMENTED, "decided now: drop it from NOT_IMPLEMENTED"
                continue
            if (name, number) in NOT_IMPLEMENTED:
                assert rep.reason.startswith(NOT_IMPLEMENTED[name, number]) and rep.undecided_constants == [], rep.reason
                continue
            assert rep.undecided_constants, f"{name}: theorem {number} undecided without an undecidable constant: {rep.reason}"
            assert "undecidable in general" in rep.reason and rep.undecided_constants[0] in rep.reason
            assert rep.to_json()["undecided_constants"] == rep.undecided_constants
    p17 = reports["p17-undecidable-zero-constant"]
    assert p17[5].undecided_constants == ["-2*atan(2/3) + acos(5/13)"]  # H2 hinges on c'
    assert p17[4].undecided_constants == []  # S is refuted there without c' (a tie, section 5.7)


def test_undecided_constants_lists_only_what_the_cascade_leaves_open():
    from theory.exact.constant_zero import decide_constant, undecided_constants

    s = sp.Symbol("s", real=True)
    c16 = sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11)  # zero, by its minimal polynomial
    c17 = sp.acos(sp.Rational(5, 13)) - 2 * sp.atan(sp.Rational(2, 3))  # zero, but not provably so
    exprs = [s * c16 + s**2, sp.exp(s) * sp.pi, s + c17 * s**3, sp.sqrt(2) * sp.sin(s)]
    found = undecided_constants(exprs)
    assert found == [c17]
    assert all(decide_constant(c).status == "unknown" for c in found)
    assert undecided_constants([s**2 + 1]) == []


def test_theorem_2_on_brady_et_al_generator(bundled, reports):
    """x08 (Brady et al.'s generator at their defaults, LeakyReLU as Max): Theorem 2 is established,
    D-irreducibility on the linear regions and injectivity by layers (docs/mathematics.md 7.3, 9.1)."""
    rep = reports["x08-brady-slots"][2]
    assert rep.conclusion == "established", rep.reasons
    glob = {h: [r for r in rs if r.scope == "global"] for h, rs in rep.results.items()}
    assert [(r.verdict, r.method) for r in glob["irreducible:D"]] == [("proved", "linear-regions")]
    assert [(r.verdict, r.method) for r in glob["T3"]] == [("proved", "injective-layers")]
    assert glob["irreducible:D"][0].details["linear_regions"]["f1"]["regions"] > 300
    # Theorem 4's rank condition from the same regions (D + full rank on every region)
    assert [(r.verdict, r.method) for r in reports["x08-brady-slots"][4].results["S"] if r.scope == "global"] == [("proved", "disjoint-and-full-rank")]
    # Theorem 4's S-irreducibility of the 3-D factors on every linear region
    rep4 = reports["x08-brady-slots"][4]
    assert [(r.verdict, r.method) for r in rep4.results["irreducible:S"] if r.scope == "global"] == [("proved", "linear-regions")]
    assert rep4.conclusion == "established", rep4.reasons


def test_theorem_readings():
    assert [h.id for h in theorem(4, Readings(irreducible="D")).hypotheses][:2] == ["S", "irreducible:D"]
    assert theorem(5, n=3).hypotheses[0].id == "H3"
    assert theorem(2, Readings(irreducible_scope="generic")).hypotheses[1].scope == "point"
    with pytest.raises(Exception, match="no theorem 6"):
        theorem(6)
    with pytest.raises(Exception, match="slices"):
        Readings(slices="diagonal")


def test_generic_irreducibility_counts_only_where_the_samples_prove_it(bundled):
    """Under irreducible-scope generic the seeded points prove D-irreducibility at generic points
    for an analytic g (P03), but not for a g with pieces: this one makes row 3 vanish on the
    open corner s1 + s2 > 9/5, where the factor {s1, s2} splits (rows (1, 0) and (0, 1) only;
    the Piecewise's value and derivatives there are 0 by its second piece), and no seeded point
    needs to land there."""
    generic = Readings(irreducible_scope="generic")
    p03 = theorem_report(bundled["p03-irreducible-2d-block"], 2, generic, budget=20)
    assert p03.conclusion == "established", p03.reason
    a, b, c = sp.symbols("s1 s2 s3", real=True)
    corner = sp.Rational(9, 5)
    g = Generator(
        "reducible-on-a-corner",
        [[a, b], [c]],
        [a, b, sp.Piecewise(((a + b - corner) ** 2, a + b < corner), (0, True)), c, c**3 + c],
        Box({a: (-1, 1), b: (-1, 1), c: (-1, 1)}),
        points=[{a: sp.Rational(1, 2), b: sp.Rational(1, 3), c: sp.Rational(1, 5)}],
    )
    report = theorem_report(g, 2, generic, budget=20)
    assert [r.verdict for r in report.results["irreducible:D"]] and all(r.verdict == "proved" for r in report.results["irreducible:D"])
    assert report.conclusion == "not-established" and "not certified analytic" in report.reason


def test_irreducible_d_reading_never_establishes_theorems_3_to_5(bundled):
    """x02 is D-irreducible and S-reducible: under irreducible=D every hypothesis of Theorem 4
    may hold while the split-and-merge competitor exists, so the conclusion is withheld."""
    report = theorem_report(bundled["x02-s-reducible-d-irreducible"], 4, Readings(irreducible="D"), budget=20)
    assert report.conclusion == "not-established"
    assert any("known to be insufficient" in r for r in report.reasons)


def test_theorem_cli_json():
    result = CliRunner().invoke(main, ["theorem", "3", "x01", "--json"])
    assert result.exit_code == 0, result.output
    import json

    (case,) = json.loads(result.output)["cases"]
    assert case["conclusion"] == "not-established" and case["reason"].startswith("hypothesis spanning")
    assert {row["hypothesis"] for row in case["hypotheses"]} >= {"M", "irreducible:M", "spanning", "T1", "T2", "T3"}
    assert all({"criterion", "verdict", "scope", "method", "witness", "details"} <= set(row) for row in case["hypotheses"])
    table = CliRunner().invoke(main, ["theorem", "2", "p14"])
    assert table.exit_code == 0 and "established" in table.output
    assert CliRunner().invoke(main, ["theorem", "7", "p14"]).exit_code == 2


def _random_generator(rng: random.Random, i: int) -> Generator:
    """A small random polynomial generator from the test grammar: pixels that depend on one
    factor, some on two (additively or through a product), planted zero columns sometimes."""
    s = sp.symbols("s1:5", real=True)
    d = rng.choice([2, 3, 4])
    latents = list(s[:d])
    cut = rng.randint(1, d - 1)
    blocks = [latents[:cut], latents[cut:]]
    outputs = []
    for _ in range(rng.randint(2, 5)):
        a = rng.choice(latents)
        term = rng.choice([a, 2 * a, a**2 + a, a**3 - a])
        if rng.random() < 0.4:
            b = rng.choice([x for x in latents if (x in blocks[0]) != (a in blocks[0])])
            term = term + rng.choice([b, b * a, b**2])
        outputs.append(term)
    point = {x: sp.Rational(rng.randint(-3, 3), 4) for x in latents}
    return Generator(f"random-{i}", blocks, outputs, Box({x: (-1, 1) for x in latents}), points=[point])


def test_hierarchy_on_random_generators():
    rng = random.Random(20261129)
    generators = [_random_generator(rng, i) for i in range(200)]
    report = run_hierarchy(generators, budget=20)
    assert report.violations == []
    counts = report.counts()
    assert sum(c["confirmed"] for c in counts.values()) > 200


def test_hierarchy_command_on_bundled_cases():
    result = CliRunner().invoke(main, ["hierarchy", "--json", "--jobs", "2"])  # both cores: the same document
    assert result.exit_code == 0, result.output[-2000:]
    import json

    doc = json.loads(result.output[result.output.index("{") :])
    assert doc["violations"] == []
    converses = {c["converse"]: set() for c in doc["converses"]}
    for c in doc["converses"]:
        converses[c["converse"]].add(c["case"].split("-")[0])
    # docs/mathematics.md 10's failing converses, with (some of) the cases the spec lists
    assert {"p05", "p06", "p08"} <= converses["M does not imply D"]
    assert {"p06", "p25"} <= converses["S does not imply D"]
    assert {"p08", "p33", "p27"} <= converses["H3 does not imply H2"]
    assert {"p09", "p29"} <= converses["H4 does not imply H3"]
    assert {"p13"} <= converses["D does not imply irreducible:D"]
    assert {"p30"} <= converses["irreducible at a point does not imply irreducible on S"]
    assert {"p05", "p23", "p27"} <= converses["S at one point does not imply S everywhere"]
    assert "x02" in converses["D-irreducible does not imply S-irreducible"]
    # the matrix names each pointwise verdict by its point (p05 is checked at (1/2, 1/2) and (0, 1/2))
    p05 = doc["matrix"]["p05-cubic-overlap-tie"]
    assert p05["S@(1/2, 1/2)"] == "refuted" and p05["S@(0, 1/2)"] == "proved" and p05["S@global"] == "refuted"


def _png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_report_links_valid_pngs(tmp_path, bundled):
    import re

    from mechind.report import build_report

    subset = [bundled[n] for n in ("p05-cubic-overlap-tie", "p13-reducible-split-and-merge", "p17-undecidable-zero-constant", "x01-type-m-linear-competitor")]
    md = build_report(subset, tmp_path)
    text = md.read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) >= 10
    for link in links:
        w, h = _png_size(tmp_path / link)
        assert w > 100 and h > 100
    assert "## Hierarchy matrix" in text and "## Theorems" in text and "Failing converses" in text
    assert "p13-reducible-split-and-merge" in text and "factor f1 splits as" in text
    # per theorem: established / refuted / undecided, counted as the table above says case by case
    rows = dict(re.findall(r"^\| (\d) \| (\d+ \| \d+ \| \d+) \|$", text, flags=re.M))
    assert sorted(rows) == ["1", "2", "3", "4", "5"]
    assert all(sum(int(v) for v in counts.split(" | ")) == len(subset) for counts in rows.values())
    table = [line.split(" | ") for line in text.split("## Theorems")[1].splitlines() if any(line.startswith(f"| {g.name} |") for g in subset)]
    for n in range(1, 6):  # the established counts agree with the case-by-case table
        assert int(rows[str(n)].split(" | ")[0]) == sum("**established**" in cells[n] for cells in table)


def test_competitor_conditions_of_the_type_m_counterexample(bundled):
    """x01 under Theorem 3: the competitor g_hat = g o U satisfies the competitor conditions
    (T4 and the sparsity constraint) while h is not decomposable, so only the spanning
    condition can rule it out."""
    from theory.theorems.counterexample import counterexample
    from theory.theorems.statements import competitor_conditions

    g = bundled["x01-type-m-linear-competitor"]
    rep = theorem_report(g, 3)
    comp = counterexample(g, "M")
    checked = competitor_conditions(rep, comp)
    assert [r.verdict for r in checked["T4"]] == ["proved"]
    assert len(checked["sparsity-constraint"]) >= 3
    assert all(r.verdict == "proved" and r.details["l0_ghat"] <= r.details["l0_g"] for r in checked["sparsity-constraint"])
    assert comp.facts["h_not_decomposable"]["holds"]
    result = CliRunner().invoke(main, ["theorem", "3", "x01", "--competitor", "M", "--json"])
    assert result.exit_code == 0, result.output
    import json

    (case,) = json.loads(result.output)["cases"]
    assert case["competitor"]["kind"] == "linear-type-m"
    assert {r["verdict"] for r in case["competitor_conditions_checked"]["sparsity-constraint"]} == {"proved"}


SIGFPE_CASE = """
import sympy as sp
from theory import Box, Generator
s1, s2 = sp.symbols("s1 s2", real=True)
GENERATOR = Generator(name="huge-power", factors=[[s1], [s2]], outputs=[s1, s2, s1 * s2 * (1 + s1) ** (2**40)],
                      domain=Box({s1: (-1, 1), s2: (-1, 1)}))
"""


def test_theorem_hierarchy_and_report_survive_work_that_kills_a_worker(tmp_path):
    """The exact value of (1 + s1)**(2**40) at a rational point kills the process that computes it
    (SIGFPE in the big-integer library): check runs every check in a killable worker, and theorem,
    hierarchy and report died with it (exit by signal 8, no message).  They run their checks, the
    hierarchy's Jacobians and the report's figures in such workers too now.  (The three commands
    run side by side, on both cores.)"""
    import subprocess
    import sys

    case = tmp_path / "huge_power.py"
    case.write_text(SIGFPE_CASE)
    commands = [["theorem", "2"], ["hierarchy"], ["report", "--out", str(tmp_path / "report")]]
    procs = [
        subprocess.Popen([sys.executable, "-m", "mechind.cli", *args, str(case), "--budget", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in commands
    ]
    for args, proc in zip(commands, procs):
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, (args, proc.returncode, err[-2000:])


def test_competitor_option_goes_on_past_a_case_without_one():
    """x02 has an irreducible:S competitor, p01 (1-D factors) none: the second case says so and the
    first case's report is kept (the whole command ended with exit 2 before)."""
    import json

    result = CliRunner().invoke(main, ["theorem", "4", "x02", "p01", "--competitor", "irreducible:S", "--json", "--budget", "20"])
    assert result.exit_code == 0, result.output[-2000:]
    x02, p01 = json.loads(result.output[result.output.index("{") :])["cases"]
    assert x02["competitor"]["kind"] == "split-and-merge"
    assert p01["competitor"] is None and "no irreducible:S competitor" in p01["competitor_reason"]

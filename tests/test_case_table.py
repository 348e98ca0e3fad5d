"""Every row of docs/mathematics.md section 13 gives the verdicts the table lists (D, M, H2, H3, H4)."""

from __future__ import annotations

import pytest

from theory.readings import Readings
from tests.case_table import EXPECTED
from tests.witness_check import verify_witness

NAMES = sorted(EXPECTED)


def _find(results, criterion, scope, point=None):
    out = [r for r in results if r.criterion == criterion and r.scope == scope and (point is None or r.point == point)]
    assert len(out) == 1, (criterion, scope, point, out)
    return out[0]


#: Bundled cases beyond the table: the counterexamples of docs/mathematics.md 4.3 and 7.5, the
#: transcendental generators of global Type S (5.10), the cubic cases of Theorem 5 at n = 3 (7.7), and
#: Brady et al.'s piecewise-linear generator (7.3, Theorem 2 on its linear regions), and the image
#: library (docs/image-generators.md).
EXTRA = {
    "i01-sliding-bumps",
    "i02-overlapping-sliders",
    "i03-overlapping-lamps",
    "x01-type-m-linear-competitor",
    "x02-s-reducible-d-irreducible",
    "x03-transcendental-sprites",
    "x04-transcendental-2d-factor",
    "x05-transcendental-tie",
    "x06-cubic-h3-irreducible",
    "x07-cubic-not-separable",
    "x08-brady-slots",
}


def test_every_row_is_bundled(bundled):
    assert set(bundled) == set(EXPECTED) | EXTRA
    rows = {e["row"] for e in EXPECTED.values()}
    assert rows == {f"P{i:02d}" for i in range(1, 34)}


@pytest.mark.parametrize("name", NAMES)
def test_type_d(name, bundled, bundled_results):
    r = _find(bundled_results[name], "D", "global")
    assert r.verdict == EXPECTED[name]["D"], r.to_json()


@pytest.mark.parametrize("name", NAMES)
def test_type_m_at_s_star_and_global(name, bundled, bundled_results):
    g = bundled[name]
    s_star = g.points[0]
    assert _find(bundled_results[name], "M", "point", s_star).verdict == EXPECTED[name]["M_point"]
    assert _find(bundled_results[name], "M", "global").verdict == EXPECTED[name]["M_global"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("criterion", ["H2", "H3", "H4"])
def test_type_hn(name, criterion, bundled_results):
    expected = EXPECTED[name].get(criterion)
    r = _find(bundled_results[name], criterion, "global")
    if expected is not None:
        assert r.verdict == expected, r.to_json()
    # H_n => H_{n+1} (docs/mathematics.md 6.6) must hold among the computed verdicts
    if criterion != "H2":
        previous = _find(bundled_results[name], f"H{int(criterion[1]) - 1}", "global")
        if previous.verdict == "proved":
            assert r.verdict == "proved"


def test_p29_pairwise_reading(bundled):
    from theory.checker import check

    g = bundled["p29-three-block-h3-reading"]
    pairwise = {r.criterion: r for r in check(g, ["H2", "H3", "H4"], readings=Readings(hn="pairwise"))}
    assert pairwise["H3"].verdict == EXPECTED[g.name]["H3_pairwise"] == "proved"
    assert pairwise["H3"].details["reading"] == "pairwise"
    assert pairwise["H2"].verdict == "refuted"
    assert pairwise["H4"].verdict == "proved"


@pytest.mark.parametrize("name", NAMES)
def test_every_witness_reverifies(name, bundled, bundled_results):
    g = bundled[name]
    for r in bundled_results[name]:
        if r.verdict == "refuted":
            verify_witness(g, r)
        else:
            assert r.witness is None


@pytest.mark.parametrize("name", NAMES)
def test_pointwise_results_stay_pointwise(name, bundled, bundled_results):
    g = bundled[name]
    for r in bundled_results[name]:
        if r.scope == "point":
            assert r.point in [dict(p) for p in g.points]
        else:
            assert r.point is None


def test_d_at_points_agrees_with_global_d(bundled, bundled_results):
    """D proved globally => D proved at every point; D refuted at a point => D refuted globally."""
    for name, results in bundled_results.items():
        glob = _find(results, "D", "global").verdict
        for r in results:
            if r.criterion == "D" and r.scope == "point":
                if glob == "proved":
                    assert r.verdict == "proved", name
                if r.verdict == "refuted":
                    assert glob == "refuted", name


def test_spec_methods(bundled_results):
    """The tiers the spec names for particular rows (docs/mathematics.md 2.1-2.2, 3.3)."""
    by = {name: {(r.criterion, r.scope): r for r in results} for name, results in bundled_results.items()}
    assert by["p16-algebraic-zero-constant"][("H2", "global")].method == "minimal-polynomial"
    assert by["p18-heaviside-inactive-piece"][("H2", "global")].method == "piece-selection"
    assert by["p21-switching-supports-region"][("D", "global")].method == "z3-nlsat"
    assert by["p20-switching-supports-box"][("D", "global")].method == "z3-nlsat"
    assert by["p22-hidden-trig-zero"][("H2", "global")].method == "exp-normal-form"
    p17 = by["p17-undecidable-zero-constant"][("D", "global")]
    assert p17.witness["values"] == ["1", "1"]  # the exact witness on s1 = 0
    assert p17.to_json()["witness"]["point"]["s1"] == "0"

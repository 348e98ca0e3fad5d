"""The transcendental bundled cases of global Type S (x03-x05): Theorem 4's verdicts, and rho at
s* against the closed form of docs/mathematics.md 5.7 computed here from the supports and
proportionality classes (an independent count, not the engine)."""

from __future__ import annotations

from itertools import combinations, product

import pytest
import sympy as sp

from theory.criteria.context import CheckContext
from theory.criteria.sparsity_gap import check_sparsity_gap_at
from theory.readings import Readings
from theory.theorems.statements import theorem_report
from tests.witness_check import verify_witness


def _closed_form(J: list[list[sp.Expr]]) -> tuple[int, int]:
    """rho+ and rho- of two 1-D factors from the supports and the overlap's ratio classes."""
    a = [t for t, row in enumerate(J) if row[0] != 0]
    b = [t for t, row in enumerate(J) if row[1] != 0]
    overlap = [t for t in a if t in b]
    ratios = sorted({sp.nsimplify(J[t][1] / J[t][0]) for t in overlap}, key=str)
    sizes = sorted((sum(1 for t in overlap if sp.simplify(J[t][1] / J[t][0] - r) == 0) for r in ratios), reverse=True) + [0, 0]
    n1, n2, o = len(a), len(b), len(overlap)
    return n1 + n2, (n1 + n2 - o - sizes[0]) + min(n1, n2, n1 + n2 - o - sizes[1])


@pytest.mark.parametrize("name", ["x03", "x04"])
def test_theorem_4_is_established(bundled, name):
    g = next(v for k, v in bundled.items() if k.startswith(name))
    report = theorem_report(g, 4)
    assert report.conclusion == "established", report.reason
    s_global = next(r for r in report.results["S"] if r.scope == "global")
    assert s_global.method == "disjoint-and-full-rank"


def test_x04_rho_at_s_star(bundled):
    """The engine's rho against a brute force over bases of {-1, 0, 1}-vectors (which contain
    every circuit direction of this Jacobian)."""
    g = bundled["x04-transcendental-2d-factor"]
    r = check_sparsity_gap_at(CheckContext(g), g.points[0])
    assert r.verdict == "proved" and (r.details["rho_plus"], r.details["rho_minus"]) == (6, 8)
    J = sp.Matrix([[sp.diff(out, s).xreplace(g.points[0]) for s in g.latents] for out in g.outputs])
    vectors = [sp.Matrix(v) for v in product((-1, 0, 1), repeat=3) if any(v)]
    weight = {tuple(v): sum(1 for x in J * v if x != 0) for v in vectors}
    blocks = [{0, 1}, {2}]

    def aligned(v):
        return any(all(v[i] == 0 for i in range(3) if i not in b) for b in blocks)

    best = {True: None, False: None}
    for basis in combinations(vectors, 3):
        if sp.Matrix.hstack(*basis).det() == 0:
            continue
        key = all(aligned(v) for v in basis)
        w = sum(weight[tuple(v)] for v in basis)
        best[key] = w if best[key] is None else min(best[key], w)
    assert (best[True], best[False]) == (6, 8)


def test_x05_ties_everywhere(bundled):
    g = bundled["x05-transcendental-tie"]
    J = [[sp.diff(out, s).xreplace(g.points[0]) for s in g.latents] for out in g.outputs]
    assert _closed_form(J) == (4, 4)  # a tie at s*, and the supports and classes never change
    ctx = CheckContext(g)
    at = check_sparsity_gap_at(ctx, g.points[0])
    assert (at.details["rho_plus"], at.details["rho_minus"]) == (4, 4) and at.verdict == "refuted"
    report = theorem_report(g, 4)
    s_global = next(r for r in report.results["S"] if r.scope == "global")
    assert s_global.verdict == "refuted"
    verify_witness(g, s_global)
    loose = theorem_report(g, 4, Readings(s="non-strict"))
    assert next(r for r in loose.results["S"] if r.scope == "global").verdict == "proved"


def test_the_closed_form_s_verdict_has_a_summary(bundled):
    """The two-factor closed form's one-line summary (used by the tables and `mechind report`;
    it raised KeyError on x03 when the details had no rho*); rho* = min(rho+, rho-), since every
    basis is aligned or misaligned."""
    from mechind.render import witness_summary

    g = bundled["x03-transcendental-sprites"]
    ctx = CheckContext(g, seed=0)
    result = check_sparsity_gap_at(ctx, dict(g.points[0]))
    d = result.details
    assert d["rho_star"] == min(d["rho_plus"], d["rho_minus"])
    text = witness_summary(result)
    assert text.startswith(f"rho+ = {d['rho_plus']}") and f"rho* = {d['rho_star']}" in text

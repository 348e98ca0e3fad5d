"""The hierarchy of criteria as a self-check (docs/mathematics.md section 10).

The proved implications are checked against the computed verdicts: an implication whose
premise is ``proved`` and whose conclusion is ``refuted`` is a **violation** (a bug in
the checker, never a finding about g); a premise ``proved`` with an undecided conclusion
is ``unconfirmed``.  The failing converses are collected with the cases that show them.

Examples
--------
>>> import cases
>>> report = run_hierarchy([cases.find_case("p05"), cases.find_case("p13")])
>>> report.violations
[]
>>> sorted({c.converse for c in report.converses})[:2]
['D does not imply irreducible:D', 'H2 does not imply D']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from theory.budget import run_one_killable
from theory.checker import check
from theory.criteria.context import CheckContext
from theory.model.generator import Generator
from theory.linalg.rational import rank
from theory.result import CheckResult, point_json, point_text

__all__ = ["HIERARCHY_CRITERIA", "Finding", "Converse", "HierarchyReport", "hierarchy_of", "run_hierarchy"]

#: The criteria the self-check runs (M also in the sparsest aligned basis).
HIERARCHY_CRITERIA = ("D", "M", "S", "H2", "H3", "H4", "irreducible:D", "irreducible:S", "graph")


@dataclass
class Finding:
    """One implication on one case (and point): confirmed, violated, unconfirmed."""

    implication: str
    case: str
    point: dict | None
    status: str
    premise: str
    conclusion: str

    def to_json(self) -> dict[str, Any]:
        return {
            "implication": self.implication,
            "case": self.case,
            "point": point_json(self.point) if self.point else None,
            "status": self.status,
            "premise": self.premise,
            "conclusion": self.conclusion,
        }


@dataclass
class Converse:
    """A failing converse shown by a case (at a point, or globally)."""

    converse: str
    case: str
    point: dict | None

    def to_json(self) -> dict[str, Any]:
        return {"converse": self.converse, "case": self.case, "point": point_json(self.point) if self.point else None}


@dataclass
class HierarchyReport:
    findings: list[Finding] = field(default_factory=list)
    converses: list[Converse] = field(default_factory=list)
    matrix: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "violated"]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for f in self.findings:
            out.setdefault(f.implication, {"confirmed": 0, "violated": 0, "unconfirmed": 0})[f.status] += 1
        return out

    def merge(self, other: HierarchyReport) -> None:
        """Append what ``other`` found (cases checked apart, e.g. in worker processes); merged
        in case order, the report is the one a single pass over the cases builds."""
        self.findings.extend(other.findings)
        self.converses.extend(other.converses)
        self.matrix.update(other.matrix)

    def to_json(self) -> dict[str, Any]:
        return {
            "implications": self.counts(),
            "violations": [f.to_json() for f in self.violations],
            "unconfirmed": [f.to_json() for f in self.findings if f.status == "unconfirmed"],
            "converses": [c.to_json() for c in self.converses],
            "matrix": self.matrix,
        }


class _Index:
    def __init__(self, results: Sequence[CheckResult]):
        self.results = list(results)

    def get(self, criterion: str, point: dict | None = None) -> str | None:
        for r in self.results:
            if r.criterion == criterion and (r.scope == "global" if point is None else r.point == point):
                return r.verdict
        return None

    def points(self) -> list[dict]:
        out: list[dict] = []
        for r in self.results:
            if r.point is not None and r.point not in out:
                out.append(r.point)
        return out


def _implies(report: HierarchyReport, name: str, case: str, point: dict | None, premise: str, p_verdict: str | None, conclusion: str, c_verdict: str | None) -> None:
    if p_verdict != "proved" or c_verdict is None:
        return
    status = "confirmed" if c_verdict == "proved" else "violated" if c_verdict == "refuted" else "unconfirmed"
    report.findings.append(Finding(name, case, point, status, f"{premise}: {p_verdict}", f"{conclusion}: {c_verdict}"))


def _converse(report: HierarchyReport, text: str, case: str, point: dict | None, holds: str | None, fails: str | None) -> None:
    if holds == "proved" and fails == "refuted":
        report.converses.append(Converse(text, case, point))


def hierarchy_of(report: HierarchyReport, g: Generator, results: Sequence[CheckResult], m_star: Sequence[CheckResult], ctx: CheckContext) -> None:
    """Add the implications and converses of one generator's results to ``report``."""
    ix, mx = _Index(results), _Index(m_star)
    name = g.name
    report.matrix[name] = {f"{r.criterion}@{'global' if r.scope == 'global' else point_text(r.point)}": r.verdict for r in results}
    # global chain: D => H2 => H3 => H4 (docs/mathematics.md 6.6), and D at points versus D globally
    _implies(report, "D => H2 (on S)", name, None, "D", ix.get("D"), "H2", ix.get("H2"))
    _implies(report, "H2 => H3", name, None, "H2", ix.get("H2"), "H3", ix.get("H3"))
    _implies(report, "H3 => H4", name, None, "H3", ix.get("H3"), "H4", ix.get("H4"))
    for p in ix.points():
        _implies(report, "D on S => D at s", name, p, "D (global)", ix.get("D"), "D (point)", ix.get("D", p))
        J, _ = ctx.checked_rational_jacobian_at(p)
        full = J is not None and rank(J) == g.d
        d, m, s = ix.get("D", p), ix.get("M", p), ix.get("S", p)
        if full:
            _implies(report, "D => M (full column rank)", name, p, "D", d, "M", m)
            _implies(report, "D + full rank => S", name, p, "D", d, "S", s)
            irr = ix.get("irreducible:D", p)
            graph = ix.get("graph", p)
            if graph is not None and d is not None and irr is not None and "unknown" not in (graph, d, irr):
                both = "proved" if d == "proved" and irr == "proved" else "refuted"
                _implies(report, "graph <=> D + D-irreducible", name, p, "D + irreducible:D", both, "graph", graph)
                _implies(report, "graph <=> D + D-irreducible", name, p, "graph", graph, "D + irreducible:D", both)
            if g.m == g.d:
                _implies(report, "square J: S <=> D", name, p, "S", s, "D", d)
                _implies(report, "square J: S <=> D", name, p, "D", d, "S", s)
        _implies(report, "S => M in the sparsest aligned basis", name, p, "S", s, "M (B*)", mx.get("M", p))
        # failing converses at the point
        _converse(report, "M does not imply D", name, p, m, d)
        _converse(report, "M does not imply S", name, p, m, s)
        _converse(report, "S does not imply D", name, p, s, d)
        _converse(report, "S does not imply H2", name, p, s, ix.get("H2"))
        _converse(report, "H2 does not imply M", name, p, ix.get("H2"), m)
        _converse(report, "H2 does not imply S", name, p, ix.get("H2"), s)
        _converse(report, "D does not imply irreducible:D", name, p, d, ix.get("irreducible:D", p))
        _converse(report, "D-irreducible does not imply S-irreducible", name, p, ix.get("irreducible:D", p), ix.get("irreducible:S", p))
        _converse(report, "irreducible at a point does not imply irreducible on S", name, p, ix.get("irreducible:D", p), ix.get("irreducible:D"))
    _converse(report, "H2 does not imply D", name, None, ix.get("H2"), ix.get("D"))
    _converse(report, "H3 does not imply H2", name, None, ix.get("H3"), ix.get("H2"))
    _converse(report, "H4 does not imply H3", name, None, ix.get("H4"), ix.get("H3"))
    verdicts = [ix.get("S", p) for p in ix.points()]
    if "proved" in verdicts and "refuted" in verdicts:
        report.converses.append(Converse("S at one point does not imply S everywhere", name, None))


def check_case(
    report: HierarchyReport,
    g: Generator,
    criteria: Sequence[str] = HIERARCHY_CRITERIA,
    seed: int = 0,
    budget: float | None = 60.0,
    isolate: bool = False,
) -> tuple[list[CheckResult], CheckContext]:
    """Run ``criteria`` (and Type M in the sparsest aligned basis) on ``g``, add its
    implications and converses to ``report``, and return the results with their context."""
    ctx = CheckContext(g, seed=seed)
    results = check(g, criteria, seed=seed, budget=budget, context=ctx, isolate=isolate)
    m_star = check(g, ["M"], seed=seed, budget=budget, context=ctx.with_readings(ctx.readings.replace(m_basis="sparsest-aligned")), isolate=isolate)
    if not isolate:
        hierarchy_of(report, g, results, m_star, ctx)
        return results, ctx

    def findings() -> HierarchyReport:  # exact Jacobians at the points: as killable as the checks
        part = HierarchyReport()
        hierarchy_of(part, g, results, m_star, ctx)
        return part

    part = run_one_killable(findings, budget, lambda why, elapsed: None)
    if part is None:
        report.matrix[g.name] = {"implications": "not evaluated: the exact Jacobians at the points ran past the budget or killed their worker"}
    else:
        report.merge(part)
    return results, ctx


def run_hierarchy(
    generators: Sequence[Generator],
    seed: int = 0,
    budget: float | None = 60.0,
    on_case: Callable[[Generator, list[CheckResult]], None] | None = None,
    isolate: bool = False,
) -> HierarchyReport:
    """Run :data:`HIERARCHY_CRITERIA` on every generator and check the implications."""
    report = HierarchyReport()
    for g in generators:
        results, _ = check_case(report, g, seed=seed, budget=budget, isolate=isolate)
        if on_case is not None:
            on_case(g, results)
    return report

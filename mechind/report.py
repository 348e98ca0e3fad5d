"""``mechind report``: every criterion, the hierarchy and the theorems on the bundled cases,
as one Markdown document with PNG figures (matplotlib Agg).

The document has, per case, the verdict table with certificates and witnesses, the
Jacobian support heatmap at the case's points, the G_D graphs and the rho figure; then the
hierarchy matrix (cases x criteria), the implications self-check with the failing
converses, and each theorem's status on each case.

Examples
--------
>>> import tempfile, pathlib, cases
>>> with tempfile.TemporaryDirectory() as tmp:
...     out = pathlib.Path(tmp)
...     md = build_report([cases.find_case("p13")], out)
...     md.name, (out / "figures").is_dir()
('report.md', True)
"""

from __future__ import annotations

import time

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from theory.budget import run_one_killable
from theory.criteria.context import CheckContext
from theory.registry import KNOWN_CRITERIA
from theory.errors import InputError
from theory.model.generator import Generator
from theory.theorems.hierarchy import HierarchyReport, check_case
from theory.result import CheckResult, point_text
from theory.theorems.statements import THEOREMS, TheoremReport, theorem_report

from . import __version__
from .executor import map_cases, resolve_jobs
from .figures import gd_figure, rho_figure, support_figure
from .render import witness_summary

__all__ = ["build_report", "MATRIX_CRITERIA"]

#: Columns of the hierarchy matrix (global verdicts, or the first point's).
MATRIX_CRITERIA = ("D", "M", "S", "H2", "H3", "irreducible:D", "irreducible:S", "irreducible:M", "irreducible:H2", "graph", "spanning", "sep2")
_SYMBOL = {"proved": "✓", "refuted": "✗", "unknown": "?", "holds-probabilistically": "≈"}


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)


def _verdict_table(results: Sequence[CheckResult]) -> list[str]:
    lines = ["| criterion | scope | point | verdict | method | witness / certificate |", "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r.criterion} | {r.scope} | {point_text(r.point)} | **{r.verdict}** | {r.method} | {_md_escape(witness_summary(r))} |"
        )
    return lines


def _matrix_cell(results: Sequence[CheckResult], criterion: str) -> str:
    glob = [r for r in results if r.criterion == criterion and r.scope == "global"]
    pts = [r for r in results if r.criterion == criterion and r.scope == "point"]
    if glob:
        return _SYMBOL.get(glob[0].verdict, "?")
    if pts:
        return _SYMBOL.get(pts[0].verdict, "?") + "ₛ"
    return ""


def _figures(g: Generator, results: Sequence[CheckResult], figdir: Path, ctx: CheckContext) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    slug = _slug(g.name)
    pts = list(dict.fromkeys(tuple(r.point.items()) for r in results if r.point is not None))
    points = [dict(p) for p in pts] or list(g.points)
    out.append(("Jacobian support (blue nonzero, grey zero, yellow undecided; bold lines separate factors)", support_figure(g, points, figdir / f"{slug}-support.png", context=ctx)))
    try:
        out.append(("G_D of the coordinate basis and of the sparsest aligned basis", gd_figure(g, points[0], figdir / f"{slug}-gd.png", context=ctx)))
    except InputError:
        pass
    rows = []
    for r in results:
        if r.criterion == "S" and r.details.get("rho_plus") is not None:
            rows.append((point_text(r.point), r.details["rho_plus"], r.details.get("rho_minus"), r.details.get("rho_star")))
    if rows:
        out.append(("rho+ (aligned), rho- (misaligned), rho* (any basis) per point", rho_figure(g.name, rows, figdir / f"{slug}-rho.png")))
    return out


def theorem_outcome(rep: TheoremReport) -> str:
    """``established``, ``refuted`` (some hypothesis on g and S refuted) or ``undecided``."""
    if rep.conclusion == "established":
        return "established"
    return "refuted" if any(r.endswith("refuted") for r in rep.reasons) else "undecided"


@dataclass(frozen=True)
class _ReportBatch:
    """What every case of one report shares (each worker of ``jobs`` gets it once)."""

    generators: Sequence[Generator]
    figdir: Path
    seed: int
    budget: float | None


@dataclass(frozen=True)
class _CaseReport:
    """One case's part of the report: what the document needs, and nothing that must stay
    in the process that computed it (it travels back from a worker)."""

    results: list[CheckResult]
    hierarchy: HierarchyReport
    theorems: dict[int, tuple[str, str]]  # theorem -> (outcome, reason or "established")
    section: str


def _report_case(b: _ReportBatch, index: int) -> _CaseReport:
    """Check case ``index`` of the batch, write its figures, and return its part (top-level:
    the workers of ``jobs`` run it)."""
    g = b.generators[index]
    part = HierarchyReport()
    results, ctx = check_case(part, g, KNOWN_CRITERIA + ("H4",), seed=b.seed, budget=b.budget, isolate=True)
    theorems = {}
    for n in THEOREMS:
        rep = theorem_report(g, n, seed=b.seed, budget=b.budget, context=ctx, known=results, isolate=True)
        theorems[n] = (theorem_outcome(rep), "**established**" if rep.conclusion == "established" else _md_escape(rep.reason.replace("hypothesis ", "")))
    lines = [f"### {g.name}", ""]
    if g.description:
        lines += [g.description.strip().splitlines()[0], ""]
    factors = "; ".join(f"{name} = {{{', '.join(str(g.latents[a]) for a in blk)}}}" for name, blk in zip(g.factor_names, g.blocks))
    lines += [f"m = {g.m} outputs, d = {g.d} latents, factors {factors}, domain `{g.domain!r}`", ""]
    lines += _verdict_table(results) + [""]
    # the figures evaluate exact Jacobians at the points: as killable as the checks
    figures = run_one_killable(lambda: _figures(g, results, b.figdir, ctx), b.budget, lambda why, elapsed: why)
    if isinstance(figures, str):
        lines += [f"*Figures not drawn: the exact Jacobians at the points stopped ({figures}).*", ""]
        figures = []
    for caption, path in figures:
        lines += [f"![{caption}](figures/{path.name})", "", f"*{caption}*", ""]
    return _CaseReport(results, part, theorems, "\n".join(lines))


def build_report(
    generators: Sequence[Generator],
    out_dir: str | Path,
    seed: int = 0,
    budget: float | None = 60.0,
    on_case: Callable[[Generator], None] | None = None,
    jobs: int = 1,
) -> Path:
    """Check everything on ``generators`` and write ``out_dir/report.md`` with its figures.

    ``jobs`` cases are checked at once, each in a worker process (``0``: one per CPU); the
    document is the same for every value (but for the time it took)."""
    out = Path(out_dir)
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    batch = _ReportBatch(generators, figdir, seed, budget)
    on_done = None if on_case is None else (lambda i, part: on_case(generators[i]))
    parts = list(map_cases(_report_case, range(len(generators)), resolve_jobs(jobs, len(generators)), on_done, shared=batch))
    hierarchy = HierarchyReport()
    for part in parts:
        hierarchy.merge(part.hierarchy)
    all_results = {g.name: part.results for g, part in zip(generators, parts)}
    theorems = {g.name: part.theorems for g, part in zip(generators, parts)}
    sections = [part.section for part in parts]
    doc = [
        "# mechind report",
        "",
        f"mechind {__version__}, seed {seed}, budget {budget} s per check, {len(generators)} cases, "
        f"built in {time.perf_counter() - started:.1f} s. Verdicts: ✓ proved, ✗ refuted, ? unknown; "
        "ₛ marks a pointwise verdict (at the case's first point). Readings: the defaults of docs/mathematics.md section 0.3.",
        "",
        "## Hierarchy matrix",
        "",
        "| case | " + " | ".join(MATRIX_CRITERIA) + " |",
        "|---|" + "---|" * len(MATRIX_CRITERIA),
    ]
    for name, results in all_results.items():
        doc.append(f"| [{name}](#{_slug(name).lower()}) | " + " | ".join(_matrix_cell(results, c) for c in MATRIX_CRITERIA) + " |")
    doc += ["", "## Implications (docs/mathematics.md section 10), checked on the verdicts above", "", "| implication | confirmed | unconfirmed | violated |", "|---|---|---|---|"]
    for name, c in hierarchy.counts().items():
        doc.append(f"| {name} | {c['confirmed']} | {c['unconfirmed']} | {c['violated']} |")
    if hierarchy.violations:
        doc += ["", "**Violations (bugs in the checker):**", ""] + [f"- {f.implication} on {f.case}: {f.premise} but {f.conclusion}" for f in hierarchy.violations]
    converses = defaultdict(set)
    for c in hierarchy.converses:
        converses[c.converse].add(c.case)
    doc += ["", "### Failing converses", "", "| does not hold | shown by |", "|---|---|"]
    doc += [f"| {k} | {', '.join(sorted(v))} |" for k, v in sorted(converses.items())]
    doc += ["", "## Theorems", "", "established = every hypothesis on g and S proved with the scope it needs; otherwise the first missing hypothesis.", ""]
    doc += ["| case | " + " | ".join(f"Theorem {n}" for n in THEOREMS) + " |", "|---|" + "---|" * len(THEOREMS)]
    for name, reps in theorems.items():
        doc.append(f"| {name} | " + " | ".join(reps[n][1] for n in THEOREMS) + " |")
    doc += ["", "| theorem | established | a hypothesis refuted | undecided |", "|---|---|---|---|"]
    for n in THEOREMS:
        counts = {"established": 0, "refuted": 0, "undecided": 0}
        for reps in theorems.values():
            counts[reps[n][0]] += 1
        doc.append(f"| {n} | {counts['established']} | {counts['refuted']} | {counts['undecided']} |")
    doc += ["", "## Cases", ""] + sections
    path = out / "report.md"
    path.write_text("\n".join(doc) + "\n")
    return path

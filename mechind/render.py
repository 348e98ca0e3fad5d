"""Turning check results into the JSON document and rich tables (no I/O here).

Examples
--------
>>> from theory.result import CheckResult
>>> witness_summary(CheckResult("H2", "proved", "global", "structural"))
''
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from theory.model.generator import Generator
from theory.result import CheckResult

from . import __version__

__all__ = ["case_document", "document", "case_table", "witness_summary", "VERDICT_STYLE"]

VERDICT_STYLE = {
    "proved": "bold green",
    "refuted": "bold red",
    "unknown": "yellow",
    "holds-numerically": "green",
    "fails-numerically": "red",
}


def case_document(generator: Generator, results: list[CheckResult]) -> dict[str, Any]:
    """One entry of ``cases`` in the JSON document (docs/user-guide.md section 4)."""
    out = generator.to_json()
    ordered = {"case": out["case"], "source": getattr(generator, "source", None)}
    ordered.update({k: v for k, v in out.items() if k != "case"})
    if generator.notes:
        ordered["notes"] = list(generator.notes)
    ordered["checks"] = [r.to_json() for r in results]
    return ordered


def document(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole ``--json`` document."""
    return {"mechind": __version__, "cases": cases}


def _point_text(point: dict[str, str] | None) -> str:
    if not point:
        return ""
    return "(" + ", ".join(point.values()) + ")"


def witness_summary(result: CheckResult) -> str:
    """A one-line human summary of the witness (refuted) or of what stayed undecided."""
    w = result.witness
    if result.criterion == "S" and "rho_plus" in result.details:
        return _sparsity_summary(result)
    if result.criterion.startswith("irreducible:") and w:
        return _split_summary(w)
    if result.criterion == "graph" and "c_matroid" in result.details:
        d = result.details
        text = f"c(M(J)) = {d['c_matroid']}, coordinate basis {d['c_coordinates']}, sparsest aligned {d['c_sparsest_aligned']} components"
        return text + (f"; finest decomposition per factor: {w['factor_of_each_part']}" if w else "")
    if w:
        at = " at " + _point_text(w.get("point"))
        if result.criterion == "D":
            a, b = w["latents"]
            va, vb = w["values"]
            return f"output {w['output']}: d/d{a} = {va}, d/d{b} = {vb}{at}"
        if result.criterion == "M":
            a, b = w["latents"]
            sa, sb = w["supports"][a], w["supports"][b]
            return f"supp d/d{a} {set(sa) or '{}'} inside supp d/d{b} {set(sb) or '{}'}{at}"
        if result.criterion.startswith("H"):
            index = "".join(f"d{name}" for name in w["multi_index"])
            return f"{index} g{w['output']} = {w['value']}{at}"
        return str(w)
    d = result.details
    if result.verdict == "unknown":
        for key in ("undecided", "undecided_pairs", "undecided_outputs", "z3_undecided"):
            if key in d:
                items = [_undecided_item(item) for item in d[key]]
                more = f" (+{len(items) - 3} more)" if len(items) > 3 else ""
                return "undecided: " + "; ".join(items[:3]) + more
        for key in ("note", "reason"):
            if key in d:
                return str(d[key])
    return ""


def _vectors_text(vectors: list[list[str]]) -> str:
    return ", ".join("(" + ", ".join(v) + ")" for v in vectors)


def _sparsity_summary(result: CheckResult) -> str:
    d = result.details
    if d.get("bounds"):
        text = f"bounds: rho+ in {d['bounds'].get('rho_plus')}, rho- in {d['bounds'].get('rho_minus')}"
    elif d.get("rho_minus") is None:
        text = f"rho+ = {d['rho_plus']}; one factor, no misaligned basis"
    else:
        relation = "<" if d["rho_plus"] < d["rho_minus"] else ("=" if d["rho_plus"] == d["rho_minus"] else ">")
        text = f"rho+ = {d['rho_plus']} {relation} rho- = {d['rho_minus']} (rho* = {d['rho_star']})"
    if d.get("non_integrable"):
        text += f"; coordinate l0 = {d['coordinate_l0']} != rho+"
    if result.witness:
        text += f"; misaligned basis {_vectors_text(result.witness['basis'])} of weight {result.witness['weight']}"
    return text


def _split_summary(w: dict[str, Any]) -> str:
    at = " at " + _point_text(w.get("point"))
    if "degenerate" in w:
        return f"factor {w['factor']} is rank-deficient{at}"
    if "subspaces" in w:
        parts = " + ".join("span " + _vectors_text(T) for T in w["subspaces"])
        return f"factor {w['factor']} splits as {parts} (matroid components {w['components']}){at}"
    parts = " + ".join("span " + _vectors_text(T) for T in w["split"])
    extra = f", refined rho = {tuple(w['refined_rho'])}" if "refined_rho" in w else ""
    return f"factor {w['factor']} splits as {parts}{extra}{at}"


def _undecided_item(item: Any) -> str:
    """One undecided item of any criterion, in words."""
    if isinstance(item, dict):
        where = f"output {item['output']}" if "output" in item else ""
        if "multi_index" in item:
            return f"{where} {''.join('d' + n for n in item['multi_index'])}".strip()
        if "blocks" in item:
            return f"{where} blocks {'/'.join(item['blocks'])}".strip()
        return ", ".join(f"{k}={v}" for k, v in item.items())
    if isinstance(item, (list, tuple)):
        return " vs ".join(map(str, item))
    return f"output {item}"


def case_table(generator: Generator, results: list[CheckResult]) -> Table:
    """A rich table of one case's results."""
    title = f"{generator.name}  (m={generator.m}, d={generator.d}, factors: " + "; ".join(
        f"{k}={{{', '.join(map(str, v))}}}" for k, v in generator.factors.items()
    ) + ")"
    table = Table(title=title, title_justify="left", expand=False)
    for column in ("criterion", "scope", "point", "verdict", "method", "witness / notes", "s"):
        table.add_column(column, overflow="fold")
    for r in results:
        point = _point_text(r.to_json().get("point"))
        table.add_row(
            r.criterion,
            r.scope,
            point,
            Text(r.verdict, style=VERDICT_STYLE.get(r.verdict, "")),
            r.method,
            witness_summary(r),
            f"{r.seconds:.2f}",
        )
    return table

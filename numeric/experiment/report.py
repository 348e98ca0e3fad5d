"""The sweep's outputs for people: a summary per grid point, a figure and a Markdown table.

* :func:`summarize`: per (K, lambda, overlap) the number of seeds, median / mean / std / min /
  max of SIS, the median MIS (:mod:`numeric.experiment.mechanistic_score`; absent from results
  of older sweeps) and, given the slot size, its chance-corrected value MIS_c (an increasing
  affine map of MIS, so the median converts exactly), median reconstruction error and C_comp on
  held-out data, and the exact Type D (and S) verdicts of the ground truths;
* :func:`plot_sis`: SIS against overlap, one line per K and lambda, the mean over seeds with
  one-standard-deviation error bars and every seed as a dot (matplotlib, Agg);
* :func:`markdown_report`: the table plus the issue's two acceptance checks (median SIS at
  overlap 0, lambda = 1, K = 2 against 0.8, and SIS at the largest overlap below overlap 0 for
  every K at lambda = 1), stated as measured.

Examples
--------
>>> rows = [{"K": 2, "lam": 1.0, "overlap": o, "seed": s, "sis": 1 - o + 0.01 * s, "eval_recon": 0.0,
...          "eval_ccomp": 0.0, "exact_D_global": "proved" if o == 0 else "refuted", "exact_S_points": "n/a"}
...         for o in (0.0, 0.5) for s in range(3)]
>>> [(r["overlap"], round(r["sis_median"], 2)) for r in summarize(rows)]
[(0.0, 1.01), (0.5, 0.51)]
"""

from __future__ import annotations

import math
import os
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .mechanistic_score import chance_mis, corrected_mis

__all__ = ["summarize", "plot_sis", "plot_sis_vs_contrast", "markdown_report", "acceptance", "write_report", "IDENTIFIED"]


def summarize(rows: Sequence[dict[str, Any]], slot_dim: int | None = None) -> list[dict[str, Any]]:
    """One summary per (K, lambda, overlap), sorted by K, lambda, overlap.

    Parameters
    ----------
    rows
        Result rows (``read_rows`` of ``results.csv`` or :func:`run_sweep`'s return value).
    slot_dim
        Latents per slot (true and inferred), for ``misc_median``; ``None`` leaves it out.

    Returns
    -------
    list of dict
        Keys ``K, lam, overlap, n, diverged`` (runs whose SIS is nan: non-finite codes; the SIS
        statistics are over the others), ``sis_median, sis_mean, sis_std, sis_min, sis_max, sis_values,
        mis_median`` (``None`` when no row has an ``mis``), ``misc_median`` (MIS_c of
        ``mis_median``: ``(m - m0) / (1 - m0)`` with ``m0 = chance_mis(K, slot_dim).mean``;
        ``None`` without ``slot_dim`` or MIS), ``latents`` (the latent
        distributions of the rows; rows without the column count as ``independent``),
        ``recon_median, ccomp_median, nccomp_median, exact_D, exact_S``, and for runs with
        restarts ``restarts`` (most per run), ``sis_first_median`` (restart 0 of every run: the
        one-initialisation protocol) and ``inits_identified`` (``(count, total)`` of restarts
        with SIS >= :data:`IDENTIFIED`).
    """
    groups: dict[tuple[int, float, float], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((int(row["K"]), float(row["lam"]), float(row["overlap"])), []).append(row)
    out = []
    for (K, lam, overlap), members in sorted(groups.items()):
        every = [float(r["sis"]) for r in sorted(members, key=lambda r: int(r["seed"]))]
        sis = [v for v in every if math.isfinite(v)] or [math.nan]  # a diverged run (nan) is counted apart
        out.append(
            {
                "K": K,
                "lam": lam,
                "overlap": overlap,
                "n": len(every),
                "diverged": sum(1 for v in every if not math.isfinite(v)),
                "sis_median": statistics.median(sis),
                "sis_mean": statistics.fmean(sis),
                "sis_std": statistics.stdev(sis) if len(sis) > 1 else 0.0,
                "sis_min": min(sis),
                "sis_max": max(sis),
                "sis_values": every,
                "mis_median": _median_of(members, "mis"),
                "misc_median": _corrected_median(members, K, slot_dim),
                "latents": _tally(str(r.get("latents") or "independent") for r in members),
                "recon_median": statistics.median(float(r["eval_recon"]) for r in members),
                "ccomp_median": statistics.median(float(r["eval_ccomp"]) for r in members),
                "nccomp_median": _median_of(members, "eval_nccomp"),
                **_restart_summary(members),
                "exact_D": _tally(str(r.get("exact_D_global", "")) for r in members),
                "exact_S": _tally(str(r.get("exact_S_points", "")) for r in members),
            }
        )
    return out


#: SIS from which a model counts as having identified the slots in the restart tallies.
IDENTIFIED = 0.8


def _median_of(rows: Sequence[dict[str, Any]], key: str) -> float | None:
    values = [float(r[key]) for r in rows if r.get(key) not in (None, "")]
    return statistics.median(values) if values else None


def _corrected_median(rows: Sequence[dict[str, Any]], K: int, slot_dim: int | None) -> float | None:
    """MIS_c of the median MIS: exact, since MIS_c is an increasing affine map of MIS at fixed slot sizes."""
    median = _median_of(rows, "mis")
    if median is None or slot_dim is None:
        return None
    return corrected_mis(median, chance_mis(K, int(slot_dim)))


def _floats(text: Any) -> list[float]:
    return [float(v) for v in str(text).split(";") if v.strip()] if text not in (None, "") else []


def _restart_summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    restarts = max((int(r.get("restarts") or 1) for r in rows), default=1)
    if restarts <= 1:
        return {"restarts": 1}
    every = [v for r in rows for v in _floats(r.get("sis_restarts"))]
    return {
        "restarts": restarts,
        "select": str(rows[0].get("select") or ""),
        "sis_first_median": _median_of(rows, "sis_first"),
        "inits_identified": (sum(v >= IDENTIFIED for v in every), len(every)),
    }


def _tally(values: Any) -> str:
    counts = Counter(v for v in values if v)
    if not counts:
        return ""
    return ", ".join(f"{v} ({n}/{sum(counts.values())})" if len(counts) > 1 else v for v, n in sorted(counts.items()))


def plot_sis(summary: Sequence[dict[str, Any]], path: str | Path | None = None, title: str = "") -> Any:
    """SIS against overlap, one line per (K, lambda): mean over seeds, 1-std error bars, seeds as dots.

    Parameters
    ----------
    summary
        Output of :func:`summarize`.
    path
        Where to save the PNG (``None``: do not save).
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> s = [{"K": 2, "lam": 1.0, "overlap": o, "sis_mean": 0.5, "sis_std": 0.1, "sis_values": [0.4, 0.6]} for o in (0.0, 0.5)]
    >>> len(plot_sis(s).axes)
    1
    """
    from matplotlib.figure import Figure  # deferred: matplotlib is heavy; no pyplot, so no GUI backend and nothing global is touched

    fig = Figure(figsize=(6.4, 4.2), dpi=120)
    ax = fig.add_subplot()
    lines: dict[tuple[int, float], list[dict[str, Any]]] = {}
    for s in summary:
        lines.setdefault((s["K"], s["lam"]), []).append(s)
    markers = "osD^v<>"
    for i, ((K, lam), pts) in enumerate(sorted(lines.items())):
        pts = sorted(pts, key=lambda s: s["overlap"])
        xs = [p["overlap"] for p in pts]
        shown = ax.errorbar(
            xs,
            [p["sis_mean"] for p in pts],
            yerr=[p["sis_std"] for p in pts],
            marker=markers[i % len(markers)],
            capsize=3,
            linestyle="-" if lam == max(k[1] for k in lines) else "--",
            label=f"K={K}, $\\lambda$={lam:g}",
        )
        color = shown[0].get_color()
        for p in pts:
            ax.scatter([p["overlap"]] * len(p["sis_values"]), p["sis_values"], s=8, color=color, alpha=0.35, linewidths=0)
    ax.set_xlabel("overlap (fraction of each slot's outputs that is shared)")
    ax.set_ylabel("SIS")
    ax.set_ylim(min(-0.05, ax.get_ylim()[0]), 1.05)
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    caption = "mean $\\pm$ 1 sd over seeds; dots: single seeds"
    ax.set_title(f"{title}\n({caption})" if title else f"slot identifiability vs overlap ({caption})", fontsize=9)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig


def plot_sis_vs_contrast(rows: Sequence[dict[str, Any]], path: str | Path | None = None, title: str = "") -> Any:
    """SIS against the scale-free contrast C_comp / ||J||_F^2 of every trained model (every restart).

    One dot per trained model: x is its decoder's scale-free contrast on training codes (what
    ``select = "normalized-contrast"`` minimises over restarts), y its SIS; colour by overlap,
    marker by K; the reported (selected) model of each run is ringed.  The picture shows whether
    the unsupervised score orders the models the way the ground truth does.

    Returns
    -------
    matplotlib.figure.Figure or None
        ``None`` when the rows carry no per-restart contrasts (results of an older sweep).

    Examples
    --------
    >>> rows = [{"K": 2, "overlap": 0.0, "sis_restarts": "0.9;0.3", "nccomp_restarts": "0.08;0.3", "selected_restart": 0}]
    >>> len(plot_sis_vs_contrast(rows).axes)
    1
    """
    from matplotlib.figure import Figure  # deferred: matplotlib is heavy, needed only to plot

    points = []
    for row in rows:
        sis, ncc = _floats(row.get("sis_restarts")), _floats(row.get("nccomp_restarts"))
        if not sis or len(sis) != len(ncc):
            continue
        chosen = int(row.get("selected_restart") or 0)
        points += [(int(row["K"]), float(row["overlap"]), c, v, i == chosen) for i, (c, v) in enumerate(zip(ncc, sis))]
    if not points:
        return None
    fig = Figure(figsize=(6.4, 4.2), dpi=120)
    ax = fig.add_subplot()
    overlaps = sorted({p[1] for p in points})
    colors = {o: f"C{i}" for i, o in enumerate(overlaps)}
    markers = {K: m for K, m in zip(sorted({p[0] for p in points}), "os^Dv")}
    for K in markers:
        for o in overlaps:
            sel = [p for p in points if p[0] == K and p[1] == o]
            if not sel:
                continue
            ax.scatter([p[2] for p in sel], [p[3] for p in sel], s=14, marker=markers[K], color=colors[o], alpha=0.6, linewidths=0, label=f"K={K}, overlap {o:g}")
            chosen = [p for p in sel if p[4]]
            ax.scatter([p[2] for p in chosen], [p[3] for p in chosen], s=46, marker=markers[K], facecolors="none", edgecolors=colors[o], linewidths=0.9)
    ax.set_xlabel(r"scale-free contrast $C_{comp}/\|J\|_F^2$ of the trained decoder (training codes)")
    ax.set_ylabel("SIS")
    ax.axhline(IDENTIFIED, color="0.6", linewidth=0.8, linestyle=":")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    caption = "every trained model; ringed: the one each run reports"
    ax.set_title(f"{title}\n({caption})" if title else caption, fontsize=9)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig


def acceptance(summary: Sequence[dict[str, Any]], lam: float = 1.0) -> dict[str, Any]:
    """The issue's acceptance checks, as measured (never adjusted).

    Returns
    -------
    dict
        ``median_sis_K2_overlap0`` (``None`` when the grid lacks that point), ``target`` (0.8),
        ``per_K``: ``{K: (median SIS at overlap 0, median SIS at the largest overlap)}``,
        ``decreases``: whether the latter is below the former for every K.

    Examples
    --------
    >>> s = [{"K": 2, "lam": 1.0, "overlap": 0.0, "sis_median": 0.9}, {"K": 2, "lam": 1.0, "overlap": 0.75, "sis_median": 0.4}]
    >>> acceptance(s)["decreases"]
    True
    """
    at = {(s["K"], s["overlap"]): s["sis_median"] for s in summary if s["lam"] == lam}
    first = {(s["K"], s["overlap"]): s.get("sis_first_median") for s in summary if s["lam"] == lam}
    ks = sorted({k for k, _ in at})
    top = max((o for _, o in at), default=0.0)
    per_k = {K: (at.get((K, 0.0)), at.get((K, top))) for K in ks}
    pairs = [v for v in per_k.values() if v[0] is not None and v[1] is not None]
    return {
        "lam": lam,
        "median_sis_K2_overlap0": at.get((2, 0.0)),
        "median_sis_first_K2_overlap0": first.get((2, 0.0)),
        "target": 0.8,
        "largest_overlap": top,
        "per_K": per_k,
        "decreases": bool(pairs) and top > 0 and all(b < a for a, b in pairs),
    }


#: Below this many training steps a sweep is a pipeline check: the experiment's targets (median SIS
#: >= 0.8 at overlap 0) are not judged on it.
SMOKE_STEPS = 1000


def markdown_report(summary: Sequence[dict[str, Any]], title: str = "", timing: str = "", steps: int | None = None) -> str:
    """The summary as a Markdown table, followed by the acceptance checks as measured (for a sweep of
    fewer than :data:`SMOKE_STEPS` steps, the figures without a verdict: a pipeline check, not the experiment).

    Examples
    --------
    >>> s = [{"K": 2, "lam": 1.0, "overlap": 0.0, "n": 1, "sis_median": 0.9, "sis_mean": 0.9, "sis_std": 0.0,
    ...       "sis_min": 0.9, "sis_max": 0.9, "recon_median": 0.001, "ccomp_median": 0.1, "exact_D": "proved", "exact_S": ""}]
    >>> "| 2 | 1 | 0 | 1 | 0.900 |" in markdown_report(s)
    True
    """
    lines = [f"# {title}" if title else "# SIS vs overlap", ""]
    if timing:
        lines += [timing, ""]
    latents = sorted({s.get("latents") or "independent" for s in summary})
    if latents != ["independent"]:
        lines += [f"Latent distribution: {'; '.join(latents)}.", ""]
    restarts = max((s.get("restarts", 1) for s in summary), default=1)
    head = ["K", "lambda", "overlap", "seeds", "SIS median", "SIS mean ± sd", "SIS min..max"]
    with_mis = any(s.get("mis_median") is not None for s in summary)
    with_misc = any(s.get("misc_median") is not None for s in summary)
    if with_mis:
        head.append("MIS median")
    if with_misc:
        head.append("MIS_c median (chance-corrected)")
    if restarts > 1:
        head += ["SIS median, restart 0 only", f"inits with SIS >= {IDENTIFIED:g}"]
    head += ["eval recon (median)", "eval C_comp (median)", "eval C_comp/‖J‖² (median)", "exact Type D (global)", "exact Type S (points)"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summary:
        cells = [
            f"{s['K']}",
            f"{s['lam']:g}",
            f"{s['overlap']:g}",
            f"{s['n']}" + (f" ({s['diverged']} diverged)" if s.get("diverged") else ""),
            f"{s['sis_median']:.3f}",
            f"{s['sis_mean']:.3f} ± {s['sis_std']:.3f}",
            f"{s['sis_min']:.3f}..{s['sis_max']:.3f}",
        ]
        if with_mis:
            mis = s.get("mis_median")
            cells.append(f"{mis:.3f}" if mis is not None else "-")
        if with_misc:
            misc = s.get("misc_median")
            cells.append(f"{misc:.3f}" if misc is not None else "-")
        if restarts > 1:
            first = s.get("sis_first_median")
            hit, total = s.get("inits_identified", (0, 0))
            cells += [f"{first:.3f}" if first is not None else "", f"{hit}/{total}"]
        ncc = s.get("nccomp_median")
        cells += [
            f"{s['recon_median']:.2e}",
            f"{s['ccomp_median']:.3g}",
            f"{ncc:.3f}" if ncc is not None else "",
            f"{s['exact_D']}",
            f"{s['exact_S']}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    acc = acceptance(summary)
    smoke = steps is not None and steps < SMOKE_STEPS
    if smoke:
        lines += ["", "## Acceptance checks (not judged: a pipeline check)", "",
                  f"This sweep trains {steps} steps, far too few to identify anything; the experiment's targets apply to "
                  "configurations such as `small` and `paper`. The figures below only show that every stage ran.", ""]
    else:
        lines += ["", "## Acceptance checks (as measured)", ""]
    m = acc["median_sis_K2_overlap0"]
    if m is None:
        lines.append("- median SIS at overlap 0, lambda = 1, K = 2: not in this grid")
    elif smoke:
        lines.append(f"- median SIS at overlap 0, lambda = 1, K = 2: {m:.3f}")
    else:
        verdict = "meets" if m >= acc["target"] else "does NOT meet"
        lines.append(f"- median SIS at overlap 0, lambda = 1, K = 2: **{m:.3f}** ({verdict} the target >= {acc['target']})")
        first = acc.get("median_sis_first_K2_overlap0")
        if first is not None:
            select = {s.get("select") for s in summary} - {None, ""}
            how = "the least scale-free contrast C_comp/‖J‖² on training data" if select == {"normalized-contrast"} else "the least final training loss"
            lines.append(
                f"  - the reported model of each run is picked among {restarts} restarts by {how} (no ground truth used); "
                f"restart 0 alone (one initialisation per run, Brady et al.'s protocol) gives **{first:.3f}**"
            )
    per = "; ".join(
        f"K={K}: {a:.3f} -> {b:.3f}" for K, (a, b) in acc["per_K"].items() if a is not None and b is not None
    )
    if acc["largest_overlap"] > 0:
        answer = ("yes" if acc["decreases"] else "no") if not smoke else ("yes" if acc["decreases"] else "no") + ", not judged"
        lines.append(f"- median SIS at overlap {acc['largest_overlap']:g} below overlap 0 for every K at lambda = 1: **{answer}** ({per})")
    else:
        lines.append("- SIS against overlap: not in this grid (one overlap)")
    exact = sorted({(s["overlap"], s["exact_D"]) for s in summary})
    lines.append("- exact Type D of the ground truths: " + "; ".join(f"overlap {o:g}: {d}" for o, d in exact))
    return "\n".join(lines) + "\n"


def write_report(
    rows: Sequence[dict[str, Any]], out_dir: str | Path, title: str = "", timing: str = "", steps: int | None = None, slot_dim: int | None = None
) -> tuple[Path, Path]:
    """Write ``sis_vs_overlap.png``, ``table.md`` and (when the rows carry per-restart contrasts)
    ``sis_vs_contrast.png`` for ``rows`` into ``out_dir``; return the first two paths.

    ``slot_dim`` (latents per slot) adds the chance-corrected MIS_c column (:func:`summarize`).
    ``table.md`` lives in ``out_dir``, so a path into ``out_dir`` that ``timing`` mentions (as
    given or absolute) is written relative to it: the table never records where the run was made.

    Examples
    --------
    >>> import tempfile
    >>> rows = [{"K": 2, "lam": 1.0, "overlap": 0.0, "seed": 0, "sis": 0.9, "eval_recon": 0.0, "eval_ccomp": 0.0}]
    >>> with tempfile.TemporaryDirectory() as out:
    ...     figure, table = write_report(rows, out, timing=f"(runs already in {Path(out) / 'results.csv'} were not redone)")
    ...     text = table.read_text()
    ...     print(figure.name, table.name, "0.900" in text, "(runs already in results.csv were" in text, out in text)
    sis_vs_overlap.png table.md True True False
    """
    out = Path(out_dir)
    for folder in sorted({str(out), str(out.resolve())}, key=len, reverse=True):
        prefix = folder.rstrip(os.sep) + os.sep
        timing = re.sub(r"(?<![\w.~/-])" + re.escape(prefix), "", timing)
    summary = summarize(rows, slot_dim)
    figure, table = out / "sis_vs_overlap.png", out / "table.md"
    plot_sis(summary, figure, title=title)
    plot_sis_vs_contrast(rows, out / "sis_vs_contrast.png", title=title)
    table.write_text(markdown_report(summary, title=title, timing=timing, steps=steps))
    return figure, table

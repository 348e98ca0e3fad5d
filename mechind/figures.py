"""Figures for reports: the G_D graph of a basis (docs/mathematics.md section 8), PNG via matplotlib Agg.

Examples
--------
>>> import tempfile, pathlib, cases
>>> with tempfile.TemporaryDirectory() as tmp:
...     gd_figure(cases.find_case("p13"), None, pathlib.Path(tmp) / "p13.png").read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402

from theory.criteria.context import CheckContext  # noqa: E402
from theory.criteria.graph import gd_graph  # noqa: E402
from theory.errors import InputError  # noqa: E402
from theory.model.generator import Generator  # noqa: E402
from theory.linalg.rho import sparsest_basis  # noqa: E402

__all__ = ["gd_figure", "draw_gd_graph", "support_figure", "rho_figure"]


def draw_gd_graph(ax: plt.Axes, graph: nx.Graph, labels: list[str], colours: list[int], title: str, seed: int = 0) -> None:
    """Draw one G_D graph on ``ax``: nodes labelled, coloured by factor, edges = shared pixels."""
    pos = nx.spring_layout(graph, seed=seed) if graph.number_of_nodes() > 1 else {n: (0.0, 0.0) for n in graph}
    cmap = plt.get_cmap("tab10")
    nx.draw_networkx_edges(graph, pos, ax=ax, width=1.5, edge_color="#888888")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=[cmap(c % 10) for c in colours], node_size=900, edgecolors="black")
    nx.draw_networkx_labels(graph, pos, labels=dict(enumerate(labels)), ax=ax, font_size=8)
    comps = nx.number_connected_components(graph)
    ax.set_title(f"{title}\n{comps} component{'s' if comps != 1 else ''}", fontsize=9)
    ax.margins(0.3)
    ax.set_axis_off()


def _vector_label(v: list, names: list[str]) -> str:
    terms = []
    for x, n in zip(v, names):
        if x == 0:
            continue
        coef = "" if x == 1 else "-" if x == -1 else f"{x}"
        terms.append(f"{coef}{n}")
    return " + ".join(terms).replace("+ -", "- ") or "0"


def gd_figure(generator: Generator, point: dict | None, path: str | Path, seed: int = 0, context: CheckContext | None = None) -> Path:
    """G_D of the coordinate basis and of the sparsest aligned basis at ``point`` (default:
    the generator's first point), side by side, written as a PNG to ``path``.  ``context``
    shares the Jacobians a check already computed.

    Raises
    ------
    InputError
        If the Jacobian at the point is not an exact rational matrix.
    """
    g = generator
    ctx = context or CheckContext(g, seed=seed)
    if point is None:
        if not g.points:
            raise InputError(f"{g.name} has no points; give one")
        point = g.points[0]
    J, reason = ctx.checked_rational_jacobian_at(point)
    if J is None:
        raise InputError(f"{g.name}: no G_D figure: {reason}")
    names = [str(s) for s in g.latents]
    identity = [[int(i == j) for j in range(g.d)] for i in range(g.d)]
    aligned = [v for block in g.blocks for v, _ in sparsest_basis(J, block, g.d)]
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
    draw_gd_graph(axes[0], gd_graph(J, identity), names, [g.block_of[a] for a in range(g.d)], "coordinate basis", seed)
    owner = [g.block_of[next(a for a in range(g.d) if v[a] != 0)] for v in aligned]
    draw_gd_graph(axes[1], gd_graph(J, aligned), [_vector_label(v, names) for v in aligned], owner, "sparsest aligned basis", seed)
    at = ", ".join(f"{s}={v}" for s, v in point.items())
    fig.suptitle(f"{g.name}: G_D at ({at})", fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def support_figure(generator: Generator, points: list[dict], path: str | Path, seed: int = 0, context: CheckContext | None = None) -> Path:
    """The Jacobian support at each point as a heatmap (nonzero / zero / undecided), exact;
    ``context`` shares the Jacobians a check already computed.

    Each panel shows ``J(s)``'s entries where they are rational, the rows (outputs) down and
    the latents across, with the factor boundaries drawn.
    """
    g = generator
    ctx = context or CheckContext(g, seed=seed)
    points = points or list(g.points)
    fig, axes = plt.subplots(1, len(points), figsize=(max(4.0, 1.2 + (0.55 * g.d + 1.0) * len(points)), 1.2 + 0.32 * g.m), squeeze=False)
    cmap = matplotlib.colors.ListedColormap(["#f4f4f4", "#3b6fb6", "#f0b429"])
    names = [str(s) for s in g.latents]
    for ax, point in zip(axes[0], points):
        jac = ctx.checked_jacobian_at(point)
        if jac is None:
            ax.set_title("self-check failed", fontsize=8)
            continue
        grid = [[0 if e.status == "zero" else 1 if e.status == "nonzero" else 2 for e in row] for row in jac.entries]
        ax.imshow(grid, cmap=cmap, vmin=0, vmax=2, aspect="auto")
        for t, row in enumerate(jac.entries):
            for a, e in enumerate(row):
                if e.status == "nonzero":
                    text = str(e.value) if e.value.is_Rational and len(str(e.value)) <= 6 else "*"
                    ax.text(a, t, text, ha="center", va="center", fontsize=7, color="white")
                elif e.status == "unknown":
                    ax.text(a, t, "?", ha="center", va="center", fontsize=7)
        edge = -0.5
        for block in g.blocks[:-1]:
            edge += len(block)
            ax.axvline(edge, color="black", linewidth=1.5)
        ax.set_xticks(range(g.d), names, fontsize=7)
        ax.set_yticks(range(g.m), [f"g{t}" for t in range(g.m)], fontsize=7)
        ax.set_title("J at (" + ", ".join(str(v) for v in point.values()) + ")", fontsize=8)
    fig.suptitle(f"{g.name}: support of J", fontsize=8)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def rho_figure(name: str, rows: list[tuple[str, int | None, int | None, int | None]], path: str | Path) -> Path:
    """rho+, rho- and rho* per point as grouped bars (``rows``: label, rho+, rho-, rho*)."""
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(rows), 2.6))
    width = 0.26
    for i, (label, *values) in enumerate(rows):
        for j, (v, colour, text) in enumerate(zip(values, ("#3b6fb6", "#d64545", "#888888"), ("rho+", "rho-", "rho*"))):
            if v is not None:
                ax.bar(i + (j - 1) * width, v, width, color=colour, label=text if i == 0 else None)
                ax.text(i + (j - 1) * width, v, str(v), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(rows)), [r[0] for r in rows], fontsize=7)
    ax.set_ylabel("||J M||_0")
    ax.set_title(f"{name}: sparsity gap per point", fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path

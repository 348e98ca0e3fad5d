"""Open subsets of the plane that are unions of grid cells, and their exact topology.

docs/mathematics.md section 9.1.  :class:`GridUnion` is the open interior of a finite union of
closed grid cells; :func:`simply_connected`, :func:`cells_connected` and
:func:`slices_path_connected` decide T1 and T2 for it exactly (the grid algorithm: see
:mod:`theory.theorems.topology`, which uses them, as does :mod:`theory.theorems.region_topology`).

Examples
--------
>>> annulus = GridUnion.from_cells([(i, j) for i in range(3) for j in range(3) if (i, j) != (1, 1)])
>>> simply_connected(annulus.cells).holds
False
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import sympy as sp

from theory.exact.rationals import rational_str, to_rational

__all__ = ["GridUnion", "GridVerdict", "Cell", "cells_connected", "simply_connected", "slices_path_connected", "components", "FOUR", "EIGHT"]

Cell = tuple[int, int]

# -- the domain description ---------------------------------------------------------------------
@dataclass(frozen=True)
class GridUnion:
    """The open interior of a finite union of closed grid cells of the plane.

    Cell ``(i, j)`` is the closed rectangle ``[xs[i], xs[i+1]] x [ys[j], ys[j+1]]``; without
    grid lines it is ``[i, i+1] x [j, j+1]``.  The topology does not depend on the grid
    lines (any strictly increasing lines give a homeomorphic set), only :meth:`contains`
    and the witnesses' coordinates do.

    Attributes
    ----------
    cells
        The cells of the union (a non-empty set of integer pairs).
    xs, ys
        Optional strictly increasing rational grid lines, ``xs[0]`` the left end of column 0,
        long enough for every cell (``len(xs) > max i + 1``).  Cells may then have indices
        ``0 <= i < len(xs) - 1`` only.
    symbols
        Optional latent symbols ``(x, y)`` of the two coordinates.

    Examples
    --------
    >>> L = GridUnion.from_boxes([((0, 2), (0, 1)), ((0, 1), (1, 2))])
    >>> sorted(L.cells)
    [(0, 0), (0, 1), (1, 0)]
    >>> L.contains((sp.Rational(1, 2), sp.Rational(3, 2))), L.contains((sp.Rational(3, 2), sp.Rational(3, 2)))
    (True, False)
    """

    cells: frozenset[Cell]
    xs: tuple[sp.Rational, ...] | None = None
    ys: tuple[sp.Rational, ...] | None = None
    symbols: tuple[sp.Symbol, sp.Symbol] | None = field(default=None)

    def __post_init__(self) -> None:
        cells = frozenset((int(i), int(j)) for i, j in self.cells)
        if not cells:
            raise ValueError("a GridUnion needs at least one cell (the domain must not be empty)")
        object.__setattr__(self, "cells", cells)
        for name, lines, axis in (("xs", self.xs, 0), ("ys", self.ys, 1)):
            if lines is None:
                continue
            values = tuple(to_rational(v, f"grid line of {name}") for v in lines)
            if any(not bool(a < b) for a, b in zip(values, values[1:])):
                raise ValueError(f"grid lines {name} must be strictly increasing, got {[rational_str(v) for v in values]}")
            idx = [c[axis] for c in cells]
            if min(idx) < 0 or max(idx) + 1 >= len(values):
                raise ValueError(f"cell indices along axis {axis} must lie in 0..{len(values) - 2} for the grid lines {name}")
            object.__setattr__(self, name, values)
        if self.symbols is not None:
            syms = tuple(self.symbols)
            if len(syms) != 2 or not all(isinstance(s, sp.Symbol) for s in syms) or syms[0] == syms[1]:
                raise ValueError(f"symbols must be two distinct sympy Symbols, got {self.symbols!r}")
            object.__setattr__(self, "symbols", syms)

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def from_cells(cls, cells: Iterable[Cell], symbols: Sequence[sp.Symbol] | None = None) -> "GridUnion":
        """The union of unit cells ``[i, i+1] x [j, j+1]``.

        >>> GridUnion.from_cells([(0, 0), (1, 1)]).cells == {(0, 0), (1, 1)}
        True
        """
        return cls(frozenset(cells), symbols=None if symbols is None else tuple(symbols))  # type: ignore[arg-type]

    @classmethod
    def from_boxes(
        cls,
        boxes: Iterable[tuple[tuple[object, object], tuple[object, object]]],
        symbols: Sequence[sp.Symbol] | None = None,
    ) -> "GridUnion":
        """The interior of a union of closed rational rectangles ``((x0, x1), (y0, y1))``.

        The grid lines are all the rectangles' ends, and the cells those inside some rectangle.

        >>> U = GridUnion.from_boxes([((0, 3), (0, 1)), ((1, 2), (0, 2))])   # a T-shape
        >>> sorted(U.cells), U.xs
        ([(0, 0), (1, 0), (1, 1), (2, 0)], (0, 1, 2, 3))
        """
        parsed = []
        for box in boxes:
            (x0, x1), (y0, y1) = box
            x0, x1 = to_rational(x0, "x end"), to_rational(x1, "x end")
            y0, y1 = to_rational(y0, "y end"), to_rational(y1, "y end")
            if not (bool(x0 < x1) and bool(y0 < y1)):
                raise ValueError(f"an empty rectangle {box!r}: each lower end must be below the upper end")
            parsed.append((x0, x1, y0, y1))
        if not parsed:
            raise ValueError("a GridUnion needs at least one rectangle")
        xs = tuple(sorted({v for b in parsed for v in b[:2]}))
        ys = tuple(sorted({v for b in parsed for v in b[2:]}))
        cells = frozenset(
            (i, j)
            for i in range(len(xs) - 1)
            for j in range(len(ys) - 1)
            if any(x0 <= xs[i] and xs[i + 1] <= x1 and y0 <= ys[j] and ys[j + 1] <= y1 for x0, x1, y0, y1 in parsed)
        )
        return cls(cells, xs, ys, None if symbols is None else tuple(symbols))  # type: ignore[arg-type]

    # -- geometry ---------------------------------------------------------------------------------
    @property
    def is_convex(self) -> bool:
        """Whether the set is convex (a single grid rectangle: the cells fill their bounding box)."""
        i0, i1, j0, j1 = _bounds(self.cells)
        return len(self.cells) == (i1 - i0 + 1) * (j1 - j0 + 1)

    def line(self, axis: int, k: int) -> sp.Rational:
        """The coordinate of grid line ``k`` along ``axis`` (``k`` itself without grid lines)."""
        lines = self.xs if axis == 0 else self.ys
        return sp.Integer(k) if lines is None else lines[k]

    def contains(self, point: Sequence[object] | Mapping[sp.Symbol, object]) -> bool:
        """Whether a rational point ``(x, y)`` (or ``{x_symbol: .., y_symbol: ..}``) lies in the open set.

        A point lies in the interior of the union iff every closed cell containing it is a cell
        of the union.
        """
        if isinstance(point, Mapping):
            if self.symbols is None:
                raise ValueError("a point given as a dict needs the GridUnion's symbols")
            x, y = (to_rational(point[s], "coordinate") for s in self.symbols)
        else:
            x, y = (to_rational(v, "coordinate") for v in point)
        cols = _around(x, self.xs)
        rows = _around(y, self.ys)
        if not cols or not rows:
            return False
        return all((i, j) in self.cells for i in cols for j in rows)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"cells": [list(c) for c in sorted(self.cells)]}
        if self.xs is not None:
            out["xs"] = [rational_str(v) for v in self.xs]
        if self.ys is not None:
            out["ys"] = [rational_str(v) for v in self.ys]
        if self.symbols is not None:
            out["symbols"] = [str(s) for s in self.symbols]
        return out


def _around(v: sp.Rational, lines: tuple[sp.Rational, ...] | None) -> list[int]:
    """Indices of the closed grid intervals containing ``v`` (one, or two on a grid line).

    Outside the grid lines, or on the outermost ones, an index of no cell is included, so
    that such points are never interior.
    """
    if lines is None:
        fl = int(sp.floor(v))
        return [fl - 1, fl] if v == fl else [fl]
    if not (lines[0] <= v <= lines[-1]):
        return []
    out = [k for k in range(len(lines) - 1) if lines[k] <= v <= lines[k + 1]]
    if v == lines[0]:
        out.append(-1)
    if v == lines[-1]:
        out.append(len(lines) - 1)
    return out


# -- the grid algorithm -------------------------------------------------------------------------
@dataclass(frozen=True)
class GridVerdict:
    """The answer of a grid algorithm: ``holds`` and, when it fails, a witness (JSON-ready)."""

    holds: bool
    witness: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _bounds(cells: Iterable[Cell]) -> tuple[int, int, int, int]:
    cells = list(cells)
    return min(c[0] for c in cells), max(c[0] for c in cells), min(c[1] for c in cells), max(c[1] for c in cells)


def _as_cells(cells: Iterable[Cell] | GridUnion) -> frozenset[Cell]:
    out = cells.cells if isinstance(cells, GridUnion) else frozenset((int(i), int(j)) for i, j in cells)
    if not out:
        raise ValueError("the cell set is empty")
    return out


def components(cells: frozenset[Cell], steps: Sequence[Cell]) -> list[list[Cell]]:
    graph = nx.Graph()
    graph.add_nodes_from(cells)
    for i, j in cells:
        for di, dj in steps:
            if (i + di, j + dj) in cells:
                graph.add_edge((i, j), (i + di, j + dj))
    return sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: c[0])


FOUR = ((1, 0), (0, 1))
EIGHT = ((1, 0), (0, 1), (1, 1), (1, -1))


def cells_connected(cells: Iterable[Cell] | GridUnion) -> GridVerdict:
    """Whether the interior of the union is connected (the cells are 4-connected).

    >>> cells_connected([(0, 0), (1, 1)]).holds
    False
    """
    cs = _as_cells(cells)
    comps = components(cs, FOUR)
    if len(comps) == 1:
        return GridVerdict(True, details={"components": 1})
    witness = {"reason": "not connected", "components": [[list(c) for c in comp] for comp in comps]}
    return GridVerdict(False, witness, {"components": len(comps)})


def simply_connected(cells: Iterable[Cell] | GridUnion) -> GridVerdict:
    """Whether the interior of the union of the closed cells is simply connected.

    The cells must be 4-connected, and the missing cells of the bounding box enlarged by one
    frame must be 8-connected.  A failure names the components (not connected) or one hole
    (a component of missing cells cut off from the frame).

    Parameters
    ----------
    cells
        Integer cells ``(i, j)``, or a :class:`GridUnion`.

    Examples
    --------
    >>> simply_connected([(0, 0), (1, 0), (2, 0), (2, 1)]).holds
    True
    >>> frame = [(i, j) for i in range(3) for j in range(3) if (i, j) != (1, 1)]
    >>> simply_connected(frame).witness["hole"]
    [[1, 1]]
    """
    cs = _as_cells(cells)
    connected = cells_connected(cs)
    if not connected.holds:
        return connected
    i0, i1, j0, j1 = _bounds(cs)
    missing = frozenset(
        (i, j) for i in range(i0 - 1, i1 + 2) for j in range(j0 - 1, j1 + 2) if (i, j) not in cs
    )
    comps = components(missing, EIGHT)
    outer = (i0 - 1, j0 - 1)
    holes = [c for c in comps if outer not in c]
    if not holes:
        return GridVerdict(True, details={"components": 1, "holes": 0})
    witness = {"reason": "hole", "hole": [list(c) for c in holes[0]], "holes": len(holes)}
    return GridVerdict(False, witness, {"components": 1, "holes": len(holes)})


def _runs(values: Iterable[int]) -> list[list[int]]:
    """Maximal runs of consecutive integers, as ``[first, last]``."""
    out: list[list[int]] = []
    for v in sorted(set(values)):
        if out and v == out[-1][1] + 1:
            out[-1][1] = v
        else:
            out.append([v, v])
    return out


def slices_path_connected(cells: Iterable[Cell] | GridUnion, axis: int) -> GridVerdict:
    """Whether every line slice along ``axis`` of the interior of the union is path-connected.

    ``axis`` is the coordinate that varies along the slices: ``axis=1`` takes the vertical
    lines ``{x = c}`` (the slice is a set of ``y``), ``axis=0`` the horizontal lines
    ``{y = c}``.  Empty slices do not count.  A failure names the column of cells (a line
    strictly inside it) or the grid line whose slice has two or more runs.

    Examples
    --------
    >>> C = [(i, j) for i in range(3) for j in range(3) if (i, j) not in {(1, 1), (2, 1)}]
    >>> slices_path_connected(C, axis=0).holds
    True
    >>> w = slices_path_connected(C, axis=1).witness
    >>> w["kind"], w["column"], w["runs"]
    ('column', 1, [[0, 0], [2, 2]])
    """
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 or 1 in the plane, got {axis!r}")
    cs = _as_cells(cells)
    other = 1 - axis
    columns: dict[int, set[int]] = {}
    for c in cs:
        columns.setdefault(c[other], set()).add(c[axis])
    for k in sorted(columns):
        runs = _runs(columns[k])
        if len(runs) > 1:
            return GridVerdict(False, {"reason": "slice with several components", "kind": "column", "axis": axis, "column": k, "runs": runs})
    # The grid-line test of docs/mathematics.md: once every column is one run it always passes (two runs
    # intersect in a run), but it is kept as the spec states it, as a guard.
    lo, hi = min(columns), max(columns)
    for k in range(lo + 1, hi + 1):  # grid line k lies between columns k-1 and k
        shared = columns.get(k - 1, set()) & columns.get(k, set())
        runs = _runs(shared)
        if len(runs) > 1:
            return GridVerdict(False, {"reason": "slice with several components", "kind": "line", "axis": axis, "line": k, "runs": runs})
    return GridVerdict(True, details={"columns": len(columns)})

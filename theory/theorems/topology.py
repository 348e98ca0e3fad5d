"""Topology of the latent domain: the hypotheses T1 and T2 of Theorem 1 (docs/mathematics.md section 9.1).

* **T1** (criterion ``T1``): S is simply connected.
* **T2** (criterion ``T2``): every slice of S is path-connected, under the reading option
  ``slices``: ``fibres`` F_k(s_-k) = {s_k : (s_k, s_-k) in S} (fix every factor but k),
  ``co-slices`` {s_-k : (s_k, s_-k) in S} (fix factor k), or ``both`` (the default).

Boxes and convex regions satisfy both (method ``convexity``).  For open sets of the plane
that are interiors of unions of closed grid cells (:class:`GridUnion`) both questions are
decided exactly by the grid algorithm (method ``grid-topology``):

* T1 holds iff the cells are 4-connected (cells sharing an edge) and the cells missing
  from the bounding box enlarged by one frame of cells are 8-connected (cells sharing a
  corner).  The interior U of the union is connected iff the cells are 4-connected
  (diagonal neighbours touch at a single point, which is not interior).  The complement
  of U is the union of the closed missing cells, whose pieces touching at a corner are
  connected; a connected open planar set is simply connected iff its complement in the
  Riemann sphere is connected, i.e. iff no missing cell is cut off from the frame.
* A line slice of U strictly inside a column of cells is the union of that column's
  open runs of cells; a slice on a grid line consists of the open edges shared by the
  two neighbouring columns, joined at a vertex exactly when both edges around it are
  shared.  So every slice along an axis is path-connected iff every column is one
  contiguous run and on every grid line the shared cells form one contiguous run.

Axis-aligned regions of R^3 are decided exactly the same way by the cubical algorithm of
:mod:`theory.theorems.cubical_topology` (method ``cubical-topology``), and a certified tunnel
refutes T1 for other regions of R^3 (:func:`~theory.theorems.region_topology.certified_tunnel`).

Anything else is ``unknown``: simple connectivity of a semi-algebraic set is decidable
for d <= 2 by cylindrical algebraic decomposition (not implemented here) and undecidable
in general (every finitely presented group is the fundamental group of an open subset of
R^5, and triviality of such groups is undecidable, Adian-Rabin).

Examples
--------
>>> annulus = GridUnion.from_cells([(i, j) for i in range(3) for j in range(3) if (i, j) != (1, 1)])
>>> simply_connected(annulus.cells).holds
False
>>> check_simply_connected(GridUnion.from_cells([(0, 0), (1, 0), (0, 1)])).verdict
'proved'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Union

import sympy as sp

from theory.readings import SLICE_READINGS
from theory.theorems.grid_topology import GridUnion, GridVerdict, cells_connected, simply_connected, slices_path_connected
from theory.model.domain import Box, Region
from theory.exact.rationals import rational_str
from theory.result import CheckResult
from theory.criteria.context import CheckContext
from theory.theorems.region_topology import centres, certified_hole, certified_tunnel, line_slices, region_cubes, region_grid, star_shaped
from theory.theorems import cubical_topology

__all__ = [
    "GridUnion",
    "GridVerdict",
    "SLICE_READINGS",
    "simply_connected",
    "slices_path_connected",
    "cells_connected",
    "check_simply_connected",
    "check_slices",
]


#: The values of the reading option ``slices`` (docs/mathematics.md section 0.3).

_UNDECIDABLE = (
    "simple connectivity of a general semi-algebraic set is decidable only for d <= 2 (by cylindrical "
    "algebraic decomposition, not implemented) and undecidable in general (every finitely presented group "
    "is the fundamental group of an open subset of R^5; triviality is undecidable, Adian-Rabin)"
)



# -- checks on a domain ---------------------------------------------------------------------------
TopologyDomain = Union[Box, Region, GridUnion]


def _convex_result(domain: TopologyDomain, criterion: str, details: dict[str, Any]) -> CheckResult | None:
    """``proved`` by convexity, ``None`` when the domain is not known to be convex."""
    if isinstance(domain, Box):
        return CheckResult(criterion, "proved", "global", "convexity", details={**details, "domain": "box"})
    if isinstance(domain, Region) and domain.is_convex:
        return CheckResult(criterion, "proved", "global", "convexity", details={**details, "domain": "convex region (strict linear inequalities in a box)"})
    return None


def _witness_coordinates(domain: GridUnion, witness: dict[str, Any]) -> dict[str, Any]:
    """Add the exact coordinate of a failing slice (a line strictly inside the column, or the grid line)."""
    out = dict(witness)
    if "axis" in out:
        fixed = 1 - out["axis"]
        if out["kind"] == "line":
            out["coordinate"] = rational_str(domain.line(fixed, out["line"]))
        else:
            k = out["column"]
            out["coordinate"] = rational_str((domain.line(fixed, k) + domain.line(fixed, k + 1)) / 2)
        if domain.symbols is not None:
            out["fixed"] = str(domain.symbols[fixed])
    return out


def check_simply_connected(domain: TopologyDomain, latents: Sequence[sp.Symbol] | None = None, points: Sequence[Mapping[sp.Symbol, object]] = ()) -> CheckResult:
    """Hypothesis T1 of Theorem 1: the domain is simply connected (criterion ``T1``).

    Boxes and convex regions are ``proved`` (method ``convexity``: convex sets are
    contractible); a :class:`GridUnion` is decided by the grid algorithm (method
    ``grid-topology``, refuted with the components or a hole); anything else is ``unknown``.

    Examples
    --------
    >>> import sympy as sp
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> check_simply_connected(Box({s1: (0, 1), s2: (0, 1)})).method
    'convexity'
    >>> ring = GridUnion.from_cells([(i, j) for i in range(3) for j in range(3) if (i, j) != (1, 1)])
    >>> check_simply_connected(ring).verdict
    'refuted'
    """
    convex = _convex_result(domain, "T1", {})
    if convex is not None:
        return convex
    if isinstance(domain, GridUnion):
        answer = simply_connected(domain.cells)
        details = {"domain": "union of grid cells", "cells": len(domain.cells), **answer.details}
        if answer.holds:
            return CheckResult("T1", "proved", "global", "grid-topology", details=details)
        return CheckResult("T1", "refuted", "global", "grid-topology", witness=answer.witness, details=details)
    if isinstance(domain, Region):
        return _region_simply_connected(domain, tuple(latents) if latents is not None else tuple(domain.box.bounds), points)
    raise TypeError(f"check_simply_connected needs a Box, Region or GridUnion, got {type(domain).__name__}")


def _region_simply_connected(region: Region, latents: tuple[sp.Symbol, ...], points: Sequence[Mapping[sp.Symbol, object]]) -> CheckResult:
    """T1 on a non-convex region: an exact grid, a star centre, or a certified hole (section 9.2)."""
    grid = region_grid(region, latents)
    if grid is not None:
        inner = check_simply_connected(grid)
        details = {**inner.details, "domain": "axis-aligned region (exact grid)"}
        witness = _witness_coordinates(grid, inner.witness) if inner.witness else None
        return CheckResult("T1", inner.verdict, "global", inner.method, witness=witness, details=details)
    cubes = region_cubes(region, latents)
    if cubes is not None:
        return _cubes_simply_connected(cubes)
    tunnel = certified_tunnel(region, latents)  # before the star centres: seconds, where z3 may take minutes
    if tunnel is not None:
        return CheckResult("T1", "refuted", "global", "certified-loop", witness=tunnel, details={"domain": "non-convex region (3-D)"})
    for centre in centres(region, latents, [p for p in points if all(s in p for s in latents)]):
        if star_shaped(region, latents, centre):
            return CheckResult("T1", "proved", "global", "star-shaped", details={"domain": "non-convex region", "centre": [rational_str(v) for v in centre]})
    hole = certified_hole(region, latents)
    if hole is not None:
        return CheckResult("T1", "refuted", "global", "certified-loop", witness={"reason": "hole", **hole}, details={"domain": "non-convex region"})
    return CheckResult("T1", "unknown", "global", "not-implemented", details={"domain": "non-convex region", "reason": "no exact grid, no star centre among the candidates, no certified hole or tunnel; " + _UNDECIDABLE})


def _cubes_simply_connected(cubes: "cubical_topology.CubicalUnion") -> CheckResult:
    """T1 on an axis-aligned region of R^3, exactly (method ``cubical-topology``; docs/mathematics.md 9.1)."""
    answer = cubical_topology.simply_connected(cubes)
    details = {"domain": "axis-aligned region (exact cubical grid)", "cubes": len(cubes.cubes), **answer.details}
    if answer.holds:
        return CheckResult("T1", "proved", "global", "cubical-topology", details=details)
    witness = dict(answer.witness or {})
    names = [str(s) for s in cubes.symbols or (0, 1, 2)]
    if "loop" in witness:
        if not cubical_topology.verify_loop(cubes.cubes, witness["loop"]):
            return CheckResult("T1", "unknown", "global", "self-check-failed", details={**details, "reason": "the loop witness did not re-verify"})
        witness["loop_points"] = [dict(zip(names, p)) for p in witness["loop_points"]]
    if "outside_line" in witness:
        witness["outside_line"] = {**witness["outside_line"], "axis": names[witness["outside_line"]["axis"]]}
    return CheckResult("T1", "refuted", "global", "cubical-topology", witness=witness, details=details)


def _cubes_slices(cubes: "cubical_topology.CubicalUnion", axes: Sequence[tuple[int, ...]], families: tuple[str, ...], details: dict[str, Any]) -> CheckResult:
    """T2 on an axis-aligned region of R^3, exactly (method ``cubical-topology``)."""
    per_family: dict[str, str] = {}
    checks: list[dict[str, Any]] = []
    failure = None
    for family in families:
        verdict = "proved"
        for k, block in enumerate(axes):
            free = block if family == "fibres" else tuple(i for i in range(3) if i not in block)
            answer = cubical_topology.slices_connected(cubes, free)
            checks.append({"family": family, "factor": k, "free": list(free), "holds": answer.holds})
            if not answer.holds:
                verdict = "refuted"
                if failure is None:
                    failure = {"family": family, "factor": k, **(answer.witness or {})}
        per_family[family] = verdict
    details = {**details, "families": per_family, "checks": checks, "domain": "axis-aligned region (exact cubical grid)"}
    if failure is not None:
        return CheckResult("T2", "refuted", "global", "cubical-topology", witness=failure, details=details)
    return CheckResult("T2", "proved", "global", "cubical-topology", details=details)


def _block_axes(domain: GridUnion, blocks: Sequence[Sequence[object]]) -> list[tuple[int, ...]]:
    """The blocks as tuples of coordinate positions 0/1 (symbols are looked up in ``domain.symbols``)."""
    out = []
    for block in blocks:
        positions = []
        for a in block:
            if isinstance(a, sp.Symbol):
                if domain.symbols is None or a not in domain.symbols:
                    raise ValueError(f"block member {a} is not one of the GridUnion's symbols {domain.symbols}")
                positions.append(domain.symbols.index(a))
            else:
                positions.append(int(a))  # type: ignore[call-overload]
        out.append(tuple(positions))
    flat = sorted(p for b in out for p in b)
    if flat != [0, 1] or any(not b for b in out):
        raise ValueError(f"the blocks must partition the two coordinates of the plane, got {list(blocks)!r}")
    return out


def check_slices(
    domain: TopologyDomain,
    blocks: Sequence[Sequence[object]],
    reading: str = "both",
    latents: Sequence[sp.Symbol] | None = None,
    points: Sequence[Mapping[sp.Symbol, object]] = (),
) -> CheckResult:
    """Hypothesis T2 of Theorem 1: every slice of the domain is path-connected (criterion ``T2``).

    Parameters
    ----------
    domain
        A :class:`Box`, :class:`Region` or :class:`GridUnion`.
    blocks
        The factors, as lists of coordinate positions (``[[0], [1]]``) or of symbols.
    reading
        ``both`` (default), ``fibres`` (fix every factor but k) or ``co-slices`` (fix factor k).

    Returns
    -------
    CheckResult
        Convex domains: ``proved`` (``convexity``).  A :class:`GridUnion` with two 1-D
        factors: the grid algorithm along each axis (the fibres of factor k run along
        coordinate k, its co-slices along the other one); with one 2-D factor the fibres are
        S itself (connectivity) and the co-slices are points.  ``details`` record the reading
        and each family's verdict.  Otherwise ``unknown``.

    Examples
    --------
    >>> C = GridUnion.from_cells([(i, j) for i in range(3) for j in range(3) if (i, j) not in {(1, 1), (2, 1)}])
    >>> r = check_slices(C, [[0], [1]])
    >>> r.verdict, r.details["families"]
    ('refuted', {'fibres': 'refuted', 'co-slices': 'refuted'})
    """
    if reading not in SLICE_READINGS:
        raise ValueError(f"unknown slices reading {reading!r}; choose one of {', '.join(SLICE_READINGS)}")
    families = ("fibres", "co-slices") if reading == "both" else (reading,)
    details: dict[str, Any] = {"reading": reading}
    convex = _convex_result(domain, "T2", {**details, "families": {f: "proved" for f in families}})
    if convex is not None:
        return convex
    if isinstance(domain, Region):
        return _region_slices(domain, blocks, families, details, latents, points)
    if not isinstance(domain, GridUnion):
        raise TypeError(f"check_slices needs a Box, Region or GridUnion, got {type(domain).__name__}")
    axes = _block_axes(domain, blocks)
    per_family: dict[str, str] = {}
    failures: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    for family in families:
        verdict = "proved"
        for k, block in enumerate(axes):
            free = block if family == "fibres" else tuple(p for p in (0, 1) if p not in block)
            if len(free) == 2:  # the slice is S itself
                answer = cells_connected(domain.cells)
                what = "S itself"
            elif len(free) == 0:  # a single point
                answer, what = GridVerdict(True), "a point"
            else:
                answer = slices_path_connected(domain.cells, free[0])
                what = f"lines along coordinate {free[0]}"
            checks.append({"family": family, "factor": k, "slices": what, "holds": answer.holds})
            if not answer.holds and verdict == "proved":
                verdict = "refuted"
                failures.append({"family": family, "factor": k, **_witness_coordinates(domain, answer.witness or {})})
        per_family[family] = verdict
    details["families"] = per_family
    details["checks"] = checks
    if failures:
        return CheckResult("T2", "refuted", "global", "grid-topology", witness=failures[0], details=details)
    return CheckResult("T2", "proved", "global", "grid-topology", details=details)


def _region_slices(
    region: Region,
    blocks: Sequence[Sequence[object]],
    families: tuple[str, ...],
    details: dict[str, Any],
    latents: Sequence[sp.Symbol] | None,
    points: Sequence[Mapping[sp.Symbol, object]],
) -> CheckResult:
    """T2 on a non-convex region: an exact grid, or z3 along the free coordinates (section 9.2)."""
    lat = tuple(latents) if latents is not None else tuple(region.box.bounds)
    grid = region_grid(region, lat)
    reading = details["reading"]
    if grid is not None:
        inner = check_slices(grid, [[lat[a] if isinstance(a, int) else a for a in b] for b in blocks], reading)
        return CheckResult("T2", inner.verdict, "global", inner.method, witness=inner.witness, details={**inner.details, "domain": "axis-aligned region (exact grid)"})
    axes = [tuple(lat.index(a) if isinstance(a, sp.Symbol) else int(a) for a in b) for b in blocks]  # type: ignore[call-overload]
    cubes = region_cubes(region, lat)
    if cubes is not None:
        return _cubes_slices(cubes, axes, families, details)
    per_family: dict[str, str] = {}
    checks = []
    failure = None
    for family in families:
        answers = []
        for k, block in enumerate(axes):
            free = block if family == "fibres" else tuple(i for i in range(len(lat)) if i not in block)
            if not free:
                answer, info = "proved", {"slices": "points"}
            elif len(free) == len(lat):  # the slice is S itself: connected when T1's routes prove it
                t1 = _region_simply_connected(region, lat, points)
                answer, info = ("proved", {"slices": "S itself", "by": t1.method}) if t1.verdict == "proved" else ("unknown", {"slices": "S itself"})
            else:
                answer, info = line_slices(region, lat, free)
            checks.append({"family": family, "factor": k, "free": [str(lat[i]) for i in free], "verdict": answer, **info})
            if answer == "refuted" and failure is None:
                failure = {"family": family, "factor": k, **info}
            answers.append(answer)
        per_family[family] = "refuted" if "refuted" in answers else ("unknown" if "unknown" in answers else "proved")
    details = {**details, "families": per_family, "checks": checks, "domain": "non-convex region"}
    if failure is not None:
        return CheckResult("T2", "refuted", "global", "z3-nlsat", witness=failure, details=details)
    if all(v == "proved" for v in per_family.values()):
        return CheckResult("T2", "proved", "global", "z3-nlsat", details=details)
    return CheckResult("T2", "unknown", "global", "not-implemented", details={**details, "reason": "some slices are neither decided convex nor shown disconnected"})


def check_domain_simply_connected(ctx: CheckContext) -> CheckResult:
    """T1 on the generator's domain (criterion ``T1``)."""
    g = ctx.generator
    return check_simply_connected(g.domain, g.latents, g.points)


def check_domain_slices(ctx: CheckContext) -> CheckResult:
    """T2 on the generator's domain and blocks, slices as ``ctx.readings.slices`` says."""
    g = ctx.generator
    return check_slices(g.domain, g.blocks, ctx.readings.slices, g.latents, g.points)

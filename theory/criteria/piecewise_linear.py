"""D-irreducibility on all of S and injectivity for piecewise-linear generators (docs/mathematics.md 7.3, 9.1).

A generator built from the latents by rational linear maps and ``Max``, ``Min``, ``Abs``,
``sign``, ``Heaviside`` and ``Piecewise`` with linear conditions (a ReLU / LeakyReLU network
with rational weights) is affine on each of finitely many **linear regions**, open convex
polyhedra whose union is the box minus finitely many pieces of hyperplanes
(:mod:`theory.model.piecewise_linear`).  Two routes use this.

**D-irreducibility on all of S** (:func:`pl_d_irreducible`, method ``linear-regions``).  The
regions of the outputs that read factor k are enumerated exactly on the box; on each, ``J``
restricted to the factor's columns is a constant rational matrix, and the factor is
D-irreducible there iff it has full column rank and the row matroid of its nonzero rows is
connected (section 7.1).  Points off the regions are where an atom vanishes: where g is
differentiable at such a point its J equals that of every region whose closure contains it
(an affine map on an open cone of directions determines the derivative), so irreducibility on
every region gives it at every point where J exists; where g has a kink J does not exist, and
(section 1, piecewise generators) the global verdict speaks of the open pieces.  A region whose
block is reducible or rank-deficient refutes, with its exact interior point re-checked on the
pointwise path.  The enumeration is complete, so the route decides both ways.

**Injectivity by layers** (:func:`injective_layers`, method ``injective-layers``).  If the
outputs split into groups reading disjoint sets of latents, g is injective iff each group's map
is.  A group is recognised as ``y = A_L u_{L-1}``, ``u_l = phi_l(A_l u_{l-1} + b_l)``,
``u_0 = s`` where every unit of depth l is a ``Max`` or ``Min`` of affine functions
``alpha_j t + beta_j`` of one linear form t of the depth-(l-1) quantities with every
``alpha_j > 0`` (LeakyReLU ``Max(a t, t)`` with ``a > 0``): each ``phi_l`` is strictly
increasing in every coordinate, hence injective, and when every ``A_l`` has full column rank
(exact rank) each layer is injective, so g is injective on all of R^d: globally, hence locally,
injective on S, and continuous.  Anything else is not recognised (``None``), never refuted here.

Examples
--------
>>> import sympy as sp
>>> from theory import Box, Generator
>>> from theory.criteria.context import CheckContext
>>> s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
>>> relu = lambda u: sp.Max(u / 5, u)
>>> h = [relu(s1 + s2), relu(s1 - s2), relu(2 * s1 + s2)]
>>> g = Generator("pl", [[s1, s2], [s3]], [h[0] + h[2], h[1], h[2] - h[0], relu(s3)], Box({s: (-1, 1) for s in (s1, s2, s3)}))
>>> ctx = CheckContext(g)
>>> pl_d_irreducible(ctx, 0)[0], injective_layers(ctx)[0]
('proved', True)
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import gcd
from typing import Any

import numpy as np
import sympy as sp

from theory.criteria.context import CheckContext
from theory.linalg.matroid import row_matroid_components
from theory.linalg.rational import nullspace, rank
from theory.model.piecewise_linear import (
    CONST,
    MAX_REGIONS,
    PLNetwork,
    RegionsUndecided,
    TooManyRegions,
    exact_value,
    guarded_jacobian_at,
    linear_regions,
)

__all__ = ["exact_value", "pl_network", "pl_group_regions", "pl_jacobian_at", "pl_factor_regions", "region_point", "pl_d_irreducible", "pl_full_column_rank", "pl_spanning", "injective_layers", "block_verdicts", "general_position_3d"]


def _shared(ctx: CheckContext) -> dict:
    """What this module computed for ``ctx``'s generator (the network, its regions), kept on the
    context so that the checks of one generator share it, like the context's other caches."""
    return ctx.__dict__.setdefault("_piecewise_linear", {})


def pl_network(ctx: CheckContext) -> PLNetwork | None:
    """The generator as a PL network with at least one unit, or ``None`` (not PL, affine, or
    its domain is not a box)."""
    return ctx.piecewise_linear_network()


def _factor_scope(g: Any, net: PLNetwork, k: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """What factor ``k``'s rows read: the outputs that read one of its latents, the units they
    reach, the latents they read (the factor's included, sorted), and the factor's positions
    among those latents."""
    block = g.blocks[k]
    outputs = [t for t in range(g.m) if any(a in net.reach([t])[1] for a in block)]
    units, reached = net.reach(outputs)
    variables = sorted(set(reached) | set(block))
    return outputs, units, variables, [variables.index(a) for a in block]


def _regions(ctx: CheckContext, net: PLNetwork, outputs: list[int], variables: list[int]) -> list:
    """:func:`linear_regions` of ``outputs`` on the box of ``variables``, shared between the
    checks of one generator and between factors with the same local network (renamed latents)."""
    g = ctx.generator
    units = net.reach(outputs)[0]
    bounds = [g.domain.interval(g.latents[a]) for a in variables]
    key = ("regions", _local_key(net, outputs, units, variables), tuple(bounds))
    shared = _shared(ctx)
    if key not in shared:
        shared[key] = linear_regions(net, outputs, bounds, check=ctx.budget.check, max_regions=MAX_REGIONS, variables=variables)
    return shared[key]


def general_position_3d(rows: Sequence[Sequence[Fraction]]) -> bool:
    """Whether a 3-column block has at least 4 rows and every 3 of its rows are linearly
    independent; such a block is S-irreducible under the strict reading.

    The rows are those of ``J`` restricted to a 3-D factor's columns (zero rows dropped): for
    ``u`` in the factor's subspace ``E_k``, ``J u`` is this block times ``u``.  Proof: a nonzero
    ``v`` is orthogonal to at most 2 rows (3 rows in the plane ``v^perp`` would be dependent),
    so every nonzero vector of ``E_k`` weighs at least ``n - 2``, and the ``n(n-1)/2`` normals
    ``r_i x r_j`` weigh exactly ``n - 2`` and are pairwise non-parallel.  Take a split
    ``E_k = L (+) P`` (a line and a plane, the only splits of a 3-D factor) and a best basis
    aligned with the refined partition: the other factors' vectors, ``v1 in L``, ``v2, v3 in
    P``.  At most one normal lies on ``L``.  ``r_i x r_j`` lies in ``P`` iff ``P``'s normal
    ``p`` is in ``span(r_i, r_j)``: if ``p`` is parallel to a row ``r_i`` that holds for the
    ``n - 1`` pairs with ``i`` only (another pair would put three rows in one plane), else the
    planes through ``p`` hold at most 2 rows each, so at most ``n / 2`` pairs.  Since
    ``n(n-1)/2 > n`` for ``n >= 4``, some normal ``u`` lies in neither, and replacing ``v1``
    by ``u`` gives a misaligned basis no heavier: ``rho- <= rho+`` for the refined partition,
    strict Type S fails, for every split.  No other property of ``J`` is used.  (With 3 rows
    the coordinate-like split ``r_1^perp`` does keep Type S.)

    >>> F = Fraction
    >>> general_position_3d([(F(1), F(0), F(0)), (F(0), F(1), F(0)), (F(0), F(0), F(1)), (F(1), F(1), F(1))])
    True
    >>> general_position_3d([(F(1), F(0), F(0)), (F(0), F(1), F(0)), (F(1), F(1), F(0)), (F(0), F(0), F(1))])
    False
    >>> general_position_3d([(F(1), F(0), F(0)), (F(0), F(1), F(0)), (F(0), F(0), F(1))])
    False
    """
    if len(rows) < 4 or any(len(r) != 3 for r in rows):
        return False
    ints = []
    for r in rows:
        scale = 1
        for x in r:
            scale = scale * x.denominator // gcd(scale, x.denominator)
        ints.append(tuple(x.numerator * (scale // x.denominator) for x in r))  # x * scale, in integers
    n = len(ints)
    if 6 * max(abs(x) for r in ints for x in r) ** 3 < 2**62:
        return _general_position_int64(ints)
    for i in range(n):
        a0, a1, a2 = ints[i]
        for j in range(i + 1, n):
            b0, b1, b2 = ints[j]
            c0, c1, c2 = a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0
            if not (c0 or c1 or c2):
                return False
            for k in range(j + 1, n):
                x0, x1, x2 = ints[k]
                if c0 * x0 + c1 * x1 + c2 * x2 == 0:
                    return False
    return True


def _general_position_int64(ints: list[tuple[int, ...]]) -> bool:
    """:func:`general_position_3d` on integer rows whose entries ``x`` have ``6 |x|^3 < 2^62``:
    then every cross product entry (two products of two entries) and every determinant (three
    products of three) fits in int64, so numpy's integer arithmetic is exact.  The same
    decision: no two rows parallel and no three in a plane.

    >>> _general_position_int64([(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1)]), _general_position_int64([(1, 0, 0), (0, 1, 0), (1, 1, 0), (0, 0, 1)])
    (True, False)
    """
    A = np.array(ints, dtype=np.int64)
    n = len(ints)
    cross = np.cross(A[:, None, :], A[None, :, :])  # r_i x r_j
    i, j, k = np.ogrid[:n, :n, :n]
    pairs = (i < j)[:, :, 0]
    if not cross[pairs].any(axis=1).all():
        return False  # two parallel rows
    det = (cross.reshape(n * n, 3) @ A.T).reshape(n, n, n)  # det(r_i, r_j, r_k)
    return bool(det[(i < j) & (j < k)].all())


def block_verdicts(rows: list[tuple[tuple[Fraction, ...], ...]], columns: list[int]) -> tuple[str, dict[str, Any]]:
    """D-irreducibility of one factor on one region: ``irreducible``, ``degenerate`` or
    ``reducible`` (with the matroid components), from ``J`` restricted to ``columns``.

    >>> F = Fraction
    >>> block_verdicts([(F(1), F(0)), (F(0), F(1)), (F(1), F(1))], [0, 1])[0]
    'irreducible'
    >>> block_verdicts([(F(1), F(0)), (F(0), F(1)), (F(0), F(2))], [0, 1])
    ('reducible', {'components': [[0], [1, 2]]})
    """
    Jk = [[row[c] for c in columns] for row in rows]
    if len(columns) == 3 and general_position_3d([tuple(r) for r in Jk if any(r)]):
        return "irreducible", {}  # >= 4 rows, every 3 independent: the uniform matroid U(3, n), connected
    if rank(Jk) < len(columns):
        return "degenerate", {}
    comps, _ = row_matroid_components(Jk)
    if len(comps) > 1:
        return "reducible", {"components": sorted(sorted(c) for c in comps)}
    return "irreducible", {}


def pl_d_irreducible(ctx: CheckContext, k: int, cache: dict | None = None) -> tuple[str, dict[str, Any]] | None:
    """Factor ``k`` D-irreducible on every linear region of the box?

    Returns ``("proved", details)``, ``("refuted", {"point": ..., "state": ..., ...})`` (an exact
    interior point of a region where the factor is reducible or rank-deficient) or
    ``("unknown", details)`` (z3 undecided, too many regions); ``None`` when g is not PL.
    ``cache`` (shared between the factors of one check) reuses the answer for factors whose
    local network, box and columns are the same (one shared MLP per slot); the regions
    themselves are kept on the context for the other checks of the generator.
    """
    net = pl_network(ctx)
    if net is None:
        return None
    g = ctx.generator
    outputs, units, variables, columns = _factor_scope(g, net, k)
    bounds = [g.domain.interval(g.latents[a]) for a in variables]
    key = (_local_key(net, outputs, units, variables), tuple(bounds), tuple(columns))
    if cache is not None and key in cache:
        return cache[key]
    details: dict[str, Any] = {"outputs": len(outputs), "units": len(units), "variables": [str(g.latents[a]) for a in variables]}
    try:
        regions = _regions(ctx, net, outputs, variables)
    except (RegionsUndecided, TooManyRegions) as exc:
        answer: tuple[str, dict[str, Any]] = ("unknown", {**details, "reason": str(exc)})
    else:
        details["regions"] = len(regions)
        answer = ("proved", details)
        for region in regions:
            ctx.budget.check()
            state, info = block_verdicts(list(region.rows), columns)
            if state != "irreducible":
                # the latents the factor's rows do not read keep a seeded random point's values
                point = dict((ctx.random_points(1) or [ctx.some_point()])[0]) if len(variables) < g.d else {}
                point.update({g.latents[a]: sp.Rational(x.numerator, x.denominator) for a, x in zip(variables, region.point)})
                answer = ("refuted", {**details, **info, "state": state, "point": point})
                break
    if cache is not None and answer[0] != "refuted":  # a refutation's point names this factor's latents
        cache[key] = answer
    return answer


def pl_factor_regions(ctx: CheckContext, k: int) -> tuple[list, list[int], list[int]] | str | None:
    """The linear regions of the outputs that read factor ``k``: ``(regions, variables,
    columns)`` (``columns``: the factor's positions among ``variables``), a string saying why
    they are undecided, or ``None`` when g is not PL.  Shared with the other checks.

    >>> import sympy as sp
    >>> from theory import Box, Generator
    >>> x, y = sp.symbols("x y", real=True)
    >>> regions, variables, columns = pl_factor_regions(CheckContext(Generator("g", [[x, y]], [sp.Max(x / 2, x), y], Box({x: (-1, 1), y: (-1, 1)}))), 0)
    >>> len(regions), variables, columns
    (2, [0, 1], [0, 1])
    """
    net = pl_network(ctx)
    if net is None:
        return None
    outputs, _, variables, columns = _factor_scope(ctx.generator, net, k)
    try:
        return _regions(ctx, net, outputs, variables), variables, columns
    except (RegionsUndecided, TooManyRegions) as exc:
        return str(exc)


def pl_group_regions(ctx: CheckContext) -> list[tuple[list[int], list[int], list]] | None:
    """The outputs grouped by the latents they read (connected through shared latents), each
    as ``(outputs, latents, regions)`` with the linear regions of the group on the box of its
    latents; ``None`` when g is not PL or the regions are undecided.

    >>> import sympy as sp
    >>> from theory import Box, Generator
    >>> x, y = sp.symbols("x y", real=True)
    >>> g = Generator("g", [[x], [y]], [sp.Max(x / 2, x), sp.Abs(y), y], Box({x: (-1, 1), y: (-1, 1)}))
    >>> [(outs, lat, len(regions)) for outs, lat, regions in pl_group_regions(CheckContext(g))]
    [([0], [0], 2), ([1, 2], [1], 2)]
    """
    net = pl_network(ctx)
    if net is None:
        return None
    out = []
    for outputs, latents in _groups(net, ctx.generator.m):
        try:
            out.append((outputs, latents, _regions(ctx, net, outputs, latents)))
        except (RegionsUndecided, TooManyRegions):
            return None
    return out


def region_point(ctx: CheckContext, variables: list[int], point: tuple[Fraction, ...]) -> dict:
    """A full exact point of S from a region's interior point over ``variables``: the other
    latents keep a seeded random point's values."""
    g = ctx.generator
    out = dict((ctx.random_points(1) or [ctx.some_point()])[0]) if len(variables) < g.d else {}
    out.update({g.latents[a]: sp.Rational(x.numerator, x.denominator) for a, x in zip(variables, point)})
    return out


def pl_jacobian_at(ctx: CheckContext, point: dict) -> list[list[Fraction]] | None:
    """``J(point)`` of a PL generator as exact Fractions: the constant Jacobian of the linear
    region holding the point (no symbolic derivative); ``None`` when g is not PL, the point
    lies on a region's boundary, or (with the context's guard on) the guard disagrees.

    The guard checks the whole matrix against g's own values along one seeded random
    direction ``v``: ``g(p + h v) - g(p) = h J v`` exactly on the region (g is affine there,
    and ``p + h v`` is checked exactly to have the same atom signs, so the segment stays in
    the convex region), g evaluated exactly on its sympy expressions (:func:`exact_value`),
    not through the parsed network.  A disagreement (or a node :func:`exact_value` does not
    evaluate) is not a verdict: the caller falls back to the generic derivatives.

    >>> import sympy as sp
    >>> from theory import Box, Generator
    >>> x, y = sp.symbols("x y", real=True)
    >>> g = Generator("g", [[x], [y]], [sp.Max(x / 4, x) + y, 3 * y], Box({x: (-1, 1), y: (-1, 1)}))
    >>> [[str(v) for v in row] for row in pl_jacobian_at(CheckContext(g), {x: sp.Rational(-1, 2), y: sp.Rational(1, 3)})]
    [['1/4', '1'], ['0', '3']]
    """
    return guarded_jacobian_at(ctx.generator, pl_network(ctx), point, ctx.seed, ctx.guard, ctx.budget.check)


def pl_full_column_rank(ctx: CheckContext, k: int) -> tuple[bool | None, str] | None:
    """Factor ``k``'s block of J has full column rank on every linear region (``(True,
    "linear-regions")``), or ``(None, why)``; ``None`` when g is not PL.  As for
    D-irreducibility, J exists off the regions only where g is differentiable, and there it
    equals J of an adjacent region.

    >>> import sympy as sp
    >>> from theory import Box, Generator
    >>> x, y = sp.symbols("x y", real=True)
    >>> box = Box({x: (-1, 1), y: (-1, 1)})
    >>> pl_full_column_rank(CheckContext(Generator("g", [[x, y]], [sp.Max(x / 2, x), y + sp.Abs(x)], box)), 0)
    (True, 'linear-regions')
    >>> pl_full_column_rank(CheckContext(Generator("g", [[x, y]], [sp.Max(0, x), y], box)), 0)[0] is None
    True
    """
    net = pl_network(ctx)
    if net is None:
        return None
    block = ctx.generator.blocks[k]
    outputs, _, variables, columns = _factor_scope(ctx.generator, net, k)
    if len(outputs) < len(block):
        return None, "fewer rows that read the factor than its dimension"
    try:
        regions = _regions(ctx, net, outputs, variables)
    except (RegionsUndecided, TooManyRegions) as exc:
        return None, str(exc)
    for region in regions:
        ctx.budget.check()
        if rank([[row[c] for c in columns] for row in region.rows]) < len(block):
            return None, "rank-deficient on an open linear region"
    return True, "linear-regions"


def pl_spanning(ctx: CheckContext) -> tuple[str, dict[str, Any]] | None:
    """Theorem 3's spanning condition from the linear regions: for every output, its gradients
    on the regions span R^{supp} (supp: the latents its gradient reads on some region).

    J exists exactly off the kinks, where it is the constant J of a region, so an output's
    values of J are its gradients on the regions.  Returns ``("proved", details)`` when every
    output's gradients span, ``("refuted", witness)`` when some output's do not (the witness:
    the output, its support and a dependency ``y`` with ``sum_a y_a d_a g_t = 0`` on every
    region), or ``None`` (g is not PL, or its regions are undecided).

    >>> import sympy as sp
    >>> from theory import Box, Generator
    >>> x, y = sp.symbols("x y", real=True)
    >>> box = Box({x: (-1, 1), y: (-1, 1)})
    >>> pl_spanning(CheckContext(Generator("g", [[x], [y]], [sp.Max(x / 2, x + y), y], box)))[1]["rows"]
    {'0': 'spans', '1': 'spans'}
    >>> pl_spanning(CheckContext(Generator("g", [[x], [y]], [sp.Max((x + y) / 2, x + y), y], box)))
    ('refuted', {'output': 0, 'support': ['x', 'y'], 'dependency': {'x': '-1', 'y': '1'}})
    """
    net = pl_network(ctx)
    if net is None:
        return None
    g = ctx.generator
    rows: dict[str, str] = {}
    for outputs, latents in _groups(net, g.m):
        try:
            regions = _regions(ctx, net, outputs, latents)
        except (RegionsUndecided, TooManyRegions):
            return None
        for i, t in enumerate(outputs):
            ctx.budget.check()
            gradients = list({r.rows[i] for r in regions})  # the rank below does not depend on their order
            support = [j for j in range(len(latents)) if any(v[j] for v in gradients)]
            if not support:
                rows[str(t)] = "no dependence"
                continue
            values = [[v[j] for j in support] for v in gradients]
            if rank(values) == len(support):
                rows[str(t)] = "spans"
                continue
            y = nullspace(values, len(support))[0]
            names = [str(g.latents[latents[j]]) for j in support]
            return "refuted", {"output": t, "support": names, "dependency": {n: str(c) for n, c in zip(names, y)}}
    for t in range(g.m):
        rows.setdefault(str(t), "no dependence")
    return "proved", {"rows": dict(sorted(rows.items(), key=lambda kv: int(kv[0]))), "note": "gradients on the linear regions (docs/mathematics.md 7.3)"}


def _local_key(net: PLNetwork, outputs: list[int], units: list[int], variables: list[int]) -> tuple:
    """The network read by ``outputs`` with latents and units renumbered: equal keys, equal regions."""
    d = net.d
    rename = {a: ("v", i) for i, a in enumerate(variables)}
    rename.update({d + u: ("u", i) for i, u in enumerate(units)})
    rename[CONST] = ("c", 0)

    def form(f: dict) -> tuple:
        return tuple(sorted((rename[key], value) for key, value in f.items()))

    described = tuple((net.units[u].kind, tuple(form(a) for a in net.units[u].args), tuple(form(a) for a in net.units[u].atoms), net.units[u].conditions) for u in units)
    return described, tuple(form(net.outputs[t]) for t in outputs)


# -- injectivity ------------------------------------------------------------------------------
def _groups(net: PLNetwork, m: int) -> list[tuple[list[int], list[int]]]:
    """Outputs grouped by the latents they read (connected through shared latents)."""
    parent = list(range(net.d))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    reads = [net.reach([t])[1] for t in range(m)]
    for r in reads:
        for a in r[1:]:
            parent[find(a)] = find(r[0])
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for t, r in enumerate(reads):
        if r:
            groups.setdefault(find(r[0]), ([], []))[0].append(t)
    for a in range(net.d):
        if find(a) in groups:
            groups[find(a)][1].append(a)
    return list(groups.values())


def _monotone_direction(unit) -> dict | None:
    """The linear form t of a Max/Min unit whose arguments are ``alpha_j t + beta_j`` with every
    ``alpha_j > 0`` (a strictly increasing function of t), else ``None``."""
    if unit.kind not in ("Max", "Min"):
        return None
    lin = [{k: v for k, v in a.items() if k != CONST} for a in unit.args]
    t = lin[0]
    if not t:
        return None
    pivot = next(iter(t))
    for other in lin[1:]:
        if set(other) != set(t):
            return None
        alpha = other[pivot] / t[pivot]
        if alpha <= 0 or any(other[k] != alpha * t[k] for k in t):
            return None
    return t


def injective_layers(ctx: CheckContext) -> tuple[bool, dict[str, Any]] | None:
    """Whether the layered structure proves g injective on all of R^d: ``(True, details)``;
    ``(False, why)`` when g is PL but not recognised; ``None`` when g is not PL."""
    net = pl_network(ctx)
    if net is None:
        return None
    g = ctx.generator
    d = net.d
    depth: dict[int, int] = {a: 0 for a in range(d)}
    directions: dict[int, dict] = {}
    for u, unit in enumerate(net.units):
        t = _monotone_direction(unit)
        if t is None:
            return False, {"reason": f"unit {u} ({unit.kind}) is not a Max/Min of increasing affine functions of one linear form"}
        depths = {depth[k] for k in t}
        if len(depths) != 1:
            return False, {"reason": f"unit {u} reads quantities of different depths (a skip connection)"}
        depth[d + u] = depths.pop() + 1
        directions[d + u] = t
    layers_report = []
    groups = _groups(net, g.m)
    if sum(len(latents) for _, latents in groups) < d:
        return False, {"reason": "some latent is read by no output"}
    for outputs, latents in groups:
        ctx.budget.check()
        reads = {k for t in outputs for k in net.outputs[t] if k != CONST}
        top = {depth[k] for k in reads}
        if len(top) != 1:
            return False, {"reason": f"outputs {outputs[0]}.. read quantities of different depths"}
        L = top.pop()
        # quantities of each depth the group uses, and the matrices between consecutive depths
        used: dict[int, list[int]] = {L: sorted(reads)}
        for level in range(L, 0, -1):
            below = sorted({k for q in used[level] for k in directions[q]})
            used[level - 1] = below
        if used[0] != latents:
            return False, {"reason": "a latent of the group is read only through a unit of a deeper layer"}
        widths = []
        for level in range(1, L + 1):
            cols = used[level - 1]
            A = [[directions[q].get(c, Fraction(0)) for c in cols] for q in used[level]]
            if rank(A) < len(cols):
                return False, {"reason": f"layer {level} (a {len(used[level])} x {len(cols)} matrix) does not have full column rank"}
            widths.append(len(used[level]))
        out_cols = used[L]
        A = [[net.outputs[t].get(c, Fraction(0)) for c in out_cols] for t in outputs]
        if rank(A) < len(out_cols):
            return False, {"reason": f"the output layer ({len(outputs)} x {len(out_cols)}) does not have full column rank"}
        layers_report.append({"latents": [str(g.latents[a]) for a in latents], "widths": [len(latents)] + widths + [len(outputs)]})
    return True, {"groups": layers_report}

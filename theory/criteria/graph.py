"""The graph G_D and the finest Type D decomposition at a point (docs/mathematics.md section 8).

For a basis ``U`` the vertices are its vectors, with an edge when the pixel supports of
``J u`` and ``J u'`` meet; ``c(U)`` counts its components.  For ``J`` of full column rank
``max_U c(U) = c(M(J))``, the number of components of the row matroid (loops removed),
attained exactly by the bases adapted to the finest Type D decomposition
``T_t = (sum of the other components' row spans)^perp``.  Criterion ``graph`` (scope
``point``) asks whether that finest decomposition is the factor partition (equivalently:
D at s and every block D-irreducible at s); ``details`` carry the component counts of the
coordinate basis and of the sparsest aligned basis, and ``c(M(J))``.

Where J at the point is not rational (method ``certified-minors``), the same equivalence
decides from minors certified by :mod:`theory.criteria.certified_minors`: D at the point
(:func:`theory.criteria.disjointness.check_disjointness_at`); with D, ``M(J)`` is the
direct sum of the factors' row matroids, each computed from minors (factors of dimension
<= 3), so the finest decomposition is the factor partition iff every factor's matroid is
connected; without D, any certified nonzero ``d x d`` minor (full rank) refutes.  The
counts and subspaces that would need J's exact inverse stay ``None``; an undecided minor
gives ``unknown`` naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import networkx as nx

from theory.linalg.rational import QMatrix, nullspace, rank, support
from theory.linalg.matroid import row_matroid_components
from theory.result import CheckResult, point_json
from theory.linalg.rho import sparsest_basis
from theory.criteria.certified_minors import (
    MAX_DET_DIM,
    MAX_MATROID_DIM,
    CertifiedMatroid,
    CertifiedRank,
    MinorOracle,
    MinorUndecided,
    TooManyMinors,
    certified_matroid,
    certified_rank,
    jacobian_oracle,
    recheck_minors,
)
from theory.criteria.context import CheckContext, ExactJacobian
from theory.criteria.disjointness import check_disjointness_at

__all__ = ["gd_graph", "finest_decomposition", "check_graph_at", "check_graph_certified"]


def gd_graph(J: Sequence[Sequence[Fraction]], basis: Sequence[Sequence[Fraction]]) -> nx.Graph:
    """G_D of ``basis``: vertex ``l`` for ``basis[l]``, edges where supports of ``J u`` meet.

    Node attribute ``support``: the rows of ``J u``'s support.

    >>> from theory.linalg.rational import to_fraction_matrix
    >>> J = to_fraction_matrix([[1, 1, 0], [1, -1, 0], [0, 0, 1]])
    >>> G = gd_graph(J, to_fraction_matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
    >>> nx.number_connected_components(G)
    2
    """
    G = nx.Graph()
    supports = [support(J, u) for u in basis]
    for l, s in enumerate(supports):
        G.add_node(l, support=sorted(s))
    for l in range(len(basis)):
        for k in range(l + 1, len(basis)):
            if supports[l] & supports[k]:
                G.add_edge(l, k)
    return G


def finest_decomposition(J: Sequence[Sequence[Fraction]]) -> tuple[list[frozenset[int]], list[QMatrix]]:
    """The matroid components of ``J`` (loops removed) and the subspaces ``T_t`` of R^d."""
    comps, _ = row_matroid_components(J)
    d = len(J[0]) if J else 0
    spaces = [nullspace([J[i] for c in comps if c is not comp for i in c], d) for comp in comps]
    return comps, spaces


def _components(G: nx.Graph) -> list[list[int]]:
    return sorted(sorted(c) for c in nx.connected_components(G))


def check_graph_at(ctx: CheckContext, point: dict) -> CheckResult:
    """Criterion ``graph`` at ``point``: is the finest Type D decomposition the factor partition?

    Examples
    --------
    >>> import sympy as sp
    >>> from theory import Generator, Box
    >>> s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
    >>> g = Generator("p14", [[s1, s2], [s3]], [s1, s2, s1 + s2, s3, s3], Box({s: (-1, 1) for s in (s1, s2, s3)}))
    >>> r = check_graph_at(CheckContext(g), {s: sp.S(0) for s in (s1, s2, s3)})
    >>> r.verdict, r.details["c_matroid"], r.details["c_coordinates"]
    ('proved', 2, 2)
    """
    g = ctx.generator
    J, reason = ctx.rational_jacobian_at(point)
    if J is None:
        return check_graph_certified(ctx, point, reason)
    d = g.d
    identity = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    aligned = [v for block in g.blocks for v, _ in sparsest_basis(J, block, d, ctx.budget.check)]
    comps, spaces = finest_decomposition(J)
    names = [str(s) for s in g.latents]
    details = {
        "c_matroid": len(comps),
        "c_coordinates": nx.number_connected_components(gd_graph(J, identity)),
        "coordinate_components": [[names[a] for a in c] for c in _components(gd_graph(J, identity))],
        "c_sparsest_aligned": nx.number_connected_components(gd_graph(J, aligned)),
        "sparsest_aligned_basis": [[str(x) for x in v] for v in aligned],
        "finest_decomposition": [[[str(x) for x in v] for v in T] for T in spaces],
        "matroid_components": [sorted(c) for c in comps],
        "K": g.K,
    }
    if rank(J) < d:
        details["degenerate"] = "rank"
        return CheckResult("graph", "unknown", "point", "matroid-components", details=details, point=point)
    owner = []
    for T in spaces:
        blocks = {g.block_of[a] for v in T for a in range(d) if v[a] != 0}
        owner.append(next(iter(blocks)) if len(blocks) == 1 else None)
    equals = None not in owner and sorted(owner) == list(range(g.K))
    details["equals_partition"] = equals
    if equals:
        return CheckResult("graph", "proved", "point", "matroid-components", details=details, point=point)
    witness = {
        "point": dict(point),
        "finest_decomposition": details["finest_decomposition"],
        "factor_of_each_part": [None if k is None else g.factor_names[k] for k in owner],
    }
    return CheckResult("graph", "refuted", "point", "matroid-components", witness=witness, details=details, point=point)


def _unit(d: int, a: int) -> list[str]:
    return ["1" if i == a else "0" for i in range(d)]


def _coordinate_details(ctx: CheckContext, jac: ExactJacobian) -> dict:
    """G_D of the coordinate basis from the entries' certified statuses (all must be decided);
    with every factor one-dimensional it is also the sparsest aligned basis (rescaling keeps supports)."""
    g = ctx.generator
    names = [str(s) for s in g.latents]
    out: dict = {"c_coordinates": None, "coordinate_components": None, "c_sparsest_aligned": None, "sparsest_aligned_basis": None}
    if any(e.status == "unknown" for row in jac.entries for e in row):
        return out
    G = nx.Graph()
    supports = [jac.support(a) for a in range(g.d)]
    G.add_nodes_from(range(g.d))
    G.add_edges_from((a, b) for a in range(g.d) for b in range(a + 1, g.d) if supports[a] & supports[b])
    out["c_coordinates"] = nx.number_connected_components(G)
    out["coordinate_components"] = [[names[a] for a in c] for c in _components(G)]
    if all(len(b) == 1 for b in g.blocks):
        out["c_sparsest_aligned"] = out["c_coordinates"]
        out["sparsest_aligned_basis"] = [_unit(g.d, a) for a in range(g.d)]
    return out


def _factor_matroid(ctx: CheckContext, oracle: MinorOracle, jac: ExactJacobian, k: int) -> tuple[str, CertifiedMatroid | None, dict]:
    """Factor k's row matroid under D: ``connected``, ``split``, ``degenerate`` or ``open``."""
    g = ctx.generator
    block = g.blocks[k]
    names = [str(s) for s in g.latents]
    if len(block) == 1:
        column = [jac.status(t, block[0]) for t in range(g.m)]
        if "nonzero" in column:
            return "connected", None, {}
        return ("degenerate", None, {}) if all(st == "zero" for st in column) else ("open", None, {"reason": f"the column of {names[block[0]]} has no certified nonzero entry"})
    try:
        matroid = certified_matroid(oracle, range(g.m), block)
    except MinorUndecided as exc:
        return "open", None, {"reason": str(exc), "undecided_minor": exc.minor.to_json(col_names=names) if exc.minor else None}
    except TooManyMinors as exc:
        return "open", None, {"reason": str(exc)}
    if isinstance(matroid, CertifiedRank):
        return "degenerate", None, {}
    if matroid.connected is None:
        return "open", matroid, {"reason": "a circuit minor is undecided", "undecided_minor": matroid.undecided[0].to_json(col_names=names)}
    return ("connected" if matroid.connected else "split"), matroid, {}


def check_graph_certified(ctx: CheckContext, point: dict, reason: str = "") -> CheckResult:
    """:func:`check_graph_at` from certified minors, for a J that is not rational.

    See the module docstring; ``reason`` (why the rational path did not apply) is kept in
    the details.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory import Generator, Box
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> g = Generator("polar", [[s1], [s2]], [s1 * sp.cos(s2), s1 * sp.sin(s2)], Box({s1: (0, 2), s2: (0, 1)}))
    >>> r = check_graph_certified(CheckContext(g), {s1: sp.S(1), s2: sp.Rational(1, 4)})
    >>> r.verdict, r.details["c_matroid"], r.witness["output"], r.witness["full_rank_minor"]["method"]
    ('refuted', 2, 0, 'interval')
    """
    g = ctx.generator
    d = g.d
    names = [str(s) for s in g.latents]
    jac = ctx.jacobian_at(point)
    oracle = jacobian_oracle(ctx, jac)
    details: dict = {"reason": reason, "K": g.K, "c_matroid": None, "matroid_components": None, "finest_decomposition": None}
    details.update(_coordinate_details(ctx, jac))

    def unknown(method: str, **extra: object) -> CheckResult:
        return CheckResult("graph", "unknown", "point", method, details={**details, **extra}, point=point)

    disjoint = check_disjointness_at(ctx, point)
    if disjoint.verdict == "unknown":
        return unknown("not-rational", undecided="Type D at the point is undecided")
    if disjoint.verdict == "proved":
        states = [_factor_matroid(ctx, oracle, jac, k) for k in range(g.K)]
        kinds = [st for st, _, _ in states]
        if "degenerate" in kinds:
            return unknown("certified-minors", degenerate="rank")
        if "open" in kinds:
            return unknown("certified-minors", undecided={g.factor_names[k]: info for k, (st, _, info) in enumerate(states) if st == "open"})
        parts: list[frozenset[int]] | None = []
        for k, (_, m, _) in enumerate(states):
            if m is None:
                a = g.blocks[k][0]
                parts = None if parts is None or jac.undecided(a) else parts + [jac.support(a)]
            else:
                parts = None if parts is None or m.components is None else parts + list(m.components)
        if parts is not None:
            details["c_matroid"] = len(parts)
            details["matroid_components"] = sorted(sorted(c) for c in parts)
        if all(st == "connected" for st in kinds):
            details.update(c_matroid=g.K, c_sparsest_aligned=g.K, equals_partition=True)
            details["finest_decomposition"] = [[_unit(d, a) for a in block] for block in g.blocks]
            return CheckResult("graph", "proved", "point", "certified-minors", details=details, point=point)
        k = kinds.index("split")
        matroid = states[k][1]
        assert matroid is not None
        if not recheck_minors(ctx, point, matroid.certificate, matroid.rank.loops, g.blocks[k]):
            return unknown("certified-minors", undecided="the split's minors did not re-verify on the independent path")
        exact = all(m is None or m.components is not None for _, m, _ in states)
        if exact:
            details["c_matroid"] = sum(1 if m is None else len(m.components or []) for _, m, _ in states)
        details["equals_partition"] = False
        witness = {
            "point": dict(point),
            "factor": g.factor_names[k],
            "latents": [names[a] for a in g.blocks[k]],
            "components" if matroid.components is not None else "separators": [sorted(c) for c in (matroid.components or matroid.separators)],
            "certificate": [m.to_json(col_names=names) for m in matroid.certificate],
            "reason": "D holds, and the factor's row matroid is disconnected: the finest Type D decomposition splits it",
        }
        return CheckResult("graph", "refuted", "point", "certified-minors", witness=witness, details=details, point=point)
    # D fails: the finest decomposition is not the factor partition once J has full column rank
    try:
        if d <= MAX_MATROID_DIM:
            found = certified_matroid(oracle, range(g.m), range(d))
        elif d <= MAX_DET_DIM:
            found = certified_rank(oracle, range(g.m), range(d))
        else:
            return unknown("not-rational", undecided=f"the rank of a {g.m} x {d} J is certified up to {MAX_DET_DIM} columns")
    except (MinorUndecided, TooManyMinors) as exc:
        minor = getattr(exc, "minor", None)
        return unknown("certified-minors", undecided=str(exc), undecided_minor=minor.to_json(col_names=names) if minor else None)
    rk = found.rank if isinstance(found, CertifiedMatroid) else found
    if not rk.full_rank:
        return unknown("certified-minors", degenerate="rank")
    assert rk.basis_minor is not None
    if not recheck_minors(ctx, point, [rk.basis_minor]):
        return unknown("certified-minors", undecided="the full-rank minor did not re-verify on the independent path")
    if isinstance(found, CertifiedMatroid) and found.components is not None:
        details["c_matroid"] = len(found.components)
        details["matroid_components"] = [sorted(c) for c in found.components]
        if len(found.components) == 1:
            details["finest_decomposition"] = [[_unit(d, a) for a in range(d)]]
    details["equals_partition"] = False
    assert disjoint.witness is not None
    witness = dict(disjoint.witness)
    witness.update({"point": dict(point), "full_rank_minor": rk.basis_minor.to_json(col_names=names), "reason": "J has full column rank and D fails at the point"})
    if details["finest_decomposition"] is not None:
        witness["finest_decomposition"] = details["finest_decomposition"]
        witness["factor_of_each_part"] = [None]
    return CheckResult("graph", "refuted", "point", "certified-minors", witness=witness, details=details, point=point)


def summary(result: CheckResult) -> str:
    """Component counts of the matroid and of G_D in the two bases, and the finest decomposition."""
    d, w = result.details, result.witness
    if "c_matroid" not in d:
        return ""
    text = f"c(M(J)) = {d['c_matroid']}, coordinate basis {d['c_coordinates']}, sparsest aligned {d['c_sparsest_aligned']} components"
    if w and "factor_of_each_part" in w:
        return text + f"; finest decomposition per factor: {w['factor_of_each_part']}"
    if w and "factor" in w:
        return text + f"; factor {w['factor']} is D-reducible (certified minors)"
    if w:
        return text + "; D fails at full column rank (certified minors)"
    return text

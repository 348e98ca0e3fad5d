"""The graph G_D and the finest Type D decomposition at a point (docs/mathematics.md section 8).

For a basis ``U`` the vertices are its vectors, with an edge when the pixel supports of
``J u`` and ``J u'`` meet; ``c(U)`` counts its components.  For ``J`` of full column rank
``max_U c(U) = c(M(J))``, the number of components of the row matroid (loops removed),
attained exactly by the bases adapted to the finest Type D decomposition
``T_t = (sum of the other components' row spans)^perp``.  Criterion ``graph`` (scope
``point``) asks whether that finest decomposition is the factor partition (equivalently:
D at s and every block D-irreducible at s); ``details`` carry the component counts of the
coordinate basis and of the sparsest aligned basis, and ``c(M(J))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import networkx as nx

from theory.linalg.rational import QMatrix, nullspace, rank, support
from theory.linalg.matroid import row_matroid_components
from theory.result import CheckResult, point_json
from theory.linalg.rho import sparsest_basis
from theory.criteria.context import CheckContext

__all__ = ["gd_graph", "finest_decomposition", "check_graph_at"]


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
        return CheckResult("graph", "unknown", "point", "not-rational", details={"reason": reason}, point=point)
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


def summary(result: CheckResult) -> str:
    """Component counts of the matroid and of G_D in the two bases, and the finest decomposition."""
    d, w = result.details, result.witness
    if "c_matroid" not in d:
        return ""
    text = f"c(M(J)) = {d['c_matroid']}, coordinate basis {d['c_coordinates']}, sparsest aligned {d['c_sparsest_aligned']} components"
    return text + (f"; finest decomposition per factor: {w['factor_of_each_part']}" if w else "")

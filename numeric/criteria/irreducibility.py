"""Numeric irreducible:D: every factor's block of J is D-irreducible at every point.

The float counterpart of D-irreducibility in :mod:`theory.criteria.irreducibility`
(docs/mathematics.md sections 7.1-7.2), named by the registry record of
``irreducible:D`` (:mod:`theory.registry`; the other kinds have no numeric counterpart).
At each point the entries within tau are set to zero; the row matroid of each block is
then read exactly from the block snapped to rationals (:func:`numeric.criteria.snap_rational`)
or, failing that, by least squares with a relative tolerance.

Examples
--------
>>> J = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]], dtype=torch.float64)
>>> assess_irreducible_D(J, [[0, 1]]).holds.tolist()
[True]
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import torch

from numeric.criteria.assessment import Assessment, float_point_json, names_or_default, tolerance
from numeric.criteria.options import DEFAULT_C, IRREDUCIBLE_METHODS, NumericOptions
from numeric.criteria.snap import snap_rational
from numeric.generator import NeuralGenerator
from theory.registry import Which

__all__ = ["assess", "assess_irreducible_D", "DEFAULT_MAX_DENOMINATOR"]

#: Largest denominator of the irreducible:D snap unless the options name one.
DEFAULT_MAX_DENOMINATOR = 1000


def _exact_combination(basis: list[list[Fraction]], row: list[Fraction]) -> list[Fraction] | None:
    """``y`` with ``sum_b y_b basis[b] == row`` (exact), or ``None`` if ``row`` is outside the span."""
    r, k = len(basis), len(row)
    # augmented system: k equations, r unknowns
    M = [[basis[b][j] for b in range(r)] + [row[j]] for j in range(k)]
    pivots: list[int] = []
    rank = 0
    for col in range(r):
        pivot = next((i for i in range(rank, k) if M[i][col] != 0), None)
        if pivot is None:
            continue
        M[rank], M[pivot] = M[pivot], M[rank]
        inv = 1 / M[rank][col]
        M[rank] = [x * inv for x in M[rank]]
        for i in range(k):
            if i != rank and M[i][col] != 0:
                factor = M[i][col]
                M[i] = [x - factor * y for x, y in zip(M[i], M[rank])]
        pivots.append(col)
        rank += 1
    if any(M[i][r] != 0 for i in range(rank, k)):
        return None
    y = [Fraction(0)] * r
    for i, col in enumerate(pivots):
        y[col] = M[i][r]
    return y


def _components_exact(rows: list[list[Fraction]]) -> tuple[int, list[list[int]]]:
    """Rank and matroid components (over the given row indices) of exact rows (docs/mathematics.md 7.2)."""
    basis_idx: list[int] = []
    basis: list[list[Fraction]] = []
    edges: list[tuple[int, int]] = []
    pending = []
    for e, row in enumerate(rows):
        if basis and _exact_combination(basis, row) is not None:
            pending.append(e)
        else:
            basis_idx.append(e)
            basis.append(row)
    for e in pending:
        y = _exact_combination(basis, rows[e])
        assert y is not None
        edges += [(e, basis_idx[b]) for b, yb in enumerate(y) if yb != 0]
    return len(basis), _union_find(len(rows), edges)


def _components_float(rows: np.ndarray, rel_tol: float) -> tuple[int, list[list[int]]]:
    """Tolerance version of :func:`_components_exact` (least squares, relative thresholds)."""
    basis_idx: list[int] = []
    edges: list[tuple[int, int]] = []
    pending = []
    for e in range(rows.shape[0]):
        row = rows[e]
        if basis_idx:
            B = rows[basis_idx]
            y, *_ = np.linalg.lstsq(B.T, row, rcond=None)
            if np.linalg.norm(B.T @ y - row) <= rel_tol * np.linalg.norm(row):
                pending.append(e)
                continue
        basis_idx.append(e)
    B = rows[basis_idx] if basis_idx else rows[:0]
    norms = np.linalg.norm(B, axis=1) if basis_idx else np.zeros(0)
    for e in pending:
        y, *_ = np.linalg.lstsq(B.T, rows[e], rcond=None)
        weight = np.abs(y) * norms
        edges += [(e, basis_idx[b]) for b in range(len(basis_idx)) if weight[b] > rel_tol * np.linalg.norm(rows[e])]
    return len(basis_idx), _union_find(rows.shape[0], edges)


def _union_find(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[int, list[int]] = {}
    for x in range(n):
        groups.setdefault(root(x), []).append(x)
    return sorted(groups.values())


def assess_irreducible_D(
    J: torch.Tensor,
    blocks: Sequence[Sequence[int]],
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
    factor_names: Sequence[str] | None = None,
    method: str = "auto",
    max_denominator: int = DEFAULT_MAX_DENOMINATOR,
) -> Assessment:
    """D-irreducibility of every block at every point: the row matroid of ``J[:, block]``,
    restricted to its rows above tau, has full rank ``d_k`` and is connected (docs/mathematics.md 7.1-7.2).

    Parameters
    ----------
    J
        Jacobians ``[N, m, d]``.
    blocks
        The partition.
    c
        Tolerance factor (entries ``|x| <= tau`` are set to zero first).
    z, latent_names, factor_names
        For witnesses.
    method
        ``snap`` (snap the block to rationals with :func:`snap_rational`, then exact
        elimination), ``tolerance`` (least squares with relative tolerance
        ``c * eps * max(m, d_k)``), or ``auto`` (snap where every entry snaps within tau,
        else tolerance).  The method used at each point is in ``details``.
    max_denominator
        For snapping.

    Returns
    -------
    Assessment
        A rank-deficient block fails, with ``degenerate: "rank"`` in the witness (the exact
        layer reports such a point as degenerate rather than reducible).

    Examples
    --------
    >>> J = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]], dtype=torch.float64)
    >>> assess_irreducible_D(J, [[0, 1], [2]]).holds.tolist()
    [True]
    >>> J2 = torch.tensor([[[1.0, 1.0, 0.0], [1.0, -1.0, 0.0], [0.0, 0.0, 1.0]]], dtype=torch.float64)
    >>> assess_irreducible_D(J2, [[0, 1], [2]]).witnesses[0]["components"]
    [[0], [1]]
    """
    if method not in IRREDUCIBLE_METHODS:
        raise ValueError(f"unknown method {method!r} ({', '.join(IRREDUCIBLE_METHODS)})")
    N, m, d = J.shape
    names = names_or_default(latent_names, d)
    fnames = list(factor_names) if factor_names is not None else [f"f{k + 1}" for k in range(len(blocks))]
    tau = tolerance(J, c)
    eps = torch.finfo(J.dtype).eps
    Jd = J.detach().cpu().to(torch.float64)
    holds = torch.ones(N, dtype=torch.bool)
    witnesses: list[dict[str, Any] | None] = [None] * N
    used: list[str] = []
    finite = torch.isfinite(tau.detach().cpu()) & torch.isfinite(Jd).reshape(N, -1).all(dim=1)
    for i in range(N):
        if not bool(finite[i]):  # NaN or infinite entries decide nothing (counted neither way: Assessment.decided_points)
            used.append("non-finite")
            continue
        t_i = float(tau[i])
        Ji = Jd[i].numpy().copy()
        Ji[np.abs(Ji) <= t_i] = 0.0
        top = float(np.abs(Ji).max()) if Ji.size else 0.0
        relative = t_i / top if top > 0 and np.isfinite(top) else None  # c eps: the entries' relative precision
        snapped = snap_rational(Ji, max_denominator, tol=t_i, relative=relative) if method in ("auto", "snap") else None
        how = "snap-rational" if snapped is not None and (snapped.ok or method == "snap") else "tolerance-rank"
        used.append(how)
        for k, block in enumerate(blocks):
            cols = list(block)
            live = [t for t in range(m) if np.any(Ji[t, cols] != 0)]
            if how == "snap-rational":
                rows = [[snapped.values[t, a] for a in cols] for t in live]
                rank, comps = _components_exact(rows)
            else:
                rank, comps = _components_float(Ji[np.ix_(live, cols)], c * eps * max(m, len(cols)))
            comps = [[live[e] for e in comp] for comp in comps]
            if rank < len(cols) or len(comps) != 1:
                holds[i] = False
                witnesses[i] = {
                    "point": float_point_json(z, i, names),
                    "factor": fnames[k],
                    "latents": [names[a] for a in cols],
                    "rank": rank,
                    "components": comps,
                    "tolerance": t_i,
                }
                if rank < len(cols):
                    witnesses[i]["degenerate"] = "rank"
                break
    labels = [(a,) for a in range(d)]
    details = {"methods": {h: used.count(h) for h in sorted(set(used))}}
    return Assessment("irreducible:D", "matroid-components", holds.to(J.device), tau, J.detach(), labels, witnesses, c, eps, details)


def assess(g: NeuralGenerator, z: torch.Tensor, J: torch.Tensor, which: Which, options: NumericOptions) -> Assessment:
    """irreducible:D on the points ``z`` of ``g`` from their Jacobians ``J`` (the registry's entry point).

    Parameters
    ----------
    g, z, J, which
        The generator (blocks, latent and factor names), the points ``[N, d]``, the
        Jacobians ``[N, m, d]`` there, and ``irreducible:D``.
    options
        ``c``, ``irreducible_method`` and ``max_denominator`` (default
        :data:`DEFAULT_MAX_DENOMINATOR`).

    Examples
    --------
    >>> from numeric.derivatives import jacobian
    >>> from theory.registry import lookup
    >>> f = lambda z: torch.stack([z[..., 0] + z[..., 1], z[..., 0] - z[..., 1], z[..., 2]], -1)
    >>> g = NeuralGenerator(f, [[0, 1], [2]], 3, dtype=torch.float64)
    >>> z = g.sample(2, seed=0)
    >>> assess(g, z, jacobian(g, z), lookup("irreducible:D"), NumericOptions()).holds.tolist()
    [False, False]
    """
    max_denominator = DEFAULT_MAX_DENOMINATOR if options.max_denominator is None else options.max_denominator
    return assess_irreducible_D(J, g.blocks, options.c, z, g.latent_names, g.factor_names, options.irreducible_method, max_denominator)

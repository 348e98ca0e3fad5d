"""Numeric Type S (the sparsity gap): rho+ < rho- of the snapped Jacobian at every point.

The float counterpart of :mod:`theory.criteria.sparsity_gap` (docs/mathematics.md sections
5 and 15.2), named by the registry record of ``S`` (:mod:`theory.registry`).  Type S is
pointwise: at each point the entries within tau are set to zero, the rest are snapped to
small-denominator rationals (:func:`numeric.criteria.snap_jacobian`, denominators up to
:func:`numeric.criteria.s_max_denominator`), and the exact algorithm
:func:`theory.linalg.rho.sparsity` computes rho+, rho-, rho* of the snapped matrix within a
per-point budget.  A point holds when ``rho+ < rho-`` (``strict``; ``rho+ <= rho-`` under
``non-strict``).  A point whose rho the budget left undecided counts neither way
(``details["points_undecided"]``).  Snapped values are float evidence made exact: rho of
the snapped matrix is still a numeric figure, never a proof.

Examples
--------
>>> J = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [0.0, 0.75]]], dtype=torch.float64)
>>> assess_S(J, [[0], [1]]).holds.tolist()
[True]
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import torch

from numeric.criteria.assessment import Assessment, float_point_json, names_or_default, tolerance
from numeric.criteria.options import DEFAULT_C, DEFAULT_S_BUDGET, NumericOptions
from numeric.criteria.snap import S_SNAPS, s_max_denominator, snap_jacobian
from numeric.generator import NeuralGenerator
from theory.errors import InputError
from theory.linalg.rho import basis_weight, mixes, sparsity
from theory.readings import ENGINES, S_READINGS
from theory.registry import Which

__all__ = ["assess", "assess_S", "S_RULE"]

#: The tolerance rule of Type S.
S_RULE = "tau = c * eps(dtype) * max|J|, per point; entries within tau are set to zero, the rest snapped to rationals"


def assess_S(
    J: torch.Tensor,
    blocks: Sequence[Sequence[int]],
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
    reading: str = "strict",
    max_denominator: int | None = None,
    budget: float | None = DEFAULT_S_BUDGET,
    engine: str = "auto",
    seed: int = 0,
    total_budget: float | None = None,
) -> Assessment:
    """Type S at every point: rho+ < rho- (``strict``) of the snapped Jacobian (docs/mathematics.md 5, 15.2).

    Parameters
    ----------
    J
        Jacobians ``[N, m, d]``.
    blocks
        The partition.
    c
        Tolerance factor: entries ``|x| <= tau`` are zero (:func:`snap_jacobian`).
    z, latent_names
        For witnesses and the per-point details.
    reading
        ``strict`` (rho+ < rho-, the default) or ``non-strict`` (rho+ <= rho-: ties hold).
    max_denominator
        For snapping; default :func:`s_max_denominator` of ``J``'s dtype and ``c``.
    budget
        Seconds the exact rho algorithm may spend at each point (``None``: no limit).
    engine
        Engine of :func:`theory.linalg.rho.sparsity`: ``auto``, ``matroid`` or ``z3``.
    seed
        Seed of the witness bases.
    total_budget
        Seconds over all the points (``None``: no limit): each point gets at most what is
        left, and points reached after it ran out are undecided.

    Returns
    -------
    Assessment
        ``details["points"]`` holds, per point, ``rho_plus``, ``rho_minus``, ``rho_star``,
        ``block_rho``, ``coordinate_l0``, ``tie``, ``snap``, ``snap_error``, ``status``
        (``exact``, or ``bounds`` past the budget), ``verdict`` (``holds-numerically``,
        ``fails-numerically`` or ``undecided``) and the point's ``margin``.  ``decided`` is
        ``False`` where the budget left the comparison open.  A failing point's witness is
        the misaligned basis (columns as ``p/q`` strings) whose weight on the snapped matrix
        does not exceed rho+.

    Examples
    --------
    >>> J = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [0.75, 0.75]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.75]]], dtype=torch.float64)
    >>> a = assess_S(J, [[0], [1]])
    >>> a.holds.tolist(), [(p["rho_plus"], p["rho_minus"]) for p in a.details["points"]]
    ([False, True], [(4, 4), (3, 4)])
    >>> assess_S(J, [[0], [1]], reading="non-strict").holds.tolist()
    [True, True]
    """
    if reading not in S_READINGS:
        raise ValueError(f"unknown Type S reading {reading!r} (choose from {', '.join(S_READINGS)})")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if budget is not None and not budget > 0:
        raise ValueError(f"the per-point budget must be positive, got {budget}")
    N, m, d = J.shape
    names = names_or_default(latent_names, d)
    if max_denominator is None:
        max_denominator = s_max_denominator(J.dtype, c)
    part = [list(b) for b in blocks]
    tau = tolerance(J, c)
    eps = torch.finfo(J.dtype).eps
    Jd = J.detach().cpu().to(torch.float64).numpy()
    holds = torch.zeros(N, dtype=torch.bool)
    decided = torch.zeros(N, dtype=torch.bool)
    witnesses: list[dict[str, Any] | None] = [None] * N
    points: list[dict[str, Any]] = []
    started = time.perf_counter()
    for i in range(N):
        left = None if total_budget is None else total_budget - (time.perf_counter() - started)
        if left is not None and left <= 0:
            rec = {"point": float_point_json(z, i, names)} if z is not None else {}
            rec.update(snap=None, snap_error=None, verdict="undecided", note="the check's total budget ran out before this point")
            points.append(rec)
            continue
        point_budget = left if budget is None else (budget if left is None else min(budget, left))
        t_i = float(tau[i])
        snapped = snap_jacobian(Jd[i], t_i, max_denominator)
        rec: dict[str, Any] = {}
        if z is not None:
            rec["point"] = float_point_json(z, i, names)
        rec.update(snap=snapped.snap, snap_error=snapped.max_error)
        if not snapped.finite:
            rec.update(verdict="undecided", note="a Jacobian entry is NaN or infinite")
            points.append(rec)
            continue
        res = sparsity(snapped.values, part, engine=engine, budget=point_budget, seed=seed)
        verdict = res.type_s(reading)
        if verdict is False and res.misaligned_basis is None:  # as the exact criterion: no witness, no failure
            verdict = None
        rec.update(
            rho_plus=res.rho_plus,
            rho_minus=res.rho_minus,
            rho_star=res.rho_star,
            block_rho=res.block_rho,
            coordinate_l0=res.coordinate_l0,
            tie=res.tie,
            status=res.status,
            engine=res.engine,
        )
        if res.status != "exact":
            rec["bounds"] = res.bounds
        if verdict is None:
            rec["verdict"] = "undecided"
        else:
            decided[i] = True
            holds[i] = bool(verdict)
            rec["verdict"] = "holds-numerically" if verdict else "fails-numerically"
        if verdict is False:
            basis = res.misaligned_basis
            assert basis is not None
            weight = basis_weight(snapped.values, basis)
            rho_plus = res.rho_plus if res.rho_plus is not None else res.bounds.get("rho_plus", [None])[0]
            witnesses[i] = {
                "point": float_point_json(z, i, names),
                "basis": [[str(x) for x in v] for v in basis],
                "weight": weight,
                "mixing": [k for k, u in enumerate(basis) if mixes(u, part)],
                "rho_plus": rho_plus,
                "rho_minus": res.rho_minus,
                "gap": None if rho_plus is None else rho_plus - weight,
                "snap": snapped.snap,
                "tolerance": t_i,
            }
        points.append(rec)
    labels = [(a,) for a in range(d)]
    snaps = [p["snap"] for p in points]
    details: dict[str, Any] = {
        "readings": {"s-strict": reading, "rho-plus": "pointwise"},
        "engine": engine,
        "budget_seconds": budget,
        "max_denominator": max_denominator,
        "snaps": {h: snaps.count(h) for h in S_SNAPS if h in snaps},
        "points_undecided": int((~decided).sum()),
        "points": points,
    }
    a = Assessment("S", "snap-sparsity", holds.to(J.device), tau, J.detach(), labels, witnesses, c, eps, details, decided.to(J.device), rule=S_RULE)
    for i, rec in enumerate(points):
        rec["margin"] = a.margin(i)
    return a


def assess(g: NeuralGenerator, z: torch.Tensor, J: torch.Tensor, which: Which, options: NumericOptions) -> Assessment:
    """Type S on the points ``z`` of ``g`` from their Jacobians ``J`` (the registry's entry point).

    Parameters
    ----------
    g, z, J, which
        The generator, the points ``[N, d]``, the Jacobians ``[N, m, d]`` there, and ``S``.
    options
        ``c``, ``max_denominator``, ``s_budget``, ``s_engine``, ``seed`` (of the witness
        bases) and the Type S reading ``options.readings.s``;
        ``options.readings.rho_plus`` must be ``pointwise`` (the only rho+ computed numerically).

    Raises
    ------
    theory.errors.InputError
        For another rho+ reading.

    Examples
    --------
    >>> from numeric.derivatives import jacobian
    >>> from theory.readings import Readings
    >>> from theory.registry import lookup
    >>> f = lambda z: torch.stack([z[..., 0], z[..., 1], z[..., 0] ** 3 + z[..., 1] ** 3], -1)
    >>> g = NeuralGenerator(f, [[0], [1]], 2, dtype=torch.float64)
    >>> z = torch.tensor([[0.5, 0.5]], dtype=torch.float64)
    >>> [assess(g, z, jacobian(g, z), lookup("S"), NumericOptions(readings=Readings(s=s))).holds.tolist() for s in ("strict", "non-strict")]
    [[False], [True]]
    """
    if options.readings.rho_plus != "pointwise":
        raise InputError(f"numeric Type S computes rho+ pointwise only, not under rho_plus={options.readings.rho_plus!r}")
    return assess_S(
        J, g.blocks, options.c, z, g.latent_names, options.readings.s, options.max_denominator, options.s_budget, options.s_engine, options.seed,
        options.s_total_budget,
    )

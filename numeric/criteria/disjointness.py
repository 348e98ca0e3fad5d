"""Numeric Type D (disjoint Jacobian supports): no row of J has entries above tau in two blocks.

The float counterpart of :mod:`theory.criteria.disjointness` (docs/mathematics.md section 3),
named by the registry record of ``D`` (:mod:`theory.registry`).

Examples
--------
>>> J = torch.tensor([[[1.0, 0.0], [0.0, 2.0]]], dtype=torch.float64)
>>> assess_D(J, [[0], [1]]).holds.tolist()
[True]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from numeric.criteria.assessment import Assessment, float_point_json, names_or_default, tolerance
from numeric.criteria.options import DEFAULT_C, NumericOptions
from numeric.generator import NeuralGenerator
from theory.registry import Which

__all__ = ["assess", "assess_D"]


def assess_D(
    J: torch.Tensor,
    blocks: Sequence[Sequence[int]],
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
) -> Assessment:
    """Type D at every point: no row of J has entries above tau in two blocks.

    Parameters
    ----------
    J
        Jacobians ``[N, m, d]``.
    blocks
        The partition.
    c
        Tolerance factor.
    z, latent_names
        The points and names, for witnesses.

    Returns
    -------
    Assessment
        The witness at a failing point is the row and cross pair with the largest
        ``min(|J_ta|, |J_tb|) / tau``.

    Examples
    --------
    >>> J = torch.tensor([[[1.0, 0.0], [0.0, 2.0]], [[1.0, 1.0], [0.0, 2.0]]], dtype=torch.float64)
    >>> assess_D(J, [[0], [1]]).holds.tolist()
    [True, False]
    """
    N, m, d = J.shape
    names = names_or_default(latent_names, d)
    tau = tolerance(J, c)
    A = J.detach().abs()
    K = len(blocks)
    rowmax = torch.stack([A[:, :, list(b)].amax(dim=2) for b in blocks], dim=2) if K else A[:, :, :0]  # [N, m, K]
    argmax = torch.stack([torch.as_tensor(list(b), device=J.device)[A[:, :, list(b)].argmax(dim=2)] for b in blocks], dim=2) if K else None
    active = rowmax > tau[:, None, None]
    fails = active.sum(dim=2) >= 2  # [N, m]
    holds = ~fails.any(dim=1)
    witnesses: list[dict[str, Any] | None] = [None] * N
    if K >= 2 and (~holds).any():
        top2 = rowmax.topk(2, dim=2)
        strength = top2.values[:, :, 1] / torch.clamp(tau[:, None], min=torch.finfo(J.dtype).tiny)
        for i in torch.nonzero(~holds).flatten().tolist():
            t = int(strength[i].argmax())
            ka, kb = sorted(top2.indices[i, t].tolist())
            a, b = int(argmax[i, t, ka]), int(argmax[i, t, kb])
            witnesses[i] = {
                "point": float_point_json(z, i, names),
                "output": t,
                "latents": [names[a], names[b]],
                "values": [float(J[i, t, a]), float(J[i, t, b])],
                "tolerance": float(tau[i]),
            }
    labels = [(a,) for a in range(d)]
    return Assessment("D", "jacfwd", holds, tau, J.detach(), labels, witnesses, c, torch.finfo(J.dtype).eps)


def assess(g: NeuralGenerator, z: torch.Tensor, J: torch.Tensor, which: Which, options: NumericOptions) -> Assessment:
    """Type D on the points ``z`` of ``g`` from their Jacobians ``J`` (the registry's entry point).

    Parameters
    ----------
    g
        The generator (its blocks and latent names).
    z
        Points ``[N, d]``.
    J
        Jacobians at ``z``, ``[N, m, d]``.
    which
        ``D`` (:func:`theory.registry.lookup`).
    options
        ``options.c`` is the tolerance factor.

    Examples
    --------
    >>> from numeric.derivatives import jacobian
    >>> from theory.registry import lookup
    >>> g = NeuralGenerator(lambda z: torch.sin(z), [[0], [1]], 2, dtype=torch.float64)
    >>> z = g.sample(4, seed=0)
    >>> assess(g, z, jacobian(g, z), lookup("D"), NumericOptions()).holds.tolist()
    [True, True, True, True]
    """
    return assess_D(J, g.blocks, options.c, z, g.latent_names)

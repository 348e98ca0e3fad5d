"""Numeric Type M in the coordinate basis: no factor's column support contains another's.

The float counterpart of :mod:`theory.criteria.containment` (docs/mathematics.md section 4),
named by the registry record of ``M`` (:mod:`theory.registry`).  Supports are the
entries above tau; only the ``coordinates`` basis is computed numerically.

Examples
--------
>>> J = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]], dtype=torch.float64)
>>> assess_M(J, [[0], [1]]).holds.tolist()
[True]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from numeric.criteria.assessment import Assessment, block_index, float_point_json, names_or_default, tolerance
from numeric.criteria.options import DEFAULT_C, NumericOptions
from numeric.generator import NeuralGenerator
from theory.errors import InputError
from theory.registry import Which

__all__ = ["assess", "assess_M"]


def assess_M(
    J: torch.Tensor,
    blocks: Sequence[Sequence[int]],
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
) -> Assessment:
    """Type M (coordinate basis) at every point: for latents ``a, b`` in different blocks,
    the support of column ``a`` (entries above tau) is not contained in that of ``b``.
    An empty column is contained in everything, so it violates M.

    Examples
    --------
    >>> J = torch.tensor([[[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]], [[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]], dtype=torch.float64)
    >>> assess_M(J, [[0], [1]]).holds.tolist()
    [False, True]
    """
    N, m, d = J.shape
    names = names_or_default(latent_names, d)
    tau = tolerance(J, c)
    S = (J.detach().abs() > tau[:, None, None]).to(torch.float64)  # [N, m, d]
    outside = torch.einsum("nta,ntb->nab", S, 1 - S)  # rows in supp a but not in supp b
    contained = outside == 0  # [N, a, b]
    block_of = block_index(blocks, d)
    cross = torch.tensor([[block_of[a] != block_of[b] for b in range(d)] for a in range(d)], device=J.device)
    bad = contained & cross
    holds = ~bad.reshape(N, -1).any(dim=1)
    witnesses: list[dict[str, Any] | None] = [None] * N
    for i in torch.nonzero(~holds).flatten().tolist():
        a, b = [int(x) for x in torch.nonzero(bad[i])[0].tolist()]
        witnesses[i] = {
            "point": float_point_json(z, i, names),
            "latents": [names[a], names[b]],
            "supports": {names[a]: torch.nonzero(S[i, :, a]).flatten().tolist(), names[b]: torch.nonzero(S[i, :, b]).flatten().tolist()},
            "contained": f"supp d{names[a]} is contained in supp d{names[b]}",
            "tolerance": float(tau[i]),
        }
    labels = [(a,) for a in range(d)]
    return Assessment("M", "jacfwd", holds, tau, J.detach(), labels, witnesses, c, torch.finfo(J.dtype).eps, {"m-basis": "coordinates"})


def assess(g: NeuralGenerator, z: torch.Tensor, J: torch.Tensor, which: Which, options: NumericOptions) -> Assessment:
    """Type M on the points ``z`` of ``g`` from their Jacobians ``J`` (the registry's entry point).

    Parameters
    ----------
    g, z, J, which
        The generator, the points ``[N, d]``, the Jacobians ``[N, m, d]`` there, and ``M``.
    options
        ``options.c`` is the tolerance factor; ``options.readings.m_basis`` must be
        ``coordinates`` (the only basis the numeric layer computes).

    Raises
    ------
    theory.errors.InputError
        For another basis reading.

    Examples
    --------
    >>> from numeric.derivatives import jacobian
    >>> from theory.registry import lookup
    >>> g = NeuralGenerator(lambda z: torch.stack([z[..., 0] + z[..., 1], z[..., 0]], -1), [[0], [1]], 2, dtype=torch.float64)
    >>> z = g.sample(2, seed=0)
    >>> assess(g, z, jacobian(g, z), lookup("M"), NumericOptions()).holds.tolist()
    [False, False]
    """
    if options.readings.m_basis != "coordinates":
        raise InputError(f"numeric Type M is computed in the coordinate basis only, not under m_basis={options.readings.m_basis!r}")
    return assess_M(J, g.blocks, options.c, z, g.latent_names)

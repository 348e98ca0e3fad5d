"""Numeric Type H_n: the cross-block n-th derivatives vanish (within tau) at every point.

The float counterpart of :mod:`theory.criteria.cross_derivatives` (docs/mathematics.md
section 6), named by the registry record of the ``Hn`` family (:mod:`theory.registry`;
``which.n`` is the order).  Two ways to read the derivatives: every cross entry by nested
``jacfwd`` (:func:`assess_Hn`), or the randomized nested-``jvp`` probe
(:func:`assess_Hn_probe`, docs/mathematics.md section 6.3); :func:`uses_probe` picks one.
The scale of tau includes max|J| and generic order-n probes, because the cross entries
alone are all rounding noise when they vanish exactly.

Examples
--------
>>> uses_probe("auto", [[0, 1], [2, 3]], 4, 2), uses_probe("auto", [[0, 1], [2, 3]], 4, 6)
(False, True)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import torch

from numeric.criteria.assessment import Assessment, float_point_json, names_or_default, tolerance
from numeric.criteria.options import DEFAULT_C, NumericOptions
from numeric.derivatives import BlockProbes, CrossDerivatives, block_probes, cross_derivatives
from numeric.generator import NeuralGenerator
from theory.registry import Which

__all__ = ["assess", "assess_Hn", "assess_Hn_probe", "uses_probe", "HN_RULE", "ENTRY_PASSES"]

#: The tolerance rule of H_n.
HN_RULE = "tau = c * eps(dtype) * max(max|J|, max|order-n entries|, max|generic order-n probes|), per point"

#: ``auto`` computes every cross entry while the directional passes number at most this many.
ENTRY_PASSES = 512


def assess_Hn(
    J: torch.Tensor,
    cross: CrossDerivatives,
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
    scale: Sequence[torch.Tensor] = (),
) -> Assessment:
    """Type H_n at every point from the cross entries (:func:`~numeric.derivatives.cross_derivatives`).

    Parameters
    ----------
    J
        Jacobians ``[N, m, d]`` (part of the scale of tau).
    cross
        The order-n cross entries.
    c
        Tolerance factor.
    z, latent_names
        For witnesses.
    scale
        More per-point tensors joining the scale (e.g. generic order-n probes).

    Examples
    --------
    >>> from numeric.derivatives import cross_derivatives, jacobian
    >>> f = lambda zz: torch.stack([zz[..., 0], zz[..., 1], zz[..., 0] * zz[..., 1]], dim=-1)
    >>> z = torch.tensor([[0.5, 0.5]], dtype=torch.float64)
    >>> assess_Hn(jacobian(f, z), cross_derivatives(f, z, [[0], [1]], 2)).witnesses[0]["multi_index"]
    ['z1', 'z2']
    """
    N, m, d = J.shape
    names = names_or_default(latent_names, d)
    values = cross.values.detach()
    tau = tolerance(J, c, [values, *scale])
    A = values.abs()
    over = A > tau[:, None, None]
    holds = ~over.reshape(N, -1).any(dim=1) if values.numel() else torch.ones(N, dtype=torch.bool, device=J.device)
    witnesses: list[dict[str, Any] | None] = [None] * N
    for i in torch.nonzero(~holds).flatten().tolist():
        flat = int(A[i].argmax())
        t, e = divmod(flat, A.shape[2])
        witnesses[i] = {
            "point": float_point_json(z, i, names),
            "output": t,
            "multi_index": [names[a] for a in cross.multi_indices[e]],
            "value": float(values[i, t, e]),
            "tolerance": float(tau[i]),
        }
    details = {"reading": cross.reading, "entries": len(cross.multi_indices)}
    return Assessment(f"H{cross.n}", "nested-jacfwd", holds, tau, values, list(cross.multi_indices), witnesses, c, torch.finfo(J.dtype).eps, details, rule=HN_RULE)


def assess_Hn_probe(
    J: torch.Tensor,
    n: int,
    probes: BlockProbes,
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
    reading: str = "block-diagonal",
) -> Assessment:
    """Type H_n at every point from randomized probes (:func:`~numeric.derivatives.block_probes`).

    Examples
    --------
    >>> from numeric.derivatives import block_probes, jacobian
    >>> f = lambda zz: torch.stack([zz[..., 0], zz[..., 1], zz[..., 0] * zz[..., 1]], dim=-1)
    >>> z = torch.tensor([[0.5, 0.5]], dtype=torch.float64)
    >>> assess_Hn_probe(jacobian(f, z), 2, block_probes(f, z, [[0], [1]], 2, seed=0)).holds.tolist()
    [False]
    """
    N, m, d = J.shape
    names = names_or_default(latent_names, d)
    values = probes.values.detach().transpose(1, 2)  # [N, m, P]
    tau = tolerance(J, c, [values, probes.generic])
    A = values.abs()
    over = A > tau[:, None, None]
    holds = ~over.reshape(N, -1).any(dim=1) if values.numel() else torch.ones(N, dtype=torch.bool, device=J.device)
    witnesses: list[dict[str, Any] | None] = [None] * N
    for i in torch.nonzero(~holds).flatten().tolist():
        flat = int(A[i].argmax())
        t, p = divmod(flat, A.shape[2])
        bi, bj = probes.pairs[p]
        witnesses[i] = {
            "point": float_point_json(z, i, names),
            "output": t,
            "blocks": [bi, bj],
            "directions": probes.directions[p].tolist(),
            "value": float(values[i, t, p]),
            "tolerance": float(tau[i]),
        }
    labels = [("probe", i, j, p) for p, (i, j) in enumerate(probes.pairs)]
    details = {"reading": reading, "probes": len(probes.pairs), "seed": probes.seed}
    return Assessment(f"H{n}", "jvp-probe", holds, tau, values, labels, witnesses, c, torch.finfo(J.dtype).eps, details, rule=HN_RULE)


def uses_probe(method: str, blocks: Sequence[Sequence[int]], d: int, n: int) -> bool:
    """Whether H_n of order ``n`` is read by the probe rather than by every cross entry.

    ``probe`` and ``entries`` decide by themselves; ``auto`` takes the entries for n = 2 and
    while the directional passes ``sum_{i<j} d_i d_j d^(n-2)`` number at most
    :data:`ENTRY_PASSES`, else the probe.

    Examples
    --------
    >>> uses_probe("entries", [[0], [1]], 2, 9), uses_probe("probe", [[0], [1]], 2, 2)
    (False, True)
    """
    if method != "auto":
        return method == "probe"
    sizes = [len(b) for b in blocks]
    passes = sum(sizes[i] * sizes[j] for i, j in itertools.combinations(range(len(sizes)), 2)) * d ** (n - 2)
    return n > 2 and passes > ENTRY_PASSES


def assess(g: NeuralGenerator, z: torch.Tensor, J: torch.Tensor, which: Which, options: NumericOptions) -> Assessment:
    """Type H_n, ``n = which.n``, on the points ``z`` of ``g`` (the registry's entry point).

    Parameters
    ----------
    g, z, J
        The generator, the points ``[N, d]`` and the Jacobians ``[N, m, d]`` there.
    which
        ``H2``, ``H3``, ... (:func:`theory.registry.lookup`).
    options
        ``c``, ``chunk_size``, ``hn_method`` (:func:`uses_probe`), ``probes`` and ``seed``
        of the probe directions, and the H_n reading ``options.readings.hn``.

    Examples
    --------
    >>> from numeric.derivatives import jacobian
    >>> from theory.registry import lookup
    >>> f = lambda z: torch.stack([z[..., 0], z[..., 1], z[..., 0] ** 2 * z[..., 1]], -1)
    >>> g = NeuralGenerator(f, [[0], [1]], 2, dtype=torch.float64)
    >>> z = g.sample(2, seed=0)
    >>> [assess(g, z, jacobian(g, z), lookup(h), NumericOptions()).holds.tolist() for h in ("H3", "H4")]
    [[False, False], [True, True]]
    """
    n = which.n
    if n is None:
        raise ValueError(f"{which.id} is not a member of the H_n family")
    reading = options.readings.hn
    if uses_probe(options.hn_method, g.blocks, g.d, n):
        bp = block_probes(g, z, g.blocks, n, probes=options.probes, seed=options.seed, reading=reading, chunk_size=options.chunk_size)
        a = assess_Hn_probe(J, n, bp, options.c, z, g.latent_names, reading)
    else:
        cd = cross_derivatives(g, z, g.blocks, n, min(options.chunk_size, 1024), reading)
        generic = block_probes(g, z, g.blocks, n, probes=0, seed=options.seed, generic=2, chunk_size=options.chunk_size).generic
        a = assess_Hn(J, cd, options.c, z, g.latent_names, [generic])
    if piecewise_linear_module(g.f):
        a.details["note"] = (
            "g is a piecewise-linear network (Linear layers and ReLU/LeakyReLU): every derivative of order >= 2 is 0 "
            "wherever it exists, so H_n holds at almost every point and says nothing about the kinks"
        )
    return a


#: Layers of a piecewise-linear network: affine maps and piecewise-linear activations.
_PIECEWISE_LINEAR_LAYERS = (torch.nn.Linear, torch.nn.ReLU, torch.nn.LeakyReLU, torch.nn.Identity, torch.nn.Flatten)


def piecewise_linear_module(f: object) -> bool:
    """Whether ``f`` is a ``torch.nn.Sequential`` of affine layers and piecewise-linear activations
    only, or a module that says so (``piecewise_linear = True``: the experiment's LeakyReLU MLP).

    >>> piecewise_linear_module(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.LeakyReLU(), torch.nn.Linear(3, 4)))
    True
    >>> piecewise_linear_module(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh()))
    False
    """
    if getattr(f, "piecewise_linear", False) is True:
        return True
    return isinstance(f, torch.nn.Sequential) and all(isinstance(layer, _PIECEWISE_LINEAR_LAYERS) for layer in f)

"""The Mechanistic Identifiability Score (MIS): how slot-wise the map from true to inferred latents is.

Given the ground-truth generator ``g`` (true latents ``z`` -> observations) and a trained encoder
``f`` (observations -> inferred latents), the model identified the slots when
``h = f o g`` is slot-wise: every inferred slot is a function of one true slot only, that is
the Jacobian ``Dh(z)`` is block diagonal up to a permutation of the slots.  The score measures
exactly that, from Jacobians, at sample points ``z_1 .. z_N``:

1. partition ``Dh(z_p)`` (inferred latents x true latents) into ``K x K`` slot blocks and let
   ``E[p, i, j] = ||block_ij||_F^2 / ||Dh(z_p)||_F^2`` (inferred slot ``i``, true slot ``j``);
2. choose the slot permutation ``pi`` maximising ``sum_p sum_j E[p, pi(j), j]`` (the energy
   fractions aggregated over the points, then ``scipy.optimize.linear_sum_assignment``);
3. the per-point matched fraction is ``frac_p = sum_j E[p, pi(j), j]`` and the per-point score
   ``(frac_p - 1/K) / (1 - 1/K)``;
4. ``MIS`` = the mean per-point score: 1 for a slot-wise map, 0 for a map that spreads its
   energy evenly over the blocks.  The aggregate is never below 0 (the average over all
   permutations of the matched fraction is ``1/K``); single points can be.  A random rotation
   spreads its energy evenly only on average: choosing the best of the ``K!`` matchings leaves
   MIS around 0.1-0.2 for 6 to 12 latents (measured over 30 Haar rotations: mean 0.16 for
   K = 2 x 3 latents, 0.15 for 3 x 3, 0.13 for 4 x 3), less when the Jacobian varies between
   the points.

**No regression, no density.**  Unlike the Slot Identifiability Score
(:mod:`numeric.experiment.sis`), which regresses every true slot on every inferred slot and so
measures statistical predictability, MIS fits nothing.  At each point its value depends only on
``f`` and ``g`` (the derivative of ``f o g`` there), never on the latent density; the density
enters only through the choice of evaluation points.  With dependent latents a perfect slot-wise
model keeps MIS = 1, while SIS's "best unmatched" R^2 picks up the correlation between the true
slots and lowers the score (``tests/numeric/test_mechanistic_score.py`` measures both).

Examples
--------
>>> import torch
>>> swap = lambda z: torch.cat([z[..., 2:], torch.tanh(z[..., :2])], dim=-1)   # slot-wise, slots swapped
>>> res = mechanistic_identifiability_score(swap, torch.randn(50, 4, dtype=torch.float64), num_slots=2)
>>> round(res.mis, 6), res.permutation.tolist()
(1.0, [1, 0])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from torch import Tensor

__all__ = ["MISResult", "mechanistic_identifiability_score", "slot_energy", "model_mis", "jacobians"]


@dataclass(frozen=True)
class MISResult:
    """The score and what it was computed from.

    Attributes
    ----------
    mis
        The Mechanistic Identifiability Score (mean of ``per_point``): 1 for a slot-wise map.
    per_point
        ``(N,)`` per-point scores ``(frac_p - 1/K) / (1 - 1/K)``.
    permutation
        ``permutation[j]`` is the inferred slot matched to true slot ``j``.
    energy
        ``(K, K)`` mean energy fractions over the points, rows inferred slots, columns true slots.
    """

    mis: float
    per_point: np.ndarray
    permutation: np.ndarray
    energy: np.ndarray


def jacobians(h: Callable[[Tensor], Tensor], z: Tensor, forward: bool = True) -> Tensor:
    """``Dh`` at every row of ``z``: ``(N, out_dim, in_dim)`` (``torch.func`` with ``vmap``).

    Parameters
    ----------
    h
        A torch function of one point ``(in_dim,)`` (it is vmapped over the rows of ``z``).
    z
        ``(N, in_dim)`` points.
    forward
        Forward mode (``jacfwd``, cheaper when ``in_dim`` is small) or reverse mode (``jacrev``).

    Examples
    --------
    >>> jacobians(lambda v: 2 * v, torch.zeros(3, 2)).shape
    torch.Size([3, 2, 2])
    """
    jac = torch.func.jacfwd(h) if forward else torch.func.jacrev(h)
    return torch.func.vmap(jac)(z)


def slot_energy(jac: Tensor | np.ndarray, num_slots: int) -> np.ndarray:
    """Per-point energy fractions of the ``K x K`` slot blocks of Jacobians ``(N, out_dim, in_dim)``.

    Both dimensions must be multiples of ``K`` (slots contiguous); returns ``(N, K, K)``
    summing to 1 over the blocks of every point (a zero Jacobian gives ``1 / K^2`` everywhere).

    Examples
    --------
    >>> slot_energy(np.eye(4)[None], 2)[0].tolist()
    [[0.5, 0.0], [0.0, 0.5]]
    """
    j = np.asarray(jac.detach().cpu().double() if isinstance(jac, Tensor) else jac, dtype=np.float64)
    n, rows, cols = j.shape
    K = int(num_slots)
    if K < 2 or rows % K or cols % K:
        raise ValueError(f"Jacobians {rows} x {cols} cannot be split into {K} x {K} slot blocks")
    blocks = (j**2).reshape(n, K, rows // K, K, cols // K).sum(axis=(2, 4))
    total = blocks.sum(axis=(1, 2), keepdims=True)
    return np.where(total > 0, blocks / np.where(total > 0, total, 1.0), 1.0 / K**2)


def mechanistic_identifiability_score(h: Callable[[Tensor], Tensor], z: Tensor, num_slots: int, forward: bool = True) -> MISResult:
    """MIS of the map ``h`` (true latents -> inferred latents) at the points ``z`` (see the module docstring).

    Parameters
    ----------
    h
        ``f o g``, a torch function of one point ``(K * slot_dim,)`` returning ``(K * slot_dim_hat,)``.
    z
        ``(N, K * slot_dim)`` evaluation points (true latents, in the dtype ``h`` expects).
    num_slots
        K.
    forward
        Jacobians by forward mode (default) or reverse mode.

    Returns
    -------
    MISResult

    Examples
    --------
    >>> q = torch.linalg.qr(torch.randn(6, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64))[0]
    >>> res = mechanistic_identifiability_score(lambda v: q @ v, torch.zeros(4, 6, dtype=torch.float64), 2)
    >>> round(res.mis, 2)        # a rotation spreads the energy; the best of the K! matchings keeps a little
    0.35
    """
    energy = slot_energy(jacobians(h, z, forward), num_slots)
    K = energy.shape[1]
    mean = energy.mean(axis=0)
    rows, cols = linear_sum_assignment(-mean)
    permutation = rows[np.argsort(cols)]  # permutation[j]: inferred slot of true slot j
    frac = energy[:, permutation, np.arange(K)].sum(axis=1)
    per_point = (frac - 1.0 / K) / (1.0 - 1.0 / K)
    return MISResult(float(per_point.mean()), per_point, permutation, mean)


def model_mis(encoder: Callable[[Tensor], Tensor], generator: Callable[[Tensor], Tensor], z: Tensor, num_slots: int) -> MISResult:
    """MIS of ``encoder o generator`` at the points ``z`` (cast to the encoder's dtype and device).

    Parameters
    ----------
    encoder
        The trained encoder ``f`` (a ``torch.nn.Module`` or any torch function).
    generator
        The ground truth ``g`` (e.g. a :class:`numeric.experiment.groundtruth.GroundTruth`,
        which computes in the dtype of its input).
    z
        ``(N, K * slot_dim)`` true latents.
    num_slots
        K.

    Examples
    --------
    >>> from numeric.experiment.models import MLP
    >>> f = MLP(6, 6)
    >>> f.reset_parameters(torch.Generator().manual_seed(0))
    >>> 0 <= model_mis(f, lambda v: v, torch.randn(8, 6, generator=torch.Generator().manual_seed(1)), 2).mis <= 1
    True
    """
    param = next(iter(encoder.parameters()), None) if isinstance(encoder, torch.nn.Module) else None
    if param is not None:
        z = z.to(dtype=param.dtype, device=param.device)
    with torch.no_grad():  # forward-mode AD still runs; no reverse graph through the parameters
        return mechanistic_identifiability_score(lambda v: encoder(generator(v)), z, num_slots)

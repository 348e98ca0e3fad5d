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
   permutations of the matched fraction is ``1/K``); single points can be.

**Chance correction (MIS_c).**  A random rotation spreads its energy evenly only on average:
choosing the best of the ``K!`` matchings favours chance, and a Haar-random orthogonal ``Dh``
scores ``MIS`` = 0.637 for K = 2 slots of 1 latent (exactly ``2/pi``), 0.179 for 2 x 3 latents,
0.151 for 3 x 3, 0.131 for 4 x 3 (:func:`chance_mis`).  The chance-corrected score

    ``MIS_c = (MIS - m0) / (1 - m0)``,   ``m0`` = expected ``MIS`` of a Haar-random orthogonal
    (``K * d_out x K * d_in``: Stiefel when not square) Jacobian with the same slot sizes,

is 1 for a slot-wise map and 0 in expectation for a random orthogonal mixing; it is negative
when a map is further from slot-wise than a typical rotation.  At fixed slot sizes it is an
increasing affine map of ``MIS``, so medians (and any order statistic or mean) convert exactly:
``median(MIS_c) = (median(MIS) - m0) / (1 - m0)`` (:func:`corrected_mis`).  ``m0`` is exact
where a closed form is known (K = 2, one latent per slot: ``2/pi``) and otherwise a seeded Monte
Carlo mean over :data:`CHANCE_SAMPLES` Haar draws, whose standard error (at most 0.0025 for
the sizes above, 0.001 for slots of 3) comes with it.  A nonlinear mixing ``Q s(z)`` with a
varying Jacobian scores near, not exactly at, ``m0`` (40 Haar ``Q`` with ``s(z) = z + tanh(z)/2``,
3 x 3 latents: mean MIS_c 0.008, sd 0.056, under independent and dependent latents alike).
:class:`MISResult` carries both (``mis`` and ``mis_c``); the sweep's ``results.csv`` keeps the
raw ``mis`` and :mod:`numeric.experiment.report` converts its medians.

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
>>> round(res.mis, 6), round(res.mis_c, 6), res.permutation.tolist()
(1.0, 1.0, [1, 0])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from torch import Tensor

__all__ = [
    "MISResult",
    "ChanceLevel",
    "mechanistic_identifiability_score",
    "slot_energy",
    "model_mis",
    "jacobians",
    "chance_mis",
    "corrected_mis",
    "haar_mis_samples",
    "CHANCE_SAMPLES",
]

#: Haar draws behind a Monte Carlo chance level (standard error about 0.3 / sqrt(20,000) = 0.002 at worst).
CHANCE_SAMPLES = 20_000



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
    chance
        The chance level ``m0`` of ``mis`` for these slot sizes (:func:`chance_mis`).
    """

    mis: float
    per_point: np.ndarray
    permutation: np.ndarray
    energy: np.ndarray
    chance: ChanceLevel

    @property
    def mis_c(self) -> float:
        """The chance-corrected score ``(mis - m0) / (1 - m0)``: 1 slot-wise, 0 a random rotation on average."""
        return corrected_mis(self.mis, self.chance)


@dataclass(frozen=True)
class ChanceLevel:
    """Expected ``MIS`` of a Haar-random orthogonal Jacobian with given slot sizes.

    Attributes
    ----------
    num_slots, in_slot_dim, out_slot_dim
        K and the latents per true and per inferred slot.
    mean
        ``m0``.
    stderr
        Its Monte Carlo standard error (0 when exact).
    samples
        Haar draws behind ``mean`` (0 when exact).
    exact
        Whether ``mean`` is a closed form.
    """

    num_slots: int
    in_slot_dim: int
    out_slot_dim: int
    mean: float
    stderr: float
    samples: int
    exact: bool


def haar_mis_samples(num_slots: int, in_slot_dim: int, out_slot_dim: int | None = None, samples: int = CHANCE_SAMPLES, seed: int = 0) -> np.ndarray:
    """``MIS`` of ``samples`` Haar-random orthogonal Jacobians with the given slot sizes (seeded).

    A draw is ``Q`` Haar on ``O(n)``, ``n = K * max(d_in, d_out)`` (QR of a Gaussian matrix with
    the signs of ``diag(R)`` moved into ``Q``), cut to its first ``K * d_out`` rows and ``K * d_in``
    columns; its score is the best of the ``K!`` matchings of its slot-block energies (all
    permutations for ``K <= 6``, ``linear_sum_assignment`` beyond), rescaled as in ``MIS``.  A
    constant Jacobian has the same score at every point, so this is the ``MIS`` of the linear map.

    Examples
    --------
    >>> s = haar_mis_samples(2, 1, samples=4, seed=0)
    >>> s.shape, bool(((0 <= s) & (s <= 1)).all())
    ((4,), True)
    """
    K, d_in = int(num_slots), int(in_slot_dim)
    d_out = d_in if out_slot_dim is None else int(out_slot_dim)
    if K < 2 or d_in < 1 or d_out < 1 or samples < 1:
        raise ValueError(f"need K >= 2, slot sizes >= 1 and samples >= 1, got K={K}, d_in={d_in}, d_out={d_out}, samples={samples}")
    rng = np.random.default_rng(seed)
    n = K * max(d_in, d_out)
    perms = np.array(list(itertools.permutations(range(K)))) if K <= 6 else None
    out = np.empty(samples)
    chunk = 4096
    for start in range(0, samples, chunk):
        b = min(chunk, samples - start)
        q, r = np.linalg.qr(rng.standard_normal((b, n, n)))
        q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
        energy = slot_energy(q[:, : K * d_out, : K * d_in], K)
        if perms is not None:
            frac = energy[:, perms, np.arange(K)].sum(axis=2).max(axis=1)
        else:
            frac = np.array([e[linear_sum_assignment(-e)].sum() for e in energy])
        out[start : start + b] = (frac - 1.0 / K) / (1.0 - 1.0 / K)
    return out


@lru_cache(maxsize=64)
def chance_mis(num_slots: int, in_slot_dim: int, out_slot_dim: int | None = None, samples: int = CHANCE_SAMPLES, seed: int = 0, exact: bool = True) -> ChanceLevel:
    """The chance level ``m0`` of ``MIS``: its expectation for a Haar-random orthogonal Jacobian.

    Exact for K = 2 slots of one latent each (``2/pi``: the Jacobian is a rotation or reflection
    by a uniform angle ``t`` and the score is ``|cos 2t|``); otherwise (or with ``exact=False``)
    the mean of :func:`haar_mis_samples` with its standard error.  Deterministic in its
    arguments (memoised: the Monte Carlo costs about 0.1-1 s).

    Examples
    --------
    >>> round(chance_mis(2, 1).mean, 6), chance_mis(2, 1).exact
    (0.63662, True)
    >>> c = chance_mis(2, 3)
    >>> round(c.mean, 2), c.stderr < 0.002, c.samples
    (0.18, True, 20000)
    """
    K, d_in = int(num_slots), int(in_slot_dim)
    d_out = d_in if out_slot_dim is None else int(out_slot_dim)
    if exact and K == 2 and d_in == d_out == 1:
        return ChanceLevel(K, d_in, d_out, 2.0 / math.pi, 0.0, 0, True)
    values = haar_mis_samples(K, d_in, d_out, samples, seed)
    return ChanceLevel(K, d_in, d_out, float(values.mean()), float(values.std(ddof=1) / math.sqrt(samples)), samples, False)


def corrected_mis(mis: float, chance: ChanceLevel | float) -> float:
    """``MIS_c = (mis - m0) / (1 - m0)``: the chance-corrected score (an increasing affine map of ``mis``).

    Examples
    --------
    >>> corrected_mis(1.0, 0.2), corrected_mis(0.2, 0.2), round(corrected_mis(0.6, 0.2), 6)
    (1.0, 0.0, 0.5)
    """
    m0 = chance.mean if isinstance(chance, ChanceLevel) else float(chance)
    return (float(mis) - m0) / (1.0 - m0)


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


def mechanistic_identifiability_score(
    h: Callable[[Tensor], Tensor], z: Tensor, num_slots: int, forward: bool = True, chance: ChanceLevel | None = None
) -> MISResult:
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
    chance
        The chance level for ``MIS_c``; by default :func:`chance_mis` of the slot sizes of ``Dh``.

    Returns
    -------
    MISResult

    Examples
    --------
    >>> q = torch.linalg.qr(torch.randn(6, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64))[0]
    >>> res = mechanistic_identifiability_score(lambda v: q @ v, torch.zeros(4, 6, dtype=torch.float64), 2)
    >>> round(res.mis, 2), round(res.mis_c, 2)   # the best of the K! matchings keeps a little; MIS_c removes chance
    (0.35, 0.2)
    """
    jac = jacobians(h, z, forward)
    energy = slot_energy(jac, num_slots)
    K = energy.shape[1]
    if chance is None:
        chance = chance_mis(K, jac.shape[-1] // K, jac.shape[-2] // K)
    mean = energy.mean(axis=0)
    rows, cols = linear_sum_assignment(-mean)
    permutation = rows[np.argsort(cols)]  # permutation[j]: inferred slot of true slot j
    frac = energy[:, permutation, np.arange(K)].sum(axis=1)
    per_point = (frac - 1.0 / K) / (1.0 - 1.0 / K)
    return MISResult(float(per_point.mean()), per_point, permutation, mean, chance)


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

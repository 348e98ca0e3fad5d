"""The Slot Identifiability Score, exactly as Brady et al. (2023) compute it for synthetic data.

docs/mathematics.md section 12.2, transcribed from their ``correlation`` and ``eval_model``:

1. for every ground-truth slot ``i`` and inferred slot ``j``: standardise ``Z[:, i]`` and
   ``Zh[:, j]`` (``StandardScaler`` fitted on all samples), split in order (first 80 % train,
   last 20 % evaluation), fit ``KernelRidge(kernel="rbf", alpha=1.0, gamma=None)`` predicting
   ``z_i`` from ``zh_j``, and score ``R[i, j] = r2_score`` on the evaluation part;
2. ``R <- max(R, 0)``;
3. Hungarian matching maximising the matched sum (``linear_sum_assignment`` on ``-R``);
4. ``r_on[i] = R[i, match(i)]``, ``r_off[i]`` = the largest other entry of row ``i`` (after
   subtracting the matched entry, as their code does, so ``r_off >= 0``);
5. ``SIS = mean_i (r_on[i] - r_off[i])``.

No torch is needed: inputs are numpy arrays (or anything ``numpy.asarray`` takes).

Examples
--------
>>> import numpy as np
>>> z = np.random.default_rng(0).normal(size=(500, 2, 3))
>>> round(slot_identifiability_score(z, z[:, ::-1]).sis, 1)   # a slot permutation is perfect
1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.kernel_ridge import KernelRidge
from sklearn.metrics import r2_score
from sklearn.preprocessing import StandardScaler

__all__ = ["SISResult", "r2_matrix", "slot_identifiability_score"]


@dataclass(frozen=True)
class SISResult:
    """The score and everything it was computed from.

    Attributes
    ----------
    sis
        The Slot Identifiability Score, in ``[-1, 1]`` (1 = perfect).
    r2
        ``(K, K)`` clipped R^2 matrix, rows ground-truth slots, columns inferred slots (unpermuted).
    matching
        ``matching[i]`` is the inferred slot matched to ground-truth slot ``i``.
    r_on, r_off
        Per ground-truth slot: the matched R^2 and the best unmatched R^2.
    """

    sis: float
    r2: np.ndarray
    matching: np.ndarray
    r_on: np.ndarray
    r_off: np.ndarray


def r2_matrix(z: np.ndarray, zh: np.ndarray, train_fraction: float = 0.8) -> np.ndarray:
    """Brady et al.'s matrix of R^2 scores (not yet clipped) between ground-truth and inferred slots.

    Parameters
    ----------
    z
        Ground-truth latents, ``(N, K, slot_dim)``.
    zh
        Inferred latents, ``(N, K_hat, slot_dim_hat)``.
    train_fraction
        The in-order split: the first ``int(train_fraction * N)`` samples train, the rest evaluate.

    Returns
    -------
    numpy.ndarray
        ``(K, K_hat)``: ``[i, j]`` is the R^2 of predicting slot ``i`` from inferred slot ``j``.

    Examples
    --------
    >>> z = np.random.default_rng(1).normal(size=(200, 2, 1))
    >>> r2_matrix(z, z).shape
    (2, 2)
    """
    z = np.asarray(z, dtype=np.float64)
    zh = np.asarray(zh, dtype=np.float64)
    if z.ndim != 3 or zh.ndim != 3 or len(z) != len(zh):
        raise ValueError(f"z and zh must be (N, K, slot_dim) with the same N, got {z.shape} and {zh.shape}")
    split = int(train_fraction * len(z))
    out = np.zeros((z.shape[1], zh.shape[1]))
    for i in range(z.shape[1]):
        for j in range(zh.shape[1]):
            zs = StandardScaler().fit_transform(z[:, i])
            hs = StandardScaler().fit_transform(zh[:, j])
            model = KernelRidge(kernel="rbf", alpha=1.0, gamma=None)
            model.fit(hs[:split], zs[:split])
            out[i, j] = r2_score(zs[split:], model.predict(hs[split:]))
    return out


def slot_identifiability_score(z: np.ndarray, zh: np.ndarray, train_fraction: float = 0.8) -> SISResult:
    """Brady et al. (2023)'s Slot Identifiability Score of inferred slots ``zh`` against ``z``.

    Parameters
    ----------
    z
        Ground-truth latents, ``(N, K, slot_dim)``.
    zh
        Inferred latents, ``(N, K, slot_dim_hat)`` (the same number of slots).
    train_fraction
        The in-order train/evaluation split of the regressions (0.8 in their code).

    Returns
    -------
    SISResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=(400, 2, 2))
    >>> mixed = np.concatenate([z[:, :1] + z[:, 1:], z[:, :1] - z[:, 1:]], axis=1)
    >>> slot_identifiability_score(z, mixed).sis < 0.3                   # both inferred slots mix both
    True
    """
    r2 = np.maximum(r2_matrix(z, zh, train_fraction), 0.0)
    rows, cols = linear_sum_assignment(-r2)
    matching = cols[np.argsort(rows)]
    permuted = r2[:, matching]
    r_on = np.diag(permuted).copy()
    r_off = (permuted - np.diag(r_on)).max(axis=1)
    return SISResult(float(np.mean(r_on - r_off)), r2, matching, r_on, r_off)

"""The Slot Identifiability Score (numeric/experiment/sis.py) on its two anchors.

* a slot-wise bijection of the ground truth (each slot rotated and bent by u + tanh(u) / 2, the
  slots permuted) scores 1 within 0.02;
* inferred slots that each mix all ground-truth slots score about 0: an even mixing rotation
  (Hadamard across slots, random rotations within) and a Haar-random rotation.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import special_ortho_group

from numeric.experiment.sis import r2_matrix, slot_identifiability_score


def _latents(seed: int, n: int, K: int, slot_dim: int = 3) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(n, K, slot_dim))


def test_slot_wise_bijection_scores_one():
    rng, z = _latents(0, 2000, 2)
    zh = np.empty_like(z)
    for k in range(2):
        u = z[:, k] @ special_ortho_group.rvs(3, random_state=rng).T
        zh[:, k] = u + 0.5 * np.tanh(u)
    perm = [1, 0]
    result = slot_identifiability_score(z, zh[:, perm])
    assert abs(result.sis - 1.0) <= 0.02, result
    assert result.matching.tolist() == [1, 0]  # ground-truth slot 0 is inferred slot 1
    assert np.all(result.r_off <= 0.02)


def test_even_mixing_rotation_scores_about_zero():
    rng, z = _latents(1, 1000, 2)
    r1, r2 = (special_ortho_group.rvs(3, random_state=rng) for _ in range(2))
    q = np.block([[r1, r2], [r1, -r2]]) / np.sqrt(2)  # every inferred slot sees both slots equally
    assert np.allclose(q @ q.T, np.eye(6))
    mixed = (z.reshape(len(z), -1) @ q.T).reshape(z.shape)
    result = slot_identifiability_score(z, mixed)
    assert abs(result.sis) < 0.1, result
    assert np.all(result.r2 > 0.2)  # each inferred slot does predict each true slot in part


def test_random_rotation_scores_far_below_a_bijection():
    rng, z = _latents(2, 1000, 3)
    q = special_ortho_group.rvs(9, random_state=rng)
    mixed = (z.reshape(len(z), -1) @ q.T).reshape(z.shape)
    result = slot_identifiability_score(z, mixed)
    assert result.sis < 0.3, result


def test_scores_are_clipped_and_matching_is_a_permutation():
    rng, z = _latents(3, 300, 3)
    noise = rng.normal(size=z.shape)  # unrelated to z: every R^2 is about 0 or negative
    result = slot_identifiability_score(z, noise)
    assert np.all(result.r2 >= 0) and np.all(result.r_off >= 0)
    assert sorted(result.matching.tolist()) == [0, 1, 2]
    assert -1.0 <= result.sis <= 1.0 and abs(result.sis) < 0.1
    raw = r2_matrix(z, noise)
    assert raw.shape == (3, 3) and np.all(raw < 0.1)

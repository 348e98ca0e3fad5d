"""Contrast metrics (numeric/contrast.py): C_comp, the Jacobian interaction score, the IMA contrast.

C_comp is checked against an independent per-entry Python loop and against a line-by-line
transcription of Brady et al.'s vectorised code; all three metrics against their defining
properties and with ``torch.autograd.gradcheck`` in float64.
"""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from numeric.contrast import (
    block_norms,
    compositional_contrast,
    ima_contrast,
    jacobian_interaction_score,
    normalized_compositional_contrast,
    slot_blocks,
)


def _random_jac(seed: int, shape: tuple[int, ...], dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _loop_ccomp(jac: torch.Tensor, blocks: list[list[int]], weighted: bool, eps: float = 1e-12) -> list[float]:
    """C_comp of each Jacobian in a (B, m, d) batch, one Python float at a time."""
    out = []
    for b in range(jac.shape[0]):
        J = jac[b].tolist()
        norms = [[math.sqrt(sum(J[p][a] ** 2 for a in block)) + eps for p in range(len(J))] for block in blocks]
        K = len(blocks)
        if weighted:
            mean = [sum(norms[k][p] for k in range(K)) / K for p in range(len(J))]
            top = max(mean)
            total = 0.0
            for p in range(len(J)):
                pair = sum((norms[i][p] / mean[p]) * (norms[j][p] / mean[p]) for i, j in itertools.combinations(range(K), 2))
                total += pair * mean[p] / top
        else:
            total = sum(norms[i][p] * norms[j][p] for p in range(len(J)) for i, j in itertools.combinations(range(K), 2))
        out.append(total)
    return out


def _brady_transcription(jac: torch.Tensor, slot_dim: int, data: str) -> torch.Tensor:
    """Brady et al. (2023)'s ``compositional_contrast`` (eval/eval_metrics.py), transcribed line by line."""
    batch_size, obs_dim, z_dim = jac.shape
    num_slots = int(z_dim / slot_dim)
    jac = jac.reshape(batch_size * obs_dim, z_dim)
    slot_rows = torch.stack(torch.split(jac, slot_dim, dim=1))
    slot_norms = torch.norm(slot_rows, dim=2)
    slot_norms = slot_norms.view(num_slots, batch_size, obs_dim).permute(1, 0, 2)
    slot_norms = slot_norms + 1e-12
    slot_norms_mean = slot_norms.sum(1) / num_slots
    slot_norms_norm = slot_norms / slot_norms_mean.unsqueeze(1).repeat(1, num_slots, 1)
    max_norm_all = torch.max(slot_norms_mean, 1)[0]
    weights = slot_norms_mean / max_norm_all.unsqueeze(1).repeat(1, obs_dim)
    comp_conts = 0
    comp_conts_norm = 0
    for i in range(num_slots):
        for j in range(i, num_slots - 1):
            comp_conts += slot_norms[:, i] * slot_norms[:, j + 1]
            comp_conts_norm += slot_norms_norm[:, i] * slot_norms_norm[:, j + 1]
    if data == "synth":
        return comp_conts.sum(1).mean()
    return (comp_conts_norm * weights).sum(1).mean()


def _block_diagonal(seed: int, batch: int, rows_per_slot: int, slot_dims: list[int]) -> tuple[torch.Tensor, list[list[int]]]:
    d = sum(slot_dims)
    jac = torch.zeros(batch, rows_per_slot * len(slot_dims), d, dtype=torch.float64)
    blocks, start = [], 0
    for k, sd in enumerate(slot_dims):
        rows = slice(k * rows_per_slot, (k + 1) * rows_per_slot)
        jac[:, rows, start : start + sd] = _random_jac(seed + k, (batch, rows_per_slot, sd))
        blocks.append(list(range(start, start + sd)))
        start += sd
    return jac, blocks


@pytest.mark.parametrize("weighted", [False, True])
def test_ccomp_is_zero_on_block_diagonal_jacobians(weighted):
    jac, blocks = _block_diagonal(0, batch=4, rows_per_slot=5, slot_dims=[3, 2, 3])
    exact = compositional_contrast(jac, blocks, weighted=weighted, eps=0.0)
    assert exact.shape == (4,)
    assert torch.all(exact == 0)
    # with Brady et al.'s eps every product is at most (max norm + eps) * eps: tiny, not zero
    brady = compositional_contrast(jac, blocks, weighted=weighted)
    assert torch.all(brady > 0) and torch.all(brady < 1e-9)
    # and one off-block entry makes it positive
    jac[:, 0, 4] = 0.5
    assert torch.all(compositional_contrast(jac, blocks, weighted=weighted, eps=0.0) > 0.1)


@pytest.mark.parametrize("weighted", [False, True])
def test_ccomp_is_invariant_to_permuting_slots(weighted):
    jac = _random_jac(1, (3, 7, 6))
    blocks = [[0, 1], [2, 3, 4], [5]]
    base = compositional_contrast(jac, blocks, weighted=weighted)
    for order in itertools.permutations(range(3)):
        shuffled = [blocks[k] for k in order]
        assert torch.allclose(compositional_contrast(jac, shuffled, weighted=weighted), base, rtol=1e-12, atol=0)
        # the same permutation applied to the Jacobian's columns, with contiguous slots
        cols = [a for k in order for a in blocks[k]]
        sizes = [len(blocks[k]) for k in order]
        starts = [sum(sizes[:i]) for i in range(3)]
        moved = [list(range(s, s + n)) for s, n in zip(starts, sizes)]
        assert torch.allclose(compositional_contrast(jac[..., cols], moved, weighted=weighted), base, rtol=1e-12, atol=0)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ccomp_matches_a_direct_loop(weighted, seed):
    jac = _random_jac(seed, (3, 6, 7))
    blocks = [[0, 4], [1, 2, 6], [3, 5]]  # not contiguous, unequal sizes
    fast = compositional_contrast(jac, blocks, weighted=weighted)
    slow = torch.tensor(_loop_ccomp(jac, blocks, weighted), dtype=torch.float64)
    assert torch.allclose(fast, slow, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("data", ["synth", "spriteworld"])
@pytest.mark.parametrize("num_slots", [2, 3, 5])
def test_ccomp_batch_mean_equals_brady_code(data, num_slots):
    jac = _random_jac(num_slots, (8, 11, 3 * num_slots))
    ours = compositional_contrast(jac, 3, weighted=(data == "spriteworld")).mean()
    assert torch.allclose(ours, _brady_transcription(jac, 3, data), rtol=1e-12, atol=0)


def test_ccomp_is_batched_over_leading_dims():
    jac = _random_jac(4, (2, 3, 5, 4))
    out = compositional_contrast(jac, 2)
    assert out.shape == (2, 3)
    for i, j in itertools.product(range(2), range(3)):
        assert torch.allclose(out[i, j], compositional_contrast(jac[i, j].unsqueeze(0), 2)[0])


def test_ccomp_scalar_example():
    # two 1-D slots, one mixing output: |3| * |4|, the summary's formula
    jac = torch.tensor([[[1.0, 0.0], [0.0, 2.0], [3.0, 4.0]]], dtype=torch.float64)
    assert float(compositional_contrast(jac, 1, eps=0.0)[0]) == 12.0


@pytest.mark.parametrize("weighted", [False, True])
def test_ccomp_gradcheck(weighted):
    jac = _random_jac(5, (2, 5, 6)).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda j: compositional_contrast(j, [[0, 1], [2, 3], [4, 5]], weighted=weighted), (jac,))


def test_interaction_score_extremes_and_loop():
    jac, blocks = _block_diagonal(6, batch=2, rows_per_slot=4, slot_dims=[2, 2])
    assert torch.allclose(jacobian_interaction_score(jac, blocks), torch.ones(2, dtype=torch.float64))
    even = torch.ones(1, 5, 4, dtype=torch.float64)  # every output split evenly between the 2 slots
    assert torch.allclose(jacobian_interaction_score(even, 2), torch.zeros(1, dtype=torch.float64))
    jac = _random_jac(7, (3, 6, 6))
    blocks = [[0, 1], [2, 3], [4, 5]]
    got = jacobian_interaction_score(jac, blocks)
    for b in range(3):
        shares = []
        for p in range(6):
            mass = [sum(abs(float(jac[b, p, a])) for a in block) for block in blocks]
            shares.append(max(mass) / sum(mass))
        want = (sum(shares) / 6 - 1 / 3) / (1 - 1 / 3)
        assert abs(float(got[b]) - want) < 1e-12


def test_interaction_score_skips_all_zero_outputs_and_gradcheck():
    jac = _random_jac(8, (2, 5, 4))
    jac[:, 2] = 0.0  # an output no latent reaches: left out instead of 0/0
    score = jacobian_interaction_score(jac, 2)
    assert torch.isfinite(score).all()
    assert torch.allclose(score, jacobian_interaction_score(jac[:, [0, 1, 3, 4]], 2))
    x = _random_jac(9, (2, 5, 4)).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda j: jacobian_interaction_score(j, 2), (x,))


def test_ima_contrast_properties_and_gradcheck():
    q, _ = torch.linalg.qr(_random_jac(10, (6, 3)))
    orthogonal = q * torch.tensor([2.0, 0.5, 3.0], dtype=torch.float64)
    assert abs(float(ima_contrast(orthogonal))) < 1e-12
    jac = _random_jac(11, (4, 6, 3))
    got = ima_contrast(jac)
    assert torch.all(got > 0)
    for b in range(4):
        J = jac[b]
        want = float(torch.log(torch.linalg.norm(J, dim=0)).sum() - 0.5 * torch.logdet(J.T @ J))
        assert abs(float(got[b]) - want) < 1e-10
    x = jac.clone().requires_grad_(True)
    assert torch.autograd.gradcheck(ima_contrast, (x,))


def test_blocks_are_validated():
    assert slot_blocks(2, 4) == [[0, 1], [2, 3]]
    with pytest.raises(ValueError):
        slot_blocks(3, 4)
    with pytest.raises(ValueError):
        slot_blocks([[0], [0, 1]], 2)
    with pytest.raises(ValueError):
        slot_blocks([[0], []], 1)
    norms = block_norms(torch.tensor([[3.0, 4.0, 1.0]]), [[0, 1], [2]])
    assert norms.tolist() == [[5.0], [1.0]]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_normalized_ccomp_is_ccomp_over_the_squared_frobenius_norm_and_scale_free(seed):
    """The scale-free variant against the loop C_comp divided by sum of squares, its invariance
    under J -> cJ (which moves the unweighted C_comp by c^2), and its range [0, (K - 1) / 2]."""
    blocks = [[0, 1], [2, 3, 4], [5]]
    jac = _random_jac(seed, (4, 7, 6))
    got = normalized_compositional_contrast(jac, blocks, eps=0.0)
    want = [c / float(jac[b].square().sum()) for b, c in enumerate(_loop_ccomp(jac, blocks, weighted=False, eps=0.0))]
    assert torch.allclose(got, torch.tensor(want, dtype=got.dtype), rtol=1e-12, atol=0)
    for c in (1e-3, 7.0, 1e4):
        assert torch.allclose(normalized_compositional_contrast(c * jac, blocks, eps=0.0), got, rtol=1e-10, atol=0)
        assert torch.allclose(compositional_contrast(c * jac, blocks, eps=0.0), c**2 * compositional_contrast(jac, blocks, eps=0.0))
    assert bool((got >= 0).all()) and bool((got <= (len(blocks) - 1) / 2).all())
    # the upper end: every output row with equal block norms in all K slots of dimension 1
    flat = torch.ones(1, 5, 3, dtype=torch.float64)
    assert torch.allclose(normalized_compositional_contrast(flat, 1, eps=0.0), torch.tensor([1.0], dtype=torch.float64))


def test_normalized_ccomp_is_zero_exactly_on_type_d_jacobians_and_gradchecks():
    jac = torch.zeros(2, 5, 4, dtype=torch.float64)
    jac[:, :2, :2] = _random_jac(3, (2, 2, 2))
    jac[:, 2:, 2:] = _random_jac(4, (2, 3, 2))
    assert float(normalized_compositional_contrast(jac, 2, eps=0.0).abs().max()) == 0.0
    jac[0, 4, 0] = 1e-3  # one output now sees both slots
    assert float(normalized_compositional_contrast(jac, 2, eps=0.0)[0]) > 0
    probe = _random_jac(5, (2, 4, 4)).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda j: normalized_compositional_contrast(j, 2), (probe,))

"""The scale-free sparsity proxies of numeric/contrast.py (issue 15, item 3; docs/proxy-losses.md).

Each proxy (``"l1l2"`` slots per output, ``"support"`` outputs per slot, ``"hoyer"`` outputs per
latent) is checked against a direct Python loop, with ``torch.autograd.gradcheck`` in float64,
for the invariances its docstring claims, and for preferring a block-sparse (slot-wise)
Jacobian to a mixed one of the same Frobenius norm; then it trains (single run and vmapped
ensemble agree) and a configuration accepts its name.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from numeric.contrast import (
    PROXY_CONTRASTS,
    compositional_contrast,
    hoyer_contrast,
    hoyer_ratio,
    slot_support_contrast,
    slot_usage_contrast,
)
from numeric.experiment.config import SweepConfig
from numeric.experiment.training import CONTRASTS, TrainSettings, autoencoder_loss, train_ensemble, train_single
from numeric.experiment.models import init_autoencoder

PROXIES = sorted(PROXY_CONTRASTS)
PARTITIONS = [2, [[0, 3], [1, 2]], [[0], [1, 2, 3]]]


def _jac(seed: int, shape: tuple[int, ...]) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def _parts(blocks, d: int) -> list[list[int]]:
    return [list(range(k, k + blocks)) for k in range(0, d, blocks)] if isinstance(blocks, int) else blocks


def _ratio(values: list[float]) -> float:
    """Rescaled l1/l2 of a list of numbers (0 for an all-zero list)."""
    l1 = sum(abs(v) for v in values)
    l2 = math.sqrt(sum(v * v for v in values))
    if l1 == 0:
        return 0.0
    return (l1 / (l2 + 1e-12) - 1) / (math.sqrt(len(values)) - 1)


def _loop(name: str, J: list[list[float]], parts: list[list[int]]) -> float:
    """One Jacobian (a list of rows), one Python float at a time."""
    m, d = len(J), len(J[0])
    norms = [[math.sqrt(sum(J[p][a] ** 2 for a in part)) for p in range(m)] for part in parts]
    if name == "l1l2":
        return sum(_ratio([norms[k][p] for k in range(len(parts))]) for p in range(m)) / m
    if name == "support":
        return sum(_ratio(norms[k]) for k in range(len(parts))) / len(parts)
    return sum(_ratio([J[p][i] for p in range(m)]) for i in range(d)) / d


@pytest.mark.parametrize("name", PROXIES)
@pytest.mark.parametrize("blocks", PARTITIONS)
def test_each_proxy_equals_a_python_loop(name, blocks):
    jac = _jac(1, (3, 6, 4))
    jac[0, 2, :] = 0.0  # an all-zero output row
    jac[1, :, 1] = 0.0  # an all-zero latent column
    got = PROXY_CONTRASTS[name](jac, blocks)
    assert got.shape == (3,)
    want = [_loop(name, jac[b].tolist(), _parts(blocks, 4)) for b in range(3)]
    assert np.allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    assert ((got >= 0) & (got <= 1)).all()


@pytest.mark.parametrize("name", PROXIES)
@pytest.mark.parametrize("blocks", [2, [[0, 3], [1, 2]]])
def test_each_proxy_is_differentiable(name, blocks):
    jac = _jac(2, (2, 5, 4)).requires_grad_()
    assert torch.autograd.gradcheck(lambda j: PROXY_CONTRASTS[name](j, blocks), (jac,), eps=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", PROXIES)
def test_gradients_stay_finite_at_zero_rows_and_blocks(name):
    jac = _jac(3, (2, 5, 4))
    jac[:, 0, :] = 0.0
    jac[:, 1, :2] = 0.0
    jac.requires_grad_()
    PROXY_CONTRASTS[name](jac, 2).sum().backward()
    assert torch.isfinite(jac.grad).all()


def _block_orthogonal(seed: int, sizes: list[int]) -> torch.Tensor:
    return torch.block_diag(*[torch.linalg.qr(_jac(seed + i, (s, s)))[0] for i, s in enumerate(sizes)])


@pytest.mark.parametrize("name", PROXIES)
def test_every_proxy_is_scale_free_and_ignores_output_order(name):
    jac = _jac(4, (3, 7, 6))
    value = PROXY_CONTRASTS[name](jac, 3)
    for c in (1e-3, 7.0, -2.5):
        assert torch.allclose(PROXY_CONTRASTS[name](c * jac, 3), value, rtol=1e-9)
    perm = torch.randperm(7, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(PROXY_CONTRASTS[name](jac[:, perm, :], 3), value, rtol=1e-12)


def test_slot_usage_is_invariant_to_row_scaling_within_slot_rotations_and_slot_order():
    jac = _jac(5, (3, 7, 6))
    value = slot_usage_contrast(jac, 3)
    rows = torch.rand(7, 1, dtype=torch.float64) * 10 + 0.1
    assert torch.allclose(slot_usage_contrast(rows * jac, 3), value, rtol=1e-9)
    assert torch.allclose(slot_usage_contrast(jac @ _block_orthogonal(0, [3, 3]), 3), value, rtol=1e-9)
    assert torch.allclose(slot_usage_contrast(jac[..., [3, 4, 5, 0, 1, 2]], 3), value, rtol=1e-12)


def test_slot_support_is_invariant_to_per_slot_scaling_and_within_slot_rotations():
    jac = _jac(6, (3, 7, 6))
    value = slot_support_contrast(jac, 3)
    scale = torch.tensor([0.01] * 3 + [30.0] * 3, dtype=torch.float64)
    assert torch.allclose(slot_support_contrast(jac * scale, 3), value, rtol=1e-9)
    assert torch.allclose(slot_support_contrast(jac @ _block_orthogonal(1, [3, 3]), 3), value, rtol=1e-9)
    # but not to rescaling single outputs (documented): a large output weighs more
    rows = torch.ones(7, 1, dtype=torch.float64)
    rows[0] = 50.0
    assert not torch.allclose(slot_support_contrast(rows * jac, 3), value)


def test_hoyer_is_invariant_to_every_diagonal_change_of_basis_and_ignores_blocks():
    jac = _jac(7, (3, 7, 6))
    value = hoyer_contrast(jac)
    diag = torch.tensor([0.01, -3.0, 1.0, 200.0, -0.5, 2.0], dtype=torch.float64)
    assert torch.allclose(hoyer_contrast(jac * diag), value, rtol=1e-9)
    assert torch.allclose(hoyer_contrast(jac[..., [5, 2, 0, 1, 4, 3]]), value, rtol=1e-12)
    assert torch.equal(hoyer_contrast(jac, 3), hoyer_contrast(jac, [[0], [1, 2, 3, 4, 5]]))


def _slot_wise(seed: int, batch: int, rows_per_slot: int, shared: int) -> torch.Tensor:
    """A K = 2, slot_dim = 3 Jacobian: slot k's columns touch its own rows and the ``shared`` rows."""
    m = 2 * rows_per_slot - shared
    jac = torch.zeros(batch, m, 6, dtype=torch.float64)
    jac[:, :rows_per_slot, :3] = _jac(seed, (batch, rows_per_slot, 3))
    jac[:, rows_per_slot - shared :, 3:] = _jac(seed + 1, (batch, rows_per_slot, 3))
    return jac


@pytest.mark.parametrize("name", PROXIES)
@pytest.mark.parametrize("shared", [0, 2, 4])
def test_a_slot_wise_jacobian_scores_below_a_mixed_one_of_the_same_norm(name, shared):
    jac = _slot_wise(8, 16, 8, shared)
    for seed in range(5):
        mixed = jac @ torch.linalg.qr(_jac(100 + seed, (6, 6)))[0]  # orthogonal: same Frobenius norm
        assert torch.allclose(mixed.square().sum((-2, -1)), jac.square().sum((-2, -1)))
        assert (PROXY_CONTRASTS[name](jac, 3) < PROXY_CONTRASTS[name](mixed, 3)).all()


def test_disjoint_supports_give_zero_usage_and_an_even_spread_gives_one():
    jac = _slot_wise(9, 2, 5, 0)
    assert torch.allclose(slot_usage_contrast(jac, 3), torch.zeros(2, dtype=torch.float64))
    even = torch.ones(2, 4, 6, dtype=torch.float64)
    for name in PROXIES:
        assert torch.allclose(PROXY_CONTRASTS[name](even, 3), torch.ones(2, dtype=torch.float64))
    with pytest.raises(ValueError, match="at least 2 entries"):
        hoyer_ratio(torch.ones(3, 1), dim=-1)


@pytest.mark.parametrize("name", PROXIES)
def test_each_proxy_trains_and_the_ensemble_matches_sequential_runs(name):
    assert name in CONTRASTS
    gen = torch.Generator().manual_seed(0)
    xs = torch.randn(2, 128, 8, generator=gen)
    settings = TrainSettings(steps=6, contrast=name)
    ensemble = train_ensemble(xs, [0.1, 0.01], [3, 4], [6, 7], settings, slot_dim=3, latent_dim=6)
    for i, lam in enumerate([0.1, 0.01]):
        single = train_single(xs[i], lam, [3, 4][i], [6, 7][i], settings, slot_dim=3, latent_dim=6)
        assert np.allclose(ensemble.history["ccomp"][i].numpy(), single.history["ccomp"], rtol=1e-4, atol=1e-6)
        assert np.allclose(ensemble.history["loss"][i].numpy(), single.history["loss"], rtol=1e-4, atol=1e-6)
    assert SweepConfig(name="x", contrast=name).contrast == name


def test_the_loss_dispatch_uses_the_named_proxy_and_leaves_c_comp_alone():
    model = init_autoencoder(8, 6, seed=1, dtype=torch.float64)
    x = torch.randn(16, 8, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    from numeric.experiment.training import decoder_jacobians

    jac = decoder_jacobians(model.decoder, model.encoder(x))
    for name in PROXIES:
        _, _, value = autoencoder_loss(model.encoder, model.decoder, x, 1.0, 3, contrast=name)
        assert torch.allclose(value, PROXY_CONTRASTS[name](jac, 3).mean(), rtol=1e-12)
    _, _, plain = autoencoder_loss(model.encoder, model.decoder, x, 1.0, 3)
    assert torch.equal(plain, compositional_contrast(jac, 3).mean())

"""Batched derivatives against independent torch paths (autograd per point, torch.func.hessian)."""

from __future__ import annotations

import itertools

import pytest
import torch

from numeric.derivatives import (
    block_derivatives,
    block_probes,
    cross_derivatives,
    derivative_tensor,
    directional_derivative,
    jacobian,
)


def _mlp(seed: int, d: int = 4, width: int = 8, m: int = 5) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(d, width), torch.nn.Tanh(), torch.nn.Linear(width, width), torch.nn.SiLU(), torch.nn.Linear(width, m)).double()


def _points(seed: int, n: int, d: int) -> torch.Tensor:
    return torch.rand(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 2 - 1


def test_jacobian_matches_per_point_autograd_and_is_chunk_independent():
    net = _mlp(0)
    z = _points(1, 7, 4)
    J = jacobian(net, z, chunk_size=3)
    assert J.shape == (7, 5, 4)
    for i in range(7):
        ref = torch.autograd.functional.jacobian(net, z[i])
        assert torch.allclose(J[i], ref, atol=1e-12)
    assert torch.allclose(J, jacobian(net, z, chunk_size=100), rtol=1e-14, atol=1e-15)


def test_block_derivatives_is_the_cross_hessian_block():
    net = _mlp(2)
    z = _points(3, 4, 4)
    B = block_derivatives(net, z, [[0, 2], [1, 3]])
    assert B.shape == (4, 5, 2, 2)
    for i in range(4):
        H = torch.func.hessian(net)(z[i])  # [m, d, d]
        assert torch.allclose(B[i], H[:, [0, 2]][:, :, [1, 3]], atol=1e-10)


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("reading", ["block-diagonal", "pairwise"])
def test_cross_derivatives_are_exactly_the_cross_multi_indices(n, reading):
    net = _mlp(4)
    blocks = [[0], [1, 2], [3]]
    z = _points(5, 3, 4)
    cd = cross_derivatives(net, z, blocks, n=n, chunk_size=2, reading=reading)
    block_of = {a: k for k, b in enumerate(blocks) for a in b}
    expected = set()
    for alpha in itertools.combinations_with_replacement(range(4), n):
        k = len({block_of[a] for a in alpha})
        if k >= 2 and (reading == "block-diagonal" or k == 2):
            expected.add(alpha)
    assert set(cd.multi_indices) == expected and len(cd.multi_indices) == len(expected)
    full = derivative_tensor(net, z, n)  # [N, m, d, ..., d]
    for e, alpha in enumerate(cd.multi_indices):
        assert torch.allclose(cd.values[:, :, e], full[(slice(None), slice(None)) + alpha], atol=1e-10)


def test_directional_derivative_is_the_multilinear_form():
    net = _mlp(6)
    z = _points(7, 3, 4)
    w = torch.randn(3, 4, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    value = directional_derivative(net, z, w)
    full = derivative_tensor(net, z, 3)
    ref = torch.einsum("nmabc,a,b,c->nm", full, w[0], w[1], w[2])
    assert torch.allclose(value, ref, atol=1e-10)
    per_point = directional_derivative(net, z, w.expand(3, 3, 4).clone())
    assert torch.allclose(per_point, value, atol=1e-12)


def _additive(z: torch.Tensor) -> torch.Tensor:
    return torch.stack([torch.sin(z[..., 0]) + z[..., 1] ** 3, torch.exp(z[..., 2]) * z[..., 1] ** 2 - z[..., 0] ** 4], dim=-1)


def _bilinear(z: torch.Tensor) -> torch.Tensor:
    return torch.stack([z[..., 0] * z[..., 2], z[..., 1]], dim=-1)


def test_probes_vanish_on_additive_generators_and_see_cross_terms():
    z = _points(9, 5, 3)
    blocks = [[0], [1, 2]]
    zero = block_probes(_additive, z, [[0], [1, 2]], n=2, probes=3, seed=1)
    assert zero.values.shape == (5, 3, 2) and torch.all(zero.values == 0)
    assert zero.generic.abs().max() > 0.1  # the scale: pure second derivatives are not zero
    hit = block_probes(_bilinear, z, blocks, n=2, probes=3, seed=1)
    assert torch.all(hit.values[:, :, 0].abs() > 1e-6)


def test_probe_directions_come_from_the_seed_only():
    z = _points(10, 2, 4)
    blocks = [[0, 1], [2], [3]]
    a = block_probes(_mlp(11), z, blocks, n=3, probes=2, seed=5)
    b = block_probes(_mlp(11), z, blocks, n=3, probes=2, seed=5)
    c = block_probes(_mlp(11), z, blocks, n=3, probes=2, seed=6)
    assert torch.equal(a.directions, b.directions) and torch.equal(a.values, b.values)
    assert not torch.equal(a.directions, c.directions)
    assert a.pairs == [(0, 1), (0, 1), (0, 2), (0, 2), (1, 2), (1, 2)]
    # slot 1 lies in block i, slot 2 in block j, unit length
    for (i, j), w in zip(a.pairs, a.directions):
        assert torch.all(w[0][[a_ for a_ in range(4) if a_ not in blocks[i]]] == 0)
        assert torch.all(w[1][[a_ for a_ in range(4) if a_ not in blocks[j]]] == 0)
        assert torch.allclose(w.norm(dim=1), torch.ones(3, dtype=torch.float64))
    pw = block_probes(_mlp(11), z, blocks, n=3, probes=1, seed=5, reading="pairwise")
    for (i, j), w in zip(pw.pairs, pw.directions):
        outside = [a_ for a_ in range(4) if a_ not in blocks[i] + blocks[j]]
        assert torch.all(w[2][outside] == 0)


def test_derivatives_keep_dtype_and_reject_bad_shapes():
    net = _mlp(12).float()
    z = _points(13, 3, 4).float()
    assert jacobian(net, z).dtype == torch.float32
    with pytest.raises(ValueError):
        jacobian(net, z[0])
    with pytest.raises(ValueError):
        cross_derivatives(net, z, [[0, 1], [2, 3]], n=1)


@pytest.mark.gpu
def test_derivatives_on_cuda():
    net = _mlp(14).cuda()
    z = _points(15, 8, 4).cuda()
    assert jacobian(net, z).device.type == "cuda"
    assert cross_derivatives(net, z, [[0, 1], [2, 3]]).values.device.type == "cuda"

"""The written-out second-order forward mode of plain MLPs against nested ``jacfwd``.

``numeric.derivatives.cross_derivatives`` pushes tangents and second tangents through a plain
``nn.Sequential`` itself (order 2); these tests hold it to the transforms it replaces and to
``torch.func.hessian``: the same multi-indices in the same order, the same values (float rounding
apart), in float64 and float32, for every activation it knows, on odd shapes and chunk sizes.
"""

from __future__ import annotations

import pytest
import torch

from numeric import derivatives
from numeric.derivatives import _plain_mlp, cross_derivatives
from numeric.generator import NeuralGenerator

ACTIVATIONS = [torch.nn.Tanh, torch.nn.Sigmoid, torch.nn.ReLU, lambda: torch.nn.LeakyReLU(0.1), torch.nn.Identity]


def _transforms(net, z, blocks, reading="block-diagonal", chunk_size=1024):
    """The nested-``jacfwd`` path, with the written-out pass switched off."""
    saved = derivatives._plain_mlp
    derivatives._plain_mlp = lambda f: None
    try:
        return cross_derivatives(net, z, blocks, 2, chunk_size, reading)
    finally:
        derivatives._plain_mlp = saved


def _hessian_entries(net, z, multi_indices):
    H = torch.func.vmap(torch.func.hessian(net))(z)  # [N, m, d, d]
    a = torch.tensor([i for i, _ in multi_indices], dtype=torch.long)
    b = torch.tensor([j for _, j in multi_indices], dtype=torch.long)
    return H[:, :, a, b]


@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_plain_mlp_cross_hessian_equals_nested_jacfwd(act, dtype):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 16), act(), torch.nn.Linear(16, 12), act(), torch.nn.Linear(12, 7)).to(dtype)
    z = torch.rand(150, 5, generator=torch.Generator().manual_seed(1), dtype=dtype) * 4 - 2
    blocks = [[0, 3], [1], [2, 4]]
    assert _plain_mlp(net) is not None
    for reading in ("block-diagonal", "pairwise"):
        fast = cross_derivatives(net, z, blocks, 2, chunk_size=1000, reading=reading)
        ref = _transforms(net, z, blocks, reading)
        assert fast.multi_indices == ref.multi_indices and fast.values.shape == (150, 7, 8)
        assert fast.values.is_contiguous()
        tol = dict(rtol=1e-12, atol=1e-12) if dtype == torch.float64 else dict(rtol=1e-5, atol=1e-6)
        assert torch.allclose(fast.values, ref.values, **tol)
    if dtype == torch.float64:  # an independent path: the full Hessian, cross entries sliced out
        assert torch.allclose(fast.values, _hessian_entries(net, z, fast.multi_indices), rtol=1e-12, atol=1e-12)
    # chunks (and the one-thread blocks) do not change the numbers; nor does a NeuralGenerator wrapper
    small = cross_derivatives(net, z, blocks, 2, chunk_size=7)
    assert torch.allclose(small.values, fast.values, rtol=1e-12 if dtype == torch.float64 else 1e-6, atol=1e-12 if dtype == torch.float64 else 1e-7)
    wrapped = cross_derivatives(NeuralGenerator(net, blocks, latent_dim=5), z, blocks, 2)
    assert torch.equal(wrapped.values, fast.values)


def test_plain_mlp_cross_hessian_is_not_trivially_zero():
    """The smooth activations give nonzero cross entries (so the comparison above tests something)."""
    torch.manual_seed(3)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    z = torch.randn(20, 4, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    cd = cross_derivatives(net, z, [[0, 1], [2, 3]])
    assert cd.values.abs().min() > 0
    assert torch.allclose(cd.values, _hessian_entries(net, z, cd.multi_indices), rtol=1e-12, atol=1e-13)


def test_plain_mlp_cross_hessian_edge_shapes():
    torch.manual_seed(2)
    z = torch.randn(9, 3, dtype=torch.float64)
    blocks = [[0], [1, 2]]
    for net in (
        torch.nn.Sequential(torch.nn.Tanh(), torch.nn.Linear(3, 5)),  # an activation first
        torch.nn.Sequential(torch.nn.Sigmoid()),  # an activation only
        torch.nn.Sequential(torch.nn.Linear(3, 5)),  # linear only: every second partial is zero
        torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Identity(), torch.nn.Linear(5, 2, bias=False)),
        torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Tanh(), torch.nn.Linear(4, 4), torch.nn.Sigmoid()),
    ):
        net = net.double()
        fast = cross_derivatives(net, z, blocks)
        ref = _transforms(net, z, blocks)
        assert fast.multi_indices == ref.multi_indices
        assert fast.values.shape == ref.values.shape
        assert torch.allclose(fast.values, ref.values, rtol=1e-12, atol=1e-13)
    # no cross pair at all (one block) and no points
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    assert cross_derivatives(net, z, [[0, 1, 2]]).values.shape == (9, 2, 0)
    assert cross_derivatives(net, z[:0], blocks).values.shape == (0, 2, 2)


def test_order_three_and_other_networks_keep_the_transforms():
    torch.manual_seed(5)
    z = torch.randn(6, 3, dtype=torch.float64)
    blocks = [[0], [1, 2]]
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    three = cross_derivatives(net, z, blocks, n=3)
    full = torch.func.vmap(torch.func.jacfwd(torch.func.jacfwd(torch.func.jacfwd(net))))(z)
    for e, alpha in enumerate(three.multi_indices):
        assert torch.allclose(three.values[:, :, e], full[(slice(None), slice(None)) + alpha], rtol=1e-12, atol=1e-13)
    silu = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.SiLU(), torch.nn.Linear(5, 2)).double()
    assert _plain_mlp(silu) is None
    cd = cross_derivatives(silu, z, blocks)
    assert torch.allclose(cd.values, _hessian_entries(silu, z, cd.multi_indices), rtol=1e-12, atol=1e-13)


def test_cross_hessian_stays_differentiable():
    """The written-out pass is ordinary torch operations: gradients flow to the weights as before."""
    torch.manual_seed(6)
    z = torch.randn(5, 4, dtype=torch.float64)
    blocks = [[0, 1], [2, 3]]
    grads = []
    for fast in (True, False):
        torch.manual_seed(7)
        net = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3)).double()
        values = (cross_derivatives(net, z, blocks) if fast else _transforms(net, z, blocks)).values
        (values ** 2).sum().backward()
        # the last bias does not reach second derivatives: no gradient, or a zero one
        grads.append([torch.zeros_like(p) if p.grad is None else p.grad.clone() for p in net.parameters()])
    assert grads[0][0].abs().max() > 0
    for g, h in zip(*grads):
        assert torch.allclose(g, h, rtol=1e-10, atol=1e-12)

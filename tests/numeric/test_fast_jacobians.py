"""The forward mode written out (plain MLPs, the experiment's decoder) against ``vmap(jacfwd)``.

``numeric.derivatives.jacobian`` and the training loops take a written-out forward mode for the
networks they know; these tests hold it to the transforms it replaces: the same Jacobians, the same
outputs, the same loss and gradients, the same training histories (float rounding apart).
"""

from __future__ import annotations

import pytest
import torch
from torch.func import jacfwd, vmap

from numeric.derivatives import _plain_mlp, jacobian
from numeric.experiment.models import init_autoencoder, mlp_jacobian_and_output
from numeric.experiment.training import TrainSettings, autoencoder_loss, decoder_jacobians_and_outputs, train_single
from numeric.generator import NeuralGenerator

ACTIVATIONS = [torch.nn.Tanh, torch.nn.Sigmoid, torch.nn.ReLU, lambda: torch.nn.LeakyReLU(0.1), torch.nn.Identity]


def _reference(f, z, chunk=5):
    return torch.cat([vmap(jacfwd(f))(c) for c in z.split(chunk)])


@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_plain_mlp_jacobian_equals_vmap_jacfwd(act, dtype):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 16), act(), torch.nn.Linear(16, 16), act(), torch.nn.Linear(16, 7)).to(dtype)
    z = (torch.rand(300, 4, generator=torch.Generator().manual_seed(1), dtype=dtype) * 4 - 2)
    assert _plain_mlp(net) is not None
    J = jacobian(net, z, chunk_size=1000)
    ref = _reference(net, z)
    assert J.shape == (300, 7, 4) and J.is_contiguous()
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == torch.float64 else dict(rtol=1e-5, atol=1e-6)
    assert torch.allclose(J, ref, **tol)
    assert torch.allclose(jacobian(NeuralGenerator(net, [[0, 1], [2, 3]], latent_dim=4), z, chunk_size=7), ref, **tol)


def test_plain_mlp_edge_shapes_and_fallbacks():
    torch.manual_seed(2)
    z = torch.randn(9, 3, dtype=torch.float64)
    for net in (
        torch.nn.Sequential(torch.nn.Tanh(), torch.nn.Linear(3, 5)),  # an activation first
        torch.nn.Sequential(torch.nn.Linear(3, 5)),  # linear only: the same Jacobian everywhere
        torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Identity(), torch.nn.Linear(5, 2, bias=False)),
    ):
        net = net.double()
        assert torch.allclose(jacobian(net, z), _reference(net, z), rtol=1e-12, atol=1e-14)
    silu = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.SiLU(), torch.nn.Linear(5, 2))
    hooked = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh())
    hooked[1].register_forward_hook(lambda m, i, o: o * 2)
    inplace = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(inplace=True))
    assert _plain_mlp(silu) is None and _plain_mlp(hooked) is None and _plain_mlp(inplace) is None
    assert _plain_mlp(lambda x: x) is None and _plain_mlp(torch.nn.Sequential()) is None
    z32 = z.float()
    for net in (silu, hooked):  # the transforms, as before
        assert torch.allclose(jacobian(net, z32), _reference(net, z32), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_decoder_jacobian_and_output_equal_vmap_jacfwd(dtype):
    for seed in range(3):
        model = init_autoencoder(40, 6, seed=seed, dtype=dtype)
        zh = torch.randn(64, 6, generator=torch.Generator().manual_seed(seed), dtype=dtype)
        jac, out = model.decoder.jacobian_and_output(zh)
        ref_jac, ref_out = decoder_jacobians_and_outputs(model.decoder, zh)
        # the outputs are the forward pass's, bit for bit; vmap's batched kernels may round
        # differently from the plain forward pass on some CPUs (4e-16 in float64 with AVX-512)
        assert torch.equal(out, model.decoder(zh))
        rtol = 1e-12 if dtype == torch.float64 else 1e-6
        assert torch.allclose(out, ref_out, rtol=rtol, atol=1e-15 if dtype == torch.float64 else 1e-7)
        assert torch.allclose(jac, ref_jac, rtol=rtol, atol=0)
    # a one-layer network: the Jacobian is W at every point
    w, b = torch.randn(3, 2, dtype=dtype), torch.randn(3, dtype=dtype)
    jac, out = mlp_jacobian_and_output([(w, b)], torch.randn(5, 2, dtype=dtype))
    assert jac.shape == (5, 3, 2) and torch.equal(jac[4], w)


@pytest.mark.parametrize("contrast", ["unweighted", "normalized", "l1l2"])
def test_loss_and_gradients_equal_the_vmap_jacfwd_path(contrast):
    x = torch.randn(64, 40, generator=torch.Generator().manual_seed(5))
    grads = []
    values = []
    for fast in (False, True):
        model = init_autoencoder(40, 6, seed=7)
        loss, recon, ccomp = autoencoder_loss(
            model.encoder, model.decoder, x, 1.0, 3, contrast=contrast,
            decoder_jacobian=model.decoder.jacobian_and_output if fast else None,
        )
        loss.backward()
        values.append(torch.stack([loss, recon, ccomp]).detach())
        grads.append([p.grad.clone() for p in model.parameters()])
    assert torch.allclose(values[0], values[1], rtol=1e-6, atol=1e-7)
    for g_old, g_new in zip(*grads):
        assert torch.allclose(g_old, g_new, rtol=1e-5, atol=1e-6)


def test_train_single_follows_the_vmap_jacfwd_loop():
    """The training loop as it was (Jacobians by vmap(jacfwd)) against today's, 30 steps."""
    x = torch.randn(500, 40, generator=torch.Generator().manual_seed(3))
    settings = TrainSettings(steps=30)
    run = train_single(x, 1.0, init_seed=4, batch_seed=5, settings=settings, slot_dim=3, latent_dim=6)
    model = init_autoencoder(40, 6, seed=4)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.lr, fused=True)
    gen = torch.Generator().manual_seed(5)
    losses = []
    for step in range(1, settings.steps + 1):
        idx = torch.randint(len(x), (settings.batch_size,), generator=gen)
        optimizer.zero_grad()
        loss, _, _ = autoencoder_loss(model.encoder, model.decoder, x[idx], 1.0, 3)
        loss.backward()
        optimizer.step()
        if step == settings.decay_step():
            optimizer.param_groups[0]["lr"] = settings.lr * settings.lr_decay
        losses.append(float(loss.detach()))
    assert torch.allclose(torch.tensor(run.history["loss"]), torch.tensor(losses), rtol=1e-5, atol=1e-6)
    for p, q in zip(run.model.parameters(), model.parameters()):
        assert torch.allclose(p, q, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("slots", [1, 2, 3, 4])
def test_pairwise_sum_equals_the_sum_started_at_zero(slots):
    from numeric.contrast import _pairwise

    norms = torch.rand(5, slots, 7, generator=torch.Generator().manual_seed(slots), dtype=torch.float32)
    norms[0] = 0.0  # zero norms (eps = 0) too
    total = torch.zeros_like(norms[..., 0, :])
    for i in range(slots):
        for j in range(i + 1, slots):
            total = total + norms[..., i, :] * norms[..., j, :]
    assert torch.equal(_pairwise(norms), total)


def test_plain_mlp_blocks_on_several_threads_give_the_same_numbers():
    """With several torch threads the blocks go to single-threaded workers: the same values, the
    caller's thread count kept, and the serial path whenever autograd would record a graph."""
    from numeric.derivatives import cross_derivatives

    torch.manual_seed(3)
    net = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 9)).double()
    z = torch.rand(1500, 4, generator=torch.Generator().manual_seed(4), dtype=torch.float64) * 2 - 1
    blocks = [[0, 1], [2], [3]]
    with torch.no_grad():
        J1, C1 = jacobian(net, z), cross_derivatives(net, z, blocks).values
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with torch.no_grad():
            J2, C2 = jacobian(net, z), cross_derivatives(net, z, blocks).values
        assert torch.get_num_threads() == 2
        J3 = jacobian(net, z)  # parameters require grad: the serial path, a graph to the weights
        assert J3.requires_grad
    finally:
        torch.set_num_threads(before)
    assert J2.shape == J1.shape and J2.is_contiguous() and C2.shape == C1.shape
    assert torch.allclose(J2, J1, rtol=1e-12, atol=1e-14) and torch.allclose(C2, C1, rtol=1e-12, atol=1e-14)
    assert torch.allclose(J3, J1, rtol=1e-12, atol=1e-14)
    assert torch.allclose(J1, _reference(net, z, chunk=500), rtol=1e-12, atol=1e-14)

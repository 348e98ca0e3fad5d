"""The training loops' cheaper step against the step it replaces, bitwise.

``train_single`` and ``train_ensemble`` update with :class:`FusedAdam` (``torch._fused_adam_``
called directly) on gradients from ``torch.autograd.grad``; before, ``torch.optim.Adam(fused=True)``
on the ``.grad`` of ``loss.backward()``.  Adam is the same kernel on the same state and the
gradients the same backward pass, so the numbers must be equal, not close.
"""

from __future__ import annotations

import pytest
import torch

from numeric.experiment.models import init_autoencoder
from numeric.experiment.training import FusedAdam, TrainSettings, autoencoder_loss, train_ensemble, train_single


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_fused_adam_equals_torch_adam_bitwise(dtype):
    gen = torch.Generator().manual_seed(0)
    shapes = [(5, 3), (3,), (1,), (2, 2, 2)]
    ours = [torch.randn(s, generator=gen, dtype=dtype).requires_grad_(True) for s in shapes]
    theirs = [p.detach().clone().requires_grad_(True) for p in ours]
    opt_ours, opt_theirs = FusedAdam(ours, lr=1e-2), torch.optim.Adam(theirs, lr=1e-2, fused=True)
    for step in range(1, 26):
        target = [torch.randn(s, generator=gen, dtype=dtype) for s in shapes]
        loss_ours = sum(((p - t) ** 2 * step).sum() for p, t in zip(ours, target))
        opt_ours.step(torch.autograd.grad(loss_ours, ours))
        opt_theirs.zero_grad()
        sum(((p - t) ** 2 * step).sum() for p, t in zip(theirs, target)).backward()
        opt_theirs.step()
        if step == 10:
            opt_ours.lr = 1e-3
            opt_theirs.param_groups[0]["lr"] = 1e-3
        assert all(torch.equal(a, b) for a, b in zip(ours, theirs)), f"step {step}"
    state = [opt_theirs.state[p] for p in theirs]
    assert all(torch.equal(a, s["exp_avg"]) for a, s in zip(opt_ours.exp_avgs, state))
    assert all(torch.equal(a, s["exp_avg_sq"]) for a, s in zip(opt_ours.exp_avg_sqs, state))
    assert all(torch.equal(a, s["step"]) and a.dtype == s["step"].dtype for a, s in zip(opt_ours.steps, state))
    assert not torch.equal(ours[0], theirs[0].detach() * 0)  # the parameters moved


def test_fused_adam_reads_transposed_gradients_as_adam_does():
    """``autograd.grad`` may return a gradient as a transposed view; the update must not care."""
    w = torch.randn(4, 3, generator=torch.Generator().manual_seed(1)).requires_grad_(True)
    v = w.detach().clone().requires_grad_(True)
    x = torch.randn(5, 4, generator=torch.Generator().manual_seed(2))
    (g,) = torch.autograd.grad((x @ w).square().sum(), [w])
    ours, theirs = FusedAdam([w], lr=0.1), torch.optim.Adam([v], lr=0.1, fused=True)
    ours.step([g.T.contiguous().T])  # the same gradient, column-major
    (x @ v).square().sum().backward()
    theirs.step()
    assert torch.equal(w, v)


def _reference_single(x, lam, init_seed, batch_seed, settings, slot_dim, latent_dim):
    """``train_single``'s loop as it was: torch.optim.Adam(fused=True), zero_grad, backward."""
    model = init_autoencoder(x.shape[-1], latent_dim, init_seed, settings.hidden, x.dtype, x.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=settings.lr, fused=True)
    gen = torch.Generator().manual_seed(batch_seed)
    losses = []
    for step in range(1, settings.steps + 1):
        idx = torch.randint(len(x), (settings.batch_size,), generator=gen)
        optimizer.zero_grad()
        loss, _, _ = autoencoder_loss(
            model.encoder, model.decoder, x[idx], lam, slot_dim, lam != 0, settings.contrast, model.decoder.jacobian_and_output
        )
        loss.backward()
        optimizer.step()
        if step == settings.decay_step():
            optimizer.param_groups[0]["lr"] = settings.lr * settings.lr_decay
        losses.append(float(loss.detach()))
    return model, losses


@pytest.mark.parametrize("lam", [0.0, 1.0])
def test_train_single_is_the_previous_loop_bitwise(lam):
    x = torch.randn(300, 40, generator=torch.Generator().manual_seed(3))
    settings = TrainSettings(steps=12)
    run = train_single(x, lam, init_seed=4, batch_seed=5, settings=settings, slot_dim=3, latent_dim=6)
    model, losses = _reference_single(x, lam, 4, 5, settings, 3, 6)
    assert run.history["loss"] == losses
    assert all(torch.equal(p, q) for p, q in zip(run.model.parameters(), model.parameters()))


def test_train_ensemble_members_follow_the_previous_loop():
    """Each member of the ensemble (vmapped, stacked parameters) against the previous single loop."""
    x = torch.randn(300, 40, generator=torch.Generator().manual_seed(8))
    settings = TrainSettings(steps=8)
    out = train_ensemble(torch.stack([x, x]), [1.0, 0.0], [1, 2], [3, 4], settings, slot_dim=3, latent_dim=6)
    for i, (lam, init, batch) in enumerate(((1.0, 1, 3), (0.0, 2, 4))):
        model, losses = _reference_single(x, lam, init, batch, settings, 3, 6)
        assert torch.allclose(out.history["loss"][i], torch.tensor(losses), rtol=1e-5, atol=1e-7)
        for p, q in zip(out.models[i].parameters(), model.parameters()):
            assert torch.allclose(p, q, rtol=1e-4, atol=1e-6)


def test_plain_adam_trains_a_member_alike_in_ensembles_of_any_size():
    """With ``optimizer="adam"`` a member's float32 trajectory does not depend on how many
    members train with it.  (With the default fused kernel, which rounds by position in the
    stacked parameters, member 0 alone ends 1 ulp-level apart from member 0 of 24 after 100
    steps here; benchmarks/ensemble_reproducibility.py measures it.)"""
    from numeric.experiment.training import PlainAdam

    x = torch.randn(300, 40, generator=torch.Generator().manual_seed(8))
    settings = TrainSettings(steps=100, optimizer="adam")
    members = [(1.0, 100 + i, 200 + i) for i in range(24)]

    def ensemble(k: int):
        lams, inits, batches = zip(*members[:k])
        return train_ensemble(torch.stack([x] * k), list(lams), list(inits), list(batches), settings, slot_dim=3, latent_dim=6)

    one, many = ensemble(1), ensemble(24)
    assert torch.equal(one.history["loss"][0], many.history["loss"][0])
    assert all(torch.equal(p, q) for p, q in zip(one.models[0].parameters(), many.models[0].parameters()))
    # Adam's update, written out: the first step moves each coordinate by lr against the gradient's sign
    w = torch.tensor([1.0, -2.0, 3.0])
    PlainAdam([w], lr=0.1).step([torch.tensor([0.5, -4.0, 0.0])])
    assert torch.allclose(w, torch.tensor([0.9, -1.9, 3.0]))


def test_the_optimizer_is_validated():
    with pytest.raises(ValueError, match="optimizer must be one of"):
        TrainSettings(steps=1, optimizer="sgd")
    from numeric.experiment.config import ConfigError, SweepConfig

    with pytest.raises(ConfigError, match="optimizer must be one of"):
        SweepConfig(name="x", optimizer="sgd")
    assert SweepConfig(name="x").optimizer == "adam-fused"

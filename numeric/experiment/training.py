"""Training with ``L = MSE reconstruction + lambda * C_comp`` (issue 6, item 2), one run or an ensemble.

Brady et al. (2023)'s synthetic training loop: Adam with learning rate ``1e-3``, divided by 10
once ``int(steps / 2)`` steps are done, batches of 64, the loss
``mean((x - xh)^2) + lambda * C_comp`` with ``C_comp`` the unweighted compositional contrast of
the decoder's Jacobians at the codes ``zh = encoder(x)``, computed in forward mode
(the latent dimension is far below the observed one; ``jacfwd`` measured 5-7x faster than
``jacrev`` per training step here): the training loops push the tangents through the MLP
written out (:func:`numeric.experiment.models.mlp_jacobian_and_output`), the values of
``vmap(jacfwd(decoder))`` up to float rounding, with a fraction of its operator calls; the update is Adam's fused kernel
called directly (:class:`FusedAdam`, bitwise ``torch.optim.Adam(fused=True)``) on gradients from
``torch.autograd.grad``.  The contrast
is not detached from the encoder, as in their code.  Note what that buys with their decoder,
though: a LeakyReLU MLP is piecewise linear, so its Jacobian is piecewise constant in ``z`` and
the contrast's gradient with respect to the codes (hence the encoder) is exactly zero almost
everywhere -- the contrast trains the decoder, and the encoder follows only through the
reconstruction term (tested in ``tests/numeric/test_experiment.py``).

Two implementations of the same loop:

* :func:`train_single`: one ``nn.Module``, the reference (their code's structure);
* :func:`train_ensemble`: E runs of the same shape as **one vmapped ensemble** -- the members'
  parameters stacked with ``torch.func.stack_module_state``, the per-member loss evaluated with
  ``torch.func.functional_call`` under ``torch.vmap``, one Adam over the stacked tensors (Adam is
  elementwise, so this is E independent Adams).  Member ``i`` with the same seeds gives the same
  numbers as :func:`train_single` up to float rounding.

Every random choice comes from explicit seeds: the initialisation from ``init_seed``
(:func:`numeric.experiment.models.init_autoencoder`), the batches from ``batch_seed`` (a
``torch.Generator`` drawing ``batch_size`` indices with replacement each step; Brady et al.
draw a fresh shuffled batch each step).

Examples
--------
>>> x = torch.randn(256, 8)
>>> run = train_single(x, lam=1.0, init_seed=0, batch_seed=1, settings=TrainSettings(steps=5), slot_dim=2, latent_dim=4)
>>> len(run.history["loss"])
5
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor
from torch.func import functional_call, jacfwd, stack_module_state, vmap

from ..contrast import PROXY_CONTRASTS, compositional_contrast, normalized_compositional_contrast
from .models import HIDDEN, AutoEncoder, init_autoencoder, mlp_jacobian_and_output

__all__ = [
    "TrainSettings",
    "FusedAdam",
    "PlainAdam",
    "OPTIMIZERS",
    "TrainedRun",
    "TrainedEnsemble",
    "autoencoder_loss",
    "train_single",
    "train_ensemble",
    "decoder_jacobians",
    "decoder_jacobians_and_outputs",
    "CONTRASTS",
]

#: The contrasts a run can be trained with: Brady et al.'s synthetic one (the default), their image
#: variant, the project's scale-free variant (:func:`numeric.contrast.normalized_compositional_contrast`),
#: and the scale-free sparsity proxies of docs/proxy-losses.md (:data:`numeric.contrast.PROXY_CONTRASTS`:
#: ``"l1l2"`` slots per output, ``"support"`` outputs per slot, ``"hoyer"`` outputs per latent).
CONTRASTS = ("unweighted", "weighted", "normalized", *PROXY_CONTRASTS)


@dataclass(frozen=True)
class TrainSettings:
    """Hyper-parameters of one training run (Brady et al.'s defaults apart from ``steps``).

    Attributes
    ----------
    steps
        Optimiser steps (115,000 in the paper).
    batch_size
        Samples per step.
    lr
        Initial Adam learning rate.
    lr_decay_at
        Fraction of the steps after which the learning rate is multiplied by ``lr_decay``.
    lr_decay
        The factor (1/10).
    hidden
        Hidden width of the encoder and decoder.
    optimizer
        ``"adam-fused"`` (the default: torch's fused Adam kernel, :class:`FusedAdam`) or
        ``"adam"`` (:class:`PlainAdam`, the same update from correctly rounded elementwise
        operations).  The fused kernel rounds an element differently depending on its position
        in a stacked parameter, so in a vmapped ensemble a member's float32 trajectory depends
        on the ensemble's size; with ``"adam"`` it does not (benchmarks/ensemble_reproducibility.py).
    contrast
        The contrast in the loss (:data:`CONTRASTS`): ``"unweighted"`` is Brady et al.'s synthetic
        C_comp, ``"weighted"`` their image variant, ``"normalized"`` C_comp / ||J||_F^2, and
        ``"l1l2"``, ``"support"``, ``"hoyer"`` the sparsity proxies of
        :data:`numeric.contrast.PROXY_CONTRASTS` (scale-free, values in ``[0, 1]``).

    Examples
    --------
    >>> TrainSettings(steps=1000).lr
    0.001
    """

    steps: int
    batch_size: int = 64
    lr: float = 1e-3
    lr_decay_at: float = 0.5
    lr_decay: float = 0.1
    hidden: int = HIDDEN
    contrast: str = "unweighted"
    optimizer: str = "adam-fused"

    def __post_init__(self) -> None:
        if self.contrast not in CONTRASTS:
            raise ValueError(f"contrast must be one of {', '.join(CONTRASTS)}, got {self.contrast!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")

    def decay_step(self) -> int:
        """The (1-based) step after which the learning rate drops: ``int(steps * lr_decay_at)``.

        Examples
        --------
        >>> TrainSettings(steps=115000).decay_step()
        57500
        """
        return int(self.steps * self.lr_decay_at)


@dataclass
class TrainedRun:
    """One trained model and its per-step training curves (``loss``, ``recon``, ``ccomp``)."""

    model: AutoEncoder
    history: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class TrainedEnsemble:
    """E trained members: their models (unstacked) and curves, each ``(E, steps)``."""

    models: list[AutoEncoder]
    history: dict[str, Tensor] = field(default_factory=dict)


def decoder_jacobians(decoder: Callable[[Tensor], Tensor], zh: Tensor) -> Tensor:
    """``vmap(jacfwd(decoder))(zh)``: Jacobians ``(N, obs_dim, latent_dim)`` at the codes ``zh`` ``(N, latent_dim)``.

    Examples
    --------
    >>> decoder_jacobians(lambda z: 2 * z, torch.ones(3, 2)).shape
    torch.Size([3, 2, 2])
    """
    return vmap(jacfwd(decoder))(zh)


def decoder_jacobians_and_outputs(decoder: Callable[[Tensor], Tensor], zh: Tensor) -> tuple[Tensor, Tensor]:
    """``(vmap(jacfwd(decoder))(zh), decoder(zh))`` from one forward-mode pass.

    ``jacfwd(..., has_aux=True)`` hands back the primal output of the same pass that pushes the
    basis tangents through, so the training step does not run the decoder a second time for the
    reconstruction.

    Examples
    --------
    >>> jac, out = decoder_jacobians_and_outputs(lambda z: 2 * z, torch.ones(3, 2))
    >>> jac.shape, out.shape
    (torch.Size([3, 2, 2]), torch.Size([3, 2]))
    """

    def with_output(z: Tensor) -> tuple[Tensor, Tensor]:
        out = decoder(z)
        return out, out

    return vmap(jacfwd(with_output, has_aux=True))(zh)


def autoencoder_loss(
    encoder: Callable[[Tensor], Tensor],
    decoder: Callable[[Tensor], Tensor],
    x: Tensor,
    lam: Tensor | float,
    slot_dim: int,
    with_contrast: bool = True,
    contrast: str = "unweighted",
    decoder_jacobian: Callable[[Tensor], tuple[Tensor, Tensor]] | None = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """``(loss, recon, ccomp)`` of one batch ``x``: ``recon + lam * ccomp``.

    ``recon`` is ``mean((x - xh)^2)`` and ``ccomp`` the batch mean of
    :func:`numeric.contrast.compositional_contrast` (unweighted, ``eps = 1e-12``; ``contrast``
    picks another of :data:`CONTRASTS`) of the decoder Jacobians at ``zh = encoder(x)``.  With
    ``with_contrast=False`` the Jacobians are skipped and ``ccomp`` is 0 (Brady et al. skip them
    when ``lambda = 0``).  ``decoder_jacobian(zh) -> (jac, xh)``, when given, computes the Jacobians
    and reconstructions in place of :func:`decoder_jacobians_and_outputs` (the training loops pass
    :func:`numeric.experiment.models.mlp_jacobian_and_output`: the same numbers, fewer operations).

    Examples
    --------
    >>> m = init_autoencoder(6, 4, seed=0)
    >>> loss, recon, cc = autoencoder_loss(m.encoder, m.decoder, torch.randn(8, 6), 1.0, slot_dim=2)
    >>> bool(torch.isclose(loss, recon + cc))
    True
    """
    zh = encoder(x)
    if with_contrast:
        jac, xh = decoder_jacobian(zh) if decoder_jacobian is not None else decoder_jacobians_and_outputs(decoder, zh)
    else:
        xh = decoder(zh)
    recon = (x - xh).square().mean()
    if with_contrast:
        if contrast == "normalized":
            ccomp = normalized_compositional_contrast(jac, slot_dim).mean()
        elif contrast in PROXY_CONTRASTS:
            ccomp = PROXY_CONTRASTS[contrast](jac, slot_dim).mean()
        else:
            ccomp = compositional_contrast(jac, slot_dim, weighted=contrast == "weighted").mean()
    else:
        ccomp = torch.zeros((), dtype=recon.dtype, device=recon.device)
    return recon + lam * ccomp, recon, ccomp


class FusedAdam:
    """``torch.optim.Adam(params, lr, fused=True)``'s update, without its per-step bookkeeping.

    The same state (``exp_avg``, ``exp_avg_sq`` and a float32 ``step`` per parameter, zeros at the
    start) and the same kernel (``torch._fused_adam_``, betas ``(0.9, 0.999)``, ``eps = 1e-8``, no
    weight decay) as the optimizer, so the parameters come out bitwise equal
    (tests/numeric/test_fast_training.py); what is left out is the optimizer's Python around the
    kernel (parameter groups, lazy state, grouping by device and dtype, profiling hooks), about a
    sixth of a training step of the experiment on the CPU.  ``step(grads)`` takes the gradients
    as a list (from ``torch.autograd.grad``), so no ``.grad`` is accumulated or zeroed either.

    Parameters
    ----------
    params
        The leaves to update in place.
    lr
        The learning rate (the attribute ``lr`` may be changed between steps).

    Examples
    --------
    >>> w = torch.ones(3, requires_grad=True)
    >>> opt = FusedAdam([w], lr=0.1)
    >>> opt.step(torch.autograd.grad((w * w).sum(), [w]))
    >>> [round(v, 6) for v in w.detach().tolist()]                # the first step moves by lr
    [0.9, 0.9, 0.9]
    """

    def __init__(self, params: Sequence[Tensor], lr: float):
        self.params = list(params)
        self.lr = float(lr)
        self.exp_avgs = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self.exp_avg_sqs = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self.steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in self.params]

    @torch.no_grad()
    def step(self, grads: Sequence[Tensor]) -> None:
        """One Adam update of every parameter with its gradient in ``grads`` (same order)."""
        # the kernel reads the gradients as laid out like the parameters: autograd.grad may hand
        # back a transposed view, where .backward() would have stored a contiguous copy
        grads = [g if g.stride() == p.stride() else torch.empty_like(p).copy_(g) for g, p in zip(grads, self.params)]
        torch._foreach_add_(self.steps, 1)
        torch._fused_adam_(
            self.params, grads, self.exp_avgs, self.exp_avg_sqs, [], self.steps,
            lr=self.lr, beta1=0.9, beta2=0.999, weight_decay=0.0, eps=1e-8, amsgrad=False, maximize=False,
            grad_scale=None, found_inf=None,
        )


class PlainAdam:
    """Adam (betas ``(0.9, 0.999)``, ``eps = 1e-8``, no weight decay) from correctly rounded
    elementwise operations only (``mul``, ``add``, ``sqrt``, ``div``), so every element of a
    parameter is updated alike wherever it sits: the members of a vmapped ensemble train as
    they would in an ensemble of any other size.  The same interface as :class:`FusedAdam`.

    Examples
    --------
    >>> w = torch.ones(3)
    >>> PlainAdam([w], lr=0.1).step([2 * w])
    >>> [round(v, 6) for v in w.tolist()]                          # the first step moves by lr
    [0.9, 0.9, 0.9]
    """

    def __init__(self, params: Sequence[Tensor], lr: float):
        self.params, self.lr, self.t = list(params), float(lr), 0
        self.exp_avgs = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sqs = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self, grads: Sequence[Tensor]) -> None:
        """One Adam update of every parameter with its gradient in ``grads`` (same order)."""
        self.t += 1
        b1, b2, eps = 0.9, 0.999, 1e-8
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for p, g, m, v in zip(self.params, grads, self.exp_avgs, self.exp_avg_sqs):
            m.mul_(b1).add_(torch.mul(g, 1 - b1))
            v.mul_(b2).add_(torch.mul(torch.mul(g, g), 1 - b2))
            p.sub_(torch.div(m, torch.sqrt(v).div_(c2**0.5).add_(eps)).mul_(self.lr / c1))


#: The optimisers a run can be trained with (:class:`TrainSettings`).
OPTIMIZERS = {"adam-fused": FusedAdam, "adam": PlainAdam}


def _batches(generators: Sequence[torch.Generator], n: int, batch_size: int) -> Tensor:
    return torch.stack([torch.randint(n, (batch_size,), generator=g) for g in generators])


def train_single(
    x: Tensor,
    lam: float,
    init_seed: int,
    batch_seed: int,
    settings: TrainSettings,
    slot_dim: int,
    latent_dim: int,
    progress: Callable[[int], None] | None = None,
) -> TrainedRun:
    """Train one autoencoder on the observations ``x`` ``(N, obs_dim)`` (the reference loop).

    Parameters
    ----------
    x
        Training observations; the model lives on ``x``'s device and dtype.
    lam
        Weight of the compositional contrast.
    init_seed, batch_seed
        Seeds of the initialisation and of the batch draws.
    settings
        Steps, batch size, learning-rate schedule, width.
    slot_dim
        Latents per inferred slot.
    latent_dim
        ``K * slot_dim``, the code size.
    progress
        Called with the number of finished steps after every step.

    Returns
    -------
    TrainedRun
    """
    model = init_autoencoder(x.shape[-1], latent_dim, init_seed, settings.hidden, x.dtype, x.device)
    params = list(model.parameters())
    optimizer = OPTIMIZERS[settings.optimizer](params, lr=settings.lr)
    gen = torch.Generator().manual_seed(int(batch_seed))
    history: dict[str, list[float]] = {"loss": [], "recon": [], "ccomp": []}
    with_contrast = lam != 0
    for step in range(1, settings.steps + 1):
        idx = _batches([gen], len(x), settings.batch_size)[0].to(x.device)
        loss, recon, ccomp = autoencoder_loss(
            model.encoder, model.decoder, x[idx], lam, slot_dim, with_contrast, settings.contrast, model.decoder.jacobian_and_output
        )
        optimizer.step(torch.autograd.grad(loss, params))
        if step == settings.decay_step():
            optimizer.lr = settings.lr * settings.lr_decay
        history["loss"].append(float(loss.detach()))
        history["recon"].append(float(recon.detach()))
        history["ccomp"].append(float(ccomp.detach()))
        if progress is not None:
            progress(step)
    return TrainedRun(model, history)


def train_ensemble(
    x: Tensor,
    lams: Sequence[float],
    init_seeds: Sequence[int],
    batch_seeds: Sequence[int],
    settings: TrainSettings,
    slot_dim: int,
    latent_dim: int,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 50,
    checkpoints: Sequence[int] = (),
    on_checkpoint: Callable[[int, list[AutoEncoder]], None] | None = None,
) -> TrainedEnsemble:
    """Train E autoencoders of the same shape together as one vmapped ensemble.

    Parameters
    ----------
    x
        Training observations per member, ``(E, N, obs_dim)`` (members may have different data).
    lams, init_seeds, batch_seeds
        Per member: contrast weight and seeds (length E each).
    settings, slot_dim, latent_dim
        As in :func:`train_single` (shared by all members).
    progress
        Called with the number of finished steps every ``progress_every`` steps and at the end.
    progress_every
        How often to call ``progress`` (each call synchronises with the device).
    checkpoints, on_checkpoint
        After each step listed in ``checkpoints``, ``on_checkpoint(step, models)`` receives the
        members as modules holding the current parameters (copies: changing them does not
        affect training), e.g. to follow SIS during a long run.

    Returns
    -------
    TrainedEnsemble
        Members in the order given; ``history[name]`` is ``(E, steps)``.

    Examples
    --------
    >>> x = torch.randn(2, 128, 8)
    >>> out = train_ensemble(x, [0.0, 1.0], [0, 0], [1, 1], TrainSettings(steps=3), slot_dim=2, latent_dim=4)
    >>> out.history["recon"].shape
    torch.Size([2, 3])
    """
    E = x.shape[0]
    if not (len(lams) == len(init_seeds) == len(batch_seeds) == E):
        raise ValueError(f"{E} members need {E} lambdas and seeds, got {len(lams)}, {len(init_seeds)}, {len(batch_seeds)}")
    members = [init_autoencoder(x.shape[-1], latent_dim, s, settings.hidden, x.dtype, x.device) for s in init_seeds]
    enc_params, enc_buffers = stack_module_state([m.encoder for m in members])
    dec_params, dec_buffers = stack_module_state([m.decoder for m in members])
    enc_base = copy.deepcopy(members[0].encoder).to("meta")
    dec_base = copy.deepcopy(members[0].decoder).to("meta")
    lam_t = torch.tensor(list(lams), dtype=x.dtype, device=x.device)
    layer_names = [(f"fc.{i}.weight", f"fc.{i}.bias") for i in range(len(members[0].decoder.fc))]

    def dec_layers(dp: dict) -> list[tuple[Tensor, Tensor]]:
        return [(dp[w], dp[b]) for w, b in layer_names]

    with_contrast = any(lam != 0 for lam in lams)

    def member_loss(ep: dict, eb: dict, dp: dict, db: dict, xb: Tensor, lam: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        def encoder(v: Tensor) -> Tensor:
            return functional_call(enc_base, (ep, eb), (v,))

        def decoder(z: Tensor) -> Tensor:
            return functional_call(dec_base, (dp, db), (z,))

        def decoder_jacobian(z: Tensor) -> tuple[Tensor, Tensor]:
            return mlp_jacobian_and_output(dec_layers(dp), z)

        return autoencoder_loss(encoder, decoder, xb, lam, slot_dim, with_contrast, settings.contrast, decoder_jacobian)

    batched_loss = vmap(member_loss)
    leaves = list(enc_params.values()) + list(dec_params.values())
    optimizer = OPTIMIZERS[settings.optimizer](leaves, lr=settings.lr)
    gens = [torch.Generator().manual_seed(int(s)) for s in batch_seeds]
    rows = torch.arange(E, device=x.device).unsqueeze(1)
    curves = {k: torch.empty(E, settings.steps, dtype=x.dtype, device=x.device) for k in ("loss", "recon", "ccomp")}
    wanted = set(checkpoints)
    for step in range(1, settings.steps + 1):
        idx = _batches(gens, x.shape[1], settings.batch_size).to(x.device)
        loss, recon, ccomp = batched_loss(enc_params, enc_buffers, dec_params, dec_buffers, x[rows, idx], lam_t)
        # members are independent: d(sum)/d(theta_i) = d(loss_i)/d(theta_i)
        optimizer.step(torch.autograd.grad(loss.sum(), leaves))
        if step == settings.decay_step():
            optimizer.lr = settings.lr * settings.lr_decay
        with torch.no_grad():
            curves["loss"][:, step - 1] = loss
            curves["recon"][:, step - 1] = recon
            curves["ccomp"][:, step - 1] = ccomp
        if progress is not None and (step % progress_every == 0 or step == settings.steps):
            progress(step)
        if on_checkpoint is not None and step in wanted:
            on_checkpoint(step, _unstack(members, enc_params, dec_params))
    models = _unstack(members, enc_params, dec_params)
    return TrainedEnsemble(models, {k: v.detach().cpu() for k, v in curves.items()})


def _unstack(members: list[AutoEncoder], enc_params: dict[str, Tensor], dec_params: dict[str, Tensor]) -> list[AutoEncoder]:
    with torch.no_grad():
        for i, model in enumerate(members):
            for name, p in model.encoder.named_parameters():
                p.copy_(enc_params[name][i])
            for name, p in model.decoder.named_parameters():
                p.copy_(dec_params[name][i])
    return members

"""The encoder/decoder of Brady et al. (2023)'s synthetic experiment, with seeded initialisation.

Both are their ``MLP``: three fully connected layers with biases, hidden width 80, LeakyReLU
with slope 0.2 after the first two.  The encoder maps ``obs_dim -> 80 -> 80 -> K * slot_dim``
and the decoder maps back.  Parameters are initialised like ``torch.nn.Linear``'s default
(weights and biases ``Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))``), but drawn from an explicit
``torch.Generator`` so the global RNG is never touched.

Examples
--------
>>> model = init_autoencoder(obs_dim=12, latent_dim=6, seed=0)
>>> zh, xh = model(torch.zeros(5, 12))
>>> zh.shape, xh.shape
(torch.Size([5, 6]), torch.Size([5, 12]))
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn
from torch.nn import functional as F

__all__ = ["MLP", "AutoEncoder", "init_autoencoder", "mlp_jacobian_and_output", "NEGATIVE_SLOPE", "HIDDEN"]

#: LeakyReLU slope of Brady et al.'s encoder and decoder.
NEGATIVE_SLOPE = 0.2
#: Hidden width of Brady et al.'s encoder and decoder.
HIDDEN = 80


class MLP(nn.Module):
    """``in -> hidden -> hidden -> out`` with LeakyReLU(0.2) between layers (Brady et al.'s ``MLP``).

    Parameters
    ----------
    input_dim, output_dim
        Layer sizes at both ends.
    hidden_dim
        Width of the two hidden layers.

    Examples
    --------
    >>> MLP(3, 2)(torch.zeros(4, 3)).shape
    torch.Size([4, 2])
    """

    #: Affine layers and LeakyReLU only (read by the numeric H_n note: its second derivatives vanish a.e.).
    piecewise_linear = True

    def __init__(self, input_dim: int, output_dim: int, hidden_dim: int = HIDDEN):
        super().__init__()
        sizes = [input_dim, hidden_dim, hidden_dim, output_dim]
        self.fc = nn.ModuleList(
            torch.nn.utils.skip_init(nn.Linear, a, b) for a, b in zip(sizes[:-1], sizes[1:])
        )

    def forward(self, x: Tensor) -> Tensor:
        """Apply the network to ``x`` of shape ``(..., input_dim)``.

        Examples
        --------
        >>> net = MLP(2, 1)
        >>> net.reset_parameters(torch.Generator().manual_seed(0))
        >>> net(torch.zeros(3, 2)).shape
        torch.Size([3, 1])
        """
        h = x
        for i, layer in enumerate(self.fc):
            h = layer(h)
            if i < len(self.fc) - 1:
                h = F.leaky_relu(h, negative_slope=NEGATIVE_SLOPE)
        return h

    def jacobian_and_output(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """Jacobians ``(N, output_dim, input_dim)`` and outputs ``(N, output_dim)`` at ``z`` ``(N, input_dim)``.

        The values of ``vmap(jacfwd(self, has_aux=True))`` up to float rounding, the outputs
        bit for bit those of the forward pass (see :func:`mlp_jacobian_and_output`),
        differentiable with respect to the parameters.

        Examples
        --------
        >>> net = MLP(2, 3)
        >>> net.reset_parameters(torch.Generator().manual_seed(0))
        >>> jac, out = net.jacobian_and_output(torch.zeros(4, 2))
        >>> jac.shape, bool(torch.equal(out, net(torch.zeros(4, 2))))
        (torch.Size([4, 3, 2]), True)
        """
        return mlp_jacobian_and_output([(layer.weight, layer.bias) for layer in self.fc], z)

    def reset_parameters(self, generator: torch.Generator) -> None:
        """``nn.Linear``'s default distribution, drawn from ``generator``.

        Examples
        --------
        >>> net = MLP(4, 2)
        >>> net.reset_parameters(torch.Generator().manual_seed(0))
        >>> bool(net.fc[0].weight.abs().max() <= 0.5)                # 1 / sqrt(fan_in = 4)
        True
        """
        with torch.no_grad():
            for layer in self.fc:
                bound = 1.0 / math.sqrt(layer.in_features)
                nn.init.uniform_(layer.weight, -bound, bound, generator=generator)
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)


def mlp_jacobian_and_output(layers: Sequence[tuple[Tensor, Tensor]], z: Tensor, negative_slope: float = NEGATIVE_SLOPE) -> tuple[Tensor, Tensor]:
    """Forward-mode Jacobians of :class:`MLP`'s map, written out: ``(J, output)`` at every point.

    ``layers`` are the ``(weight, bias)`` of the fully connected layers, LeakyReLU
    (``negative_slope``) after all but the last.  The tangents ``dh/dz`` ride along the forward
    pass as ``(N, input_dim, width)``, latent-major: the first layer's tangent is ``W^T`` at every
    point, an activation multiplies it by its slope (1 where the pre-activation is positive,
    ``negative_slope`` elsewhere: LeakyReLU's derivative, as torch takes it), a layer multiplies
    it by ``W^T``.  These are the tangents ``vmap(jacfwd)`` pushes through the same layers,
    without the per-operation dispatch of the two transforms (one training step of the
    experiment runs about half the operator calls: 546 against 1,067); the values agree to
    float rounding (tested in ``tests/numeric/test_fast_jacobians.py``).  The slopes are constants (the derivative of
    LeakyReLU's derivative is zero wherever it exists), as in the double derivative of
    ``jacfwd``; gradients flow through the weights and, via the output, through ``z``.

    Parameters
    ----------
    layers
        ``[(W_1, b_1), ..., (W_L, b_L)]``, ``W_i`` of shape ``(out_i, in_i)``.
    z
        Points ``(N, input_dim)``.
    negative_slope
        The LeakyReLU slope.

    Returns
    -------
    (Tensor, Tensor)
        ``J`` of shape ``(N, out_L, input_dim)`` (a transposed view of a latent-major tensor,
        like ``vmap(jacfwd)``'s) and the outputs ``(N, out_L)``.

    Examples
    --------
    >>> w, b = torch.tensor([[1.0, -2.0]]), torch.zeros(1)
    >>> jac, out = mlp_jacobian_and_output([(w, b), (torch.ones(1, 1), torch.zeros(1))], torch.tensor([[1.0, 1.0]]))
    >>> jac.tolist(), out.tolist()                                  # pre-activation -1 < 0: slope 0.2
    ([[[0.20000000298023224, -0.4000000059604645]]], [[-0.20000000298023224]])
    """
    h = z
    tangent: Tensor | None = None
    last = len(layers) - 1
    for i, (weight, bias) in enumerate(layers):
        h = F.linear(h, weight, bias)
        if tangent is None:
            tangent = weight.T.unsqueeze(0)
        else:  # one 2-D product (under vmap over an ensemble: one bmm, not a broadcast per point)
            tangent = (tangent.reshape(-1, tangent.shape[-1]) @ weight.T).reshape(*tangent.shape[:-1], weight.shape[0])
        if i < last:
            slope = torch.full_like(h, negative_slope).masked_fill_(h > 0, 1.0)
            tangent = tangent * slope.unsqueeze(-2)
            h = F.leaky_relu(h, negative_slope=negative_slope)
    assert tangent is not None, "an MLP has at least one layer"
    if tangent.shape[0] != h.shape[0]:  # a one-layer network: the tangent is W^T at every point
        tangent = tangent.expand(h.shape[0], *tangent.shape[1:])
    return tangent.transpose(-1, -2), h


class AutoEncoder(nn.Module):
    """Encoder and decoder MLPs; ``forward(x)`` returns ``(zh, xh)`` like Brady et al.'s ``AutoEncoder``.

    Parameters
    ----------
    obs_dim
        Observed dimension.
    latent_dim
        ``K * slot_dim`` (slots contiguous in the code vector).
    hidden_dim
        Hidden width of both MLPs.

    Examples
    --------
    >>> AutoEncoder(10, 4).decoder.fc[-1].out_features
    10
    """

    def __init__(self, obs_dim: int, latent_dim: int, hidden_dim: int = HIDDEN):
        super().__init__()
        self.encoder = MLP(obs_dim, latent_dim, hidden_dim)
        self.decoder = MLP(latent_dim, obs_dim, hidden_dim)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Codes and reconstructions of ``x`` (see the module example)."""
        zh = self.encoder(x)
        return zh, self.decoder(zh)


def init_autoencoder(
    obs_dim: int,
    latent_dim: int,
    seed: int,
    hidden_dim: int = HIDDEN,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> AutoEncoder:
    """A freshly initialised :class:`AutoEncoder`, every parameter drawn from ``torch.Generator(seed)``.

    Parameters
    ----------
    obs_dim, latent_dim, hidden_dim
        Sizes (see :class:`AutoEncoder`).
    seed
        Seed of the initialisation (encoder first, then decoder, layer by layer).
    dtype, device
        Where the parameters live (they are drawn on the CPU in float32, then moved, so the same
        seed gives the same model on every device).

    Examples
    --------
    >>> a, b = init_autoencoder(4, 2, seed=7), init_autoencoder(4, 2, seed=7)
    >>> all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    True
    """
    model = AutoEncoder(obs_dim, latent_dim, hidden_dim)
    gen = torch.Generator().manual_seed(int(seed))
    model.encoder.reset_parameters(gen)
    model.decoder.reset_parameters(gen)
    return model.to(dtype=dtype, device=device)

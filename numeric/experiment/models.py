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

import torch
from torch import Tensor, nn
from torch.nn import functional as F

__all__ = ["MLP", "AutoEncoder", "init_autoencoder", "NEGATIVE_SLOPE", "HIDDEN"]

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

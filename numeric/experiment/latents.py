"""Latent distributions of the synthetic experiment (issue 15, item 2: dependent latents).

Brady et al. (2023)'s identifiability result for compositional generators does not depend on
the latent density: re-weighting the density leaves the set of slot-wise solutions unchanged.
Their code offers a ``--dependent`` option (correlated Gaussian latents with a Wishart-sampled
covariance) to show it.  This module draws the latents of a sweep run from one of
:data:`LATENTS`:

* ``"independent"``: ``z ~ N(0, I)``, the default; draws exactly what the sweep always drew
  (``torch.randn`` from ``torch.Generator().manual_seed(seed)`` in float64), so results made
  before this option existed stay valid;
* ``"wishart"``: a correlated Gaussian.  ``A ~ Wishart(df, I)`` (``df = dim`` by default) is
  drawn as ``G G^T`` with ``G`` a ``dim x df`` standard normal matrix, normalised to the
  correlation matrix ``C = diag(A)^{-1/2} A diag(A)^{-1/2}``, and ``z ~ N(0, C)``.  This follows
  the description of Brady et al.'s option (Wishart covariance, Gaussian latents); their code
  may differ in details (degrees of freedom, scale, the normalisation to unit variances, which
  we add so that every latent keeps variance 1 as in the independent case);
* ``"scale-mixture"``: ``z = s u / sqrt(E s^2)`` with ``u ~ N(0, I)`` and one shared scale
  ``s = exp(sigma eps)``, ``eps ~ N(0, 1)``, per sample (``sigma = 0.5``).  The coordinates are
  uncorrelated (covariance exactly ``I``) but all mutually dependent (their magnitudes move
  together) and heavy-tailed (kurtosis ``3 exp(4 sigma^2) ~ 8.2`` instead of 3): a strongly
  non-Gaussian, dependent density that no linear decorrelation can make independent.

Every function takes its randomness explicitly (an ``int`` seed or a ``torch.Generator``);
nothing here touches a global random state.

Examples
--------
>>> s = sample_latents("wishart", 4000, 3, seed=0)
>>> s.z.shape, s.covariance.shape
(torch.Size([4000, 3]), torch.Size([3, 3]))
>>> bool(torch.allclose(s.covariance.diagonal(), torch.ones(3, dtype=torch.float64)))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = [
    "LATENTS",
    "LatentSample",
    "sample_latents",
    "independent_latents",
    "wishart_correlation",
    "wishart_latents",
    "scale_mixture_latents",
    "SCALE_SIGMA",
]

#: The latent distributions a sweep may draw from (config key ``latents``).
LATENTS = ("independent", "wishart", "scale-mixture")
#: Log-scale standard deviation of the shared scale of ``"scale-mixture"``.
SCALE_SIGMA = 0.5


@dataclass(frozen=True)
class LatentSample:
    """Latent samples and the population covariance of the distribution they were drawn from.

    Attributes
    ----------
    z
        ``(n, dim)`` float64 samples.
    covariance
        ``(dim, dim)`` float64: the covariance of the distribution (not the sample covariance).
    kind
        One of :data:`LATENTS`.
    """

    z: Tensor
    covariance: Tensor
    kind: str


def _generator(seed: int | torch.Generator) -> torch.Generator:
    if isinstance(seed, torch.Generator):
        return seed
    return torch.Generator().manual_seed(int(seed))


def independent_latents(n: int, dim: int, seed: int | torch.Generator) -> LatentSample:
    """``n`` samples of ``N(0, I_dim)`` in float64.

    Parameters
    ----------
    n, dim
        Number of samples and dimension.
    seed
        An ``int`` (a fresh ``torch.Generator`` seeded with it) or a generator to draw from.

    Returns
    -------
    LatentSample
        With ``covariance = I``.

    Examples
    --------
    >>> a = independent_latents(5, 2, seed=3).z
    >>> torch.equal(a, torch.randn(5, 2, generator=torch.Generator().manual_seed(3), dtype=torch.float64))
    True
    """
    z = torch.randn(n, dim, generator=_generator(seed), dtype=torch.float64)
    return LatentSample(z, torch.eye(dim, dtype=torch.float64), "independent")


def wishart_correlation(dim: int, seed: int | torch.Generator, df: int | None = None) -> Tensor:
    """A correlation matrix: ``A ~ Wishart(df, I_dim)`` rescaled to unit diagonal.

    Parameters
    ----------
    dim
        Size of the matrix.
    seed
        An ``int`` or a ``torch.Generator``.
    df
        Degrees of freedom, an integer ``>= dim`` (default ``dim``: the fewest that keep ``A``
        invertible; more degrees of freedom give weaker correlations).

    Returns
    -------
    torch.Tensor
        ``(dim, dim)`` float64, symmetric positive definite, ones on the diagonal.

    Examples
    --------
    >>> c = wishart_correlation(4, seed=1)
    >>> bool(torch.allclose(c, c.T)), bool(torch.linalg.eigvalsh(c).min() > 0)
    (True, True)
    """
    df = dim if df is None else int(df)
    if df < dim:
        raise ValueError(f"a Wishart matrix of size {dim} needs df >= {dim}, got {df}")
    g = torch.randn(dim, df, generator=_generator(seed), dtype=torch.float64)
    a = g @ g.T
    scale = a.diagonal().rsqrt()
    c = a * scale[:, None] * scale[None, :]
    c = (c + c.T) / 2
    c.diagonal().fill_(1.0)
    return c


def wishart_latents(n: int, dim: int, seed: int | torch.Generator, df: int | None = None) -> LatentSample:
    """``n`` samples of ``N(0, C)`` with ``C`` from :func:`wishart_correlation` (drawn first, from the same generator).

    Parameters
    ----------
    n, dim
        Number of samples and dimension.
    seed
        An ``int`` or a ``torch.Generator`` (the correlation matrix, then the samples).
    df
        Degrees of freedom of the Wishart draw (default ``dim``).

    Returns
    -------
    LatentSample
        ``covariance`` is ``C``.

    Examples
    --------
    >>> s = wishart_latents(20000, 2, seed=0)
    >>> bool((torch.cov(s.z.T) - s.covariance).abs().max() < 0.05)
    True
    """
    gen = _generator(seed)
    c = wishart_correlation(dim, gen, df)
    chol = torch.linalg.cholesky(c)
    z = torch.randn(n, dim, generator=gen, dtype=torch.float64) @ chol.T
    return LatentSample(z, c, "wishart")


def scale_mixture_latents(n: int, dim: int, seed: int | torch.Generator, sigma: float = SCALE_SIGMA) -> LatentSample:
    """``n`` samples of ``s u / sqrt(E s^2)``: ``u ~ N(0, I)`` and one log-normal scale ``s`` per sample.

    Parameters
    ----------
    n, dim
        Number of samples and dimension.
    seed
        An ``int`` or a ``torch.Generator`` (``u`` first, then the scales).
    sigma
        ``s = exp(sigma * eps)``, ``eps ~ N(0, 1)``; ``E s^2 = exp(2 sigma^2)``.

    Returns
    -------
    LatentSample
        ``covariance = I``: uncorrelated, yet every coordinate depends on every other through ``s``.

    Examples
    --------
    >>> z = scale_mixture_latents(20000, 2, seed=0).z
    >>> r = torch.corrcoef((z ** 2).T)[0, 1]                # the magnitudes move together
    >>> bool(r > 0.1), bool(torch.corrcoef(z.T)[0, 1].abs() < 0.05)
    (True, True)
    """
    gen = _generator(seed)
    u = torch.randn(n, dim, generator=gen, dtype=torch.float64)
    s = torch.exp(sigma * torch.randn(n, 1, generator=gen, dtype=torch.float64))
    z = u * s / math.exp(sigma**2)  # sqrt(E s^2) = exp(sigma^2)
    return LatentSample(z, torch.eye(dim, dtype=torch.float64), "scale-mixture")


def sample_latents(kind: str, n: int, dim: int, seed: int | torch.Generator) -> LatentSample:
    """``n`` latent samples of dimension ``dim`` from the distribution ``kind`` (one of :data:`LATENTS`).

    Parameters
    ----------
    kind
        ``"independent"``, ``"wishart"`` or ``"scale-mixture"``.
    n, dim
        Number of samples and dimension.
    seed
        An ``int`` or a ``torch.Generator``: the only source of randomness.

    Returns
    -------
    LatentSample

    Raises
    ------
    ValueError
        For an unknown ``kind``.

    Examples
    --------
    >>> sample_latents("scale-mixture", 3, 2, seed=0).kind
    'scale-mixture'
    """
    if kind == "independent":
        return independent_latents(n, dim, seed)
    if kind == "wishart":
        return wishart_latents(n, dim, seed)
    if kind == "scale-mixture":
        return scale_mixture_latents(n, dim, seed)
    raise ValueError(f"unknown latent distribution {kind!r} (choose from {', '.join(LATENTS)})")

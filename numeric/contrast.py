"""Contrast metrics on decoder Jacobians: differentiable proxies for mechanistic independence.

Three published scores, each a function of a batch of Jacobians ``jac`` of shape
``(..., m, d)`` (``m`` outputs, ``d`` latents; any leading batch dimensions) and a partition of
the ``d`` latent columns into slots (blocks):

* :func:`compositional_contrast`: Brady et al. (2023)'s C_comp (docs/mathematics.md section 12.1), the
  training regulariser of their synthetic experiment, unweighted or weighted (their image
  variant), transcribed from their code including the ``1e-12`` added after the norm;
* :func:`jacobian_interaction_score`: Brady et al. (2024)'s Jacobian interaction score (how
  much each output is explained by one slot only, 1 = disjoint, 0 = evenly shared);
* :func:`ima_contrast`: the IMA contrast of Gresele et al. (2021) (docs/mathematics.md section 12.3), 0 iff
  the Jacobian's columns are orthogonal.

and three scale-free sparsity proxies (issue 15, item 3; docs/proxy-losses.md), each in ``[0, 1]``
(up to ``eps``) and each a Hoyer-type ``l1 / l2`` relaxation of a count of nonzeros (the ``l0`` norm that Type S
compares between slot-aligned and misaligned bases, docs/mathematics.md section 5):

* :func:`slot_usage_contrast` (``"l1l2"``): per output, how many slots it uses;
* :func:`slot_support_contrast` (``"support"``): per slot, how many outputs it touches;
* :func:`hoyer_contrast` (``"hoyer"``): per latent, how many outputs its column touches.

Each returns one value per Jacobian (shape ``jac.shape[:-2]``); Brady et al.'s batch value is
the ``.mean()`` of that.  All are built from differentiable torch operations, so they serve as
training losses (the training loop of :mod:`numeric.experiment.training` uses
:func:`compositional_contrast`).  Only torch is imported.

Examples
--------
>>> import torch
>>> jac = torch.tensor([[[1.0, 0.0], [0.0, 2.0], [3.0, 4.0]]])   # one point, 3 outputs, 2 slots of dim 1
>>> float(compositional_contrast(jac, 1)[0])                      # only output 2 mixes: 3 * 4
12.0
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

__all__ = [
    "compositional_contrast",
    "normalized_compositional_contrast",
    "jacobian_interaction_score",
    "ima_contrast",
    "slot_usage_contrast",
    "slot_support_contrast",
    "hoyer_contrast",
    "hoyer_ratio",
    "slot_blocks",
    "block_norms",
    "PROXY_CONTRASTS",
]

#: The constant Brady et al. add to every block norm (after the norm) "to reduce numerical instability".
BRADY_EPS = 1e-12


def slot_blocks(blocks: int | Sequence[Sequence[int]], d: int) -> list[list[int]]:
    """The latent column indices of every slot.

    Parameters
    ----------
    blocks
        Either an ``int`` slot dimension (contiguous slots of that size, as in Brady et al.'s
        code: ``d // blocks`` slots) or a partition of ``range(d)`` as lists of column indices.
    d
        The number of latent columns.

    Returns
    -------
    list of list of int
        One list of column indices per slot.

    Raises
    ------
    ValueError
        When ``blocks`` is not a partition of ``range(d)`` (or the slot dimension does not divide ``d``).

    Examples
    --------
    >>> slot_blocks(3, 6)
    [[0, 1, 2], [3, 4, 5]]
    >>> slot_blocks([[1], [0, 2]], 3)
    [[1], [0, 2]]
    """
    if isinstance(blocks, int):
        if blocks <= 0 or d % blocks:
            raise ValueError(f"slot dimension {blocks} does not divide the latent dimension {d}")
        return [list(range(k, k + blocks)) for k in range(0, d, blocks)]
    out = [[int(a) for a in block] for block in blocks]
    flat = sorted(a for block in out for a in block)
    if flat != list(range(d)) or any(not block for block in out):
        raise ValueError(f"blocks {out} are not a partition of the {d} latent columns into non-empty slots")
    return out


def block_norms(jac: Tensor, blocks: int | Sequence[Sequence[int]], ord: float = 2.0) -> Tensor:
    """Per output and slot, the norm of the Jacobian row restricted to the slot's columns.

    Parameters
    ----------
    jac
        Jacobians, shape ``(..., m, d)``.
    blocks
        Slot dimension or partition of the columns (see :func:`slot_blocks`).
    ord
        Vector norm order (2 for C_comp, 1 for the interaction score).

    Returns
    -------
    Tensor
        Shape ``(..., K, m)``: entry ``[k, p]`` is ``||jac[p, C_k]||``.

    Examples
    --------
    >>> block_norms(torch.tensor([[3.0, 4.0, 1.0]]), [[0, 1], [2]])
    tensor([[5.],
            [1.]])
    """
    parts = slot_blocks(blocks, jac.shape[-1])
    # Jacobians from vmap(jacfwd) are laid out latent-major; a norm over a strided last
    # dimension is ~10x slower than copying to a contiguous layout first.
    jac = jac.contiguous()
    if isinstance(blocks, int):
        rows = jac.reshape(*jac.shape[:-1], len(parts), blocks)
        return torch.linalg.vector_norm(rows, ord=ord, dim=-1).transpose(-1, -2)
    return torch.stack([torch.linalg.vector_norm(jac[..., idx], ord=ord, dim=-1) for idx in parts], dim=-2)


def compositional_contrast(
    jac: Tensor,
    blocks: int | Sequence[Sequence[int]],
    weighted: bool = False,
    eps: float = BRADY_EPS,
) -> Tensor:
    """Brady et al. (2023)'s compositional contrast of each Jacobian (docs/mathematics.md section 12.1).

    With ``n[k, p] = ||J[p, C_k]||_2 + eps`` (the ``eps`` added after the norm, as in their code):

    * unweighted (their synthetic experiment): ``sum_p sum_{i<j} n[i, p] * n[j, p]``;
    * weighted (their image variant): with ``mean_p = (1/K) sum_k n[k, p]``, the normalised norms
      ``n[k, p] / mean_p`` enter the same pairwise sum, and pixel ``p`` is weighted by
      ``mean_p / max_p mean_p``.

    The pairwise products are accumulated slot pair by slot pair (their loop order), never as
    ``((sum n)^2 - sum n^2) / 2``, which cancels catastrophically when one slot dominates.

    Parameters
    ----------
    jac
        Jacobians of the decoder, shape ``(..., m, d)``, latents ordered as ``blocks`` says.
    blocks
        Slot dimension (contiguous slots, Brady et al.'s ``slot_dim``) or a partition of the columns.
    weighted
        The weighted (image) variant instead of the unweighted one.
    eps
        Added to every block norm; ``1e-12`` in Brady et al.'s code, ``0`` gives the exact
        proxy (0 iff Type D at that point).

    Returns
    -------
    Tensor
        Shape ``jac.shape[:-2]``: one contrast per Jacobian.  Brady et al.'s training loss is the
        ``.mean()`` over the batch.

    Examples
    --------
    >>> jac = torch.tensor([[[1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 3.0, 4.0]]])   # block diagonal, slots of dim 2
    >>> float(compositional_contrast(jac, 2, eps=0.0)[0])
    0.0
    >>> jac = torch.tensor([[[3.0, 4.0, 1.0, 0.0]]])                         # one output sees both slots
    >>> float(compositional_contrast(jac, 2, eps=0.0)[0])                    # 5 * 1
    5.0
    """
    norms = block_norms(jac, blocks, ord=2.0) + eps  # (..., K, m)
    num_slots = norms.shape[-2]
    if weighted:
        mean = norms.sum(-2) / num_slots  # (..., m)
        normed = norms / mean.unsqueeze(-2)
        weights = mean / mean.max(dim=-1, keepdim=True).values
        pairs = _pairwise(normed)
        return (pairs * weights).sum(-1)
    return _pairwise(norms).sum(-1)


def normalized_compositional_contrast(
    jac: Tensor,
    blocks: int | Sequence[Sequence[int]],
    eps: float = BRADY_EPS,
) -> Tensor:
    """The unweighted compositional contrast divided by ``||J||_F^2``: a scale-free variant (not Brady et al.'s).

    The unweighted C_comp is homogeneous of degree 2 in ``J``: ``C(cJ) = c^2 C(J)``.  A decoder
    ``z -> g(z / c)`` fed codes ``c * z`` reconstructs exactly as well while its contrast drops
    by ``c^2``, so minimising ``recon + lambda * C_comp`` can lower the contrast by growing the
    codes and shrinking the decoder's Jacobian, without making the Jacobian any more
    block-structured.  Dividing by ``||J||_F^2 = sum_p sum_k n[k, p]^2`` removes that direction:
    the ratio depends only on the *shape* of the Jacobian, lies in ``[0, (K - 1) / 2]`` and is 0
    iff the Jacobian is Type D at that point (with ``eps = 0``).

    This is the project's option for the paper experiment (``contrast = "normalized"`` in a
    sweep configuration), not a transcription: Brady et al.'s image variant
    (``weighted=True`` of :func:`compositional_contrast`) is scale-free too, by a per-pixel
    normalisation instead.

    Parameters
    ----------
    jac, blocks, eps
        As in :func:`compositional_contrast`.

    Returns
    -------
    Tensor
        Shape ``jac.shape[:-2]``.

    Examples
    --------
    >>> jac = torch.tensor([[[3.0, 4.0, 1.0, 0.0]]])                         # C_comp = 5, ||J||^2 = 26
    >>> round(float(normalized_compositional_contrast(jac, 2, eps=0.0)[0]), 4)
    0.1923
    >>> float(normalized_compositional_contrast(10 * jac, 2, eps=0.0)[0]) == float(normalized_compositional_contrast(jac, 2, eps=0.0)[0])
    True
    """
    energy = jac.square().sum(dim=(-2, -1))
    return compositional_contrast(jac, blocks, eps=eps) / (energy + torch.finfo(jac.dtype).tiny)


def hoyer_ratio(values: Tensor, dim: int = -1, eps: float = BRADY_EPS) -> Tensor:
    """The rescaled ``l1 / l2`` ratio of ``values`` along ``dim``, in ``[0, 1]`` (up to ``eps``).

    For a vector ``v`` of length ``n > 1``: ``(||v||_1 / (||v||_2 + eps) - 1) / (sqrt(n) - 1)``,
    which is 0 when ``v`` has one nonzero entry and 1 when all its entries have the same
    magnitude (one minus Hoyer's (2004) sparsity measure).  ``||v||_1 / ||v||_2`` is the standard
    scale-free relaxation of ``l0``: it lies in ``[1, sqrt(l0(v))]``.  It is invariant to
    ``v -> c v`` (``c != 0``; up to ``eps``), to sign flips and to permutations of the entries.
    Because of ``eps`` a vector with one nonzero entry gives ``-eps / (||v||_2 + eps) / (sqrt(n) - 1)``
    (about ``-1e-11`` for entries of order 0.1), not exactly 0, and a zero vector gives
    ``-1 / (sqrt(n) - 1)``, which the callers below replace by 0.

    Parameters
    ----------
    values
        Any tensor.
    dim
        The dimension the ratio is taken along (length ``n >= 2``).
    eps
        Added to the ``l2`` norm (keeps the ratio finite at zero).

    Returns
    -------
    Tensor
        ``values``'s shape without ``dim``.

    Examples
    --------
    >>> float(hoyer_ratio(torch.tensor([0.0, 3.0, 0.0, 0.0])))
    0.0
    >>> float(hoyer_ratio(torch.tensor([2.0, -2.0, 2.0, 2.0])))
    1.0
    """
    n = values.shape[dim]
    if n < 2:
        raise ValueError(f"the Hoyer ratio needs at least 2 entries along dim {dim}, got {n}")
    l1 = values.abs().sum(dim)
    l2 = torch.linalg.vector_norm(values, dim=dim)
    return (l1 / (l2 + eps) - 1.0) / (n**0.5 - 1.0)


def slot_usage_contrast(jac: Tensor, blocks: int | Sequence[Sequence[int]], eps: float = BRADY_EPS) -> Tensor:
    """Per output, a Hoyer relaxation of *how many slots* it uses, averaged over the outputs (``"l1l2"``).

    With ``n[k, p] = ||J[p, C_k]||_2`` the slot-block norms of output ``p`` (as in C_comp), the
    per-output value is :func:`hoyer_ratio` of ``(n[1, p], ..., n[K, p])``:
    ``(sum_k n[k, p] / ||J[p, :]||_2 - 1) / (sqrt(K) - 1)``, 0 iff output ``p`` depends on one
    slot only, 1 iff it depends on every slot with the same gradient norm.  The contrast is
    the mean over the outputs whose row is nonzero (an all-zero row contributes 0; with
    ``eps > 0`` its value tends continuously to 0 as the row vanishes).

    What it measures, against C_comp: the same *pattern* (for ``K = 2``, the outputs that mix
    the two slots are the ones where both are nonzero), but each output counts once, whatever
    its gradient magnitude.  C_comp ``sum_p n[1, p] n[2, p]`` is homogeneous of degree 2, so it
    is lowered by shrinking the decoder's Jacobian, and it weights each shared output by the
    product of its gradients, so a mixing that moves a little gradient from the large shared
    outputs onto many private ones can lower it.  This contrast is invariant to any positive
    rescaling of each output row (hence of ``J``), to orthogonal changes of basis *inside* a
    slot and to permutations of slots and outputs: it only asks each output to use as few
    slots as it can.  It still prefers disjoint supports (Type D); at an overlap the shared
    outputs keep a positive cost that no slot-wise model removes.

    Parameters
    ----------
    jac
        Jacobians, shape ``(..., m, d)``.
    blocks
        Slot dimension or partition of the columns (see :func:`slot_blocks`); at least 2 slots.
    eps
        Added to every row norm.

    Returns
    -------
    Tensor
        Shape ``jac.shape[:-2]``, values in ``[0, 1]``.

    Examples
    --------
    >>> jac = torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])      # 2 slots of dim 1; output 3 shared evenly
    >>> round(float(slot_usage_contrast(jac, 1)), 4)                   # (0 + 0 + 1) / 3
    0.3333
    >>> round(float(slot_usage_contrast(100 * jac, 1)), 4)
    0.3333
    """
    norms = block_norms(jac, blocks, ord=2.0)  # (..., K, m)
    per_output = hoyer_ratio(norms, dim=-2, eps=eps)  # (..., m)
    active = norms.sum(-2) > 0
    return torch.where(active, per_output, torch.zeros_like(per_output)).mean(-1)


def slot_support_contrast(jac: Tensor, blocks: int | Sequence[Sequence[int]], eps: float = BRADY_EPS) -> Tensor:
    """Per slot, a Hoyer relaxation of *how many outputs* it touches, averaged over the slots (``"support"``).

    With ``n[k, p] = ||J[p, C_k]||_2``, slot ``k``'s value is :func:`hoyer_ratio` of
    ``(n[k, 1], ..., n[k, m])``, a relaxation of ``|supp_k|``, the number of outputs whose
    gradient has a nonzero component in slot ``k``'s columns; the contrast is the mean over the
    slots.

    Why this count: for a slot-aligned change of basis ``M = diag(M_1, ..., M_K)`` the support
    of every slot block is unchanged, and when each block's rows are generic (dense, as those of
    an MLP slot map are), ``l0(J M) = sum_k slot_dim * |supp_k|`` for generic ``M_k``.  So
    ``sum_k |supp_k|`` is, up to the factor ``slot_dim`` and non-generic cancellations, the
    ``rho+`` of Type S, while a misaligned basis (mixing slots) spreads every slot's
    support over the union of the supports it mixes: that is the sparsity gap Type S asks for,
    and it survives overlapping slots (a shared output is in two supports in every basis), where
    Type D's "one slot per output" does not.  Invariant to rescaling each slot's columns (hence
    ``J``), to orthogonal changes of basis inside a slot, and to permutations of the outputs
    and of the slots; not to rescaling single outputs (a large output weighs more).

    Parameters
    ----------
    jac, blocks, eps
        As in :func:`slot_usage_contrast` (``eps`` is added to every slot's norm over the outputs).

    Returns
    -------
    Tensor
        Shape ``jac.shape[:-2]``, values in ``[0, 1]`` (a slot whose columns are all zero counts 0).

    Examples
    --------
    >>> jac = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 2.0], [0.0, 2.0]])   # each slot touches 2 of 4 outputs
    >>> round(float(slot_support_contrast(jac, 1)), 4)                          # (sqrt(2) - 1) / (2 - 1)
    0.4142
    >>> mixed = jac @ torch.tensor([[1.0, 1.0], [1.0, -1.0]])                   # each slot touches all 4
    >>> round(float(slot_support_contrast(mixed, 1)), 4)                        # 6 / sqrt(10) = 1.897 -> 0.897
    0.8974
    """
    norms = block_norms(jac, blocks, ord=2.0)  # (..., K, m)
    per_slot = hoyer_ratio(norms, dim=-1, eps=eps)  # (..., K)
    active = norms.sum(-1) > 0
    return torch.where(active, per_slot, torch.zeros_like(per_slot)).mean(-1)


def hoyer_contrast(jac: Tensor, blocks: int | Sequence[Sequence[int]] | None = None, eps: float = BRADY_EPS) -> Tensor:
    """Per latent, a Hoyer relaxation of how many outputs its Jacobian column touches, averaged (``"hoyer"``).

    Latent ``i``'s value is :func:`hoyer_ratio` of the column ``J[:, i]``; the contrast is the
    mean over the latents (an all-zero column counts 0).  ``sum_i l0(J[:, i]) = l0(J)``, so this
    relaxes the entry count of the Jacobian *in the learned basis*, the quantity Type S
    minimises over slot-aligned bases (``rho+``) and compares with the misaligned minimum
    (``rho-``): when Type S holds the sparsest basis of all is slot-aligned, and a model whose
    decoder Jacobian is as sparse as possible has its latents aligned with the slots.  Unlike
    the two slot-block contrasts it also asks for sparsity *inside* a slot (a within-slot basis
    with sparse columns), which the ground truth need not have; it ignores ``blocks``.
    Invariant to rescaling each latent (column) by a nonzero factor, i.e. to every diagonal
    change of basis (which keeps ``l0``), and to permutations of outputs and latents; with
    column-wise normalisation the loss cannot be lowered by scaling codes against the decoder.

    Parameters
    ----------
    jac
        Jacobians, shape ``(..., m, d)`` with ``m >= 2``.
    blocks
        Unused (accepted so that every training contrast has the same signature).
    eps
        Added to every column norm.

    Returns
    -------
    Tensor
        Shape ``jac.shape[:-2]``, values in ``[0, 1]``.

    Examples
    --------
    >>> jac = torch.tensor([[1.0, 0.0], [0.0, 5.0], [0.0, 0.0], [0.0, 0.0]])   # one nonzero per column
    >>> float(hoyer_contrast(jac))
    0.0
    >>> float(hoyer_contrast(torch.ones(4, 2)))                                 # dense columns
    1.0
    """
    del blocks
    per_latent = hoyer_ratio(jac, dim=-2, eps=eps)  # (..., d)
    active = jac.abs().sum(-2) > 0
    return torch.where(active, per_latent, torch.zeros_like(per_latent)).mean(-1)


#: The scale-free sparsity proxies by training name (:data:`numeric.experiment.training.CONTRASTS`).
PROXY_CONTRASTS = {
    "l1l2": slot_usage_contrast,
    "support": slot_support_contrast,
    "hoyer": hoyer_contrast,
}


def _pairwise(norms: Tensor) -> Tensor:
    """``sum_{i<j} norms[..., i, :] * norms[..., j, :]`` accumulated pair by pair (shape ``(..., m)``)."""
    num_slots = norms.shape[-2]
    total: Tensor | None = None  # the first product starts the sum (0 + p is p: one addition fewer)
    for i in range(num_slots):
        for j in range(i + 1, num_slots):
            product = norms[..., i, :] * norms[..., j, :]
            total = product if total is None else total + product
    return total if total is not None else torch.zeros_like(norms[..., 0, :])


def jacobian_interaction_score(jac: Tensor, blocks: int | Sequence[Sequence[int]]) -> Tensor:
    """Brady et al. (2024)'s Jacobian interaction score of each Jacobian.

    Their evaluation code (``get_jac_interaction``): per output ``p`` and slot ``k`` the
    gradient mass ``a[k, p] = ||J[p, C_k]||_1``, normalised over slots to shares
    ``a[k, p] / sum_k a[k, p]``; the largest share per output, averaged over the outputs whose
    largest share is nonzero, rescaled from ``[1/K, 1]`` to ``[0, 1]``:
    ``(mean - 1/K) / (1 - 1/K)``.  1 means every output depends on one slot only (Type D at the
    point); 0 means every output depends evenly on all slots.

    Two differences from their code, both only where theirs is undefined: outputs with an all-zero
    Jacobian row (0/0 shares, NaN in their code) are left out, and the mean is taken per
    Jacobian rather than over the pixels of all points pooled (the same thing when every point
    has the same number of active outputs).  Their image code also sums over colour channels
    first; here every output is one channel.

    Parameters
    ----------
    jac
        Jacobians, shape ``(..., m, d)``.
    blocks
        Slot dimension or partition of the columns (see :func:`slot_blocks`).

    Returns
    -------
    Tensor
        Shape ``jac.shape[:-2]``, values in ``[0, 1]`` (NaN for an all-zero Jacobian).

    Examples
    --------
    >>> jac = torch.tensor([[[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]]])
    >>> round(float(jacobian_interaction_score(jac, 1)[0]), 4)        # shares 1, 1, 1/2 -> mean 5/6
    0.6667
    """
    mass = block_norms(jac, blocks, ord=1.0)  # (..., K, m)
    num_slots = mass.shape[-2]
    total = mass.sum(-2)  # (..., m)
    active = total > 0
    safe = torch.where(active, total, torch.ones_like(total))
    share = (mass / safe.unsqueeze(-2)).max(dim=-2).values
    share = torch.where(active, share, torch.zeros_like(share))
    mean = share.sum(-1) / active.sum(-1).to(share.dtype)
    return (mean - 1.0 / num_slots) / (1.0 - 1.0 / num_slots)


def ima_contrast(jac: Tensor) -> Tensor:
    """The IMA contrast ``sum_i log ||J[:, i]|| - (1/2) log det(J^T J)`` of each Jacobian.

    Gresele et al. (2021), in the ``m >= d`` form of Ghosh et al. (2023) (docs/mathematics.md section 12.3):
    nonnegative by Hadamard's inequality and 0 iff the columns of ``J`` are orthogonal.  It does
    not look at the slot partition (it is a column-orthogonality, not a disjointness, score).

    Parameters
    ----------
    jac
        Jacobians, shape ``(..., m, d)`` with ``m >= d`` and full column rank.

    Returns
    -------
    Tensor
        Shape ``jac.shape[:-2]`` (``inf`` where ``J`` is rank deficient).

    Examples
    --------
    >>> round(float(ima_contrast(torch.tensor([[2.0, 0.0], [0.0, 3.0], [0.0, 0.0]]))), 6)
    0.0
    >>> bool(ima_contrast(torch.tensor([[1.0, 1.0], [0.0, 1.0]])) > 0)
    True
    """
    column_norms = torch.linalg.vector_norm(jac, dim=-2)
    _, logdet = torch.linalg.slogdet(jac.mT @ jac)
    return torch.log(column_norms).sum(-1) - 0.5 * logdet

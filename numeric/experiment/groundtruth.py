"""Ground-truth generators with a prescribed overlap between the slots' outputs (issue 6, item 1).

Every slot ``k`` has ``slot_dim`` latents ``z_k`` and a slot map ``f_k : R^slot_dim -> R^m``,
Brady et al. (2023)'s recipe: a bias-free two-layer MLP ``f(z) = W2 @ leaky(W1 @ z)`` with
LeakyReLU slope 1/100 (torch's default, used by their ``construct_invertible_mlp``), weights
``Uniform(-10, 10)`` with every column scaled to unit L2 norm, and each matrix resampled until
its condition number is at most a threshold (the ``cond_quantile`` quantile of the condition
numbers of a pool of such random square matrices).  ``W1`` (``m x slot_dim``) has full column
rank and ``W2`` (``m x m``) is invertible, so ``f`` is injective.

The slots' outputs are laid out by an :class:`OverlapLayout`: a fraction ``rho`` of each slot's
``m`` outputs lands on observed coordinates shared with other slots, and a shared coordinate is
the sum of the contributions landing on it (``combine="sum"``), optionally passed through the
strictly increasing map ``u -> u + u**3 / 3`` (``combine="sum-cubic"``).  ``rho = 0`` is Brady
et al.'s disjoint generator: the slots' outputs concatenated.

**One function, two layers.**  The float weights are snapped to rationals
(``Fraction(w).limit_denominator(10**6)``) when the generator is sampled; the torch forward pass
uses exactly these rationals (as float64, or cast) and :meth:`GroundTruth.exact_generator`
builds the ``theory.Generator`` of the same network with the same rationals (LeakyReLU as
``Piecewise``), so the exact verdicts are about the function the models are trained on, not a
rationalised Jacobian.  (Unit column norms and the condition bound hold for the float weights;
snapping moves them by at most ``1e-6`` per entry.)

Examples
--------
>>> gt = sample_ground_truth(num_slots=2, slot_dim=3, slot_outputs=8, overlap=0.25, seed=0)
>>> gt.layout.num_outputs, gt.layout.shared
(14, 2)
>>> gt.mask().sum(axis=1).tolist()[-2:]          # the pool rows see both slots
[2, 2]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy as sp
import torch
from torch import Tensor

from theory.model.generator import Generator

__all__ = [
    "OverlapLayout",
    "GroundTruth",
    "sample_ground_truth",
    "sample_slot_mlp",
    "LAYOUTS",
    "COMBINES",
    "LEAKY_SLOPE",
]

LAYOUTS = ("pool", "chain")
COMBINES = ("sum", "sum-cubic")
#: The LeakyReLU slope of the ground-truth slot MLPs (torch.nn.LeakyReLU's default, as in Brady et al.).
LEAKY_SLOPE = Fraction(1, 100)


@dataclass(frozen=True)
class OverlapLayout:
    """Where each slot's ``m`` outputs land among the observed coordinates.

    Parameters
    ----------
    num_slots
        K, the number of slots.
    slot_outputs
        m, the number of outputs of every slot map.
    shared
        s, how many of each slot's outputs land on shared coordinates (``0 <= s < m``).
    kind
        ``"pool"``: one common pool of ``s`` coordinates shared by all slots; slot ``k``'s first
        ``m - s`` outputs are private, its last ``s`` are the pool (every slot shares exactly the
        fraction ``s / m``).  ``"chain"``: slot ``k`` covers the window
        ``[k (m - s), k (m - s) + m)``, so consecutive slots share ``s`` coordinates (middle slots
        share up to ``2 s``; when ``s > m / 2`` slots two apart meet too).

    Examples
    --------
    >>> OverlapLayout(2, 4, 1).slot_rows(1)
    [3, 4, 5, 6]
    >>> OverlapLayout(3, 4, 1, "chain").slot_rows(2)
    [6, 7, 8, 9]
    """

    num_slots: int
    slot_outputs: int
    shared: int
    kind: str = "pool"

    def __post_init__(self) -> None:
        if self.kind not in LAYOUTS:
            raise ValueError(f"unknown layout {self.kind!r} (choose from {', '.join(LAYOUTS)})")
        if self.num_slots < 1 or self.slot_outputs < 1:
            raise ValueError("a layout needs at least one slot and one output per slot")
        if not 0 <= self.shared < self.slot_outputs:
            raise ValueError(f"shared outputs must be in [0, {self.slot_outputs}), got {self.shared}")

    @classmethod
    def from_fraction(cls, num_slots: int, slot_outputs: int, overlap: float, kind: str = "pool") -> "OverlapLayout":
        """The layout sharing ``round(overlap * m)`` outputs of every slot.

        Raises
        ------
        ValueError
            If ``overlap`` is outside ``[0, 1)`` or ``overlap * m`` is not a whole number.

        Examples
        --------
        >>> OverlapLayout.from_fraction(2, 20, 0.25).shared
        5
        """
        if not 0.0 <= overlap < 1.0:
            raise ValueError(f"overlap must be in [0, 1), got {overlap}")
        shared = round(overlap * slot_outputs)
        if abs(shared - overlap * slot_outputs) > 1e-9:
            raise ValueError(f"overlap {overlap} of {slot_outputs} outputs per slot is not a whole number of outputs")
        return cls(num_slots, slot_outputs, shared, kind)

    @property
    def overlap(self) -> float:
        """The shared fraction ``s / m``."""
        return self.shared / self.slot_outputs

    @property
    def num_outputs(self) -> int:
        """The observed dimension: ``K (m - s) + s`` (pool) or ``(K - 1)(m - s) + m`` (chain)."""
        K, m, s = self.num_slots, self.slot_outputs, self.shared
        if self.kind == "pool":
            return K * (m - s) + s
        return (K - 1) * (m - s) + m

    def slot_rows(self, k: int) -> list[int]:
        """The observed coordinates of slot ``k``'s outputs ``0 .. m - 1``, in order."""
        K, m, s = self.num_slots, self.slot_outputs, self.shared
        if not 0 <= k < K:
            raise IndexError(f"slot {k} out of range for {K} slots")
        if self.kind == "pool":
            return list(range(k * (m - s), (k + 1) * (m - s))) + list(range(K * (m - s), K * (m - s) + s))
        return list(range(k * (m - s), k * (m - s) + m))

    def mask(self) -> np.ndarray:
        """Boolean ``(num_outputs, K)``: entry ``[p, k]`` says slot ``k`` reaches coordinate ``p``.

        Examples
        --------
        >>> OverlapLayout(2, 2, 1).mask().astype(int).tolist()
        [[1, 0], [0, 1], [1, 1]]
        """
        out = np.zeros((self.num_outputs, self.num_slots), dtype=bool)
        for k in range(self.num_slots):
            out[self.slot_rows(k), k] = True
        return out

    def shared_rows(self) -> list[int]:
        """Coordinates reached by two or more slots.

        Examples
        --------
        >>> OverlapLayout(3, 4, 1).shared_rows()
        [9]
        """
        return [int(p) for p in np.flatnonzero(self.mask().sum(axis=1) >= 2)]

    def placement(self, dtype: torch.dtype = torch.float64, device: torch.device | str = "cpu") -> Tensor:
        """0/1 tensor ``(K, num_outputs, m)`` with ``P[k] @ f_k(z_k)`` placing slot ``k``'s outputs.

        Examples
        --------
        >>> OverlapLayout(2, 2, 1).placement()[1].tolist()
        [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
        """
        out = torch.zeros(self.num_slots, self.num_outputs, self.slot_outputs, dtype=dtype, device=device)
        for k in range(self.num_slots):
            out[k, self.slot_rows(k), torch.arange(self.slot_outputs)] = 1
        return out


def _unit_columns(a: Tensor) -> Tensor:
    return a / torch.linalg.vector_norm(a, dim=0, keepdim=True)


def sample_slot_mlp(
    slot_dim: int,
    slot_outputs: int,
    generator: torch.Generator,
    cond_pool: int = 1000,
    cond_quantile: float = 0.25,
) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    """Brady et al.'s injective slot MLP ``R^slot_dim -> R^m``: its two weight matrices, snapped to rationals.

    Parameters
    ----------
    slot_dim, slot_outputs
        Input and output dimensions (``slot_outputs >= slot_dim``).
    generator
        The only source of randomness.
    cond_pool
        Size of the pool of random ``m x m`` matrices whose condition numbers set the threshold
        (10,000 in Brady et al.'s code).
    cond_quantile
        The threshold is this quantile of the pool's condition numbers (0.25 in their code).

    Returns
    -------
    tuple
        ``(W1, W2)`` as nested lists of :class:`fractions.Fraction`, shapes ``m x slot_dim`` and ``m x m``.

    Examples
    --------
    >>> w1, w2 = sample_slot_mlp(3, 5, torch.Generator().manual_seed(0), cond_pool=50)
    >>> len(w1), len(w1[0]), len(w2)
    (5, 3, 5)
    """
    if slot_outputs < slot_dim:
        raise ValueError(f"an injective slot map needs m >= slot_dim, got m={slot_outputs} < {slot_dim}")

    def draw(rows: int, cols: int) -> Tensor:
        return _unit_columns(torch.rand(rows, cols, generator=generator, dtype=torch.float64) * 20.0 - 10.0)

    conds = torch.stack([torch.linalg.cond(draw(slot_outputs, slot_outputs)) for _ in range(cond_pool)])
    threshold = float(torch.sort(conds).values[int(cond_pool * cond_quantile)])
    layers = []
    for rows, cols in ((slot_outputs, slot_dim), (slot_outputs, slot_outputs)):
        while True:
            w = draw(rows, cols)
            if float(torch.linalg.cond(w)) <= threshold:
                break
        layers.append([[Fraction(float(v)).limit_denominator(10**6) for v in row] for row in w.tolist()])
    return layers[0], layers[1]


@dataclass
class GroundTruth:
    """A ground-truth generator ``z -> x``: slot MLPs (rational weights) and their layout.

    Parameters
    ----------
    layout
        Where every slot's outputs land.
    slot_dim
        Latents per slot.
    slot_weights
        Per slot ``(W1, W2)`` as rationals (see :func:`sample_slot_mlp`); one entry per slot.
    combine
        ``"sum"`` or ``"sum-cubic"`` (shared coordinates through ``u + u**3 / 3``).
    seed
        The seed it was sampled from (recorded, not used).

    Examples
    --------
    >>> gt = sample_ground_truth(2, 3, 6, 0.5, seed=1)
    >>> gt(torch.zeros(4, 6)).shape
    torch.Size([4, 9])
    """

    layout: OverlapLayout
    slot_dim: int
    slot_weights: list[tuple[list[list[Fraction]], list[list[Fraction]]]]
    combine: str = "sum"
    seed: int | None = None
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.combine not in COMBINES:
            raise ValueError(f"unknown combine {self.combine!r} (choose from {', '.join(COMBINES)})")
        if len(self.slot_weights) != self.layout.num_slots:
            raise ValueError(f"{len(self.slot_weights)} slot MLPs for {self.layout.num_slots} slots")

    @property
    def num_slots(self) -> int:
        """K."""
        return self.layout.num_slots

    @property
    def latent_dim(self) -> int:
        """``K * slot_dim``."""
        return self.num_slots * self.slot_dim

    @property
    def num_outputs(self) -> int:
        """The observed dimension."""
        return self.layout.num_outputs

    def mask(self) -> np.ndarray:
        """The prescribed Jacobian support at slot level, ``(num_outputs, K)`` (see :meth:`OverlapLayout.mask`).

        Examples
        --------
        >>> sample_ground_truth(2, 3, 4, 0.25, seed=0, cond_pool=10).mask().sum(axis=0).tolist()
        [4, 4]
        """
        return self.layout.mask()

    def latent_mask(self) -> np.ndarray:
        """The prescribed Jacobian support at latent level, ``(num_outputs, K * slot_dim)``.

        Examples
        --------
        >>> sample_ground_truth(2, 3, 4, 0.0, seed=0, cond_pool=10).latent_mask().shape
        (8, 6)
        """
        return np.repeat(self.mask(), self.slot_dim, axis=1)

    def tensors(self, dtype: torch.dtype = torch.float64, device: torch.device | str = "cpu") -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """``(W1, W2, placement, shared)``: stacked slot weights ``(K, m, slot_dim)``, ``(K, m, m)``,
        the placement ``(K, num_outputs, m)`` and the 0/1 vector of shared coordinates.

        Examples
        --------
        >>> [tuple(t.shape) for t in sample_ground_truth(2, 3, 4, 0.5, seed=0, cond_pool=10).tensors()]
        [(2, 4, 3), (2, 4, 4), (2, 6, 4), (6,)]
        """
        key = (dtype, str(device))
        if key not in self._cache:
            w1 = torch.tensor([[[float(v) for v in row] for row in w[0]] for w in self.slot_weights], dtype=torch.float64)
            w2 = torch.tensor([[[float(v) for v in row] for row in w[1]] for w in self.slot_weights], dtype=torch.float64)
            shared = torch.zeros(self.num_outputs, dtype=torch.float64)
            shared[self.layout.shared_rows()] = 1
            self._cache[key] = tuple(t.to(dtype=dtype, device=device) for t in (w1, w2, self.layout.placement(), shared))
        return self._cache[key]

    def __call__(self, z: Tensor) -> Tensor:
        """The observations of latents ``z`` (shape ``(..., K * slot_dim)``, slots contiguous)."""
        w1, w2, placement, shared = self.tensors(z.dtype, z.device)
        zs = z.reshape(*z.shape[:-1], self.num_slots, self.slot_dim)
        hidden = torch.einsum("kmi,...ki->...km", w1, zs)
        hidden = torch.where(hidden >= 0, hidden, hidden * float(LEAKY_SLOPE))
        out = torch.einsum("kmn,...kn->...km", w2, hidden)
        x = torch.einsum("kpm,...km->...p", placement, out)
        if self.combine == "sum-cubic":
            x = x + shared * x**3 / 3
        return x

    def exact_jacobian(self, point: Sequence[Fraction]) -> list[list[Fraction]] | None:
        """The Jacobian at a rational latent point in exact arithmetic, straight from the rational weights.

        The same matrix as the exact generator's (:meth:`exact_generator`) Jacobian at
        ``point``, computed with :class:`fractions.Fraction` by the chain rule
        ``placement @ W2 @ diag(leaky'(W1 z)) @ W1`` (times ``1 + u**2`` on shared coordinates
        under ``combine="sum-cubic"``) instead of through sympy, which is much faster for the
        hundreds of rationals with long denominators involved.  ``None`` when a pre-activation
        is exactly 0: the LeakyReLU has a kink there and the Jacobian does not exist.

        Examples
        --------
        >>> gt = sample_ground_truth(2, 1, 2, 0.5, seed=0, cond_pool=10)
        >>> J = gt.exact_jacobian([Fraction(1, 2), Fraction(-1, 3)])
        >>> len(J), len(J[0]), J[0][1] == 0                 # 3 outputs; output 0 is slot 1's alone
        (3, 2, True)
        """
        K, sd, m = self.num_slots, self.slot_dim, self.layout.slot_outputs
        if len(point) != K * sd:
            raise ValueError(f"a point needs {K * sd} coordinates, got {len(point)}")
        z = [Fraction(v) for v in point]
        jac = [[Fraction(0)] * (K * sd) for _ in range(self.num_outputs)]
        value = [Fraction(0)] * self.num_outputs
        for k, (w1, w2) in enumerate(self.slot_weights):
            zk = z[k * sd : (k + 1) * sd]
            pre = [sum((w1[j][i] * zk[i] for i in range(sd)), Fraction(0)) for j in range(m)]
            if any(u == 0 for u in pre):
                return None
            slope = [Fraction(1) if u > 0 else LEAKY_SLOPE for u in pre]
            act = [u * c for u, c in zip(pre, slope)]
            for j, p in enumerate(self.layout.slot_rows(k)):
                value[p] += sum((w2[j][n] * act[n] for n in range(m)), Fraction(0))
                for i in range(sd):
                    jac[p][k * sd + i] += sum((w2[j][n] * slope[n] * w1[n][i] for n in range(m)), Fraction(0))
        if self.combine == "sum-cubic":
            for p in self.layout.shared_rows():
                scale = 1 + value[p] ** 2
                jac[p] = [scale * v for v in jac[p]]
        return jac

    def exact_generator(self, points: Sequence[Sequence[Fraction]] = (), name: str | None = None) -> Generator:
        """The same network as a ``theory.Generator`` (rational weights, LeakyReLU as ``Piecewise``).

        Parameters
        ----------
        points
            Exact latent points (``K * slot_dim`` rationals each) for the pointwise checks.
        name
            The generator's name (default from K, m, overlap and layout).

        Examples
        --------
        >>> g = sample_ground_truth(2, 1, 2, 0.0, seed=0).exact_generator()
        >>> g.m, g.d, g.K
        (4, 2, 2)
        """
        K, sd, m = self.num_slots, self.slot_dim, self.layout.slot_outputs
        latents = [[sp.Symbol(f"z{k + 1}_{i + 1}", real=True) for i in range(sd)] for k in range(K)]
        slope = sp.Rational(LEAKY_SLOPE.numerator, LEAKY_SLOPE.denominator)

        def q(v: Fraction) -> sp.Rational:
            return sp.Rational(v.numerator, v.denominator)

        outputs: list[sp.Expr] = [sp.Integer(0)] * self.num_outputs
        for k, (w1, w2) in enumerate(self.slot_weights):
            pre = [sp.Add(*[q(w1[j][i]) * latents[k][i] for i in range(sd)]) for j in range(m)]
            act = [sp.Piecewise((u, u >= 0), (slope * u, True)) for u in pre]
            rows = self.layout.slot_rows(k)
            for j in range(m):
                outputs[rows[j]] = outputs[rows[j]] + sp.Add(*[q(w2[j][n]) * act[n] for n in range(m)])
        if self.combine == "sum-cubic":
            for p in self.layout.shared_rows():
                outputs[p] = outputs[p] + outputs[p] ** 3 / 3
        flat = [s for block in latents for s in block]
        exact_points = []
        for point in points:
            if len(point) != len(flat):
                raise ValueError(f"a point needs {len(flat)} coordinates, got {len(point)}")
            exact_points.append({s: sp.Rational(Fraction(v).numerator, Fraction(v).denominator) for s, v in zip(flat, point)})
        label = name or f"gt-K{K}-m{m}-o{self.layout.overlap:g}-{self.layout.kind}"
        return Generator(label, {f"slot{k + 1}": latents[k] for k in range(K)}, outputs, points=exact_points)


def sample_ground_truth(
    num_slots: int,
    slot_dim: int,
    slot_outputs: int,
    overlap: float,
    seed: int,
    layout: str = "pool",
    combine: str = "sum",
    distinct_slot_mlps: bool = False,
    cond_pool: int = 1000,
    cond_quantile: float = 0.25,
) -> GroundTruth:
    """Sample a ground truth with ``K`` slots and the fraction ``overlap`` of shared outputs.

    The slot MLPs depend on ``(seed, slot_dim, slot_outputs, distinct_slot_mlps)`` only, not on
    ``overlap`` or ``layout``: the same seed gives the same slot maps at every overlap, so a sweep
    over overlaps changes only where the outputs land.

    Parameters
    ----------
    num_slots, slot_dim, slot_outputs
        K, latents per slot, m.
    overlap
        Fraction of each slot's outputs that is shared (``overlap * m`` must be whole).
    seed
        Seed of the slot MLPs (a fresh ``torch.Generator``).
    layout, combine
        See :class:`OverlapLayout` and :class:`GroundTruth`.
    distinct_slot_mlps
        One MLP per slot instead of Brady et al.'s single MLP shared by all slots (their
        ``gen_synth_data`` renders every slot with the same ``slot_mixing``).
    cond_pool, cond_quantile
        See :func:`sample_slot_mlp`.

    Returns
    -------
    GroundTruth

    Examples
    --------
    >>> a = sample_ground_truth(2, 3, 4, 0.0, seed=3)
    >>> b = sample_ground_truth(2, 3, 4, 0.5, seed=3)
    >>> a.slot_weights == b.slot_weights
    True
    """
    gen = torch.Generator().manual_seed(int(seed))
    count = num_slots if distinct_slot_mlps else 1
    mlps = [sample_slot_mlp(slot_dim, slot_outputs, gen, cond_pool, cond_quantile) for _ in range(count)]
    weights = mlps if distinct_slot_mlps else mlps * num_slots
    return GroundTruth(OverlapLayout.from_fraction(num_slots, slot_outputs, overlap, layout), slot_dim, weights, combine, seed)

"""Per-point assessments, numeric results, the tolerance rule and the helpers the criteria share.

An :class:`Assessment` is one criterion at every point of a batch (what holds where, the
tolerance, the entries read, the witnesses); :func:`numeric.criteria.check_numeric` turns
it into a :class:`NumericResult`, the exact layer's :class:`~theory.result.CheckResult`
plus dtype, device, points, tolerance and margin.

Examples
--------
>>> J = torch.tensor([[[2.0, 0.0]]], dtype=torch.float64)
>>> float(tolerance(J, c=10)[0]) == 10 * 2 * torch.finfo(torch.float64).eps
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from numeric.criteria.options import DEFAULT_C
from theory.result import CheckResult

__all__ = [
    "NUMERIC_VERDICTS",
    "JACOBIAN_RULE",
    "NumericResult",
    "Assessment",
    "tolerance",
    "names_or_default",
    "float_point_json",
    "block_index",
]

NUMERIC_VERDICTS = ("holds-numerically", "fails-numerically")

#: The tolerance rule of the criteria that read Jacobian entries only (D, M, irreducible:D).
JACOBIAN_RULE = "tau = c * eps(dtype) * max|J|, per point"


@dataclass
class NumericResult(CheckResult):
    """A numeric verdict: a :class:`~theory.result.CheckResult` plus where and how it was computed.

    Attributes
    ----------
    dtype, device
        Of the computation.
    points_sampled
        How many points the verdict rests on.
    tolerance
        ``{"rule", "c", "eps", "min", "max"}``: the rule, its factor, eps(dtype) and the
        range of tau over the points.
    margin
        ``{"largest_zero", "smallest_nonzero", "largest_zero_ratio", "smallest_nonzero_ratio"}``
        (``None`` where no entry fell on that side; ratios are ``|x| / tau``).

    Notes
    -----
    The verdict is ``holds-numerically`` or ``fails-numerically``; the exceptions are a
    numeric Type S whose budget decided no point at all (``unknown`` with method
    ``budget-exhausted``) and a criterion whose every point had a NaN or infinite entry or
    tolerance (``unknown``, ``non-finite``; docs/user-guide.md section 3), never ``proved`` or ``refuted``.

    Examples
    --------
    >>> r = NumericResult("D", "holds-numerically", "global", "jacfwd", dtype="float32", points_sampled=3)
    >>> r.to_json()["verdict"], r.to_json()["dtype"]
    ('holds-numerically', 'float32')
    """

    dtype: str = "float64"
    device: str = "cpu"
    points_sampled: int = 0
    tolerance: dict[str, Any] = field(default_factory=dict)
    margin: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.verdict not in NUMERIC_VERDICTS and not (self.verdict == "unknown" and self.method in ("budget-exhausted", "non-finite")):
            raise ValueError(f"a numeric result is holds-numerically or fails-numerically, got {self.verdict!r}")

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out.update(
            {
                "dtype": self.dtype,
                "device": self.device,
                "points_sampled": self.points_sampled,
                "tolerance": self.tolerance,
                "margin": self.margin,
            }
        )
        return out


@dataclass
class Assessment:
    """One criterion at every point of a batch: the per-point data behind a numeric verdict.

    Attributes
    ----------
    criterion
        ``D``, ``M``, ``S``, ``Hn`` or ``irreducible:D``.
    method
        ``jacfwd`` (Jacobian), ``nested-jacfwd`` (cross entries), ``jvp-probe``,
        ``snap-sparsity`` (S: the exact rho algorithm on the snapped Jacobian), and for
        irreducible:D ``snap-rational`` / ``tolerance-rank`` per point in ``details``.
    holds
        ``bool[N]``: the criterion holds numerically at each point.
    tau
        ``[N]``: the tolerance at each point.
    values
        ``[N, m, E]``: the entries the criterion reads at each point.
    labels
        ``E`` tuples of latent indices naming the entries (``(a,)`` for a Jacobian column,
        the multi-index for H_n, ``("probe", i, j, p)`` for a probe).
    witnesses
        Per point: a JSON-ready witness where the criterion fails, else ``None``.
    c, eps
        The tolerance factor and eps(dtype).
    details
        Extra per-assessment figures (JSON-ready).
    decided
        ``bool[N]``: the points where the criterion was decided (``None``: all of them).
        Only Type S leaves points undecided (its rho budget ran out); ``holds`` is
        ``False`` there and such points count neither as holding nor as failing.
    rule
        The tolerance rule in words (reported with the result): :data:`JACOBIAN_RULE`
        unless the criterion's scale or snap says more.
    """

    criterion: str
    method: str
    holds: torch.Tensor
    tau: torch.Tensor
    values: torch.Tensor
    labels: list[tuple]
    witnesses: list[dict[str, Any] | None]
    c: float
    eps: float
    details: dict[str, Any] = field(default_factory=dict)
    decided: torch.Tensor | None = None
    rule: str = JACOBIAN_RULE

    @property
    def n_points(self) -> int:
        return int(self.holds.shape[0])

    def finite_points(self) -> torch.Tensor:
        """``bool[N]``: the points whose tolerance and entries are all finite.  At the others
        (float16 overflow, a NaN weight) nothing is decided: with ``tau`` NaN or infinite no
        entry passes ``|x| > tau``, which would read as "all zero"."""
        return torch.isfinite(self.tau) & torch.isfinite(self.values.detach()).reshape(self.values.shape[0], -1).all(dim=1)

    def decided_points(self) -> torch.Tensor:
        """``bool[N]``: the points that count, as holding or failing: decided (:attr:`decided`)
        and finite (:meth:`finite_points`)."""
        decided = self.decided if self.decided is not None else torch.ones_like(self.holds)
        return decided & self.finite_points()

    def nonzero(self) -> torch.Tensor:
        """``bool[N, m, E]``: entries called nonzero (``|x| > tau``)."""
        return self.values.abs() > self.tau[:, None, None]

    def margin(self, index: int | None = None) -> dict[str, float | None]:
        """The margin at one point (``index``) or over all points.

        >>> from numeric.criteria.disjointness import assess_D
        >>> a = assess_D(torch.tensor([[[1.0, 1e-20]]], dtype=torch.float64), [[0], [1]])
        >>> a.margin(0)["largest_zero"], a.margin(0)["smallest_nonzero"]
        (1e-20, 1.0)
        """
        values, tau = self.values, self.tau
        if index is not None:
            values, tau = values[index : index + 1], tau[index : index + 1]
        if values.numel() == 0:
            return {"largest_zero": None, "smallest_nonzero": None, "largest_zero_ratio": None, "smallest_nonzero_ratio": None}
        a = values.detach().abs().to(torch.float64)
        t = tau.detach().to(torch.float64)[:, None, None].expand_as(a)
        finite = torch.isfinite(a) & torch.isfinite(t)  # NaN and infinities decide nothing (and are not JSON)
        a, t = a[finite], t[finite]
        zero = a <= t
        out: dict[str, float | None] = {}
        out["largest_zero"] = float(a[zero].max()) if zero.any() else None
        out["smallest_nonzero"] = float(a[~zero].min()) if (~zero).any() else None
        positive = t > 0
        rz = zero & positive
        rn = (~zero) & positive
        out["largest_zero_ratio"] = float((a[rz] / t[rz]).max()) if rz.any() else None
        out["smallest_nonzero_ratio"] = float((a[rn] / t[rn]).min()) if rn.any() else None
        return out

    def tolerance_json(self, rule: str | None = None) -> dict[str, Any]:
        """``{"rule", "c", "eps", "min", "max"}`` for a result (the range of tau over the points);
        ``rule`` defaults to the assessment's own.

        >>> from numeric.criteria.disjointness import assess_D
        >>> a = assess_D(torch.tensor([[[1.0, 0.0]]], dtype=torch.float64), [[0], [1]], c=10)
        >>> a.tolerance_json()["rule"], a.tolerance_json("r")["c"], a.tolerance_json()["max"] == 10 * a.eps
        ('tau = c * eps(dtype) * max|J|, per point', 10, True)
        """
        tau = self.tau[torch.isfinite(self.tau)] if self.tau.numel() else self.tau  # NaN is not JSON
        return {
            "rule": self.rule if rule is None else rule,
            "c": self.c,
            "eps": self.eps,
            "min": float(tau.min()) if tau.numel() else None,
            "max": float(tau.max()) if tau.numel() else None,
        }


def tolerance(J: torch.Tensor, c: float = DEFAULT_C, extra: Sequence[torch.Tensor] = ()) -> torch.Tensor:
    """Per-point tolerance ``tau = c * eps(dtype) * max(|J|, |extra|...)``.

    Parameters
    ----------
    J
        Jacobians ``[N, m, d]``.
    c
        The factor (reported with every result).
    extra
        More per-point tensors ``[N, ...]`` whose largest magnitude joins the scale.

    Returns
    -------
    torch.Tensor
        ``[N]``, in ``J``'s dtype.

    Examples
    --------
    >>> J = torch.tensor([[[2.0, 0.0]], [[0.0, -8.0]]], dtype=torch.float32)
    >>> (tolerance(J, c=1) / torch.finfo(torch.float32).eps).tolist()
    [2.0, 8.0]
    """
    eps = torch.finfo(J.dtype).eps
    scale = J.detach().abs().reshape(J.shape[0], -1).amax(dim=1) if J.numel() else torch.zeros(J.shape[0], dtype=J.dtype, device=J.device)
    for t in extra:
        if t.numel():
            scale = torch.maximum(scale, t.detach().abs().reshape(t.shape[0], -1).amax(dim=1).to(scale.dtype))
    return c * eps * scale


def names_or_default(names: Sequence[str] | None, d: int) -> list[str]:
    """The latent names, or ``z1 .. zd``.

    >>> names_or_default(None, 2), names_or_default(("a", "b"), 2)
    (['z1', 'z2'], ['a', 'b'])
    """
    return list(names) if names is not None else [f"z{a + 1}" for a in range(d)]


def float_point_json(z: torch.Tensor | None, i: int, names: list[str]) -> dict[str, float] | None:
    """Point ``i`` of ``z`` as ``{name: float}`` for a witness (``None`` without points).

    >>> float_point_json(torch.tensor([[0.5, -1.0]]), 0, ["a", "b"])
    {'a': 0.5, 'b': -1.0}
    """
    if z is None:
        return None
    return {n: float(v) for n, v in zip(names, z[i].detach().cpu().tolist())}


def block_index(blocks: Sequence[Sequence[int]], d: int) -> list[int]:
    """The block of every latent (``-1`` for a latent in no block).

    >>> block_index([[0, 2], [1]], 3)
    [0, 1, 0]
    """
    block_of = [-1] * d
    for k, b in enumerate(blocks):
        for a in b:
            block_of[a] = k
    return block_of

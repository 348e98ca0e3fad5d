"""Numeric criteria D, M, H_n, S and irreducible:D on float Jacobians (float evidence, never proofs).

Verdicts are ``holds-numerically`` or ``fails-numerically`` (docs/user-guide.md section 3).  Every
result says on which points (``points_sampled``), in which dtype and on which device, with
which tolerance, and how close the call was (the margin).

**The tolerance rule** (docs/user-guide.md section 5, docs/mathematics.md section 15): at each point an entry
``x`` counts as zero when ``|x| <= tau`` with

    tau = c * eps(dtype) * max|J(z)|          (Jacobian entries: D, M, S, irreducible:D)
    tau = c * eps(dtype) * max(max|J(z)|, max|order-n entries computed at z|,
                               max|generic order-n probes at z|)      (H_n)

``c`` defaults to :data:`DEFAULT_C` = 10 (docs/mathematics.md suggests 10-100: with c = 10 the hidden
trigonometric zero of P22, -1.1e-16 in float64 and -1.2e-7 in float32, falls well inside
tau = 2.8e-15 and 2.9e-6).  The scale is per point, so a result over many points reports
the smallest and largest tau.  For H_n the scale includes max|J| and a generic order-n
probe because the cross entries alone are all rounding noise when they vanish exactly.

**The margin** of a result: the largest ``|entry|`` called zero and the smallest called
nonzero (absolute, and as a ratio to that point's tau), over the entries the criterion
reads (all Jacobian entries for D, M and S; every cross entry or probe for H_n).

**Results** are :class:`NumericResult`, a :class:`theory.result.CheckResult` with extra
fields ``dtype``, ``device``, ``points_sampled``, ``tolerance``, ``margin``; its
``to_json`` is the exact layer's shape plus those keys.  ``scope`` is ``point`` for a
single point and ``global`` for a sample (the claim is about the domain, the evidence is
the sample; the verdict word says it is numeric).  Witnesses give the float point, the
indices and the float values.

**Type S** (docs/mathematics.md sections 5 and 15.2) is pointwise: at each point the entries within
tau are set to zero, the rest are snapped to small-denominator rationals
(:func:`snap_jacobian`, denominators up to :func:`s_max_denominator`: the entries themselves,
else each row divided by its largest entry, which changes no ``||J M||_0``; else a labelled
approximation that keeps the support) and
the exact algorithm :func:`theory.linalg.rho.sparsity` computes rho+, rho-, rho* of the
snapped matrix within a per-point budget.  A point holds when ``rho+ < rho-`` (``strict``;
``rho+ <= rho-`` under ``non-strict``).  The aggregate over a sample is formed as for the
other criteria: ``holds-numerically`` when S holds at every point where it was decided,
``fails-numerically`` when it fails at one; the per-point verdicts and rho are in
``details["points"]``.  A point whose rho the budget left undecided counts neither way
(``details["points_undecided"]``); when no point was decided the result is ``unknown`` with
method ``budget-exhausted`` (docs/user-guide.md section 3), the only numeric result that is neither
verdict.  Snapped values are float evidence made exact: rho of the snapped matrix is still
a numeric figure, never a proof.

Examples
--------
>>> import torch
>>> from numeric.generator import NeuralGenerator
>>> f = lambda z: torch.stack([z[..., 0], z[..., 1], z[..., 0] * z[..., 1]], dim=-1)
>>> g = NeuralGenerator(f, [[0], [1]], 2, name="bilinear", dtype=torch.float64)
>>> [(r.criterion, r.verdict) for r in check_numeric(g, "D,M,H2,H3,S", n_points=64)]
[('D', 'fails-numerically'), ('M', 'holds-numerically'), ('H2', 'fails-numerically'), ('H3', 'holds-numerically'), ('S', 'fails-numerically')]
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import torch

from theory.result import CheckResult
from theory.linalg.rho import ENGINES, S_READINGS, basis_weight, mixes, sparsity

from .derivatives import DEFAULT_CHUNK, CrossDerivatives, block_probes, cross_derivatives, jacobian
from .generator import NeuralGenerator, dtype_name

__all__ = [
    "DEFAULT_C",
    "NUMERIC_VERDICTS",
    "NumericResult",
    "Assessment",
    "Snapped",
    "parse_numeric_criteria",
    "tolerance",
    "assess",
    "assess_D",
    "assess_M",
    "assess_Hn",
    "assess_Hn_probe",
    "assess_irreducible_D",
    "assess_S",
    "numeric_D",
    "numeric_M",
    "numeric_Hn",
    "numeric_irreducible_D",
    "numeric_S",
    "check_numeric",
    "snap_rational",
    "snap_jacobian",
    "SnappedJacobian",
    "DEFAULT_S_BUDGET",
    "S_SNAPS",
    "s_max_denominator",
]

#: Default factor c of the tolerance tau = c * eps(dtype) * scale.
DEFAULT_C = 10.0

NUMERIC_VERDICTS = ("holds-numerically", "fails-numerically")

#: Seconds the exact rho algorithm may spend at one point for numeric Type S.
DEFAULT_S_BUDGET = 10.0

#: How a point's Jacobian was made exact for numeric Type S (:func:`snap_jacobian`).
S_SNAPS = ("rational", "row-scaled", "approximate")

_HN = re.compile(r"^H([1-9][0-9]*)$")


# -- results -------------------------------------------------------------------------------
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
    The verdict is ``holds-numerically`` or ``fails-numerically``; the one exception is a
    numeric Type S whose budget decided no point at all: ``unknown`` with method
    ``budget-exhausted`` (docs/user-guide.md section 3), never ``proved`` or ``refuted``.

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
        if self.verdict not in NUMERIC_VERDICTS and not (self.verdict == "unknown" and self.method == "budget-exhausted"):
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

    @property
    def n_points(self) -> int:
        return int(self.holds.shape[0])

    def nonzero(self) -> torch.Tensor:
        """``bool[N, m, E]``: entries called nonzero (``|x| > tau``)."""
        return self.values.abs() > self.tau[:, None, None]

    def margin(self, index: int | None = None) -> dict[str, float | None]:
        """The margin at one point (``index``) or over all points.

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

    def tolerance_json(self, rule: str) -> dict[str, Any]:
        """``{"rule", "c", "eps", "min", "max"}`` for a result (the range of tau over the points).

        >>> a = assess_D(torch.tensor([[[1.0, 0.0]]], dtype=torch.float64), [[0], [1]], c=10)
        >>> a.tolerance_json("r")["c"], a.tolerance_json("r")["max"] == 10 * a.eps
        (10, True)
        """
        return {
            "rule": rule,
            "c": self.c,
            "eps": self.eps,
            "min": float(self.tau.min()) if self.tau.numel() else None,
            "max": float(self.tau.max()) if self.tau.numel() else None,
        }


def _rule(criterion: str) -> str:
    if _HN.match(criterion):
        return "tau = c * eps(dtype) * max(max|J|, max|order-n entries|, max|generic order-n probes|), per point"
    if criterion == "S":
        return "tau = c * eps(dtype) * max|J|, per point; entries within tau are set to zero, the rest snapped to rationals"
    return "tau = c * eps(dtype) * max|J|, per point"


def parse_numeric_criteria(spec: str | Iterable[str] | None) -> tuple[str, ...]:
    """Criterion ids from ``"D,M,S,H2,irreducible:D"`` (default ``D, M, H2, H3``; S, whose
    exact rho algorithm runs at every point, is asked for explicitly).

    >>> parse_numeric_criteria("d, h3, s, irreducible:D")
    ('D', 'H3', 'S', 'irreducible:D')
    """
    if spec is None:
        return ("D", "M", "H2", "H3")
    items = [c.strip() for c in (spec.split(",") if isinstance(spec, str) else spec) if c.strip()]
    if not items:
        raise ValueError("no criterion given (known: D, M, S, H2, H3, ... Hn, irreducible:D)")
    out: list[str] = []
    for item in items:
        key = item.upper() if item.upper() in ("D", "M", "S") or _HN.match(item.upper()) else item
        if key.lower() == "irreducible:d":
            key = "irreducible:D"
        m = _HN.match(key)
        if key not in ("D", "M", "S", "irreducible:D") and not m:
            raise ValueError(f"unknown numeric criterion {item!r} (known: D, M, S, H2, H3, ... Hn, irreducible:D)")
        if m and int(m.group(1)) < 2:
            raise ValueError(f"H_n needs n >= 2, got {item!r}")
        if key not in out:
            out.append(key)
    return tuple(out)


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
    >>> J = torch.tensor([[[2.0, 0.0]]], dtype=torch.float64)
    >>> float(tolerance(J, c=10)[0]) == 10 * 2 * torch.finfo(torch.float64).eps
    True
    """
    eps = torch.finfo(J.dtype).eps
    scale = J.detach().abs().reshape(J.shape[0], -1).amax(dim=1) if J.numel() else torch.zeros(J.shape[0], dtype=J.dtype, device=J.device)
    for t in extra:
        if t.numel():
            scale = torch.maximum(scale, t.detach().abs().reshape(t.shape[0], -1).amax(dim=1).to(scale.dtype))
    return c * eps * scale


# -- names, points, witnesses -------------------------------------------------------------
def _names(names: Sequence[str] | None, d: int) -> list[str]:
    return list(names) if names is not None else [f"z{a + 1}" for a in range(d)]


def _point_json(z: torch.Tensor | None, i: int, names: list[str]) -> dict[str, float] | None:
    if z is None:
        return None
    return {n: float(v) for n, v in zip(names, z[i].detach().cpu().tolist())}


def _blocks_of(blocks: Sequence[Sequence[int]], d: int) -> list[int]:
    block_of = [-1] * d
    for k, b in enumerate(blocks):
        for a in b:
            block_of[a] = k
    return block_of


# -- D ------------------------------------------------------------------------------------
def assess_D(
    J: torch.Tensor,
    blocks: Sequence[Sequence[int]],
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
) -> Assessment:
    """Type D at every point: no row of J has entries above tau in two blocks.

    Parameters
    ----------
    J
        Jacobians ``[N, m, d]``.
    blocks
        The partition.
    c
        Tolerance factor.
    z, latent_names
        The points and names, for witnesses.

    Returns
    -------
    Assessment
        The witness at a failing point is the row and cross pair with the largest
        ``min(|J_ta|, |J_tb|) / tau``.

    Examples
    --------
    >>> J = torch.tensor([[[1.0, 0.0], [0.0, 2.0]], [[1.0, 1.0], [0.0, 2.0]]], dtype=torch.float64)
    >>> assess_D(J, [[0], [1]]).holds.tolist()
    [True, False]
    """
    N, m, d = J.shape
    names = _names(latent_names, d)
    tau = tolerance(J, c)
    A = J.detach().abs()
    K = len(blocks)
    rowmax = torch.stack([A[:, :, list(b)].amax(dim=2) for b in blocks], dim=2) if K else A[:, :, :0]  # [N, m, K]
    argmax = torch.stack([torch.as_tensor(list(b), device=J.device)[A[:, :, list(b)].argmax(dim=2)] for b in blocks], dim=2) if K else None
    active = rowmax > tau[:, None, None]
    fails = active.sum(dim=2) >= 2  # [N, m]
    holds = ~fails.any(dim=1)
    witnesses: list[dict[str, Any] | None] = [None] * N
    if K >= 2 and (~holds).any():
        top2 = rowmax.topk(2, dim=2)
        strength = top2.values[:, :, 1] / torch.clamp(tau[:, None], min=torch.finfo(J.dtype).tiny)
        for i in torch.nonzero(~holds).flatten().tolist():
            t = int(strength[i].argmax())
            ka, kb = sorted(top2.indices[i, t].tolist())
            a, b = int(argmax[i, t, ka]), int(argmax[i, t, kb])
            witnesses[i] = {
                "point": _point_json(z, i, names),
                "output": t,
                "latents": [names[a], names[b]],
                "values": [float(J[i, t, a]), float(J[i, t, b])],
                "tolerance": float(tau[i]),
            }
    labels = [(a,) for a in range(d)]
    return Assessment("D", "jacfwd", holds, tau, J.detach(), labels, witnesses, c, torch.finfo(J.dtype).eps)


# -- M ------------------------------------------------------------------------------------
def assess_M(
    J: torch.Tensor,
    blocks: Sequence[Sequence[int]],
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
) -> Assessment:
    """Type M (coordinate basis) at every point: for latents ``a, b`` in different blocks,
    the support of column ``a`` (entries above tau) is not contained in that of ``b``.
    An empty column is contained in everything, so it violates M.

    Examples
    --------
    >>> J = torch.tensor([[[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]], [[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]], dtype=torch.float64)
    >>> assess_M(J, [[0], [1]]).holds.tolist()
    [False, True]
    """
    N, m, d = J.shape
    names = _names(latent_names, d)
    tau = tolerance(J, c)
    S = (J.detach().abs() > tau[:, None, None]).to(torch.float64)  # [N, m, d]
    outside = torch.einsum("nta,ntb->nab", S, 1 - S)  # rows in supp a but not in supp b
    contained = outside == 0  # [N, a, b]
    block_of = _blocks_of(blocks, d)
    cross = torch.tensor([[block_of[a] != block_of[b] for b in range(d)] for a in range(d)], device=J.device)
    bad = contained & cross
    holds = ~bad.reshape(N, -1).any(dim=1)
    witnesses: list[dict[str, Any] | None] = [None] * N
    for i in torch.nonzero(~holds).flatten().tolist():
        a, b = [int(x) for x in torch.nonzero(bad[i])[0].tolist()]
        witnesses[i] = {
            "point": _point_json(z, i, names),
            "latents": [names[a], names[b]],
            "supports": {names[a]: torch.nonzero(S[i, :, a]).flatten().tolist(), names[b]: torch.nonzero(S[i, :, b]).flatten().tolist()},
            "contained": f"supp d{names[a]} is contained in supp d{names[b]}",
            "tolerance": float(tau[i]),
        }
    labels = [(a,) for a in range(d)]
    return Assessment("M", "jacfwd", holds, tau, J.detach(), labels, witnesses, c, torch.finfo(J.dtype).eps, {"m-basis": "coordinates"})


# -- H_n ----------------------------------------------------------------------------------
def assess_Hn(
    J: torch.Tensor,
    cross: CrossDerivatives,
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
    scale: Sequence[torch.Tensor] = (),
) -> Assessment:
    """Type H_n at every point from the cross entries (:func:`~numeric.derivatives.cross_derivatives`).

    Parameters
    ----------
    J
        Jacobians ``[N, m, d]`` (part of the scale of tau).
    cross
        The order-n cross entries.
    c
        Tolerance factor.
    z, latent_names
        For witnesses.
    scale
        More per-point tensors joining the scale (e.g. generic order-n probes).

    Examples
    --------
    >>> from numeric.derivatives import cross_derivatives, jacobian
    >>> f = lambda zz: torch.stack([zz[..., 0], zz[..., 1], zz[..., 0] * zz[..., 1]], dim=-1)
    >>> z = torch.tensor([[0.5, 0.5]], dtype=torch.float64)
    >>> assess_Hn(jacobian(f, z), cross_derivatives(f, z, [[0], [1]], 2)).witnesses[0]["multi_index"]
    ['z1', 'z2']
    """
    N, m, d = J.shape
    names = _names(latent_names, d)
    values = cross.values.detach()
    tau = tolerance(J, c, [values, *scale])
    A = values.abs()
    over = A > tau[:, None, None]
    holds = ~over.reshape(N, -1).any(dim=1) if values.numel() else torch.ones(N, dtype=torch.bool, device=J.device)
    witnesses: list[dict[str, Any] | None] = [None] * N
    for i in torch.nonzero(~holds).flatten().tolist():
        flat = int(A[i].argmax())
        t, e = divmod(flat, A.shape[2])
        witnesses[i] = {
            "point": _point_json(z, i, names),
            "output": t,
            "multi_index": [names[a] for a in cross.multi_indices[e]],
            "value": float(values[i, t, e]),
            "tolerance": float(tau[i]),
        }
    details = {"reading": cross.reading, "entries": len(cross.multi_indices)}
    return Assessment(f"H{cross.n}", "nested-jacfwd", holds, tau, values, list(cross.multi_indices), witnesses, c, torch.finfo(J.dtype).eps, details)


def assess_Hn_probe(
    J: torch.Tensor,
    n: int,
    probes: Any,
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
    reading: str = "block-diagonal",
) -> Assessment:
    """Type H_n at every point from randomized probes (:func:`~numeric.derivatives.block_probes`).

    Examples
    --------
    >>> from numeric.derivatives import block_probes, jacobian
    >>> f = lambda zz: torch.stack([zz[..., 0], zz[..., 1], zz[..., 0] * zz[..., 1]], dim=-1)
    >>> z = torch.tensor([[0.5, 0.5]], dtype=torch.float64)
    >>> assess_Hn_probe(jacobian(f, z), 2, block_probes(f, z, [[0], [1]], 2, seed=0)).holds.tolist()
    [False]
    """
    N, m, d = J.shape
    names = _names(latent_names, d)
    values = probes.values.detach().transpose(1, 2)  # [N, m, P]
    tau = tolerance(J, c, [values, probes.generic])
    A = values.abs()
    over = A > tau[:, None, None]
    holds = ~over.reshape(N, -1).any(dim=1) if values.numel() else torch.ones(N, dtype=torch.bool, device=J.device)
    witnesses: list[dict[str, Any] | None] = [None] * N
    for i in torch.nonzero(~holds).flatten().tolist():
        flat = int(A[i].argmax())
        t, p = divmod(flat, A.shape[2])
        bi, bj = probes.pairs[p]
        witnesses[i] = {
            "point": _point_json(z, i, names),
            "output": t,
            "blocks": [bi, bj],
            "directions": probes.directions[p].tolist(),
            "value": float(values[i, t, p]),
            "tolerance": float(tau[i]),
        }
    labels = [("probe", i, j, p) for p, (i, j) in enumerate(probes.pairs)]
    details = {"reading": reading, "probes": len(probes.pairs), "seed": probes.seed}
    return Assessment(f"H{n}", "jvp-probe", holds, tau, values, labels, witnesses, c, torch.finfo(J.dtype).eps, details)


# -- snapping and irreducible:D ------------------------------------------------------------
@dataclass
class Snapped:
    """Float entries snapped to small-denominator rationals.

    Attributes
    ----------
    values
        An object array of :class:`fractions.Fraction`, the shape of the input.
    max_error
        The largest ``|x - p/q|``.
    ok
        Whether every entry is within the tolerance.
    tol
        The tolerance used.
    """

    values: np.ndarray
    max_error: float
    ok: bool
    tol: float


def snap_rational(J: torch.Tensor | np.ndarray | Sequence, max_denominator: int = 1000, tol: float | None = None) -> Snapped:
    """Snap every entry to the nearest rational with denominator <= ``max_denominator``
    (continued fractions, :meth:`fractions.Fraction.limit_denominator`).

    Parameters
    ----------
    J
        Any float array (a Jacobian at one point, ...).
    max_denominator
        The largest denominator allowed.
    tol
        Accept the snap when every ``|x - p/q| <= tol``; default ``10 * eps * max|J|``
        with eps of the input's dtype (float64 for non-tensors).

    Returns
    -------
    Snapped
        The rationals, the largest error and whether all are within ``tol``.  Snapped values
        are float evidence turned into exact numbers: what is computed from them exactly is
        still a numeric verdict.

    Examples
    --------
    >>> s = snap_rational(torch.tensor([[1 / 3, 0.5], [2e-17, -0.75]], dtype=torch.float64))
    >>> s.ok, [str(x) for x in s.values.ravel()]
    (True, ['1/3', '1/2', '0', '-3/4'])
    >>> snap_rational(torch.tensor([0.8775825618903728], dtype=torch.float64)).ok
    False
    """
    if isinstance(J, torch.Tensor):
        eps = torch.finfo(J.dtype).eps if J.dtype.is_floating_point else torch.finfo(torch.float64).eps
        arr = J.detach().cpu().to(torch.float64).numpy()
    else:
        arr = np.asarray(J, dtype=np.float64)
        eps = float(np.finfo(np.float64).eps)
    if tol is None:
        tol = 10 * eps * (float(np.abs(arr).max()) if arr.size else 0.0)
    out = np.empty(arr.shape, dtype=object)
    worst = 0.0
    for idx, x in np.ndenumerate(arr):
        if not np.isfinite(x):
            out[idx] = None
            worst = float("inf")
            continue
        q = Fraction(float(x)).limit_denominator(max_denominator)
        err = abs(float(x) - float(q))
        worst = max(worst, err)
        out[idx] = q
    return Snapped(out, worst, bool(worst <= tol), float(tol))


def _exact_combination(basis: list[list[Fraction]], row: list[Fraction]) -> list[Fraction] | None:
    """``y`` with ``sum_b y_b basis[b] == row`` (exact), or ``None`` if ``row`` is outside the span."""
    r, k = len(basis), len(row)
    # augmented system: k equations, r unknowns
    M = [[basis[b][j] for b in range(r)] + [row[j]] for j in range(k)]
    pivots: list[int] = []
    rank = 0
    for col in range(r):
        pivot = next((i for i in range(rank, k) if M[i][col] != 0), None)
        if pivot is None:
            continue
        M[rank], M[pivot] = M[pivot], M[rank]
        inv = 1 / M[rank][col]
        M[rank] = [x * inv for x in M[rank]]
        for i in range(k):
            if i != rank and M[i][col] != 0:
                factor = M[i][col]
                M[i] = [x - factor * y for x, y in zip(M[i], M[rank])]
        pivots.append(col)
        rank += 1
    if any(M[i][r] != 0 for i in range(rank, k)):
        return None
    y = [Fraction(0)] * r
    for i, col in enumerate(pivots):
        y[col] = M[i][r]
    return y


def _components_exact(rows: list[list[Fraction]]) -> tuple[int, list[list[int]]]:
    """Rank and matroid components (over the given row indices) of exact rows (docs/mathematics.md 7.2)."""
    basis_idx: list[int] = []
    basis: list[list[Fraction]] = []
    edges: list[tuple[int, int]] = []
    pending = []
    for e, row in enumerate(rows):
        if basis and _exact_combination(basis, row) is not None:
            pending.append(e)
        else:
            basis_idx.append(e)
            basis.append(row)
    for e in pending:
        y = _exact_combination(basis, rows[e])
        assert y is not None
        edges += [(e, basis_idx[b]) for b, yb in enumerate(y) if yb != 0]
    return len(basis), _union_find(len(rows), edges)


def _components_float(rows: np.ndarray, rel_tol: float) -> tuple[int, list[list[int]]]:
    """Tolerance version of :func:`_components_exact` (least squares, relative thresholds)."""
    basis_idx: list[int] = []
    edges: list[tuple[int, int]] = []
    pending = []
    for e in range(rows.shape[0]):
        row = rows[e]
        if basis_idx:
            B = rows[basis_idx]
            y, *_ = np.linalg.lstsq(B.T, row, rcond=None)
            if np.linalg.norm(B.T @ y - row) <= rel_tol * np.linalg.norm(row):
                pending.append(e)
                continue
        basis_idx.append(e)
    B = rows[basis_idx] if basis_idx else rows[:0]
    norms = np.linalg.norm(B, axis=1) if basis_idx else np.zeros(0)
    for e in pending:
        y, *_ = np.linalg.lstsq(B.T, rows[e], rcond=None)
        weight = np.abs(y) * norms
        edges += [(e, basis_idx[b]) for b in range(len(basis_idx)) if weight[b] > rel_tol * np.linalg.norm(rows[e])]
    return len(basis_idx), _union_find(rows.shape[0], edges)


def _union_find(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[int, list[int]] = {}
    for x in range(n):
        groups.setdefault(root(x), []).append(x)
    return sorted(groups.values())


def assess_irreducible_D(
    J: torch.Tensor,
    blocks: Sequence[Sequence[int]],
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
    factor_names: Sequence[str] | None = None,
    method: str = "auto",
    max_denominator: int = 1000,
) -> Assessment:
    """D-irreducibility of every block at every point: the row matroid of ``J[:, block]``,
    restricted to its rows above tau, has full rank ``d_k`` and is connected (docs/mathematics.md 7.1-7.2).

    Parameters
    ----------
    J
        Jacobians ``[N, m, d]``.
    blocks
        The partition.
    c
        Tolerance factor (entries ``|x| <= tau`` are set to zero first).
    z, latent_names, factor_names
        For witnesses.
    method
        ``snap`` (snap the block to rationals with :func:`snap_rational`, then exact
        elimination), ``tolerance`` (least squares with relative tolerance
        ``c * eps * max(m, d_k)``), or ``auto`` (snap where every entry snaps within tau,
        else tolerance).  The method used at each point is in ``details``.
    max_denominator
        For snapping.

    Returns
    -------
    Assessment
        A rank-deficient block fails, with ``degenerate: "rank"`` in the witness (the exact
        layer reports such a point as degenerate rather than reducible).

    Examples
    --------
    >>> J = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]], dtype=torch.float64)
    >>> assess_irreducible_D(J, [[0, 1], [2]]).holds.tolist()
    [True]
    >>> J2 = torch.tensor([[[1.0, 1.0, 0.0], [1.0, -1.0, 0.0], [0.0, 0.0, 1.0]]], dtype=torch.float64)
    >>> assess_irreducible_D(J2, [[0, 1], [2]]).witnesses[0]["components"]
    [[0], [1]]
    """
    if method not in ("auto", "snap", "tolerance"):
        raise ValueError(f"unknown method {method!r} (auto, snap, tolerance)")
    N, m, d = J.shape
    names = _names(latent_names, d)
    fnames = list(factor_names) if factor_names is not None else [f"f{k + 1}" for k in range(len(blocks))]
    tau = tolerance(J, c)
    eps = torch.finfo(J.dtype).eps
    Jd = J.detach().cpu().to(torch.float64)
    holds = torch.ones(N, dtype=torch.bool)
    witnesses: list[dict[str, Any] | None] = [None] * N
    used: list[str] = []
    for i in range(N):
        t_i = float(tau[i])
        Ji = Jd[i].numpy().copy()
        Ji[np.abs(Ji) <= t_i] = 0.0
        snapped = snap_rational(Ji, max_denominator, tol=t_i) if method in ("auto", "snap") else None
        how = "snap-rational" if snapped is not None and (snapped.ok or method == "snap") else "tolerance-rank"
        used.append(how)
        for k, block in enumerate(blocks):
            cols = list(block)
            live = [t for t in range(m) if np.any(Ji[t, cols] != 0)]
            if how == "snap-rational":
                rows = [[snapped.values[t, a] for a in cols] for t in live]
                rank, comps = _components_exact(rows)
            else:
                rank, comps = _components_float(Ji[np.ix_(live, cols)], c * eps * max(m, len(cols)))
            comps = [[live[e] for e in comp] for comp in comps]
            if rank < len(cols) or len(comps) != 1:
                holds[i] = False
                witnesses[i] = {
                    "point": _point_json(z, i, names),
                    "factor": fnames[k],
                    "latents": [names[a] for a in cols],
                    "rank": rank,
                    "components": comps,
                    "tolerance": t_i,
                }
                if rank < len(cols):
                    witnesses[i]["degenerate"] = "rank"
                break
    labels = [(a,) for a in range(d)]
    details = {"methods": {h: used.count(h) for h in sorted(set(used))}}
    return Assessment("irreducible:D", "matroid-components", holds.to(J.device), tau, J.detach(), labels, witnesses, c, eps, details)


# -- Type S ------------------------------------------------------------------------------------
@dataclass
class SnappedJacobian:
    """One point's float Jacobian made exact for the rho algorithm (:func:`snap_jacobian`).

    Attributes
    ----------
    values
        ``m`` rows of :class:`fractions.Fraction`: the matrix rho is computed on.
    snap
        ``rational`` (every entry snapped within tau), ``row-scaled`` (each row divided by
        its entry of largest magnitude, then snapped within ``2 tau / |that entry|``) or
        ``approximate`` (neither: the nearest rational with a bounded denominator per entry
        of the scaled rows, keeping every nonzero entry nonzero).  See :data:`S_SNAPS`.
    max_error
        The largest ``|x - p/q|`` over the snapped entries (in the units of ``values``:
        absolute for ``rational``, relative to the row's largest entry otherwise).
    support
        ``m`` rows of bools: the entries above tau (the support of ``values``).
    pivots
        Per row, the column of the entry it was divided by (``None`` for a zero row, and
        for every row when ``snap == "rational"``).
    finite
        ``False`` when an entry is NaN or infinite (``values`` is then meaningless).
    """

    values: list[list[Fraction]]
    snap: str
    max_error: float
    support: list[list[bool]]
    pivots: list[int | None]
    finite: bool = True


def s_max_denominator(dtype: torch.dtype, c: float = DEFAULT_C) -> int:
    """The default largest denominator of the Type S snap: ``1 / sqrt(c * eps(dtype))``,
    clamped to ``[10, 10**6]``.

    Every real lies within ``1 / q**2`` of a rational with denominator ``q <= Q``, so past
    ``Q ~ 1 / sqrt(tau / max|J|)`` a snap within tau would fit any value and say nothing.
    float64 thus recovers the denominators of cubes of small rationals (up to 10**6);
    float32 stops near 900.

    >>> s_max_denominator(torch.float64), s_max_denominator(torch.float32)
    (1000000, 915)
    """
    scale = c * torch.finfo(dtype).eps
    return int(max(10, min(10**6, 1 / scale**0.5))) if scale > 0 else 10**6


def snap_jacobian(J: torch.Tensor | np.ndarray | Sequence, tau: float, max_denominator: int = 1000) -> SnappedJacobian:
    """Make one point's float Jacobian exact for :func:`theory.linalg.rho.sparsity`.

    The entries with ``|x| <= tau`` become zero (the tolerance rule); the rest are snapped
    to rationals with denominator at most ``max_denominator`` by :func:`snap_rational`:

    1. the entries themselves, accepted when every one is within ``tau`` (``rational``);
    2. else each row divided by its entry of largest magnitude, accepted when every scaled
       entry is within ``2 tau / |that entry|`` (``row-scaled``).  Scaling a row by a
       nonzero number changes no ``||J M||_0``, so rho+, rho-, rho* and the witness bases
       are those of ``J``; parallel rows become equal, so their dependency survives;
    3. else the scaled rows entry by entry (``approximate``); an entry whose nearest small
       rational is 0 keeps its exact binary value, so the support is never changed.
       Linear dependencies that the float values only satisfy up to rounding are then
       generally lost: rho is that of a nearby rational matrix (often the generic one).

    Parameters
    ----------
    J
        The Jacobian ``[m, d]`` at one point (any float array).
    tau
        The point's tolerance (:func:`tolerance`).
    max_denominator
        The largest denominator of a snapped value.

    Returns
    -------
    SnappedJacobian
        Float evidence made exact: what is computed from it stays a numeric figure.

    Examples
    --------
    >>> s = snap_jacobian([[1.0, 1e-18], [0.5, 1 / 3]], tau=1e-15)
    >>> s.snap, [[str(x) for x in row] for row in s.values]
    ('rational', [['1', '0'], ['1/2', '1/3']])
    >>> import math
    >>> r = snap_jacobian([[math.pi, 0.0], [2 * math.pi, math.pi]], tau=1e-14)
    >>> r.snap, [[str(x) for x in row] for row in r.values]
    ('row-scaled', [['1', '0'], ['1', '1/2']])
    >>> snap_jacobian([[1.0, math.sqrt(2)]], tau=1e-15).snap
    'approximate'
    """
    arr = J.detach().cpu().to(torch.float64).numpy() if isinstance(J, torch.Tensor) else np.asarray(J, dtype=np.float64)
    arr = np.array(arr, dtype=np.float64, copy=True)
    m = arr.shape[0]
    if not np.all(np.isfinite(arr)):
        zero = [[Fraction(0)] * arr.shape[1] for _ in range(m)]
        return SnappedJacobian(zero, "approximate", float("inf"), [[False] * arr.shape[1] for _ in range(m)], [None] * m, finite=False)
    arr[np.abs(arr) <= tau] = 0.0
    support = (arr != 0).tolist()
    raw = snap_rational(arr, max_denominator, tol=tau)
    if raw.ok:
        return SnappedJacobian(raw.values.tolist(), "rational", raw.max_error, support, [None] * m)
    rows: list[list[Fraction]] = []
    pivots: list[int | None] = []
    scaled_rows: list[np.ndarray] = []
    ok, worst = True, 0.0
    for t in range(m):
        nz = np.flatnonzero(arr[t])
        if nz.size == 0:
            pivots.append(None)
            scaled_rows.append(arr[t])
            rows.append([Fraction(0)] * arr.shape[1])
            continue
        a = int(nz[np.argmax(np.abs(arr[t, nz]))])
        scaled = arr[t] / arr[t, a]
        scaled[a] = 1.0
        snapped = snap_rational(scaled, max_denominator, tol=2 * tau / abs(arr[t, a]))
        ok = ok and snapped.ok
        worst = max(worst, snapped.max_error)
        pivots.append(a)
        scaled_rows.append(scaled)
        rows.append(snapped.values.tolist())
    if ok:
        return SnappedJacobian(rows, "row-scaled", worst, support, pivots)
    # approximate: keep the support, whatever the rounding
    for t, scaled in enumerate(scaled_rows):
        for a, x in enumerate(scaled):
            if x != 0 and rows[t][a] == 0:
                rows[t][a] = Fraction(float(x))
    return SnappedJacobian(rows, "approximate", worst, support, pivots)


def assess_S(
    J: torch.Tensor,
    blocks: Sequence[Sequence[int]],
    c: float = DEFAULT_C,
    z: torch.Tensor | None = None,
    latent_names: Sequence[str] | None = None,
    reading: str = "strict",
    max_denominator: int | None = None,
    budget: float | None = DEFAULT_S_BUDGET,
    engine: str = "auto",
    seed: int = 0,
) -> Assessment:
    """Type S at every point: rho+ < rho- (``strict``) of the snapped Jacobian (docs/mathematics.md 5, 15.2).

    Parameters
    ----------
    J
        Jacobians ``[N, m, d]``.
    blocks
        The partition.
    c
        Tolerance factor: entries ``|x| <= tau`` are zero (:func:`snap_jacobian`).
    z, latent_names
        For witnesses and the per-point details.
    reading
        ``strict`` (rho+ < rho-, the default) or ``non-strict`` (rho+ <= rho-: ties hold).
    max_denominator
        For snapping; default :func:`s_max_denominator` of ``J``'s dtype and ``c``.
    budget
        Seconds the exact rho algorithm may spend at each point (``None``: no limit).
    engine
        Engine of :func:`theory.linalg.rho.sparsity`: ``auto``, ``matroid`` or ``z3``.
    seed
        Seed of the witness bases.

    Returns
    -------
    Assessment
        ``details["points"]`` holds, per point, ``rho_plus``, ``rho_minus``, ``rho_star``,
        ``block_rho``, ``coordinate_l0``, ``tie``, ``snap``, ``snap_error``, ``status``
        (``exact``, or ``bounds`` past the budget), ``verdict`` (``holds-numerically``,
        ``fails-numerically`` or ``undecided``) and the point's ``margin``.  ``decided`` is
        ``False`` where the budget left the comparison open.  A failing point's witness is
        the misaligned basis (columns as ``p/q`` strings) whose weight on the snapped matrix
        does not exceed rho+.

    Examples
    --------
    >>> J = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [0.75, 0.75]], [[1.0, 0.0], [0.0, 1.0], [0.0, 0.75]]], dtype=torch.float64)
    >>> a = assess_S(J, [[0], [1]])
    >>> a.holds.tolist(), [(p["rho_plus"], p["rho_minus"]) for p in a.details["points"]]
    ([False, True], [(4, 4), (3, 4)])
    >>> assess_S(J, [[0], [1]], reading="non-strict").holds.tolist()
    [True, True]
    """
    if reading not in S_READINGS:
        raise ValueError(f"unknown Type S reading {reading!r} (choose from {', '.join(S_READINGS)})")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if budget is not None and not budget > 0:
        raise ValueError(f"the per-point budget must be positive, got {budget}")
    N, m, d = J.shape
    names = _names(latent_names, d)
    if max_denominator is None:
        max_denominator = s_max_denominator(J.dtype, c)
    part = [list(b) for b in blocks]
    tau = tolerance(J, c)
    eps = torch.finfo(J.dtype).eps
    Jd = J.detach().cpu().to(torch.float64).numpy()
    holds = torch.zeros(N, dtype=torch.bool)
    decided = torch.zeros(N, dtype=torch.bool)
    witnesses: list[dict[str, Any] | None] = [None] * N
    points: list[dict[str, Any]] = []
    for i in range(N):
        t_i = float(tau[i])
        snapped = snap_jacobian(Jd[i], t_i, max_denominator)
        rec: dict[str, Any] = {}
        if z is not None:
            rec["point"] = _point_json(z, i, names)
        rec.update(snap=snapped.snap, snap_error=snapped.max_error)
        if not snapped.finite:
            rec.update(verdict="undecided", note="a Jacobian entry is NaN or infinite")
            points.append(rec)
            continue
        res = sparsity(snapped.values, part, engine=engine, budget=budget, seed=seed)
        verdict = res.type_s(reading)
        if verdict is False and res.misaligned_basis is None:  # as the exact criterion: no witness, no failure
            verdict = None
        rec.update(
            rho_plus=res.rho_plus,
            rho_minus=res.rho_minus,
            rho_star=res.rho_star,
            block_rho=res.block_rho,
            coordinate_l0=res.coordinate_l0,
            tie=res.tie,
            status=res.status,
            engine=res.engine,
        )
        if res.status != "exact":
            rec["bounds"] = res.bounds
        if verdict is None:
            rec["verdict"] = "undecided"
        else:
            decided[i] = True
            holds[i] = bool(verdict)
            rec["verdict"] = "holds-numerically" if verdict else "fails-numerically"
        if verdict is False:
            basis = res.misaligned_basis
            assert basis is not None
            weight = basis_weight(snapped.values, basis)
            rho_plus = res.rho_plus if res.rho_plus is not None else res.bounds.get("rho_plus", [None])[0]
            witnesses[i] = {
                "point": _point_json(z, i, names),
                "basis": [[str(x) for x in v] for v in basis],
                "weight": weight,
                "mixing": [k for k, u in enumerate(basis) if mixes(u, part)],
                "rho_plus": rho_plus,
                "rho_minus": res.rho_minus,
                "gap": None if rho_plus is None else rho_plus - weight,
                "snap": snapped.snap,
                "tolerance": t_i,
            }
        points.append(rec)
    labels = [(a,) for a in range(d)]
    snaps = [p["snap"] for p in points]
    details: dict[str, Any] = {
        "readings": {"s-strict": reading, "rho-plus": "pointwise"},
        "engine": engine,
        "budget_seconds": budget,
        "max_denominator": max_denominator,
        "snaps": {h: snaps.count(h) for h in S_SNAPS if h in snaps},
        "points_undecided": int((~decided).sum()),
        "points": points,
    }
    a = Assessment("S", "snap-sparsity", holds.to(J.device), tau, J.detach(), labels, witnesses, c, eps, details, decided.to(J.device))
    for i, rec in enumerate(points):
        rec["margin"] = a.margin(i)
    return a


# -- public checks on a NeuralGenerator ---------------------------------------------------------
def _points(g: NeuralGenerator, z: torch.Tensor | None, n_points: int, seed: int) -> torch.Tensor:
    if z is None:
        return g.sample(n_points, seed=seed)
    z = torch.as_tensor(z)
    if z.ndim == 1:
        z = z.unsqueeze(0)
    if z.ndim != 2 or z.shape[1] != g.d:
        raise ValueError(f"points must be [N, {g.d}], got {tuple(z.shape)}")
    return z.to(dtype=g.dtype, device=g.device)


def _result(g: NeuralGenerator, a: Assessment, z: torch.Tensor, seconds: float = 0.0) -> NumericResult:
    # pointwise verdicts aggregate the same way for every criterion: fails when it fails at a
    # point, holds when it holds at every point; points left undecided (Type S past its budget)
    # count neither way, and with none decided the result is unknown / budget-exhausted
    decided = a.decided if a.decided is not None else torch.ones_like(a.holds)
    failing = torch.nonzero(~a.holds & decided).flatten().tolist()
    verdict = "holds-numerically" if not failing else "fails-numerically"
    method = a.method
    if a.decided is not None and not bool(decided.any()) and z.shape[0] > 0:
        verdict, method = "unknown", "budget-exhausted"
    witness = None
    if failing:
        # the most decisive failure: the witness whose value is farthest above its tau
        # (for S: the largest gap rho+ - weight of the misaligned witness)
        def strength(w: dict) -> float:
            if "gap" in w:
                return float(w["gap"]) if w["gap"] is not None else 0.0
            vals = w.get("values") or [w.get("value", 0.0)]
            return min(abs(v) for v in vals) / w["tolerance"] if w.get("tolerance") else float("inf")

        witness = max((a.witnesses[i] for i in failing), key=lambda w: strength(w) if "tolerance" in w else 0.0)
    details = dict(a.details)
    details["points_failing"] = len(failing)
    if z.shape[0] == 1:
        details["at"] = _point_json(z, 0, list(g.latent_names))
    return NumericResult(
        a.criterion,
        verdict,
        "point" if z.shape[0] == 1 else "global",
        method,
        witness=witness,
        details=details,
        seconds=seconds,
        dtype=dtype_name(z.dtype),
        device=str(z.device),
        points_sampled=int(z.shape[0]),
        tolerance=a.tolerance_json(_rule(a.criterion)),
        margin=a.margin(),
    )


def numeric_D(
    g: NeuralGenerator,
    z: torch.Tensor | None = None,
    n_points: int = 256,
    seed: int = 0,
    c: float = DEFAULT_C,
    chunk_size: int = DEFAULT_CHUNK,
) -> NumericResult:
    """Numeric Type D on ``z`` (or ``n_points`` seeded samples of ``g.box``).

    Examples
    --------
    >>> import torch
    >>> from numeric.generator import NeuralGenerator
    >>> g = NeuralGenerator(lambda z: torch.sin(z), [[0], [1]], 2, dtype=torch.float64)
    >>> numeric_D(g, n_points=16).verdict
    'holds-numerically'
    """
    return check_numeric(g, ["D"], z, n_points=n_points, seed=seed, c=c, chunk_size=chunk_size)[0]


def numeric_M(
    g: NeuralGenerator,
    z: torch.Tensor | None = None,
    n_points: int = 256,
    seed: int = 0,
    c: float = DEFAULT_C,
    chunk_size: int = DEFAULT_CHUNK,
) -> NumericResult:
    """Numeric Type M (coordinate basis) on ``z`` (or ``n_points`` seeded samples).

    Examples
    --------
    >>> import torch
    >>> from numeric.generator import NeuralGenerator
    >>> g = NeuralGenerator(lambda z: torch.stack([z[..., 0] + z[..., 1], z[..., 0]], -1), [[0], [1]], 2, dtype=torch.float64)
    >>> numeric_M(g, n_points=8).witness["contained"]
    'supp dz2 is contained in supp dz1'
    """
    return check_numeric(g, ["M"], z, n_points=n_points, seed=seed, c=c, chunk_size=chunk_size)[0]


def numeric_Hn(
    g: NeuralGenerator,
    n: int,
    z: torch.Tensor | None = None,
    n_points: int = 256,
    seed: int = 0,
    c: float = DEFAULT_C,
    chunk_size: int = 1024,
    method: str = "auto",
    probes: int = 2,
    reading: str = "block-diagonal",
) -> NumericResult:
    """Numeric Type H_n on ``z`` (or ``n_points`` seeded samples).

    Parameters
    ----------
    method
        ``entries`` (every cross partial by nested ``jacfwd`` over the needed blocks),
        ``probe`` (the randomized nested-``jvp`` probe, ``probes`` draws per block pair,
        directions from ``seed``), or ``auto`` (entries for n = 2 or when the count of
        directional passes ``sum_{i<j} d_i d_j d^(n-2)`` is at most 512, else probe).

    Examples
    --------
    >>> import torch
    >>> from numeric.generator import NeuralGenerator
    >>> f = lambda z: torch.stack([z[..., 0], z[..., 1], z[..., 0] ** 2 * z[..., 1]], -1)
    >>> g = NeuralGenerator(f, [[0], [1]], 2, dtype=torch.float64)
    >>> numeric_Hn(g, 3, n_points=8).verdict, numeric_Hn(g, 4, n_points=8, method="probe").verdict
    ('fails-numerically', 'holds-numerically')
    """
    return check_numeric(
        g, [f"H{n}"], z, n_points=n_points, seed=seed, c=c, chunk_size=chunk_size, hn_method=method, probes=probes, reading=reading
    )[0]


def numeric_irreducible_D(
    g: NeuralGenerator,
    z: torch.Tensor | None = None,
    n_points: int = 64,
    seed: int = 0,
    c: float = DEFAULT_C,
    chunk_size: int = DEFAULT_CHUNK,
    method: str = "auto",
    max_denominator: int = 1000,
) -> NumericResult:
    """Numeric D-irreducibility of every factor on ``z`` (or ``n_points`` seeded samples).

    Examples
    --------
    >>> import torch
    >>> from numeric.generator import NeuralGenerator
    >>> f = lambda z: torch.stack([z[..., 0] + z[..., 1], z[..., 0] - z[..., 1], z[..., 2]], -1)
    >>> numeric_irreducible_D(NeuralGenerator(f, [[0, 1], [2]], 3, dtype=torch.float64), n_points=4).verdict
    'fails-numerically'
    """
    return check_numeric(
        g, ["irreducible:D"], z, n_points=n_points, seed=seed, c=c, chunk_size=chunk_size, irreducible_method=method, max_denominator=max_denominator
    )[0]


def numeric_S(
    g: NeuralGenerator,
    z: torch.Tensor | None = None,
    n_points: int = 16,
    seed: int = 0,
    c: float = DEFAULT_C,
    chunk_size: int = DEFAULT_CHUNK,
    reading: str = "strict",
    max_denominator: int | None = None,
    budget: float | None = DEFAULT_S_BUDGET,
    engine: str = "auto",
) -> NumericResult:
    """Numeric Type S (the sparsity gap) on ``z`` (or ``n_points`` seeded samples).

    S is pointwise: ``details["points"]`` has rho+, rho-, rho*, the snap and the verdict
    at each point; the result holds when S holds at every decided point and fails when it
    fails at one (:func:`assess_S`; points past ``budget`` seconds count neither way).

    Examples
    --------
    >>> import torch
    >>> from numeric.generator import NeuralGenerator
    >>> f = lambda z: torch.stack([z[..., 0], z[..., 1], z[..., 0] ** 3 + z[..., 1] ** 3], -1)
    >>> g = NeuralGenerator(f, [[0], [1]], 2, dtype=torch.float64)
    >>> r = numeric_S(g, torch.tensor([[0.5, 0.5], [0.0, 0.5]], dtype=torch.float64))
    >>> r.verdict, [(p["rho_plus"], p["rho_minus"], p["verdict"]) for p in r.details["points"]]
    ('fails-numerically', [(4, 4, 'fails-numerically'), (3, 4, 'holds-numerically')])
    >>> numeric_S(g, torch.tensor([[0.5, 0.5]], dtype=torch.float64), reading="non-strict").verdict
    'holds-numerically'
    """
    return check_numeric(
        g, ["S"], z, n_points=n_points, seed=seed, c=c, chunk_size=chunk_size, max_denominator=max_denominator, s_reading=reading, s_budget=budget, s_engine=engine
    )[0]


def _passes(blocks: Sequence[Sequence[int]], d: int, n: int) -> int:
    sizes = [len(b) for b in blocks]
    return sum(sizes[i] * sizes[j] for i, j in itertools.combinations(range(len(sizes)), 2)) * d ** (n - 2)


def assess(
    g: NeuralGenerator,
    criteria: str | Iterable[str] | None,
    z: torch.Tensor,
    c: float = DEFAULT_C,
    chunk_size: int = DEFAULT_CHUNK,
    hn_method: str = "auto",
    probes: int = 2,
    seed: int = 0,
    reading: str = "block-diagonal",
    irreducible_method: str = "auto",
    max_denominator: int | None = None,
    J: torch.Tensor | None = None,
    s_reading: str = "strict",
    s_budget: float | None = DEFAULT_S_BUDGET,
    s_engine: str = "auto",
) -> dict[str, Assessment]:
    """Per-point assessments of several criteria on the points ``z``, sharing one Jacobian.

    The options are those of :func:`check_numeric`; ``J`` is the Jacobian at ``z`` if
    already computed.

    Examples
    --------
    >>> import torch
    >>> from numeric.generator import NeuralGenerator
    >>> g = NeuralGenerator(lambda z: z * z, [[0], [1]], 2, dtype=torch.float64)
    >>> out = assess(g, "D,H2", torch.tensor([[0.0, 1.0], [1.0, 1.0]], dtype=torch.float64))
    >>> out["D"].holds.tolist(), out["H2"].holds.tolist()
    ([True, True], [True, True])
    """
    if hn_method not in ("auto", "entries", "probe"):
        raise ValueError(f"unknown H_n method {hn_method!r} (auto, entries, probe)")
    ids = parse_numeric_criteria(criteria)
    with torch.no_grad():  # torch.func still differentiates in z; no graph through the weights
        return _assess(g, ids, z, c, chunk_size, hn_method, probes, seed, reading, irreducible_method, max_denominator, J, s_reading, s_budget, s_engine)


def _assess(
    g: NeuralGenerator,
    ids: tuple[str, ...],
    z: torch.Tensor,
    c: float,
    chunk_size: int,
    hn_method: str,
    probes: int,
    seed: int,
    reading: str,
    irreducible_method: str,
    max_denominator: int | None,
    J: torch.Tensor | None,
    s_reading: str = "strict",
    s_budget: float | None = DEFAULT_S_BUDGET,
    s_engine: str = "auto",
) -> dict[str, Assessment]:
    if J is None:
        J = jacobian(g, z, chunk_size)
    names = list(g.latent_names)
    out: dict[str, Assessment] = {}
    for cid in ids:
        if cid == "D":
            out[cid] = assess_D(J, g.blocks, c, z, names)
        elif cid == "M":
            out[cid] = assess_M(J, g.blocks, c, z, names)
        elif cid == "irreducible:D":
            out[cid] = assess_irreducible_D(J, g.blocks, c, z, names, g.factor_names, irreducible_method, 1000 if max_denominator is None else max_denominator)
        elif cid == "S":
            out[cid] = assess_S(J, g.blocks, c, z, names, s_reading, max_denominator, s_budget, s_engine, seed)
        else:
            n = int(cid[1:])
            use_probe = hn_method == "probe" or (hn_method == "auto" and n > 2 and _passes(g.blocks, g.d, n) > 512)
            if use_probe:
                bp = block_probes(g, z, g.blocks, n, probes=probes, seed=seed, reading=reading, chunk_size=chunk_size)
                out[cid] = assess_Hn_probe(J, n, bp, c, z, names, reading)
            else:
                cd = cross_derivatives(g, z, g.blocks, n, min(chunk_size, 1024), reading)
                generic = block_probes(g, z, g.blocks, n, probes=0, seed=seed, generic=2, chunk_size=chunk_size).generic
                out[cid] = assess_Hn(J, cd, c, z, names, [generic])
    return out


def check_numeric(
    g: NeuralGenerator,
    criteria: str | Iterable[str] | None = None,
    z: torch.Tensor | None = None,
    n_points: int = 256,
    seed: int = 0,
    c: float = DEFAULT_C,
    chunk_size: int = DEFAULT_CHUNK,
    hn_method: str = "auto",
    probes: int = 2,
    reading: str = "block-diagonal",
    irreducible_method: str = "auto",
    max_denominator: int | None = None,
    s_reading: str = "strict",
    s_budget: float | None = DEFAULT_S_BUDGET,
    s_engine: str = "auto",
) -> list[NumericResult]:
    """Run numeric criteria on a :class:`NeuralGenerator`; one result per criterion.

    Parameters
    ----------
    g
        The generator.
    criteria
        ``"D,M,S,H2,H3,irreducible:D"`` or a list (default ``D, M, H2, H3``).
    z
        Points ``[N, d]``; default ``n_points`` samples of ``g.box`` from ``seed``.
    n_points, seed
        The sample when ``z`` is not given; ``seed`` also draws the probe directions.
    c
        Tolerance factor (:data:`DEFAULT_C`).
    chunk_size
        Points per ``vmap`` call.
    hn_method, probes, reading
        See :func:`numeric_Hn`.
    irreducible_method, max_denominator
        See :func:`assess_irreducible_D` and :func:`assess_S`: ``max_denominator`` bounds
        both snaps (default: 1000 for irreducible:D, :func:`s_max_denominator` for S).
    s_reading, s_budget, s_engine
        Type S: ``strict`` or ``non-strict``, seconds of the rho algorithm per point, and its
        engine (:func:`assess_S`).

    Returns
    -------
    list[NumericResult]

    Examples
    --------
    >>> import torch
    >>> from numeric.generator import NeuralGenerator
    >>> g = NeuralGenerator(lambda z: torch.exp(z), [[0], [1]], 2, dtype=torch.float32)
    >>> r = check_numeric(g, "D", n_points=32)[0]
    >>> r.verdict, r.dtype, r.points_sampled, r.tolerance["c"]
    ('holds-numerically', 'float32', 32, 10.0)
    """
    z = _points(g, z, n_points, seed)
    start = time.perf_counter()
    with torch.no_grad():
        J = jacobian(g, z, chunk_size)
    base = time.perf_counter() - start
    results = []
    for cid in parse_numeric_criteria(criteria):
        t0 = time.perf_counter()
        a = assess(g, [cid], z, c, chunk_size, hn_method, probes, seed, reading, irreducible_method, max_denominator, J, s_reading, s_budget, s_engine)[cid]
        results.append(_result(g, a, z, base + time.perf_counter() - t0))
    return results

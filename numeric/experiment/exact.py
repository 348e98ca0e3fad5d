"""The exact layer's verdicts on a ground-truth generator, recorded for every sweep setting.

:meth:`GroundTruth.exact_generator` gives the ``theory.Generator`` of the very network the
models are trained on (rational weights, LeakyReLU as ``Piecewise``).  Here it is checked by
``theory.checker``: Type D globally and at a few rational sample points; and Type S at the points
by the exact rho algorithm (``theory.linalg.rho``) on the exact Jacobian of the rational network
(:func:`type_s_at`: ``proved`` / ``refuted`` when rho+ and rho-, or their proven bounds, decide;
``unknown`` when the time budget runs out first).  The
injectivity of the ground truth is checked numerically alongside: the smallest singular value
of its float64 Jacobian at the same points (a rank test; the construction makes it injective).

Examples
--------
>>> from numeric.experiment.groundtruth import sample_ground_truth
>>> gt = sample_ground_truth(2, 1, 3, 0.0, seed=0, cond_pool=20)
>>> v = exact_verdicts(gt, sample_points(2, 1, seed=0))
>>> v.d_global, v.d_points
('proved', ['proved'])
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import torch
from torch.func import jacfwd

from theory.budget import Budget, BudgetExhausted
from theory.checker import check
from theory.linalg.rho import sparsity, sparsity_gap_certificate

from .groundtruth import GroundTruth

__all__ = ["ExactVerdicts", "exact_verdicts", "sample_points", "type_s_available", "type_s_at"]


def type_s_available() -> bool:
    """Whether the exact layer has its Type S check: always, ``theory`` (with
    :mod:`theory.linalg.rho`) is a required dependency.  Kept for the name
    :mod:`numeric.experiment` exports.

    Examples
    --------
    >>> type_s_available()
    True
    """
    return True


def sample_points(num_latents: int, count: int, seed: int, denominator: int = 1000) -> list[list[Fraction]]:
    """``count`` rational points of the latent distribution N(0, I): Gaussian draws snapped to
    fractions with denominators at most ``denominator``.

    Examples
    --------
    >>> sample_points(2, 1, seed=0, denominator=10)
    [[Fraction(14, 9), Fraction(-3, 10)]]
    """
    gen = torch.Generator().manual_seed(int(seed))
    draws = torch.randn(count, num_latents, generator=gen, dtype=torch.float64).tolist()
    return [[Fraction(v).limit_denominator(denominator) for v in row] for row in draws]


def type_s_at(gt: GroundTruth, point: Sequence[Fraction], budget: float = 60.0, seed: int = 0) -> tuple[str, dict]:
    """Type S (strict reading) of ``gt`` at a rational point, by the exact rho algorithm.

    The Jacobian is the exact one of the rational network (:meth:`GroundTruth.exact_jacobian`,
    the same matrix ``theory``'s S criterion evaluates through sympy, tested equal);
    first :func:`theory.linalg.rho.sparsity_gap_certificate` tries to prove S from the rows private
    to each slot (cheap; it decides the small overlaps); otherwise :func:`theory.linalg.rho.sparsity`
    (engine ``auto``) computes rho+ and rho- with witness bases it re-checks, or proven bounds
    when the budget runs out, and the verdict is decided from them when they separate
    (``proved`` / ``refuted``), else ``unknown``.

    Returns
    -------
    tuple
        ``(verdict, details)``: details hold ``rho_plus``, ``rho_minus``, the bounds and the
        engine, or the reason for ``unknown``.

    Examples
    --------
    >>> from numeric.experiment.groundtruth import sample_ground_truth
    >>> gt = sample_ground_truth(2, 1, 3, 0.0, seed=0, cond_pool=20)
    >>> type_s_at(gt, [Fraction(1, 2), Fraction(1, 3)])[0]      # disjoint slots: D, hence S
    'proved'
    """
    started = time.perf_counter()

    J = gt.exact_jacobian(point)
    if J is None:
        return "unknown", {"reason": "a LeakyReLU pre-activation is exactly 0 at the point: no Jacobian"}
    sd = gt.slot_dim
    blocks = [list(range(k * sd, (k + 1) * sd)) for k in range(gt.num_slots)]
    coordinates = [[Fraction(int(i == j)) for i in range(len(J[0]))] for j in range(len(J[0]))]
    try:  # a third of the budget at most, so the engines keep the rest
        certificate = sparsity_gap_certificate(J, blocks, coordinates, check=Budget(min(5.0, budget / 3)).check)
    except BudgetExhausted:
        certificate = None
    if certificate is not None:  # proven rho- >= rho+ + gap >= rho+ + 1 from the private rows, in milliseconds
        return "proved", {
            "decided_by": "private-rows certificate",
            "gap_lower": certificate["gap_lower_bound"],
            "mixing_weight_lower_bound": certificate["mixing_weight_lower_bound"],
            "aligned_max_weight": certificate["aligned_max_weight"],
        }
    result = sparsity(J, blocks, engine="auto", budget=max(0.1, budget - (time.perf_counter() - started)), seed=seed)
    holds = result.type_s("strict")
    detail: dict = {"rho_plus": result.rho_plus, "rho_minus": result.rho_minus, "engine": result.engine, "status": result.status}
    if result.bounds:
        detail["bounds"] = result.bounds
    if getattr(result, "gap_lower", None) is not None:
        detail["gap_lower"] = result.gap_lower
    verdict = "unknown" if holds is None else ("proved" if holds else "refuted")
    if verdict == "refuted" and result.misaligned_basis is None:  # pragma: no cover - bounds always carry a basis
        verdict = "unknown"
    return verdict, detail


@dataclass
class ExactVerdicts:
    """The exact layer's answers on one ground truth.

    Attributes
    ----------
    generator
        The generator's name.
    d_global, d_global_method
        Global Type D verdict (``proved`` / ``refuted`` / ``unknown``) and how it was decided.
    d_points
        Type D at each sample point.
    s_points
        Type S at each sample point, or ``None`` when it was not run (see ``s_note``).
    s_details
        ``rho_plus`` / ``rho_minus`` per point when Type S ran.
    s_note
        Why S is missing, or empty.
    min_singular, max_singular
        Extremes of the ground truth's float64 Jacobian singular values over the points.
    points
        The rational sample points (as ``"p/q"`` strings).
    seconds
        Wall time of the checks.
    """

    generator: str
    d_global: str
    d_global_method: str
    d_points: list[str]
    s_points: list[str] | None = None
    s_details: list[dict] = field(default_factory=list)
    s_note: str = ""
    min_singular: float = float("nan")
    max_singular: float = float("nan")
    points: list[list[str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, object]:
        """Flat values for a CSV row.

        Examples
        --------
        >>> ExactVerdicts("g", "proved", "structural", ["proved"]).summary()["exact_D_points"]
        'proved'
        """
        return {
            "exact_D_global": self.d_global,
            "exact_D_method": self.d_global_method,
            "exact_D_points": ";".join(self.d_points),
            "exact_S_points": ";".join(self.s_points) if self.s_points is not None else (self.s_note or "not run"),
            "gt_min_singular": self.min_singular,
            "gt_max_singular": self.max_singular,
        }


def exact_verdicts(
    gt: GroundTruth,
    points: Sequence[Sequence[Fraction]],
    criteria: Sequence[str] = ("D",),
    budget: float = 60.0,
    seed: int = 0,
    name: str | None = None,
) -> ExactVerdicts:
    """Check ``gt`` exactly (Type D, and Type S when asked) at ``points``.

    Parameters
    ----------
    gt
        The ground truth.
    points
        Rational latent points (see :func:`sample_points`).
    criteria
        ``"D"`` and/or ``"S"``.
    budget
        Seconds per check (``theory.checker``'s budget; an exhausted budget is an honest ``unknown``).
    seed
        Seed of the exact layer's own random choices (probe points).
    name
        Name of the exact generator.

    Returns
    -------
    ExactVerdicts
    """
    start = time.perf_counter()
    g = gt.exact_generator(points, name=name)
    d_global, d_method, d_points = "not run", "", []
    if "D" in criteria:
        results = check(g, ["D"], seed=seed, budget=budget)
        glob = [r for r in results if r.scope == "global"][0]
        d_global, d_method = glob.verdict, glob.method
        d_points = [r.verdict for r in results if r.scope == "point"]
    s_points: list[str] | None = None
    s_details: list[dict] = []
    if "S" in criteria:
        s_points = []
        for point in points:
            verdict, detail = type_s_at(gt, point, budget, seed)
            s_points.append(verdict)
            s_details.append(detail)
    jac_points = torch.tensor([[float(v) for v in p] for p in points], dtype=torch.float64)
    if len(jac_points):
        svals = torch.linalg.svdvals(torch.vmap(jacfwd(gt))(jac_points))
        lo, hi = float(svals.min()), float(svals.max())
    else:
        lo = hi = float("nan")
    return ExactVerdicts(
        generator=g.name,
        d_global=d_global,
        d_global_method=d_method,
        d_points=d_points,
        s_points=s_points,
        s_details=s_details,
        min_singular=lo,
        max_singular=hi,
        points=[[f"{v.numerator}/{v.denominator}" for v in p] for p in points],
        seconds=time.perf_counter() - start,
    )

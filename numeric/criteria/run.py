"""Running numeric criteria on a :class:`~numeric.generator.NeuralGenerator`: parse, assess, aggregate.

The criteria come from the registry (:mod:`theory.registry`): each record names its
numeric counterpart, ``numeric.criteria.<module>:assess``, called as
``assess(g, z, J, which, options)`` on one shared Jacobian.  A record without one is
refused by :func:`parse_numeric_criteria`.  Pointwise verdicts aggregate the same way for
every criterion (:func:`check_numeric`).

Examples
--------
>>> from numeric.generator import NeuralGenerator
>>> g = NeuralGenerator(lambda z: torch.exp(z), [[0], [1]], 2, dtype=torch.float64)
>>> [(r.criterion, r.verdict) for r in check_numeric(g, "D,H2", n_points=8)]
[('D', 'holds-numerically'), ('H2', 'holds-numerically')]
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import torch

from numeric.criteria.assessment import Assessment, NumericResult, float_point_json
from numeric.criteria.options import NumericOptions
from numeric.derivatives import jacobian
from numeric.generator import NeuralGenerator, dtype_name
from theory.errors import InputError
from theory.registry import CRITERIA, Which, parse_criteria, resolve

__all__ = [
    "DEFAULT_NUMERIC_CRITERIA",
    "NUMERIC_KNOWN_TEXT",
    "parse_numeric_criteria",
    "numeric_criteria",
    "assess",
    "check_numeric",
    "numeric_D",
    "numeric_M",
    "numeric_Hn",
    "numeric_irreducible_D",
    "numeric_S",
]

#: The criteria run when none are named (S, whose exact rho algorithm runs at every point,
#: and irreducible:D are asked for explicitly).
DEFAULT_NUMERIC_CRITERIA = ("D", "M", "H2", "H3")

#: The points per call of :func:`numeric_Hn` without options (its nested derivatives are
#: memory-hungry; the other checks use :data:`numeric.derivatives.DEFAULT_CHUNK`).
HN_CHUNK = 1024


def _known_text() -> str:
    parts = []
    for c in CRITERIA:
        if c.numeric is None:
            continue
        if c.is_family:
            stem = c.id[:-1]
            parts.append(f"{stem}{c.order}, {stem}{c.order + 1}, ... {c.id}")
        else:
            parts.append(c.id)
    return ", ".join(parts)


#: The criteria with a numeric counterpart, in words: ``D, M, S, H2, H3, ... Hn, irreducible:D``.
NUMERIC_KNOWN_TEXT = _known_text()


def numeric_criteria(spec: str | Iterable[str | Which] | None) -> tuple[Which, ...]:
    """The registry records of ``"D,M,S,H2,irreducible:D"`` (or a list of ids or
    :class:`~theory.registry.Which`), without repeats; ``None`` gives
    :data:`DEFAULT_NUMERIC_CRITERIA`.

    Raises
    ------
    theory.errors.InputError
        For an unknown criterion, H_n with n < 2, an empty list, or a criterion the numeric
        layer has no counterpart of (its registry record has ``numeric=None``).

    Examples
    --------
    >>> [(w.id, w.n) for w in numeric_criteria("d, h3")]
    [('D', None), ('H3', 3)]
    >>> numeric_criteria("graph")
    Traceback (most recent call last):
    ...
    theory.errors.InputError: the numeric layer has no counterpart of graph (it decides D, M, S, H2, H3, ... Hn, irreducible:D)
    """
    if spec is None:
        spec = DEFAULT_NUMERIC_CRITERIA
    items = spec.split(",") if isinstance(spec, str) else [w.id if isinstance(w, Which) else w for w in spec]
    whiches = parse_criteria(items)
    missing = [w.id for w in whiches if w.criterion.numeric is None]
    if missing:
        raise InputError(f"the numeric layer has no counterpart of {', '.join(missing)} (it decides {NUMERIC_KNOWN_TEXT})")
    return whiches


def parse_numeric_criteria(spec: str | Iterable[str | Which] | None) -> tuple[str, ...]:
    """Criterion ids from ``"D,M,S,H2,irreducible:D"`` (default ``D, M, H2, H3``; S, whose
    exact rho algorithm runs at every point, is asked for explicitly).

    Raises
    ------
    theory.errors.InputError
        As :func:`numeric_criteria` (a :class:`ValueError`).

    Examples
    --------
    >>> parse_numeric_criteria("d, h3, s, irreducible:D")
    ('D', 'H3', 'S', 'irreducible:D')
    >>> parse_numeric_criteria(None)
    ('D', 'M', 'H2', 'H3')
    """
    return tuple(w.id for w in numeric_criteria(spec))


def _options(options: NumericOptions | None, **defaults: Any) -> NumericOptions:
    if options is None:
        return NumericOptions(**defaults)
    if not isinstance(options, NumericOptions):
        raise TypeError(f"options must be a numeric.criteria.NumericOptions (c, seed, ... are its fields), got {type(options).__name__}")
    return options


def _assess_one(g: NeuralGenerator, z: torch.Tensor, J: torch.Tensor, which: Which, options: NumericOptions) -> Assessment:
    """The registry's numeric counterpart of ``which`` on the points ``z`` (Jacobians ``J``)."""
    numeric = which.criterion.numeric
    if numeric is None:  # numeric_criteria refuses these; a hand-made Which may not
        raise InputError(f"the numeric layer has no counterpart of {which.id} (it decides {NUMERIC_KNOWN_TEXT})")
    return resolve(numeric)(g, z, J, which, options)


def assess(
    g: NeuralGenerator,
    criteria: str | Iterable[str | Which] | None,
    z: torch.Tensor,
    options: NumericOptions | None = None,
    J: torch.Tensor | None = None,
) -> dict[str, Assessment]:
    """Per-point assessments of several criteria on the points ``z``, sharing one Jacobian.

    Parameters
    ----------
    g
        The generator.
    criteria
        As :func:`parse_numeric_criteria` (ids, or :class:`~theory.registry.Which` records).
    z
        Points ``[N, d]``, in ``g``'s dtype and device.
    options
        :class:`NumericOptions` (default ``NumericOptions()``).
    J
        The Jacobian at ``z`` if already computed.

    Returns
    -------
    dict[str, Assessment]
        By criterion id, in the order asked.

    Examples
    --------
    >>> from numeric.generator import NeuralGenerator
    >>> g = NeuralGenerator(lambda z: z * z, [[0], [1]], 2, dtype=torch.float64)
    >>> out = assess(g, "D,H2", torch.tensor([[0.0, 1.0], [1.0, 1.0]], dtype=torch.float64))
    >>> out["D"].holds.tolist(), out["H2"].holds.tolist()
    ([True, True], [True, True])
    """
    options = _options(options)
    whiches = numeric_criteria(criteria)
    with torch.no_grad():  # torch.func still differentiates in z; no graph through the weights
        if J is None:
            J = jacobian(g, z, options.chunk_size)
        return {w.id: _assess_one(g, z, J, w, options) for w in whiches}


def _without_non_finite_outputs(g: NeuralGenerator, z: torch.Tensor, J: torch.Tensor) -> torch.Tensor:
    """``J`` with the rows of every point where an output is NaN or infinite set to NaN: the
    Jacobian there is not g's (float16's overflow before a ReLU gives an infinite output and a
    finite slope), so such points decide nothing (:meth:`Assessment.finite_points`).

    >>> from numeric.generator import NeuralGenerator
    >>> g = NeuralGenerator(lambda z: torch.stack([z[..., 0], 1 / z[..., 1]], -1), [[0], [1]], 2, dtype=torch.float64)
    >>> z = torch.tensor([[1.0, 0.0], [1.0, 2.0]], dtype=torch.float64)
    >>> _without_non_finite_outputs(g, z, torch.ones(2, 2, 2, dtype=torch.float64)).isnan().all(dim=(1, 2)).tolist()
    [True, False]
    """
    bad = ~torch.isfinite(g(z)).reshape(z.shape[0], -1).all(dim=1)
    if not bad.any():
        return J
    J = J.clone()
    J[bad] = float("nan")
    return J


def check_numeric(
    g: NeuralGenerator,
    criteria: str | Iterable[str | Which] | None = None,
    z: torch.Tensor | None = None,
    n_points: int = 256,
    options: NumericOptions | None = None,
) -> list[NumericResult]:
    """Run numeric criteria on a :class:`NeuralGenerator`; one result per criterion.

    Parameters
    ----------
    g
        The generator.
    criteria
        ``"D,M,S,H2,H3,irreducible:D"`` or a list (default ``D, M, H2, H3``).
    z
        Points ``[N, d]``; default ``n_points`` samples of ``g.box`` from ``options.seed``.
    n_points
        The sample when ``z`` is not given.
    options
        :class:`NumericOptions` (default ``NumericOptions()``): the tolerance factor ``c``
        (:data:`~numeric.criteria.DEFAULT_C`), ``chunk_size`` (points per ``vmap`` call),
        ``seed`` (the sample, the probe directions, the S witness bases), ``hn_method``
        and ``probes`` (:func:`numeric_Hn`), ``irreducible_method`` and ``max_denominator``
        (:func:`~numeric.criteria.assess_irreducible_D`; 1000 there,
        :func:`~numeric.criteria.s_max_denominator` for S), ``s_budget`` and ``s_engine``
        (:func:`~numeric.criteria.assess_S`), and the readings ``readings.hn`` and ``readings.s``.

    Returns
    -------
    list[NumericResult]
        Fails when the criterion fails at a point, holds when it holds at every point;
        points left undecided (Type S past its budget) count neither way, and with none
        decided the result is ``unknown`` / ``budget-exhausted``.

    Examples
    --------
    >>> from numeric.generator import NeuralGenerator
    >>> g = NeuralGenerator(lambda z: torch.exp(z), [[0], [1]], 2, dtype=torch.float32)
    >>> r = check_numeric(g, "D", n_points=32)[0]
    >>> r.verdict, r.dtype, r.points_sampled, r.tolerance["c"]
    ('holds-numerically', 'float32', 32, 10.0)
    >>> check_numeric(g, "D", n_points=32, options=NumericOptions(c=0.0))[0].tolerance["c"]
    0.0
    """
    options = _options(options)
    whiches = numeric_criteria(criteria)
    z = _points(g, z, n_points, options.seed)
    start = time.perf_counter()
    with torch.no_grad():
        J = jacobian(g, z, options.chunk_size)
        J = _without_non_finite_outputs(g, z, J)
    base = time.perf_counter() - start
    results = []
    for which in whiches:
        t0 = time.perf_counter()
        with torch.no_grad():
            a = _assess_one(g, z, J, which, options)
        results.append(_result(g, a, z, base + time.perf_counter() - t0))
    return results


def numeric_D(g: NeuralGenerator, z: torch.Tensor | None = None, n_points: int = 256, options: NumericOptions | None = None) -> NumericResult:
    """Numeric Type D on ``z`` (or ``n_points`` samples of ``g.box`` from ``options.seed``).

    Examples
    --------
    >>> from numeric.generator import NeuralGenerator
    >>> g = NeuralGenerator(lambda z: torch.sin(z), [[0], [1]], 2, dtype=torch.float64)
    >>> numeric_D(g, n_points=16).verdict
    'holds-numerically'
    """
    return check_numeric(g, ["D"], z, n_points, options)[0]


def numeric_M(g: NeuralGenerator, z: torch.Tensor | None = None, n_points: int = 256, options: NumericOptions | None = None) -> NumericResult:
    """Numeric Type M (coordinate basis) on ``z`` (or ``n_points`` seeded samples).

    Examples
    --------
    >>> from numeric.generator import NeuralGenerator
    >>> g = NeuralGenerator(lambda z: torch.stack([z[..., 0] + z[..., 1], z[..., 0]], -1), [[0], [1]], 2, dtype=torch.float64)
    >>> numeric_M(g, n_points=8).witness["contained"]
    'supp dz2 is contained in supp dz1'
    """
    return check_numeric(g, ["M"], z, n_points, options)[0]


def numeric_Hn(
    g: NeuralGenerator, n: int, z: torch.Tensor | None = None, n_points: int = 256, options: NumericOptions | None = None
) -> NumericResult:
    """Numeric Type H_n on ``z`` (or ``n_points`` seeded samples).

    Parameters
    ----------
    options
        Default ``NumericOptions(chunk_size=1024)``.  ``options.hn_method`` is ``entries``
        (every cross partial by nested ``jacfwd`` over the needed blocks), ``probe`` (the
        randomized nested-``jvp`` probe, ``options.probes`` draws per block pair,
        directions from ``options.seed``), or ``auto`` (entries for n = 2 or when the count
        of directional passes ``sum_{i<j} d_i d_j d^(n-2)`` is at most 512, else probe);
        ``options.readings.hn`` is the reading.

    Examples
    --------
    >>> from numeric.generator import NeuralGenerator
    >>> f = lambda z: torch.stack([z[..., 0], z[..., 1], z[..., 0] ** 2 * z[..., 1]], -1)
    >>> g = NeuralGenerator(f, [[0], [1]], 2, dtype=torch.float64)
    >>> numeric_Hn(g, 3, n_points=8).verdict, numeric_Hn(g, 4, n_points=8, options=NumericOptions(hn_method="probe")).verdict
    ('fails-numerically', 'holds-numerically')
    """
    return check_numeric(g, [f"H{n}"], z, n_points, _options(options, chunk_size=HN_CHUNK))[0]


def numeric_irreducible_D(
    g: NeuralGenerator, z: torch.Tensor | None = None, n_points: int = 64, options: NumericOptions | None = None
) -> NumericResult:
    """Numeric D-irreducibility of every factor on ``z`` (or ``n_points`` seeded samples).

    ``options.irreducible_method`` and ``options.max_denominator`` (default 1000) as in
    :func:`~numeric.criteria.assess_irreducible_D`.

    Examples
    --------
    >>> from numeric.generator import NeuralGenerator
    >>> f = lambda z: torch.stack([z[..., 0] + z[..., 1], z[..., 0] - z[..., 1], z[..., 2]], -1)
    >>> numeric_irreducible_D(NeuralGenerator(f, [[0, 1], [2]], 3, dtype=torch.float64), n_points=4).verdict
    'fails-numerically'
    """
    return check_numeric(g, ["irreducible:D"], z, n_points, options)[0]


def numeric_S(g: NeuralGenerator, z: torch.Tensor | None = None, n_points: int = 16, options: NumericOptions | None = None) -> NumericResult:
    """Numeric Type S (the sparsity gap) on ``z`` (or ``n_points`` seeded samples).

    S is pointwise: ``details["points"]`` has rho+, rho-, rho*, the snap and the verdict
    at each point; the result holds when S holds at every decided point and fails when it
    fails at one (:func:`~numeric.criteria.assess_S`; points past ``options.s_budget``
    seconds count neither way).  ``options.readings.s`` is ``strict`` or ``non-strict``.

    Examples
    --------
    >>> from numeric.generator import NeuralGenerator
    >>> f = lambda z: torch.stack([z[..., 0], z[..., 1], z[..., 0] ** 3 + z[..., 1] ** 3], -1)
    >>> g = NeuralGenerator(f, [[0], [1]], 2, dtype=torch.float64)
    >>> r = numeric_S(g, torch.tensor([[0.5, 0.5], [0.0, 0.5]], dtype=torch.float64))
    >>> r.verdict, [(p["rho_plus"], p["rho_minus"], p["verdict"]) for p in r.details["points"]]
    ('fails-numerically', [(4, 4, 'fails-numerically'), (3, 4, 'holds-numerically')])
    >>> from theory.readings import Readings
    >>> loose = NumericOptions(readings=Readings(s="non-strict"))
    >>> numeric_S(g, torch.tensor([[0.5, 0.5]], dtype=torch.float64), options=loose).verdict
    'holds-numerically'
    """
    return check_numeric(g, ["S"], z, n_points, options)[0]


def _points(g: NeuralGenerator, z: torch.Tensor | None, n_points: int, seed: int) -> torch.Tensor:
    if z is None:
        return g.sample(n_points, seed=seed)
    z = torch.as_tensor(z)
    if z.ndim == 1:
        z = z.unsqueeze(0)
    if z.ndim != 2 or z.shape[1] != g.d:
        raise ValueError(f"points must be [N, {g.d}], got {tuple(z.shape)}")
    return z.to(dtype=g.dtype, device=g.device)


def _witness_strength(w: dict[str, Any]) -> float:
    """How decisive a failure is: how far its value is above its tau (for S: the gap rho+ -
    weight of the misaligned witness)."""
    if "tolerance" not in w:
        return 0.0
    if "gap" in w:
        return float(w["gap"]) if w["gap"] is not None else 0.0
    vals = w.get("values") or [w.get("value", 0.0)]
    return min(abs(v) for v in vals) / w["tolerance"] if w.get("tolerance") else float("inf")


def _result(g: NeuralGenerator, a: Assessment, z: torch.Tensor, seconds: float = 0.0) -> NumericResult:
    # pointwise verdicts aggregate the same way for every criterion: fails when it fails at a
    # point, holds when it holds at every point; points left undecided (Type S past its budget,
    # or non-finite values) count neither way, and with none decided the result is unknown
    non_finite = int((~a.finite_points()).sum())
    decided = a.decided_points()
    failing = torch.nonzero(~a.holds & decided).flatten().tolist()
    verdict = "holds-numerically" if not failing else "fails-numerically"
    method = a.method
    if not bool(decided.any()) and z.shape[0] > 0 and (a.decided is not None or non_finite):
        verdict, method = "unknown", ("non-finite" if non_finite else "budget-exhausted")
    witness = max((a.witnesses[i] for i in failing), key=_witness_strength) if failing else None
    details = dict(a.details)
    details["points_failing"] = len(failing)
    if non_finite:
        details["points_non_finite"] = non_finite  # counted neither way
    if z.shape[0] == 1:
        details["at"] = float_point_json(z, 0, list(g.latent_names))
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
        tolerance=a.tolerance_json(),
        margin=a.margin(),
    )

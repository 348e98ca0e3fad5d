"""Float entries made exact: snapping to small-denominator rationals (irreducible:D and Type S).

:func:`snap_rational` snaps every entry of an array (continued fractions);
:func:`snap_jacobian` makes one point's Jacobian exact for the rho algorithm of Type S:
the entries themselves, else each row divided by its largest entry (which changes no
``||J M||_0``), else a labelled approximation that keeps the support; the largest
denominator defaults to :func:`s_max_denominator`.  Snapped values are float evidence made
exact: what is computed from them exactly is still a numeric figure, never a proof.

Examples
--------
>>> [str(x) for x in snap_rational([0.25, -1 / 3]).values]
['1/4', '-1/3']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import torch

from numeric.criteria.options import DEFAULT_C

__all__ = ["Snapped", "informative_denominator", "snap_rational", "SnappedJacobian", "snap_jacobian", "s_max_denominator", "S_SNAPS"]

#: How a point's Jacobian was made exact for numeric Type S (:func:`snap_jacobian`).
S_SNAPS = ("rational", "row-scaled", "approximate")


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


def informative_denominator(tol: float) -> int:
    """The largest denominator ``Q`` for which a snap within ``tol`` says something: two
    rationals with denominators ``<= Q`` lie at least ``1 / Q**2`` apart, so with
    ``tol <= 1 / (2 Q**2)`` at most one of them is within ``tol`` of a value.  Past it almost
    every value is within ``tol`` of some such rational, and the snap picks one that breaks
    the linear relations the floats carry (``25.156456`` in float32 snapped to ``22993/914``
    instead of ``3698/147``).

    >>> informative_denominator(1e-12), informative_denominator(6.4e-5), informative_denominator(0.0) > 10**9
    (707106, 88, True)
    """
    return int(1 / (2 * tol) ** 0.5) if tol > 0 else 10**18


def snap_rational(J: torch.Tensor | np.ndarray | Sequence, max_denominator: int = 1000, tol: float | None = None, relative: float | None = None) -> Snapped:
    """Snap every entry to the nearest rational with denominator <= ``max_denominator``
    (continued fractions, :meth:`fractions.Fraction.limit_denominator`).  With ``relative``
    (the relative precision of the entries, ``tau / max|J|`` = c eps), each entry ``x`` uses
    denominators up to :func:`informative_denominator` of ``relative * |x|`` (at least 1) only,
    and its snap must lie within ``relative * |x|`` of it: past that the float cannot tell the
    rationals apart, and the nearest one within ``tol`` is arbitrary (a small entry next to a
    large one has ``tol`` far above its own precision).

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
        cap = max_denominator if relative is None else max(1, min(max_denominator, informative_denominator(relative * abs(float(x)))))
        q = Fraction(float(x)).limit_denominator(cap)
        err = abs(float(x) - float(q))
        if relative is not None and err > relative * abs(float(x)):  # further than the entry's own precision
            err = max(err, 2 * tol)  # not an acceptable snap, whatever tol allows
        worst = max(worst, err)
        out[idx] = q
    return Snapped(out, worst, bool(worst <= tol), float(tol))


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
        The point's tolerance (:func:`numeric.criteria.tolerance`).
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
    top = float(np.abs(arr).max()) if arr.size else 0.0
    relative = tau / top if top > 0 else None  # c eps: the entries' relative precision
    raw = snap_rational(arr, max_denominator, tol=tau, relative=relative)
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
        snapped = snap_rational(scaled, max_denominator, tol=2 * tau / abs(arr[t, a]), relative=None if relative is None else 2 * relative)
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

"""The independent guard: every exact derivative a verdict uses, re-estimated from g's values.

The exact layer computes derivatives symbolically (piecewise normal form, piece
selection, symengine or sympy differentiation, the local pieces at a point).  A bug on
that route would be silently believed by everything built on it.  The guard is a second
route that shares none of it: it evaluates the generator's outputs **as the user wrote
them**, as black boxes (compiled to mpmath at high precision, or sympy's ``evalf`` of the
exact value at a rational point where mpmath lacks a function), and estimates
``d^alpha g_t(p)`` by central finite differences at three step sizes with Richardson
extrapolation.  No derivative rule and no Piecewise piece-by-piece rule is involved: the
only semantics used is the value of g.

:func:`guard_value` compares an exact value with the estimate.  The estimate must
*converge* (the differences between step sizes shrink like ``h^2``) and agree with the
exact value within ten times its error estimate plus the rounding floor; otherwise
:class:`SelfCheckFailed` is raised, and the check that asked answers ``unknown`` with
method ``self-check-failed``, naming the entry.

Examples
--------
>>> import sympy as sp
>>> from theory import Generator
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> g = Generator("g", [[s1], [s2]], [s1, s2, sp.sin(s1) * s2])
>>> box = BlackBox(g)
>>> p = {s1: sp.Rational(1, 3), s2: sp.Rational(1, 5)}
>>> est = finite_difference(box, 2, (0, 1), p)
>>> abs(float(est.estimate) - float(sp.cos(sp.Rational(1, 3)))) < 1e-15
True
>>> guard_value(box, 2, (0, 1), p, sp.cos(sp.Rational(1, 3)))
>>> guard_value(box, 2, (0, 1), p, sp.S.Zero)
Traceback (most recent call last):
...
theory.model.guard.SelfCheckFailed: d^(s1, s2) g_2 at (s1=1/3, s2=1/5): exact 0, finite differences 0.944956946315
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath
import sympy as sp

from theory.exact.rationals import rational_str
from theory.model.protocols import GeneratorLike

__all__ = ["BlackBox", "FiniteDifference", "SelfCheckFailed", "finite_difference", "guard_value", "agrees"]

Point = dict[sp.Symbol, sp.Rational]


class SelfCheckFailed(Exception):
    """An exact value disagrees with the independent finite-difference estimate.

    Attributes
    ----------
    details
        JSON-ready description: the entry, the point, the exact value, the estimate and
        its error bound.
    """

    def __init__(self, message: str, details: dict):
        super().__init__(message)
        self.details = details


@dataclass(frozen=True)
class FiniteDifference:
    """A finite-difference estimate of one derivative.

    Attributes
    ----------
    estimate
        The Richardson-extrapolated estimate.
    error
        Its error estimate (the change between the two finest step sizes).
    floor
        The rounding floor of the finest step at the working precision.
    converged
        Whether the differences shrink like ``h^2`` (g is smooth enough at the point).
    shrinking
        Whether they shrink like ``h^2`` at least, though not yet to a small error (a steep
        function, ``10^120 s^3`` at 0: the truncation error ``10^120 h^2`` needs a finer step).
    """

    estimate: mpmath.mpf
    error: mpmath.mpf
    floor: mpmath.mpf
    converged: bool
    shrinking: bool = False


class BlackBox:
    """The generator's outputs as black-box functions of a point, at high precision.

    Parameters
    ----------
    generator
        The generator; its outputs are used exactly as written (no normal form, no piece
        selection).
    """

    def __init__(self, generator: GeneratorLike):
        self.latents = generator.latents
        self.outputs = generator.outputs
        self._compiled: dict[int, Callable | None] = {}

    def _function(self, t: int) -> Callable | None:
        if t not in self._compiled:
            try:
                # fresh argument names: lambdify puts its arguments' names in the function's
                # namespace, so a latent named pi or E would shadow the constant
                args = [sp.Dummy(f"latent{i}") for i in range(len(self.latents))]
                fn = sp.lambdify(args, self.outputs[t].xreplace(dict(zip(self.latents, args))), modules="mpmath")
            except Exception:  # noqa: BLE001 - any printer failure: use evalf instead
                fn = None
            self._compiled[t] = fn
        return self._compiled[t]

    def __call__(
        self,
        t: int,
        coords: Sequence[sp.Rational],
        offsets: Sequence[int],
        h: mpmath.mpf,
        dps: int,
        base: Sequence[mpmath.mpf] | None = None,
    ) -> mpmath.mpf | None:
        """``g_t(p + h * offsets / 2)`` at ``dps`` digits; ``None`` where it is not a finite real.
        ``base``: the coordinates of ``p`` already converted at ``dps`` digits."""
        fn = self._function(t)
        with mpmath.workdps(dps):
            if fn is not None:
                try:
                    if base is None:
                        base = [mpmath.mpf(int(c.p)) / int(c.q) for c in coords]
                    args = [b + h * o / 2 if o else b for b, o in zip(base, offsets)]
                    value = fn(*args)
                    return _finite_real(value)
                except Exception:  # noqa: BLE001 - a function mpmath lacks or cannot evaluate
                    self._compiled[t] = None
            exact_h = sp.Rational(str(mpmath.nstr(h, 30, min_fixed=-math.inf, max_fixed=math.inf)))
            shifted = {s: c + exact_h * sp.Rational(o, 2) for s, c, o in zip(self.latents, coords, offsets)}
            try:
                value = self.outputs[t].xreplace(shifted).evalf(dps)
            except Exception:  # noqa: BLE001 - evalf failed: no value
                return None
            if not value.is_number or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not value.is_real:
                return None
            try:
                return mpmath.mpf(value._to_mpmath(mpmath.mp.prec))
            except (AttributeError, TypeError, ValueError):
                return None


def _finite_real(value: object) -> mpmath.mpf | None:
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            return None
        value = value.real
    try:
        value = mpmath.mpf(value)
    except (TypeError, ValueError):
        return None
    return value if mpmath.isfinite(value) else None


def _stencil(counts: Sequence[int]) -> list[tuple[tuple[int, ...], int]]:
    """Offsets (in half steps) and integer weights of the central difference
    ``prod_a delta_a^{k_a}``: weight ``prod (-1)^j C(k, j)`` at offset ``k - 2j``."""
    axes = [[(k - 2 * j, (-1) ** j * math.comb(k, j)) for j in range(k + 1)] for k in counts]
    out = []
    for combo in itertools.product(*axes):
        out.append((tuple(o for o, _ in combo), math.prod(w for _, w in combo)))
    return out


def finite_difference(box: BlackBox, t: int, alpha: Sequence[int], point: Point, dps: int | None = None) -> FiniteDifference | None:
    """Estimate ``d^alpha g_t(point)`` from values of g alone (``None`` where g has no value).

    Central differences at steps ``h, h/2, h/4`` (``h = 1e-15`` times the coordinate scale, at
    ``45 + 16 n`` digits); the estimate is the Richardson extrapolation of the two finest,
    its error the change between them.  Where they do not converge (g varies on a finer
    scale, ``sin(N pi s)`` with a huge N) the step shrinks by 10^15 twice, with the
    precision raised to match, before the estimate is reported as not converged; while the
    differences keep shrinking like ``h^2`` without being small yet (a steep g such as
    ``10^120 s^3`` at 0, whose truncation error is ``10^120 h^2``), it goes on shrinking, up to
    :data:`MAX_REFINEMENTS` steps in all.

    The estimate depends on nothing but its arguments, so ``box`` keeps each one it computed
    (the checks of a generator ask for the same entry at the same point several times: the
    Jacobian's guard, a zero claim's spot check, a witness's re-verification).
    """
    memo = box.__dict__.setdefault("_estimates", {})
    key = (t, tuple(alpha), tuple(point[s] for s in box.latents), dps)
    if key in memo:
        return memo[key]
    fd = None
    for k in range(MAX_REFINEMENTS):
        fd = _finite_difference(box, t, alpha, point, 15 * (k + 1), (dps or 45 + 16 * len(alpha)) + 15 * k * len(alpha))
        if fd is None or fd.converged or (k >= 2 and not fd.shrinking):
            break
    memo[key] = fd
    return fd


#: How many times the step shrinks by 10^15 (the precision raised to match): three for any g,
#: more while the differences keep shrinking like h^2 without yet being small (a steep g).
MAX_REFINEMENTS = 9


def _finite_difference(box: BlackBox, t: int, alpha: Sequence[int], point: Point, exponent: int, dps: int) -> FiniteDifference | None:
    latents = box.latents
    n = len(alpha)
    times = Counter(alpha)
    counts = [times[a] for a in range(len(latents))]
    coords = [sp.Rational(point[s]) for s in latents]
    scale = max([1.0] + [abs(float(coords[a])) for a in set(alpha)])
    stencil = _stencil(counts)
    with mpmath.workdps(dps):
        base = [mpmath.mpf(int(c.p)) / int(c.q) for c in coords]
        h0 = mpmath.mpf(10) ** -exponent * mpmath.mpf(scale)
        estimates = []
        fmax = mpmath.mpf(0)
        for h in (h0, h0 / 2, h0 / 4):
            total = mpmath.mpf(0)
            for offsets, weight in stencil:
                full = [0] * len(latents)
                for a, o in zip((a for a in range(len(latents)) if counts[a]), (o for o, k in zip(offsets, counts) if k)):
                    full[a] = o
                value = box(t, coords, full, h, dps, base)
                if value is None:
                    return None
                fmax = max(fmax, abs(value))
                total += weight * value
            estimates.append(total / h**n)
        d1, d2, d3 = estimates
        e1, e2 = abs(d1 - d2), abs(d2 - d3)
        floor = mpmath.mpf(10) ** (10 - dps) * (1 + fmax) * (2 ** n) * len(stencil) / (h0 / 4) ** n
        # converged: the error shrinks like h^2 (or sits at the rounding floor) and is small
        shrinking = e2 <= 0.6 * e1 + 10 * floor
        converged = shrinking and e2 <= mpmath.mpf(10) ** -8 * (1 + abs(d3)) + 10 * floor
        return FiniteDifference(d3 + (d3 - d2) / 3, e2, floor, converged, shrinking)


def agrees(exact: sp.Expr, fd: FiniteDifference) -> bool:
    """Whether the exact constant lies within the estimate's error bound (and it converged)."""
    if not fd.converged:
        return False
    with mpmath.workdps(mpmath.mp.dps + 30):
        try:
            if exact.is_Rational:
                value = mpmath.mpf(int(exact.p)) / int(exact.q)
            else:
                value = mpmath.mpf(sp.N(exact, 40)._to_mpmath(mpmath.mp.prec))
        except (AttributeError, TypeError, ValueError):
            return True  # not a real number we can compare: nothing to contradict
        bound = 10 * fd.error + 10 * fd.floor + mpmath.mpf(10) ** -25 * abs(value)
        return abs(value - fd.estimate) <= bound


#: The most digits :func:`guard_value` adds to resolve a derivative that g's magnitude buries.
MAX_EXTRA_DIGITS = 400


def _missing_digits(exact: sp.Expr, fd: FiniteDifference) -> int:
    """The digits the estimate lacks to say anything about ``exact``: 0 when its rounding
    floor is below ``1e-12 (1 + |exact|)``, else (at most :data:`MAX_EXTRA_DIGITS`) as many
    as bring it there.

    >>> fd = FiniteDifference(mpmath.mpf(0), mpmath.mpf(0), mpmath.mpf(10) ** 25, True)
    >>> _missing_digits(sp.S.One, fd), _missing_digits(sp.S.One, FiniteDifference(fd.estimate, fd.error, mpmath.mpf(10) ** -20, True))
    (42, 0)
    """
    try:
        magnitude = abs(float(sp.N(exact, 15))) if exact != 0 else 0.0
    except (TypeError, ValueError):
        return 0
    if not math.isfinite(magnitude):
        return 0
    target = mpmath.mpf(10) ** -12 * (1 + mpmath.mpf(magnitude))
    if fd.floor <= target:
        return 0
    return min(MAX_EXTRA_DIGITS, int(mpmath.ceil(mpmath.log10(fd.floor / target))) + 5)


def guard_value(box: BlackBox, t: int, alpha: Sequence[int], point: Point, exact: sp.Expr) -> None:
    """Raise :class:`SelfCheckFailed` unless ``exact`` agrees with the independent estimate.

    Where g has no finite real value near the point (the estimate is impossible) nothing
    is raised: there is no second opinion to contradict the first.
    """
    used = box.outputs[t].free_symbols
    if not all(box.latents[a] in used for a in alpha):
        # g_t does not mention a latent of alpha: its values do not change along it, so the
        # derivative is exactly 0 (no evaluation needed)
        fd = FiniteDifference(mpmath.mpf(0), mpmath.mpf(0), mpmath.mpf(0), True)
    else:
        fd = finite_difference(box, t, alpha, point)
        extra = _missing_digits(exact, fd) if fd is not None else 0
        if fd is not None and (extra or not agrees(exact, fd)):
            # before calling it a disagreement, rule out rounding the floor underestimates
            # (a huge argument inside g, sin(N pi s)): redo it 30 digits finer, and count
            # the change between the two as part of the error; and where the rounding floor
            # dwarfs the value (g itself huge: 10^60 s^2 + ...), agreement would be vacuous,
            # so the finer run gets the digits the floor lacks as well
            fine = finite_difference(box, t, alpha, point, dps=75 + 16 * len(alpha) + extra)
            if fine is None:
                return
            noise = abs(fine.estimate - fd.estimate) if fd.converged and not extra else mpmath.mpf(0)  # a vacuous estimate says nothing
            fd = FiniteDifference(fine.estimate, fine.error + 10 * noise, fine.floor, fine.converged)
    if fd is None or agrees(exact, fd):
        return
    names = ", ".join(str(box.latents[a]) for a in alpha)
    where = ", ".join(f"{s}={rational_str(point[s])}" for s in box.latents)
    estimate = mpmath.nstr(fd.estimate, 12)
    why = "agree" if fd.converged else "converge (g may not be differentiable there)"
    details = {
        "output": t,
        "multi_index": [str(box.latents[a]) for a in alpha],
        "point": {str(s): rational_str(point[s]) for s in box.latents},
        "exact": sp.sstr(exact),
        "finite_difference": estimate,
        "error_bound": mpmath.nstr(10 * fd.error + 10 * fd.floor, 3),
        "note": f"the exact value and the finite differences of g's values do not {why}",
    }
    raise SelfCheckFailed(f"d^({names}) g_{t} at ({where}): exact {sp.sstr(exact)}, finite differences {estimate}", details)

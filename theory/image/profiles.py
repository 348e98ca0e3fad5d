"""Radial profiles of sprites: a function ``phi(u)`` of the scaled squared distance ``u = r^2 / rho^2``.

* :class:`Bump`: ``(1 - u)^3`` for ``u < 1`` and 0 outside (``rho`` is the radius ``R``): compact
  support, C^2 (its first and second derivatives vanish on the circle ``u = 1``, the third jumps).
* :class:`Gaussian`: ``exp(-u / 2)`` (``rho`` is the standard deviation): full support, analytic.

Both take values in ``[0, 1]`` and equal 1 at the centre, so they double as the opacity
(alpha mask) of an occluding object (:mod:`theory.image.occlusion`).

Examples
--------
>>> import sympy as sp
>>> u = sp.Symbol("u", real=True)
>>> Bump(2).inside(u), Bump(2).compact, Gaussian(1).compact
((1 - u)**3, True, False)
>>> Bump(2).smoothness, Gaussian(1).smoothness
(2, None)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy as sp

from theory.errors import GeneratorError
from theory.exact.rationals import to_rational

__all__ = ["Profile", "Bump", "Gaussian"]


def _positive_rational(value: object, what: str) -> Fraction:
    try:
        r = to_rational(value, what)
    except ValueError as exc:
        raise GeneratorError(str(exc)) from None
    if not r > 0:
        raise GeneratorError(f"{what} must be positive, got {r}")
    return Fraction(int(r.p), int(r.q))


@dataclass(frozen=True)
class Profile:
    """A radial profile: ``phi(u)`` with ``u = r^2 / rho^2`` (subclasses fix ``phi``).

    Attributes
    ----------
    rho
        The length scale (radius of a bump, standard deviation of a Gaussian), in pixels.
    """

    rho: Fraction

    #: whether phi vanishes for u >= 1 (the support is the open disc of radius rho)
    compact = False
    #: the largest r with phi in C^r (``None``: analytic)
    smoothness: int | None = None
    #: whether phi is a polynomial in u on its pieces (exact values at rational points are rational)
    polynomial = False

    def inside(self, u: sp.Expr) -> sp.Expr:
        """``phi(u)`` on its support (for a compact profile: where ``u < 1``)."""
        raise NotImplementedError

    def expression(self, u: sp.Expr) -> sp.Expr:
        """``phi(u)`` as a user writes it (a ``Piecewise`` for a compact profile)."""
        return sp.Piecewise((self.inside(u), u < 1), (0, True)) if self.compact else self.inside(u)

    def mp_value(self, u: mpmath.mpf) -> mpmath.mpf:
        """``phi(u)`` in mpmath at the working precision (the guard's independent values)."""
        raise NotImplementedError


class Bump(Profile):
    """The compact C^2 bump ``(1 - r^2/R^2)^3`` inside radius ``R``, 0 outside.

    >>> Bump(3).rho
    Fraction(3, 1)
    """

    compact = True
    smoothness = 2
    polynomial = True

    def __init__(self, radius: object):
        object.__setattr__(self, "rho", _positive_rational(radius, "bump radius"))

    def inside(self, u: sp.Expr) -> sp.Expr:
        return (1 - u) ** 3

    def mp_value(self, u: mpmath.mpf) -> mpmath.mpf:
        return (1 - u) ** 3 if u < 1 else mpmath.mpf(0)

    def __repr__(self) -> str:
        return f"Bump({self.rho})"


class Gaussian(Profile):
    """The Gaussian blob ``exp(-r^2 / (2 sigma^2))`` (full support).

    >>> Gaussian(2).inside(sp.Symbol("u"))
    exp(-u/2)
    """

    compact = False
    smoothness = None
    polynomial = False

    def __init__(self, sigma: object):
        object.__setattr__(self, "rho", _positive_rational(sigma, "Gaussian sigma"))

    def inside(self, u: sp.Expr) -> sp.Expr:
        return sp.exp(-u / 2)

    def mp_value(self, u: mpmath.mpf) -> mpmath.mpf:
        return mpmath.exp(-u / 2)

    def __repr__(self) -> str:
        return f"Gaussian({self.rho})"

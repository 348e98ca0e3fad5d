"""One object of a scene: a radial profile placed at a latent position, with optional latent
brightness and scale and a constant intensity.

The sprite's value at the pixel centre ``(X, Y)`` is ``intensity * b * phi(u)`` with
``u = ((X - x)^2 + (Y - y)^2) / (rho * s)^2``, where ``(x, y)`` is the position, ``b`` the
brightness (1 when not a latent) and ``s`` the scale (1 when not a latent).  Its exact
derivatives are computed once per multi-index as formulas in the pixel coordinates and the
sprite's own latents, and evaluated per pixel and point in exact arithmetic.

Examples
--------
>>> import sympy as sp
>>> from theory.image.profiles import Bump
>>> x, y = sp.symbols("x y", real=True)
>>> sprite = Sprite(Bump(2), x, y)
>>> sprite.expression(1, 0)
Piecewise(((-y**2/4 - (1 - x)**2/4 + 1)**3, y**2/4 + (1 - x)**2/4 < 1), (0, True))
>>> sprite.exact(("value", (0,)), 1, 0, {x: sp.Rational(1, 2), y: sp.Integer(0)})
Fraction(675, 1024)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.printing.pycode import PythonCodePrinter, SymPyPrinter

from theory.errors import GeneratorError
from theory.exact.rationals import to_rational
from theory.image.profiles import Profile

__all__ = ["Sprite", "PIXEL_X", "PIXEL_Y"]

#: The pixel coordinates in the sprite's symbolic formulas (never latents).
PIXEL_X = sp.Symbol("_pixel_X", real=True)
PIXEL_Y = sp.Symbol("_pixel_Y", real=True)


class Sprite:
    """An object of an image generator.

    Parameters
    ----------
    profile
        Its radial profile (:class:`~theory.image.profiles.Bump`, :class:`~theory.image.profiles.Gaussian`).
    x, y
        The latents of its position (column and row coordinates, in pixels); either may be a
        rational constant instead (an object fixed in that coordinate: a lamp whose only
        latent is its brightness, a slider moving along one row).
    brightness
        Optional latent multiplying its values.
    scale
        Optional latent multiplying its length scale (its domain interval must be positive).
    intensity
        A nonzero rational constant multiplying its values (its colour in a one-channel image).
    """

    def __init__(
        self,
        profile: Profile,
        x: sp.Symbol,
        y: sp.Symbol,
        brightness: sp.Symbol | None = None,
        scale: sp.Symbol | None = None,
        intensity: object = 1,
    ):
        if not isinstance(profile, Profile):
            raise GeneratorError(f"a sprite's profile must be a Bump or a Gaussian, got {type(profile).__name__}")
        fixed = []
        for what, coordinate in (("x", x), ("y", y)):
            if isinstance(coordinate, sp.Symbol):
                fixed.append(None)
                continue
            try:
                fixed.append(to_rational(coordinate, f"sprite {what}"))
            except ValueError:
                raise GeneratorError(f"a sprite's {what} must be a latent sympy Symbol or a rational constant, got {coordinate!r}") from None
        x, y = (c if f is None else f for c, f in zip((x, y), fixed))
        for what, sym in (("brightness", brightness), ("scale", scale)):
            if sym is not None and not isinstance(sym, sp.Symbol):
                raise GeneratorError(f"a sprite's {what} must be a latent sympy Symbol, got {sym!r}")
        try:
            value = to_rational(intensity, "sprite intensity")
        except ValueError as exc:
            raise GeneratorError(str(exc)) from None
        if value == 0:
            raise GeneratorError("a sprite's intensity must be nonzero (a zero sprite is no object)")
        self.profile = profile
        self.x, self.y, self.brightness, self.scale = x, y, brightness, scale
        self.intensity = Fraction(int(value.p), int(value.q))
        self.latents: tuple[sp.Symbol, ...] = tuple(s for s in (x, y, brightness, scale) if isinstance(s, sp.Symbol))
        if len(set(self.latents)) != len(self.latents):
            raise GeneratorError("a sprite uses one latent twice")
        if not self.latents:
            raise GeneratorError("a sprite needs at least one latent (a fixed sprite with no latent is a constant, not an object)")
        self._formulas: dict[tuple[str, tuple[int, ...]], sp.Expr] = {}
        self._compiled: dict[tuple[str, tuple[int, ...]], Callable] = {}
        #: the sprite whose compiled formulas this one evaluates (itself, or an equal-shaped
        #: sprite of the same generator: the formulas take the latents by position)
        self.kernel: Sprite = self

    def __getstate__(self) -> dict:
        """The sprite without its compiled functions (they do not pickle; they are rebuilt on
        first use), so a generator that has been checked can be sent to another process."""
        state = dict(self.__dict__)
        state["_compiled"] = {}
        return state

    @property
    def signature(self) -> tuple:
        """What the formulas depend on besides the latents' names: sprites with one
        signature share compiled formulas."""
        fixed = tuple(None if isinstance(c, sp.Symbol) else c for c in (self.x, self.y))
        return (type(self.profile), self.profile.rho, fixed, self.brightness is not None, self.scale is not None, self.intensity)

    def coordinate(self, which: str, point: Mapping[sp.Symbol, object]) -> object:
        """The ``x`` or ``y`` coordinate at ``point``: the latent's value, or the constant."""
        c = self.x if which == "x" else self.y
        return point[c] if isinstance(c, sp.Symbol) else c

    # -- symbolic forms --------------------------------------------------------------------
    def u(self, X: object, Y: object) -> sp.Expr:
        """The scaled squared distance from the pixel centre ``(X, Y)``."""
        rho = sp.Rational(self.profile.rho.numerator, self.profile.rho.denominator)
        scale = rho if self.scale is None else rho * self.scale
        return ((X - self.x) ** 2 + (Y - self.y) ** 2) / scale**2

    def amplitude(self) -> sp.Expr:
        """``intensity * b``."""
        c = sp.Rational(self.intensity.numerator, self.intensity.denominator)
        return c if self.brightness is None else c * self.brightness

    def expression(self, X: object, Y: object) -> sp.Expr:
        """The sprite at pixel ``(X, Y)`` as a user writes it (Piecewise for a compact profile)."""
        return self.amplitude() * self.profile.expression(self.u(X, Y))

    def mask_expression(self, X: object, Y: object) -> sp.Expr:
        """The sprite's opacity ``phi(u)`` at pixel ``(X, Y)``, as a user writes it."""
        return self.profile.expression(self.u(X, Y))

    def formula(self, kind: str, alpha: tuple[int, ...] = ()) -> sp.Expr:
        """``d^alpha`` of the sprite's formula on its support, in the pixel symbols
        :data:`PIXEL_X`, :data:`PIXEL_Y` and the sprite's latents; ``kind`` is ``value``
        (``intensity * b * phi``) or ``mask`` (``phi``); ``alpha`` indexes :attr:`latents`."""
        key = (kind, tuple(sorted(alpha)))
        hit = self._formulas.get(key)
        if hit is None:
            if key[1]:
                hit = sp.diff(self.formula(kind, key[1][:-1]), self.latents[key[1][-1]])
            else:
                inner = self.profile.inside(self.u(PIXEL_X, PIXEL_Y))
                hit = self.amplitude() * inner if kind == "value" else inner
            self._formulas[key] = hit
        return hit

    # -- exact evaluation ------------------------------------------------------------------
    def u_at(self, X: int, Y: int, point: Mapping[sp.Symbol, object]) -> Fraction:
        """``u`` at pixel ``(X, Y)`` and a rational point, exactly."""
        x, y = _fraction(self.coordinate("x", point)), _fraction(self.coordinate("y", point))
        rho = self.profile.rho * (1 if self.scale is None else _fraction(point[self.scale]))
        return ((X - x) ** 2 + (Y - y) ** 2) / (rho * rho)

    def exact(self, key: tuple[str, tuple[int, ...]], X: int, Y: int, point: Mapping[sp.Symbol, object]) -> object:
        """The formula ``key = (kind, alpha)`` at pixel ``(X, Y)`` and a rational point: a
        :class:`~fractions.Fraction` for a polynomial profile, an exact sympy number otherwise.
        Only meaningful on the support (``u < 1`` for a compact profile)."""
        fn = self.kernel.compiled(key)
        if self.profile.polynomial:
            return fn(Fraction(X), Fraction(Y), *(_fraction(point[s]) for s in self.latents))
        return fn(sp.Integer(X), sp.Integer(Y), *(sp.Rational(point[s]) for s in self.latents))

    def compiled(self, key: tuple[str, tuple[int, ...]]) -> Callable:
        """The formula ``key`` as a Python function of ``(X, Y, *latents)``, exact: on
        Fractions for a polynomial profile, on sympy numbers otherwise (cached)."""
        fn = self._compiled.get(key)
        if fn is None:
            args = (PIXEL_X, PIXEL_Y, *self.latents)
            if self.profile.polynomial:
                fn = sp.lambdify(args, self.formula(*key), modules=[{"Fraction": Fraction}], printer=_FractionPrinter)
            else:
                fn = sp.lambdify(args, self.formula(*key), modules=[{"Rational": sp.Rational, "sympy": sp}, "sympy"], printer=_RationalPrinter)
            self._compiled[key] = fn
        return fn

    def mp_value(self, kind: str, X: int, Y: int, coords: Mapping[sp.Symbol, mpmath.mpf]) -> mpmath.mpf:
        """The sprite (``kind`` ``value``) or its opacity (``mask``) at pixel ``(X, Y)`` in
        mpmath, straight from the definition (the guard's independent route)."""
        rho = mpmath.mpf(self.profile.rho.numerator) / self.profile.rho.denominator
        if self.scale is not None:
            rho = rho * coords[self.scale]
        x, y = (mpmath.mpf(c.p) / c.q if isinstance(c, sp.Rational) else c for c in (self.coordinate("x", coords), self.coordinate("y", coords)))
        u = ((X - x) ** 2 + (Y - y) ** 2) / (rho * rho)
        phi = self.profile.mp_value(u)
        if kind == "mask":
            return phi
        c = mpmath.mpf(self.intensity.numerator) / self.intensity.denominator
        return c * phi * (1 if self.brightness is None else coords[self.brightness])

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in (("brightness", self.brightness), ("scale", self.scale)) if v is not None)
        return f"Sprite({self.profile!r}, {self.x}, {self.y}{extra}, intensity={self.intensity})"


class _FractionPrinter(PythonCodePrinter):
    """Python code whose rational constants are exact ``Fraction`` objects."""

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"Fraction({expr.p}, {expr.q})"

    _print_Half = _print_Rational


class _RationalPrinter(SymPyPrinter):
    """sympy code whose rational constants stay exact sympy Rationals."""

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"Rational({expr.p}, {expr.q})"

    _print_Half = _print_Rational


def _fraction(value: object) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    r = sp.Rational(value)
    return Fraction(int(r.p), int(r.q))

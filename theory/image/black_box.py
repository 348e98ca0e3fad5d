"""The guard's values of an image generator: the scene evaluated directly in mpmath.

:class:`ImageBlackBox` plays the part of :class:`theory.model.guard.BlackBox` for an
:class:`~theory.image.generator.ImageGenerator`: ``g_t`` at a perturbed point is computed from
the definition of the scene (each sprite's profile at the pixel, composed front to back),
at the guard's precision, with no derivative rule and no piece rule of the exact route (only
the objects that can reach the pixel are evaluated: the others are 0 on the whole domain box).  Finite differences of these values check every exact derivative a verdict uses.

Examples
--------
>>> import mpmath, sympy as sp
>>> from theory import Box
>>> from theory.image import Bump, ImageGenerator, Sprite
>>> x, y = sp.symbols("x y", real=True)
>>> g = ImageGenerator("one", (3, 3), [Sprite(Bump(2), x, y)], Box({x: (0, 2), y: (0, 2)}))
>>> v = g.black_box(g.grid.index(1, 1), [sp.Integer(1), sp.Rational(1, 2)], [0, 0], mpmath.mpf(0), 30)
>>> mpmath.nstr(v, 10), float((1 - sp.Rational(1, 16)) ** 3)
('0.8239746094', 0.823974609375)
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import sympy as sp

from theory.model.guard import BlackBox

__all__ = ["ImageBlackBox"]


class _Footprint:
    """What the guard reads of an output: the latents its value can change with on the domain."""

    def __init__(self, symbols: frozenset[sp.Symbol]):
        self.free_symbols = symbols


class _Footprints(Sequence):
    """Per pixel, the latents of the objects that reach it (a pixel no object of a latent
    reaches has values constant in that latent on the domain: its derivative there is 0)."""

    def __init__(self, generator):
        self._generator = generator
        self._by_objects: dict[tuple[int, ...], _Footprint] = {}

    def __len__(self) -> int:
        return self._generator.m

    def __getitem__(self, t):  # type: ignore[override]
        objects = self._generator.pixel_objects[t]
        hit = self._by_objects.get(objects)
        if hit is None:
            hit = _Footprint(frozenset(s for k in objects for s in self._generator.objects[k].latents))
            self._by_objects[objects] = hit
        return hit


class ImageBlackBox(BlackBox):
    """The outputs of an image generator as high-precision black boxes."""

    def __init__(self, generator):
        self.latents = generator.latents
        self._generator = generator
        self.outputs = _Footprints(generator)  # type: ignore[assignment]
        self._compiled = {}
        self._constants: dict[int, list[tuple[mpmath.mpf, mpmath.mpf]]] = {}

    def _sprite_constants(self, dps: int) -> list[tuple[mpmath.mpf, mpmath.mpf]]:
        hit = self._constants.get(dps)
        if hit is None:
            hit = [
                (mpmath.mpf(o.profile.rho.numerator) / o.profile.rho.denominator, mpmath.mpf(o.intensity.numerator) / o.intensity.denominator)
                for o in self._generator.objects
            ]
            self._constants[dps] = hit
        return hit

    def __call__(
        self,
        t: int,
        coords: Sequence[sp.Rational],
        offsets: Sequence[int],
        h: mpmath.mpf,
        dps: int,
        base: Sequence[mpmath.mpf] | None = None,
    ) -> mpmath.mpf | None:
        g = self._generator
        with mpmath.workdps(dps):
            if base is None:
                base = [mpmath.mpf(int(c.p)) / int(c.q) for c in coords]
            args = {s: (b + h * o / 2 if o else b) for s, b, o in zip(self.latents, base, offsets)}
            X, Y = g.grid.centre(t)
            total, behind = mpmath.mpf(0), mpmath.mpf(1)
            constants = self._sprite_constants(dps)
            for k in g.pixel_objects[t]:  # the others are 0 on the whole domain box
                sprite, (rho, intensity) = g.objects[k], constants[k]
                if sprite.scale is not None:
                    rho = rho * args[sprite.scale]
                x, y = (mpmath.mpf(c.p) / c.q if isinstance(c, sp.Rational) else c for c in (sprite.coordinate("x", args), sprite.coordinate("y", args)))
                dx, dy = X - x, Y - y
                phi = sprite.profile.mp_value((dx * dx + dy * dy) / (rho * rho))
                if phi:
                    value = intensity * phi if sprite.brightness is None else intensity * phi * args[sprite.brightness]
                    total += behind * value
                if g.occlusion:
                    behind *= 1 - phi
            return total if mpmath.isfinite(total) else None

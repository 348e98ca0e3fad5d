"""Structured exact derivatives of an image generator, per sprite and per pixel range.

:class:`ImageDerivativeTable` answers what the checks ask of a
:class:`theory.model.derivatives.DerivativeTable` without building the outputs:

* **patterns** (which multi-indices may have a nonzero derivative): pixels reached by the
  same objects share one pattern set, traced once (:func:`theory.model.tracer.derivative_patterns`)
  on a symbolic representative of the class (the sprites' formulas at a symbolic pixel);
  pixels no object reaches have none.  The raw patterns (before piece selection) are those
  of all objects.
* **values at a point** ``d^alpha g_t(p)``: for each object reaching the pixel, its piece at
  ``p`` is decided exactly (``u < 1``, ``u > 1`` or the circle ``u = 1``); inside, the
  sprite's derivative formula is evaluated in exact arithmetic; the pixel's value follows
  the composition rule (:func:`theory.image.occlusion.composite_derivative`).  On a circle
  ``u = 1`` a value or first derivative is 0 (the bump is C^2 and vanishes to second order
  there); a higher derivative there is undecided (``piece-boundary``), as in the general table.
* **symbolic derivatives** of one output (for the general fallbacks): a one-output general
  table of that pixel's expression, built on demand.

Examples
--------
>>> import sympy as sp
>>> from theory import Box
>>> from theory.image import Bump, ImageGenerator, Sprite
>>> x, y = sp.symbols("x y", real=True)
>>> g = ImageGenerator("one", (4, 4), [Sprite(Bump(2), x, y)], Box({x: (1, 2), y: (1, 2)}))
>>> t = g.grid.index(2, 1)
>>> g.derivatives.value(t, (0,), {x: sp.Rational(3, 2), y: sp.Rational(3, 2)})
147/256
>>> g.derivatives.dependencies(t), g.derivatives.is_structural_zero(t, (0, 1))
(frozenset({0, 1}), False)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

from theory.model.derivatives import DerivativeTable, PointDerivativeUndecided
from theory.model.tracer import MultiIndex, Patterns, derivative_patterns
from theory.image.occlusion import composite, composite_derivative

__all__ = ["ImageDerivativeTable"]


class _LazyOutputs(Sequence):
    """A per-output sequence computed on demand (the general table's tuples)."""

    def __init__(self, m: int, build: Callable[[int], sp.Expr]):
        self._m, self._build = m, build

    def __len__(self) -> int:
        return self._m

    def __getitem__(self, t):  # type: ignore[override]
        if isinstance(t, slice):
            return [self[i] for i in range(*t.indices(self._m))]
        if not -self._m <= t < self._m:
            raise IndexError(t)
        return self._build(t % self._m)


class _OnePixel:
    """One output of an image generator as a :class:`~theory.model.protocols.GeneratorLike`."""

    def __init__(self, name: str, latents: tuple, output: sp.Expr, domain):
        self.name, self.latents, self.outputs, self.domain = name, latents, (output,), domain


class ImageDerivativeTable(DerivativeTable):
    """The derivative table of an :class:`~theory.image.generator.ImageGenerator`."""

    def __init__(self, generator):
        self.generator = generator
        self.latents = generator.latents
        m = generator.m
        self._pixel_tables: dict[int, DerivativeTable] = {}
        self.normalized = _LazyOutputs(m, lambda t: self._pixel(t).normalized[0])  # type: ignore[assignment]
        self.values = _LazyOutputs(m, lambda t: self._pixel(t).values[0])  # type: ignore[assignment]
        self.restricted = _LazyOutputs(m, lambda t: self._pixel(t).restricted[0])  # type: ignore[assignment]
        self._class_patterns: dict[tuple[tuple[int, ...], int], Patterns] = {}
        self._by_order: dict[int, tuple[tuple[Patterns, ...], tuple[Patterns, ...]]] = {}
        self._value_cache: dict[tuple, sp.Expr] = {}

    # -- structure ------------------------------------------------------------------------------
    def _class(self, objects: tuple[int, ...], order: int) -> Patterns:
        key = (objects, order)
        hit = self._class_patterns.get(key)
        if hit is None:
            g = self.generator
            if not objects:
                hit = frozenset()
            else:
                values = [g.objects[k].formula("value") for k in objects]
                masks = [g.objects[k].formula("mask") for k in objects]
                hit = derivative_patterns(composite(values, masks, g.occlusion), self.latents, order)
            self._class_patterns[key] = hit
        return hit

    def _tables(self, order: int) -> tuple[tuple[Patterns, ...], tuple[Patterns, ...]]:
        order = max(order, 1)
        hit = self._by_order.get(order)
        if hit is None:
            g = self.generator
            restricted = tuple(self._class(objects, order) for objects in g.pixel_objects)
            raw_all = self._class(tuple(range(len(g.objects))), order)
            hit = (restricted, (raw_all,) * g.m)
            self._by_order[order] = hit
        return hit

    def patterns(self, order: int) -> tuple[Patterns, ...]:
        return self._tables(order)[0]

    def raw_patterns(self, order: int) -> tuple[Patterns, ...]:
        return self._tables(order)[1]

    def exact_structural_zeros(self, t: int) -> bool:
        """Always: a latent outside :meth:`dependencies` belongs to an object that cannot
        reach the pixel anywhere in the domain box, so it occurs nowhere in ``g_t`` (neither
        in a piece nor in a condition), and a derivative of a sum over objects in a latent
        of another object than a term's is exactly 0 at every point."""
        return True

    @property
    def is_analytic(self) -> bool:
        g = self.generator
        return not any(
            g.objects[k].profile.compact and t not in g.covered[k] for t, objects in enumerate(g.pixel_objects) for k in objects
        )

    @property
    def is_piecewise_polynomial(self) -> bool:
        return all(o.profile.polynomial and o.scale is None for o in self.generator.objects)

    # -- one pixel through the general table ------------------------------------------------------
    def _pixel(self, t: int) -> DerivativeTable:
        hit = self._pixel_tables.get(t)
        if hit is None:
            g = self.generator
            hit = DerivativeTable(_OnePixel(f"{g.name}: output {t}", self.latents, g.outputs[t], g.domain))
            self._pixel_tables[t] = hit
        return hit

    def derivative(self, t: int, alpha: MultiIndex) -> sp.Expr:
        """``d^alpha g_t`` as a sympy expression (0 when the pixel's pattern excludes alpha)."""
        alpha = tuple(sorted(alpha))
        if alpha not in self.patterns(len(alpha))[t]:
            return sp.S.Zero
        return self._pixel(t).derivative(0, alpha)

    # -- values at a point ----------------------------------------------------------------------------
    def value(self, t: int, alpha: MultiIndex, point: dict[sp.Symbol, sp.Rational]) -> sp.Expr:
        """The exact constant ``d^alpha g_t(point)``, per sprite (see the module docstring).

        Raises
        ------
        PointDerivativeUndecided
            For a derivative of order >= 2 at a point on the support circle of a sprite
            whose support condition is not fixed over the domain.
        """
        alpha = tuple(sorted(alpha))
        pkey = tuple(point[s] for s in self.latents)
        key = (t, alpha, pkey)
        hit = self._value_cache.get(key)
        if hit is not None:
            return hit
        g = self.generator
        objects = g.pixel_objects[t]
        parts: dict[int, list[int]] = {}
        for a in alpha:
            owner = g.owner.get(a)
            if owner is None:
                parts = {-1: [a]}  # a latent no sprite uses: g_t does not depend on it
                break
            parts.setdefault(owner[0], []).append(owner[1])
        X, Y = g.grid.centre(t)
        inside: dict[int, bool] = {}
        for k in objects:
            sprite = g.objects[k]
            if not sprite.profile.compact or t in g.covered[k]:
                inside[k] = True
                continue
            u = sprite.u_at(X, Y, point)
            if u == 1 and len(alpha) >= 2:
                raise PointDerivativeUndecided(
                    "piece-boundary", f"output {t}: the point lies on the support circle of object {k + 1} (order-{len(alpha)} derivative)"
                )
            inside[k] = u < 1  # on the circle, value and first derivatives vanish (C^2 bump)

        def value(k: int, beta: tuple[int, ...]) -> object:
            return g.objects[k].exact(("value", beta), X, Y, point) if inside[k] else 0

        def mask(k: int, beta: tuple[int, ...]) -> object:
            return g.objects[k].exact(("mask", beta), X, Y, point) if inside[k] else 0

        result = composite_derivative(objects, {k: tuple(v) for k, v in parts.items()}, value, mask, g.occlusion)
        if isinstance(result, float):  # pragma: no cover - every evaluation is exact
            raise AssertionError("inexact sprite evaluation")
        out = sp.Rational(result.numerator, result.denominator) if hasattr(result, "denominator") and not isinstance(result, sp.Basic) else sp.sympify(result)
        self._value_cache[key] = out
        return out

"""The pixel grid, and which pixels a sprite can reach over a box of latents (exact geometry).

Pixel ``t`` of an ``height x width`` grid is row ``t // width``, column ``t % width``; its
centre is the point ``(X, Y) = (column, row)``.  Over the closed box of a sprite's latents,
``u = ((X - x)^2 + (Y - y)^2) / (rho s)^2`` ranges over ``[u_min, u_max]`` with

* ``u_min`` from the squared distance of the pixel to the rectangle of positions, over the
  largest scale, and
* ``u_max`` from the farthest corner of the rectangle, over the smallest scale;

both exact rationals.  A compact sprite *reaches* the pixel when ``u_min < 1`` (it can be
nonzero there somewhere in the box) and *covers* it when ``u_max < 1`` (its support
condition holds on the whole box, so no piece boundary crosses the pixel).  A Gaussian
reaches and covers every pixel.

Examples
--------
>>> from fractions import Fraction as F
>>> grid = PixelGrid(4, 5)
>>> grid.m, grid.centre(7)
(20, (2, 1))
>>> sorted(grid.reach(F(1), ((F(0), F(1)), (F(0), F(1))), (F(1), F(1)), compact=True)[0])
[0, 1, 5, 6]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from theory.errors import GeneratorError

__all__ = ["PixelGrid", "Interval"]

Interval = tuple[Fraction, Fraction]


@dataclass(frozen=True)
class PixelGrid:
    """A ``height x width`` grid of pixels with integer centres ``(column, row)``."""

    height: int
    width: int

    def __post_init__(self) -> None:
        for what, n in (("height", self.height), ("width", self.width)):
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise GeneratorError(f"the pixel grid's {what} must be a positive integer, got {n!r}")

    @property
    def m(self) -> int:
        """Number of pixels."""
        return self.height * self.width

    def centre(self, t: int) -> tuple[int, int]:
        """``(X, Y)``: the centre of pixel ``t``."""
        return t % self.width, t // self.width

    def index(self, X: int, Y: int) -> int:
        """The pixel whose centre is ``(X, Y)``."""
        return Y * self.width + X

    def reach(self, rho: Fraction, position: tuple[Interval, Interval], scale: Interval, compact: bool) -> tuple[frozenset[int], frozenset[int]]:
        """``(reached, covered)`` pixels of a sprite with length scale ``rho``, positions in
        the closed rectangle ``position = ((x_lo, x_hi), (y_lo, y_hi))`` and scale factors in
        the closed interval ``scale`` (positive)."""
        everything = frozenset(range(self.m))
        if not compact:
            return everything, everything
        (xlo, xhi), (ylo, yhi) = position
        slo, shi = scale
        far = rho * shi
        reached, covered = set(), set()
        for Y in range(max(0, math.floor(ylo - far)), min(self.height - 1, math.ceil(yhi + far)) + 1):
            dy_min = max(ylo - Y, 0, Y - yhi)
            dy_max = max(abs(Y - ylo), abs(Y - yhi))
            for X in range(max(0, math.floor(xlo - far)), min(self.width - 1, math.ceil(xhi + far)) + 1):
                dx_min = max(xlo - X, 0, X - xhi)
                if dx_min * dx_min + dy_min * dy_min >= far * far:
                    continue
                t = self.index(X, Y)
                reached.add(t)
                dx_max = max(abs(X - xlo), abs(X - xhi))
                near = rho * slo
                if dx_max * dx_max + dy_max * dy_max < near * near:
                    covered.add(t)
        return frozenset(reached), frozenset(covered)

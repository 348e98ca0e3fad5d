"""The image generator: objects (sprites) on a pixel grid, one output per pixel.

:class:`ImageGenerator` is a :class:`theory.Generator` whose outputs are never all built as
sympy expressions: it keeps the scene (grid, sprites, occlusion) and computes, once, which
objects reach each pixel over the domain box (exact geometry, :mod:`theory.image.grid`).
Pixels reached by the same objects share one derivative pattern; exact derivatives at a
point come from each sprite's formulas evaluated in exact arithmetic
(:mod:`theory.image.table`); the guard evaluates the scene directly in mpmath
(:mod:`theory.image.black_box`).  A pixel's sympy expression, exactly as a user would write
it, is built on demand (``outputs[t]``), and :meth:`ImageGenerator.plain` builds them all:
the same generator as a plain :class:`theory.Generator`, for comparison.

Examples
--------
>>> import sympy as sp
>>> from theory import Box
>>> from theory.image import Bump, ImageGenerator, Sprite
>>> x1, y1, x2, y2 = sp.symbols("x1 y1 x2 y2", real=True)
>>> g = ImageGenerator(
...     "two-bumps", (6, 8),
...     [Sprite(Bump(2), x1, y1), Sprite(Bump(2), x2, y2)],
...     Box({x1: (1, 2), y1: (2, 3), x2: (5, 6), y2: (2, 3)}),
... )
>>> g.m, g.K, g.blocks
(48, 2, ((0, 1), (2, 3)))
>>> g.pixel_objects[g.grid.index(1, 2)], g.pixel_objects[g.grid.index(7, 5)]
((0,), ())
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import cached_property

import sympy as sp

from theory.errors import GeneratorError
from theory.model.domain import Box
from theory.model.generator import Generator, _parse_domain, _parse_factors, parse_point
from theory.image.black_box import ImageBlackBox
from theory.image.checks import STRUCTURED
from theory.image.grid import Interval, PixelGrid
from theory.image.occlusion import composite
from theory.image.sprites import Sprite
from theory.image.table import ImageDerivativeTable

__all__ = ["ImageGenerator", "PixelOutputs"]


class PixelOutputs(Sequence):
    """The outputs of an image generator, each built (and kept) when first asked for.

    Output ``t`` is the pixel's expression over the objects that can reach it: the others
    are identically 0 on the domain box (:mod:`theory.image.grid`), so this is ``g_t`` on
    the domain; :meth:`ImageGenerator.pixel_expression` with no objects given writes every
    object, as a user would."""

    def __init__(self, generator: "ImageGenerator"):
        self._generator = generator
        self._built: dict[int, sp.Expr] = {}

    def __len__(self) -> int:
        return self._generator.grid.m

    def __getitem__(self, t):  # type: ignore[override]
        if isinstance(t, slice):
            return [self[i] for i in range(*t.indices(len(self)))]
        if t < 0:
            t += len(self)
        if not 0 <= t < len(self):
            raise IndexError(t)
        hit = self._built.get(t)
        if hit is None:
            hit = self._generator.pixel_expression(t, self._generator.pixel_objects[t])
            self._built[t] = hit
        return hit


class ImageGenerator(Generator):
    """An object-centric image generator: every pixel is a composition of object sprites.

    Parameters
    ----------
    name
        Short identifier used in reports.
    grid
        A :class:`~theory.image.grid.PixelGrid` or ``(height, width)``.
    objects
        The :class:`~theory.image.sprites.Sprite` objects, front to back.
    domain
        A :class:`theory.Box` giving every sprite latent finite rational bounds (a scale
        latent a positive interval).
    points
        Exact points ``{symbol: rational}`` where pointwise checks run.
    factors
        The blocks of latents (as for :class:`theory.Generator`); default one block per
        object, named ``object1, object2, ...``.
    occlusion
        ``True``: a front object's opacity hides the objects behind it
        (:mod:`theory.image.occlusion`); ``False``: pixels are sums of sprites.
    description
        Free text shown by ``mechind list``.
    """

    #: every constant of the outputs is a rational (radii, intensities, pixel centres): a case
    #: file need not evaluate them (:mod:`theory.io.casefile`), nor build every output to look
    rational_constants = True
    #: never a piecewise-linear network (bumps and blobs are not piecewise linear; a scene linear
    #: in its brightness latents is affine, which is no network either): the checks need not
    #: build every output to find out (:meth:`theory.criteria.context.CheckContext.piecewise_linear_network`)
    piecewise_linear = False

    def __init__(
        self,
        name: str,
        grid: PixelGrid | tuple[int, int],
        objects: Sequence[Sprite],
        domain: Box,
        points: Sequence[Mapping[sp.Symbol, object]] = (),
        factors: Mapping[str, Sequence[sp.Symbol]] | Sequence[Sequence[sp.Symbol]] | None = None,
        occlusion: bool = False,
        description: str = "",
    ):
        if not isinstance(name, str) or not name.strip():
            raise GeneratorError(f"generator name must be a non-empty string, got {name!r}")
        self.name = name.strip()
        self.description = description.strip() if isinstance(description, str) else ""
        self.grid = grid if isinstance(grid, PixelGrid) else PixelGrid(*grid)
        self.objects: tuple[Sprite, ...] = tuple(objects)
        if not self.objects or not all(isinstance(o, Sprite) for o in self.objects):
            raise GeneratorError(f"{self.name}: objects must be a non-empty list of theory.image.Sprite")
        self.occlusion = bool(occlusion)
        kernels: dict[tuple, Sprite] = {}
        for sprite in self.objects:  # equal-shaped sprites evaluate one set of compiled formulas
            sprite.kernel = kernels.setdefault(sprite.signature, sprite)
        if factors is None:
            factors = {f"object{k + 1}": list(o.latents) for k, o in enumerate(self.objects)}
        self.factors = _parse_factors(self.name, factors)
        self.latents = tuple(s for block in self.factors.values() for s in block)
        self._index = {s: i for i, s in enumerate(self.latents)}
        blocks, start = [], 0
        for block in self.factors.values():
            blocks.append(tuple(range(start, start + len(block))))
            start += len(block)
        self.blocks = tuple(blocks)
        self.block_of = tuple(k for k, b in enumerate(self.blocks) for _ in b)
        #: ``owner[a] = (object, position in its latents)`` for every latent a sprite uses
        self.owner: dict[int, tuple[int, int]] = {}
        for k, sprite in enumerate(self.objects):
            for i, sym in enumerate(sprite.latents):
                if sym not in self._index:
                    raise GeneratorError(f"{self.name}: latent {sym} of object {k + 1} is in no factor (declare every latent in a block)")
                if self._index[sym] in self.owner:
                    raise GeneratorError(f"{self.name}: latent {sym} belongs to two objects")
                self.owner[self._index[sym]] = (k, i)
        if not isinstance(domain, Box):
            raise GeneratorError(f"{self.name}: an image generator's domain must be a Box")
        self.domain = _parse_domain(self.name, domain, self._index)
        self.boxes: tuple[dict[sp.Expr, Interval], ...] = tuple(self._sprite_box(k, s) for k, s in enumerate(self.objects))
        self.points = tuple(parse_point(p, self.latents, self.domain, what=f"point {i} of {self.name}") for i, p in enumerate(points))
        reach = [self._reach(k) for k in range(len(self.objects))]
        #: pixels each object can reach over the domain box, and those it covers on all of it
        self.reached: tuple[frozenset[int], ...] = tuple(r for r, _ in reach)
        self.covered: tuple[frozenset[int], ...] = tuple(c for _, c in reach)
        #: per pixel, the objects that reach it, front to back
        self.pixel_objects: tuple[tuple[int, ...], ...] = tuple(
            tuple(k for k in range(len(self.objects)) if t in self.reached[k]) for t in range(self.grid.m)
        )
        self.outputs = PixelOutputs(self)  # type: ignore[assignment]
        unused = [s for s in self.latents if self._index[s] not in self.owner]
        unused += [s for k, o in enumerate(self.objects) if not self.reached[k] for s in o.latents]
        self.unused_latents = tuple(s for s in self.latents if s in set(unused))
        notes = []
        if self.unused_latents:
            notes.append("latents used by no output (zero Jacobian columns): " + ", ".join(map(str, self.unused_latents)))
        self.notes = tuple(notes)
        self.source = None
        self.certificates = ()

    # -- structure ----------------------------------------------------------------------------
    def _sprite_box(self, k: int, sprite: Sprite) -> dict[sp.Expr, Interval]:
        """Each latent's interval, and each fixed coordinate's one-point interval (keyed by the constant)."""
        out = {}
        for sym in sprite.latents:
            lo, hi = self.domain.interval(sym)
            if not (lo.is_Rational and hi.is_Rational):
                raise GeneratorError(f"{self.name}: latent {sym} of object {k + 1} needs finite rational bounds in the domain")
            out[sym] = (Fraction(int(lo.p), int(lo.q)), Fraction(int(hi.p), int(hi.q)))
        for c in (sprite.x, sprite.y):  # a fixed coordinate: the one-point interval of its constant
            if not isinstance(c, sp.Symbol):
                out[c] = (Fraction(int(c.p), int(c.q)),) * 2
        if sprite.scale is not None and not out[sprite.scale][0] > 0:
            raise GeneratorError(f"{self.name}: the scale {sprite.scale} of object {k + 1} must range over positive values")
        return out

    def _reach(self, k: int) -> tuple[frozenset[int], frozenset[int]]:
        sprite, box = self.objects[k], self.boxes[k]
        scale = box[sprite.scale] if sprite.scale is not None else (Fraction(1), Fraction(1))
        return self.grid.reach(sprite.profile.rho, (box[sprite.x], box[sprite.y]), scale, sprite.profile.compact)

    @property
    def smoothness(self) -> int | None:
        """The largest r with g in C^r by construction (``None``: analytic)."""
        orders = [o.profile.smoothness for o in self.objects if o.profile.smoothness is not None]
        return min(orders) if orders else None

    # -- expressions ----------------------------------------------------------------------------
    def pixel_expression(self, t: int, objects: Sequence[int] | None = None) -> sp.Expr:
        """Output ``t`` as a user writes it: every object's sprite at the pixel (or only
        those of ``objects``, front to back), composed."""
        X, Y = self.grid.centre(t)
        chosen = [self.objects[k] for k in objects] if objects is not None else list(self.objects)
        values = [o.expression(X, Y) for o in chosen]
        masks = [o.mask_expression(X, Y) for o in chosen] if self.occlusion else []
        return composite(values, masks, self.occlusion)

    def plain(self) -> Generator:
        """The same generator as a plain :class:`theory.Generator` (every output a sympy expression)."""
        return Generator(
            self.name,
            {k: list(v) for k, v in self.factors.items()},
            [self.pixel_expression(t) for t in range(self.grid.m)],
            self.domain,
            self.points,
            self.description,
        )

    # -- derived objects ------------------------------------------------------------------------
    @cached_property
    def derivatives(self):  # type: ignore[override]
        """Structured exact derivatives (:class:`theory.image.table.ImageDerivativeTable`)."""
        return ImageDerivativeTable(self)

    @cached_property
    def black_box(self):  # type: ignore[override]
        """The scene's values in mpmath for the guard (:class:`theory.image.black_box.ImageBlackBox`)."""
        return ImageBlackBox(self)

    def structured_check(self, criterion: str, scope: str):
        """The check of ``criterion`` at ``scope`` (``global``, ``point``, or ``plan`` for a criterion planned by its own function) that uses the
        scene's structure, or ``None`` (then the general one runs): see :mod:`theory.image.checks`."""
        return STRUCTURED.get((criterion, scope))

    def __repr__(self) -> str:
        return f"ImageGenerator(name={self.name!r}, grid={self.grid.height}x{self.grid.width}, objects={len(self.objects)}, occlusion={self.occlusion})"

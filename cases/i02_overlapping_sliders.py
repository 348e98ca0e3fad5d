"""Two bumps sliding along one row of a 16 x 16 image through each other's range: Type D fails, with an exact witness.

Image case (docs/image-generators.md): object 1 (radius 3) at x1 in (6, 8) and object 2
(radius 2) at x2 in (7, 17/2), both on row 8; the position ranges overlap, so the objects can
sit on the same place.  Each factor is one latent.  s* = (22/3, 22/3): the two coincide.

Expected: Type D refuted (a pixel both objects reach, with both partials nonzero at an exact
point, re-verified on the pixel's own expression); at s* the small bump's support lies inside
the big one's, so Type M fails there (hence globally) and Type S fails at s* (rho+ >= rho-,
hence globally).  A pixel the small object never reaches lies strictly inside the big one's
support for every position, beyond the end of its range, and the small one has such a pixel of
its own: J has rank 2 everywhere (block triangular), so g is locally injective; the 1-D
factors are irreducible everywhere.  Theorems 2-4 each have a refuted hypothesis (D, M, S);
pixels are sums of sprites, so H2 holds.
"""

import sympy as sp

from theory import Box
from theory.image import Bump, ImageGenerator, Sprite

x1, x2 = sp.symbols("x1 x2", real=True)

GENERATOR = ImageGenerator(
    name="i02-overlapping-sliders",
    grid=(16, 16),
    objects=[Sprite(Bump(3), x1, 8), Sprite(Bump(2), x2, 8)],
    domain=Box({x1: (6, 8), x2: (7, sp.Rational(17, 2))}),
    points=[{x1: sp.Rational(22, 3), x2: sp.Rational(22, 3)}],  # s*: the two objects coincide
    description="two bumps sliding through each other's range on one row (16 x 16)",
)

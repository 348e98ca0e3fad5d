"""Three bumps, each sliding along one axis of a 16 x 16 image, never touching: Theorem 4 holds on the whole domain.

Image case (docs/image-generators.md): every pixel is a sum of three compact C^2 bumps
(1 - r^2/R^2)^3.  Object 1 slides along row 4, x1 in (3, 9/2); object 2 along column 12, y2 in
(4, 11/2); object 3 along row 12, x3 in (5, 13/2); all three have radius 2.
Each factor is one latent.  s* = (10/3, 14/3, 17/3), chosen so that no pixel lies on a
support circle there (the second derivatives of sep2 are then defined).

Expected: no pixel is reachable by two objects (exact reach), so Type D, Type M (cover
certificates) and H2, H3 hold on all of S structurally.  Every factor has a pixel strictly
inside its support for every position, beyond the end of its range (X = 3 for x1, Y = 4 for
y2, X = 5 for x3), where the partial cannot vanish: every column is nonzero everywhere, so
Type D and full column rank give Type S on all of S (method `disjoint-and-full-rank`), the
1-D factors are D-, S-, M- and H2-irreducible everywhere, and the same rows make J injective
(rank 3) everywhere: g is locally injective.  The box is convex, so Theorems 1-4 are
established.
"""

import sympy as sp

from theory import Box
from theory.image import Bump, ImageGenerator, Sprite

x1, y2, x3 = sp.symbols("x1 y2 x3", real=True)

GENERATOR = ImageGenerator(
    name="i01-sliding-bumps",
    grid=(16, 16),
    objects=[Sprite(Bump(2), x1, 4), Sprite(Bump(2), 12, y2), Sprite(Bump(2), x3, 12)],
    domain=Box({x1: (3, sp.Rational(9, 2)), y2: (4, sp.Rational(11, 2)), x3: (5, sp.Rational(13, 2))}),
    points=[{x1: sp.Rational(10, 3), y2: sp.Rational(14, 3), x3: sp.Rational(17, 3)}],  # s*
    description="three bumps sliding along one axis each, never touching (16 x 16)",
)

"""Three lamps (fixed bumps with a latent brightness each) on a 16 x 16 image, two of them overlapping: a brightness-factor scene.

Image case (docs/image-generators.md): lamp 1 (radius 3) at (5, 5), lamp 2 (radius 3) at
(9, 6), lamp 3 (radius 5/2) at (11, 12); latent brightnesses b1, b2, b3 in (1/2, 2), one
factor each.  Every pixel is b1 phi1 + b2 phi2 + b3 phi3 with rational constants phi_k (the
bump at the pixel), so g is linear and J is the same at every point.  s* = (1, 3/2, 2/3).

Expected: lamps 1 and 2 light common pixels, so Type D fails (exact witness); each lamp also
has pixels of its own, so Type M holds (cover certificates).  J is constant: Type S on S is
Type S at s*, decided by the exact rho engines; rank J = 3, so g is injective (method
`constant-jacobian`).  On a pixel both lamps 1 and 2 light, the two partials are constants, so
the row never spans R^2: the spanning condition fails (an identically zero combination).
There are no second derivatives, so H2 and H3 hold and separability degenerates.
"""

import sympy as sp

from theory import Box
from theory.image import Bump, ImageGenerator, Sprite

b1, b2, b3 = sp.symbols("b1 b2 b3", real=True)
R = sp.Rational

GENERATOR = ImageGenerator(
    name="i03-overlapping-lamps",
    grid=(16, 16),
    objects=[Sprite(Bump(3), 5, 5, brightness=b1), Sprite(Bump(3), 9, 6, brightness=b2), Sprite(Bump(R(5, 2)), 11, 12, brightness=b3)],
    domain=Box({b1: (R(1, 2), 2), b2: (R(1, 2), 2), b3: (R(1, 2), 2)}),
    points=[{b1: sp.Integer(1), b2: R(3, 2), b3: R(2, 3)}],  # s*
    description="three lamps with latent brightness, two overlapping (16 x 16)",
)

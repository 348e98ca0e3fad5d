"""A circle map that is locally injective but not injective (period 2*pi inside the box).

Row P12 of the case table (docs/mathematics.md section 13): g = (cos s1, sin s1, s2) (d_x = 3), blocks
[0],[1] (factors {s1}, {s2}), box (-4,4) x (-1,1), s* = 0.

Expected: Type D proved (each row uses one factor); Type M holds at s* and for all s (the
s2 column is e3, the s1 column (-sin s1, cos s1, 0) never vanishes and never touches row 3,
section 4.2 `exclusive-rows`); at s* J has the columns e2 and e3, so rho = (2,3) and Type S
holds; H2, H3 proved (additive); D-irreducible at s*; locally injective (the s1 column has
norm 1, so rank J = 2 everywhere, T3 of section 9.1), yet g(s1, s2) = g(s1 + 2*pi, s2) on
the box: locally injective does not imply injective (section 10).
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p12-circle-locally-injective",
    factors=[[s1], [s2]],
    outputs=[sp.cos(s1), sp.sin(s1), s2],
    domain=Box({s1: (-4, 4), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

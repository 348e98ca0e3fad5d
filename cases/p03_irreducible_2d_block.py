"""A two-dimensional factor that is D-irreducible at every point of its box.

Row P03 of the case table (docs/mathematics.md section 13): g = (s1, s2, s1*s2, s3, s3**2) (d_x = 5),
blocks [0,1],[2] (factors {s1, s2}, {s3}), box (1/2,1)^2 x (-1,1), s* = (3/4, 3/4, 1/2).

Expected: Type D proved (outputs 1-3 use only the first block, 4-5 only the second);
Type M holds at s* and for all s (cross-block supports are disjoint and nonempty); at s*
rho = (6,8) and Type S holds (D + full rank, section 10 item 3); H2, H3 proved (the only
cross term s1*s2 lies inside one block); D-irreducible at s* and for all s: the block rows
(1,0), (0,1), (s2,s1) give three distinct directions whenever s1, s2 > 0, which the box
guarantees (section 7.2; the z3 check of section 7.3 finds no bad point); locally
injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)

GENERATOR = Generator(
    name="p03-irreducible-2d-block",
    factors=[[s1, s2], [s3]],
    outputs=[s1, s2, s1 * s2, s3, s3**2],
    domain=Box({s1: (sp.Rational(1, 2), 1), s2: (sp.Rational(1, 2), 1), s3: (-1, 1)}),
    points=[{s1: sp.Rational(3, 4), s2: sp.Rational(3, 4), s3: sp.Rational(1, 2)}],  # s*
)

"""A bilinear cross term s1*s2: H3 holds but H2 fails.

Row P08 of the case table (docs/mathematics.md section 13): g = (s1, s2, s1*s2) (d_x = 3), blocks
[0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = (1/2, 1/2).

Expected: Type D refuted (row 3 uses both factors); Type M holds at s* and for all s (rows
1 and 2 are exclusive to their columns); at s* row 3 is (1/2, 1/2), a proportional overlap
of exactly half the smaller support, so rho = (4,4), a tie, and Type S fails under the
strict reading (section 5.7); H2 refuted (d^2 g3/ds1 ds2 = 1); H3 proved (every third
derivative vanishes: additive plus a constant-coefficient bilinear term, section 6.2);
D-irreducible at s*; locally injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p08-bilinear-h3-not-h2",
    factors=[[s1], [s2]],
    outputs=[s1, s2, s1 * s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}],  # s*
)

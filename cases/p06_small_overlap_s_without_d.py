"""A single overlap pixel among many: Type S holds although Type D fails.

Row P06 of the case table (docs/mathematics.md section 13): g = (s1, s1, s1, s2, s2, s2, s1 + s2)
(d_x = 7), blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = 0.

Expected: Type D refuted (row 7 uses both factors); Type M holds at s* and for all s
(J is constant and neither support {1,2,3,7}, {4,5,6,7} contains the other); at s*
rho = (8,10) and Type S holds: one proportional overlap pixel is fewer than half of the
smaller support (2*1 < 4, section 5.7), so S does not imply D (section 10); H2, H3 proved
(linear); D-irreducible at s*; locally injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p06-small-overlap-s-without-d",
    factors=[[s1], [s2]],
    outputs=[s1, s1, s1, s2, s2, s2, s1 + s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

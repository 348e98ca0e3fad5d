"""A square linear mixing: additive (H2) yet not Type D, M or S, since S <=> D for square J.

Row P04 of the case table (docs/mathematics.md section 13): g = (s1 + s2, s1 - s2) (d_x = 2),
blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = 0.

Expected: Type D refuted (both rows use both factors); Type M refuted at s* and for all s
(both columns have support {1,2}, each contains the other); at s* rho = (4,2) and Type S
fails: J is square and invertible, so the misaligned basis J^{-1} e_i has weight 2 and
S <=> D (section 5.8); H2, H3 proved (linear, hence additive); D-irreducible at s* (1-D
blocks, nonzero columns); locally injective (det J = -2).
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p04-square-mixing",
    factors=[[s1], [s2]],
    outputs=[s1 + s2, s1 - s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

"""Support containment: the support of s2 lies inside that of s1, so Type M fails.

Row P10 of the case table (docs/mathematics.md section 13): g = (s1 + s2, s1, s1) (d_x = 3), blocks
[0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = 0.

Expected: Type D refuted (row 1 uses both factors); Type M refuted at s* and for all s
(the constant supports satisfy Omega_2 = {1} inside Omega_1 = {1,2,3}, section 4.1); at s*
rho = (4,3) and Type S fails (section 5.7: rho- = (4 - 1 - 1) + min(3,1,3) = 3); H2, H3 proved
(linear), so H2 implies neither D nor M (section 10); D-irreducible at s*; locally
injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p10-support-containment",
    factors=[[s1], [s2]],
    outputs=[s1 + s2, s1, s1],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

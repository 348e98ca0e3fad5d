"""Two of three pixels shared: Type M holds but Type S fails strictly (rho+ > rho-).

Row P07 of the case table (docs/mathematics.md section 13): g = (s1, s2, s1 + s2, s1 + s2)
(d_x = 4), blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = 0.

Expected: Type D refuted (rows 3 and 4 use both factors); Type M holds at s* and for all s
(supports {1,3,4} and {2,3,4}, neither contains the other); at s* rho = (6,5) and Type S
fails strictly: the overlap of 2 proportional pixels exceeds half of the smaller support 3
(section 5.7: rho- = (6 - 2 - 2) + min(3,3,4) = 5), so M does not imply S (section 10); H2,
H3 proved (linear); D-irreducible at s*; locally injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p07-large-overlap-strict-failure",
    factors=[[s1], [s2]],
    outputs=[s1, s2, s1 + s2, s1 + s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

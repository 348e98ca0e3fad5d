"""Type S holds while H2 fails: one overlap pixel carries a bilinear cross term.

Row P33 of the case table (docs/mathematics.md section 13): g = (s1 + s1**2, s1**3, s2, s2**2,
s2 - s2**3, (s1 - 1)*(s2 + 2)) (d_x = 6), blocks [0],[1] (factors {s1}, {s2}), box
(-1,1)^2, s* = (1/2, 1/2).

Expected: Type D refuted (row 6 uses both factors); Type M holds at s* and for all s (row 3
has d/ds2 = 1 and lies outside the s1 support; rows 1, 2 lie outside the s2 support and
1 + 2*s1, 3*s1**2 never vanish together);
at s* the supports are {1,2,6} and {3,4,5,6} with one overlap pixel, so rho = (7,8) and
Type S holds (section 5.7); H2 refuted (d^2 g6/ds1 ds2 = 1), so S does not imply H2
(section 10); H3 proved (the cross term is bilinear); D-irreducible at s*; locally
injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p33-s-without-h2",
    factors=[[s1], [s2]],
    outputs=[s1 + s1**2, s1**3, s2, s2**2, s2 - s2**3, (s1 - 1) * (s2 + 2)],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}],  # s*
)

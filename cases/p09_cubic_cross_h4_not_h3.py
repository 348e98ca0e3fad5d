"""A cubic cross term s1**2*s2: H4 holds but H2 and H3 fail.

Row P09 of the case table (docs/mathematics.md section 13): g = (s1, s2, s1**2*s2) (d_x = 3), blocks
[0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = (1/2, 1/2).

Expected: Type D refuted (row 3 uses both factors); Type M holds at s* and for all s (rows
1 and 2 are exclusive to their columns); at s* row 3 is (1/2, 1/4), one overlap pixel of
two, so rho = (4,4), a tie, and Type S fails under the strict reading (section 5.7); H2
refuted (d^2 g3/ds1 ds2 = 2*s1); H3 refuted (d^3 g3/ds1^2 ds2 = 2); H4 proved (g3 has
degree 3, section 6.6), so H4 does not imply H3 (section 10); D-irreducible at s*; locally
injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p09-cubic-cross-h4-not-h3",
    factors=[[s1], [s2]],
    outputs=[s1, s2, s1**2 * s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}],  # s*
)

"""A non-proportional overlap cancels less: Type S holds although half the smaller support is shared.

Row P25 of the case table (docs/mathematics.md section 13, section 5.7): g = (s1, 2*s1, -s1, s2,
3*s2, s1 + s2, s1 + 2*s2) (d_x = 7), blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2,
s* = 0.

Expected: Type D refuted (rows 6, 7 use both factors); Type M holds at s* and for all s
(J constant, supports {1,2,3,6,7} and {4,5,6,7}); at s* n1 = 5, n2 = 4 and the overlap
o = 2 splits into two proportionality classes (ratios 1 and 2), so rho = (9,10) and Type S
holds (section 5.7: o + o1 = 3 < 4); compare P26, where the same overlap is proportional
and ties. S does not imply D (section 10). H2, H3 proved (linear); D-irreducible at s*;
locally injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p25-nonproportional-overlap",
    factors=[[s1], [s2]],
    outputs=[s1, 2 * s1, -s1, s2, 3 * s2, s1 + s2, s1 + 2 * s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

"""A cubic overlap pixel: Type M holds everywhere, Type S ties at (1/2,1/2) but holds at (0,1/2).

Row P05 of the case table (docs/mathematics.md section 13): g = (s1, s2, s1**3 + s2**3) (d_x = 3),
blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = (1/2, 1/2).

Expected: Type D refuted (row 3 uses both factors; g is analytic, so any generic point is
a witness, section 3.3); Type M holds at s* and for all s (row 1 is only in column 1 and
row 2 only in column 2, so neither support contains the other); at s* rho = (4,4), a tie:
the overlap pixel is proportional and exactly half of the smaller support (section 5.7),
so Type S fails under the default strict reading (holds under `non-strict`); the
misaligned basis {(0,1), (1,-1)} has weight 4 (section 11.1); H2, H3 proved (additive);
D-irreducible at s*; locally injective (rank 2 everywhere).

Extra point (0, 1/2), listed after s*: there d g3/d s1 = 0, the overlap disappears and
rho = (3,4), so Type S holds: S at one point does not give S everywhere (section 10).
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p05-cubic-overlap-tie",
    factors=[[s1], [s2]],
    outputs=[s1, s2, s1**3 + s2**3],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[
        {s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)},  # s*: rho = (4,4), tie
        {s1: sp.Integer(0), s2: sp.Rational(1, 2)},  # extra: rho = (3,4), S holds
    ],
)

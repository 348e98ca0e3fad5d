"""Type M and S hold at generic points but fail on the measure-zero line s2 = 1/3.

Row P23 of the case table (docs/mathematics.md section 13, section 4.2): g = (s1, s1 + s1**3,
(s2 - 1/3)**3, (s2 - 1/3)**2, 2*s1 - s2) (d_x = 5), blocks [0],[1] (factors {s1}, {s2}),
box (-1,1)^2, s* = (-1/2, -1/2).

Expected: Type D refuted (row 5 uses both factors); Type M holds at s* but is refuted for
all s: on the line s2 = 1/3 every s2-dependent row has a vanishing derivative except the
last, so the s2 column becomes -e5 and Omega_2 = {5} lies inside Omega_1 = {1,2,5} (z3
witness (0, 1/3); sampling misses it); at s* rho = (6,7) and Type S holds; H2, H3 proved
(additive); D-irreducible at s*; locally injective (J has full rank everywhere).

Extra point (1/2, 1/3), listed after s*: on the bad line, rho = (4,3) and Type S fails
strictly, so S at one point does not give S everywhere (sections 5.10, 10).
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

_third = sp.Rational(1, 3)

GENERATOR = Generator(
    name="p23-measure-zero-m-failure",
    factors=[[s1], [s2]],
    outputs=[s1, s1 + s1**3, (s2 - _third) ** 3, (s2 - _third) ** 2, 2 * s1 - s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[
        {s1: sp.Rational(-1, 2), s2: sp.Rational(-1, 2)},  # s*: rho = (6,7), S holds
        {s1: sp.Rational(1, 2), s2: sp.Rational(1, 3)},  # extra, on s2 = 1/3: rho = (4,3), S fails
    ],
)

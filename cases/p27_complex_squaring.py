"""The complex squaring map: conformal (c_IMA = 0), Type S only on the segment s2 = 0.

Row P27 of the case table (docs/mathematics.md section 13, sections 5.8, 12.3): g = (s1**2 - s2**2,
2*s1*s2) (d_x = 2), blocks [0],[1] (factors {s1}, {s2}), box (1,2) x (-1/2,1/2),
s* = (3/2, 0).

Expected: Type D refuted (off s2 = 0 both rows use both factors); Type M holds at s*
(J = diag(3,3) there) but is refuted for all s (off s2 = 0 both columns have support
{1,2}); at s* rho = (2,3) and Type S holds: J is square and invertible, and S <=> D
pointwise (section 5.8), which holds only on the segment s2 = 0; H2 refuted
(d^2 g2/ds1 ds2 = 2); H3 proved (g is quadratic); D-irreducible at s*; locally injective
(det J = 4(s1**2 + s2**2) > 0). J^T J = 4(s1**2 + s2**2) I, so c_IMA = 0 everywhere while D
fails: IMA-orthogonality does not imply D (section 10).

Extra point (3/2, 1/4), listed after s*: D fails there, rho = (4,2) and Type S fails.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p27-complex-squaring",
    factors=[[s1], [s2]],
    outputs=[s1**2 - s2**2, 2 * s1 * s2],
    domain=Box({s1: (1, 2), s2: (sp.Rational(-1, 2), sp.Rational(1, 2))}),
    points=[
        {s1: sp.Rational(3, 2), s2: sp.Integer(0)},  # s*: rho = (2,3), S holds
        {s1: sp.Rational(3, 2), s2: sp.Rational(1, 4)},  # extra: rho = (4,2), S fails
    ],
)

"""The cusp (s1, s2**3 - 3*s1*s2): rank drops on a parabola and g is not locally injective.

Row P32 of the case table (docs/mathematics.md section 13, section 9.1): g = (s1, s2**3 - 3*s1*s2)
(d_x = 2), blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = (1/2, 1/2).

Expected: Type D refuted (row 2 uses both factors); Type M refuted at s* and for all s (at
s* J = [[1,0],[-3/2,-3/4]], so Omega_2 = {2} lies inside Omega_1 = {1,2}); at s* rho = (3,2)
and Type S fails (square J, not Type D, section 5.8); H2 refuted (d^2 g2/ds1 ds2 = -3); H3
proved (the only cross term is bilinear); D-irreducible at s* (1-D blocks, nonzero
columns); NOT locally injective: det J = 3(s2**2 - s1) vanishes on the parabola s1 = s2**2,
and the certificate sigma(t**2, t) = (t**2, -2t) gives g(t**2, t) = g(t**2, -2t) =
(t**2, -2t**3) at points accumulating at 0 (section 9.1).
"""

import sympy as sp

from theory import Box, Generator
from theory.model.certificates import FoldCertificate

s1, s2 = sp.symbols("s1 s2", real=True)
t = sp.Symbol("t", real=True)  # the parameter of the certificate curves

GENERATOR = Generator(
    name="p32-cusp-not-locally-injective",
    factors=[[s1], [s2]],
    outputs=[s1, s2**3 - 3 * s1 * s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}],  # s*
    certificates=[
        # on the parabola s1 = s2**2: g(t**2, t) = g(t**2, -2t) = (t**2, -2t**3), both -> 0
        FoldCertificate(t, curve=(t**2, t), partner=(t**2, -2 * t), note="cusp: sigma(t**2, t) = (t**2, -2t)"),
    ],
)

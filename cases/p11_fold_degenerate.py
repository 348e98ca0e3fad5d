"""A fold (s1**2, s2): Type D holds, but at 0 the s1 column vanishes and the block degenerates.

Row P11 of the case table (docs/mathematics.md section 13): g = (s1**2, s2) (d_x = 2), blocks [0],[1]
(factors {s1}, {s2}), box (-1,1)^2, s* = 0.

Expected: Type D proved (each row uses one factor); Type M refuted at s* and for all s (at
s1 = 0 the first column is zero, and an empty support is contained in everything, section
4.1; so D does not imply M without full rank, section 10 item 1); at s* rho = (1,1), a tie,
so Type S fails: rank deficiency breaks "D implies S" (section 10 item 3); H2, H3 proved
(additive); D-irreducibility at s* is degenerate (the block {s1} has rank 0 there, section
7.1: `unknown` with details.degenerate = "rank"); not locally injective: the certificate
sigma(s1, s2) = (-s1, s2) gives g o sigma = g at points accumulating at 0 (section 9.1).

Extra point (1/2, 0), listed after s*: J = diag(1, 1) there, rho = (2,3) and Type S holds.
"""

import sympy as sp

from theory import Box, Generator
from theory.model.certificates import FoldCertificate

s1, s2 = sp.symbols("s1 s2", real=True)
t = sp.Symbol("t", real=True)  # the parameter of the certificate curves

GENERATOR = Generator(
    name="p11-fold-degenerate",
    factors=[[s1], [s2]],
    outputs=[s1**2, s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[
        {s1: sp.Integer(0), s2: sp.Integer(0)},  # s*: rho = (1,1), tie; degenerate block
        {s1: sp.Rational(1, 2), s2: sp.Integer(0)},  # extra: rho = (2,3), S holds
    ],
    certificates=[
        # sigma(s1, s2) = (-s1, s2) on the segment s2 = 0: g(t, 0) = g(-t, 0) = (t**2, 0), both -> 0
        FoldCertificate(t, curve=(t, 0), partner=(-t, 0), note="fold: sigma(s1, s2) = (-s1, s2)"),
    ],
)

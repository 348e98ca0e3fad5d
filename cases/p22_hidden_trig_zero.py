"""A hidden trigonometric zero: d g3/d s1 = cos 2s2 + 2 sin^2 s2 - 1 is 0, so Type D holds.

Row P22 of the case table (docs/mathematics.md section 13): g = (s1 + s1**3, s2,
e^{s2} + s1*(cos 2s2 + 2 sin^2 s2 - 1)) (d_x = 3), blocks [0],[1] (factors {s1}, {s2}),
box (-1,1)^2, s* = 0.

Expected: Type D proved: d g3/d s1 = cos 2s2 + 2 sin^2 s2 - 1 is identically 0, proved by
`simplify` in the zero-test cascade (section 2.2), so row 3 depends on s2 only; Type M holds
at s* and for all s (rows 1 and 2 exclusive, 1 + 3 s1**2 > 0); at s* J has the columns
(1,0,0) and (0,1,1), so rho = (3,4) and Type S holds; H2, H3 proved; D-irreducible at s*;
locally injective. Numerically the zero entry is not 0: float64 gives -1.1e-16 at
(0.3, -0.77), so numeric supports need a tolerance (section 15).
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p22-hidden-trig-zero",
    factors=[[s1], [s2]],
    outputs=[s1 + s1**3, s2, sp.exp(s2) + s1 * (sp.cos(2 * s2) + 2 * sp.sin(s2) ** 2 - 1)],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

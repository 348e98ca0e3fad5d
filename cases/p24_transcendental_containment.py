"""Transcendental containment: Omega_2 inside Omega_1 everywhere, so Type M fails (exact zeros, intervals).

Row P24 of the case table (docs/mathematics.md section 13, section 4.2): g = (e^{s1}, e^{s1} + sin s2)
(d_x = 2), blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = 0.

Expected: Type D refuted (row 2 uses both factors); Type M refuted at s* and for all s:
d g1/d s2 = 0 exactly while e^{s1} and cos s2 have interval enclosures away from 0, so
Omega_2 = {2} lies inside Omega_1 = {1,2} (refutation by sampling, section 4.2); at s*
J = [[1,0],[1,1]] is square and not Type D, so rho = (3,2) and Type S fails (section 5.8);
H2, H3 proved (additive); D-irreducible at s*; locally injective: det J = e^{s1} cos s2 has
the interval enclosure [0.19, 2.72] on the box (section 9.1).
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p24-transcendental-containment",
    factors=[[s1], [s2]],
    outputs=[sp.exp(s1), sp.exp(s1) + sp.sin(s2)],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

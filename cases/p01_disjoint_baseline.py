"""Baseline: each factor writes to its own pixels, so every criterion holds.

Row P01 of the case table (docs/mathematics.md section 13): g = (s1, 2*s1, s2, 3*s2) (d_x = 4),
blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = 0.

Expected: Type D proved (every output depends on one factor only, section 3.3); Type M
holds at s* and for all s (the column supports {1,2} and {3,4} are disjoint and never
empty); at s* rho = (4,6) and Type S holds (D + full rank implies S, section 10 item 3;
the two-1-D-factor formula of section 5.7 with no overlap gives rho- = 4 + min(2,2));
H2 and H3 proved (g is additive, section 6.2); D-irreducible at s* (1-D blocks with
nonzero columns); locally injective (rank J = 2 everywhere).
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p01-disjoint-baseline",
    factors=[[s1], [s2]],
    outputs=[s1, 2 * s1, s2, 3 * s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

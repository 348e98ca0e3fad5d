"""A transcendental generator whose Type D is proved by zero tests, not polynomial algebra.

Row P02 of the case table (docs/mathematics.md section 13): g = (s1, s1**2, e^{s2}, s2**3) (d_x = 4),
blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = 0.

Expected: Type D proved (each output uses one factor, so every cross partial is
structurally 0; the exp makes this a zero-test argument, section 3.3, not z3); Type M holds
at s* and for all s (rows 1 and 3 are exclusive: d g1/d s1 = 1 and d g3/d s2 = e^{s2} > 0,
section 4.2 `exclusive-rows`); at s* J has the columns e1 and e3, so rho = (2,3) and Type S
holds (section 5.7); H2, H3 proved (additive); D-irreducible at s*; locally injective (the
minor 1 * e^{s2} never vanishes).
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p02-transcendental-disjoint",
    factors=[[s1], [s2]],
    outputs=[s1, s1**2, sp.exp(s2), s2**3],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

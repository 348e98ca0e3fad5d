"""A proportional overlap of exactly half the smaller support: Type S ties (rho+ = rho-).

Row P26 of the case table (docs/mathematics.md section 13, section 5.7): g = (s1, 2*s1, -s1, s2,
3*s2, s1 + s2, 2*s1 + 2*s2) (d_x = 7), blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2,
s* = 0.

Expected: Type D refuted (rows 6, 7 use both factors); Type M holds at s* and for all s;
at s* n1 = 5, n2 = 4 and the overlap o = 2 is fully proportional (one class, ratio 1), which
is exactly half of the smaller support: rho = (9,9), a tie, so Type S fails under the
default strict reading and holds under `non-strict` (section 5.7: 2|O| = min(n1, n2)); M
does not imply S (section 10). H2, H3 proved (linear); D-irreducible at s*; locally
injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p26-proportional-overlap-tie",
    factors=[[s1], [s2]],
    outputs=[s1, 2 * s1, -s1, s2, 3 * s2, s1 + s2, 2 * s1 + 2 * s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

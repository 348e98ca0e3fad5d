"""A tie with a 2-D factor: one mixing vector cancels both overlap pixels, so rho+ = rho-.

Row P28 of the case table (docs/mathematics.md section 13, section 5.10): g = (s1, s2, s1 - s2, s3,
s3, s2 + s3, s1 + s3) (d_x = 7), blocks [0,1],[2] (factors {s1, s2}, {s3}), box (-1,1)^3,
s* = 0.

Expected: Type D refuted (rows 6, 7 use both factors); Type M holds at s* and for all s
(J constant; no cross-block column support contains another); at s* rho = (10,10), a tie,
so Type S fails under the strict reading: the mixing vector u = (1,1,-1) has
Ju = (1,1,0,-1,-1,0,0) of weight 4, cancelling both overlap pixels (and pixel 3), so
{e1, e2, u} (weights 3, 3, 4) is as sparse as the best aligned basis; H2, H3 proved
(linear); D-irreducible at s* (the block rows (1,0), (0,1), (1,-1), (0,1), (1,0) span three
directions); locally injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)

GENERATOR = Generator(
    name="p28-multidim-block-tie",
    factors=[[s1, s2], [s3]],
    outputs=[s1, s2, s1 - s2, s3, s3, s2 + s3, s1 + s3],
    domain=Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0), s3: sp.Integer(0)}],  # s*
)

"""A three-block product term: H3 fails block-diagonally but holds pairwise; H4 holds.

Row P29 of the case table (docs/mathematics.md section 13, section 6.1): g = (s1, s2, s3, s4,
s1*(s2 + 2*s3)*s4) (d_x = 5), blocks [0],[1,2],[3] (factors {s1}, {s2, s3}, {s4}), box
(-1,1)^4, s* = (1/2, 1/2, 1/2, 1/2).

Expected: Type D refuted (row 5 uses all three factors); Type M holds at s* and for all s
(rows 1-4 are exclusive to their columns); at s* rho = (8,8), a tie, so Type S fails under
the strict reading; H2 refuted (d^2 g5/ds1 ds4 = s2 + 2*s3); H3 depends on the `hn` reading:
every cubic monomial of g5 meets all three blocks, so H3 is refuted under the default
`block-diagonal` reading (d^3 g5/ds1 ds2 ds4 = 1) and proved under `pairwise`; H4 proved
under both (g5 has degree 3), so H4 does not imply H3 (section 10); D-irreducible at s*
(the 2-D block's rows (1,0), (0,1), (1/4,1/2) give three directions); locally injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2, s3, s4 = sp.symbols("s1 s2 s3 s4", real=True)

_half = sp.Rational(1, 2)

GENERATOR = Generator(
    name="p29-three-block-h3-reading",
    factors=[[s1], [s2, s3], [s4]],
    outputs=[s1, s2, s3, s4, s1 * (s2 + 2 * s3) * s4],
    domain=Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1), s4: (-1, 1)}),
    points=[{s1: _half, s2: _half, s3: _half, s4: _half}],  # s*
)

"""Type D with a D-irreducible 2-D factor: the aligned basis maximises the G_D component count.

Row P14 of the case table (docs/mathematics.md section 13): g = (s1, s2, s1 + s2, s3, s3) (d_x = 5),
blocks [0,1],[2] (factors {s1, s2}, {s3}), box (-1,1)^3, s* = 0.

Expected: Type D proved; Type M holds at s* and for all s; at s* rho = (6,8) and Type S
holds (D + full rank, section 10 item 3); H2, H3 proved (linear); D-irreducible at s* and
for all s (the block rows (1,0), (0,1), (1,1) are three distinct directions, section 7.2,
and J is constant); locally injective. G_D (section 8): the aligned basis has 2 components,
every misaligned basis fewer.
"""

import sympy as sp

from theory import Box, Generator

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)

GENERATOR = Generator(
    name="p14-disjoint-irreducible-block",
    factors=[[s1, s2], [s3]],
    outputs=[s1, s2, s1 + s2, s3, s3],
    domain=Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0), s3: sp.Integer(0)}],  # s*
)

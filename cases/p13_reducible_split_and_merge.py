"""A Type D generator whose 2-D factor splits (s1 +- s2): reducible, open to split-and-merge.

Row P13 of the case table (docs/mathematics.md section 13): g = (s1 + s2, s1 - s2, s3, s3) (d_x = 4),
blocks [0,1],[2] (factors {s1, s2}, {s3}), box (-1,1)^3, s* = 0.

Expected: Type D proved (rows 1-2 use only the first block, rows 3-4 only the second);
Type M holds at s* and for all s (coordinate basis: cross-block supports {1,2} and {3,4}
are disjoint); at s* rho = (4,5) and Type S holds; the sparsest aligned basis of the first
block is {(1,1,0), (1,-1,0)} of weight 2, while the coordinate l0 of the block is 4, so the
coordinate l0 differs from rho+ (section 5.9); H2, H3 proved (linear); NOT D-irreducible at
s*: the block's rows (1,1), (1,-1) form two matroid components, so the block splits into
s1 + s2 and s1 - s2 (section 7.1), which gives the split-and-merge competitor of section
11.2; G_D of the aligned basis {(1,1,0), (1,-1,0), e3} has 3 > 2 components (section 8);
locally injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)

GENERATOR = Generator(
    name="p13-reducible-split-and-merge",
    factors=[[s1, s2], [s3]],
    outputs=[s1 + s2, s1 - s2, s3, s3],
    domain=Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0), s3: sp.Integer(0)}],  # s*
)

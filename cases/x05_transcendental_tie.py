"""Type S fails everywhere with a tie: a shared exponential pixel, exactly half of each support.

Beyond the case table (issue 13): g = (e^{s1}, e^{s2}, e^{s1} + e^{s2}) (d_x = 3), blocks
[0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = (0, 0).

Expected: Type D refuted (row 3 uses both factors).  At every s the supports are {1, 3} and
{2, 3}: n1 = n2 = 2 with one overlap pixel (o = o1 = 1), so by the closed form of
docs/mathematics.md 5.7 rho+ = 4 = rho- (a tie) and strict Type S fails everywhere, while the
non-strict reading holds everywhere.  At s* the Jacobian is rational, and the misaligned basis
{e1, e1 - e2} of weight 2 + 2 is the exact witness.  Theorem 4 is not established (S refuted).
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="x05-transcendental-tie",
    factors=[[s1], [s2]],
    outputs=[sp.exp(s1), sp.exp(s2), sp.exp(s1) + sp.exp(s2)],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

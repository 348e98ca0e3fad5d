"""(s1**2 - s2**2)/(s1 - s2)**2 is 0/0 on the diagonal, but it equals (s1 + s2)/(s1 - s2) off it:
unbounded near every diagonal point but the origin, a pole line, not a removable singularity."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="pole-after-cancelling",
    factors=[[s1], [s2]],
    outputs=[(s1**2 - s2**2) / (s1 - s2) ** 2, s1, s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
)

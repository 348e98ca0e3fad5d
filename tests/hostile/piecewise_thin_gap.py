"""A Piecewise without a default piece whose two pieces leave out the diagonal s1 = s2 (a
function written as "s1 above the diagonal, s2 below" that forgets the diagonal itself): g has
no value on a line through the domain.  z3 finds a point of it."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="piecewise-thin-gap",
    factors=[[s1], [s2]],
    outputs=[sp.Piecewise((s1**2, s1 > s2), (s2**2, s1 < s2)), s1, s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
)

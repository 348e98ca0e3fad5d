"""A pole on a circle without rational points, in an output of degree 70: the numerator
(2 + s1)**70 is positive on the box, the denominator vanishes on s1**2 + s2**2 = 1/3, which
crosses the box at (1/sqrt(3), 0).  A degree bound had skipped the cancellation (which takes
no time here) and the case loaded; the cancellation now runs in a killable child instead."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="pole-high-degree",
    factors=[[s1], [s2]],
    outputs=[s1, s2 + (2 + s1) ** 70 / (s1**2 + s2**2 - sp.Rational(1, 3))],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
)

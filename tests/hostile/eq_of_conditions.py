"""A condition that compares two conditions with Eq ("s1 > 0 exactly when s2 > 0"): its atom
is not a comparison of numbers, and the checks took lhs - rhs of it (an internal error, exit 3).
Refused with a pointer to Equivalent."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="eq-of-conditions",
    factors=[[s1], [s2]],
    outputs=[s1, s2, sp.Piecewise((s1 * s2, sp.Eq(s1 > 0, s2 > 0)), (0, True))],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
)

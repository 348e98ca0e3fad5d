"""A Piecewise without a default piece whose condition is transcendental (sin(3 s1) > 0, outside
what z3 decides): no piece applies on s1 < 0.  A probe point of the domain where the condition
is certified false on a neighbourhood shows it."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="piecewise-transcendental-gap",
    factors=[[s1], [s2]],
    outputs=[sp.Piecewise((sp.exp(s1) * s2, sp.sin(3 * s1) > 0)), s1, s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
)

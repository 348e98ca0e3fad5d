"""A pole inside the domain: 1/(s1 - 1/2) on (-1, 1)^2 has no value at s1 = 1/2.  Before, the
case loaded, and a global D refutation put its witness on the pole line (1/2, 1/2), where g is
not defined.  z3 finds the zero of the denominator; the output is re-evaluated there exactly."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="pole-in-domain",
    factors=[[s1], [s2]],
    outputs=[1 / (s1 - sp.Rational(1, 2)), s2, s1 * s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
)

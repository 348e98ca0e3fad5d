"""Poles that probe points and a single z3 model of the denominator miss: 1/(s1**2 - 1/2) has its
poles at +-1/sqrt(2) (irrational: a rounded model is not a pole); z3 now proves that the denominator
vanishes where the numerator does not, and the case is refused with the rounded point."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="pole-irrational",
    factors=[[s1], [s2]],
    outputs=[1 / (s1**2 - sp.Rational(1, 2)), s2, s1 + s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
)

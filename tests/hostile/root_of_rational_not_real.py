"""sqrt((s1 + 1/2)/(s1 + 2)) is not real for s1 < -1/2 (the denominator is positive on the box):
z3 finds (s1 + 1/2)(s1 + 2) < 0."""
import sympy as sp

from theory import Box, Generator

R = sp.Rational
s1, s2 = sp.symbols("s1 s2", real=True)
GENERATOR = Generator(
    "root-of-rational", [[s1], [s2]], [sp.sqrt((s1 + R(1, 2)) / (s1 + 2)), s2, s2**3], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: R(1, 4), s2: R(1, 2)}]
)

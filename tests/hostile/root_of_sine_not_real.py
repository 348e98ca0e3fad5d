"""sqrt(sin(s1 + 1/2)) is not real for s1 < -1/2 on the box: a transcendental argument, found
among the first points of the domain's sequence."""
import sympy as sp

from theory import Box, Generator

R = sp.Rational
s1, s2 = sp.symbols("s1 s2", real=True)
GENERATOR = Generator(
    "root-of-sine", [[s1], [s2]], [sp.sqrt(sp.sin(s1 + R(1, 2))), s2, s2**3], Box({s1: (-1, 1), s2: (-1, 1)}), points=[{s1: R(1, 4), s2: R(1, 2)}]
)

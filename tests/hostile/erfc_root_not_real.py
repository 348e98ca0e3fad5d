"""erfc(sqrt(s1)) on s1 < 0: erfc of an imaginary number, whose real and imaginary parts sympy
cannot separate.  Before, the realness probe recursed on the parts until Python's recursion
limit (an internal error, exit 3)."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="erfc-root-not-real",
    factors=[[s1], [s2]],
    outputs=[s1, s2, sp.erfc(sp.sqrt(s1)) * s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
)

"""Outputs that are not real on the domain: acosh(s1) for s1 < 1 and log(s2) for s2 < 0.  Before,
only a literal I was refused, and a check could refute D with a witness whose values had an
imaginary part."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="not-real-on-domain",
    factors=[[s1], [s2]],
    outputs=[s1, s2, sp.acosh(s1) + sp.log(s2)],
    domain=Box({s1: (-3, -2), s2: (-1, 1)}),
)

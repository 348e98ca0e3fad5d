"""A Piecewise without a default piece that covers only part of the domain (-1, 1)^2: on
s1 <= 1/2 no piece applies and g has no value.  Before, the checks gave verdicts about the part
where g is defined, as if the domain were smaller than the one written."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="piecewise-gap-on-domain",
    factors=[[s1], [s2]],
    outputs=[s2, sp.Piecewise((s1 * s2, s1 > sp.Rational(1, 2))), s1 + s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
)

"""A Piecewise without a default piece whose only condition (s1 > 5) holds nowhere on the domain
(-1, 1)^2: g has no value there.  Before, the piecewise-linear route met the missing piece as an
internal error (exit 3) and the other checks gave verdicts about an undefined g."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="piecewise-empty-on-domain",
    factors=[[s1], [s2]],
    outputs=[sp.Piecewise((s1, s1 > 5)), s2, s1 + s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
)

"""One latent at degree 1500 with coefficients that grow: sympy's cancel takes about 48 s, and
loading is outside every budget.  It runs in a killable child for at most 5 s; then the probe
points only (there is no pole: 1 + 3 s1 / 1013 > 0 on the box)."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="slow-cancellation",
    factors=[[s1], [s2]],
    outputs=[s1, s2, s2 + (1 + 2 * s1 / 1009) ** 1500 / (1 + 3 * s1 / 1013) ** 450],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
)

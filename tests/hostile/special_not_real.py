"""Special functions that are not real on part of the domain: Ci, expint and elliptic_k where
their real range ends (Ci(s) = log|s| + ... + i pi for s < 0).  Before, only log, roots and a
short list of inverse functions were probed, and these loaded and got verdicts about a complex g."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="special-not-real",
    factors=[[s1], [s2]],
    outputs=[s1, s2, sp.Ci(s1) * s2],
    domain=Box({s1: (-2, -1), s2: (-1, 1)}),
)

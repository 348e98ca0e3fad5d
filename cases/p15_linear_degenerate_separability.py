"""A linear generator: Hn for every n and trivially irreducible, yet separability is degenerate.

Row P15 of the case table (docs/mathematics.md section 13): g = (s1 + s2, s1 + 2*s2, s2) (d_x = 3),
blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2, s* = 0.

Expected: Type D refuted (rows 1, 2 use both factors); Type M refuted at s* and for all s
(Omega_1 = {1,2} lies inside Omega_2 = {1,2,3}); at s* rho = (5,4) and Type S fails (the
overlap rows have ratios 1 and 2, section 5.7: rho- = (5 - 2 - 1) + min(2,3,2) = 4); H2, H3
proved (linear: Hn for every n); D-irreducible at s* (1-D blocks); locally injective.
SEP-weak holds only vacuously: every W_k^n = 0, so non-degeneracy fails, and every linear
g o U is Hn too, so Hn + SEP-weak + irreducibility does not give identifiability (section
6.4).
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="p15-linear-degenerate-separability",
    factors=[[s1], [s2]],
    outputs=[s1 + s2, s1 + 2 * s2, s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

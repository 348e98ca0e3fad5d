"""Theorem 5 at n = 3 fails on separability alone: both factors' cubics share one output.

Beyond the case table (issue 14): g = (s1, s2, s3, s4, s1^2 s2 + s3^2 s4, s1 s3) (d_x = 6),
factors {s1, s2} and {s3, s4}, box (-1, 1)^4, s* = 0.

Expected: as x06 (Type H3 proved, H2 refuted, both factors H3-irreducible on all of S, C^3,
T1-T3 proved), except that the pure third derivatives of both factors lie on the same output:
W_1 = W_2 = span(e_5), so 3rd-order separability (weak) is refuted at s* and Theorem 5 with
n = 3 is not established, with sep3 the only refuted hypothesis.
"""

import sympy as sp

from theory import Box, Generator

s1, s2, s3, s4 = sp.symbols("s1 s2 s3 s4", real=True)

GENERATOR = Generator(
    name="x07-cubic-not-separable",
    factors=[[s1, s2], [s3, s4]],
    outputs=[s1, s2, s3, s4, s1**2 * s2 + s3**2 * s4, s1 * s3],
    domain=Box({s: (-1, 1) for s in (s1, s2, s3, s4)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0), s3: sp.Integer(0), s4: sp.Integer(0)}],  # s*
)

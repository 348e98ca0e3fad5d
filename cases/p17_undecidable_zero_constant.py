"""A transcendental zero c' = acos(5/13) - 2 atan(2/3): H2 and H3 must stay unknown (honest limit).

Row P17 of the case table (docs/mathematics.md section 13): g = (s1, s2, s1 + s2**2 + c'*s1**2*s2)
(d_x = 3) with c' = acos(5/13) - 2*atan(2/3), blocks [0],[1] (factors {s1}, {s2}), box
(-1,1)^2, s* = (1/2, 1/2).

The constant c' is exactly 0 (both angles have tangent 12/5), but it is not algebraic, so
no step of the zero-test cascade can prove it: simplify, trigsimp, rewrites fail, equals(0)
returns None and minimal_polynomial raises (section 2.1). It is kept unevaluated here.

Expected: Type D refuted with an exact witness on the line s1 = 0, e.g. (0, 1/2), where the
c' terms vanish (d g3/d s1 = 1, d g3/d s2 = 2*s2 = 1; section 3.3 witness policy); Type M
holds at s* and for all s (rows 1, 2 are exclusive to their columns); rho and Type S at s*
are "-" (not decided): J(s*) involves c' and cannot be evaluated exactly (the true value
is (4,4), a tie); H2 and H3 unknown (the truth is proved, but d^2 g3/ds1 ds2 =
2*c'*s1 and d^3 g3/ds1^2 ds2 = 2c' cannot be proved zero; the checker must never say
`proved`, section 2.1); H4 proved (g3 has degree 3, all fourth derivatives vanish
structurally); D-irreducible at s*; locally injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

# Exactly 0, but not provably so by the cascade (not algebraic): keep it unevaluated.
c_prime = sp.acos(sp.Rational(5, 13)) - 2 * sp.atan(sp.Rational(2, 3))

GENERATOR = Generator(
    name="p17-undecidable-zero-constant",
    factors=[[s1], [s2]],
    outputs=[s1, s2, s1 + s2**2 + c_prime * s1**2 * s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}],  # s*
)

"""A hidden algebraic zero c = tan(3pi/11) + 4 sin(2pi/11) - sqrt(11): H2 needs minimal polynomials.

Row P16 of the case table (docs/mathematics.md section 13): g = (s1, s2, s1**2 + s2 + c*s1*s2**2)
(d_x = 3) with c = tan(3*pi/11) + 4*sin(2*pi/11) - sqrt(11), blocks [0],[1] (factors {s1},
{s2}), box (0,1)^2, s* = (1/3, 2/3).

The constant c is exactly 0, but `simplify`, `trigsimp` and `expand_trig` leave it
unchanged; only `minimal_polynomial(c, x) == x` proves it (section 2.1). It is kept
unevaluated here on purpose.

Expected: Type D refuted (row 3 uses both factors; at any rational point the entries are
algebraic and decided exactly, e.g. d g3/d s1 at s* is 2/3 + (4/9)c, minimal polynomial
9x - 6, section 2.4); Type M holds at s* and for all s (rows 1, 2 are exclusive to their
columns); at s* row 3 is exactly (2/3, 1), so rho = (4,4), a tie, and Type S fails under
the strict reading; H2 proved (d^2 g3/ds1 ds2 = 2*c*s2, zero by the minimal polynomial,
section 6.3) and H3 proved likewise (d^3 g3/ds1 ds2^2 = 2c); D-irreducible at s*; locally
injective. J(s*) is exact only via minimal polynomials.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

# Exactly 0, but sympy does not see it: keep it unevaluated (only minimal_polynomial decides it).
c = sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11)

GENERATOR = Generator(
    name="p16-algebraic-zero-constant",
    factors=[[s1], [s2]],
    outputs=[s1, s2, s1**2 + s2 + c * s1 * s2**2],
    domain=Box({s1: (0, 1), s2: (0, 1)}),
    points=[{s1: sp.Rational(1, 3), s2: sp.Rational(2, 3)}],  # s*
)

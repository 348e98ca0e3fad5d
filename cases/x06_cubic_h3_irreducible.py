"""Theorem 5 at n = 3 holds: Type H3 without H2, H3-irreducible 2-D factors, separable at order 3.

Beyond the case table (issue 14): g = (s1, s2, s3, s4, s1^2 s2, s3^2 s4, s1 s3) (d_x = 7),
factors {s1, s2} and {s3, s4}, box (-1, 1)^4, s* = 0.

Expected (docs/mathematics.md 6 and 7.7):

* Type H2 refuted (d^2 g_7 / ds1 ds3 = 1); Type H3 proved (no output has a third derivative
  that mixes the factors; s1 s3 has none at all).
* 3rd-order separability holds at s*: the pure third derivatives of factor 1 span
  W_1 = span(e_5) (d^3 g_5 / ds1^2 ds2 = 2), those of factor 2 span W_2 = span(e_6), and the
  derivatives of orders 1 and 2 span L = span(e_1, ..., e_4, e_7) there (those of g_5 and g_6
  vanish at 0), so W_1, W_2 and L are independent and W_1, W_2 are nonzero.  At a point where
  s2 != 0 the second derivative 2 s2 e_5 would put W_1 inside L: separability is a property
  of the checked point.
* Every factor is H3-irreducible: its cubic x^2 y has a double root, so it is no direct sum; the
  centre of its third-derivative tensor is one-dimensional modulo its radical (method
  harrison-centre).  The third derivatives are constants, so the answer at s* holds on all of S.
* C^3, T1, T2 (a box) and local injectivity (the first four outputs are the latents) hold, so
  Theorem 5 with n = 3 is established.
"""

import sympy as sp

from theory import Box, Generator

s1, s2, s3, s4 = sp.symbols("s1 s2 s3 s4", real=True)

GENERATOR = Generator(
    name="x06-cubic-h3-irreducible",
    factors=[[s1, s2], [s3, s4]],
    outputs=[s1, s2, s3, s4, s1**2 * s2, s3**2 * s4, s1 * s3],
    domain=Box({s: (-1, 1) for s in (s1, s2, s3, s4)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0), s3: sp.Integer(0), s4: sp.Integer(0)}],  # s*
)

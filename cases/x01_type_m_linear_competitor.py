"""Type M with 1-D factors and the sparsity constraint, yet not identifiable (docs/mathematics.md 4.3, 11.3).

Not a row of the case table: the spec's counterexample showing that Theorem 3 needs a
hypothesis beyond "Type M + M-irreducible + sparsity side condition".  g = (s1, s2, s1 + s2)
is Type M for all s and every factor is 1-D (trivially irreducible), but
g_hat(z) = (z1, z2 - z1, z2) = g(U z) with U = [[1, 0], [-1, 1]] has the same number of
nonzeros, is Type M too, and h(s) = U^-1 s = (s1, s1 + s2) is not decomposable.  The
spanning condition (reading thm3: with-spanning) fails on row 3: d1 g3 - d2 g3 == 0, and
`mechind theorem 3` names exactly that hypothesis; `mechind counterexample x01 --criterion M`
builds the competitor.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="x01-type-m-linear-competitor",
    factors=[[s1], [s2]],
    outputs=[s1, s2, s1 + s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Rational(1, 2), s2: sp.Rational(-1, 3)}],
)

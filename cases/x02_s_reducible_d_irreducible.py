"""A factor that is D-irreducible but S-reducible (docs/mathematics.md 7.5).

Not a row of the case table: the spec's example that S-irreducibility differs from
D-irreducibility.  The 2-D factor {s1, s2} has rows (1,0) x3, (0,1) x3 and (1,1): its row
matroid is connected (D-irreducible), but splitting it into {s1}, {s2} still satisfies
Type S (the refinement has rho = (9, 10)), so it is S-reducible and Theorem 4 names the
S-irreducibility hypothesis; `mechind counterexample x02 --criterion irreducible:S` builds
the split-and-merge competitor.
"""

import sympy as sp

from theory import Box, Generator

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)

GENERATOR = Generator(
    name="x02-s-reducible-d-irreducible",
    factors=[[s1, s2], [s3]],
    outputs=[s1, s1, s1, s2, s2, s2, s1 + s2, s3],
    domain=Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0), s3: sp.Integer(0)}],
)

"""A 2-D factor of exponential sprites with three fixed directions: S-irreducible everywhere.

Beyond the case table (issue 13): g = (e^{s1}, e^{s2}, e^{s1+s2}, sigmoid(s3), sin(s3) + 2 s3)
(d_x = 5), blocks [0, 1],[2] (factors {s1, s2}, {s3}), box (-1,1)^3, s* = (0, 0, 0).

Expected: Type D proved; the rows of the first factor point along (1, 0), (0, 1) and (1, 1) at
every s (each scaled by a positive exponential), so the block has full rank everywhere and
three direction classes of one row each: no split keeps Type S (docs/mathematics.md 7.3,
method `direction-classes`), and Type S holds on all of S (`disjoint-and-full-rank`).  At s*
the Jacobian is rational: the first factor's sparsest basis {e1, e2} (or any two of e1, e2,
e1 - e2) weighs 2 + 2, the second's 2, so rho+ = 6, and the best misaligned basis weighs 8:
rho = (6, 8).  Theorem 4 is established.
"""

import sympy as sp

from theory import Box, Generator

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)

GENERATOR = Generator(
    name="x04-transcendental-2d-factor",
    factors=[[s1, s2], [s3]],
    outputs=[sp.exp(s1), sp.exp(s2), sp.exp(s1 + s2), 1 / (1 + sp.exp(-s3)), sp.sin(s3) + 2 * s3],
    domain=Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0), s3: sp.Integer(0)}],  # s*
)

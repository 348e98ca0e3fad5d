"""Two 1-D factors rendered by transcendental sprites: Theorem 4 holds on the whole domain.

Beyond the case table (issue 13): g = (e^{s1}, sigmoid(2 s1), e^{-(s1-1)^2}, sin(s2) + 2,
tanh(s2), cos(s2) + 2 s2) (d_x = 6), blocks [0],[1] (factors {s1}, {s2}), box (-1,1)^2,
s* = (0, 0).

Expected: Type D proved (each output uses one factor); every column has an entry that never
vanishes on the box (e^{s1} > 0; cos(s2) > 0 on (-1, 1)), so each block has full column rank
everywhere, certified by interval enclosures, and Type S holds on all of S (docs/mathematics.md
5.10, method `disjoint-and-full-rank`); 1-D factors are S-irreducible; the box is convex and g
is locally injective, so Theorem 4 is established.  At s* the Jacobian is not rational
(sigmoid'(0) = 1/2 but the Gaussian bump gives 2/e), so the matroid engines do not apply
there; the pointwise S check decides it by the two-factor closed form on certified supports
(rho+ = 6 < rho- = 9), and the pointwise irreducibility, graph and separability checks by
certified minors.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

GENERATOR = Generator(
    name="x03-transcendental-sprites",
    factors=[[s1], [s2]],
    outputs=[sp.exp(s1), 1 / (1 + sp.exp(-2 * s1)), sp.exp(-((s1 - 1) ** 2)), sp.sin(s2) + 2, sp.tanh(s2), sp.cos(s2) + 2 * s2],
    domain=Box({s1: (-1, 1), s2: (-1, 1)}),
    points=[{s1: sp.Integer(0), s2: sp.Integer(0)}],  # s*
)

"""Irreducibility failing on a measure-zero set: one formula on a box that meets it and one that avoids it.

Rows P30 and P31 of the case table (docs/mathematics.md section 13, section 7.3): the same
g = (s1, s2, s1 + s2 + (s1 - s2)**2/2, s3, 2*s3) (d_x = 5), blocks [0,1],[2] (factors
{s1, s2}, {s3}), s* = (1/4, 1/2, 0) for both. Row 3 restricted to the first block is
(1 + (s1 - s2), 1 - (s1 - s2)).

P30: box (-1,1)^3. Type D proved; Type M holds at s* and for all s; at s* rho = (6,8) and
Type S holds (D + full rank); H2, H3 proved (the only cross term is inside the first
block); D-irreducible at s* (rows (1,0), (0,1), (3/4,5/4): three directions) but NOT for all
s: on the lines s1 - s2 = +-1 row 3 becomes parallel to row 1 or row 2, so the block has
only two parallel classes and splits (z3 witness e.g. (1/2, -1/2, 0)); locally injective.

P31: box (0,1)^2 x (-1,1), where |s1 - s2| < 1, so the bad lines are outside: the same
verdicts, and D-irreducible at s* and for all s.
"""

import sympy as sp

from theory import Box, Generator

s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)

_outputs = [s1, s2, s1 + s2 + (s1 - s2) ** 2 / 2, s3, 2 * s3]
_s_star = {s1: sp.Rational(1, 4), s2: sp.Rational(1, 2), s3: sp.Integer(0)}
_body = (__doc__ or "").split("\n", 1)[-1]  # the shared paragraphs (None under python -OO)

GENERATORS = [
    Generator(
        name="p30-reducible-on-lines",
        factors=[[s1, s2], [s3]],
        outputs=_outputs,
        domain=Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)}),
        points=[dict(_s_star)],  # s*
        description="A 2-D factor irreducible at generic points but reducible on the lines "
        "s1 - s2 = +-1 inside the box."
        + "\n"
        + _body,
    ),
    Generator(
        name="p31-irreducible-on-box",
        factors=[[s1, s2], [s3]],
        outputs=_outputs,
        domain=Box({s1: (0, 1), s2: (0, 1), s3: (-1, 1)}),
        points=[dict(_s_star)],  # s*
        description="The same 2-D factor on a box that avoids the bad lines: D-irreducible for all s."
        + "\n"
        + _body,
    ),
]

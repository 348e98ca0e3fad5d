"""Supports that switch with s: Type D fails on the box but holds on a convex region inside it.

Rows P20 and P21 of the case table (docs/mathematics.md section 13, section 3.3): the same
g = (s1, s2, (s1 - 1)**4*[s1 > 1] + (s2 + 1)**4*[s2 < -1]) (d_x = 3), [c] the indicator of
c, blocks [0],[1] (factors {s1}, {s2}), s* = (5/4, -1/2) for both.

P20: box (0,2) x (-2,0). Type D refuted (z3 witness e.g. (3/2, -3/2), where both partials
of g3 are nonzero). Type M holds at s* and for all s (rows 1, 2 exclusive); at s* row 3 is
(1/16, 0), so rho = (3,4) and Type S holds; H2, H3 proved (each piece of g3 depends on
one factor); D-irreducible at s*; locally injective.

P21: the region {s1 - s2 < 2} inside the same box. Type D proved, although neither partial
of g3 is identically 0 there (d g3/d s1 (3/2, -1/4) = 1/2, d g3/d s2 (1/2, -5/4) = -1/16): the
two indicators are never on together, because s1 > 1 and s2 < -1 force s1 - s2 > 2. The
analytic shortcut of section 3.3 would wrongly refute D; z3 is the complete route. All
other verdicts as for P20 (M, rho = (3,4) with S, H2, H3, irreducible, locally injective);
the region is convex, so T1 and T2 hold (section 9.1).
"""

import sympy as sp

from theory import Box, Generator, Region

s1, s2 = sp.symbols("s1 s2", real=True)

_outputs = [
    s1,
    s2,
    sp.Piecewise(((s1 - 1) ** 4, s1 > 1), (0, True)) + sp.Piecewise(((s2 + 1) ** 4, s2 < -1), (0, True)),
]
_box = Box({s1: (0, 2), s2: (-2, 0)})
_s_star = {s1: sp.Rational(5, 4), s2: sp.Rational(-1, 2)}
_body = (__doc__ or "").split("\n", 1)[-1]  # the shared paragraphs (None under python -OO)

GENERATORS = [
    Generator(
        name="p20-switching-supports-box",
        factors=[[s1], [s2]],
        outputs=_outputs,
        domain=_box,
        points=[dict(_s_star)],  # s*
        description="Supports that switch with s: on the full box both indicators can be on, "
        "so Type D fails."
        + "\n"
        + _body,
    ),
    Generator(
        name="p21-switching-supports-region",
        factors=[[s1], [s2]],
        outputs=_outputs,
        domain=Region(_box, s1 - s2 < 2),
        points=[dict(_s_star)],  # s*
        description="The same switching supports on the region s1 - s2 < 2: Type D holds "
        "although no partial of g3 is identically 0."
        + "\n"
        + _body,
    ),
]

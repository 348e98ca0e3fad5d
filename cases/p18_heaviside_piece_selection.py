"""One Heaviside formula on two boxes: H2 holds where the step is off and fails where it is on.

Rows P18 and P19 of the case table (docs/mathematics.md section 13, section 2.2): the same
g = (s1, s2, s2**2 + s1*(1 + H(s2 - 2)*(s2 - 2)**3)) (d_x = 3), H the Heaviside step,
blocks [0],[1] (factors {s1}, {s2}).

P18: box (-1,1) x (0,1), s* = (1/2, 1/2). There s2 - 2 lies in (-2,-1), so piece selection
replaces H by 0 (and its derivative delta by 0) and the cross derivative
d^2 g3/ds1 ds2 = 3H(s2-2)(s2-2)**2 + delta(s2-2)(s2-2)**3 is 0: H2 and H3 proved, but only
by piece selection (section 2.2). Type D refuted (g3 = s2**2 + s1 on the box); Type M holds
at s* and for all s (rows 1, 2 exclusive); at s* row 3 is (1, 1), so rho = (4,4), a tie,
and Type S fails under the strict reading; D-irreducible at s*; locally injective.

P19: box (-1,1) x (3,4), s* = (1/2, 7/2). There H = 1 and the same formula gives
d^2 g3/ds1 ds2 = 3(s2 - 2)**2 != 0 and d^3 g3/ds1 ds2^2 = 6(s2 - 2) != 0: H2 and H3
refuted. Type D refuted; Type M holds at s* and for all s; at s* row 3 is (35/8, 83/8),
rho = (4,4), a tie, Type S fails (strict); D-irreducible at s*; locally injective.
"""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)

_outputs = [s1, s2, s2**2 + s1 * (1 + sp.Heaviside(s2 - 2) * (s2 - 2) ** 3)]
_body = (__doc__ or "").split("\n", 1)[-1]  # the shared paragraphs (None under python -OO)

GENERATORS = [
    Generator(
        name="p18-heaviside-inactive-piece",
        factors=[[s1], [s2]],
        outputs=_outputs,
        domain=Box({s1: (-1, 1), s2: (0, 1)}),
        points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}],  # s*
        description="The Heaviside step is off on this box, so H2 holds, provable only by "
        "piece selection."
        + "\n"
        + _body,
    ),
    Generator(
        name="p19-heaviside-active-piece",
        factors=[[s1], [s2]],
        outputs=_outputs,
        domain=Box({s1: (-1, 1), s2: (3, 4)}),
        points=[{s1: sp.Rational(1, 2), s2: sp.Rational(7, 2)}],  # s*
        description="The same Heaviside formula on a box where the step is on: H2 and H3 fail."
        + "\n"
        + _body,
    ),
]

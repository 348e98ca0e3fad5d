"""The quick witness search of H_n goes on past a point where the re-check fails.

g3 = Heaviside(s1 - s2) (s1 - s2)^2: the cross derivative is -2 where s1 > s2, 0 where s1 < s2,
and the normal form gives -1 on the diagonal (H(0) = 1/2), where g is not twice differentiable.
The first grid point, (0, 0), lies on the diagonal: its value is nonzero but the witness re-check
rightly refuses it.  H2 must still be refuted, at a point off the diagonal, and re-checked."""

from __future__ import annotations

import sympy as sp

from theory import Box, Generator, check


def test_h2_refuted_past_a_boundary_witness():
    s1, s2 = sp.symbols("s1 s2", real=True)
    g = Generator(name="ramp-squared", factors=[[s1], [s2]], outputs=[s1, s2, sp.Heaviside(s1 - s2) * (s1 - s2) ** 2], domain=Box({s1: (-1, 1), s2: (-1, 1)}))
    (h2,) = check(g, criteria="H2", budget=30, isolate=False)
    assert h2.verdict == "refuted", h2
    point = {str(k): sp.Rational(v) for k, v in h2.witness["point"].items()}
    assert point["s1"] > point["s2"]  # off the diagonal, on the side where the derivative is -2
    assert sp.Rational(str(h2.witness["value"])) == -2
    assert sp.diff((s1 - s2) ** 2, s1, s2) == -2  # the formula on that side

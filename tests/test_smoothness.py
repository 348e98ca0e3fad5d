"""Hypothesis C^n (issue 12): primitives at singularities and pieces that do not join smoothly.

Each truth is worked out by hand from the written function: a cone is not C^1 at its
apex, |x| has a kink, |x|^3 is C^2 but not C^3, a thin piece with another value is not
continuous.  ``proved`` must never be given where the truth is false.
"""

from __future__ import annotations

import pytest
import sympy as sp

from theory import Box, Generator
from theory.criteria.context import CheckContext
from theory.criteria.smoothness import check_smoothness

s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
POSITIVE = Box({s1: (1, 2), s2: (-1, 1)})


def _verdict(outputs, n, domain=BOX):
    g = Generator("g", [[s1], [s2]], [s1, s2, *outputs], domain)
    return check_smoothness(CheckContext(g), n)


@pytest.mark.parametrize(
    "output, n, truth",
    [
        (sp.exp(s1 * s2) + sp.sin(s2), 3, True),
        (sp.Abs(s1) * s2, 1, False),
        (sp.Abs(s1) ** 3 + s2, 2, True),
        (sp.Abs(s1) ** 3 + s2, 3, False),
        (sp.Max(s1, s2), 1, False),
        (sp.Heaviside(s1) * s1**2, 1, True),
        (sp.Heaviside(s1) * s1**2, 2, False),
        (sp.Piecewise((s1 + s2, sp.Ne(s1, sp.Rational(1, 3))), (7, True)), 1, False),
        (sp.sqrt(s1**2 + s2**2), 1, False),
        (1 / s1, 1, False),
        (sp.log(s1 + 2) * s2, 4, True),
    ],
)
def test_smoothness_never_proved_where_false(output, n, truth):
    result = _verdict([output], n)
    if truth:
        assert result.verdict in ("proved", "unknown")
    else:
        assert result.verdict in ("refuted", "unknown")


def test_decided_where_it_should_be():
    assert _verdict([sp.Abs(s1) ** 3 + s2], 2).verdict == "proved"
    refuted = _verdict([sp.Abs(s1) ** 3 + s2], 3)
    assert refuted.verdict == "refuted"
    assert refuted.witness["order"] == 3 and refuted.to_json()["witness"]["point"]["s1"] == "0"
    assert _verdict([sp.Abs(s1) * s2], 1).verdict == "refuted"
    thin = _verdict([sp.Piecewise((s1 + s2, sp.Ne(s1, sp.Rational(1, 3))), (7, True))], 1)
    assert thin.verdict == "refuted" and thin.witness["order"] == 0
    assert _verdict([sp.sqrt(s1**2 + s2**2)], 1).verdict == "unknown"
    assert _verdict([1 / s1 + sp.sqrt(s1)], 5, POSITIVE).verdict == "proved"
    assert _verdict([s1**2 * s2], 5).method == "structural"


def test_refutation_is_a_real_jump():
    # independent check of the witness: the one-sided difference quotients of the written
    # function at the reported point differ in the reported order
    result = _verdict([sp.Abs(s1) * s2], 1)
    point = {s1: sp.Rational(result.to_json()["witness"]["point"]["s1"]), s2: sp.Rational(result.to_json()["witness"]["point"]["s2"])}
    f = sp.Abs(s1) * s2
    h = sp.Rational(1, 10**9)
    right = (f.subs({s1: point[s1] + h, s2: point[s2]}) - f.subs(point)) / h
    left = (f.subs(point) - f.subs({s1: point[s1] - h, s2: point[s2]})) / h
    assert right != left or point[s2] == 0



@pytest.mark.parametrize(
    "jump",
    [
        sp.acot(s1 - s2) + sp.atan(s1 - s2),  # sympy's acot: -pi/2 just left of 0, pi/2 at 0 and right of it
        sp.atan2(s1 + s2, -1) + sp.atan(s1 + s2),  # atan2(y, -1): pi for y >= 0, -pi just below
    ],
)
def test_a_jump_inside_a_primitive_gets_the_smoothness_note(jump):
    """g jumps although no Piecewise is written, and the derivative formulas the checks use are
    0 on both sides: every global verdict about g's derivatives must say that g is not known to
    be C^1.  The jump is read from g's own values at 50 digits, 10^-6 on either side of the line."""
    from theory.checker import check

    eps = sp.Rational(1, 10**6)
    near = [float(jump.xreplace({s1: sp.Rational(1, 3) + d, s2: sp.Rational(1, 3) * (1 if jump.has(sp.acot) else -1)}).evalf(50)) for d in (-eps, eps)]
    assert abs(near[1] - near[0]) > 3, near  # pi/2 - (-pi/2) or pi - (-pi): a jump
    g = Generator("jump", [[s1], [s2]], [s1, s2, jump], Box({s1: (-1, 1), s2: (-1, 1)}))
    assert check_smoothness(CheckContext(g), 1).verdict != "proved"
    glob = [r for r in check(g, criteria=["D", "M", "H2"], budget=20, isolate=False) if r.scope == "global"]
    assert glob and all(r.details["smoothness"]["C1"] == "unknown" for r in glob), glob


def test_acot_away_from_its_jump_is_c1_and_gets_no_note():
    from theory.checker import check

    g = Generator("no-jump", [[s1], [s2]], [s1, s2, sp.acot(s1 - s2)], Box({s1: (1, 2), s2: (-1, 0)}))
    assert check_smoothness(CheckContext(g), 1).verdict == "proved"
    assert all("smoothness" not in (r.details or {}) for r in check(g, criteria=["D"], budget=20, isolate=False))


def test_spanning_and_irreducibility_on_a_discontinuous_g_carry_the_note():
    """g jumps across s1 = s2 (a Heaviside step): spanning and irreducibility read J where it
    exists, like D and M, and say so.  The jump is read from g's values at 10^-9 either side."""
    from theory.checker import check

    step = sp.Heaviside(s1 - s2)
    g = Generator("step", [[s1], [s2]], [s1 + step, s2, s1 + s2], Box({s1: (-1, 1), s2: (-1, 1)}))
    h = sp.Rational(1, 10**9)
    assert g.outputs[0].xreplace({s1: h, s2: 0}) - g.outputs[0].xreplace({s1: -h, s2: 0}) > 1
    glob = {r.criterion: r for r in check(g, criteria=["spanning", "irreducible:D"], budget=30, isolate=False) if r.scope == "global"}
    assert set(glob) == {"spanning", "irreducible:D"}
    assert all(r.details["smoothness"]["C1"] != "proved" for r in glob.values()), glob

"""Global proofs that derivatives never vanish together, on piecewise generators whose formal
derivative sympy selects on a boundary is not g's derivative there.

``z = Piecewise((0, s2 > 0), (0, s2 < 0), (s2, True))`` is 0 for every real s2 (its last piece
holds on the line s2 = 0 only, where its value s2 is 0), but its formal derivative is 1 on that
line.  With g = (s1, s2^3, z) the s2 column of J is (0, 3 s2^2, 0): zero on s2 = 0.  The global
z3 routes read the formal derivative and proved Type M, full column rank (hence Type S) and
D-irreducibility, each of which fails at (0, 0).  Truth: exact two-sided difference quotients
of g's own values at (0, 0)."""

from __future__ import annotations

import pytest
import sympy as sp

from theory import Box, Generator, Region, check

s1, s2 = sp.symbols("s1 s2", real=True)


def _column_s2_at_origin(outputs, h):
    at = {s1: sp.Integer(0), s2: sp.Integer(0)}
    return [(o.xreplace({**at, s2: h}) - o.xreplace({**at, s2: -h})) / (2 * h) for o in outputs]


@pytest.mark.parametrize("disk", [False, True])
def test_a_piece_on_a_line_does_not_prove_that_a_column_never_vanishes(disk):
    z = sp.Piecewise((0, s2 > 0), (0, s2 < 0), (s2, True))
    outputs = [s1, s2**3, z]
    for h in (sp.Rational(1, 10**10), sp.Rational(1, 10**30)):
        assert _column_s2_at_origin(outputs, h) == [0, h**2, 0]  # -> 0: the s2 column vanishes at (0, 0)
    box = Box({s1: (-1, 1), s2: (-1, 1)})
    domain = Region(box, s1**2 + s2**2 < 1) if disk else box
    g = Generator("phantom-rank", [[s1], [s2]], outputs, domain)
    verdicts = {r.criterion: r.verdict for r in check(g, criteria=["M", "S", "irreducible:D"], budget=30, isolate=False) if r.scope == "global"}
    assert set(verdicts) == {"M", "S", "irreducible:D"}
    assert all(v != "proved" for v in verdicts.values()), verdicts


def test_max_plus_min_does_not_refute_full_rank():
    """Max(s1, s2) + Min(s1, s2) - s2 is s1 exactly; on the diagonal sympy's formal derivatives
    of Max and Min take one piece each and the formal column can vanish: full column rank was
    refuted there from those values.  Truth: g = (s2, s1), whose J is a permutation."""
    outputs = [s2, sp.Max(s1, s2) + sp.Min(s1, s2) - s2]
    for a, b in ((sp.Rational(1, 3), sp.Rational(1, 3)), (sp.Rational(-1, 5), sp.Rational(2, 7))):
        assert sp.simplify(outputs[1].xreplace({s1: a, s2: b}) - a) == 0
    g = Generator("max-min", [[s1], [s2]], outputs, Region(Box({s1: (-1, 1), s2: (-1, 1)}), s1**2 + s2**2 < 1))
    (s,) = [r for r in check(g, criteria=["S"], budget=30, isolate=False) if r.scope == "global"]
    assert s.verdict != "refuted" and "refuted" not in str(s.details.get("reason", "")), s


def test_a_rank_drop_on_a_jump_of_g_is_not_reported_as_found():
    """g = (s1, s2^3 for s2 > 0, s2^3 + 1 otherwise) jumps on s2 = 0, where J does not exist;
    sympy merges the derivative's equal pieces (3 s2^2), so the boundary vanishes from the
    minors and z3's point on it was accepted as an exact rank drop ("full column rank refuted").
    Truth: the jump from g's values (1 apart at 10^-12 either side), and the s2 column
    (0, 3 s2^2) off the line by exact quotients."""
    out = sp.Piecewise((s2**3, s2 > 0), (s2**3 + 1, True))
    h = sp.Rational(1, 10**12)
    assert out.xreplace({s2: -h}) - out.xreplace({s2: h}) > sp.Rational(99, 100)
    at = sp.Rational(1, 3)
    assert (out.xreplace({s2: at + h}) - out.xreplace({s2: at - h})) / (2 * h) - 3 * at**2 == h**2
    g = Generator("jump", [[s1], [s2]], [s1, out], Box({s1: (-1, 1), s2: (-1, 1)}))
    (s,) = [r for r in check(g, criteria=["S"], budget=30, isolate=False) if r.scope == "global"]
    assert (s.details.get("rank") or {}).get("f2", {}).get("full_rank") is not False, s


def test_a_rank_drop_under_type_d_refutes_type_s_globally():
    """g = (s1^3, s2^3, (s1 + s2)^3, (s1 - s2)^3, s3), factors {s1, s2} and {s3}: D holds, and at
    s1 = s2 = 0 the first block of J is zero, so a misaligned vector e1 + e3 weighs as little as
    e3: a tie, strict S fails.  The rank drop was found and thrown away (S global `unknown`).
    Truth: J at the witness by sympy's diff of the polynomials, and weights counted by hand."""
    s3 = sp.Symbol("s3", real=True)
    rows = [s1**3, s2**3, (s1 + s2) ** 3, (s1 - s2) ** 3, s3]
    g = Generator("cubes", [[s1, s2], [s3]], rows, Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)}))
    (s,) = [r for r in check(g, criteria=["S"], budget=30, isolate=False) if r.scope == "global"]
    assert s.verdict == "refuted", s
    at = s.witness["point"]
    assert at[s1] == at[s2] == 0
    J = sp.Matrix([[sp.diff(r, v).xreplace(at) for v in (s1, s2, s3)] for r in rows])
    weight = lambda u: sum(1 for x in J * sp.Matrix(u) if x != 0)  # noqa: E731
    assert weight([1, 0, 0]) == weight([0, 1, 0]) == 0 and weight([0, 0, 1]) == 1 == weight([1, 0, 1])


def test_type_s_at_an_irrational_jacobian_from_d_and_full_rank():
    """g = (e^s1, s2 e^s1 + s2, e^s2, e^s3), factors {s1, s2} and {s3}: J is not rational at
    (1/2, 1/3, 1/5), so rho could not be computed and S at the point was `unknown`.  D holds
    there and each block has full column rank, which imply S (docs/mathematics.md 10.3).  The
    hypotheses are checked here with mpmath at 50 digits: J from sympy's diff, the cross-block
    entries exactly 0, a 2x2 minor of the first block and the last column far from 0."""
    import mpmath

    s3 = sp.Symbol("s3", real=True)
    rows = [sp.exp(s1), s2 * sp.exp(s1) + s2, sp.exp(s2), sp.exp(s3)]
    at = {s1: sp.Rational(1, 2), s2: sp.Rational(1, 3), s3: sp.Rational(1, 5)}
    J = [[sp.diff(r, v).xreplace(at) for v in (s1, s2, s3)] for r in rows]
    assert [J[t][2] for t in range(3)] == [0, 0, 0] and J[3][:2] == [0, 0]
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(sp.N(J[0][0] * J[1][1] - J[0][1] * J[1][0], 50))) > 1 and abs(mpmath.mpf(sp.N(J[3][2], 50))) > 1
    g = Generator("exp-blocks", [[s1, s2], [s3]], rows, Box({s1: (-1, 1), s2: (-1, 1), s3: (-1, 1)}), points=[at])
    (s,) = [r for r in check(g, criteria=["S"], budget=30, isolate=False) if r.scope == "point"]
    assert (s.verdict, s.method) == ("proved", "disjoint-and-full-rank"), s

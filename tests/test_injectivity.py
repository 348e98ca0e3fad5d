"""Local injectivity (T3, criterion ``locally-injective``) and the covering condition T4.

docs/mathematics.md section 9.1 and the LI column of section 13.  Every refutation's certificate is
re-verified here by independent sympy code (exact polynomial arithmetic, own domain test).
"""

from __future__ import annotations

import pytest
import sympy as sp

from tests.case_table import EXPECTED
from theory import Box, Generator, Region
from theory.model.certificates import FoldCertificate
from theory.criteria.context import CheckContext
from theory.criteria.injectivity import check_covering, check_locally_injective, maximal_minors, verify_fold_certificate
from theory.errors import GeneratorError

s1, s2 = sp.symbols("s1 s2", real=True)
z1, z2 = sp.symbols("z1 z2", real=True)
t = sp.Symbol("t", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})


@pytest.fixture(scope="module")
def li_results(bundled):
    return {name: check_locally_injective(CheckContext(g)) for name, g in bundled.items()}


def _in_open_box(g: Generator, point: dict) -> bool:
    for s in g.latents:
        lo, hi = g.domain.interval(s)
        if not (lo < point[s] < hi):
            return False
    return True


def _reverify(g: Generator, witness: dict) -> None:
    """Independent check of a fold certificate's witness (polynomial generators)."""
    names = {str(s): s for s in g.latents}
    tt = sp.Symbol(witness["certificate"]["parameter"], real=True)
    curve = [sp.sympify(e, locals={str(tt): tt}) for e in witness["certificate"]["curve"]]
    partner = [sp.sympify(e, locals={str(tt): tt}) for e in witness["certificate"]["partner"]]
    on_curve = dict(zip(g.latents, curve))
    on_partner = dict(zip(g.latents, partner))
    # g o gamma == g o gamma' identically (exact polynomial arithmetic)
    for out in g.outputs:
        assert sp.expand(out.subs(on_curve) - out.subs(on_partner)) == 0
    # both start at the stated limit, a point of the open box
    limit = {names[k]: sp.Rational(v) for k, v in witness["limit"].items()}
    assert [c.subs(tt, 0) for c in curve] == [limit[s] for s in g.latents]
    assert [c.subs(tt, 0) for c in partner] == [limit[s] for s in g.latents]
    assert _in_open_box(g, limit)
    # the curves differ as functions of t
    assert any(sp.expand(a - b) != 0 for a, b in zip(curve, partner))
    # the stated points: on the curves at the stated t, inside S, distinct, one image
    t0 = sp.Rational(witness["t"])
    p = {names[k]: sp.Rational(v) for k, v in witness["point"].items()}
    q = {names[k]: sp.Rational(v) for k, v in witness["partner_point"].items()}
    assert [c.subs(tt, t0) for c in curve] == [p[s] for s in g.latents]
    assert [c.subs(tt, t0) for c in partner] == [q[s] for s in g.latents]
    assert p != q and _in_open_box(g, p) and _in_open_box(g, q)
    assert [out.subs(p) for out in g.outputs] == [out.subs(q) for out in g.outputs]
    assert [str(out.subs(p)) for out in g.outputs] == witness["values"]
    # pairs accumulate at the limit: distinct points of S for ever smaller t
    delta = sp.Rational(witness["delta"])
    for k in range(1, 8):
        tk = delta / 2**k
        pk = {s: c.subs(tt, tk) for s, c in zip(g.latents, curve)}
        qk = {s: c.subs(tt, tk) for s, c in zip(g.latents, partner)}
        assert pk != qk and _in_open_box(g, pk) and _in_open_box(g, qk)
        assert [out.subs(pk) for out in g.outputs] == [out.subs(qk) for out in g.outputs]


def test_li_column_of_the_case_table(bundled, li_results):
    covered = [name for name in EXPECTED if name in bundled]
    assert len(covered) >= 30
    for name in covered:
        r = li_results[name]
        assert (r.criterion, r.scope) == ("locally-injective", "global")
        if EXPECTED[name]["LI"]:
            assert r.verdict == "proved", (name, r)
            assert r.method in ("z3-nlsat", "interval"), (name, r.method)
        else:
            assert r.verdict == "refuted" and r.method == "certificate", (name, r)
            _reverify(bundled[name], r.to_json()["witness"])


def test_polynomial_cases_use_z3_and_transcendental_ones_intervals(li_results):
    assert li_results["p27-complex-squaring"].method == "z3-nlsat"  # det = 4(s1^2 + s2^2) > 0 on the box
    assert li_results["p21-switching-supports-region"].method == "z3-nlsat"  # a region domain
    p24 = li_results["p24-transcendental-containment"]
    assert p24.method == "interval" and p24.details["minor"] == "exp(s1)*cos(s2)"
    lo, hi = (float(x) for x in p24.details["enclosure"])
    assert 0.19 <= lo < 0.2 and 2.718 < hi <= 2.72
    p12 = li_results["p12-circle-locally-injective"]
    assert p12.method == "interval" and p12.details["certified"] == "sum of squared minors"
    assert p12.details["rewritten"] == "1" and p12.details["rewrite_proof"] != ""


def test_cusp_certificate_details(li_results):
    w = li_results["p32-cusp-not-locally-injective"].to_json()["witness"]
    assert w["certificate"]["curve"] == ["t**2", "t"] and w["certificate"]["partner"] == ["t**2", "-2*t"]
    assert w["limit"] == {"s1": "0", "s2": "0"}


def test_rank_deficiency_alone_is_never_a_refutation():
    cube = Generator("cube", [[s1], [s2]], [s1**3, s2], BOX)
    r = check_locally_injective(CheckContext(cube))
    assert r.verdict == "unknown" and r.method == "z3-nlsat"
    assert "rank_drop_point" in r.details
    # a 1-D version, and a transcendental one whose rank drops (sin' = cos vanishes at pi/2)
    one = Generator("cube1", [[s1]], [s1**3], Box({s1: (-1, 1)}))
    assert check_locally_injective(CheckContext(one)).verdict == "unknown"
    wave = Generator("wave", [[s1], [s2]], [sp.sin(s1), s2], Box({s1: (-2, 2), s2: (-1, 1)}))
    assert check_locally_injective(CheckContext(wave)).verdict == "unknown"


def test_a_wrong_certificate_is_rejected_not_a_refutation():
    # s -> s^3 is injective: the fold (t, 0) ~ (-t, 0) does not identify points
    cube = Generator("cube", [[s1], [s2]], [s1**3, s2], BOX, certificates=[FoldCertificate(t, (t, 0), (-t, 0))])
    r = check_locally_injective(CheckContext(cube))
    assert r.verdict == "unknown"
    assert "not identically zero" in r.details["certificates_rejected"][0]["reason"]
    # and a rejected certificate does not stop a proof
    li = Generator("li", [[s1], [s2]], [s1 + s1**3, s2], BOX, certificates=[FoldCertificate(t, (t, 0), (-t, 0))])
    r = check_locally_injective(CheckContext(li))
    assert r.verdict == "proved" and len(r.details["certificates_rejected"]) == 1


@pytest.mark.parametrize(
    "curve, partner, words",
    [
        ((t, t), (t, t), "coincide"),
        ((t, 0), (t, t), "not identically zero"),  # g(t,0) = (t^2, 0) but g(t,t) = (t^2, t)
        ((1 + t, 0), (1 - t, 0), "not in the open domain"),  # starts on the boundary s1 = 1
        ((t, 0), (1 - t, 0), "different points"),
        ((sp.sin(t), 0), (-sp.sin(t), 0), "rational function"),
        ((1 / t, 0), (-1 / t, 0), "not defined"),
    ],
)
def test_certificate_conditions(curve, partner, words):
    fold = Generator("fold", [[s1], [s2]], [s1**2, s2], BOX)
    checked = verify_fold_certificate(fold, FoldCertificate(t, curve, partner))
    assert not checked.valid and words in checked.reason, checked.reason


def test_certificate_must_stay_inside_a_region():
    # the fold of (s1^2, s2) through 0, but S is the region s1 > s2, whose boundary holds 0
    region = Region(BOX, s1 > s2)
    fold = Generator("fold-region", [[s1], [s2]], [s1**2, s2], region)
    assert not verify_fold_certificate(fold, FoldCertificate(t, (t, 0), (-t, 0))).valid
    # through an interior point of the region, both curves stay in it for small t
    inner = Generator("fold-region2", [[s1], [s2]], [s1**2, s2], Region(BOX, s1 + 1 > 2 * s2))
    ok = verify_fold_certificate(inner, FoldCertificate(t, (t, 0), (-t, 0)))
    assert ok.valid and sp.Rational(ok.witness["delta"]) > 0


def test_transcendental_generator_with_a_certificate():
    g = Generator("cosfold", [[s1], [s2]], [sp.cos(s1), s2], BOX, certificates=[FoldCertificate(t, {s1: t, s2: 0}, {s1: -t, s2: 0})])
    r = check_locally_injective(CheckContext(g))
    assert r.verdict == "refuted" and r.method == "certificate"
    p = {s1: sp.Rational(r.to_json()["witness"]["point"]["s1"]), s2: sp.Rational(r.to_json()["witness"]["point"]["s2"])}
    q = {s1: sp.Rational(r.to_json()["witness"]["partner_point"]["s1"]), s2: sp.Rational(r.to_json()["witness"]["partner_point"]["s2"])}
    assert p != q and sp.cos(p[s1]) == sp.cos(q[s1])  # cos is even: exact


def test_unused_latent_and_too_many_latents():
    flat = Generator("flat", [[s1], [s2]], [s1, s1**2], BOX)
    r = check_locally_injective(CheckContext(flat))
    assert r.verdict == "refuted" and r.method == "certificate"
    assert r.details["certificate_origin"] == "unused latent" and r.witness["distinct_in"] == "s2"
    squash = Generator("squash", [[s1], [s2]], [s1 + s2**3], BOX)
    r = check_locally_injective(CheckContext(squash))
    assert r.verdict == "refuted" and r.method == "invariance-of-domain" and r.witness == {**r.witness, "d": 2, "m": 1}


def test_generator_validates_certificates():
    with pytest.raises(GeneratorError, match="list of FoldCertificate"):
        Generator("g", [[s1], [s2]], [s1, s2], BOX, certificates="fold")
    with pytest.raises(GeneratorError, match="not a FoldCertificate"):
        Generator("g", [[s1], [s2]], [s1, s2], BOX, certificates=[(t, (t, 0), (-t, 0))])
    with pytest.raises(GeneratorError, match="3 coordinates"):
        Generator("g", [[s1], [s2]], [s1, s2], BOX, certificates=[FoldCertificate(t, (t, 0, 0), (-t, 0, 0))])
    with pytest.raises(GeneratorError, match="is a latent|latent s1 as its parameter"):
        Generator("g", [[s1], [s2]], [s1, s2], BOX, certificates=[FoldCertificate(s1, (s1, 0), (-s1, 0))])
    with pytest.raises(GeneratorError, match="only use the parameter"):
        FoldCertificate(t, (t, s2), (-t, 0))
    with pytest.raises(GeneratorError, match="declared real"):
        FoldCertificate(sp.Symbol("u"), (0, 0), (0, 0))
    with pytest.raises(GeneratorError, match="missing s2"):
        Generator("g", [[s1], [s2]], [s1, s2], BOX, certificates=[FoldCertificate(t, {s1: t}, {s1: -t})])
    g = Generator("g", [[s1], [s2]], [s1**2, s2], BOX, certificates=[FoldCertificate(t, [t, 0], [-t, 0])])
    assert len(g.certificates) == 1 and Generator("h", [[s1]], [s1]).certificates == ()


def test_maximal_minors():
    minors = maximal_minors([[1, 0], [0, s2], [s1, 1]], 2)
    assert minors == [((0, 1), s2), ((0, 2), 1), ((1, 2), -s1 * s2)]


# -- T4 -------------------------------------------------------------------------------------------------------
def test_covering_of_injective_polynomial_decoders():
    sq = Box({z1: (-1, 1), z2: (-1, 1)})
    for outputs in ([z1 + z1**3, z2, z1 * z2], [z1 + z2, z1 - z2], [z1 + z2**2, z2]):
        r = check_covering(Generator("dec", [[z1], [z2]], outputs, sq))
        assert (r.criterion, r.verdict, r.scope, r.method) == ("T4", "proved", "global", "z3-nlsat"), (outputs, r)
        assert r.details["injective_on_closure"] == "proved" and r.details["immersion_on_closure"] == "proved"
    half = Generator("sq-half", [[z1]], [z1**2], Box({z1: (sp.Rational(1, 2), 1)}))
    assert check_covering(half).verdict == "proved"


def test_covering_sufficient_condition_failures_stay_unknown():
    square = Generator("square", [[z1]], [z1**2], Box({z1: (-1, 1)}))
    r = check_covering(square)
    assert r.verdict == "unknown" and r.details["injective_on_closure"] == "fails" and r.details["immersion_on_closure"] == "fails"
    a, b = (sp.Rational(v) for v in (r.details["collision"][0]["z1"], r.details["collision"][1]["z1"]))
    assert a != b and a**2 == b**2 and -1 <= a <= 1 and -1 <= b <= 1
    # z^2 on (0, 1): injective on [0, 1], but the derivative vanishes at the closure point 0
    edge = check_covering(Generator("edge", [[z1]], [z1**2], Box({z1: (0, 1)})))
    assert edge.verdict == "unknown" and edge.details["immersion_on_closure"] == "fails"
    cube = check_covering(Generator("cube", [[z1]], [z1**3], Box({z1: (-1, 1)})))
    assert cube.verdict == "unknown" and cube.details["injective_on_closure"] == "proved"


def test_covering_without_a_usable_decoder():
    assert "needs a decoder" in check_covering(None).details["reason"]
    exp = check_covering(Generator("exp", [[z1]], [sp.exp(z1)], Box({z1: (-1, 1)})))
    assert exp.verdict == "unknown" and "not polynomial" in exp.details["reason"]
    free = Generator("free", [[z1]], [z1])
    assert check_covering(free).verdict == "unknown"
    with pytest.raises(ValueError, match="does not contain"):
        check_covering(free, closure_box=Box({z1: (-1, 1)}))
    bounded = Generator("bounded", [[z1]], [z1 + z1**3], Box({z1: (0, 1)}))
    assert check_covering(bounded, closure_box=Box({z1: (-2, 2)})).verdict == "proved"


@pytest.mark.parametrize(
    "outputs, domain, fold",
    [
        # |s1 + s2| written as a square root: its squared minors cancel to 4 s2^2 + 1 off the fold line
        ([sp.sqrt(s1**2 + 2 * s1 * s2 + s2**2), s2, s2**2], Box({s1: (-1, 1), s2: (-1, 1)}), lambda t: ((-sp.Rational(1, 4) + t, sp.Rational(1, 4)), (-sp.Rational(1, 4) - t, sp.Rational(1, 4)))),
        # a kink of Max: full rank on each open piece, folds at s1 = 1/2
        ([sp.Max(s1, 1 - s1), s2], Box({s1: (0, 2), s2: (-1, 1)}), lambda t: ((sp.Rational(1, 2) + t, 0), (sp.Rational(1, 2) - t, 0))),
        ([sp.Abs(s1), s2], Box({s1: (-1, 1), s2: (-1, 1)}), lambda t: ((t, 0), (-t, 0))),
    ],
)
def test_folds_that_are_not_c1_are_not_proved_locally_injective(outputs, domain, fold):
    g = Generator("fold", [[s1], [s2]], outputs, domain)
    for k in range(1, 6):  # two distinct points with one image, arbitrarily close to the fold: not locally injective
        p, q = fold(sp.Rational(1, 10**k))
        assert p != q and [o.xreplace({s1: p[0], s2: p[1]}) for o in outputs] == [o.xreplace({s1: q[0], s2: q[1]}) for o in outputs]
    result = check_locally_injective(CheckContext(g))
    assert result.verdict != "proved"


def test_points_from_algebraic_models_are_labelled_rounded():
    """det J = s1**2 - 2 vanishes only at s1 = sqrt(2): z3's model is algebraic, and its rounding is
    not a rank-drop point (the determinant there is not 0), so it is reported as ``..._about``
    with a note; a rational model is reported as the point itself, which the test re-checks."""
    g = Generator("fold", [[s1], [s2]], [s1**3 / 3 - 2 * s1, s2], Box({s1: (1, 2), s2: (-1, 1)}))
    r = check_locally_injective(CheckContext(g))
    assert r.verdict == "unknown" and "rank_drop_point" not in r.details
    about = sp.Rational(r.details["rank_drop_point_about"]["s1"])
    assert about**2 - 2 != 0 and abs(about - sp.sqrt(2)) < sp.Rational(1, 10**6) and "rounded" in r.details["rank_drop_point_note"]
    cube = check_locally_injective(CheckContext(Generator("cube", [[s1], [s2]], [s1**3, s2], BOX)))
    assert sp.Rational(cube.details["rank_drop_point"]["s1"]) == 0  # 3 s1**2 = 0 exactly there
    # z1**3 - 2 z1 on [-2, 2]: equal values at 0 and at -sqrt(2) (irrational): a rounded pair
    r = check_covering(Generator("dec", [[z1], [z2]], [z1**3 - 2 * z1, z2], Box({z1: (-2, 2), z2: (-1, 1)})))
    if "collision" in r.details:
        (a, b) = (sp.Rational(p["z1"]) for p in r.details["collision"])
        assert a != b and a**3 - 2 * a == b**3 - 2 * b
    else:
        assert "rounded" in r.details["collision_note"]

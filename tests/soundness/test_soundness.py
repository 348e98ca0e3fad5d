"""The soundness fuzzer in CI: > 2,000 checks on generators whose truths are known.

Every definite verdict is compared with the truth of its construction (global) or with
the independent oracle's exact Jacobian (pointwise D and M), and every refutation's
witness is re-verified outside the code that produced it (``tests/soundness/oracle.py``).
The corpus runs once per session on two worker processes (about a minute on two free
cores); ``benchmarks/fuzz_soundness.py`` runs the same families for as long as wanted.

The families of issue 12 (thin Piecewise pieces, special functions, large-denominator
hidden terms) run a few chosen instances each with a 5 s budget (about 30 s of CPU): a
generator the checker refuses counts as ``refused`` (sound), and the oracle also checks
claimed derivatives by finite differences of the output values.

Issue 13's opt-in families (``global-s``, ``global-s-irreducible``: Type S and S-irreducibility
on the whole domain, under both ``s`` readings) run 42 instances with a 5 s budget (about 10 s
on two workers); a ``slow`` test runs 300 more, and ``benchmarks/fuzz_soundness.py
--families global-s,global-s-irreducible`` as many as wanted.
"""

from __future__ import annotations

import copy
import itertools
import random
import re
from collections import Counter

import pytest
import sympy as sp

from theory.checker import check
from theory.result import CheckResult

from theory.errors import GeneratorError

from tests.soundness import runner
from tests.soundness.families import ALL_FAMILIES, FAMILIES, NEW_FAMILIES, S_FAMILIES, _rational_inside, make_instance
from tests.soundness.oracle import (
    FD_FAMILIES,
    NON_STRICT,
    block_split_keeps_s,
    decide,
    direction_class_sizes,
    exact_value,
    finite_difference,
    point_truth,
    two_column_pattern,
    two_column_rho,
    two_line_rho,
    verify_refutation,
)
from tests.soundness.runner import judge, judge_results, run_specs, summarise

#: instances per family (cheap families get more; hidden zeros exercise the slow tiers)
CORPUS = {
    "additive": 80,
    "switching": 70,
    "cross-bilinear": 55,
    "cross-quadratic": 40,
    "cross-transcendental": 25,
    "near-zero": 22,
    "hidden-near-zero": 22,
    "switching-region": 30,
    "disk-region": 20,
    "hidden-zero": 10,
}
SEED = 20240601
#: issue 12's families: instance offsets (from SEED) chosen to be cheap, each with a 5 s budget
NEW_CORPUS = {
    "thin-piecewise": tuple(range(10)),
    "special-functions": tuple(range(8)),
    "large-denominator": (0, 3, 4),
}
NEW_BUDGET = 5.0


@pytest.fixture(scope="module")
def corpus():
    specs = [(family, SEED + k) for family, count in CORPUS.items() for k in range(count)]
    outcomes, reports = run_specs(specs, seed=0, budget=20.0, isolate=False, workers=2)
    return outcomes, reports


@pytest.fixture(scope="module")
def new_corpus():
    specs = [(family, SEED + k) for family, ks in NEW_CORPUS.items() for k in ks]
    return run_specs(specs, seed=0, budget=NEW_BUDGET, isolate=False, workers=2)


def test_corpus_covers_every_family():
    assert set(CORPUS) | set(NEW_CORPUS) == set(FAMILIES)
    assert set(NEW_CORPUS) == set(NEW_FAMILIES)


def test_no_unsound_verdict_in_2000_checks(corpus):
    outcomes, reports = corpus
    summary = summarise(outcomes)
    print(summary)
    assert summary["checks"] >= 2000 and summary["refused"] == 0
    assert not reports, "\n\n".join(reports[:5])
    kinds = Counter(o.kind for o in outcomes)
    assert kinds["unsound"] == 0
    # the fuzzer has teeth only if most verdicts are definite and compared with a truth
    assert kinds["agree"] >= 0.8 * len(outcomes), summary
    assert kinds["unknown"] <= 0.1 * len(outcomes), summary


def test_every_family_yields_definite_verdicts_of_both_kinds(corpus):
    outcomes, _ = corpus
    for family in CORPUS:
        verdicts = Counter(o.verdict for o in outcomes if o.family == family and o.kind in ("agree", "verified"))
        assert verdicts["proved"] > 0 and verdicts["refuted"] > 0, (family, verdicts)


def test_hidden_zeros_are_never_refuted_and_near_zeros_never_proved(corpus):
    outcomes, _ = corpus
    hidden = [o for o in outcomes if o.family == "hidden-zero" and o.criterion.startswith("H")]
    assert hidden and all(o.verdict != "refuted" for o in hidden)
    assert sum(o.verdict == "proved" for o in hidden) >= len(hidden) // 2
    near = [o for o in outcomes if o.family in ("near-zero", "hidden-near-zero") and o.criterion == "H2"]
    assert near and all(o.verdict != "proved" for o in near)
    assert sum(o.verdict == "refuted" for o in near) >= 0.9 * len(near)


def test_the_killable_worker_gives_the_same_verdicts():
    for family, k in [("hidden-zero", 5), ("hidden-zero", 2), ("switching-region", 1), ("near-zero", 2), ("cross-quadratic", 5)]:
        instance = make_instance(family, k)
        inline = check(instance.generator, instance.criteria, seed=1, budget=20, isolate=False)
        forked = check(instance.generator, instance.criteria, seed=1, budget=20, isolate=True)
        strip = [dict(r.to_json(), seconds=0) for r in inline]
        assert strip == [dict(r.to_json(), seconds=0) for r in forked]
        assert all(o.kind != "unsound" for o in judge_results(instance, forked))


# -- the oracle and the judge can fail --------------------------------------------------------
def _refutation(family: str, k: int, criterion: str) -> tuple:
    instance = make_instance(family, k)
    (result,) = [r for r in check(instance.generator, [criterion], seed=0, budget=20, isolate=False) if r.scope == "global"]
    assert result.verdict == "refuted"
    assert verify_refutation(instance, result) is None
    return instance, result


def test_oracle_rejects_tampered_witnesses():
    instance, h2 = _refutation("cross-bilinear", 3, "H2")
    names = [str(s) for s in instance.latents]
    bad = copy.deepcopy(h2)
    bad.witness["value"] = "12345"
    assert "claims the value" in verify_refutation(instance, bad)
    bad = copy.deepcopy(h2)
    same_block = [str(s) for s in instance.generator.factors[next(iter(instance.generator.factors))]]
    bad.witness["multi_index"] = [same_block[0], same_block[0]]
    assert "meets one block" in verify_refutation(instance, bad)
    bad = copy.deepcopy(h2)
    bad.witness["point"] = {n: "1000" for n in names}
    assert "outside the domain" in verify_refutation(instance, bad)

    instance, d = _refutation("cross-bilinear", 3, "D")
    bad = copy.deepcopy(d)
    bad.witness["values"] = ["7/3", bad.witness["values"][1]]
    assert verify_refutation(instance, bad) is not None
    # a D witness at a point where the cross term's partial vanishes: move s_b to 0
    a, b = d.witness["latents"]
    lo, hi = instance.intervals[a]
    if (lo == -sp.oo or lo < 0) and (hi == sp.oo or hi > 0):
        bad = copy.deepcopy(d)
        bad.witness["point"] = dict(bad.witness["point"], **{a: "0"})
        bad.witness["values"] = ["x", "x"]
        reason = verify_refutation(instance, bad)
        assert reason is None or "not both certified nonzero" in reason


def test_judge_flags_wrong_verdicts():
    instance = make_instance("near-zero", 0)
    assert instance.truth["H2"] is False
    fake = CheckResult("H2", "proved", "global", "structural")
    (outcome,) = judge_results(instance, [fake])
    assert outcome.kind == "unsound" and "truth is fails" in outcome.reason
    instance, h2 = _refutation("cross-bilinear", 3, "H2")
    wrong = CheckResult("H3", "refuted", "global", "exact-evaluation", witness=dict(h2.witness, multi_index=h2.witness["multi_index"] + [h2.witness["multi_index"][0]]))
    (outcome,) = judge_results(instance, [wrong])
    assert outcome.kind == "unsound"


def test_oracle_decisions():
    x = sp.Rational(1, 3)
    assert decide(sp.Rational(1, 10**30)) is True
    assert decide(sp.exp(-60)) is True
    assert decide(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1 + sp.Rational(1, 10**30)) is True
    assert decide(sp.sqrt(3 + 2 * sp.sqrt(2)) - 1 - sp.sqrt(2)) is False
    assert decide(sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1) is None  # zero, but not decidable here
    assert decide(sp.Symbol("y")) is None


def test_point_truth_follows_the_planted_zeros():
    for k in range(40):
        instance = make_instance("additive", k)
        zeros = [p for p in instance.generator.points]
        for p in zeros:
            assert point_truth(instance, "D", p) in (True, False)
    instance = make_instance("additive", 0)
    assert judge(instance, seed=0, budget=20, isolate=False)


# -- issue 12: thin Piecewise pieces, special functions, large denominators ---------------------
def test_no_unsound_verdict_on_thin_pieces_special_functions_large_denominators(new_corpus):
    outcomes, reports = new_corpus
    summary = summarise(outcomes)
    print(summary)
    assert not reports, "\n\n".join(reports[:5])
    assert not [o.reason for o in outcomes if o.kind == "crash"][:3]
    for family in NEW_CORPUS:
        mine = [o for o in outcomes if o.family == family]
        checked = [o for o in mine if o.kind not in ("refused", "crash")]
        # refusing a generator is sound, but a family must still exercise the checker
        assert checked, (family, Counter(o.kind for o in mine))
        assert any(o.kind in ("agree", "verified") for o in checked), (family, Counter(o.kind for o in mine))
    large = [o for o in outcomes if o.family == "large-denominator"]
    assert all(not (o.criterion.startswith("H") and o.scope == "global" and o.verdict == "proved") or o.kind == "agree" for o in large)


def test_thin_instances_put_their_points_on_the_thin_sets():
    hits = 0
    for k in range(30):
        instance = make_instance("thin-piecewise", k)
        g = instance.generator
        assert g.points and all(instance.contains({str(s): v for s, v in p.items()}) for p in g.points)
        point = g.points[0]
        for out in g.outputs:
            for pw in out.atoms(sp.Piecewise):
                for _, cond in pw.args:
                    if isinstance(cond, (sp.Eq, sp.Ne)) and cond.xreplace(point) in (sp.true, sp.false):
                        hits += (cond.xreplace(point) == sp.true) == isinstance(cond, sp.Eq)
    assert hits >= 20  # most planted thin pieces are active at the first checked point


def test_reference_outputs_equal_the_generator_and_finite_differences_agree():
    """The oracle's smooth references equal the (thin-piece) outputs at the checked points,
    and the finite difference of the values matches the reference's exact derivative."""
    for family in FD_FAMILIES:
        compared = 0
        for k in range(12):
            try:
                instance = make_instance(family, k)
            except GeneratorError:
                continue
            g = instance.generator
            for p in g.points:
                for t, (out, ref) in enumerate(zip(g.outputs, instance.reference)):
                    value = ref.xreplace(p)
                    value = value.doit() if value.has(sp.Integral) else value
                    assert abs(sp.N(out.xreplace(p) - value, 30)) < 1e-25, (family, k, t)
                    for s in instance.latents:
                        exact = exact_value(instance.reference, instance.latents, t, [str(s)], p)
                        if exact.has(sp.Derivative, sp.Subs):
                            continue
                        fd, err = finite_difference(g.outputs, instance.latents, t, [str(s)], p)
                        assert abs(fd - sp.N(exact, 40)) <= 1000 * err + 1e-25, (family, k, t, s, exact, fd)
                        compared += 1
        assert compared > 20, family


def test_oracle_checks_claimed_values_by_finite_differences():
    """A thin-piece value of a derivative (the formula's, not the function's) is caught."""
    x, y = sp.symbols("s1 s2", real=True)
    from tests.soundness.families import Instance
    from theory import Box, Generator

    # (s1^2 - s2^2)/(s1 - s2) with the thin piece 2 s1: the function is s1 + s2
    out = sp.Piecewise(((x**2 - y**2) / (x - y), sp.Ne(x, y)), (2 * x, True))
    g = Generator("thin", [[x], [y]], [out, x, y], Box({x: (-1, 1), y: (-1, 1)}))
    inst = Instance("thin-piecewise", g, (x + y, x, y), {"s1": (-1, 1), "s2": (-1, 1)}, {"D": False}, ("D",))
    point = {"s1": "1/3", "s2": "1/3"}
    good = CheckResult("D", "refuted", "global", "exact-evaluation", witness={"point": point, "output": 0, "latents": ["s1", "s2"], "values": ["1", "1"]})
    assert verify_refutation(inst, good) is None
    thin = CheckResult("D", "refuted", "global", "exact-evaluation", witness={"point": point, "output": 0, "latents": ["s1", "s2"], "values": ["2", "1"]})
    assert verify_refutation(inst, thin) is not None
    # a non-rational claim is compared by the finite difference alone
    inst2 = Instance("special-functions", Generator("sf", [[x], [y]], [sp.erf(x * y), x, y], Box({x: (0, 1), y: (0, 1)})), (sp.erf(x * y), x, y), {"s1": (0, 1), "s2": (0, 1)}, {"H2": False}, ("H2",))
    point = {"s1": "1/2", "s2": "1/2"}
    right = sp.diff(sp.erf(x * y), x, y).xreplace({x: sp.Rational(1, 2), y: sp.Rational(1, 2)})
    ok = CheckResult("H2", "refuted", "global", "exact-evaluation", witness={"point": point, "output": 0, "multi_index": ["s1", "s2"], "value": str(right)})
    assert verify_refutation(inst2, ok) is None
    bad = CheckResult("H2", "refuted", "global", "exact-evaluation", witness={"point": point, "output": 0, "multi_index": ["s1", "s2"], "value": str(right + sp.Rational(1, 10**6) * sp.exp(-sp.Rational(1, 4)))})
    assert "finite difference" in verify_refutation(inst2, bad)


def test_a_refused_generator_is_counted_not_judged(monkeypatch):
    def refuse(family, seed):
        raise GeneratorError("erfinv is not on the list")

    monkeypatch.setattr(runner, "make_instance", refuse)
    outcomes, reports = runner.judge_spec(("special-functions", 0, 0, 5.0, False))
    assert [o.kind for o in outcomes] == ["refused"] and not reports
    summary = summarise(outcomes)
    assert summary["checks"] == 0 and summary["refused"] == 1


# -- issue 13: Type S and S-irreducibility on the whole domain (opt-in families) ----------------
#: instances per opt-in family in the default run (about 10 s of CPU on two workers); the slow
#: test below runs many more
S_CORPUS = {"global-s": 30, "global-s-irreducible": 12}
S_BUDGET = 5.0


@pytest.fixture(scope="module")
def s_corpus():
    specs = [(family, SEED + k) for family, count in S_CORPUS.items() for k in range(count)]
    return run_specs(specs, seed=0, budget=S_BUDGET, isolate=False, workers=2)


def test_s_corpus_covers_the_opt_in_families():
    assert set(S_CORPUS) == set(S_FAMILIES) and not set(S_FAMILIES) & set(FAMILIES)
    assert set(ALL_FAMILIES) == set(FAMILIES) | set(S_FAMILIES)


def _global_s_outcomes_are_sound(outcomes, reports) -> Counter:
    assert not reports, "\n\n".join(reports[:5])
    assert not [o.reason for o in outcomes if o.kind in ("crash", "unsound")][:3]
    return Counter((o.criterion, o.verdict, o.method) for o in outcomes if o.scope == "global")


def test_no_unsound_global_s_verdict(s_corpus):
    outcomes, reports = s_corpus
    print(summarise(outcomes))
    methods = _global_s_outcomes_are_sound(outcomes, reports)
    # every route of the global checks is exercised, with definite verdicts compared to a truth
    for key in [
        ("S", "proved", "disjoint-and-full-rank"),
        ("S", "proved", "two-factor-closed-form"),
        ("S/non-strict", "proved", "two-factor-closed-form"),
        ("irreducible:S", "proved", "direction-classes"),
        ("irreducible:S", "refuted", "direction-classes"),
        ("irreducible:S/non-strict", "refuted", "direction-classes"),
    ]:
        assert methods[key] > 0, (key, methods)
    assert sum(v for (c, verdict, _), v in methods.items() if c == "S" and verdict == "refuted") > 0, methods
    glob = [o for o in outcomes if o.scope == "global"]
    assert sum(o.kind == "agree" for o in glob) >= 0.6 * len(glob), Counter(o.kind for o in glob)


@pytest.mark.slow
def test_no_unsound_global_s_verdict_in_many_instances():
    specs = [(family, SEED + 1000 + k) for family in S_FAMILIES for k in range(150)]
    outcomes, reports = run_specs(specs, seed=0, budget=S_BUDGET, isolate=False, workers=2)
    print(summarise(outcomes))
    _global_s_outcomes_are_sound(outcomes, reports)


def test_two_line_closed_form_matches_the_brute_force():
    """docs/mathematics.md 5.7 as written in the oracle against the brute force over directions,
    for every support and class pattern with up to 4 private rows per column and 3 overlap classes
    of up to 3 rows."""
    compared = 0
    for only_a in range(5):
        for only_b in range(5):
            for sizes in itertools.product(range(4), repeat=3):
                classes = sorted((c for c in sizes if c), reverse=True)
                o = sum(classes)
                rows = [(True, False, None)] * only_a + [(False, True, None)] * only_b
                rows += [(True, True, i) for i, c in enumerate(classes) for _ in range(c)]
                if only_a + o == 0 or only_b + o == 0:
                    continue
                top = classes + [0, 0]
                assert two_line_rho(only_a + o, only_b + o, o, top[0], top[1]) == two_column_rho(rows), (only_a, only_b, classes)
                compared += 1
    assert compared > 1500
    # docs/mathematics.md 5.7: P25/P26 and the n1 = n2 = 5, o = 3 examples
    assert two_line_rho(5, 4, 2, 1, 1) == (9, 10) and two_line_rho(5, 4, 2, 2, 0) == (9, 9)
    assert [two_line_rho(5, 5, 3, *c)[1] for c in ((3, 0), (2, 1), (1, 1))] == [9, 10, 11]


def test_block_split_rule_on_the_documented_blocks():
    # x02: (1,0) x3, (0,1) x3, (1,1): S-reducible; (1,0) x2, (0,1) x2, (1,1) x2: S-irreducible
    assert block_split_keeps_s([3, 3, 1]) and not block_split_keeps_s([2, 2, 2])
    # three distinct directions: irreducible (strict); every full-rank block ties under non-strict
    assert not block_split_keeps_s([1, 1, 1]) and block_split_keeps_s([1, 1, 1], strict=False)
    assert block_split_keeps_s([2, 1]) and block_split_keeps_s([2, 2, 2], strict=False)


def _special_points(instance, rng: random.Random, count: int) -> list[dict]:
    values: dict = {}
    for p in instance.generator.points:
        for s, v in p.items():
            values.setdefault(s, set()).add(v)
    for n in re.findall(r"'(s\d+)': '([-\d/]+)'", " ".join(instance.note)):  # planted zeros
        values.setdefault(sp.Symbol(n[0], real=True), set()).add(sp.Rational(n[1]))
    points = []
    for _ in range(count):
        point = {}
        for s in instance.latents:
            choices = sorted(values.get(s, ()))
            point[s] = rng.choice(choices) if choices and rng.random() < 0.6 else _rational_inside(rng, *instance.intervals[str(s)])
        points.append(point)
    return points


def test_s_truths_agree_with_the_oracle_at_points():
    """The enumerated configurations contain what the oracle's exact Jacobian shows at points
    (on the planted zeros and critical values and off them), and no point contradicts a global
    truth ``holds`` (the construction's truths, checked without the checker)."""
    rng = random.Random(13)
    patterns = classes = 0
    for family in S_FAMILIES:
        for k in range(40):
            instance = make_instance(family, k)
            for point in _special_points(instance, rng, 4):
                if family == "global-s" and instance.configurations:
                    pattern = two_column_pattern(instance, point)
                    assert pattern is None or pattern in instance.configurations, (k, point, pattern, instance.describe())
                    patterns += pattern is not None
                for block, configs in instance.configurations if family != "global-s" else ():
                    sizes = direction_class_sizes(instance, point, block)
                    assert sizes is None or tuple(sizes) in configs, (k, point, sizes, instance.describe())
                    classes += sizes is not None
                for criterion, truth in instance.truth.items():
                    at = point_truth(instance, criterion, point)
                    assert not (truth is True and at is False), (k, criterion, point, instance.describe())
    assert patterns > 50 and classes > 50


def _s_refutation(family: str, criterion: str, reading: str = "") -> tuple:
    """The first instance of ``family`` whose global ``criterion`` is refuted with a basis or split."""
    for k in range(60):
        instance = make_instance(family, k)
        for r in runner.run_checks(instance, seed=0, budget=10, isolate=False):
            if r.criterion == criterion + reading and r.scope == "global" and r.verdict == "refuted" and ("basis" in r.witness or "split" in r.witness):
                assert verify_refutation(instance, r) is None
                return instance, r
    raise AssertionError(f"no refuted {criterion} in {family}")


def test_oracle_rejects_tampered_s_witnesses():
    instance, result = _s_refutation("global-s", "S")
    d = len(instance.latents)
    identity = [["1" if i == j else "0" for j in range(d)] for i in range(d)]
    for basis, why in [
        (identity, "aligned"),
        ([result.witness["basis"][0]] * d, "not a basis"),
    ]:
        bad = copy.deepcopy(result)
        bad.witness["basis"] = basis
        assert why in verify_refutation(instance, bad)
    bad = copy.deepcopy(result)
    bad.witness["weight"] = result.witness["weight"] - 1
    assert "claims the weight" in verify_refutation(instance, bad)
    # the same witness under the non-strict reading must weigh strictly less than rho+
    tie = copy.deepcopy(result)
    tie.criterion = "S" + NON_STRICT
    if result.witness["weight"] == result.witness["rho_plus"]:
        assert "non-strict" in verify_refutation(instance, tie)

    instance, result = _s_refutation("global-s-irreducible", "irreducible:S")
    bad = copy.deepcopy(result)
    bad.witness["split"] = [result.witness["split"][0], result.witness["split"][0]]
    assert "not a basis" in verify_refutation(instance, bad)
    bad = copy.deepcopy(result)
    bad.witness["factor"] = "nope"
    assert "names no factor" in verify_refutation(instance, bad)


def test_judge_flags_wrong_global_s_verdicts():
    for k in range(40):
        instance = make_instance("global-s", k)
        if instance.truth["S"] is False:
            break
    fake = CheckResult("S", "proved", "global", "two-factor-closed-form")
    (outcome,) = judge_results(instance, [fake])
    assert outcome.kind == "unsound" and "truth is fails" in outcome.reason
    holds = next(make_instance("global-s", k) for k in range(40) if make_instance("global-s", k).truth["S" + NON_STRICT] is True)
    wrong = CheckResult("S" + NON_STRICT, "refuted", "global", "two-factor-closed-form", witness={"basis": [["1"]]})
    (outcome,) = judge_results(holds, [wrong])
    assert outcome.kind == "unsound"  # the truth holds, and the witness does not re-verify

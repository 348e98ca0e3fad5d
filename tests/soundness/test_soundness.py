"""The soundness fuzzer in CI: > 2,000 checks on generators whose truths are known.

Every definite verdict is compared with the truth of its construction (global) or with
the independent oracle's exact Jacobian (pointwise D and M), and every refutation's
witness is re-verified outside the code that produced it (``tests/soundness/oracle.py``).
The corpus runs once per session on two worker processes (about a minute on two free
cores); ``benchmarks/fuzz_soundness.py`` runs the same families for as long as wanted.
"""

from __future__ import annotations

import copy
from collections import Counter

import pytest
import sympy as sp

from theory.check import check
from theory.result import CheckResult

from tests.soundness.families import FAMILIES, make_instance
from tests.soundness.oracle import decide, point_truth, verify_refutation
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


@pytest.fixture(scope="module")
def corpus():
    specs = [(family, SEED + k) for family, count in CORPUS.items() for k in range(count)]
    outcomes, reports = run_specs(specs, seed=0, budget=20.0, isolate=False, workers=2)
    return outcomes, reports


def test_corpus_covers_every_family():
    assert set(CORPUS) == set(FAMILIES)


def test_no_unsound_verdict_in_2000_checks(corpus):
    outcomes, reports = corpus
    summary = summarise(outcomes)
    print(summary)
    assert summary["checks"] >= 2000
    assert not reports, "\n\n".join(reports[:5])
    kinds = Counter(o.kind for o in outcomes)
    assert kinds["unsound"] == 0
    # the fuzzer has teeth only if most verdicts are definite and compared with a truth
    assert kinds["agree"] >= 0.8 * len(outcomes), summary
    assert kinds["unknown"] <= 0.1 * len(outcomes), summary


def test_every_family_yields_definite_verdicts_of_both_kinds(corpus):
    outcomes, _ = corpus
    for family in FAMILIES:
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

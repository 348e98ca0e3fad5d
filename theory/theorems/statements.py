"""Theorems 1-5 as data: hypotheses bound to the checks that decide them (docs/mathematics.md section 9).

A theorem's conclusion is ``established`` only when every hypothesis on g and S is
``proved`` with the scope it needs: ``global`` for the criterion on S and for T1-T3,
``global`` for irreducibility under ``irreducible-scope: everywhere``; separability is
asked at the checked points.  Otherwise the report names the first hypothesis that is
refuted, undecided, or proved only pointwise.  Conditions on the competitor g_hat (T4,
Theorem 3's sparsity constraint) limit the class of competitors the conclusion covers;
they are stated, and checked only when a candidate decoder is supplied.

Examples
--------
>>> import cases
>>> report = theorem_report(cases.find_case("p14"), 2)
>>> report.conclusion, [h.id for h in report.theorem.hypotheses]
('established', ['D', 'irreducible:D', 'T1', 'T2', 'T3'])
>>> theorem_report(cases.find_case("p13"), 2).reason
'hypothesis irreducible:D (every factor D-irreducible) is refuted'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from theory.budget import Budget, BudgetExhausted, run_one_killable
from theory.checker import STOPPED, check
from theory.criteria.context import CheckContext
from theory.criteria.injectivity import check_covering
from theory.criteria.smoothness import check_smoothness
from theory.errors import InputError
from theory.exact.constant_zero import undecided_constants
from theory.model.generator import Generator
from theory.model.regularity import analytic_everywhere
from theory.readings import IRREDUCIBLE_READINGS, THM3_READINGS, Readings
from theory.registry import lookup, resolve
from theory.result import CheckResult

__all__ = [
    "Hypothesis",
    "Theorem",
    "TheoremReport",
    "THEOREMS",
    "IRREDUCIBLE_READINGS",
    "THM3_READINGS",
    "theorem",
    "theorem_report",
    "competitor_conditions",
    "check_sparsity_constraint",
]


@dataclass(frozen=True)
class Hypothesis:
    """One hypothesis: its id, words, the check that decides it and the scope it needs."""

    id: str
    label: str
    check: str
    scope: str = "global"


@dataclass(frozen=True)
class Theorem:
    """A theorem of the paper as the project reads it (docs/mathematics.md 9.2)."""

    number: int
    name: str
    statement: str
    hypotheses: tuple[Hypothesis, ...]
    competitor_conditions: tuple[str, ...]
    readings: tuple[str, ...]


_TOPOLOGY = (
    Hypothesis("T1", "S simply connected", "T1"),
    Hypothesis("T2", "every slice path-connected", "T2"),
    Hypothesis("T3", "g continuous and locally injective", "locally-injective"),
)
_T4 = "T4: the competitor g_hat is a covering map onto X (checked only for a supplied decoder)"


#: How each theorem's reading names (as in the JSON ``readings``) map to :class:`Readings` fields.
_READING_FIELDS = {
    "slices": "slices",
    "irreducible-scope": "irreducible_scope",
    "m-basis": "m_basis",
    "irreducible": "irreducible",
    "thm3": "thm3",
    "s-strict": "s",
    "rho-plus": "rho_plus",
    "hn": "hn",
    "sep": "sep",
}


def theorem(number: int, readings: Readings | None = None, n: int = 2) -> Theorem:
    """Theorem ``number`` (1-5) with its hypotheses under ``readings``; ``n`` is Theorem 5's order.

    >>> [h.id for h in theorem(5, n=3).hypotheses][:3]
    ['H3', 'sep3', 'irreducible:H3']
    """
    o = readings if readings is not None else Readings()
    if n < 2:
        raise InputError(f"Theorem 5 needs n >= 2, got {n}")

    def irreducible(kind: str) -> Hypothesis:
        kind = kind if o.irreducible == "matched" else "D"
        scope = "global" if o.irreducible_scope == "everywhere" else "point"
        return Hypothesis(f"irreducible:{kind}", f"every factor {kind}-irreducible", f"irreducible:{kind}", scope)

    if number == 1:
        return Theorem(1, "lifting", "local disentanglement of g lifts to global disentanglement", _TOPOLOGY, (_T4,), ("slices",))
    if number == 2:
        hyps = (Hypothesis("D", "Type D on S", "D"), irreducible("D")) + _TOPOLOGY
        return Theorem(2, "Type D", "a Type D generator with D-irreducible factors is identifiable up to decomposable h", hyps, (_T4,), ("irreducible-scope", "slices"))
    if number == 3:
        hyps = (Hypothesis("M", "Type M on S", "M"), irreducible("M"))
        if o.thm3 == "with-spanning":
            hyps += (Hypothesis("spanning", "every row's values span its support (sufficient variability)", "spanning"),)
        sparsity = "sparsity: ||J_ghat(h(s))||_0 <= ||J_g(s)||_0 (checked only for a supplied decoder)"
        return Theorem(3, "Type M", "a Type M generator with M-irreducible factors is identifiable among sparser competitors", hyps + _TOPOLOGY, (sparsity, _T4), ("m-basis", "irreducible", "irreducible-scope", "thm3", "slices"))
    if number == 4:
        hyps = (Hypothesis("S", "Type S at every s", "S"), irreducible("S")) + _TOPOLOGY
        return Theorem(4, "Type S", "a Type S generator with S-irreducible factors is identifiable", hyps, (_T4,), ("s-strict", "rho-plus", "irreducible", "irreducible-scope", "slices"))
    if number == 5:
        hyps = (
            Hypothesis(f"H{n}", f"Type H{n} on S", f"H{n}"),
            Hypothesis(f"sep{n}", f"{n}-order separability at the checked points", f"sep{n}", "point"),
            irreducible("H2" if n == 2 or o.irreducible == "D" else f"H{n}"),
            Hypothesis(f"C{n}", f"g is C^{n}", f"C{n}"),
        ) + _TOPOLOGY
        return Theorem(5, f"Type H{n}", f"a Type H{n} generator, separable and H{n}-irreducible, is identifiable", hyps, (_T4,), ("hn", "sep", "irreducible", "irreducible-scope", "slices"))
    raise InputError(f"there is no theorem {number} (choose 1-5)")


THEOREMS = tuple(range(1, 6))


@dataclass
class TheoremReport:
    """The hypotheses of one theorem on one generator, each with its verdict, and the conclusion."""

    theorem: Theorem
    generator: Generator
    results: dict[str, list[CheckResult]] = field(default_factory=dict)
    conclusion: str = "not-established"
    reason: str = ""
    reasons: list[str] = field(default_factory=list)
    readings: dict[str, Any] = field(default_factory=dict)
    #: where no hypothesis is refuted and the theorem is not established: g's constants that the
    #: zero test leaves open (docs/mathematics.md 2.1), as text
    undecided_constants: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        rows = []
        for h in self.theorem.hypotheses:
            for r in self.results.get(h.id, []):
                row = r.to_json()
                row["hypothesis"] = h.id
                row["label"] = h.label
                row["required_scope"] = h.scope
                rows.append(row)
        return {
            "case": self.generator.name,
            "theorem": self.theorem.number,
            "name": self.theorem.name,
            "statement": self.theorem.statement,
            "readings": self.readings,
            "hypotheses": rows,
            "competitor_conditions": list(self.theorem.competitor_conditions),
            "conclusion": self.conclusion,
            "reason": self.reason,
            "reasons": self.reasons,
            "undecided_constants": self.undecided_constants,
        }


def _synthetic(criterion: str, verdict: str, method: str, note: str) -> CheckResult:
    return CheckResult(criterion, verdict, "global", method, details={"note": note})


def _run_hypothesis(
    h: Hypothesis, g: Generator, ctx: CheckContext, seed: int, budget: float | None, known: Sequence[CheckResult], isolate: bool = False
) -> list[CheckResult]:
    if h.check.startswith("C") and h.check[1:].isdigit():
        n = int(h.check[1:])
        result = _killable(lambda: _smoothness(ctx, n, budget), h.check, budget, isolate)
        ctx.smoothness_results.setdefault(n, result)  # a worker's cache does not come back
        return [result]
    results = [r for r in known if r.criterion == h.check] or check(g, [h.check], seed=seed, budget=budget, context=ctx, isolate=isolate)
    if h.scope == "global" and not any(r.scope == "global" for r in results):
        which = lookup(h.check)
        if which.criterion.global_check is not None:
            results.append(_killable(lambda: _global(ctx, which, h.check, budget), h.check, budget, isolate))
    return results


def _global(ctx: CheckContext, which, criterion: str, budget: float | None) -> CheckResult:
    ctx.use_budget(Budget(budget))
    try:
        return resolve(which.criterion.global_check)(ctx, **which.params)
    except BudgetExhausted:
        return _synthetic(criterion, "unknown", "budget-exhausted", "the global check ran out of its time budget")


def _killable(task: Callable[[], CheckResult], criterion: str, budget: float | None, isolate: bool) -> CheckResult:
    """``task()``, in a killable worker when ``isolate`` (as :func:`theory.checker.check` runs checks)."""
    if not isolate:
        return task()

    def stopped(why: str, _elapsed: float) -> CheckResult:
        method, note = STOPPED.get(why, ("worker-died", why))
        return _synthetic(criterion, "unknown", method, note)

    return run_one_killable(task, budget, stopped)


def _smoothness(ctx: CheckContext, n: int, budget: float | None) -> CheckResult:
    """Hypothesis C^n, decided by :func:`theory.criteria.smoothness.check_smoothness`."""
    ctx.use_budget(Budget(budget))
    try:
        return check_smoothness(ctx, n)
    except BudgetExhausted:
        return _synthetic(f"C{n}", "unknown", "budget-exhausted", "the smoothness check ran out of its time budget")


def _generic_from_points(h: Hypothesis, generator: Generator) -> str:
    """Why irreducibility proved at sampled points does not prove it at generic points
    (``irreducible-scope: generic``), or ``""`` when it does.

    It does for D-irreducibility of a generator whose outputs are analytic on all of R^d
    (:func:`theory.model.regularity.analytic_everywhere`): a split of a block at generic
    points (rank additivity, docs/mathematics.md 7.1) persists at every point where the block
    has full rank, since ranks only drop there; so a block proved irreducible at one point
    (where it has full rank) is irreducible at generic points.  For other criteria, whose
    splits are not monotone in this way, and for generators with pieces (a split may hold on a
    whole open set that the samples miss), the samples are evidence only.
    """
    if h.check != "irreducible:D":
        return f"{h.check} proved at sampled points does not prove it at generic points (only D-irreducibility of an analytic generator carries over)"
    if not all(analytic_everywhere(o) for o in generator.outputs):
        return "g is not certified analytic on all of R^d, so irreducibility at sampled points does not carry over to generic points (a split may hold on an open set the samples miss)"
    return ""


def _satisfied(h: Hypothesis, results: list[CheckResult], generator: Generator | None = None) -> tuple[bool, str]:
    """Whether the hypothesis is proved with the scope it needs, else why not."""
    if not results:
        return False, f"hypothesis {h.id} ({h.label}) was not checked"
    refuted = [r for r in results if r.verdict == "refuted"]
    if refuted:
        return False, f"hypothesis {h.id} ({h.label}) is refuted"
    if any(r.verdict == "holds-probabilistically" for r in results):
        return False, f"hypothesis {h.id} ({h.label}) holds only probabilistically (random primes), which is not a proof"
    if h.scope == "global":
        glob = [r for r in results if r.scope == "global"]
        if glob and all(r.verdict == "proved" for r in glob):
            return True, ""
        if not glob and all(r.verdict == "proved" for r in results):
            return False, f"hypothesis {h.id} ({h.label}) holds at the checked points only"
        return False, f"hypothesis {h.id} ({h.label}) is unknown"
    if all(r.verdict == "proved" for r in results):
        if generator is not None and h.check.startswith("irreducible:"):  # irreducible-scope: generic
            why = _generic_from_points(h, generator)
            if why:
                return False, f"hypothesis {h.id} ({h.label}) holds at the sampled points only: {why}"
        return True, ""
    return False, f"hypothesis {h.id} ({h.label}) is unknown"


def theorem_report(
    generator: Generator,
    number: int,
    readings: Readings | None = None,
    n: int = 2,
    seed: int = 0,
    budget: float | None = 60.0,
    context: CheckContext | None = None,
    known: Sequence[CheckResult] = (),
    isolate: bool = False,
) -> TheoremReport:
    """Check every hypothesis of theorem ``number`` on ``generator`` and conclude.

    Parameters
    ----------
    generator
        The generator.
    number
        1-5.
    readings
        The readings (docs/mathematics.md 0.3); defaults everywhere, or the context's.
    n
        Theorem 5's order.
    seed, budget
        Seed of every random choice; seconds per check.
    context
        A :class:`CheckContext` to share caches across theorems; its readings hold.
    known
        Results of :func:`theory.checker.check` already computed on ``generator`` under the
        same readings and seed; a hypothesis with results here is not checked again.
    isolate
        Run the checks in killable workers (:func:`theory.checker.check`): the command line
        does, so that work the budget cannot interrupt (an exact power ``(1 + s)**(2**70)``)
        is stopped, and a worker that dies takes no more than its check with it.

    Raises
    ------
    InputError
        When ``readings`` and ``context``'s readings differ.
    """
    if context is not None and readings is not None and context.readings != readings:
        raise InputError("theorem_report: the readings given differ from the context's readings")
    ctx = context or CheckContext(generator, seed=seed, readings=readings)
    o = ctx.readings
    th = theorem(number, o, n)
    report = TheoremReport(th, generator, readings={name: getattr(o, _READING_FIELDS[name]) for name in th.readings})
    reasons = []
    for h in th.hypotheses:
        report.results[h.id] = _run_hypothesis(h, generator, ctx, seed, budget, known, isolate)
        ok, why = _satisfied(h, report.results[h.id], generator)
        if not ok:
            reasons.append(why)
    if number == 3 and o.thm3 == "summary":
        reasons.append("reading thm3=summary: this hypothesis set is known to be insufficient (docs/mathematics.md 4.3)")
    if number in (3, 4, 5) and o.irreducible == "D":
        reasons.append(
            "reading irreducible=D: D-irreducibility does not rule out the split-and-merge competitor of this theorem's criterion, "
            "so this hypothesis set is known to be insufficient (x02 is D-irreducible and S-reducible; docs/mathematics.md 7.5)"
        )
    report.conclusion = "not-established" if reasons else "established"
    report.reason = reasons[0] if reasons else "every hypothesis on g and S is proved with the scope it needs"
    if reasons and not any(r.verdict == "refuted" for rs in report.results.values() for r in rs):
        report.undecided_constants = [sp.sstr(c) for c in undecided_constants(generator.outputs, cache=ctx.constants)]
        if report.undecided_constants:
            reasons.append(
                f"g contains the constant {report.undecided_constants[0]}, which no step of the zero test decides "
                "(zero-equivalence of constants built from exp, log and trig functions is undecidable in general: "
                "Richardson; docs/mathematics.md 2.1); a verdict that depends on its value stays unknown"
            )
            report.reason += f"; {reasons[-1]}"
    report.reasons = reasons
    return report


def check_sparsity_constraint(competitor, samples: int = 4, seed: int = 0) -> list[CheckResult]:
    """Theorem 3's side condition ``||J_ghat(h(s))||_0 <= ||J_g(s)||_0`` at sample pairs.

    ``competitor`` is a :class:`theory.theorems.counterexample.Competitor` (it knows ``h``).  Both
    Jacobians are evaluated exactly at ``s0`` and at ``samples`` seeded rational points;
    each pair gives a ``point`` verdict (criterion ``sparsity-constraint``).
    """
    g, ghat = competitor.original, competitor.generator
    ctx_g, ctx_hat = CheckContext(g, seed=seed), CheckContext(ghat, seed=seed)
    out = []
    for s in [competitor.s0] + ctx_g.random_points(samples):
        z = {zs: sp.Rational(sp.expand(e.subs(s, simultaneous=True))) for zs, e in zip(ghat.latents, competitor.h)}
        J, why = ctx_g.checked_rational_jacobian_at(s)
        J_hat, why_hat = ctx_hat.checked_rational_jacobian_at(z)
        if J is None or J_hat is None:
            out.append(CheckResult("sparsity-constraint", "unknown", "point", "not-rational", details={"reason": why or why_hat}, point=s))
            continue
        l0, l0_hat = (sum(1 for row in M for x in row if x != 0) for M in (J, J_hat))
        details = {"l0_g": l0, "l0_ghat": l0_hat, "z": {str(k): str(v) for k, v in z.items()}}
        if l0_hat <= l0:
            out.append(CheckResult("sparsity-constraint", "proved", "point", "exact-evaluation", details=details, point=s))
        else:
            witness = {"point": {str(k): str(v) for k, v in s.items()}, **details}
            out.append(CheckResult("sparsity-constraint", "refuted", "point", "exact-evaluation", witness=witness, details=details, point=s))
    return out


def competitor_conditions(report: TheoremReport, competitor) -> dict[str, list[CheckResult]]:
    """Check the theorem's conditions on a candidate ``competitor`` (docs/mathematics.md 9.2): T4
    (g_hat a covering map, sufficient conditions) and, for Theorem 3, the sparsity
    constraint.  Returned by condition id; ``report`` is not changed."""
    out = {"T4": [check_covering(competitor.generator)]}
    if report.theorem.number == 3:
        out["sparsity-constraint"] = check_sparsity_constraint(competitor)
    return out

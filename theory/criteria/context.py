"""Shared state of the checks on one generator: derivatives, points, zero tests, exact Jacobians.

A :class:`CheckContext` lets the criteria share work (the derivative table, the
candidate points, the zero-test cache, the decided constants, exact Jacobians at points)
while each check runs under its own :class:`~theory.budget.Budget`.
"""

from __future__ import annotations

import copy
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from theory.budget import Budget
from theory.errors import DomainError, InputError
from theory.readings import ENGINES, Readings
from theory.exact.constant_zero import DEFAULT_SYMBOLIC_TIMEOUT, ConstantCache, ConstantDecision, certainly_not_real, decide_constant
from theory.model.derivatives import DerivativeTable, PointDerivativeUndecided
from theory.model.generator import Generator
from theory.model.guard import SelfCheckFailed, finite_difference, guard_value
from theory.model.piecewise_linear import PLNetwork, guarded_jacobian_at, parse_network
from theory.criteria.domain_sign import rational_sign_on_domain
from theory.exact.intervals import certify_sign
from theory.exact.rationals import expr_str
from theory.exact.points import PointSource, random_point
from theory.exact.smt import DEFAULT_SMT_TIMEOUT
from theory.exact.zerotest import ZeroTester, ZeroTestResult
from theory.result import point_json

__all__ = [
    "CheckContext",
    "ExactJacobian",
    "strongest_method",
    "value_json",
    "is_exact_rational",
    "enclosures_json",
    "PROOF_METHODS",
    "NotRational",
    "rational_value",
]

Point = dict[sp.Symbol, sp.Rational]

#: Proof methods from the most elementary to the most elaborate; a verdict built from
#: several zero proofs reports the most elaborate one it needed.
PROOF_METHODS = (
    "structural",
    "piece-selection",
    "exact-evaluation",
    "expand",
    "rational-canonical-form",
    "interval",
    "exp-normal-form",
    "minimal-polynomial",
    "simplify",
    "exclusive-rows",
    "z3-nlsat",
)


def strongest_method(methods: Iterable[str]) -> str:
    """The most elaborate of ``methods`` (by :data:`PROOF_METHODS`)."""
    rank = {m: i for i, m in enumerate(PROOF_METHODS)}
    methods = list(methods)
    if not methods:
        return "structural"
    return max(methods, key=lambda m: rank.get(m, len(rank)))


def value_json(decision: ConstantDecision) -> str:
    """An exact value as a string (rational ``p/q`` or the exact expression)."""
    return expr_str(decision.value)


def is_exact_rational(decision: ConstantDecision) -> bool:
    """Whether the decided value is a known rational (not only an enclosure)."""
    return bool(decision.value.is_Rational)


def enclosures_json(decisions: list[ConstantDecision]) -> list | None:
    """Certified enclosures of the values that are not rational (``None`` if all are)."""
    if all(is_exact_rational(d) for d in decisions):
        return None
    return [None if is_exact_rational(d) else list(d.enclosure) if d.enclosure else None for d in decisions]


@dataclass
class ExactJacobian:
    """The Jacobian at a rational point, every entry decided exactly where possible.

    ``status[t][a]`` is ``zero``, ``nonzero`` or ``unknown``; ``entries[t][a]`` the
    decision (exact value, method, enclosure).
    """

    point: Point
    entries: list[list[ConstantDecision]]

    def status(self, t: int, a: int) -> str:
        return self.entries[t][a].status

    def support(self, a: int) -> frozenset[int]:
        """Rows where column ``a`` is certified nonzero."""
        return frozenset(t for t, row in enumerate(self.entries) if row[a].is_nonzero)

    def undecided(self, a: int) -> frozenset[int]:
        return frozenset(t for t, row in enumerate(self.entries) if row[a].status == "unknown")

    def methods(self) -> Counter:
        """How the decided entries were decided."""
        return Counter(e.method for row in self.entries for e in row if e.status != "unknown")

    def undetermined(self) -> list[tuple[int, int, str]]:
        """``(output, latent, why)`` of every entry left undecided."""
        return [(t, a, e.method) for t, row in enumerate(self.entries) for a, e in enumerate(row) if e.status == "unknown"]


class CheckContext:
    """Everything the criteria share about one generator.

    Parameters
    ----------
    generator
        The generator under check.
    seed
        Seed of the random candidate points.
    symbolic_timeout
        Cap per ``simplify`` / ``minimal_polynomial`` call, in seconds.
    smt_timeout
        Cap per z3 query, in seconds.
    guard
        Re-check every exact derivative value a verdict uses against finite differences
        of g's values (:mod:`theory.model.guard`); a disagreement raises
        :class:`~theory.model.guard.SelfCheckFailed`, which the check reports as ``unknown``.
    readings
        The readings the criteria use when not told otherwise (:class:`theory.readings.Readings`).
    engine
        Engine of the rho computations (``auto``, ``matroid`` or ``z3``).
    """

    def __init__(
        self,
        generator: Generator,
        seed: int = 0,
        symbolic_timeout: float = DEFAULT_SYMBOLIC_TIMEOUT,
        smt_timeout: float = DEFAULT_SMT_TIMEOUT,
        guard: bool = True,
        readings: Readings | None = None,
        engine: str = "auto",
    ):
        if engine not in ENGINES:
            raise InputError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
        self.generator = generator
        self.readings = readings if readings is not None else Readings()
        self.engine = engine
        self.seed = seed
        self.smt_timeout = smt_timeout
        self.symbolic_timeout = symbolic_timeout
        self.points = PointSource(generator.domain, generator.latents, seed)
        self.budget = Budget(None)
        #: what deciding constants found (minimal polynomials, simplify, interval signs),
        #: shared by every check on this generator (theory.exact.constant_zero.ConstantCache)
        self.constants = ConstantCache()
        self.tester = ZeroTester(
            generator.domain,
            generator.latents,
            seed=seed,
            budget=self.budget,
            symbolic_timeout=symbolic_timeout,
            points=self.points,
            constants=self.constants,
        )
        self._jacobians: dict[tuple, ExactJacobian] = {}
        self._partials: dict[tuple[int, int], ZeroTestResult] = {}
        self._signs: dict[tuple[int, int], tuple[int | None, tuple[str, str] | None]] = {}
        self._random_points: list[Point] = []
        self._sampling_failed = False
        self.guard = guard
        #: C^n verdicts already decided (theory.criteria.smoothness), by n
        self.smoothness_results: dict[int, object] = {}
        #: exact rho results at points (theory.criteria.sparsity_gap.point_sparsity), by (point, engine)
        self.sparsity_results: dict[tuple, object] = {}
        self._guarded: set[tuple] = set()
        self._guard_failures: dict[tuple, SelfCheckFailed] = {}
        #: the probabilistic mode's tester (theory.probabilistic.ProbabilisticTester), or None (off)
        self.probabilistic = None

    @property
    def table(self) -> DerivativeTable:
        """The generator's derivative table, built on first use (inside the check that
        needs it, so that its cost counts against that check's budget)."""
        return self.generator.derivatives

    def with_readings(self, readings: Readings) -> CheckContext:
        """A context under other readings that shares this one's caches (derivatives,
        zero tests, Jacobians: none of them depends on a reading)."""
        other = copy.copy(self)
        other.readings = readings
        return other

    def use_budget(self, budget: Budget) -> None:
        """Run the following work under ``budget``."""
        self.budget = budget
        self.tester.budget = budget

    def smt_time(self) -> float:
        return self.budget.slice(self.smt_timeout)

    def decide_constant(self, c: sp.Expr, exact_value: bool = False, cheap: bool = False, timeout: float | None = None) -> ConstantDecision:
        """:func:`~theory.exact.constant_zero.decide_constant` under the current budget,
        through this context's cache of decided constants (``timeout``: the cap of each
        slow tier, default the context's ``symbolic_timeout``)."""
        cap = self.symbolic_timeout if timeout is None else timeout
        return decide_constant(c, self.budget, cap, exact_value=exact_value, cheap=cheap, cache=self.constants)

    # -- points ---------------------------------------------------------------------------
    def probe_points(self, count: int = 8) -> list[Point]:
        """The generator's own points, then the first ``count`` candidate points."""
        out = [dict(p) for p in self.generator.points]
        seen = {tuple(p.values()) for p in out}
        for p in self.points.take(count):
            if tuple(p.values()) not in seen:
                out.append(p)
        return out

    def random_points(self, count: int) -> list[Point]:
        """``count`` seeded random rational points of the domain (no grid points); fewer, possibly
        none, when the domain is too thin for rejection sampling to find them (a region such as
        ``s1 > 1 - 10**-40``): callers use the generator's own points as well."""
        if len(self._random_points) < count and not self._sampling_failed:
            rng = random.Random(self.seed + 1)
            g = self.generator
            found = []
            for _ in range(count):
                try:
                    found.append(random_point(g.domain, g.latents, rng))
                except DomainError:
                    self._sampling_failed = True
                    break
            self._random_points = found
        return self._random_points[:count]

    def some_point(self) -> Point:
        """A point of the domain: the generator's first point, else a seeded random one.

        Raises
        ------
        DomainError
            When the generator has no points and none can be sampled.
        """
        g = self.generator
        if g.points:
            return dict(g.points[0])
        found = self.random_points(1)
        if not found:
            raise DomainError(f"could not sample a rational point of {g.domain!r}: is the region empty or very thin? Give the generator explicit points.")
        return found[0]

    # -- exact values -----------------------------------------------------------------------
    def jacobian_at(self, point: Point) -> ExactJacobian:
        """The exact Jacobian at ``point`` (cached)."""
        key = tuple(point[s] for s in self.generator.latents)
        hit = self._jacobians.get(key)
        if hit is not None:
            return hit
        g = self.generator
        linear = self._piecewise_linear_jacobian(point)
        if linear is not None:
            return linear
        entries = []
        for t in range(g.m):
            row = []
            deps = self.table.dependencies(t)
            exact_zeros = self.table.exact_structural_zeros(t)
            for a in range(g.d):
                if a not in deps and exact_zeros:
                    row.append(ConstantDecision("zero", "structural", sp.S.Zero))
                    continue
                self.budget.check()
                row.append(self._decide_value(t, (a,), point, cheap=False))
            entries.append(row)
        jac = ExactJacobian(dict(point), entries)
        if self.guard:
            box = self.generator.black_box
            for t, row in enumerate(entries):
                used = box.outputs[t].free_symbols
                for a, decision in enumerate(row):
                    if decision.method == "structural" and g.latents[a] not in used:
                        continue  # g_t does not mention s_a: the guard would agree with 0 at once
                    if decision.status != "unknown":
                        self._guard(t, (a,), point, decision.value if decision.is_nonzero else sp.S.Zero)
        self._jacobians[key] = jac
        return jac

    def piecewise_linear_network(self) -> PLNetwork | None:
        """g as a piecewise-linear network (:class:`theory.model.piecewise_linear.PLNetwork`), or
        ``None`` when it is not one; parsed once per context, shared by the checks that use it."""
        shared = self.__dict__.setdefault("_piecewise_linear", {})
        if "network" not in shared:  # a generator may know it is none (theory.image: every output is a sum of sprites)
            known_not = getattr(self.generator, "piecewise_linear", None) is False
            shared["network"] = None if known_not else parse_network(self.generator.outputs, self.generator.latents, self.generator.domain)
        return shared["network"]

    def _piecewise_linear_jacobian(self, point: Point) -> ExactJacobian | None:
        """J at a point inside a linear region of a piecewise-linear g, read off the region's
        atom signs (:func:`theory.model.piecewise_linear.guarded_jacobian_at`), else ``None`` (cached)."""
        net = self.piecewise_linear_network()
        if net is None:
            return None
        cache = self.__dict__.setdefault("_linear_jacobians", {})
        key = tuple(point[s] for s in self.generator.latents)
        if key not in cache:
            J = guarded_jacobian_at(self.generator, net, point, self.seed, self.guard, self.budget.check)
            cache[key] = None if J is None else self._linear_entries(point, J)
        return cache[key]

    def _linear_entries(self, point: Point, J: list[list[Fraction]]) -> ExactJacobian:
        # labelled as decide_constant labels exact values: 0 "structural", others "exact-evaluation"
        entries = [
            [ConstantDecision("nonzero", "exact-evaluation", sp.Rational(v.numerator, v.denominator)) if v else ConstantDecision("zero", "structural", sp.S.Zero) for v in row]
            for row in J
        ]
        return ExactJacobian(dict(point), entries)

    def _guard(self, t: int, alpha: tuple[int, ...], point: Point, exact: sp.Expr) -> None:
        """Raise :class:`~theory.model.guard.SelfCheckFailed` (remembered) unless ``exact`` agrees
        with the finite differences of g's values."""
        key = (t, alpha, tuple(point[s] for s in self.generator.latents))
        failure = self._guard_failures.get(key)
        if failure is None and key not in self._guarded:
            self.budget.check()
            try:
                guard_value(self.generator.black_box, t, alpha, point, exact)
            except SelfCheckFailed as exc:
                failure = exc
                self._guard_failures[key] = exc
            self._guarded.add(key)
        if failure is not None:
            raise failure

    def guard_zero(self, t: int, alpha: tuple[int, ...], count: int = 2) -> None:
        """Spot-check a claim that ``d^alpha g_t`` vanishes on the domain: at ``count``
        seeded random points the finite differences of g's values must agree with 0
        (points where they do not converge, near a kink, are skipped)."""
        if not self.guard:
            return
        box = self.generator.black_box
        for point in self.random_points(count) or [dict(p) for p in self.generator.points[:count]]:
            self.budget.check()
            fd = finite_difference(box, t, alpha, point)
            if fd is None or not fd.converged:
                continue
            try:
                guard_value(box, t, alpha, point, sp.S.Zero)
            except SelfCheckFailed as exc:
                exc.details["claim"] = "identically zero on the domain"
                raise

    def checked_rational_jacobian_at(self, point: Point) -> tuple[list[list[Fraction]] | None, str]:
        """:meth:`rational_jacobian_at` for callers outside a check (reports, the hierarchy,
        competitors): a failed self-check becomes ``None`` and its message, not an exception."""
        try:
            return self.rational_jacobian_at(point)
        except SelfCheckFailed as exc:
            return None, f"self-check-failed: {exc}"

    def checked_jacobian_at(self, point: Point) -> ExactJacobian | None:
        """:meth:`jacobian_at`, or ``None`` where its self-check failed (for searches and
        reports, which then skip the point)."""
        try:
            return self.jacobian_at(point)
        except SelfCheckFailed:
            return None

    def cached_jacobian(self, point: Point) -> ExactJacobian | None:
        """The exact Jacobian at ``point`` if a check already computed it."""
        return self._jacobians.get(tuple(point[s] for s in self.generator.latents))

    def rational_jacobian_at(self, point: Point) -> tuple[list[list[Fraction]] | None, str]:
        """``J(point)`` as exact Fractions, or ``None`` and the reason (an undecided or
        irrational entry: the matroid and z3 algorithms work over the rationals)."""
        jac = self.jacobian_at(point)
        g = self.generator
        rows: list[list[Fraction]] = []
        for t, row in enumerate(jac.entries):
            out = []
            for a, decision in enumerate(row):
                if decision.status == "unknown":
                    return None, f"entry d g_{t} / d {g.latents[a]} at the point is undecided ({decision.method})"
                value = sp.S.Zero if decision.status == "zero" else decision.value
                if not value.is_Rational:
                    self.budget.check()
                    value = self.decide_constant(value, exact_value=True).value
                if not value.is_Rational:
                    return None, f"entry d g_{t} / d {g.latents[a]} = {expr_str(decision.value)} is not known to be rational"
                out.append(Fraction(int(value.p), int(value.q)))
            rows.append(out)
        return rows, ""

    def value_at(self, t: int, alpha: tuple[int, ...], point: Point, cheap: bool = True) -> ConstantDecision:
        """Decide ``d^alpha g_t(point)`` (``cheap``: exact and interval tiers only)."""
        if self.table.is_structural_zero(t, alpha) and self.table.exact_structural_zeros(t):
            return ConstantDecision("zero", "structural", sp.S.Zero)
        linear = self._piecewise_linear_jacobian(point) if alpha else None
        if linear is not None:  # inside a linear region g is affine: J there, higher derivatives 0
            return linear.entries[t][alpha[0]] if len(alpha) == 1 else ConstantDecision("zero", "structural", sp.S.Zero)
        return self._decide_value(t, alpha, point, cheap)

    def _decide_value(self, t: int, alpha: tuple[int, ...], point: Point, cheap: bool) -> ConstantDecision:
        """``d^alpha g_t(point)`` decided; ``unknown`` (with the reason) where the derivative
        cannot be determined soundly at the point (a piece boundary, a thin piece)."""
        try:
            value = self.table.value(t, alpha, point)
        except PointDerivativeUndecided as exc:
            return ConstantDecision("unknown", exc.method, sp.nan)
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return ConstantDecision("unknown", "undefined-value", value)
        if certainly_not_real(value):  # g is not real-valued near the point (log of a negative, ...)
            return ConstantDecision("unknown", "not-real", value)
        decision = self.decide_constant(value, cheap=cheap)
        if self.guard and len(alpha) > 1 and decision.status != "unknown":
            self._guard(t, alpha, point, decision.value if decision.is_nonzero else sp.S.Zero)
        return decision

    def partial_sign(self, t: int, a: int) -> tuple[int | None, tuple[str, str] | None]:
        """A certified sign of ``d g_t / d s_a`` on the whole domain, with its enclosure: an
        interval enclosure on the bounding box that excludes 0, else (for a rational function,
        ``1/s1`` on ``(0, 1)``) z3 on the open domain, with no enclosure (cached)."""
        key = (t, a)
        if key not in self._signs:
            g = self.generator
            derivative = self.table.derivative(t, (a,))
            sign, enclosure = certify_sign(derivative, {s: g.domain.interval(s) for s in g.latents})
            if sign is None:
                sign = rational_sign_on_domain(derivative, g.domain, g.latents, timeout=self.smt_time())
            self._signs[key] = (sign, enclosure)
        return self._signs[key]

    def partial_zero_test(self, t: int, a: int) -> ZeroTestResult:
        """Is ``d g_t / d s_a`` identically zero on the domain? (cached)"""
        key = (t, a)
        hit = self._partials.get(key)
        if hit is not None:
            return hit
        prob = self.probabilistic
        if prob is not None and prob.active and not self.table.is_structural_zero(t, (a,)):
            zero = prob.partial_zero(t, a)  # not cached here: a random zero is recorded by each check that uses it
            if zero is not None:
                return ZeroTestResult("zero" if zero else "nonzero", "probabilistic")
        if self.table.is_structural_zero(t, (a,)):
            result = ZeroTestResult("zero", self.table.structural_method(t, (a,)))
        else:
            result = self.tester.test(self.table.derivative(t, (a,)))
        if result.is_zero:
            self.guard_zero(t, (a,))
        if result.method != "budget-exhausted":
            self._partials[key] = result
        return result


class NotRational(Exception):
    """An exact value needed as a rational number is undecided or irrational."""


def constant_value(ctx: CheckContext, t: int, alpha: tuple[int, ...], point: Point) -> sp.Expr:
    """``d^alpha g_t`` at ``point`` as an exact constant (zero when decided zero), for proofs:
    confirmed by the guard at every order (:meth:`CheckContext.value_at` guards orders >= 2;
    first-order values, which proofs in separability and spanning rest on, come from the
    guarded :meth:`CheckContext.jacobian_at`).

    Raises
    ------
    NotRational
        When the value is undecided.
    SelfCheckFailed
        When the guard disagrees (the check reports ``unknown``).
    """
    # first order: from the Jacobian at the point, which is guarded as a whole (entry by entry,
    # or for a piecewise-linear g once along a random direction) and cached
    decision = ctx.jacobian_at(point).entries[t][alpha[0]] if len(alpha) == 1 else ctx.value_at(t, alpha, point, cheap=False)
    if decision.status == "unknown":
        raise NotRational(f"d^{alpha} g_{t} at {point_json(point)} is undecided")
    return sp.S.Zero if decision.status == "zero" else decision.value


def rational_value(ctx: CheckContext, t: int, alpha: tuple[int, ...], point: Point) -> Fraction:
    """``d^alpha g_t`` at ``point`` as a :class:`~fractions.Fraction`.

    Raises
    ------
    NotRational
        When the value is undecided or not a known rational.
    """
    value = constant_value(ctx, t, alpha, point)
    if not value.is_Rational:
        raise NotRational(f"d^{alpha} g_{t} at {point_json(point)} is not a known rational")
    return Fraction(int(value.p), int(value.q))

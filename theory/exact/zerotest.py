"""The sound zero test: is ``f`` identically zero on the domain S? (docs/mathematics.md section 2.)

The answer is ``zero`` (a proof, naming the tier that found it), ``nonzero`` (an exact
rational point of S and the exact value there, or a certified enclosure excluding 0),
or ``unknown`` (with what was tried).  The tiers, cheapest first:

1. ``structural``: f is syntactically 0.
2. ``piece-selection``: Piecewise conditions fixed on the domain are resolved; 0 remains.
3. constants: decided as in :func:`theory.exact.constant_zero.decide_constant`.
4. ``rational-canonical-form`` (``minimal-polynomial`` when an algebraic coefficient
   needed it): f rational in the latents; the numerator of ``together(f)`` expanded,
   every coefficient decided.  A nonzero coefficient proves f nonzero, and the witness
   search then finds a point.
5. for other f: ``expand`` (symengine), a quick witness search, ``exp-normal-form``
   (trig and hyperbolic functions rewritten through exp, exp of linear arguments
   replaced by powers of fresh symbols, other transcendental subterms generalised to
   fresh symbols, then tier 4 over the enlarged set of variables), ``simplify`` and
   friends in a killable child process, a longer witness search.
6. ``unknown`` (``evaluation-overflow`` when sympy or mpmath overflowed on a huge number).

Floats, ``equals``, ``nsimplify`` and ``solve`` never decide.  Every substitution of a
subterm by a fresh symbol is a generalisation, so a zero found afterwards is a zero of f.

Examples
--------
>>> import sympy as sp
>>> from theory.model.domain import Box
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> tester = ZeroTester(Box({s1: (-1, 1), s2: (-1, 1)}), (s1, s2))
>>> tester.test(sp.cos(2 * s2) + 2 * sp.sin(s2)**2 - 1).method
'exp-normal-form'
>>> r = tester.test(s1 * s2 - s1**2)
>>> r.status, r.method
('nonzero', 'exact-evaluation')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import symengine as se
import sympy as sp

from theory.budget import Budget, BudgetExhausted, call_with_timeout
from theory.exact.constant_zero import DEFAULT_SYMBOLIC_TIMEOUT, EVALUATION_ERRORS, ConstantCache, ConstantDecision, decide_constant
from theory.model.domain import Domain
from theory.model.functions import uses_only_symengine_safe
from theory.model.piecewise import off_boundaries, select_pieces
from theory.exact.smt import NotTranslatable, satisfiable_on
from theory.exact.points import PointSource

__all__ = ["ZeroTestResult", "ZeroTester", "zero_test", "rational_zero_test"]

Point = dict[sp.Symbol, sp.Rational]


@dataclass(frozen=True)
class ZeroTestResult:
    """The answer of a zero test.

    Attributes
    ----------
    status
        ``"zero"``, ``"nonzero"`` or ``"unknown"``.
    method
        The tier that decided, or for ``unknown`` the tiers tried (joined by ``+``).
    point
        For ``nonzero``: an exact rational point of the domain where f is nonzero.
    value
        For ``nonzero``: the decision on the exact value f(point).
    """

    status: str
    method: str
    point: Point | None = None
    value: ConstantDecision | None = None
    tried: tuple[str, ...] = field(default=())

    @property
    def is_zero(self) -> bool:
        return self.status == "zero"

    @property
    def is_nonzero(self) -> bool:
        return self.status == "nonzero"


class ZeroTester:
    """Zero tests on one domain, sharing candidate points and a cache.

    Parameters
    ----------
    domain
        The open domain S.
    latents
        The latent symbols (the variables of the expressions).
    seed
        Seed for the random part of the witness search.
    budget
        The check's :class:`~theory.budget.Budget`; tiers stop when it runs out.
    symbolic_timeout
        Cap in seconds for each call of ``simplify`` / ``minimal_polynomial``.
    points
        A shared :class:`~theory.exact.points.PointSource` (one is made if omitted).
    constants
        A shared :class:`~theory.exact.constant_zero.ConstantCache` of decided constants
        (one is made if omitted).
    """

    quick_points = 6
    thorough_points = 48
    large_points = 8
    polynomial_points = 256

    def __init__(
        self,
        domain: Domain,
        latents: Sequence[sp.Symbol],
        seed: int = 0,
        budget: Budget | None = None,
        symbolic_timeout: float = DEFAULT_SYMBOLIC_TIMEOUT,
        points: PointSource | None = None,
        constants: ConstantCache | None = None,
    ):
        self.domain = domain
        self.latents = tuple(latents)
        self.budget = budget or Budget(None)
        self.symbolic_timeout = symbolic_timeout
        self.points = points or PointSource(domain, self.latents, seed)
        self.constants = constants if constants is not None else ConstantCache()
        self._cache: dict[sp.Expr, ZeroTestResult] = {}

    # -- public -----------------------------------------------------------------------------
    def test(self, expr: sp.Expr) -> ZeroTestResult:
        """Decide whether ``expr`` is identically zero on the domain (see module docs)."""
        expr = sp.sympify(expr)
        hit = self._cache.get(expr)
        if hit is None:
            try:
                hit = self._test(expr)
            except BudgetExhausted:
                return ZeroTestResult("unknown", "budget-exhausted")
            except EVALUATION_ERRORS:  # sympy or mpmath met a number too large to evaluate
                return ZeroTestResult("unknown", "evaluation-overflow")
            self._cache[expr] = hit
        return hit

    def nonzero_at(self, expr: sp.Expr, point: Point, cheap: bool = False) -> ConstantDecision:
        """Decide the exact constant ``expr(point)`` (``cheap``: exact and interval tiers only)."""
        try:
            value = expr.xreplace(point)
        except EVALUATION_ERRORS:
            return ConstantDecision("unknown", "evaluation-overflow", expr)
        except TypeError:  # a condition comparing an undefined value: atan2(0, 0) > 1
            return ConstantDecision("unknown", "undefined-value", expr)
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return ConstantDecision("unknown", "undefined-value", value)
        return decide_constant(value, self.budget, self.symbolic_timeout, cheap=cheap, cache=self.constants)

    def find_nonzero_large(self, expr: sp.Expr, count: int) -> ZeroTestResult | None:
        """Search ``count`` random points with large denominators (a term like
        ``sin(N pi s)`` vanishes at every point with a small denominator)."""
        for point in self.points.large_points(count):
            self.budget.check()
            decision = self.nonzero_at(expr, point, cheap=True)
            if decision.is_nonzero:
                return ZeroTestResult("nonzero", decision.method, point, decision)
        return None

    def find_nonzero_point(self, expr: sp.Expr, count: int, start: int = 0) -> ZeroTestResult | None:
        """Search the first ``count`` candidate points for one where ``expr`` is certified nonzero."""
        for point in self.points.take(count)[start:]:
            self.budget.check()
            decision = self.nonzero_at(expr, point, cheap=True)
            if decision.is_nonzero:
                return ZeroTestResult("nonzero", decision.method, point, decision)
        return None

    # -- tiers ------------------------------------------------------------------------------
    def _test(self, f: sp.Expr) -> ZeroTestResult:
        tried: list[str] = []
        if f == 0:
            return ZeroTestResult("zero", "structural")
        g = select_pieces(f, self.domain)
        if g == 0:
            return ZeroTestResult("zero", "piece-selection")
        if g.has(sp.nan):
            return ZeroTestResult("unknown", "undefined-on-domain")
        if not g.free_symbols & set(self.latents):
            decision = decide_constant(g, self.budget, self.symbolic_timeout, cache=self.constants)
            if decision.is_zero:
                return ZeroTestResult("zero", decision.method)
            points = self.points.take(1)
            if decision.is_nonzero and points:
                return ZeroTestResult("nonzero", decision.method, points[0], decision)
            tried = tuple(decision.method.split("+"))
            return ZeroTestResult("unknown", decision.method, tried=tried)
        self.budget.check()
        if g.is_rational_function(*self.latents):
            return self._rational(g)
        expanded = _expand(g, self.latents)
        tried.append("expand")
        if expanded == 0:
            return ZeroTestResult("zero", "expand")
        hit = self.find_nonzero_point(g, self.quick_points) or self.find_nonzero_large(g, 2)
        tried.append("witness-search")
        if hit is not None:
            return hit
        self.budget.check()
        normal = exp_normal_form(g, self.latents)
        tried.append("exp-normal-form")
        status = rational_zero_test(normal.expr, normal.variables, self.budget, self.symbolic_timeout, cache=self.constants)
        if status == "zero":
            return ZeroTestResult("zero", "exp-normal-form")
        self.budget.check()
        signs = _sign_assumptions(self.domain, self.latents)
        limit = self.budget.slice(self.symbolic_timeout)
        outcome, tier = call_with_timeout(_simplify_tiers, (g, signs), limit)
        tried.append("simplify")
        if outcome == "ok" and tier is not None:
            return ZeroTestResult("zero", "simplify")
        hit = self.find_nonzero_point(g, self.thorough_points, start=self.quick_points) or self.find_nonzero_large(g, self.large_points)
        if hit is not None:
            return hit
        hit = self.find_nonzero_in_pieces(g)
        if hit is not None:
            return hit
        return ZeroTestResult("unknown", "+".join(tried), tried=tuple(tried))

    def find_nonzero_in_pieces(self, g: sp.Expr, pieces: int = 16) -> ZeroTestResult | None:
        """A point inside one piece of a Piecewise of ``g`` (z3's model of the piece's polynomial
        condition and the earlier ones' negations) where ``g`` is certified nonzero.  Sampled
        points can all miss a small piece (5% of the box).  The point must lie off every boundary
        of ``g``'s conditions (:func:`~theory.model.piecewise.off_boundaries`): there each
        Piecewise keeps its piece on a neighbourhood, so a nonzero value is nonzero on an open set."""
        tried = 0
        for pw in sorted(g.atoms(sp.Piecewise), key=sp.default_sort_key):
            earlier: list = []
            for _, cond in pw.args:
                if tried >= pieces or cond == sp.true:
                    break
                region = sp.And(cond, *[sp.Not(c) for c in earlier])
                earlier.append(cond)
                tried += 1
                self.budget.check()
                try:
                    answer = satisfiable_on(region, self.domain, self.latents, timeout=self.budget.slice(2.0))
                except NotTranslatable:
                    continue
                for point in answer.candidates if answer.status == "sat" else ():
                    if not self.domain.contains(point) or not off_boundaries([g], point):
                        continue
                    decision = self.nonzero_at(g, point, cheap=True)
                    if decision.is_nonzero:
                        return ZeroTestResult("nonzero", decision.method, point, decision)
        return None

    def _rational(self, g: sp.Expr) -> ZeroTestResult:
        undecided: list[str] = []
        status = rational_zero_test(g, self.latents, self.budget, self.symbolic_timeout, undecided, cache=self.constants)
        if status in ("zero", "zero-algebraic"):
            return ZeroTestResult("zero", "rational-canonical-form" if status == "zero" else "minimal-polynomial")
        if status == "unknown":
            tried = ("rational-canonical-form", *undecided)
            return ZeroTestResult("unknown", "+".join(tried), tried=tried)
        # a nonzero polynomial numerator: nonzero on a dense open subset of S, so a point exists
        hit = self.find_nonzero_point(g, self.polynomial_points)
        if hit is not None:
            return hit
        return ZeroTestResult("unknown", "rational-canonical-form+witness-search", tried=("rational-canonical-form", "witness-search"))


def zero_test(expr: sp.Expr, domain: Domain, latents: Sequence[sp.Symbol], seed: int = 0, budget: Budget | None = None) -> ZeroTestResult:
    """One-off zero test of ``expr`` on ``domain`` (see :class:`ZeroTester`)."""
    return ZeroTester(domain, latents, seed=seed, budget=budget).test(expr)


# -- rational canonical form -----------------------------------------------------------------
def rational_zero_test(
    expr: sp.Expr,
    variables: Sequence[sp.Symbol],
    budget: Budget | None = None,
    timeout: float = DEFAULT_SYMBOLIC_TIMEOUT,
    undecided: list[str] | None = None,
    cache: ConstantCache | None = None,
) -> str:
    """Decide a rational function of ``variables`` (constant coefficients may be algebraic).

    ``undecided``, when given, collects the tiers tried on a coefficient left undecided;
    ``cache`` (a :class:`~theory.exact.constant_zero.ConstantCache`) serves the coefficients.

    Returns
    -------
    str
        ``"zero"`` (all numerator coefficients are 0, rationally), ``"zero-algebraic"``
        (zero, some coefficient needed a minimal polynomial), ``"nonzero"`` (a nonzero
        coefficient), ``"unknown"`` (some coefficient undecided, or the denominator could
        not be shown nonzero).
    """
    num, den = sp.fraction(sp.together(expr))
    undecided = [] if undecided is None else undecided
    den_status = _polynomial_status(den, variables, budget, timeout, undecided, cache)
    if den_status not in ("nonzero",):
        undecided.append("denominator")
        return "unknown"  # a denominator that may vanish identically: f is not a function
    return _polynomial_status(num, variables, budget, timeout, undecided, cache)


def _polynomial_status(
    p: sp.Expr, variables: Sequence[sp.Symbol], budget: Budget | None, timeout: float, undecided: list[str], cache: ConstantCache | None = None
) -> str:
    if p == 0:
        return "zero"
    expanded = _expand(p, variables)
    if expanded == 0:
        return "zero"
    try:
        poly = sp.Poly(expanded, *variables) if variables else sp.Poly(expanded, sp.Dummy())
    except sp.PolynomialError:
        return "unknown"
    coeffs = poly.coeffs()
    if all(c.is_Rational for c in coeffs):
        return "zero" if poly.is_zero else "nonzero"
    used_algebraic = False
    open_coefficient = False
    for c in coeffs:
        if c.is_Rational:
            if c != 0:
                return "nonzero"
            continue
        decision = decide_constant(c, budget, timeout, cache=cache)
        if decision.is_nonzero:
            return "nonzero"
        if decision.is_zero:
            used_algebraic = used_algebraic or decision.method != "structural"
        else:
            open_coefficient = True
            undecided.extend(m for m in decision.method.split("+") if m not in undecided)
    if open_coefficient:
        return "unknown"
    return "zero-algebraic" if used_algebraic else "zero"


def _expand(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> sp.Expr:
    """Expand with symengine when ``expr`` uses only functions whose symengine values are
    sympy's (:func:`~theory.model.functions.uses_only_symengine_safe`: symengine evaluates
    the functions it knows at exact arguments by its own rules), else with sympy."""
    if not uses_only_symengine_safe(expr):
        return sp.expand(expr)
    try:
        back = {sp.Symbol(str(v)): v for v in variables}
        return sp.sympify(se.expand(se.sympify(expr))).xreplace(back)
    except Exception:
        return sp.expand(expr)


# -- exp normal form -------------------------------------------------------------------------
@dataclass(frozen=True)
class ExpNormalForm:
    """``expr`` rational in ``variables`` (latents plus fresh symbols), equal to f after
    substituting back exp units and generalised subterms."""

    expr: sp.Expr
    variables: tuple[sp.Symbol, ...]


def exp_normal_form(f: sp.Expr, latents: Sequence[sp.Symbol]) -> ExpNormalForm:
    """Rewrite ``f`` as a rational function of the latents and fresh symbols.

    Trig and hyperbolic functions are rewritten through exp; each ``exp(A)`` with
    ``A = c0 + sum_i (a_i + b_i I) s_i + R`` (rational a_i, b_i) becomes
    ``exp(c0) * prod E_i**(a_i L_i) * F_i**(b_i L_i) * X_R``, with ``E_i = exp(s_i/L_i)``,
    ``F_i = exp(I s_i/L_i)`` and ``X_R = exp(R)`` fresh; any other non-rational subterm
    involving the variables becomes a fresh symbol too.
    """
    latents = tuple(latents)
    lat = set(latents)
    g = f.rewrite(sp.exp)
    g = g.rewrite(sp.exp)  # a second pass catches functions rewritten into others (tan -> sin/cos)
    scale: dict[tuple[sp.Symbol, bool], int] = {}
    exp_atoms = [a for a in g.atoms(sp.exp) if a.args[0].free_symbols & lat]
    for atom in exp_atoms:
        for sym, coeff in _linear_parts(sp.expand(atom.args[0]), lat)[0].items():
            re, im = coeff.as_real_imag()
            for part, imaginary in ((re, False), (im, True)):
                if part != 0:
                    key = (sym, imaginary)
                    scale[key] = _lcm(scale.get(key, 1), int(sp.Rational(part).q))
    units = {key: sp.Dummy(f"{'F' if key[1] else 'E'}_{key[0]}") for key in scale}
    fresh: dict[sp.Expr, sp.Symbol] = {}

    def generalise(node: sp.Expr) -> sp.Symbol:
        if node not in fresh:
            fresh[node] = sp.Dummy("X")
        return fresh[node]

    def replace_exp(arg: sp.Expr) -> sp.Expr:
        linear, const, rest = _linear_parts(sp.expand(arg), lat)
        out = sp.exp(const) if const != 0 else sp.S.One
        for sym, coeff in linear.items():
            re, im = coeff.as_real_imag()
            for part, imaginary in ((re, False), (im, True)):
                if part != 0:
                    key = (sym, imaginary)
                    out *= units[key] ** int(sp.Rational(part) * scale[key])
        if rest != 0:
            out *= generalise(sp.exp(rest))
        return out

    variables = set(latents)

    def walk(e: sp.Expr) -> sp.Expr:
        if not (e.free_symbols & variables) or isinstance(e, sp.Symbol):
            return e
        if isinstance(e, sp.exp):
            inner = walk(e.args[0])
            return replace_exp(inner) if not (inner.free_symbols - lat) else generalise(sp.exp(inner))
        if isinstance(e, (sp.Add, sp.Mul)):
            return e.func(*[walk(a) for a in e.args])
        if isinstance(e, sp.Pow) and e.exp.is_Integer:
            return walk(e.base) ** e.exp
        return generalise(e.func(*[walk(a) if isinstance(a, sp.Expr) else a for a in e.args]))

    out = walk(g)
    variables_out = tuple(latents) + tuple(units.values()) + tuple(fresh.values())
    return ExpNormalForm(out, variables_out)


def _linear_parts(arg: sp.Expr, lat: set[sp.Symbol]) -> tuple[dict[sp.Symbol, sp.Expr], sp.Expr, sp.Expr]:
    """Split an expanded sum into rational(-complex) multiples of latents, a constant, and the rest."""
    linear: dict[sp.Symbol, sp.Expr] = {}
    const = sp.S.Zero
    rest = sp.S.Zero
    for term in sp.Add.make_args(arg):
        if not term.free_symbols & lat:
            if term.free_symbols:
                rest += term
            else:
                const += term
            continue
        coeff, core = term.as_independent(*lat, as_Add=False)
        re, im = coeff.as_real_imag() if coeff.is_number else (None, None)
        if isinstance(core, sp.Symbol) and core in lat and re is not None and re.is_Rational and im.is_Rational:
            linear[core] = linear.get(core, sp.S.Zero) + coeff
        else:
            rest += term
    return linear, const, rest


def _lcm(a: int, b: int) -> int:
    return a * b // math.gcd(a, b)


# -- simplify tier (runs in a child process) --------------------------------------------------------
def _sign_assumptions(domain: Domain, latents: Sequence[sp.Symbol]) -> dict[sp.Symbol, sp.Symbol]:
    """Replacement symbols carrying the signs the domain's box implies (s > 0 when lo >= 0)."""
    out = {}
    for s in latents:
        lo, hi = domain.interval(s)
        if lo != -sp.oo and lo >= 0:
            out[s] = sp.Symbol(str(s), positive=True)
        elif hi != sp.oo and hi <= 0:
            out[s] = sp.Symbol(str(s), negative=True)
    return out


def _simplify_tiers(f: sp.Expr, signs: dict[sp.Symbol, sp.Symbol]) -> str | None:  # pragma: no cover - child process
    attempts = (
        ("simplify", lambda e: sp.simplify(e)),
        ("trigsimp", lambda e: sp.trigsimp(e)),
        ("expand_trig", lambda e: sp.simplify(sp.expand_trig(e))),
        ("rewrite-exp", lambda e: sp.simplify(sp.expand(e.rewrite(sp.exp)))),
    )
    for name, fn in attempts:
        if fn(f) == 0:
            return name
    if signs and sp.simplify(f.xreplace(signs)) == 0:
        return "simplify-with-signs"
    return None

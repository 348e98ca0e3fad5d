"""Local injectivity of g (hypothesis T3 of Theorem 1) and the covering condition T4 on a decoder.

docs/mathematics.md section 9.1.

**T3, criterion ``locally-injective`` (scope ``global``).**

* ``proved`` through the sufficient condition *immersion* (rank J = d on S; the inverse
  function theorem then makes g injective near every point).  Piecewise-polynomial g:
  z3 nlsat decides ``exists s in S: every maximal d x d minor of J vanishes``; ``unsat``
  proves it (method ``z3-nlsat``).  Otherwise (or when z3 gives up): a maximal minor, or
  the sum of their squares, whose certified interval enclosure over the domain's box
  excludes 0 (method ``interval``); where the enclosure of the raw expression is too wide,
  an exact rewrite (``trigsimp`` / ``simplify``, run in a killable child) is used only
  after the sound zero test has proved it equal to the original (P12: the sum of squared
  minors is ``sin(s1)**2 + cos(s1)**2``, rewritten to 1).
* ``proved`` for a piecewise-linear g built as layers (method ``injective-layers``,
  :func:`theory.criteria.piecewise_linear.injective_layers`): full-column-rank rational linear
  maps alternating with coordinatewise strictly increasing ``Max``/``Min`` activations (a
  LeakyReLU network) make g injective on all of R^d, which needs no rank of J at the kinks.
* ``refuted`` only by a **certificate** (method ``certificate``), re-verified exactly by
  :func:`verify_fold_certificate`: two curves ``gamma(t)``, ``gamma'(t)`` with
  ``g o gamma = g o gamma'`` (sound zero test in ``t``), distinct for ``0 < t < delta``
  (a nonzero rational function with no root there, by exact root counting), both inside S
  on ``[0, delta]`` (certified enclosures) and starting at the same point ``s0`` of S: every
  neighbourhood of ``s0`` holds two distinct points with one image.  Certificates come
  from the case file (``Generator(..., certificates=[FoldCertificate(...)])``); one is
  also built for a latent that no output uses (g is constant along it).  A generator
  with more latents than outputs is refuted by invariance of domain (method
  ``invariance-of-domain``: a continuous injection of an open subset of R^d into R^m,
  m < d, does not exist).
* Rank deficiency alone never refutes (``s -> s**3`` is injective with J(0) = 0); without
  a certificate the answer is ``unknown`` (deciding local injectivity at a degenerate point
  is a quantifier-elimination question).

The immersion argument needs g to be C^1 on S: it is used only when the hypothesis ``C1``
is proved (:func:`theory.criteria.smoothness.check_smoothness`); otherwise the answer is
``unknown`` (method ``not-C1``).  A fold can hide from the minors: ``sqrt((s1 + s2)**2)`` has
a sum of squared minors that cancels to a constant off the fold line ``s1 = -s2``, and
``Max(s1, 1 - s1)`` has full rank on each open piece.

**T4, criterion ``T4``** (:func:`check_covering`): a closed-form candidate decoder ĝ is
a covering of its image if it is an injective immersion of the compact closure of its box
(a continuous injection of a compact space is a homeomorphism onto its image, so ĝ is a
1-sheeted covering).  Polynomial ĝ: both conditions by z3 on the closed box (method
``z3-nlsat``).  Otherwise ``unknown``.

Examples
--------
>>> import sympy as sp
>>> from theory import Box, Generator
>>> from theory.criteria.context import CheckContext
>>> s1, s2, t = sp.symbols("s1 s2 t", real=True)
>>> fold = Generator("fold", [[s1], [s2]], [s1**2, s2], Box({s1: (-1, 1), s2: (-1, 1)}),
...                  certificates=[FoldCertificate(t, (t, 0), (-t, 0))])
>>> r = check_locally_injective(CheckContext(fold))
>>> r.verdict, r.method, r.to_json()["witness"]["limit"]
('refuted', 'certificate', {'s1': '0', 's2': '0'})
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import sympy as sp

from theory.budget import Budget, call_with_timeout
from theory.model.certificates import FoldCertificate
from theory.exact.constant_zero import decide_constant
from theory.model.domain import Box, Domain, Region
from theory.model.generator import Generator
from theory.exact.intervals import certify_sign
from theory.exact.rationals import expr_str, rational_str
from theory.result import CheckResult, jsonable, point_json
from theory.exact.smt import DEFAULT_SMT_TIMEOUT, AnyOf, Eq, Ne, NotTranslatable, exists
from theory.exact.zerotest import ZeroTester
from theory.criteria.context import CheckContext
from theory.criteria.piecewise_linear import injective_layers
from theory.criteria.smoothness import check_smoothness
from theory.criteria.domain_sign import rational_parts
from theory.criteria.strata import never_zero

__all__ = [
    "FoldCertificate",
    "CertificateCheck",
    "verify_fold_certificate",
    "maximal_minors",
    "check_locally_injective",
    "check_covering",
]

CRITERION = "locally-injective"

#: Above this many maximal minors the immersion test is not attempted.
MAX_MINORS = 400

#: What method ``injective-layers`` proves (theory.criteria.piecewise_linear.injective_layers).
INJECTIVE_LAYERS = "g is a composition of full-column-rank linear maps and coordinatewise strictly increasing Max/Min activations: injective on all of R^d, hence on S"

_RANK_NOTE = "rank deficiency does not refute local injectivity (s -> s**3 is injective with J(0) = 0); a refutation needs a certificate"


# -- certificates -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CertificateCheck:
    """The outcome of verifying a :class:`FoldCertificate`.

    Attributes
    ----------
    valid
        Whether every condition was proved; then ``witness`` is the refutation's witness.
    reason
        Why the certificate was rejected (empty when valid).
    witness
        JSON-ready: the curves, the limit point ``s0``, ``delta``, a parameter value ``t`` with
        the two exact points and their common image.
    """

    valid: bool
    reason: str = ""
    witness: dict[str, Any] = field(default_factory=dict)


def _rational_poly(e: sp.Expr, t: sp.Symbol) -> sp.Poly | None:
    try:
        poly = sp.Poly(e, t)
    except sp.PolynomialError:
        return None
    return poly if all(c.is_Rational for c in poly.all_coeffs()) else None


def _parts(e: sp.Expr, t: sp.Symbol) -> tuple[sp.Poly, sp.Poly] | None:
    """Numerator and denominator of a rational function of ``t`` with rational coefficients."""
    if not e.is_rational_function(t):
        return None
    num, den = sp.fraction(sp.cancel(sp.together(e)))
    pn, pd = _rational_poly(num, t), _rational_poly(den, t)
    if pn is None or pd is None:
        return None
    return pn, pd


def _truth(cond: sp.Basic, env: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]) -> bool | None:
    """The truth of a polynomial condition for every value in ``env``, certified by intervals
    (``None`` when the enclosures do not decide it)."""
    if cond == sp.true:
        return True
    if cond == sp.false:
        return False
    if isinstance(cond, sp.And):
        values = [_truth(c, env) for c in cond.args]
        return False if False in values else (True if all(v is True for v in values) else None)
    if isinstance(cond, sp.Or):
        values = [_truth(c, env) for c in cond.args]
        return True if True in values else (False if all(v is False for v in values) else None)
    if isinstance(cond, sp.Not):
        inner = _truth(cond.args[0], env)
        return None if inner is None else not inner
    if isinstance(cond, sp.core.relational.Relational):
        sign, _ = certify_sign(cond.lhs - cond.rhs, env)
        if sign is None:
            return None
        table = {
            sp.StrictLessThan: sign < 0,
            sp.LessThan: sign < 0,
            sp.StrictGreaterThan: sign > 0,
            sp.GreaterThan: sign > 0,
            sp.Ne: True,
            sp.Eq: False,
        }
        return table.get(type(cond))
    return None


def _curve_inside(domain: Domain, latents: Sequence[sp.Symbol], coords: Sequence[sp.Expr], t: sp.Symbol, delta: sp.Rational) -> bool:
    """Whether the curve maps all of ``[0, delta]`` into the open domain (certified enclosures)."""
    env = {t: (sp.S.Zero, delta)}
    for s, e in zip(latents, coords):
        lo, hi = domain.interval(s)
        if lo != -sp.oo and certify_sign(e - lo, env)[0] != 1:
            return False
        if hi != sp.oo and certify_sign(hi - e, env)[0] != 1:
            return False
    if isinstance(domain, Region):
        cond = domain.condition.xreplace(dict(zip(latents, coords)))
        return _truth(cond, env) is True
    return True


def _strip_root_at_zero(poly: sp.Poly, t: sp.Symbol) -> sp.Poly:
    while not poly.is_zero and poly.eval(0) == 0:
        poly = poly.quo(sp.Poly(t, t))
    return poly


def verify_fold_certificate(
    generator: Generator,
    certificate: FoldCertificate,
    budget: Budget | None = None,
    seed: int = 0,
    max_halvings: int = 60,
) -> CertificateCheck:
    """Check exactly that a certificate shows g is not locally injective at ``s0``.

    Proved conditions, each exactly: (1) the coordinates are rational functions of ``t``
    with rational coefficients, defined at 0, and both curves start at one rational point
    ``s0`` of S; (2) for some rational ``delta > 0`` both curves map ``[0, delta]`` into S
    (certified interval enclosures), their denominators have no root there and some
    coordinate of ``gamma - gamma'`` (a nonzero rational function) has no root in
    ``(0, delta]`` (exact real-root counting); (3) ``g(gamma(t)) - g(gamma'(t))`` is
    identically zero on ``(0, delta)`` (the sound zero test, on g restricted to S by piece
    selection).  Then for every ``t`` in ``(0, delta)`` the two points are distinct points of
    S with one image, and both tend to ``s0`` as ``t -> 0``.  The witness adds the exact
    points at ``t = delta/2`` and their (checked equal) images.

    Parameters
    ----------
    generator
        The generator g.
    certificate
        The claimed :class:`FoldCertificate`.
    budget
        Optional budget for the zero tests.
    seed
        Seed of the zero tests' witness search.
    max_halvings
        How often ``delta`` (starting at 1) may be halved.

    Returns
    -------
    CertificateCheck

    Examples
    --------
    >>> import sympy as sp
    >>> from theory import Box, Generator
    >>> s, t = sp.symbols("s t", real=True)
    >>> g = Generator("square", [[s]], [s**2], Box({s: (-1, 1)}))
    >>> verify_fold_certificate(g, FoldCertificate(t, [t], [-t])).valid
    True
    >>> cube = Generator("cube", [[s]], [s**3], Box({s: (-1, 1)}))
    >>> verify_fold_certificate(cube, FoldCertificate(t, [t], [-t])).reason
    'g_0(curve) - g_0(partner) is not identically zero (nonzero, exact-evaluation at t = 1/3)'
    """
    g = generator
    t = certificate.parameter
    latents = g.latents
    if t in latents:
        return CertificateCheck(False, f"the parameter {t} is a latent")
    curve, partner = certificate.coordinates(latents)
    parts = []
    for e in curve + partner:
        p = _parts(e, t)
        if p is None:
            return CertificateCheck(False, f"coordinate {e} is not a rational function of {t} with rational coefficients")
        if p[1].eval(0) == 0:
            return CertificateCheck(False, f"coordinate {e} is not defined at {t} = 0")
        parts.append(p)
    s0 = tuple(sp.Rational(pn.eval(0), pd.eval(0)) for pn, pd in parts[: len(latents)])
    s0_partner = tuple(sp.Rational(pn.eval(0), pd.eval(0)) for pn, pd in parts[len(latents):])
    if s0 != s0_partner:
        return CertificateCheck(False, f"the curves start at different points {list(map(str, s0))} and {list(map(str, s0_partner))}")
    limit = dict(zip(latents, s0))
    if not g.domain.contains(limit):
        return CertificateCheck(False, f"the common start point {point_json(limit)} is not in the open domain S")
    diffs = [sp.cancel(a - b) for a, b in zip(curve, partner)]
    moving = [k for k, dk in enumerate(diffs) if dk != 0]
    if not moving:
        return CertificateCheck(False, "the curve and its partner coincide")
    k = moving[0]
    diff_num = _strip_root_at_zero(_parts(diffs[k], t)[0], t)  # type: ignore[index]
    dens = [pd for _, pd in parts]
    delta = sp.S.One
    for _ in range(max_halvings):
        if budget is not None:
            budget.check()
        if (
            diff_num.count_roots(0, delta) == 0
            and all(pd.count_roots(0, delta) == 0 for pd in dens)
            and _curve_inside(g.domain, latents, curve, t, delta)
            and _curve_inside(g.domain, latents, partner, t, delta)
        ):
            break
        delta = delta / 2
    else:
        return CertificateCheck(False, f"no delta >= 2**-{max_halvings} keeps both curves in S with distinct points")
    # a second, unused coordinate keeps the zero test's candidate points plentiful (an interval
    # holds only a few hundred of its simple rationals); h is zero on the strip iff on (0, delta)
    u = sp.Dummy("u", real=True)
    tester = ZeroTester(Box({t: (0, delta), u: (0, 1)}), (t, u), seed=seed, budget=budget)
    outputs = g.derivatives.values  # g on S, Piecewise conditions decided on S
    on_curve = dict(zip(latents, curve))
    on_partner = dict(zip(latents, partner))
    identity_methods = []
    for i, out in enumerate(outputs):
        h = out.xreplace(on_curve) - out.xreplace(on_partner)
        result = tester.test(h)
        if not result.is_zero:
            where = f" at {t} = {rational_str(result.point[t])}" if result.point else ""
            return CertificateCheck(False, f"g_{i}(curve) - g_{i}(partner) is not identically zero ({result.status}, {result.method}{where})")
        identity_methods.append(result.method)
    t_w = delta / 2
    p = {s: sp.Rational(e.xreplace({t: t_w})) for s, e in zip(latents, curve)}
    q = {s: sp.Rational(e.xreplace({t: t_w})) for s, e in zip(latents, partner)}
    if not (g.domain.contains(p) and g.domain.contains(q)) or p == q:  # pragma: no cover - excluded above
        return CertificateCheck(False, f"at {t} = {rational_str(t_w)} the points are not two distinct points of S")
    values = []
    for i, out in enumerate(outputs):
        vp, vq = out.xreplace(p), out.xreplace(q)
        decision = decide_constant(vp - vq, budget)
        if decision.is_nonzero:  # pragma: no cover - contradicts the proved identity
            return CertificateCheck(False, f"g_{i} differs at the two points for {t} = {rational_str(t_w)}")
        values.append(expr_str(vp))
    witness = {
        "certificate": {
            "parameter": str(t),
            "curve": [expr_str(e) for e in curve],
            "partner": [expr_str(e) for e in partner],
        },
        "limit": dict(limit),
        "delta": rational_str(delta),
        "t": rational_str(t_w),
        "point": dict(p),
        "partner_point": dict(q),
        "values": values,
        "identity": identity_methods,
        "distinct_in": str(latents[k]),
    }
    if certificate.note:
        witness["note"] = certificate.note
    return CertificateCheck(True, "", witness)


def _unused_latent_certificates(ctx: CheckContext) -> list[FoldCertificate]:
    """For a latent no output depends on (on S): the segment through a point of S along it."""
    g = ctx.generator
    used = set().union(*(ctx.table.dependencies(i) for i in range(g.m))) if g.m else set()
    unused = [a for a in range(g.d) if a not in used]
    if not unused:
        return []
    points = ctx.probe_points(1)
    if not points:
        return []
    base = points[0]
    t = sp.Dummy("t", real=True)
    out = []
    for a in unused:
        curve = tuple(base[s] + (t if b == a else 0) for b, s in enumerate(g.latents))
        partner = tuple(base[s] - (t if b == a else 0) for b, s in enumerate(g.latents))
        out.append(FoldCertificate(t, curve, partner, note=f"g does not depend on {g.latents[a]} on S"))
    return out


# -- minors -----------------------------------------------------------------------------------------
def maximal_minors(jacobian: Sequence[Sequence[sp.Expr]], columns: int) -> list[tuple[tuple[int, ...], sp.Expr]]:
    """Every maximal ``columns x columns`` minor (rows, determinant) of a tall matrix, zeros left out.

    Examples
    --------
    >>> import sympy as sp
    >>> s = sp.Symbol("s", real=True)
    >>> maximal_minors([[-sp.sin(s), 0], [sp.cos(s), 0], [0, 1]], 2)
    [((0, 2), -sin(s)), ((1, 2), cos(s))]
    """
    out = []
    for rows in combinations(range(len(jacobian)), columns):
        sub = sp.Matrix([[jacobian[r][c] for c in range(columns)] for r in rows])
        det = sub.det(method="berkowitz") if columns > 1 else sub[0, 0]
        if det != 0:
            out.append((rows, det))
    return out


def _jacobian(generator: Generator) -> list[list[sp.Expr]]:
    table = generator.derivatives
    return [[table.derivative(i, (a,)) for a in range(generator.d)] for i in range(generator.m)]


def _rewrites(expr: sp.Expr) -> list[sp.Expr]:  # pragma: no cover - runs in a child process
    out = []
    for fn in (sp.trigsimp, sp.simplify):
        try:
            r = fn(expr)
        except Exception:
            continue
        if r != expr and r not in out:
            out.append(r)
    return out


# -- T3 -----------------------------------------------------------------------------------------------
def check_locally_injective(ctx: CheckContext) -> CheckResult:
    """Hypothesis T3: g is locally injective on S (criterion ``locally-injective``, scope ``global``).

    Certificates first (a verified one refutes, method ``certificate``; rejected ones are
    listed in ``details.certificates_rejected``), then the immersion test (``z3-nlsat`` for
    piecewise polynomials, ``interval`` on a minor or the sum of squared minors), else
    ``unknown``.  See the module docstring.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory import Box, Generator
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> g = Generator("p24", [[s1], [s2]], [sp.exp(s1), sp.exp(s1) + sp.sin(s2)], Box({s1: (-1, 1), s2: (-1, 1)}))
    >>> r = check_locally_injective(CheckContext(g))
    >>> r.verdict, r.method, r.details["minor"]
    ('proved', 'interval', 'exp(s1)*cos(s2)')
    """
    g = ctx.generator
    details: dict[str, Any] = {"sufficient_condition": "immersion (rank J = d on S)"}
    rejected = []
    candidates = [("case file", c) for c in g.certificates] + [("unused latent", c) for c in _unused_latent_certificates(ctx)]
    for origin, cert in candidates:
        ctx.budget.check()
        checked = verify_fold_certificate(g, cert, budget=ctx.budget, seed=ctx.seed)
        if checked.valid:
            details["certificate_origin"] = origin
            if rejected:
                details["certificates_rejected"] = rejected
            return CheckResult(CRITERION, "refuted", "global", "certificate", witness=checked.witness, details=details)
        rejected.append({"origin": origin, "reason": checked.reason})
    if rejected:
        details["certificates_rejected"] = rejected
    if g.d > g.m:
        witness = {"d": g.d, "m": g.m, "reason": "no continuous injection of an open subset of R^d into R^m with m < d (invariance of domain)"}
        return CheckResult(CRITERION, "refuted", "global", "invariance-of-domain", witness=witness, details=details)
    layered = injective_layers(ctx)  # a piecewise-linear g: injective layer by layer?
    if layered is not None:
        ok, info = layered
        if ok:
            return CheckResult(CRITERION, "proved", "global", "injective-layers", details={**details, **info, "sufficient_condition": INJECTIVE_LAYERS})
        details["injective_layers"] = info["reason"]
    smooth = check_smoothness(ctx, 1)
    if smooth.verdict != "proved":
        # the immersion argument needs g C^1 on S: |s1 + s2| written sqrt((s1 + s2)**2) has a
        # squared minor that cancels to a constant off its fold line, Max(s1, 1 - s1) has full
        # rank on each open piece, and both fold
        details["reason"] = f"g is not proved C^1 on S (C1 {smooth.verdict}), and the immersion argument needs it"
        details["smoothness"] = {"C1": smooth.verdict, "method": smooth.method, **({"witness": jsonable(smooth.witness)} if smooth.witness else {})}
        return CheckResult(CRITERION, "unknown", "global", "not-C1", details=details)
    if not ctx.table.is_analytic:
        details["smoothness"] = {"C1": "proved", "method": smooth.method}
    jac = _jacobian(g)
    if sum(1 for _ in combinations(range(g.m), g.d)) > MAX_MINORS:
        details["reason"] = f"more than {MAX_MINORS} maximal minors"
        return CheckResult(CRITERION, "unknown", "global", "not-attempted", details=details)
    minors = maximal_minors(jac, g.d)
    details["minors"] = len(minors)
    if not minors:
        details["reason"] = "every maximal minor of J is identically zero: rank J < d everywhere. " + _RANK_NOTE
        return CheckResult(CRITERION, "unknown", "global", "structural", details=details)
    tried: list[str] = []
    if ctx.table.is_piecewise_polynomial:
        tried.append("z3-nlsat")
        try:
            answer = exists([Eq(m) for _, m in minors], g.domain, g.latents, timeout=ctx.smt_time(), boundaries="closure")
        except NotTranslatable as exc:  # pragma: no cover - is_piecewise_polynomial guards this
            answer = None
            details["z3"] = str(exc)
        if answer is not None and answer.status == "unsat":
            return CheckResult(CRITERION, "proved", "global", "z3-nlsat", details=details)
        if answer is not None and answer.status == "sat":
            details.update(_model_detail("rank_drop_point", answer.candidates, lambda p: all(m.xreplace(p) == 0 for _, m in minors)))
            details["reason"] = "rank J < d at some point of S, so the immersion test fails; " + _RANK_NOTE
            return CheckResult(CRITERION, "unknown", "global", "z3-nlsat", details=details)
        if answer is not None:
            details["z3"] = answer.reason or "unknown"
    proved = _by_intervals(ctx, minors, details, tried)
    if proved is not None:
        return proved
    if not ctx.table.is_piecewise_polynomial and all(rational_parts(m, g.latents) is not None for _, m in minors):
        tried.append("z3-nlsat")  # rational minors (log(s1) on (0, 1) has 1/s1): no common zero on the open domain
        never, _ = never_zero(ctx, [m for _, m in minors])
        if never:
            return CheckResult(CRITERION, "proved", "global", "z3-nlsat", details=details)
    details["reason"] = "no maximal minor (nor their sum of squares) was proved nonzero on S; " + _RANK_NOTE
    return CheckResult(CRITERION, "unknown", "global", "+".join(tried), details=details)


def _by_intervals(ctx: CheckContext, minors: list[tuple[tuple[int, ...], sp.Expr]], details: dict[str, Any], tried: list[str]) -> CheckResult | None:
    """A minor or the sum of squared minors whose enclosure over the domain's box excludes 0."""
    g = ctx.generator
    env = {s: g.domain.interval(s) for s in g.latents}
    tried.append("interval")
    squares = sp.Add(*[m**2 for _, m in minors])
    targets: list[tuple[str, tuple[int, ...] | None, sp.Expr]] = [("minor", rows, m) for rows, m in minors]
    if len(minors) > 1:
        targets.append(("sum of squared minors", None, squares))
    for kind, rows, expr in targets:
        ctx.budget.check()
        sign, enclosure = certify_sign(expr, env)
        if sign is not None:
            return _interval_proof(kind, rows, expr, expr, enclosure, None, details)
    tried.append("exact-rewrite")
    for kind, rows, expr in reversed(targets):  # the sum of squares first: its rewrite is often a constant
        ctx.budget.check()
        status, rewrites = call_with_timeout(_rewrites, (expr,), ctx.budget.slice(min(ctx.symbolic_timeout, 5.0)))
        if status != "ok":
            continue
        for rewrite in rewrites:
            sign, enclosure = certify_sign(rewrite, env)
            if sign is None:
                continue
            identity = ctx.tester.test(expr - rewrite)
            if identity.is_zero:
                return _interval_proof(kind, rows, expr, rewrite, enclosure, identity.method, details)
    return None


def _interval_proof(kind: str, rows: tuple[int, ...] | None, expr: sp.Expr, enclosed: sp.Expr, enclosure: Any, identity: str | None, details: dict[str, Any]) -> CheckResult:
    details = {**details, "certified": kind, "minor": expr_str(expr), "enclosure": list(enclosure)}
    if rows is not None:
        details["minor_rows"] = list(rows)
    if identity is not None:
        details["rewritten"] = expr_str(enclosed)
        details["rewrite_proof"] = identity
    return CheckResult(CRITERION, "proved", "global", "interval", details=details)


# -- T4 -----------------------------------------------------------------------------------------------
def check_covering(ghat: Generator | None, closure_box: Box | None = None, timeout: float = DEFAULT_SMT_TIMEOUT) -> CheckResult:
    """Hypothesis T4: the candidate decoder ĝ is a covering map of its image (criterion ``T4``).

    Sufficient condition (docs/mathematics.md section 9.1): ĝ is an injective immersion on the compact
    closure of its domain, then it is a homeomorphism onto its image (a 1-sheeted
    covering).  For a polynomial ĝ both are decided by z3 on the closed box:
    ``exists z != z': ĝ(z) = ĝ(z')`` and ``exists z: every maximal minor of Dĝ(z) = 0``,
    both ``unsat`` give ``proved`` (method ``z3-nlsat``).  A failing sufficient condition does
    not refute T4 (a covering may have several sheets): the answer is then ``unknown``.

    Parameters
    ----------
    ghat
        The candidate decoder as a :class:`theory.Generator` (its latents are z), or
        ``None`` (no decoder: ``unknown``).
    closure_box
        A bounded box whose closure is used instead of the closure of ĝ's domain box; it
        must contain that box.
    timeout
        Seconds per z3 query.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory import Box, Generator
    >>> z1, z2 = sp.symbols("z1 z2", real=True)
    >>> ghat = Generator("dec", [[z1], [z2]], [z1 + z1**3, z2, z1 * z2], Box({z1: (-1, 1), z2: (-1, 1)}))
    >>> check_covering(ghat).verdict
    'proved'
    >>> check_covering(None).details["reason"]
    'a covering needs a decoder: T4 is checked only for a supplied candidate decoder'
    """
    if ghat is None:
        return CheckResult("T4", "unknown", "global", "no-decoder", details={"reason": "a covering needs a decoder: T4 is checked only for a supplied candidate decoder"})
    details: dict[str, Any] = {"decoder": ghat.name, "sufficient_condition": "injective immersion of the compact closure of the domain box"}
    box = ghat.domain.box
    if closure_box is not None:
        if not isinstance(closure_box, Box):
            raise TypeError(f"closure_box must be a Box, got {type(closure_box).__name__}")
        for s in ghat.latents:
            (lo, hi), (clo, chi) = box.interval(s), closure_box.interval(s)
            if not (bool(clo <= lo) and bool(hi <= chi)):
                raise ValueError(f"closure_box does not contain the decoder's domain along {s}: ({lo}, {hi}) vs ({clo}, {chi})")
        box = closure_box
    bounds = {s: box.interval(s) for s in ghat.latents}
    details["closure_box"] = {str(s): [rational_str(lo), rational_str(hi)] for s, (lo, hi) in bounds.items()}
    if any(lo == -sp.oo or hi == sp.oo for lo, hi in bounds.values()):
        details["reason"] = "the decoder's domain is unbounded: the sufficient condition needs a compact closure (give closure_box)"
        return CheckResult("T4", "unknown", "global", "not-attempted", details=details)
    table = ghat.derivatives
    outputs = table.values
    if not all(o.is_polynomial(*ghat.latents) and all(c.is_Rational for c in sp.Poly(o, *ghat.latents).coeffs()) for o in outputs):
        details["reason"] = "the decoder is not polynomial with rational coefficients: z3 cannot decide the sufficient condition"
        return CheckResult("T4", "unknown", "global", "not-polynomial", details=details)
    if ghat.d > ghat.m:
        details["reason"] = "the decoder has more latents than outputs: not an immersion"
        return CheckResult("T4", "unknown", "global", "not-attempted", details=details)
    names = {str(s) for s in ghat.latents}
    primes = []
    for s in ghat.latents:
        name = f"{s}_prime"
        while name in names:
            name += "_"
        names.add(name)
        primes.append(sp.Symbol(name, real=True))
    closed = sp.And(*[sp.And(s >= lo, s <= hi) for s, (lo, hi) in bounds.items()])
    closed_pair = sp.And(closed, closed.xreplace(dict(zip(ghat.latents, primes))))
    moved = dict(zip(ghat.latents, primes))
    injective = exists(
        [AnyOf(*[Ne(s - p) for s, p in zip(ghat.latents, primes)]), *[Eq(o - o.xreplace(moved)) for o in outputs]],
        Region(Box(), closed_pair),
        tuple(ghat.latents) + tuple(primes),
        timeout=timeout,
    )
    details["injective_on_closure"] = _smt_word(injective.status)
    if injective.status == "sat" and injective.candidates:
        pairs = [({s: c[s] for s in ghat.latents}, {s: c[p] for s, p in zip(ghat.latents, primes)}) for c in injective.candidates]
        collides = lambda pair: pair[0] != pair[1] and all(o.xreplace(pair[0]) == o.xreplace(pair[1]) for o in outputs)  # noqa: E731
        found = next((pair for pair in pairs if collides(pair)), None)
        if found is not None:
            details["collision"] = [point_json(found[0]), point_json(found[1])]
        else:
            shown = pairs[min(1, len(pairs) - 1)]  # 8 digits
            details["collision_about"] = [point_json(shown[0]), point_json(shown[1])]
            details["collision_note"] = _ROUNDED_NOTE
    minors = maximal_minors(_jacobian(ghat), ghat.d)
    if not minors:
        immersion = "sat"
    else:
        answer = exists([Eq(m) for _, m in minors], Region(Box(), closed), ghat.latents, timeout=timeout)
        immersion = answer.status
        if answer.status == "sat" and answer.candidates:
            details.update(_model_detail("rank_drop_point", answer.candidates, lambda p: all(m.xreplace(p) == 0 for _, m in minors)))
    details["immersion_on_closure"] = _smt_word(immersion)
    if injective.status == "unsat" and immersion == "unsat":
        return CheckResult("T4", "proved", "global", "z3-nlsat", details=details)
    details["reason"] = "the sufficient condition was not established; a covering need not be injective, so T4 is not refuted"
    return CheckResult("T4", "unknown", "global", "z3-nlsat", details=details)


#: What a detail ending in ``_about`` is: z3 proved such a point exists, at algebraic coordinates.
_ROUNDED_NOTE = "z3's point has algebraic coordinates; shown rounded to rationals, where the property need not hold exactly"


def _model_detail(key: str, candidates: tuple[dict, ...], holds: Callable[[dict], bool]) -> dict[str, Any]:
    """``{key: point}`` for the first of z3's candidate points at which ``holds`` is exactly true,
    else ``{key + "_about": rounded point, key + "_note": ...}`` (a rounded algebraic model is not
    a point with the property), or ``{}`` without candidates."""
    for point in candidates:
        if holds(point):
            return {key: point_json(point)}
    if not candidates:
        return {}
    return {f"{key}_about": point_json(candidates[min(1, len(candidates) - 1)]), f"{key}_note": _ROUNDED_NOTE}  # 8 digits


def _smt_word(status: str) -> str:
    return {"unsat": "proved", "sat": "fails", "unknown": "unknown"}[status]

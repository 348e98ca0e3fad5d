"""Cross-check: the numeric layer against the exact layer, point by point (docs/mathematics.md section 15.3).

For a closed-form generator, :func:`crosscheck_case` runs

1. the exact layer (:func:`theory.checker`) at the generator's points plus seeded random
   rational points of the domain;
2. the numeric layer (through :func:`numeric.exact_to_torch.from_generator`) in each dtype at the
   same points (each coordinate rounded once), plus the witness points of the exact
   layer's global refutations;

and produces one row per criterion, point and dtype (docs/user-guide.md section 4):
``{criterion, point, dtype, device, exact, numeric, agree, tolerance, margin,
explanation}`` plus ``exact_scope``, ``exact_method``, ``point_source``, ``class`` and
``entries``.

**The exact verdict at a point** is the pointwise exact result when it is definite (Type S
is pointwise only: :func:`theory.criteria.check_sparsity_gap_at`); else a
global ``proved`` (it holds at every point); else a global ``refuted`` at its own witness
point; for H_n (which the exact layer checks globally) at any other point, the exact values
of every cross partial there (``proved`` if all are zero, ``refuted`` if one is nonzero);
otherwise ``unknown``.  An exact ``unknown`` is not compared: ``agree`` is ``null``.
``proved`` agrees with ``holds-numerically``, ``refuted`` with ``fails-numerically``.

**A disagreement is explained** by the entries it hinges on: every entry the criterion reads
whose numeric call (``|x| > tau``) differs from its exact status, with its output, latents,
float value and exact value.  Each is classed

* ``tolerance-sensitive entry`` when it sits in the band near zero: an exact zero whose
  float value exceeds tau by at most a factor ``band``, or an exact nonzero whose exact
  value is at most ``band * tau`` (a genuine value below the float resolution), the band
  never reaching past a tenth of the point's largest entry (:data:`BAND_CAP`: in bfloat16
  ``band * tau`` is several times the largest entry);
* ``possible bug`` otherwise (a float value far from its exact value).

A row is tolerance-sensitive when all its deciding entries are; otherwise it is a possible
bug (also when no entry explains it).

**Type S rows** compare the exact pointwise verdict (rho+ < rho- of the exact Jacobian) with
the numeric one at the same point (rho of the snapped float Jacobian,
:func:`numeric.criteria.assess_S`); both rho triples are in the row's ``rho``.  A point whose
numeric rho the budget left undecided is not compared either.  A disagreement is explained by

* the entries whose zero/nonzero call differs from the exact one (a support flip, classed
  as above), else
* a rho mismatch on the same support: the snapped entries that differ from the exact
  Jacobian (both taken row-scaled when the snap scaled the rows), each
  ``tolerance-sensitive entry`` when its float value is within ``band * tau`` of the exact
  value (the float cannot resolve the dependency the exact value has; typical of an
  ``approximate`` snap) and ``possible bug`` otherwise.

Examples
--------
>>> import cases
>>> report = crosscheck_case(cases.find_case("p08"), criteria="D,H2", dtypes=["float64"], random_points=1)
>>> sorted({(r["criterion"], r["exact"], r["numeric"], r["agree"]) for r in report.rows})
[('D', 'proved', 'holds-numerically', True), ('D', 'refuted', 'fails-numerically', True), ('H2', 'refuted', 'fails-numerically', True)]
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp
import torch

from theory.budget import Budget, BudgetExhausted
from theory.checker import DEFAULT_BUDGET, check, check_points
from theory.criteria.context import CheckContext
from theory.criteria.cross_derivatives import cross_multi_indices
from theory.readings import Readings
from theory.registry import CRITERIA, DEFAULT_CRITERIA, lookup, parse_criteria, resolve
from theory.errors import DomainError, InputError
from theory.model.generator import Generator
from theory.model.guard import SelfCheckFailed
from theory.exact.points import random_point
from theory.result import CheckResult, point_json
from theory.exact.rationals import expr_str

from .exact_to_torch import from_generator, point_tensor
from .criteria import DEFAULT_C, Assessment, NumericOptions, assess, snap_jacobian

__all__ = [
    "crosscheck_case",
    "crosscheck",
    "CaseCrosscheck",
    "summarize",
    "parse_dtypes",
    "crosscheck_criteria",
    "DEFAULT_BAND",
    "DEFAULT_RANDOM_POINTS",
    "TOLERANCE_SENSITIVE",
    "POSSIBLE_BUG",
]

#: Width of the band (a factor on tau) in which a disagreeing entry counts as tolerance-sensitive.
DEFAULT_BAND = 100.0
#: The band never reaches past this share of the point's largest entry: in bfloat16 and float16
#: ``band * tau`` is several times max|J|, and every disagreement would read as tolerance-sensitive.
BAND_CAP = 0.1


def _band_limit(a: Assessment, i: int, band: float) -> float:
    """``band * tau`` at point ``i``, capped at :data:`BAND_CAP` times the point's scale
    ``tau / (c eps)`` (the largest entry the tolerance was built from)."""
    tau = float(a.tau[i])
    scale = tau / (a.c * a.eps) if a.c * a.eps > 0 else float("inf")
    return min(band * tau, BAND_CAP * scale)
#: Random exact points added to each case's own points.
DEFAULT_RANDOM_POINTS = 2
TOLERANCE_SENSITIVE = "tolerance-sensitive entry"
POSSIBLE_BUG = "possible bug"

_DTYPES = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16}
_AGREES = {"proved": "holds-numerically", "refuted": "fails-numerically"}


def crosscheck_criteria(spec: str | Iterable[str] | None = None) -> tuple[str, ...]:
    """The criteria to cross-check: those both layers decide (D, M, S, Hn, and irreducible:D
    when the exact layer has it).  Default: ``D, M, S, H2, H3`` (+ ``irreducible:D``).

    Raises
    ------
    theory.errors.InputError
        For a criterion the exact layer does not know or the numeric layer does not have.

    Examples
    --------
    >>> crosscheck_criteria("d,h2,s")
    ('D', 'H2', 'S')
    """
    if spec is None:
        spec = [c for c in DEFAULT_CRITERIA if lookup(c).criterion.numeric is not None]
    ids = parse_criteria(spec)
    missing = [w.id for w in ids if w.criterion.numeric is None]
    if missing:
        have = ", ".join(c.id for c in CRITERIA if c.numeric is not None)
        raise InputError(f"the numeric layer has no counterpart of {', '.join(missing)} yet; crosscheck compares {have}")
    return tuple(w.id for w in ids)


def parse_dtypes(spec: str | Iterable[str]) -> tuple[str, ...]:
    """``"float32,float64"`` -> ``("float32", "float64")``.

    >>> parse_dtypes("float64, float32")
    ('float64', 'float32')
    """
    items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec) if s.strip()]
    if not items:
        raise InputError("no dtype given (choose from float32, float64)")
    for s in items:
        if s not in _DTYPES:
            raise InputError(f"unknown dtype {s!r} (choose from {', '.join(_DTYPES)})")
    return tuple(dict.fromkeys(items))


@dataclass
class CaseCrosscheck:
    """The cross-check of one generator.

    Attributes
    ----------
    case, source
        The generator's name and case file.
    rows
        One dict per criterion, point and dtype (module docstring).
    seconds
        ``{"exact": ..., "numeric": ...}`` wall times.
    points
        The exact points compared, as ``{name: "p/q"}``, with their ``source``.

    Examples
    --------
    >>> rep = CaseCrosscheck("g", None, [{"dtype": "float64", "agree": False, "class": TOLERANCE_SENSITIVE}])
    >>> rep.summary()["float64"]["tolerance_sensitive"], sorted(rep.to_json())
    (1, ['case', 'points', 'rows', 'seconds', 'source', 'summary'])
    """

    case: str
    source: str | None
    rows: list[dict[str, Any]]
    seconds: dict[str, float] = field(default_factory=dict)
    points: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, int]]:
        """Counts per dtype: see :func:`summarize`."""
        return summarize(self.rows)

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "source": self.source,
            "points": self.points,
            "rows": self.rows,
            "summary": self.summary(),
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per dtype: rows ``compared``, ``agree``, ``disagree`` (split into ``tolerance_sensitive``
    and ``possible_bug``), ``not_compared`` (exact ``unknown``, a numeric S point whose rho the
    budget left undecided, or non-finite values) and ``rho_differs`` (Type S rows whose verdicts
    agree although rho+ or rho- differ).

    >>> summarize([{"dtype": "float64", "agree": True, "class": None}, {"dtype": "float64", "agree": None, "class": None}])
    {'float64': {'compared': 1, 'agree': 1, 'disagree': 0, 'tolerance_sensitive': 0, 'possible_bug': 0, 'not_compared': 1, 'rho_differs': 0}}
    """
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        s = out.setdefault(r["dtype"], {"compared": 0, "agree": 0, "disagree": 0, "tolerance_sensitive": 0, "possible_bug": 0, "not_compared": 0, "rho_differs": 0})
        if r["agree"] is None:
            s["not_compared"] += 1
            continue
        s["compared"] += 1
        if r["agree"]:
            s["agree"] += 1
            if (r.get("rho") or {}).get("agree") is False:
                s["rho_differs"] += 1
        else:
            s["disagree"] += 1
            s["tolerance_sensitive" if r.get("class") == TOLERANCE_SENSITIVE else "possible_bug"] += 1
    return out


def _key(g: Generator, p: dict) -> tuple:
    return tuple(p[s] for s in g.latents)


def _witness_point(g: Generator, result: CheckResult) -> dict | None:
    if result.verdict != "refuted" or not result.witness or "point" not in result.witness:
        return None
    point = dict(result.witness["point"])  # exact already: {Symbol: Rational}
    return point if set(point) == set(g.latents) and g.domain.contains(point) else None


class _Exact:
    """The exact verdict at each point (module docstring) and exact entry values."""

    def __init__(self, g: Generator, ctx: CheckContext, results: list[CheckResult], budget: float | None):
        self.g = g
        self.ctx = ctx
        self.results = results
        self.budget = budget
        self._hn_cache: dict[tuple, tuple[str, str, str]] = {}

    def _global(self, criterion: str) -> CheckResult | None:
        found = [r for r in self.results if r.criterion == criterion and r.scope == "global"]
        return found[0] if found else None

    def _pointwise(self, criterion: str, p: dict) -> CheckResult | None:
        key = _key(self.g, p)
        for r in self.results:
            if r.criterion == criterion and r.scope == "point" and r.point is not None and _key(self.g, r.point) == key:
                return r
        which = lookup(criterion)
        if which.criterion.point_check is None:
            return None
        # a point the exact layer did not visit (a witness of another criterion): check it now
        self.ctx.use_budget(Budget(self.budget))
        try:
            result = resolve(which.criterion.point_check)(self.ctx, p, **which.params)
        except BudgetExhausted:
            result = CheckResult(criterion, "unknown", "point", "budget-exhausted", point=dict(p))
        except SelfCheckFailed as exc:
            result = CheckResult(criterion, "unknown", "point", "self-check-failed", details={"disagreement": exc.details}, point=dict(p))
        self.results.append(result)
        return result

    def verdict(self, criterion: str, p: dict) -> tuple[str, str, str]:
        """``(verdict, scope, method)`` of the exact layer at ``p``."""
        local = self._pointwise(criterion, p)
        if local is not None and local.verdict != "unknown":
            return local.verdict, "point", local.method
        glob = self._global(criterion)
        # a global proof covers p only where g is known C^1: otherwise it is about the
        # derivatives on the open pieces, and p may be a kink (Max(s1, s2) at s1 = s2)
        smooth = (glob.details or {}).get("smoothness", {}).get("C1", "proved") == "proved" if glob is not None else False
        if glob is not None and glob.verdict == "proved" and smooth:
            return "proved", "global", glob.method
        if glob is not None and glob.verdict == "refuted":
            w = _witness_point(self.g, glob)
            if w is not None and _key(self.g, w) == _key(self.g, p):
                return "refuted", "global", glob.method
        if criterion.startswith("H") and criterion[1:].isdigit():
            return self._hn_at(int(criterion[1:]), p)
        if local is not None:
            return local.verdict, "point", local.method
        return "unknown", "global" if glob is not None else "point", glob.method if glob is not None else "not-run"

    def _hn_at(self, n: int, p: dict) -> tuple[str, str, str]:
        key = (n, _key(self.g, p))
        if key in self._hn_cache:
            return self._hn_cache[key]
        self.ctx.use_budget(Budget(self.budget))
        unknown = False
        verdict = ("proved", "point", "exact-evaluation")
        try:
            for t, alpha in cross_multi_indices(self.ctx, n, self.ctx.readings.hn):
                # instant tiers only: where they fail, the global zero test failed too
                decision = self.ctx.value_at(t, alpha, p, cheap=True)
                if decision.is_nonzero:
                    verdict = ("refuted", "point", "exact-evaluation")
                    break
                if not decision.is_zero:
                    unknown = True
        except BudgetExhausted:
            verdict = ("unknown", "point", "budget-exhausted")
        if verdict[0] == "proved" and unknown:
            verdict = ("unknown", "point", "exact-evaluation")
        self._hn_cache[key] = verdict
        return verdict

    def entry(self, t: int, alpha: tuple[int, ...], p: dict) -> tuple[str, sp.Expr]:
        """Exact status and value of ``d^alpha g_t`` at ``p``."""
        self.ctx.use_budget(Budget(self.budget))
        try:
            if len(alpha) == 1:
                decision = self.ctx.jacobian_at(p).entries[t][alpha[0]]
            else:
                decision = self.ctx.value_at(t, alpha, p, cheap=False)
        except (BudgetExhausted, SelfCheckFailed):
            return "unknown", sp.nan
        return decision.status, decision.value

    def rho(self, p: dict) -> dict[str, Any] | None:
        """The exact rho+, rho-, rho* at ``p`` (from the pointwise S result), if known."""
        local = self._pointwise("S", p)
        if local is None or "rho_plus" not in local.details:
            return None
        return {k: local.details.get(k) for k in ("rho_plus", "rho_minus", "rho_star")}

    def rational_jacobian(self, p: dict) -> list[list[Fraction]] | None:
        """The exact Jacobian at ``p`` as Fractions (``None`` when not rational or past the budget)."""
        self.ctx.use_budget(Budget(self.budget))
        try:
            J, _ = self.ctx.checked_rational_jacobian_at(p)
        except BudgetExhausted:
            return None
        return J


def _float_of(value: sp.Expr) -> float | None:
    try:
        return float(sp.N(value, 20))
    except (TypeError, ValueError):
        return None


def _explain(
    exact: _Exact,
    a: Assessment,
    i: int,
    p: dict,
    band: float,
) -> tuple[str, list[dict[str, Any]], str]:
    """Deciding entries of a disagreement at point ``i``; returns (class, entries, text)."""
    tau = float(a.tau[i])
    entries = _flipped_entries(exact, a, i, p, band)
    if not entries:
        return POSSIBLE_BUG, [], f"possible bug: no entry's zero/nonzero call differs from the exact one (tau = {tau:.3g})"
    row_class, text = _entries_text(entries)
    return row_class, entries[:20], text + f"; tau = {tau:.3g}"


def _entries_text(entries: list[dict[str, Any]]) -> tuple[str, str]:
    """Sort ``entries`` in place (possible bugs first, then by size) and describe them."""
    entries.sort(key=lambda d: (d["class"] != POSSIBLE_BUG, -abs(d["value"])))
    row_class = TOLERANCE_SENSITIVE if all(d["class"] == TOLERANCE_SENSITIVE for d in entries) else POSSIBLE_BUG
    parts = []
    for d in entries[:4]:
        der = "".join(f"d{n}" for n in d["latents"])
        tag = f" [{d['class']}]" if d["class"] != row_class else ""
        snapped = f" snapped to {d['snapped']}" if "snapped" in d else ""
        parts.append(f"{der} g{d['output'] + 1} = {d['value']:.3g}{snapped} (exact {d['exact']}){tag}")  # outputs counted from 1, as in every table
    more = f"; +{len(entries) - 4} more" if len(entries) > 4 else ""
    return row_class, f"{row_class}: " + "; ".join(parts) + more


def _flipped_entries(exact: _Exact, a: Assessment, i: int, p: dict, band: float) -> list[dict[str, Any]]:
    """The entries read by ``a`` at point ``i`` whose zero/nonzero call differs from the exact one."""
    g = exact.g
    tau = float(a.tau[i])
    limit = _band_limit(a, i, band)
    values = a.values[i].detach().cpu().to(torch.float64)
    entries: list[dict[str, Any]] = []
    # D and H_n are monotone in the supports: a numeric failure can only come from entries
    # called nonzero, a numeric success only from entries called zero; only those need exact
    # values (M and irreducibility are not monotone: every entry is examined)
    monotone = a.criterion == "D" or (a.criterion.startswith("H") and a.criterion[1:].isdigit())
    side = (not bool(a.holds[i])) if monotone else None
    for t in range(values.shape[0]):
        for e, label in enumerate(a.labels):
            x = float(values[t, e])
            numeric_nonzero = abs(x) > tau
            if side is not None and numeric_nonzero != side:
                continue
            status, value = exact.entry(t, tuple(label), p)
            if status == "unknown" or (status == "nonzero") == numeric_nonzero:
                continue
            exact_float = _float_of(value) if status == "nonzero" else 0.0
            if status == "zero":
                sensitive = abs(x) <= limit
            else:
                sensitive = exact_float is not None and abs(exact_float) <= limit
            entries.append(
                {
                    "output": t,
                    "latents": [g.latent_names[b] for b in label],
                    "value": x,
                    "exact": expr_str(value),
                    "exact_float": exact_float,
                    "tolerance": tau,
                    "ratio": abs(x) / tau if tau > 0 else None,
                    "class": TOLERANCE_SENSITIVE if sensitive else POSSIBLE_BUG,
                }
            )
    return entries


def _rho_text(rho: dict[str, Any] | None) -> str:
    if rho is None:
        return "?"
    return f"({rho.get('rho_plus')}, {rho.get('rho_minus')})"


def _explain_s(exact: _Exact, a: Assessment, i: int, p: dict, band: float) -> tuple[str, list[dict[str, Any]], str]:
    """Why numeric and exact Type S disagree at point ``i``: a support flip, else a rho
    mismatch traced to the snapped entries that differ from the exact Jacobian."""
    tau = float(a.tau[i])
    numeric = a.details["points"][i]
    snap = numeric.get("snap")
    rhos = f"rho (rho+, rho-) numeric {_rho_text(numeric)} vs exact {_rho_text(exact.rho(p))}, snap {snap}"
    entries = _flipped_entries(exact, a, i, p, band)
    for d in entries:
        d["kind"] = "support"
    if entries:
        row_class, text = _entries_text(entries)
        return row_class, entries[:20], f"{text}; the support differs, so {rhos}; tau = {tau:.3g}"
    E = exact.rational_jacobian(p)
    if E is None:
        return POSSIBLE_BUG, [], f"possible bug: same support, {rhos}, and the exact Jacobian is not available to compare (tau = {tau:.3g})"
    g = exact.g
    limit = _band_limit(a, i, band)
    values = a.values[i].detach().cpu().to(torch.float64)
    snapped = snap_jacobian(values, tau, a.details["max_denominator"])
    for t, row in enumerate(snapped.values):
        pivot = snapped.pivots[t]
        scale = E[t][pivot] if pivot is not None else Fraction(1)
        if scale == 0:  # cannot happen on an equal support
            continue
        for col, q in enumerate(row):
            want = E[t][col] / scale
            if q == want:
                continue
            x = float(values[t, col])
            exact_float = float(E[t][col])
            sensitive = abs(x - exact_float) <= limit
            entries.append(
                {
                    "kind": "snap",
                    "output": t,
                    "latents": [g.latent_names[col]],
                    "value": x,
                    "snapped": str(q) if pivot is None else f"{q} x d{g.latent_names[pivot]} g{t + 1}",
                    "exact": str(E[t][col]),
                    "exact_float": exact_float,
                    "tolerance": tau,
                    "ratio": abs(x - exact_float) / tau if tau > 0 else None,
                    "class": TOLERANCE_SENSITIVE if sensitive else POSSIBLE_BUG,
                }
            )
    if not entries:
        return POSSIBLE_BUG, [], f"possible bug: same support and the snapped matrix is the exact Jacobian (up to row scaling), yet {rhos} (tau = {tau:.3g})"
    row_class, text = _entries_text(entries)
    return row_class, entries[:20], f"{text}; same support, {rhos}: the snap missed a linear dependency; tau = {tau:.3g}"


def crosscheck_case(
    g: Generator,
    criteria: str | Iterable[str] | None = None,
    dtypes: str | Iterable[str] = ("float32", "float64"),
    random_points: int = DEFAULT_RANDOM_POINTS,
    seed: int = 0,
    budget: float | None = DEFAULT_BUDGET,
    c: float = DEFAULT_C,
    band: float = DEFAULT_BAND,
    device: str | torch.device = "cpu",
    readings: Readings | None = None,
    extra_points: Sequence[dict] = (),
    max_denominator: int | None = None,
) -> CaseCrosscheck:
    """Cross-check one closed-form generator: exact against numeric, per criterion, point, dtype.

    Parameters
    ----------
    g
        The generator.
    criteria
        Criteria (:func:`crosscheck_criteria`; default ``D, M, H2, H3`` and
        ``irreducible:D`` where the exact layer has it).
    dtypes
        ``"float32,float64"`` or a list.
    random_points
        Seeded random rational points added to the generator's own points.
    seed
        Seed of the exact layer and of the random points.
    budget
        Seconds per exact check.
    c
        Tolerance factor of the numeric layer.
    band
        Factor on tau that bounds a tolerance-sensitive entry (module docstring).
    device
        Torch device of the numeric side.
    readings
        The readings on both sides (:class:`theory.readings.Readings`; H_n and Type S use them).
    extra_points
        More exact points (parsed dicts).
    max_denominator
        Of the numeric snaps (irreducible:D and S; default per :func:`numeric.criteria.assess`);
        numeric rho gets ``budget`` seconds per point, like each exact check.

    Returns
    -------
    CaseCrosscheck

    Examples
    --------
    >>> import cases
    >>> rep = crosscheck_case(cases.find_case("p22"), criteria="D", random_points=0)
    >>> [(r["dtype"], r["agree"]) for r in rep.rows]
    [('float32', True), ('float64', True)]
    """
    ids = crosscheck_criteria(criteria)
    names = parse_dtypes(dtypes)
    if random_points < 0:
        raise InputError(f"--random-points must be >= 0, got {random_points}")
    rng = random.Random(seed + 1_000_003)
    sampled = []
    for _ in range(random_points):
        try:
            sampled.append(random_point(g.domain, g.latents, rng))
        except DomainError:  # a very thin region: fewer random points
            break
    sources: dict[tuple, str] = {}
    for p in g.points:
        sources.setdefault(_key(g, p), "case")
    for p in extra_points:
        sources.setdefault(_key(g, p), "given")
    for p in sampled:
        sources.setdefault(_key(g, p), "random")
    start = time.perf_counter()
    ctx = CheckContext(g, seed=seed, readings=readings)
    options = NumericOptions(readings=ctx.readings, c=c, hn_method="entries", seed=seed, max_denominator=max_denominator, s_budget=budget)
    results = check(g, ids, list(extra_points) + sampled, seed=seed, budget=budget, context=ctx)
    points = check_points(g, list(extra_points) + sampled, seed)
    for p in points:
        sources.setdefault(_key(g, p), "default")
    for r in results:
        if r.scope == "global":
            w = _witness_point(g, r)
            if w is not None and _key(g, w) not in {_key(g, p) for p in points}:
                points.append(w)
                sources[_key(g, w)] = f"witness of {r.criterion}"
    exact = _Exact(g, ctx, results, budget)
    verdicts = {(cid, _key(g, p)): exact.verdict(cid, p) for cid in ids for p in points}
    exact_seconds = time.perf_counter() - start

    start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    explain_seconds = 0.0
    for name in names:
        dtype = _DTYPES[name]
        ng = from_generator(g, dtype, device)
        z = point_tensor(points, g.latents, dtype, device)
        found = assess(ng, ids, z, options)
        for cid in ids:
            a = found[cid]
            decided_at, finite_at = a.decided_points().tolist(), a.finite_points().tolist()  # once per criterion, not per point
            for i, p in enumerate(points):
                ev, escope, emethod = verdicts[(cid, _key(g, p))]
                decided, finite = decided_at[i], finite_at[i]
                nv = ("holds-numerically" if bool(a.holds[i]) else "fails-numerically") if decided else "unknown"
                agree = None if ev not in _AGREES or not decided else _AGREES[ev] == nv
                row_class, entries, text = None, [], None
                if ev not in _AGREES:
                    text = "exact verdict unknown: not compared"
                elif not finite:
                    text = "non-finite entries or tolerance in this dtype (overflow or NaN): not compared"
                elif not decided:
                    text = "numeric rho undecided within the budget: not compared"
                elif not agree:
                    t0 = time.perf_counter()
                    row_class, entries, text = (_explain_s if cid == "S" else _explain)(exact, a, i, p, band)
                    explain_seconds += time.perf_counter() - t0
                extra: dict[str, Any] = {}
                if cid == "S":
                    at = a.details["points"][i]
                    rho_exact, rho_numeric = exact.rho(p), {k: at.get(k) for k in ("rho_plus", "rho_minus", "rho_star")}
                    both = [k for k in ("rho_plus", "rho_minus", "rho_star") if rho_exact and rho_exact.get(k) is not None and rho_numeric.get(k) is not None]
                    # only the numbers both sides computed (the two-factor closed form gives no rho*)
                    same = None if not decided or "rho_minus" not in both else all(rho_exact[k] == rho_numeric[k] for k in both)
                    extra["rho"] = {"exact": rho_exact, "numeric": rho_numeric, "snap": at.get("snap"), "agree": same}
                    if agree and same is False:  # the same verdict from other numbers: reported, not hidden
                        text = (
                            f"verdicts agree, rho differs: exact (rho+, rho-) = ({rho_exact['rho_plus']}, {rho_exact['rho_minus']}), "
                            f"numeric ({rho_numeric['rho_plus']}, {rho_numeric['rho_minus']}) (snap {at.get('snap')})"
                        )
                rows.append(
                    {
                        "criterion": cid,
                        "point": point_json(p),
                        "point_source": sources.get(_key(g, p), "case"),
                        "dtype": name,
                        "device": str(z.device),
                        "exact": ev,
                        "exact_scope": escope,
                        "exact_method": emethod,
                        "numeric": nv,
                        "agree": agree,
                        "tolerance": float(a.tau[i]),
                        "margin": a.margin(i),
                        "explanation": text,
                        "class": row_class,
                        "entries": entries,
                        **extra,
                    }
                )
    numeric_seconds = time.perf_counter() - start - explain_seconds
    point_list = [dict(point_json(p), source=sources.get(_key(g, p), "case")) for p in points]
    return CaseCrosscheck(
        g.name,
        g.source,
        rows,
        {"exact": exact_seconds, "numeric": numeric_seconds, "explain": explain_seconds},
        point_list,
    )


def crosscheck(generators: Iterable[Generator], **options: Any) -> list[CaseCrosscheck]:
    """:func:`crosscheck_case` on each generator (same options).

    Examples
    --------
    >>> import cases
    >>> reports = crosscheck([cases.find_case("p01")], criteria="D", dtypes="float64", random_points=0)
    >>> reports[0].summary()["float64"]["agree"]
    1
    """
    return [crosscheck_case(g, **options) for g in generators]

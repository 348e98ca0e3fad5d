"""Spurious competitors: a decoder g_hat and a non-decomposable h with g = g_hat o h (docs/mathematics.md section 11).

Every competitor is a linear reparametrisation ``g_hat(z) = g(s0 + M z)``,
``h(s) = M^{-1} (s - s0)``, with a block assignment of the ``z`` coordinates:

``S`` (misaligned-basis competitor, section 11.1)
    ``M`` is a misaligned basis of weight ``rho- <= rho+`` at ``s0`` where Type S fails;
    ``J_ghat(0) = J(s0) M`` is as sparse as the sparsest aligned basis of g.  The
    sparsity comparison holds at ``s0`` only, unless g is linear (scope ``global``).
``irreducible:D`` / ``irreducible:S`` (split-and-merge competitor, section 11.2)
    a reducible block ``k = T' (+) T''`` at ``s0``; ``T''`` is merged with another factor.
``M`` (Type M linear competitor, section 11.3)
    a shear ``M = I + t e_a e_b^T`` across blocks that keeps Type M at ``s0`` and does not
    increase the number of nonzeros of the Jacobian.

Facts are machine-checked and reported: ``g = g_hat o h`` by a sound zero test of every
output of ``g_hat(h(s)) - g(s)``; ``h`` not decomposable (a target block of ``Dh`` with
nonzero entries in two source blocks, exact); and the criterion's verdict for ``g_hat``
by :func:`theory.checker.check`.  :meth:`Competitor.case_file_text` prints ``g_hat`` as a
case file that ``mechind check`` runs.

Examples
--------
>>> import cases
>>> c = counterexample(cases.find_case("p05"), "S")
>>> c.kind, c.facts["g_equals_ghat_of_h"]["holds"], c.facts["h_not_decomposable"]["holds"]
('misaligned-basis', True, True)
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp
from sympy.printing.str import StrPrinter

from theory.budget import Budget, BudgetExhausted, grace, run_one_killable
from theory.registry import COUNTEREXAMPLE_CRITERIA
from theory.checker import check, check_points
from theory.criteria.context import CheckContext
from theory.criteria.irreducibility import check_irreducible_at
from theory.criteria.sparsity_gap import check_sparsity_gap_at
from theory.model.domain import Box, Region
from theory.errors import InputError
from theory.model.generator import Generator
from theory.linalg.rational import QMatrix, inverse, mat_mul
from theory.result import CheckResult, point_json
from theory.exact.zerotest import ZeroTester

__all__ = ["COUNTEREXAMPLE_CRITERIA", "Competitor", "NoCompetitor", "counterexample", "refuting_points"]



class NoCompetitor(InputError):
    """The criterion holds where it was asked, or no competitor of the spec's kind was found."""


@dataclass
class Competitor:
    """A spurious decoder ``g_hat`` with ``g = g_hat o h``, ``h(s) = M^{-1}(s - s0)``."""

    criterion: str
    kind: str
    scope: str
    original: Generator
    generator: Generator
    M: QMatrix
    s0: dict
    h: list[sp.Expr]
    facts: dict[str, Any] = field(default_factory=dict)
    ghat_results: list[CheckResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.original.name,
            "criterion": self.criterion,
            "kind": self.kind,
            "scope": self.scope,
            "point": point_json(self.s0),
            "M": [[str(x) for x in row] for row in self.M],
            "h": [sp.sstr(e) for e in self.h],
            "competitor": {
                "name": self.generator.name,
                "latents": self.generator.latent_names,
                "factors": {n: [str(self.generator.latents[a]) for a in b] for n, b in zip(self.generator.factor_names, self.generator.blocks)},
                "outputs": [sp.sstr(e) for e in self.generator.outputs],
            },
            "facts": self.facts,
            "competitor_checks": [r.to_json() for r in self.ghat_results],
        }

    def unverified(self) -> list[str]:
        """The facts that did not come out ``holds: true`` (false, or undecided): a competitor
        with any is not a counterexample."""
        return [name for name, fact in self.facts.items() if isinstance(fact, dict) and "holds" in fact and fact["holds"] is not True]

    def case_file_text(self) -> str:
        """``g_hat`` as a Python case file (trusted code, exact rationals) for ``mechind check``."""
        g = self.generator
        z = g.latents
        names = ", ".join(str(s) for s in z)
        pr = _printed
        factors = "{" + ", ".join(f"{n!r}: [{', '.join(str(z[a]) for a in b)}]" for n, b in zip(g.factor_names, g.blocks)) + "}"
        outputs = ",\n        ".join(pr(e) for e in g.outputs)
        box = "Box({" + ", ".join(f"{s}: ({pr(lo)}, {pr(hi)})" for s, (lo, hi) in g.domain.box.bounds.items()) + "})"
        domain = f"Region({box}, {pr(g.domain.condition)})" if isinstance(g.domain, Region) else box
        points = "[" + ", ".join("{" + ", ".join(f"{s}: {pr(v)}" for s, v in p.items()) + "}" for p in g.points) + "]"
        doc = (
            f"Competitor of {self.original.name} for criterion {self.criterion} ({self.kind}, scope {self.scope}).\n\n"
            f"g_hat(z) = g(s0 + M z), h(s) = M^-1 (s - s0), s0 = {point_json(self.s0)},\n"
            f"M = {[[str(x) for x in row] for row in self.M]}.  Generated by `mechind counterexample`."
        )
        body = (
            f"{names}{',' if len(z) == 1 else ''} = symbols({' '.join(str(s) for s in z)!r}, real=True)\n\n"
            "GENERATOR = Generator(\n"
            f"    {g.name!r},\n"
            f"    {factors},\n"
            f"    [\n        {outputs},\n    ],\n"
            f"    {domain},\n"
            f"    points={points},\n"
            ")\n"
        )
        return f'"""{doc}"""\n\n{_sympy_import_line(body)}\nfrom theory import Box, Generator, Region\n\n{body}'


def _sympy_import_line(body: str) -> str:
    """``from sympy import ...`` of exactly the names ``body`` reads that it does not define.

    Everything ``body`` reads is a latent (assigned in it), a name from :mod:`theory`
    (``Box``, ``Generator``, ``Region``) or a name from sympy's namespace (``symbols`` and
    whatever :func:`_printed` printed: ``sin``, ``S``, ``Piecewise``, ``oo``, ...); a symbol
    that is no latent (a ``CRootOf``'s variable) is declared.

    >>> _sympy_import_line("x = symbols('x')\\ny = sin(x) + S(1)/2")
    'from sympy import S, sin, symbols\\n'
    """
    tree = ast.parse(body)
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    wanted = read - assigned - {"Box", "Generator", "Region"}
    local = sorted(n for n in wanted if not hasattr(sp, n))  # a CRootOf's variable: declared
    names = sorted((wanted - set(local)) | ({"Symbol"} if local else set()))
    line = f"from sympy import {', '.join(names)}\n"
    if len(line) > 100:
        line = "from sympy import (\n" + "".join(f"    {n},\n" for n in names) + ")\n"
    return line + "".join(f"{n} = Symbol({n!r})\n" for n in local)


class _CaseFilePrinter(StrPrinter):
    """``sstr`` with exact integers, and a long sum, at any depth, as ``Add(...)``: Python's
    parser nests once per ``+``, and a case file with a 5,500-term sum did not parse (nor did
    the body that :func:`_sympy_import_line` reads)."""

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        if len(expr.args) > _LONG_SUM:
            return "Add(" + ", ".join(self._print(a) for a in expr.args) + ")"
        return super()._print_Add(expr, order)


def _printed(e: sp.Basic) -> str:
    """``e`` as it is written in a case file (:class:`_CaseFilePrinter`)."""
    return _CaseFilePrinter({"sympy_integers": True}).doprint(e)


#: Sums with more terms than this are written as ``Add(...)`` in case files.
_LONG_SUM = 200


def _q(x: Fraction) -> sp.Rational:
    return sp.Rational(x.numerator, x.denominator)


def _fresh_symbols(g: Generator, d: int) -> list[sp.Symbol]:
    used = {str(s) for s in g.latents}
    for prefix in ("z", "w", "zz", "ww"):
        names = [f"{prefix}{i + 1}" for i in range(d)]
        if not used & set(names):
            return list(sp.symbols(" ".join(names), real=True)) if d > 1 else [sp.Symbol(names[0], real=True)]
    raise InputError("cannot find fresh latent names for the competitor")  # pragma: no cover


def _image_domain(g: Generator, s0: dict, M: QMatrix, z: list[sp.Symbol]) -> Region | Box:
    """``{z : s0 + M z in S}``: a region whose bounding box is the exact image box."""
    d = g.d
    Minv = inverse(M)
    s_of_z = [s0[g.latents[a]] + sum((_q(M[a][j]) * z[j] for j in range(d) if M[a][j] != 0), sp.S.Zero) for a in range(d)]
    bounds = {}
    for j in range(d):
        lo, hi = sp.S.Zero, sp.S.Zero
        for a in range(d):
            c = _q(Minv[j][a])
            if c == 0:
                continue
            a_lo, a_hi = g.domain.interval(g.latents[a])
            a_lo, a_hi = a_lo - s0[g.latents[a]], a_hi - s0[g.latents[a]]
            lo += c * (a_lo if c > 0 else a_hi)
            hi += c * (a_hi if c > 0 else a_lo)
        bounds[z[j]] = (lo, hi)
    box = Box(bounds)
    conditions = []
    for a in range(d):
        a_lo, a_hi = g.domain.box.bounds.get(g.latents[a], (-sp.oo, sp.oo))
        if a_lo != -sp.oo:
            conditions.append(s_of_z[a] > a_lo)
        if a_hi != sp.oo:
            conditions.append(s_of_z[a] < a_hi)
    if isinstance(g.domain, Region):
        conditions.append(g.domain.condition.subs(dict(zip(g.latents, s_of_z)), simultaneous=True))
    diagonal = all(sum(1 for x in row if x != 0) == 1 for row in M)
    if diagonal and not isinstance(g.domain, Region):
        return box
    return Region(box, sp.And(*conditions))


def _build(g: Generator, criterion: str, kind: str, s0: dict, M: QMatrix, sizes: list[int], seed: int, budget: float | None) -> Competitor:
    d = g.d
    z = _fresh_symbols(g, d)
    s_of_z = {g.latents[a]: s0[g.latents[a]] + sum((_q(M[a][j]) * z[j] for j in range(d) if M[a][j] != 0), sp.S.Zero) for a in range(d)}
    outputs = [sp.expand(e.subs(s_of_z, simultaneous=True)) if e.is_polynomial(*g.latents) else e.subs(s_of_z, simultaneous=True) for e in g.outputs]
    factors, start = [], 0
    for size in sizes:
        factors.append(z[start : start + size])
        start += size
    domain = _image_domain(g, s0, M, z)
    name = f"{g.name}-competitor-{criterion.replace(':', '-')}"
    ghat = Generator(name, factors, outputs, domain, points=[{s: 0 for s in z}], description=f"{kind} competitor of {g.name}")
    Minv = inverse(M)
    h = [sum((_q(Minv[j][a]) * (g.latents[a] - s0[g.latents[a]]) for a in range(d) if Minv[j][a] != 0), sp.S.Zero) for j in range(d)]
    comp = Competitor(criterion, kind, "point", g, ghat, M, dict(s0), [sp.expand(e) for e in h])
    comp.facts["g_equals_ghat_of_h"] = _composition_fact(g, ghat, z, comp.h, seed)
    comp.facts["h_not_decomposable"] = _not_decomposable_fact(g, Minv, sizes)
    comp.facts["same_block_sizes"] = sorted(sizes) == sorted(len(b) for b in g.blocks)
    return comp


def _composition_fact(g: Generator, ghat: Generator, z: list[sp.Symbol], h: list[sp.Expr], seed: int) -> dict[str, Any]:
    tester = ZeroTester(g.domain, g.latents, seed=seed)
    methods = []
    for t, (e_hat, e) in enumerate(zip(ghat.outputs, g.outputs)):
        diff = e_hat.subs(dict(zip(z, h)), simultaneous=True) - e
        result = tester.test(diff)
        if result.status != "zero":
            return {"holds": False if result.status == "nonzero" else None, "output": t, "method": result.method}
        methods.append(result.method)
    return {"holds": True, "methods": sorted(set(methods))}


def _not_decomposable_fact(g: Generator, Minv: QMatrix, sizes: list[int]) -> dict[str, Any]:
    """``Dh = M^{-1}``: a target block whose rows are nonzero in two source blocks."""
    start = 0
    for j, size in enumerate(sizes):
        rows = range(start, start + size)
        start += size
        sources = sorted({g.block_of[a] for r in rows for a in range(g.d) if Minv[r][a] != 0})
        if len(sources) >= 2:
            return {
                "holds": True,
                "target_block": j,
                "source_factors": [g.factor_names[k] for k in sources],
                "Dh_rows": [[str(x) for x in Minv[r]] for r in rows],
            }
    return {"holds": False}


def _is_linear(g: Generator) -> bool:
    return all(e.is_polynomial(*g.latents) and sp.Poly(e, *g.latents).total_degree() <= 1 for e in g.outputs)


def _points(g: Generator, point: dict | None, seed: int, also: Sequence[dict] = ()) -> list[dict]:
    if point is not None:
        return [point]
    out = check_points(g, (), seed)
    return out + [dict(p) for p in also if dict(p) not in out]


def refuting_points(results: Iterable[CheckResult], criterion: str) -> list[dict]:
    """The witness points of the refutations of ``criterion`` among ``results`` (a refuted
    global hypothesis names where it fails: a competitor can be built there)."""
    out: list[dict] = []
    for r in results:
        point = r.witness.get("point") if r.criterion == criterion and r.verdict == "refuted" and isinstance(r.witness, dict) else None
        if isinstance(point, dict) and point not in out:
            out.append(dict(point))
    return out


def counterexample(
    generator: Generator, criterion: str, point: dict | None = None, seed: int = 0, budget: float | None = 60.0, also: Sequence[dict] = ()
) -> Competitor:
    """The spurious competitor that a failing ``criterion`` allows (docs/mathematics.md section 11).

    Parameters
    ----------
    generator
        The generator ``g``.
    criterion
        ``S``, ``M``, ``irreducible:D`` or ``irreducible:S``.
    point
        Where the criterion should fail (default: the generator's points, first failing).
    also
        Points tried after the generator's own when ``point`` is not given (the witnesses
        of a refuted hypothesis, :func:`refuting_points`).
    seed, budget
        Seed of every random choice; seconds per check.

    Raises
    ------
    NoCompetitor
        If the criterion holds at every point tried, or no competitor is found.
    """
    if criterion not in COUNTEREXAMPLE_CRITERIA:
        raise InputError(f"no competitor construction for criterion {criterion!r} (choose from {', '.join(COUNTEREXAMPLE_CRITERIA)})")
    g = generator
    reasons = []
    # the whole construction at a point (the search on g, building g_hat, its facts and its
    # checks) runs in a killable worker: expanding a big g o h or its zero tests cannot be
    # interrupted from inside
    limit = None if budget is None else _STEPS * budget + grace(budget)
    for p in _points(g, point, seed, also):
        comp, reason = run_one_killable(
            functools.partial(_competitor_at, g, criterion, p, seed, budget),
            limit,
            lambda why, elapsed: (None, f"the construction ran past {limit:g} s ({why})"),
        )
        if comp is not None and comp.unverified():
            comp, reason = None, f"the competitor built there did not verify ({', '.join(f'{n}: {comp.facts[n]}' for n in comp.unverified())})"
        if comp is not None:
            return comp
        reasons.append(f"at {point_json(p)}: {reason}")
    raise NoCompetitor(f"{g.name}: no {criterion} competitor: " + "; ".join(reasons))


#: Budgets a construction at one point may use: the search on g, the competitor's own checks, its facts.
_STEPS = 3


def _competitor_at(g: Generator, criterion: str, p: dict, seed: int, budget: float | None) -> tuple[Competitor | None, str]:
    """The competitor at ``p`` (with its facts and checks), or ``None`` and why not."""
    builders = {"S": _competitor_s, "M": _competitor_m, "irreducible:D": _competitor_split, "irreducible:S": _competitor_split}
    ctx = CheckContext(g, seed=seed)
    ctx.use_budget(Budget(budget))  # the search on g at this point, as one check
    try:
        return builders[criterion](ctx, p, criterion, seed, budget)
    except BudgetExhausted:
        return None, f"the budget of {budget:g} s ran out"


def _competitor_s(ctx: CheckContext, p: dict, criterion: str, seed: int, budget: float | None):
    g = ctx.generator
    result = check_sparsity_gap_at(ctx, p)
    if result.verdict != "refuted":
        return None, f"Type S is {result.verdict} there"
    if "basis" not in result.witness or result.method == "two-factor-closed-form":
        # a square Jacobian refuted through Type D, or J not rational at the point: the
        # competitor's J(s0) M would not be rational either
        return None, f"the refutation's witness ({result.method}) gives no rational misaligned basis at a rational Jacobian"
    M = [[Fraction(x) for x in row] for row in zip(*result.witness["basis"])]
    comp = _build(g, criterion, "misaligned-basis", p, M, [len(b) for b in g.blocks], seed, budget)
    comp.scope = "global" if _is_linear(g) else "point"
    z0 = comp.generator.points[0]
    comp.ghat_results = check(comp.generator, ["S"], seed=seed, budget=budget)
    ghat_ctx = CheckContext(comp.generator, seed=seed)
    J_hat, _ = ghat_ctx.checked_rational_jacobian_at(z0)
    l0 = sum(1 for row in J_hat for x in row if x != 0) if J_hat else None
    comp.facts["sparsity"] = {
        "holds": l0 is not None and l0 <= result.details["rho_plus"],
        "ghat_coordinate_l0_at_z0": l0,
        "g_rho_plus": result.details["rho_plus"],
        "g_rho_minus": result.details["rho_minus"],
        "note": "J_ghat(z0) = J(s0) M is at least as sparse as the sparsest aligned basis of g",
    }
    return comp, ""


def _competitor_split(ctx: CheckContext, p: dict, criterion: str, seed: int, budget: float | None):
    g = ctx.generator
    if g.K < 2:
        return None, "a split-and-merge competitor needs a second factor to merge with"
    kind = criterion.split(":")[1]
    result = check_irreducible_at(ctx, p, kind)
    if result.verdict != "refuted":
        return None, f"{criterion} is {result.verdict} there"
    w = result.witness
    if ("subspaces" if kind == "D" else "split") not in w:  # e.g. certified minors at an irrational point
        return None, f"the refutation's witness ({result.method}) gives no rational split"
    k = g.factor_names.index(w["factor"])
    block = g.blocks[k]
    if kind == "D":
        spaces = w["subspaces"]
        first = [[Fraction(x) for x in v] for v in spaces[0]]
        rest = [[Fraction(x) for x in v] for T in spaces[1:] for v in T]
    else:
        embed = lambda v: [Fraction(v[a]) for a in block]  # noqa: E731  (split vectors live in R^d)
        first = [embed(v) for v in w["split"][0]]
        rest = [embed(v) for v in w["split"][1]]
    j = next(i for i in range(g.K) if i != k)
    d = g.d
    columns: list[list[Fraction]] = []
    sizes: list[int] = []
    for i in range(g.K):
        if i in (k, j):
            continue
        for a in g.blocks[i]:
            columns.append([Fraction(int(r == a)) for r in range(d)])
        sizes.append(len(g.blocks[i]))
    for vecs in (first, rest):
        for v in vecs:
            full = [Fraction(0)] * d
            for a, x in zip(block, v):
                full[a] = x
            columns.append(full)
        if vecs is first:
            sizes.append(len(first))
    for a in g.blocks[j]:
        columns.append([Fraction(int(r == a)) for r in range(d)])
    sizes.append(len(rest) + len(g.blocks[j]))
    M = [[columns[c][r] for c in range(d)] for r in range(d)]
    # anchored at p, where the split was found: for a nonlinear g it need not hold anywhere else
    # (anchored at 0 instead, x*y + x + y's split at (-1, 1/2, 0) gave a g-hat that is not Type D at its point)
    comp = _build(g, criterion, "split-and-merge", p, M, sizes, seed, budget)
    target = "D" if kind == "D" else "S"
    comp.ghat_results = check(comp.generator, [target], seed=seed, budget=budget)
    verdicts = {f"{r.criterion}@{r.scope}": r.verdict for r in comp.ghat_results}
    comp.facts["criterion_for_ghat"] = {"criterion": target, "verdicts": verdicts}
    if "proved" not in (verdicts.get(f"{target}@point"), verdicts.get(f"{target}@global")):
        return None, f"the split-and-merge g-hat is not proved Type {target} at its point ({verdicts}): no competitor is claimed"
    comp.scope = "global" if kind == "D" and verdicts.get("D@global") == "proved" else "point"
    comp.facts["split"] = {"factor": w["factor"], "kept": [[str(x) for x in v] for v in first], "merged": [[str(x) for x in v] for v in rest], "merged_with": g.factor_names[j]}
    return comp, ""


def _competitor_m(ctx: CheckContext, p: dict, criterion: str, seed: int, budget: float | None):
    """A cross-block shear keeping Type M (coordinate basis) and not adding nonzeros at ``p``."""
    g = ctx.generator
    J, reason = ctx.checked_rational_jacobian_at(p)
    if J is None:
        return None, reason
    d = g.d
    l0 = sum(1 for row in J for x in row if x != 0)
    for b in range(d):
        for a in range(d):
            if g.block_of[a] == g.block_of[b]:
                continue
            ts = {Fraction(1), Fraction(-1)} | {-J[i][b] / J[i][a] for i in range(g.m) if J[i][a] != 0 and J[i][b] != 0}
            for t in sorted(ts, key=lambda x: (abs(x), x)):
                M = [[Fraction(int(r == c)) for c in range(d)] for r in range(d)]
                M[a][b] = t
                JM = mat_mul(J, M)
                if sum(1 for row in JM for x in row if x != 0) > l0 or not _type_m(JM, g):
                    continue
                comp = _build(g, criterion, "linear-type-m", p, M, [len(blk) for blk in g.blocks], seed, budget)
                comp.scope = "global" if _is_linear(g) else "point"
                comp.ghat_results = check(comp.generator, ["M"], seed=seed, budget=budget)
                comp.facts["sparsity"] = {"holds": True, "ghat_l0_at_z0": sum(1 for row in JM for x in row if x != 0), "g_l0_at_s0": l0}
                return comp, ""
    return None, "no cross-block shear keeps Type M without adding nonzeros (unknown: other competitors may exist)"


def _type_m(J: QMatrix, g: Generator) -> bool:
    supports = [frozenset(i for i in range(len(J)) if J[i][a] != 0) for a in range(g.d)]
    for a in range(g.d):
        for b in range(g.d):
            if g.block_of[a] != g.block_of[b] and supports[a] <= supports[b]:
                return False
    return True

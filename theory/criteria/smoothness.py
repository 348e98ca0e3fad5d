"""Is g of class C^n on its domain?  (The smoothness the theorems assume.)

Two things can break smoothness in a closed-form generator:

* a **primitive at a singularity**: ``sqrt(u)`` or ``u**(1/3)`` where ``u`` reaches 0,
  ``log(u)`` or ``1/u`` where ``u`` reaches 0, ``asin(u)`` at ``|u| = 1``, ...;
* a **piece boundary**: ``Piecewise`` (and Abs, Max, Min, Heaviside, sign through the
  normal form) whose neighbouring pieces do not agree to order n where they meet, or a
  thin piece (an ``Eq``/``Ne`` split) whose value differs from the surrounding formula.

``proved`` needs both: every primitive's argument certified (by an interval enclosure
over the domain's bounding box) to stay in the open set where the primitive is
analytic, and, for every Piecewise node, the difference of any two of its pieces
divisible by ``(prod of its condition atoms)^(n+1)`` (exact polynomial division), so
that all pieces share their n-jet on every boundary (tried on the output with its
Piecewise folded to the top, ``|x|^3 = Piecewise((x^3, x >= 0), (-x^3, True))``, and
node by node).  ``refuted`` needs an exact point
of the domain on exactly one boundary ``h = 0`` (of a Piecewise node that occurs once in
the output), with ``h`` analytic near the point and its gradient certified nonzero there
(so both sides ``h > 0`` and ``h < 0`` come arbitrarily close), where the formulas the
output follows on the two sides (found with the comparisons on ``h`` decided by the side,
and analytic near the point) have derivatives of some order k <= n that differ exactly;
for thin pieces, a point of the thin set where g's value differs from the surrounding
formula, continuous there (g is not even continuous).  A condition with an atom other
than a comparison (``Contains``, ...) has boundaries nothing here locates: its node is
proved only when all its pieces are equal.  Anything else is ``unknown``.

Examples
--------
>>> import sympy as sp
>>> from theory import Generator, Box
>>> from theory.criteria.context import CheckContext
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> box = Box({s1: (-1, 1), s2: (-1, 1)})
>>> smooth = Generator("g", [[s1], [s2]], [s1, s2 + sp.Piecewise((s1**3, s1 > 0), (0, True))], box)
>>> check_smoothness(CheckContext(smooth), 2).verdict
'proved'
>>> check_smoothness(CheckContext(smooth), 3).verdict
'refuted'
>>> cone = Generator("cone", [[s1], [s2]], [s1, s2, sp.sqrt(s1**2 + s2**2)], box)
>>> check_smoothness(CheckContext(cone), 1).verdict
'unknown'
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import sympy as sp
from sympy.logic.boolalg import ITE

from theory.exact.intervals import certify_sign
from theory.model.piecewise import interior_form, local_formulas, thin_atoms, vanished_by_opening
from theory.model.regularity import analytic_at, continuous_at, head_conditions
from theory.errors import DomainError
from theory.exact.points import random_point
from theory.result import CheckResult
from theory.model.tracer import multi_indices
from theory.criteria.context import CheckContext
from theory.criteria.domain_sign import sign_on_domain

__all__ = ["check_smoothness", "singular_primitives", "boundary_points"]

def _conditions(e: sp.Expr) -> list[sp.Expr] | None:
    """Expressions that must be > 0 on the domain for ``e``'s head to be analytic there
    (``[]`` if none is needed, ``None`` if the head is not understood); a Piecewise head
    needs none here, its boundaries are checked apart."""
    return [] if isinstance(e, sp.Piecewise) else head_conditions(e)


def singular_primitives(expr: sp.Expr, env: dict, certified: list | None = None, positive: Callable[[sp.Expr], bool] | None = None) -> list[str]:
    """Subterms of ``expr`` that are not certified analytic on the box ``env``
    (as strings; empty when every primitive is certified).  The conditions proved by an
    interval enclosure (or by ``positive``, a certificate of ``u > 0`` on the open domain when
    the closed box's enclosure is not enough: ``log(s1)`` on ``(0, 1)``) are appended to
    ``certified``."""
    out = []
    for e in sp.preorder_traversal(expr):
        if not isinstance(e, sp.Expr) or not e.free_symbols & env.keys():
            continue
        needs = _conditions(e)
        if needs is None:
            out.append(f"{e.func.__name__} (no analyticity rule)")
            continue
        for u in needs:
            sign, _ = certify_sign(u, env)
            if sign != 1 and positive is not None and positive(u):
                sign = 1
            if sign != 1:
                out.append(f"{sp.sstr(e)} (needs {sp.sstr(u)} > 0 on the domain)")
            elif certified is not None:
                certified.append(u)
    return out


#: Boolean connectives whose truth depends only on their arguments' (a condition's boundary
#: then lies on the boundaries of its comparisons).
_CONNECTIVES = (sp.And, sp.Or, sp.Not, sp.Xor, sp.Implies, sp.Equivalent, ITE)


def _comparisons(cond: sp.Basic) -> list[sp.Basic] | None:
    """The comparisons (Relational atoms) of a condition, ``None`` when it has another kind of
    atom (``Contains``, a Boolean symbol, ...), whose boundary nothing here locates."""
    if isinstance(cond, sp.core.relational.Relational):
        return [cond]
    if cond in (sp.true, sp.false):
        return []
    if not isinstance(cond, _CONNECTIVES):
        return None
    out: list[sp.Basic] = []
    for c in cond.args:
        part = _comparisons(c)
        if part is None:
            return None
        out += part
    return out


def _atoms(pw: sp.Piecewise) -> list[sp.Expr] | None:
    """The differences ``lhs - rhs`` of the comparisons in ``pw``'s conditions (``None``: see
    :func:`_comparisons`)."""
    atoms = []
    for _piece, cond in pw.args:
        comparisons = _comparisons(cond) if isinstance(cond, sp.Basic) else []
        if comparisons is None:
            return None
        atoms += [a.lhs - a.rhs for a in sorted(set(comparisons), key=sp.default_sort_key)]
    return list(dict.fromkeys(atoms))


def _divisible(f: sp.Expr, d: sp.Expr, latents: tuple) -> bool:
    """``d`` divides ``f`` as polynomials over Q (both must be polynomials)."""
    if f == 0:
        return True
    try:
        pf, pd = sp.Poly(f, *latents, domain="QQ"), sp.Poly(d, *latents, domain="QQ")
    except (sp.PolynomialError, sp.GeneratorsNeeded, sp.CoercionFailed):
        return False
    _, r = sp.div(pf, pd)
    return r.is_zero


def _node_is_cn(pw: sp.Piecewise, n: int, latents: tuple) -> bool:
    """Every two pieces of ``pw`` differ by a multiple of ``(prod atoms)^(n+1)`` (all pieces
    equal when a condition has an atom other than a comparison)."""
    atoms = _atoms(pw)
    pieces = [p for p, _ in pw.args]
    if atoms is None:
        return all(p == pieces[0] for p in pieces[1:])
    if not atoms:
        return True
    prod = sp.Mul(*atoms) ** (n + 1)
    return all(_divisible(sp.expand(p - pieces[0]), prod, latents) for p in pieces[1:])


def boundary_points(atom: sp.Expr, generator, count: int, rng: random.Random) -> Iterator[dict]:
    """Exact points of the domain on ``atom = 0``: the atom solved for a latent in which it
    is linear with a rational coefficient, the other latents drawn at random."""
    for s in generator.latents:
        if not atom.has(s) or not atom.is_polynomial(s):
            continue
        poly = sp.Poly(atom, s)
        coeff = poly.nth(1)
        if poly.degree() != 1 or not coeff.is_Rational:
            continue
        made = 0
        for _ in range(4 * count):
            try:
                base = random_point(generator.domain, generator.latents, rng)
            except DomainError:  # a region too thin to sample: no boundary point from here
                return
            rest = poly.nth(0).xreplace(base)
            if not rest.is_Rational:
                break
            point = {x: (-rest / coeff if x == s else base[x]) for x in generator.latents}
            if generator.domain.contains(point):
                made += 1
                yield point
                if made >= count:
                    return
        return


def _jet_difference(f1: sp.Expr, f2: sp.Expr, point: dict, n: int, latents: tuple) -> tuple[int, tuple, sp.Expr, sp.Expr] | None:
    """The first multi-index (order <= n) where ``f1`` and ``f2`` differ exactly at ``point``."""
    for alpha in (a for k in range(n + 1) for a in multi_indices(len(latents), k)):
        d1, d2 = f1, f2
        for a in alpha:
            d1, d2 = sp.diff(d1, latents[a]), sp.diff(d2, latents[a])
        v1, v2 = d1.xreplace(point), d2.xreplace(point)
        if not (v1.is_Rational and v2.is_Rational):
            continue
        if v1 != v2:
            return len(alpha), alpha, v1, v2
    return None


def _refute_output(interior: sp.Expr, t: int, n: int, generator, rng: random.Random) -> dict | None:
    """A certified jump of some derivative of order <= n of ``interior`` across a boundary.

    Only boundaries ``h = 0`` that belong to a single Piecewise node occurring once in the
    output are used, at points where no other boundary passes, ``h`` is analytic near the
    point and its gradient is certified nonzero: both sides ``h > 0`` and ``h < 0`` then
    meet every neighbourhood of the point.  The formula the output follows on each side is
    found with the comparisons on ``h`` decided by the side (a piece such as
    ``(s > 0) | (s < 0)`` is on both sides), and both must be analytic near the point: a
    difference of their derivatives there is then a jump of g's.
    """
    latents = generator.latents
    tree = list(sp.preorder_traversal(interior))
    nodes = [pw for pw in sorted(interior.atoms(sp.Piecewise), key=sp.default_sort_key) if tree.count(pw) == 1]
    all_atoms = [a for pw in sorted(interior.atoms(sp.Piecewise), key=sp.default_sort_key) for a in (_atoms(pw) or [])]
    for pw in nodes:
        for atom in _atoms(pw) or []:
            if all_atoms.count(atom) != 1:
                continue
            for point in boundary_points(atom, generator, 3, rng):
                if [b for b in all_atoms if sp.sympify(b.xreplace(point)) == 0] != [atom]:
                    continue
                if not analytic_at(atom, point):
                    continue
                gradient = [sp.diff(atom, s).xreplace(point) for s in latents]
                if not any(v.is_Rational and v != 0 for v in gradient):
                    continue
                plus, minus = (local_formulas(interior, point, sides={atom: side}) for side in (1, -1))
                if plus is None or minus is None or len(plus) != 1 or len(minus) != 1 or plus == minus:
                    continue
                if not (analytic_at(plus[0], point) and analytic_at(minus[0], point)):
                    continue
                jump = _jet_difference(plus[0], minus[0], point, n, latents)
                if jump is None:
                    continue
                order, alpha, v1, v2 = jump
                return {
                    "point": dict(point),
                    "output": t,
                    "boundary": f"{sp.sstr(atom)} = 0",
                    "order": order,
                    "multi_index": [str(latents[a]) for a in alpha],
                    "one_sided_values": [sp.sstr(v1), sp.sstr(v2)],
                }
    return None


def _refute_thin(values: sp.Expr, interior: sp.Expr, t: int, generator, rng: random.Random, atoms: list[sp.Expr]) -> dict | None:
    """A point of a thin set (the zero set of one of ``atoms``) where g's value differs from
    the surrounding formula."""
    for atom in atoms:
        for point in boundary_points(atom, generator, 3, rng):
            formulas = local_formulas(interior, point)
            if formulas is None or len(formulas) != 1 or not continuous_at(formulas[0], point):
                continue
            v_true, v_open = values.xreplace(point), formulas[0].xreplace(point)
            if v_true.is_Rational and v_open.is_Rational and v_true != v_open:
                return {
                    "point": dict(point),
                    "output": t,
                    "boundary": f"{sp.sstr(atom)} = 0 (a thin piece)",
                    "order": 0,
                    "multi_index": [],
                    "one_sided_values": [sp.sstr(v_open), sp.sstr(v_true)],
                }
    return None


#: Outputs with more Piecewise nodes than this are checked node by node, not folded first.
FOLD_NODES = 6


def check_smoothness(ctx: CheckContext, n: int) -> CheckResult:
    """Whether g is C^n on its domain (criterion ``Cn``, scope ``global``; cached on ``ctx``,
    since every call of :func:`theory.checker.check` on a piecewise g and every theorem
    hypothesis ``Cn`` asks it)."""
    hit = ctx.smoothness_results.get(n)
    if hit is None:
        hit = ctx.smoothness_results[n] = _check_smoothness(ctx, n)
    return hit


def _check_smoothness(ctx: CheckContext, n: int) -> CheckResult:
    g, table = ctx.generator, ctx.table
    name = f"C{n}"
    env = {s: g.domain.interval(s) for s in g.latents}
    rng = random.Random(ctx.seed + 7)
    undecided: list[dict] = []
    certified: list[sp.Expr] = []
    for t, (values, interior) in enumerate(zip(table.values, table.restricted)):
        ctx.budget.check()
        # thin pieces are Eq/Ne splits, and >=/<= comparisons whose opened form sympy decided
        # (s1**2 <= 0 opens to s1**2 < 0, false: the piece and its boundary are gone); opening
        # >= into > otherwise changes g only where a comparison's sides are equal, which the
        # boundaries below cover, since the opened atom is still there
        dropped = list(vanished_by_opening(values))
        if dropped or values != interior_form(values, open_comparisons=False):
            found = _refute_thin(values, interior, t, g, rng, [*thin_atoms(values), *dropped])
            if found is not None:
                return CheckResult(name, "refuted", "global", "exact-evaluation", witness=found, details={"note": "g is not continuous on a thin piece"})
            undecided.append({"output": t, "why": "a thin piece (Eq/Ne split, or a comparison such as s**2 <= 0 that holds on a set without interior): continuity there is not proved"})
        if interior.has(sp.Piecewise):
            # folding k Piecewise nodes to the top makes up to 2^k pieces: only for a few
            few = len(interior.atoms(sp.Piecewise)) <= FOLD_NODES
            folded = sp.piecewise_fold(interior) if few else None
            nodes = [folded] if isinstance(folded, sp.Piecewise) else []
            if not (nodes and _node_is_cn(folded, n, g.latents)) and not all(_node_is_cn(pw, n, g.latents) for pw in interior.atoms(sp.Piecewise)):
                found = _refute_output(interior, t, n, g, rng)
                if found is not None:
                    note = f"a derivative of order {found['order']} jumps across {found['boundary']}"
                    return CheckResult(name, "refuted", "global", "exact-evaluation", witness=found, details={"note": note})
                undecided.append({"output": t, "why": f"pieces not proved to agree to order {n} across their boundaries"})
        singular = singular_primitives(interior, env, certified, lambda u: sign_on_domain(u, g.domain, g.latents, timeout=ctx.smt_time()) == 1)
        if singular:
            undecided.append({"output": t, "why": "not certified analytic: " + "; ".join(singular[:3])})
    if undecided:
        return CheckResult(name, "unknown", "global", "piece-divisibility+interval", details={"undecided": undecided})
    has_pieces = any(v.has(sp.Piecewise) for v in table.values)
    method = "piece-divisibility" if has_pieces else ("interval" if certified else "structural")
    return CheckResult(name, "proved", "global", method, details={"note": "every primitive analytic on the domain; pieces share their n-jets on every boundary"})

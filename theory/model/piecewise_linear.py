"""Piecewise-linear generators: their units, and their linear regions enumerated exactly.

A generator is *piecewise linear* (PL) when every output is built from the latents and rational
constants by sums, products with a rational constant, and the switching primitives ``Max``,
``Min``, ``Abs``, ``sign``, ``Heaviside`` and ``Piecewise`` whose arguments, pieces and
conditions are themselves such expressions (a ReLU or LeakyReLU network with rational weights,
``Max(u/100, u)``, is one).  Each occurrence of a switching primitive is a **unit**; a unit
switches on the signs of its **atoms**, affine forms in the latents and the earlier units (for
``Max(a, b)`` the atom is ``a - b``, for ``Abs(a)`` and ``sign(a)`` it is ``a``, for a
``Piecewise`` the atoms are the sides' differences of its relational conditions).

A **linear region** is a nonempty set ``{s in box : sign(atom_i(s)) = sigma_i for every atom}``
with every sign strict, where each atom is read with the earlier units on their selected
branch.  It is an open convex polyhedron on which every output is affine, so ``J`` is a constant
rational matrix there.  The regions are disjoint and their union is the box minus finitely many
pieces of hyperplanes (points where some atom that is not constant on its region vanishes): an
open dense set of full measure.  Atoms that are identically zero on a region (``Max(u, u)``)
take the sign 0 and do not branch.

:func:`linear_regions` enumerates the regions by a depth-first search over the atoms in
dependency order, pruning infeasible prefixes; a branch is kept only with an exact rational
point strictly inside it, either the parent's point (when the new atom already has the wanted
sign there) or a model of z3's linear real arithmetic (``QF_LRA``, exact rationals), re-checked
with Python fractions against every constraint.  A branch is dropped only on z3's ``unsat``,
which is a proof of infeasibility; ``unknown`` raises :class:`RegionsUndecided`.

Examples
--------
>>> import sympy as sp
>>> from theory.model.domain import Box
>>> x, y = sp.symbols("x y", real=True)
>>> net = PLNetwork.parse([sp.Max(x / 5, x) + y, sp.Abs(y)], (x, y))
>>> [u.kind for u in net.units]
['Max', 'Abs']
>>> regions = linear_regions(net, [0, 1], [(-1, 1), (-1, 1)])
>>> len(regions), sorted(tuple(map(str, r.rows[0])) for r in regions)
(4, [('1', '1'), ('1', '1'), ('1/5', '1'), ('1/5', '1')])
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp
import z3
from flint import fmpq, fmpq_mat

from theory.model.domain import Box, interval_point

__all__ = [
    "NotPiecewiseLinear",
    "RegionsUndecided",
    "TooManyRegions",
    "Unit",
    "PLNetwork",
    "LinearRegion",
    "linear_regions",
    "pattern_at",
    "jacobian_at_point",
    "MAX_REGIONS",
]

#: The most linear regions one enumeration may produce before it gives up.
MAX_REGIONS = 20000

#: An affine form over inputs: ``{input: coefficient}``, the key ``CONST`` holding the constant;
#: an input ``a < d`` is latent ``a``, an input ``d + i`` is unit ``i``.
Affine = dict[int, Fraction]
CONST = -1

#: A condition tree of a Piecewise over atom indices: ``("rel", atom, op)`` (``atom op 0``),
#: ``("and", parts)``, ``("or", parts)``, ``("not", part)``, ``("const", bool)``.
Condition = tuple


class NotPiecewiseLinear(ValueError):
    """An output is not a piecewise-linear expression with rational coefficients."""


class RegionsUndecided(RuntimeError):
    """z3 answered ``unknown`` for a region, or its model failed the exact re-check."""


class TooManyRegions(RuntimeError):
    """More than the allowed number of linear regions."""


@dataclass(frozen=True)
class Unit:
    """One switching primitive of a PL expression.

    Attributes
    ----------
    kind
        ``Max``, ``Min``, ``Abs``, ``sign``, ``Heaviside`` or ``Piecewise``.
    args
        Affine forms: the arguments (``Max``/``Min``/``Abs``/``sign``/``Heaviside``; for
        ``Heaviside`` a second entry is the constant value at 0) or the pieces' values.
    atoms
        Affine forms whose strict signs select the branch.
    conditions
        ``Piecewise`` only: one condition tree per piece.
    """

    kind: str
    args: tuple[Affine, ...]
    atoms: tuple[Affine, ...]
    conditions: tuple[Condition, ...] = ()

    def inputs(self) -> set[int]:
        """Every input (latent or unit) the unit reads."""
        return {k for form in self.args + self.atoms for k in form if k != CONST}

    def select(self, signs: Sequence[int]) -> int:
        """The index of the argument (piece) active under the atoms' ``signs`` (-1, 0, 1)."""
        if self.kind in ("Max", "Min"):
            n = len(self.args)
            sgn = dict(zip(((i, j) for i in range(n) for j in range(i + 1, n)), signs))
            want = 1 if self.kind == "Max" else -1
            for i in range(n):  # i wins if it is not beaten by any other argument
                if all((sgn[(min(i, j), max(i, j))] * (1 if i < j else -1)) * want >= 0 for j in range(n) if j != i):
                    return i
            raise RegionsUndecided("inconsistent signs of a Max/Min")  # pragma: no cover - excluded by feasibility
        if self.kind == "Piecewise":
            for i, cond in enumerate(self.conditions):
                if _truth(cond, signs):
                    return i
            raise NotPiecewiseLinear("a Piecewise without a default piece is undefined on part of the domain")
        return 0

    def value(self, signs: Sequence[int]) -> tuple[Fraction, Affine]:
        """``(scale, form)``: the unit equals ``scale * form`` under ``signs`` (form an argument, or {} for a constant)."""
        if self.kind in ("Max", "Min", "Piecewise"):
            return Fraction(1), self.args[self.select(signs)]
        s = signs[0]
        if self.kind == "Abs":
            return Fraction(1 if s >= 0 else -1), self.args[0]
        if self.kind == "sign":
            return Fraction(s), {CONST: Fraction(1)}
        # Heaviside
        h0 = self.args[1][CONST] if len(self.args) > 1 else Fraction(1, 2)
        return (Fraction(1) if s > 0 else (Fraction(0) if s < 0 else h0)), {CONST: Fraction(1)}


_OPS = {sp.StrictLessThan: "<", sp.LessThan: "<=", sp.StrictGreaterThan: ">", sp.GreaterThan: ">=", sp.Eq: "==", sp.Ne: "!="}


def _truth(cond: Condition, signs: Sequence[int]) -> bool:
    tag = cond[0]
    if tag == "const":
        return bool(cond[1])
    if tag == "rel":
        s, op = signs[cond[1]], cond[2]
        return {"<": s < 0, "<=": s <= 0, ">": s > 0, ">=": s >= 0, "==": s == 0, "!=": s != 0}[op]
    if tag == "not":
        return not _truth(cond[1], signs)
    parts = [_truth(c, signs) for c in cond[1]]
    return all(parts) if tag == "and" else any(parts)


def _add(a: Affine, b: Affine, scale: Fraction = Fraction(1)) -> Affine:
    out = dict(a)
    for k, v in b.items():
        w = out.get(k, Fraction(0)) + scale * v
        if w:
            out[k] = w
        else:
            out.pop(k, None)
    return out


class PLNetwork:
    """The outputs of a PL generator as affine forms over latents and units.

    Build it with :meth:`parse`.  ``outputs[t]`` is an :data:`Affine` form; ``units`` are in
    dependency order (every unit reads only latents and earlier units).
    """

    def __init__(self, latents: tuple[sp.Symbol, ...], units: list[Unit], outputs: list[Affine]):
        self.latents = latents
        self.units = units
        self.outputs = outputs

    @property
    def d(self) -> int:
        return len(self.latents)

    @classmethod
    def parse(cls, outputs: Iterable[sp.Expr], latents: Sequence[sp.Symbol]) -> PLNetwork:
        """Parse ``outputs`` (sympy expressions in ``latents``); :class:`NotPiecewiseLinear` if one is not PL.

        >>> x = sp.Symbol("x", real=True)
        >>> PLNetwork.parse([x * x], (x,))
        Traceback (most recent call last):
        ...
        theory.model.piecewise_linear.NotPiecewiseLinear: x**2 is not piecewise linear
        """
        latents = tuple(latents)
        index = {s: a for a, s in enumerate(latents)}
        units: list[Unit] = []
        memo: dict[sp.Basic, Affine] = {}
        d = len(latents)

        def unit(u: Unit) -> Affine:
            units.append(u)
            return {d + len(units) - 1: Fraction(1)}

        def atoms_of(cond: sp.Basic, atoms: list[Affine]) -> Condition:
            if cond in (sp.true, True):
                return ("const", True)
            if cond in (sp.false, False):
                return ("const", False)
            if isinstance(cond, sp.And):
                return ("and", tuple(atoms_of(c, atoms) for c in cond.args))
            if isinstance(cond, sp.Or):
                return ("or", tuple(atoms_of(c, atoms) for c in cond.args))
            if isinstance(cond, sp.Not):
                return ("not", atoms_of(cond.args[0], atoms))
            op = _OPS.get(type(cond))
            if op is None:
                raise NotPiecewiseLinear(f"condition {cond} is not a Boolean combination of linear relations")
            atoms.append(_add(walk(cond.lhs), walk(cond.rhs), Fraction(-1)))
            return ("rel", len(atoms) - 1, op)

        def walk(e: sp.Basic) -> Affine:
            if e in memo:
                return memo[e]
            out: Affine
            if e.is_Symbol:
                if e not in index:
                    raise NotPiecewiseLinear(f"{e} is not a latent")
                out = {index[e]: Fraction(1)}
            elif e.is_Rational:
                out = {CONST: Fraction(int(e.p), int(e.q))} if e != 0 else {}
            elif e.is_Add:
                out = {}
                for a in e.args:
                    out = _add(out, walk(a))
            elif e.is_Mul:
                consts = [a for a in e.args if a.is_Rational]
                rest = [a for a in e.args if not a.is_Rational]
                if len(rest) != 1 or len(consts) + 1 != len(e.args):
                    raise NotPiecewiseLinear(f"{e} is not piecewise linear")
                c = sp.Mul(*consts)
                out = _add({}, walk(rest[0]), Fraction(int(c.p), int(c.q)))
            elif isinstance(e, (sp.Max, sp.Min)):
                args = tuple(walk(a) for a in e.args)
                atoms = tuple(_add(args[i], args[j], Fraction(-1)) for i in range(len(args)) for j in range(i + 1, len(args)))
                out = unit(Unit(type(e).__name__, args, atoms))
            elif isinstance(e, (sp.Abs, sp.sign)):
                a = walk(e.args[0])
                out = unit(Unit(type(e).__name__, (a,), (a,)))
            elif isinstance(e, sp.Heaviside):
                a = walk(e.args[0])
                h0 = walk(e.args[1]) if len(e.args) > 1 else {CONST: Fraction(1, 2)}
                if any(k != CONST for k in h0):
                    raise NotPiecewiseLinear(f"{e}: the value at 0 is not a constant")
                out = unit(Unit("Heaviside", (a, {CONST: h0.get(CONST, Fraction(0))}), (a,)))
            elif isinstance(e, sp.Piecewise):
                if e.args[-1][1] != sp.true:  # undefined where no condition holds: no linear regions cover the box
                    raise NotPiecewiseLinear(f"{e} has no default piece (..., True)")
                atoms: list[Affine] = []
                values, conds = [], []
                for piece, cond in e.args:
                    values.append(walk(piece))
                    conds.append(atoms_of(cond, atoms))
                out = unit(Unit("Piecewise", tuple(values), tuple(atoms), tuple(conds)))
            else:
                raise NotPiecewiseLinear(f"{e} is not piecewise linear")
            memo[e] = out
            return out

        forms = [walk(sp.sympify(o)) for o in outputs]
        return cls(latents, units, forms)

    def reach(self, outputs: Iterable[int]) -> tuple[list[int], list[int]]:
        """The units (in order) and the latents (sorted) that ``outputs`` read, transitively."""
        d = self.d
        todo = [k for t in outputs for k in self.outputs[t] if k != CONST]
        units: set[int] = set()
        latents: set[int] = set()
        while todo:
            k = todo.pop()
            if k < d:
                latents.add(k)
            elif k - d not in units:
                units.add(k - d)
                todo.extend(self.units[k - d].inputs())
        return sorted(units), sorted(latents)


@dataclass(frozen=True)
class LinearRegion:
    """One linear region: the atoms' strict signs, an exact point inside, and ``J`` there.

    Attributes
    ----------
    pattern
        Per unit enumerated (in order), the signs of its atoms (0 only for an atom identically
        zero on the region).
    point
        An exact rational point strictly inside the region (one value per variable).
    rows
        Per requested output, its gradient (one coefficient per variable) on the region.
    """

    pattern: tuple[tuple[int, ...], ...]
    point: tuple[Fraction, ...]
    rows: tuple[tuple[Fraction, ...], ...]


def _dense(form: Affine, position: dict[int, int], nvars: int, resolved: dict[int, list], d: int, zero: Any = Fraction(0)) -> list:
    """``form`` as ``[c_0, ..., c_{n-1}, const]`` over the variables, units replaced by their
    resolved forms; ``zero`` is the zero of the number type of ``form`` and ``resolved``
    (``Fraction``, or python-flint's ``fmpq``, whose arithmetic is about ten times faster)."""
    out = [zero] * (nvars + 1)
    for k, v in form.items():
        if k == CONST:
            out[nvars] += v
        elif k < d:
            out[position[k]] += v
        else:
            r = resolved[k - d]
            for i in range(nvars + 1):
                if r[i]:
                    out[i] += v * r[i]
    return out


def _at(form: Sequence, point: Sequence) -> Any:
    return sum((c * x for c, x in zip(form, point) if c), form[-1])


def _interior_point(bounds: Sequence[tuple[object, object]]) -> list[Fraction]:
    out = []
    for lo, hi in bounds:
        v = interval_point(-sp.oo if lo is None else sp.sympify(lo), sp.oo if hi is None else sp.sympify(hi))
        out.append(Fraction(int(v.p), int(v.q)))
    return out


def linear_regions(
    net: PLNetwork,
    outputs: Sequence[int],
    bounds: Sequence[tuple[object, object]],
    check: Callable[[], None] = lambda: None,
    max_regions: int = MAX_REGIONS,
    variables: Sequence[int] | None = None,
) -> list[LinearRegion]:
    """Every linear region of ``outputs`` on the open box ``bounds`` (one interval per variable).

    Parameters
    ----------
    net
        The parsed network.
    outputs
        The outputs whose gradients are wanted; only the units they read are enumerated.
    bounds
        ``(lo, hi)`` per variable (rationals, or ``-oo`` / ``oo``); the box is open.
    check
        Called between steps (a budget's ``check``).
    max_regions
        Raise :class:`TooManyRegions` past this many regions.
    variables
        The latents (positions in ``net.latents``) the box ranges over; default: those the
        outputs read.  It must contain them.

    Returns
    -------
    list of LinearRegion
        In depth-first order; ``rows`` in the order of ``outputs``.

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> net = PLNetwork.parse([sp.Max(x, 0)], (x,))
    >>> [r.rows for r in linear_regions(net, [0], [(0, 1)])], len(linear_regions(net, [0], [(-1, 1)]))
    ([((Fraction(1, 1),),)], 2)
    """
    units, read = net.reach(outputs)
    variables = list(read if variables is None else variables)
    if not set(read) <= set(variables):
        raise ValueError("the variables do not contain every latent the outputs read")
    if len(bounds) != len(variables):
        raise ValueError("one interval per variable is needed")
    d, nvars = net.d, len(variables)
    position = {a: i for i, a in enumerate(variables)}
    xs = [z3.Real(f"x{i}") for i in range(nvars)]
    solver = z3.SolverFor("QF_LRA")
    context = solver.ctx.ref()
    # every number below is an fmpq (exact, and about ten times faster than Fraction); the
    # regions' points and rows are handed back as Fractions
    def number(v: Fraction) -> fmpq:
        return fmpq(v.numerator, v.denominator)

    converted: dict[int, tuple[Affine, dict[int, fmpq]]] = {}  # id(form) -> (form, its fmpq copy)

    def fmpq_form(form: Affine) -> dict[int, fmpq]:
        hit = converted.get(id(form))
        if hit is None or hit[0] is not form:  # the form itself is kept, so its id is not reused
            hit = converted[id(form)] = (form, {k: number(v) for k, v in form.items()})
        return hit[1]

    # the open box, kept as dense constraints too (for the exact re-check of models)
    constraints: list[list[fmpq]] = []
    for i, (lo, hi) in enumerate(bounds):
        for end, sgn in ((lo, 1), (hi, -1)):
            if end in (None, sp.oo, -sp.oo):
                continue
            c = [fmpq(0)] * (nvars + 1)
            c[i], c[nvars] = fmpq(sgn), -sgn * number(Fraction(str(sp.Rational(end))))
            constraints.append(c)
    for c in constraints:
        solver.add(_z3_form(c, xs) > 0)
    start = [number(v) for v in _interior_point(bounds)]
    if not all(_at(c, start) > 0 for c in constraints):  # pragma: no cover - an empty box
        return []
    order = [(u, j) for u in units for j in range(len(net.units[u].atoms))]
    resolved: dict[int, list[fmpq]] = {}
    signs: dict[int, list[int]] = {u: [0] * len(net.units[u].atoms) for u in units}
    regions: list[LinearRegion] = []
    # J on a region = the outputs' direct coefficients + their unit coefficients times the
    # units' resolved forms (one exact matrix product per region)
    slot = {u: i for i, u in enumerate(units)}
    direct = fmpq_mat(len(outputs), nvars + 1)
    through = fmpq_mat(len(outputs), max(len(units), 1))
    for r, t in enumerate(outputs):
        for k, v in net.outputs[t].items():
            if k == CONST:
                continue
            if k < d:
                direct[r, position[k]] = fmpq(v.numerator, v.denominator)
            else:
                through[r, slot[k - d]] = fmpq(v.numerator, v.denominator)

    def jacobian_rows() -> tuple[tuple[Fraction, ...], ...]:
        M = fmpq_mat(max(len(units), 1), nvars + 1)
        for u in units:
            for i, c in enumerate(resolved[u][:nvars]):
                if c:
                    M[slot[u], i] = c
        J = direct + through * M
        return tuple(tuple(Fraction(int(J[r, i].p), int(J[r, i].q)) for i in range(nvars)) for r in range(len(outputs)))

    def finish_unit(u: int) -> None:
        scale, form = net.units[u].value(signs[u])
        dense = _dense(fmpq_form(form), position, nvars, resolved, d, fmpq(0))
        scale = number(scale)
        resolved[u] = [scale * c for c in dense]

    z3_forms: dict[tuple[fmpq, ...], z3.ArithRef] = {}
    # an atom that reads no unit has the same dense form on every region: kept per (unit, atom),
    # with its two strict sides and their z3 constraints (hashing fmpq keys costs more than z3)
    fixed: dict[tuple[int, int], list[fmpq]] = {}
    sides: dict[tuple[int, int, int], tuple[list[fmpq], z3.BoolRef]] = {}

    def positive(form: list[fmpq]) -> z3.BoolRef:
        key = tuple(form)
        if key not in z3_forms:
            z3_forms[key] = _z3_form(form, xs) > 0
        return z3_forms[key]

    def model_point() -> list[fmpq]:
        model = solver.model()
        point = []
        for x in xs:
            v = model.eval(x, model_completion=True)
            if not z3.is_rational_value(v):  # pragma: no cover - LRA models are rational
                raise RegionsUndecided("z3's model is not rational")
            point.append(fmpq(v.numerator_as_long(), v.denominator_as_long()))
        if not all(_at(c, point) > 0 for c in constraints):
            raise RegionsUndecided("z3's point failed the exact re-check")
        return point

    def visit(pos: int, point: list[fmpq]) -> None:
        check()
        if pos == len(order):
            rows = jacobian_rows()
            exact_point = tuple(Fraction(int(x.p), int(x.q)) for x in point)
            regions.append(LinearRegion(tuple(tuple(signs[u]) for u in units), exact_point, rows))
            if len(regions) > max_regions:
                raise TooManyRegions(f"more than {max_regions} linear regions")
            return
        u, j = order[pos]
        form = fixed.get((u, j))
        if form is None:
            atom = net.units[u].atoms[j]
            form = _dense(fmpq_form(atom), position, nvars, resolved, d, fmpq(0))
            if all(k < d for k in atom):  # reads latents only (CONST < 0): the same form on every region
                fixed[(u, j)] = form
        last = j == len(net.units[u].atoms) - 1
        if not any(form[:nvars]):  # constant on the region: its sign is fixed
            signs[u][j] = (form[nvars] > 0) - (form[nvars] < 0)
            if last:
                finish_unit(u)
            visit(pos + 1, point)
            return
        here = _at(form, point)
        for sgn in (1, -1):
            side = sides.get((u, j, sgn)) if (u, j) in fixed else None
            if side is None:
                strict = [sgn * c for c in form]
                side = (strict, positive(strict))
                if (u, j) in fixed:
                    sides[(u, j, sgn)] = side
            strict = side[0]
            solver.push()
            z3.Z3_solver_assert(context, solver.solver, side[1].as_ast())  # solver.add, without its casts
            constraints.append(strict)
            try:
                if sgn * here > 0:
                    inside = point
                else:
                    answer = solver.check()
                    if answer == z3.unsat:
                        continue
                    if answer != z3.sat:
                        raise RegionsUndecided(f"z3 could not decide a region ({solver.reason_unknown()})")
                    inside = model_point()
                signs[u][j] = sgn
                if last:
                    finish_unit(u)
                visit(pos + 1, inside)
            finally:
                constraints.pop()
                solver.pop()

    visit(0, start)
    return regions


def _z3_form(form: Sequence, xs: Sequence[z3.ArithRef]) -> z3.ArithRef:
    terms = [z3.RealVal(f"{c.numerator}/{c.denominator}") * x for c, x in zip(form, xs) if c]
    terms.append(z3.RealVal(f"{form[-1].numerator}/{form[-1].denominator}"))
    return z3.Sum(terms)


def pattern_at(net: PLNetwork, units: Sequence[int], variables: Sequence[int], point: Sequence[Fraction]) -> tuple[tuple[int, ...], ...] | None:
    """The atoms' signs of ``units`` at an exact point (``None`` if some atom that is not
    constant on its region vanishes there: the point lies on a boundary).

    >>> x = sp.Symbol("x", real=True)
    >>> net = PLNetwork.parse([sp.Max(x, 0)], (x,))
    >>> len(pattern_at(net, [0], [0], [Fraction(-1, 2)])), pattern_at(net, [0], [0], [Fraction(0)])
    (1, None)
    """
    found = _signs_at(net, units, variables, point)
    return None if found is None else tuple(found[0])


def _signs_at(net: PLNetwork, units: Iterable[int], variables: Sequence[int], point: Sequence[Fraction]) -> tuple[list[tuple[int, ...]], dict[int, list[Fraction]], dict[int, int]] | None:
    """The units' atom signs at ``point`` (coordinates of ``variables``), each unit resolved to
    its selected affine branch in turn; with the resolved forms and the variables' positions.
    ``None`` if an atom that is not constant vanishes at the point (a region boundary)."""
    d, nvars = net.d, len(variables)
    position = {a: i for i, a in enumerate(variables)}
    resolved: dict[int, list[Fraction]] = {}
    patterns = []
    for u in units:
        unit = net.units[u]
        signs = []
        for atom in unit.atoms:
            form = _dense(atom, position, nvars, resolved, d)
            v = _at(form, point)
            if v == 0 and any(form[:nvars]):
                return None
            signs.append((v > 0) - (v < 0))
        scale, value = unit.value(signs)
        resolved[u] = [scale * c for c in _dense(value, position, nvars, resolved, d)]
        patterns.append(tuple(signs))
    return patterns, resolved, position


def jacobian_at_point(net: PLNetwork, point: Sequence[Fraction]) -> list[list[Fraction]] | None:
    """``J`` of every output at an exact point (one value per latent): the constant Jacobian
    of the linear region that contains it, from the atoms' signs there; ``None`` if some atom
    that is not constant on its region vanishes at the point (a boundary, where J may not exist).

    >>> x, y = sp.symbols("x y", real=True)
    >>> net = PLNetwork.parse([sp.Max(x / 5, x) + y, sp.Abs(y)], (x, y))
    >>> [[str(v) for v in row] for row in jacobian_at_point(net, [Fraction(-1, 2), Fraction(1, 3)])]
    [['1/5', '1'], ['0', '1']]
    >>> jacobian_at_point(net, [Fraction(0), Fraction(1, 3)]) is None
    True
    """
    d = net.d
    found = _signs_at(net, range(len(net.units)), range(d), point)
    if found is None:
        return None
    _, resolved, position = found
    return [_dense(out, position, d, resolved, d)[:d] for out in net.outputs]


def parse_network(outputs: Sequence[sp.Expr], latents: Sequence[sp.Symbol], domain: Any) -> PLNetwork | None:
    """The outputs as a PL network with at least one unit, or ``None`` (not PL, affine, or the
    domain is not a box)."""
    if not isinstance(domain, Box) or not any(o.has(sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise) for o in outputs):
        return None
    try:
        return PLNetwork.parse(outputs, latents)
    except NotPiecewiseLinear:
        return None


def guarded_jacobian_at(generator: Any, net: PLNetwork | None, point: dict, seed: int, guard: bool, check: Callable[[], None] = lambda: None) -> list[list[Fraction]] | None:
    """``J(point)`` of a PL generator as exact Fractions: the constant Jacobian of the linear
    region holding the point (:func:`jacobian_at_point`); ``None`` when there is no network,
    the point is not rational or lies on a region's boundary, or (with ``guard``) the guard
    disagrees.

    The guard checks the whole matrix against g's own values along one seeded random
    direction ``v``: ``g(p + h v) - g(p) = h J v`` exactly on the region (g is affine there,
    and ``p + h v`` is checked exactly to have the same atom signs, so the segment stays in
    the convex region), g evaluated exactly on its sympy expressions (:func:`exact_value`),
    not through the parsed network.  A disagreement (or a node :func:`exact_value` does not
    evaluate) is not a verdict: the caller falls back to the generic derivatives.
    """
    latents = generator.latents
    if net is None or not all(point[s].is_Rational for s in latents):
        return None
    p = [Fraction(int(point[s].p), int(point[s].q)) for s in latents]
    try:
        J = jacobian_at_point(net, p)
    except NotPiecewiseLinear:  # a Piecewise without a default piece has no value here: no Jacobian
        return None
    if J is None:
        return None
    if guard and not _guard_affine(generator.outputs, latents, net, p, J, seed, check):
        return None
    return J


def _guard_affine(outputs: Sequence[sp.Expr], latents: Sequence[sp.Symbol], net: PLNetwork, p: list[Fraction], J: list[list[Fraction]], seed: int, check: Callable[[], None]) -> bool:
    """``g(p + h v) - g(p) == h J v`` exactly, g evaluated on its own expressions by
    :func:`exact_value` (not through the parsed network), for one seeded direction ``v`` and
    an ``h`` small enough that ``p + h v`` has the atom signs of ``p`` (:func:`guarded_jacobian_at`)."""
    rng = random.Random(seed + 7)
    v = [Fraction(rng.choice((-2, -1, 1, 2))) for _ in p]
    units, positions = range(len(net.units)), range(net.d)
    pattern = pattern_at(net, units, positions, p)
    for e in range(8, 80, 8):  # shrink h until p + h v is in the same region
        h = Fraction(1, 2**e)
        q = [x + h * c for x, c in zip(p, v)]
        if pattern_at(net, units, positions, q) == pattern:
            break
    else:
        return False
    at_p: dict = {s: x for s, x in zip(latents, p)}
    at_q: dict = {s: x for s, x in zip(latents, q)}
    memo_p: dict = {}
    memo_q: dict = {}
    try:
        for t, row in enumerate(J):
            check()
            want = h * sum((c * x for c, x in zip(row, v)), Fraction(0))
            if exact_value(outputs[t], at_q, memo_q) - exact_value(outputs[t], at_p, memo_p) != want:
                return False
    except NotPiecewiseLinear:
        return False
    return True


def exact_value(expr: sp.Basic, env: dict, memo: dict) -> Fraction:
    """A PL expression's exact value at a rational point (``env``: symbol -> Fraction), by
    walking the sympy expression itself (``memo``: shared subexpressions of one point).
    :class:`NotPiecewiseLinear` for a node it does not evaluate.

    >>> x = sp.Symbol("x", real=True)
    >>> exact_value(sp.Max(x / 100, x) + 2 * sp.Abs(x - 1), {x: Fraction(-1, 2)}, {})
    Fraction(599, 200)
    """
    hit = memo.get(expr)
    if hit is not None:
        return hit
    if expr.is_Symbol:
        out = env[expr]
    elif expr.is_Rational:
        out = Fraction(int(expr.p), int(expr.q))
    elif expr.is_Add:
        out = sum((exact_value(a, env, memo) for a in expr.args), Fraction(0))
    elif expr.is_Mul:
        out = Fraction(1)
        for a in expr.args:
            out *= exact_value(a, env, memo)
    elif isinstance(expr, sp.Max):
        out = max(exact_value(a, env, memo) for a in expr.args)
    elif isinstance(expr, sp.Min):
        out = min(exact_value(a, env, memo) for a in expr.args)
    elif isinstance(expr, sp.Abs):
        out = abs(exact_value(expr.args[0], env, memo))
    else:
        raise NotPiecewiseLinear(f"{expr} is not evaluated exactly here")
    memo[expr] = out
    return out

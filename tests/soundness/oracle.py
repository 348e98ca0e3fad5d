"""An independent oracle for the soundness fuzzer: exact values and witness re-verification.

Nothing here calls the project's derivative table, tracer, zero tests, constant decisions,
z3 layer or domain objects.  Values are re-derived from an instance's *reference outputs*
(expressions equal to the generator's outputs on the domain by construction, but written
differently: hidden-zero terms are left out) with plain ``sympy.diff`` and ``xreplace``,
and decided by:

* a rational: exact comparison with 0;
* otherwise ``evalf`` with ``strict=True`` (sympy's adaptive precision; it raises instead
  of returning a number it cannot distinguish from 0): a nonzero result counts as nonzero;
* otherwise ``minimal_polynomial(value) == x`` counts as zero (algebraic constants);
* anything else is undecided (``None``).

For the families of issue 12 (:data:`FD_FAMILIES`: thin Piecewise pieces and special
functions) every derivative a witness claims is also compared with a central finite
difference of the generator's output *values* at 80 digits (a black box: no
differentiation rule, no Piecewise piece-by-piece rule; the values at exact rational points
pick the piece that holds there, which is right for the thin rewrites because they are the
same function).  The reference outputs of these families are smooth (a removable
singularity is written as an integral, which is differentiated under the integral sign and
evaluated with ``doit``); where sympy cannot evaluate a derivative (the order of a Bessel
function, say), the finite difference alone may certify a value nonzero (its magnitude far
above its estimated error).

Examples
--------
>>> import sympy as sp
>>> decide(sp.Rational(1, 10**30)), decide(sp.sin(1)**2 + sp.cos(1)**2 - 1 + sp.Rational(1, 10**30))
(True, True)
>>> decide(sp.S.Zero), decide((sp.sqrt(2) + sp.sqrt(3))**2 - 5 - 2 * sp.sqrt(6))
(False, False)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations

import mpmath
import sympy as sp
from sympy.core.evalf import PrecisionExhausted

__all__ = [
    "decide",
    "exact_value",
    "finite_difference",
    "verify_refutation",
    "point_truth",
    "FD_FAMILIES",
    "NON_STRICT",
    "two_line_rho",
    "two_column_rho",
    "two_column_pattern",
    "direction_class_sizes",
    "block_split_keeps_s",
    "s_point_truth",
    "irreducible_s_point_truth",
]

#: families whose witnesses are also checked by finite differences of the output values
FD_FAMILIES = frozenset({"thin-piecewise", "special-functions"})
_FD_DIGITS = 80
_FD_STEP = {1: sp.Rational(1, 10**15), 2: sp.Rational(1, 10**12), 3: sp.Rational(1, 10**10), 4: sp.Rational(1, 10**8)}

_X = sp.Symbol("x")
_RATIONAL = re.compile(r"^-?\d+(/\d+)?$")
_UNDEFINED = (sp.nan, sp.zoo, sp.oo, -sp.oo)


def decide(value: sp.Expr) -> bool | None:
    """``True`` if the constant ``value`` is nonzero, ``False`` if zero, ``None`` if undecided."""
    value = sp.sympify(value)
    if value.free_symbols:
        return None
    if value.is_Rational:
        return value != 0
    if value.has(*_UNDEFINED) or value.has(sp.DiracDelta, sp.Derivative, sp.Subs):
        return None
    try:
        approx = value.evalf(60, strict=True, maxn=600)
    except (PrecisionExhausted, ValueError, TypeError, RecursionError, ArithmeticError):
        approx = None
    if approx is not None and approx.is_Number and approx != 0 and approx.is_finite:
        return True
    try:
        return sp.minimal_polynomial(value, _X) != _X
    except Exception:
        return None


def exact_value(outputs: Sequence[sp.Expr], latents: Sequence[sp.Symbol], t: int, names: Sequence[str], point: Mapping) -> sp.Expr:
    """``d^names outputs[t]`` at ``point`` with plain ``sympy.diff`` and ``xreplace``."""
    by_name = {str(s): s for s in latents}
    expr = outputs[t]
    for n in names:
        expr = sp.diff(expr, by_name[n])
    try:
        value = expr.xreplace(dict(point))
    except ValueError:  # an unevaluated Derivative with respect to a latent: left undecided
        return expr.subs(dict(point))
    if value.has(sp.Integral):  # a removable singularity's smooth reference
        value = value.doit()
    return value


def _evaluate(expr: sp.Expr, point: Mapping) -> mpmath.mpf:
    value = expr.xreplace(dict(point))
    if value.has(sp.Integral):
        value = value.doit()
    number = sp.N(value, _FD_DIGITS + 10)
    if not number.is_real or not number.is_Number:
        raise ValueError(f"no real value at the point: {number}")
    return mpmath.mpf(number._to_mpmath(mpmath.mp.prec))


def finite_difference(outputs: Sequence[sp.Expr], latents: Sequence[sp.Symbol], t: int, names: Sequence[str], point: Mapping) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``d^names outputs[t]`` at ``point`` by nested central differences of the output
    *values* (exact rational points, 80-digit evaluation); returns the value and an error
    estimate (from the same difference with a 10 times larger step)."""
    by_name = {str(s): s for s in latents}
    point = dict(point)
    h = _FD_STEP.get(len(names), sp.Rational(1, 10**6))

    def nested(at: dict, rest: Sequence[str], step: sp.Rational) -> mpmath.mpf:
        if not rest:
            return _evaluate(outputs[t], at)
        s = by_name[rest[0]]
        plus, minus = dict(at), dict(at)
        plus[s] += step
        minus[s] -= step
        return (nested(plus, rest[1:], step) - nested(minus, rest[1:], step)) / (2 * mpmath.mpf(step.p) / step.q)

    with mpmath.workdps(_FD_DIGITS):
        fine = nested(point, list(names), h)
        coarse = nested(point, list(names), 10 * h)
        error = abs(fine - coarse) / 99 + mpmath.mpf(10) ** (-40)
        return +fine, +error


def _claimed(text: str) -> sp.Expr | None:
    """A witness's claimed exact value, parsed; ``None`` when it is not a constant."""
    try:
        value = sp.sympify(text)
    except Exception:
        return None
    return value if isinstance(value, sp.Expr) and not value.free_symbols else None


def _fd_check(instance, t: int, names: Sequence[str], point: Mapping, claimed: str | None, exact: sp.Expr) -> tuple[bool | None, str | None]:
    """For :data:`FD_FAMILIES`: the finite difference of the generator's output values at
    ``point``, compared with the claimed value and with the reference's exact value.
    Returns (nonzero certified by the finite difference, disagreement or ``None``)."""
    if instance.family not in FD_FAMILIES:
        return None, None
    with mpmath.workdps(_FD_DIGITS):
        try:
            fd, err = finite_difference(instance.generator.outputs, instance.latents, t, names, point)
        except (ValueError, TypeError, ZeroDivisionError, RecursionError, ArithmeticError):
            return None, None
        tolerance = 1000 * err + mpmath.mpf(10) ** (-30) * (1 + abs(fd))
        if claimed is not None:
            value = _claimed(claimed)
            if value is not None:
                try:
                    number = sp.N(value, 40)
                    if number.is_Number and number.is_real and abs(fd - mpmath.mpf(number._to_mpmath(mpmath.mp.prec))) > tolerance:
                        return None, f"d^{list(names)} g_{t}: the claimed value {claimed} = {number} disagrees with the finite difference of the values {mpmath.nstr(fd, 20)} (+- {mpmath.nstr(err, 3)})"
                except (ValueError, TypeError, RecursionError, ArithmeticError):
                    pass
        try:
            number = sp.N(exact, 40)
            if number.is_Number and number.is_real and abs(fd - mpmath.mpf(number._to_mpmath(mpmath.mp.prec))) > tolerance:
                return None, f"oracle inconsistency: d^{list(names)} g_{t} of the reference is {number}, the finite difference of the values {mpmath.nstr(fd, 20)}"
        except (ValueError, TypeError, RecursionError, ArithmeticError):
            pass
        return (True if abs(fd) > 10**6 * err else None), None


def _decision(instance, t: int, names: Sequence[str], point: Mapping) -> tuple[bool | None, sp.Expr]:
    """Whether ``d^names g_t`` is nonzero at ``point``: exact on the reference outputs, with
    the finite difference of the values as a fallback (nonzero only) for FD_FAMILIES."""
    value = exact_value(instance.reference, instance.latents, t, names, point)
    verdict = decide(value)
    if verdict is None and instance.family in FD_FAMILIES:
        verdict, _ = _fd_check(instance, t, names, point, None, value)
    return verdict, value


def _point(instance, witness_point: Mapping[str, str]) -> tuple[dict, dict]:
    names = [str(s) for s in instance.latents]
    assert set(witness_point) == set(names), f"witness point {witness_point} must give every latent"
    rationals = {n: sp.Rational(witness_point[n]) for n in names}
    assert instance.contains(rationals), f"witness point {witness_point} lies outside the domain"
    return rationals, {s: rationals[str(s)] for s in instance.latents}


def _verify_d(instance, w: dict, point: dict) -> str | None:
    """A D witness: one output with certified nonzero partials in two blocks, at ``point``."""
    block = instance.block_of_name
    a, b = w["latents"]
    if block[a] == block[b]:
        return f"D witness latents {a}, {b} are in the same block"
    da, va = _decision(instance, w["output"], [a], point)
    db, vb = _decision(instance, w["output"], [b], point)
    if da is not True or db is not True:
        return f"D witness: d{a} = {va}, d{b} = {vb} are not both certified nonzero"
    for claimed, actual, n in zip(w["values"], (va, vb), (a, b)):
        if _RATIONAL.match(claimed) and decide(sp.Rational(claimed) - actual) is not False:
            return f"D witness claims the value {claimed}, the exact value is {actual}"
        _, why = _fd_check(instance, w["output"], [n], point, claimed, actual)
        if why is not None:
            return f"D witness: {why}"
    return None


def verify_refutation(instance, result) -> str | None:
    """Re-verify the witness of a refutation; ``None`` when it shows what it claims, else why not."""
    w = result.to_json()["witness"]  # the JSON form, as a user reads it
    if not w or "point" not in w:
        return "a refutation without a witness point"
    try:
        _, point = _point(instance, w["point"])
    except AssertionError as exc:
        return str(exc)
    if result.scope == "point":
        if result.point is None or {str(s): v for s, v in result.point.items()} != {str(s): v for s, v in point.items()}:
            return "a pointwise refutation whose witness is not at the checked point"
    block = instance.block_of_name
    outs, lat = instance.reference, instance.latents
    if result.criterion == "D":
        return _verify_d(instance, w, point)
    base, _, reading = result.criterion.partition("/")
    if base in ("S", "irreducible:S"):
        strict = reading != "non-strict"
        return (_verify_s if base == "S" else _verify_irreducible_s)(instance, w, point, strict)
    if result.criterion == "M":
        a, b = w["latents"]
        if block[a] == block[b]:
            return f"M witness latents {a}, {b} are in the same block"
        for t in range(len(outs)):
            va = _decision(instance, t, [a], point)[0]
            vb = _decision(instance, t, [b], point)[0]
            if not (va is False or vb is True):
                return f"M witness: row {t} has d{a} nonzero-or-undecided ({va}) and d{b} not certified nonzero ({vb})"
            if va is not None and (t in w["supports"][a]) != va and t not in w.get("undecided", {}).get(a, []):
                return f"M witness: support of d{a} misreports row {t}"
            if vb is not None and (t in w["supports"][b]) != vb and t not in w.get("undecided", {}).get(b, []):
                return f"M witness: support of d{b} misreports row {t}"
        return None
    if result.criterion.startswith("H"):
        alpha = w["multi_index"]
        if len(alpha) != int(result.criterion[1:]):
            return f"H witness multi-index {alpha} has the wrong order"
        if len({block[n] for n in alpha}) < 2:
            return f"H witness multi-index {alpha} meets one block"
        nonzero, value = _decision(instance, w["output"], alpha, point)
        if nonzero is not True:
            return f"H witness: d^{alpha} g_{w['output']} = {value} is not certified nonzero"
        if _RATIONAL.match(w["value"]) and decide(sp.Rational(w["value"]) - value) is not False:
            return f"H witness claims the value {w['value']}, the exact value is {value}"
        _, why = _fd_check(instance, w["output"], alpha, point, w["value"], value)
        if why is not None:
            return f"H witness: {why}"
        return None
    return f"no re-verification for criterion {result.criterion}"


def point_truth(instance, criterion: str, point: Mapping[sp.Symbol, sp.Rational]) -> bool | None:
    """Whether D or M holds at ``point``, from the exact Jacobian of the reference outputs
    (and S, S-irreducibility where :func:`s_point_truth`, :func:`irreducible_s_point_truth`
    know it; ``/non-strict`` labels the ``s: non-strict`` reading)."""
    base, _, reading = criterion.partition("/")
    if base in ("S", "irreducible:S"):
        point = {s: point[s] for s in instance.latents}
        return (s_point_truth if base == "S" else irreducible_s_point_truth)(instance, point, reading != "non-strict")
    if criterion not in ("D", "M"):
        return None
    point = {s: point[s] for s in instance.latents}
    lat, outs = instance.latents, instance.reference
    nonzero = [[_decision(instance, t, [str(s)], point)[0] for s in lat] for t in range(len(outs))]
    blocks = instance.block_of
    if criterion == "D":
        undecided = False
        for row in nonzero:
            sure = {blocks[a] for a, v in enumerate(row) if v is True}
            maybe = {blocks[a] for a, v in enumerate(row) if v is not False}
            if len(sure) >= 2:
                return False
            undecided = undecided or len(maybe) >= 2
        return None if undecided else True
    if any(v is None for row in nonzero for v in row):
        return None
    d = len(lat)
    supports = [frozenset(t for t in range(len(outs)) if nonzero[t][a]) for a in range(d)]
    for a in range(d):
        for b in range(d):
            if blocks[a] != blocks[b] and supports[a] <= supports[b]:
                return False
    return True


# -- issue 13: Type S and S-irreducibility (docs/mathematics.md 5.1, 5.7, 7.5) ------------------
# Nothing here calls the project's rho engines, strata or class rule: rho+- of two columns is
# computed twice (the closed form written out below, and a brute force over the finitely
# many directions a vector's zero set can take), and the tests check the two agree.

#: the suffix of a criterion checked under the ``s: non-strict`` reading (the runner's label)
NON_STRICT = "/non-strict"


def two_line_rho(n1: int, n2: int, o: int, o1: int, o2: int) -> tuple[int, int]:
    """``(rho+, rho-)`` of two 1-D factors with supports of sizes n1, n2, an overlap of size
    o and its two largest proportionality classes o1 >= o2 (docs/mathematics.md 5.7)."""
    return n1 + n2, (n1 + n2 - o - o1) + min(n1, n2, n1 + n2 - o - o2)


def two_column_rho(rows: Sequence[tuple[bool, bool, object]]) -> tuple[int, int]:
    """``(rho+, rho-)`` of an m x 2 matrix with one latent per factor, by brute force.

    ``rows[i] = (a_i != 0, b_i != 0, label)`` with equal labels on exactly the proportional
    overlap rows.  A vector u != 0 annihilates row i iff u is orthogonal to it, so its zero
    set is: the b-only rows (u = e1), the a-only rows (u = e2), one overlap class (u
    orthogonal to it, mixing), or nothing (a generic u, mixing; there are infinitely many
    such directions).  The weight of u is the number of nonzero rows outside its zero set;
    rho+ is the weight of {e1, e2} (the only aligned basis up to scale) and rho- the least
    weight of two distinct directions, one of them mixing.
    """
    nonzero = [r for r in rows if r[0] or r[1]]
    n1 = sum(1 for r in rows if r[0])
    n2 = sum(1 for r in rows if r[1])
    classes = Counter(r[2] for r in nonzero if r[0] and r[1])
    # (direction, weight, mixing)
    candidates = [("e1", n1, False), ("e2", n2, False), ("generic-1", len(nonzero), True), ("generic-2", len(nonzero), True)]
    candidates += [(("class", label), len(nonzero) - size, True) for label, size in classes.items()]
    rho_minus = min(w1 + w2 for (d1, w1, m1), (d2, w2, m2) in combinations(candidates, 2) if d1 != d2 and (m1 or m2))
    return n1 + n2, rho_minus


def _holds(rho_plus: int, rho_minus: int, strict: bool) -> bool:
    return rho_plus < rho_minus if strict else rho_plus <= rho_minus


def split_rows(class_sizes: Sequence[int], first: int | None, second: int | None) -> list[tuple[bool, bool, object]]:
    """The rows of ``[J_k v1, J_k v2]`` for a 2-D block whose nonzero rows fall into direction
    classes of the given sizes, v1 orthogonal to class ``first`` (``None``: to none), v2 to
    ``second``: row i of class c is zero in column 1 iff c == first, and two overlap rows are
    proportional iff they are parallel (the split is invertible)."""
    return [(c != first, c != second, c) for c, size in enumerate(class_sizes) for _ in range(size)]


def block_split_keeps_s(class_sizes: Sequence[int], strict: bool = True) -> bool:
    """Whether some split of a 2-D block (basis {v1, v2}) gives two 1-D factors with Type S,
    by brute force over every (v1, v2): each is orthogonal to one direction class or to none
    (which rows a vector annihilates is all that the supports depend on)."""
    options: list[int | str] = list(range(len(class_sizes))) + ["generic-1", "generic-2"]
    for first, second in combinations(options, 2):
        rows = split_rows(class_sizes, first if isinstance(first, int) else None, second if isinstance(second, int) else None)
        if _holds(*two_column_rho(rows), strict):
            return True
    return False


def _label_rows(col1: Sequence[sp.Expr], col2: Sequence[sp.Expr]) -> list[tuple[bool, bool, object]] | None:
    """Exact values of two columns -> ``(nonzero, nonzero, class label)`` per row, the classes
    of the overlap rows from the decided 2x2 minors; ``None`` when a decision is out of reach."""
    nz1 = [decide(v) for v in col1]
    nz2 = [decide(v) for v in col2]
    if None in nz1 or None in nz2:
        return None
    heads: list[int] = []  # one row per proportionality class of the overlap
    label: dict[int, int] = {}
    for t in range(len(col1)):
        if not (nz1[t] and nz2[t]):
            continue
        for u in heads:
            nonparallel = decide(col1[t] * col2[u] - col1[u] * col2[t])
            if nonparallel is None:
                return None
            if nonparallel is False:
                label[t] = u
                break
        else:
            heads.append(t)
            label[t] = t
    return [(nz1[t], nz2[t], label.get(t)) for t in range(len(col1))]


def jacobian(instance, point: Mapping) -> list[list[sp.Expr]]:
    """The exact Jacobian of the reference outputs at ``point`` (``{Symbol: Rational}``)."""
    names = [str(s) for s in instance.latents]
    return [[exact_value(instance.reference, instance.latents, t, [n], point) for n in names] for t in range(len(instance.reference))]


def _block_rank_full(J: list[list[sp.Expr]], block: Sequence[int]) -> bool | None:
    """Whether the block's columns of ``J`` have full column rank (blocks of 1 or 2 latents)."""
    if len(block) == 1:
        flags = [decide(row[block[0]]) for row in J]
    elif len(block) == 2:
        a, b = block
        flags = [decide(J[t][a] * J[u][b] - J[u][a] * J[t][b]) for t in range(len(J)) for u in range(t)]
    else:
        return None
    if True in flags:
        return True
    return None if None in flags else False


def _d_holds(J: list[list[sp.Expr]], block_of: Sequence[int]) -> bool | None:
    flags = [[decide(v) for v in row] for row in J]
    undecided = False
    for row in flags:
        sure = {block_of[a] for a, v in enumerate(row) if v is True}
        maybe = {block_of[a] for a, v in enumerate(row) if v is not False}
        if len(sure) >= 2:
            return False
        undecided = undecided or len(maybe) >= 2
    return None if undecided else True


def s_point_truth(instance, point: Mapping, strict: bool = True) -> bool | None:
    """Type S at ``point`` from the reference's exact Jacobian, where it is known:

    * D at the point: rho+ <= rho- always (a basis weighs at least its block components,
      docs/mathematics.md 5.10), with a tie exactly when some block is rank-deficient (swap
      a kernel vector into another block's basis vector); so non-strict S holds and strict S
      holds iff every block has full column rank;
    * two 1-D factors: the brute force :func:`two_column_rho`;
    * otherwise ``None``.
    """
    J = jacobian(instance, point)
    g = instance.generator
    d = _d_holds(J, instance.block_of)
    if d is None:
        return None
    if d:
        if not strict:
            return True
        full = [_block_rank_full(J, block) for block in g.blocks]
        return None if None in full else all(full)
    if len(g.blocks) == 2 and all(len(b) == 1 for b in g.blocks):
        rows = _label_rows([row[0] for row in J], [row[1] for row in J])
        return None if rows is None else _holds(*two_column_rho(rows), strict)
    return None


def two_column_pattern(instance, point: Mapping) -> tuple[int, int, int, int, int] | None:
    """``(n1, n2, o, o1, o2)`` of a generator with two 1-D factors at ``point``, from the
    reference's exact Jacobian (``None`` when a decision is out of reach)."""
    J = jacobian(instance, point)
    rows = _label_rows([row[0] for row in J], [row[1] for row in J])
    if rows is None:
        return None
    sizes = sorted(Counter(r[2] for r in rows if r[0] and r[1]).values(), reverse=True) + [0, 0]
    return sum(r[0] for r in rows), sum(r[1] for r in rows), sum(1 for r in rows if r[0] and r[1]), sizes[0], sizes[1]


def _direction_classes(J: list[list[sp.Expr]], block: Sequence[int]) -> list[int] | None:
    """Sizes of the parallel classes of the nonzero rows of a 2-D block (``None``: undecided)."""
    a, b = block
    heads: dict[int, int] = {}
    for t, row in enumerate(J):
        nonzero = [decide(row[a]), decide(row[b])]
        if None in nonzero:
            return None
        if not any(nonzero):
            continue
        for u in heads:
            nonparallel = decide(row[a] * J[u][b] - J[u][a] * row[b])
            if nonparallel is None:
                return None
            if nonparallel is False:
                heads[u] += 1
                break
        else:
            heads[t] = 1
    return sorted(heads.values(), reverse=True)


def direction_class_sizes(instance, point: Mapping, block: Sequence[int]) -> list[int] | None:
    """Sizes (largest first) of the parallel classes of the nonzero rows of a 2-D block at
    ``point``, from the reference's exact Jacobian."""
    return _direction_classes(jacobian(instance, point), block)


def irreducible_s_point_truth(instance, point: Mapping, strict: bool = True) -> bool | None:
    """S-irreducibility of every factor at ``point``, where D holds there and every block has
    full column rank (else ``None``): a split of a 2-D block keeps Type S for the refined
    partition iff it keeps it for the block alone (docs/mathematics.md 7.3; under D and
    full rank a basis mixing the original factors is heavier than an aligned one), decided
    by :func:`block_split_keeps_s`."""
    J = jacobian(instance, point)
    g = instance.generator
    if _d_holds(J, instance.block_of) is not True or any(_block_rank_full(J, b) is not True for b in g.blocks):
        return None
    for block in g.blocks:
        if len(block) > 2:
            return None
        if len(block) == 2:
            sizes = _direction_classes(J, block)
            if sizes is None:
                return None
            if block_split_keeps_s(sizes, strict):
                return False
    return True


def _verify_s(instance, w: dict, point: dict, strict: bool) -> str | None:
    """A Type S refutation at ``point``: a misaligned basis no heavier than rho+ (strict) or
    lighter (non-strict), or a square invertible Jacobian where D fails."""
    g = instance.generator
    names = [str(s) for s in instance.latents]
    d, block = len(names), instance.block_of
    J = jacobian(instance, point)
    if "basis" not in w:  # the square-Jacobian witness: D fails at an invertible square J
        if len(J) != d:
            return f"S witness without a basis on a {len(J)} x {d} Jacobian"
        why = _verify_d(instance, w, point)
        if why is not None:
            return f"S (square Jacobian) witness: {why}"
        if decide(sp.Matrix(J).det()) is not True:
            return "S (square Jacobian) witness: det J is not certified nonzero"
        return None
    try:
        basis = [[sp.Rational(x) for x in v] for v in w["basis"]]
    except (TypeError, ValueError) as exc:
        return f"S witness basis is not rational: {exc}"
    if len(basis) != d or any(len(v) != d for v in basis):
        return f"S witness basis has the wrong shape ({len(basis)} vectors)"
    if sp.Matrix(basis).det() == 0:
        return "S witness vectors are not a basis"
    if not any(len({block[a] for a in range(d) if v[a] != 0}) >= 2 for v in basis):
        return "S witness basis is aligned (no vector mixes two blocks)"
    weight = 0
    for v in basis:
        for row in J:
            nonzero = decide(sum((row[a] * v[a] for a in range(d)), sp.S.Zero))
            if nonzero is None:
                return "S witness: an entry of J u is undecided"
            weight += nonzero
    rho_plus = 0
    for blk in g.blocks:
        rho_k = _block_rho(J, blk)
        if rho_k is None:
            return f"S witness: rho+ of block {[names[a] for a in blk]} is out of the oracle's reach"
        rho_plus += rho_k
    if not (weight <= rho_plus if strict else weight < rho_plus):
        return f"S witness basis weighs {weight}, rho+ is {rho_plus} ({'strict' if strict else 'non-strict'} reading)"
    if str(w.get("weight")) != str(weight):
        return f"S witness claims the weight {w.get('weight')}, the exact weight is {weight}"
    return None


def _block_rho(J: list[list[sp.Expr]], block: Sequence[int]) -> int | None:
    """The least weight of a basis of a block of 1 or 2 latents, by brute force over the
    directions a vector's zero set can take (a coordinate axis, orthogonal to a row, generic)."""
    if len(block) == 1:
        flags = [decide(row[block[0]]) for row in J]
        return None if None in flags else sum(flags)
    if len(block) != 2:
        return None
    a, b = block
    rows = [(row[a], row[b]) for row in J]
    directions = [(sp.S.One, sp.S.Zero), (sp.S.Zero, sp.S.One)] + [(y, -x) for x, y in rows if decide(x) or decide(y)]
    weights = []
    for u in directions:
        flags = [decide(x * u[0] + y * u[1]) for x, y in rows]
        if None in flags:
            return None
        weights.append((u, sum(flags)))
    generic = sum(1 for x, y in rows if decide(x) or decide(y))
    weights += [("generic-1", generic), ("generic-2", generic)]
    best = None
    for (u, wu), (v, wv) in combinations(weights, 2):
        if isinstance(u, str) or isinstance(v, str):
            independent = u != v
        else:
            independent = decide(u[0] * v[1] - u[1] * v[0])
            if independent is None:
                return None
        if independent and (best is None or wu + wv < best):
            best = wu + wv
    return best


def _verify_irreducible_s(instance, w: dict, point: dict, strict: bool) -> str | None:
    """An S-reducibility witness: a split {v1, v2} of a 2-D factor, at a point where D holds
    and every block has full column rank, whose block alone keeps Type S."""
    g = instance.generator
    names = [str(s) for s in instance.latents]
    if w.get("factor") not in g.factors:
        return f"irreducible:S witness names no factor ({w.get('factor')})"
    block = [names.index(str(s)) for s in g.factors[w["factor"]]]
    if len(block) != 2:
        return f"irreducible:S witness on a factor of dimension {len(block)}: out of the oracle's reach"
    split = w.get("split")
    if not split or len(split) != 2 or any(len(group) != 1 for group in split):
        return f"irreducible:S witness split {split} is not two vectors"
    v1, v2 = ([sp.Rational(x) for x in group[0]] for group in split)
    if any(v[a] != 0 for v in (v1, v2) for a in range(len(names)) if a not in block):
        return "irreducible:S witness split leaves the factor"
    if v1[block[0]] * v2[block[1]] - v1[block[1]] * v2[block[0]] == 0:
        return "irreducible:S witness split is not a basis of the factor"
    J = jacobian(instance, point)
    if _d_holds(J, instance.block_of) is not True or any(_block_rank_full(J, b) is not True for b in g.blocks):
        return "irreducible:S witness at a point where D or full column rank is not certified: out of the oracle's reach"
    col1 = [sum((row[a] * v1[a] for a in block), sp.S.Zero) for row in J]
    col2 = [sum((row[a] * v2[a] for a in block), sp.S.Zero) for row in J]
    rows = _label_rows(col1, col2)
    if rows is None:
        return "irreducible:S witness: the split's columns are undecided"
    if not _holds(*two_column_rho(rows), strict):
        return f"irreducible:S witness split does not keep Type S (rho = {two_column_rho(rows)})"
    return None

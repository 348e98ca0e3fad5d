"""Exact derivatives of a generator, computed once and cached.

A :class:`DerivativeTable` holds the generator's outputs in piecewise normal form,
restricted to the domain by piece selection, their structural derivative patterns
(:mod:`theory.model.tracer`), and every derivative ``d^alpha g_t`` asked for, computed with
symengine (much faster than sympy for differentiation) and handed back as sympy
expressions in the generator's own real symbols.  Outputs symengine cannot represent
fall back to sympy's ``diff``.

Examples
--------
>>> import sympy as sp
>>> from theory import Generator, Box
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> g = Generator("g", [[s1], [s2]], [s1, s2, s1**3 + s2**3], Box({s1: (-1, 1), s2: (-1, 1)}))
>>> table = g.derivatives
>>> table.derivative(2, (0, 0))
6*s1
>>> table.is_structural_zero(2, (0, 1))
True
"""

from __future__ import annotations

from typing import Any

import symengine as se
import sympy as sp

from theory.exact.constant_zero import decide_constant
from theory.model.functions import checked_derivative, sympy_derivative, uses_only_symengine_safe
from theory.model.piecewise import interior_form, is_piecewise_free, local_formulas, opened_atoms, piecewise_normal_form, select_pieces
from theory.model.regularity import analytic_at, sign_at
from theory.model.protocols import GeneratorLike
from theory.model.tracer import MultiIndex, Patterns, trace_outputs

__all__ = ["DerivativeTable", "PointDerivativeUndecided", "is_piecewise_polynomial"]


class PointDerivativeUndecided(Exception):
    """A derivative at a point that cannot be soundly determined (a piece boundary, a thin
    piece whose value breaks continuity, an undefined formula).

    Attributes
    ----------
    method
        ``piece-boundary`` or ``undefined-value``: the method of the ``unknown`` it becomes.
    reason
        One line for the report.
    """

    def __init__(self, method: str, reason: str):
        super().__init__(reason)
        self.method = method
        self.reason = reason


class DerivativeTable:
    """Cached exact derivatives of one generator on its domain.

    Parameters
    ----------
    generator
        The :class:`theory.Generator` (any :class:`~theory.model.protocols.GeneratorLike`).
    """

    def __init__(self, generator: GeneratorLike):
        self.generator = generator
        self.latents = generator.latents
        # the outputs often share subexpressions (a network's units): each rewriting is memoised
        normal_memo: dict = {}
        selected_memo: dict = {}
        interior_memo: dict = {}
        self.normalized: tuple[sp.Expr, ...] = tuple(piecewise_normal_form(o, normal_memo) for o in generator.outputs)
        #: the outputs on the domain, Piecewise conditions fixed on it resolved (g's values)
        self.values: tuple[sp.Expr, ...] = tuple(select_pieces(o, generator.domain, selected_memo) for o in self.normalized)
        #: the same without pieces of empty interior: the formulas derivatives come from
        self.restricted: tuple[sp.Expr, ...] = tuple(interior_form(o, interior_memo) for o in self.values)
        self._local_cache: dict[tuple[int, tuple], list[sp.Expr]] = {}
        self._opened: dict[int, tuple[sp.Expr, ...]] = {}
        self._local_derivatives: dict[tuple[sp.Expr, MultiIndex], sp.Expr] = {}
        self._se_symbols = [se.Symbol(str(s)) for s in self.latents]
        self._back = {sp.Symbol(str(s)): s for s in self.latents}
        self._se_outputs: dict[int, Any] = {}
        self._se_cache: dict[tuple[int, MultiIndex], Any] = {}
        self._sp_cache: dict[tuple[int, MultiIndex], sp.Expr] = {}
        self._value_cache: dict[tuple[int, MultiIndex, tuple], sp.Expr] = {}
        self._patterns: tuple[Patterns, ...] | None = None
        self._raw_patterns: tuple[Patterns, ...] | None = None
        self._order = 0

    # -- structure -----------------------------------------------------------------------
    def patterns(self, order: int) -> tuple[Patterns, ...]:
        """Per output, the multi-indices up to ``order`` that may have a nonzero derivative."""
        self._ensure_order(order)
        assert self._patterns is not None
        return self._patterns

    def raw_patterns(self, order: int) -> tuple[Patterns, ...]:
        """The same patterns before piece selection on the domain."""
        self._ensure_order(order)
        assert self._raw_patterns is not None
        return self._raw_patterns

    def _ensure_order(self, order: int) -> None:
        order = max(order, 1)
        if self._patterns is None or order > self._order:
            self._patterns = trace_outputs(self.restricted, self.latents, order)
            self._raw_patterns = trace_outputs(self.normalized, self.latents, order)
            self._order = order

    def is_structural_zero(self, t: int, alpha: MultiIndex) -> bool:
        """Whether the tracer proves ``d^alpha g_t`` identically zero on the domain."""
        return tuple(sorted(alpha)) not in self.patterns(len(alpha))[t]

    def structural_method(self, t: int, alpha: MultiIndex) -> str:
        """``structural``, or ``piece-selection`` when only the restricted outputs show the zero."""
        alpha = tuple(sorted(alpha))
        return "structural" if alpha not in self.raw_patterns(len(alpha))[t] else "piece-selection"

    def exact_structural_zeros(self, t: int) -> bool:
        """Whether every derivative of ``g_t`` the tracer proves zero is exactly 0 at every
        point too: true without Piecewise; a piecewise output may jump across a boundary
        set by a latent its pieces do not use, so its values at points are computed.
        (A structured table, such as an image generator's, can say more.)"""
        return not self.values[t].has(sp.Piecewise)

    def dependencies(self, t: int) -> frozenset[int]:
        """Latent positions output ``t`` may depend on (order-1 patterns)."""
        return frozenset(a[0] for a in self.patterns(1)[t] if len(a) == 1)

    @property
    def is_analytic(self) -> bool:
        """No Piecewise (or other non-analytic primitive) survives piece selection."""
        return all(is_piecewise_free(o) for o in self.restricted)

    @property
    def is_piecewise_polynomial(self) -> bool:
        """Every restricted output is a (piecewise) polynomial with rational coefficients."""
        return all(is_piecewise_polynomial(o) for o in self.restricted)

    # -- derivatives ----------------------------------------------------------------------
    def derivative(self, t: int, alpha: MultiIndex) -> sp.Expr:
        """``d^alpha g_t`` as a sympy expression (0 when structurally zero)."""
        alpha = tuple(sorted(alpha))
        key = (t, alpha)
        hit = self._sp_cache.get(key)
        if hit is not None:
            return hit
        if alpha not in self.patterns(len(alpha))[t]:
            expr = sp.S.Zero
        else:
            se_expr = self._se_derivative(t, alpha)
            expr = self._sympy_derivative(t, alpha) if se_expr is None else self._to_sympy(se_expr)
        self._sp_cache[key] = expr
        return expr

    def value(self, t: int, alpha: MultiIndex, point: dict[sp.Symbol, sp.Rational]) -> sp.Expr:
        """The exact (undecided) constant ``d^alpha g_t(point)``.

        The derivative at a point depends on the values of ``g_t`` on a neighbourhood, so
        for a piecewise output it comes from the pieces around the point
        (:func:`theory.model.piecewise.local_formulas`), never from a piece of empty interior.
        On a boundary between pieces a first derivative is returned only when every
        piece that may be active has the same value (equal to ``g_t(point)``) and the
        same derivative there; a point of a thin piece (an ``Eq``/``Ne`` split) needs
        ``g_t(point)`` to equal the surrounding formula.  Otherwise
        :class:`PointDerivativeUndecided` is raised.
        """
        alpha = tuple(sorted(alpha))
        pkey = tuple(point[s] for s in self.latents)
        key = (t, alpha, pkey)
        hit = self._value_cache.get(key)
        if hit is not None:
            return hit
        if self.values[t].has(sp.Piecewise):
            val = self._local_value(t, alpha, point, pkey)
        elif alpha not in self.patterns(len(alpha))[t]:
            val = sp.S.Zero
        else:
            se_expr = self._se_derivative(t, alpha)
            if se_expr is None:
                val = self.derivative(t, alpha).xreplace(point)
            else:
                subs = {sym: se.Rational(int(v.p), int(v.q)) for sym, v in zip(self._se_symbols, pkey)}
                try:
                    raw = se_expr.subs(subs)
                    val = self._to_sympy(raw)
                except (RuntimeError, ValueError, ZeroDivisionError):
                    val = self.derivative(t, alpha).xreplace(point)
        self._value_cache[key] = val
        return val

    def _local_value(self, t: int, alpha: MultiIndex, point: dict, pkey: tuple) -> sp.Expr:
        formulas = self._local_formulas(t, point, pkey)
        if len(formulas) > 1 and len(alpha) > 1:
            raise PointDerivativeUndecided(
                "piece-boundary", f"output {t}: the point lies on a boundary between pieces (order-{len(alpha)} derivative)"
            )
        self._check_thin_sets(t, alpha, point, formulas)
        derivatives = [_exact_at(self._diff(f, alpha), point) for f in formulas]
        if any(d is None for d in derivatives):
            raise PointDerivativeUndecided("undefined-value", f"output {t}: a derivative of a piece formula is undefined at the point")
        if not all(_certified_equal(d, derivatives[0]) for d in derivatives[1:]):
            raise PointDerivativeUndecided(
                "piece-boundary", f"output {t}: the point lies on a piece boundary where the one-sided derivatives differ"
            )
        return derivatives[0]

    def _check_thin_sets(self, t: int, alpha: MultiIndex, point: dict, formulas: list[sp.Expr]) -> None:
        """Raise :class:`PointDerivativeUndecided` where a set the derivatives' form opened
        (an ``Eq``/``Ne`` split, ``(s >= 0) & (s <= 0)``) passes through the point and may carry
        a thin piece with another formula ``u``: on that set g follows ``u``, not the surrounding
        formula ``f`` (``Piecewise((s2, Ne(s2**2, 1/49)), (s1 - 5/14, True))`` at ``(1/2, 1/7)``:
        along the line s2 = 1/7, g moves like s1, while f = s2 does not move).

        The derivative of g at the point (the Jacobian row, whatever the direction) is ``f``'s
        only where g - f = o(|v|) on the set: each thin formula ``u`` g may follow there has
        ``f``'s value, and the gradient of ``u - f`` is 0 or, for every such set's function
        ``h`` (analytic, gradient certified nonzero: a hypersurface), parallel to the gradient of
        ``h`` (``u - f`` is flat along the set).  A partial along a line that leaves the set at
        once is not enough: ``Piecewise((s1 - s2, Ne(s1, s2)), (5 (s1 - 1/2), True))`` at
        ``(1/2, 1/2)`` has partials (1, -1) but moves at rate 5 along (1, 1), where
        ``J (1, 1) = 0``; g has no derivative there.  Higher derivatives on such a set are not
        taken."""
        opened = self._opened.get(t)
        if opened is None:
            opened = self._opened[t] = opened_atoms(self.values[t])
        through = [h for h in opened if sign_at(h, point) not in (1, -1)]
        if not through:
            return
        if len(alpha) > 1:
            raise PointDerivativeUndecided("thin-piece", f"output {t}: the point lies on a thin set of a piece (order-{len(alpha)} derivative)")
        if not alpha:
            return
        every = local_formulas(self.values[t], point)
        if every is None:
            raise PointDerivativeUndecided("thin-piece", f"output {t}: too many pieces may be active on a thin set through the point")
        extra = [f for f in every if f not in formulas]
        if not extra:
            return

        def undecided(why: str) -> PointDerivativeUndecided:
            return PointDerivativeUndecided("thin-piece", f"output {t}: a thin piece through the point {why}: g may have no derivative there")

        def gradient(expr: sp.Expr) -> list[sp.Expr | None]:
            return [_exact_at(self._diff(expr, (b,)), point) for b in range(len(self.latents))]

        true_value = _exact_at(self.values[t], point)
        reference = gradient(formulas[0])
        if true_value is None or None in reference:
            raise undecided("has an undefined value or slope")
        normals: list[list[sp.Expr]] | None = None
        for u in extra:
            value, slope = _exact_at(u, point), gradient(u)
            if value is None or None in slope or not _certified_equal(value, true_value):
                raise undecided("may take another value")
            delta = [sp.sympify(a - b) for a, b in zip(slope, reference)]
            if all(_certified_equal(x, 0) for x in delta):
                continue  # u agrees with f to first order in every direction
            if normals is None:
                normals = []
                for h in through:
                    normal = [_exact_at(sp.diff(h, v), point) for v in self.latents] if analytic_at(h, point) else None
                    if normal is None or None in normal or not any(sign_at(sp.diff(h, v), point) in (1, -1) for v in self.latents):
                        raise undecided("lies on a set that is not a smooth hypersurface there")
                    normals.append(normal)  # type: ignore[arg-type]
            for normal in normals:
                d = len(delta)
                if not all(_certified_equal(delta[i] * normal[k] - delta[k] * normal[i], 0) for i in range(d) for k in range(i + 1, d)):
                    raise undecided(f"moves differently along the set (d/d{self.latents[alpha[0]]} and the other slopes do not make u - f flat on it)")

    def _local_formulas(self, t: int, point: dict, pkey: tuple) -> list[sp.Expr]:
        """The formulas output ``t`` follows around ``point``, each checked to take g's own
        value there (cached per point)."""
        hit = self._local_cache.get((t, pkey))
        if hit is not None:
            return hit
        formulas = local_formulas(self.restricted[t], point)
        if formulas is None:
            raise PointDerivativeUndecided("piece-boundary", f"output {t}: too many pieces may be active around the point")
        values = [_exact_at(f, point) for f in formulas]
        true_value = _exact_at(self.values[t], point)
        if any(v is None for v in values) or true_value is None:
            raise PointDerivativeUndecided("undefined-value", f"output {t}: a piece formula is undefined at the point")
        if not all(_certified_equal(v, true_value) for v in values):
            raise PointDerivativeUndecided(
                "piece-boundary", f"output {t}: the pieces around the point do not take g's value there (g may be discontinuous)"
            )
        self._local_cache[(t, pkey)] = formulas
        return formulas

    def _diff(self, expr: sp.Expr, alpha: MultiIndex) -> sp.Expr:
        """``d^alpha expr`` by sympy (cached); ``expr`` is a local formula of an output, whose
        functions passed :func:`theory.model.functions.check_differentiable` when g was built."""
        key = (expr, alpha)
        hit = self._local_derivatives.get(key)
        if hit is None:
            hit = expr if not alpha else checked_derivative(self._diff(expr, alpha[:-1]), self.latents[alpha[-1]])
            self._local_derivatives[key] = hit
        return hit

    def _se_output(self, t: int) -> Any:
        """Output ``t`` in symengine, or ``None`` (then sympy differentiates it).

        Only outputs built from :data:`theory.model.functions.SYMENGINE_SAFE` go to symengine:
        it takes the derivative of every function it does not know to be 0.
        """
        if t not in self._se_outputs:
            expr = None
            if uses_only_symengine_safe(self.restricted[t]):
                try:
                    expr = se.sympify(self.restricted[t])
                except Exception:  # symengine cannot represent it: use sympy for this output
                    expr = None
            self._se_outputs[t] = expr
        return self._se_outputs[t]

    def _se_derivative(self, t: int, alpha: MultiIndex) -> Any:
        key = (t, alpha)
        if key in self._se_cache:
            return self._se_cache[key]
        if not alpha:
            result = self._se_output(t)
        else:
            parent = self._se_derivative(t, alpha[:-1])
            result = None if parent is None else parent.diff(self._se_symbols[alpha[-1]])
            if result is not None and (result.atoms(se.Derivative) or result.atoms(se.Subs)):
                result = None  # symengine could not differentiate a function: use sympy
        self._se_cache[key] = result
        return result

    def _sympy_derivative(self, t: int, alpha: MultiIndex) -> sp.Expr:
        """``d^alpha g_t`` by sympy, one checked step from the cached ``d^alpha[:-1] g_t``.

        Raises :class:`~theory.errors.GeneratorError` when a step is not on the allow-lists
        of :mod:`theory.model.functions` or sympy leaves it unevaluated.
        """
        if not alpha:
            return self.restricted[t]
        parent = self.derivative(t, alpha[:-1])  # 0 when the tracer proves it zero: so is alpha
        what = f"{self.generator.name}: output {t}"
        return sympy_derivative(parent, self.latents[alpha[-1]], self.latents, what)

    def _to_sympy(self, se_expr: Any) -> sp.Expr:
        return sp.sympify(se_expr).xreplace(self._back)


def is_piecewise_polynomial(expr: sp.Expr) -> bool:
    """Whether ``expr`` is built from rationals and symbols by +, *, non-negative integer
    powers and Piecewise with polynomial conditions (the fragment z3 decides exactly).

    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> is_piecewise_polynomial(sp.Piecewise((x**2, x > 1), (0, True))), is_piecewise_polynomial(sp.exp(x))
    (True, False)
    """
    if expr.is_Rational or isinstance(expr, sp.Symbol):
        return True
    if isinstance(expr, (sp.Add, sp.Mul)):
        return all(is_piecewise_polynomial(a) for a in expr.args)
    if isinstance(expr, sp.Pow):
        return expr.exp.is_Integer and expr.exp >= 0 and is_piecewise_polynomial(expr.base)
    if isinstance(expr, sp.Piecewise):
        if expr.args[-1][1] != sp.true:  # defined everywhere: z3 needs a final True branch
            return False
        return all(is_piecewise_polynomial(e) and _polynomial_condition(c) for e, c in expr.args)
    return False


def _polynomial_condition(cond: sp.Basic) -> bool:
    if cond in (sp.true, sp.false):
        return True
    if isinstance(cond, (sp.And, sp.Or, sp.Not)):
        return all(_polynomial_condition(c) for c in cond.args)
    if isinstance(cond, sp.core.relational.Relational):
        return is_piecewise_polynomial(cond.lhs) and is_piecewise_polynomial(cond.rhs)
    return False


def _exact_at(expr: sp.Expr, point: dict) -> sp.Expr | None:
    """``expr`` at the rational point (exact), or ``None`` where it is undefined."""
    try:
        value = sp.sympify(expr).xreplace(point)
    except (ZeroDivisionError, ValueError, OverflowError, TypeError):  # TypeError: a condition comparing nan (atan2(0, 0) > 1)
        return None
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.Piecewise) or value.free_symbols:
        return None
    return value


def _certified_equal(a: sp.Expr, b: sp.Expr) -> bool:
    """``a == b`` proved (exact rationals, or a zero difference decided soundly)."""
    diff = sp.sympify(a - b)
    if diff == 0:
        return True
    if diff.is_Rational:
        return False
    return decide_constant(diff, timeout=2.0).is_zero

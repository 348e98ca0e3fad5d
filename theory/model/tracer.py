"""Structural derivative tracer: which multi-indices can have a nonzero derivative.

For an expression f and an order n, :func:`derivative_patterns` returns a set of
multi-indices (sorted tuples of latent positions, length <= n) that contains every
alpha with ``d^alpha f`` not identically zero.  It propagates patterns through the
expression graph: constants give ``{()}``, a latent ``s_a`` gives ``{(), (a,)}``, sums take
unions, products follow Leibniz (all sums of one pattern from each factor), and a
nonlinear function of its arguments follows Faa di Bruno (all sums of nonempty argument
patterns; at most k of them for an integer power k).  The tracer is conservative: a
multi-index it does **not** produce is a proof that the derivative is identically zero
(method ``structural``); one it produces may still turn out to be zero.

Piecewise expressions take the union of their pieces: the derivatives of a C^r
piecewise generator are the piecewise derivatives (conditions contribute nothing away
from the null set of boundaries).  Every other argument is followed, ``Expr`` or not: a
``Tuple`` (the parameters of ``hyper``, ``meijerg``) contributes the union of its
elements.  :func:`check_dependencies` enforces the invariant that the order-1
dependencies reported are exactly the latents of the expression (outside Piecewise
conditions).

Examples
--------
>>> import sympy as sp
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> sorted(derivative_patterns(s1**2 * s2, (s1, s2), 3))
[(), (0,), (0, 0), (0, 0, 1), (0, 1), (1,)]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import sympy as sp

from theory.errors import GeneratorError

__all__ = ["derivative_patterns", "trace_outputs", "multi_indices", "check_dependencies", "differentiated_latents"]

MultiIndex = tuple[int, ...]
Patterns = frozenset[MultiIndex]

_EMPTY: Patterns = frozenset()
_CONST: Patterns = frozenset({()})


def _merge(a: MultiIndex, b: MultiIndex) -> MultiIndex:
    return tuple(sorted(a + b))


def _leibniz(p: Patterns, q: Patterns, order: int) -> Patterns:
    return frozenset(_merge(a, b) for a in p for b in q if len(a) + len(b) <= order)


def _closure(generators: Iterable[MultiIndex], order: int, max_terms: int | None = None) -> Patterns:
    """All sums of at most ``max_terms`` nonempty generators (and the empty index), up to ``order``."""
    gens = sorted({g for g in generators if 0 < len(g) <= order})
    result = {()}
    frontier = {()}
    steps = order if max_terms is None else min(order, max_terms)
    for _ in range(steps):
        new = {_merge(a, g) for a in frontier for g in gens if len(a) + len(g) <= order}
        new -= result
        if not new:
            break
        result |= new
        frontier = new
    return frozenset(result)


class _Tracer:
    def __init__(self, index: dict[sp.Symbol, int], order: int):
        self.index = index
        self.order = order
        self.memo: dict[sp.Basic, Patterns] = {}

    def __call__(self, e: sp.Basic) -> Patterns:
        hit = self.memo.get(e)
        if hit is None:
            hit = self._trace(e)
            self.memo[e] = hit
        return hit

    def _trace(self, e: sp.Basic) -> Patterns:
        order = self.order
        if e is sp.S.Zero:
            return _EMPTY
        if isinstance(e, sp.Symbol):
            return frozenset({(), (self.index[e],)}) if e in self.index else _CONST
        if not e.free_symbols & self.index.keys():
            return _CONST
        if isinstance(e, sp.Add):
            out: set[MultiIndex] = set()
            for arg in e.args:
                out |= self(arg)
            return frozenset(out)
        if isinstance(e, sp.Mul):
            acc = _CONST
            for arg in e.args:
                acc = _leibniz(acc, self(arg), order)
            return acc
        if isinstance(e, sp.Pow):
            base, exp = e.args
            pb = self(base)
            if not exp.free_symbols & self.index.keys():
                if exp.is_Integer and exp >= 0:
                    return _closure(pb, order, int(exp))
                return _closure(pb, order)
            return _closure(pb | self(exp), order)
        if isinstance(e, sp.Piecewise):
            out = set()
            for piece, _cond in e.args:
                out |= self(piece)
            return frozenset(out)
        if isinstance(e, sp.Tuple):  # a container (parameters of hyper, meijerg, ...): its elements
            out = set()
            for arg in e.args:
                out |= self(arg)
            return frozenset(out)
        if isinstance(e, (sp.Function, sp.Derivative)) or e.args:
            gens: set[MultiIndex] = set()
            for arg in e.args:  # every argument, not only the Expr ones: a latent anywhere counts
                gens |= self(arg)
            return _closure(gens, order)
        return _CONST  # pragma: no cover - atoms without latents were handled above


def derivative_patterns(expr: sp.Expr, latents: Sequence[sp.Symbol], order: int) -> Patterns:
    """Multi-indices (length <= ``order``) whose derivative of ``expr`` may be nonzero.

    ``()`` is included unless ``expr`` is syntactically zero.  The result passes
    :func:`check_dependencies`.
    """
    expr = sp.sympify(expr)
    patterns = _Tracer({s: i for i, s in enumerate(latents)}, order)(expr)
    if order >= 1:
        check_dependencies(expr, latents, patterns)
    return patterns


def trace_outputs(outputs: Sequence[sp.Expr], latents: Sequence[sp.Symbol], order: int) -> tuple[Patterns, ...]:
    """:func:`derivative_patterns` of every output, sharing work on common subexpressions.

    Every output's patterns pass :func:`check_dependencies`.
    """
    tracer = _Tracer({s: i for i, s in enumerate(latents)}, order)
    exprs = [sp.sympify(o) for o in outputs]
    patterns = tuple(tracer(e) for e in exprs)
    if order >= 1:
        for e, p in zip(exprs, patterns):
            check_dependencies(e, latents, p)
    return patterns


def differentiated_latents(expr: sp.Basic, latents: Sequence[sp.Symbol]) -> frozenset[sp.Symbol]:
    """The latents of ``expr`` outside Piecewise conditions and outside products with a
    literal zero factor: the ones its order-1 derivatives can depend on.

    >>> import sympy as sp
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> sorted(differentiated_latents(sp.Piecewise((s1, s2 > 0), (0, True)), (s1, s2)), key=str)
    [s1]
    """
    lat = frozenset(latents)
    found: set[sp.Symbol] = set()
    stack = [expr]
    seen: set[sp.Basic] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if not node.args:
            if node in lat:
                found.add(node)
        elif isinstance(node, sp.Piecewise):
            stack.extend(pair.args[0] for pair in node.args)  # a condition only moves boundaries
        elif isinstance(node, sp.Mul) and any(a is sp.S.Zero for a in node.args):
            continue  # an unevaluated 0 * (...) is identically zero (the tracer agrees)
        else:
            stack.extend(node.args)
    return frozenset(found)


def check_dependencies(expr: sp.Basic, latents: Sequence[sp.Symbol], patterns: Patterns) -> None:
    """The tracer's invariant: the order-1 dependencies in ``patterns`` are exactly the
    latents of ``expr`` (:func:`differentiated_latents`: latents only inside Piecewise
    conditions excepted, whose influence is confined to piece boundaries).

    Raises
    ------
    GeneratorError
        When they differ: a latent the tracer cannot see would get structurally zero
        derivatives, so the expression is refused rather than guessed.

    Examples
    --------
    >>> import sympy as sp
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> check_dependencies(s1 * s2, (s1, s2), frozenset({(), (0,), (1,), (0, 1)}))
    >>> check_dependencies(s1 * s2, (s1, s2), frozenset({(), (0,)}))
    Traceback (most recent call last):
    ...
    theory.errors.GeneratorError: the derivative tracer cannot see how s1*s2 depends on s2 (it reports s1; the expression uses s1, s2): refused rather than guessed
    """
    reported = frozenset(latents[a[0]] for a in patterns if len(a) == 1)
    expected = differentiated_latents(expr, latents)
    if reported == expected:
        return
    uses = ", ".join(sorted(map(str, expected))) or "none"
    says = ", ".join(sorted(map(str, reported))) or "none"
    missing = ", ".join(sorted(map(str, expected - reported)))
    what = f"cannot see how {expr} depends on {missing}" if missing else f"reports dependencies {expr} does not have"
    raise GeneratorError(
        f"the derivative tracer {what} (it reports {says}; the expression uses {uses}): refused rather than guessed"
    )


def multi_indices(d: int, n: int) -> list[MultiIndex]:
    """All multi-indices of order exactly ``n`` over ``d`` latents, as sorted tuples.

    >>> multi_indices(2, 2)
    [(0, 0), (0, 1), (1, 1)]
    """
    return list(itertools.combinations_with_replacement(range(d), n))

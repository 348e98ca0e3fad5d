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
from the null set of boundaries).

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

__all__ = ["derivative_patterns", "trace_outputs", "multi_indices"]

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
        if isinstance(e, (sp.Function, sp.Derivative)) or e.args:
            gens: set[MultiIndex] = set()
            for arg in e.args:
                if isinstance(arg, sp.Expr):
                    gens |= self(arg)
            return _closure(gens, order)
        return _CONST  # pragma: no cover - atoms without latents were handled above


def derivative_patterns(expr: sp.Expr, latents: Sequence[sp.Symbol], order: int) -> Patterns:
    """Multi-indices (length <= ``order``) whose derivative of ``expr`` may be nonzero.

    ``()`` is included unless ``expr`` is syntactically zero.
    """
    return _Tracer({s: i for i, s in enumerate(latents)}, order)(sp.sympify(expr))


def trace_outputs(outputs: Sequence[sp.Expr], latents: Sequence[sp.Symbol], order: int) -> tuple[Patterns, ...]:
    """:func:`derivative_patterns` of every output, sharing work on common subexpressions."""
    tracer = _Tracer({s: i for i, s in enumerate(latents)}, order)
    return tuple(tracer(sp.sympify(o)) for o in outputs)


def multi_indices(d: int, n: int) -> list[MultiIndex]:
    """All multi-indices of order exactly ``n`` over ``d`` latents, as sorted tuples.

    >>> multi_indices(2, 2)
    [(0, 0), (0, 1), (1, 1)]
    """
    return list(itertools.combinations_with_replacement(range(d), n))

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

Order 1 (the Jacobian's support, asked for by every check) has a pass of its own: there the
rules reduce to unions of latent bit masks on sums, products, powers and functions, and
everything else goes to the general pass, with the same results (:class:`_FirstOrder`).

Examples
--------
>>> import sympy as sp
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> sorted(derivative_patterns(s1**2 * s2, (s1, s2), 3))
[(), (0,), (0, 0), (0, 0, 1), (0, 1), (1,)]
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable, Sequence

import sympy as sp

from theory.errors import GeneratorError

__all__ = ["derivative_patterns", "trace_outputs", "multi_indices", "check_dependencies", "differentiated_latents"]

MultiIndex = tuple[int, ...]
Patterns = frozenset[MultiIndex]

_EMPTY: Patterns = frozenset()
_CONST: Patterns = frozenset({()})
_ZERO = sp.S.Zero


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


def _has_default_free_symbols(cls: type) -> bool:
    """Whether ``cls`` inherits ``Basic.free_symbols`` (the union of its arguments' free symbols)."""
    for klass in cls.__mro__:
        if "free_symbols" in klass.__dict__:
            return klass is sp.Basic
    return False  # pragma: no cover - every Basic subclass finds Basic's


# node kinds of the tracer's rules
_SYMBOL, _ADD, _MUL, _POW, _PIECEWISE, _TUPLE, _OTHER = range(7)
_KIND_BASES = ((_SYMBOL, sp.Symbol), (_ADD, sp.Add), (_MUL, sp.Mul), (_POW, sp.Pow), (_PIECEWISE, sp.Piecewise), (_TUPLE, sp.Tuple))


def _kind(cls: type) -> tuple[int, bool, bool]:
    """The rule of a node type, whether it has ``Basic.free_symbols`` and whether its ``args``
    is ``Basic.args`` (then read as ``_args``, skipping the property call)."""
    code = next((code for code, base in _KIND_BASES if issubclass(cls, base)), _OTHER)
    return code, _has_default_free_symbols(cls), getattr(cls, "args", None) is sp.Basic.args


#: A node's record: ``(expr, patterns, free, differentiated)``, the two last bit masks of the
#: latents in ``expr.free_symbols`` and in :func:`differentiated_latents` of ``expr``.  The
#: record holds ``expr`` so that no id is reused while the tracer lives.  (A plain tuple: a
#: NamedTuple's constructor costs as much as the rest of a node's work.)
_Node = tuple[sp.Basic, Patterns, int, int]
_PATTERNS, _FREE, _DIFFERENTIATED = 1, 2, 3
#: The records of numbers, shared and not stored per node (leaves without latents).
_NUMBER_NODE: _Node = (sp.S.One, _CONST, 0, 0)
_ZERO_NODE: _Node = (sp.S.Zero, _EMPTY, 0, 0)


class _Tracer:
    """The pattern propagation, one bottom-up pass over the expression DAG.

    Every distinct node (by identity) is visited once; its record (:data:`_Node`) holds its
    patterns and two bit masks of latents: those in ``expr.free_symbols``, which decide the
    constant shortcut, and those of :func:`differentiated_latents`, for the dependency
    invariant (one pass for all outputs instead of a fresh walk of each).  Pattern sets are
    interned (one object per distinct set), so the Leibniz, closure and union steps are
    memoised on keys that hash and compare by identity.  The patterns are those of the plain
    recursion of the module docstring (tests/test_tracer.py keeps it as the oracle);
    :meth:`_visit` applies it to sums, products and integer powers, :meth:`_rule` to the other nodes.
    """

    def __init__(self, index: dict[sp.Symbol, int], order: int):
        self.index = index
        self.order = order
        self.bits = {s: 1 << i for s, i in index.items()}
        # keyed by id(node): sympy's __hash__ and __eq__ (Python-level) cost more than the rules
        self.nodes: dict[int, _Node] = {}
        self.kinds: dict[type, tuple[int, bool, bool]] = {}
        self.interned: dict[Patterns, Patterns] = {_EMPTY: _EMPTY, _CONST: _CONST}
        self.products: dict[tuple[Patterns, Patterns], Patterns] = {}
        self.closures: dict[tuple[Patterns, int | None], Patterns] = {}
        self.unions: dict[tuple[Patterns, ...], Patterns] = {}
        self.singles: dict[Patterns, int] = {}

    def __call__(self, e: sp.Basic) -> Patterns:
        return self.node(e)[_PATTERNS]

    def node(self, e: sp.Basic) -> _Node:
        """The record of ``e``."""
        hit = self.nodes.get(id(e))
        return hit if hit is not None else self._visit(e)

    def _visit(self, e: sp.Basic) -> _Node:
        if e.is_Number:
            return _ZERO_NODE if e is _ZERO else _NUMBER_NODE
        cls = type(e)
        kind = self.kinds.get(cls)
        if kind is None:
            kind = self.kinds[cls] = _kind(cls)
        code, default_free, plain = kind
        nodes = self.nodes
        if code == _SYMBOL:
            bit = self.bits.get(e, 0)
            rec: _Node = (e, self._intern(frozenset({(), (self.index[e],)})) if bit else _CONST, bit, bit)
            nodes[id(e)] = rec
            return rec
        args = e._args if plain else e.args
        if not args:
            rec = (e, _CONST, 0 if default_free else self._free_mask(e), 0)
            nodes[id(e)] = rec
            return rec
        children = []
        free = diff = 0
        has_zero = False
        for arg in args:
            child = nodes.get(id(arg))
            if child is None:
                child = self._visit(arg)
                if child is _ZERO_NODE:
                    has_zero = True
            children.append(child)
            free |= child[2]
            diff |= child[3]
        if not default_free:
            free = self._free_mask(e)
        if code == _PIECEWISE:  # a condition only moves boundaries
            diff = 0
            for pair in args:
                diff |= self.node(pair.args[0])[_DIFFERENTIATED]
        elif code == _MUL and has_zero:
            diff = 0  # an unevaluated 0 * (...) is identically zero
        if not free:
            patterns = _CONST
        elif code == _MUL:
            patterns = _CONST
            products = self.products
            for child in children:
                key = (patterns, child[1])
                hit = products.get(key)
                if hit is None:
                    hit = products[key] = self._intern(_leibniz(patterns, child[1], self.order))
                patterns = hit
        elif code == _ADD:
            key = tuple([child[1] for child in children])
            patterns = self.unions.get(key)
            if patterns is None:
                patterns = self.union(list(key))
        elif code == _POW and not children[1][2] and args[1].is_Integer and int(args[1]) >= 0:
            patterns = self.closure(children[0][1], int(args[1]))
        else:
            patterns = self._rule(e, code, children)
        rec = (e, patterns, free, diff)
        nodes[id(e)] = rec
        return rec

    def _rule(self, e: sp.Basic, code: int, children: list[_Node]) -> Patterns:
        """The patterns of ``e`` (with latents; not a symbol or an atom) from its arguments'."""
        if code == _TUPLE:  # a container (parameters of hyper, meijerg, ...): its elements
            return self.union([c[_PATTERNS] for c in children])
        if code == _POW:
            base, exp = children
            if not exp[_FREE]:
                power = e.args[1]
                if power.is_Integer and int(power) >= 0:
                    return self.closure(base[_PATTERNS], int(power))
                return self.closure(base[_PATTERNS])
            return self.closure(self.union([base[_PATTERNS], exp[_PATTERNS]]))
        if code == _PIECEWISE:
            return self.union([self.node(piece)[_PATTERNS] for piece, _cond in e.args])
        # a function, a derivative or any other node: every argument counts, Expr or not
        return self.closure(self.union([c[_PATTERNS] for c in children]))

    # -- masks -----------------------------------------------------------------------------
    def _free_mask(self, e: sp.Basic) -> int:
        bits = self.bits
        return sum(bits[s] for s in e.free_symbols if s in bits)

    def single_mask(self, p: Patterns) -> int:
        """The order-1 dependencies in ``p`` as a bit mask."""
        hit = self.singles.get(p)
        if hit is None:
            hit = self.singles[p] = sum(1 << a[0] for a in p if len(a) == 1)
        return hit

    # -- memoised steps on interned pattern sets ---------------------------------------------
    def _intern(self, p: Patterns) -> Patterns:
        return self.interned.setdefault(p, p)

    def closure(self, p: Patterns, max_terms: int | None = None) -> Patterns:
        key = (p, max_terms)
        hit = self.closures.get(key)
        if hit is None:
            hit = self.closures[key] = self._intern(_closure(p, self.order, max_terms))
        return hit

    def union(self, parts: list[Patterns]) -> Patterns:
        key = tuple(parts)
        hit = self.unions.get(key)
        if hit is None:
            hit = self.unions[key] = self._intern(frozenset().union(*parts))
        return hit

    def check(self, e: sp.Basic, latents: Sequence[sp.Symbol], patterns: Patterns) -> None:
        """:func:`check_dependencies` of ``e`` from the masks (raising its error on a mismatch)."""
        if self.single_mask(patterns) != self.node(e)[_DIFFERENTIATED]:
            check_dependencies(e, latents, patterns)


def _single_reference_count() -> int:
    """What ``sys.getrefcount`` reports, in :meth:`_FirstOrder._walker`, for an object that one
    tuple alone holds (3 on CPython 3.11), as a loop variable or as the parameter of a call
    on an item of the tuple; ``-1`` (memoise every node) without reference counts or when
    the two shapes differ."""
    getrefcount = getattr(sys, "getrefcount", None)
    if getrefcount is None:  # pragma: no cover - not CPython: every node is memoised
        return -1

    def parameter(b: object) -> int:
        return getrefcount(b)

    looped, pair = (object(),), (object(), object())
    for a in looped:  # the walker's shapes
        single = getrefcount(a)
        return single if parameter(pair[0]) == single else -1
    raise AssertionError  # pragma: no cover


class _FirstOrder:
    """The order-1 patterns of :class:`_Tracer`, as bit masks, in one tight bottom-up pass.

    At order 1 a pattern set is empty (a syntactic zero) or ``{()}`` plus single indices.
    Call a record (:data:`_Node`) *regular* when its pattern is nonempty and its single
    indices, its ``free_symbols`` latents and its differentiated latents are the same set
    (a latent, a number, any expression of them by sums, products, powers and functions).
    On a sum, product, power, container or function (default ``free_symbols``, ``args`` read
    as ``_args``) whose arguments are all regular, every rule of :class:`_Tracer` (Leibniz,
    union, closure with or without a cap, the constant shortcut: no latent below means no
    single index below) and both masks give the union of the arguments' sets: the node is
    regular too, its int the OR of its arguments' bit masks.  Every other record is stored
    as a negative int, ``~packed`` (``packed``: bit 0 for an empty pattern, then ``d`` bits
    each for the single indices, the ``free_symbols`` latents and the differentiated
    latents); a node with such an argument (``0 * x``, ``x**0``, ``Max(x, 0)``: the literal
    zero is irregular; a Piecewise with a latent only in a condition, a bound variable), or
    a node outside these types (Piecewise, Integral, atoms other than numbers and symbols),
    takes the record of :class:`_Tracer` itself.  The result is that of :class:`_Tracer` by
    construction (tests/test_tracer.py checks it).

    Nodes are memoised by identity, but only those another reference may reach again: a
    node that only its parent's argument tuple holds (``sys.getrefcount``) is reached once
    per walk of that parent, so every node is still walked at most once, and the dict costs
    more than the rule.  Nonzero numbers contribute nothing and are skipped by type.  The
    walk is CPython-bound (a call, a loop, a few lookups per node), so it saves calls: a power
    ``b**k`` with a nonzero number ``k`` (the commonest node of polynomial outputs) is read
    in its parent's loop (its int is that of ``b``: the OR with the number's 0), and so is a
    node of the union rule that only its parent holds, one level down.  The distinct outputs
    are walked once each, and the patterns are built once per distinct int.
    """

    def __init__(self, latents: Sequence[sp.Symbol]):
        self.index = {s: i for i, s in enumerate(latents)}
        self.d = len(latents)
        # keyed by id(node): every node stored is held by the outputs or by the fallback's records
        self.memo: dict[int, int] = {id(s): 1 << i for s, i in self.index.items() if isinstance(s, sp.Symbol)}
        self.memo[id(_ZERO)] = ~1  # empty pattern, no latents
        self.orable: set[type] = set()  # node types of the union rule
        self.numbers: set[type] = set()  # nonzero number types: regular, no latents
        self.classified: set[type] = set()
        self.general: _Tracer | None = None
        self._classify(sp.Pow)
        self.walk = self._walker(sp.Pow if sp.Pow in self.orable else None)

    def _classify(self, cls: type) -> None:
        """Record whether nodes of type ``cls`` follow the union rule or are nonzero numbers."""
        self.classified.add(cls)
        if cls.is_Number:
            if cls is not type(_ZERO):
                self.numbers.add(cls)
            return
        code, default_free, plain = _kind(cls)
        if code in (_ADD, _MUL, _POW, _TUPLE, _OTHER) and default_free and plain:
            self.orable.add(cls)

    def _walker(self, power: type | None) -> Callable[[sp.Basic], int]:
        """The pass below a node of the union rule (a closure: its names are fast locals);
        ``power`` is ``sp.Pow`` when powers are read inline.

        ``walk(e)`` ORs the ints of ``e``'s arguments, taking :meth:`_exact` when one is
        negative.  To save calls, it reads two kinds of arguments in its own loop: a power
        by a nonzero number (the int of its base, :func:`base`), and a node of the union rule
        that only ``e`` holds (its arguments' ints ORed in a second loop, one level down).
        """
        memo = self.memo  # read as ``i in memo`` and ``memo[i]``: cheaper than a ``get`` call
        orable, numbers, other, exact = self.orable, self.numbers, self._other, self._exact
        getrefcount = getattr(sys, "getrefcount", None) or (lambda _a: 0)  # without it: everything memoised
        single = _single_reference_count()

        def base(b: sp.Basic) -> int:
            """The int of ``b``, the base of a power by a nonzero number (memoised if shared):
            ``walk(b)`` in this frame, its arguments read without the inline cases."""
            cls = type(b)
            if cls not in orable:
                if cls in numbers:
                    return 0
                i = id(b)
                return memo[i] if i in memo else other(b)
            i = 0
            if getrefcount(b) > single:
                i = id(b)
                if i in memo:
                    return memo[i]
            x = 0
            for a in b._args:
                cls = type(a)
                if cls in numbers:
                    continue
                if cls in orable:
                    if getrefcount(a) > single:
                        j = id(a)
                        if j in memo:
                            c = memo[j]
                        else:
                            c = memo[j] = walk(a)
                    else:
                        c = walk(a)
                    x |= c
                else:
                    j = id(a)
                    x |= memo[j] if j in memo else other(a)
            if x < 0:
                x = exact(b)
            if i:
                memo[i] = x
            return x

        def walk(e: sp.Basic) -> int:
            x = 0
            for a in e._args:
                cls = type(a)
                if cls in numbers:  # nonzero: contributes 0
                    continue
                if cls is power:  # what walk(a) gives, without the call when the exponent is a number
                    i = 0  # the key of a shared power (ids are never 0)
                    if getrefcount(a) > single:
                        i = id(a)
                        if i in memo:
                            x |= memo[i]
                            continue
                    args = a._args
                    if type(args[1]) in numbers:
                        c = base(args[0])  # no local name: args[0] keeps its reference count
                        if c < 0:
                            c = exact(a)
                    else:
                        c = walk(a)
                    if i:
                        memo[i] = c
                    x |= c
                elif cls in orable:
                    if getrefcount(a) > single:  # possibly reached again: memoised
                        i = id(a)
                        if i in memo:
                            c = memo[i]
                        else:
                            c = memo[i] = walk(a)
                    else:  # reached once: walk(a) in this frame, the same steps one level down
                        c = 0
                        for b in a._args:
                            cls = type(b)
                            if cls in numbers:
                                continue
                            if cls is power:
                                i = 0
                                if getrefcount(b) > single:
                                    i = id(b)
                                    if i in memo:
                                        c |= memo[i]
                                        continue
                                args = b._args
                                if type(args[1]) in numbers:
                                    y = base(args[0])
                                    if y < 0:
                                        y = exact(b)
                                else:
                                    y = walk(b)
                                if i:
                                    memo[i] = y
                                c |= y
                            elif cls in orable:
                                if getrefcount(b) > single:
                                    i = id(b)
                                    if i in memo:
                                        y = memo[i]
                                    else:
                                        y = memo[i] = walk(b)
                                else:
                                    y = walk(b)
                                c |= y
                            else:
                                i = id(b)
                                c |= memo[i] if i in memo else other(b)
                        if c < 0:
                            c = exact(a)
                    x |= c
                else:
                    i = id(a)
                    x |= memo[i] if i in memo else other(a)
            return exact(e) if x < 0 else x  # an irregular argument: the rules differ here

        return walk

    def _other(self, e: sp.Basic) -> int:
        """The int of a node outside the union rule, or of a node type seen first."""
        cls = type(e)
        if cls not in self.classified:
            self._classify(cls)
        if cls in self.orable:
            v = self.walk(e)
        elif e.is_Number:
            v = ~1 if e is _ZERO else 0
        elif isinstance(e, sp.Symbol):
            i = self.index.get(e)  # also a latent equal to, not identical with, the given one
            v = 0 if i is None else 1 << i
        else:
            v = self._exact(e)
        self.memo[id(e)] = v
        return v

    def _exact(self, e: sp.Basic) -> int:
        """The record of :class:`_Tracer` (at order 1), as an int."""
        if self.general is None:
            self.general = _Tracer(self.index, 1)
        rec = self.general.node(e)
        p = rec[_PATTERNS]
        single = self.general.single_mask(p)
        if p and single == rec[_FREE] == rec[_DIFFERENTIATED]:
            return single
        d = self.d
        return ~((0 if p else 1) | (single << 1) | (rec[_FREE] << (d + 1)) | (rec[_DIFFERENTIATED] << (2 * d + 1)))

    def value(self, e: sp.Basic) -> int:
        """The int of any node."""
        cls = type(e)
        if cls in self.orable:
            return self.walk(e)
        if cls in self.numbers:
            return 0
        v = self.memo.get(id(e))
        return self._other(e) if v is None else v

    def patterns(self, exprs: Sequence[sp.Basic], latents: Sequence[sp.Symbol]) -> tuple[Patterns, ...]:
        """The order-1 patterns of ``exprs`` (sympified), their dependency invariant checked."""
        if not isinstance(exprs, (list, tuple)):
            exprs = list(exprs)
        unique = dict(zip(map(id, exprs), exprs))  # each distinct output once (C-level steps)
        nodes = list(unique.values())
        kinds = set(map(type, nodes))
        if not all(issubclass(cls, sp.Basic) for cls in kinds):
            nodes = [e if isinstance(e, sp.Basic) else sp.sympify(e) for e in nodes]
            kinds = set(map(type, nodes))
        for cls in kinds.difference(self.classified):
            self._classify(cls)
        if self.orable.issuperset(kinds):
            values = list(map(self.walk, nodes))
        else:
            values = list(map(self.value, nodes))
        d = self.d
        indices = [(i,) for i in range(d)]
        decoded: dict[int, Patterns] = {}
        refused: set[int] = set()  # ints whose record breaks the dependency invariant
        for v in set(values):
            single = v
            if v < 0:
                packed = ~v
                if packed & 1:
                    decoded[v] = _EMPTY
                    if packed >> (2 * d + 1):
                        refused.add(v)
                    continue
                single = (packed >> 1) & ((1 << d) - 1)
                if single != packed >> (2 * d + 1):
                    refused.add(v)
            pattern = [()]
            while single:  # the set bits, lowest first
                low = single & -single
                pattern.append(indices[low.bit_length() - 1])
                single ^= low
            decoded[v] = frozenset(pattern)
        if refused:
            for e, v in zip(nodes, values):  # the outputs in order (a repeated one checks alike)
                if v in refused:
                    check_dependencies(e, latents, decoded[v])
        patterns = list(map(decoded.__getitem__, values))
        if len(nodes) == len(exprs):
            return tuple(patterns)
        by_id = dict(zip(unique, patterns))
        return tuple(map(by_id.__getitem__, map(id, exprs)))


def derivative_patterns(expr: sp.Expr, latents: Sequence[sp.Symbol], order: int) -> Patterns:
    """Multi-indices (length <= ``order``) whose derivative of ``expr`` may be nonzero.

    ``()`` is included unless ``expr`` is syntactically zero.  The result passes
    :func:`check_dependencies`.
    """
    return trace_outputs([expr], latents, order)[0]


def trace_outputs(outputs: Sequence[sp.Expr], latents: Sequence[sp.Symbol], order: int) -> tuple[Patterns, ...]:
    """:func:`derivative_patterns` of every output, sharing work on common subexpressions.

    Every output's patterns pass :func:`check_dependencies`.  Order 1 takes the bit-mask
    pass (:class:`_FirstOrder`), the other orders the general one (:class:`_Tracer`).

    Examples
    --------
    >>> import sympy as sp
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> [sorted(p) for p in trace_outputs([s1 * sp.exp(s2), sp.Max(s1, 0), 0], (s1, s2), 1)]
    [[(), (0,), (1,)], [(), (0,)], []]
    """
    if order == 1:
        return _FirstOrder(latents).patterns(outputs, latents)
    exprs = [o if isinstance(o, sp.Basic) else sp.sympify(o) for o in outputs]
    tracer = _Tracer({s: i for i, s in enumerate(latents)}, order)
    patterns = tuple(tracer(e) for e in exprs)
    if order >= 1:
        for e, p in zip(exprs, patterns):
            tracer.check(e, latents, p)
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

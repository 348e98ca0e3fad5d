"""Deciding whether a constant (an expression without latent symbols) is zero.

docs/mathematics.md section 2.3: syntactic zero or a rational decides at once; otherwise an
interval enclosure that excludes 0 proves nonzero; ``minimal_polynomial`` decides
algebraic constants (the result ``x`` means zero, anything else nonzero, and a linear
minimal polynomial gives the exact rational value); ``simplify(c) == 0`` may prove a
transcendental constant zero.  Anything else is undecided.  Floats, ``equals``,
``nsimplify`` and ``solve`` never decide.  A constant whose evaluation overflows (sympy's
or mpmath's ``OverflowError``, e.g. ``exp(exp(exp(exp(exp(10)))))``) is undecided
(``evaluation-overflow``), never a crash; :func:`evaluation_problem` finds such constants
when a generator is loaded, so the loader can refuse them.

A :class:`ConstantCache` passed as ``cache`` remembers, per constant, what the tiers
found (the interval signs, the minimal polynomial, ``simplify``'s answer), so that a
constant met again by the next check of the same generator is decided without a new
child process; a tier that ran out of time is not remembered.

Examples
--------
>>> import sympy as sp
>>> c = sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11)
>>> decide_constant(c).status, decide_constant(c).method
('zero', 'minimal-polynomial')
>>> decide_constant(sp.Rational(2, 3) + sp.Rational(4, 9) * c, exact_value=True).value
2/3
>>> decide_constant(sp.acos(sp.Rational(5, 13)) - 2 * sp.atan(sp.Rational(2, 3))).status
'unknown'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import sympy as sp

from theory.budget import Budget, call_with_timeout
from theory.exact.intervals import certify_sign

__all__ = [
    "certainly_not_real", "ConstantCache", "ConstantDecision", "decide_constant", "evaluation_problem", "undecided_constants", "DEFAULT_SYMBOLIC_TIMEOUT",
    "EVALUATION_ERRORS",
]

#: what sympy and mpmath raise when a value is too large to evaluate
EVALUATION_ERRORS = (OverflowError,)

DEFAULT_SYMBOLIC_TIMEOUT = 10.0
#: Precisions (bits) of the last-resort interval evaluation of an undecided constant.
HIGH_PRECISIONS = (1536,)
_X = sp.Dummy("x")
T = TypeVar("T")


@dataclass(frozen=True)
class ConstantDecision:
    """The outcome of deciding a constant.

    Attributes
    ----------
    status
        ``"zero"``, ``"nonzero"`` or ``"unknown"``.
    method
        The tier that decided (``structural``, ``exact-evaluation``, ``interval``,
        ``minimal-polynomial``, ``simplify``) or what was tried when undecided.
    value
        The exact value: a Rational when known exactly, else the expression itself.
    enclosure
        A certified enclosure ``(lo, hi)`` as decimal strings, when one was computed.
    minimal_polynomial
        The minimal polynomial (in ``x``) as a string, when it was computed.
    """

    status: str
    method: str
    value: sp.Expr
    enclosure: tuple[str, str] | None = None
    minimal_polynomial: str | None = None

    @property
    def is_zero(self) -> bool:
        return self.status == "zero"

    @property
    def is_nonzero(self) -> bool:
        return self.status == "nonzero"


class ConstantCache:
    """What the tiers of :func:`decide_constant` found, per constant.

    Each tier is a function of the constant alone (an interval sign at fixed precisions,
    the minimal polynomial, whether ``simplify`` gives 0), so its outcome can be reused
    wherever the same constant comes back; the decision is then rebuilt from the
    remembered outcomes exactly as without the cache.  Only finished tiers are kept: a
    slow tier stopped by its time cap (or whose child process died) is not, and runs
    again, under the caller's cap, the next time.  Keys are ``sp.srepr`` of the constant.

    A cache belongs to the object that shares work among checks (a
    :class:`~theory.criteria.context.CheckContext`, a
    :class:`~theory.exact.zerotest.ZeroTester`); there is no global one.  In a forked
    worker it fills the worker's copy, which serves the following checks in that worker.

    >>> cache = ConstantCache()
    >>> c = sp.sqrt(2) + sp.sqrt(3) - sp.sqrt(5 + 2 * sp.sqrt(6))
    >>> decide_constant(c, cache=cache).method
    'minimal-polynomial'
    >>> decide_constant(c, cache=cache).method, cache.hits
    ('minimal-polynomial', 2)
    """

    def __init__(self) -> None:
        self._tiers: dict[tuple[str, str], Any] = {}
        self._keys: dict[sp.Expr, str] = {}  # constant -> its key (printing one costs ~0.2 ms)
        #: lookups answered from the cache, and tiers computed
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._tiers)

    @staticmethod
    def key(c: sp.Expr) -> str:
        return sp.srepr(c)

    def key_of(self, c: sp.Expr) -> str:
        """:meth:`key` of ``c``, remembered: equal sympy expressions (same classes, same
        arguments) print alike, and the same constants come back entry after entry."""
        hit = self._keys.get(c)
        if hit is None:
            hit = self._keys[c] = self.key(c)
        return hit

    def tier(self, name: str, key: str, compute: Callable[[], T], keep: Callable[[T], bool] = lambda _: True) -> T:
        """The outcome of tier ``name`` on the constant ``key``, computed on a miss and
        remembered when ``keep(outcome)``."""
        slot = (name, key)
        if slot in self._tiers:
            self.hits += 1
            return self._tiers[slot]
        self.misses += 1
        outcome = compute()
        if keep(outcome):
            self._tiers[slot] = outcome
        return outcome


#: ``call_with_timeout`` errors that say nothing about the constant (the child died or ran
#: out of memory): not remembered
_TRANSIENT_ERRORS = ("the worker process died", "MemoryError", "KeyboardInterrupt")


def _finished(outcome: tuple[str, Any]) -> bool:
    """Whether a slow tier's ``(status, value)`` is an answer about the constant (not a timeout)."""
    status, value = outcome
    return status == "ok" or (status == "error" and not str(value).startswith(_TRANSIENT_ERRORS))


class _Tiers:
    """The tiers on one constant, through ``cache`` when there is one."""

    def __init__(self, c: sp.Expr, cache: ConstantCache | None):
        self.c = c
        self.cache = cache
        self.key = cache.key_of(c) if cache is not None else ""

    def _run(self, name: str, compute: Callable[[], T], keep: Callable[[T], bool] = lambda _: True) -> T:
        if self.cache is None:
            return compute()
        return self.cache.tier(name, self.key, compute, keep)

    def sign(self) -> tuple[int | None, tuple[str, str] | None]:
        return self._run("interval", lambda: certify_sign(self.c, {}))

    def high_sign(self) -> tuple[int | None, tuple[str, str] | None]:
        return self._run("interval-high", lambda: certify_sign(self.c, {}, precs=HIGH_PRECISIONS))

    def slow(self, name: str, fn: Callable[[sp.Expr], Any], limit: float) -> tuple[str, Any]:
        return self._run(name, lambda: call_with_timeout(fn, (self.c,), limit), _finished)

    def minimal_polynomial(self, limit: float) -> tuple[str, Any]:
        """The minimal polynomial tier, through the constant's primitive part: for
        ``c = r + k u`` (``r``, ``k`` rational, :func:`affine_parts`) it is computed (and
        cached) once for ``u`` and carried over to ``c`` by :func:`affine_minimal_polynomial`,
        so the constants ``r + k u`` that a generator's derivatives produce share one child."""
        r, k, u = affine_parts(self.c)
        if r == 0 and k == 1:
            return self.slow("minimal-polynomial", _minimal_polynomial, limit)
        status, poly = _Tiers(u, self.cache).slow("minimal-polynomial", _minimal_polynomial, limit)
        if status != "ok":
            return status, poly
        return status, affine_minimal_polynomial(sp.sympify(poly), r, k)


def affine_parts(c: sp.Expr) -> tuple[sp.Rational, sp.Rational, sp.Expr]:
    """``(r, k, u)`` with ``c = r + k*u`` exactly, ``r`` and ``k != 0`` rational and ``u`` the
    primitive part of ``c``'s non-rational terms (sympy's ``as_coeff_Add`` and
    ``as_content_primitive``), so that ``2/3 + 4/9*t`` and ``8*t`` share ``u = t``.

    >>> t = sp.sqrt(2) - sp.pi
    >>> affine_parts(sp.Rational(2, 3) + sp.Rational(4, 9) * t)
    (2/3, 4/9, -pi + sqrt(2))
    """
    r, rest = c.as_coeff_Add()
    k, u = rest.as_content_primitive()
    if k == 0 or not (r.is_Rational and k.is_Rational) or sp.expand_mul(r + k * u, deep=False) != c:  # pragma: no cover - defensive
        return sp.S.Zero, sp.S.One, c
    return r, k, u


def affine_minimal_polynomial(p: sp.Expr, r: sp.Rational, k: sp.Rational) -> sp.Expr:
    """The minimal polynomial of ``r + k*u`` (in ``x``) from ``p``, that of ``u``.

    ``k^deg p((x - r)/k)`` is irreducible with root ``r + k u`` whenever ``p`` is irreducible
    with root ``u``; it is returned primitive over the integers with a positive leading
    coefficient, the normal form of :func:`sympy.minimal_polynomial`.

    >>> x = _X
    >>> affine_minimal_polynomial(x**2 - 2, sp.Rational(1, 2), sp.Integer(3)) == sp.minimal_polynomial(sp.Rational(1, 2) + 3 * sp.sqrt(2), x)
    True
    """
    poly = sp.Poly(p, _X)
    shifted = sp.Poly(sp.expand(k ** poly.degree() * p.subs(_X, (_X - r) / k)), _X)
    _, primitive = shifted.clear_denoms(convert=True)
    primitive = primitive.primitive()[1]
    if primitive.LC() < 0:
        primitive = -primitive
    return primitive.as_expr()


def _minimal_polynomial(c: sp.Expr) -> sp.Expr:
    return sp.minimal_polynomial(c, _X)


def _simplifies_to_zero(c: sp.Expr) -> bool:
    return sp.simplify(c) == 0


def decide_constant(
    c: sp.Expr,
    budget: Budget | None = None,
    timeout: float = DEFAULT_SYMBOLIC_TIMEOUT,
    exact_value: bool = False,
    cheap: bool = False,
    cache: ConstantCache | None = None,
) -> ConstantDecision:
    """Decide whether the constant ``c`` is zero, soundly.

    Parameters
    ----------
    c
        A sympy expression with no free symbols.
    budget
        Optional overall budget; slow tiers get at most its remaining time.
    timeout
        Cap in seconds for each slow tier (``minimal_polynomial``, ``simplify``),
        which runs in a child process that is killed when the time is up.
    exact_value
        Also try to find the exact rational value of a nonzero irrational-looking
        constant (through its minimal polynomial) even when an interval already
        proved it nonzero.
    cheap
        Only the instant tiers (exact rationals, interval enclosures); used by witness
        searches, which only look for certified nonzeros.
    cache
        A :class:`ConstantCache` to reuse (and fill with) what the tiers found; the
        decision is the same with or without it.
    """
    try:
        return _decide(c, budget, timeout, exact_value, cheap, cache)
    except EVALUATION_ERRORS:
        return ConstantDecision("unknown", "evaluation-overflow", sp.sympify(c))


def _decide(c: sp.Expr, budget: Budget | None, timeout: float, exact_value: bool, cheap: bool, cache: ConstantCache | None = None) -> ConstantDecision:
    c = sp.sympify(c)
    if c.free_symbols:
        raise ValueError(f"decide_constant needs a constant, got {c} (free symbols {c.free_symbols})")
    if c == 0:
        return ConstantDecision("zero", "structural", sp.S.Zero)
    if c.is_Rational:
        return ConstantDecision("nonzero", "exact-evaluation", c)
    if c.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return ConstantDecision("unknown", "undefined-value", c)
    if c.has(sp.I):
        return _decide_complex(c, budget, timeout, cheap, cache)
    tiers = _Tiers(c, cache)
    sign, enclosure = tiers.sign()
    if sign is not None and not exact_value:
        return ConstantDecision("nonzero", "interval", c, enclosure)
    if cheap:
        return ConstantDecision("unknown", "interval", c, enclosure)
    tried = ["interval"]
    limit = timeout if budget is None else budget.slice(timeout)
    status, poly = tiers.minimal_polynomial(limit)
    tried.append("minimal-polynomial")
    if status == "ok":
        poly = sp.sympify(poly)
        text = sp.sstr(poly.subs(_X, sp.Symbol("x")))
        if poly == _X:
            if sign is not None:  # the two tiers contradict each other: trust neither
                return ConstantDecision("unknown", "inconsistent-tiers", c, enclosure, text)
            return ConstantDecision("zero", "minimal-polynomial", sp.S.Zero, enclosure, text)
        p = sp.Poly(poly, _X)
        value = -p.nth(0) / p.nth(1) if p.degree() == 1 else c
        return ConstantDecision("nonzero", "minimal-polynomial", value, enclosure, text)
    if sign is not None:
        return ConstantDecision("nonzero", "interval", c, enclosure)
    limit = timeout if budget is None else budget.slice(timeout)
    status, is_zero = tiers.slow("simplify", _simplifies_to_zero, limit)
    tried.append("simplify")
    if status == "ok" and is_zero:
        return ConstantDecision("zero", "simplify", sp.S.Zero, enclosure)
    if budget is None or budget.remaining() > 1.0:
        # last resort: a nonzero constant below 2^-500 (a long cancellation) needs more bits;
        # a zero constant pays this once, after every exact tier has failed
        sign, enclosure = tiers.high_sign()
        tried.append("interval-1536")
        if sign is not None:
            return ConstantDecision("nonzero", "interval", c, enclosure)
    return ConstantDecision("unknown", "+".join(tried), c, enclosure)


def _decide_complex(c: sp.Expr, budget: Budget | None, timeout: float, cheap: bool, cache: ConstantCache | None = None) -> ConstantDecision:
    """A constant involving I: zero iff its real and imaginary parts are (``unknown`` when
    sympy cannot separate them: ``erfc(sqrt(2) I / 2)`` gives parts that still hold ``I``)."""
    re, im = sp.expand_complex(c).as_real_imag()
    if re.has(sp.I) or im.has(sp.I):
        return ConstantDecision("unknown", "complex-parts", c)
    parts = [decide_constant(re, budget, timeout, cheap=cheap, cache=cache), decide_constant(im, budget, timeout, cheap=cheap, cache=cache)]
    nonzero = [p for p in parts if p.is_nonzero]
    if nonzero:
        return ConstantDecision("nonzero", nonzero[0].method, c, nonzero[0].enclosure)
    if all(p.is_zero for p in parts):
        method = next((p.method for p in parts if p.method != "structural"), "structural")
        return ConstantDecision("zero", method, sp.S.Zero)
    return ConstantDecision("unknown", "+".join(sorted({p.method for p in parts})), c)


def certainly_not_real(c: sp.Expr) -> bool:
    """Whether the constant ``c`` is known not to be a real number: sympy's assumptions say so;
    or it involves ``I`` and its imaginary part, separated exactly, is certified nonzero; or,
    where sympy cannot tell (``polylog(2, 5/2)``, ``erfc(sqrt(2) I / 2)``: unevaluated special
    values), its value to 60 digits (evalf, which raises its working precision until the digits
    it returns are right) has an imaginary part above ``1e-30`` and ``1e-25 |re|``, far above
    the rounding level.  A derivative of a real generator is real: such a value means g is not
    real-valued at the point.  It is used only to refuse input and to withhold verdicts, never
    to prove one.

    >>> certainly_not_real(sp.log(sp.Rational(-1, 2))), certainly_not_real(sp.sqrt(2) - 1), certainly_not_real(sp.I * sp.I)
    (True, False, False)
    >>> certainly_not_real(sp.polylog(2, sp.Rational(5, 2))), certainly_not_real(sp.erfc(sp.sqrt(2) * sp.I / 2))
    (True, True)
    """
    if not isinstance(c, sp.Basic):
        c = sp.sympify(c)
    if c.is_Rational:
        return False
    try:
        real = c.is_extended_real
        if real is False:
            return True
        if real:
            return False
        if c.has(sp.I):
            _, im = sp.expand_complex(c).as_real_imag()
            if not im.has(sp.I) and decide_constant(im, cheap=True).is_nonzero:
                return True
        value = sp.N(c, 60)
        if not value.is_number or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return False
        re_part, im_part = (abs(x) for x in value.as_real_imag())
        return bool(im_part > sp.Float("1e-30") and im_part > sp.Float("1e-25") * re_part)
    except Exception:  # noqa: BLE001 - sympy's assumptions can contradict themselves on unevaluated trees; evalf can fail: not certified
        return False


# -- constants a generator may not contain -----------------------------------------------------
def evaluation_problem(exprs: Iterable[sp.Expr], timeout: float = 2.0) -> str | None:
    """Why a constant in ``exprs`` cannot be evaluated, or is not real, or ``None``.

    Every maximal constant subterm that is not a rational is evaluated to 15 digits in a
    child process; one that raises (``exp(exp(exp(exp(exp(10)))))`` overflows mpmath), or
    whose value has a nonzero imaginary part, is named.  A constant still running after ``timeout`` seconds is let through: the checks
    that meet it run under their budget.

    >>> evaluation_problem([sp.sqrt(2) * sp.Symbol("s")]) is None
    True
    >>> evaluation_problem([sp.exp(sp.exp(sp.exp(sp.exp(sp.exp(10))))) * sp.Symbol("s")])
    'the constant exp(exp(exp(exp(exp(10))))) is too large to evaluate (OverflowError)'

    A constant that is not a real number is named too:

    >>> evaluation_problem([sp.Symbol("s") * sp.Integer(-8) ** sp.Rational(1, 3)])
    "the constant (-1)**(1/3) is not a real number (about 0.5 + 0.866025*I), and mechind checks real-valued generators (sympy's roots of negative numbers are complex: use real_root)"
    """
    memo: dict = {}
    constants = sorted(set().union(*(_constant_subterms(e, memo) for e in exprs)), key=sp.default_sort_key)
    if not constants:
        return None
    status, found = call_with_timeout(_first_unevaluable, (constants,), timeout)
    if status == "ok" and found is not None:
        shown, error = found
        if error.startswith("not real"):
            return f"the constant {shown} is not a real number ({error[10:]}), and mechind checks real-valued generators (sympy's roots of negative numbers are complex: use real_root)"
        return f"the constant {shown} is too large to evaluate ({error})"
    if status == "error":
        return f"a constant could not be evaluated ({found})"
    return None


def undecided_constants(exprs: Iterable[sp.Expr], timeout: float = 2.0, cache: ConstantCache | None = None) -> list[sp.Expr]:
    """The maximal constant subterms of ``exprs`` whose zero test the cascade leaves open.

    Such a constant (built from exp, log and trig functions, say) is where exactness ends:
    zero-equivalence of these constants is undecidable in general (Richardson), so a verdict
    that hinges on one stays ``unknown``.  Every maximal subterm without free symbols that
    is not a plain number goes through :func:`decide_constant` (``timeout`` per slow tier);
    those it answers ``unknown`` are returned, in sympy's default order.

    >>> s = sp.Symbol("s")
    >>> undecided_constants([s + (sp.acos(sp.Rational(5, 13)) - 2 * sp.atan(sp.Rational(2, 3))) * s**2, sp.sqrt(2) * s])
    [-2*atan(2/3) + acos(5/13)]
    """
    memo: dict = {}
    constants = sorted(set().union(*(_constant_subterms(e, memo) for e in exprs)), key=sp.default_sort_key)
    return [c for c in constants if decide_constant(c, timeout=timeout, cache=cache).status == "unknown"]


def _constant_subterms(e: sp.Basic, memo: dict | None = None) -> frozenset[sp.Expr]:
    """The maximal subterms of ``e`` without free symbols that are not plain numbers.

    ``memo`` keeps the answer for every subterm seen (pass one dict for all the outputs of a
    generator: they share most of their subterms), so each distinct subterm is visited once.

    >>> s = sp.Symbol("s")
    >>> sorted(_constant_subterms(sp.sqrt(2) * s + sp.exp(s + sp.pi) + 3), key=str)
    [sqrt(2)]
    """
    return _free_and_constants(e, {} if memo is None else memo)[1]


_NOTHING: frozenset = frozenset()


def _free_and_constants(e: sp.Basic, memo: dict) -> tuple[bool, frozenset[sp.Expr]]:
    """``(whether e has a free symbol, its maximal constant subterms)``; one visit per subterm.

    Whether a node has a free symbol comes from its arguments wherever its class keeps sympy's
    default ``free_symbols`` (the union of the arguments'); a class with its own (bound
    variables: Integral, Derivative, Lambda, Subs, sums) is asked directly."""
    if not isinstance(e, sp.Basic):
        return False, _NOTHING
    hit = memo.get(e)
    if hit is not None:
        return hit
    if isinstance(e, sp.Symbol):
        out = (True, _NOTHING)
    elif e.is_Number or e.is_NumberSymbol or isinstance(e, sp.logic.boolalg.BooleanAtom):
        out = (bool(e.free_symbols), _NOTHING)
    else:
        parts = [_free_and_constants(a, memo) for a in e.args]
        free = any(f for f, _ in parts) if _default_free_symbols(type(e)) else bool(e.free_symbols)
        if isinstance(e, sp.Expr) and not free:
            out = (False, frozenset((e,)))
        else:
            out = (free, frozenset().union(*(c for _, c in parts)))
    memo[e] = out
    return out


def _default_free_symbols(cls: type) -> bool:
    """Whether ``cls`` keeps :class:`sympy.Basic`'s ``free_symbols`` (the union of the arguments')."""
    owner = next(k for k in cls.__mro__ if "free_symbols" in k.__dict__)
    return owner is sp.Basic


def _first_unevaluable(constants: list[sp.Expr]) -> tuple[str, str] | None:  # pragma: no cover - child process
    for c in constants:
        text = sp.sstr(c)
        shown = text if len(text) <= 80 else text[:60] + " ... " + text[-15:]
        try:
            value = c.evalf(15)
        except Exception as exc:  # noqa: BLE001 - any failure makes the constant unusable
            return (shown, type(exc).__name__)
        _, imaginary = value.as_real_imag()
        if imaginary.is_Number and imaginary != 0:
            return (shown, f"not real: about {sp.sstr(value.evalf(6))}")
    return None

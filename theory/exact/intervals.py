"""Certified interval enclosures of sympy expressions (outward-rounded, via ``mpmath.iv``).

An enclosure that excludes 0 proves that a value is nonzero.  Evaluation **refuses**
(raises :class:`NoEnclosure`) on any function without a rigorous interval
implementation: it never falls back to floats.  ``mpmath.iv`` provides exp, log, sqrt,
sin, cos, tan and powers; atan comes from python-flint's ball arithmetic (Arb), asin and
acos go through atan; the hyperbolic functions go through exp.

Examples
--------
>>> import sympy as sp
>>> s = sp.Symbol("s", real=True)
>>> certify_sign(sp.exp(s) - 1, {s: (sp.Rational(1, 2), sp.Rational(1, 2))})[0]
1
>>> certify_sign(sp.acos(sp.Rational(5, 13)) - 2 * sp.atan(sp.Rational(2, 3)), {})[0] is None
True
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Mapping
from fractions import Fraction
from functools import lru_cache
from typing import Any

import flint
import mpmath
import sympy as sp
from mpmath.libmp import from_man_exp, round_ceiling, round_floor
from sympy.logic.boolalg import ITE, BooleanFalse, BooleanTrue

__all__ = ["NoEnclosure", "enclose", "certify_sign", "interval_str", "box_environment"]

Interval = Any  # mpmath ivmpf


class NoEnclosure(Exception):
    """The expression contains something without a rigorous interval implementation."""


def _context(prec: int) -> Any:
    """An interval context working at ``prec`` bits.

    One context per precision is shared by every caller (:func:`_interval_context`): building
    one costs about 0.15 ms, and the checks of a case ask thousands of times.  Its precision
    is set again on every call, so a shared context computes what a fresh one would even if
    something had left it changed.

    >>> _context(64) is _context(64), _context(64).prec
    (True, 64)
    """
    ctx = _interval_context(prec)
    ctx.prec = prec
    return ctx


@lru_cache(maxsize=8)
def _interval_context(prec: int) -> Any:
    ctx = type(mpmath.iv)()
    ctx.prec = prec
    return ctx


def box_environment(domain: Any, symbols: Any) -> dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]:
    """``{symbol: (lo, hi)}`` for the bounding box of ``domain`` (ends may be infinite)."""
    return {s: domain.interval(s) for s in symbols}


def enclose(expr: sp.Expr, env: Mapping[sp.Symbol, tuple[sp.Expr, sp.Expr]], prec: int = 64) -> Interval:
    """An interval containing every value of ``expr`` for symbols ranging over ``env``.

    Parameters
    ----------
    expr
        A real sympy expression.
    env
        ``{symbol: (lo, hi)}`` with rational or infinite ends; ``lo == hi`` for a point.
    prec
        Working precision in bits.

    Raises
    ------
    NoEnclosure
        If a function or symbol has no rigorous enclosure.
    """
    ctx = _context(prec)
    values = {s: _rational_interval(ctx, lo, hi) for s, (lo, hi) in env.items()}
    return _Evaluator(ctx, values).eval(sp.sympify(expr))


def certify_sign(
    expr: sp.Expr,
    env: Mapping[sp.Symbol, tuple[sp.Expr, sp.Expr]],
    precs: tuple[int, ...] = (64, 192, 512),
) -> tuple[int | None, tuple[str, str] | None]:
    """The sign of ``expr`` on ``env`` if an enclosure excludes 0, with that enclosure.

    At a point (every range degenerate) the precision escalates through ``precs``; over
    ranges only the first precision is tried, since more bits do not narrow a range.

    Returns
    -------
    (sign, enclosure)
        ``sign`` is 1 or -1 when certified, ``None`` otherwise; ``enclosure`` is the
        last enclosure computed as a pair of decimal strings (``None`` when refused).
    """
    last = None
    if any(lo != hi for lo, hi in env.values()):
        precs = precs[:1]  # over a range the width comes from the range, not from rounding
    for prec in precs:
        try:
            box = enclose(expr, env, prec)
        except NoEnclosure:
            return None, None
        except (ZeroDivisionError, ValueError, OverflowError):
            return None, last
        last = interval_str(box)
        if box.a > 0:
            return 1, last
        if box.b < 0:
            return -1, last
        if box.a == 0 and box.b == 0:
            return None, last
    return None, last


def interval_str(box: Interval, digits: int = 20) -> tuple[str, str]:
    """The ends of an interval as decimal strings, rounded outward (lo down, hi up)."""
    return (_decimal(box.a._mpi_[0], decimal.ROUND_FLOOR, digits), _decimal(box.b._mpi_[1], decimal.ROUND_CEILING, digits))


def _decimal(raw: Any, rounding: str, digits: int) -> str:
    """Round the exact binary number ``raw`` (an mpmath ``_mpf_`` tuple) to a decimal."""
    sign, man, exp, _ = raw
    if man == 0:
        if exp != 0:  # mpmath's encodings of inf / nan have a zero mantissa and nonzero exponent
            return "-inf" if sign else "inf"
        return "0"
    if abs(exp + man.bit_length()) > _MAX_DECIMAL_BITS:  # 2**exp would not fit in memory: a loose outward end
        return _loose_end(bool(sign), exp + man.bit_length(), rounding == decimal.ROUND_FLOOR)
    exact = Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2 ** (-exp))
    if sign:
        exact = -exact
    ctx = decimal.Context(prec=digits, rounding=rounding)
    value = ctx.divide(decimal.Decimal(exact.numerator), decimal.Decimal(exact.denominator))
    return format(value, "g")


_MAX_DECIMAL_BITS = 100_000


def _loose_end(negative: bool, bits: int, down: bool) -> str:
    """An outward end, a power of ten, for a number x with ``2**(bits - 1) <= |x| < 2**bits``
    too large or too small to write out (``|bits|`` beyond :data:`_MAX_DECIMAL_BITS`).  It keeps
    the sign of x: a tiny negative upper end is ``-1e-30104``, not 0, so the printed enclosure of
    a nonzero value still excludes 0.  The exponent is bounded with exact rational bounds on
    log10(2), so it stays outward for any ``bits`` (a float product lost whole digits of the
    exponent past 2**53 and overflowed past 1e308).

    >>> _loose_end(True, -100000, False), _loose_end(False, -100000, True), _loose_end(False, 100001, False)
    ('-1e-30105', '1e-30105', '1e30105')
    >>> _loose_end(False, -(10**400), True)[:6], _loose_end(False, -(10**400), False)[:6]
    ('1e-301', '1e-301')
    """
    toward_zero = down != negative  # the lower end of a positive x, the upper end of a negative one
    if toward_zero:  # 10**k <= 2**(bits - 1): k below the smaller of the two bounds of (bits - 1) log10(2)
        y = bits - 1
        k = math.floor(min(y * _LOG10_2_LOW, y * _LOG10_2_HIGH)) - 1
    else:  # 10**k >= 2**bits
        k = math.ceil(max(bits * _LOG10_2_LOW, bits * _LOG10_2_HIGH)) + 1
    return f"{'-' if negative else ''}1e{k}"


#: Rational bounds on log10(2) = 0.30102999566398...
_LOG10_2_LOW, _LOG10_2_HIGH = Fraction(30102999566, 10**11), Fraction(30102999567, 10**11)


def _rational_interval(ctx: Any, lo: sp.Expr, hi: sp.Expr) -> Interval:
    lo_iv = _rational(ctx, lo)
    hi_iv = lo_iv if hi == lo else _rational(ctx, hi)
    return ctx.mpf([lo_iv.a, hi_iv.b])


def _rational(ctx: Any, value: sp.Expr) -> Interval:
    if value == sp.oo:
        return ctx.mpf("inf")
    if value == -sp.oo:
        return ctx.mpf("-inf")
    q = sp.Rational(value)
    return ctx.mpf(int(q.p)) / int(q.q) if q.q != 1 else ctx.mpf(int(q.p))


def _hull(ctx: Any, boxes: list[Interval]) -> Interval:
    lo = min((b.a for b in boxes), key=lambda x: x.a)
    hi = max((b.b for b in boxes), key=lambda x: x.b)
    return ctx.mpf([lo.a, hi.b])


def _arb_lambertw(x: Any, *branch: Any) -> Any:
    """The principal branch W_0 on ``x >= -1/e`` (real there); other branches are not enclosed."""
    if branch and branch[0] != 0:
        return None
    return x.lambertw()


#: sympy special functions enclosed by FLINT balls: class -> (position of the real argument,
#: function of the argument ball and the other arguments, exact rationals, as balls).
_SPECIAL: dict[type, tuple[int, Any]] = {
    sp.erf: (0, lambda x: x.erf()),
    sp.erfc: (0, lambda x: x.erfc()),
    sp.erfi: (0, lambda x: x.erfi()),
    sp.gamma: (0, lambda x: x.gamma()),
    sp.loggamma: (0, lambda x: x.lgamma() if x > 0 else None),
    sp.besselj: (1, lambda z, nu: z.bessel_j(nu) if z > 0 or nu == nu.floor() else None),  # real for z <= 0 at integer orders only
    sp.bessely: (1, lambda z, nu: z.bessel_y(nu) if z > 0 else None),
    sp.LambertW: (0, _arb_lambertw),
    sp.Ei: (0, lambda x: x.ei() if not x.contains(0) else None),
    sp.Si: (0, lambda x: x.si()),
    sp.Ci: (0, lambda x: x.ci() if x > 0 else None),
    sp.polygamma: (1, lambda x, n: x.digamma() if n == 0 else None),
    # B(x, b) = G(x) G(b) / G(x + b), every factor finite and positive when x, b > 0
    sp.beta: (0, lambda x, b: x.gamma() * b.gamma() / (x + b).gamma() if x > 0 and b > 0 else None),
}


class _Evaluator:
    def __init__(self, ctx: Any, values: Mapping[sp.Symbol, Interval]):
        self.ctx = ctx
        self.values = values
        self.memo: dict[sp.Basic, Interval] = {}

    def eval(self, e: sp.Basic) -> Interval:
        hit = self.memo.get(e)
        if hit is None:
            hit = self._eval(e)
            self.memo[e] = hit
        return hit

    def _eval(self, e: sp.Basic) -> Interval:  # noqa: C901 - one dispatch over node types
        ctx = self.ctx
        if isinstance(e, sp.Symbol):
            if e not in self.values:
                raise NoEnclosure(f"no range for the symbol {e}")
            return self.values[e]
        if e.is_Rational:
            return _rational(ctx, e)
        if e is sp.pi:
            return ctx.pi
        if e is sp.E:
            return ctx.e
        if e is sp.EulerGamma or e is sp.Catalan:  # sympy writes digamma/polygamma at rationals with EulerGamma
            const = flint.arb.const_euler if e is sp.EulerGamma else flint.arb.const_catalan
            return _through_arb(ctx, _rational(ctx, sp.S.Zero), str(e), lambda _ball: const())
        if e.is_Number:
            raise NoEnclosure(f"number {e} is not exact")
        if isinstance(e, sp.Add):
            total = self.eval(e.args[0])
            for arg in e.args[1:]:
                total = total + self.eval(arg)
            return total
        if isinstance(e, sp.Mul):
            total = self.eval(e.args[0])
            for arg in e.args[1:]:
                total = total * self.eval(arg)
            return total
        if isinstance(e, sp.Pow):
            return self._pow(e.base, e.exp)
        if isinstance(e, sp.exp):
            return ctx.exp(self.eval(e.args[0]))
        if isinstance(e, sp.log):
            if len(e.args) != 1:
                raise NoEnclosure("log with a base")
            x = self.eval(e.args[0])
            if not x.a > 0:
                raise NoEnclosure("log of a range that reaches 0")
            return ctx.log(x)
        if isinstance(e, sp.sin):
            return ctx.sin(self.eval(e.args[0]))
        if isinstance(e, sp.cos):
            return ctx.cos(self.eval(e.args[0]))
        if isinstance(e, sp.tan):
            return ctx.tan(self.eval(e.args[0]))
        if isinstance(e, (sp.sinh, sp.cosh, sp.tanh)):
            x = self.eval(e.args[0])
            if isinstance(e, sp.tanh):
                return 1 - 2 / (ctx.exp(2 * x) + 1)
            ex, emx = ctx.exp(x), ctx.exp(-x)
            return (ex - emx) / 2 if isinstance(e, sp.sinh) else (ex + emx) / 2
        if isinstance(e, sp.atan):
            return self._monotone(self.eval(e.args[0]), self._atan_point)
        if isinstance(e, sp.acot):  # sympy's branch: pi/2 - atan(x) for x >= 0, -pi/2 - atan(x) for x < 0
            x = self.eval(e.args[0])
            if x.a >= 0 or x.b < 0:
                return (ctx.pi / 2 if x.a >= 0 else -ctx.pi / 2) - self._monotone(x, self._atan_point)
            return ctx.mpf([-ctx.pi.b / 2, ctx.pi.b / 2])  # across the jump at 0
        if isinstance(e, sp.asin):
            return self._monotone(self._unit(self.eval(e.args[0])), self._asin_point)
        if isinstance(e, sp.acos):
            return ctx.pi / 2 - self._monotone(self._unit(self.eval(e.args[0])), self._asin_point)
        if isinstance(e, sp.Abs):
            return abs(self.eval(e.args[0]))
        if isinstance(e, sp.sign):
            x = self.eval(e.args[0])
            if x.a > 0:
                return ctx.mpf(1)
            if x.b < 0:
                return ctx.mpf(-1)
            return ctx.mpf([-1, 1])
        if isinstance(e, sp.Heaviside):
            x = self.eval(e.args[0])
            if x.a > 0:
                return ctx.mpf(1)
            if x.b < 0:
                return ctx.mpf(0)
            # the argument may be 0: the value there is Heaviside's second argument (1/2 by default)
            h0 = self.eval(e.args[1]) if len(e.args) > 1 else ctx.mpf(0.5)
            return ctx.mpf([min(ctx.mpf(0), h0.a), max(ctx.mpf(1), h0.b)])
        if isinstance(e, (sp.Max, sp.Min)):
            boxes = [self.eval(a) for a in e.args]
            pick = max if isinstance(e, sp.Max) else min
            lo = pick((b.a for b in boxes), key=lambda x: x.a)
            hi = pick((b.b for b in boxes), key=lambda x: x.b)
            return ctx.mpf([lo.a, hi.b])
        if isinstance(e, sp.Piecewise):
            chosen = []
            for piece, cond in e.args:
                truth = self.truth(cond)
                if truth is False:
                    continue
                chosen.append(self.eval(piece))
                if truth is True:
                    break
            if not chosen:
                raise NoEnclosure("no piece of a Piecewise applies")
            return _hull(ctx, chosen)
        special = _SPECIAL.get(type(e))
        if special is not None:
            return self._special(e, special)
        raise NoEnclosure(f"no interval implementation for {type(e).__name__}")

    def _special(self, e: sp.Basic, how: tuple[int, Any]) -> Interval:
        """A special function through FLINT's ball arithmetic (:func:`_through_arb`).  ``how``:
        the position of the real argument, and the function of (ball argument, the other
        arguments as balls)."""
        position, fn = how
        others = []
        for i, a in enumerate(e.args):
            if i == position:
                continue
            if not a.is_Rational:  # an order, a branch: exact numbers only
                raise NoEnclosure(f"{type(e).__name__} with a non-rational parameter {a}")
            others.append(a)
        x = self.eval(e.args[position])
        return _through_arb(self.ctx, x, type(e).__name__, lambda ball: fn(ball, *[flint.arb(flint.fmpq(int(a.p), int(a.q))) for a in others]))

    def truth(self, cond: sp.Basic) -> bool | None:
        """Three-valued truth of a condition over the current ranges."""
        if isinstance(cond, BooleanTrue) or cond is True:
            return True
        if isinstance(cond, BooleanFalse) or cond is False:
            return False
        if isinstance(cond, sp.And):
            vals = [self.truth(a) for a in cond.args]
            return False if False in vals else (True if all(v is True for v in vals) else None)
        if isinstance(cond, sp.Or):
            vals = [self.truth(a) for a in cond.args]
            return True if True in vals else (False if all(v is False for v in vals) else None)
        if isinstance(cond, sp.Not):
            v = self.truth(cond.args[0])
            return None if v is None else not v
        if isinstance(cond, ITE):  # a Piecewise folded into a condition
            which = self.truth(cond.args[0])
            if which is not None:
                return self.truth(cond.args[1] if which else cond.args[2])
            then, other = self.truth(cond.args[1]), self.truth(cond.args[2])
            return then if then == other else None
        if isinstance(cond, sp.core.relational.Relational):
            try:
                x = self.eval(cond.lhs - cond.rhs)
            except NoEnclosure:
                return None
            if isinstance(cond, sp.StrictGreaterThan):
                return True if x.a > 0 else (False if x.b <= 0 else None)
            if isinstance(cond, sp.GreaterThan):
                return True if x.a >= 0 else (False if x.b < 0 else None)
            if isinstance(cond, sp.StrictLessThan):
                return True if x.b < 0 else (False if x.a >= 0 else None)
            if isinstance(cond, sp.LessThan):
                return True if x.b <= 0 else (False if x.a > 0 else None)
            zero = x.a == 0 and x.b == 0
            outside = x.a > 0 or x.b < 0
            if isinstance(cond, sp.Eq):
                return True if zero else (False if outside else None)
            if isinstance(cond, sp.Ne):
                return False if zero else (True if outside else None)
        return None

    def _pow(self, base: sp.Expr, exp: sp.Expr) -> Interval:
        ctx = self.ctx
        if exp.is_Integer:
            b = self.eval(base)
            n = int(exp)
            if n >= 0:
                return b**n
            if b.a <= 0 <= b.b:
                raise NoEnclosure("negative power of a range containing 0")
            return 1 / (b ** (-n))
        b = self.eval(base)
        if exp == sp.S.Half:
            if not b.a >= 0:
                raise NoEnclosure("square root of a range reaching below 0")
            return ctx.sqrt(b)
        if not b.a > 0:
            raise NoEnclosure("non-integer power of a range not positive")
        return ctx.exp(self.eval(exp) * ctx.log(b))

    def _unit(self, x: Interval) -> Interval:
        if x.a < -1 or x.b > 1:
            raise NoEnclosure("asin/acos argument outside [-1, 1]")
        return x

    def _monotone(self, x: Interval, point_fn: Any) -> Interval:
        """Enclosure of an increasing function from enclosures at the two ends."""
        lo = point_fn(x.a)
        hi = lo if x.a == x.b else point_fn(x.b)
        return self.ctx.mpf([lo.a, hi.b])

    def _atan_point(self, p: Interval) -> Interval:
        ctx = self.ctx
        if p == 0:
            return ctx.mpf(0)
        if p.a == ctx.inf or p.b == -ctx.inf:
            return ctx.pi / 2 if p.a > 0 else -ctx.pi / 2
        if abs(p).a > 1:
            inv = 1 / p
            half_pi = ctx.pi / 2
            return (half_pi if p.a > 0 else -half_pi) - self._monotone(inv, self._atan_point)
        return _ball_atan(ctx, p)

    def _asin_point(self, p: Interval) -> Interval:
        ctx = self.ctx
        if p == 1:
            return ctx.pi / 2
        if p == -1:
            return -ctx.pi / 2
        return self._monotone(p / ctx.sqrt(1 - p * p), self._atan_point)


def _arb(raw: tuple[int, int, int, int]) -> flint.arb:
    """A finite mpmath raw float ``(sign, man, exp, bc)`` as an exact ball of radius 0."""
    sign, man, exp, bc = raw
    if man == 0:
        if raw != (0, 0, 0, 0):  # inf, -inf, nan
            raise NoEnclosure("an infinite end")
        return flint.arb(0)
    value = flint.arb(flint.fmpz(man)) * flint.arb(2) ** int(exp)
    return -value if sign else value


def _raw(point: flint.arb, prec: int, rounding: str) -> tuple[int, int, int, int]:
    """The exact point ``point`` (a ball of radius 0) as an mpmath raw float of ``prec``
    bits, rounded in the direction ``rounding`` (``"f"`` down, ``"c"`` up)."""
    man, exp = point.mid().man_exp()
    return from_man_exp(int(man), int(exp), prec, rounding)


def _ball_atan(ctx: Any, p: Interval) -> Interval:
    """atan on the finite interval ``p``, by :func:`_through_arb`."""
    return _through_arb(ctx, p, "atan", lambda ball: ball.atan())


def _through_arb(ctx: Any, p: Interval, name: str, fn: Any) -> Interval:
    """``fn`` on the finite interval ``p`` by python-flint's ball arithmetic (Arb: rigorous
    error bounds): the ball spanning ``p``'s exact ends goes through ``fn`` at ``ctx.prec``
    plus a margin, and the result's exact ends come back outward-rounded by ``ctx``.  ``fn``
    returns ``None`` where the function is not real; a result that is not finite (a pole,
    a branch cut) gives no enclosure either."""
    lo, hi = p._mpi_
    saved = flint.ctx.prec
    try:
        flint.ctx.prec = max(ctx.prec, lo[3], hi[3]) + 32
        ball = fn(_arb(lo).union(_arb(hi)))
        if ball is None or not ball.is_finite():
            raise NoEnclosure(f"{name}: no finite real ball enclosure on {p}")
        return ctx.make_mpf((_raw(ball.lower(), ctx.prec, round_floor), _raw(ball.upper(), ctx.prec, round_ceiling)))
    finally:
        flint.ctx.prec = saved

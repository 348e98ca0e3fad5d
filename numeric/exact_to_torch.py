"""The one bridge from closed-form (sympy) generators to torch.

:func:`from_generator` turns a :class:`theory.Generator` into a :class:`NeuralGenerator`
whose function evaluates the outputs in torch, in the dtype and on the device asked for,
differentiably by ``torch.func``.  The translation is a walk over the sympy expression
tree with a fixed function table (:data:`FUNCTIONS`), compiled once into a straight-line
program; equal subexpressions are computed once.

Numbers are rounded once, exactly:

* a rational ``p/q`` becomes the nearest number of the target dtype (round half to
  even), computed from the exact fraction, never through a float64 intermediate (which
  would round twice for float32);
* a multiplication by ``p/q`` is computed as ``(p * x) / q`` when ``p`` and ``q`` are
  exact in the dtype, so ``s/3`` is one correctly rounded division;
* a constant subexpression (``pi``, ``sqrt(11)``, ``tan(3*pi/11) + ...``) is evaluated
  with sympy's arbitrary precision (60 digits) and then rounded once.

Piecewise, Abs, sign, Heaviside (with its value at 0), Max and Min are supported; their
derivatives are the a.e. ones (``Heaviside'`` = 0, no Dirac deltas).  A ``Piecewise``
without a final ``True`` branch gives NaN where no condition holds.

Examples
--------
>>> import sympy as sp, torch
>>> from theory import Generator, Box
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> g = Generator("demo", [[s1], [s2]], [s1 / 3, sp.exp(s2), 7], Box({s1: (-1, 1), s2: (-1, 1)}))
>>> ng = from_generator(g)
>>> ng(torch.tensor([[1.0, 0.0], [0.5, 0.0]], dtype=torch.float64)).tolist()
[[0.3333333333333333, 1.0, 7.0], [0.16666666666666666, 1.0, 7.0]]
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy as sp
import torch
from mpmath.libmp import from_rational, mpf_pos, to_float
from sympy.logic.boolalg import Boolean, BooleanFalse, BooleanTrue

from theory.errors import GeneratorError
from theory.model.generator import Generator
from theory.model.piecewise import interior_form

from .generator import NeuralGenerator

__all__ = [
    "from_generator",
    "compile_outputs",
    "compile_condition",
    "round_exact",
    "point_tensor",
    "FUNCTIONS",
    "BRIDGE_DIGITS",
]

#: Decimal digits of the arbitrary-precision evaluation of constant subexpressions.
BRIDGE_DIGITS = 60

#: How far sampling boxes reach along an infinite domain direction (as in theory.exact.points).
_WINDOW = 3.0

_PRECISION = {torch.float64: 53, torch.float32: 24, torch.float16: 11, torch.bfloat16: 8}


def _heaviside(x: torch.Tensor, h0: torch.Tensor) -> torch.Tensor:
    one, zero = torch.ones_like(x), torch.zeros_like(x)
    return torch.where(x > 0, one, torch.where(x < 0, zero, h0 * one))


def _sign(x: torch.Tensor) -> torch.Tensor:
    one, zero = torch.ones_like(x), torch.zeros_like(x)
    return torch.where(x > 0, one, torch.where(x < 0, -one, zero))


def _fold(op: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Callable[..., torch.Tensor]:
    """``op`` folded over any number of tensors (Max, Min, And, Or, Xor)."""
    return lambda *xs: functools.reduce(op, xs)


_max, _min = _fold(torch.maximum), _fold(torch.minimum)
_all, _any, _xor = _fold(torch.logical_and), _fold(torch.logical_or), _fold(torch.logical_xor)


#: The sympy functions the bridge translates, with their torch counterparts.
FUNCTIONS: dict[type, Callable[..., torch.Tensor]] = {
    sp.exp: torch.exp,
    sp.log: torch.log,
    sp.sin: torch.sin,
    sp.cos: torch.cos,
    sp.tan: torch.tan,
    sp.cot: lambda x: 1 / torch.tan(x),
    sp.sec: lambda x: 1 / torch.cos(x),
    sp.csc: lambda x: 1 / torch.sin(x),
    sp.asin: torch.asin,
    sp.acos: torch.acos,
    sp.atan: torch.atan,
    sp.acot: lambda x: torch.atan(1 / x),
    sp.atan2: torch.atan2,
    sp.sinh: torch.sinh,
    sp.cosh: torch.cosh,
    sp.tanh: torch.tanh,
    sp.asinh: torch.asinh,
    sp.acosh: torch.acosh,
    sp.atanh: torch.atanh,
    sp.erf: torch.erf,
    sp.erfc: torch.erfc,
    sp.Abs: torch.abs,
    sp.sign: _sign,
    sp.Heaviside: _heaviside,
    sp.Max: _max,
    sp.Min: _min,
    sp.floor: torch.floor,
    sp.ceiling: torch.ceil,
}

_RELATIONS: dict[type, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    sp.StrictLessThan: torch.lt,
    sp.LessThan: torch.le,
    sp.StrictGreaterThan: torch.gt,
    sp.GreaterThan: torch.ge,
    sp.Equality: torch.eq,
    sp.Unequality: torch.ne,
}


def round_exact(value: object, dtype: torch.dtype) -> float:
    """The number of ``dtype`` nearest to ``value`` (round half to even), as a Python float.

    Rationals (``int``, :class:`fractions.Fraction`, sympy ``Rational``) are rounded from
    the exact fraction; other sympy constants from a :data:`BRIDGE_DIGITS`-digit evaluation.

    Parameters
    ----------
    value
        An exact number or a constant sympy expression.
    dtype
        ``torch.float64``, ``float32``, ``float16`` or ``bfloat16`` (normal range; values
        beyond the largest finite number become infinite).

    Examples
    --------
    >>> round_exact(Fraction(1, 3), torch.float64) == 1 / 3
    True
    >>> round_exact(Fraction(1, 3), torch.float32)
    0.3333333432674408
    >>> round_exact(sp.pi, torch.float32) == torch.tensor(3.141592653589793, dtype=torch.float32).item()
    True
    """
    prec = _precision(dtype)
    if isinstance(value, bool):
        raise TypeError("round_exact needs a number, got a boolean")
    if isinstance(value, int):
        value = Fraction(value)
    if isinstance(value, sp.Rational):
        value = Fraction(int(value.p), int(value.q))
    if isinstance(value, Fraction):
        raw = from_rational(value.numerator, value.denominator, prec, "n")
    else:
        expr = sp.sympify(value)
        if expr.free_symbols:
            raise ValueError(f"round_exact needs a constant, got {expr}")
        if expr.is_Rational:
            return round_exact(Fraction(int(expr.p), int(expr.q)), dtype)
        num = sp.N(expr, BRIDGE_DIGITS)
        if not num.is_real or not isinstance(num, sp.Float):
            raise GeneratorError(f"the constant {expr} does not evaluate to a finite real number (got {num})")
        raw = mpf_pos(num._mpf_, prec, "n")
    return _to_float(raw, dtype)


def _to_float(raw: tuple, dtype: torch.dtype) -> float:
    x = to_float(raw)
    if dtype != torch.float64:
        limit = torch.finfo(dtype).max
        if abs(x) > limit:
            return float("inf") if x > 0 else float("-inf")
    return x


def _precision(dtype: torch.dtype) -> int:
    try:
        return _PRECISION[dtype]
    except KeyError:
        raise ValueError(f"unsupported dtype {dtype} (use float64, float32, float16 or bfloat16)") from None


class _Program:
    """A straight-line program over slots: latents, constants, then one op per subexpression."""

    def __init__(self, latents: Sequence[sp.Symbol], dtype: torch.dtype, device: torch.device):
        self.index = {s: i for i, s in enumerate(latents)}
        self.dtype = dtype
        self.device = device
        self.prec = _precision(dtype)
        self.ops: list[tuple[Callable[..., torch.Tensor], tuple[int, ...]]] = []
        self.kinds: list[str] = []  # "latent" | "const" | "op"
        self.memo: dict[sp.Basic, int] = {}
        self.consts: dict[tuple[str, float], int] = {}

    # slots ---------------------------------------------------------------------------
    def _push(self, fn: Callable[..., torch.Tensor], args: tuple[int, ...], kind: str) -> int:
        self.ops.append((fn, args))
        self.kinds.append(kind)
        return len(self.ops) - 1

    def const(self, value: float, as_bool: bool = False) -> int:
        key = ("bool" if as_bool else "num", value)
        if key in self.consts:
            return self.consts[key]
        tensor = torch.tensor(bool(value) if as_bool else value, dtype=torch.bool if as_bool else self.dtype, device=self.device)
        slot = self._push(lambda t=tensor: t, (), "const")
        self.consts[key] = slot
        return slot

    def exact_int(self, n: int) -> bool:
        return abs(n) < 2**self.prec

    # compilation ---------------------------------------------------------------------
    def compile(self, expr: sp.Basic) -> int:
        hit = self.memo.get(expr)
        if hit is not None:
            return hit
        slot = self._compile(expr)
        self.memo[expr] = slot
        return slot

    def _op(self, fn: Callable[..., torch.Tensor], *args: sp.Basic) -> int:
        return self._push(fn, tuple(self.compile(a) for a in args), "op")

    def _compile(self, expr: sp.Basic) -> int:
        if isinstance(expr, sp.Symbol):
            if expr not in self.index:
                raise GeneratorError(f"the bridge met the symbol {expr}, which is not a latent")
            a = self.index[expr]
            return self._push(lambda z, a=a: z[..., a], (-1,), "latent")
        if isinstance(expr, (BooleanTrue, BooleanFalse)):
            return self.const(bool(expr), as_bool=True)
        if isinstance(expr, Boolean):
            return self._boolean(expr)
        if not isinstance(expr, sp.Expr):
            raise GeneratorError(f"the bridge cannot translate {expr!r} ({type(expr).__name__})")
        if not expr.free_symbols:
            if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                raise GeneratorError(f"the constant {expr} is not a finite number")
            return self.const(round_exact(expr, self.dtype))
        if isinstance(expr, sp.Add):
            return self._op(_sum, *expr.args)
        if isinstance(expr, sp.Mul):
            return self._mul(expr)
        if isinstance(expr, sp.Pow):
            return self._pow(expr)
        if isinstance(expr, sp.Piecewise):
            return self._piecewise(expr)
        if isinstance(expr, sp.Heaviside):
            h0 = expr.args[1] if len(expr.args) > 1 else sp.Rational(1, 2)
            return self._op(_heaviside, expr.args[0], h0)
        if isinstance(expr, sp.log) and len(expr.args) == 2:
            return self._op(lambda x, b: torch.log(x) / torch.log(b), *expr.args)
        fn = FUNCTIONS.get(type(expr)) or FUNCTIONS.get(expr.func)
        if fn is None:
            for cls, candidate in FUNCTIONS.items():
                if isinstance(expr, cls):
                    fn = candidate
                    break
        if fn is None:
            raise GeneratorError(
                f"the bridge has no torch translation for {type(expr).__name__} (in {expr}); "
                f"supported: {', '.join(sorted(c.__name__ for c in FUNCTIONS))}, +, *, **, Piecewise"
            )
        return self._op(fn, *expr.args)

    def _mul(self, expr: sp.Mul) -> int:
        coeff, rest = expr.as_coeff_Mul()
        if coeff.is_Rational and coeff != 1 and rest != 1:
            p, q = int(coeff.p), int(coeff.q)
            body = self.compile(rest)
            if q != 1 and self.exact_int(p) and self.exact_int(q):
                num = body if p == 1 else self._push(_mul2, (self.const(float(p)), body), "op")
                return self._push(torch.div, (num, self.const(float(q))), "op")
            return self._push(_mul2, (self.const(round_exact(coeff, self.dtype)), body), "op")
        return self._op(_prod, *expr.args)

    def _pow(self, expr: sp.Pow) -> int:
        base, exp = expr.args
        if exp.is_Integer:
            n = int(exp)
            if n == 1:
                return self.compile(base)
            if n == 2:
                return self._op(lambda x: x * x, base)
            if n > 0:
                return self._op(lambda x, n=n: torch.pow(x, n), base)
            if n == -1:
                return self._op(torch.reciprocal, base)
            return self._op(lambda x, n=-n: torch.reciprocal(torch.pow(x, n)), base)
        if exp == sp.Rational(1, 2):
            return self._op(torch.sqrt, base)
        if exp == sp.Rational(-1, 2):
            return self._op(torch.rsqrt, base)
        return self._op(torch.pow, base, exp)

    def _piecewise(self, expr: sp.Piecewise) -> int:
        pieces = list(expr.args)
        if pieces and isinstance(pieces[-1].cond, BooleanTrue):
            out = self.compile(pieces[-1].expr)
            pieces = pieces[:-1]
        else:
            out = self.const(float("nan"))
        for piece in reversed(pieces):
            value = self.compile(piece.expr)
            cond = self.compile(piece.cond)
            out = self._push(_where, (cond, value, out), "op")
        return out

    def _boolean(self, expr: Boolean) -> int:
        rel = _RELATIONS.get(type(expr))
        if rel is not None:
            return self._op(rel, expr.lhs, expr.rhs)
        if isinstance(expr, sp.And):
            return self._op(_all, *expr.args)
        if isinstance(expr, sp.Or):
            return self._op(_any, *expr.args)
        if isinstance(expr, sp.Not):
            return self._op(torch.logical_not, expr.args[0])
        if isinstance(expr, sp.Xor):
            return self._op(_xor, *expr.args)
        raise GeneratorError(f"the bridge cannot translate the condition {expr} ({type(expr).__name__})")

    # evaluation ----------------------------------------------------------------------
    def run(self, z: torch.Tensor, outputs: Sequence[int]) -> list[torch.Tensor]:
        slots: list[Any] = [None] * len(self.ops)
        needed = self._needed(outputs)
        for i, (fn, args) in enumerate(self.ops):
            if not needed[i]:
                continue
            kind = self.kinds[i]
            if kind == "latent":
                slots[i] = fn(z)
            elif kind == "const":
                slots[i] = fn()
            else:
                slots[i] = fn(*(slots[j] for j in args))
        return [slots[o] for o in outputs]

    def _needed(self, outputs: Sequence[int]) -> list[bool]:
        key = tuple(outputs)
        cache = self.__dict__.setdefault("_needed_cache", {})
        if key not in cache:
            need = [False] * len(self.ops)
            stack = list(outputs)
            while stack:
                i = stack.pop()
                if need[i]:
                    continue
                need[i] = True
                stack.extend(j for j in self.ops[i][1] if j >= 0)
            cache[key] = need
        return cache[key]


def _sum(*xs: torch.Tensor) -> torch.Tensor:
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    return out


def _prod(*xs: torch.Tensor) -> torch.Tensor:
    out = xs[0]
    for x in xs[1:]:
        out = out * x
    return out


def _mul2(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a * b


def _where(cond: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.where(cond, a, b)


def compile_outputs(
    outputs: Sequence[sp.Expr],
    latents: Sequence[sp.Symbol],
    dtype: torch.dtype = torch.float64,
    device: torch.device | str = "cpu",
) -> Callable[[torch.Tensor], torch.Tensor]:
    """Compile sympy expressions into a torch function ``f(z[..., d]) -> [..., m]``.

    Parameters
    ----------
    outputs
        The expressions, in the latents only.
    latents
        The symbols, in the order of the last axis of ``z``.
    dtype, device
        Where the constants live; ``z`` must have the same dtype.

    Returns
    -------
    Callable
        Differentiable by ``torch.func``; constant outputs are broadcast to the batch.

    Raises
    ------
    theory.errors.GeneratorError
        For a function or construct outside :data:`FUNCTIONS` (the message names it).

    Examples
    --------
    >>> x, y = sp.symbols("x y", real=True)
    >>> f = compile_outputs([sp.Piecewise((x, x > 0), (0, True)), sp.Max(x, y), sp.pi], [x, y])
    >>> f(torch.tensor([[-1.0, 2.0]], dtype=torch.float64)).tolist()
    [[0.0, 2.0, 3.141592653589793]]
    """
    device = torch.device(device)
    program = _Program(latents, dtype, device)
    slots = [program.compile(sp.sympify(o)) for o in outputs]

    def f(z: torch.Tensor) -> torch.Tensor:
        values = program.run(z, slots)
        zero = torch.zeros_like(z[..., 0])
        return torch.stack([v + zero for v in values], dim=-1)

    f.__name__ = "bridged"
    return f


def compile_condition(
    condition: Boolean,
    latents: Sequence[sp.Symbol],
    dtype: torch.dtype = torch.float64,
    device: torch.device | str = "cpu",
) -> Callable[[torch.Tensor], torch.Tensor]:
    """Compile a sympy Boolean (a Region's condition) into ``z[..., d] -> bool[...]``.

    Examples
    --------
    >>> x, y = sp.symbols("x y", real=True)
    >>> inside = compile_condition(x**2 + y**2 < 1, [x, y])
    >>> inside(torch.tensor([[0.5, 0.5], [1.0, 1.0]], dtype=torch.float64)).tolist()
    [True, False]
    """
    program = _Program(latents, dtype, torch.device(device))
    slot = program.compile(condition)

    def contains(z: torch.Tensor) -> torch.Tensor:
        (value,) = program.run(z, [slot])
        return torch.zeros_like(z[..., 0], dtype=torch.bool) | value

    return contains


def point_tensor(
    points: Sequence[Mapping[sp.Symbol, object]] | Mapping[sp.Symbol, object],
    latents: Sequence[sp.Symbol],
    dtype: torch.dtype = torch.float64,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """Exact points ``{symbol: rational}`` as a ``[N, d]`` tensor, every coordinate rounded once.

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> point_tensor([{x: sp.Rational(1, 3)}], [x], torch.float32).dtype
    torch.float32
    """
    if isinstance(points, Mapping):
        points = [points]
    rows = [[round_exact(sp.sympify(p[s]), dtype) for s in latents] for p in points]
    return torch.tensor(rows, dtype=dtype, device=torch.device(device)).reshape(len(rows), len(latents))


def _clamp(x: sp.Expr) -> float:
    """``x`` as a float, within +-1e300 (``10**400`` is no float)."""
    return float(sp.Max(-(10**300), sp.Min(10**300, x)))


def _float_interval(lo: float, hi: float) -> tuple[float, float]:
    """A float sampling interval for the exact ``(lo, hi)``: ends that round together
    (``(1, 1 + 10**-20)``) are moved one float apart.  Only the numeric layer samples from
    it; the exact checks, and the points crosscheck compares at, use the exact domain.

    >>> _float_interval(1.0, 1.0) == (1.0, math.nextafter(1.0, math.inf))
    True
    """
    return (lo, hi) if lo < hi else (lo, math.nextafter(lo, math.inf))


def from_generator(g: Generator, dtype: torch.dtype = torch.float64, device: torch.device | str = "cpu") -> NeuralGenerator:
    """The closed-form generator ``g`` as a :class:`NeuralGenerator` (the one sympy-to-torch bridge).

    Parameters
    ----------
    g
        A :class:`theory.Generator`.
    dtype
        ``torch.float64`` (default) or ``float32`` (``float16``/``bfloat16`` also work).
    device
        Any torch device.

    Returns
    -------
    NeuralGenerator
        Same name, latent names, factors; its outputs are g's with every piece of empty
        interior removed (:func:`theory.model.piecewise.interior_form`: the thin piece of
        ``Piecewise((s1, Eq(s2, 0)), (s1 + s1*s2, True))`` supplies no derivative); its box is
        the domain's bounding box (infinite
        ends replaced by a window of width 6, as the exact layer's random points do); a
        Region's condition becomes its ``contains`` test.  ``source`` holds ``g``.

    Examples
    --------
    >>> import cases
    >>> ng = from_generator(cases.find_case("p08"), torch.float32)
    >>> ng.name, ng.blocks, ng.dtype
    ('p08-bilinear-h3-not-h2', ((0,), (1,)), torch.float32)
    """
    device = torch.device(device)
    # derivatives come from the pieces around a point, never from a piece of empty interior
    # (user-guide 2.3): on Eq(s2, 0), torch.where would take the thin piece's derivative
    f = compile_outputs([interior_form(o) for o in g.outputs], g.latents, dtype, device)
    box = []
    for s in g.latents:
        lo, hi = g.domain.interval(s)
        if lo == -sp.oo and hi == sp.oo:
            box.append((-_WINDOW, _WINDOW))
        elif lo == -sp.oo:
            box.append(_float_interval(_clamp(hi) - 2 * _WINDOW, _clamp(hi)))
        elif hi == sp.oo:
            box.append(_float_interval(_clamp(lo), _clamp(lo) + 2 * _WINDOW))
        else:
            box.append(_float_interval(_clamp(lo), _clamp(hi)))
    condition = getattr(g.domain, "condition", None)
    contains = compile_condition(condition, g.latents, dtype, device) if condition is not None else None
    ng = NeuralGenerator(
        f,
        {k: [str(s) for s in v] for k, v in g.factors.items()},
        g.d,
        outputs=g.m,
        name=g.name,
        latent_names=g.latent_names,
        box=box,
        dtype=dtype,
        device=device,
        contains=contains,
        source=g,
    )
    return ng

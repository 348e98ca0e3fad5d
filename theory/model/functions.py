"""Which functions mechind differentiates, and by which route (issue 12, cause 0).

symengine differentiates much faster than sympy, but it wraps every sympy function it
does not know as an opaque ``PyFunction`` whose derivative it silently takes to be 0
(``erfinv``, ``Si``, ``besselj``, ...), and it drops the branch of ``LambertW(x, k)``.
So no derivative is taken on trust.  Two explicit allow-lists, each tested against
sympy's ``diff`` and against 50-digit finite differences of the function values
(``tests/test_special_functions.py``):

* :data:`SYMENGINE_SAFE`: the sympy function classes whose symengine translation is a
  native symengine function with the right value and the right derivative.  An
  expression built only from them (and from numbers, the latents, ``pi``, ``E``, +, *,
  powers and Piecewise) is differentiated by symengine.
* :data:`SYMPY_DIFFERENTIABLE`: special functions, with the argument positions in which
  sympy's ``diff`` is right (for example ``besselj(nu, z)`` only in ``z``: sympy has no
  derivative with respect to the order).  Expressions using them are differentiated
  by sympy.  An entry here also restricts the positions of a symengine-safe function
  (``polygamma(n, x)``: only ``x``).

:data:`PIECEWISE_PRIMITIVES` (Abs, sign, Heaviside, Max, Min, Piecewise) are rewritten
as Piecewise before differentiation (:mod:`theory.model.piecewise`) and are allowed in every
position.  :func:`check_differentiable` refuses, with a
:class:`~theory.errors.GeneratorError` naming the function and the argument, any
expression in which a latent reaches an argument position outside these lists
(``besselj(s1, 2)``, ``hyper((s1,), (1,), s2)``, ``meijerg``, ``floor``, ``Mod``, ...).

Examples
--------
>>> import sympy as sp
>>> s1 = sp.Symbol("s1", real=True)
>>> uses_only_symengine_safe(sp.sin(s1) * sp.exp(s1)), uses_only_symengine_safe(sp.erfinv(s1))
(True, False)
>>> check_differentiable(sp.besselj(2, s1), (s1,))
>>> check_differentiable(sp.besselj(s1, 2), (s1,))
Traceback (most recent call last):
...
theory.errors.GeneratorError: expression besselj(s1, 2): the latent s1 appears in argument 1 of besselj, a position in which mechind has no verified derivative (allowed: argument 2)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType

import sympy as sp
from sympy.core.relational import Relational
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.logic.boolalg import BooleanFalse, BooleanTrue

from theory.errors import GeneratorError

__all__ = [
    "checked_derivative",
    "SYMENGINE_SAFE",
    "SYMPY_DIFFERENTIABLE",
    "PIECEWISE_PRIMITIVES",
    "allowed_positions",
    "check_differentiable",
    "uses_only_symengine_safe",
    "sympy_derivative",
]

#: sympy function classes whose symengine translation has the right value and derivative.
#: symengine evaluates a function at exact arguments by its own rules, so a function is here
#: only when those values agree with sympy's function (tests/test_special_functions.py checks
#: them against mpmath on a grid of exact arguments).  Left out, and differentiated by sympy:
#: LambertW (symengine drops its branch argument), acot (symengine's branch is (0, pi), sympy's
#: (-pi/2, pi/2]: acot(-1) is 3 pi/4 there), gamma, loggamma, polygamma and beta (symengine
#: gives polygamma(0, 4/3) with the sign of its pi term flipped, beta(11, 1/2) = 8.6 for 0.54,
#: and aborts the process on beta(-1/2, 1/2)).
SYMENGINE_SAFE: frozenset[type] = frozenset(
    {
        sp.exp, sp.log,
        sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc,
        sp.asin, sp.acos, sp.atan, sp.asec, sp.acsc, sp.atan2,
        sp.sinh, sp.cosh, sp.tanh, sp.coth, sp.sech, sp.csch,
        sp.asinh, sp.acosh, sp.atanh, sp.acoth,
        sp.erf, sp.erfc,
        sp.Piecewise,
    }
)  # fmt: skip

#: Special functions differentiated by sympy: class -> {number of arguments: positions
#: (0-based) in which a latent may appear}.  Positions left out have no derivative in
#: sympy (the order of a Bessel function, the s of polylog(s, z), ...).
SYMPY_DIFFERENTIABLE: Mapping[type, Mapping[int, frozenset[int]]] = MappingProxyType(
    {
        **{f: MappingProxyType({1: frozenset({0})}) for f in (
            sp.erfi, sp.erfinv, sp.erfcinv,
            sp.Si, sp.Ci, sp.Shi, sp.Chi, sp.Ei, sp.li, sp.Li, sp.sinc,
            sp.fresnels, sp.fresnelc,
            sp.airyai, sp.airybi, sp.airyaiprime, sp.airybiprime,
            sp.elliptic_k,
            sp.asech, sp.acsch, sp.acot, sp.gamma, sp.loggamma,
        )},
        sp.beta: MappingProxyType({2: frozenset({0, 1})}),
        sp.erf2: MappingProxyType({2: frozenset({0, 1})}),
        sp.erf2inv: MappingProxyType({2: frozenset({0, 1})}),
        **{f: MappingProxyType({2: frozenset({1})}) for f in (
            sp.besselj, sp.bessely, sp.besseli, sp.besselk, sp.jn, sp.yn,
            sp.expint, sp.polylog, sp.lowergamma, sp.uppergamma,
        )},
        sp.elliptic_e: MappingProxyType({1: frozenset({0}), 2: frozenset({0, 1})}),
        sp.elliptic_f: MappingProxyType({2: frozenset({0, 1})}),
        sp.zeta: MappingProxyType({2: frozenset({1})}),
        sp.polygamma: MappingProxyType({2: frozenset({1})}),
        sp.LambertW: MappingProxyType({1: frozenset({0}), 2: frozenset({0})}),
    }
)  # fmt: skip

#: Non-smooth primitives rewritten as Piecewise before differentiation: every position.
PIECEWISE_PRIMITIVES: tuple[type, ...] = (sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.Piecewise)

_SE_ATOMS = (sp.Symbol, sp.Integer, sp.Rational, BooleanTrue, BooleanFalse)
_SE_CONSTANTS = frozenset({sp.pi, sp.E, sp.EulerGamma, sp.Catalan, sp.GoldenRatio})
_SE_NODES = (sp.Add, sp.Mul, sp.Pow, ExprCondPair, Relational, sp.And, sp.Or, sp.Not)
_UNEVALUATED = (sp.Derivative, sp.Subs, sp.Integral, sp.Limit)


def allowed_positions(func: type, nargs: int) -> frozenset[int] | None:
    """The argument positions (0-based) of ``func`` with ``nargs`` arguments in which a
    latent may appear; ``None`` when ``func`` is on no allow-list.

    >>> import sympy as sp
    >>> sorted(allowed_positions(sp.besselj, 2)), allowed_positions(sp.hyper, 3)
    ([1], None)
    """
    by_arity = SYMPY_DIFFERENTIABLE.get(func)
    if by_arity is not None:
        return by_arity.get(nargs, frozenset())
    if func in SYMENGINE_SAFE or (isinstance(func, type) and issubclass(func, PIECEWISE_PRIMITIVES)):
        return frozenset(range(nargs))
    return None


def _latent_map(expr: sp.Basic, latents: Collection[sp.Symbol]) -> dict[sp.Basic, bool]:
    """For every node of ``expr``: does it contain a latent?  (Iterative: deep trees are fine.)"""
    memo: dict[sp.Basic, bool] = {}
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if node in memo:
            continue
        if not node.args:
            memo[node] = node in latents
        elif expanded:
            memo[node] = any(memo[a] for a in node.args)
        else:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in memo)
    return memo


def _position_text(positions: Collection[int]) -> str:
    if not positions:
        return "none"
    words = ", ".join(str(p + 1) for p in sorted(positions))
    return ("argument " if len(positions) == 1 else "arguments ") + words


def check_differentiable(expr: sp.Basic, latents: Collection[sp.Symbol], what: str = "") -> None:
    """Refuse ``expr`` unless every latent reaches only argument positions whose
    derivative is on an allow-list.

    Latents inside Piecewise conditions are not differentiated and are not checked;
    subexpressions without latents are constants and are always accepted.

    Parameters
    ----------
    expr
        A sympy expression (an output of a generator).
    latents
        The latent symbols.
    what
        How to name ``expr`` in the message (default: ``expression <expr>``).

    Raises
    ------
    GeneratorError
        Naming the function and the argument position (1-based) a latent reaches.

    Examples
    --------
    >>> import sympy as sp
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> check_differentiable(sp.erfinv(s1 / 2) + sp.polylog(3, s2), (s1, s2))
    >>> check_differentiable(sp.hyper((s1,), (1,), s2), (s1, s2))
    Traceback (most recent call last):
    ...
    theory.errors.GeneratorError: expression hyper((s1,), (1,), s2): hyper is not on mechind's list of functions with verified derivatives, and the latents s1, s2 appear in its arguments
    """
    lat = frozenset(latents)
    has = _latent_map(expr, lat)
    head = what or f"expression {expr}"
    stack = [expr]
    seen: set[sp.Basic] = set()
    while stack:
        node = stack.pop()
        if node in seen or not has[node]:
            continue
        seen.add(node)
        if not node.args:
            continue
        if isinstance(node, (sp.Add, sp.Mul, sp.Pow)):
            stack.extend(node.args)
            continue
        if isinstance(node, sp.Piecewise):
            stack.extend(pair.args[0] for pair in node.args)  # conditions are not differentiated
            continue
        func = type(node)
        name = getattr(func, "__name__", str(func))
        positions = allowed_positions(func, len(node.args))
        if positions is None:
            names = ", ".join(sorted(str(s) for s in node.free_symbols & lat))
            plural = "s" if "," in names else ""
            raise GeneratorError(
                f"{head}: {name} is not on mechind's list of functions with verified derivatives, "
                f"and the latent{plural} {names} appear{'' if plural else 's'} in its arguments"
            )
        for i, arg in enumerate(node.args):
            if not has[arg]:
                continue
            if i not in positions or not isinstance(arg, sp.Expr):
                names = ", ".join(sorted(str(s) for s in arg.free_symbols & lat))
                raise GeneratorError(
                    f"{head}: the latent {names} appears in argument {i + 1} of {name}, a position in which "
                    f"mechind has no verified derivative (allowed: {_position_text(positions)})"
                )
            stack.append(arg)


def uses_only_symengine_safe(expr: sp.Basic) -> bool:
    """Whether symengine differentiates ``expr`` correctly: built only from integers,
    rationals, symbols, ``pi, E, EulerGamma, Catalan, GoldenRatio``, +, *, powers,
    Piecewise (with relational conditions) and the functions of :data:`SYMENGINE_SAFE`.

    Floats are refused (symengine reads them as doubles).

    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> uses_only_symengine_safe(sp.Piecewise((sp.atan(x), x > 0), (x**2, True)))
    True
    >>> uses_only_symengine_safe(sp.LambertW(x, -1)), uses_only_symengine_safe(sp.sinc(x))
    (False, False)
    """
    stack = [expr]
    seen: set[sp.Basic] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if not node.args:
            if not (isinstance(node, _SE_ATOMS) or node in _SE_CONSTANTS):
                return False
        elif not (isinstance(node, _SE_NODES) or type(node) in SYMENGINE_SAFE):
            return False
        stack.extend(node.args)
    return True


def sympy_derivative(expr: sp.Expr, symbol: sp.Symbol, latents: Collection[sp.Symbol], what: str = "") -> sp.Expr:
    """``d expr / d symbol`` by sympy, refused unless it is known to be right.

    ``expr`` must pass :func:`check_differentiable`, and the result must contain no
    unevaluated ``Derivative``, ``Subs``, ``Integral`` or ``Limit``.

    Raises
    ------
    GeneratorError
        When either condition fails (the message names the function).

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> sympy_derivative(sp.erfinv(x), x, (x,))
    sqrt(pi)*exp(erfinv(x)**2)/2
    """
    check_differentiable(expr, latents, what)
    return checked_derivative(expr, symbol, what)


def checked_derivative(expr: sp.Expr, symbol: sp.Symbol, what: str = "") -> sp.Expr:
    """``d expr / d symbol`` by sympy for an ``expr`` already known to pass
    :func:`check_differentiable` (a sub-expression or local formula of a checked output);
    refused if sympy leaves an unevaluated derivative.

    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> checked_derivative(sp.sinc(x), x)
    cos(x)/x - sin(x)/x**2
    """
    result = sp.diff(expr, symbol)
    bad = result.atoms(*_UNEVALUATED)
    if bad:
        head = what or f"expression {expr}"
        left = sorted(map(str, bad))[0]
        raise GeneratorError(f"{head}: sympy cannot differentiate it with respect to {symbol} (it leaves {left})")
    return result

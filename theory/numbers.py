"""Exact reading and writing of rational numbers.

The exact layer never stores a float.  Numbers a user types (domain bounds, points,
``--at`` values) are read exactly: integers, ``p/q`` strings, finite decimals
(``"0.25"`` is 1/4) and Python floats, which are read as the decimal they print as
(``0.1`` is 1/10, the number the user typed, not the nearest binary double).

Examples
--------
>>> to_rational("3/4")
3/4
>>> to_rational(0.1)
1/10
>>> rational_str(to_rational("-1.5"))
'-3/2'
"""

from __future__ import annotations

import contextlib
import math
import re
import sys
from collections.abc import Iterator
from fractions import Fraction
from numbers import Integral

import sympy as sp

__all__ = ["to_rational", "to_bound", "rational_str", "expr_str"]

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^[+-]?\d+/\d+$")
_MAX_EXPONENT = 10_000  # 1e99999999 would build a 10^8-digit integer
_MAX_DIGITS = 4000  # Python's own limit on int(str) is 4300 digits


def to_rational(value: object, what: str = "value") -> sp.Rational:
    """Read ``value`` as an exact sympy Rational, or raise ``ValueError`` naming ``what``.

    Parameters
    ----------
    value
        int, :class:`fractions.Fraction`, sympy Rational, a string ``"p/q"`` or a
        finite decimal string, or a finite float (read as its shortest decimal form).
    what
        A description of the value for the error message.
    """
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, got the boolean {value!r}")
    if isinstance(value, sp.Rational):
        return value
    if isinstance(value, Integral):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{what} must be a finite number, got {value!r}")
        return sp.Rational(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if _FRACTION.match(text):
            num, den = text.split("/")
            if max(len(num), len(den)) > _MAX_DIGITS:
                raise ValueError(f"{what} has more than {_MAX_DIGITS} digits")
            if int(den) == 0:
                raise ValueError(f"{what} has a zero denominator: {value!r}")
            return sp.Rational(int(num), int(den))
        if _NUMBER.match(text):
            mantissa, _, exponent = text.lower().partition("e")
            if exponent and abs(int(exponent)) > _MAX_EXPONENT:
                raise ValueError(f"{what} has a decimal exponent beyond {_MAX_EXPONENT}: {value!r}")
            if len(mantissa) > _MAX_DIGITS:
                raise ValueError(f"{what} has more than {_MAX_DIGITS} digits")
            return sp.Rational(text)
        raise ValueError(f"{what} is not a rational number (p/q, integer or decimal): {value!r}")
    if isinstance(value, sp.Basic):
        if value.is_Number and not value.is_Rational:
            if value.is_Float:
                return sp.Rational(str(value))
            raise ValueError(f"{what} must be a finite rational number, got {value}")
        raise ValueError(f"{what} must be a rational number, got the expression {value}")
    raise ValueError(f"{what} must be a number, got {type(value).__name__} {value!r}")


def to_bound(value: object, what: str = "bound") -> sp.Expr:
    """Read a domain bound: a rational (see :func:`to_rational`) or +-infinity."""
    if value is None:
        raise ValueError(f"{what} is missing (use sympy.oo or -sympy.oo for an infinite end)")
    if isinstance(value, sp.Basic) and value in (sp.oo, -sp.oo):
        return value
    if isinstance(value, float) and math.isinf(value):
        return sp.oo if value > 0 else -sp.oo
    if isinstance(value, str) and value.strip().lower() in ("oo", "+oo", "inf", "+inf", "-oo", "-inf"):
        return -sp.oo if value.strip().startswith("-") else sp.oo
    return to_rational(value, what)


def rational_str(value: sp.Expr) -> str:
    """Write a rational (or +-oo) as ``"p/q"``, ``"p"``, ``"oo"`` or ``"-oo"``."""
    if value == sp.oo:
        return "oo"
    if value == -sp.oo:
        return "-oo"
    q = sp.Rational(value)
    with _any_int_size():
        return str(q.p) if q.q == 1 else f"{q.p}/{q.q}"


def expr_str(value: sp.Expr) -> str:
    """Write an exact value: rationals as ``"p/q"``, anything else with sympy's printer."""
    if isinstance(value, sp.Rational) or value in (sp.oo, -sp.oo):
        return rational_str(value)
    with _any_int_size():
        return sp.sstr(value)


@contextlib.contextmanager
def _any_int_size() -> Iterator[None]:
    """Lift Python's limit on int -> str conversion (4300 digits) while writing: exact
    values computed here may be longer, and their digits are the answer."""
    get = getattr(sys, "get_int_max_str_digits", None)
    if get is None:  # pragma: no cover - Python < 3.11 has no limit
        yield
        return
    before = get()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(before)

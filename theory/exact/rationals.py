"""Exact reading and writing of rational numbers.

The exact layer never stores a float.  Numbers a user types (domain bounds, points,
``--at`` values) are read exactly: integers, ``p/q`` strings, finite decimals
(``"0.25"`` is 1/4) and Python floats, which are read as the decimal they print as
(``0.1`` is 1/10, the number the user typed, not the nearest binary double).

Sizes: a number read from user input (a point, a domain bound, ``--at``) has at most
:data:`MAX_DIGITS` digits in its numerator and in its denominator, and a decimal
exponent of at most :data:`MAX_DIGITS`; larger inputs are refused with a message saying
so.  Values the exact layer computes may be longer than Python's default limit on
int <-> str conversion (4300 digits), so importing this module lifts that limit for the
process (:func:`allow_long_integer_strings`); untrusted text is parsed under the limit
again (:func:`int_digit_limit`).

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

__all__ = ["to_rational", "to_bound", "rational_str", "expr_str", "check_size", "MAX_DIGITS", "int_digit_limit", "allow_long_integer_strings"]

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^[+-]?\d+/\d+$")
#: the most digits of a numerator or denominator read from user input (points, bounds, --at)
MAX_DIGITS = 1000


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
    return check_size(_read_rational(value, what), what)


def _read_rational(value: object, what: str) -> sp.Rational:
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
        return _read_text(value, what)
    if isinstance(value, sp.Basic):
        if value.is_Number and not value.is_Rational:
            if value.is_Float:
                return _read_text(str(value), what)
            raise ValueError(f"{what} must be a finite rational number, got {value}")
        raise ValueError(f"{what} must be a rational number, got the expression {value}")
    raise ValueError(f"{what} must be a number, got {type(value).__name__} {value!r}")


def _read_text(value: str, what: str) -> sp.Rational:
    text = value.strip()
    if _FRACTION.match(text):
        num, den = text.split("/")
        if max(len(num.lstrip("+-")), len(den)) > MAX_DIGITS:
            raise ValueError(f"{what} has more than {MAX_DIGITS} digits (the limit for a number read from input)")
        if int(den) == 0:
            raise ValueError(f"{what} has a zero denominator: {_shown(value)}")
        return sp.Rational(int(num), int(den))
    if _NUMBER.match(text):
        mantissa, _, exponent = text.lower().partition("e")
        if exponent and abs(int(exponent)) > MAX_DIGITS:
            raise ValueError(f"{what} has a decimal exponent beyond {MAX_DIGITS} ({_shown(value)}); numbers read from input have at most {MAX_DIGITS} digits")
        if len(mantissa) > MAX_DIGITS + 2:
            raise ValueError(f"{what} has more than {MAX_DIGITS} digits (the limit for a number read from input)")
        return sp.Rational(text)
    raise ValueError(f"{what} is not a rational number (p/q, integer or decimal): {_shown(value)}")


def check_size(value: sp.Rational, what: str = "value") -> sp.Rational:
    """Return ``value`` if its numerator and denominator have at most :data:`MAX_DIGITS`
    digits, else raise ``ValueError`` naming ``what`` and the limit.

    >>> check_size(sp.Rational(10) ** 1000, "x")
    Traceback (most recent call last):
    ...
    ValueError: x has 1001 digits; numbers read from input have at most 1000 digits
    """
    limit = 10**MAX_DIGITS
    for part in (value.p, value.q):
        if abs(part) >= limit:
            digits = _digit_count(abs(int(part)))
            raise ValueError(f"{what} has {digits} digits; numbers read from input have at most {MAX_DIGITS} digits")
    return value


def _digit_count(n: int) -> int:
    """Decimal digits of ``n >= 1`` without converting it to a string."""
    estimate = max(1, int(n.bit_length() * 0.30102999566398120))
    while 10**estimate <= n:
        estimate += 1
    while estimate > 1 and 10 ** (estimate - 1) > n:
        estimate -= 1
    return estimate


def _shown(value: str) -> str:
    """``value`` for a message: quoted, at most 60 characters."""
    return repr(value if len(value) <= 60 else value[:40] + "..." + value[-10:])


def to_bound(value: object, what: str = "bound") -> sp.Expr:
    """Read a domain bound: a rational (see :func:`to_rational`, at most :data:`MAX_DIGITS`
    digits) or +-infinity."""
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


def _any_int_size() -> contextlib.AbstractContextManager[None]:
    """No limit on int <-> str conversion while writing: exact values computed here may be
    longer than 4300 digits, and their digits are the answer."""
    return int_digit_limit(0)


@contextlib.contextmanager
def int_digit_limit(digits: int) -> Iterator[None]:
    """Python's limit on int <-> str conversion set to ``digits`` (0: none) inside the block.

    Parse untrusted text (a TOML file) under a limit: converting a huge decimal string to
    an int takes time quadratic in its length.
    """
    get = getattr(sys, "get_int_max_str_digits", None)
    if get is None:  # pragma: no cover - Python < 3.11 has no limit
        yield
        return
    before = get()
    sys.set_int_max_str_digits(digits)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(before)


def allow_long_integer_strings() -> None:
    """Lift Python's limit on int <-> str conversion (4300 digits) for the process.

    Exact values (Jacobian entries at a point, sparsest bases, witnesses) can be longer
    than 4300 digits even when every input is short, and writing, hashing or pickling
    them (``Fraction.__reduce__`` goes through ``str``) must not fail.  Every number read
    from input is bounded separately (:data:`MAX_DIGITS`).
    """
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)


allow_long_integer_strings()

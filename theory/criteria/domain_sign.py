"""Signs of functions on the (open) domain: interval enclosures first, z3 for rational functions.

An interval enclosure on the domain's bounding box treats the box as closed and its infinite
ends as reachable, so it cannot certify ``s1 > 0`` on ``(0, 1)`` (the closed box holds 0),
``1/s1 > 0`` there (unbounded near 0), or anything on a Region beyond its box.  For a rational
function ``u = p / q`` of the latents with rational coefficients, z3 decides the sign on the open
domain exactly: ``u > 0`` at every point of S iff no point of S has ``p q <= 0`` (``p q`` has the
sign of ``u`` where ``q != 0``, and vanishes where ``u`` is 0 or undefined).

Examples
--------
>>> import sympy as sp
>>> from theory.model.domain import Box
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> box = Box({s1: (0, 1), s2: (-1, 1)})
>>> sign_on_domain(s1, box, (s1, s2)), sign_on_domain(1 / s1 + s2**2, box, (s1, s2)), sign_on_domain(s2, box, (s1, s2))
(1, 1, None)
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from theory.exact.intervals import certify_sign
from theory.exact.smt import DEFAULT_SMT_TIMEOUT, NotTranslatable, satisfiable_on
from theory.model.domain import Domain

__all__ = ["rational_parts", "sign_on_domain", "rational_sign_on_domain"]


def rational_parts(u: sp.Expr, latents: Sequence[sp.Symbol]) -> tuple[sp.Expr, sp.Expr] | None:
    """``(p, q)`` with ``u = p / q``, both polynomials in ``latents`` with rational coefficients,
    or ``None`` when ``u`` is not such a rational function.

    >>> x = sp.Symbol("x", real=True)
    >>> rational_parts(1 / x + 1, (x,)), rational_parts(sp.exp(x), (x,))
    ((x + 1, x), None)
    """
    p, q = sp.fraction(sp.together(u))
    for part in (p, q):
        if not part.is_polynomial(*latents):
            return None
        if not all(c.is_Rational for c in sp.Poly(part, *latents).coeffs()):
            return None
    return sp.expand(p), sp.expand(q)


def sign_on_domain(u: sp.Expr, domain: Domain, latents: Sequence[sp.Symbol], timeout: float = DEFAULT_SMT_TIMEOUT) -> int | None:
    """``1`` (``-1``) when ``u`` is certified positive (negative) at every point of the open
    ``domain``, else ``None``: an interval enclosure on the bounding box, then z3 on ``p q``
    for a rational function ``u = p / q`` (module docstring)."""
    env = {s: domain.interval(s) for s in latents}
    sign, _ = certify_sign(u, env)
    if sign in (1, -1):
        return sign
    return rational_sign_on_domain(u, domain, latents, timeout)


def rational_sign_on_domain(u: sp.Expr, domain: Domain, latents: Sequence[sp.Symbol], timeout: float = DEFAULT_SMT_TIMEOUT) -> int | None:
    """The second stage of :func:`sign_on_domain` alone, for a caller that has tried the
    interval enclosure itself: for a rational function ``u = p / q``, ``1`` (``-1``) when z3
    shows ``p q > 0`` (``< 0``) at every point of the open domain, else ``None``."""
    parts = rational_parts(u, latents)
    if parts is None:
        return None
    pq = sp.expand(parts[0] * parts[1])
    for target, opposite in ((1, pq <= 0), (-1, pq >= 0)):
        try:
            answer = satisfiable_on(opposite, domain, latents, timeout=timeout)
        except NotTranslatable:
            return None
        if answer.status == "unsat":
            return target
    return None

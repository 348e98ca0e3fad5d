"""Certificates a case file may attach to its generator (``Generator(..., certificates=[...])``).

A :class:`FoldCertificate` claims that g is **not locally injective** (docs/mathematics.md section 9.1):
a curve ``gamma(t)`` and a partner curve ``gamma'(t)`` with ``g(gamma(t)) = g(gamma'(t))``,
``gamma(t) != gamma'(t)`` for small ``t > 0``, and ``gamma(0) = gamma'(0) = s0`` in S, so
that every neighbourhood of ``s0`` holds two distinct points with the same image.  The
claim is only data here; :func:`theory.criteria.injectivity.verify_fold_certificate`
checks it exactly before anything is refuted.

Examples
--------
>>> import sympy as sp
>>> s1, s2, t = sp.symbols("s1 s2 t", real=True)
>>> cert = FoldCertificate(t, (t, 0), (-t, 0))
>>> cert.coordinates((s1, s2))
((t, 0), (-t, 0))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Union

import sympy as sp

from theory.errors import GeneratorError

__all__ = ["FoldCertificate", "parse_certificates"]

CurveSpec = Union[Sequence[object], Mapping[sp.Symbol, object]]


@dataclass(frozen=True)
class FoldCertificate:
    """Two curves through one point of S on which g agrees (a fold or cusp certificate).

    Attributes
    ----------
    parameter
        The real curve parameter ``t`` (not a latent).
    curve, partner
        ``gamma(t)`` and ``gamma'(t)``: one expression in ``t`` per latent, in the order of
        the generator's latents, or a dict ``{latent: expression}``.  The checker accepts
        rational functions of ``t`` with rational coefficients, defined at ``t = 0``.
    note
        Free text shown with the verdict.
    """

    parameter: sp.Symbol
    curve: CurveSpec
    partner: CurveSpec
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.parameter, sp.Symbol):
            raise GeneratorError(f"certificate parameter must be a sympy Symbol, got {self.parameter!r}")
        if self.parameter.is_real is not True:
            raise GeneratorError(f"certificate parameter {self.parameter} must be declared real (sympy.Symbol('{self.parameter}', real=True))")
        for what in ("curve", "partner"):
            value = getattr(self, what)
            if isinstance(value, Mapping):
                items = {k: _expr(v, what, self.parameter) for k, v in value.items()}
                for k in items:
                    if not isinstance(k, sp.Symbol):
                        raise GeneratorError(f"certificate {what} keys must be latent Symbols, got {k!r}")
                object.__setattr__(self, what, items)
            elif isinstance(value, (Sequence, sp.MatrixBase)) and not isinstance(value, (str, bytes)):
                object.__setattr__(self, what, tuple(_expr(v, what, self.parameter) for v in value))
            else:
                raise GeneratorError(f"certificate {what} must be a list of expressions or a dict {{latent: expression}}, got {type(value).__name__}")

    def coordinates(self, latents: Sequence[sp.Symbol]) -> tuple[tuple[sp.Expr, ...], tuple[sp.Expr, ...]]:
        """``(curve, partner)`` as tuples in the order of ``latents``.

        Raises
        ------
        GeneratorError
            If a curve misses a latent, names a foreign one or has the wrong length.
        """
        return self._ordered(self.curve, "curve", latents), self._ordered(self.partner, "partner", latents)

    def _ordered(self, value: CurveSpec, what: str, latents: Sequence[sp.Symbol]) -> tuple[sp.Expr, ...]:
        latents = tuple(latents)
        if isinstance(value, Mapping):
            foreign = [str(k) for k in value if k not in latents]
            missing = [str(s) for s in latents if s not in value]
            if foreign or missing:
                raise GeneratorError(
                    f"certificate {what} must give every latent once: "
                    + "; ".join(x for x in (f"unknown {', '.join(foreign)}" if foreign else "", f"missing {', '.join(missing)}" if missing else "") if x)
                )
            return tuple(value[s] for s in latents)  # type: ignore[misc]
        if len(value) != len(latents):
            raise GeneratorError(f"certificate {what} has {len(value)} coordinates, the generator has {len(latents)} latents")
        return tuple(value)  # type: ignore[arg-type]


def _expr(value: object, what: str, parameter: sp.Symbol) -> sp.Expr:
    if isinstance(value, str):
        raise GeneratorError(f"certificate {what} coordinate {value!r} is a string; write it as a sympy expression")
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        raise GeneratorError(f"certificate {what} coordinate {value!r} is not a sympy expression") from None
    if not isinstance(expr, sp.Expr):
        raise GeneratorError(f"certificate {what} coordinate {value!r} is not an expression")
    if expr.atoms(sp.Float):
        expr = expr.xreplace({f: sp.Rational(str(f)) for f in expr.atoms(sp.Float)})
    extra = sorted(str(s) for s in expr.free_symbols if s != parameter)
    if extra:
        raise GeneratorError(f"certificate {what} coordinate {expr} may only use the parameter {parameter}, not {', '.join(extra)}")
    return expr


def parse_certificates(name: str, certificates: object, latents: Sequence[sp.Symbol]) -> tuple[FoldCertificate, ...]:
    """Validate a generator's ``certificates`` argument (a list of :class:`FoldCertificate`).

    Raises
    ------
    GeneratorError
        If it is not a list, holds something else, or a curve does not fit the latents.

    Examples
    --------
    >>> import sympy as sp
    >>> s, t = sp.symbols("s t", real=True)
    >>> len(parse_certificates("g", [FoldCertificate(t, [t], [-t])], (s,)))
    1
    """
    if certificates is None:
        return ()
    if isinstance(certificates, FoldCertificate):
        certificates = [certificates]
    if isinstance(certificates, (str, bytes)) or not isinstance(certificates, Sequence):
        raise GeneratorError(f"{name}: certificates must be a list of FoldCertificate, got {type(certificates).__name__}")
    out = []
    for i, cert in enumerate(certificates):
        if not isinstance(cert, FoldCertificate):
            raise GeneratorError(f"{name}: certificate {i} is a {type(cert).__name__}, not a FoldCertificate (theory.model.certificates)")
        if cert.parameter in tuple(latents):
            raise GeneratorError(f"{name}: certificate {i} uses the latent {cert.parameter} as its parameter; use a fresh symbol")
        try:
            cert.coordinates(latents)
        except GeneratorError as exc:
            raise GeneratorError(f"{name}: certificate {i}: {exc}") from None
        out.append(cert)
    return tuple(out)

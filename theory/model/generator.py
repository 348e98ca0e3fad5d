"""The closed-form generator ``g : S -> R^m`` and its partition of the latents into factors.

Examples
--------
>>> import sympy as sp
>>> from theory import Generator, Box
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> g = Generator(
...     name="cubic-overlap",
...     factors=[[s1], [s2]],
...     outputs=[s1, s2, s1**3 + s2**3],
...     domain=Box({s1: (-1, 1), s2: (-1, 1)}),
...     points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}],
... )
>>> g.m, g.d, g.blocks
(3, 2, ((0,), (1,)))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from theory.errors import GeneratorError, PointError
from theory.exact.rationals import rational_str, to_rational
from theory.model.certificates import FoldCertificate, parse_certificates
from theory.model.derivatives import DerivativeTable
from theory.model.domain import Box, Domain, Region, open_condition_problem
from theory.model.functions import check_differentiable
from theory.model.guard import BlackBox

__all__ = ["Generator", "parse_point"]

_FORBIDDEN = (sp.Derivative, sp.Integral, sp.Subs, sp.DiracDelta, sp.Sum, sp.Product, sp.Limit, sp.Order)


class Generator:
    """A closed-form generator: outputs as sympy expressions, factors, domain and points.

    Parameters
    ----------
    name
        Short identifier used in reports and on the command line.
    factors
        The partition of the latents into blocks: a list of lists of real sympy Symbols
        (named ``f1, f2, ...``) or a dict ``{name: [symbols]}``.
    outputs
        A list (or sympy Matrix) of expressions, one per observed coordinate.
        Floats are read as the decimal they print as (noted in :attr:`notes`).
    domain
        A :class:`Box` or :class:`Region` (open); ``None`` means all of R^d.
    points
        Exact points of interest ``{symbol: rational}``, where pointwise checks run.
    description
        Free text shown by ``mechind list`` (the case file's docstring by default).
    certificates
        Optional :class:`theory.model.certificates.FoldCertificate` objects (claims that g is not
        locally injective, verified by the ``locally-injective`` check); kept as
        :attr:`certificates`.

    Raises
    ------
    GeneratorError
        For every inconsistency (undeclared symbol, symbol in two blocks, empty block,
        non-real symbol, NaN or infinity in an output, ...), with a message naming it.
    """

    def __init__(
        self,
        name: str,
        factors: Mapping[str, Sequence[sp.Symbol]] | Sequence[Sequence[sp.Symbol]],
        outputs: Sequence[object] | sp.MatrixBase,
        domain: Domain | None = None,
        points: Sequence[Mapping[sp.Symbol, object]] = (),
        description: str = "",
        certificates: Sequence[object] = (),
    ):
        if not isinstance(name, str) or not name.strip():
            raise GeneratorError(f"generator name must be a non-empty string, got {name!r}")
        self.name = name.strip()
        self.description = description.strip() if isinstance(description, str) else ""
        notes: list[str] = []
        self.factors = _parse_factors(self.name, factors)
        self.latents: tuple[sp.Symbol, ...] = tuple(s for block in self.factors.values() for s in block)
        index = {s: i for i, s in enumerate(self.latents)}
        blocks, start = [], 0
        for block in self.factors.values():
            blocks.append(tuple(range(start, start + len(block))))
            start += len(block)
        self.blocks: tuple[tuple[int, ...], ...] = tuple(blocks)
        self.block_of: tuple[int, ...] = tuple(k for k, b in enumerate(self.blocks) for _ in b)
        self._index = index
        self.outputs: tuple[sp.Expr, ...] = _parse_outputs(self.name, outputs, index, notes)
        self.domain: Domain = _parse_domain(self.name, domain, index)
        self.points: tuple[dict[sp.Symbol, sp.Rational], ...] = tuple(
            parse_point(p, self.latents, self.domain, what=f"point {i} of {self.name}") for i, p in enumerate(_as_list(points, "points"))
        )
        used = set().union(*(o.free_symbols for o in self.outputs)) if self.outputs else set()
        self.unused_latents: tuple[sp.Symbol, ...] = tuple(s for s in self.latents if s not in used)
        if self.unused_latents:
            notes.append("latents used by no output (zero Jacobian columns): " + ", ".join(map(str, self.unused_latents)))
        self.notes: tuple[str, ...] = tuple(notes)
        #: Where the generator was read from (a case file's path or a bundled case's module), if anywhere.
        self.source: str | None = None
        self.certificates: tuple[FoldCertificate, ...] = parse_certificates(self.name, certificates, self.latents)

    # -- sizes and lookups -------------------------------------------------------------
    @property
    def m(self) -> int:
        """Number of outputs (observed coordinates, "pixels")."""
        return len(self.outputs)

    @property
    def d(self) -> int:
        """Number of latents."""
        return len(self.latents)

    @property
    def K(self) -> int:
        """Number of factors (blocks)."""
        return len(self.blocks)

    @property
    def factor_names(self) -> tuple[str, ...]:
        return tuple(self.factors)

    @property
    def latent_names(self) -> tuple[str, ...]:
        return tuple(str(s) for s in self.latents)

    def latent_index(self, sym: sp.Symbol) -> int:
        """Position of a latent symbol in :attr:`latents`."""
        return self._index[sym]

    # -- derived, cached objects ----------------------------------------------------------
    def __getstate__(self) -> dict:
        """The generator without its derived caches (the derivative table and the guard's black
        box: large, rebuilt on first use, and the black box's mpmath rationals do not
        unpickle), so a generator that has been checked pickles like a fresh one (``--jobs``
        workers, Ray tasks)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("derivatives", "black_box")}

    @cached_property
    def derivatives(self) -> DerivativeTable:
        """The cached exact derivatives of this generator on its domain."""
        return DerivativeTable(self)

    @cached_property
    def black_box(self) -> BlackBox:
        """The outputs as high-precision black boxes, for the independent guard
        (:mod:`theory.model.guard`)."""
        return BlackBox(self)

    def to_json(self) -> dict[str, object]:
        """The case header of the JSON document (docs/user-guide.md section 4)."""
        return {
            "case": self.name,
            "latents": list(self.latent_names),
            "factors": {k: [str(s) for s in v] for k, v in self.factors.items()},
            "domain": self.domain.to_json(self.latents),
        }

    def __repr__(self) -> str:
        return f"Generator(name={self.name!r}, m={self.m}, d={self.d}, factors={ {k: list(v) for k, v in self.factors.items()} })"


def parse_point(
    point: Mapping[object, object],
    latents: tuple[sp.Symbol, ...],
    domain: Domain,
    what: str = "point",
) -> dict[sp.Symbol, sp.Rational]:
    """Read an exact point ``{symbol or name: rational}``; every latent, inside the domain.

    Raises
    ------
    PointError
        If a coordinate is missing, unknown or not rational, or the point is outside the domain.
    """
    if not isinstance(point, Mapping):
        raise PointError(f"{what} must be a dict {{symbol: rational}}, got {type(point).__name__}")
    by_name = {str(s): s for s in latents}
    out: dict[sp.Symbol, sp.Rational] = {}
    for key, value in point.items():
        sym = key if isinstance(key, sp.Symbol) and key in latents else by_name.get(str(key))
        if sym is None:
            raise PointError(f"{what} names {key}, which is not a latent (latents: {', '.join(by_name)})")
        if sym in out:
            raise PointError(f"{what} gives {sym} twice")
        try:
            out[sym] = to_rational(value, f"coordinate {sym} of {what}")
        except ValueError as exc:
            raise PointError(str(exc)) from None
    missing = [str(s) for s in latents if s not in out]
    if missing:
        raise PointError(f"{what} is missing the coordinate(s) {', '.join(missing)}")
    ordered = {s: out[s] for s in latents}
    if not domain.contains(ordered):
        coords = ", ".join(f"{s}={rational_str(v)}" for s, v in ordered.items())
        raise PointError(f"{what} ({coords}) lies outside the domain {domain!r}")
    return ordered


def _as_list(value: object, what: str) -> list:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, sp.MatrixBase)):
        raise GeneratorError(f"{what} must be a list, got {type(value).__name__}")
    return list(value)


def _assumption_problem(sym: sp.Symbol) -> str | None:
    """Why the latent ``sym`` is refused, or ``None`` when its only assumption is real=True.

    Any other assumption (integer, positive, nonnegative, nonzero, ...) lets sympy rewrite
    expressions as they are built (``sin(pi*s) -> 0``, ``sqrt(s**2) -> s``), before any
    check runs, so a verdict would be about another function than the one written.
    """
    if isinstance(sym, sp.Wild):
        return f"latent {sym.name} is a sympy Wild (a pattern); declare latents with sympy.Symbol('{sym.name}', real=True)"
    if sym.is_real is not True:
        return f"latent {sym} is not declared real; use sympy.symbols('{sym}', real=True)"
    reference = sp.Symbol(sym.name, real=True).assumptions0
    if sym.assumptions0 == reference:
        return None
    given = getattr(sym, "_assumptions_orig", None) or sym.assumptions0
    extra = sorted(f"{k}={v}" for k, v in given.items() if reference.get(k) != v) or sorted(
        f"{k}={v}" for k, v in sym.assumptions0.items() if reference.get(k) != v
    )
    return (
        f"latent {sym} is declared with {', '.join(extra)}, which lets sympy rewrite the outputs before any check "
        f"(sin(pi*s) -> 0, sqrt(s**2) -> s); declare it with real=True only: sympy.Symbol('{sym}', real=True)"
    )


def _parse_factors(name: str, factors: object) -> dict[str, tuple[sp.Symbol, ...]]:
    if isinstance(factors, Mapping):
        items = list(factors.items())
        for key, _ in items:
            if not isinstance(key, str) or not key:
                raise GeneratorError(f"{name}: factor names must be non-empty strings, got {key!r}")
    else:
        items = [(f"f{i + 1}", block) for i, block in enumerate(_as_list(factors, f"{name}: factors"))]
    if not items:
        raise GeneratorError(f"{name}: factors is empty; give at least one block of latents")
    seen: dict[sp.Symbol, str] = {}
    names: dict[str, sp.Symbol] = {}
    parsed: dict[str, tuple[sp.Symbol, ...]] = {}
    for key, block in items:
        if isinstance(block, sp.Symbol):
            block = [block]
        members = _as_list(block, f"{name}: factor {key}")
        if not members:
            raise GeneratorError(f"{name}: factor {key} is an empty block")
        for sym in members:
            if not isinstance(sym, sp.Symbol):
                raise GeneratorError(f"{name}: factor {key} contains {sym!r}, which is not a sympy Symbol")
            problem = _assumption_problem(sym)
            if problem:
                raise GeneratorError(f"{name}: {problem}")
            if sym in seen:
                raise GeneratorError(f"{name}: latent {sym} appears in two blocks ({seen[sym]} and {key})")
            if sym.name in names:
                raise GeneratorError(f"{name}: two different latents are both named {sym.name}")
            seen[sym] = key
            names[sym.name] = sym
        parsed[key] = tuple(members)
    return parsed


def _parse_outputs(name: str, outputs: object, index: Mapping[sp.Symbol, int], notes: list[str]) -> tuple[sp.Expr, ...]:
    if isinstance(outputs, sp.MatrixBase):
        outputs = list(outputs)
    raw = _as_list(outputs, f"{name}: outputs")
    if not raw:
        raise GeneratorError(f"{name}: outputs is empty")
    parsed = []
    had_float = False
    for i, out in enumerate(raw):
        if isinstance(out, str):
            raise GeneratorError(f"{name}: output {i} is a string; write it as a sympy expression")
        try:
            expr = out if isinstance(out, sp.Basic) else sp.sympify(out, strict=True)
        except (sp.SympifyError, TypeError):
            raise GeneratorError(f"{name}: output {i} is not a sympy expression: {out!r}") from None
        if not isinstance(expr, sp.Expr):
            raise GeneratorError(f"{name}: output {i} is not an expression (got {type(expr).__name__} {expr})")
        if expr.has(sp.nan):
            raise GeneratorError(f"{name}: output {i} contains NaN: {expr}")
        if expr.has(sp.zoo, sp.oo, -sp.oo):
            raise GeneratorError(f"{name}: output {i} contains an infinity: {expr}")
        if expr.has(sp.I):
            raise GeneratorError(f"{name}: output {i} is not real-valued (contains I): {expr}")
        bad = [a for a in expr.atoms(*_FORBIDDEN, AppliedUndef)]
        if bad:
            raise GeneratorError(f"{name}: output {i} contains {bad[0]}, which is not a closed-form function")
        check_differentiable(expr, index, what=f"{name}: output {i}")
        _check_conditions(expr, f"{name}: output {i}")
        floats = expr.atoms(sp.Float)
        if floats:
            expr = expr.xreplace({f: sp.Rational(str(f)) for f in floats})
            had_float = True
        undeclared = sorted((str(s) for s in expr.free_symbols if s not in index), key=str)
        if undeclared:
            raise GeneratorError(
                f"{name}: output {i} uses {', '.join(undeclared)}, which is in no factor (declare every latent in a block)"
            )
        parsed.append(expr)
    if had_float:
        notes.append("floats in outputs were read exactly as the decimals they print as")
    return tuple(parsed)


def _check_conditions(expr: sp.Expr, what: str) -> None:
    """Refuse a Piecewise condition that compares two conditions with ``Eq``/``Ne``
    (``Eq(s1 > 0, s2 > 0)``): its atoms are not comparisons of numbers, and its meaning is
    written unambiguously with ``Equivalent``, ``And``, ``Or`` and ``Not``."""
    for pw in expr.atoms(sp.Piecewise):
        for _piece, cond in pw.args:
            if not isinstance(cond, sp.Basic):
                continue
            for atom in cond.atoms(sp.Eq, sp.Ne):
                if any(isinstance(side, (sp.core.relational.Relational, BooleanFunction, BooleanAtom)) for side in atom.args):
                    raise GeneratorError(
                        f"{what}: the condition {atom} compares two conditions with {type(atom).__name__}; "
                        "write it with Equivalent, And, Or and Not (e.g. Equivalent(s1 > 0, s2 > 0))"
                    )


def _parse_domain(name: str, domain: object, index: Mapping[sp.Symbol, int]) -> Domain:
    if domain is None:
        return Box()
    if not isinstance(domain, (Box, Region)):
        raise GeneratorError(f"{name}: domain must be a Box or a Region, got {type(domain).__name__}")
    foreign = sorted((s for s in domain.symbols if s not in index), key=str)
    by_name = {str(s): s for s in index}
    for sym in foreign:
        if str(sym) in by_name:
            raise GeneratorError(
                f"{name}: the domain's {sym} is another symbol than the latent {sym} (other assumptions or class); build the domain from the latents"
            )
    if foreign:
        raise GeneratorError(f"{name}: the domain mentions {', '.join(map(str, foreign))}, which is not a latent")
    if isinstance(domain, Region):
        problem = open_condition_problem(domain.condition)
        if problem:
            raise GeneratorError(f"{name}: the domain must be open: {problem}")
    return domain

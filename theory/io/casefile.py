"""Loading case files: trusted Python files, and TOML files that are never executed.

A **Python case file** (``.py``) defines ``GENERATOR`` or ``GENERATORS``.  It is trusted
code: loading it executes it.

A **TOML case file** (``.toml``) is data: it is read with :mod:`tomllib`, and every
expression in it is built by the whitelist parser :mod:`theory.io.safe_expr` (numbers,
declared latents, ``+ - * / **``, a fixed list of functions; never ``eval``, never
``sympify``).  It is safe to check TOML cases from anyone.  Schema (one generator)::

    name = "cubic-overlap"                  # optional (default: the file name)
    description = "Two factors sharing a cubic pixel."          # optional
    latents = ["s1", "s2"]                  # optional: declares the latent names (ordered as the factors list them)
    factors = { f1 = ["s1"], f2 = ["s2"] }  # or [["s1"], ["s2"]] (named f1, f2, ...)
    outputs = ["s1", "s2", "s1**3 + s2**3"] # expression strings (integers allowed)
    points = [ { s1 = "1/2", s2 = "1/2" } ] # optional exact points ("p/q", integers, decimals)

    [domain]                                # optional (default: all of R^d)
    s1 = ["-1", "1"]                        # open interval; numbers, "p/q", "-oo" / "oo"
    s2 = [-1, 1]
    condition = "s1**2 + s2**2 < 1"         # optional: a region (polynomial inequalities,
                                            # joined by and / or / not)

Several generators: an array of tables ``[[generator]]``, each with the keys above (a
top-level ``description`` is then shared).  Keys a table does not know are errors (a
typo never passes silently); TOML puts keys written after a ``[table]`` header inside that
table, so write the top-level keys first or use inline tables as above.  Decimal numbers
are read exactly as written (``0.1`` is 1/10), in expressions, bounds and points.

Every failure (the file is missing, raises, is not valid TOML, defines nothing, defines
the wrong type, has a bad expression) becomes a :class:`~theory.errors.CaseFileError`
whose message names the file and the problem.

Examples
--------
>>> from pathlib import Path
>>> import cases
>>> first = next(f for f in cases.case_files() if f.name.startswith("p01"))
>>> load_case_file(first)[0].name
'p01-disjoint-baseline'
>>> text = '''
... name = "bilinear"
... factors = [["s1"], ["s2"]]
... outputs = ["s1", "s2", "s1*s2"]
... domain = { s1 = [-1, 1], s2 = ["-1/2", "1/2"] }
... '''
>>> (g,) = load_toml_text(text, "example.toml")
>>> g.outputs, g.domain
((s1, s2, s1*s2), Box({s1: (-1, 1), s2: (-1/2, 1/2)}))
"""

from __future__ import annotations

import functools
import math
import runpy
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path

import sympy as sp

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib

from theory.budget import call_with_timeout
from theory.exact.constant_zero import certainly_not_real, evaluation_problem
from theory.model.domain import Box, Region
from theory.criteria.domain_sign import rational_parts
from theory.exact.points import PointSource
from theory.exact.smt import NotTranslatable, satisfiable_on
from theory.model.piecewise import robust_truth, select_pieces, undefined_condition
from theory.model.regularity import ANALYTIC_ON_R
from theory.errors import CaseFileError, InputError
from theory.model.generator import Generator
from theory.exact.rationals import MAX_DIGITS, int_digit_limit
from theory.io.safe_expr import check_symbol_name, parse_condition, parse_expression

__all__ = ["load_case_file", "load_toml_case", "load_toml_text", "TOML_KEYS", "MAX_TOML_BYTES"]

#: keys of one generator's table in a TOML case file
TOML_KEYS = ("name", "description", "latents", "factors", "outputs", "domain", "points")
#: the largest TOML case file read (bytes)
MAX_TOML_BYTES = 4_000_000


def load_case_file(path: str | Path) -> list[Generator]:
    """Load the case file at ``path`` (a ``.py`` file is executed; a ``.toml`` file is
    parsed by :func:`load_toml_case`) and return its generators.

    The file's docstring becomes the description of generators that have none, and
    every generator records the file in its ``source`` attribute.
    """
    path = Path(path)
    if path.is_dir():
        raise CaseFileError(f"{path}: is a directory, not a case file")
    if not path.is_file():
        raise CaseFileError(f"{path}: no such case file")
    if path.suffix == ".toml":
        return load_toml_case(path)
    if path.suffix != ".py":
        raise CaseFileError(f"{path}: a case file is a Python file (.py) or a TOML file (.toml)")
    try:
        namespace = runpy.run_path(str(path), run_name=f"mechind_case_{path.stem}")
    except InputError as exc:
        raise CaseFileError(f"{path}: {exc}") from None
    except SyntaxError as exc:
        raise CaseFileError(f"{path}: syntax error on line {exc.lineno}: {exc.msg}") from None
    except BaseException as exc:  # the file is user code: report anything it raises
        if isinstance(exc, KeyboardInterrupt):
            raise
        line = _user_line(exc, path)
        what = "an expression is nested too deeply for sympy (Python's recursion limit)" if isinstance(exc, RecursionError) else _one_line(exc)
        raise CaseFileError(f"{path}: the case file raised {type(exc).__name__}: {what}{line}") from None
    if "GENERATOR" in namespace and "GENERATORS" in namespace:
        raise CaseFileError(f"{path}: defines both GENERATOR and GENERATORS; keep one")
    if "GENERATOR" in namespace:
        found = [namespace["GENERATOR"]]
        label = "GENERATOR"
    elif "GENERATORS" in namespace:
        found = namespace["GENERATORS"]
        label = "GENERATORS"
        if not isinstance(found, (list, tuple)) or not found:
            raise CaseFileError(f"{path}: GENERATORS must be a non-empty list of theory.Generator")
        found = list(found)
    else:
        raise CaseFileError(f"{path}: defines no generator (set GENERATOR or GENERATORS)")
    for item in found:
        if not isinstance(item, Generator):
            hint = (
                " (a neural generator: `mechind check` runs its numeric checks; this command needs a closed-form theory.Generator)"
                if type(item).__name__ == "NeuralGenerator" else ""
            )
            raise CaseFileError(f"{path}: {label} must hold theory.Generator objects, got {type(item).__name__}{hint}")
    doc = (namespace.get("__doc__") or "").strip()
    names = [g.name for g in found]
    if len(set(names)) != len(names):
        raise CaseFileError(f"{path}: two generators share a name")
    for g in found:
        if not g.description and doc:
            g.description = doc
        g.source = str(path)
        _check_constants(g, str(path))
    return found


def _check_constants(g: Generator, source: str) -> None:
    """Refuse a generator with a constant that sympy cannot evaluate (it would crash checks)
    or that is not real, or with an output certified not real at a probe point."""
    if getattr(g, "rational_constants", False):  # an image generator's constants are rationals by construction
        return
    if evaluation_problem(g.outputs) is not None:
        for i, out in enumerate(g.outputs):
            problem = evaluation_problem([out])
            if problem:
                raise CaseFileError(f"{source}: {g.name}: output {i}: {problem}")
    probes = functools.cache(lambda: _probe_points(g))  # drawn once, when a check first needs them
    _check_real(g, source, probes)
    _check_defined(g, source, probes)
    _check_finite(g, source, probes)


def _check_defined(g: Generator, source: str, probes: Callable[[], list[dict]]) -> None:
    """Refuse an output with a Piecewise that has no default piece where no piece applies at
    some point of the domain, so that g has no value there: none of its conditions holds on
    the domain's bounding box (certified), or at a point z3 finds (polynomial conditions), or
    on a neighbourhood of a probe point of the domain (other conditions, certified)."""
    for i, out in enumerate(g.outputs):
        nodes = [pw for pw in out.atoms(sp.Piecewise) if pw.args[-1][1] != sp.true]
        for pw in nodes:
            if select_pieces(pw, g.domain) is sp.nan:
                raise CaseFileError(
                    f"{source}: {g.name}: output {i}: no piece of {sp.sstr(pw)[:120]} applies anywhere on the domain, "
                    "so g has no value there (add a default piece (..., True))"
                )
        if nodes:
            where = _undefined_point(undefined_condition(out), g, probes)
            if where is not None:
                raise CaseFileError(
                    f"{source}: {g.name}: output {i} has no value at {where}: no piece of a Piecewise without a default "
                    "piece applies there (add a default piece (..., True), or restrict the domain)"
                )


def _undefined_point(gap: sp.Basic, g: Generator, probes: Callable[[], list[dict]]) -> str | None:
    """A point of g's domain where ``gap`` (:func:`undefined_condition`) holds, as text, or
    None when none is found."""
    if gap == sp.false:
        return None
    try:
        answer = satisfiable_on(gap, g.domain, g.latents, timeout=_GAP_TIMEOUT)
    except NotTranslatable:
        answer = None
    if answer is not None and answer.status == "unsat":
        return None
    if answer is not None and answer.status == "sat":
        for point in answer.candidates:
            if g.domain.contains(point) and gap.xreplace(point) == sp.true:  # polynomial relations at a rational point: exact
                return _point_text(point, g)
        return f"about {_point_text(answer.candidates[-1], g)} (z3's algebraic point)" if answer.candidates else "a point z3 found"
    for point in probes():
        if robust_truth(gap, point) == "true":
            return _point_text(point, g)
    return None


#: z3's time for the question "is there a point of the domain where no piece applies" (seconds)
_GAP_TIMEOUT = 5.0


def _point_text(point: dict, g: Generator) -> str:
    return "(" + ", ".join(f"{s}={point[s]}" for s in g.latents) + ")"


def _probe_points(g: Generator, n: int = 8) -> list[dict]:
    """The case's points and the first ``n`` points of the domain's reproducible sequence
    (simple rationals first): where inputs are probed for values that do not exist."""
    return [dict(p) for p in g.points] + PointSource(g.domain, g.latents, seed=0).take(n)


#: Heads whose value at real arguments (where defined) is real; an output with any other function
#: (log, roots, acosh, LambertW, Ci, expint, polylog, Bessel and elliptic functions, ...) is probed.
_REAL_ON_REALS = ANALYTIC_ON_R + (
    sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.Piecewise, sp.tan, sp.cot, sp.sec, sp.csc, sp.atan2, sp.acot,
    sp.floor, sp.ceiling, sp.gamma, sp.digamma, sp.polygamma, sp.Ei, sp.erfc, sp.erf2,
)


def _may_be_complex(out: sp.Expr) -> bool:
    """Whether ``out`` has a function outside :data:`_REAL_ON_REALS` or a root (a power by a
    non-integer) of an expression of the latents."""
    return any(
        not isinstance(e, _REAL_ON_REALS) for e in out.atoms(sp.Function)
    ) or any(not p.exp.is_Integer for p in out.atoms(sp.Pow) if p.base.free_symbols)


def _check_real(g: Generator, source: str, probes: Callable[[], list[dict]]) -> None:
    """Refuse an output certified not real at a probe point of the domain (the case's points and
    the first points of the domain's sequence): ``log(s)``, ``sqrt(s)``, ``acosh(s)`` where the
    domain reaches past their real range.  Only outputs with such a head are probed; this is a
    check of the input, not a proof that g is real everywhere (a value that is not real met
    later makes the entry unknown)."""
    risky = [i for i, out in enumerate(g.outputs) if _may_be_complex(out)]
    if not risky:
        return
    samples = functools.cache(lambda: PointSource(g.domain, g.latents, seed=0).take(_REAL_SAMPLES))  # drawn once, if needed
    for i in risky:
        found, sampled = _negative_argument_points(g.outputs[i], g)
        seen: set[tuple] = set()
        for point in [*probes(), *found, *(samples() if sampled else ())]:
            key = tuple(point.values())
            if key in seen:  # the probes are the first points of the same sequence
                continue
            seen.add(key)
            try:
                value = g.outputs[i].xreplace(point)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                continue
            if value.free_symbols or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not certainly_not_real(value):
                continue
            raise CaseFileError(
                f"{source}: {g.name}: output {i} is not real at {_point_text(point, g)}: about {sp.sstr(sp.N(value, 6))}; "
                "mechind checks real-valued generators (restrict the domain, or write the real function you mean)"
            )


def _negative_argument_points(out: sp.Expr, g: Generator) -> tuple[list[dict], bool]:
    """Points of the domain where a rational function under a root (a power by a non-integer)
    or a ``log`` of ``out`` is negative, found by z3 (the probe points can all miss such a part
    of the domain: ``sqrt(s1 + 1/2)`` on (-1, 1)), and whether some other argument needs the
    first :data:`_REAL_SAMPLES` points of the domain's sequence instead; the caller evaluates
    ``out`` itself there, since the subterm may lie in a piece that does not apply."""
    arguments = {p.base for p in out.atoms(sp.Pow) if not p.exp.is_Integer and p.base.free_symbols}
    arguments |= {e.args[0] for e in out.atoms(sp.log) if e.args[0].free_symbols}
    points: list[dict] = []
    sampled = False
    for arg in sorted(arguments, key=sp.default_sort_key):
        parts = rational_parts(arg, g.latents)
        if parts is None:  # not a rational function
            sampled = True
            continue
        numerator, denominator = parts  # p / q < 0 where p q < 0
        try:
            answer = satisfiable_on(numerator * denominator < 0, g.domain, g.latents, timeout=_GAP_TIMEOUT)
        except NotTranslatable:
            sampled = True
            continue
        if answer.status == "sat":
            points += [dict(p) for p in answer.candidates if g.domain.contains(p)]
    return points, sampled


#: Points of the domain's sequence where an output with a root or log of a transcendental
#: argument is evaluated (``sqrt(sin(s1 + 1/2))`` on (-1, 1) is not real on a quarter of it).
_REAL_SAMPLES = 64


def _check_finite(g: Generator, source: str, probes: Callable[[], list[dict]]) -> None:
    """Refuse an output with a pole in the domain, where it has no finite value: an infinite
    value (sympy's ``zoo``, ``oo``) at a probe point or at a zero z3 finds of a polynomial
    denominator or log argument (re-evaluated exactly); and, for an output that is a rational
    function ``p / q``, a zero of ``q`` where ``p`` does not vanish, which z3 proves to exist in the
    domain (its point may be algebraic: shown rounded).  ``0/0`` (``sin(s1)/s1`` at 0, a
    removable singularity) is not taken as a pole and is left to the checks (section 2.3 of the
    user guide); a 0/0 point that is not removable (``s1**3 / (s1**4 + s2**4)``) is not detected."""
    infinite = (sp.zoo, sp.oo, -sp.oo)
    for i, out in enumerate(g.outputs):
        bases = {p.base for p in out.atoms(sp.Pow) if p.exp.is_negative and p.base.free_symbols}
        bases |= {e.args[0] for e in out.atoms(sp.log) if e.args[0].free_symbols}
        if not bases and all(isinstance(e, _REAL_ON_REALS) and not isinstance(e, _POLES) for e in out.atoms(sp.Function)):
            continue
        where = _pole_by_z3(out, g)
        if where is not None:
            raise CaseFileError(f"{source}: {g.name}: output {i} has a pole at {where}: g has no finite value there (restrict the domain to exclude it, e.g. with a Region)")
        points = list(probes())
        for base in bases:
            if not base.is_polynomial(*g.latents):
                continue
            try:
                answer = satisfiable_on(sp.Eq(base, 0), g.domain, g.latents, timeout=_GAP_TIMEOUT)
            except NotTranslatable:
                continue
            if answer.status == "sat":
                points += [p for p in answer.candidates if g.domain.contains(p)]
        for point in points:
            try:
                value = out.xreplace(point)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                continue
            if value in infinite:
                raise CaseFileError(
                    f"{source}: {g.name}: output {i} is infinite at {_point_text(point, g)}: g has a pole in the domain "
                    "(restrict the domain to exclude it, e.g. with a Region)"
                )


def _pole_by_z3(out: sp.Expr, g: Generator) -> str | None:
    """For a rational function ``out = p / q`` (common factors cancelled): a point of the domain
    where ``q = 0`` and ``p != 0``, as text, or ``None``.  Off the zeros of the cancelled factors
    ``out`` is ``p / q``, so it is unbounded near such a point: a pole, not a removable 0/0."""
    if not any(p.exp.is_negative for p in out.atoms(sp.Pow)) or not out.is_rational_function(*g.latents):
        return None
    degree = _degree_bound(out)
    if degree is None:
        return None
    # common factors cancelled: (s1**2 - s2**2)/(s1 - s2)**2 is (s1 + s2)/(s1 - s2).  Loading is
    # outside every budget, and cancelling can take minutes ((1 + s1 + s2)**300 / ..., or one
    # latent at degree 1500 with growing coefficients): small outputs inline, others in a
    # killable child for at most _CANCEL_SECONDS (then the probe points only)
    variables = len(out.free_symbols)
    if degree <= _INLINE_DEGREE and math.comb(degree + variables, variables) <= _CANCEL_TERMS:
        parts = _cancelled_parts(out, g.latents)
    else:
        status, parts = call_with_timeout(_cancelled_parts, (out, g.latents), _CANCEL_SECONDS)
        if status != "ok":
            return None
    if parts is None or not parts[1].free_symbols:
        return None
    numerator, denominator = parts
    try:
        answer = satisfiable_on(sp.And(sp.Eq(denominator, 0), sp.Ne(numerator, 0)), g.domain, g.latents, timeout=_GAP_TIMEOUT)
    except NotTranslatable:
        return None
    if answer.status != "sat" or not answer.candidates:
        return None
    for point in answer.candidates:
        if g.domain.contains(point) and denominator.xreplace(point) == 0 and numerator.xreplace(point) != 0:
            return _point_text(point, g)
    return f"about {_point_text(answer.candidates[min(1, len(answer.candidates) - 1)], g)} (z3's algebraic point, rounded)"


#: Outputs of at most this degree bound and this many monomials are cancelled in the loading
#: process; larger ones in a killable child, for at most :data:`_CANCEL_SECONDS`.
_INLINE_DEGREE = 60
_CANCEL_TERMS = 2000
_CANCEL_SECONDS = 5.0


def _cancelled_parts(out: sp.Expr, latents: tuple[sp.Symbol, ...]) -> tuple[sp.Expr, sp.Expr] | None:
    """``out`` as ``p / q`` with common factors cancelled (``None``: not rational)."""
    return rational_parts(sp.cancel(out), latents)


def _degree_bound(expr: sp.Expr) -> int | None:
    """A bound on the total degree of the numerator and of the denominator of a rational
    expression, from its tree (integer powers multiply, products add, sums of polynomials take
    the largest, other sums add), without expanding; ``None`` for a node that is not a rational operation.

    >>> s1, s2 = sp.symbols("s1 s2")
    >>> _degree_bound((1 + s1 + s2) ** 300 / (1 + s1**2 + s2**2) ** 40), _degree_bound(s1 / (s1 + s2**3))
    (380, 4)
    """
    if expr.is_Number or expr.is_Symbol:
        return int(expr.is_Symbol)
    if expr.is_Pow and expr.exp.is_Integer:
        inner = _degree_bound(expr.base)
        return None if inner is None else inner * abs(int(expr.exp))
    if expr.is_Mul or expr.is_Add:
        parts = [_degree_bound(a) for a in expr.args]
        if any(p is None for p in parts):
            return None
        polynomial = expr.is_Add and not any(p.exp.is_negative for p in expr.atoms(sp.Pow))
        return max(parts) if polynomial else sum(parts)  # a sum of fractions: over the product of the denominators
    return None


#: Functions of :data:`_REAL_ON_REALS` with poles at real arguments.
_POLES = (sp.tan, sp.cot, sp.sec, sp.csc, sp.gamma, sp.digamma, sp.polygamma, sp.Ei)


def _one_line(exc: BaseException, limit: int = 300) -> str:
    """The message of ``exc`` on one line, at most ``limit`` characters (a message can
    quote a 100,000-digit number)."""
    try:
        text = " ".join(str(exc).split())
    except Exception:  # noqa: BLE001 - a user exception whose __str__ fails
        text = "(no message)"
    return text if len(text) <= limit else text[: limit - 20] + " ... " + text[-15:]


def _user_line(exc: BaseException, path: Path) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    return f" (line {frames[-1].lineno})" if frames else ""


def load_toml_case(path: str | Path) -> list[Generator]:
    """Read a TOML case file (schema in the module docstring); nothing in it is executed.

    >>> import cases
    >>> [g.name for g in load_toml_case(cases.case_files()[0].parent / "toml" / "p08_bilinear.toml")]
    ['p08-bilinear-h3-not-h2']
    """
    path = Path(path)
    if not path.is_file():
        raise CaseFileError(f"{path}: no such case file")
    size = path.stat().st_size
    if size > MAX_TOML_BYTES:
        raise CaseFileError(f"{path}: the file has {size} bytes; TOML case files are limited to {MAX_TOML_BYTES}")
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a byte-order mark (some editors write one) is not TOML
    except UnicodeDecodeError as exc:
        raise CaseFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return load_toml_text(text, str(path))


def load_toml_text(text: str, source: str = "<toml>") -> list[Generator]:
    """The generators of a TOML case given as text; ``source`` names it in messages.

    >>> load_toml_text('generator = [{ factors = [["x"]], outputs = ["x.real"] }]', "bad.toml")
    Traceback (most recent call last):
    ...
    theory.errors.CaseFileError: bad.toml: output 0: expression "x.real": attribute access (a.b) is not allowed in an expression
    """
    try:
        with int_digit_limit(MAX_DIGITS):  # a huge integer literal would take quadratic time
            # floats stay as written, read exactly later; TOML allows 1_000.5 (underscores between digits)
            data = tomllib.loads(text, parse_float=lambda written: written.replace("_", ""))
    except tomllib.TOMLDecodeError as exc:
        raise CaseFileError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise CaseFileError(f"{source}: not valid TOML: nested too deeply") from None
    except ValueError:  # Python's limit on int(str), set above
        raise CaseFileError(f"{source}: an integer in the file has more than {MAX_DIGITS} digits (the limit for a number read from input)") from None
    if "generator" in data:
        extra = sorted(set(data) - {"generator", "description"})
        if extra:
            raise CaseFileError(f"{source}: a file with [[generator]] tables may only have a top-level description; found {', '.join(extra)}")
        entries = data["generator"]
        if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
            raise CaseFileError(f"{source}: generator must be a non-empty array of tables ([[generator]])")
        shared = data.get("description", "")
        if not isinstance(shared, str):
            raise CaseFileError(f"{source}: description must be a string")
    else:
        entries, shared = [data], ""
    stem = Path(source).stem or "case"
    generators = []
    for i, entry in enumerate(entries):
        default = stem if len(entries) == 1 else f"{stem}-{i + 1}"
        where = source if len(entries) == 1 else f"{source}: generator {i + 1}"
        try:
            g = _toml_generator(entry, default, shared)
        except InputError as exc:
            raise CaseFileError(f"{where}: {exc}") from None
        g.source = source
        _check_constants(g, source)
        generators.append(g)
    names = [g.name for g in generators]
    if len(set(names)) != len(names):
        raise CaseFileError(f"{source}: two generators share a name")
    return generators


def _toml_generator(entry: Mapping[str, object], default_name: str, shared_description: str) -> Generator:
    unknown = sorted(set(entry) - set(TOML_KEYS))
    if unknown:
        raise CaseFileError(f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(TOML_KEYS)})")
    name = entry.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        raise CaseFileError(f"name must be a non-empty string, got {name!r}")
    description = entry.get("description", shared_description)
    if not isinstance(description, str):
        raise CaseFileError(f"description must be a string, got {type(description).__name__}")
    for key in ("factors", "outputs"):
        if key not in entry:
            raise CaseFileError(f"generator {name!r} has no {key}")

    # latents: declared explicitly, or in the order the factors name them
    raw_factors = entry["factors"]
    if isinstance(raw_factors, dict):
        factor_items = list(raw_factors.items())
    elif isinstance(raw_factors, list):
        factor_items = [(f"f{i + 1}", members) for i, members in enumerate(raw_factors)]
    else:
        raise CaseFileError(f"factors must be a table {{name = [latents]}} or a list of lists, got {_kind(raw_factors)}")
    if not factor_items:
        raise CaseFileError("factors is empty; give at least one factor of latents")
    declared = entry.get("latents")
    symbols: dict[str, sp.Symbol] = {}
    if declared is not None:
        if not isinstance(declared, list) or not declared:
            raise CaseFileError(f"latents must be a non-empty list of names, got {_kind(declared)}")
        for n in declared:
            check_symbol_name(n)
            if n in symbols:
                raise CaseFileError(f"latent {n} is declared twice in latents")
            symbols[n] = sp.Symbol(n, real=True)
    owner: dict[str, str] = {}
    factors: dict[str, list[sp.Symbol]] = {}
    for fname, members in factor_items:
        if isinstance(members, str):
            members = [members]
        if not isinstance(members, list):
            raise CaseFileError(f"factor {fname} must be a list of latent names, got {_kind(members)}")
        if not members:
            raise CaseFileError(f"factor {fname} is an empty block")
        block = []
        for n in members:
            if not isinstance(n, str):
                raise CaseFileError(f"factor {fname} lists {n!r}, which is not a latent name (a string)")
            if n in owner:
                where = "twice in factor " + fname if owner[n] == fname else f"in two factors ({owner[n]} and {fname})"
                raise CaseFileError(f"latent {n} appears {where}")
            if declared is not None and n not in symbols:
                raise CaseFileError(f"factor {fname} names {n}, which is not declared in latents ({', '.join(symbols)})")
            if declared is None:
                check_symbol_name(n)
                symbols[n] = sp.Symbol(n, real=True)
            owner[n] = fname
            block.append(symbols[n])
        factors[str(fname)] = block
    orphans = [n for n in symbols if n not in owner]
    if orphans:
        raise CaseFileError(f"latent(s) {', '.join(orphans)} declared but in no factor")

    raw_outputs = entry["outputs"]
    if not isinstance(raw_outputs, list):
        raise CaseFileError(f"outputs must be a list of expression strings, got {_kind(raw_outputs)}")
    outputs = []
    for i, text in enumerate(raw_outputs):
        try:
            outputs.append(parse_expression(text, symbols))
        except InputError as exc:
            raise CaseFileError(f"output {i}: {exc}") from None

    domain = _toml_domain(entry.get("domain"), symbols)
    raw_points = entry.get("points", [])
    if not isinstance(raw_points, list) or not all(isinstance(p, dict) for p in raw_points):
        raise CaseFileError(f"points must be a list of tables {{latent = value}}, got {_kind(raw_points)}")
    points = []
    for k, p in enumerate(raw_points):
        for n, v in p.items():
            if isinstance(v, bool) or not isinstance(v, (str, int)):
                raise CaseFileError(f"point {k}: coordinate {n} must be a number or a string like \"1/2\", got {_kind(v)}")
        points.append({symbols.get(n, n): v for n, v in p.items()})
    g = Generator(name=name, factors=factors, outputs=outputs, domain=domain, points=points, description=description)
    if declared is not None and list(declared) != [str(s) for s in g.latents]:
        g.notes = g.notes + (f"latents are ordered as the factors list them ({', '.join(map(str, g.latents))}), not as declared; vectors, points and columns are written in that order",)
    return g


def _toml_domain(raw: object, symbols: Mapping[str, sp.Symbol]) -> Box | Region | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise CaseFileError(f"domain must be a table {{latent = [lo, hi]}}, got {_kind(raw)}")
    bounds = {}
    for n, pair in raw.items():
        if n == "condition":
            continue
        if n not in symbols:
            raise CaseFileError(f"domain names {n}, which is not a latent ({', '.join(symbols)})")
        if not isinstance(pair, list) or len(pair) != 2:
            raise CaseFileError(f"domain bound of {n} must be a pair [lo, hi], got {pair!r}")
        for end in pair:
            if isinstance(end, bool) or not isinstance(end, (str, int)):
                raise CaseFileError(f"domain bound of {n} must be numbers or strings like \"-1/2\" or \"oo\", got {_kind(end)}")
        bounds[symbols[n]] = (pair[0], pair[1])
    box = Box(bounds)
    if "condition" not in raw:
        return box
    try:
        condition = parse_condition(raw["condition"], symbols)
    except InputError as exc:
        raise CaseFileError(f"domain condition: {exc}") from None
    return Region(box, condition)


def _kind(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"

"""A whitelist parser for expressions from untrusted text (TOML case files).

The text is parsed by Python's :func:`ast.parse` (which only builds a syntax tree; it
executes nothing) and the tree is walked here: every node must be one of a short list,
and the sympy object is built directly from it.  ``eval``, ``exec``, ``sympify`` and
``parse_expr`` are never called.  Anything else raises
:class:`~theory.errors.CaseFileError` with a message that names the offending piece.

Accepted
--------
* numbers: integers, finite decimals and scientific notation (read exactly: ``0.1`` is
  1/10), ``p/q`` as a division;
* the declared symbols, and the constants ``pi`` and ``E``;
* ``+ - * / **``, unary ``-`` and ``+``, parentheses;
* the functions of :data:`FUNCTIONS` (``exp, log, sqrt, sin, cos, tan, asin, acos, atan,
  atan2, sinh, cosh, tanh, asinh, Abs, abs, sign, Heaviside, Max, Min``) and
  ``where(condition, a, b)`` (``a`` where the condition holds, else ``b``: a Piecewise);
* in conditions (``where``'s first argument, a region's condition): comparisons
  ``< <= > >= == !=`` (chains allowed), ``and``, ``or``, ``not`` and ``& | ~``.

Limits (the fields of :class:`Limits`, passed as ``limits=`` to :func:`parse_expression`):
text length, syntax-tree nodes, nesting depth, digits of a number literal, size of numeric
exponents, ``where(...)`` calls inside conditions, and kinks (``Abs``, ``Max``, ...) inside
conditions.  The last two bound a cost of sympy, not of this parser.  When a condition
contains a Piecewise, ``Piecewise`` (already in ``ExprCondPair``, whatever ``evaluate`` says)
folds it into the condition and converts the result to conjunctive normal form, which takes
time exponential in the number of Piecewise folded (``where(s1 > 0, s2, 0) > 0`` and five
more such comparisons joined by ``and`` in one condition: about 1 s; seven: 5 s; eight: 20 s).
Kinks are folded the same way later, when the checks rewrite them as Piecewise (a sum of 6
``Abs`` in a condition: 2.4 s; 8: 13 s; 9: past the recursion limit).  Where's and kinks in
the branches ``a, b`` are not folded and do not count.

Examples
--------
>>> import sympy as sp
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> parse_expression("0.1*s1**2 - exp(s2)/3", {"s1": s1, "s2": s2})
s1**2/10 - exp(s2)/3
>>> parse_expression("where(s1 > 0, s1, 0)", {"s1": s1})
Piecewise((s1, s1 > 0), (0, True))
>>> parse_expression("__import__('os')", {"s1": s1})
Traceback (most recent call last):
...
theory.errors.CaseFileError: expression "__import__('os')": __import__ is not an allowed function (allowed: Abs, Heaviside, Max, Min, abs, acos, asin, asinh, atan, atan2, cos, cosh, exp, log, sign, sin, sinh, sqrt, tan, tanh, where)
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
import unicodedata
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp
from sympy.logic.boolalg import Boolean

from theory.errors import CaseFileError

__all__ = ["parse_expression", "parse_condition", "check_symbol_name", "FUNCTIONS", "CONSTANTS", "KINKS", "RESERVED", "Limits"]

#: name -> (sympy constructor, number of arguments; None = two or more)
FUNCTIONS: dict[str, tuple[object, int | None]] = {
    "exp": (sp.exp, 1),
    "log": (sp.log, 1),
    "sqrt": (sp.sqrt, 1),
    "sin": (sp.sin, 1),
    "cos": (sp.cos, 1),
    "tan": (sp.tan, 1),
    "asin": (sp.asin, 1),
    "acos": (sp.acos, 1),
    "atan": (sp.atan, 1),
    "atan2": (sp.atan2, 2),
    "sinh": (sp.sinh, 1),
    "cosh": (sp.cosh, 1),
    "tanh": (sp.tanh, 1),
    "asinh": (sp.asinh, 1),
    "Abs": (sp.Abs, 1),
    "abs": (sp.Abs, 1),
    "sign": (sp.sign, 1),
    "Heaviside": (sp.Heaviside, 1),
    "Max": (sp.Max, None),
    "Min": (sp.Min, None),
}
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E}
#: the functions with kinks, which the checks rewrite as Piecewise (counted inside conditions)
KINKS = frozenset({"Abs", "abs", "sign", "Heaviside", "Max", "Min"})
#: names a latent may not take
RESERVED = frozenset(FUNCTIONS) | frozenset(CONSTANTS) | {"where", "I", "oo", "nan", "zoo", "inf", "condition", "True", "False", "None"}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DECIMAL = re.compile(r"^(\d[\d_]*)?(\.[\d_]*)?([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class Limits:
    """Size limits of one expression.

    Attributes
    ----------
    length
        Characters of the text.
    nodes
        Syntax-tree nodes.
    depth
        Nesting depth of the syntax tree (parentheses, calls, operators).
    digits
        Characters of one number literal.
    exponent
        Largest absolute value of a numeric exponent (``x**1000``, ``1e-1000``).
    bits
        Largest size in bits of a number computed while building (``10**1000``).
    where_in_conditions
        ``where(...)`` calls inside conditions (of a ``where``, or the condition of
        :func:`parse_condition`), counted over the whole text, nested ones included;
        where's in branches do not count.  Each is folded into its condition by sympy at
        a cost exponential in their number.
    arguments
        Arguments of one ``Max`` or ``Min`` (sympy compares them pairwise while building:
        64 took 3 s, 100 took 21 s).
    kinks_in_conditions
        Kinks inside conditions: one per ``Abs``, ``abs``, ``sign`` or ``Heaviside``, ``n - 1``
        per ``Max`` or ``Min`` of ``n`` arguments.  The checks' Piecewise normal form folds each
        into its condition, again at a cost exponential in their number (a condition with 8
        ``Abs`` took 13 s, 9 exhausted the recursion limit).

    Examples
    --------
    >>> import sympy as sp
    >>> s1 = sp.Symbol("s1", real=True)
    >>> parse_expression("where(where(s1 > 0, s1, 0) > 1, 1, 0)", {"s1": s1}, Limits(where_in_conditions=0))
    Traceback (most recent call last):
    ...
    theory.errors.CaseFileError: expression "where(where(s1 > 0, s1, 0) > 1, 1, 0)": more than 0 where(...) calls inside conditions (the limit is Limits.where_in_conditions = 0; sympy's folding of each into its condition takes time exponential in their number): write the condition with and/or/not of comparisons, or raise the limit with parse_expression(..., limits=Limits(where_in_conditions=...))
    """

    length: int = 1_000_000
    nodes: int = 2_000_000
    depth: int = 100
    digits: int = 400
    exponent: int = 1000
    bits: int = 20_000
    where_in_conditions: int = 4
    kinks_in_conditions: int = 6
    arguments: int = 32


def check_symbol_name(name: object, what: str = "latent") -> str:
    """A latent name must be an identifier that is not a function, constant or keyword.

    >>> check_symbol_name("s1")
    's1'
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise CaseFileError(f"{what} name {name!r} is not a valid name (letters, digits, underscores; not starting with a digit)")
    if name in RESERVED or keyword.iskeyword(name) or name.startswith("__"):
        raise CaseFileError(f"{what} name {name!r} is reserved (a function, a constant or a keyword); choose another")
    return name


def parse_expression(text: object, symbols: Mapping[str, sp.Symbol], limits: Limits = Limits()) -> sp.Expr:
    """Build the sympy expression written in ``text`` over the declared ``symbols``.

    Long sums and products are split at their top-level ``+ -`` and ``* /`` before
    :func:`ast.parse` sees them, so a sum of 100,000 terms neither recurses deeply nor
    hits Python's recursion limit.

    Parameters
    ----------
    text
        The expression (a string; an int is accepted as a number).
    symbols
        The declared symbols by name; no other name is accepted.
    limits
        Size limits (:class:`Limits`).

    Raises
    ------
    CaseFileError
        For anything outside the whitelist or over a limit, naming it.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x", real=True)
    >>> parse_expression("2.5*x**2 - sqrt(2)/3", {"x": x})
    5*x**2/2 - sqrt(2)/3
    """
    try:
        out = _parse_expression(text, symbols, limits)
        bad = [str(v) for v in (sp.nan, sp.zoo, sp.oo, -sp.oo) if out.has(v)]
        if bad:
            raise CaseFileError(f"expression \"{_shown(text)}\" contains {bad[0]} (an undefined or infinite value), e.g. from log(0) or 1/0")
        return out
    except CaseFileError:
        raise
    except (TypeError, ValueError, ArithmeticError, RecursionError, sp.SympifyError, sp.PolynomialError) as exc:
        raise CaseFileError(f"expression \"{_shown(text)}\" could not be built: {type(exc).__name__}: {' '.join(str(exc).split())}") from None


def _parse_expression(text: object, symbols: Mapping[str, sp.Symbol], limits: Limits) -> sp.Expr:
    source = _prepare(text, limits)
    shown = _shown(text)
    builder = _Builder(shown, symbols, limits)
    # ast.parse recurses once per operator of a chain: parse long sums (and long
    # products) in chunks of _CHUNK operands, and combine the chunks here
    terms = _split(source, ("+", "-"))
    pieces = []
    for start in range(0, len(terms), _CHUNK):
        chunk = terms[start : start + _CHUNK]
        if len(chunk) == 1 and chunk[0][1].count("*") + chunk[0][1].count("/") > _CHUNK:
            pieces.append(_signed(chunk[0][0], _long_product(chunk[0][1], shown, builder)))
            continue
        text_ = " ".join(f"{op} ({t})" if i or op == "-" else f"({t})" for i, (op, t) in enumerate(chunk))
        pieces.append(builder.expr(_parse(text_, shown, builder).body, 0))
    return sp.Add(*pieces)


_CHUNK = 200


def _signed(op: str, value: sp.Expr) -> sp.Expr:
    return -value if op == "-" else value


def _long_product(term: str, shown: str, builder: "_Builder") -> sp.Expr:
    factors = _split(term, ("*", "/"))
    pieces = []
    for start in range(0, len(factors), _CHUNK):
        chunk = factors[start : start + _CHUNK]
        text_ = " ".join(f"{op} ({t})" if i or start else f"({t})" for i, (op, t) in enumerate(chunk))
        pieces.append(builder.expr(_parse(("1 " if start else "") + text_, shown, builder).body, 0))
    return sp.Mul(*pieces)


def parse_condition(text: object, symbols: Mapping[str, sp.Symbol], limits: Limits = Limits()) -> Boolean:
    """Build the sympy Boolean written in ``text`` (comparisons joined by and/or/not).

    >>> import sympy as sp
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> parse_condition("s1**2 + s2**2 < 1 and s1 > 0", {"s1": s1, "s2": s2})
    (s1 > 0) & (s1**2 + s2**2 < 1)
    """
    source = _prepare(text, limits)
    builder = _Builder(_shown(text), symbols, limits)
    try:
        return builder.condition(_parse(source, _shown(text), builder).body, 0)
    except CaseFileError:
        raise
    except (TypeError, ValueError, ArithmeticError, RecursionError, sp.SympifyError, sp.PolynomialError) as exc:
        raise CaseFileError(f"condition \"{_shown(text)}\" could not be built: {type(exc).__name__}: {' '.join(str(exc).split())}") from None


def _shown(text: object) -> str:
    shown = " ".join(str(text).split())
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _prepare(text: object, limits: Limits) -> str:
    """Check the raw text (type, size, characters, bracket depth); one line."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise CaseFileError(f"an expression must be a string, got {type(text).__name__} {text!r}")
    text = str(text)
    shown = _shown(text)
    if not text.strip():
        raise CaseFileError("an expression is empty")
    if len(text) > limits.length:
        raise CaseFileError(f"expression \"{shown}\" is too long ({len(text)} characters; the limit is {limits.length})")
    bad = sorted({c for c in text if c in "#;\\`$" or (not c.isprintable() and c not in "\n\t\r")})
    if bad:
        raise CaseFileError(f"expression \"{shown}\" contains the character(s) {' '.join(repr(c) for c in bad)}, which no expression uses")
    # Python reads identifiers in NFKC form: 'ｓ1', 'xⁱ', '𝑥' would silently become s1, xi, x
    folded = sorted({c for c in text if not c.isascii() and unicodedata.normalize("NFKC", c) != c})
    if folded:
        pairs = ", ".join(f"{c!r} as {unicodedata.normalize('NFKC', c)!r}" for c in folded)
        raise CaseFileError(f"expression \"{shown}\" contains character(s) that Python reads as others ({pairs}); names are ASCII: write them as declared")
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    if deepest > limits.depth:
        raise CaseFileError(f"expression \"{shown}\" nests brackets {deepest} deep (the limit is {limits.depth})")
    # before ast.parse converts it (10 s for 10**6 digits; underscores may group them)
    run = re.search(r"\d[\d_]{%d,}" % limits.digits, text)
    if run:
        raise CaseFileError(f"expression \"{shown}\": a number literal has {run.end() - run.start()} characters or more (the limit is {limits.digits})")
    return " ".join(text.split())


def _split(text: str, ops: tuple[str, str]) -> list[tuple[str, str]]:
    """``text`` cut at its top-level binary ``ops``: ``[(op before, segment), ...]``."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return [(ops[0], text)]  # let ast.parse report the error
    out: list[tuple[str, str]] = []
    depth, start, op_before, previous = 0, 0, ops[0], None
    for tok in tokens:
        if tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT):
            continue
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif (
            depth == 0
            and tok.type == tokenize.OP
            and tok.string in ops
            and previous is not None
            and (previous.type in (tokenize.NAME, tokenize.NUMBER) or previous.string in (")", "]", "}"))
            and not (previous.type == tokenize.NAME and keyword.iskeyword(previous.string))
        ):
            offset = tok.start[1]
            out.append((op_before, text[start:offset]))
            op_before, start = tok.string, tok.end[1]
        previous = tok
    out.append((op_before, text[start:]))
    return out


def _parse(text: str, shown: str, builder: "_Builder") -> ast.Expression:
    if not text.strip():
        raise CaseFileError(f"expression \"{shown}\" is not valid syntax: an operand is missing")
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal": the error says it
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise CaseFileError(f"expression \"{shown}\" is not valid syntax: {exc.msg}") from None
    except (RecursionError, MemoryError):  # the parser's own stack (e.g. 50,000 unary minus signs)
        raise CaseFileError(f"expression \"{shown}\" is nested too deeply to parse") from None
    except ValueError as exc:
        raise CaseFileError(f"expression \"{shown}\" could not be parsed: {type(exc).__name__}: {exc}") from None
    builder.nodes += sum(1 for _ in ast.walk(tree))
    if builder.nodes > builder.limits.nodes:
        raise CaseFileError(f"expression \"{shown}\" is too large (more than {builder.limits.nodes} syntax nodes)")
    builder.source = text.strip().encode("utf-8")
    return tree


_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_COMPARE = {ast.Lt: sp.StrictLessThan, ast.LtE: sp.LessThan, ast.Gt: sp.StrictGreaterThan, ast.GtE: sp.GreaterThan, ast.Eq: sp.Eq, ast.NotEq: sp.Ne}
_REJECTED_OPS = {
    ast.FloorDiv: "// (floor division)",
    ast.Mod: "% (modulo)",
    ast.MatMult: "@",
    ast.BitXor: "^ (write powers as **)",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitAnd: "& outside a condition",
    ast.BitOr: "| outside a condition",
}


class _Builder:
    def __init__(self, shown: str, symbols: Mapping[str, sp.Symbol], limits: Limits):
        self.shown = shown
        self.symbols = dict(symbols)
        self.limits = limits
        self.source = b""
        self.nodes = 0
        self.conditions = 0  # how many conditions enclose the node being built
        self.in_conditions: Counter[str] = Counter()  # where's and kinks inside conditions, by limit

    def fail(self, message: str) -> CaseFileError:
        return CaseFileError(f"expression \"{self.shown}\": {message}")

    def _depth(self, depth: int) -> int:
        if depth > self.limits.depth:
            raise self.fail(f"nested more than {self.limits.depth} levels deep")
        return depth + 1

    # -- expressions ------------------------------------------------------------------------
    def expr(self, node: ast.AST, depth: int) -> sp.Expr:
        depth = self._depth(depth)
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.expr(node.operand, depth)
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand, depth)
            if isinstance(node.op, ast.Not):
                raise self.fail("'not' is only allowed in a condition")
            raise self.fail("~ is only allowed in a condition")
        if isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub, ast.Mult, ast.Div):
            return self.chain(node, depth)
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            if op not in _BINARY:
                raise self.fail(f"the operator {_REJECTED_OPS.get(op, op.__name__)} is not allowed (allowed: + - * / **)")
            left = self.expr(node.left, depth)
            right = self.expr(node.right, depth)
            return self.binary(op, left, right)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            raise self.fail("a comparison is only allowed as the condition of where(condition, a, b)")
        raise self.fail(f"{_describe(node)} is not allowed in an expression")

    def chain(self, node: ast.BinOp, depth: int) -> sp.Expr:
        """A chain ``a + b - c ...`` or ``a * b / c ...``, walked without recursion along
        its left spine (a long sum is a deep tree)."""
        additive = type(node.op) in (ast.Add, ast.Sub)
        group = (ast.Add, ast.Sub) if additive else (ast.Mult, ast.Div)
        operands: list[tuple[type, ast.AST]] = []
        while isinstance(node, ast.BinOp) and type(node.op) in group:
            operands.append((type(node.op), node.right))
            node = node.left  # type: ignore[assignment]
        operands.append((ast.Add if additive else ast.Mult, node))
        values = []
        for op, operand in reversed(operands):
            value = self.expr(operand, depth)
            if op is ast.Sub:
                value = -value
            elif op is ast.Div:
                if value == 0:
                    raise self.fail("division by zero")
                value = sp.Pow(value, -1)
            values.append(value)
        return sp.Add(*values) if additive else sp.Mul(*values)

    def number(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = "a complex number" if isinstance(value, complex) else f"the {type(value).__name__} {value!r}"
            raise self.fail(f"{kind} is not allowed (numbers must be real: integers or decimals)")
        # the literal as written (one line; ast's offsets count UTF-8 bytes)
        literal = self.source[node.col_offset : node.end_col_offset].decode("utf-8", "replace").strip()
        if not literal:
            literal = repr(value)
        if len(literal) > self.limits.digits:
            raise self.fail(f"a number literal has {len(literal)} characters (the limit is {self.limits.digits})")
        if isinstance(value, int) and not any(c in literal for c in ".eE"):
            if not literal.replace("_", "").isdigit():
                raise self.fail(f"the number {literal} is not written in decimal digits")
            return sp.Integer(value)
        text = literal.replace("_", "")
        if not _DECIMAL.match(text) or text in ("", "."):
            raise self.fail(f"the number {literal!r} is not a finite decimal")
        mantissa, _, exponent = text.lower().partition("e")
        if exponent and abs(int(exponent)) > self.limits.exponent:
            raise self.fail(f"the number {literal} has an exponent beyond {self.limits.exponent}")
        return sp.Rational(text)  # exact: "0.1" is 1/10

    def name(self, name: str) -> sp.Expr:
        if name in self.symbols:
            return self.symbols[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS or name == "where":
            raise self.fail(f"{name} is a function; call it, e.g. {name}(s1)")
        declared = ", ".join(sorted(self.symbols)) or "none"
        raise self.fail(f"unknown name {name!r} (declared latents: {declared}; constants: pi, E)")

    def binary(self, op: type, left: sp.Expr, right: sp.Expr) -> sp.Expr:
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            if right == 0:
                raise self.fail("division by zero")
            return left / right
        # power
        if right.is_Number:
            if not right.is_Rational:
                raise self.fail(f"the exponent {right} is not a rational number")
            if abs(right) > self.limits.exponent or right.q > self.limits.exponent:
                raise self.fail(f"the exponent {right} is beyond the limit {self.limits.exponent}")
            if left == 0 and right < 0:
                raise self.fail("0 raised to a negative power")
            if left.is_Rational and right.is_Integer:
                size = abs(int(right)) * max(int(left.p).bit_length(), int(left.q).bit_length())
                if size > self.limits.bits:
                    raise self.fail(f"{left}**{right} has about {size} bits (the limit is {self.limits.bits})")
        return left**right

    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.fail(f"only plain function names can be called, not {_describe(node.func)}")
        name = node.func.id
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(f"{name}() takes plain positional arguments only")
        if name == "where":
            if len(node.args) != 3:
                raise self.fail(f"where(condition, a, b) takes 3 arguments, got {len(node.args)}")
            if self.conditions:
                self.count_in_conditions(
                    "where_in_conditions",
                    1,
                    "where(...) calls inside conditions",
                    "sympy's folding of each into its condition takes time exponential in their number",
                    "write the condition with and/or/not of comparisons",
                )
            cond = self.condition(node.args[0], depth)
            a = self.expr(node.args[1], depth)
            b = self.expr(node.args[2], depth)
            return sp.Piecewise((a, cond), (b, True))
        if name not in FUNCTIONS:
            allowed = ", ".join(sorted([*FUNCTIONS, "where"]))
            raise self.fail(f"{name} is not an allowed function (allowed: {allowed})")
        fn, arity = FUNCTIONS[name]
        if arity is None and len(node.args) < 2:
            raise self.fail(f"{name}() takes two or more arguments, got {len(node.args)}")
        if arity is not None and len(node.args) != arity:
            raise self.fail(f"{name}() takes {arity} argument{'s' if arity > 1 else ''}, got {len(node.args)}")
        if arity is None and len(node.args) > self.limits.arguments:
            raise self.too_many_arguments(name, len(node.args))
        if self.conditions and name in KINKS:
            self.count_in_conditions(  # Max or Min of n arguments: n - 1 kinks
                "kinks_in_conditions",
                max(1, len(node.args) - 1),
                f"kinks (Abs, sign, Heaviside, Max, Min) inside conditions, the last in {name}(...)",
                "each becomes a piece folded into its condition, at a cost exponential in their number",
                "split the condition into comparisons without them",
            )
        args = [self.expr(a, depth) for a in node.args]
        if arity is None:  # sympy flattens nested Max/Min into one: count what it will compare
            flat = sum(len(a.args) if isinstance(a, fn) else 1 for a in args)  # type: ignore[arg-type]
            if flat > self.limits.arguments:
                raise self.too_many_arguments(name, flat)
        return fn(*args)  # type: ignore[operator]

    def too_many_arguments(self, name: str, count: int) -> CaseFileError:
        return self.fail(
            f"{name}() has {count} arguments, nested ones included (the limit is Limits.arguments = {self.limits.arguments}; sympy "
            f"flattens nested {name} and compares the arguments pairwise while building): from Python, "
            "parse_expression(..., limits=Limits(arguments=...)) raises it"
        )

    def count_in_conditions(self, limit: str, amount: int, what: str, why: str, advice: str) -> None:
        """Add ``amount`` to the count of ``Limits.<limit>`` (where's, or kinks, inside
        conditions: sympy folds each into its condition at a cost exponential in their
        number), failing with the limit named once the count is past it."""
        self.in_conditions[limit] += amount
        bound = getattr(self.limits, limit)
        if self.in_conditions[limit] > bound:
            raise self.fail(
                f"more than {bound} {what} (the limit is Limits.{limit} = {bound}; {why}): {advice}, "
                f"or raise the limit with parse_expression(..., limits=Limits({limit}=...))"
            )

    # -- conditions -------------------------------------------------------------------------
    def condition(self, node: ast.AST, depth: int) -> Boolean:
        self.conditions += 1
        try:
            return self._condition(node, depth)
        finally:
            self.conditions -= 1

    def _condition(self, node: ast.AST, depth: int) -> Boolean:
        depth = self._depth(depth)
        if isinstance(node, ast.Compare):
            parts = []
            left = self.expr(node.left, depth)
            for op, comparator in zip(node.ops, node.comparators):
                rel = _COMPARE.get(type(op))
                if rel is None:
                    raise self.fail(f"the comparison {type(op).__name__} is not allowed (allowed: < <= > >= == !=)")
                right = self.expr(comparator, depth)
                parts.append(rel(left, right))
                left = right
            return sp.And(*parts)
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(v, depth) for v in node.values]
            return sp.And(*parts) if isinstance(node.op, ast.And) else sp.Or(*parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.Invert)):
            return sp.Not(self.condition(node.operand, depth))
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
            left, right = self.condition(node.left, depth), self.condition(node.right, depth)
            return sp.And(left, right) if isinstance(node.op, ast.BitAnd) else sp.Or(left, right)
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return sp.true if node.value else sp.false
        raise self.fail(f"{_describe(node)} is not a condition (compare with < <= > >= == != and join with and, or, not)")


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: "attribute access (a.b)",
        ast.Subscript: "indexing (a[b])",
        ast.Lambda: "lambda",
        ast.IfExp: "a conditional expression (use where(condition, a, b))",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.ListComp: "a comprehension",
        ast.GeneratorExp: "a generator expression",
        ast.JoinedStr: "an f-string",
        ast.NamedExpr: "an assignment (:=)",
        ast.Starred: "a starred argument",
        ast.Await: "await",
        ast.Yield: "yield",
    }
    return names.get(type(node), type(node).__name__)

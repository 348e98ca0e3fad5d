"""Identity tests modulo random primes (Schwartz-Zippel), with a stated error bound.

This is the engine of the *probabilistic* mode (``mechind check --probabilistic``, off by
default; docs/mathematics.md, "The probabilistic mode").  It never proves anything:
an answer "zero" is wrong with probability at most the bound it carries; an answer
"nonzero" is always right.

A rational generator (outputs built from rational numbers and the latents by ``+``,
``*`` and integer powers) is compiled once into a :class:`Program`.  A program is
evaluated at a point of ``F_p^d`` in the truncated algebra
``F_p[e_1..e_n] / (e_i^2, monomials of degree > order)``: putting
``x + sum_j e_j r_j`` for the latents makes the coefficient of ``e_1 ... e_k`` the
mixed directional derivative ``d_{r_1} ... d_{r_k} g(x)`` (forward-mode differentiation),
so no symbolic derivative is ever built and no big rational either.

Bound.  Every node has the form ``N/D`` with integer polynomials built by the rules
``N1/D1 + N2/D2 = (N1 D2 + N2 D1)/(D1 D2)``, ``(N1/D1)(N2/D2) = N1 N2/(D1 D2)`` and
powers; :func:`compile_program` bounds ``deg N``, ``deg D`` and ``log2`` of the sum of the
absolute values of their coefficients.  The k-th directional derivative is
``N_k / D^(k+1)`` with ``N_{j+1} = d N_j * D - (j+1) N_j * d D``, so
``deg N_k <= deg N + k deg D`` (in x and the direction coefficients together) and its
height grows by at most ``||D|| (d deg N_j + (j+1) d deg D)`` per step.  One trial (a
prime ``p`` drawn uniformly from the primes of ``[2^61, 2^62)``, a point uniform in
``F_p^d``, random directions) calls a nonzero ``N_k`` zero only if

* ``p`` divides every coefficient of ``N_k``: at most ``log2(height)/61`` primes of the
  range do, out of at least :data:`PRIME_COUNT` primes; or
* the point is a root of ``N_k mod p`` (a nonzero polynomial of degree ``delta``): with
  probability at most ``delta/p`` (Schwartz-Zippel), divided by ``1 - delta_D/p`` because
  points where a denominator vanishes mod p are redrawn (``delta_D`` bounds the degree of
  the product of all denominators).

Trials are independent, so ``t`` trials that all say zero are wrong with probability at
most ``eps^t``; a verdict that rests on several zero answers adds their bounds.

Examples
--------
>>> import random
>>> import sympy as sp
>>> x, y = sp.symbols("x y")
>>> prog = compile_program([(x + y)**2 - x**2 - 2*x*y - y**2, x*y], (x, y))
>>> rng = random.Random(1)
>>> p = random_prime(rng)
>>> values = evaluate(prog, p, [rng.randrange(p) for _ in range(2)], directions=[], order=0)
>>> [v[0] == 0 for v in values]
[True, False]
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy as sp

__all__ = [
    "NotApplicable",
    "BadSample",
    "Program",
    "compile_program",
    "evaluate",
    "random_prime",
    "trial_bound",
    "float_up",
    "PRIME_BITS",
    "PRIME_MIN",
    "PRIME_COUNT",
    "prime_count_lower_bound",
]

#: Primes are drawn uniformly from [2^PRIME_BITS, 2^(PRIME_BITS+1)).
PRIME_BITS = 61
PRIME_MIN = 2**PRIME_BITS


def prime_count_lower_bound(bits: int = PRIME_BITS) -> int:
    """A lower bound on the number of primes in [2^bits, 2^(bits+1)): pi(x) > x/ln x for
    x >= 17 and pi(x) < 1.25506 x/ln x for x > 1 (Rosser and Schoenfeld, 1962), less 1%
    for the floating-point rounding.

    >>> prime_count_lower_bound(10), len(list(sp.primerange(2**10, 2**11)))
    (82, 137)
    """
    if bits < 5:
        raise ValueError("the prime range starts at 2^5 or above")
    hi, lo = 2.0 ** (bits + 1), 2.0**bits
    return int(0.99 * (hi / math.log(hi) - 1.25506 * lo / math.log(lo)))


#: At least this many primes lie in the default range (about 3.9e16).
PRIME_COUNT = prime_count_lower_bound()


class NotApplicable(Exception):
    """The expression is not a rational function of the latents with rational coefficients
    (a function such as ``sin``, ``exp``, ``Piecewise``, ``Max``, a fractional power, an
    irrational constant or a free symbol): the probabilistic mode does not apply."""


class BadSample(Exception):
    """A denominator vanished mod p at the sample (the point is redrawn) or a rational
    constant's denominator is divisible by p (the trial is given up)."""


@dataclass(frozen=True)
class Program:
    """A straight-line program for a list of rational functions.

    Attributes
    ----------
    ops
        Nodes in evaluation order: ``("const", a, b)`` (the rational a/b), ``("var", i)``,
        ``("add", ids)``, ``("mul", ids)``, ``("pow", id, k)``.
    outputs
        The node of each output.
    degrees
        Per output, ``(deg N, deg D)`` bounds.
    heights
        Per output, ``(log2 ||N||_1, log2 ||D||_1)`` upper bounds.
    nvars
        Number of latents.
    """

    ops: tuple[tuple, ...]
    outputs: tuple[int, ...]
    degrees: tuple[tuple[int, int], ...]
    heights: tuple[tuple[float, float], ...]
    nvars: int

    @property
    def denominator_degree(self) -> int:
        """A bound on the degree of the product of every output's denominator."""
        return sum(dd for _, dd in self.degrees)


def _log2_up(n: int) -> float:
    """An upper bound on log2(|n|) (0 for |n| <= 1)."""
    n = abs(n)
    return 0.0 if n <= 1 else float(n.bit_length())


def _log2_sum(a: float, b: float) -> float:
    """An upper bound on log2(2^a + 2^b)."""
    return max(a, b) + 1.0


def compile_program(exprs: Sequence[sp.Expr], latents: Sequence[sp.Symbol]) -> Program:
    """Compile rational expressions in ``latents`` into a :class:`Program`.

    Raises
    ------
    NotApplicable
        When an expression is not rational in the latents with rational coefficients.

    >>> x = sp.Symbol("x")
    >>> compile_program([1 / (x**2 + 1)], (x,)).degrees
    ((0, 2),)
    """
    index = {s: i for i, s in enumerate(latents)}
    ops: list[tuple] = []
    info: list[tuple[int, int, float, float]] = []  # deg N, deg D, log2 ||N||, log2 ||D||
    memo: dict[sp.Basic, int] = {}

    def emit(op: tuple, inf: tuple[int, int, float, float]) -> int:
        ops.append(op)
        info.append(inf)
        return len(ops) - 1

    def visit(e: sp.Basic) -> int:
        hit = memo.get(e)
        if hit is not None:
            return hit
        if e.is_Rational:
            a, b = int(e.p), int(e.q)
            node = emit(("const", a, b), (0, 0, _log2_up(a), _log2_up(b)))
        elif e.is_Symbol:
            if e not in index:
                raise NotApplicable(f"{e} is not a latent")
            node = emit(("var", index[e]), (1, 0, 0.0, 0.0))
        elif e.is_Add or e.is_Mul:
            kids = [visit(a) for a in e.args]
            dn, dd, ln, ld = info[kids[0]]
            for k in kids[1:]:
                kn, kd, kln, kld = info[k]
                if e.is_Add:
                    dn, ln = max(dn + kd, kn + dd), _log2_sum(ln + kld, kln + ld)
                else:
                    dn, ln = dn + kn, ln + kln
                dd, ld = dd + kd, ld + kld
            node = emit(("add" if e.is_Add else "mul", tuple(kids)), (dn, dd, ln, ld))
        elif e.is_Pow and e.exp.is_Integer:
            k = int(e.exp)
            base = visit(e.base)
            bn, bd, bln, bld = info[base]
            if k >= 0:
                inf = (k * bn, k * bd, k * bln, k * bld)
            else:
                inf = (-k * bd, -k * bn, -k * bld, -k * bln)
            node = emit(("pow", base, k), inf)
        else:
            raise NotApplicable(f"{type(e).__name__} is not a rational operation ({sp.sstr(e)[:60]})")
        memo[e] = node
        return node

    try:
        outs = tuple(visit(sp.sympify(e)) for e in exprs)
    except RecursionError as exc:  # pragma: no cover - absurdly deep trees
        raise NotApplicable("expression nested too deeply") from exc
    return Program(
        tuple(ops),
        outs,
        tuple((info[o][0], info[o][1]) for o in outs),
        tuple((info[o][2], info[o][3]) for o in outs),
        len(index),
    )


# -- the truncated algebra ---------------------------------------------------------------------
@lru_cache(maxsize=64)
def _algebra(n: int, order: int) -> tuple[tuple[int, ...], tuple[tuple[int, int, int], ...]]:
    """Square-free monomials in ``n`` nilpotent directions up to degree ``order`` (as bit
    masks, constant first) and the products ``(i, j, k)``: monomial i times j is k."""
    masks = tuple(sorted((m for m in range(1 << n) if bin(m).count("1") <= order), key=lambda m: (bin(m).count("1"), m)))
    where = {m: i for i, m in enumerate(masks)}
    pairs = tuple((i, j, where[a | b]) for i, a in enumerate(masks) for j, b in enumerate(masks) if not a & b and (a | b) in where)
    return masks, pairs


def evaluate(
    program: Program, p: int, point: Sequence[int], directions: Sequence[Sequence[int]], order: int
) -> list[list[int]]:
    """Every output of ``program`` at ``point + sum_j e_j directions[j]`` over ``F_p``,
    truncated to square-free monomials of degree ``<= order`` in the ``e_j``.

    An output is the list of its coefficients, indexed like the monomials of
    ``_algebra(len(directions), order)`` (constant first, then ``e_1 .. e_n``; with
    ``order = len(directions)`` the last is the coefficient of ``e_1 ... e_n``).

    Raises
    ------
    BadSample
        A value to invert is 0 mod p (or a constant's denominator is divisible by p).
    """
    n = len(directions)
    masks, pairs = _algebra(n, min(order, n))
    size = len(masks)
    unit = {1 << j: i for i, m in enumerate(masks) for j in range(n) if m == 1 << j}

    def mul(a, b):
        if isinstance(a, int):
            return a * b % p if isinstance(b, int) else [a * v % p for v in b]
        if isinstance(b, int):
            return [b * v % p for v in a]
        out = [0] * size
        for i, j, k in pairs:
            out[k] += a[i] * b[j]
        return [v % p for v in out]

    def inverse(a):
        if isinstance(a, int):
            if a == 0:
                raise BadSample("a denominator vanishes at the point")
            return pow(a, -1, p)
        if a[0] == 0:
            raise BadSample("a denominator vanishes at the point")
        b0 = pow(a[0], -1, p)
        nu = [0] + [(-v * b0) % p for v in a[1:]]  # -(a - a0)/a0, nilpotent
        total, term = [1] + [0] * (size - 1), [1] + [0] * (size - 1)
        for _ in range(min(order, n)):
            term = mul(term, nu)
            total = [(u + v) % p for u, v in zip(total, term)]
        return [b0 * v % p for v in total]

    def power(a, k):
        if k < 0:
            a, k = inverse(a), -k
        if isinstance(a, int):
            return pow(a, k, p)
        result: list[int] | int = 1
        while k:
            if k & 1:
                result = mul(result, a)
            k >>= 1
            if k:
                a = mul(a, a)
        return result

    values: list = []
    for op in program.ops:
        kind = op[0]
        if kind == "const":
            if op[2] % p == 0:
                raise BadSample("a constant's denominator is divisible by p")
            values.append(op[1] * pow(op[2], -1, p) % p)
        elif kind == "var":
            i = op[1]
            if n == 0:
                values.append(point[i] % p)
            else:
                v = [0] * size
                v[0] = point[i] % p
                for j, d in enumerate(directions):
                    v[unit[1 << j]] = d[i] % p
                values.append(v)
        elif kind == "add":
            acc: list[int] | int = 0
            for k in op[1]:
                b = values[k]
                if isinstance(acc, int) and isinstance(b, int):
                    acc = (acc + b) % p
                else:
                    if isinstance(acc, int):
                        acc = [acc] + [0] * (size - 1)
                    if isinstance(b, int):
                        acc = [(acc[0] + b) % p] + acc[1:]
                    else:
                        acc = [(u + v) % p for u, v in zip(acc, b)]
            values.append(acc)
        elif kind == "mul":
            acc = 1
            for k in op[1]:
                acc = mul(acc, values[k])
            values.append(acc)
        else:
            values.append(power(values[op[1]], op[2]))
    return [[values[o]] + [0] * (size - 1) if isinstance(values[o], int) else values[o] for o in program.outputs]


def random_prime(rng: random.Random, bits: int = PRIME_BITS) -> int:
    """A prime drawn uniformly from ``[2^bits, 2^(bits+1))`` (rejection sampling;
    ``sympy.isprime`` is deterministic below 2^64).  Small ``bits`` serve the tests of
    the bound, where false answers are frequent enough to be counted.

    >>> p = random_prime(random.Random(0))
    >>> 2**61 <= p < 2**62 and sp.isprime(p)
    True
    """
    while True:
        n = rng.randrange(2**bits, 2 ** (bits + 1)) | 1
        if sp.isprime(n):
            return n


def trial_bound(program: Program, output: int, order: int, bits: int = PRIME_BITS) -> Fraction:
    """An upper bound on the probability that one trial (primes drawn from
    ``[2^bits, 2^(bits+1))``) calls the ``order``-th directional derivative of ``output``
    zero when it is not identically zero (see the module docs).

    >>> x, y = sp.symbols("x y")
    >>> trial_bound(compile_program([x * y], (x, y)), 0, 1) < Fraction(1, 10**15)
    True
    """
    dn, dd = program.degrees[output]
    ln, ld = program.heights[output]
    d = max(program.nvars, 1)
    degree, height = dn, ln
    for j in range(order):
        height += ld + math.log2(max(1, d * degree + (j + 1) * d * dd))
        degree += dd
    content = Fraction(math.ceil(height / bits), prime_count_lower_bound(bits))
    resampled, p_min = program.denominator_degree, 2**bits
    if resampled >= p_min:
        return Fraction(1)
    root = Fraction(degree, p_min) / (1 - Fraction(resampled, p_min))
    return min(Fraction(1), content + root)


def float_up(x: Fraction) -> float:
    """The smallest float ``>= x`` (a bound stays a bound when printed).

    >>> float_up(Fraction(1, 3)) >= Fraction(1, 3)
    True
    """
    f = float(x)
    return f if Fraction(f) >= x else math.nextafter(f, math.inf)

"""Splitting a family of symmetric tensors into a direct sum: the centre of the family.

docs/mathematics.md section 7.7.  A factor is H_n-reducible at a point when its latent space
``E = T' + T''`` (both nonzero) splits so that every mixed n-th derivative of every output
vanishes: with ``A_t`` the symmetric n-tensor of the n-th derivatives of output ``t`` in the
factor's coordinates, ``A_t(x_1, ..., x_n) = 0`` whenever some ``x_i`` lie in ``T'`` and
others in ``T''``.

**The centre** of the family is ``Z = {phi : A_t(phi x, y, ...) = A_t(x, phi y, ...) for all t}``,
a linear space of matrices containing the identity.  For an idempotent ``P`` (the projector onto
``T'`` along ``T''``): the family splits along ``(im P, ker P)`` iff ``P`` lies in ``Z``
(``A(Px, (I-P)y, ...) = A(x, P(I-P)y, ...) = 0``; conversely a split family lets ``P`` move
between slots).  So the factor is reducible iff ``Z`` holds a nontrivial idempotent.

* If a nonzero ``v`` has ``A_t(v, ...) = 0`` for every ``t`` (the common kernel ``N``), the
  split ``T'' = N`` works: the factor is reducible.
* Otherwise, for ``n >= 3``, ``Z`` is a commutative associative algebra (Harrison, 1975):
  ``A(phi psi x, y, z, ...) = A(psi x, phi y, z, ...) = A(psi x, y, phi z, ...) = A(x, psi y, phi z, ...)
  = A(x, phi psi y, z, ...)``, which needs a third slot, and ``A(x, (phi psi - psi phi) y, ...) = 0``
  puts the commutator in ``N = 0``.  Its radical is ``{z : tr(z w) = 0 for all w in Z}`` (a
  commuting nilpotent has trace 0 against everything; conversely ``tr(z^k) = 0`` for all ``k``
  makes ``z`` nilpotent), and ``S = Z / rad Z`` is a product of number fields.  Idempotents lift
  from ``S`` to ``Z``, so the real splits correspond to the real components of ``S``: one per
  real root and one per pair of complex roots of the minimal polynomial of an element
  generating ``S`` (its square-free part has degree ``dim S``).  One component: irreducible.
  Several over the rationals: the primary decomposition of that element gives an exact rational
  split, re-checked on the tensors.  Several over the reals from one rational factor: the split
  is irrational and the answer is ``undecided``.

Everything is exact rational linear algebra; no solver is involved.

Examples
--------
>>> from fractions import Fraction as F
>>> cube = lambda a, b: {(0, 0, 0): F(6 * a ** 3), (0, 0, 1): F(6 * a * a * b), (0, 1, 1): F(6 * a * b * b), (1, 1, 1): F(6 * b ** 3)}
>>> x2y = {(0, 0, 1): F(2)}                                    # x^2 y: no direct sum
>>> centre_split([x2y], 2, 3).status
'irreducible'
>>> r = centre_split([cube(1, 1), cube(1, -1)], 2, 3)         # (x+y)^3, (x-y)^3: along (1, 1) and (1, -1)
>>> r.status, r.method
('reducible', 'harrison-centre')
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from theory.linalg.rational import QMatrix, independent_rows, mat_mul, nullspace, rank

__all__ = ["Tensor", "CentreSplit", "centre_split", "tensor_value", "mixed_vanish"]

#: A symmetric n-tensor on ``range(d)``: its entries by sorted index tuple (missing = 0).
Tensor = dict[tuple[int, ...], Fraction]
#: Elements of the centre tried before the answer is ``undecided`` (one almost always generates).
GENERATOR_TRIES = 24


@dataclass
class CentreSplit:
    """The answer of :func:`centre_split`.

    Attributes
    ----------
    status
        ``irreducible``, ``reducible`` or ``undecided``.
    method
        ``common-kernel`` (a direction every tensor ignores), ``harrison-centre``.
    split
        For ``reducible``: bases of ``T'`` and ``T''`` (exact, re-checked by :func:`mixed_vanish`).
    details
        ``dim_centre``, ``dim_radical``, ``components`` (real components of the semisimple part)
        and, for ``undecided``, ``reason``.
    """

    status: str
    method: str
    split: tuple[QMatrix, QMatrix] | None = None
    details: dict = field(default_factory=dict)


def tensor_value(A: Tensor, vectors: Sequence[Sequence[Fraction]]) -> Fraction:
    """``A(x_1, ..., x_n)`` for a symmetric tensor given by its sorted-index entries.

    >>> tensor_value({(0, 1): Fraction(1)}, [[Fraction(1), Fraction(0)], [Fraction(0), Fraction(1)]])
    Fraction(1, 1)
    """
    total = Fraction(0)
    d = len(vectors[0])
    for idx in itertools.product(range(d), repeat=len(vectors)):
        coef = Fraction(1)
        for v, i in zip(vectors, idx):
            coef *= v[i]
            if not coef:
                break
        if coef:
            total += coef * A.get(tuple(sorted(idx)), Fraction(0))
    return total


def mixed_vanish(tensors: Sequence[Tensor], first: QMatrix, second: QMatrix, n: int) -> bool:
    """Whether every tensor vanishes on every mixed tuple of basis vectors of ``first`` and ``second``."""
    basis = [(0, u) for u in first] + [(1, v) for v in second]
    for combo in itertools.combinations_with_replacement(range(len(basis)), n):
        sides = {basis[i][0] for i in combo}
        if len(sides) < 2:
            continue
        vectors = [basis[i][1] for i in combo]
        if any(tensor_value(A, vectors) != 0 for A in tensors):
            return False
    return True


def _entry(A: Tensor, idx: Sequence[int]) -> Fraction:
    return A.get(tuple(sorted(idx)), Fraction(0))


def _common_kernel(tensors: Sequence[Tensor], d: int, n: int) -> QMatrix:
    rows = []
    for A in tensors:
        for rest in itertools.combinations_with_replacement(range(d), n - 1):
            row = [_entry(A, (i, *rest)) for i in range(d)]
            if any(row):
                rows.append(row)
    return nullspace(rows, d) if rows else [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]


def _centre(tensors: Sequence[Tensor], d: int, n: int) -> list[QMatrix]:
    """A basis of ``Z`` as d x d matrices (unknown ``phi[l][i]`` at position ``l * d + i``)."""
    rows = []
    for A in tensors:
        for i in range(d):
            for j in range(i + 1, d):
                for rest in itertools.combinations_with_replacement(range(d), n - 2):
                    # A(phi e_i, e_j, rest) - A(e_i, phi e_j, rest) = sum_l phi[l][i] A[l, j, rest] - phi[l][j] A[i, l, rest]
                    row = [Fraction(0)] * (d * d)
                    for l in range(d):
                        row[l * d + i] += _entry(A, (l, j, *rest))
                        row[l * d + j] -= _entry(A, (i, l, *rest))
                    if any(row):
                        rows.append(row)
    flat = nullspace(rows, d * d) if rows else [[Fraction(int(k == m)) for m in range(d * d)] for k in range(d * d)]
    return [[[v[l * d + i] for i in range(d)] for l in range(d)] for v in flat]


def _trace(M: QMatrix) -> Fraction:
    return sum((M[i][i] for i in range(len(M))), Fraction(0))


def _combination(basis: Sequence[QMatrix], coef: Sequence[int]) -> QMatrix:
    d = len(basis[0])
    return [[sum((c * B[i][j] for c, B in zip(coef, basis)), Fraction(0)) for j in range(d)] for i in range(d)]


def _poly_at(poly: sp.Poly, M: QMatrix) -> QMatrix:
    """``poly(M)`` exactly (Horner)."""
    d = len(M)
    out = [[Fraction(0)] * d for _ in range(d)]
    for c in poly.all_coeffs():
        out = mat_mul(out, M)
        value = Fraction(int(sp.Rational(c).p), int(sp.Rational(c).q))
        for i in range(d):
            out[i][i] += value
    return out


def _minimal_polynomial(M: QMatrix, x: sp.Symbol) -> sp.Poly:
    """The minimal polynomial of a rational matrix: the first power of ``M`` dependent on the lower ones."""
    d = len(M)
    powers = [[[Fraction(int(i == j)) for j in range(d)] for i in range(d)]]
    while True:
        powers.append(mat_mul(powers[-1], M))
        flat = [[v for row in P for v in row] for P in powers]
        if rank(flat) < len(flat):
            # coefficients c with sum c_k M^k = 0, monic in the top power
            null = nullspace([[flat[k][e] for k in range(len(flat))] for e in range(d * d)], len(flat))
            c = null[0]
            top = c[-1]
            return sp.Poly([sp.Rational(v.numerator, v.denominator) / sp.Rational(top.numerator, top.denominator) for v in reversed(c)], x)


def centre_split(tensors: Sequence[Tensor], d: int, n: int, seed: int = 0) -> CentreSplit:
    """Whether the family of symmetric n-tensors on ``Q^d`` is a direct sum (see the module).

    Parameters
    ----------
    tensors
        The nonzero tensors (sorted-index entries, exact).
    d
        The dimension (``>= 2``).
    n
        The order (``>= 3``; for ``n = 2`` the centre need not be an algebra).
    seed
        Seed of the combinations tried as generators of the semisimple part.

    Returns
    -------
    CentreSplit
    """
    if n < 3:
        raise ValueError("the centre is an algebra for n >= 3 only (n = 2: docs/mathematics.md 7.6)")
    kernel = _common_kernel(tensors, d, n)
    if kernel:
        complement = _complement(kernel, d)
        if not complement:  # every tensor is zero: any split works
            e = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
            return CentreSplit("reducible", "common-kernel", ([e[0]], e[1:]), {"note": "every n-th derivative in the factor vanishes"})
        return CentreSplit("reducible", "common-kernel", (complement, kernel), {"dim_kernel": len(kernel)})
    Z = _centre(tensors, d, n)
    trace_form = [[_trace(mat_mul(Za, Zb)) for Za in Z] for Zb in Z]
    radical = nullspace(trace_form, len(Z))
    dim_s = len(Z) - len(radical)
    details: dict = {"dim_centre": len(Z), "dim_radical": len(radical)}
    if dim_s <= 1:
        return CentreSplit("irreducible", "harrison-centre", None, {**details, "components": 1})
    x = sp.Symbol("x")
    rng = random.Random(seed)
    for attempt in range(GENERATOR_TRIES):
        coef = [rng.randint(-3 - attempt, 3 + attempt) for _ in Z]
        a = _combination(Z, coef)
        mu = _minimal_polynomial(a, x)
        square_free = sp.Poly(sp.quo(mu.as_expr(), sp.gcd(mu.as_expr(), sp.diff(mu.as_expr(), x))), x)
        if square_free.degree() != dim_s:
            continue
        real_roots = sp.Poly(square_free, x).count_roots()
        components = real_roots + (square_free.degree() - real_roots) // 2
        details.update(components=components)
        if components == 1:
            return CentreSplit("irreducible", "harrison-centre", None, details)
        factors = [f for f, _ in sp.factor_list(square_free.as_expr(), x)[1]]
        if len(factors) < 2:
            return CentreSplit("undecided", "harrison-centre", None, {**details, "reason": "the split is defined over the reals only (an irrational idempotent); not re-verified"})
        first = sp.Poly(factors[0] ** d, x)
        rest = sp.Poly(sp.prod([f for f in factors[1:]]) ** d, x)
        T1 = nullspace(_poly_at(first, a), d)
        T2 = nullspace(_poly_at(rest, a), d)
        if len(T1) + len(T2) != d or not mixed_vanish(tensors, T1, T2, n):  # pragma: no cover - contradicts the theory
            return CentreSplit("undecided", "harrison-centre", None, {**details, "reason": "the primary decomposition failed its exact re-check"})
        return CentreSplit("reducible", "harrison-centre", (T1, T2), details)
    return CentreSplit("undecided", "harrison-centre", None, {**details, "reason": f"no element of {GENERATOR_TRIES} tried generates the semisimple part"})


def _complement(basis: QMatrix, d: int) -> QMatrix:
    """Coordinate vectors completing the independent ``basis`` to a basis of ``Q^d``."""
    identity = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    kept = independent_rows(list(basis) + identity)
    return [identity[i - len(basis)] for i in kept if i >= len(basis)]

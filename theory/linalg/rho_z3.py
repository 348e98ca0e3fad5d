"""The z3 engine of :func:`theory.linalg.rho.sparsity` (docs/mathematics.md section 5.4, method ``z3-lra-pb``).

Independent of the matroid code: every step is an optimisation in linear real arithmetic
with pseudo-Boolean objectives, solved by ``z3.Optimize``.

* Greedy step (columns ``C``, previous picks ``u_1..u_{k-1}``): real ``u_a`` for ``a`` in ``C``,
  Booleans ``b_i``; ``not b_i => J_i u = 0``; ``u`` outside the span of the picks is
  ``OR_r (A u)_r != 0`` with ``A`` a basis of the annihilator of the picks; minimise
  ``sum b_i``.  By fact F2 the greedy picks form a sparsest basis.
* Exchange step (only when ``rho* = rho+``): real ``x``, Booleans ``b_i`` and one-hot
  ``t_l``; ``not b_i => J_i x = 0``; ``x`` mixes (for every block some coordinate outside
  it is nonzero); ``t_l => (B*^-1 x)_l != 0``; minimise ``sum b_i - sum W_l t_l``
  (fact F4).  Then ``rho- = rho+ + optimum`` with witness ``B* - b_l + x``.

Models of linear real arithmetic are rational, so every pick is frozen exactly.

Examples
--------
>>> from theory.linalg.rational import to_fraction_matrix
>>> from theory.linalg.rho import sparsity
>>> r = sparsity(to_fraction_matrix([[1, 0], [0, 1], [1, 1], [1, 1]]), [[0], [1]], engine="z3")
>>> r.rho_plus, r.rho_minus, r.engine
(6, 5, 'z3')
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import z3

from theory.budget import Budget, BudgetExhausted
from theory.exact.smt import z3_fraction, z3_timeout_ms
from theory.linalg.rational import QMatrix, QVector, columns_of, inverse, mat_vec, nullspace, primitive_integer
from theory.linalg.sparsest_basis import greedy_then_exchange
from theory.linalg.sparsity_result import SparsityResult

__all__ = ["z3_engine", "z3_sparsest_basis"]


def _value(model: z3.ModelRef, var: z3.ArithRef) -> Fraction:
    v = model.eval(var, model_completion=True)
    return Fraction(v.numerator_as_long(), v.denominator_as_long())


def _linear(coeffs: Sequence[Fraction], xs: Sequence[z3.ArithRef]) -> z3.ArithRef:
    terms = [z3_fraction(c) * x for c, x in zip(coeffs, xs) if c != 0]
    return z3.Sum(terms) if terms else z3.RealVal(0)


def _optimize(opt: z3.Optimize, objective: z3.ArithRef, budget: Budget) -> z3.ModelRef:
    budget.check()
    remaining = budget.remaining()
    if remaining != float("inf"):
        opt.set("timeout", z3_timeout_ms(remaining))
    handle = opt.minimize(objective)
    answer = opt.check()
    if answer == z3.unknown:
        budget.check()
        raise BudgetExhausted(f"z3 gave up: {opt.reason_unknown()}")
    if answer != z3.sat:
        raise RuntimeError("z3 found the greedy step infeasible")  # cannot happen: picks < dim
    del handle
    return opt.model()


def _weights(J: Sequence[Sequence[Fraction]], m: int, xs: Sequence[z3.ArithRef], cols: Sequence[int]) -> tuple[z3.Optimize, list[z3.BoolRef]]:
    opt = z3.Optimize()
    bs = [z3.Bool(f"b{i}") for i in range(m)]
    for i in range(m):
        row = [J[i][a] for a in cols]
        if any(row):
            opt.add(z3.Implies(z3.Not(bs[i]), _linear(row, xs) == 0))
        else:
            opt.add(z3.Not(bs[i]))
    return opt, bs


def z3_sparsest_basis(J: Sequence[Sequence[Fraction]], columns: Sequence[int], d: int, budget: Budget) -> list[tuple[QVector, int]]:
    """A sparsest basis of ``span{e_a : a in columns}`` by greedy z3 steps, lightest first."""
    m = len(J)
    cols = list(columns)
    picks: list[QVector] = []
    out = []
    for step in range(len(cols)):
        us = [z3.Real(f"u{a}") for a in cols]
        opt, bs = _weights(J, m, us, cols)
        annihilator = nullspace(picks, len(cols)) if picks else [[Fraction(int(i == j)) for j in range(len(cols))] for i in range(len(cols))]
        opt.add(z3.Or([_linear(row, us) != 0 for row in annihilator]))
        model = _optimize(opt, z3.Sum([z3.If(b, 1, 0) for b in bs]), budget)
        u = [_value(model, x) for x in us]
        u = [Fraction(v) for v in primitive_integer(u)]
        picks.append(u)
        full = [Fraction(0)] * d
        for a, x in zip(cols, u):
            full[a] = x
        out.append((full, sum(1 for v in mat_vec(J, full) if v != 0)))
    return out


def _exchange(J: QMatrix, blocks: Sequence[Sequence[int]], Bstar: QMatrix, W: list[int], m: int, d: int, budget: Budget) -> tuple[int, QMatrix]:
    xs = [z3.Real(f"x{a}") for a in range(d)]
    opt, bs = _weights(J, m, xs, range(d))
    for block in blocks:
        inside = set(block)
        opt.add(z3.Or([xs[a] != 0 for a in range(d) if a not in inside]))
    Binv = inverse(columns_of(Bstar))
    ts = [z3.Bool(f"t{l}") for l in range(d)]
    for l in range(d):
        opt.add(z3.Implies(ts[l], _linear(Binv[l], xs) != 0))
    opt.add(z3.PbEq([(t, 1) for t in ts], 1))
    objective = z3.Sum([z3.If(b, 1, 0) for b in bs]) - z3.Sum([z3.If(t, W[l], 0) for l, t in enumerate(ts)])
    model = _optimize(opt, objective, budget)
    x = [Fraction(v) for v in primitive_integer([_value(model, v) for v in xs])]
    l = next(l for l, t in enumerate(ts) if z3.is_true(model.eval(t, model_completion=True)))
    basis = [list(b) for b in Bstar]
    basis[l] = x
    gap = sum(1 for v in mat_vec(J, x) if v != 0) - W[l]
    return gap, basis


def z3_engine(J: QMatrix, blocks: Sequence[Sequence[int]], m: int, d: int, budget: Budget, known: dict[str, Any]) -> SparsityResult:
    """rho+, rho-, rho* by z3 (see the module docstring); the result's witnesses are re-checked
    by :func:`theory.linalg.rho.verify_sparsity` in the caller."""
    return greedy_then_exchange(
        "z3",
        J,
        blocks,
        d,
        known,
        lambda columns: z3_sparsest_basis(J, columns, d, budget),
        lambda Bstar, W: _exchange(J, blocks, Bstar, W, m, d, budget),
    )

"""The limit on ``where(...)`` calls inside conditions (:class:`theory.io.safe_expr.Limits`).

sympy folds a Piecewise that stands in a condition into the condition, at a cost
exponential in how many are folded (eight ``where(...) > i`` joined by ``and`` in one
condition took about 20 s on one core).  Checked here:

* the pathological input is refused in well under a second, with a message that names the
  limit and how to raise it;
* the count is the number of where's inside conditions, nested ones included, over the whole
  text (domain conditions too); where's in branches never count; the shapes below are
  accepted exactly when their count (known by construction) is within the limit;
* what is accepted is the expression sympy builds from the same tree directly (``==``), with
  or without a raised limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import sympy as sp

from theory.errors import CaseFileError
from theory.io.safe_expr import Limits, parse_condition, parse_expression

S1, S2, S3 = sp.symbols("s1 s2 s3", real=True)
SYMBOLS = {"s1": S1, "s2": S2, "s3": S3}
LATENTS = (S1, S2, S3)


def _piece(i: int) -> tuple[str, sp.Expr]:
    """``where(s_a > i, s_b, i)`` as text and as the Piecewise sympy builds from it."""
    a, b = LATENTS[i % 3], LATENTS[(i + 1) % 3]
    return f"where({a} > {i}, {b}, {i})", sp.Piecewise((b, a > i), (i, True))


def _and_of_comparisons(k: int) -> tuple[str, Callable[[], sp.Expr]]:
    """``where(w_0 > 0 and ... and w_{k-1} > k-1, s1, s2)``: k where's in one condition; the
    text, and a function that builds the expression with sympy (slow for a large k)."""
    pieces = [_piece(i) for i in range(k)]
    text = "where(" + " and ".join(f"{t} > {i}" for i, (t, _) in enumerate(pieces)) + ", s1, s2)"
    return text, lambda: sp.Piecewise((S1, sp.And(*[sp.Gt(e, i) for i, (_, e) in enumerate(pieces)])), (S2, True))


def _chain(k: int) -> tuple[str, Callable[[], sp.Expr]]:
    """``where(where(... > s, ...) > s, ...)``: each where in the condition of the next (k counted)."""
    text = "s1"
    for j in range(k + 1):
        text = f"where({text} > {LATENTS[j % 3]} - {j}, s2*{j} + s3, s1 - {j})"

    def build() -> sp.Expr:
        expr = S1
        for j in range(k + 1):
            expr = sp.Piecewise((S2 * j + S3, sp.Gt(expr, LATENTS[j % 3] - j)), (S1 - j, True))
        return expr

    return text, build


def _branches(k: int) -> tuple[str, sp.Expr]:
    """k where's nested in branches (none counted)."""
    text, expr = "s1", S1
    for j in range(k):
        a = LATENTS[j % 3]
        text = f"where({a} > {j}, {text}, {text} + 1)" if j < 6 else f"where({a} > {j}, {text}, s2)"
        expr = sp.Piecewise((expr, a > j), (expr + 1, True)) if j < 6 else sp.Piecewise((expr, a > j), (S2, True))
    return text, expr


def _sums(k: int, copies: int) -> tuple[str, Callable[[], sp.Expr]]:
    """``copies`` terms, each a where with k where's in its condition: k * copies counted."""
    pieces = [[_piece(i + c) for i in range(k)] for c in range(copies)]
    texts = [f"where({' + '.join(t for t, _ in p) or '0'} > {c}, s1*{c + 1}, s3)" for c, p in enumerate(pieces)]
    return " + ".join(texts), lambda: sp.Add(
        *[sp.Piecewise((S1 * (c + 1), sp.Gt(sp.Add(*[e for _, e in p]), c)), (S3, True)) for c, p in enumerate(pieces)]
    )


SHAPES = {
    "and": lambda k: (k, _and_of_comparisons(k)),
    "chain": lambda k: (k, _chain(k)),
    "two terms": lambda k: (2 * k, _sums(k, 2)),
}


def test_the_pathological_condition_is_refused_quickly_naming_the_limit():
    text, _ = _and_of_comparisons(12)  # unbounded: far beyond minutes
    started = time.perf_counter()
    with pytest.raises(CaseFileError) as info:
        parse_expression(text, SYMBOLS)
    assert time.perf_counter() - started < 2
    message = str(info.value)
    assert "more than 4 where(...) calls inside conditions" in message
    assert "Limits(where_in_conditions=...)" in message and "\n" not in message


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("limit", [0, 1, 2, 4])
def test_accepted_exactly_within_the_limit_and_built_as_sympy_builds_it(shape, limit):
    for k in range(1, 5):
        count, (text, expected) = SHAPES[shape](k)
        if count > limit:
            with pytest.raises(CaseFileError, match=f"the limit is Limits.where_in_conditions = {limit}"):
                parse_expression(text, SYMBOLS, Limits(where_in_conditions=limit))
        else:
            assert parse_expression(text, SYMBOLS, Limits(where_in_conditions=limit)) == expected(), (shape, k, text)


def test_a_raised_limit_builds_what_sympy_builds():
    text, expected = _and_of_comparisons(5)
    with pytest.raises(CaseFileError):
        parse_expression(text, SYMBOLS)
    assert parse_expression(text, SYMBOLS, Limits(where_in_conditions=5)) == expected()


def test_where_in_branches_never_count():
    text, expected = _branches(40)
    assert parse_expression(text, SYMBOLS, Limits(where_in_conditions=0)) == expected


def test_where_in_a_domain_condition_counts():
    inside = " and ".join(f"{_piece(i)[0]} > {i}" for i in range(3))
    expected = sp.And(*[sp.Gt(_piece(i)[1], i) for i in range(3)])
    assert parse_condition(inside, SYMBOLS, Limits(where_in_conditions=3)) == expected
    with pytest.raises(CaseFileError, match="the limit is Limits.where_in_conditions = 2"):
        parse_condition(inside, SYMBOLS, Limits(where_in_conditions=2))


# -- kinks inside conditions ---------------------------------------------------------------------
def _sum_of_abs(k: int) -> tuple[str, sp.Expr]:
    """``where(|s1 - 0| + ... + |s1 - (k-1)| > 3, s2, 0)``: k kinks in one condition (the checks'
    Piecewise normal form folds each into it: 8 took 13 s, 9 exhausted the recursion limit)."""
    text = "where(" + " + ".join(f"Abs(s1 - {i})" for i in range(k)) + " > 3, s2, 0)"
    return text, sp.Piecewise((S2, sp.Add(*[sp.Abs(S1 - i) for i in range(k)]) > 3), (0, True))


@pytest.mark.parametrize("k", [0, 1, 5, 6, 7])
def test_kinks_in_conditions_accepted_exactly_within_the_limit(k: int) -> None:
    text, expected = _sum_of_abs(k) if k else ("where(s1 > 3, s2, 0)", sp.Piecewise((S2, S1 > 3), (0, True)))
    if k <= Limits().kinks_in_conditions:
        assert parse_expression(text, SYMBOLS) == expected
    else:
        with pytest.raises(CaseFileError, match=r"Limits\.kinks_in_conditions = 6"):
            parse_expression(text, SYMBOLS)
        assert parse_expression(text, SYMBOLS, Limits(kinks_in_conditions=k)) == expected


def test_many_kinks_in_a_condition_are_refused_at_once() -> None:
    text, _ = _sum_of_abs(40)
    start = time.perf_counter()
    with pytest.raises(CaseFileError, match="raise the limit"):
        parse_expression(text, SYMBOLS)
    assert time.perf_counter() - start < 2


def test_kinks_count_max_arguments_and_domain_conditions_but_not_branches() -> None:
    limits = Limits(kinks_in_conditions=2)
    parse_expression("where(Max(s1, s2, 0) > 1, s1, 0)", SYMBOLS, limits)  # Max of 3: 2 kinks
    with pytest.raises(CaseFileError, match="kinks"):
        parse_expression("where(Max(s1, s2, 0) + sign(s3) > 1, s1, 0)", SYMBOLS, limits)
    with pytest.raises(CaseFileError, match="kinks"):
        parse_condition("Abs(s1) + Abs(s2) + Heaviside(s3) <= 1", SYMBOLS, limits)
    branches = " + ".join(f"Abs(s1 - {i})" for i in range(30))
    assert parse_expression(f"where(s1 > 0, {branches}, Min(s1, s2, s3, 0))", SYMBOLS, Limits(kinks_in_conditions=0)) is not None


def test_huge_literals_and_long_max_are_refused_before_the_costly_step():
    """A 10**6-digit literal passed the length limit and took 10 s in ast.parse before the
    digit limit refused it; Max of 100 arguments took 21 s in sympy's constructor."""
    from theory.errors import CaseFileError
    from theory.io.safe_expr import Limits, parse_expression

    s1 = sp.Symbol("s1", real=True)
    with pytest.raises(CaseFileError, match="number literal has 401 characters or more"):
        parse_expression("s1 + " + "9" * 401, {"s1": s1})
    with pytest.raises(CaseFileError, match="number literal has"):  # grouped by underscores
        parse_expression("s1 + " + "_".join(["9" * 300] * 3), {"s1": s1})
    assert parse_expression("s1 + " + "9" * 400, {"s1": s1}) == s1 + int("9" * 400)
    many = "Max(" + ", ".join(f"{k}*s1 - {k * k}" for k in range(1, 34)) + ")"
    with pytest.raises(CaseFileError, match="Max\\(\\) has 33 arguments"):
        parse_expression(many, {"s1": s1})
    assert isinstance(parse_expression(many, {"s1": s1}, Limits(arguments=33)), sp.Max)
    # nested Max is flattened by sympy into one: the count is after flattening
    nested = "Max(" + ", ".join("Max(" + ", ".join(f"{k + 20 * j}*s1 - {(k + 20 * j) ** 2}" for k in range(1, 21)) + ")" for j in range(2)) + ")"
    with pytest.raises(CaseFileError, match="Max\\(\\) has 40 arguments, nested ones included"):
        parse_expression(nested, {"s1": s1})

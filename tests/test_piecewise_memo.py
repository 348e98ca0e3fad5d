"""The memoised piecewise rewritings equal the plain ones (theory.model.piecewise).

A derivative table rewrites all outputs of a generator with one shared memo per step
(normal form, piece selection, interior form); the memo must not change any result, also
when the outputs share subexpressions in different contexts and when a node recurs after
its arguments were rewritten.
"""

import random

import sympy as sp

from theory.model.domain import Box
from theory.model.piecewise import interior_form, piecewise_normal_form, select_pieces

x, y, z = sp.symbols("x y z", real=True)
BOX = Box({x: (-1, 1), y: (0, 2), z: (sp.Rational(1, 3), 3)})


def _random_expr(rng: random.Random, depth: int) -> sp.Expr:
    leaves = [x, y, z, x - y, 2 * z - 1, y - 3, sp.Rational(rng.randint(-3, 3), rng.randint(1, 4))]
    if depth == 0:
        return rng.choice(leaves)
    a, b = _random_expr(rng, depth - 1), _random_expr(rng, depth - 1)
    op = rng.randrange(9)
    if op == 0:
        return sp.Abs(a)
    if op == 1:
        return sp.Max(a, b)
    if op == 2:
        return sp.Min(a, b, x)
    if op == 3:
        return sp.Heaviside(a) * b
    if op == 4:
        return sp.sign(a) + b
    if op == 5:
        return sp.Piecewise((a, sp.Eq(b, 0)), (b, True))
    if op == 6:
        return a * b
    return a + b


def test_memoised_rewritings_equal_plain_ones_on_shared_outputs():
    rng = random.Random(5)
    changed = 0
    for _ in range(6):
        shared = [_random_expr(rng, 2) for _ in range(3)]
        outputs = [rng.choice(shared) * rng.choice(shared) + _random_expr(rng, 2) for _ in range(4)] + shared
        normal_memo, selected_memo, interior_memo = {}, {}, {}
        for o in outputs:
            plain = piecewise_normal_form(o)
            assert piecewise_normal_form(o, normal_memo) == plain
            selected = select_pieces(plain, BOX)
            assert select_pieces(plain, BOX, selected_memo) == selected
            assert interior_form(selected, interior_memo) == interior_form(selected)
            changed += plain != o
    assert changed > 10  # the rewriting did work on most outputs
    assert normal_memo and selected_memo


def test_normal_form_memo_is_shared_across_outputs():
    unit = sp.Max(x / 100, x)
    memo: dict = {}
    first = piecewise_normal_form(unit + y, memo)
    second = piecewise_normal_form(2 * unit - z, memo)
    (pw1,), (pw2,) = first.atoms(sp.Piecewise), second.atoms(sp.Piecewise)
    assert pw1 is pw2  # the unit was rewritten once, its Piecewise reused
    assert first - y == (second + z) / 2 == piecewise_normal_form(unit)

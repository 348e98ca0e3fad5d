"""Nine kinks in one Piecewise condition, written in sympy directly (a TOML case file refuses
more than six): the checks' Piecewise normal form would fold each Abs into the condition at a
cost exponential in their number (past Python's recursion limit here).  The normal form refuses
more than eight (``too-complex``, at once); before, every check ran out of its budget
rebuilding it, and the C^1 note of the global verdicts built it outside any budget and crashed
the whole command with a RecursionError."""

import sympy as sp

from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)
cond = sp.Add(*[sp.Abs(s1 - i) for i in range(9)]) > 3

GENERATOR = Generator(
    name="kinks-in-condition",
    factors=[[s1], [s2]],
    outputs=[s1, s2, sp.Piecewise((s2, cond), (0, True))],
    domain=Box({s1: (-1, 1), s2: (0, 1)}),
    points=[{s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)}],
)

"""Hostile: 3000 nested sin: too deep for sympy to even build the generator."""
import sympy as sp
from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
expr = s1
for _ in range(3000):
    expr = sp.sin(expr + s2)
GENERATOR = Generator("deep", [[s1], [s2]], [s1, s2, expr], BOX)

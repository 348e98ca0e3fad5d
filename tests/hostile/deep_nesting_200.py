"""Hostile: 200 nested sin: sympy can hold it; checks answer or say too-deep within budget."""
import sympy as sp
from theory import Box, Generator
s1, s2 = sp.symbols("s1 s2", real=True)
expr = s1
for _ in range(200):
    expr = sp.sin(expr + s2)
GENERATOR = Generator("deep200", [[s1], [s2]], [s1, s2, expr], Box({s1: (-1, 1), s2: (-1, 1)}))

import sympy as sp
from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
f = sp.Function("f")
GENERATOR = Generator("undefined-function", [[s1], [s2]], [f(s1) + s2, sp.Derivative(s1**2, s1)], BOX)

import sympy as sp
from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
other = sp.Dummy("s1", real=True)  # a different symbol with the same name
GENERATOR = Generator("same-name", [[s1], [other]], [s1 + other], BOX)

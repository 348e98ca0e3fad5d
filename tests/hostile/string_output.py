import sympy as sp
from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
GENERATOR = Generator("string", [[s1], [s2]], ["s1 + s2"], BOX)

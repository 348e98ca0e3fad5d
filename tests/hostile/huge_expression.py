import sympy as sp
from theory import Box, Generator

s1, s2 = sp.symbols("s1 s2", real=True)
BOX = Box({s1: (-1, 1), s2: (-1, 1)})
# about 1e5 operations: 20,000 distinct monomials of 5 operations each, and a transcendental row
_big = sp.Add(*[sp.Rational(k + 1, k + 2) * s1 ** (k % 50) * s2 ** (k // 50) for k in range(20000)])
GENERATOR = Generator("huge", [[s1], [s2]], [s1, s2, _big, sp.exp(s1) * _big], BOX)

"""Hostile: a coefficient too large for sympy's evaluation (mpmath overflows)."""
import sympy as sp
from theory import Generator

s1, s2 = sp.symbols("s1 s2", real=True)
C = sp.exp(sp.exp(sp.exp(sp.exp(sp.exp(10)))))
GENERATOR = Generator("exp-tower", [[s1], [s2]], [s1, s2, s1 + s2 + C * s1 * s2])

"""Hostile: a point with 4,000-digit rationals."""
import sympy as sp
from theory import Generator

s1, s2 = sp.symbols("s1 s2", real=True)
N = sp.Integer(10) ** 3999 + 1
GENERATOR = Generator("huge-point", [[s1], [s2]], [s1, s2, s1 + s2**2], points=[{s1: 1 / N, s2: N / (N + 2)}])

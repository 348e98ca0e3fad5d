"""Hostile (carried through): a 5,000-digit integer coefficient."""
import sympy as sp
from theory import Generator

s1, s2 = sp.symbols("s1 s2", real=True)
C = sp.Integer(10) ** 4999 + 7
GENERATOR = Generator("huge-integer-coefficient", [[s1], [s2]], [s1, s2, s1 + C * s2 + C * s1**2])

"""Hostile (carried through): a Float with a huge exponent, read as the decimal it prints as."""
import sympy as sp
from theory import Generator

s1, s2 = sp.symbols("s1 s2", real=True)
GENERATOR = Generator("huge-float-exponent", [[s1], [s2]], [s1, s2, s1 + sp.Float("1e100000") * s2])

"""Hostile: a sympy Wild (a pattern) as a latent."""
import sympy as sp
from theory import Generator

s1 = sp.Wild("s1", real=True)
s2 = sp.Symbol("s2", real=True)
GENERATOR = Generator("wild-latent", [[s1], [s2]], [s1, s2, s1 * s2])

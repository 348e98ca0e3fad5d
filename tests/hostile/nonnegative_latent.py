"""Hostile: a nonnegative latent; sympy would rewrite Abs(s1) to s1."""
import sympy as sp
from theory import Box, Generator

s1 = sp.Symbol("s1", nonnegative=True)
s2 = sp.Symbol("s2", real=True)
GENERATOR = Generator("nonnegative-latent", [[s1], [s2]], [s1, s2, sp.Abs(s1) + s2], Box({s1: (-1, 1), s2: (-1, 1)}))

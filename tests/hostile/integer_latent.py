"""Hostile: an integer latent; sympy would rewrite sin(pi*s1) to 0 before any check."""
import sympy as sp
from theory import Box, Generator

s1 = sp.Symbol("s1", integer=True)
s2 = sp.Symbol("s2", real=True)
GENERATOR = Generator("integer-latent", [[s1], [s2]], [s1, s2, sp.sin(sp.pi * s1) * s2], Box({s1: (-1, 1), s2: (-1, 1)}))

"""Hostile: a positive latent; sympy would rewrite sqrt(s1**2) to s1 on a box where s1 < 0."""
import sympy as sp
from theory import Box, Generator

s1 = sp.Symbol("s1", positive=True)
s2 = sp.Symbol("s2", real=True)
GENERATOR = Generator("positive-latent", [[s1], [s2]], [s1, s2, sp.sqrt(s1**2) * s2], Box({s1: (-1, 1), s2: (-1, 1)}))

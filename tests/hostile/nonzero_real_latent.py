"""Hostile: a real latent that also claims nonzero=True (a derived assumption sympy uses)."""
import sympy as sp
from theory import Box, Generator

s1 = sp.Symbol("s1", real=True, nonzero=True)
s2 = sp.Symbol("s2", real=True)
GENERATOR = Generator("nonzero-latent", [[s1], [s2]], [s1, s2, sp.sign(s1) * s2], Box({s1: (-1, 1), s2: (-1, 1)}))

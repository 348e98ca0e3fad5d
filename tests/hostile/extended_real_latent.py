"""Hostile: an extended-real latent (may be +-oo): not real."""
import sympy as sp
from theory import Generator

s1 = sp.Symbol("s1", extended_real=True)
s2 = sp.Symbol("s2", real=True)
GENERATOR = Generator("extended-real-latent", [[s1], [s2]], [s1, s2, s1 * s2])

"""Hostile: a latent that is not declared real."""
import sympy as sp
from theory import Generator

z = sp.Symbol("z", complex=True)
w = sp.Symbol("w")
GENERATOR = Generator("complex", [[z], [w]], [z * w])

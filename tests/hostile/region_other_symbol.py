"""Hostile: the region condition uses a positive s1, not the real latent s1."""
import sympy as sp
from theory import Box, Generator, Region

s1, s2 = sp.symbols("s1 s2", real=True)
p1 = sp.Symbol("s1", positive=True)
GENERATOR = Generator("region-other-symbol", [[s1], [s2]], [s1, s2], Region(Box({s1: (-1, 1), s2: (-1, 1)}), p1**2 + s2**2 < 1))

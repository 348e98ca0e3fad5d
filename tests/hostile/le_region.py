"""Hostile: a region with a non-strict inequality (a closed disc: not open)."""
import sympy as sp
from theory import Box, Generator, Region

s1, s2 = sp.symbols("s1 s2", real=True)
GENERATOR = Generator("le-region", [[s1], [s2]], [s1, s2, s1 * s2], Region(Box({s1: (-2, 2), s2: (-2, 2)}), s1**2 + s2**2 <= 1))

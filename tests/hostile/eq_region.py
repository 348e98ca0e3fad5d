"""Hostile: a region with an equality condition (a line: not open)."""
import sympy as sp
from theory import Box, Generator, Region

s1, s2 = sp.symbols("s1 s2", real=True)
GENERATOR = Generator("eq-region", [[s1], [s2]], [s1, s2, s1 * s2], Region(Box({s1: (-1, 1), s2: (-1, 1)}), sp.Eq(s1, 0)))

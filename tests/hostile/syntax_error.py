"""Hostile: a syntax error."""
import sympy as sp
GENERATOR = Generator(name="broken", factors=[[s1]

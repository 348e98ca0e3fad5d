"""Hostile: defines no generator."""
import sympy as sp

s1 = sp.Symbol("s1", real=True)
OUTPUTS = [s1]

"""Hostile: the file raises while it is loaded."""
import sympy as sp

s1 = sp.Symbol("s1", real=True)
ratio = 1 / 0

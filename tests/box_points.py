"""Seeded exact points inside a generator's domain box, for the tests' independent checks."""

from __future__ import annotations

import random

import sympy as sp


def box_points(g, n: int, seed: int) -> list[dict]:
    """``n`` rational points strictly inside the bounding box of ``g``'s domain (seeded).

    >>> s = sp.Symbol("s", real=True)
    >>> from theory import Box, Generator
    >>> g = Generator("g", [[s]], [s], Box({s: (0, 1)}))
    >>> all(0 < p[s] < 1 for p in box_points(g, 5, seed=0))
    True
    """
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        point = {}
        for s in g.latents:
            lo, hi = g.domain.interval(s)
            point[s] = lo + (hi - lo) * sp.Rational(rng.randint(1, 96), 97)
        out.append(point)
    return out

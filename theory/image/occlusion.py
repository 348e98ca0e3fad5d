"""Composition of sprites into pixels, with occlusion by depth order.

Without occlusion a pixel is the sum of the sprites: ``g = sum_k A_k``.  With occlusion the
objects are listed front to back and each one's opacity (its profile ``M_k = phi_k``, in
``[0, 1]``) hides what lies behind it: ``g = sum_k A_k prod_{j < k} (1 - M_j)`` (alpha
compositing).  Since the factors of one term depend on disjoint sets of latents (one object
each), a derivative ``d^alpha`` splits by object: the term of object ``k`` contributes
``d^{alpha_k} A_k * prod_{j < k} d^{alpha_j} (1 - M_j)`` when every object ``alpha`` touches is
``k`` or in front of it, and nothing otherwise.

Examples
--------
>>> import sympy as sp
>>> a1, a2, m1, m2 = sp.symbols("a1 a2 m1 m2")
>>> composite([a1, a2], [m1, m2], occlusion=True)
a1 + a2*(1 - m1)
>>> composite([a1, a2], [m1, m2], occlusion=False)
a1 + a2
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy as sp

__all__ = ["composite", "composite_derivative"]


def composite(values: Sequence[sp.Expr], masks: Sequence[sp.Expr], occlusion: bool) -> sp.Expr:
    """The pixel from its objects' values and opacities (front to back)."""
    if not occlusion:
        return sp.Add(*values)
    terms, behind = [], sp.S.One
    for value, mask in zip(values, masks):
        terms.append(value * behind)
        behind = behind * (1 - mask)
    return sp.Add(*terms)


def composite_derivative(
    objects: Sequence[int],
    parts: dict[int, tuple[int, ...]],
    value: Callable[[int, tuple[int, ...]], object],
    mask: Callable[[int, tuple[int, ...]], object],
    occlusion: bool,
) -> object:
    """``d^alpha g`` at one pixel, from its objects' derivatives.

    Parameters
    ----------
    objects
        The objects that reach the pixel, front to back.
    parts
        ``alpha`` split by object: ``{object: multi-index into its latents}`` (nonempty parts only).
    value, mask
        ``value(k, beta)`` = ``d^beta A_k``, ``mask(k, beta)`` = ``d^beta M_k`` at the pixel and point.
    occlusion
        Whether front objects hide those behind.

    >>> composite_derivative([0, 1], {1: (0,)}, lambda k, b: 2 if b else 5, lambda k, b: 1 / 4 if not b else 1, True)
    1.5
    """
    if any(k not in objects for k in parts):
        return 0
    if not occlusion:
        if len(parts) > 1:
            return 0
        if not parts:
            return sum((value(k, ()) for k in objects), 0)
        (k, beta), = parts.items()
        return value(k, beta)
    total = 0
    for i, k in enumerate(objects):
        front = objects[:i]
        if any(j not in front and j != k for j in parts):
            continue
        term = value(k, parts.get(k, ()))
        if term == 0:
            continue
        for j in front:
            beta = parts.get(j)
            term = term * ((1 - mask(j, ())) if beta is None else -mask(j, beta))
            if term == 0:
                break
        total = total + term
    return total

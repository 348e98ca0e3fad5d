"""Image generators: object-centric scenes whose pixels are sums of object sprites.

A user writes a scene as objects on a pixel grid (:class:`ImageGenerator`): each object is a
:class:`Sprite` (a radial profile such as a compact C^2 :class:`Bump` or a :class:`Gaussian`
blob) whose position (or one coordinate of it), and optionally brightness and scale, are latents; objects may occlude
one another in depth order.  The generator is a :class:`theory.Generator`, so every check
runs on it, but its Jacobian supports, exact derivatives at points and cross-derivative
structure are computed per sprite and per pixel range, not per output expression
(docs/image-generators.md).

Modules: :mod:`~theory.image.profiles` (radial profiles), :mod:`~theory.image.sprites` (one
object), :mod:`~theory.image.grid` (the pixel grid and exact reach of a sprite over a box),
:mod:`~theory.image.occlusion` (depth-order composition), :mod:`~theory.image.generator`
(the generator), :mod:`~theory.image.table` (structured derivatives),
:mod:`~theory.image.black_box` (the independent guard's values), :mod:`~theory.image.cover`
(exact geometric certificates and witness points), :mod:`~theory.image.rank` (rank and
irreducibility certificates from lattice geometry), :mod:`~theory.image.spanning` (Theorem 3's
spanning condition per pixel), :mod:`~theory.image.checks` (the checks that use the structure).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["Bump", "Gaussian", "Sprite", "PixelGrid", "ImageGenerator"]

_HOME = {
    "Bump": "theory.image.profiles",
    "Gaussian": "theory.image.profiles",
    "Sprite": "theory.image.sprites",
    "PixelGrid": "theory.image.grid",
    "ImageGenerator": "theory.image.generator",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'theory.image' has no attribute {name!r}")

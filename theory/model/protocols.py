"""What the objects derived from a generator read from it: :class:`GeneratorLike`.

:class:`theory.model.derivatives.DerivativeTable` and :class:`theory.model.guard.BlackBox`
are built from a :class:`theory.model.generator.Generator`, which in turn builds them on
first use.  They are typed against this protocol instead of the class itself, so the
generator module sits above them in the import graph and nothing imports in a circle.

Examples
--------
>>> import sympy as sp
>>> from theory.model.generator import Generator
>>> s = sp.Symbol("s", real=True)
>>> isinstance(Generator("g", [[s]], [s**2]), GeneratorLike)
True
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import sympy as sp

from theory.model.domain import Domain

__all__ = ["GeneratorLike"]


@runtime_checkable
class GeneratorLike(Protocol):
    """A generator as its derived objects see it: name, latents, outputs and domain.

    :class:`theory.model.generator.Generator` satisfies it; so does any object with these
    four (read-only) attributes.
    """

    @property
    def name(self) -> str:
        """Short identifier used in messages."""
        ...

    @property
    def latents(self) -> tuple[sp.Symbol, ...]:
        """The latent symbols, in column order."""
        ...

    @property
    def outputs(self) -> tuple[sp.Expr, ...]:
        """One exact expression per observed coordinate."""
        ...

    @property
    def domain(self) -> Domain:
        """The open domain the latents range over."""
        ...

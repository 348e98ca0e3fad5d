"""``linecache.checkcache`` with the garbage collector paused (installed by tests/conftest.py)."""

from __future__ import annotations

import gc
from collections.abc import Callable


def checkcache_without_collection(checkcache: Callable[..., None]) -> Callable[..., None]:
    """``checkcache`` with the garbage collector paused while it runs.

    Every doctest starts with ``pdb``'s reset, which calls ``linecache.checkcache()``: it lists
    the cache's keys, then reads each entry.  sympy's ``lambdify`` puts its generated source in
    that cache and removes it with a ``weakref.finalize`` when the function dies.  A collection
    that runs between the listing and a read (CPython 3.11) frees such a function and its entry:
    ``KeyError: '<lambdifygenerated-N>'`` (CI #13, the doctest of theory/model/piecewise.py).
    With the collector paused, no finalizer runs inside the loop; the entries go at the next
    collection instead.  tests/conftest.py installs it for the session.

    >>> seen = []
    >>> checkcache_without_collection(lambda filename=None: seen.append(gc.isenabled()))()
    >>> seen, gc.isenabled()
    ([False], True)
    """

    def paused(filename: str | None = None) -> None:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return checkcache(filename)
        finally:
            if enabled:
                gc.enable()

    return paused

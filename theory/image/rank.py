"""Rank certificates of an object's Jacobian block on the whole domain, from lattice geometry.

Where pixel ``t`` lies strictly inside the support of object ``i``'s sprite for every position
of its box (``t`` *covered*, :mod:`theory.image.grid`), the sprite's partials there are

* brightness ``b``: ``intensity * phi(u)``, nonzero (``phi > 0`` inside the support);
* position ``x``, ``y``: ``c(u) * (X - x)`` and ``c(u) * (Y - y)`` with
  ``c(u) = -2 intensity b phi'(u) / (rho s)^2``, nonzero (``phi' < 0`` inside the support, and
  the brightness box excludes 0).

So, on rows where the block's columns are those of the sprite alone (every pixel of a sum of
sprites; with occlusion, the pixels no other object reaches), a block made of one object's
latents has, at every point of the domain:

* ``{b}``: a nonzero column as soon as one such row is covered;
* ``{x}`` (``{y}``): a nonzero column as soon as one covered row has ``X <= x_lo`` or
  ``X >= x_hi`` (``x`` ranges over the open interval);
* ``{x, y}``: rows proportional to the offsets ``(X - x, Y - y)`` of the pixel centres from the
  position (the offset of a pixel at the position itself is 0).  Three covered pixels that are
  not collinear give rank 2: a line through the position holding all three would make them
  collinear, and from one of them the other two lie in two directions.  Five covered pixels
  with no three collinear give at least three directions: a line through the position holds
  at most two of them (at most one besides the position itself, when it is one of them), and
  two lines hold at most four.  For a 2-D block, full rank and three directions among the
  nonzero rows is a connected row matroid: D-irreducibility (docs/mathematics.md 7.2).

A certificate names its rows; everything is exact integer and rational geometry.

**Immersion.**  Order the blocks; if every block ``k`` has certificate rows that no object of
a later block reaches anywhere on the box, the rows of the certificates form a block lower
triangular matrix with full-rank diagonal blocks: rank J = d at every point of the domain.

Examples
--------
>>> import sympy as sp
>>> from theory import Box
>>> from theory.image import Bump, ImageGenerator, Sprite
>>> x1, y1 = sp.symbols("x1 y1", real=True)
>>> g = ImageGenerator("one", (9, 9), [Sprite(Bump(3), x1, y1)], Box({x1: (4, 5), y1: (4, 5)}))
>>> len(block_certificate(g, 0, "rank")["rows"]), len(block_certificate(g, 0, "irreducible")["rows"])
(3, 5)
"""

from __future__ import annotations

from collections.abc import Iterable

from theory.image.cover import _brightness_nonzero

__all__ = ["block_certificate", "immersion_certificate", "block_object", "STARTS"]

#: Starting pixels the greedy search for pixels in general position tries.
STARTS = 8


def block_object(g, k: int) -> int | None:
    """The object whose latents make up block ``k`` (all of them one object's), else ``None``."""
    owners = {g.owner.get(a, (None,))[0] for a in g.blocks[k]}
    return owners.pop() if len(owners) == 1 and None not in owners else None


def _rows(g, i: int, avoid: Iterable[int] = ()) -> set[int]:
    """Covered pixels of object ``i`` where the block's columns are its sprite's partials,
    reached by no object of ``avoid``."""
    rows = set(g.covered[i])
    if g.occlusion:
        rows = {t for t in rows if g.pixel_objects[t] == (i,)}
    for j in avoid:
        if j != i:
            rows -= g.reached[j]
    return rows


def _collinear(a: tuple[int, int], b: tuple[int, int], c: tuple[int, int]) -> bool:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]) == 0


def _general_position(g, rows: set[int], size: int) -> list[int] | None:
    """``size`` pixels of ``rows`` no three of whose centres are collinear (greedy, nearest
    a starting pixel first, from at most :data:`STARTS` starting pixels), or ``None``."""
    ordered = sorted(rows)
    for start in ordered[:STARTS]:
        s0 = g.grid.centre(start)
        chosen = [start]
        for t in sorted(ordered, key=lambda u: (g.grid.centre(u)[0] - s0[0]) ** 2 + (g.grid.centre(u)[1] - s0[1]) ** 2):
            c = g.grid.centre(t)
            if t in chosen or any(_collinear(g.grid.centre(a), g.grid.centre(b), c) for i, a in enumerate(chosen) for b in chosen[i + 1 :]):
                continue
            chosen.append(t)
            if len(chosen) == size:
                return chosen
    return None


def block_certificate(g, k: int, what: str = "rank", avoid: Iterable[int] = ()) -> dict | None:
    """Rows proving that block ``k`` has full column rank (``what="rank"``) or is
    D-irreducible (``what="irreducible"``) at every point of the domain, using only pixels no
    object of ``avoid`` reaches; ``None`` when this geometry gives no certificate."""
    i = block_object(g, k)
    if i is None:
        return None
    sprite = g.objects[i]
    kinds = {sprite.x: "x", sprite.y: "y", sprite.brightness: "brightness", sprite.scale: "scale"}
    latents = sorted(kinds[g.latents[a]] for a in g.blocks[k])
    rows = _rows(g, i, avoid)
    if latents == ["brightness"]:
        chosen = sorted(rows)[:1]
    elif not _brightness_nonzero(g, i):
        return None
    elif latents in (["x"], ["y"]):
        which = latents[0]
        lo, hi = g.boxes[i][getattr(sprite, which)]
        chosen = [t for t in sorted(rows) if (g.grid.centre(t)[0 if which == "x" else 1] - lo) * (g.grid.centre(t)[0 if which == "x" else 1] - hi) >= 0][:1]
    elif latents == ["x", "y"]:
        chosen = _general_position(g, rows, 3 if what == "rank" else 5) or []
    else:
        return None
    if not chosen:
        return None
    if what == "irreducible" and len(latents) == 1:
        what = "rank"  # a 1-D block is D-irreducible where its column is nonzero
    how = {
        1: "a covered pixel where the partial cannot vanish",
        3: "three covered pixels, not collinear: their offsets from any position span the plane",
        5: "five covered pixels, no three collinear: their offsets from any position lie on at least three lines",
    }[len(chosen)]
    return {"object": i + 1, "rows": chosen, "how": how}


def immersion_certificate(g) -> dict | None:
    """Rows proving rank J = d at every point of the domain (see the module), trying the
    blocks in their order and in reverse; ``None`` when neither order gives one."""
    objects = [block_object(g, k) for k in range(g.K)]
    if None in objects or len(set(objects)) != len(objects) or len(g.owner) != g.d:
        return None
    for order in (list(range(g.K)), list(range(g.K))[::-1]):
        certs = {}
        for pos, k in enumerate(order):
            later = [objects[j] for j in order[pos + 1 :]]
            cert = block_certificate(g, k, "rank", avoid=later)
            if cert is None:
                break
            certs[g.factor_names[k]] = cert
        else:
            return {"order": [g.factor_names[k] for k in order], "blocks": certs}
    return None

"""Theorem 3's spanning condition on an image generator, pixel by pixel from the sprites.

The condition (docs/mathematics.md 4.3): for every pixel ``t`` the rows ``J_t(s)``, s in S,
span ``R^{supp_t}``; equivalently the partials ``d_a g_t`` (``a`` in the support) are linearly
independent functions on S.  The support is taken from the exact reach: the latents of the
objects that reach ``t``.  Exact ranks prove it:

* **Per object** (a sum of sprites, no occlusion).  ``g_t = sum_k f_k(s_k)`` with each
  ``f_k`` a function of object ``k``'s latents only.  If ``sum_k y_k . grad f_k(s_k) = 0`` on
  the box, fixing every object but ``k`` shows ``y_k . grad f_k`` constant, ``c_k`` say.  So
  when, for every object ``k``, the functions ``d_a f_k`` together with the constant 1 are
  linearly independent (exact rank ``n_k + 1`` of the rows ``(grad f_k(p), 1)`` at sample
  positions ``p`` of the object), every ``y_k`` is 0: the row spans.  With one object at the
  pixel the constant is not needed (rank ``n_k`` of the rows ``grad f_k(p)``).
* **Jointly** (occlusion, or where the per-object test does not decide): exact rank
  ``|supp_t|`` of the rows at seeded sample points of the whole domain.
* Where neither decides, the support is refined first: the reach can include a latent whose
  partial vanishes identically at the pixel (a scale latent at the sprite's centre, whatever
  an opaque lamp in front hides), which is not in ``supp_t``; the zero test drops it.  Then
  the pixel goes to the general route's loop on that one output
  (:func:`theory.criteria.spanning._row_spans`: a kernel vector of the sample rows whose
  combination of partials the zero test proves identically zero refutes the condition), for
  at most :data:`GENERAL_PIXELS` outputs; the rest stay undecided.

Sample positions are drawn from a seeded grid inside each object's open box, positions that
put the pixel inside the sprite's support first.

Examples
--------
>>> import sympy as sp
>>> from theory import Box
>>> from theory.criteria.context import CheckContext
>>> from theory.image import Bump, ImageGenerator, Sprite
>>> x1, y1, b1, b2 = sp.symbols("x1 y1 b1 b2", real=True)
>>> g = ImageGenerator("one", (6, 6), [Sprite(Bump(2), x1, y1)], Box({x1: (2, 3), y1: (2, 3)}))
>>> check_spanning_image(CheckContext(g)).verdict
'proved'
>>> lamps = ImageGenerator("lamps", (4, 4), [Sprite(Bump(2), 1, 1, brightness=b1), Sprite(Bump(2), 2, 2, brightness=b2)],
...                        Box({b1: (1, 2), b2: (1, 2)}))
>>> r = check_spanning_image(CheckContext(lamps))
>>> r.verdict, r.witness["output"] in (5, 6, 9, 10)
('refuted', True)
"""

from __future__ import annotations

import random
from fractions import Fraction

import sympy as sp

from theory.criteria.certified_minors import TooManyMinors
from theory.criteria.constant_rank import exact_rank
from theory.criteria.context import CheckContext, NotRational
from theory.criteria.spanning import _row_spans
from theory.linalg.rational import rank
from theory.model.domain import interval_point
from theory.result import CheckResult

__all__ = ["check_spanning_image", "SAMPLES", "GENERAL_PIXELS"]

#: Sample positions drawn per object and pixel beyond the number the rank needs.
SAMPLES = 1
#: The most outputs handed to the general route's loop (each builds the pixel's symbolic partials).
GENERAL_PIXELS = 4
_GRID = 17


def _latents(g, k: int) -> list[int]:
    return [g._index[s] for s in g.objects[k].latents]


def _positions(g, k: int, t: int, count: int, rng: random.Random) -> list[dict[sp.Symbol, Fraction]]:
    """``count`` positions of object ``k``'s latents in its open box, those putting pixel
    ``t`` inside the support first: drawn from windows of the box around the position
    nearest the pixel (and the largest scale), shrinking until enough fall inside."""
    sprite, box = g.objects[k], g.boxes[k]
    X, Y = g.grid.centre(t)
    nearest = {sprite.x: Fraction(X), sprite.y: Fraction(Y)}
    if sprite.scale is not None:
        nearest[sprite.scale] = box[sprite.scale][1]
    inside, outside = [], []
    always = not sprite.profile.compact or t in g.covered[k]
    for shrink in (1, 4, 16, 64, 256):
        for _ in range(count if always else 2 * count):
            pos = {}
            for s in sprite.latents:
                lo, hi = box[s]
                if s in nearest:
                    w = (hi - lo) / shrink
                    c = min(max(nearest[s], lo), hi)
                    lo, hi = max(lo, c - w), min(hi, c + w)
                pos[s] = lo + (hi - lo) * Fraction(rng.randint(1, _GRID - 1), _GRID)
            (inside if always or sprite.u_at(X, Y, pos) < 1 else outside).append(pos)
            if len(inside) >= count:
                return inside
    return (inside + outside)[:count]


def _base(g) -> dict[sp.Symbol, sp.Rational]:
    """Every latent inside its interval (a latent no sprite uses may have an infinite end)."""
    return {s: interval_point(*g.domain.interval(s)) for s in g.latents}


def _full_rank(ctx: CheckContext, rows: list[list], n: int) -> bool:
    """Whether the exact rows (Fractions or sympy numbers) have rank ``n`` (rational, else
    certified minor by minor)."""
    if all(isinstance(v, (Fraction, int)) or getattr(v, "is_Rational", False) for row in rows for v in row):
        return rank([[v if isinstance(v, Fraction) else Fraction(int(v.p), int(v.q)) if isinstance(v, sp.Basic) else Fraction(v) for v in row] for row in rows]) == n
    try:
        return exact_rank(ctx, [[sp.sympify(v) for v in row] for row in rows], rational_first=False) == n
    except (NotRational, TooManyMinors):  # undecided: not a proof either way
        return False


def _gradient(sprite, X: int, Y: int, pos: dict, scaled: bool = False) -> list:
    """The sprite's first partials at pixel ``(X, Y)`` and position ``pos``, exactly (0 outside
    its support; on the support circle the bump's first partials vanish as well).  With
    ``scaled``, a Gaussian's partials are divided by their common factor ``exp(-u/2)`` (every
    first partial of ``b exp(-u/2)`` is a rational multiple of it): a row scaled by a nonzero
    number, which leaves the rank of a set of rows unchanged and makes it rational."""
    if sprite.profile.compact and sprite.u_at(X, Y, pos) >= 1:
        return [0] * len(sprite.latents)
    row = [sprite.exact(("value", (j,)), X, Y, pos) for j in range(len(sprite.latents))]
    if scaled and not sprite.profile.polynomial:
        u = sprite.u_at(X, Y, pos)
        factor = sprite.profile.inside(sp.Rational(u.numerator, u.denominator))
        row = [sp.expand(sp.sympify(v) / factor) for v in row]
    return row


def _per_object(ctx: CheckContext, t: int, objects: tuple[int, ...], rng: random.Random) -> bool:
    """The per-object test of the module docstring (a sum of sprites: ``d_a g_t = d_a f_k``)."""
    g = ctx.generator
    X, Y = g.grid.centre(t)
    for k in objects:
        sprite = g.objects[k]
        augmented = len(objects) > 1
        need = len(sprite.latents) + augmented
        rows = []
        for pos in _positions(g, k, t, need + SAMPLES, rng):
            ctx.budget.check()
            rows.append(_gradient(sprite, X, Y, pos, scaled=not augmented) + ([1] if augmented else []))
        if not _full_rank(ctx, rows, need):
            return False
    return True


def _joint_points(g, t: int, objects: tuple[int, ...], count: int, rng: random.Random) -> list[dict]:
    base = _base(g)
    per = {k: _positions(g, k, t, count, rng) for k in objects}
    return [{**base, **{s: sp.Rational(v.numerator, v.denominator) for k in objects for s, v in per[k][i % len(per[k])].items()}} for i in range(count)]


def _support(ctx: CheckContext, t: int, reach: list[int]) -> list[int] | None:
    """The latents of ``reach`` whose partial of output ``t`` is not identically zero (the zero
    test), ``None`` when one is undecided."""
    kept = []
    for a in reach:
        ctx.budget.check()
        zt = ctx.partial_zero_test(t, a)
        if zt.status == "unknown":
            return None
        if zt.status == "nonzero":
            kept.append(a)
    return kept


def check_spanning_image(ctx: CheckContext) -> CheckResult:
    """The spanning condition of Theorem 3 on every pixel (criterion ``spanning``, scope ``global``)."""
    g = ctx.generator
    details: dict = {"readings": {"thm3": "with-spanning"}, "pixels": {"per-object": 0, "joint": 0, "general": 0, "no dependence": 0}}
    undecided, general = [], 0
    for t, objects in enumerate(g.pixel_objects):
        ctx.budget.check()
        if not objects:
            details["pixels"]["no dependence"] += 1
            continue
        rng = random.Random(ctx.seed * 1_000_003 + t)
        support = [a for k in objects for a in _latents(g, k)]
        if not g.occlusion and _per_object(ctx, t, objects, rng):
            details["pixels"]["per-object"] += 1
            continue
        points = _joint_points(g, t, objects, len(support) + SAMPLES, rng)
        rows = [[ctx.table.value(t, (a,), p) for a in support] for p in points]
        if _full_rank(ctx, rows, len(support)):
            details["pixels"]["joint"] += 1
            continue
        # the reach over-approximates the support: a partial that is identically zero at this
        # pixel (a scale latent at the sprite's centre, whatever an opaque lamp hides) is not in
        # supp_t, and would read as a dependency in the general loop
        refined = _support(ctx, t, support)
        if refined is None:
            undecided.append(f"output {t}: whether some partial vanishes identically is undecided")
            continue
        if len(refined) <= 1:  # a partial not identically zero spans R^1
            details["pixels"]["no dependence" if not refined else "general"] += 1
            continue
        if len(refined) < len(support):
            support = refined
            if _full_rank(ctx, [[ctx.table.value(t, (a,), p) for a in support] for p in points], len(support)):
                details["pixels"]["joint"] += 1
                continue
        if general >= GENERAL_PIXELS:  # the general loop is slow (symbolic partials): a few outputs only
            undecided.append(f"output {t}: no full-rank sample, and the general loop already ran on {GENERAL_PIXELS} outputs")
            continue
        general += 1
        outcome = _row_spans(ctx, t, support, [dict(p) for p in points])  # the general loop on this one output
        if outcome[0] == "refuted":
            witness = {"output": t, "support": [str(g.latents[a]) for a in support], "dependency": outcome[1]}
            return CheckResult("spanning", "refuted", "global", outcome[2], witness=witness, details=details)
        if outcome[0] == "unknown":
            undecided.append(f"output {t}: {outcome[1]}")
        else:
            details["pixels"]["general"] += 1
    if undecided:
        details["undecided"] = undecided
        return CheckResult("spanning", "unknown", "global", "exact-evaluation", details=details)
    return CheckResult("spanning", "proved", "global", "exact-evaluation", details=details)

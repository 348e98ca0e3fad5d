"""Reproducible rational points inside a domain, simplest first.

Witness searches try points of a small-denominator grid first (0, ±1/2, ±1/3, ... inside
each interval), then seeded random rational points (docs/mathematics.md section 3.3, witness
policy).  Grid-first matters: simple coordinates often kill transcendental terms whose
zero-ness is undecidable (P17's exact witness lies on s1 = 0).

Small denominators also have a blind spot: a term such as ``sin(N pi s)`` with a large
integer N (a multiple of every small q) vanishes at every point ``p/q`` of the grid and of
the small-denominator random draws.  So the random part alternates its small-denominator
points with points whose coordinates have a random ~30-bit denominator
(:func:`random_point` with ``large=True``), drawn from a second stream of the same seed;
the grid and the small-denominator random points are the same as before, in the same
order (the k-th small random point now comes at position ``grid + 2k``), and
:meth:`PointSource.large_points` gives the large-denominator points alone.

Examples
--------
>>> import sympy as sp
>>> from theory.model.domain import Box
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> source = PointSource(Box({s1: (-1, 1), s2: (1, 2)}), (s1, s2), seed=0)
>>> [tuple(map(str, p.values())) for p in source.take(3)]
[('0', '3/2'), ('0', '4/3'), ('1/2', '3/2')]
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator

import sympy as sp

from theory.exact.smt import NotTranslatable, satisfiable_on
from theory.model.domain import Domain, Region
from theory.errors import DomainError

__all__ = ["PointSource", "simple_values", "random_point", "region_point"]

_GRID_DENOMINATORS = 12
_WINDOW = 3  # how far grid and random points reach along an infinite direction


def _finite_window(lo: sp.Expr, hi: sp.Expr) -> tuple[sp.Rational, sp.Rational]:
    if lo == -sp.oo and hi == sp.oo:
        return sp.Integer(-_WINDOW), sp.Integer(_WINDOW)
    if lo == -sp.oo:
        return hi - 2 * _WINDOW, hi
    if hi == sp.oo:
        return lo, lo + 2 * _WINDOW
    return lo, hi


def simple_values(lo: sp.Expr, hi: sp.Expr, limit: int = 12) -> list[sp.Rational]:
    """Rationals strictly inside ``(lo, hi)``, simplest first (small denominator, small size).

    >>> simple_values(-1, 1, 5)
    [0, 1/2, -1/2, 1/3, -1/3]
    """
    wlo, whi = _finite_window(lo, hi)
    out: list[sp.Rational] = []
    seen: set[sp.Rational] = set()
    for q in range(1, _GRID_DENOMINATORS + 1):
        for p in _numerators_nearest_zero(int(sp.floor(wlo * q)), int(sp.ceiling(whi * q))):
            v = sp.Rational(p, q)
            if bool(lo < v) and bool(v < hi) and v not in seen:
                seen.add(v)
                out.append(v)
                if len(out) >= limit:
                    return out
    return out


def _numerators_nearest_zero(p_lo: int, p_hi: int) -> Iterator[int]:
    """The integers of ``[p_lo, p_hi]`` by increasing absolute value, the positive one first
    (lazily: the cost does not grow with the width of a wide box).

    >>> list(_numerators_nearest_zero(-2, 3)), list(_numerators_nearest_zero(4, 6)), list(_numerators_nearest_zero(-6, -5))
    ([0, 1, -1, 2, -2, 3], [4, 5, 6], [-5, -6])
    """
    if p_lo > 0:
        yield from range(p_lo, p_hi + 1)
    elif p_hi < 0:
        yield from range(p_hi, p_lo - 1, -1)
    else:
        yield 0
        for k in range(1, max(p_hi, -p_lo) + 1):
            if k <= p_hi:
                yield k
            if -k >= p_lo:
                yield -k


_SMALL_DENOMINATORS = (7, 11, 13, 16, 17, 19, 23, 29, 31, 37)
_LARGE_BITS = 30  # large denominators: random integers of exactly this many bits


def random_point(
    domain: Domain, latents: tuple[sp.Symbol, ...], rng: random.Random, tries: int = 1000, fine: bool = False, large: bool = False
) -> dict[sp.Symbol, sp.Rational]:
    """One random rational point of ``domain`` (rejection sampling for a Region).

    Coordinates are ``lo + (hi - lo) k / q`` with small denominators ``q``; ``fine`` draws
    ``q`` up to ``10**6`` instead (for when the small ones are exhausted); ``large`` draws
    a random odd ``q`` of 30 bits (so that no fixed large integer N is likely to be a
    multiple of it: ``sin(N pi s)`` is then nonzero at the point).

    >>> from theory.model.domain import Box
    >>> s1 = sp.Symbol("s1", real=True)
    >>> p = random_point(Box({s1: (0, 1)}), (s1,), random.Random(0), large=True)
    >>> p[s1].q.bit_length() >= 25
    True
    """
    for _ in range(tries):
        point = {}
        for s in latents:
            lo, hi = _finite_window(*domain.interval(s))
            if large:
                q = rng.getrandbits(_LARGE_BITS) | (1 << (_LARGE_BITS - 1)) | 1
            else:
                q = rng.randint(41, 10**6) if fine else rng.choice(_SMALL_DENOMINATORS)
            k = rng.randint(1, q - 1)
            if isinstance(lo, sp.Rational) and isinstance(hi, sp.Rational):  # the same number, in integers
                point[s] = sp.Rational(lo.p * hi.q * q + (hi.p * lo.q - lo.p * hi.q) * k, lo.q * hi.q * q)
            else:
                point[s] = lo + (hi - lo) * sp.Rational(k, q)
        if domain.contains(point):
            return point
    raise DomainError(
        f"could not sample a rational point of {domain!r} in {tries} tries: is the region empty or very thin? "
        "Give the generator explicit points."
    )


def region_point(domain: Domain, latents: tuple[sp.Symbol, ...]) -> dict[sp.Symbol, sp.Rational] | None:
    """A rational point of a Region that sampling misses (far out along an unbounded direction,
    or thin): z3's model of its condition, kept when it is exactly inside; ``None`` otherwise.

    >>> from theory.model.domain import Box, Region
    >>> s1 = sp.Symbol("s1", real=True)
    >>> p = region_point(Region(Box({}), s1 > 10), (s1,))
    >>> p[s1] > 10
    True
    """
    if not isinstance(domain, Region):
        return None
    try:
        answer = satisfiable_on(domain.condition, domain, latents, timeout=5.0)
    except NotTranslatable:  # pragma: no cover - Region conditions are polynomial
        return None
    for candidate in answer.candidates if answer.status == "sat" else ():
        if domain.contains(candidate):
            return dict(candidate)
    return None


def region_points(domain: Domain, latents: tuple[sp.Symbol, ...], rng: random.Random, count: int = 8, seconds: float = 2.0) -> list[dict[sp.Symbol, sp.Rational]]:
    """Up to ``count`` distinct rational points of a Region that sampling misses: z3's point of
    it (:func:`region_point`), then z3's points of its intersections with random windows of
    an eighth of the box in every coordinate, within about ``seconds``.  One point is a poor
    sample for the witness searches that follow (a thin band around a curve holds many).

    >>> from theory.model.domain import Box, Region
    >>> x, y = sp.symbols("x y", real=True)
    >>> band = Region(Box({x: (-1, 1), y: (-1, 1)}), (y - x**2)**2 < sp.Rational(1, 10**40))
    >>> points = region_points(band, (x, y), random.Random(0))
    >>> len(points) > 1 and all(band.contains(p) for p in points)
    True
    """
    first = region_point(domain, latents)
    if first is None:
        return []
    out, seen = [first], {tuple(first.values())}
    stop = time.monotonic() + seconds
    for _ in range(4 * count):
        if len(out) >= count or time.monotonic() > stop:
            break
        window = []
        for s in latents:
            lo, hi = _finite_window(*domain.interval(s))
            start = lo + (hi - lo) * sp.Rational(rng.randint(0, 7), 8)
            window += [s > start, s < start + (hi - lo) / 8]
        try:
            answer = satisfiable_on(sp.And(domain.condition, *window), domain, latents, timeout=0.25)
        except NotTranslatable:  # pragma: no cover - Region conditions are polynomial
            break
        for candidate in answer.candidates if answer.status == "sat" else ():
            key = tuple(candidate.values())
            if key not in seen and domain.contains(candidate):
                seen.add(key)
                out.append(dict(candidate))
                break
    return out


class PointSource:
    """The reproducible sequence of candidate points of a domain (grid first, then random).

    Parameters
    ----------
    domain
        The domain the points must lie in.
    latents
        The coordinates, in order.
    seed
        Seed of the random part.
    grid_limit
        How many grid points come before the random ones.
    """

    def __init__(self, domain: Domain, latents: tuple[sp.Symbol, ...], seed: int = 0, grid_limit: int = 48):
        self.domain = domain
        self.latents = latents
        self.seed = seed
        self.grid_limit = grid_limit
        self._cache: list[dict[sp.Symbol, sp.Rational]] = []
        self._large_keys: set[tuple] = set()
        self._iter = self._generate()

    def large_points(self, n: int) -> list[dict[sp.Symbol, sp.Rational]]:
        """The first ``n`` large-denominator points of the sequence (those :meth:`take`
        interleaves with the small-denominator random points), in order."""
        k = self.grid_limit + 2 * n + 2
        while True:
            points = self.take(k)
            out = [p for p in points if tuple(p.values()) in self._large_keys]
            if len(out) >= n or len(points) < k:
                return out[:n]
            k *= 2

    def take(self, n: int) -> list[dict[sp.Symbol, sp.Rational]]:
        """The first ``n`` points (computed once, then cached)."""
        while len(self._cache) < n:
            try:
                self._cache.append(next(self._iter))
            except StopIteration:  # a very thin region: fewer points than asked for
                break
        return self._cache[:n]

    def _generate(self) -> Iterator[dict[sp.Symbol, sp.Rational]]:
        values = [simple_values(*self.domain.interval(s)) for s in self.latents]
        emitted = 0
        seen: set[tuple] = set()
        max_level = max((len(v) for v in values), default=0)
        for level in range(max_level):
            if emitted >= self.grid_limit:
                break
            ranges = [range(min(level + 1, len(v))) for v in values]
            layer = [idx for idx in itertools.product(*ranges) if max(idx, default=0) == level]
            layer.sort(key=lambda idx: (sum(idx), idx))
            for idx in layer:
                point = {s: values[i][k] for i, (s, k) in enumerate(zip(self.latents, idx))}
                key = tuple(point.values())
                if key in seen or not self.domain.contains(point):
                    continue
                seen.add(key)
                yield point
                emitted += 1
                if emitted >= self.grid_limit:
                    break
        rng = random.Random(self.seed)
        # a second stream, so that the small-denominator points are the same as without it
        large_rng = random.Random(f"large-denominators:{self.seed}")
        repeats = 0
        while True:
            try:
                # small denominators first; once they keep repeating (a 1-D domain has only
                # about 200 of them), finer ones, so that any number of points can be drawn
                point = random_point(self.domain, self.latents, rng, fine=repeats > 50)
            except DomainError:  # a very thin or far region: the grid points it contains, and z3's points of it
                if not emitted and not seen:
                    yield from region_points(self.domain, self.latents, rng)
                return
            key = tuple(point.values())
            if key not in seen:
                seen.add(key)
                repeats = 0 if repeats <= 50 else repeats
                yield point
                try:
                    large = random_point(self.domain, self.latents, large_rng, large=True)
                except DomainError:
                    continue
                key = tuple(large.values())
                if key not in seen:
                    seen.add(key)
                    self._large_keys.add(key)
                    yield large
            else:
                repeats += 1

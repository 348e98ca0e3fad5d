"""Random generators whose truths are known by construction (the soundness fuzzer's corpus).

Every family starts from a *pixel layout*: each output is a sum of univariate pieces,
one per latent it uses, ``g_t = sum_{a in P_t} c_{t,a} phi_{t,a}(s_a)``.  Pieces are either
*monotone* (their derivative never vanishes on R) or *vanishing* (their derivative
vanishes exactly on one latent's planted zero set, the same for every vanishing piece of
that latent).  So the support of column a at s is ``{t : a in P_t}`` minus the rows
with a vanishing piece when ``s_a`` sits on the planted zero, and the truths follow:

* H_n holds for every n (the generator is block-additive);
* D holds iff no row uses latents of two blocks;
* M holds iff no configuration "which latents sit on their zero" makes one column's
  support contained in the support of a column of another block (every configuration
  is realised in a box).

Families add to this base:

``additive``              nothing;
``hidden-zero``           terms identically zero on the domain but not syntactically
                          (trig, exp-log, hyperbolic, algebraic constants, piecewise,
                          identities true on the box only (sqrt, Abs, Max, Heaviside),
                          P17's undecidable constant);
                          truths unchanged, so such a term must never be ``refuted``;
``cross-bilinear``        ``c s_a s_b`` across blocks: H2 false, H3 and H4 true, D false;
``cross-quadratic``       ``c s_a^2 s_b``: H2, H3 false, H4 true, D false;
``cross-transcendental``  ``c sin(s_a) s_b`` or ``exp(c s_a s_b)``: every H_n false, D false;
``near-zero``             ``1e-30 s_a s_b`` written as ``Rational(1, 10**30)`` and other tiny
                          rational, algebraic and transcendental coefficients, or a term
                          zero on only part of the box (``|x|^3 - x^3``): H2 false (never
                          ``proved``), D false;
``hidden-near-zero``      ``s_a s_b (Z + eps)`` with Z a hidden zero and eps tiny: H2 false;
``switching``             ``Piecewise((c (s_a - z)^3, s_a > z), (0, True))``, with the switch
                          inside the box (active somewhere) or beyond it (never active);
``switching-region``      a new row of two switches in s_a (on for s_a > z) and s_b (on for
                          s_b < w) on the region ``s_a - s_b < z - w + delta``: D holds on
                          that row iff delta = 0 (P20/P21; the analytic shortcut is wrong);
``disk-region``           the pixel layout on the ellipsoid inscribed in its box (a region
                          with a quadratic condition).
``thin-piecewise``        (issue 12) thin-piece rewrites of smooth functions: an output
                          ``o`` written ``Piecewise((o, Ne(s_a, z)), (o|s_a=z, True))`` or
                          with ``Ne(s_a, s_b)`` / ``Eq`` (the same function), new rows
                          ``Piecewise((s_a, Ne(s_a, s_b)), (s_b, True))`` (= s_a),
                          ``(s_a^2 - s_b^2)/(s_a - s_b)`` with the thin piece ``2 s_a`` and
                          ``(s_a^2 - z^2)/(s_a - z)`` with ``2 z`` (right value, wrong
                          derivative), ``Max(s_a, z) + Min(s_a, z)`` (kinks that cancel);
                          truths from the smooth equivalent (the layout with those rows);
                          or a removable singularity ``sin(k (s_a - z) s_b)/(s_a - z)`` /
                          ``(exp(k (s_a - z) s_b) - 1)/(s_a - z)`` across blocks (analytic:
                          D, H2 false; its reference is ``k s_b int_0^1 cos|exp(...u) du``).
                          The first checked point lies ON the thin sets;
``special-functions``     (issue 12) new rows of special functions (erf, erfinv, Si, Ci, Shi,
                          Chi, Ei, li, sinc, Fresnel, Bessel, Airy, elliptic, expint,
                          polylog, LambertW, gamma, loggamma, digamma, zeta, hyper, beta,
                          incomplete gamma; a latent in the argument, order or parameter)
                          of an argument map that keeps them strictly monotone on the box
                          (truths by the layout), and often a cross term ``f(u(s_a) + v(s_b))``,
                          ``f(u(s_a) v(s_b))`` or ``F(u(s_a), v(s_b))`` (D, H2 false), every
                          argument inside the function's real analytic domain on the box;
``large-denominator``     (issue 12) ``c sin(N pi s_a) s_b``, ``c (1 - cos(N pi s_a)) s_b``,
                          ``c sin(N pi s_a)^2 s_b``, ``c sin(N pi s_a) sin(N pi s_b)`` with N a
                          multiple of 12 lcm(1..40) (zero, with its derivatives, at every
                          small-denominator point), 10**6 + 1 or a random large integer:
                          D and every H_n false; and hidden zeros ``(sin^2 + cos^2 - 1)(N pi
                          s_a) s_b`` and a double-angle one: truths unchanged (never refuted).

Issue 13 adds two **opt-in** families (:data:`S_FAMILIES`, not in :data:`FAMILIES`: the
default corpus runs a few of them on their own) for Type S and S-irreducibility on the whole
domain, each checked under both ``s`` readings (criteria ``S`` and ``S/non-strict``, the
runner's label for the reading ``s: non-strict``).  Pieces are ``c f(s)`` with the coefficient
outside, so that pieces of one kind have proportional derivatives; truths are enumerated from
the construction, never from the checker's S code:

``global-s``              either (a) *disjoint*: every row in one block (D everywhere) and every
                          latent with a private monotone row, except *deficient* latents whose
                          every row vanishes on s_a = z_a (inside the box).  Under D a basis
                          weighs at least its block components, so non-strict S holds
                          everywhere, and the tie rho+ = rho- happens exactly where a block is
                          rank-deficient: strict S holds iff no latent is deficient.  Or (b)
                          *two lines*: two 1-D factors whose overlap rows share one monotone
                          piece in one latent (Q) and use one monotone piece or a vanishing
                          piece with a planted zero in the other (P), plus private rows that
                          may vanish.  The proportionality classes then depend on s_P alone;
                          every zero pattern of the P-partials and 2x2 minors is one
                          irreducible factor over Q with a root in the interval (or none), times
                          s_Q on its zero or not; each is realised in the box and decided by
                          the closed form of docs/mathematics.md 5.7 (truth unknown when a
                          configuration has a zero column and none fails);
``global-s-irreducible``  mode (a) with 2-D blocks and no deficient latent (S true under both
                          readings), rows of two latents linear (constant directions, repeated
                          to make classes of 2-3), rows of one latent monotone or vanishing: the
                          direction classes of each 2-D block change only where single-latent
                          rows switch off, and S-irreducibility (criterion ``irreducible:S``,
                          whose global check the runner calls through the registry) is the
                          brute force over splits of every configuration
                          (:func:`tests.soundness.oracle.block_split_keeps_s`; a split keeps S
                          for the refined partition iff for the block alone, under D and full
                          rank).  Non-strict S-irreducibility is false for every full-rank
                          block with two classes or more (the split orthogonal to the two
                          largest classes ties).

Each :class:`Instance` carries *reference outputs*: expressions equal to the outputs on
the domain but written without the hidden-zero terms (and without thin pieces), for the
independent oracle (:mod:`tests.soundness.oracle`).  A checker may refuse a generator of
the issue-12 families (a :class:`theory.errors.GeneratorError` at construction or check):
the runner counts it as ``refused``, which is sound.

Examples
--------
>>> inst = make_instance("cross-bilinear", 3)
>>> inst.truth["H2"], inst.truth["H3"], inst.truth["D"]
(False, True, False)
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from dataclasses import dataclass, field

import sympy as sp

from theory import Box, Generator, Region

from tests.soundness.oracle import NON_STRICT, block_split_keeps_s, two_line_rho

__all__ = ["Instance", "FAMILIES", "NEW_FAMILIES", "S_FAMILIES", "ALL_FAMILIES", "make_instance", "instances"]

R = sp.Rational
COEFFS = (R(1, 3), R(1, 2), R(1), R(3, 2), R(2), R(-1, 3), R(-1, 2), R(-1), R(-3, 2), R(-2))
INTERVALS = (
    (R(-1), R(1)),
    (R(0), R(2)),
    (R(-2), R(-1, 2)),
    (R(-1, 2), R(3, 2)),
    (R(1, 3), R(2)),
    (R(-3, 2), R(1)),
    (-sp.oo, sp.oo),
    (R(0), sp.oo),
    (-sp.oo, R(1, 2)),
)

# derivative never zero on R for c != 0
MONOTONE = {
    "linear": lambda s, c: c * s,
    "cubic": lambda s, c: c * (s + s**3 / 3),
    "exp": lambda s, c: sp.exp(c * s),
    "tanh": lambda s, c: sp.tanh(c * s),
    "atan": lambda s, c: sp.atan(c * s),
    "sin": lambda s, c: c * (2 * s + sp.sin(s)),
    "rational": lambda s, c: c * (s + s / (1 + s**2)),
    "sqrt": lambda s, c: c * (s + sp.sqrt(1 + s**2)),
    "log": lambda s, c: c * (2 * s + sp.log(1 + s**2)),
}
# derivative zero exactly at s = z on a box of width < pi; one zero family per latent
VANISHING = {
    "poly": (lambda s, c, z: c * (s - z) ** 2, lambda s, c, z: c * (s - z) ** 3),
    "gauss": (lambda s, c, z: sp.exp(c * (s - z) ** 2),),
    "cos": (lambda s, c, z: c * sp.cos(s - z),),
}

# identically zero on every domain (one latent)
HIDDEN_ONE = {
    "trig": lambda s: sp.sin(s) ** 2 + sp.cos(s) ** 2 - 1,
    "double-angle": lambda s: sp.cos(2 * s) + 2 * sp.sin(s) ** 2 - 1,
    "exp-log": lambda s: sp.log(sp.exp(s) * (1 + s**2)) - s - sp.log(1 + s**2),
    "exp-square": lambda s: (sp.exp(s) + 1) ** 2 - sp.exp(2 * s) - 2 * sp.exp(s) - 1,
    "hyperbolic": lambda s: sp.cosh(s) ** 2 - sp.sinh(s) ** 2 - 1,
    "log-product": lambda s: sp.log(2 * (1 + s**2)) - sp.log(2) - sp.log(1 + s**2),
    "max-min": lambda s: sp.Max(s, 0) + sp.Min(s, 0) - s,
    "abs-sign": lambda s: sp.Abs(s) - s * sp.sign(s),
    "heaviside": lambda s: sp.Heaviside(s) + sp.Heaviside(-s) - 1,
}
# identically zero (constants)
HIDDEN_CONSTANT = {
    "algebraic": (sp.sqrt(2) + sp.sqrt(3)) ** 2 - 5 - 2 * sp.sqrt(6),
    "denesting": sp.sqrt(3 + 2 * sp.sqrt(2)) - 1 - sp.sqrt(2),
    "minimal-polynomial": sp.tan(3 * sp.pi / 11) + 4 * sp.sin(2 * sp.pi / 11) - sp.sqrt(11),
    "heptagon": sp.cos(2 * sp.pi / 7) + sp.cos(4 * sp.pi / 7) + sp.cos(6 * sp.pi / 7) + R(1, 2),
    "log-constant": sp.log(8) - 3 * sp.log(2),
    "undecidable": sp.acos(R(5, 13)) - 2 * sp.atan(R(2, 3)),
}
# identically zero, two latents
HIDDEN_TWO = {
    "angle-sum": lambda a, b: sp.cos(a + b) - sp.cos(a) * sp.cos(b) + sp.sin(a) * sp.sin(b),
    "exp-sum": lambda a, b: sp.exp(a) * sp.exp(b) - sp.exp(a + b),
    "sinh-sum": lambda a, b: sp.sinh(a + b) - sp.sinh(a) * sp.cosh(b) - sp.cosh(a) * sp.sinh(b),
    "log-sum": lambda a, b: sp.log((1 + a**2) * (1 + b**2)) - sp.log(1 + a**2) - sp.log(1 + b**2),
    "square": lambda a, b: (a + b) ** 2 - a**2 - 2 * a * b - b**2,
    "max-sum": lambda a, b: sp.Max(a, b) + sp.Min(a, b) - a - b,
}
# tiny nonzero constants: never to be proved zero
TINY = {
    "1e-30": R(1, 10**30),
    "-1e-40": -R(1, 10**40),
    "sqrt2-digits": sp.sqrt(2) - R(14142135623730951, 10**16),
    "pi-355/113": sp.pi - R(355, 113),
    "exp(-60)": sp.exp(-60),
    "trig+1e-30": sp.sin(R(1, 3)) ** 2 + sp.cos(R(1, 3)) ** 2 - 1 + R(1, 10**30),
}

FAMILIES = (
    "additive",
    "hidden-zero",
    "cross-bilinear",
    "cross-quadratic",
    "cross-transcendental",
    "near-zero",
    "hidden-near-zero",
    "switching",
    "switching-region",
    "disk-region",
    "thin-piecewise",
    "special-functions",
    "large-denominator",
)
#: the families added for issue 12 (their checks also re-verify derivatives by finite differences)
NEW_FAMILIES = ("thin-piecewise", "special-functions", "large-denominator")
#: issue 13's opt-in families (Type S and S-irreducibility on the whole domain): not in
#: :data:`FAMILIES`, so the default corpus and ``benchmarks/fuzz_soundness.py`` leave them out
#: unless named
S_FAMILIES = ("global-s", "global-s-irreducible")
ALL_FAMILIES = FAMILIES + S_FAMILIES


@dataclass
class Instance:
    """A generator with the truths its construction implies.

    Attributes
    ----------
    family
        The family name (:data:`FAMILIES`).
    generator
        The :class:`theory.Generator` under check.
    reference
        Outputs equal to the generator's on the domain, written without hidden zeros.
    intervals
        ``{latent name: (lo, hi)}`` of the box.
    truth
        Global truths ``{"D": bool | None, "M": ..., "H2": ..., "H3": ..., "H4": ...}``
        (``None``: not known by construction).
    criteria
        The criteria to check.
    note
        What was planted (for failure reports).
    """

    family: str
    generator: Generator
    reference: tuple[sp.Expr, ...]
    intervals: dict[str, tuple[sp.Expr, sp.Expr]]
    truth: dict[str, bool | None]
    criteria: tuple[str, ...]
    note: list[str] = field(default_factory=list)
    region: tuple | None = None
    #: the configurations the S truths enumerated: (global-s, two lines) ``(n1, n2, o, o1, o2)``
    #: (n1 counts the column of s1); (global-s-irreducible) ``(block, (class sizes, ...))`` per
    #: 2-D block
    configurations: tuple = ()

    def contains(self, point: dict[str, sp.Rational]) -> bool:
        """Whether a point ``{name: rational}`` lies in the domain (box and region), by
        direct comparison with the construction's numbers."""
        for n, (lo, hi) in self.intervals.items():
            if not ((lo == -sp.oo or lo < point[n]) and (hi == sp.oo or point[n] < hi)):
                return False
        return self.region is None or _in_region(self.region, point)


    @property
    def latents(self) -> tuple[sp.Symbol, ...]:
        return self.generator.latents

    @property
    def block_of(self) -> tuple[int, ...]:
        return self.generator.block_of

    @property
    def block_of_name(self) -> dict[str, int]:
        return {str(s): k for s, k in zip(self.latents, self.block_of)}

    def describe(self) -> str:
        g = self.generator
        lines = [f"family={self.family} factors={ {k: [str(s) for s in v] for k, v in g.factors.items()} }"]
        lines += [f"  domain {n}: ({lo}, {hi})" for n, (lo, hi) in self.intervals.items()]
        lines += [f"  g{t} = {o}" for t, o in enumerate(g.outputs)]
        lines += [f"  points: {[{str(s): str(v) for s, v in p.items()} for p in g.points]}"]
        lines += [f"  truth: {self.truth}", *(f"  note: {n}" for n in self.note)]
        return "\n".join(lines)


def _in_region(region: tuple, point: dict[str, sp.Rational]) -> bool:
    """``("linear", a, b, bound)``: s_a - s_b < bound; ``("disk", {name: (centre, radius)})``:
    sum ((s - centre) / radius)^2 < 1."""
    if region[0] == "linear":
        _, a, b, bound = region
        return point[a] - point[b] < bound
    return sum(((point[n] - c) / r) ** 2 for n, (c, r) in region[1].items()) < 1


def _region_condition(region: tuple, by_name: dict[str, sp.Symbol]) -> sp.Basic:
    if region[0] == "linear":
        _, a, b, bound = region
        return by_name[a] - by_name[b] < bound
    return sp.Add(*[((by_name[n] - c) / r) ** 2 for n, (c, r) in region[1].items()]) < 1


@dataclass
class _Layout:
    latents: tuple[sp.Symbol, ...]
    blocks: list[list[int]]
    block_of: list[int]
    intervals: list[tuple[sp.Expr, sp.Expr]]
    zeros: dict[int, tuple[str, sp.Rational]]  # latent -> (vanishing family, z)
    rows: list[dict[int, tuple[str, sp.Rational, bool]]]  # per row: latent -> (piece, coeff, vanishing)
    outputs: list[sp.Expr]


def _rational_inside(rng: random.Random, lo: sp.Expr, hi: sp.Expr) -> sp.Rational:
    lo = hi - 3 if lo == -sp.oo and hi != sp.oo else (R(-1) if lo == -sp.oo else lo)
    hi = lo + 3 if hi == sp.oo else hi
    q = rng.choice((2, 3, 4, 5, 7))
    return lo + (hi - lo) * R(rng.randint(1, q - 1), q)


def _layout(rng: random.Random) -> _Layout:
    sizes = [rng.choice((1, 1, 2)) for _ in range(rng.choice((2, 2, 3)))]
    d = sum(sizes)
    latents = sp.symbols(f"s1:{d + 1}", real=True)
    blocks, block_of, start = [], [], 0
    for k, size in enumerate(sizes):
        blocks.append(list(range(start, start + size)))
        block_of += [k] * size
        start += size
    intervals = [rng.choice(INTERVALS) for _ in range(d)]
    zeros = {}
    for a in range(d):
        if rng.random() < 0.4:
            zeros[a] = (rng.choice(sorted(VANISHING)), _rational_inside(rng, *intervals[a]))
    disjoint = rng.random() < 0.5
    rows = []
    for _ in range(rng.randint(2, 5)):
        if disjoint:
            pool = blocks[rng.randrange(len(blocks))]
            chosen = rng.sample(pool, rng.randint(1, len(pool)))
        else:
            chosen = rng.sample(range(d), rng.randint(1, min(3, d)))
        row = {}
        for a in sorted(chosen):
            vanishing = a in zeros and rng.random() < 0.6
            piece = rng.choice(sorted(MONOTONE)) if not vanishing else zeros[a][0]
            row[a] = (piece, rng.choice(COEFFS), vanishing)
        rows.append(row)
    # most latents appear somewhere; an unused latent (a zero column) is allowed but rare
    for a in range(d):
        if not any(a in row for row in rows) and rng.random() < 0.85:
            rows[rng.randrange(len(rows))][a] = (rng.choice(sorted(MONOTONE)), rng.choice(COEFFS), False)
    outputs = []
    for row in rows:
        expr = sp.S.Zero
        for a, (piece, c, vanishing) in row.items():
            s = latents[a]
            if vanishing:
                options = VANISHING[piece]
                expr += options[rng.randrange(len(options))](s, c, zeros[a][1])
            else:
                expr += MONOTONE[piece](s, c)
        outputs.append(expr)
    return _Layout(tuple(latents), blocks, block_of, intervals, zeros, rows, outputs)


def _truth_d(layout: _Layout) -> bool:
    return all(len({layout.block_of[a] for a in row}) <= 1 for row in layout.rows)


def _truth_m(layout: _Layout) -> bool:
    d = len(layout.latents)
    switching = sorted(layout.zeros)
    for k in range(len(switching) + 1):
        for config in itertools.combinations(switching, k):
            at_zero = set(config)
            supports = [
                frozenset(t for t, row in enumerate(layout.rows) if a in row and not (row[a][2] and a in at_zero)) for a in range(d)
            ]
            for a in range(d):
                for b in range(d):
                    if layout.block_of[a] != layout.block_of[b] and supports[a] <= supports[b]:
                        return False
    return True


def _points(rng: random.Random, layout: _Layout) -> list[dict]:
    if rng.random() < 0.4:
        return []  # the checker picks its seeded random point
    point = {}
    for a, s in enumerate(layout.latents):
        if a in layout.zeros and rng.random() < 0.6:
            point[s] = layout.zeros[a][1]
        else:
            point[s] = _rational_inside(rng, *layout.intervals[a])
    return [point]


def _cross_pair(rng: random.Random, layout: _Layout) -> tuple[int, int, int]:
    i, j = rng.sample(range(len(layout.blocks)), 2)
    return rng.choice(layout.blocks[i]), rng.choice(layout.blocks[j]), rng.randrange(len(layout.outputs))


# -- issue 12: thin Piecewise pieces, special functions, large-denominator hidden terms --------
def _intersection(a: tuple, b: tuple) -> tuple | None:
    lo = a[0] if b[0] == -sp.oo or (a[0] != -sp.oo and a[0] >= b[0]) else b[0]
    hi = a[1] if b[1] == sp.oo or (a[1] != sp.oo and a[1] <= b[1]) else b[1]
    if lo != -sp.oo and hi != sp.oo and not lo < hi:
        return None
    return lo, hi


def _thin_point(rng: random.Random, layout: _Layout, constraints: list[tuple]) -> dict:
    """A point of the box on the planted thin sets: ``("const", a, z)`` puts s_a = z,
    ``("equal", a, b)`` puts s_a = s_b (where both intervals allow it)."""
    point: dict[int, sp.Rational] = {}
    for con in constraints:
        if con[0] == "const":
            _, a, z = con
            point.setdefault(a, z)
        else:
            _, a, b = con
            common = _intersection(layout.intervals[a], layout.intervals[b])
            if common is None:
                continue
            if a not in point and b not in point:
                point[a] = point[b] = _rational_inside(rng, *common)
            elif a in point and b not in point and _inside(point[a], common):
                point[b] = point[a]
            elif b in point and a not in point and _inside(point[b], common):
                point[a] = point[b]
    return {s: point[a] if a in point else _rational_inside(rng, *layout.intervals[a]) for a, s in enumerate(layout.latents)}


def _inside(v: sp.Rational, interval: tuple) -> bool:
    lo, hi = interval
    return (lo == -sp.oo or lo < v) and (hi == sp.oo or v < hi)


def _thin_piecewise(rng: random.Random, layout: _Layout, outputs: list, reference: list, note: list) -> tuple[dict, list]:
    """Plant 1-3 thin-piece rewrites of smooth functions; returns truth overrides and the
    thin-set constraints for the checked point."""
    lat, d = layout.latents, len(layout.latents)
    overrides: dict = {}
    constraints: list[tuple] = []
    # Max/Min kinks are rarer: a checker may refuse them (the whole instance then counts as refused)
    kinds = ("rewrite-constant", "rewrite-latent", "ne-select", "removable-poly", "removable-constant", "removable-sin", "removable-exp") * 2 + ("max-min",)
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(kinds)
        a = rng.randrange(d)
        others = [b for b in range(d) if b != a and _intersection(layout.intervals[a], layout.intervals[b]) is not None]
        cross = [b for b in others if layout.block_of[b] != layout.block_of[a]]
        b = rng.choice(cross or others) if others else None
        if kind in ("rewrite-latent", "ne-select", "removable-poly") and b is None:
            kind = "rewrite-constant"
        sa = lat[a]
        z = _rational_inside(rng, *layout.intervals[a])
        if kind in ("rewrite-constant", "rewrite-latent"):
            # an output written as the identical function with a thin piece: its value there
            # is right, its formula's derivative is not
            rows = [t for t, row in enumerate(layout.rows) if a in row] or list(range(len(outputs)))
            t = rng.choice(rows)
            o = outputs[t]
            value = z if kind == "rewrite-constant" else lat[b]
            thin = sp.Ne(sa, value) if rng.random() < 0.7 else sp.Eq(sa, value)
            other = o.xreplace({sa: value})
            outputs[t] = sp.Piecewise((o, thin), (other, True)) if isinstance(thin, sp.Ne) else sp.Piecewise((other, thin), (o, True))
            constraints.append(("const", a, z) if kind == "rewrite-constant" else ("equal", a, b))
            note.append(f"g{t} rewritten with the thin piece {sa} = {value} (same function)")
        elif kind == "ne-select":  # Piecewise((s_a, Ne(s_a, s_b)), (s_b, True)) is exactly s_a
            sb = lat[b]
            outputs.append(sp.Piecewise((sa, sp.Ne(sa, sb)), (sb, True)))
            reference.append(sa)
            layout.rows.append({a: ("linear", R(1), False)})
            constraints.append(("equal", a, b))
            note.append(f"new row Piecewise(({sa}, Ne({sa}, {sb})), ({sb}, True)) = {sa}")
        elif kind == "removable-poly":  # (s_a^2 - s_b^2) / (s_a - s_b) = s_a + s_b; the thin piece 2 s_a
            sb = lat[b]
            outputs.append(sp.Piecewise(((sa**2 - sb**2) / (sa - sb), sp.Ne(sa, sb)), (2 * sa, True)))
            reference.append(sa + sb)
            layout.rows.append({a: ("linear", R(1), False), b: ("linear", R(1), False)})
            constraints.append(("equal", a, b))
            note.append(f"new row ({sa}^2 - {sb}^2)/({sa} - {sb}) with the thin piece 2 {sa} (= {sa} + {sb})")
        elif kind == "removable-constant":  # (s_a^2 - z^2) / (s_a - z) = s_a + z; the thin piece 2 z
            outputs.append(sp.Piecewise(((sa**2 - z**2) / (sa - z), sp.Ne(sa, z)), (2 * z, True)))
            reference.append(sa + z)
            layout.rows.append({a: ("linear", R(1), False)})
            constraints.append(("const", a, z))
            note.append(f"new row ({sa}^2 - {z}^2)/({sa} - {z}) with the thin piece {2 * z} (= {sa} + {z})")
        elif kind == "max-min":  # kinks of Max and Min that cancel: s_a + z
            outputs.append(sp.Max(sa, z) + sp.Min(sa, z))
            reference.append(sa + z)
            layout.rows.append({a: ("linear", R(1), False)})
            constraints.append(("const", a, z))
            note.append(f"new row Max({sa}, {z}) + Min({sa}, {z}) (= {sa} + {z})")
        else:  # a removable singularity across blocks, added to a row: analytic, D and H2 false
            if not cross:
                cross = [c for c in range(d) if layout.block_of[c] != layout.block_of[a]]
            b = rng.choice(cross)
            sb, t = lat[b], rng.randrange(len(outputs))
            k, c = rng.choice(COEFFS), rng.choice(COEFFS)
            w, u = sa - z, sp.Dummy("u")
            if kind == "removable-sin":  # sin(k w s_b) / w = k s_b int_0^1 cos(k w s_b u) du
                term = sp.Piecewise((sp.sin(k * w * sb) / w, sp.Ne(sa, z)), (k * sb, True))
                smooth = k * sb * sp.Integral(sp.cos(k * w * sb * u), (u, 0, 1))
            else:  # (exp(k w s_b) - 1) / w = k s_b int_0^1 exp(k w s_b u) du
                term = sp.Piecewise(((sp.exp(k * w * sb) - 1) / w, sp.Ne(sa, z)), (k * sb, True))
                smooth = k * sb * sp.Integral(sp.exp(k * w * sb * u), (u, 0, 1))
            outputs[t] += c * term
            reference[t] += c * smooth
            overrides.update(D=False, M=None, H2=False, H3=None, H4=None)
            constraints.append(("const", a, z))
            note.append(f"removable singularity {c}*{term} in g{t}")
    return overrides, constraints


# one-argument special functions: (f, range of the argument where f' != 0, range inside
# f's real analytic domain for cross terms)
SPECIAL_ONE = {
    "erf": (sp.erf, (R(-2), R(2)), (R(-2), R(2))),
    "erfc": (sp.erfc, (R(-2), R(2)), (R(-2), R(2))),
    "erfinv": (sp.erfinv, (R(-1, 2), R(1, 2)), (R(-3, 4), R(3, 4))),
    "Si": (sp.Si, (R(-3), R(3)), (R(-3), R(3))),
    "Ci": (sp.Ci, (R(1, 10), R(3, 2)), (R(1, 2), R(4))),
    "Shi": (sp.Shi, (R(-2), R(2)), (R(-2), R(2))),
    "Chi": (sp.Chi, (R(1, 2), R(3)), (R(1), R(3))),
    "Ei": (sp.Ei, (R(1, 2), R(3)), (R(1, 2), R(3))),
    "li": (sp.li, (R(3, 2), R(4)), (R(3), R(5))),
    "sinc": (sp.sinc, (R(1, 2), R(4)), (R(1, 2), R(4))),
    "fresnels": (sp.fresnels, (R(1, 4), R(5, 4)), (R(-2), R(2))),
    "fresnelc": (sp.fresnelc, (R(-3, 4), R(3, 4)), (R(-2), R(2))),
    "besselj0": (lambda x: sp.besselj(0, x), (R(1, 2), R(3)), (R(-3), R(3))),
    "besselj1": (lambda x: sp.besselj(1, x), (R(1, 4), R(3, 2)), (R(-3), R(3))),
    "bessely0": (lambda x: sp.bessely(0, x), (R(1, 2), R(2)), (R(1, 2), R(3))),
    "besseli0": (lambda x: sp.besseli(0, x), (R(1, 4), R(3)), (R(-2), R(2))),
    "besselk0": (lambda x: sp.besselk(0, x), (R(1, 4), R(3)), (R(1, 2), R(3))),
    "airyai": (sp.airyai, (R(-1, 2), R(3)), (R(-2), R(2))),
    "airybi": (sp.airybi, (R(-1), R(2)), (R(-2), R(2))),
    "elliptic_k": (sp.elliptic_k, (R(-2), R(1, 2)), (R(-2), R(1, 2))),
    "elliptic_e": (sp.elliptic_e, (R(-2), R(1, 2)), (R(-2), R(1, 2))),
    "expint1": (lambda x: sp.expint(1, x), (R(1, 4), R(3)), (R(1, 2), R(3))),
    "expint2": (lambda x: sp.expint(2, x), (R(1, 4), R(3)), (R(1, 2), R(3))),
    "polylog2": (lambda x: sp.polylog(2, x), (R(-1, 2), R(1, 2)), (R(-3, 4), R(3, 4))),
    "polylog3": (lambda x: sp.polylog(3, x), (R(-1, 2), R(1, 2)), (R(-3, 4), R(3, 4))),
    "lambertw": (sp.LambertW, (R(-1, 4), R(3)), (R(-1, 4), R(3))),
    "gamma": (sp.gamma, (R(2), R(4)), (R(1, 2), R(4))),
    "loggamma": (sp.loggamma, (R(2), R(4)), (R(1, 2), R(4))),
    "digamma": (sp.digamma, (R(1, 2), R(3)), (R(1, 2), R(4))),
    "zeta": (sp.zeta, (R(3, 2), R(4)), (R(3), R(5))),
}
# a latent in another argument position, the other arguments fixed: strictly monotone there
SPECIAL_POSITION = {
    "expint-order": (lambda x: sp.expint(x, 2), (R(1, 2), R(3))),  # decreasing in the order
    "polylog-order": (lambda x: sp.polylog(x, R(1, 2)), (R(3, 2), R(4))),  # decreasing for 0 < z < 1
    "uppergamma-x": (lambda x: sp.uppergamma(R(3, 2), x), (R(1, 2), R(3))),
    "lowergamma-x": (lambda x: sp.lowergamma(R(3, 2), x), (R(1, 2), R(3))),
    "elliptic_f-phi": (lambda x: sp.elliptic_f(x, R(1, 3)), (R(-1), R(1))),
    "elliptic_e-phi": (lambda x: sp.elliptic_e(x, R(1, 3)), (R(-1), R(1))),
    "beta-a": (lambda x: sp.beta(x, 2), (R(1, 2), R(3))),  # psi(a) - psi(a + b) < 0
    "hyper-z": (lambda x: sp.hyper([1], [2], x), (R(-1), R(1))),  # (e^z - 1)/z
    "hyper-param": (lambda x: sp.hyper([x], [2], 1), (R(1, 2), R(3))),  # increasing in a > 0 at z = 1
}
# two latent arguments (every position): not additively separable, so D and H2 fail
SPECIAL_TWO = {
    "besselj": (sp.besselj, (R(1, 2), R(2)), (R(1, 2), R(3))),
    "bessely": (sp.bessely, (R(1, 2), R(2)), (R(1, 2), R(3))),
    "expint": (sp.expint, (R(1, 2), R(2)), (R(1, 2), R(3))),
    "polylog": (sp.polylog, (R(3, 2), R(3)), (R(-1, 2), R(1, 2))),
    "lowergamma": (sp.lowergamma, (R(1, 2), R(3)), (R(1, 2), R(3))),
    "uppergamma": (sp.uppergamma, (R(1, 2), R(3)), (R(1, 2), R(3))),
    "elliptic_f": (sp.elliptic_f, (R(-1), R(1)), (R(-1), R(1, 2))),
    "elliptic_e2": (sp.elliptic_e, (R(-1), R(1)), (R(-1), R(1, 2))),
    "beta": (sp.beta, (R(1, 2), R(3)), (R(1, 2), R(3))),
    "hurwitz-zeta": (sp.zeta, (R(3, 2), R(3)), (R(1, 2), R(3))),
    "hyper-param-z": (lambda a, z: sp.hyper([a], [2], z), (R(1, 2), R(2)), (R(-1), R(1))),
    "hyper-lower": (lambda b, z: sp.hyper([1], [b], z), (R(1), R(3)), (R(-1), R(1))),
}


def _argument(rng: random.Random, s: sp.Symbol, interval: tuple, target: tuple) -> sp.Expr:
    """An argument ``u(s)`` with u' != 0 that maps the open interval into ``target``:
    affine for a bounded interval, through tanh for an unbounded one; either direction."""
    lo, hi = interval
    tlo, thi = target
    if rng.random() < 0.5:
        tlo, thi = thi, tlo
    if lo != -sp.oo and hi != sp.oo:
        return tlo + (thi - tlo) * (s - lo) / (hi - lo)
    return tlo + (thi - tlo) * (1 + sp.tanh(s)) / 2


def _special_functions(rng: random.Random, layout: _Layout, outputs: list, reference: list, note: list) -> dict:
    lat, d = layout.latents, len(layout.latents)
    overrides: dict = {}
    for _ in range(rng.randint(1, 2)):  # new rows of monotone special pieces (additive)
        chosen = rng.sample(range(d), rng.randint(1, min(2, d)))
        expr, row = sp.S.Zero, {}
        for a in sorted(chosen):
            if rng.random() < 0.7:
                name = rng.choice(sorted(SPECIAL_ONE))
                f, target, _ = SPECIAL_ONE[name]
            else:
                name = rng.choice(sorted(SPECIAL_POSITION))
                f, target = SPECIAL_POSITION[name]
            c = rng.choice(COEFFS)
            expr += c * f(_argument(rng, lat[a], layout.intervals[a], target))
            row[a] = (name, c, False)
        outputs.append(expr)
        reference.append(expr)
        layout.rows.append(row)
        note.append(f"new row of monotone special pieces {expr}")
    if rng.random() < 0.6:  # a cross term across blocks
        a, b, t = _cross_pair(rng, layout)
        sa, sb = lat[a], lat[b]
        shape = rng.choice(("sum", "product", "two", "two"))
        if shape == "two":
            name = rng.choice(sorted(SPECIAL_TWO))
            f, ra, rb = SPECIAL_TWO[name]
            term = f(_argument(rng, sa, layout.intervals[a], ra), _argument(rng, sb, layout.intervals[b], rb))
        else:
            name = rng.choice(sorted(SPECIAL_ONE))
            f, _, (A, B) = SPECIAL_ONE[name]
            if shape == "sum":
                term = f(_argument(rng, sa, layout.intervals[a], (A / 2, B / 2)) + _argument(rng, sb, layout.intervals[b], (A / 2, B / 2)))
            else:  # u in (1/2, 1) times v in (A, B) stays in (min(A, A/2), B)
                term = f(_argument(rng, sa, layout.intervals[a], (R(1, 2), R(1))) * _argument(rng, sb, layout.intervals[b], (A, B)))
        c = rng.choice(COEFFS)
        outputs[t] += c * term
        reference[t] += c * term
        overrides.update(D=False, M=None, H2=False, H3=None, H4=None)
        note.append(f"special cross term {c}*{term} ({name}, {shape}) in g{t}")
    return overrides


def _large_n(rng: random.Random) -> int:
    """N with sin(N pi p/q) = 0 and cos(N pi p/q) = 1 for every q the point sources use
    (a multiple of 12 lcm(1..40)), or the brief's 10**6 + 1, or a random large integer."""
    kind = rng.random()
    if kind < 0.7:
        return 12 * math.lcm(*range(1, 41)) * rng.randint(1, 99)
    return 10**6 + 1 if kind < 0.85 else rng.randint(10**8, 10**9)


def _large_denominator(rng: random.Random, layout: _Layout, outputs: list, reference: list, note: list) -> dict:
    lat = layout.latents
    overrides: dict = {}
    planted = 0
    while planted == 0:
        if rng.random() < 0.7:  # a cross term that vanishes (with derivatives) at small denominators
            a, b, t = _cross_pair(rng, layout)
            sa, sb, c, N = lat[a], lat[b], rng.choice(COEFFS), _large_n(rng)
            arg = N * sp.pi * sa
            shape = rng.choice(("sin", "one-minus-cos", "sin-squared", "sin-product"))
            term = c * {
                "sin": sp.sin(arg) * sb,
                "one-minus-cos": (1 - sp.cos(arg)) * sb,
                "sin-squared": sp.sin(arg) ** 2 * sb,
                "sin-product": sp.sin(arg) * sp.sin(N * sp.pi * sb),
            }[shape]
            outputs[t] += term
            reference[t] += term
            overrides.update(D=False, M=None, H2=False, H3=False, H4=False)
            note.append(f"large-denominator cross term {term} in g{t}")
            planted += 1
        if rng.random() < 0.5:  # identically zero: truths unchanged, never refuted
            a, b, t = _cross_pair(rng, layout)
            sa, sb, N = lat[a], lat[b], _large_n(rng)
            arg = N * sp.pi * sa
            shape = rng.choice(("pythagoras", "double-angle"))
            zero = sp.sin(arg) ** 2 + sp.cos(arg) ** 2 - 1 if shape == "pythagoras" else sp.sin(2 * arg) - 2 * sp.sin(arg) * sp.cos(arg)
            outputs[t] += zero * sb
            note.append(f"large-denominator hidden zero ({shape}, N = {N}) times {sb} in g{t}")
            planted += 1
    return overrides


def _make_new(family: str, seed: int, rng: random.Random, layout: _Layout) -> Instance:
    lat = layout.latents
    outputs, reference = list(layout.outputs), list(layout.outputs)
    note: list[str] = []
    constraints: list[tuple] = []
    if family == "thin-piecewise":
        overrides, constraints = _thin_piecewise(rng, layout, outputs, reference, note)
    elif family == "special-functions":
        overrides = _special_functions(rng, layout, outputs, reference, note)
    else:
        overrides = _large_denominator(rng, layout, outputs, reference, note)
    truth: dict[str, bool | None] = {"D": _truth_d(layout), "M": _truth_m(layout), "H2": True, "H3": True, "H4": True}
    truth.update(overrides)
    criteria = ("D", "M", "H2", "H3") + (("H4",) if family == "large-denominator" else ())
    points = _points(rng, layout)
    if constraints:  # the checked points lie ON the thin sets
        points = [_thin_point(rng, layout, constraints)] + points
    box = Box({s: layout.intervals[a] for a, s in enumerate(lat)})
    g = Generator(f"{family}-{seed}", [[lat[a] for a in block] for block in layout.blocks], outputs, box, points=points)
    intervals = {str(s): layout.intervals[a] for a, s in enumerate(lat)}
    return Instance(family, g, tuple(reference), intervals, truth, criteria, note)


def make_instance(family: str, seed: int) -> Instance:
    """The instance of ``family`` drawn from ``seed`` (deterministic)."""
    if family in S_FAMILIES:
        return _make_global_s(family, seed)
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}")
    rng = random.Random(f"{family}:{seed}")
    layout = _layout(rng)
    if family in NEW_FAMILIES:
        return _make_new(family, seed, rng, layout)
    lat = layout.latents
    outputs = list(layout.outputs)
    reference = list(layout.outputs)
    truth: dict[str, bool | None] = {"D": _truth_d(layout), "M": _truth_m(layout), "H2": True, "H3": True, "H4": True}
    note: list[str] = []
    criteria = ["D", "M", "H2", "H3"]

    if family == "hidden-zero":
        for _ in range(rng.randint(1, 2)):
            a, b, t = _cross_pair(rng, layout)
            kind = rng.choice(("one", "one", "constant", "two", "sqrt"))
            if kind == "sqrt" and layout.intervals[a][0] == -sp.oo:
                kind = "one"
            if kind == "one":
                name = rng.choice(sorted(HIDDEN_ONE))
                term = lat[a] * lat[b] * HIDDEN_ONE[name](lat[rng.choice((a, b))])
            elif kind == "constant":
                name = rng.choice(sorted(HIDDEN_CONSTANT))
                term = HIDDEN_CONSTANT[name] * lat[a] * lat[b]
            elif kind == "two":
                name = rng.choice(sorted(HIDDEN_TWO))
                term = HIDDEN_TWO[name](lat[a], lat[b])
            else:  # zero on this box (s_a > lo), not on R
                lo, s = layout.intervals[a][0], lat[a]
                name = rng.choice(("domain-sqrt", "domain-abs", "domain-max", "domain-heaviside"))
                if name == "domain-sqrt":  # sqrt((s + c)^2) = s + c where s + c > 0
                    c = 2 - lo
                    term = lat[b] * (sp.sqrt(s**2 + 2 * c * s + c**2) - s - c)
                elif name == "domain-abs":
                    term = lat[b] * (sp.Abs((s - lo) ** 3) - (s - lo) ** 3)
                elif name == "domain-max":
                    term = lat[b] * (sp.Max(s, lo) - s)
                else:
                    term = lat[b] * (sp.Heaviside(s - lo) - 1) * s
            outputs[t] += term
            note.append(f"hidden zero {name} in g{t}")
        criteria.append("H4")
    elif family.startswith("cross-"):
        a, b, t = _cross_pair(rng, layout)
        c = rng.choice(COEFFS)
        sa, sb = lat[a], lat[b]
        if family == "cross-bilinear":
            term = c * sa * sb
            truth.update(H2=False, H3=True, H4=True)
        elif family == "cross-quadratic":
            term = c * sa**2 * sb
            truth.update(H2=False, H3=False, H4=True)
        else:
            term = rng.choice((c * sp.sin(sa) * sb, sp.exp(c * sa * sb), c * sb / (3 + sa**2)))
            truth.update(H2=False, H3=False, H4=False)
        outputs[t] += term
        reference[t] += term
        truth.update(D=False, M=None)
        criteria.append("H4")
        note.append(f"cross term {term} in g{t}")
    elif family == "near-zero":
        a, b, t = _cross_pair(rng, layout)
        name = rng.choice(sorted(TINY))
        shape = rng.choice(("bilinear", "quadratic", "sin", "kink"))
        sa, sb = lat[a], lat[b]
        if shape == "kink":  # zero for s_a > c only: c inside the box, so nonzero on part of it
            c = _rational_inside(rng, *layout.intervals[a])
            name = f"|x|^3 - x^3 at {c}"
            term = sb * (sp.Abs((sa - c) ** 3) - (sa - c) ** 3)
            truth.update(D=False, M=None, H2=False, H3=False, H4=False)
        else:
            term = TINY[name] * {"bilinear": sa * sb, "quadratic": sa**2 * sb, "sin": sp.sin(sa) * sb}[shape]
            truth.update(D=False, M=None, H2=False, H3=shape == "bilinear", H4=shape != "sin")
        outputs[t] += term
        reference[t] += term
        criteria.append("H4")
        note.append(f"near-zero {name} ({shape}) in g{t}")
    elif family == "hidden-near-zero":
        a, b, t = _cross_pair(rng, layout)
        name = rng.choice(sorted(HIDDEN_ONE))
        tiny = rng.choice(sorted(TINY))
        sa, sb = lat[a], lat[b]
        outputs[t] += sa * sb * (HIDDEN_ONE[name](lat[rng.choice((a, b))]) + TINY[tiny])
        reference[t] += TINY[tiny] * sa * sb
        truth.update(D=False, M=None, H2=False, H3=True)
        note.append(f"hidden zero {name} plus {tiny} in g{t}")
    elif family == "switching":
        a = rng.randrange(len(lat))
        t = rng.randrange(len(outputs))
        lo, hi = layout.intervals[a]
        active = rng.random() < 0.6 or hi == sp.oo
        z = _rational_inside(rng, lo, hi) if active else hi + R(rng.randint(0, 2), 2)
        c = rng.choice(COEFFS)
        term = sp.Piecewise((c * (lat[a] - z) ** 3, lat[a] > z), (0, True))
        outputs[t] += term
        if active:
            reference[t] += term
            others = {layout.block_of[b] for b in layout.rows[t]} - {layout.block_of[a]}
            if others:
                truth["D"] = False
            truth["M"] = None
            note.append(f"switch {term} in g{t} ({'active' if active else 'inactive'})")
    region = None
    if family == "switching-region":
        # P20/P21: two switches in one new row; the region keeps them apart (D holds) or not
        a, b, _ = _cross_pair(rng, layout)
        z, w = _rational_inside(rng, *layout.intervals[a]), _rational_inside(rng, *layout.intervals[b])
        apart = rng.random() < 0.5
        bound = z - w + (0 if apart else R(1, rng.choice((2, 3, 8))))
        sa, sb = lat[a], lat[b]
        term = sp.Piecewise((rng.choice(COEFFS) * (sa - z) ** 3, sa > z), (0, True)) + sp.Piecewise(
            (rng.choice(COEFFS) * (sb - w) ** 3, sb < w), (0, True)
        )
        outputs.append(term)
        reference.append(term)
        region = ("linear", str(sa), str(sb), bound)
        truth.update(D=truth["D"] and apart, M=None)
        note.append(f"switches {term} on the region {sa} - {sb} < {bound} ({'apart' if apart else 'overlapping'})")

    if family == "disk-region":
        # an ellipsoid inside the box (open, connected, not a box): D and H truths unchanged;
        # M too when no support switches (every configuration of planted zeros must be reachable)
        axes = {}
        for a, s in enumerate(lat):
            lo, hi = layout.intervals[a]
            lo = hi - 3 if lo == -sp.oo and hi != sp.oo else (R(-2) if lo == -sp.oo else lo)
            hi = lo + 3 if hi == sp.oo else hi
            axes[str(s)] = ((lo + hi) / 2, (hi - lo) / 2)
        region = ("disk", axes)
        if layout.zeros:
            truth["M"] = None
        note.append("domain: the ellipsoid inscribed in the box")

    box = Box({s: layout.intervals[a] for a, s in enumerate(lat)})
    domain = box
    points = _points(rng, layout)
    if region is not None:
        by_name = {str(s): s for s in lat}
        domain = Region(box, _region_condition(region, by_name))
        points = [p for p in points if _in_region(region, {str(s): v for s, v in p.items()})]
    g = Generator(f"{family}-{seed}", [[lat[a] for a in block] for block in layout.blocks], outputs, domain, points=points)
    intervals = {str(s): layout.intervals[a] for a, s in enumerate(lat)}
    return Instance(family, g, tuple(reference), intervals, truth, tuple(criteria), note, region)


def instances(count: int, seed: int = 0, families: tuple[str, ...] = FAMILIES):
    """``count`` instances cycling through ``families``, the k-th drawn from ``seed + k``."""
    for k in range(count):
        family = families[k % len(families)]
        yield make_instance(family, seed + k // len(families))


# -- issue 13: Type S on the whole domain (opt-in families) --------------------------------------
#: Vanishing pieces of the S families: the derivative is zero exactly at s = z (on all of R).
S_VANISHING = {
    "poly2": lambda s, c, z: c * (s - z) ** 2,
    "poly3": lambda s, c, z: c * (s - z) ** 3,
    "gauss": lambda s, c, z: sp.exp(c * (s - z) ** 2),
}
S_POLYNOMIAL = frozenset({"linear", "cubic", "poly2", "poly3"})
#: mostly bounded intervals (the rank certificate of a non-polynomial block needs one)
S_INTERVALS = INTERVALS[:6] * 4 + INTERVALS[6:]
_X = sp.Symbol("x", real=True)


def _s_piece(s: sp.Symbol, kind: str, c: sp.Rational, z: sp.Rational | None = None) -> sp.Expr:
    """``c f(s)`` with the coefficient outside (``f`` the monotone piece with c = 1), so that
    pieces of one kind have proportional derivatives; vanishing pieces as in S_VANISHING."""
    return S_VANISHING[kind](s, c, z) if kind in S_VANISHING else c * MONOTONE[kind](s, R(1))


def _s_monotone(rng: random.Random, polynomial: float = 0.8) -> str:
    return rng.choice(("linear", "cubic")) if rng.random() < polynomial else rng.choice(sorted(set(MONOTONE) - {"linear", "cubic"}))


def _s_vanishing(rng: random.Random, polynomial: float = 0.85) -> str:
    return rng.choice(("poly2", "poly3")) if rng.random() < polynomial else "gauss"


def _s_point(rng: random.Random, latents, intervals: list, special: dict[int, list]) -> list[dict]:
    """No point (the checker draws one) or one point, each latent on one of its special
    values (planted zeros, rational critical points) with probability 0.6."""
    if rng.random() < 0.35:
        return []
    return [
        {
            s: rng.choice(special[a]) if special.get(a) and rng.random() < 0.6 else _rational_inside(rng, *intervals[a])
            for a, s in enumerate(latents)
        }
    ]


def _combine(flags: list[bool | None]) -> bool | None:
    """A global truth from per-configuration truths: False if one fails, None if one is unknown."""
    if False in flags:
        return False
    return None if None in flags else True


def _global_s_disjoint(rng: random.Random, seed: int, family: str) -> Instance:
    """Mode ``disjoint``: every row in one block (D everywhere); every latent has a private
    row with a monotone piece, except the *deficient* latents, all of whose rows use a
    vanishing piece with the latent's planted zero.  Under D a basis weighs at least its block
    components (rho+ <= rho- everywhere: non-strict S holds); the tie rho- = rho+ happens
    exactly where a block is rank-deficient (swap a kernel vector into another block's basis
    vector).  Private monotone rows give full column rank everywhere; a deficient latent's
    column vanishes on s_a = z_a, inside the box.  So S (strict) holds iff no latent is
    deficient.  For ``global-s-irreducible``, rows with two latents use linear pieces only, so
    every row of a 2-D block is a scalar function times a constant direction; the direction
    classes change only where single-latent vanishing rows switch off (s_a = z_a), and the
    truth of S-irreducibility is the brute force over splits of every such configuration."""
    irreducible = family == "global-s-irreducible"
    sizes = rng.choice(((2, 1), (1, 2), (2, 2), (2, 1, 1))) if irreducible else [rng.choice((1, 1, 2)) for _ in range(rng.choice((2, 2, 3)))]
    d = sum(sizes)
    latents = sp.symbols(f"s1:{d + 1}", real=True)
    blocks, start = [], 0
    for size in sizes:
        blocks.append(list(range(start, start + size)))
        start += size
    intervals = [rng.choice(S_INTERVALS) for _ in range(d)]
    zeros = {a: _rational_inside(rng, *intervals[a]) for a in range(d) if rng.random() < 0.5}
    deficient = set()
    if not irreducible and zeros and rng.random() < 0.45:
        deficient = set(rng.sample(sorted(zeros), 1 if rng.random() < 0.8 or len(zeros) == 1 else 2))
    poly = 0.85 if rng.random() < 0.8 else 0.3
    rows: list[dict[int, tuple[str, sp.Rational]]] = []
    for a in range(d):
        if a in deficient:
            rows.append({a: (_s_vanishing(rng, poly), rng.choice(COEFFS))})
        else:
            rows.append({a: (_s_monotone(rng, poly), rng.choice(COEFFS))})
    directions = [(1, 1), (1, -1), (1, 2), (2, 1), (1, -2), (2, -1)]
    for _ in range(rng.randint(0, 4 if irreducible else 3)):
        block = blocks[rng.randrange(len(blocks))]
        chosen = sorted(rng.sample(block, rng.randint(1, len(block))))
        if irreducible and rng.random() < 0.6:  # mostly rows of fixed directions in a 2-D block
            chosen = rng.choice([b for b in blocks if len(b) == 2])
        if irreducible and len(chosen) == 2:  # a constant direction, repeated often
            lam = rng.choice(COEFFS)
            da, db = directions[rng.randrange(3 if rng.random() < 0.6 else 6)]
            rows.append({chosen[0]: ("linear", lam * da), chosen[1]: ("linear", lam * db)})
            continue
        row = {}
        for a in chosen:
            vanishing = a in deficient or (a in zeros and rng.random() < 0.5)
            if irreducible and len(chosen) > 1:
                vanishing = False
            row[a] = (_s_vanishing(rng, poly) if vanishing else _s_monotone(rng, poly), rng.choice(COEFFS))
        rows.append(row)
    if irreducible:  # repeat some rows of 2-D blocks (class sizes of 2 and 3)
        two = [r for r in rows if len(r) == 2]
        for _ in range(rng.randint(0, 3)):
            if two:
                base = rng.choice(two)
                lam = rng.choice(COEFFS)
                rows.append({a: ("linear", c * lam) for a, (_, c) in base.items()})
    rng.shuffle(rows)
    outputs = []
    for row in rows:
        outputs.append(sp.Add(*[_s_piece(latents[a], kind, c, zeros.get(a)) for a, (kind, c) in row.items()]))
    truth: dict[str, bool | None] = {"S": not deficient, "S" + NON_STRICT: True}
    note = [f"mode disjoint; planted zeros {dict((str(latents[a]), str(z)) for a, z in zeros.items())}; deficient latents {[str(latents[a]) for a in sorted(deficient)]}"]
    criteria: tuple[str, ...] = ("S", "S" + NON_STRICT)
    if irreducible:
        per_reading = {}
        for strict in (True, False):
            flags = []
            for block in blocks:
                if len(block) == 2:
                    flags += [not block_split_keeps_s(cls, strict) for cls in _block_class_configs(rows, block, zeros)]
            per_reading[strict] = _combine(flags)
        truth["irreducible:S"], truth["irreducible:S" + NON_STRICT] = per_reading[True], per_reading[False]
        criteria += ("irreducible:S", "irreducible:S" + NON_STRICT)
        note.append(f"2-D blocks' direction-class sizes per configuration: {[_block_class_configs(rows, b, zeros) for b in blocks if len(b) == 2]}")
    special = {a: [z] for a, z in zeros.items()}
    points = _s_point(rng, latents, intervals, special)
    box = Box({s: intervals[a] for a, s in enumerate(latents)})
    g = Generator(f"{family}-{seed}", [[latents[a] for a in b] for b in blocks], outputs, box, points=points)
    inst = Instance(family, g, tuple(outputs), {str(s): intervals[a] for a, s in enumerate(latents)}, truth, criteria, note)
    if irreducible:
        inst.configurations = tuple((tuple(b), tuple(tuple(c) for c in _block_class_configs(rows, b, zeros))) for b in blocks if len(b) == 2)
    return inst


def _block_class_configs(rows: list[dict], block: list[int], zeros: dict) -> list[list[int]]:
    """For each configuration of which of the block's latents sit on their planted zero (all
    realised in a box), the sizes of the direction classes of the block's nonzero rows.  A row
    with one latent points along that axis and vanishes on the zero iff its piece is
    vanishing; a row with two latents is linear (a constant direction, never zero)."""
    a, b = block
    out = []
    for on_a in ((False, True) if a in zeros else (False,)):
        for on_b in ((False, True) if b in zeros else (False,)):
            classes: Counter = Counter()
            for row in rows:
                if set(row) == {a, b}:
                    ca, cb = row[a][1], row[b][1]
                    classes[("dir", ca / cb)] += 1
                elif set(row) in ({a}, {b}):
                    (latent, (kind, _)), = row.items()
                    at_zero = on_a if latent == a else on_b
                    if not (kind in S_VANISHING and at_zero):
                        classes[("axis", latent)] += 1
            out.append(sorted(classes.values(), reverse=True))
    return out


def _two_lines_instance(rng: random.Random, seed: int, family: str) -> Instance:
    """Mode ``two-lines``: two 1-D factors.  Roles P (varied) and Q (common) are drawn onto s1
    and s2.  Every row's Q-part in the overlap is ``c_tQ phi_Q(s_Q)`` with ONE monotone phi_Q,
    so on the overlap two rows are proportional iff ``c_tP f_t'(x) c_uQ = c_uP f_u'(x) c_tQ``
    (x = s_P): the classes depend on s_P alone.  P-parts use one monotone phi_P or, on some
    rows, a vanishing psi_P with the planted zero z_P (both polynomial when they meet in the
    overlap); Q-only rows may vanish at z_Q.  The truth enumerates the configurations: every
    irreducible factor q over Q of the P-partials and of the cross-shape minors with a root in
    the P-interval gives one (q's roots all give the same zero pattern: q divides exactly the
    same polynomials), plus the generic one; times s_Q = z_Q or not.  Each is realised in the
    box; the closed form of docs/mathematics.md 5.7 (written out in the oracle) decides it."""
    interval_p, interval_q = rng.choice(S_INTERVALS), rng.choice(S_INTERVALS)
    poly = rng.random() < 0.75  # every piece polynomial (the strata route can decide)
    mono, van = (1.0, 1.0) if poly else (0.6, 0.6)
    phi_p = _s_monotone(rng, 1.0 if poly or rng.random() < 0.5 else 0.0)
    phi_q = _s_monotone(rng, mono)
    z_p = _rational_inside(rng, *interval_p) if rng.random() < 0.7 else None
    z_q = _rational_inside(rng, *interval_q) if rng.random() < 0.4 else None
    psi_p = _s_vanishing(rng, 1.0) if z_p is not None else None
    ratios = (R(1), R(2), R(-1), R(1, 2))
    rows: list[dict[str, tuple[str, sp.Rational]]] = []
    n_overlap = rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4))
    for _ in range(n_overlap):
        c = rng.choice(COEFFS)
        kind = psi_p if (psi_p is not None and phi_p in S_POLYNOMIAL and rng.random() < 0.35) else phi_p
        rows.append({"P": (kind, c), "Q": (phi_q, c * rng.choice(ratios[: rng.choice((1, 2, 4))]))})
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice((psi_p, _s_vanishing(rng, van))) if z_p is not None and rng.random() < 0.4 else rng.choice((phi_p, _s_monotone(rng, mono)))
        rows.append({"P": (kind, rng.choice(COEFFS))})
    for _ in range(rng.randint(1, 5)):
        kind = _s_vanishing(rng, van) if z_q is not None and rng.random() < 0.4 else _s_monotone(rng, mono)
        rows.append({"Q": (kind, rng.choice(COEFFS))})
    rng.shuffle(rows)
    s1, s2 = sp.symbols("s1 s2", real=True)
    p_first = rng.random() < 0.5
    sym = {"P": s1 if p_first else s2, "Q": s2 if p_first else s1}
    zero = {"P": z_p, "Q": z_q}
    outputs = [sp.Add(*[_s_piece(sym[r], kind, c, zero[r]) for r, (kind, c) in row.items()]) for row in rows]
    flags = {True: [], False: []}
    configs, roots = _two_line_configs(rows, interval_p, z_p, z_q)
    for n1, n2, o, o1, o2 in configs:
        for strict in (True, False):
            if n1 == 0 or n2 == 0:
                flags[strict].append(None)  # a zero column: left unknown
            else:
                rho_plus, rho_minus = two_line_rho(n1, n2, o, o1, o2)
                flags[strict].append(rho_plus < rho_minus if strict else rho_plus <= rho_minus)
    truth = {"S": _combine(flags[True]), "S" + NON_STRICT: _combine(flags[False])}
    intervals = [interval_p, interval_q] if p_first else [interval_q, interval_p]
    special: dict[int, list] = {}
    for role, values in (("P", [z_p] + roots), ("Q", [z_q])):
        values = [v for v in values if v is not None]
        if values:
            special[0 if (role == "P") == p_first else 1] = sorted(set(values))
    latents = (s1, s2)
    points = _s_point(rng, latents, intervals, special)
    box = Box({s1: intervals[0], s2: intervals[1]})
    g = Generator(f"{family}-{seed}", [[s1], [s2]], outputs, box, points=points)
    note = [f"mode two-lines: P = {sym['P']} (phi {phi_p}, psi {psi_p}, z {z_p}), Q = {sym['Q']} (phi {phi_q}, z {z_q}); configurations (n1, n2, o, o1, o2) {sorted(set(configs))}"]
    inst = Instance(family, g, tuple(outputs), {str(s1): intervals[0], str(s2): intervals[1]}, truth, ("S", "S" + NON_STRICT), note)
    inst.configurations = tuple(sorted({c if p_first else (c[1], c[0], *c[2:]) for c in configs}))
    return inst


def _derivative(kind: str, c: sp.Rational, z) -> sp.Expr:
    """The derivative of a piece in ``_X`` (plain ``sympy.diff`` of the construction)."""
    return sp.diff(_s_piece(_X, kind, c, z), _X)


def _zero_polynomial(kind: str, c: sp.Rational, z) -> sp.Poly | None:
    """A polynomial with exactly the real zeros of the piece's derivative (``None``: no zero)."""
    if kind in MONOTONE:
        return None
    if kind == "gauss":  # 2 c (x - z) exp(c (x - z)^2)
        return sp.Poly(_X - z, _X)
    return sp.Poly(_derivative(kind, c, z), _X)


def _two_line_configs(rows: list[dict], interval_p: tuple, z_p, z_q) -> tuple[list[tuple[int, int, int, int, int]], list]:
    """``(n1, n2, o, o1, o2)`` of every configuration realised in the box (mode two-lines;
    n1 counts the P-column), and the rational critical values of s_P inside its interval."""
    zero_polys = {t: _zero_polynomial(*row["P"], z_p) for t, row in enumerate(rows) if "P" in row}
    overlap = [t for t, row in enumerate(rows) if "P" in row and "Q" in row]
    minors: dict[tuple[int, int], object] = {}
    for i, t in enumerate(overlap):
        for u in overlap[:i]:
            (kt, ct), (ku, cu) = rows[t]["P"], rows[u]["P"]
            qt, qu = rows[t]["Q"][1], rows[u]["Q"][1]
            if kt == ku:  # the same shape: c_tP f'(x) c_uQ - c_uP f'(x) c_tQ
                minors[(t, u)] = ct * qu - cu * qt == 0
            else:  # two polynomial shapes (the construction's rule)
                assert kt in S_POLYNOMIAL and ku in S_POLYNOMIAL, (kt, ku)
                m = sp.expand(ct * qu * _derivative(kt, R(1), z_p) - cu * qt * _derivative(ku, R(1), z_p))
                minors[(t, u)] = True if m == 0 else sp.Poly(m, _X)
    polys = [p for p in zero_polys.values() if p is not None] + [m for m in minors.values() if isinstance(m, sp.Poly)]
    factors = []
    for p in polys:
        for q, _ in sp.factor_list(p)[1]:
            q = q.monic()
            if q.degree() >= 1 and q not in factors:
                factors.append(q)
    lo, hi = interval_p
    p_configs = [None]  # the generic configuration: nothing vanishes
    roots = []
    for q in factors:
        count = q.count_roots(None if lo == -sp.oo else lo, None if hi == sp.oo else hi)
        count -= sum(1 for e in (lo, hi) if e not in (-sp.oo, sp.oo) and q.eval(e) == 0)
        if count > 0:
            p_configs.append(q)
            if q.degree() == 1:
                roots.append(-q.nth(0) / q.nth(1))

    def vanishes(p, q) -> bool:
        return q is not None and p is not None and p.rem(q).is_zero

    q_options = [False] + ([True] if z_q is not None and any("P" not in row and row["Q"][0] in S_VANISHING for row in rows) else [])
    out = []
    for q in p_configs:
        nonzero_p = {t for t, p in zero_polys.items() if not vanishes(p, q)}
        for at_zq in q_options:
            nonzero_q = {t for t, row in enumerate(rows) if "Q" in row and not ("P" not in row and row["Q"][0] in S_VANISHING and at_zq)}
            both = sorted(nonzero_p & nonzero_q)
            heads: dict[int, int] = {}
            for t in both:
                home = None
                for u in heads:
                    m = minors[(max(t, u), min(t, u))]
                    if m is True or (isinstance(m, sp.Poly) and vanishes(m, q)):
                        home = u
                        break
                if home is None:
                    heads[t] = 1
                else:
                    heads[home] += 1
            sizes = sorted(heads.values(), reverse=True) + [0, 0]
            out.append((len(nonzero_p), len(nonzero_q), len(both), sizes[0], sizes[1]))
    return out, roots


def _make_global_s(family: str, seed: int) -> Instance:
    rng = random.Random(f"{family}:{seed}")
    if family == "global-s" and rng.random() < 0.55:
        return _two_lines_instance(rng, seed, family)
    return _global_s_disjoint(rng, seed, family)

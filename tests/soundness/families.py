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

Each :class:`Instance` carries *reference outputs*: expressions equal to the outputs on
the domain but written without the hidden-zero terms, for the independent oracle
(:mod:`tests.soundness.oracle`).

Examples
--------
>>> inst = make_instance("cross-bilinear", 3)
>>> inst.truth["H2"], inst.truth["H3"], inst.truth["D"]
(False, True, False)
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import sympy as sp

from theory import Box, Generator, Region

__all__ = ["Instance", "FAMILIES", "make_instance", "instances"]

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
)


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


def make_instance(family: str, seed: int) -> Instance:
    """The instance of ``family`` drawn from ``seed`` (deterministic)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}")
    rng = random.Random(f"{family}:{seed}")
    layout = _layout(rng)
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

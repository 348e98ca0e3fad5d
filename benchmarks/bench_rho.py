"""Benchmark: exact rho+ / rho- (docs/mathematics.md section 5) by both engines, against a brute force,
and the FLINT kernel of :mod:`theory.linalg.rational` against the Fraction oracle.

**Engines** (blocks of size 2 throughout):

* **planted sparse** Jacobians (:func:`planted`) of sizes 12x4, 20x6, 32x8, 50x10 and 64x8:
  every row ("pixel") has a home block and 1-2 nonzeros in it, small integers, and with
  probability ``leak`` (0.2) one extra nonzero in another block;
* **dense generic** Jacobians (:func:`dense`) of sizes 12x4 and 20x6: every entry a nonzero
  small integer.

For each point it times :func:`theory.linalg.rho.sparsity` with ``engine="matroid"`` and
``engine="z3"`` under a per-point budget, and a **brute force** baseline
(:func:`brute_force`, section 5.5): every flat of the row matroid (closures of growing row
sets), generic representatives of every ``U_F`` and ``U_F ∩ E_k``, then a branch-and-bound
search of d-subsets for the lightest aligned and misaligned bases.  The brute force runs only
up to ``--brute-rows`` rows and under its own time cap.  A run past its budget is reported
as ``bounds`` (the engines return proven bounds) or ``timeout`` (brute force), with the time
it used.

**Kernel** (:data:`KERNEL_POINTS`, :data:`MICRO_SHAPES`): the time of
``sparsity(J, blocks, budget=...)`` (the default engine, matroid, on the FLINT kernel) on
dense 20x6 (blocks 2,2,2), dense 35x6 with 200-digit rationals (:func:`huge`; blocks 2,2,2
and 3,3), planted and dense 50x10 (blocks of 2 and of 5); and a linear-algebra microbench:
``rank`` and ``nullspace`` of random rank-deficient 100x15 (rank 12) and 400x60 (rank 50)
matrices of small rationals (:func:`low_rank`), by ``theory.linalg.rational`` (FLINT) and by
the Fraction oracle ``tests/exact_linalg.py`` (run in a child process under ``--oracle-cap``
seconds; past it the row says ``timeout`` and the ratio is a lower bound), with their ratio
and whether the answers are identical.

The output is markdown tables on stdout (time per method, the ratios, the rho values and
whether every finished method agrees), and with ``--json PATH`` the same numbers as JSON.

Run from the repository root::

    python benchmarks/bench_rho.py [--quick] [--only engines|kernel] [--kinds ...] [--before [subsets|generic]] [--seed 0] [--budget 60]
                                   [--brute-cap 60] [--brute-rows 20] [--oracle-cap 60]
                                   [--json benchmarks/results/rho.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import multiprocessing
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from math import lcm
from multiprocessing.connection import Connection
from pathlib import Path
from types import ModuleType
from typing import Any

from theory.linalg.rational import nullspace, rank, rref
import theory.linalg.rho as rho_module
import theory.linalg.sparsest_basis as basis_module
from theory.linalg.rho import sparsity

__all__ = [
    "planted",
    "dense",
    "generic",
    "huge",
    "low_rank",
    "brute_force",
    "BruteForceTimeout",
    "Point",
    "run_point",
    "markdown_table",
    "kernel_point",
    "kernel_table",
    "microbench",
    "micro_table",
    "main",
]

#: (kind, m, d) of the full run.
FULL_POINTS = (
    ("planted", 12, 4),
    ("planted", 20, 6),
    ("planted", 32, 8),
    ("planted", 50, 10),
    ("planted", 64, 8),
    ("dense", 12, 4),
    ("dense", 20, 6),
)
#: (kind, m, d) of ``--quick``.
QUICK_POINTS = (("planted", 12, 4), ("planted", 20, 6), ("dense", 12, 4))
#: (kind, m, d, block size[, seed]) of the kernel rows (the seed defaults to ``--seed``).  For
#: ``experiment`` rows ``m`` is the number of slots K and ``d`` the overlap: the exact Jacobian of
#: the ``small`` reproduce config's ground truth (that seed) at its exact sample point, blocks of
#: the slot dimension 3.  Seed 0 at K = 3 is degenerate (two slots with identical Jacobian blocks
#: on the shared outputs), and so is seed 1 at overlap 0.75; seed 2 is not.
KERNEL_POINTS = (
    ("dense", 20, 6, 2),
    ("huge", 35, 6, 2),
    ("huge", 35, 6, 3),
    ("planted", 50, 10, 2),
    ("planted", 50, 10, 5),
    ("dense", 50, 10, 2),
    ("dense", 50, 10, 5),
    ("generic", 50, 10, 2),
    ("generic", 50, 10, 5),
    ("experiment", 2, 0.75, 3),
    ("experiment", 3, 0.5, 3),
    ("experiment", 3, 0.75, 3),
    ("experiment", 3, 0.5, 3, 2),
    ("experiment", 3, 0.75, 3, 2),
    ("experiment", 3, 0.75, 3, 1),
)
#: The kernel rows of ``--quick``.
QUICK_KERNEL_POINTS = (("dense", 20, 6, 2), ("experiment", 2, 0.75, 3))
#: (m, n, rank) of the linear-algebra microbench.
MICRO_SHAPES = ((100, 15, 12), (400, 60, 50))
#: The microbench of ``--quick``.
QUICK_MICRO_SHAPES = ((100, 15, 12),)
#: Small nonzero integers used as entries.
VALUES = (1, -1, 2, -2, 3)
#: The largest absolute value of an entry of :func:`generic`.
GENERIC_LARGEST = 1000
#: Digits of the numerators and denominators of :func:`huge`.
HUGE_DIGITS = 200
#: The repository root, and the tests' independent Fraction oracle (``tests/exact_linalg.py``,
#: loaded from its file: ``tests`` is not an installed package).
ROOT = Path(__file__).resolve().parent.parent


def _load_oracle() -> ModuleType:
    spec = importlib.util.spec_from_file_location("exact_linalg_oracle", ROOT / "tests" / "exact_linalg.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ORACLE = _load_oracle()


# -- inputs ------------------------------------------------------------------------------------
def blocks_of(d: int, size: int) -> list[list[int]]:
    """The partition of ``range(d)`` into consecutive blocks of ``size`` (the last may be smaller).

    >>> blocks_of(5, 2), blocks_of(6, 3)
    ([[0, 1], [2, 3], [4]], [[0, 1, 2], [3, 4, 5]])
    """
    return [list(range(a, min(a + size, d))) for a in range(0, d, size)]


def blocks_of_two(d: int) -> list[list[int]]:
    """The partition ``[[0, 1], [2, 3], ...]`` of ``range(d)`` (a last block of one if d is odd).

    >>> blocks_of_two(5)
    [[0, 1], [2, 3], [4]]
    """
    return blocks_of(d, 2)


def planted(seed: int, m: int, d: int, leak: float = 0.2, size: int = 2) -> tuple[list[list[Fraction]], list[list[int]]]:
    """A planted sparse Jacobian and its blocks (of ``size``, 2 by default).

    Parameters
    ----------
    seed
        Seed of the generator (``random.Random(seed)``).
    m, d
        Rows (pixels) and columns (latents).
    leak
        Probability that a row gets one extra nonzero in a block other than its home block.
    size
        Block size (:func:`blocks_of`).

    Returns
    -------
    tuple
        ``(J, blocks)``: an m x d matrix of Fractions and the partition of its columns.

    Examples
    --------
    >>> J, blocks = planted(0, 6, 4)
    >>> len(J), len(J[0]), blocks
    (6, 4, [[0, 1], [2, 3]])
    """
    rng = random.Random(seed)
    blocks = blocks_of(d, size)
    J = []
    for _ in range(m):
        row = [Fraction(0)] * d
        home = rng.randrange(len(blocks))
        for a in rng.sample(blocks[home], rng.randint(1, min(2, len(blocks[home])))):
            row[a] = Fraction(rng.choice(VALUES))
        if len(blocks) > 1 and rng.random() < leak:
            other = rng.choice([k for k in range(len(blocks)) if k != home])
            row[rng.choice(blocks[other])] = Fraction(rng.choice(VALUES))
        J.append(row)
    return J, blocks


def dense(seed: int, m: int, d: int, size: int = 2) -> tuple[list[list[Fraction]], list[list[int]]]:
    """A dense generic Jacobian (every entry a nonzero small integer) and blocks of ``size``.

    Parameters
    ----------
    seed
        Seed of the generator.
    m, d
        Rows and columns.
    size
        Block size (:func:`blocks_of`).

    Returns
    -------
    tuple
        ``(J, blocks)``.
    """
    rng = random.Random(seed)
    return [[Fraction(rng.choice(VALUES)) for _ in range(d)] for _ in range(m)], blocks_of(d, size)


def generic(seed: int, m: int, d: int, size: int = 2, largest: int = GENERIC_LARGEST) -> tuple[list[list[Fraction]], list[list[int]]]:
    """:func:`dense` with nonzero integers up to ``largest`` in absolute value: in general position
    in practice (a uniform row matroid, like a dense generic Jacobian's or an MLP's), where
    :func:`dense`'s five values make many coincidences of ratios.  Same parameters and result.
    """
    rng = random.Random(seed)
    return [[Fraction(rng.choice((-1, 1)) * rng.randint(1, largest)) for _ in range(d)] for _ in range(m)], blocks_of(d, size)


def huge(seed: int, m: int, d: int, size: int = 2, digits: int = HUGE_DIGITS) -> tuple[list[list[Fraction]], list[list[int]]]:
    """A dense Jacobian of rationals with ``digits``-digit numerators and denominators, and blocks.

    Parameters
    ----------
    seed
        Seed of the generator.
    m, d
        Rows and columns.
    size
        Block size (:func:`blocks_of`).
    digits
        Digits of every numerator and denominator (before reduction).

    Returns
    -------
    tuple
        ``(J, blocks)``.

    Examples
    --------
    >>> J, blocks = huge(0, 2, 2, digits=5)
    >>> len(J), blocks, all(x != 0 for row in J for x in row)
    (2, [[0, 1]], True)
    """
    rng = random.Random(seed)
    lo, hi = 10 ** (digits - 1), 10**digits
    return [[Fraction(rng.choice((-1, 1)) * rng.randrange(lo, hi), rng.randrange(lo, hi)) for _ in range(d)] for _ in range(m)], blocks_of(d, size)


def low_rank(seed: int, m: int, n: int, r: int) -> list[list[Fraction]]:
    """A random m x n matrix of rank at most ``r``: ``L R`` with ``L`` small rationals, ``R`` small integers.

    ``L`` has entries ``p/q`` with ``|p| <= 9`` and ``1 <= q <= 4``, ``R`` entries in ``[-9, 9]``
    (the product is computed in integers, row by row, without the kernel under test).

    >>> A = low_rank(0, 4, 3, 1)
    >>> len(A), len(A[0]), all(A[i][0] * A[0][1] == A[i][1] * A[0][0] for i in range(4))
    (4, 3, True)
    """
    rng = random.Random(seed)
    R = [[rng.randint(-9, 9) for _ in range(n)] for _ in range(r)]
    out = []
    for _ in range(m):
        row = [Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(r)]
        den = lcm(*(x.denominator for x in row))
        ints = [x.numerator * (den // x.denominator) for x in row]
        out.append([Fraction(sum(a * R[k][j] for k, a in enumerate(ints)), den) for j in range(n)])
    return out


# -- the brute force baseline ----------------------------------------------------------------------
class BruteForceTimeout(Exception):
    """The brute force ran past its cap."""


def _image(J, u):
    return [sum((a * b for a, b in zip(row, u) if a and b), Fraction(0)) for row in J]


def _weight(J, u) -> int:
    return sum(1 for v in _image(J, u) if v != 0)


def _zero_set(J, vectors) -> frozenset[int]:
    return frozenset(i for i, row in enumerate(J) if all(sum((a * b for a, b in zip(row, u) if a and b), Fraction(0)) == 0 for u in vectors))


def _mixes(u, blocks) -> bool:
    return sum(1 for blk in blocks if any(u[a] != 0 for a in blk)) >= 2


def brute_force(J, blocks, seconds: float | None = None, seed: int = 0) -> tuple[int, int | None]:
    """``(rho_plus, rho_minus)`` by brute force over generic flat representatives (section 5.5).

    Parameters
    ----------
    J
        An exact m x d matrix of Fractions.
    blocks
        A partition of ``range(d)``.
    seconds
        Time cap; ``None`` for none.
    seed
        Seed of the generic combinations.

    Returns
    -------
    tuple
        ``(rho_plus, rho_minus)``, ``rho_minus`` ``None`` for a single block.

    Raises
    ------
    BruteForceTimeout
        Past ``seconds``.

    Examples
    --------
    >>> J = [[Fraction(x) for x in r] for r in [[1, 0], [0, 1], [1, 1], [1, 1]]]
    >>> brute_force(J, [[0], [1]])
    (6, 5)
    """
    deadline = None if seconds is None else time.monotonic() + seconds

    def tick() -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise BruteForceTimeout

    m, d = len(J), len(J[0])
    rng = random.Random(seed)
    # 1. Every flat: closures of growing row sets, level by level (rank k -> rank k + 1).
    flats: dict[frozenset[int], list] = {}
    level = {_zero_set(J, nullspace([], d)): nullspace([], d)}
    while level:
        flats.update(level)
        nxt = {}
        for F, U in level.items():
            if not U:
                continue
            for i in range(m):
                tick()
                if i in F:
                    continue
                V = nullspace([J[j] for j in sorted(F | {i})], d)
                G = _zero_set(J, V)
                if G not in flats and G not in nxt:
                    nxt[G] = V
        level = nxt
    # 2. Generic representatives of every U_F and U_F ∩ E_k (distinct subspaces only).
    spaces = {}
    for F, U in flats.items():
        tick()
        if U:
            spaces.setdefault(tuple(map(tuple, rref(U, d)[0])), U)
        for blk in blocks:
            outside = [[Fraction(int(a == b)) for b in range(d)] for a in range(d) if a not in blk]
            V = nullspace([J[j] for j in sorted(F)] + outside, d)
            if V:
                spaces.setdefault(tuple(map(tuple, rref(V, d)[0])), V)
    cands = []
    for key in sorted(spaces):
        basis = spaces[key]
        target = _zero_set(J, basis)
        single = any(all(all(u[a] == 0 for a in range(d) if a not in blk) for u in basis) for blk in blocks)
        for attempt in range(10_000):
            tick()
            spread = 2 + attempt // 20
            reps = [
                [sum((c * u[a] for c, u in zip(coef, basis)), Fraction(0)) for a in range(d)]
                for coef in ([rng.randint(-spread, spread) for _ in basis] for _ in basis)
            ]
            if rank(reps) == len(basis) and all(_zero_set(J, [x]) == target for x in reps) and (single or all(_mixes(x, blocks) for x in reps)):
                break
        else:  # pragma: no cover
            raise RuntimeError("no generic representatives")
        cands += [(_weight(J, x), _mixes(x, blocks), x) for x in reps]
    cands.sort(key=lambda c: c[0])

    # 3. Branch and bound over d-subsets (sorted by weight; independence kept in echelon form).
    def lightest(pool, want_mix: bool) -> int | None:
        best: list[int | None] = [None]

        def dfs(start, echelon, size, total, has_mix):
            slots = d - size
            if slots == 0:
                if (has_mix or not want_mix) and (best[0] is None or total < best[0]):
                    best[0] = total
                return
            for i in range(start, len(pool)):
                w, mix, x = pool[i]
                if best[0] is not None and total + w * slots >= best[0]:
                    break
                if want_mix and not has_mix and slots == 1 and not mix:
                    continue
                tick()
                v = list(x)
                for p, e in echelon:
                    if v[p] != 0:
                        f = v[p]
                        v = [a - f * b for a, b in zip(v, e)]
                p = next((c for c, y in enumerate(v) if y != 0), None)
                if p is None:
                    continue
                dfs(i + 1, echelon + [(p, [y / v[p] for y in v])], size + 1, total + w, has_mix or mix)

        dfs(0, [], 0, 0, False)
        return best[0]

    rho_plus = lightest([c for c in cands if not c[1]], False)
    assert rho_plus is not None
    rho_minus = lightest(cands, True) if len(blocks) > 1 else None
    return rho_plus, rho_minus


# -- one point -----------------------------------------------------------------------------------
@dataclass
class Point:
    """Timings and answers at one benchmark point.

    Attributes
    ----------
    kind, m, d, seed
        The input (:func:`planted` or :func:`dense`).
    runs
        Per method (``matroid``, ``z3``, ``brute``): ``status`` (``exact``, ``bounds``,
        ``timeout`` or ``skipped``), ``seconds``, ``rho_plus``, ``rho_minus`` and, for
        ``bounds``, the engine's ``bounds``.
    """

    kind: str
    m: int
    d: int
    seed: int
    l0: int = 0
    runs: dict[str, dict] = field(default_factory=dict)

    def agree(self) -> bool | None:
        """Whether every method that finished gives the same (rho+, rho-); ``None`` if < 2 did."""
        done = {(r["rho_plus"], r["rho_minus"]) for r in self.runs.values() if r["status"] == "exact"}
        n = sum(1 for r in self.runs.values() if r["status"] == "exact")
        return None if n < 2 else len(done) == 1


def run_point(kind: str, m: int, d: int, seed: int, budget: float, brute_cap: float, brute_rows: int) -> Point:
    """Run both engines and (if ``m <= brute_rows``) the brute force at one input.

    Parameters
    ----------
    kind
        ``planted`` or ``dense``.
    m, d
        Size of J.
    seed
        Seed of the input.
    budget
        Seconds per engine run.
    brute_cap
        Seconds for the brute force.
    brute_rows
        Largest m for which the brute force is attempted.

    Returns
    -------
    Point
    """
    J, blocks = (planted if kind == "planted" else dense)(seed, m, d)
    point = Point(kind, m, d, seed, l0=sum(1 for row in J for x in row if x != 0))
    for engine in ("matroid", "z3"):
        t0 = time.perf_counter()
        r = sparsity(J, blocks, engine=engine, budget=budget, seed=seed)
        dt = time.perf_counter() - t0
        run = {"status": r.status, "seconds": dt, "rho_plus": r.rho_plus, "rho_minus": r.rho_minus}
        if r.status != "exact":
            run["bounds"] = r.bounds
        point.runs[engine] = run
    if m <= brute_rows:
        t0 = time.perf_counter()
        try:
            plus, minus = brute_force(J, blocks, brute_cap, seed)
            point.runs["brute"] = {"status": "exact", "seconds": time.perf_counter() - t0, "rho_plus": plus, "rho_minus": minus}
        except BruteForceTimeout:
            point.runs["brute"] = {"status": "timeout", "seconds": time.perf_counter() - t0, "rho_plus": None, "rho_minus": None}
    else:
        point.runs["brute"] = {"status": "skipped", "seconds": None, "rho_plus": None, "rho_minus": None}
    return point


# -- reporting -------------------------------------------------------------------------------------
def _cell(run: dict) -> str:
    if run["status"] == "skipped":
        return "skipped"
    t = f"{run['seconds']:.2f} s"
    if run["status"] == "exact":
        return t
    if run["status"] == "bounds":
        lo, hi = run["bounds"]["rho_minus"]
        return f"> {t} (bounds, rho- in [{lo}, {'?' if hi is None else hi}])"
    return f"> {t} ({run['status']})"


def _ratio(a: dict, b: dict) -> str:
    """``a / b`` of two timings; ``>x`` when only ``b`` finished (a lower bound), ``-`` otherwise."""
    if a["seconds"] is None or b["seconds"] is None or b["status"] != "exact":
        return "-"
    r = a["seconds"] / max(b["seconds"], 1e-9)
    if a["status"] == "exact":
        return f"{r:.1f}x" if r >= 0.1 else f"{r:.2f}x"
    return f">{r:.0f}x"


def _rho(point: Point) -> str:
    for name in ("z3", "matroid", "brute"):
        r = point.runs[name]
        if r["status"] == "exact":
            return f"({r['rho_plus']}, {r['rho_minus']})"
    return "?"


def markdown_table(points: list[Point]) -> str:
    """The results as a markdown table.

    Parameters
    ----------
    points
        Results of :func:`run_point`.

    Returns
    -------
    str
    """
    head = "| input | m x d | l0 | (rho+, rho-) | matroid | z3 | brute force | brute/matroid | brute/z3 | matroid/z3 | agree |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for p in points:
        R = p.runs
        agree = p.agree()
        lines.append(
            f"| {p.kind} (seed {p.seed}) | {p.m}x{p.d} | {p.l0} | {_rho(p)} | {_cell(R['matroid'])} | {_cell(R['z3'])} | {_cell(R['brute'])} "
            f"| {_ratio(R['brute'], R['matroid'])} | {_ratio(R['brute'], R['z3'])} | {_ratio(R['matroid'], R['z3'])} "
            f"| {'-' if agree is None else ('yes' if agree else 'NO')} |"
        )
    return "\n".join(lines)


# -- the kernel: rho on FLINT, and the microbench against the Fraction oracle ------------------------
def experiment_jacobian(slots: int, overlap: float, seed: int) -> tuple[list[list[Fraction]], list[list[int]]]:
    """The exact Jacobian of a ground truth of ``mechind reproduce --config small`` at its sample point.

    The generator is the rational LeakyReLU network the sweep trains on (slot dimension 3,
    20 outputs per slot, outputs pooled and summed where slots overlap); the point is the one
    the sweep's exact column uses.  Needs the numeric layer (torch).
    """
    from numeric.experiment.config import load_config
    from numeric.experiment.exact import sample_points
    from numeric.experiment.sweep import derive_seed, ground_truth

    config = load_config("small")
    gt, _ = ground_truth(config, slots, overlap, seed)
    point = sample_points(slots * config.slot_dim, 1, derive_seed(config.seed, "points", slots, seed))[0]
    J = gt.exact_jacobian(point)
    if J is None:  # pragma: no cover - a pre-activation exactly 0 at a Gaussian draw
        raise RuntimeError("the ground truth has no Jacobian at its sample point")
    return J, blocks_of(slots * config.slot_dim, config.slot_dim)


def _generate(kind: str, seed: int, m: int, d: int, size: int) -> tuple[list[list[Fraction]], list[list[int]]]:
    if kind == "planted":
        return planted(seed, m, d, size=size)
    if kind == "dense":
        return dense(seed, m, d, size)
    if kind == "huge":
        return huge(seed, m, d, size)
    if kind == "generic":
        return generic(seed, m, d, size)
    if kind == "experiment":
        return experiment_jacobian(m, d, seed)
    raise ValueError(f"unknown input kind {kind!r}")


def _timed_sparsity(J, blocks, engine: str, budget: float, seed: int, structure: bool, subsets: bool = True, generic: bool = True) -> dict[str, Any]:
    """One ``sparsity`` run: status, seconds, rho values (and bounds), the engine that decided.

    ``subsets=False`` switches off the greedy through all ``(n - 1)``-subsets of rows modulo a
    prime (:mod:`theory.linalg.subset_greedy`), so every sparsest basis comes from the exact
    flat enumeration: the default as it was before that step.  ``generic=False`` leaves the
    normals of random ``d - 1`` rows out of the light candidates of the bounds path
    (:func:`theory.linalg.sparse_normals.generic_normals`)."""
    saved = rho_module.STRUCTURE_THRESHOLD
    saved_from, saved_step, saved_generic = basis_module.SUBSETS_FROM, rho_module._subset_rho_star, rho_module.generic_normals
    rho_module.STRUCTURE_THRESHOLD = saved if structure else math.inf  # the baseline: no structure route
    if not subsets:
        basis_module.SUBSETS_FROM = math.inf
        rho_module._subset_rho_star = lambda *args: None
    if not generic:
        rho_module.generic_normals = lambda *args, **kwargs: []
    try:
        t0 = time.perf_counter()
        r = sparsity(J, blocks, engine=engine, budget=budget, seed=seed)
        seconds = time.perf_counter() - t0
    finally:
        rho_module.STRUCTURE_THRESHOLD = saved
        basis_module.SUBSETS_FROM, rho_module._subset_rho_star, rho_module.generic_normals = saved_from, saved_step, saved_generic
    run = {"status": r.status, "seconds": seconds, "rho_plus": r.rho_plus, "rho_minus": r.rho_minus, "engine": r.engine, "type_s": r.type_s()}
    if r.status != "exact":
        run["bounds"] = r.bounds
    return run


def kernel_point(kind: str, m: int, d: int, size: int, seed: int, budget: float, before: str | None = None) -> dict[str, Any]:
    """Time ``sparsity`` at one input: today's default (``engine="auto"``: the structure route of
    docs/mathematics.md 5.11, then the matroid engine and z3) against the baseline of the previous
    release (``engine="matroid"``, no structure route), both on the FLINT kernel, in one run.

    Parameters
    ----------
    kind
        ``planted``, ``dense``, ``generic`` (entries up to 1000), ``huge`` (200-digit
        rationals) or ``experiment`` (then ``m`` is K and ``d`` the overlap, see :data:`KERNEL_POINTS`).
    m, d
        Size of J.
    size
        Block size.
    seed
        Seed of the input.
    budget
        Seconds for each run; past them the result holds bounds, reported as such.
    before
        Also time the default without one step, in the same run: ``subsets`` (the greedy through
        all row subsets) or ``generic`` (the normals of random rows); ``None``: no such run.

    Returns
    -------
    dict
        The input, then per run (``new``, ``baseline``): ``status`` (``exact`` or ``bounds``),
        ``seconds``, ``rho_plus``, ``rho_minus``, ``engine``, ``type_s`` and, for ``bounds``,
        the proven ``bounds``.
    """
    J, blocks = _generate(kind, seed, m, d, size)
    row = {
        "kind": kind,
        "m": len(J),
        "d": len(J[0]),
        "blocks": [len(b) for b in blocks],
        "seed": seed,
        "l0": sum(1 for line in J for x in line if x != 0),
        "digits": max(len(str(abs(x.numerator))) + len(str(x.denominator)) for line in J for x in line),
    }
    if kind == "experiment":
        row["config"] = f"small, K={m}, overlap {d}"
    row["new"] = _timed_sparsity(J, blocks, "auto", budget, seed, structure=True)
    row["baseline"] = _timed_sparsity(J, blocks, "matroid", budget, seed, structure=False)
    if before is not None:
        row["before"] = _timed_sparsity(J, blocks, "auto", budget, seed, structure=True, subsets=before != "subsets", generic=before != "generic")
        row["before"]["without"] = before
    new, base = row["new"], row["baseline"]
    for key in ("rho_plus", "rho_minus", "type_s"):  # both exact: the same numbers (both proven anyway)
        if new["status"] == base["status"] == "exact" and new[key] != base[key]:
            row["disagree"] = True
    return row


def _best_time(fn: Callable[[], Any]) -> tuple[float, Any]:
    """The least wall time of ``fn`` over up to 5 runs (fewer when a run takes over 0.1 s), and its value."""
    best, out = float("inf"), None
    spent = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        best, spent = min(best, dt), spent + dt
        if spent > 0.5 or dt > 0.1:
            break
    return best, out


def _oracle_child(op: str, A: list[list[Fraction]], n: int, conn: Connection) -> None:
    """In a child process: tell the parent it starts, then run the oracle's ``op`` and send (seconds, value)."""
    conn.send("start")
    t0 = time.perf_counter()
    out = ORACLE.rank(A, n) if op == "rank" else ORACLE.nullspace(A, n)
    conn.send((time.perf_counter() - t0, out))
    conn.close()


def _oracle_timed(op: str, A: list[list[Fraction]], n: int, cap: float) -> tuple[float | None, Any]:
    """The oracle's ``op`` in a child process, given ``cap`` seconds once it starts: (seconds or None, value)."""
    ctx = multiprocessing.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_oracle_child, args=(op, A, n, send), daemon=True)
    child.start()
    send.close()
    try:
        recv.recv()  # "start": the child has imported and is computing
        if recv.poll(cap):
            seconds, out = recv.recv()
            return seconds, out
        return None, None
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        recv.close()


def _identical(a: Any, b: Any) -> bool:
    """Equal, and every number a Fraction where ``b`` has one (lists compared entry by entry)."""
    if isinstance(b, list):
        return isinstance(a, list) and len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b))
    if isinstance(b, Fraction):
        return isinstance(a, Fraction) and a == b
    return bool(a == b)


def microbench(m: int, n: int, r: int, seed: int, cap: float) -> list[dict[str, Any]]:
    """``rank`` and ``nullspace`` of :func:`low_rank` by the FLINT kernel and by the Fraction oracle.

    Parameters
    ----------
    m, n, r
        Shape and rank of the matrix.
    seed
        Seed of the matrix.
    cap
        Seconds the oracle may take per operation (in a child process, killed past them).

    Returns
    -------
    list of dict
        Per operation: ``op``, ``flint_s``, ``oracle_s`` (``None`` past the cap) and
        ``identical`` (``None`` when the oracle did not finish).
    """
    A = low_rank(seed, m, n, r)
    rows = []
    for op in ("rank", "nullspace"):
        new_s, new = _best_time(lambda: rank(A) if op == "rank" else nullspace(A, n))
        old_s, old = _oracle_timed(op, A, n, cap)
        rows.append(
            {"m": m, "n": n, "rank": r, "seed": seed, "op": op, "flint_s": new_s, "oracle_s": old_s, "oracle_cap_s": cap, "identical": None if old_s is None else _identical(new, old)}
        )
    return rows


def _seconds(t: float) -> str:
    return f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.2f} s"


def _run_cells(run: dict[str, Any]) -> tuple[str, str]:
    if run["status"] == "exact":
        return f"{_seconds(run['seconds'])} ({run['engine']})", f"({run['rho_plus']}, {run['rho_minus']})"
    lo, hi = run["bounds"]["rho_minus"]
    plus = run["rho_plus"] if run["rho_plus"] is not None else "[{}, {}]".format(*run["bounds"]["rho_plus"])
    verdict = {True: "S proved", False: "S refuted", None: "S undecided"}[run["type_s"]]
    return f"> {run['seconds']:.1f} s (budget; bounds, {verdict})", f"({plus}, [{lo}, {'?' if hi is None else hi}])"


def kernel_table(rows: list[dict[str, Any]]) -> str:
    """The rho rows of the kernel section as a markdown table: today's default against the baseline.

    Parameters
    ----------
    rows
        Results of :func:`kernel_point`.

    Returns
    -------
    str
    """
    head = "| input | m x d | blocks | digits | new: auto + structure | (rho+, rho-) | baseline: matroid | (rho+, rho-) | baseline / new |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        name = r.get("config") or {"huge": f"dense, {HUGE_DIGITS}-digit rationals"}.get(r["kind"], r["kind"])
        new_cell, new_rho = _run_cells(r["new"])
        base_cell, base_rho = _run_cells(r["baseline"])
        ratio = r["baseline"]["seconds"] / r["new"]["seconds"]
        ratio_text = f"{ratio:,.1f}x" if r["baseline"]["status"] == "exact" else f">{ratio:,.1f}x"
        if r["new"]["status"] != "exact":
            ratio_text = "-"
        lines.append(
            f"| {name} (seed {r['seed']}) | {r['m']}x{r['d']} | {','.join(map(str, r['blocks']))} | {r['digits']} | {new_cell} | {new_rho} | {base_cell} | {base_rho} | {ratio_text} |"
        )
    if any("before" in r for r in rows):
        lines += ["", _before_table([r for r in rows if "before" in r])]
    return "\n".join(lines)


def _before_table(rows: list[dict[str, Any]]) -> str:
    """Today's default against itself without one step (``--before STEP``)."""
    step = {"subsets": "the subset greedy", "generic": "the normals of random rows"}[rows[0]["before"].get("without", "subsets")]
    head = f"| input | m x d | blocks | new: auto + structure | (rho+, rho-) | before: same without {step} | (rho+, rho-) | before / new |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        name = r.get("config") or {"huge": f"dense, {HUGE_DIGITS}-digit rationals"}.get(r["kind"], r["kind"])
        new_cell, new_rho = _run_cells(r["new"])
        old_cell, old_rho = _run_cells(r["before"])
        ratio = r["before"]["seconds"] / r["new"]["seconds"]
        ratio_text = "-" if r["new"]["status"] != "exact" else (f"{ratio:,.1f}x" if r["before"]["status"] == "exact" else f">{ratio:,.1f}x")
        lines.append(f"| {name} (seed {r['seed']}) | {r['m']}x{r['d']} | {','.join(map(str, r['blocks']))} | {new_cell} | {new_rho} | {old_cell} | {old_rho} | {ratio_text} |")
    return "\n".join(lines)


def micro_table(rows: list[dict[str, Any]]) -> str:
    """The microbench as a markdown table (``>`` marks a lower bound: the oracle hit its cap).

    Parameters
    ----------
    rows
        Results of :func:`microbench`.

    Returns
    -------
    str
    """
    head = "| matrix | operation | FLINT kernel | Fraction oracle | oracle / FLINT | identical |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        if r["oracle_s"] is None:
            old, ratio, same = f"> {r['oracle_cap_s']:g} s (cap)", f">{r['oracle_cap_s'] / r['flint_s']:,.0f}x", "-"
        else:
            old, ratio, same = _seconds(r["oracle_s"]), f"{r['oracle_s'] / r['flint_s']:,.0f}x", "yes" if r["identical"] else "NO"
        op = "rank" if r["op"] == "rank" else f"nullspace ({r['n'] - r['rank']} vectors)"
        lines.append(f"| {r['m']}x{r['n']}, rank {r['rank']} | {op} | {_seconds(r['flint_s'])} | {old} | {ratio} | {same} |")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Exact rho+/rho- by both engines and a brute force (docs/mathematics.md section 5).")
    p.add_argument(
        "--quick",
        action="store_true",
        help="small points only (12x4, 20x6 planted; 12x4 dense; kernel: dense 20x6, 100x15), budget, brute and oracle caps 10 s",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of every input (default 0)")
    p.add_argument("--budget", type=float, default=None, help="seconds per engine run (default 60, 10 with --quick)")
    p.add_argument("--brute-cap", type=float, default=None, help="seconds for the brute force (default 60, 10 with --quick)")
    p.add_argument("--brute-rows", type=int, default=20, help="brute force only for m up to this (default 20)")
    p.add_argument("--only", choices=("engines", "kernel"), help="run only the engine comparison or only the kernel section")
    p.add_argument("--kinds", default=None, help="kernel rows of these kinds only, comma-separated (planted, dense, generic, huge, experiment)")
    p.add_argument(
        "--before",
        nargs="?",
        const="subsets",
        choices=("subsets", "generic"),
        help="kernel rows: also time the default without one step, in the same run: the greedy through all row subsets modulo a prime (subsets, the default) or the normals of random rows (generic)",
    )
    p.add_argument("--oracle-cap", type=float, default=None, help="seconds the Fraction oracle may take per microbench operation (default 60, 10 with --quick)")
    p.add_argument("--json", metavar="PATH", help="also write the numbers as JSON to PATH")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the markdown tables (and write JSON with ``--json``).

    Parameters
    ----------
    argv
        Command-line arguments (``sys.argv[1:]`` when ``None``).

    Returns
    -------
    int
        1 if two methods that both finished disagree at some point, or the kernel and the
        oracle differ, else 0.
    """
    args = _parser().parse_args(argv)
    budget = args.budget if args.budget is not None else (10.0 if args.quick else 60.0)
    brute_cap = args.brute_cap if args.brute_cap is not None else (10.0 if args.quick else 60.0)
    oracle_cap = args.oracle_cap if args.oracle_cap is not None else (10.0 if args.quick else 60.0)
    print(f"# bench_rho: seed {args.seed}, budget {budget:g} s per engine run, brute force cap {brute_cap:g} s (m <= {args.brute_rows}), oracle cap {oracle_cap:g} s")
    print(f"# python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}\n")
    points = []
    if args.only != "kernel":
        for kind, m, d in QUICK_POINTS if args.quick else FULL_POINTS:
            print(f"  running {kind} {m}x{d} ...", file=sys.stderr, flush=True)
            points.append(run_point(kind, m, d, args.seed, budget, brute_cap, args.brute_rows))
        print(markdown_table(points))
    bad = [p for p in points if p.agree() is False]
    if bad:
        print(f"\nDISAGREEMENT at {', '.join(f'{p.kind} {p.m}x{p.d}' for p in bad)}")
    kernel_rows: list[dict[str, Any]] = []
    micro_rows: list[dict[str, Any]] = []
    if args.only != "engines":
        for kind, m, d, size, *row_seed in QUICK_KERNEL_POINTS if args.quick else KERNEL_POINTS:
            if args.kinds and kind not in args.kinds.split(","):
                continue
            print(f"  running sparsity on {kind} {m}x{d}, blocks of {size} ...", file=sys.stderr, flush=True)
            kernel_rows.append(kernel_point(kind, m, d, size, row_seed[0] if row_seed else args.seed, budget, args.before))
        for m, n, r in QUICK_MICRO_SHAPES if args.quick else MICRO_SHAPES:
            print(f"  running rank / nullspace {m}x{n} ...", file=sys.stderr, flush=True)
            micro_rows += microbench(m, n, r, args.seed, oracle_cap)
        print(f"\n{kernel_table(kernel_rows)}\n\n{micro_table(micro_rows)}")
    differ = [r for r in micro_rows if r["identical"] is False] + [r for r in kernel_rows if r.get("disagree")]
    if differ:
        where = ", ".join(f"{r['op']} {r['m']}x{r['n']}" if "op" in r else f"{r['kind']} {r['m']}x{r['d']}" for r in differ)
        print(f"\nKERNEL DIFFERS FROM THE ORACLE (or the structure route from the baseline) at {where}")
    if args.json:
        doc = {
            "seed": args.seed,
            "budget_s": budget,
            "brute_cap_s": brute_cap,
            "brute_rows": args.brute_rows,
            "oracle_cap_s": oracle_cap,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "points": [dict(asdict(p), agree=p.agree()) for p in points],
            "kernel": kernel_rows,
            "micro": micro_rows,
        }
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=2)
        print(f"\nnumbers written to {args.json}")
    return 1 if bad or differ else 0


if __name__ == "__main__":
    raise SystemExit(main())

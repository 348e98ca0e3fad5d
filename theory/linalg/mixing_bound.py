"""The least weight of a mixing vector, bounded block by block: private flats and shared rows.

docs/mathematics.md section 5.11.  For a mixing ``x`` let ``K`` be the set of blocks where its
part ``x_k`` is nonzero (``|K| >= 2``).  Relative to ``K`` the rows of ``J`` fall into three
kinds: rows that see no block of ``K`` (zero under ``x``), rows that see exactly one block
``k`` of ``K`` (the *private* rows ``P_k``: their value is ``J[i, C_k] x_k``), and rows that
see two or more (the *shared* rows ``R``).  The private rows that ``x_k`` annihilates form a
flat ``F_k`` of the matroid of ``J[P_k, C_k]`` whose subspace ``U_{F_k}`` holds ``x_k``, so
``x`` lies in ``V = U_{F_1} + ... + U_{F_K}`` (one summand per block of ``K``), and

    |supp(J x)| >= sum_k (|P_k| - |F_k|) + |R| - h(V),

with ``h(V)`` the most rows of ``R`` that one nonzero vector of ``V`` annihilates: the size of
the largest hyperplane of the rows of ``A = J[R, C_K] V`` (rows ``R`` restricted to ``V``), or
``|R|`` when ``A`` does not have full column rank.  Minimising over ``K`` and over the
finitely many choices of flats bounds every mixing vector (:func:`mixing_weight_bound`).  The
private-rows certificate of :mod:`theory.linalg.rho_bounds` is the special case that spends
the rank budget of each group of rows separately; here the rows of ``R`` only count what is
left of ``V`` after the private zeros, which is what makes the bound tight on Jacobians whose
factors overlap on most outputs (each ``h(V)`` through :func:`~theory.linalg.modular.largest_hyperplane_mod_p`,
a proven upper bound).

Two shortcuts keep the enumeration small.  ``V`` shrinks when a flat grows, so ``h`` of a
configuration bounds ``h`` of every configuration below it (larger flats), and a
configuration whose bound, with the inherited ``h``, cannot beat the best found so far is
not searched.  The bound comes with the configuration that attains it, from which
:func:`mixing_witness` builds an exact mixing vector; when that vector weighs exactly the
bound, the bound is the least weight of a mixing vector.

Examples
--------
>>> from theory.linalg.rational import to_fraction_matrix
>>> J = to_fraction_matrix([[1, 0], [2, 0], [0, 1], [0, 3], [1, 1], [1, 2], [2, 1]])
>>> b = mixing_weight_bound(J, [[0], [1]])
>>> b.lower, sorted(b.support)          # x = (1, -1): nonzero on rows 0-3 and 5-6
(6, [0, 1])
>>> x = mixing_witness(J, [[0], [1]], b)
>>> sum(1 for row in J if row[0] * x[0] + row[1] * x[1] != 0)
6
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from theory.linalg.matroid import component_flats
from theory.linalg.modular import PRIME, largest_hyperplane_mod_p, mat_mul_mod_p, rows_mod_p
from theory.linalg.rational import QMatrix, QVector, nullspace, primitive_integer
from theory.linalg.sparsest_basis import Blocks, check_input, mixes, weight

__all__ = ["MixingBound", "mixing_weight_bound", "mixing_witness", "CONFIGURATION_CAP", "SUPPORT_CAP"]

#: The most configurations (choices of private flats) examined for one set of blocks.
CONFIGURATION_CAP = 20_000
#: The most sets of blocks ``K`` (all subsets of two or more blocks are needed).
SUPPORT_CAP = 64


@dataclass(frozen=True)
class MixingBound:
    """A proven lower bound on ``|supp(J x)|`` over mixing ``x``, and where it is attained.

    Attributes
    ----------
    lower
        Every mixing ``x`` has ``|supp(J x)| >= lower``.
    support
        The blocks ``K`` of the configuration attaining it.
    flats
        Its private flat per block of ``support`` (row indices of ``J``).
    zero_rows
        The shared rows a vector of ``V`` may annihilate there (a hyperplane modulo ``p``).
    """

    lower: int
    support: tuple[int, ...]
    flats: tuple[frozenset[int], ...]
    zero_rows: frozenset[int]


def _touches(J: Sequence[Sequence[Fraction]], blocks: Blocks) -> list[frozenset[int]]:
    return [frozenset(k for k, block in enumerate(blocks) if any(row[a] != 0 for a in block)) for row in J]


def _private_flats(
    J: Sequence[Sequence[Fraction]], rows: list[int], block: list[int], check: Callable[[], None]
) -> list[tuple[frozenset[int], QMatrix, int]]:
    """The flats ``F`` of ``M(J[rows, block])`` with ``U_F != 0``, as (rows of ``J``, basis of ``U_F``, rank), by rank."""
    d_k = len(block)
    if not rows:
        return [(frozenset(), [[Fraction(int(i == j)) for j in range(d_k)] for i in range(d_k)], 0)]
    sub = [[J[i][a] for a in block] for i in rows]
    levels = component_flats(sub, frozenset(range(len(rows))), max_rank=d_k - 1, check=check)
    out = []
    for r in sorted(levels):
        for flat, U in levels[r]:
            if U:  # rank < d_k
                out.append((frozenset(rows[j] for j in flat), U, r))
    return out


def _mod_p_basis(U: QMatrix, p: int) -> np.ndarray:
    """Columns: the basis vectors of ``U`` scaled to integers, modulo ``p`` (d_k x n_k)."""
    return rows_mod_p(U, p).T.copy()


def _restricted_mod_p(shared_p: list[np.ndarray], bases: list[np.ndarray], p: int) -> np.ndarray:
    """``J[R, C_K] V`` modulo ``p``, block by block, each product reduced before it is summed."""
    return np.concatenate([mat_mul_mod_p(Jk, Uk, p) for Jk, Uk in zip(shared_p, bases)], axis=1)


def _restricted_exact(J: Sequence[Sequence[Fraction]], shared: list[int], blocks: list[list[int]], bases: list[QMatrix]) -> QMatrix:
    """``J[R, C_K] V`` exactly (``V`` block diagonal with the bases of ``U_{F_k}``)."""
    out = []
    for i in shared:
        row: list[Fraction] = []
        for block, U in zip(blocks, bases):
            row += [sum((J[i][a] * u[j] for j, a in enumerate(block)), Fraction(0)) for u in U]
        out.append(row)
    return out


def mixing_weight_bound(
    J: Sequence[Sequence[Fraction]],
    blocks: Blocks,
    check: Callable[[], None] | None = None,
    cap: int = CONFIGURATION_CAP,
    p: int = PRIME,
    target: int | None = None,
    memo: dict[bytes, tuple[int, frozenset[int]]] | None = None,
) -> MixingBound | None:
    """The least weight of a mixing vector, bounded from below (see the module).

    Parameters
    ----------
    J
        An exact m x d matrix of :class:`fractions.Fraction`.
    blocks
        A partition of ``range(d)`` into nonempty lists of column indices.
    check
        Called periodically (a budget check may raise there).
    cap
        The most configurations searched for one set of blocks.
    p
        The prime of the hyperplane bounds.
    target
        Enough: configurations whose bound is at least ``target`` are not searched further, so
        the answer is the least weight when that is below ``target``, and otherwise a bound
        of at least ``target`` (found faster).
    memo
        Hyperplane bounds ``h(V)`` already computed for the same ``J`` and ``p`` (keyed by the
        restricted matrix), shared between calls; filled in here.

    Returns
    -------
    MixingBound or None
        ``None`` with fewer than two blocks or more than :data:`SUPPORT_CAP` sets of blocks.
        For a set of blocks with more than ``cap`` configurations the coarse bound (largest
        private flats, ``h`` of the whole of ``R^{C_K}``) stands in for all of them.  The
        attaining configuration is that of the least bound searched; where a configuration
        was left with a smaller proven bound (``target``), ``lower`` is that bound.
    """
    _, d = check_input(J, blocks)
    K = len(blocks)
    if K < 2 or 2**K - K - 1 > SUPPORT_CAP:
        return None
    tick = check if check is not None else (lambda: None)
    touches = _touches(J, blocks)
    Jp = rows_mod_p(J, p)
    search = _Search(None, target if target is not None else len(J) + 1, len(J) + 1)
    known = memo if memo is not None else {}
    for size in range(2, K + 1):
        for support in itertools.combinations(range(K), size):
            inside = frozenset(support)
            private = {k: [i for i, t in enumerate(touches) if t & inside == {k}] for k in support}
            shared = [i for i, t in enumerate(touches) if len(t & inside) >= 2]
            flats = [_private_flats(J, private[k], blocks[k], tick) for k in support]
            rel = _Relative(support, private, shared, flats, _shared_mod_p(Jp, blocks, support, shared))
            quick = _coarse_bound(rel, blocks, tick, p, known)
            if quick.lower >= search.threshold():
                search.leave(quick.lower)  # no configuration of these blocks goes below the threshold
                if search.best is None:
                    search.best = quick
                continue
            total = 1
            for options in flats:
                total *= len(options)
            if total > cap:  # too many configurations: the coarse bound stands for them all
                search.offer(quick)
                continue
            _search_support(rel, search, tick, p, known)
    if search.best is None:
        return None
    if search.floor < search.best.lower:
        return dataclasses.replace(search.best, lower=search.floor)
    return search.best


@dataclass
class _Search:
    """The least bound found (with its configuration), the target, and the least proven bound of
    what was left unsearched because it could not go below the threshold."""

    best: MixingBound | None
    target: int
    floor: int

    def threshold(self) -> int:
        return min(self.target, self.best.lower) if self.best is not None else self.target

    def offer(self, bound: MixingBound) -> None:
        if self.best is None or bound.lower < self.best.lower:
            self.best = bound

    def leave(self, lower: int) -> None:
        self.floor = min(self.floor, lower)


def _shared_mod_p(Jp: np.ndarray, blocks: Blocks, support: tuple[int, ...], shared: list[int]) -> list[np.ndarray]:
    """The shared rows modulo p, one block of columns per block of ``support``."""
    return [Jp[np.ix_(shared, blocks[k])] if shared else np.zeros((0, len(blocks[k])), dtype=np.int64) for k in support]


@dataclass(frozen=True)
class _Relative:
    """The rows of J relative to a set of blocks ``support``: the private rows of each block of
    it, the shared rows (also modulo p, one block of columns per block), and the flats of each
    private block with ``U_F != 0`` (row indices of J, a basis of ``U_F``, rank)."""

    support: tuple[int, ...]
    private: dict[int, list[int]]
    shared: list[int]
    flats: list[list[tuple[frozenset[int], QMatrix, int]]]
    shared_p: list[np.ndarray]


def _coarse_bound(rel: _Relative, blocks: Blocks, tick: Callable[[], None], p: int, memo: dict[bytes, tuple[int, frozenset[int]]]) -> MixingBound:
    """A bound below every configuration of ``rel.support``: the largest private flats, and ``h``
    of the whole of ``R^{C_K}`` (which contains every ``V``)."""
    largest = [max(options, key=lambda f: len(f[0])) for options in rel.flats]
    identity = [np.eye(len(blocks[k]), dtype=np.int64) for k in rel.support]
    h, zero_rows = _shared_zeros(rel.shared_p, identity, rel.shared, tick, p, memo)
    priv = sum(len(rel.private[k]) - len(F) for k, (F, _, _) in zip(rel.support, largest))
    return MixingBound(priv + len(rel.shared) - h, rel.support, tuple(F for F, _, _ in largest), zero_rows)


def _search_support(rel: _Relative, search: _Search, tick: Callable[[], None], p: int, memo: dict[bytes, tuple[int, frozenset[int]]]) -> None:
    """The configurations of one set of blocks, by total rank, with inherited ``h`` (module)."""
    support, private, shared, flats, shared_p = rel.support, rel.private, rel.shared, rel.flats, rel.shared_p
    bases_p = [[_mod_p_basis(U, p) for _, U, _ in options] for options in flats]
    parents = [
        [[j for j, (G, _, rg) in enumerate(options) if rg == rf - 1 and G < F] for (F, _, rf) in options] for options in flats
    ]
    configs = sorted(itertools.product(*[range(len(options)) for options in flats]), key=lambda c: sum(flats[t][c[t]][2] for t in range(len(c))))
    h_upper: dict[tuple[int, ...], int] = {}
    everything = frozenset(shared)
    for c in configs:
        tick()
        priv = sum(len(private[k]) - len(flats[t][c[t]][0]) for t, k in enumerate(support))
        inherited = len(shared)
        for t in range(len(c)):
            for j in parents[t][c[t]]:
                inherited = min(inherited, h_upper.get(c[:t] + (j,) + c[t + 1 :], len(shared)))
        if priv + len(shared) - inherited >= search.threshold():
            search.leave(priv + len(shared) - inherited)
            h_upper[c] = inherited
            continue
        h, zero_rows = _shared_zeros(shared_p, [bases_p[t][c[t]] for t in range(len(c))], shared, tick, p, memo)
        if h > inherited:
            h, zero_rows = inherited, everything
        h_upper[c] = h
        search.offer(MixingBound(priv + len(shared) - h, support, tuple(flats[t][c[t]][0] for t in range(len(c))), zero_rows))


def _shared_zeros(
    shared_p: list[np.ndarray],
    bases_p: list[np.ndarray],
    shared: list[int],
    tick: Callable[[], None],
    p: int,
    memo: dict[bytes, tuple[int, frozenset[int]]],
) -> tuple[int, frozenset[int]]:
    """``h(V)``: an upper bound on the shared rows one nonzero vector of ``V`` annihilates
    (``memo``: by the restricted matrix and the shared rows, which determine it)."""
    if not shared:
        return 0, frozenset()
    A = _restricted_mod_p(shared_p, bases_p, p)
    key = A.tobytes() + np.array(A.shape + tuple(shared), dtype=np.int64).tobytes()
    if key in memo:
        return memo[key]
    bound = largest_hyperplane_mod_p(A, p, tick)
    if bound is not None:
        out = bound.size, frozenset(shared[i] for i in bound.rows)
    else:  # rank modulo p below dim V (or the search capped): all of R is possible unless exact rank says otherwise
        out = len(shared), frozenset(shared)
    memo[key] = out
    return out


def mixing_witness(J: Sequence[Sequence[Fraction]], blocks: Blocks, bound: MixingBound, seed: int = 0, tries: int = 20) -> QVector | None:
    """An exact mixing vector at the configuration of ``bound``, of the least weight found, or ``None``.

    The vector is a random integer combination of the exact vectors of ``V`` that annihilate
    ``bound.zero_rows``; callers compare its weight (recomputed exactly) with ``bound.lower``.
    """
    d = len(J[0])
    support = list(bound.support)
    sub_blocks = [blocks[k] for k in support]
    bases = []
    for k, F in zip(support, bound.flats):
        block = blocks[k]
        rows = sorted(F)
        bases.append(nullspace([[J[i][a] for a in block] for i in rows], len(block)) if rows else [[Fraction(int(i == j)) for j in range(len(block))] for i in range(len(block))])
    zero = sorted(bound.zero_rows)
    A = _restricted_exact(J, zero, sub_blocks, bases)
    dim = sum(len(U) for U in bases)
    Y = nullspace(A, dim) if A else [[Fraction(int(i == j)) for j in range(dim)] for i in range(dim)]
    if not Y:
        return None
    rng = random.Random(seed)
    found: tuple[int, QVector] | None = None
    for attempt in range(tries):
        coef = [Fraction(rng.randint(-3 - attempt, 3 + attempt)) for _ in Y]
        y = [sum((c * v[j] for c, v in zip(coef, Y)), Fraction(0)) for j in range(dim)]
        x = [Fraction(0)] * d
        offset = 0
        for block, U in zip(sub_blocks, bases):
            for j, u in enumerate(U):
                for a, value in zip(block, u):
                    x[a] += y[offset + j] * value
            offset += len(U)
        if not any(x) or not mixes(x, blocks):
            continue
        w = weight(J, x)
        if found is None or w < found[0]:
            found = (w, [Fraction(v) for v in primitive_integer(x)])
        if w == bound.lower:
            break
    return None if found is None else found[1]

"""Certified minors of an exact Jacobian whose entries are not all rational.

At a rational point the Jacobian of a generator with ``sin``, ``exp``, ... has entries
such as ``cos(1/4)``: exact constants, but not rationals, so the matroid and z3 engines of
:mod:`theory.linalg` do not apply.  For small blocks a row matroid only needs to know
which minors vanish (docs/mathematics.md sections 5.8, 7.1 and 8), and a minor of a
constant matrix is a constant that :func:`theory.exact.constant_zero.decide_constant`
decides soundly: ``nonzero`` by a certified interval enclosure (or an exact rational),
``zero`` by the zero-test cascade (exact cancellation, minimal polynomial, ``simplify``),
and otherwise **undecided**, an outcome of its own that the callers turn into ``unknown``
naming the minor.  Floats never decide.

* :class:`MinorOracle` decides the minors of one constant matrix, each once (the
  determinant is the plain Leibniz expansion, so sympy's automatic evaluation is the only
  simplification before the cascade), and stops at :data:`MINOR_CAP` minors.
* :func:`certified_rank` finds a basis of rows greedily (each step a nonzero minor) and
  proves rank deficiency by vanishing minors.
* :func:`certified_matroid` adds the fundamental circuits of the other rows with respect
  to that basis (by Cramer's rule, row ``e`` uses basis row ``b`` iff the minor with ``b``
  replaced by ``e`` is nonzero): their graph's components are the matroid components
  (docs/mathematics.md section 7.2).  An undecided circuit minor whose two rows are joined
  anyway leaves the components exact; otherwise the components are open, while the
  components of the graph with every undecided edge added remain separators.
* :func:`recheck_minors` recomputes every entry a certificate uses on the independent
  path of :mod:`theory.criteria.witness` and re-decides the certificate's minors: a
  refutation is reported only if they all agree.

Examples
--------
>>> import sympy as sp
>>> entries = [[sp.cos(sp.Rational(1, 4)), -sp.sin(sp.Rational(1, 4))], [sp.sin(sp.Rational(1, 4)), sp.cos(sp.Rational(1, 4))]]
>>> oracle = MinorOracle.from_values(entries)
>>> oracle.minor((0, 1), (0, 1)).status
'nonzero'
>>> m = certified_matroid(oracle, [0, 1], [0, 1])
>>> m.rank.full_rank, [sorted(c) for c in m.components]
(True, [[0], [1]])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations, permutations

import networkx as nx
import sympy as sp

from theory.budget import Budget
from theory.exact.constant_zero import DEFAULT_SYMBOLIC_TIMEOUT, ConstantDecision, decide_constant
from theory.exact.rationals import expr_str
from theory.criteria.context import CheckContext, ExactJacobian
from theory.criteria.witness import independent_derivative

__all__ = [
    "MINOR_CAP",
    "MAX_MATROID_DIM",
    "MAX_DET_DIM",
    "Minor",
    "MinorUndecided",
    "TooManyMinors",
    "MinorOracle",
    "CertifiedRank",
    "CertifiedMatroid",
    "determinant",
    "exact_value",
    "certified_rank",
    "certified_matroid",
    "jacobian_oracle",
    "recheck_minors",
]

#: Most minors one oracle decides; past it the caller answers ``unknown``.
MINOR_CAP = 20_000
#: Largest number of columns whose row matroid components are computed from minors.
MAX_MATROID_DIM = 3
#: Largest determinant expanded (Leibniz: ``n!`` terms).
MAX_DET_DIM = 6


def determinant(M: Sequence[Sequence[sp.Expr]]) -> sp.Expr:
    """The Leibniz expansion of a square matrix of constants (no simplification).

    >>> import sympy as sp
    >>> determinant([[sp.sin(1) ** 2, 1], [1 - sp.cos(1) ** 2, 1]])
    -1 + cos(1)**2 + sin(1)**2
    """
    n = len(M)
    if n == 0:
        return sp.S.One
    terms = []
    for perm in permutations(range(n)):
        factors = [M[i][perm[i]] for i in range(n)]
        if any(f == 0 for f in factors):
            continue
        inversions = sum(1 for i in range(n) for j in range(i + 1, n) if perm[i] > perm[j])
        terms.append((-1) ** inversions * sp.Mul(*factors))
    return sp.Add(*terms)


@dataclass(frozen=True)
class Minor:
    """One decided minor: rows and columns (indices of the oracle's matrix), the exact
    determinant and its decision (``zero``, ``nonzero`` or ``unknown``)."""

    rows: tuple[int, ...]
    cols: tuple[int, ...]
    expr: sp.Expr
    decision: ConstantDecision

    @property
    def status(self) -> str:
        return self.decision.status

    def to_json(self, row_names: Sequence[str] | None = None, col_names: Sequence[str] | None = None) -> dict:
        """The minor for a report: rows, columns, status, how it was decided, its value."""
        out: dict = {
            "rows": [row_names[i] if row_names else i for i in self.rows],
            "cols": [col_names[j] if col_names else j for j in self.cols],
            "status": self.status,
            "method": self.decision.method,
            "value": expr_str(self.decision.value if self.status == "nonzero" else self.expr),
        }
        if self.decision.enclosure is not None:
            out["enclosure"] = list(self.decision.enclosure)
        return out


class MinorUndecided(Exception):
    """A minor (or an entry) the sound cascade could not decide; the verdict is ``unknown``."""

    def __init__(self, minor: Minor | None, reason: str):
        super().__init__(reason)
        self.minor = minor


class TooManyMinors(Exception):
    """More than :data:`MINOR_CAP` minors were needed."""


def exact_value(decision: ConstantDecision) -> sp.Expr | None:
    """The exact value behind an entry decision, or ``None`` when there is none to compute with.

    >>> from theory.exact.constant_zero import ConstantDecision
    >>> exact_value(ConstantDecision("nonzero", "rational", sp.Rational(1, 3))), exact_value(ConstantDecision("zero", "rational", sp.S(0)))
    (1/3, 0)
    """
    if decision.status == "zero":
        return sp.S.Zero
    value = sp.sympify(decision.value)
    if value.free_symbols or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    return value


@dataclass
class MinorOracle:
    """Decides the minors of one matrix of exact constants, each once.

    ``entries[i][j]`` are the entry decisions (1x1 minors are those decisions as they
    stand: the caller already ran the cascade on them).  Larger minors are decided by the
    cheap tiers first (exact rationals, interval enclosures) and, on request, by the whole
    cascade.
    """

    entries: Sequence[Sequence[ConstantDecision]]
    budget: Budget | None = None
    timeout: float = DEFAULT_SYMBOLIC_TIMEOUT
    cap: int = MINOR_CAP
    _minors: dict[tuple[tuple[int, ...], tuple[int, ...]], Minor] = field(default_factory=dict, init=False, repr=False)
    _cheap: dict[tuple[tuple[int, ...], tuple[int, ...]], Minor] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_values(
        cls, values: Sequence[Sequence[sp.Expr]], budget: Budget | None = None, timeout: float = DEFAULT_SYMBOLIC_TIMEOUT, cap: int = MINOR_CAP
    ) -> MinorOracle:
        """An oracle on plain constants (each entry decided by the whole cascade here)."""
        entries = [[decide_constant(sp.sympify(v), budget, timeout) for v in row] for row in values]
        return cls(entries, budget, timeout, cap)

    @property
    def decided(self) -> list[Minor]:
        """Every minor of size >= 2 decided so far (the cheap decisions where nothing better)."""
        out = dict(self._cheap)
        out.update(self._minors)
        return list(out.values())

    def entry(self, i: int, j: int) -> Minor:
        d = self.entries[i][j]
        value = exact_value(d)
        return Minor((i,), (j,), sp.nan if value is None else value, d)

    def minor(self, rows: Iterable[int], cols: Iterable[int], cheap: bool = False) -> Minor:
        """The decided minor on ``rows`` x ``cols`` (indices sorted; the sign is irrelevant)."""
        rows, cols = tuple(sorted(rows)), tuple(sorted(cols))
        if len(rows) != len(cols):
            raise ValueError(f"a minor needs as many rows as columns, got {rows} x {cols}")
        if len(rows) == 1:
            return self.entry(rows[0], cols[0])
        key = (rows, cols)
        hit = self._minors.get(key)
        if hit is not None:
            return hit
        prior = self._cheap.get(key)
        if cheap and prior is not None:
            return prior
        if prior is None and len(self._cheap) + len(self._minors) >= self.cap:
            raise TooManyMinors(f"more than {self.cap} minors needed")
        if self.budget is not None:
            self.budget.check()
        if prior is not None:
            expr = prior.expr
        else:
            values = [[exact_value(self.entries[i][j]) for j in cols] for i in rows]
            if any(v is None for row in values for v in row):
                undecided = ConstantDecision("unknown", "entry-undecided", sp.nan)
                found = Minor(rows, cols, sp.nan, undecided)
                self._minors[key] = found
                return found
            expr = determinant(values)  # type: ignore[arg-type]
        decision = decide_constant(expr, self.budget, self.timeout, cheap=cheap)
        found = Minor(rows, cols, expr, decision)
        if cheap and decision.status == "unknown":
            self._cheap[key] = found
        else:
            self._cheap.pop(key, None)
            self._minors[key] = found
        return found


@dataclass
class CertifiedRank:
    """The rank of the rows ``rows`` restricted to ``cols``: a basis and its certificate.

    ``basis_minor`` is a nonzero ``r x r`` minor on the basis rows (``None`` for rank 0);
    ``dependent`` lists, for each other nonloop row, the vanishing minors that put it in
    the span of the rows chosen before it (empty when the basis has full rank and the row
    came after it).
    """

    loops: frozenset[int]
    nonloops: tuple[int, ...]
    basis: tuple[int, ...]
    basis_minor: Minor | None
    ncols: int
    dependent: list[Minor] = field(default_factory=list)

    @property
    def rank(self) -> int:
        return len(self.basis)

    @property
    def full_rank(self) -> bool:
        return self.rank == self.ncols


def _loops(oracle: MinorOracle, rows: Sequence[int], cols: Sequence[int]) -> tuple[frozenset[int], tuple[int, ...]]:
    """Rows that vanish on ``cols`` and rows that do not; a row that may be either raises."""
    loops, nonloops = [], []
    for i in rows:
        statuses = [oracle.entries[i][j].status for j in cols]
        if "nonzero" in statuses:
            nonloops.append(i)
        elif all(s == "zero" for s in statuses):
            loops.append(i)
        else:
            j = cols[statuses.index("unknown")]
            raise MinorUndecided(oracle.entry(i, j), f"entry ({i}, {j}) is undecided ({oracle.entries[i][j].method})")
    return frozenset(loops), tuple(nonloops)


def _independent(oracle: MinorOracle, basis: Sequence[int], e: int, cols: Sequence[int], cheap: bool) -> tuple[str, list[Minor]]:
    """Is row ``e`` independent of the (independent) rows ``basis``? ``yes`` with the nonzero
    minor, ``no`` with the vanishing minors, or ``open`` with the undecided ones."""
    rows = list(basis) + [e]
    minors = []
    for sub in combinations(cols, len(rows)):
        m = oracle.minor(rows, sub, cheap=cheap)
        if m.status == "nonzero":
            return "yes", [m]
        minors.append(m)
    if all(m.status == "zero" for m in minors):
        return "no", minors
    return "open", [m for m in minors if m.status == "unknown"]


def certified_rank(oracle: MinorOracle, rows: Sequence[int], cols: Sequence[int]) -> CertifiedRank:
    """A greedy basis of the rows on ``cols``, each step certified by a nonzero minor.

    A row whose independence the cheap tiers leave open is retried with the whole cascade
    after the others; rank deficiency is certified by vanishing minors only.

    Raises
    ------
    MinorUndecided
        When an entry or a minor that the rank depends on is undecided.
    TooManyMinors
        Past the oracle's cap.
    """
    if len(cols) > MAX_DET_DIM:
        raise TooManyMinors(f"{len(cols)} columns: determinants are expanded up to {MAX_DET_DIM} x {MAX_DET_DIM}")
    loops, nonloops = _loops(oracle, rows, cols)
    basis: list[int] = []
    basis_minor: Minor | None = None
    dependent: list[Minor] = []
    pending = list(nonloops)
    for cheap in (True, False):
        deferred = []
        for e in pending:
            if len(basis) == len(cols):
                break
            if not basis:  # a nonloop row is independent on its own: its nonzero entry
                j = next(j for j in cols if oracle.entries[e][j].status == "nonzero")
                basis, basis_minor = [e], oracle.entry(e, j)
                continue
            answer, minors = _independent(oracle, basis, e, cols, cheap)
            if answer == "yes":
                basis.append(e)
                basis_minor = minors[0]
            elif answer == "no":
                dependent.extend(minors)
            else:
                deferred.append((e, minors))
        pending = [e for e, _ in deferred]
        if not cheap and deferred and len(basis) < len(cols):
            e, minors = deferred[0]
            raise MinorUndecided(minors[0] if minors else None, f"whether row {e} is independent of rows {basis} is undecided")
    return CertifiedRank(loops, nonloops, tuple(basis), basis_minor, len(cols), dependent)


@dataclass
class CertifiedMatroid:
    """Components of the row matroid (loops removed) of a full-column-rank matrix.

    ``components`` are exact, or ``None`` when an undecided circuit minor leaves them
    open; ``separators`` (the components with every undecided edge added) are unions of
    true components in any case, so ``len(separators) >= 2`` proves disconnection and
    ``connected`` is ``True``, ``False`` or ``None`` (open).  ``certificate`` holds the
    decided minors the components rest on (the basis minor, the circuit minors and a
    nonzero entry of every row that is not a loop).
    """

    rank: CertifiedRank
    components: list[frozenset[int]] | None
    separators: list[frozenset[int]]
    certificate: list[Minor]
    undecided: list[Minor]

    @property
    def connected(self) -> bool | None:
        if self.components is not None:
            return len(self.components) <= 1
        return False if len(self.separators) >= 2 else None


def _graph_components(nodes: Iterable[int], edges: Iterable[tuple[int, int]]) -> list[frozenset[int]]:
    G = nx.Graph()
    G.add_nodes_from(nodes)
    G.add_edges_from(edges)
    return sorted((frozenset(c) for c in nx.connected_components(G)), key=min)


def certified_matroid(oracle: MinorOracle, rows: Sequence[int], cols: Sequence[int]) -> CertifiedMatroid | CertifiedRank:
    """The components of the row matroid of ``rows`` x ``cols``, or the :class:`CertifiedRank`
    alone when the rank is (certified) deficient.

    Raises
    ------
    MinorUndecided
        When the rank is undecided.
    TooManyMinors
        Past the oracle's cap, or with more than :data:`MAX_MATROID_DIM` columns.
    """
    if len(cols) > MAX_MATROID_DIM:
        raise TooManyMinors(f"{len(cols)} columns: matroid components from minors are computed up to {MAX_MATROID_DIM}")
    rk = certified_rank(oracle, rows, cols)
    if not rk.full_rank:
        return rk
    basis = list(rk.basis)
    certificate = [rk.basis_minor] if rk.basis_minor is not None else []
    sure, open_edges, undecided = [], [], []
    for e in rk.nonloops:
        if e in basis:
            continue
        for b in basis:
            swapped = [x for x in basis if x != b] + [e]
            m = oracle.minor(swapped, cols, cheap=True)
            if m.status == "unknown":
                m = oracle.minor(swapped, cols)
            if m.status == "nonzero":
                sure.append((e, b))
                certificate.append(m)
            elif m.status == "zero":
                certificate.append(m)
            else:
                open_edges.append((e, b))
                undecided.append(m)
    for e in rk.nonloops:  # a row claimed nonzero: a zero row would pass for a component of its own
        j = next(j for j in cols if oracle.entries[e][j].status == "nonzero")
        certificate.append(oracle.entry(e, j))
    fine = _graph_components(rk.nonloops, sure)
    coarse = _graph_components(rk.nonloops, sure + open_edges)
    where = {x: i for i, c in enumerate(fine) for x in c}
    exact = all(where[e] == where[b] for e, b in open_edges)
    return CertifiedMatroid(rk, fine if exact else None, coarse, certificate, undecided)


def jacobian_oracle(ctx: CheckContext, jac: ExactJacobian) -> MinorOracle:
    """A :class:`MinorOracle` on the exact Jacobian, under the check's budget."""
    return MinorOracle(jac.entries, ctx.budget, ctx.symbolic_timeout)


def recheck_minors(ctx: CheckContext, point: dict, minors: Sequence[Minor], loops: Iterable[int] = (), loop_cols: Sequence[int] = ()) -> bool:
    """Whether every decided minor (and every claimed loop) re-verifies on the independent path.

    The entries the minors use are recomputed by
    :func:`theory.criteria.witness.independent_derivative` (sympy's ``diff`` of the outputs
    as written, decided exactly and confirmed by finite differences of g's values), each
    minor is expanded and decided again, and its status must come out the same; a
    claimed loop must have every entry on ``loop_cols`` proved zero again.
    """
    g = ctx.generator
    cache: dict[tuple[int, int], ConstantDecision] = {}

    def entry(i: int, j: int) -> ConstantDecision:
        if (i, j) not in cache:
            ctx.budget.check()
            cache[(i, j)] = independent_derivative(g, i, (j,), point, ctx.constants)
        return cache[(i, j)]

    for i in loops:
        if not all(entry(i, j).is_zero for j in loop_cols):
            return False
    for m in minors:
        if m.status == "unknown":
            continue
        values = [[exact_value(entry(i, j)) for j in m.cols] for i in m.rows]
        if any(v is None for row in values for v in row):
            return False
        again = decide_constant(determinant(values), ctx.budget, ctx.symbolic_timeout)  # type: ignore[arg-type]
        if again.status != m.status:
            return False
    return True

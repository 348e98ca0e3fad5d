"""Irreducibility of each factor at a point, in the D, S, M and H2 senses (docs/mathematics.md section 7).

Block ``k`` is X-reducible at ``s`` when ``E_k = T' (+) T''`` (both nonzero) and the refined
decomposition still satisfies criterion X (section 7.5).  Every failure names the split.

* ``irreducible:D`` (method ``matroid-components``): the components of the row matroid
  of ``J[:, C_k]`` with loops removed (section 7.1); a rank-deficient block is reported
  as degenerate (``unknown``, ``details.degenerate = "rank"``).  Over all of S
  (``irreducible-scope: everywhere``) for polynomial blocks of dimension <= 2, z3 decides
  whether some point makes the block's nonzero rows fall into <= 2 parallel classes or
  vanish (section 7.3).
* ``irreducible:S``: the block's greedy basis ``B*_k`` split into two groups; the block is
  S-reducible iff some split satisfies Type S in the new coordinates.
* ``irreducible:M``: the 2-colourings of ``B*_k`` checked for cross non-containment.
* ``irreducible:H2`` (method ``idempotent-z3``): an idempotent ``P`` (``P^2 = P``,
  ``1 <= tr P <= d_k - 1``) with ``P^T H_t = H_t P`` for every output's block Hessian
  ``H_t`` (section 7.6), decided by z3 nlsat.

Where J at the point is not rational (method ``certified-minors``,
:mod:`theory.criteria.certified_minors`): a one-dimensional factor is irreducible in every
sense when some entry of its column is certified nonzero (rank-deficient when the whole
column is proved zero; for H2, which asks no rank, always irreducible), and the row
matroid of a D-factor of dimension <= 3 is computed from minors decided soundly
(certified enclosures, the zero-test cascade); an undecided minor gives ``unknown``
naming it.  A split's witness there is the matroid components (row sets) with the minors
they rest on, re-derived on the independent path.  S, M and H2 for factors of dimension
>= 2 stay ``unknown`` (``not-rational``).
"""

from __future__ import annotations

from fractions import Fraction
import itertools
from itertools import combinations, combinations_with_replacement

import sympy as sp
import z3

from functools import partial

from theory.readings import IRREDUCIBLE_SCOPES
from theory.registry import Job
from theory.model.derivatives import is_piecewise_polynomial
from theory.linalg.rational import QMatrix, columns_of, mat_mul, mat_vec, nullspace, rank, support
from theory.linalg.matroid import row_matroid_components
from theory.result import CheckResult, point_text, vectors_text
from theory.exact.smt import AnyOf, Eq, Ne, NotTranslatable, exists, z3_fraction, z3_timeout_ms
from theory.linalg.rho import sparsest_basis, sparsity
from theory.linalg.sparsity_result import SPARSITY_METHODS
from theory.linalg.sparsest_basis import sparsest_alternatives
from theory.criteria.certified_minors import CertifiedRank, MinorOracle, MinorUndecided, TooManyMinors, certified_matroid, jacobian_oracle, recheck_minors
from theory.criteria.context import CheckContext
from theory.criteria.d_irreducibility_global import certified_connected
from theory.criteria.piecewise_linear import general_position_3d, pl_d_irreducible
from theory.criteria.harrison_centre import Tensor, centre_split, mixed_vanish

__all__ = [
    "IRREDUCIBLE_KINDS",
    "IRREDUCIBLE_SCOPES",
    "block_components",
    "check_irreducible_at",
    "check_irreducible_certified",
    "check_irreducible_d_global",
    "s_split",
    "general_position_3d",
    "SplitUndecided",
]

IRREDUCIBLE_KINDS = ("D", "S", "M", "H2")


def _hn_order(kind: str) -> int | None:
    """``n`` of ``H<n>`` with ``n >= 3`` (``irreducible:H3``, ...), else ``None``."""
    return int(kind[1:]) if kind[:1] == "H" and kind[1:].isdigit() and int(kind[1:]) >= 3 else None


def _vec(v: list[Fraction]) -> list[str]:
    return [str(x) for x in v]


def block_components(Jk: QMatrix) -> tuple[list[frozenset[int]], frozenset[int], list[QMatrix]]:
    """Matroid components of a full-column-rank block, its loops, and the subspaces ``T_t``.

    ``T_t = (sum of the row spans of the other components)^perp`` (section 7.1), given by a
    basis in the block's coordinates.

    >>> from theory.linalg.rational import to_fraction_matrix
    >>> comps, loops, T = block_components(to_fraction_matrix([[1, 1], [1, -1]]))
    >>> [sorted(c) for c in comps], [[list(map(str, v)) for v in t] for t in T]
    ([[0], [1]], [[['1', '1']], [['-1', '1']]])
    """
    comps, loops = row_matroid_components(Jk)
    dk = len(Jk[0]) if Jk else 0
    spaces = []
    for t, comp in enumerate(comps):
        others = [Jk[i] for c in comps if c is not comp for i in c]
        spaces.append(nullspace(others, dk))
    return comps, loops, spaces


def _block_matrix(J: QMatrix, block: tuple[int, ...]) -> QMatrix:
    return [[row[a] for a in block] for row in J]


def _unknown(kind: str, point: dict, method: str, details: dict) -> CheckResult:
    return CheckResult(f"irreducible:{kind}", "unknown", "point", method, details=details, point=point)


def check_irreducible_at(ctx: CheckContext, point: dict, kind: str = "D") -> CheckResult:
    """X-irreducibility of every factor at ``point`` (criterion ``irreducible:X``, scope point).

    Examples
    --------
    >>> import sympy as sp
    >>> from theory import Generator, Box
    >>> s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
    >>> g = Generator("p13", [[s1, s2], [s3]], [s1 + s2, s1 - s2, s3, s3], Box({s: (-1, 1) for s in (s1, s2, s3)}))
    >>> r = check_irreducible_at(CheckContext(g), {s: sp.S(0) for s in (s1, s2, s3)})
    >>> r.verdict, r.witness["factor"]
    ('refuted', 'f1')
    """
    if kind not in IRREDUCIBLE_KINDS and _hn_order(kind) is None:
        raise ValueError(f"unknown irreducibility {kind!r} (choose from {', '.join(IRREDUCIBLE_KINDS)}, H3, H4, ...)")
    criterion = f"irreducible:{kind}"
    g = ctx.generator
    J, reason = ctx.rational_jacobian_at(point)
    if J is None:
        return check_irreducible_certified(ctx, point, kind, reason)
    degenerate = []
    per_factor = {}
    for k, block in enumerate(g.blocks):
        ctx.budget.check()
        name = g.factor_names[k]
        Jk = _block_matrix(J, block)
        if not kind.startswith("H") and rank(Jk) < len(block):
            degenerate.append(name)
            per_factor[name] = "degenerate"
            continue
        if len(block) == 1:
            per_factor[name] = "irreducible"
            continue
        try:
            split = _SPLITTERS[kind](ctx, J, k, point) if kind in _SPLITTERS else _split_hn(ctx, k, point, _hn_order(kind) or 3)
        except _Undecided as exc:
            return _unknown(kind, point, "undecided", {"reason": str(exc), "factor": name})
        if split is not None:
            split["factor"] = name
            split["point"] = dict(point)
            per_factor[name] = "reducible"
            return CheckResult(criterion, "refuted", "point", split.pop("method"), witness=split, details={"factors": per_factor}, point=point)
        per_factor[name] = "irreducible"
    method = {"D": "matroid-components", "S": "matroid-exact", "M": "exact-evaluation", "H2": "idempotent-z3"}.get(kind, "harrison-centre")
    if degenerate:
        return _unknown(kind, point, method, {"degenerate": "rank", "factors": per_factor, "note": "a rank-deficient block is trivially reducible (docs/mathematics.md 7.1)"})
    return CheckResult(criterion, "proved", "point", method, details={"factors": per_factor}, point=point)


def _irrational_factor(ctx: CheckContext, oracle: MinorOracle, k: int, kind: str, point: dict) -> tuple[str, dict]:
    """One factor at a point where J is not rational: ``irreducible``, ``degenerate``,
    ``reducible`` (with the witness), ``open`` (with why) or ``not-rational``."""
    g = ctx.generator
    block = g.blocks[k]
    names = [str(s) for s in g.latents]
    if len(block) == 1:
        if kind == "H2":  # H2 asks no rank (as on the rational path): a line cannot split
            return "irreducible", {}
        statuses = [oracle.entries[t][block[0]].status for t in range(g.m)]
        if "nonzero" in statuses:
            return "irreducible", {}
        if all(st == "zero" for st in statuses):
            return "degenerate", {}
        t = statuses.index("unknown")
        entry = oracle.entry(t, block[0])
        return "open", {"reason": f"no entry of the column of {names[block[0]]} is certified nonzero", "undecided_minor": entry.to_json(col_names=names)}
    if kind != "D":
        return "not-rational", {"reason": f"{kind}-irreducibility of a factor of dimension {len(block)} needs a rational Jacobian"}
    try:
        matroid = certified_matroid(oracle, range(g.m), block)
    except MinorUndecided as exc:
        return "open", {"reason": str(exc), "undecided_minor": exc.minor.to_json(col_names=names) if exc.minor else None}
    except TooManyMinors as exc:
        return "open", {"reason": str(exc)}
    if isinstance(matroid, CertifiedRank):
        return "degenerate", {}
    if matroid.connected:
        return "irreducible", {}
    if matroid.connected is None:
        minor = matroid.undecided[0]
        return "open", {"reason": "a minor the matroid components depend on is undecided", "undecided_minor": minor.to_json(col_names=names)}
    if not recheck_minors(ctx, point, matroid.certificate, matroid.rank.loops, block):
        return "open", {"reason": "the split's minors did not re-verify on the independent path"}
    parts = matroid.components if matroid.components is not None else matroid.separators
    return "reducible", {
        "method": "certified-minors",
        "latents": [names[a] for a in block],
        "components" if matroid.components is not None else "separators": [sorted(c) for c in parts],
        "loops": sorted(matroid.rank.loops),
        "basis_rows": list(matroid.rank.basis),
        "certificate": [m.to_json(col_names=names) for m in matroid.certificate],
    }


def check_irreducible_certified(ctx: CheckContext, point: dict, kind: str = "D", reason: str = "") -> CheckResult:
    """:func:`check_irreducible_at` from certified minors, for a J that is not rational.

    See the module docstring; ``reason`` (why the rational path did not apply) is kept in
    the details.  On a rational J it gives the rational path's verdict or ``unknown``.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory import Generator, Box
    >>> s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
    >>> g = Generator("t", [[s1, s2], [s3]], [sp.sin(s1), sp.exp(s2), sp.sin(s1) + sp.cos(s2), sp.exp(s3)], Box({s: (0, 1) for s in (s1, s2, s3)}))
    >>> r = check_irreducible_certified(CheckContext(g), {s1: sp.Rational(1, 3), s2: sp.Rational(1, 4), s3: sp.S(0)})
    >>> r.verdict, r.method
    ('proved', 'certified-minors')
    """
    g = ctx.generator
    criterion = f"irreducible:{kind}"
    jac = ctx.jacobian_at(point)
    oracle = jacobian_oracle(ctx, jac)
    per_factor: dict[str, str] = {}
    undecided: dict[str, dict] = {}
    for k in range(g.K):
        ctx.budget.check()
        name = g.factor_names[k]
        state, info = _irrational_factor(ctx, oracle, k, kind, point)
        per_factor[name] = state
        if state == "reducible":
            info.update(factor=name, point=dict(point))
            return CheckResult(criterion, "refuted", "point", info.pop("method"), witness=info, details={"factors": per_factor, "reason": reason}, point=point)
        if state in ("open", "not-rational"):
            undecided[name] = info
    details: dict = {"factors": per_factor, "reason": reason}
    if undecided:
        details["undecided"] = undecided
        method = "not-rational" if all(st != "open" for st in per_factor.values()) else "certified-minors"
        return _unknown(kind, point, method, details)
    if "degenerate" in per_factor.values():
        details.update(degenerate="rank", note="a rank-deficient block is trivially reducible (docs/mathematics.md 7.1)")
        return _unknown(kind, point, "certified-minors", details)
    method = "structural" if kind == "H2" else "certified-minors"
    return CheckResult(criterion, "proved", "point", method, details=details, point=point)


def _split_d(ctx: CheckContext, J: QMatrix, k: int, point: dict) -> dict | None:
    g = ctx.generator
    block = g.blocks[k]
    comps, loops, spaces = block_components(_block_matrix(J, block))
    if len(comps) <= 1:
        return None
    return {
        "method": "matroid-components",
        "latents": [str(g.latents[a]) for a in block],
        "components": [sorted(c) for c in comps],
        "loops": sorted(loops),
        "subspaces": [[_vec(v) for v in T] for T in spaces],
    }


def _new_coordinates(J: QMatrix, block: tuple[int, ...], basis: list[list[Fraction]]) -> QMatrix:
    """``J M`` where ``M`` is the identity with the block's columns replaced by ``basis``."""
    d = len(J[0])
    M = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    for col, v in zip(block, basis):
        for i in range(d):
            M[i][col] = v[i]
    return mat_mul(J, M)


def _greedy_block_basis(ctx: CheckContext, J: QMatrix, block: tuple[int, ...]) -> list[list[Fraction]]:
    d = len(J[0])
    return [v for v, _ in sparsest_basis(J, block, d, ctx.budget.check)]


def _two_colourings(block: tuple[int, ...]):
    """Splits of ``block`` into two nonempty groups, each split once (first element in Q)."""
    first, rest = block[0], block[1:]
    for r in range(len(rest)):
        for extra in combinations(rest, r):
            Q = (first,) + extra
            Qc = tuple(a for a in block if a not in Q)
            if Qc:
                yield Q, Qc


def s_split(J: QMatrix, blocks: list[list[int]], k: int, strict: bool, budget, seed: int = 0) -> tuple | None:
    """A split of block ``k`` of ``J`` (in its greedy basis ``B*_k``) whose refined partition
    satisfies Type S: ``(Q, Qc, basis_of, result)``, or ``None`` when no split keeps Type S.

    The search over the 2-colourings of the greedy basis is complete for the strict reading
    only; with ``strict`` false and no split found it raises ``_Undecided``, and so it does
    when some split's Type S stays undecided (its rho came back as bounds that do not decide).

    >>> from theory.linalg.rational import to_fraction_matrix
    >>> s_split(to_fraction_matrix([[1, 0], [0, 1], [1, 1]]), [[0, 1]], 0, True, None) is None
    True
    >>> s_split(to_fraction_matrix([[1, 0], [2, 0], [0, 1]]), [[0, 1]], 0, True, None)[:2]
    ((0,), (1,))
    """
    block = tuple(blocks[k])
    d = len(J[0])
    check = budget.check if budget is not None and hasattr(budget, "check") else (lambda: None)
    basis = [v for v, _ in sparsest_basis(J, block, d, check)]
    Jnew = _new_coordinates(J, block, basis)
    others = [list(b) for i, b in enumerate(blocks) if i != k]
    index = dict(zip(block, basis))
    undecided = 0
    for Q, Qc in _two_colourings(block):
        check()
        result = sparsity(Jnew, others + [list(Q), list(Qc)], engine="auto", budget=budget, seed=seed)
        keeps = result.type_s("strict" if strict else "non-strict")
        if keeps:
            return Q, Qc, index, result
        if keeps is None:  # bounds that do not decide (the budget ran out): this split may keep Type S
            undecided += 1
    if undecided:
        raise _Undecided(f"Type S of {undecided} refined partition(s) was not decided (bounds only, within the budget)")
    if not strict:
        # under ties a split in another basis may still keep Type S
        raise _Undecided("no split of the greedy basis keeps non-strict Type S; the search is complete only for the strict reading")
    return None


def _split_s(ctx: CheckContext, J: QMatrix, k: int, point: dict) -> dict | None:
    g = ctx.generator
    block = g.blocks[k]
    if len(block) == 3 and ctx.readings.s == "strict" and general_position_3d([tuple(row[a] for a in block) for row in J if any(row[a] for a in block)]):
        return None  # no split keeps strict Type S (general_position_3d)
    found = s_split(J, [list(b) for b in g.blocks], k, ctx.readings.s == "strict", ctx.budget, ctx.seed)
    if found is None:
        return None
    Q, Qc, index, result = found
    return {
        "method": SPARSITY_METHODS[result.engine],
        "latents": [str(g.latents[a]) for a in block],
        "split": [[_vec(index[a]) for a in Q], [_vec(index[a]) for a in Qc]],
        "refined_rho": [result.rho_plus, result.rho_minus],
    }


def _split_m(ctx: CheckContext, J: QMatrix, k: int, point: dict) -> dict | None:
    """A split of block ``k`` into two parts whose refined decomposition is still Type M
    (cross non-containing, also against the other factors' coordinate columns, or under the
    reading ``m-basis: sparsest-aligned`` against every vector of their sparsest bases), or
    ``None`` when no split keeps Type M.

    The 2-colourings of the greedy basis ``B*_k`` are tried first.  They do not exhaust the
    splits: ``B*_k`` is one sparsest basis among possibly many (which one depends on the
    order of the rows), and a split along other directions may keep Type M.  For a block of
    dimension 2 the search is completed over every pair of lines: a line through a vector
    that annihilates no nonzero row of ``J_k`` has the largest possible support, which
    contains the other line's, so only the normals of the nonzero rows' directions can pair
    up (:func:`_m_split_of_plane`).  Larger blocks with no splitting colouring are undecided.
    """
    g = ctx.generator
    block = g.blocks[k]
    basis = _greedy_block_basis(ctx, J, block)
    index = dict(zip(block, basis))
    d = len(J[0])
    every = ctx.readings.m_basis == "sparsest-aligned"
    others = [[[Fraction(int(i == a)) for i in range(d)] for a in b] for i, b in enumerate(g.blocks) if i != k]
    if every:  # Type M in B*: against every vector of every sparsest basis of the other factors
        others = [_sparsest_of_span(J, units) for units in others]
    for Q, Qc in _two_colourings(block):
        found = _m_split([[index[a] for a in Q], [index[a] for a in Qc]], others, J, every)
        if found is not None:
            return {"method": "exact-evaluation", "latents": [str(g.latents[a]) for a in block], **found}
    if len(block) > 2:
        raise _Undecided(
            f"no 2-colouring of the greedy sparsest basis of factor {g.factor_names[k]} keeps Type M; splits along other "
            "directions are searched for blocks of dimension 2 only"
        )
    for pair in _m_split_of_plane(J, block):
        found = _m_split([[pair[0]], [pair[1]]], others, J)
        if found is not None:
            return {"method": "exact-evaluation", "latents": [str(g.latents[a]) for a in block], **found}
    return None


def _m_split(parts: list[list[list[Fraction]]], others: list[list[list[Fraction]]], J: QMatrix, every_sparsest: bool = False) -> dict | None:
    """The split ``parts`` of a block, as a witness, when the refined decomposition (``parts``
    and the other factors' vectors ``others``) is cross non-containing; else ``None``.
    ``every_sparsest`` (reading ``m-basis: sparsest-aligned``): a part of dimension >= 2 is
    read as every vector of its own sparsest bases, as Type M in B* reads a factor."""
    supports = [[support(J, v) for v in grp] for grp in parts + others]
    read = [[support(J, v) for v in _sparsest_of_span(J, grp)] if every_sparsest and len(grp) > 1 else s for grp, s in zip(parts, supports)]
    if not _non_containing(read + supports[len(parts) :]):
        return None
    return {"split": [[_vec(v) for v in grp] for grp in parts], "supports": [[sorted(s) for s in supports[0]], [sorted(s) for s in supports[1]]]}


def _sparsest_of_span(J: QMatrix, vectors: list[list[Fraction]]) -> list[list[Fraction]]:
    """Every vector of some sparsest basis of ``span(vectors)`` (as far as J sees it):
    :func:`~theory.linalg.sparsest_basis.sparsest_alternatives` on ``J V``, mapped back by V."""
    V = columns_of(vectors)
    basis, alternatives = sparsest_alternatives(mat_mul(J, V), list(range(len(vectors))))
    return [mat_vec(V, c) for c in [c for c, _ in basis] + [c for c, _, _ in alternatives]]


def _m_split_of_plane(J: QMatrix, block: tuple[int, ...]) -> list[tuple[list[Fraction], list[Fraction]]]:
    """Every pair of lines of a 2-D block that can keep Type M: the normals ``(-b, a)`` of two
    distinct directions ``(a, b)`` among the block's nonzero rows, embedded in R^d."""
    d = len(J[0])
    a, b = block
    normals: dict[tuple[Fraction, Fraction], list[Fraction]] = {}
    for row in J:
        x, y = row[a], row[b]
        if x == 0 and y == 0:
            continue
        key = (Fraction(1), y / x) if x != 0 else (Fraction(0), Fraction(1))  # the row's direction, normalised
        if key not in normals:
            v = [Fraction(0)] * d
            v[a], v[b] = -key[1], key[0]
            normals[key] = v
    return list(combinations(normals.values(), 2))


def _non_containing(groups: list[list[frozenset[int]]]) -> bool:
    for i, j in combinations(range(len(groups)), 2):
        for a in groups[i]:
            for b in groups[j]:
                if a <= b or b <= a:
                    return False
    return True


def _split_h2(ctx: CheckContext, J: QMatrix, k: int, point: dict) -> dict | None:
    g = ctx.generator
    block = g.blocks[k]
    dk = len(block)
    hessians = []
    for t in range(g.m):
        H = [[Fraction(0)] * dk for _ in range(dk)]
        nonzero = False
        for i, a in enumerate(block):
            for j, b in enumerate(block):
                if j < i:
                    continue
                ctx.budget.check()
                alpha = tuple(sorted((a, b)))
                decision = ctx.value_at(t, alpha, point, cheap=False)
                value = sp.S.Zero if decision.status == "zero" else decision.value
                if decision.status == "unknown" or not value.is_Rational:
                    raise _Undecided(f"second derivative of output {t} in ({g.latents[a]}, {g.latents[b]}) is not an exact rational at the point")
                H[i][j] = H[j][i] = Fraction(int(value.p), int(value.q))
                nonzero = nonzero or value != 0
        if nonzero:
            hessians.append(H)
    P = [[z3.Real(f"p{i}_{j}") for j in range(dk)] for i in range(dk)]
    solver = z3.SolverFor("QF_NRA")
    solver.set("timeout", z3_timeout_ms(ctx.smt_time()))
    for i in range(dk):
        for j in range(dk):
            solver.add(z3.Sum([P[i][l] * P[l][j] for l in range(dk)]) == P[i][j])
    trace = z3.Sum([P[i][i] for i in range(dk)])
    solver.add(trace >= 1, trace <= dk - 1)
    for H in hessians:
        for i in range(dk):
            for j in range(dk):
                lhs = z3.Sum([P[l][i] * z3_fraction(H[l][j]) for l in range(dk) if H[l][j] != 0] or [z3.RealVal(0)])
                rhs = z3.Sum([z3_fraction(H[i][l]) * P[l][j] for l in range(dk) if H[i][l] != 0] or [z3.RealVal(0)])
                solver.add(lhs == rhs)
    answer = solver.check()
    if answer == z3.unsat:
        return None
    if answer == z3.unknown:
        raise _Undecided(f"z3 could not decide the idempotent ({solver.reason_unknown()})")
    model = solver.model()
    values = []
    for row in P:
        out = []
        for x in row:
            v = model.eval(x, model_completion=True)
            if not z3.is_rational_value(v):
                raise _Undecided("z3's idempotent has irrational entries; not re-verified")
            out.append(Fraction(v.numerator_as_long(), v.denominator_as_long()))
        values.append(out)
    if not _verify_idempotent(values, hessians):
        raise _Undecided("z3's idempotent failed the exact re-check")
    kernel = nullspace(values, dk)
    return {
        "method": "idempotent-z3",
        "latents": [str(g.latents[a]) for a in block],
        "projector": [_vec(r) for r in values],
        "split": [[_vec(v) for v in _column_basis(values)], [_vec(v) for v in kernel]],
    }


def block_tensors(ctx: CheckContext, k: int, point: dict, n: int) -> list[Tensor]:
    """The nonzero symmetric n-tensors of the n-th derivatives of every output in factor ``k``'s
    coordinates at ``point`` (exact rationals; :class:`_Undecided` where one is not)."""
    g = ctx.generator
    block = g.blocks[k]
    out = []
    for t in range(g.m):
        A: Tensor = {}
        for idx in itertools.combinations_with_replacement(range(len(block)), n):
            ctx.budget.check()
            alpha = tuple(sorted(block[i] for i in idx))
            decision = ctx.value_at(t, alpha, point, cheap=False)
            value = sp.S.Zero if decision.status == "zero" else decision.value
            if decision.status == "unknown" or not value.is_Rational:
                raise _Undecided(f"an order-{n} derivative of output {t} in {[str(g.latents[a]) for a in alpha]} is not an exact rational at the point")
            if value != 0:
                A[idx] = Fraction(int(value.p), int(value.q))
        if A:
            out.append(A)
    return out


def _split_hn(ctx: CheckContext, k: int, point: dict, n: int) -> dict | None:
    """H_n-split of factor ``k`` at ``point`` for ``n >= 3`` through the centre of its n-th
    derivative tensors (:mod:`theory.criteria.harrison_centre`, docs/mathematics.md 7.7)."""
    g = ctx.generator
    block = g.blocks[k]
    tensors = block_tensors(ctx, k, point, n)
    answer = centre_split(tensors, len(block), n, seed=ctx.seed)
    if answer.status == "undecided":
        raise _Undecided(answer.details.get("reason", "the centre did not decide"))
    if answer.status == "irreducible":
        return None
    assert answer.split is not None
    first, second = answer.split
    if not mixed_vanish(tensors, first, second, n):  # pragma: no cover - re-checked inside centre_split too
        raise _Undecided("the split failed its exact re-check")
    return {
        "method": answer.method,
        "latents": [str(g.latents[a]) for a in block],
        "split": [[_vec(v) for v in first], [_vec(v) for v in second]],
        "order": n,
    }


def _column_basis(P: QMatrix) -> QMatrix:
    cols = [[P[i][j] for i in range(len(P))] for j in range(len(P))]
    out: QMatrix = []
    for c in cols:
        if any(c) and rank(out + [c]) > len(out):
            out.append(c)
    return out


def _verify_idempotent(P: QMatrix, hessians: list[QMatrix]) -> bool:
    dk = len(P)
    if mat_mul(P, P) != P:
        return False
    tr = sum(P[i][i] for i in range(dk))
    if not (1 <= tr <= dk - 1):
        return False
    Pt = [[P[j][i] for j in range(dk)] for i in range(dk)]
    return all(mat_mul(Pt, H) == mat_mul(H, P) for H in hessians)


class _Undecided(Exception):
    """The H2 split could not be decided exactly at this point."""


#: Raised by :func:`s_split` when its search is not complete (the non-strict reading).
SplitUndecided = _Undecided


_SPLITTERS = {"D": _split_d, "S": _split_s, "M": _split_m, "H2": _split_h2}


def check_irreducible_d_global(ctx: CheckContext) -> CheckResult:
    """D-irreducibility of every factor at every point of the domain (scope ``global``).

    For piecewise-polynomial blocks of dimension 1 (the column vanishes somewhere?) and
    2 (the nonzero rows fall into at most two parallel classes somewhere?, section 7.3)
    z3 nlsat decides; a ``sat`` answer is re-verified exactly at its point.  Blocks of dimension
    >= 3 of a piecewise-linear g are decided on its linear regions (method ``linear-regions``,
    :mod:`theory.criteria.piecewise_linear`; a refuting region's point is re-checked here).  Other
    blocks are proved by certified circuits (:func:`~theory.criteria.d_irreducibility_global.certified_connected`:
    a column or d + 1 rows whose minors are certified nonzero on all of S), or ``unknown``.
    """
    g = ctx.generator
    details: dict = {"readings": {"irreducible-scope": "everywhere"}}
    methods: set[str] = set()
    regions: dict = {}  # the piecewise-linear route's cache, shared by the factors
    for k, block in enumerate(g.blocks):
        # a piecewise-linear g's linear regions decide factors of dimension >= 3 first
        # (theory.criteria.piecewise_linear); for smaller ones they come after z3 and certified
        # circuits, when those leave it undecided (z3's point on a kink): exact interior points
        outcome = None
        for route in ("regions", "domain") if len(block) > 2 else ("domain", "regions"):
            if route == "regions":
                decided = _by_linear_regions(ctx, k, regions, details)
                if isinstance(decided, CheckResult):
                    return decided
                if decided:
                    methods.add("linear-regions")
                    break
            else:
                outcome = _irreducible_d_on_domain(ctx, k, methods, details)
                if outcome is None:
                    break
                if outcome.verdict == "refuted":
                    return outcome
        else:  # undecided by every route: the checked points
            return _refuted_at_points(ctx, details) or outcome
    others = methods - {"z3-nlsat"}  # the method named is the one beyond z3, if any
    method = next((m for m in ("linear-regions", "certified-circuit") if m in others), None) or (others.pop() if others else "z3-nlsat")
    return CheckResult("irreducible:D", "proved", "global", method, details=details)


def _irreducible_d_on_domain(ctx: CheckContext, k: int, methods: set[str], details: dict) -> CheckResult | None:
    """Factor ``k`` D-irreducible on all of S by z3 (piecewise-polynomial J, factors of at most
    two latents) or by certified circuits: ``None`` when proved (the method added to
    ``methods``), a refutation re-verified at z3's point, or ``unknown``."""
    g = ctx.generator
    block = g.blocks[k]
    rows = [t for t in range(g.m) if any(not ctx.table.is_structural_zero(t, (a,)) for a in block)]
    entries = [[ctx.table.derivative(t, (a,)) for a in block] for t in rows]
    if len(block) > 2 or not all(is_piecewise_polynomial(e) for row in entries for e in row):
        # not the z3 route below: certified circuits (docs/mathematics.md 7.3)
        ok, how = certified_connected(ctx, k)
        if not ok:
            return CheckResult("irreducible:D", "unknown", "global", "not-implemented" if len(block) > 2 else "not-polynomial", details={**details, "reason": how})
        methods.add(how)
        return None
    methods.add("z3-nlsat")
    queries = []
    all_zero = [Eq(e) for row in entries for e in row]
    queries.append(all_zero)
    if len(block) == 2:
        dets = lambda r, p: r[0] * p[1] - r[1] * p[0]  # noqa: E731
        # p == q too: a single nonzero row direction (rank <= 1) is reducible as well
        for p, q in combinations_with_replacement(range(len(entries)), 2):
            cons = [AnyOf(Ne(entries[p][0]), Ne(entries[p][1])), AnyOf(Ne(entries[q][0]), Ne(entries[q][1]))]
            for i, r in enumerate(entries):
                if i not in (p, q):
                    cons.append(AnyOf(Eq(dets(r, entries[p])), Eq(dets(r, entries[q]))))
            queries.append(cons)
    for cons in queries:
        ctx.budget.check()
        try:
            answer = exists(cons, g.domain, g.latents, timeout=ctx.smt_time(), boundaries="closure")
        except NotTranslatable as exc:
            return CheckResult("irreducible:D", "unknown", "global", "not-polynomial", details={**details, "reason": str(exc)})
        if answer.status == "unknown":
            return CheckResult("irreducible:D", "unknown", "global", "z3-nlsat", details={**details, "reason": answer.reason})
        if answer.status == "sat":
            for cand in answer.candidates:
                if not g.domain.contains(cand):
                    continue
                at = check_irreducible_at(ctx, cand, "D")
                if at.verdict == "refuted" or at.details.get("degenerate"):
                    witness = dict(at.witness) if at.witness else {"point": dict(cand), "factor": g.factor_names[k], "degenerate": "rank"}
                    return CheckResult("irreducible:D", "refuted", "global", "z3-nlsat", witness=witness, details=details)
            return CheckResult("irreducible:D", "unknown", "global", "z3-nlsat", details={**details, "reason": "z3's point could not be re-verified exactly"})
    return None


def _refuted_at_points(ctx: CheckContext, details: dict) -> CheckResult | None:
    """A global refutation from a pointwise one at the generator's points or two seeded random
    points (a factor reducible, or rank deficient, at one point of S is not irreducible on S)."""
    g = ctx.generator
    for point in [dict(p) for p in g.points] + ctx.random_points(2):
        at = check_irreducible_at(ctx, point, "D")
        if at.verdict == "refuted" or (at.verdict == "unknown" and at.details.get("degenerate")):
            degenerate = next((name for name, how in (at.details.get("factors") or {}).items() if how == "degenerate"), None)
            witness = dict(at.witness) if at.witness else {"point": dict(point), "factor": degenerate, "degenerate": "rank"}
            return CheckResult("irreducible:D", "refuted", "global", at.method, witness=witness, details={**details, "found_at": "a checked point"})
    return None


def _by_linear_regions(ctx: CheckContext, k: int, cache: dict, details: dict) -> CheckResult | bool:
    """Factor ``k`` on every linear region of a piecewise-linear g: ``True`` (proved, noted in
    ``details``), a refuting :class:`CheckResult` (the region's point re-checked on the pointwise
    path) or ``False`` (g is not PL, or undecided: the other routes go on)."""
    answer = pl_d_irreducible(ctx, k, cache)
    if answer is None:
        return False
    verdict, info = answer
    name = ctx.generator.factor_names[k]
    if verdict == "proved":
        details.setdefault("linear_regions", {})[name] = {key: info[key] for key in ("regions", "units", "outputs")}
        details["boundaries"] = "J exists off the regions only where g is differentiable, and there equals J of an adjacent region; at kinks J is undefined (docs/mathematics.md 7.3)"
        return True
    if verdict == "unknown":
        details.setdefault("linear_regions_undecided", {})[name] = info.get("reason", "")
        return False
    at = check_irreducible_at(ctx, info["point"], "D")
    if at.verdict == "refuted" or at.details.get("degenerate"):
        witness = dict(at.witness) if at.witness else {"point": dict(info["point"]), "factor": name, "degenerate": "rank"}
        return CheckResult("irreducible:D", "refuted", "global", "linear-regions", witness=witness, details={**details, "regions": info.get("regions")})
    details.setdefault("linear_regions_undecided", {})[name] = f"the region's point was not re-verified on the pointwise path ({at.verdict}, {at.method})"
    return False


def summary(result: CheckResult) -> str:
    """The split of a reducible factor in words."""
    w = result.witness
    if not w:
        return ""
    at = f" at {point_text(w.get('point'))}"
    if "degenerate" in w:
        return f"factor {w['factor']} is rank-deficient{at}"
    if "subspaces" in w:
        parts = " + ".join("span " + vectors_text(T) for T in w["subspaces"])
        return f"factor {w['factor']} splits as {parts} (matroid components {w['components']}){at}"
    if "certificate" in w:
        parts = w.get("components", w.get("separators"))
        return f"factor {w['factor']} splits: the rows of J fall into matroid components {parts} (certified minors){at}"
    parts = " + ".join("span " + vectors_text(T) for T in w["split"])
    extra = f", refined rho = {tuple(w['refined_rho'])}" if "refined_rho" in w else ""
    return f"factor {w['factor']} splits as {parts}{extra}{at}"


#: Seeded random points added to the checked ones under ``irreducible-scope: generic``.
GENERIC_POINTS = 3


def plan_irreducible(ctx: CheckContext, points: list[dict], kind: str) -> list[Job]:
    """The jobs of ``irreducible:<kind>``: one per checked point (plus seeded random points
    under ``irreducible-scope: generic``), then the global check of D-irreducibility under
    ``irreducible-scope: everywhere``."""
    generic = ctx.readings.irreducible_scope == "generic"
    where = list(points) + (ctx.random_points(GENERIC_POINTS) if generic else [])
    jobs = [Job("point", p, partial(check_irreducible_at, ctx, p, kind)) for p in where]
    if kind == "D" and not generic:
        jobs.append(Job("global", None, partial(check_irreducible_d_global, ctx)))
    return jobs


def check_irreducible_global(ctx: CheckContext, kind: str = "D") -> CheckResult:
    """``kind``-irreducibility of every factor on the whole domain: the z3 check for D
    (:func:`check_irreducible_d_global`); for S, M and H2 proved when every factor is 1-D
    (a line cannot split into two nonzero parts), else ``unknown`` (checked at points only)."""
    if kind == "D":
        return check_irreducible_d_global(ctx)
    name = f"irreducible:{kind}"
    if all(len(b) == 1 for b in ctx.generator.blocks):
        return CheckResult(name, "proved", "global", "structural", details={"note": "every factor is 1-D: a line cannot split into two nonzero parts"})
    n = _hn_order(kind) or (2 if kind == "H2" else None)
    if n is not None:
        constant = _constant_tensors(ctx, n)
        if constant is not None:
            return constant
    return CheckResult(name, "unknown", "global", "not-implemented", details={"note": f"{kind}-irreducibility on all of S is checked at points only"})


def _constant_tensors(ctx: CheckContext, n: int) -> CheckResult | None:
    """H_n-irreducibility on all of S when every n-th derivative inside a factor (of dimension
    >= 2) is a constant: the tensors, hence the answer, are the same at every point, so the
    answer at one exact point of S is the global one (method ``constant-tensors``)."""
    g = ctx.generator
    kind = f"H{n}"
    wide = [block for block in g.blocks if len(block) > 1]
    if wide and any(o.has(sp.Piecewise, sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min) for o in g.outputs):
        return None
    for block in wide:
        for t in range(g.m):
            for idx in itertools.combinations_with_replacement(block, n):
                ctx.budget.check()
                if ctx.table.derivative(t, tuple(sorted(idx))).free_symbols:
                    return None
    point = ctx.some_point()
    result = check_irreducible_at(ctx, point, kind)
    details = {**result.details, "note": f"every order-{n} derivative inside a factor is constant: the answer at {point_text(point)} holds on all of S"}
    if result.verdict == "unknown":
        return CheckResult(f"irreducible:{kind}", "unknown", "global", result.method, details=details)
    return CheckResult(f"irreducible:{kind}", result.verdict, "global", "constant-tensors", witness=result.witness, details=details)

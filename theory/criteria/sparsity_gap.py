"""Type S at a point: the sparsity gap ``rho+ < rho-`` of the exact Jacobian (docs/mathematics.md section 5).

The Jacobian at the point is evaluated exactly (every entry decided, and rational: the
matroid and z3 engines work over the rationals); :func:`theory.linalg.rho.sparsity` computes
rho+, rho-, rho* with witness bases it re-checks.  A refutation's witness is the
misaligned basis (columns, as ``p/q`` strings) whose weight ``rho-`` does not exceed
``rho+``.  The verdict has ``scope: point``.

Readings (docs/mathematics.md section 0.3): ``s-strict`` (``strict`` default, ``non-strict``) and
``rho-plus`` (``pointwise`` default: the least aligned weight; ``coordinates``: the weight
of the given coordinates, the "integrated basis").  Both rho+ numbers are always reported,
with ``non_integrable`` set when they differ.

Past the budget the verdict comes from proven bounds when they decide; the private-rows
certificate (:func:`theory.linalg.rho.sparsity_gap_certificate`) can prove ``rho- > rho+``
there on its own, and is then reported in ``details["certificate"]`` with
``details["decided_by"] = "private-rows certificate"``.

Where the Jacobian is not rational (``sin``, ``exp``, ... at a rational point) the
matroid engines do not apply; three structural arguments still decide:

* one factor: no basis is misaligned, Type S holds (as on the rational path);
* two 1-D factors (method ``two-factor-closed-form``): the closed form of section 5.7 from
  certified supports and proportionality classes; a refutation's misaligned basis has exact
  (possibly irrational) entries, its weight counted from re-derived minors (see
  :func:`two_lines_s_at`);
* a square Jacobian (``m = d``) that is invertible (method ``square-jacobian``,
  docs/mathematics.md section 5.8): Type S holds at the point iff Type D does.  The
  determinant is decided as a constant (:mod:`theory.criteria.certified_minors`: a
  certified enclosure, or the zero-test cascade), as the product of the blocks'
  determinants when D holds; D is the pointwise check
  (:func:`theory.criteria.disjointness.check_disjointness_at`).  A refutation's witness is
  the re-verified D witness (a row with certified nonzero entries in two blocks) together
  with the determinant, both re-derived on the independent path.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import sympy as sp

from theory.readings import RHO_PLUS_READINGS
from theory.result import CheckResult, point_text, vectors_text
from theory.linalg.rho import S_READINGS, SparsityResult, basis_weight, mixes, sparsity
from theory.linalg.sparsity_result import SPARSITY_METHODS
from theory.criteria.certified_minors import MAX_DET_DIM, Minor, MinorOracle, MinorUndecided, TooManyMinors, exact_value, jacobian_oracle, recheck_minors
from theory.criteria.constant_rank import exact_rank
from theory.criteria.context import CheckContext, ExactJacobian, NotRational
from theory.criteria.disjointness import check_disjointness_at
from theory.exact.rationals import expr_str

__all__ = ["check_sparsity_gap_at", "RHO_PLUS_READINGS", "S_READINGS", "point_sparsity", "square_jacobian_s", "two_lines_s_at", "two_factor_rho", "gap_holds", "parallel_classes"]



def point_sparsity(ctx: CheckContext, point: dict, engine: str = "auto") -> tuple[SparsityResult | None, str]:
    """The sparsity result at ``point``, or ``None`` and why the Jacobian is not available.

    Exact results are kept on the context (``ctx.sparsity_results``): the global check of
    Type S asks again at the points the pointwise checks already decided.  Results within
    bounds depend on the budget they had and are not kept.
    """
    g = ctx.generator
    key = (tuple(point[s] for s in g.latents), engine)
    hit = ctx.sparsity_results.get(key)
    if hit is not None:
        return hit, ""
    J, reason = ctx.rational_jacobian_at(point)
    if J is None:
        return None, reason
    result = sparsity(J, [list(b) for b in g.blocks], engine=engine, budget=ctx.budget, seed=ctx.seed)
    if result.status == "exact":
        ctx.sparsity_results[key] = result
    return result, ""


def _basis_strings(basis: list) -> list[list[str]]:
    return [[str(x) for x in v] for v in basis]


def check_sparsity_gap_at(
    ctx: CheckContext, point: dict, reading: str | None = None, rho_plus_reading: str | None = None, engine: str | None = None
) -> CheckResult:
    """Type S at ``point`` (criterion ``S``, scope ``point``).

    ``reading``, ``rho_plus_reading`` and ``engine`` default to ``ctx.readings.s``,
    ``ctx.readings.rho_plus`` and ``ctx.engine``.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory import Generator, Box
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> g = Generator("p05", [[s1], [s2]], [s1, s2, s1**3 + s2**3], Box({s1: (-1, 1), s2: (-1, 1)}))
    >>> r = check_sparsity_gap_at(CheckContext(g), {s1: sp.Rational(1, 2), s2: sp.Rational(1, 2)})
    >>> r.verdict, r.details["rho_plus"], r.details["rho_minus"]
    ('refuted', 4, 4)
    """
    reading = ctx.readings.s if reading is None else reading
    rho_plus_reading = ctx.readings.rho_plus if rho_plus_reading is None else rho_plus_reading
    engine = ctx.engine if engine is None else engine
    if reading not in S_READINGS:
        raise ValueError(f"unknown Type S reading {reading!r} (choose from {', '.join(S_READINGS)})")
    if rho_plus_reading not in RHO_PLUS_READINGS:
        raise ValueError(f"unknown rho-plus reading {rho_plus_reading!r} (choose from {', '.join(RHO_PLUS_READINGS)})")
    readings = {"s-strict": reading, "rho-plus": rho_plus_reading}
    result, reason = point_sparsity(ctx, point, engine)
    if result is None:
        g = ctx.generator
        details: dict = {"reason": reason, "readings": readings}
        if g.K == 1:
            details["note"] = "one factor: no basis is misaligned (rho- is undefined)"
            return CheckResult("S", "proved", "point", "structural", details=details, point=point)
        if g.m == g.d:
            square = square_jacobian_s(ctx, point, reading, rho_plus_reading)
            if square.verdict != "unknown":
                return square
            details["square_jacobian"] = square.details["reason"]
        if g.K == 2 and all(len(b) == 1 for b in g.blocks):
            lines = two_lines_s_at(ctx, point, reading, rho_plus_reading)
            if lines.verdict != "unknown":
                return lines
            details["two_factor_closed_form"] = lines.details["reason"]
        ranked = disjoint_and_full_rank_at(ctx, point, rho_plus_reading)
        if ranked is not None:
            details["note"] = "Type D at s and full column rank of every block at s imply Type S at s (docs/mathematics.md 10.3)"
            details.update(ranked)
            return CheckResult("S", "proved", "point", "disjoint-and-full-rank", details=details, point=point)
        return CheckResult("S", "unknown", "point", "not-rational", details=details, point=point)
    g = ctx.generator
    details = {
        "rho_plus": result.rho_plus,
        "rho_minus": result.rho_minus,
        "rho_star": result.rho_star,
        "block_rho": dict(zip(g.factor_names, result.block_rho)) if result.block_rho is not None else None,
        "coordinate_l0": result.coordinate_l0,
        "non_integrable": result.rho_plus is not None and result.coordinate_l0 != result.rho_plus,
        "tie": result.tie,
        "engine": result.engine,
        "aligned_basis": _basis_strings(result.aligned_basis) if result.aligned_basis else None,
        "readings": readings,
    }
    if result.note:
        details["note"] = result.note
    if result.status != "exact":
        details["bounds"] = result.bounds
        if result.gap_certificate is not None:
            details["certificate"] = result.gap_certificate
        verdict = result.type_s(reading) if rho_plus_reading == "pointwise" else None
        if verdict is None or (verdict is False and result.misaligned_basis is None):
            return CheckResult("S", "unknown", "point", "budget-exhausted", details=details, point=point)
    rho_plus = result.rho_plus if rho_plus_reading == "pointwise" else result.coordinate_l0
    method = SPARSITY_METHODS[result.engine]
    if result.one_block:
        return CheckResult("S", "proved", "point", method, details=details, point=point)
    if result.status == "exact":
        assert rho_plus is not None and result.rho_minus is not None
        holds = rho_plus < result.rho_minus if reading == "strict" else rho_plus <= result.rho_minus
        details["tie"] = rho_plus == result.rho_minus  # of the rho+ the reading compares
    else:
        holds = bool(result.type_s(reading))
        if holds and result.gap_lower is not None:
            details["decided_by"] = (result.gap_certificate or {}).get("kind", "private-rows certificate")
    if holds:
        return CheckResult("S", "proved", "point", method, details=details, point=point)
    basis = result.misaligned_basis
    assert basis is not None
    J, _ = ctx.rational_jacobian_at(point)
    witness = {
        "point": dict(point),
        "basis": _basis_strings(basis),
        "weight": basis_weight(J, basis),
        "mixing": [i for i, u in enumerate(basis) if mixes(u, [list(b) for b in g.blocks])],
        # with bounds only, the proven lower bound of rho+ (the witness weighs no more)
        "rho_plus": rho_plus if rho_plus is not None else result.bounds["rho_plus"][0],
    }
    return CheckResult("S", "refuted", "point", method, witness=witness, details=details, point=point)

def _block_rows(jac: ExactJacobian, block_of: list[int], d: int) -> tuple[dict[int, list[int]], list[int]]:
    """Under D: the rows that may be nonzero, by the one block they live in, and the zero rows."""
    by_block: dict[int, list[int]] = {}
    zero = []
    for t, row in enumerate(jac.entries):
        blocks = {block_of[a] for a in range(d) if row[a].status != "zero"}
        if not blocks:
            zero.append(t)
        else:
            (k,) = blocks  # D holds at the point: at most one block per row
            by_block.setdefault(k, []).append(t)
    return by_block, zero


def _determinant(ctx: CheckContext, jac: ExactJacobian, d_holds: bool) -> tuple[str, list[Minor], str]:
    """Is the square J invertible? ``invertible`` / ``singular`` / ``undecided``, the
    determinant minors that say so, and why."""
    g = ctx.generator
    oracle: MinorOracle = jacobian_oracle(ctx, jac)
    if not d_holds:
        if g.d > MAX_DET_DIM:
            return "undecided", [], f"det J is expanded up to {MAX_DET_DIM} x {MAX_DET_DIM}, J is {g.d} x {g.d}"
        minor = oracle.minor(range(g.m), range(g.d))
        return {"nonzero": "invertible", "zero": "singular"}.get(minor.status, "undecided"), [minor], f"det J is {minor.status} ({minor.decision.method})"
    by_block, zero = _block_rows(jac, g.block_of, g.d)
    if zero:
        return "singular", [], f"rows {zero} of J vanish"
    minors = []
    for k, block in enumerate(g.blocks):
        rows = by_block.get(k, [])
        if len(rows) != len(block):
            return "singular", [], f"factor {g.factor_names[k]} ({len(block)} latents) meets {len(rows)} rows only"
        if len(block) > MAX_DET_DIM:
            return "undecided", [], f"the determinant of factor {g.factor_names[k]} is {len(block)} x {len(block)}"
        minor = oracle.minor(rows, block)
        minors.append(minor)
        if minor.status != "nonzero":
            state = "singular" if minor.status == "zero" else "undecided"
            return state, minors, f"the determinant of factor {g.factor_names[k]} on rows {rows} is {minor.status} ({minor.decision.method})"
    return "invertible", minors, "det J is the product of the factors' nonzero determinants (J is block diagonal up to row order)"


def disjoint_and_full_rank_at(ctx: CheckContext, point: dict, rho_plus_reading: str = "pointwise") -> dict | None:
    """Where J is not rational: Type D at ``point`` and every block of full column rank there
    (its rank certified minor by minor, :func:`~theory.criteria.constant_rank.exact_rank`) give
    Type S at the point under both readings of ``s-strict`` (docs/mathematics.md 10.3: a vector
    that mixes two blocks is nonzero on rows of both, which no aligned vector needs).  The
    details of the proof, or ``None`` when a step is undecided or fails (then nothing follows:
    without D or full rank Type S may still hold).  Under ``rho-plus: coordinates`` with a block
    of dimension >= 2 the argument does not apply (``None``)."""
    g = ctx.generator
    if rho_plus_reading == "coordinates" and any(len(b) > 1 for b in g.blocks):
        return None
    if check_disjointness_at(ctx, point).verdict != "proved":
        return None
    jac = ctx.jacobian_at(point)
    ranks = {}
    for name, block in zip(g.factor_names, g.blocks):
        rows = [[jac.entries[t][a].value for a in block] for t in range(g.m) if any(not jac.entries[t][a].is_zero for a in block)]
        try:
            if exact_rank(ctx, rows) != len(block):
                return None
        except (NotRational, TooManyMinors):
            return None
        ranks[name] = len(block)
    return {"D": "proved", "block_ranks": ranks}


def square_jacobian_s(ctx: CheckContext, point: dict, reading: str = "strict", rho_plus_reading: str = "pointwise") -> CheckResult:
    """Type S at ``point`` for a square Jacobian, through S <=> D (docs/mathematics.md 5.8).

    With ``m = d`` and J invertible, rho* = d and the bases of weight d are the rescalings
    of ``{J^-1 e_i}``: D gives rho+ = d < rho- (Type S under both ``s-strict`` readings),
    and a failure of D gives rho- = d < rho+ <= coordinate l0 (Type S fails under every
    reading).  Under ``rho-plus: coordinates`` with D, ``coordinate l0 = d`` is needed
    to decide.  Anything undecided (D, the determinant) gives ``unknown`` with the reason.

    Examples
    --------
    >>> import sympy as sp
    >>> from theory import Generator, Box
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> g = Generator("polar", [[s1], [s2]], [s1 * sp.cos(s2), s1 * sp.sin(s2)], Box({s1: (0, 2), s2: (0, 1)}))
    >>> r = square_jacobian_s(CheckContext(g), {s1: sp.S(1), s2: sp.Rational(1, 4)})
    >>> r.verdict, r.method, r.witness["output"]
    ('refuted', 'square-jacobian', 0)
    """
    g = ctx.generator
    readings = {"s-strict": reading, "rho-plus": rho_plus_reading}

    def unknown(reason: str, **extra: object) -> CheckResult:
        return CheckResult("S", "unknown", "point", "square-jacobian", details={"reason": reason, "readings": readings, **extra}, point=point)

    if g.m != g.d:
        return unknown(f"J is {g.m} x {g.d}, not square")
    jac = ctx.jacobian_at(point)
    disjoint = check_disjointness_at(ctx, point)
    if disjoint.verdict == "unknown":
        return unknown(f"Type D at the point is undecided (outputs {disjoint.details.get('undecided_outputs')})")
    d_holds = disjoint.verdict == "proved"
    try:
        state, minors, why = _determinant(ctx, jac, d_holds)
    except TooManyMinors as exc:
        return unknown(str(exc))
    names = [str(s) for s in g.latents]
    det_json = [m.to_json(col_names=names) for m in minors]
    if state != "invertible":
        return unknown(f"J is not known to be invertible: {why}", determinant=det_json)
    statuses = [e.status for row in jac.entries for e in row]
    l0 = None if "unknown" in statuses else statuses.count("nonzero")
    d = g.d
    details: dict = {
        "rho_star": d,
        "rho_plus": d if d_holds else None,
        "rho_minus": None if d_holds else d,
        "bounds": {"rho_plus": [d, d] if d_holds else [d + 1, l0], "rho_minus": [d + 1, None] if d_holds else [d, d]},
        "block_rho": dict(zip(g.factor_names, map(len, g.blocks))) if d_holds else None,
        "coordinate_l0": l0,
        "non_integrable": d_holds and l0 is not None and l0 != d,
        "tie": False,
        "readings": readings,
        "square_jacobian": {"D": disjoint.verdict, "determinant": det_json, "why": why},
    }
    if d_holds:
        if rho_plus_reading == "coordinates" and l0 != d:
            return unknown(f"under rho-plus: coordinates, coordinate l0 = {l0} is compared with rho- > {d}, which is not computed here", **details)
        details["note"] = "J is square and invertible and D holds: rho+ = rho* = d < rho- (docs/mathematics.md 5.8)"
        return CheckResult("S", "proved", "point", "square-jacobian", details=details, point=point)
    if not recheck_minors(ctx, point, minors):
        return unknown("the determinant did not re-verify on the independent path", **details)
    details["note"] = "J is square and invertible and D fails: rho- = d < rho+ (docs/mathematics.md 5.8)"
    assert disjoint.witness is not None
    witness = dict(disjoint.witness)
    witness.update({"point": dict(point), "determinant": det_json, "rho_minus": d, "reason": "square invertible J where a row is nonzero in two factors"})
    return CheckResult("S", "refuted", "point", "square-jacobian", witness=witness, details=details, point=point)


def two_factor_rho(n1: int, n2: int, overlap: int, class_sizes: Sequence[int]) -> tuple[int, int]:
    """rho+ and rho- of two 1-D factors (docs/mathematics.md 5.7): supports of sizes ``n1``
    and ``n2`` sharing ``overlap`` rows, which fall into proportionality classes of the given
    sizes: rho+ = n1 + n2, rho- = (n1 + n2 - o - o1) + min(n1, n2, n1 + n2 - o - o2).

    >>> two_factor_rho(5, 4, 2, [1, 1]), two_factor_rho(5, 4, 2, [2])
    ((9, 10), (9, 9))
    """
    o1, o2 = (sorted(class_sizes, reverse=True) + [0, 0])[:2]
    return n1 + n2, (n1 + n2 - overlap - o1) + min(n1, n2, n1 + n2 - overlap - o2)


def gap_holds(rho_plus: int, rho_minus: int, reading: str) -> bool:
    """Type S from the two numbers: rho+ < rho- (``strict``) or rho+ <= rho- (``non-strict``)."""
    return rho_plus < rho_minus if reading == "strict" else rho_plus <= rho_minus


def parallel_classes(rows: Sequence[int], parallel: Collection[tuple[int, int]]) -> list[list[int]]:
    """``rows`` grouped into classes of parallel rows, given the parallel pairs ``(t, u)`` with
    ``t < u`` (parallelism of nonzero rows is transitive, so each row is compared with each
    class's first row).

    >>> parallel_classes([0, 2, 3, 5], {(0, 3), (2, 5)})
    [[0, 3], [2, 5]]
    """
    classes: list[list[int]] = []
    for t in rows:
        home = next((c for c in classes if (min(c[0], t), max(c[0], t)) in parallel), None)
        if home is None:
            classes.append([t])
        else:
            home.append(t)
    return classes


def two_lines_s_at(ctx: CheckContext, point: dict, reading: str = "strict", rho_plus_reading: str = "pointwise") -> CheckResult:
    """Type S at ``point`` for two 1-D factors where J is not rational: the closed form of
    docs/mathematics.md 5.7 from certified decisions (entries zero or nonzero, 2x2 minors of
    overlap rows zero or nonzero), method ``two-factor-closed-form``.

    Where the closed form says Type S fails, the refutation's witness is the misaligned
    basis that attains rho-, with exact entries: the cancelling vector
    ``(J_tb, -J_ta)`` of the largest proportionality class (rescaled to ``(1, -J_ta/J_tb)``
    when that ratio is rational), and a coordinate vector or the second class's cancelling
    vector.  Its weight is counted from the entries of ``J x``, each a 2x2 minor
    ``J_sa J_tb - J_sb J_ta`` or an entry of J, every one decided by the certified cascade
    and re-derived on the independent path (:func:`recheck_minors`); anything undecided or
    not re-derived leaves the verdict ``unknown``.

    >>> import sympy as sp
    >>> from theory import Box, Generator
    >>> s1, s2 = sp.symbols("s1 s2", real=True)
    >>> g = Generator("g", [[s1], [s2]], [sp.exp(s1), sp.exp(2 * s1), sp.sin(s2) + 2, sp.exp(s2), sp.exp(s1) * sp.cos(s2)], Box({s1: (-1, 1), s2: (-1, 1)}))
    >>> r = two_lines_s_at(CheckContext(g), {s1: sp.Rational(1, 3), s2: sp.Rational(1, 5)})
    >>> r.verdict, r.details["rho_plus"], r.details["rho_minus"]
    ('proved', 6, 7)
    """
    g = ctx.generator
    a, b = g.blocks[0][0], g.blocks[1][0]
    # both rho+ readings agree here: the aligned bases of 1-D factors are rescaled coordinates
    details: dict = {"readings": {"s-strict": reading, "rho-plus": rho_plus_reading}}

    def unknown(reason: str) -> CheckResult:
        details["reason"] = reason
        return CheckResult("S", "unknown", "point", "two-factor-closed-form", details=details, point=point)

    jac = ctx.jacobian_at(point)
    oracle = jacobian_oracle(ctx, jac)
    nonzero = set()
    for t in range(g.m):
        for c in (a, b):
            status = oracle.entry(t, c).status
            if status == "unknown":
                return unknown(f"d g_{t}/d {g.latents[c]} is undecided at the point")
            if status == "nonzero":
                nonzero.add((t, c))
    n1 = sum((t, a) in nonzero for t in range(g.m))
    n2 = sum((t, b) in nonzero for t in range(g.m))
    if n1 == 0 or n2 == 0:
        return unknown("a factor's column vanishes at the point")
    overlap = [t for t in range(g.m) if (t, a) in nonzero and (t, b) in nonzero]
    classes: list[list[int]] = []  # each row against each class's first row only: minors decided as needed
    for t in overlap:
        for cls in classes:
            status = oracle.minor((cls[0], t), (a, b)).status
            if status == "unknown":
                return unknown(f"whether outputs {cls[0]} and {t} are proportional is undecided")
            if status == "zero":
                cls.append(t)
                break
        else:
            classes.append([t])
    sizes = sorted((len(c) for c in classes), reverse=True)
    rho_plus, rho_minus = two_factor_rho(n1, n2, len(overlap), sizes)
    details.update({"n1": n1, "n2": n2, "overlap": len(overlap), "class_sizes": sizes, "rho_plus": rho_plus, "rho_minus": rho_minus})
    details.update({"rho_star": min(rho_plus, rho_minus), "tie": rho_plus == rho_minus, "coordinate_l0": rho_plus})  # every basis is aligned or not
    details["note"] = "two 1-D factors: the closed form of docs/mathematics.md 5.7 from certified supports and proportionality classes"
    if gap_holds(rho_plus, rho_minus, reading):
        return CheckResult("S", "proved", "point", "two-factor-closed-form", details=details, point=point)
    classes.sort(key=len, reverse=True)
    found = _two_lines_witness(ctx, point, oracle, (a, b), (n1, n2), classes, rho_minus)
    if isinstance(found, str):
        return unknown(f"the closed form says Type S fails here, but its misaligned basis did not re-verify: {found}")
    witness, details["basis_minors"] = found
    witness["rho_plus"] = rho_plus
    return CheckResult("S", "refuted", "point", "two-factor-closed-form", witness=witness, details=details, point=point)


def _two_lines_witness(
    ctx: CheckContext, point: dict, oracle: MinorOracle, columns: tuple[int, int], sizes: tuple[int, int], classes: list[list[int]], rho_minus: int
) -> tuple[dict, list[dict]] | str:
    """The misaligned basis of weight rho- for two 1-D factors (columns ``a, b``), with its
    weight counted from decided and re-derived minors, and those 2x2 minors; a string says why
    there is none."""
    g = ctx.generator
    a, b = columns
    n1, n2 = sizes
    pair = tuple(sorted(columns))

    def cancelling(t: int) -> list[sp.Expr]:
        ta, tb = (exact_value(oracle.entries[t][c]) for c in (a, b))
        if ta is None or tb is None:
            raise MinorUndecided(None, f"an entry of output {t + 1} has no exact value")
        ratio = ta / tb  # sympy's automatic evaluation only: exact
        vector = [sp.S.Zero] * g.d
        vector[a], vector[b] = (sp.S.One, -ratio) if ratio.is_Rational else (tb, -ta)
        return vector

    def column(c: int) -> list[sp.Expr]:
        vector = [sp.S.Zero] * g.d
        vector[c] = sp.S.One
        return vector

    o2 = len(classes[1]) if len(classes) > 1 else 0
    overlap = sum(map(len, classes))
    second = min((n1, "a"), (n2, "b"), (n1 + n2 - overlap - o2 if o2 else n1 + n2 + 1, "class"))[1]
    plan = [("class", classes[0][0]), ("class", classes[1][0]) if second == "class" else ("column", a if second == "a" else b)]
    basis, minors, weight = [], [], 0
    try:
        for kind, index in plan:
            if kind == "column":
                basis.append(column(index))
                found = [oracle.entry(s, index) for s in range(g.m)]
            else:
                basis.append(cancelling(index))
                found = [oracle.minor((s, index), pair) for s in range(g.m) if s != index]  # row s of J x, up to the factor J_tb
            if any(m.status == "unknown" for m in found):
                return "an entry of J x is undecided"
            minors.extend(found)
            weight += sum(m.status == "nonzero" for m in found)
    except (MinorUndecided, TooManyMinors) as exc:
        return str(exc)
    if weight != rho_minus:
        return f"its weight {weight} is not the closed form's rho- = {rho_minus}"
    if not recheck_minors(ctx, point, minors):
        return "a minor did not re-verify on the independent path"
    names = [str(v) for v in g.latents]
    witness = {
        "point": dict(point),
        "basis": [[expr_str(x) for x in v] for v in basis],
        "weight": weight,
        "mixing": [i for i, (kind, _) in enumerate(plan) if kind == "class"],
    }
    return witness, [m.to_json(col_names=names) for m in minors if len(m.rows) == 2]


def summary(result: CheckResult) -> str:
    """rho+ against rho- and, when refuted, the misaligned basis as sparse as the aligned one."""
    d = result.details
    if "rho_plus" not in d:
        return ""
    if d.get("bounds"):
        text = f"bounds: rho+ in {d['bounds'].get('rho_plus')}, rho- in {d['bounds'].get('rho_minus')}"
    elif d.get("rho_minus") is None:
        text = f"rho+ = {d['rho_plus']}; one factor, no misaligned basis"
    else:
        coordinates = (d.get("readings") or {}).get("rho-plus") == "coordinates" and d.get("coordinate_l0") is not None
        compared = d["coordinate_l0"] if coordinates else d["rho_plus"]  # the rho+ of the reading
        relation = "<" if compared < d["rho_minus"] else ("=" if compared == d["rho_minus"] else ">")
        name = "rho+ (coordinate l0)" if coordinates else "rho+"
        text = f"{name} = {compared} {relation} rho- = {d['rho_minus']}"
        if d.get("rho_star") is not None:
            text += f" (rho* = {d['rho_star']})"
        if coordinates and d["coordinate_l0"] != d["rho_plus"]:
            text += f"; pointwise rho+ = {d['rho_plus']}"
    if d.get("non_integrable") and not (d.get("readings") or {}).get("rho-plus") == "coordinates":
        text += f"; coordinate l0 = {d['coordinate_l0']} != rho+"
    w = result.witness
    if w and "basis" in w:
        text += f"; misaligned basis {vectors_text(w['basis'])} of weight {w['weight']}"
    elif w:
        a, b = w["latents"]
        text += f"; square invertible J, output {w['output'] + 1} has d/d{a} = {w['values'][0]} and d/d{b} = {w['values'][1]} at {point_text(w.get('point'))} (D fails)"
    return text

"""S-irreducibility on the whole domain (criterion ``irreducible:S``, scope ``global``).

Under Type D everywhere with full column rank everywhere (the route of
:mod:`theory.criteria.sparsity_global`), S-irreducibility of a factor is a property of its own
rows: a split of factor k into two parts keeps Type S for the refined partition iff it keeps
Type S for the block ``J_k`` (its rows, its columns) alone, because any basis that mixes the
original factors is heavier than an aligned one (docs/mathematics.md 5.10).  For a 2-D factor
a split is a basis ``{v1, v2}`` of ``E_k``, and the columns ``J_k v1``, ``J_k v2`` are two 1-D
factors, decided by the closed form of section 5.7.  The rows of ``J_k`` fall into direction
classes (parallel rows); ``J_k v`` vanishes exactly on the class orthogonal to ``v`` (if any),
and on the overlap two rows are proportional iff they are parallel.  So with class sizes
``c_1 >= c_2 >= ...`` and ``N`` nonzero rows, the split orthogonal to classes A and B (or to
none, size 0) has ``n1 = N - |A|``, ``n2 = N - |B|``, ``o = N - |A| - |B|`` and its overlap
classes are the remaining ones; the factor is S-reducible iff some choice satisfies Type S.
The classes can change on S only where a row or a 2x2 minor of two rows vanishes: the strata
of those zero patterns (:func:`theory.criteria.strata.zero_strata`) are enumerated, and the
factor is S-irreducible on all of S iff no stratum's classes admit a split.  A refutation is
the pointwise refutation (with its exact split) at an exact point of a splitting stratum.
Factors of dimension >= 3 are decided on the linear regions of a piecewise-linear g (method
``linear-regions``, :func:`_by_linear_regions`); otherwise they give ``unknown``.

Examples
--------
>>> import sympy as sp
>>> from theory import Generator, Box
>>> from theory.criteria.context import CheckContext
>>> s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
>>> box = Box({s: (-1, 1) for s in (s1, s2, s3)})
>>> g = Generator("three-directions", [[s1, s2], [s3]], [s1, s2, s1 + s2, s3], box)
>>> check_s_irreducible_global(CheckContext(g)).verdict
'proved'
>>> g = Generator("two-directions", [[s1, s2], [s3]], [s1, s1, s2, s3], box)
>>> check_s_irreducible_global(CheckContext(g)).verdict
'refuted'
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from theory.criteria.context import CheckContext
from theory.criteria.disjointness import check_disjointness
from theory.criteria.irreducibility import SplitUndecided, check_irreducible_at, general_position_3d, s_split
from theory.criteria.piecewise_linear import pl_factor_regions, pl_network, region_point
from theory.criteria.sparsity_gap import gap_holds, parallel_classes, two_factor_rho
from theory.criteria.sparsity_global import RANDOM_POINTS, full_column_rank_everywhere
from theory.criteria.strata import StrataUndecided, zero_strata
from theory.result import CheckResult

__all__ = ["check_s_irreducible_global", "split_keeps_s"]


def split_keeps_s(class_sizes: list[int], strict: bool = True) -> bool:
    """Whether some basis of a 2-D factor whose nonzero rows fall into direction classes of
    the given sizes splits it into two 1-D factors that satisfy Type S (module docstring).

    >>> split_keeps_s([1, 1, 1]), split_keeps_s([2, 1]), split_keeps_s([2, 2, 2]), split_keeps_s([3, 2, 1])
    (False, True, False, True)
    >>> split_keeps_s([2, 2, 2], strict=False)
    True
    """
    n = sum(class_sizes)
    options = list(range(len(class_sizes))) + [None, None]  # None: orthogonal to no class
    for i, j in combinations(range(len(options)), 2):
        a, b = options[i], options[j]
        size_a = class_sizes[a] if a is not None else 0
        size_b = class_sizes[b] if b is not None else 0
        rest = [c for k, c in enumerate(class_sizes) if k not in (a, b)]
        n1, n2 = n - size_a, n - size_b
        if n1 == 0 or n2 == 0:
            continue
        if gap_holds(*two_factor_rho(n1, n2, n - size_a - size_b, rest), "strict" if strict else "non-strict"):
            return True
    return False


def check_s_irreducible_global(ctx: CheckContext, kind: str = "S") -> CheckResult:
    """S-irreducibility of every factor at every point of the domain (scope ``global``);
    ``kind`` is the registry's parameter of ``irreducible:S`` (always ``"S"``)."""
    if kind != "S":
        raise ValueError(f"check_s_irreducible_global decides irreducible:S, not irreducible:{kind}")
    g = ctx.generator
    name = "irreducible:S"
    details: dict[str, Any] = {"readings": {"irreducible-scope": "everywhere", "s-strict": ctx.readings.s}}
    if all(len(b) == 1 for b in g.blocks):
        details["note"] = "every factor is 1-D: a line cannot split into two nonzero parts"
        return CheckResult(name, "proved", "global", "structural", details=details)
    by_regions = any(len(b) > 2 for b in g.blocks) and pl_network(ctx) is not None
    if any(len(b) > 2 for b in g.blocks) and not by_regions:
        details["note"] = "S-irreducibility on all of S is decided for factors of dimension <= 2 only (and on the linear regions of a piecewise-linear g)"
        return CheckResult(name, "unknown", "global", "not-implemented", details=details)
    disjoint = check_disjointness(ctx)
    if disjoint.verdict != "proved":
        details["note"] = f"the route needs Type D on all of S, which is {disjoint.verdict}"
        return CheckResult(name, "unknown", "global", "not-implemented", details=details)
    patterns: dict[str, list] = {}
    for k, block in enumerate(g.blocks):
        if len(block) == 1:
            continue
        full, method = full_column_rank_everywhere(ctx, k)
        if full is not True:
            details["note"] = f"factor {g.factor_names[k]}: full column rank on all of S is not certified ({method})"
            return CheckResult(name, "unknown", "global", "not-implemented", details=details)
        if by_regions:
            continue
        try:
            patterns[g.factor_names[k]] = _class_patterns(ctx, k)
        except StrataUndecided as exc:
            details["note"] = f"factor {g.factor_names[k]}: the strata of its direction classes could not be enumerated: {exc}"
            return CheckResult(name, "unknown", "global", "not-implemented", details=details)
    strict = ctx.readings.s == "strict"
    if by_regions:
        return _by_linear_regions(ctx, details, strict)
    details["direction_classes"] = {f: sorted({tuple(sorted(len(c) for c in cs)[::-1]) for cs, _ in ps}) for f, ps in patterns.items()}
    splitting = [(f, point) for f, ps in patterns.items() for cs, point in ps if split_keeps_s([len(c) for c in cs], strict)]
    if not splitting:
        details["note"] = "on every stratum of S the direction classes of every 2-D factor admit no split that keeps Type S"
        return CheckResult(name, "proved", "global", "direction-classes", details=details)
    candidates = [p for _, p in splitting if p is not None] + [dict(p) for p in g.points] + ctx.random_points(RANDOM_POINTS)
    for point in candidates:
        at = check_irreducible_at(ctx, point, "S")
        if at.verdict == "refuted":
            return CheckResult(name, "refuted", "global", "direction-classes", witness=at.witness, details=details)
    details["note"] = f"factors {sorted({f for f, _ in splitting})} split on some stratum, but no exact split was found at a point"
    return CheckResult(name, "unknown", "global", "direction-classes", details=details)


def _by_linear_regions(ctx: CheckContext, details: dict[str, Any], strict: bool) -> CheckResult:
    """Every factor of dimension >= 2 of a piecewise-linear g on every linear region (method
    ``linear-regions``): J is a constant rational matrix on a region, so the factor is
    S-irreducible there iff no split of its block ``J_k`` alone keeps Type S (Type D and full
    column rank hold on all of S here, docs/mathematics.md 5.10, 7.3), decided by the pointwise
    split search on the exact block; identical blocks are decided once.  A region whose block
    splits refutes at its exact interior point, re-checked on the pointwise path."""
    g = ctx.generator
    name = "irreducible:S"
    per_factor: dict[str, dict[str, int]] = {}
    decided: dict[tuple, bool] = {}  # by exact block: slots sharing a network share their blocks
    for k, block in enumerate(g.blocks):
        if len(block) == 1:
            continue
        found = pl_factor_regions(ctx, k)
        if not isinstance(found, tuple):
            details["note"] = f"factor {g.factor_names[k]}: the linear regions are undecided ({found})"
            return CheckResult(name, "unknown", "global", "linear-regions", details=details)
        regions, variables, columns = found
        for region in regions:
            ctx.budget.check()
            Jk = tuple(sorted(tuple(row[c] for c in columns) for row in region.rows if any(row[c] for c in columns)))
            if Jk not in decided:
                if strict and general_position_3d(Jk):
                    decided[Jk] = False
                    continue
                try:
                    decided[Jk] = s_split([list(r) for r in Jk], [list(range(len(columns)))], 0, strict, ctx.budget, ctx.seed) is not None
                except SplitUndecided as exc:
                    details["note"] = f"factor {g.factor_names[k]}: {exc}"
                    return CheckResult(name, "unknown", "global", "linear-regions", details=details)
            if decided[Jk]:
                point = region_point(ctx, variables, region.point)
                at = check_irreducible_at(ctx, point, "S")
                if at.verdict == "refuted":
                    return CheckResult(name, "refuted", "global", "linear-regions", witness=at.witness, details=details)
                details["note"] = f"factor {g.factor_names[k]} splits on a linear region, but the pointwise check at its point gave {at.verdict} ({at.method})"
                return CheckResult(name, "unknown", "global", "linear-regions", details=details)
        per_factor[g.factor_names[k]] = {"regions": len(regions)}
    details["linear_regions"] = per_factor
    details["distinct_blocks"] = len(decided)
    details["note"] = "on every linear region no split of any factor keeps Type S; at kinks J does not exist (docs/mathematics.md 7.3)"
    return CheckResult(name, "proved", "global", "linear-regions", details=details)


def _class_patterns(ctx: CheckContext, k: int) -> list[tuple[list[list[int]], dict | None]]:
    """For each stratum of S (zero patterns of the rows of 2-D factor ``k`` and of the 2x2
    minors of pairs of rows): its direction classes and an exact point of it, if found."""
    g = ctx.generator
    a, b = g.blocks[k]
    d = ctx.table.derivative
    rows = [t for t in range(g.m) if not (ctx.partial_zero_test(t, a).status == "zero" and ctx.partial_zero_test(t, b).status == "zero")]
    pairs = [(t, u) for i, t in enumerate(rows) for u in rows[i + 1 :]]
    exprs = [d(t, (a,)) ** 2 + d(t, (b,)) ** 2 for t in rows] + [d(t, (a,)) * d(u, (b,)) - d(u, (a,)) * d(t, (b,)) for t, u in pairs]
    out = []
    for stratum in zero_strata(ctx, exprs):
        nonzero = [t for i, t in enumerate(rows) if i not in stratum.zero]
        parallel = {pairs[i] for i in range(len(pairs)) if len(rows) + i in stratum.zero}
        classes = parallel_classes(nonzero, parallel)
        out.append((classes, stratum.point))
    return out

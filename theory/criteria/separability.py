"""n-order separability at a point (criterion ``sepN``, scope ``point``).

docs/mathematics.md 6.4, reading ``sep``: with ``L = span{d^b g(s) : 1 <= |b| <= n-1}`` and
``W_k = span{d^a g(s) : |a| = n, a inside C_k}``, SEP-weak (``W_k`` meets
``L + sum_{j != k} W_j`` only in 0), non-degeneracy (``W_k != 0``) and SEP-strong (the
pure-block derivatives of orders 1..n are independent) are all computed; the reading picks
the one that decides the verdict (default ``weak+nondegenerate``).

Examples
--------
>>> import sympy as sp
>>> from theory import Generator, Box
>>> from theory.criteria.context import CheckContext
>>> s1, s2 = sp.symbols("s1 s2", real=True)
>>> g = Generator("lin", [[s1], [s2]], [s1, s2, s1 + s2], Box({s1: (-1, 1), s2: (-1, 1)}))
>>> r = check_separability_at(CheckContext(g), {s1: sp.Rational(1, 2), s2: sp.Rational(0)})
>>> r.verdict, r.witness["fails"]
('refuted', 'nondegenerate')
>>> summary(r)
'2-order separability (weak+nondegenerate) fails (nondegenerate) for factors f1, f2: dim W = {f1: 0, f2: 0}, dim L = 2 at (1/2, 0)'
"""

from __future__ import annotations

from itertools import combinations_with_replacement


from theory.criteria.constant_rank import as_rationals, exact_rank
from theory.criteria.context import CheckContext, NotRational, constant_value
from theory.linalg.rational import rank
from theory.readings import SEP_READINGS
from theory.result import CheckResult, point_text

__all__ = ["check_separability_at", "separability_figures", "summary", "SEP_READINGS"]


def _inside_one_block(ctx: CheckContext, alpha: tuple[int, ...]) -> int | None:
    blocks = {ctx.generator.block_of[a] for a in alpha}
    return next(iter(blocks)) if len(blocks) == 1 else None


def separability_figures(ctx: CheckContext, point: dict, n: int) -> dict:
    """Dimensions of ``L``, ``W_k`` and their sums at ``point``, and the three verdicts.

    The derivative vectors are exact constants; their ranks are exact elimination when every
    entry is rational, else certified minor by minor (:mod:`theory.criteria.constant_rank`;
    ``method`` says which)."""
    g = ctx.generator
    values: dict[tuple[int, ...], list] = {}

    def vec(alpha: tuple[int, ...]) -> list:
        if alpha not in values:
            values[alpha] = [constant_value(ctx, t, alpha, point) for t in range(g.m)]
        return values[alpha]

    lower_a = [b for order in range(1, n) for b in combinations_with_replacement(range(g.d), order)]
    W_a = [list(combinations_with_replacement(block, n)) for block in g.blocks]
    pure_a = [a for block in g.blocks for order in range(1, n + 1) for a in combinations_with_replacement(block, order)]
    for alpha in lower_a + [a for Wk in W_a for a in Wk] + pure_a:
        vec(alpha)
    rational = as_rationals(ctx, list(values.values()))
    if rational is not None:
        exact = dict(zip(values, rational))
        vectors, rank_of, method = exact, rank, "exact-evaluation"
    else:
        vectors, method = values, "certified-minors"

        def rank_of(vs: list) -> int:
            return exact_rank(ctx, vs, rational_first=False)  # as_rationals failed on them all above

    lower = [vectors[b] for b in lower_a]
    W = [[vectors[a] for a in Wk] for Wk in W_a]
    total = rank_of(lower + [v for Wk in W for v in Wk])
    dims = [rank_of(Wk) for Wk in W]
    weak = []
    for k in range(g.K):
        rest = rank_of(lower + [v for j, Wj in enumerate(W) if j != k for v in Wj])
        weak.append(dims[k] + rest == total)
    pure = [vectors[a] for a in pure_a]
    return {
        "method": method,
        "n": n,
        "dim_L": rank_of(lower),
        "dim_W": dict(zip(g.factor_names, dims)),
        "weak": dict(zip(g.factor_names, weak)),
        "nondegenerate": dict(zip(g.factor_names, [d > 0 for d in dims])),
        "strong": rank_of(pure) == len(pure),
        "pure_block_derivatives": len(pure),
    }


def check_separability_at(ctx: CheckContext, point: dict, n: int = 2, reading: str | None = None) -> CheckResult:
    """n-order separability at ``point`` (criterion ``sepN``, scope ``point``); ``reading``
    defaults to ``ctx.readings.sep``."""
    reading = ctx.readings.sep if reading is None else reading
    if reading not in SEP_READINGS:
        raise ValueError(f"unknown separability reading {reading!r} (choose from {', '.join(SEP_READINGS)})")
    criterion = f"sep{n}"
    try:
        fig = separability_figures(ctx, point, n)
    except NotRational as exc:
        return CheckResult(criterion, "unknown", "point", "not-rational", details={"reason": str(exc), "readings": {"sep": reading}}, point=point)
    details = {**fig, "readings": {"sep": reading}}
    weak = all(fig["weak"].values())
    nondeg = all(fig["nondegenerate"].values())
    holds = {"weak": weak, "weak+nondegenerate": weak and nondeg, "strong": fig["strong"]}[reading]
    if not weak or not nondeg:
        details["note"] = "SEP-weak holds vacuously where W_k = 0" if weak and not nondeg else ""
    method = details.pop("method")
    if holds:
        return CheckResult(criterion, "proved", "point", method, details=details, point=point)
    failing = [k for k in fig["weak"] if not fig["weak"][k]] if not weak else [k for k in fig["nondegenerate"] if not fig["nondegenerate"][k]]
    witness = {
        "point": dict(point),
        "n": n,
        "reading": reading,
        "fails": "strong" if reading == "strong" else ("weak" if not weak else "nondegenerate"),
        "factors": failing if reading != "strong" else list(fig["dim_W"]),
        "dim_W": fig["dim_W"],
        "dim_L": fig["dim_L"],
    }
    return CheckResult(criterion, "refuted", "point", method, witness=witness, details=details, point=point)


def summary(result: CheckResult) -> str:
    """The witness of a refuted ``sepN`` in words."""
    w = result.witness
    if not w:
        return ""
    dims = ", ".join(f"{k}: {v}" for k, v in w["dim_W"].items())
    return f"{w['n']}-order separability ({w['reading']}) fails ({w['fails']}) for factors {', '.join(w['factors'])}: dim W = {{{dims}}}, dim L = {w['dim_L']} at {point_text(w['point'])}"

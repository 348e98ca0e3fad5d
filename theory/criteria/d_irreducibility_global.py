"""D-irreducibility of one factor on all of S where its partials are not polynomial: certified circuits.

docs/mathematics.md section 7.3.  A factor of dimension 1 is D-irreducible at s iff its column
is not zero there: certified on all of S when no point of the domain is a common zero of its
entries (:func:`theory.criteria.strata.never_zero`: z3 for polynomials, interval subdivision
otherwise).  For a factor of dimension d >= 2 it suffices that some d + 1 of its rows have every
d x d minor nonzero on all of S: those rows form a circuit (the uniform matroid U_{d, d+1}) that
spans, so every other nonzero row lies in a circuit with them and the row matroid of the nonzero
rows is connected at every s (section 7.1).  The candidate rows are chosen by their values at the
factor's first exact point; each minor is certified nowhere zero on its own.

Examples
--------
>>> import sympy as sp
>>> from theory import Box, Generator
>>> from theory.criteria.context import CheckContext
>>> s1, s2, s3 = sp.symbols("s1 s2 s3", real=True)
>>> g = Generator("x", [[s1, s2], [s3]], [sp.exp(s1), sp.exp(s2), sp.exp(s1 + s2), sp.tanh(s3) + 2 * s3],
...               Box({s: (-1, 1) for s in (s1, s2, s3)}), points=[{s1: 0, s2: 0, s3: 0}])
>>> ctx = CheckContext(g)
>>> certified_connected(ctx, 0)[0], certified_connected(ctx, 1)[0]
(True, True)
"""

from __future__ import annotations

from itertools import combinations

import sympy as sp

from theory.criteria.context import CheckContext
from theory.criteria.sparsity_global import full_column_rank_everywhere
from theory.criteria.strata import never_zero

__all__ = ["certified_connected", "CIRCUIT_TRIES"]

#: The most candidate sets of d + 1 rows tried for one factor.
CIRCUIT_TRIES = 6


def _float_at(e: sp.Expr, point: dict) -> float:
    try:
        return float(e.xreplace(point).evalf(30))
    except (TypeError, ValueError):  # pragma: no cover - a value that does not evaluate: treat as 0
        return 0.0


def certified_connected(ctx: CheckContext, k: int) -> tuple[bool | None, str]:
    """Whether factor ``k`` is D-irreducible at every point of the domain: ``(True, method)``
    certified, ``(None, why)`` undecided (this route never refutes; see the module)."""
    g = ctx.generator
    block = g.blocks[k]
    if len(block) == 1:
        ok, how = full_column_rank_everywhere(ctx, k)
        return (True, how) if ok else (None, f"the column of factor {g.factor_names[k]} is not certified nonzero on all of S ({how})")
    rows = [t for t in range(g.m) if any(not ctx.table.is_structural_zero(t, (a,)) for a in block)]
    point = ctx.some_point()
    values = {t: [_float_at(ctx.table.derivative(t, (a,)), point) for a in block] for t in rows}
    d = len(block)

    def spread(chosen: tuple[int, ...]) -> float:
        """The smallest |minor| at the point: larger is likelier to be certified."""
        out = float("inf")
        for sub in combinations(chosen, d):
            M = sp.Matrix([values[t] for t in sub])
            out = min(out, abs(float(M.det())))
        return out

    if len(rows) <= d:
        # no circuit of d + 1 rows exists: at every point the block is rank deficient or its d rows
        # are independent coloops (a free matroid, reducible); the pointwise checks say which
        return None, f"factor {g.factor_names[k]} of dimension {d} has only {len(rows)} rows that are not identically zero: no circuit can connect it"
    scored = sorted(((spread(c), c) for c in combinations(rows, d + 1)), key=lambda sc: sc[0], reverse=True)[:CIRCUIT_TRIES] if len(rows) <= 12 else []
    if not scored:
        return None, f"factor {g.factor_names[k]}: {len(rows)} rows, too many to choose a circuit from"
    why = ""
    for smallest, chosen in scored:
        if smallest == 0.0:
            break
        certified = True
        for sub in combinations(chosen, d):
            ctx.budget.check()
            minor = sp.Matrix([[ctx.table.derivative(t, (a,)) for a in block] for t in sub]).det(method="berkowitz")
            ok, how = never_zero(ctx, [minor])
            if not ok:
                certified, why = False, how
                break
        if certified:
            return True, "certified-circuit"
    return None, f"no set of {d + 1} rows of factor {g.factor_names[k]} with every minor certified nonzero ({why or 'none tried'})"

"""Numeric criteria D, M, H_n, S and irreducible:D on float Jacobians (float evidence, never proofs).

One module per criterion, mirroring :mod:`theory.criteria`, each with the uniform entry
point ``assess(g, z, J, which, options)`` that the registry (:mod:`theory.registry`) names
in its records' ``numeric`` field: :mod:`~numeric.criteria.disjointness` (D),
:mod:`~numeric.criteria.containment` (M), :mod:`~numeric.criteria.sparsity_gap` (S),
:mod:`~numeric.criteria.cross_derivatives` (H_n), :mod:`~numeric.criteria.irreducibility`
(irreducible:D).  Around them: :mod:`~numeric.criteria.options` (:class:`NumericOptions`,
the readings and numeric settings, validated once and passed whole),
:mod:`~numeric.criteria.assessment` (per-point assessments, results, the tolerance),
:mod:`~numeric.criteria.snap` (floats made exact) and :mod:`~numeric.criteria.run`
(:func:`check_numeric` and friends).

Verdicts are ``holds-numerically`` or ``fails-numerically`` (docs/user-guide.md section 3).  Every
result says on which points (``points_sampled``), in which dtype and on which device, with
which tolerance, and how close the call was (the margin).

**The tolerance rule** (docs/user-guide.md section 5, docs/mathematics.md section 15): at each point an entry
``x`` counts as zero when ``|x| <= tau`` with

    tau = c * eps(dtype) * max|J(z)|          (Jacobian entries: D, M, S, irreducible:D)
    tau = c * eps(dtype) * max(max|J(z)|, max|order-n entries computed at z|,
                               max|generic order-n probes at z|)      (H_n)

``c`` defaults to :data:`DEFAULT_C` = 10 (docs/mathematics.md suggests 10-100: with c = 10 the hidden
trigonometric zero of P22, -1.1e-16 in float64 and -1.2e-7 in float32, falls well inside
tau = 2.8e-15 and 2.9e-6).  The scale is per point, so a result over many points reports
the smallest and largest tau.  For H_n the scale includes max|J| and a generic order-n
probe because the cross entries alone are all rounding noise when they vanish exactly.

**The margin** of a result: the largest ``|entry|`` called zero and the smallest called
nonzero (absolute, and as a ratio to that point's tau), over the entries the criterion
reads (all Jacobian entries for D, M and S; every cross entry or probe for H_n).

**Results** are :class:`NumericResult`, a :class:`theory.result.CheckResult` with extra
fields ``dtype``, ``device``, ``points_sampled``, ``tolerance``, ``margin``; its
``to_json`` is the exact layer's shape plus those keys.  ``scope`` is ``point`` for a
single point and ``global`` for a sample (the claim is about the domain, the evidence is
the sample; the verdict word says it is numeric).  Witnesses give the float point, the
indices and the float values.

**Type S** (docs/mathematics.md sections 5 and 15.2) is pointwise: at each point the
Jacobian is snapped to rationals (:func:`snap_jacobian`) and the exact rho algorithm runs
within a per-point budget (:func:`assess_S`).  The aggregate over a sample is formed as
for the other criteria; a point whose rho the budget left undecided counts neither way,
and when no point was decided the result is ``unknown`` with method ``budget-exhausted``
(docs/user-guide.md section 3), the only numeric result that is neither verdict.

Examples
--------
>>> import torch
>>> from numeric.generator import NeuralGenerator
>>> f = lambda z: torch.stack([z[..., 0], z[..., 1], z[..., 0] * z[..., 1]], dim=-1)
>>> g = NeuralGenerator(f, [[0], [1]], 2, name="bilinear", dtype=torch.float64)
>>> [(r.criterion, r.verdict) for r in check_numeric(g, "D,M,H2,H3,S", n_points=64)]
[('D', 'fails-numerically'), ('M', 'holds-numerically'), ('H2', 'fails-numerically'), ('H3', 'holds-numerically'), ('S', 'fails-numerically')]
>>> check_numeric(g, "H2", n_points=8, options=NumericOptions(hn_method="probe", seed=1))[0].method
'jvp-probe'
"""

from numeric.criteria.assessment import NUMERIC_VERDICTS, Assessment, NumericResult, tolerance
from numeric.criteria.containment import assess_M
from numeric.criteria.cross_derivatives import assess_Hn, assess_Hn_probe
from numeric.criteria.disjointness import assess_D
from numeric.criteria.irreducibility import assess_irreducible_D
from numeric.criteria.options import DEFAULT_C, DEFAULT_S_BUDGET, NumericOptions
from numeric.criteria.run import (
    assess,
    check_numeric,
    numeric_criteria,
    numeric_D,
    numeric_Hn,
    numeric_irreducible_D,
    numeric_M,
    numeric_S,
    parse_numeric_criteria,
)
from numeric.criteria.snap import S_SNAPS, Snapped, SnappedJacobian, s_max_denominator, snap_jacobian, snap_rational
from numeric.criteria.sparsity_gap import assess_S

__all__ = [
    "DEFAULT_C",
    "NUMERIC_VERDICTS",
    "NumericOptions",
    "NumericResult",
    "Assessment",
    "Snapped",
    "parse_numeric_criteria",
    "numeric_criteria",
    "tolerance",
    "assess",
    "assess_D",
    "assess_M",
    "assess_Hn",
    "assess_Hn_probe",
    "assess_irreducible_D",
    "assess_S",
    "numeric_D",
    "numeric_M",
    "numeric_Hn",
    "numeric_irreducible_D",
    "numeric_S",
    "check_numeric",
    "snap_rational",
    "snap_jacobian",
    "SnappedJacobian",
    "DEFAULT_S_BUDGET",
    "S_SNAPS",
    "s_max_denominator",
]

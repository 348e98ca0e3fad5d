"""mechind's numeric layer (torch): numeric generators, batched derivatives, numeric criteria
(D, M, S, H_n, irreducible:D) and the cross-check against the exact layer.

It may import :mod:`theory`, never the reverse (docs/user-guide.md section 1).  Floats never prove
anything: numeric verdicts are ``holds-numerically`` / ``fails-numerically``, always with
dtype, device, points, tolerance and margin.

Examples
--------
>>> import torch, cases
>>> from numeric import from_generator, check_numeric
>>> g = from_generator(cases.find_case("p08"), torch.float64)
>>> [(r.criterion, r.verdict) for r in check_numeric(g, "D,H2,H3", n_points=16)]
[('D', 'fails-numerically'), ('H2', 'fails-numerically'), ('H3', 'holds-numerically')]
"""

from .exact_to_torch import compile_condition, compile_outputs, from_generator, point_tensor, round_exact
from .criteria import (
    DEFAULT_C,
    Assessment,
    NumericOptions,
    NumericResult,
    Snapped,
    assess,
    check_numeric,
    numeric_D,
    numeric_Hn,
    numeric_irreducible_D,
    numeric_M,
    numeric_S,
    snap_jacobian,
    snap_rational,
    tolerance,
)
from .crosscheck import CaseCrosscheck, crosscheck_case
from .derivatives import (
    BlockProbes,
    CrossDerivatives,
    block_derivatives,
    block_probes,
    cross_derivatives,
    derivative_tensor,
    directional_derivative,
    jacobian,
)
from .generator import NeuralGenerator

__all__ = [
    "NeuralGenerator",
    "from_generator",
    "compile_outputs",
    "compile_condition",
    "point_tensor",
    "round_exact",
    "jacobian",
    "block_derivatives",
    "cross_derivatives",
    "derivative_tensor",
    "directional_derivative",
    "block_probes",
    "CrossDerivatives",
    "BlockProbes",
    "DEFAULT_C",
    "NumericResult",
    "Assessment",
    "NumericOptions",
    "Snapped",
    "tolerance",
    "assess",
    "check_numeric",
    "numeric_D",
    "numeric_M",
    "numeric_Hn",
    "numeric_irreducible_D",
    "numeric_S",
    "snap_rational",
    "snap_jacobian",
    "crosscheck_case",
    "CaseCrosscheck",
]

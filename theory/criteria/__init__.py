"""The criteria of mechanistic independence, each a function of a :class:`CheckContext`."""

from theory.criteria.containment import check_containment, check_containment_at
from theory.criteria.context import CheckContext, ExactJacobian
from theory.criteria.cross_derivatives import HN_READINGS, check_cross_derivatives
from theory.criteria.disjointness import check_disjointness, check_disjointness_at

__all__ = [
    "CheckContext",
    "ExactJacobian",
    "HN_READINGS",
    "check_containment",
    "check_containment_at",
    "check_cross_derivatives",
    "check_disjointness",
    "check_disjointness_at",
]

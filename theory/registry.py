"""The registry of criteria: one record per criterion, iterated by every consumer.

``check`` plans its jobs from the records, the numeric layer finds its counterpart of a
criterion here, the cross-check pairs exact and numeric verdicts through it, and the
renderer asks a record how to summarise a witness.  Adding a criterion means adding its
record here and writing its module; nothing else dispatches on criterion ids.

The records name their functions as ``"module:function"`` strings, resolved on first
use: the registry stays importable without sympy (the command line's help and option
validation use it), and the exact layer does not import the numeric one.

Examples
--------
>>> [w.id for w in parse_criteria("d, h3, irreducible:s, SEP2")]
['D', 'H3', 'irreducible:S', 'sep2']
>>> lookup("H4").params, lookup("H4").criterion.title
({'n': 4}, 'Type H_n: vanishing cross-block n-th derivatives')
>>> lookup("D").criterion.numeric
'numeric.criteria.disjointness:assess'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any, NamedTuple

from theory.errors import InputError

__all__ = [
    "Criterion",
    "Which",
    "Job",
    "CRITERIA",
    "KNOWN_CRITERIA",
    "DEFAULT_CRITERIA",
    "KNOWN_TEXT",
    "COUNTEREXAMPLE_CRITERIA",
    "parse_criteria",
    "lookup",
    "resolve",
]


@dataclass(frozen=True)
class Criterion:
    """One criterion (or one family, such as H_n) and the functions that decide it.

    Parameters
    ----------
    id
        The id users write (``D``, ``irreducible:S``); for a family, its pattern
        (``Hn``, ``sepN``) and ``order`` gives the smallest order.
    title
        One line for humans.
    section
        The section of ``docs/mathematics.md`` that defines it.
    global_check, point_check
        ``"module:function"``: ``global_check(ctx, **params)`` decides the criterion on the
        whole domain, ``point_check(ctx, point, **params)`` at one exact point; either may
        be ``None``.  Readings come from ``ctx.readings``.
    global_first
        Report the global verdict before the pointwise ones.
    plan
        ``"module:function"`` replacing the default plan (global check and one point
        check per point): ``plan(ctx, points, **params)`` returns the jobs.
    numeric
        ``"module:function"`` of the numeric counterpart (:mod:`numeric.criteria`), or
        ``None`` where the numeric layer has none.
    summary
        ``"module:function"`` giving a one-line human summary of a result's witness, or
        ``None`` for the renderer's generic text.
    params
        Fixed keyword arguments of the checks (``kind`` of an irreducibility).
    order
        For a family: the smallest order ``n``; ``None`` for a single criterion.
    """

    id: str
    title: str
    section: str
    global_check: str | None = None
    point_check: str | None = None
    global_first: bool = False
    plan: str | None = None
    numeric: str | None = None
    summary: str | None = None
    params: tuple[tuple[str, Any], ...] = ()
    order: int | None = None

    @property
    def is_family(self) -> bool:
        return self.order is not None


@dataclass(frozen=True)
class Which:
    """A criterion as asked: its record, its id (``H3``) and its parameters (``n``, ``kind``)."""

    criterion: Criterion
    id: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def n(self) -> int | None:
        """The order of a family member (``H3`` -> 3), else ``None``."""
        return self.params.get("n")


class Job(NamedTuple):
    """One unit of work of a check: its scope, its point (``None`` for ``global``) and the
    call that decides it."""

    scope: str
    point: dict | None
    run: Callable[[], Any]


_C = "theory.criteria"


def _irreducible(kind: str, section: str) -> Criterion:
    return Criterion(
        f"irreducible:{kind}",
        f"every factor {kind}-irreducible",
        section,
        global_check=f"{_C}.s_irreducibility_global:check_s_irreducible_global" if kind == "S" else f"{_C}.irreducibility:check_irreducible_global",
        point_check=f"{_C}.irreducibility:check_irreducible_at",
        plan=f"{_C}.irreducibility:plan_irreducible",
        numeric="numeric.criteria.irreducibility:assess" if kind == "D" else None,
        summary=f"{_C}.irreducibility:summary",
        params=(("kind", kind),),
    )


#: Every criterion, in report order.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "D",
        "Type D: disjoint Jacobian supports",
        "3",
        global_check=f"{_C}.disjointness:check_disjointness",
        point_check=f"{_C}.disjointness:check_disjointness_at",
        global_first=True,
        numeric="numeric.criteria.disjointness:assess",
        summary=f"{_C}.disjointness:summary",
    ),
    Criterion(
        "M",
        "Type M: no factor's support contains another's",
        "4",
        global_check=f"{_C}.containment:check_containment_global",
        point_check=f"{_C}.containment:check_containment_point",
        numeric="numeric.criteria.containment:assess",
        summary=f"{_C}.containment:summary",
    ),
    Criterion(
        "S",
        "Type S: sparsity gap rho+ < rho-",
        "5",
        global_check=f"{_C}.sparsity_global:check_sparsity_gap_global",
        point_check=f"{_C}.sparsity_gap:check_sparsity_gap_at",
        numeric="numeric.criteria.sparsity_gap:assess",
        summary=f"{_C}.sparsity_gap:summary",
    ),
    Criterion(
        "Hn",
        "Type H_n: vanishing cross-block n-th derivatives",
        "6",
        global_check=f"{_C}.cross_derivatives:check_cross_derivatives",
        numeric="numeric.criteria.cross_derivatives:assess",
        summary=f"{_C}.cross_derivatives:summary",
        order=2,
    ),
    _irreducible("D", "7.1"),
    _irreducible("S", "7.5"),
    _irreducible("M", "7.5"),
    _irreducible("H2", "7.6"),
    Criterion(
        "graph",
        "the graph G_D and the finest decomposition",
        "8",
        point_check=f"{_C}.graph:check_graph_at",
        summary=f"{_C}.graph:summary",
    ),
    Criterion(
        "spanning",
        "Theorem 3's spanning condition",
        "4.3",
        global_check=f"{_C}.spanning:check_spanning",
        summary=f"{_C}.spanning:summary",
    ),
    Criterion(
        "sepN",
        "n-th order separability",
        "6.4",
        point_check=f"{_C}.separability:check_separability_at",
        summary=f"{_C}.separability:summary",
        order=2,
    ),
    Criterion("T1", "the domain is simply connected", "9.1", global_check="theory.theorems.topology:check_domain_simply_connected"),
    Criterion("T2", "every slice of the domain is path-connected", "9.1", global_check="theory.theorems.topology:check_domain_slices"),
    Criterion(
        "locally-injective",
        "g continuous and locally injective",
        "9.1",
        global_check=f"{_C}.injectivity:check_locally_injective",
    ),
)

_FAMILY = re.compile(r"^([A-Za-z]+)([0-9]+)$")
_IRREDUCIBLE_HN = re.compile(r"^irreducible:H([0-9]+)$")


def _expand(c: Criterion) -> tuple[str, ...]:
    """The ids of a record in the default list (a family contributes its first two orders
    for H and its first for sep, as before)."""
    if c.id == "Hn":
        return ("H2", "H3")
    if c.id == "sepN":
        return ("sep2",)
    return (c.id,)


#: Every criterion id the tool runs by default, in report order (H2, H3 and sep2 for the families).
KNOWN_CRITERIA: tuple[str, ...] = tuple(i for c in CRITERIA for i in _expand(c))
DEFAULT_CRITERIA = KNOWN_CRITERIA
KNOWN_TEXT = (
    "D, M, S, H2, H3, ... Hn, irreducible:D, irreducible:S, irreducible:M, irreducible:H2, irreducible:H3, ... irreducible:Hn, graph, spanning, "
    "sep2, sep3, ... sepN, T1, T2, locally-injective"
)


#: The failing criteria whose spurious competitor ``mechind counterexample`` builds.
COUNTEREXAMPLE_CRITERIA = ("S", "M", "irreducible:D", "irreducible:S")


def _normalise(c: str) -> str:
    prefix, sep, kind = c.partition(":")
    if sep:
        return f"{prefix.lower()}:{kind.upper()}"
    low = c.lower()
    by_lower = {r.id.lower(): r.id for r in CRITERIA if not r.is_family}
    if low in by_lower:
        return by_lower[low]
    m = _FAMILY.match(c)
    if m and m.group(1).lower() == "sep":
        return low
    return c.upper()


def lookup(spec: str) -> Which:
    """The record of a criterion id (case-insensitive as in :func:`parse_criteria`).

    Raises
    ------
    InputError
        For an unknown id, or a family member below the family's order.
    """
    key = _normalise(spec.strip())
    for c in CRITERIA:
        if not c.is_family and c.id == key:
            return Which(c, key, dict(c.params))
    irreducible = _IRREDUCIBLE_HN.match(key)
    if irreducible:  # irreducible:H3, H4, ...: the H2 record, with its order as the kind
        n = int(irreducible.group(1))
        if n < 2:
            raise InputError(f"H_n-irreducibility needs n >= 2, got {spec!r}")
        h2 = next(c for c in CRITERIA if c.id == "irreducible:H2")
        return Which(h2, key, {**dict(h2.params), "kind": f"H{n}"})
    m = _FAMILY.match(key)
    if m:
        for c in CRITERIA:
            if c.is_family and c.id[:-1] == m.group(1):
                n = int(m.group(2))
                if n < c.order:
                    what = "H_n" if c.id == "Hn" else "separability"
                    raise InputError(f"{what} needs n >= {c.order}, got {spec!r}")
                return Which(c, key, {**dict(c.params), "n": n})
    raise InputError(f"unknown criterion {spec!r} (known: {KNOWN_TEXT})")


def parse_criteria(spec: str | Iterable[str | Which] | None) -> tuple[Which, ...]:
    """Criteria from ``"D,M,H2"`` or a list, without repeats; ``None`` gives the default list.

    ``D``, ``M``, ``S`` and ``Hn`` are case-insensitive; so is the kind of
    ``irreducible:D|S|M|H2``.

    Raises
    ------
    InputError
        For an unknown criterion, H_n with n < 2, or an empty list.
    """
    if spec is None:
        return tuple(lookup(i) for i in DEFAULT_CRITERIA)
    items = [c if isinstance(c, Which) else c.strip() for c in (spec.split(",") if isinstance(spec, str) else spec)]
    items = [c for c in items if c]
    if not items:
        raise InputError(f"no criterion given (known: {KNOWN_TEXT})")
    out: list[Which] = []
    for c in items:
        which = c if isinstance(c, Which) else lookup(c)
        if which.id not in [w.id for w in out]:
            out.append(which)
    return tuple(out)


@cache
def resolve(ref: str) -> Callable[..., Any]:
    """The function named by ``"module:function"`` (imported on first use).

    >>> resolve("theory.readings:Readings").__name__
    'Readings'
    """
    module, _, name = ref.partition(":")
    return getattr(import_module(module), name)

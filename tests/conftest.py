"""Shared fixtures: the bundled cases and their check results (computed once per session)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def bundled():
    import cases

    return {g.name: g for g in cases.load_bundled()}


@pytest.fixture(scope="session")
def bundled_results(bundled):
    """Every bundled case checked for D, M, H2, H3, H4 (default reading), keyed by name."""
    from theory.check import check

    return {name: check(g, ["D", "M", "H2", "H3", "H4"], seed=0, budget=60) for name, g in bundled.items()}

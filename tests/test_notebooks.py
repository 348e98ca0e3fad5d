"""The notebooks: each stored ``.ipynb`` is executed and matches its ``.py``; the ``.py`` runs.

Every ``notebooks/NN_*.py`` is a jupytext (py:percent) notebook; its code cells carry asserts,
so executing it is a test of what it shows.  The ``.ipynb`` beside it is generated and executed
by ``.venv/bin/python notebooks/build.py`` and stored with its outputs and figures.

* (fast) every stored ``.ipynb`` has exactly the cells of its ``.py`` (so the two are kept in
  sync), was executed top to bottom, holds outputs and no error output;
* (default run) notebooks 01-02 run from their ``.py`` now, with the library as it is;
* (slow) notebooks 03-04 (17 s together, kept out of the default suite's 10 minutes) and 05 (the
  tiny sweep: it trains models, over a minute) run too.

Execution goes through ``notebooks/build.py``: the kernel is ``python3`` for the interpreter
running the tests, with the repository on ``PYTHONPATH``, in a temporary directory (its cwd
and its TMPDIR) that is removed afterwards.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_build():
    spec = importlib.util.spec_from_file_location("mechind_notebooks_build", ROOT / "notebooks" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()
SOURCES = build.sources()
# the default run executes every notebook but 05, which trains models for over a minute
DEFAULT_RUN = {p.stem for p in SOURCES if p.stem[:2] in ("01", "02")}


def test_there_are_notebooks():
    assert SOURCES, f"no jupytext notebooks (*.py) in {build.NOTEBOOKS}"
    assert all(p.stem[:2].isdigit() for p in SOURCES), SOURCES


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_stored_ipynb_is_executed_and_in_sync(source: Path):
    assert not build.problems(source)


@pytest.mark.parametrize(
    "source",
    [pytest.param(p, id=p.stem, marks=() if p.stem in DEFAULT_RUN else pytest.mark.slow) for p in SOURCES],
)
def test_notebook_runs(source: Path):
    nb = build.execute(source, figures=False)  # raises CellExecutionError on the first failing cell
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors

"""The notebooks run top to bottom without error, and each paired ``.ipynb`` matches its ``.py``.

Every ``notebooks/*.py`` is a jupytext (py:percent) notebook; its code cells carry asserts, so
executing it is a test of what it shows.  The ``.ipynb`` beside it is generated from the ``.py``
(``jupytext --sync notebooks/NAME.py``) and stored without outputs; (b) keeps the two from
drifting apart.

The kernel is ``python3``, which ipykernel provides for the interpreter running the tests (the
kernelspec's ``python`` is replaced by ``sys.executable``), so the notebook imports the same
installed project.  The repository root is also put on the kernel's ``PYTHONPATH`` so a
checkout that is not pip-installed works too.
"""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("*.py"))
KERNEL = "python3"


def test_there_are_notebooks():
    assert SOURCES, f"no jupytext notebooks (*.py) in {NOTEBOOKS}"


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("MPLBACKEND", "Agg")
    return env


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_runs(source: Path):
    nb = jupytext.read(source)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute(env=_kernel_env())  # raises CellExecutionError on the first failing cell
    errors = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_paired_ipynb_matches(source: Path):
    paired = source.with_suffix(".ipynb")
    hint = f"regenerate it with: jupytext --sync {source.relative_to(ROOT)}"
    assert paired.exists(), f"{paired.name} is missing; {hint}"
    text = jupytext.read(source)
    stored = nbformat.read(paired, as_version=4)
    assert [(c.cell_type, c.source) for c in stored.cells] == [(c.cell_type, c.source) for c in text.cells], (
        f"{paired.name} differs from {source.name}; {hint}"
    )
    with_outputs = [i for i, c in enumerate(stored.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not with_outputs, f"{paired.name} stores outputs in cells {with_outputs}; clear them ({hint})"

"""Packaging contracts: the two README commands, .ci/run, and layering (theory never imports torch)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", section, re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_readme_quick_start_has_exactly_two_commands():
    commands = _quick_start_commands()
    assert len(commands) == 2, commands
    main_job, tests = commands
    assert "torch==2.13.0" in main_job and "mechind check --all" in main_job
    assert "torch==2.13.0" in tests and "pytest" in tests and ".[test]" in tests


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _quick_start_commands()[1] in ci.splitlines()
    assert "pip install --quiet torch==2.13.0" in ci  # the CPU build before the project


def test_theory_and_cases_never_import_torch():
    code = "import sys, theory, theory.checker, cases, mechind.cli; cases.load_bundled(); assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_theory_does_not_import_numeric_or_front_door():
    for path in (ROOT / "theory").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(from|import)\s+(numeric|mechind|torch)\b", text, re.M), path
    for path in (ROOT / "cases").glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+(numeric|mechind|torch)\b", path.read_text(), re.M), path

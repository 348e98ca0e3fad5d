"""Python 3.10 support: ``requires-python = ">=3.10"``, and ``tomllib`` is new in 3.11.

The TOML readers (case files, sweep configurations) fall back to the ``tomli`` package
(a dependency on Python < 3.11).  The fallback is exercised here on any Python by running
the imports in a subprocess where ``tomllib`` cannot be imported.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent

# what Python 3.10 sees: `import tomllib` raises ModuleNotFoundError
BLOCK_TOMLLIB = "import sys; sys.modules['tomllib'] = None\n"


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCK_TOMLLIB + code], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_tomllib_is_blocked_in_the_subprocess():
    result = _run("import tomllib")
    assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr


def test_case_files_read_toml_with_tomli_without_tomllib():
    import tomli  # noqa: F401  (a test dependency: the fallback must be exercised on every Python)
    code = (
        "import theory.io.casefile as cf\n"
        "assert cf.tomllib.__name__ == 'tomli', cf.tomllib\n"
        "gs = cf.load_case_file('cases/toml/p08_bilinear.toml')\n"
        "assert gs and all(g.m >= 1 for g in gs)\n"
        "try:\n"
        "    cf.load_toml_text('x = = 1', 'bad.toml')\n"
        "except cf.CaseFileError as exc:\n"
        "    print('rejected:', exc)\n"
        "else:\n"
        "    raise AssertionError('malformed TOML accepted')\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert "rejected:" in result.stdout


def test_sweep_configs_read_toml_with_tomli_without_tomllib():
    import tomli  # noqa: F401  (a test dependency: the fallback must be exercised on every Python)
    code = "import numeric.experiment.config as c\nassert c.tomllib.__name__ == 'tomli', c.tomllib\nprint(c.load_config('tiny').name)\n"
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "tiny"


def test_tomli_is_a_dependency_below_python_3_11():
    text = (ROOT / "pyproject.toml").read_text()
    assert "tomli>=2.0; python_version < '3.11'" in text

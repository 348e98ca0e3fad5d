"""Shared fixtures: the bundled cases and their check results (computed once per session),
and a guard against temporary files left behind.

Temporary files: for the session, the temporary directory (``tempfile.gettempdir()`` and
``TMPDIR``, which subprocesses and notebook kernels inherit) is a fresh, private folder
``mechind-tests-*``.  After each test, anything new in it is recorded with the test's id; at
the end of the session the guard fails (an error at the teardown of the last test) if the
folder is not empty, naming what was left and by which test, and the folder is removed
either way, so nothing accumulates in the system's temporary directory.  Being private to
the session, the check is not fooled by other processes using ``/tmp``.  pytest's own
``tmp_path`` folders (``--basetemp``, unless given) and torch's compile cache
(``TORCHINDUCTOR_CACHE_DIR``, unless set) live in that folder too, outside the guard's count,
and go with it: a default run leaves nothing in the system's temporary directory.  Set
``MECHIND_KEEP_TEST_TMP=1`` to keep the folder for inspection (failed tests' ``tmp_path``
folders included).
"""

from __future__ import annotations

import linecache
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from linecache_pause import checkcache_without_collection

# Property tests draw their examples from a fixed seed: the suite gives the same result on every
# run and machine (a random example once built a Piecewise sympy could not collapse in minutes).
settings.register_profile("mechind", derandomize=True, database=None)
settings.load_profile("mechind")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_SAVED_ENV: dict[str, str | None] = {}
_SAVED_TEMPDIR: str | None = None
SESSION_TMP: Path | None = None
#: entry of SESSION_TMP -> the test after which it was first seen
_LEFT_BY: dict[str, str] = {}


#: Entries of the session folder that belong to the tooling, not to a test: pytest's tmp_path
#: base and torch's compile cache (both removed with the folder at the end).
_TOOLING = {"pytest", "torchinductor"}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    global SESSION_TMP, _SAVED_TEMPDIR
    real = tempfile.gettempdir()
    SESSION_TMP = Path(tempfile.mkdtemp(prefix="mechind-tests-", dir=real))
    _SAVED_TEMPDIR = tempfile.tempdir
    if config.option.basetemp is None:  # tmp_path folders live and die with the session folder
        config.option.basetemp = str(SESSION_TMP / "pytest")
    redirect = {
        "TMPDIR": str(SESSION_TMP),
        "TORCHINDUCTOR_CACHE_DIR": os.environ.get("TORCHINDUCTOR_CACHE_DIR", str(SESSION_TMP / "torchinductor")),
    }
    for name, value in redirect.items():
        _SAVED_ENV[name] = os.environ.get(name)
        os.environ[name] = value
    tempfile.tempdir = str(SESSION_TMP)
    linecache.checkcache = checkcache_without_collection(_SAVED_CHECKCACHE)


#: The standard library's ``linecache.checkcache``, restored at the end of the session.
_SAVED_CHECKCACHE = linecache.checkcache


def pytest_unconfigure(config: pytest.Config) -> None:
    global SESSION_TMP
    linecache.checkcache = _SAVED_CHECKCACHE
    if SESSION_TMP is None:
        return
    for name, value in _SAVED_ENV.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    tempfile.tempdir = _SAVED_TEMPDIR
    if os.environ.get("MECHIND_KEEP_TEST_TMP"):
        print(f"\nkept the session's temporary directory {SESSION_TMP}", file=sys.stderr)
    else:
        shutil.rmtree(SESSION_TMP, ignore_errors=True)
    SESSION_TMP = None


def _entries() -> set[str]:
    return set(os.listdir(SESSION_TMP)) - _TOOLING if SESSION_TMP is not None and SESSION_TMP.is_dir() else set()


@pytest.fixture(autouse=True)
def _record_temp_files_left(request: pytest.FixtureRequest):
    """Remember which test first left an entry in the session's temporary directory."""
    yield
    for name in _entries() - set(_LEFT_BY):
        _LEFT_BY[name] = request.node.nodeid


@pytest.fixture(scope="session", autouse=True)
def no_temp_files_left_behind():
    """Fail the session if the tests left anything in the temporary directory."""
    yield
    left = sorted(_entries())
    if left:
        lines = [f"  {name}  (first seen after {_LEFT_BY.get(name, 'a doctest, or collection')})" for name in left]
        pytest.fail(
            f"the tests left {len(left)} entries in the temporary directory {SESSION_TMP} "
            "(use pytest's tmp_path, or tempfile.TemporaryDirectory as a context manager):\n" + "\n".join(lines),
            pytrace=False,
        )


@pytest.fixture(scope="session", autouse=True)
def bundled_cases_read_once():
    """Read the bundled case files once per session, not once per CLI call that names a case.

    ``mechind check p08`` resolves the name through :func:`cases.load_bundled`, which reads
    every case file (about 0.5 s); for the session, ``cases.load_bundled`` returns a fresh
    list of the generators read by the real loader, read again whenever a case file is added,
    removed or changed (its name, size and modification time are the key).  Forked children
    (``tests/test_hostile.py``) inherit what the parent has read.
    """
    import cases

    read = cases.load_bundled
    memo: dict[tuple, list] = {}

    def load_bundled() -> list:
        key = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in cases.case_files())
        if key not in memo:
            memo.clear()
            memo[key] = read()
        return list(memo[key])

    patch = pytest.MonkeyPatch()
    patch.setattr(cases, "load_bundled", load_bundled)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def bundled():
    import cases

    return {g.name: g for g in cases.load_bundled()}


@pytest.fixture(scope="session")
def bundled_results(bundled):
    """Every bundled case checked for D, M, H2, H3, H4 (default reading), keyed by name (in this
    process: the verdicts are the same as in killable workers, tests/test_killable_worker.py, and
    the checks of one case share their derivative caches)."""
    from theory.checker import check

    return {name: check(g, ["D", "M", "H2", "H3", "H4"], seed=0, budget=60, isolate=False) for name, g in bundled.items()}

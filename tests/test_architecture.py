"""Architecture contracts (issue 16), read from the source with :mod:`ast`.

* The import graph of ``theory``, ``numeric``, ``mechind`` and ``cases`` has no cycle.  Every
  import counts: at module level, inside a function, under ``if TYPE_CHECKING:``.  An import of
  ``a.b.c`` is an edge to the module ``a.b.c`` only (a package is its ``__init__``; the parent
  packages that Python also runs are not edges), and ``from a.b import c`` is an edge to
  ``a.b.c`` when that is a module, else to ``a.b``.  Strings handed to
  :func:`importlib.import_module` (the lazy names of ``theory/__init__.py``) are not imports.
* No module of ``theory``, ``numeric`` or ``mechind`` is over :data:`MAX_LINES` lines.
* An import inside a function says why, in a comment on its line or the line above (for a run
  of imports, above the run or on one of its lines), and the only reasons are to defer a
  heavy dependency (:data:`HEAVY`) or, in the command line (``mechind``), to load lazily so
  that ``--help`` stays fast.

That ``theory`` never imports torch (nor ``numeric`` or ``mechind``) is
``tests/test_packaging.py``'s contract, not repeated here.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The packages whose modules form the graph.
PACKAGES = ("theory", "numeric", "mechind", "cases")
#: The packages whose modules must stay under MAX_LINES lines.
SIZED = ("theory", "numeric", "mechind")
MAX_LINES = 800
#: Heavy dependencies an import inside a function may defer, in any package.
HEAVY = frozenset({"torch", "matplotlib", "rich"})
#: The package whose modules may also defer imports to keep ``--help`` fast.
FRONT_DOOR = "mechind"
#: A comment that gives one of the allowed reasons.
REASON = re.compile(r"lazy|lazily|defer|heavy|optional|--help|fast help|start-?up|import time", re.I)


@dataclass(frozen=True)
class Import:
    """One import statement of a repository module, resolved."""

    module: str
    path: Path
    line: int
    targets: tuple[str, ...]  # the repository modules it is an edge to
    top: tuple[str, ...]  # the top-level names it imports (``torch``, ``theory``, ...)
    in_function: bool
    text: str
    said: str = ""  # for an import inside a function: the comments that explain it


def module_name(path: Path, root: Path = ROOT) -> str:
    """``theory/linalg/rho.py`` -> ``theory.linalg.rho``; ``theory/__init__.py`` -> ``theory``.

    >>> module_name(ROOT / "theory" / "linalg" / "__init__.py")
    'theory.linalg'
    """
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def repository_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of :data:`PACKAGES`, by dotted name."""
    out = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                out[module_name(path, root)] = path
    return out


def nearest_module(name: str, modules: dict[str, Path] | set[str]) -> str | None:
    """``name`` or its longest prefix that is a repository module (``None``: not ours).

    >>> nearest_module("theory.linalg.rho", {"theory", "theory.linalg.rho"})
    'theory.linalg.rho'
    >>> nearest_module("numpy.linalg", {"theory"}) is None
    True
    """
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def resolve_from(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of ``from <level dots><target> import ...`` inside ``module``.

    >>> resolve_from("theory.linalg.rho", False, 1, "rational")
    'theory.linalg.rational'
    >>> resolve_from("mechind", True, 1, None)
    'mechind'
    >>> resolve_from("numeric.experiment.sweep", False, 2, "criteria")
    'numeric.criteria'
    """
    if level == 0:
        return target or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    parts = parts[: len(parts) - (level - 1)]
    base = ".".join(parts)
    return f"{base}.{target}" if target else base


def import_targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: dict[str, Path] | set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The repository modules ``node`` is an edge to, and the top-level names it imports.

    >>> mods = {"theory", "theory.linalg", "theory.linalg.rho", "theory.linalg.rational"}
    >>> node = ast.parse("from theory.linalg import rho, ENGINES").body[0]
    >>> import_targets(node, "mechind.cli", False, mods)
    (('theory.linalg', 'theory.linalg.rho'), ('theory',))
    >>> import_targets(ast.parse("import numpy as np, theory.linalg.rational").body[0], "x", False, mods)
    (('theory.linalg.rational',), ('numpy', 'theory'))
    """
    targets: set[str] = set()
    top: set[str] = set()
    if isinstance(node, ast.Import):
        for alias in node.names:
            top.add(alias.name.split(".")[0])
            found = nearest_module(alias.name, modules)
            if found:
                targets.add(found)
    else:
        base = resolve_from(module, is_package, node.level, node.module)
        top.add(base.split(".")[0])
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            found = sub if alias.name != "*" and sub in modules else nearest_module(base, modules)
            if found:
                targets.add(found)
    targets.discard(module)  # ``from . import name`` in a package naming its own attribute
    return tuple(sorted(targets)), tuple(sorted(top))


def _comments(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string
    return out


ImportNode = ast.Import | ast.ImportFrom


def _runs(body: list[ast.stmt]) -> Iterator[list[ImportNode]]:
    """The maximal runs of consecutive import statements of one block."""
    run: list[ImportNode] = []
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            run.append(stmt)
            continue
        if run:
            yield run
        run = []
    if run:
        yield run


def _walk(node: ast.AST, in_function: bool = False) -> Iterator[tuple[ImportNode, bool, list[ImportNode]]]:
    """Every import under ``node``, whether it is inside a function, and its run of imports."""
    for field in ("body", "orelse", "finalbody", "handlers", "cases"):
        block = getattr(node, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            for run in _runs(block):
                for stmt in run:
                    yield stmt, in_function, run
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, (ast.Import, ast.ImportFrom)):
            yield from _walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))


def _said(run: list[ImportNode], lines: list[str], comments: dict[int, str]) -> str:
    """The comments that explain a run of imports: on its lines, and the comment lines just above it."""
    said = [comments[n] for stmt in run for n in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1) if n in comments]
    n = run[0].lineno - 1
    while n >= 1 and lines[n - 1].strip().startswith("#"):
        said.insert(0, comments.get(n, lines[n - 1].strip()))
        n -= 1
    return " ".join(said)


def module_imports(name: str, path: Path, modules: dict[str, Path] | set[str]) -> list[Import]:
    """Every import statement of one module (module level, in functions, under TYPE_CHECKING)."""
    source = path.read_text()
    lines = source.splitlines()
    comments = _comments(source)
    out = []
    for node, in_function, run in _walk(ast.parse(source, str(path))):
        targets, top = import_targets(node, name, path.name == "__init__.py", modules)
        said = _said(run, lines, comments) if in_function else ""
        out.append(Import(name, path, node.lineno, targets, top, in_function, lines[node.lineno - 1].strip(), said))
    return out


def import_graph(modules: dict[str, Path]) -> tuple[nx.DiGraph, list[Import]]:
    """The graph of repository modules (edges carry ``where``: the importing lines), and every import."""
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    imports = []
    for name, path in modules.items():
        for imp in module_imports(name, path, modules):
            imports.append(imp)
            for target in imp.targets:
                if not graph.has_edge(name, target):
                    graph.add_edge(name, target, where=[])
                graph.edges[name, target]["where"].append(f"{path.relative_to(ROOT)}:{imp.line}")
    return graph, imports


def deferral_problem(imp: Import) -> str | None:
    """Why an import inside a function is not allowed (``None`` when it is).

    >>> imp = Import("numeric.report", Path("r.py"), 3, (), ("matplotlib",), True, "import matplotlib", "# heavy: deferred")
    >>> deferral_problem(imp) is None
    True
    >>> deferral_problem(Import("theory.exact.smt", Path("s.py"), 3, ("theory.io",), ("theory",), True, "import theory.io", "# lazy"))
    'only matplotlib, rich, torch may be deferred outside mechind/ (move it to the top of the module)'
    """
    if not imp.said.strip():
        return "no comment (on its line, or just above it or its run of imports) says why it is inside a function"
    if not REASON.search(imp.said):
        return f"the comment {imp.said.strip()!r} gives no allowed reason (deferring a heavy dependency, lazy loading for a fast --help)"
    if imp.module.split(".")[0] != FRONT_DOOR and not HEAVY & set(imp.top):
        return f"only {', '.join(sorted(HEAVY))} may be deferred outside {FRONT_DOOR}/ (move it to the top of the module)"
    return None


@pytest.fixture(scope="module")
def graph_and_imports() -> tuple[dict[str, Path], nx.DiGraph, list[Import]]:
    modules = repository_modules()
    graph, imports = import_graph(modules)
    return modules, graph, imports


def test_the_graph_is_read_correctly(graph_and_imports):
    """A few edges known to exist, so that an empty graph cannot pass the cycle test."""
    modules, graph, imports = graph_and_imports
    assert {"theory", "theory.linalg.rho", "numeric.experiment.exact", "mechind.cli", "cases"} <= set(modules)
    assert graph.has_edge("theory.linalg.rho", "theory.linalg.rational")
    assert graph.has_edge("theory.model.generator", "theory.model.derivatives")
    assert graph.has_edge("numeric.experiment.exact", "numeric.experiment.groundtruth")  # ``from .groundtruth import``
    assert not graph.has_edge("theory.linalg.rho", "theory.linalg")  # no implicit parent edges
    assert any(imp.in_function for imp in imports)
    assert graph.number_of_edges() > len(modules)


def test_no_import_cycle(graph_and_imports):
    _, graph, _ = graph_and_imports
    reports = []
    for component in sorted((sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1), key=lambda c: c[0]):
        cycle = nx.find_cycle(graph.subgraph(component))
        steps = " -> ".join(f"{a} ({', '.join(graph.edges[a, b]['where'])})" for a, b in cycle)
        reports.append(f"{len(component)} modules in a cycle: {', '.join(component)}\n    e.g. {steps} -> {cycle[0][0]}")
    assert not reports, "import cycles:\n  " + "\n  ".join(reports)


def test_no_module_over_the_line_limit(graph_and_imports):
    modules, _, _ = graph_and_imports
    long = {
        str(path.relative_to(ROOT)): n
        for name, path in modules.items()
        if name.split(".")[0] in SIZED and (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by concept): {long}"


def test_imports_inside_functions_say_why(graph_and_imports):
    _, _, imports = graph_and_imports
    problems = []
    for imp in imports:
        problem = deferral_problem(imp) if imp.in_function else None
        if problem:
            problems.append(f"{imp.path.relative_to(ROOT)}:{imp.line}: {imp.text}\n    {problem}")
    assert not problems, "imports inside functions:\n  " + "\n  ".join(problems)

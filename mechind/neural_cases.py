"""Neural cases of ``mechind check``: a case file whose ``GENERATOR`` is a
:class:`numeric.generator.NeuralGenerator`, or a decoder file (``*.pt``) of ``mechind reproduce``.

The exact layer never sees these: :func:`neural_candidate` picks the paths that may hold one
without importing torch, :func:`load_neural_cases` loads them (``None`` when the file turns out
to be an exact case file), and :func:`run_neural_case` runs the numeric criteria
(:func:`numeric.criteria.check_numeric`) in the dtype and on the device asked.  Verdicts are
``holds-numerically`` / ``fails-numerically``: sampling proves nothing.

Importing this module imports neither sympy nor torch (``mechind --help`` stays fast).

Examples
--------
>>> check_dtype("float64"), neural_candidate("run.pt"), neural_candidate("no-such-case.py")
('float64', True, False)
"""

from __future__ import annotations

import copy
import runpy
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from theory.errors import CaseFileError, InputError

from .inputs import resolve_cases

if TYPE_CHECKING:
    from rich.table import Table

    from theory.model.generator import Generator

    from numeric.criteria.assessment import NumericResult
    from numeric.generator import NeuralGenerator

__all__ = [
    "NEURAL_DTYPES",
    "NEURAL_POINTS",
    "NeuralCase",
    "check_dtype",
    "neural_candidate",
    "load_neural_cases",
    "resolve_check_cases",
    "run_neural_case",
    "neural_document",
    "neural_table",
]

#: The torch dtypes ``--dtype`` accepts (those of ``mechind crosscheck``).
NEURAL_DTYPES = ("float32", "float64", "float16", "bfloat16")

#: Points sampled from the generator's box per neural case.
NEURAL_POINTS = 256


@dataclass
class NeuralCase:
    """One neural generator to check: where it came from and the generator as loaded.

    ``kind`` is ``case-file`` (a Python case file) or ``decoder`` (a ``.pt`` decoder file,
    then ``generator`` is its :class:`numeric.experiment.checkpoint.DecoderCheckpoint`).
    """

    name: str
    source: str
    kind: str
    generator: Any


def check_dtype(name: str) -> str:
    """``name`` if ``--dtype`` accepts it, else an :class:`~theory.errors.InputError`.

    >>> check_dtype("float128")
    Traceback (most recent call last):
    ...
    theory.errors.InputError: unknown --dtype 'float128' (choose from float32, float64, float16, bfloat16)
    """
    if name not in NEURAL_DTYPES:
        raise InputError(f"unknown --dtype {name!r} (choose from {', '.join(NEURAL_DTYPES)})")
    return name


def neural_candidate(path: str) -> bool:
    """Whether ``path`` may hold a neural case: a ``.pt`` file, or an existing ``.py`` file that
    names the numeric layer (a case file building a ``NeuralGenerator`` imports ``numeric``)."""
    p = Path(path)
    if p.suffix == ".pt":
        return True
    if p.suffix != ".py" or not p.is_file():
        return False
    try:
        return "numeric" in p.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def load_neural_cases(path: str) -> list[NeuralCase] | None:
    """The neural cases of ``path``, or ``None`` for a case file of exact generators (which the
    caller hands to :func:`theory.io.casefile.load_case_file`)."""
    p = Path(path)
    if p.suffix == ".pt":
        # deferred: torch is heavy (only decoder files need it)
        from numeric.experiment.checkpoint import load_checkpoint

        ck = load_checkpoint(p)
        return [NeuralCase(f"decoder:{ck.name}", str(p), "decoder", ck)]
    try:
        namespace = runpy.run_path(str(p), run_name=f"mechind_case_{p.stem}")
    except InputError as exc:
        raise CaseFileError(f"{p}: {exc}") from None
    except SyntaxError as exc:
        raise CaseFileError(f"{p}: syntax error on line {exc.lineno}: {exc.msg}") from None
    except Exception as exc:  # the file is user code: report anything it raises
        raise CaseFileError(f"{p}: the case file raised {type(exc).__name__}: {' '.join(str(exc).split())}") from None
    found = [namespace["GENERATOR"]] if "GENERATOR" in namespace else list(namespace.get("GENERATORS") or [])
    neural_type = getattr(sys.modules.get("numeric.generator"), "NeuralGenerator", None)
    if neural_type is None:  # the file never loaded the numeric layer: no neural generator in it
        return None
    neural = [g for g in found if isinstance(g, neural_type)]
    if not neural:
        return None
    if len(neural) != len(found) or ("GENERATOR" in namespace and "GENERATORS" in namespace):
        raise CaseFileError(f"{p}: mixes neural and exact generators (or sets both GENERATOR and GENERATORS); put them in separate files")
    if len({g.name for g in neural}) != len(neural):
        raise CaseFileError(f"{p}: two generators share a name")
    return [NeuralCase(g.name, str(p), "case-file", g) for g in neural]


def resolve_check_cases(paths: Sequence[str], use_all: bool) -> list[Generator | NeuralCase]:
    """The cases of ``mechind check``, in input order: exact generators as
    :func:`mechind.inputs.resolve_cases` gives them, and neural cases for a case file whose
    ``GENERATOR`` is a ``numeric.NeuralGenerator`` or for a decoder file (``*.pt``)."""
    if use_all or not any(neural_candidate(p) for p in paths):
        return list(resolve_cases(paths, use_all))
    out: list[Generator | NeuralCase] = []
    for p in paths:
        neural = load_neural_cases(p) if neural_candidate(p) else None
        out.extend(neural if neural is not None else resolve_cases([p], False))
    return out


def _in(g: NeuralGenerator, dtype: Any, device: Any) -> NeuralGenerator:
    """``g`` computing in ``dtype`` on ``device`` (a module is copied; a function is reused)."""
    # deferred: torch is heavy
    import torch

    from numeric.generator import NeuralGenerator, check_cast

    if g.dtype == dtype and g.device == device:
        return g
    f = copy.deepcopy(g.f).to(dtype=dtype, device=device) if isinstance(g.f, torch.nn.Module) else g.f
    if isinstance(g.f, torch.nn.Module):
        check_cast(g.f, f)
    factors = {k: list(v) for k, v in g.factors.items()}
    return NeuralGenerator(f, factors, g.d, outputs=g._m, name=g.name, latent_names=g.latent_names, box=g.box, dtype=dtype, device=device, contains=g.contains, source=g.source)


def run_neural_case(case: NeuralCase, criteria: str | None, dtype: str, device: Any, options: Any, n_points: int = NEURAL_POINTS) -> tuple[NeuralGenerator, list[NumericResult]]:
    """The generator (in ``dtype`` on ``device``) and its numeric results.

    ``criteria`` is ``check``'s ``--criteria`` (``None``: the numeric layer's default);
    ``options`` a :class:`numeric.criteria.options.NumericOptions`.
    """
    # deferred: torch and the numeric layer are heavy
    import torch

    from numeric.criteria.run import check_numeric

    torch_dtype = getattr(torch, check_dtype(dtype))
    try:
        g = case.generator.neural_generator(torch_dtype, device) if case.kind == "decoder" else _in(case.generator, torch_dtype, torch.device(device))
        g.check_shapes()
    except ValueError as exc:  # the user's network, not mechind: a clean input error (exit 2)
        raise InputError(f"{case.source}: {case.name}: {exc}") from None
    return g, check_numeric(g, criteria, n_points=n_points, options=options)


def neural_document(case: NeuralCase, g: NeuralGenerator, results: list[NumericResult], dtype: str, device: str, n_points: int) -> dict[str, Any]:
    """One entry of ``cases`` in ``check --json`` for a neural case."""
    return {
        "case": case.name,
        "source": case.source,
        "kind": case.kind,
        "m": g.m,
        "d": g.d,
        "factors": {k: [g.latent_names[a] for a in v] for k, v in g.factors.items()},
        "dtype": dtype,
        "device": str(device),
        "points": n_points,
        "checks": [r.to_json() for r in results],
    }


def neural_table(doc: dict[str, Any]) -> Table:
    """A rich table of a neural case (its :func:`neural_document`), with the columns of the
    numeric side of ``mechind crosscheck``."""
    # deferred: rich is heavy (keeps --help fast)
    from rich.table import Table
    from rich.text import Text

    from .crosscheck_cmd import _fmt, _margin_text
    from .render import VERDICT_STYLE

    factors = "; ".join(f"{k}={{{', '.join(v)}}}" for k, v in doc["factors"].items())
    title = f"{doc['case']}  (neural, m={doc['m']}, d={doc['d']}, factors: {factors}; {doc['points']} points, {doc['dtype']} on {doc['device']})"
    table = Table(title=title, title_justify="left", expand=False)
    for column in ("criterion", "dtype", "numeric", "tau", "margin", "method", "s"):
        table.add_column(column, overflow="fold")
    for r in doc["checks"]:
        tau = r.get("tolerance", {}).get("max")
        table.add_row(r["criterion"], r["dtype"], Text(r["verdict"], style=VERDICT_STYLE.get(r["verdict"], "")), _fmt(tau), _margin_text(r.get("margin") or {}), r["method"], f"{r['seconds']:.2f}")
    return table

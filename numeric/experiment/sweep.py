"""The sweep of issue 6, item 4: every run of a :class:`SweepConfig`, resumable, as CSV files.

Runs of the same shape (same K and overlap, hence the same observed dimension) are trained
together as one vmapped ensemble (:func:`numeric.experiment.training.train_ensemble`): the
lambdas and seeds of a grid point are the members.  After each ensemble its runs are evaluated
(reconstruction error and C_comp on held-out data, SIS, MIS) and appended to ``results.csv``, so an
interrupted sweep resumes where it stopped: runs already in ``results.csv`` are skipped, and the
exact verdicts already in ``generators.csv`` are not recomputed.  ``config.json`` records the
configuration; resuming into a folder made by a different configuration is refused (a
``config.json`` written before a key existed counts as that key's default,
:data:`numeric.experiment.config.LEGACY_DEFAULTS`, so older folders resume).
The groups run one after another in this process, or, given a ``mapper`` (``mechind
reproduce --executor ray``: one Ray task per group), elsewhere; either way each group's rows
(and the decoder files it wrote) are merged here, into the same files, as it ends.

Latents: ``config.latents`` picks the distribution (:mod:`numeric.experiment.latents`);
``"independent"`` draws exactly the ``N(0, I)`` samples of sweeps made before the option, and
rows of older ``results.csv`` files (no ``latents``, no ``mis`` column) still load and resume.
The Mechanistic Identifiability Score (:mod:`numeric.experiment.mechanistic_score`) of every
reported model is measured on the first :data:`MIS_POINTS` evaluation latents.

Seeds: every random choice derives from the base seed and the run's coordinates through
``numpy.random.SeedSequence`` -- the slot MLPs from (K, seed index), the latent samples from
(K, seed index) too (so the overlaps of one seed share their latents and slot maps, and differ
only in the layout), the initialisation and the batch order from (K, overlap, seed index); the
lambdas of one seed share all of them (paired comparison).

Examples
--------
>>> import tempfile
>>> from numeric.experiment.config import load_config
>>> cfg = load_config("tiny")
>>> cfg = SweepConfig(**{**cfg.to_dict(), "overlaps": (0.0,), "seeds": 1, "steps": 5, "n_train": 128, "n_eval": 50})
>>> with tempfile.TemporaryDirectory() as out:
...     rows = run_sweep(cfg, out, show_progress=False)
>>> [r["run"] for r in rows]
['K2-o0-lam1-s0']
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from threadpoolctl import threadpool_limits

from ..contrast import compositional_contrast, normalized_compositional_contrast
from .checkpoint import checkpoint_path, save_checkpoint
from .config import LEGACY_DEFAULTS, ConfigError, RunSpec, SweepConfig
from .exact import exact_verdicts, sample_points
from .groundtruth import GroundTruth, sample_ground_truth
from .latents import sample_latents
from .mechanistic_score import model_mis
from .sis import slot_identifiability_score
from .training import TrainSettings, decoder_jacobians_and_outputs, train_ensemble

__all__ = [
    "run_sweep",
    "derive_seed",
    "read_rows",
    "RESULT_COLUMNS",
    "GENERATOR_COLUMNS",
    "RESULTS_CSV",
    "GENERATORS_CSV",
    "Mapper",
]

RESULTS_CSV = "results.csv"
GENERATORS_CSV = "generators.csv"
CONFIG_JSON = "config.json"

GENERATOR_COLUMNS = [
    "generator",
    "K",
    "overlap",
    "seed",
    "obs_dim",
    "shared_outputs",
    "gt_seed",
    "exact_D_global",
    "exact_D_method",
    "exact_D_points",
    "exact_S_points",
    "gt_min_singular",
    "gt_max_singular",
    "points",
    "exact_seconds",
]
RESULT_COLUMNS = [
    "run",
    "K",
    "overlap",
    "lam",
    "seed",
    "generator",
    "obs_dim",
    "steps",
    "init_seed",
    "batch_seed",
    "data_seed",
    "latents",
    "train_loss",
    "train_recon",
    "train_ccomp",
    "eval_recon",
    "eval_ccomp",
    "eval_nccomp",
    "sis",
    "r_on",
    "r_off",
    "mis",
    "contrast",
    "restarts",
    "select",
    "selected_restart",
    "sis_first",
    "sis_restarts",
    "nccomp_restarts",
    "loss_restarts",
    "exact_D_global",
    "exact_D_points",
    "exact_S_points",
    "ensemble_size",
    "train_seconds",
    "device",
]
_INT = {
    "K",
    "seed",
    "obs_dim",
    "steps",
    "init_seed",
    "batch_seed",
    "data_seed",
    "ensemble_size",
    "shared_outputs",
    "gt_seed",
    "restarts",
    "selected_restart",
}
_FLOAT = {
    "overlap",
    "lam",
    "train_loss",
    "train_recon",
    "train_ccomp",
    "eval_recon",
    "eval_ccomp",
    "eval_nccomp",
    "sis",
    "sis_first",
    "mis",
    "train_seconds",
    "gt_min_singular",
    "gt_max_singular",
    "exact_seconds",
}


def derive_seed(base: int, *coords: float | int | str) -> int:
    """A 31-bit seed from the base seed and a run's coordinates (``numpy.random.SeedSequence``).

    Examples
    --------
    >>> derive_seed(0, "gt", 2, 1) == derive_seed(0, "gt", 2, 1) != derive_seed(1, "gt", 2, 1)
    True
    """
    words = [int(base) & 0xFFFFFFFF]
    for c in coords:
        if isinstance(c, str):
            words.append(int.from_bytes(c.encode()[:4].ljust(4, b"\0"), "little"))
        elif isinstance(c, float):
            words.append(int(round(c * 1_000_000)) & 0xFFFFFFFF)
        else:
            words.append(int(c) & 0xFFFFFFFF)
    return int(np.random.SeedSequence(words).generate_state(1)[0] & 0x7FFFFFFF)


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a results or generators CSV, numbers parsed (missing file: no rows).

    Examples
    --------
    >>> read_rows("/nonexistent/results.csv")
    []
    """
    path = Path(path)
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        for key, value in row.items():
            if key in _INT and value not in ("", None):
                row[key] = int(value)
            elif key in _FLOAT and value not in ("", None):
                row[key] = float(value)
    return rows


def _write_rows(path: Path, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _fmt(row.get(k, "")) for k in columns})
    os.replace(tmp, path)


def _fmt(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    return value


def _check_out_dir(config: SweepConfig, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    snapshot = out / CONFIG_JSON
    mine = config.to_dict()
    if snapshot.exists():
        try:
            theirs = json.loads(snapshot.read_text())
        except json.JSONDecodeError:
            raise ConfigError(f"{snapshot} is not valid JSON; remove it or choose another --out") from None
        if isinstance(theirs, dict):
            theirs = {**LEGACY_DEFAULTS, **theirs}
        if theirs != mine:
            diff = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
            raise ConfigError(
                f"{out} holds results of a different configuration (differs in {', '.join(diff)}); "
                "choose another --out or remove the folder"
            )
    else:
        snapshot.write_text(json.dumps(mine, indent=2) + "\n")


def ground_truth(config: SweepConfig, K: int, overlap: float, seed: int) -> tuple[GroundTruth, int]:
    gt_seed = derive_seed(config.seed, "gt", K, seed)
    gt = sample_ground_truth(
        K,
        config.slot_dim,
        config.slot_outputs,
        overlap,
        gt_seed,
        config.layout,
        config.combine,
        config.distinct_slot_mlps,
        config.cond_pool,
    )
    return gt, gt_seed


def draw_latents(config: SweepConfig, K: int, seed: int) -> tuple[torch.Tensor, int]:
    """The ``n_train + n_eval`` latents (float64) of seed index ``seed`` at ``K`` slots, drawn
    from ``config.latents``, and their data seed (the same seed for every distribution)."""
    data_seed = derive_seed(config.seed, "data", K, seed)
    sample = sample_latents(config.latents, config.n_train + config.n_eval, K * config.slot_dim, data_seed)
    return sample.z, data_seed


#: Evaluation latents at which the MIS of a trained model is measured (the first ones of the
#: evaluation set): 6-12 ms per model on one CPU thread at K = 2 and 3, 3 latents per slot,
#: against seconds for the kernel regressions of SIS.
MIS_POINTS = 256


@torch.no_grad()
def contrasts(
    model: torch.nn.Module, x: torch.Tensor, slot_dim: int, chunk: int = 1024
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Codes, reconstructions, C_comp and the scale-free C_comp / ||J||_F^2 of ``model`` at every
    row of ``x`` (the decoder runs once per chunk, for its outputs and Jacobians together)."""
    zh = model.encoder(x)
    parts = [decoder_jacobians_and_outputs(model.decoder, zh[i : i + chunk]) for i in range(0, len(zh), chunk)]
    xh = torch.cat([out for _, out in parts])
    plain = torch.cat([compositional_contrast(jac, slot_dim) for jac, _ in parts])
    scale_free = torch.cat([normalized_compositional_contrast(jac, slot_dim) for jac, _ in parts])
    return zh, xh, plain, scale_free


def evaluate_model(
    model: torch.nn.Module, x: torch.Tensor, z: torch.Tensor, K: int, slot_dim: int, gt: GroundTruth | None = None
) -> dict[str, Any]:
    """Held-out reconstruction error, C_comp, SIS and (given the ground truth ``gt`` with
    ``x = gt(z)``) the MIS of ``model.encoder o gt`` on the first :data:`MIS_POINTS` rows of ``z``."""
    with torch.no_grad():
        zh, xh, ccomp, nccomp = contrasts(model, x, slot_dim)
    if not bool(torch.isfinite(zh).all()):  # a diverged run: no score is defined on non-finite codes
        nan = float("nan")
        return {"eval_recon": nan, "eval_ccomp": nan, "eval_nccomp": nan, "sis": nan, "r_on": "", "r_off": "", "mis": ""}
    sis = slot_identifiability_score(
        z.reshape(len(z), K, slot_dim).cpu().numpy(), zh.reshape(len(zh), K, slot_dim).double().cpu().numpy()
    )
    mis = model_mis(model.encoder, gt, z[:MIS_POINTS], K).mis if gt is not None else ""
    return {
        "eval_recon": float((x - xh).square().mean()),
        "eval_ccomp": float(ccomp.mean()),
        "eval_nccomp": float(nccomp.mean()),
        "sis": sis.sis,
        "r_on": ";".join(f"{v:.4f}" for v in sis.r_on),
        "r_off": ";".join(f"{v:.4f}" for v in sis.r_off),
        "mis": mis,
    }


def member_seeds(config: SweepConfig, run: RunSpec, restart: int) -> tuple[int, int]:
    """Initialisation and batch seeds of one restart of ``run`` (restart 0 keeps the single-run seeds)."""
    extra: tuple[Any, ...] = () if restart == 0 else ("restart", restart)
    return (
        derive_seed(config.seed, "init", run.K, run.overlap, run.seed, *extra),
        derive_seed(config.seed, "batch", run.K, run.overlap, run.seed, *extra),
    )


#: Training samples on which the scale-free contrast of each restart is measured for ``select``.
SELECTION_SAMPLES = 2000


def _step_reporter(progress: Progress, task: Any, label: str, steps: int, log_lines: bool) -> Callable[[int], None]:
    """Advance the bar; when the console is not a terminal (a log file), also print a line every 10 %."""
    started = time.perf_counter()
    next_line = [max(1, steps // 10)]

    def report(step: int) -> None:
        progress.update(task, completed=step)
        if log_lines and (step >= next_line[0] or step == steps):
            progress.console.print(f"  {label}: step {step}/{steps} ({time.perf_counter() - started:.0f} s)", highlight=False, soft_wrap=True)
            while next_line[0] <= step:
                next_line[0] += max(1, steps // 10)

    return report


def _ensure_generator(
    config: SweepConfig, K: int, overlap: float, seed: int, gens: dict[str, dict[str, Any]], path: Path | None, say: Callable[[str], None] | None = None
) -> str:
    """The key of a ground truth's row in ``gens``, its exact verdicts computed (and
    ``generators.csv`` at ``path`` rewritten, unless ``None``) when the row is missing; ``say``
    gets one line per computation."""
    key = RunSpec(K, overlap, 0.0, seed).generator_key
    if key in gens:
        return key
    if say is not None:
        say(f"exact verdicts of {key} (budget {config.exact_budget:g} s per check) ...")
    gt, gt_seed = ground_truth(config, K, overlap, seed)
    pts = sample_points(K * config.slot_dim, config.exact_points, derive_seed(config.seed, "points", K, seed))
    verdicts = exact_verdicts(gt, pts, config.exact_criteria, config.exact_budget, seed=config.seed, name=key)
    gens[key] = {
        "generator": key,
        "K": K,
        "overlap": overlap,
        "seed": seed,
        "obs_dim": gt.num_outputs,
        "shared_outputs": gt.layout.shared,
        "gt_seed": gt_seed,
        **verdicts.summary(),
        "points": " | ".join(",".join(p) for p in verdicts.points),
        "exact_seconds": verdicts.seconds,
    }
    if path is not None:
        _write_rows(path, GENERATOR_COLUMNS, [gens[k] for k in sorted(gens)])
    return key


def run_sweep(
    config: SweepConfig,
    out_dir: str | Path,
    device: str | torch.device = "cpu",
    console: Console | None = None,
    show_progress: bool = True,
    on_group: Callable[[list[dict[str, Any]]], None] | None = None,
    blas_threads: int | None = None,
    mapper: Mapper | None = None,
) -> list[dict[str, Any]]:
    """Run (or resume) every run of ``config``; write ``results.csv`` and ``generators.csv`` in ``out_dir``.

    Parameters
    ----------
    config
        The sweep.
    out_dir
        Output folder (created; ``config.json`` pins the configuration it holds).
    device
        Torch device of the training (the exact checks and SIS run on the CPU).
    console
        Where progress and log lines go (default: standard error).
    show_progress
        Progress bars (rich) and one log line per ensemble.
    on_group
        Called with the new rows after every ensemble.
    blas_threads
        Limit the BLAS / OpenMP thread pools (numpy, scikit-learn) to this many threads while
        the sweep runs (``threadpoolctl``); ``None`` leaves them alone.  On a busy 2-core
        machine one thread made the kernel ridge regressions of SIS about 3x faster.
    mapper
        Where the ensemble groups run (:data:`Mapper`): ``None`` here, one after the other;
        else one group per item of the mapper (the worker processes or Ray tasks of
        :func:`mechind.executor.map_cases`), each with this process's torch and BLAS thread
        counts, its checkpoints sent back here.  Either way the rows are merged here, into
        the same resumable ``results.csv`` and ``generators.csv``, as each group ends.

    Returns
    -------
    list of dict
        All result rows of the configuration (old and new), in grid order.

    Raises
    ------
    ConfigError
        When ``out_dir`` holds results of another configuration.
    """
    out = Path(out_dir)
    _check_out_dir(config, out)
    with threadpool_limits(limits=blas_threads) if blas_threads else contextlib.nullcontext():
        threads = (torch.get_num_threads(), blas_threads) if mapper is not None else None
        return _run(config, out, device, console, show_progress, on_group, mapper, threads)


#: ``mapper(fn, items, on_done, shared)``: runs ``fn(shared, item)`` for every item, calls
#: ``on_done(index, result)`` in this process as each finishes, and yields the results in
#: input order -- :func:`mechind.executor.map_cases` with its executor bound, or the plain loop
#: :func:`_inline_map`.
Mapper = Callable[[Callable[..., Any], Sequence[Any], Callable[[int, Any], None], Any], Iterator[Any]]


def _inline_map(fn: Callable[..., Any], items: Sequence[Any], on_done: Callable[[int, Any], None], shared: Any) -> Iterator[Any]:
    """Every item in this process, one after the other (the default :data:`Mapper`)."""
    for index, item in enumerate(items):
        result = fn(shared, item)
        on_done(index, result)
        yield result


@dataclass(frozen=True)
class _LocalHooks:
    """What a group run in the sweep's own process reports as it goes (never pickled)."""

    progress: Progress
    log_lines: bool  # a line every 10 % of the steps (the console is not a terminal)
    generators_path: Path  # generators.csv, rewritten as soon as a ground truth's verdicts are known


@dataclass(frozen=True)
class _SweepWork:
    """What the ensemble groups of one sweep share (handed to the executor once).

    ``out`` is where a group writes its checkpoints; ``None`` (a group run elsewhere, e.g. on
    a Ray cluster) writes them in a scratch folder and returns their bytes.  ``threads``
    (torch threads, BLAS threads) is set by a group run in another process, so that it
    computes exactly what the sweep's own process would.
    """

    config: SweepConfig
    groups: tuple[tuple[int, float, tuple[RunSpec, ...]], ...]
    gens: dict[str, dict[str, Any]]
    device: str | torch.device
    out: Path | None = None
    threads: tuple[int, int | None] | None = None
    hooks: _LocalHooks | None = None


@dataclass
class _GroupOutcome:
    """What one ensemble group produced: its result rows, the ``generators.csv`` rows it
    computed, the files it wrote elsewhere (path relative to the output folder -> bytes),
    its label and its wall time."""

    rows: list[dict[str, Any]]
    generators: dict[str, dict[str, Any]]
    files: dict[str, bytes]
    label: str
    seconds: float


def _run(
    config: SweepConfig,
    out: Path,
    device: str | torch.device,
    console: Console | None,
    show_progress: bool,
    on_group: Callable[[list[dict[str, Any]]], None] | None,
    mapper: Mapper | None = None,
    threads: tuple[int, int | None] | None = None,
) -> list[dict[str, Any]]:
    console = console or Console(stderr=True)
    results_path, generators_path = out / RESULTS_CSV, out / GENERATORS_CSV
    done = {r["run"]: r for r in read_rows(results_path)}
    gens = {r["generator"]: r for r in read_rows(generators_path)}
    runs = config.runs()
    groups: dict[tuple[int, float], list[RunSpec]] = {}
    for run in runs:
        if run.key not in done:
            groups.setdefault((run.K, run.overlap), []).append(run)
    todo = sum(len(g) for g in groups.values())
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    if not groups and show_progress:
        console.print(f"all {len(runs)} runs of '{config.name}' are in {results_path}; nothing to train", highlight=False)
    # exact verdicts missing from generators.csv (e.g. removed to recompute them with a newer
    # exact layer) are computed for trained runs too, and the results take theirs from there
    for run in runs:
        if run.key in done:
            say = (lambda text: console.print(text, highlight=False)) if show_progress else None
            key = _ensure_generator(config, run.K, run.overlap, run.seed, gens, generators_path, say)
            for column in ("exact_D_global", "exact_D_points", "exact_S_points"):
                done[run.key][column] = gens[key][column]
            if done[run.key].get("latents") in (None, ""):  # a row written before the option: N(0, I)
                done[run.key]["latents"] = config.latents
    if done:
        _write_rows(results_path, RESULT_COLUMNS, [done[r.key] for r in runs if r.key in done])
    with Progress(*columns, console=console, disable=not show_progress, transient=False) as progress:
        overall = progress.add_task(f"{config.name}: runs", total=todo)
        plan = tuple((K, overlap, tuple(members)) for (K, overlap), members in groups.items())
        if mapper is None:  # here: the groups share this process's table of verdicts and write into out
            hooks = _LocalHooks(progress, show_progress and not console.is_terminal, generators_path)
            work = _SweepWork(config, plan, gens, device, out, None, hooks)
        else:
            work = _SweepWork(config, plan, dict(gens), device, None, threads)

        def finished(index: int, outcome: _GroupOutcome) -> None:
            if outcome.generators:
                gens.update(outcome.generators)
                _write_rows(generators_path, GENERATOR_COLUMNS, [gens[k] for k in sorted(gens)])
            for name, data in outcome.files.items():
                _write_bytes(out / name, data)
            for row in outcome.rows:
                done[row["run"]] = row
            _write_rows(results_path, RESULT_COLUMNS, [done[r.key] for r in runs if r.key in done])
            progress.advance(overall, len(outcome.rows))
            if show_progress:
                sis = ", ".join(f"lam={r['lam']:g} s{r['seed']}: {r['sis']:.2f}" for r in outcome.rows)
                progress.console.print(
                    f"{outcome.label} in {outcome.seconds:.0f} s; SIS {sis}; exact D: "
                    + ", ".join(sorted({gens[r['generator']]['exact_D_global'] for r in outcome.rows})),
                    highlight=False,
                    soft_wrap=True,
                )
            if on_group is not None:
                on_group(outcome.rows)

        with contextlib.closing((mapper or _inline_map)(_train_group, range(len(plan)), finished, work)) as outcomes:
            for _ in outcomes:  # finished() has merged each group as it ended
                pass
    return [done[r.key] for r in runs if r.key in done]


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _train_group(work: _SweepWork, index: int) -> _GroupOutcome:
    """Train and evaluate ensemble group ``index`` of ``work`` (top-level: an executor's
    workers run it); its ground truths' exact verdicts are computed first where missing."""
    if work.threads is not None:  # another process: the sweep's own thread settings
        torch.set_num_threads(work.threads[0])
    limits = threadpool_limits(limits=work.threads[1]) if work.threads is not None and work.threads[1] else contextlib.nullcontext()
    with limits, tempfile.TemporaryDirectory(prefix="mechind-group-") as scratch:
        outcome = _train_group_in(work, index, work.out if work.out is not None else Path(scratch))
        if work.out is None:
            outcome.files = {str(p.relative_to(scratch)): p.read_bytes() for p in sorted(Path(scratch).rglob("*")) if p.is_file()}
    return outcome


def _train_group_in(work: _SweepWork, index: int, out: Path) -> _GroupOutcome:
    config, device, hooks = work.config, work.device, work.hooks
    K, overlap, members = work.groups[index]
    dtype = getattr(torch, config.dtype)
    settings = TrainSettings(config.steps, config.batch_size, config.lr, config.lr_decay_at, hidden=config.hidden, contrast=config.contrast, optimizer=config.optimizer)
    gens = work.gens
    known = set(gens)
    started = time.perf_counter()
    seeds = sorted({r.seed for r in members})
    data: dict[int, tuple[torch.Tensor, torch.Tensor, str, int]] = {}
    truths: dict[int, GroundTruth] = {}
    for s in seeds:
        gt, _ = ground_truth(config, K, overlap, s)
        z, data_seed = draw_latents(config, K, s)
        key = RunSpec(K, overlap, 0.0, s).generator_key
        _ensure_generator(config, K, overlap, s, gens, hooks.generators_path if hooks is not None else None)
        data[s] = (z, gt(z), key, data_seed)
        truths[s] = gt
    slots = [(run, r) for run in members for r in range(config.restarts)]
    x_train = torch.stack([data[run.seed][1][: config.n_train] for run, _ in slots]).to(device=device, dtype=dtype)
    seeds_of = [member_seeds(config, run, r) for run, r in slots]
    label = f"K={K} overlap={overlap:g}: {len(members)} runs" + (f" x {config.restarts} restarts" if config.restarts > 1 else "")
    task = hooks.progress.add_task(label, total=settings.steps) if hooks is not None else None
    trained = train_ensemble(
        x_train,
        [run.lam for run, _ in slots],
        [i for i, _ in seeds_of],
        [b for _, b in seeds_of],
        settings,
        config.slot_dim,
        K * config.slot_dim,
        progress=_step_reporter(hooks.progress, task, label, settings.steps, hooks.log_lines) if hooks is not None else None,
    )
    train_seconds = time.perf_counter() - started
    tail = max(1, settings.steps // 100)
    new_rows = []
    for j, run in enumerate(members):
        z, x, gkey, data_seed = data[run.seed]
        x_eval = x[config.n_train :].to(device=device, dtype=dtype)
        x_sel = x_train[j * config.restarts, :SELECTION_SAMPLES]
        idx = list(range(j * config.restarts, (j + 1) * config.restarts))
        evals = [evaluate_model(trained.models[i], x_eval, z[config.n_train :], K, config.slot_dim, truths[run.seed]) for i in idx]
        losses = [float(trained.history["loss"][i, -tail:].mean()) for i in idx]
        nccomp = [float(contrasts(trained.models[i], x_sel, config.slot_dim)[3].mean()) for i in idx]
        score = nccomp if config.select == "normalized-contrast" else losses
        best = min(range(config.restarts), key=lambda r: (not math.isfinite(score[r]), score[r] if math.isfinite(score[r]) else 0.0, r))  # a diverged restart last
        i = idx[best]
        row = {
            "run": run.key,
            "K": K,
            "overlap": overlap,
            "lam": run.lam,
            "seed": run.seed,
            "generator": gkey,
            "obs_dim": x.shape[-1],
            "steps": settings.steps,
            "init_seed": seeds_of[i][0],
            "batch_seed": seeds_of[i][1],
            "data_seed": data_seed,
            "latents": config.latents,
            "train_loss": losses[best],
            "train_recon": float(trained.history["recon"][i, -tail:].mean()),
            "train_ccomp": float(trained.history["ccomp"][i, -tail:].mean()),
            **evals[best],
            "contrast": config.contrast,
            "restarts": config.restarts,
            "select": config.select,
            "selected_restart": best,
            "sis_first": evals[0]["sis"],
            "sis_restarts": ";".join(f"{e['sis']:.4f}" for e in evals),
            "nccomp_restarts": ";".join(f"{v:.5g}" for v in nccomp),
            "loss_restarts": ";".join(f"{v:.5g}" for v in losses),
            "exact_D_global": gens[gkey]["exact_D_global"],
            "exact_D_points": gens[gkey]["exact_D_points"],
            "exact_S_points": gens[gkey]["exact_S_points"],
            "ensemble_size": len(slots),
            "train_seconds": train_seconds / len(slots),
            "device": str(device),
        }
        new_rows.append(row)
        with torch.no_grad():  # the reported model's decoder, loadable alone (numeric.experiment.checkpoint)
            codes = trained.models[i].encoder(x_eval)
        save_checkpoint(checkpoint_path(out, run.key), trained.models[i], config.slot_dim, truths[run.seed], row, codes, config.latents)
    if task is not None:
        hooks.progress.remove_task(task)
    fresh = {k: gens[k] for k in gens if k not in known}
    return _GroupOutcome(new_rows, fresh if hooks is None else {}, {}, label, time.perf_counter() - started)

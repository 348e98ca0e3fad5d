"""``mechind reproduce``: the paper's synthetic experiment (issue 6) from the command line.

Runs a sweep configuration (bundled ``tiny`` / ``small`` / ``paper`` / ``brady``, or a TOML file), resumable
in its output folder, and writes ``results.csv``, ``generators.csv`` (the exact Type D / S
verdicts of every ground truth), ``sis_vs_overlap.png`` and ``table.md``; the table is also
printed.  Torch and the experiment code are imported only when the command runs, so
``import mechind.cli`` stays torch-free.  ``--executor ray`` (or ``ray://ADDRESS``) trains the
ensemble groups as tasks of a Ray cluster (:mod:`mechind.cluster`), merged into the same files.

Exit codes as for every command: 0 done, 2 bad input (unknown configuration, a bad key or value,
``--device cuda`` without a CUDA device, an output folder holding another configuration's
results), 3 an internal error.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from theory.errors import InputError

from .inputs import guard

__all__ = ["reproduce_command"]


@click.command("reproduce")
@click.option(
    "--config",
    "config_spec",
    default="small",
    show_default=True,
    help="A bundled sweep (tiny, small, paper, brady) or the path of a TOML file with the same keys.",
)
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True, help="Where to train.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: ./reproduce-NAME). Rerunning into it resumes: finished runs are skipped.",
)
@click.option("--seed", type=int, default=None, help="Base seed of every random choice (default: the config's, 0).")
@click.option(
    "--threads",
    type=int,
    default=None,
    help="torch and BLAS CPU threads (default on --device cpu: 2, or 1 on a 1-core machine; an ensemble of 18 small runs trains 1.5x faster on 2 threads than on 1, and more threads spin against each other).",
)
@click.option("--no-progress", is_flag=True, help="No progress bars or per-ensemble log lines.")
@click.option(
    "--executor",
    default="local",
    show_default=True,
    help="Where the ensembles train: local (one after the other, here), ray (a local Ray instance) or ray://ADDRESS "
    "(a Ray cluster; needs mechind[cluster]): one ensemble group per task, each asking for --threads CPUs, "
    "the results merged here into the same resumable results.csv.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@guard
def reproduce_command(
    config_spec: str,
    device: str,
    out_dir: Path | None,
    seed: int | None,
    threads: int | None,
    no_progress: bool,
    executor: str,
    debug: bool,
) -> None:
    """Reproduce the synthetic experiment: SIS against slot overlap, with exact Type D verdicts.

    Trains encoder/decoder MLPs with reconstruction + lambda * compositional contrast on
    ground truths whose slots share a growing fraction of their outputs, scores the Slot
    Identifiability Score, and records which ground truths are exactly Type D.
    """
    if threads is not None and threads < 1:
        raise InputError(f"--threads must be >= 1, got {threads}")
    from .executor import check_executor, open_executor  # lazily: keeps --help fast

    check_executor(executor)

    # deferred: torch and the experiment code are heavy (keeps --help/--version fast)
    import torch

    from numeric.experiment.config import load_config
    from numeric.experiment.report import write_report
    from numeric.experiment.sweep import run_sweep

    config = load_config(config_spec, seed=seed)
    if device == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda was requested but torch finds no CUDA device (torch.cuda.is_available() is False); use --device cpu")
    if threads is not None or device == "cpu":
        torch.set_num_threads(threads or min(2, os.cpu_count() or 1))
    out = out_dir or Path(f"reproduce-{config.name}")
    from .render import console  # deferred: keeps --help/--version fast

    err = console(stderr=True)
    started = time.perf_counter()
    with open_executor(executor) as cluster:
        mapper = None if cluster is None else functools.partial(_on_cluster, cluster, torch.get_num_threads(), 1 if device == "cuda" else 0)
        rows = run_sweep(
            config,
            out,
            device=device,
            console=err,
            show_progress=not no_progress,
            blas_threads=torch.get_num_threads() if device == "cpu" else None,
            mapper=mapper,
        )
    seconds = time.perf_counter() - started
    timing = (
        f"Config `{config.name}` ({Path(config.source).name or 'bundled'}), base seed {config.seed}, device {device}, "
        f"{torch.get_num_threads()} torch thread(s){'' if executor == 'local' else f', on {executor}'}; this invocation took {seconds:.0f} s "
        f"(runs already in {out / 'results.csv'} were not redone)."
    )
    figure, table = write_report(rows, out, title=f"mechind reproduce --config {config.name}", timing=timing, steps=config.steps, slot_dim=config.slot_dim)
    click.echo(table.read_text())
    click.echo(f"results: {out / 'results.csv'}\ngenerators: {out / 'generators.csv'}\nfigure: {figure}\ntable: {table}")


def _on_cluster(
    cluster: Any, cpus: int, gpus: int, fn: Callable[..., Any], items: Sequence[Any], on_done: Callable[[int, Any], None], shared: Any
) -> Iterator[Any]:
    """The sweep's mapper on a Ray cluster: one task per ensemble group, ``cpus`` CPUs (and ``gpus`` GPUs) each."""
    from .executor import map_cases  # lazily: keeps --help fast

    return map_cases(fn, items, on_done=on_done, shared=shared, executor=cluster, num_cpus=cpus, num_gpus=gpus)

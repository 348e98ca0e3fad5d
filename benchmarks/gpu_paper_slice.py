"""The GPU run of issue 15, item 4: the ``paper`` config's K = 2 slice and a dependent-latent slice in 10 minutes.

Two slices of the ``paper`` configuration (Brady et al.'s sizes: 72,000 training and 8,000
evaluation samples, hidden width 80, 5 seeds, lambda in {0.01, 1}, one initialisation per run):

* ``paper-K2``: K = 2, overlaps 0, 0.25, 0.5, 0.75 (independent N(0, I) latents): 40 runs;
* ``wishart-K2``: the same at overlaps 0 and 0.5 with ``latents = "wishart"`` (correlated
  latents, docs/dependent-latents.md): 20 runs.

Runs of one shape (K, overlap) train as one vmapped ensemble of 10 members (2 lambdas x 5
seeds), so there are 6 ensembles; each is one ``mechind reproduce --device cuda`` worker
process on a config of one overlap, and the workers run **in parallel** (a 10-member ensemble of
these 80-wide MLPs is far too small to fill an H100: a training step is bound by Python and
kernel-launch overhead, about the same 3-5 ms whatever the ensemble size, so six processes
driving the GPU at once cost little more than one).

**Sizing (the estimate).**  On the CPU a single K = 2 run costs about 3.8 ms per step, mostly
per-operation overhead (benchmarks/README.md, ``bench_ensemble.py``); on a GPU the arithmetic
vanishes but that overhead stays, so the assumed cost is ``--step-ms`` = 4 ms per step per
worker, with 6 workers sharing the GPU.  The paper's 115,000 steps would take 115,000 x 4 ms =
460 s per ensemble: one after another the six ensembles need 46 minutes, in parallel about 8
minutes if the GPU time-slices the six processes without loss.  The 10-minute budget is split
as: calibration 30 s; worker start-up 100 s (imports, CUDA, and per seed the ground truth, its
exact global Type D verdict -- 17-23 s each on one busy core of the 2-core development machine,
``exact_budget`` capped at 30 s, pointwise checks off -- and the data); evaluation 150 s (SIS:
four kernel ridge regressions on 6,400 samples per run, 2-4 s each on one server core -- 7.6 s
measured on one busy development core -- 10 runs per worker on ``cores / workers`` threads); a
60 s margin; and the rest, 260 s, for training: 65,000 steps at the assumed 4 ms.  On a CUDA
device the script first *measures* the step time with all workers running at once (a 300-step
calibration, about 30 s) and sets ``steps = min(115000, training budget / measured step time)``;
the planned steps and the times are written to ``plan.json``.  ``--dry-run`` prints the plan
with the assumed step time and runs nothing (it needs no GPU).

Without a CUDA device the script refuses (exit status 2) unless ``--dry-run``.

Run from the repository root on the GPU machine::

    python benchmarks/gpu_paper_slice.py --out benchmarks/results/gpu-paper-slice
    python benchmarks/gpu_paper_slice.py --dry-run          # the plan and estimate, on any machine

Output: one folder per worker (``paper-K2-o0.25/`` ...: ``results.csv``, ``table.md``, figures,
``config.toml``), ``plan.json`` (steps, step-time calibration, estimates) and ``summary.md`` /
``summary.json`` (median SIS and MIS per slice, overlap and lambda; wall times).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAPER_STEPS = 115_000
#: The assumed time of one training step of one worker's ensemble on the GPU with every worker
#: running (milliseconds); replaced by a measurement on a CUDA device unless --no-calibrate.
ASSUMED_STEP_MS = 4.0
#: Seconds the calibration is assumed to take before it is measured (a dry run).
CALIBRATION_S = 30.0
#: Seconds a worker needs before its first step: imports and CUDA, then per seed the ground truth, its
#: exact global Type D verdict (structural or exact evaluation: 17-23 s each on one busy core of the
#: 2-core development machine, 5 per worker) and 72,000 + 8,000 samples.
WORKER_STARTUP_S = 100.0
#: Seconds reserved for the evaluation of a worker's runs (SIS, MIS, C_comp on 8,000 samples).
EVAL_S = 150.0
#: Seconds kept free at the end.
MARGIN_S = 60.0
CALIBRATION_STEPS = 300

SLICES = {
    "paper-K2": {"latents": "independent", "overlaps": [0.0, 0.25, 0.5, 0.75]},
    "wishart-K2": {"latents": "wishart", "overlaps": [0.0, 0.5]},
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run the paper config's K = 2 slice and a wishart-latent slice on one CUDA GPU within a time budget.",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "gpu-paper-slice", help="output folder")
    parser.add_argument("--budget", type=float, default=600.0, help="wall-clock budget of the whole script in seconds (default 600)")
    parser.add_argument("--step-ms", type=float, default=ASSUMED_STEP_MS, help="assumed ms per training step per worker, all workers running (default 4.0)")
    parser.add_argument("--no-calibrate", action="store_true", help="use --step-ms instead of measuring the step time on the GPU")
    parser.add_argument("--max-steps", type=int, default=PAPER_STEPS, help="cap on the training steps (default: the paper's 115000)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per grid point (default 5, as in the paper config)")
    parser.add_argument("--n-eval", type=int, default=8000, help="evaluation samples per run (default 8000, as in the paper config)")
    parser.add_argument("--only", choices=sorted(SLICES), action="append", help="run only this slice (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="print the planned runs and the time estimate, run nothing")
    parser.add_argument("--calibrate-worker", nargs=2, type=int, metavar=("MEMBERS", "OBS_DIM"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def worker_configs(args: argparse.Namespace, steps: int) -> list[dict]:
    """One sweep configuration (a dict of TOML keys) per worker: a slice at one overlap."""
    from numeric.experiment.config import load_config  # deferred: keeps --help free of torch

    paper = load_config("paper").to_dict()
    out = []
    for slice_name in args.only or sorted(SLICES):
        spec = SLICES[slice_name]
        for overlap in spec["overlaps"]:
            cfg = dict(paper)
            cfg.update(
                name=f"{slice_name}-o{overlap:g}",
                description=f"{slice_name}: paper config, K = 2, overlap {overlap:g}, {spec['latents']} latents, {steps} steps (GPU slice)",
                slots=[2],
                overlaps=[overlap],
                latents=spec["latents"],
                seeds=args.seeds,
                steps=steps,
                n_eval=args.n_eval,
                restarts=1,
                exact_points=0,
                exact_budget=30.0,
            )
            out.append(cfg)
    return out


def choose_steps(args: argparse.Namespace, step_ms: float, elapsed: float | None = None) -> tuple[int, dict]:
    """Training steps that fit the budget at ``step_ms`` per step, and the time estimate.

    ``elapsed`` is the time already spent (the calibration; :data:`CALIBRATION_S` when not
    measured yet); the start-up reserve is that plus :data:`WORKER_STARTUP_S`.
    """
    startup = (CALIBRATION_S if elapsed is None else elapsed) + WORKER_STARTUP_S
    train_s = args.budget - startup - EVAL_S - MARGIN_S
    if train_s <= 0:
        raise SystemExit(f"a budget of {args.budget:g} s leaves no time to train (start-up {startup:g} s, evaluation {EVAL_S:g} s, margin {MARGIN_S:g} s)")
    steps = max(1, min(args.max_steps, int(train_s * 1000.0 / step_ms)))
    estimate = {
        "step_ms": step_ms,
        "steps": steps,
        "training_s": steps * step_ms / 1000.0,
        "startup_s": startup,
        "eval_s": EVAL_S,
        "margin_s": MARGIN_S,
        "total_s": startup + steps * step_ms / 1000.0 + EVAL_S,
        "budget_s": args.budget,
        "paper_steps_training_s": args.max_steps * step_ms / 1000.0,
    }
    return steps, estimate


def print_plan(configs: list[dict], estimate: dict, workers_threads: int) -> None:
    runs = sum(len(c["lambdas"]) * c["seeds"] for c in configs)
    print(f"{len(configs)} workers in parallel (one ensemble each), {runs} runs, {workers_threads} CPU thread(s) per worker")
    for c in configs:
        members = len(c["lambdas"]) * c["seeds"]
        print(
            f"  {c['name']}: K=2, overlap {c['overlaps'][0]:g}, latents {c['latents']}, lambdas {c['lambdas']}, "
            f"{c['seeds']} seeds, ensemble of {members}, {c['steps']} steps, n_train {c['n_train']}, n_eval {c['n_eval']}"
        )
    print(
        f"estimate: {estimate['step_ms']:g} ms/step -> {estimate['steps']} steps = {estimate['training_s']:.0f} s training"
        f" + {estimate['startup_s']:.0f} s calibration and worker start-up (exact Type D verdicts included) + {estimate['eval_s']:.0f} s evaluation"
        f" = {estimate['total_s']:.0f} s of a {estimate['budget_s']:.0f} s budget ({estimate['margin_s']:.0f} s margin)"
    )
    print(f"  (the paper's {PAPER_STEPS} steps would take {estimate['paper_steps_training_s']:.0f} s of training per worker at that rate)")


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def write_toml(config: dict, path: Path) -> None:
    path.write_text("".join(f"{key} = {_toml_value(value)}\n" for key, value in config.items()))


def calibrate_worker(members: int, obs_dim: int) -> None:
    """(Child process.) ms per step of a ``members``-run K = 2 ensemble on the GPU, as JSON on stdout."""
    import torch  # deferred: heavy, and only the GPU path needs it

    from numeric.experiment.training import TrainSettings, train_ensemble

    x = torch.randn(members, 4096, obs_dim, device="cuda")
    settings = TrainSettings(steps=50)
    train_ensemble(x, [1.0] * members, list(range(members)), list(range(members)), settings, slot_dim=3, latent_dim=6)
    torch.cuda.synchronize()
    started = time.perf_counter()
    settings = TrainSettings(steps=CALIBRATION_STEPS)
    train_ensemble(x, [1.0] * members, list(range(members)), list(range(members)), settings, slot_dim=3, latent_dim=6)
    torch.cuda.synchronize()
    print(json.dumps({"ms_per_step": (time.perf_counter() - started) * 1000.0 / CALIBRATION_STEPS}))


def calibrate(configs: list[dict], threads: int) -> dict:
    """Run one calibration child per worker, all at once; the slowest one's ms/step."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads)}
    procs = []
    for c in configs:
        members = len(c["lambdas"]) * c["seeds"]
        obs = int(round(c["slot_outputs"] * 2 * (1 - c["overlaps"][0] / 2)))
        cmd = [sys.executable, str(Path(__file__).resolve()), "--calibrate-worker", str(members), str(obs)]
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True))
    times = []
    for p in procs:
        out, _ = p.communicate(timeout=180)
        if p.returncode != 0:
            raise SystemExit(f"calibration child failed (exit {p.returncode})")
        times.append(json.loads(out.strip().splitlines()[-1])["ms_per_step"])
    return {"ms_per_step": max(times), "per_worker": times, "steps": CALIBRATION_STEPS}


def summarise(out: Path, configs: list[dict], walls: dict[str, float], slot_dim: int = 3) -> dict:
    """The slices' medians (SIS, raw and chance-corrected MIS) as summary.md and summary.json."""
    from numeric.experiment.mechanistic_score import chance_mis, corrected_mis  # deferred: imports torch

    rows = []
    for c in configs:
        path = out / c["name"] / "results.csv"
        if not path.is_file():
            continue
        with path.open() as fh:
            for r in csv.DictReader(fh):
                rows.append((c["name"].rsplit("-o", 1)[0], float(r["overlap"]), float(r["lam"]), r))
    groups: dict[tuple, list[dict]] = {}
    for slice_name, overlap, lam, r in rows:
        groups.setdefault((slice_name, overlap, lam), []).append(r)
    table = []
    for (slice_name, overlap, lam), rs in sorted(groups.items()):
        sis = [float(r["sis"]) for r in rs]
        mis = [float(r["mis"]) for r in rs if r.get("mis") not in (None, "")]
        # chance-corrected (docs/dependent-latents.md): 0 for a random rotation on average
        mis_c = [corrected_mis(float(r["mis"]), chance_mis(int(r["K"]), slot_dim)) for r in rs if r.get("mis") not in (None, "")]
        table.append(
            {
                "slice": slice_name,
                "overlap": overlap,
                "lam": lam,
                "seeds": len(rs),
                "sis_median": statistics.median(sis),
                "sis": sis,
                "mis_median": statistics.median(mis) if mis else None,
                "mis": mis,
                "mis_c_median": statistics.median(mis_c) if mis_c else None,
                "exact_D_global": sorted({r["exact_D_global"] for r in rs}),
            }
        )
    lines = [
        "# GPU slice of the paper config (benchmarks/gpu_paper_slice.py)",
        "",
        "| slice | overlap | lambda | seeds | SIS median | MIS median | MIS_c median | exact Type D (global) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in table:
        mis = "-" if t["mis_median"] is None else f"{t['mis_median']:.3f}"
        mis_c = "-" if t["mis_c_median"] is None else f"{t['mis_c_median']:.3f}"
        lines.append(f"| {t['slice']} | {t['overlap']:g} | {t['lam']:g} | {t['seeds']} | {t['sis_median']:.3f} | {mis} | {mis_c} | {', '.join(t['exact_D_global'])} |")
    lines += ["", "Worker wall times (s): " + ", ".join(f"{k} {v:.0f}" for k, v in walls.items())]
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    summary = {"table": table, "worker_seconds": walls}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.calibrate_worker:
        calibrate_worker(*args.calibrate_worker)
        return 0
    cores = os.cpu_count() or 1
    provisional = worker_configs(args, 1)
    threads = max(1, cores // len(provisional))
    if args.dry_run:
        steps, estimate = choose_steps(args, args.step_ms)
        print_plan(worker_configs(args, steps), estimate, threads)
        print("dry run: nothing trained")
        return 0

    import torch  # deferred: heavy, and --help / --dry-run do without it

    if not torch.cuda.is_available():
        print("gpu_paper_slice.py needs a CUDA device and none is available (torch.cuda.is_available() is False); "
              "use --dry-run to see the plan on this machine", file=sys.stderr)
        return 2
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    calibration = None
    step_ms = args.step_ms
    if not args.no_calibrate:
        calibration = calibrate(provisional, threads)
        step_ms = calibration["ms_per_step"]
    steps, estimate = choose_steps(args, step_ms, time.perf_counter() - started)
    configs = worker_configs(args, steps)
    print_plan(configs, estimate, threads)
    plan = {"device": torch.cuda.get_device_name(0), "threads_per_worker": threads, "calibration": calibration, "estimate": estimate, "configs": configs}
    (args.out / "plan.json").write_text(json.dumps(plan, indent=2))

    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads)}
    procs = {}
    for c in configs:
        folder = args.out / c["name"]
        folder.mkdir(parents=True, exist_ok=True)
        write_toml(c, folder / "config.toml")
        cmd = [sys.executable, "-m", "mechind", "reproduce", "--config", str(folder / "config.toml"), "--out", str(folder),
               "--device", "cuda", "--threads", str(threads), "--no-progress"]
        log = (folder / "log.txt").open("w")
        procs[c["name"]] = (subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), time.perf_counter(), log)
    walls: dict[str, float] = {}
    deadline = started + args.budget - 5.0
    status = 0
    for name, (proc, t0, log) in procs.items():
        try:
            proc.wait(timeout=max(1.0, deadline - time.perf_counter()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            print(f"{name}: stopped at the budget", file=sys.stderr)
            status = 1
        log.close()
        walls[name] = time.perf_counter() - t0
        if proc.returncode not in (0, None) and status == 0:
            status = 1
    summarise(args.out, configs, walls)
    total = time.perf_counter() - started
    print((args.out / "summary.md").read_text())
    print(f"total wall time {total:.0f} s (budget {args.budget:.0f} s); results in {args.out}")
    return status


if __name__ == "__main__":
    sys.exit(main())

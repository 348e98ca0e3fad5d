"""Benchmark: E training runs as one vmapped ensemble against the same E runs one after another.

Both sides train the same runs of the ``small`` sweep's shape (K slots, slot maps R^3 -> R^20,
pool overlap, encoder/decoder MLPs 80 wide, batch 64, loss MSE + lambda * C_comp with Jacobians
by ``vmap(jacfwd)``) for the same number of steps, from the same seeds:

* ensemble: :func:`numeric.experiment.training.train_ensemble` (``stack_module_state`` +
  ``functional_call`` under ``vmap``, one Adam over the stacked parameters);
* sequential: :func:`numeric.experiment.training.train_single` once per run.

It reports wall times, throughput in run-steps per second, the ratio (target >= 2x on 2 CPU
cores), and the largest difference between the two sides' final losses (they train the same
runs, so it should be at float-rounding level).  Run from the repository root::

    python benchmarks/bench_ensemble.py [--runs 6] [--steps 300] [--slots 2] [--overlap 0.0]
                                        [--threads 1] [--repeat 3] [--json benchmarks/results/ensemble.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from numeric.experiment.groundtruth import sample_ground_truth  # noqa: E402
from numeric.experiment.training import TrainSettings, train_ensemble, train_single  # noqa: E402


def _data(runs: int, K: int, overlap: float, n: int) -> tuple[torch.Tensor, list[float], list[int], list[int]]:
    xs = []
    for r in range(runs):
        gt = sample_ground_truth(K, 3, 20, overlap, seed=1000 + r // 2, cond_pool=200)
        z = torch.randn(n, 3 * K, generator=torch.Generator().manual_seed(r // 2), dtype=torch.float64)
        xs.append(gt(z).float())
    lams = [0.01 if r % 2 == 0 else 1.0 for r in range(runs)]
    return torch.stack(xs), lams, [10 + r for r in range(runs)], [20 + r for r in range(runs)]


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark and return its numbers (also printed, and written with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--overlap", type=float, default=0.0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (mechind reproduce uses 2 on a CPU with 2 or more cores)")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions of each side; the median is reported")
    parser.add_argument("--n-train", type=int, default=5000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    K = args.slots
    x, lams, inits, batches = _data(args.runs, K, args.overlap, args.n_train)
    settings = TrainSettings(steps=args.steps)
    warm = TrainSettings(steps=5)
    train_ensemble(x, lams, inits, batches, warm, 3, 3 * K)
    train_single(x[0], lams[0], inits[0], batches[0], warm, 3, 3 * K)

    ens_times, seq_times = [], []
    ens = seq = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        ens = train_ensemble(x, lams, inits, batches, settings, 3, 3 * K)
        ens_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        seq = [train_single(x[i], lams[i], inits[i], batches[i], settings, 3, 3 * K) for i in range(args.runs)]
        seq_times.append(time.perf_counter() - start)
    t_ens, t_seq = statistics.median(ens_times), statistics.median(seq_times)
    work = args.runs * args.steps
    diff = max(abs(float(ens.history["loss"][i, -1]) - seq[i].history["loss"][-1]) for i in range(args.runs))
    out = {
        "runs": args.runs,
        "steps": args.steps,
        "slots": K,
        "obs_dim": int(x.shape[-1]),
        "threads": torch.get_num_threads(),
        "repeat": args.repeat,
        "ensemble_seconds": t_ens,
        "sequential_seconds": t_seq,
        "ensemble_seconds_all": ens_times,
        "sequential_seconds_all": seq_times,
        "ensemble_run_steps_per_second": work / t_ens,
        "sequential_run_steps_per_second": work / t_seq,
        "throughput_ratio": t_seq / t_ens,
        "target_ratio": 2.0,
        "max_final_loss_difference": diff,
        "torch": torch.__version__,
        "machine": f"{platform.machine()} {platform.processor() or ''} cpus={torch.get_num_threads()} threads used",
    }
    print(f"{args.runs} runs x {args.steps} steps, K={K} (obs dim {out['obs_dim']}), {out['threads']} torch thread(s), median of {args.repeat}")
    print(f"  ensemble (vmap):  {t_ens:7.2f} s  {work / t_ens:8.1f} run-steps/s   (all: {', '.join(f'{t:.2f}' for t in ens_times)})")
    print(f"  sequential:       {t_seq:7.2f} s  {work / t_seq:8.1f} run-steps/s   (all: {', '.join(f'{t:.2f}' for t in seq_times)})")
    verdict = "PASS" if out["throughput_ratio"] >= 2.0 else "FAIL"
    print(f"  throughput ratio: {out['throughput_ratio']:.2f}x  [{verdict}: target >= 2x]")
    print(f"  largest difference of the final losses, ensemble vs sequential: {diff:.2e}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return out


if __name__ == "__main__":
    main()

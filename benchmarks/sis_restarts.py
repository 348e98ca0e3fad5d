"""Diagnostic: how often one initialisation of the paper's training finds the slots, and what predicts it.

Trains ``--restarts`` initialisations of Brady et al.'s autoencoder (reconstruction + lambda *
C_comp, the ``small`` sweep's ground truth and data for ``--slots``/``--overlap``/``--seed``) as
one vmapped ensemble on the same data, and at every ``--checkpoints`` step prints, per
initialisation, the SIS, the R^2 of the matched and best unmatched slots, the scale-free
contrast C_comp / ||J||_F^2 of the decoder on training codes, and the training loss.  This is
the measurement behind the ``small`` config's restarts (issue 6's note):

* ``--steps 4000 --restarts 12``: the share of initialisations that reach SIS ~0.98, and
  whether the scale-free contrast (or the loss) orders the models as SIS does;
* ``--steps 115000 --restarts 3 --checkpoints 2000,10000,57500,115000``: whether a run stuck
  in the split-slot minimum (SIS ~0.3, R^2 ~2/3 matched and ~1/3 unmatched) escapes with the
  paper's training length (about 15 minutes on one CPU thread).

Run from the repository root::

    python benchmarks/sis_restarts.py [--slots 2] [--overlap 0] [--lam 1] [--seed 0] [--restarts 12]
                                      [--steps 4000] [--checkpoints 4000] [--threads 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from numeric.experiment.config import RunSpec, load_config  # noqa: E402
from numeric.experiment.sweep import SELECTION_SAMPLES, contrasts, evaluate_model, ground_truth, draw_latents, member_seeds  # noqa: E402
from numeric.experiment.training import TrainSettings, train_ensemble  # noqa: E402


def main(argv: list[str] | None = None) -> list[dict]:
    """Train, print one line per initialisation and checkpoint, and return the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="small", help="sweep config whose ground truth, data and training are used")
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--overlap", type=float, default=0.0)
    parser.add_argument("--lam", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0, help="seed index of the ground truth and data")
    parser.add_argument("--restarts", type=int, default=12)
    parser.add_argument("--steps", type=int, default=None, help="default: the config's")
    parser.add_argument("--checkpoints", default="", help="comma-separated steps (default: the last)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    config = load_config(args.config)
    steps = args.steps or config.steps
    checkpoints = sorted({int(v) for v in args.checkpoints.split(",") if v.strip()} | {steps})
    K, sd = args.slots, config.slot_dim
    gt, _ = ground_truth(config, K, args.overlap, args.seed)
    z, _ = draw_latents(config, K, args.seed)
    x = gt(z).float()
    x_train, x_eval, z_eval = x[: config.n_train], x[config.n_train :], z[config.n_train :]
    run = RunSpec(K, args.overlap, args.lam, args.seed)
    seeds = [member_seeds(config, run, r) for r in range(args.restarts)]
    settings = TrainSettings(steps, config.batch_size, config.lr, config.lr_decay_at, hidden=config.hidden, contrast=config.contrast)
    rows: list[dict] = []
    started = time.perf_counter()

    def report(step: int, models: list) -> None:
        for r, model in enumerate(models):
            ev = evaluate_model(model, x_eval, z_eval, K, sd)
            row = {
                "step": step,
                "restart": r,
                "sis": round(ev["sis"], 4),
                "r_on": ev["r_on"],
                "r_off": ev["r_off"],
                "nccomp": round(float(contrasts(model, x_train[:SELECTION_SAMPLES], sd)[3].mean()), 4),
                "seconds": round(time.perf_counter() - started),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)

    trained = train_ensemble(
        x_train.unsqueeze(0).expand(args.restarts, -1, -1).contiguous(),
        [args.lam] * args.restarts,
        [i for i, _ in seeds],
        [b for _, b in seeds],
        settings,
        sd,
        K * sd,
        checkpoints=checkpoints,
        on_checkpoint=report,
    )
    tail = max(1, steps // 100)
    for row in rows:
        if row["step"] == steps:
            row["train_loss"] = float(trained.history["loss"][row["restart"], -tail:].mean())
    final = sorted((r for r in rows if r["step"] == steps), key=lambda r: r["nccomp"])
    hits = sum(r["sis"] >= 0.8 for r in final)
    print(f"{hits}/{len(final)} initialisations reach SIS >= 0.8 after {steps} steps; by increasing scale-free contrast:")
    for r in final:
        print(f"  restart {r['restart']:2d}: C_comp/||J||^2 {r['nccomp']:.3f}  loss {r['train_loss']:.2e}  SIS {r['sis']:.3f}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return rows


if __name__ == "__main__":
    main()

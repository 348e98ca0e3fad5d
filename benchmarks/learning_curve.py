"""Learning curve: the share of single initialisations that identify the slots, against training steps.

Trains ``--inits`` initialisations of Brady et al.'s autoencoder (reconstruction + lambda *
C_comp) on one fixed dataset -- the ground truth and data of seed index ``--seed`` of the sweep
config ``--config`` (default ``brady``: 72,000 training samples, batch 64, lr 1e-3) at
``--slots`` / ``--overlap`` -- as one vmapped ensemble, and at every step of ``--checkpoints``
scores every initialisation with Brady et al.'s SIS (:mod:`numeric.experiment.sis`) on the first
``--sis-samples`` evaluation samples.  One training run gives every point of the curve (the
training code's checkpoints).  The learning rate drops by 10 at half of the *last* checkpoint,
so a checkpoint at step s is not a run of s steps with its own decay at s / 2 (see
docs/learning-curve.md).

Besides the SIS, each row keeps the full ``(K, K)`` R^2 matrix and the per-latent R^2
``[i, d, j]`` of ground-truth latent ``d`` of slot ``i`` predicted from inferred slot ``j`` (the
same kernel ridge fits as the SIS: ``r2[i, j]`` is the mean over ``d``), which says how a failed
initialisation splits a slot's latents over inferred slots.

Seeds: the ground truth, data, initialisation and batch seeds are the sweep's
(:func:`numeric.experiment.sweep.member_seeds`: initialisation ``r`` is restart ``r`` of run
``K{K}-o{overlap}-lam{lam}-s{seed}``; ``r = 0`` is the sweep's single-initialisation run), all
derived from the config's base seed (0 in the bundled configs).

Run from the repository root::

    python benchmarks/learning_curve.py --slots 2 --inits 24 --checkpoints 1000,2000,4000,8000,16000 \\
        --threads 1 --json benchmarks/results/learning_curve_K2.json
    python benchmarks/learning_curve.py --figure docs/learning-curve.png \\
        benchmarks/results/learning_curve_K2.json benchmarks/results/learning_curve_K3.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402
from sklearn.kernel_ridge import KernelRidge  # noqa: E402
from sklearn.metrics import r2_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from numeric.experiment.config import RunSpec, SweepConfig, load_config  # noqa: E402
from numeric.experiment.sweep import SELECTION_SAMPLES, contrasts, draw_latents, ground_truth, member_seeds  # noqa: E402
from numeric.experiment.training import TrainSettings, train_ensemble  # noqa: E402

#: SIS at or above this counts as "identified" (the threshold of docs/reproduce-small/table.md).
IDENTIFIED = 0.8


def per_latent_r2(z: np.ndarray, zh: np.ndarray, train_fraction: float = 0.8) -> np.ndarray:
    """``[i, d, j]``: R^2 of ground-truth latent ``d`` of slot ``i`` predicted from inferred slot ``j``.

    The fits of :func:`numeric.experiment.sis.r2_matrix` (standardise, in-order split, RBF kernel
    ridge predicting the whole slot ``z_i`` from ``zh_j``), scored per output: the mean over
    ``d`` is ``r2_matrix(z, zh)[i, j]``.
    """
    z = np.asarray(z, dtype=np.float64)
    zh = np.asarray(zh, dtype=np.float64)
    split = int(train_fraction * len(z))
    out = np.zeros((z.shape[1], z.shape[2], zh.shape[1]))
    for i in range(z.shape[1]):
        zs = StandardScaler().fit_transform(z[:, i])
        for j in range(zh.shape[1]):
            hs = StandardScaler().fit_transform(zh[:, j])
            model = KernelRidge(kernel="rbf", alpha=1.0, gamma=None).fit(hs[:split], zs[:split])
            out[i, :, j] = r2_score(zs[split:], model.predict(hs[split:]), multioutput="raw_values")
    return out


def sis_from_r2(r2: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """``(SIS, matching, r_on, r_off)`` of a ``(K, K)`` R^2 matrix, as :func:`numeric.experiment.sis.slot_identifiability_score`."""
    r2 = np.maximum(r2, 0.0)
    rows, cols = linear_sum_assignment(-r2)
    matching = cols[np.argsort(rows)]
    permuted = r2[:, matching]
    r_on = np.diag(permuted).copy()
    r_off = (permuted - np.diag(r_on)).max(axis=1)
    return float(np.mean(r_on - r_off)), matching, r_on, r_off


def learning_curve(
    config: SweepConfig,
    K: int,
    overlap: float,
    lam: float,
    seed: int,
    inits: int,
    checkpoints: list[int],
    sis_samples: int = 2000,
    say: Any = None,
) -> list[dict[str, Any]]:
    """Train ``inits`` initialisations for ``max(checkpoints)`` steps; one row per (checkpoint, initialisation).

    Each row: ``step``, ``init``, ``init_seed``, ``batch_seed``, ``sis``, ``identified``
    (SIS >= :data:`IDENTIFIED`), ``r2`` (the clipped ``(K, K)`` matrix, rows ground-truth slots),
    ``r2_latent`` (``[i][d][j]``, unclipped), ``matching``, ``r_on``, ``r_off``, ``nccomp``
    (C_comp / ||J||_F^2 on training codes) and ``seconds`` since the start.
    """
    steps = max(checkpoints)
    sd = config.slot_dim
    gt, _ = ground_truth(config, K, overlap, seed)
    z, _ = draw_latents(config, K, seed)
    dtype = getattr(torch, config.dtype)
    x = gt(z).to(dtype)
    x_train = x[: config.n_train]
    x_eval = x[config.n_train :][:sis_samples]
    z_eval = z[config.n_train :][:sis_samples].reshape(-1, K, sd).numpy()
    run = RunSpec(K, overlap, lam, seed)
    seeds = [member_seeds(config, run, r) for r in range(inits)]
    settings = TrainSettings(steps, config.batch_size, config.lr, config.lr_decay_at, hidden=config.hidden, contrast=config.contrast)
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()

    def report(step: int, models: list) -> None:
        for r, model in enumerate(models):
            with torch.no_grad():
                zh = model.encoder(x_eval).reshape(-1, K, sd).double().numpy()
            lat = per_latent_r2(z_eval, zh)
            r2 = np.maximum(lat.mean(axis=1), 0.0)
            sis, matching, r_on, r_off = sis_from_r2(r2)
            nccomp = float(contrasts(model, x_train[:SELECTION_SAMPLES], sd)[3].mean())
            rows.append(
                {
                    "K": K,
                    "overlap": overlap,
                    "lam": lam,
                    "seed": seed,
                    "step": step,
                    "run_steps": steps,
                    "init": r,
                    "init_seed": seeds[r][0],
                    "batch_seed": seeds[r][1],
                    "sis": round(sis, 4),
                    "identified": sis >= IDENTIFIED,
                    "r2": np.round(r2, 4).tolist(),
                    "r2_latent": np.round(lat, 4).tolist(),
                    "matching": matching.tolist(),
                    "r_on": np.round(r_on, 4).tolist(),
                    "r_off": np.round(r_off, 4).tolist(),
                    "nccomp": round(nccomp, 4),
                    "seconds": round(time.perf_counter() - started, 1),
                }
            )
        if say is not None:
            now = [row for row in rows if row["step"] == step]
            hits = sum(row["identified"] for row in now)
            say(f"K={K} step {step}: {hits}/{len(now)} identified; SIS " + " ".join(f"{row['sis']:.2f}" for row in now) + f" ({time.perf_counter() - started:.0f} s)")

    train_ensemble(
        x_train.unsqueeze(0).expand(inits, -1, -1).contiguous(),
        [lam] * inits,
        [i for i, _ in seeds],
        [b for _, b in seeds],
        settings,
        sd,
        K * sd,
        checkpoints=checkpoints,
        on_checkpoint=report,
    )
    return rows


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (K, run length, step): initialisations, identified count and fraction with a 95 % Wilson interval, median SIS."""
    out = []
    for key in sorted({(r["K"], r["run_steps"], r["step"]) for r in rows}):
        sel = [r for r in rows if (r["K"], r["run_steps"], r["step"]) == key]
        n, k = len(sel), sum(r["identified"] for r in sel)
        p, zq = k / n, 1.959964
        centre = (p + zq * zq / (2 * n)) / (1 + zq * zq / n)
        half = zq * math.sqrt(p * (1 - p) / n + zq * zq / (4 * n * n)) / (1 + zq * zq / n)
        out.append(
            {
                "K": key[0],
                "run_steps": key[1],
                "step": key[2],
                "inits": n,
                "identified": k,
                "fraction": p,
                "wilson_low": max(0.0, centre - half),
                "wilson_high": min(1.0, centre + half),
                "median_sis": float(np.median([r["sis"] for r in sel])),
            }
        )
    return out


def figure(rows: list[dict[str, Any]], path: Path) -> None:
    """Fraction identified against steps (log axis), one line per (K, run length), Wilson bands; PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = summarise(rows)
    fig, ax = plt.subplots(figsize=(6, 4))
    for K, length in sorted({(s["K"], s["run_steps"]) for s in summary}):
        sel = [s for s in summary if (s["K"], s["run_steps"]) == (K, length)]
        steps = [s["step"] for s in sel]
        n = sel[0]["inits"]
        ax.plot(steps, [s["fraction"] for s in sel], "o-", label=f"K = {K}, {n} inits, run of {length:,} steps")
        ax.fill_between(steps, [s["wilson_low"] for s in sel], [s["wilson_high"] for s in sel], alpha=0.1)
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("training steps (checkpoints of one run; lr / 10 at half the run)")
    ax.set_ylabel(f"fraction of initialisations with SIS >= {IDENTIFIED}")
    ax.set_title("Single initialisations that identify the slots (overlap 0, lambda 1)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Train and write the rows (``--json``), or draw the figure from earlier JSON files (``--figure``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="brady", help="sweep config whose ground truth, data and training are used")
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--overlap", type=float, default=0.0)
    parser.add_argument("--lam", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0, help="seed index of the ground truth and data")
    parser.add_argument("--inits", type=int, default=12)
    parser.add_argument("--checkpoints", default="1000,2000,4000,8000,16000", help="comma-separated steps; the last is the run's length")
    parser.add_argument("--sis-samples", type=int, default=2000, help="evaluation samples the SIS is computed on")
    parser.add_argument("--threads", type=int, default=1, help="torch and BLAS threads")
    parser.add_argument("--json", type=Path, default=None, help="write the rows here")
    parser.add_argument("--figure", type=Path, default=None, help="draw the PNG from the JSON files given as arguments, train nothing")
    parser.add_argument("inputs", nargs="*", type=Path, help="with --figure: JSON files written by --json")
    args = parser.parse_args(argv)
    if args.figure is not None:
        rows = []
        for p in args.inputs:
            data = json.loads(p.read_text())
            rows += [{"run_steps": data["meta"]["config"]["steps"], **row} for row in data["rows"]]
        figure(rows, args.figure)
        for s in summarise(rows):
            print(json.dumps(s))
        return rows
    torch.set_num_threads(args.threads)
    config = load_config(args.config)
    checkpoints = sorted({int(v) for v in args.checkpoints.split(",") if v.strip()})
    config = dataclasses.replace(config, steps=max(checkpoints))
    started = time.perf_counter()
    with threadpool_limits(limits=args.threads):
        rows = learning_curve(
            config, args.slots, args.overlap, args.lam, args.seed, args.inits, checkpoints, args.sis_samples,
            say=lambda text: print(text, flush=True),
        )
    seconds = time.perf_counter() - started
    summary = summarise(rows)
    for s in summary:
        print(json.dumps(s))
    print(f"wall time {seconds:.0f} s")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        meta = {"config": config.to_dict(), "argv": sys.argv[1:] if argv is None else argv, "threads": args.threads, "wall_seconds": round(seconds, 1)}
        args.json.write_text(json.dumps({"meta": meta, "summary": summary, "rows": rows}) + "\n")
    return rows


if __name__ == "__main__":
    main()

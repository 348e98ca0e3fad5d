"""Benchmark: the numeric layer's batched derivatives against the usual torch baselines.

Model: an MLP 10 -> 256 -> 256 -> 1024 (tanh, float32, seeded), latents in 5 factors of 2,
points uniform in [-1, 1]^10 (16,384 by default).  The script times

1. **Jacobian supports** (every ``|J| > tau`` at every point):
   * the project's path: :func:`numeric.derivatives.jacobian` (``vmap(jacfwd)``, chunked)
     and the tolerance rule of :func:`numeric.criteria.tolerance`;
   * a loop of per-output ``torch.autograd.grad`` (one forward with the graph kept, then one
     backward per output): **timed on a subsample of the outputs and extrapolated** to all
     1024 (the forward counted once, plus 1024 x the median time of one output's backward);
   * ``torch.autograd.functional.jacobian(vectorize=True)`` on ``net(z).sum(0)`` (outputs of
     different points are independent, so this is the batch Jacobian): run in chunks of
     points (its memory is outputs x chunk x width); **timed on a subsample of chunks and
     extrapolated** to all points unless ``--full-baselines``.
2. **Cross-Hessian blocks** (every second partial with the two latents in different factors):
   * the project's path: :func:`numeric.derivatives.cross_derivatives` (for a plain MLP the
     second-order forward mode written out, the 40 cross pairs only);
   * the previous path, nested ``jacfwd`` over one factor against the later factors only (the
     same function with the written-out pass switched off): **timed on a subsample of points
     and extrapolated**;
   * ``vmap(torch.func.hessian(net))`` (``jacfwd(jacrev)`` on the whole input), then the cross
     blocks sliced out: **timed on a subsample of points and extrapolated**.
3. **The FLOP bound**: a dense layer ``x @ W`` costs 2·in·out FLOPs per point; the forward
   pass costs ``F = 2(10·256 + 256·256 + 256·1024)`` per point.  Forward-mode Jacobians need
   at least ``d`` tangent passes, so the bound is ``d·F·N / rate``; cross-Hessian blocks need
   the ``P = sum_{i<j} d_i d_j`` second-order tangents on top, bound ``(d + P)·F·N / rate``.
   ``rate`` is this machine's measured float32 GEMM throughput on a 256 x 1024 layer with
   the same thread count.

The project's Jacobian timing is the median of ``--repeat`` runs (cross-Hessian:
``--hessian-repeat``), after a warm-up on 64 points.  The results are
checked against each other (the baselines' Jacobian and Hessian blocks on the timed sample
must match the project's).  PASS/FAIL lines compare with the issue's targets: at least 2x
faster than the best Jacobian baseline, at least 10x faster than ``torch.func.hessian`` for
cross-Hessian blocks, within 5x of the FLOP bound (Jacobian), cross-Hessian blocks within 3x
of theirs.  ``--threads`` sets torch's thread count (default: torch's own).

Run from the repository root::

    python benchmarks/bench_numeric.py [--quick] [--points 16384] [--device cpu]
                                       [--repeat 3] [--hessian-repeat 1] [--threads T]
                                       [--json benchmarks/results/numeric.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from numeric import derivatives  # noqa: E402
from numeric.criteria import tolerance  # noqa: E402
from numeric.derivatives import cross_derivatives, jacobian  # noqa: E402

__all__ = ["build_mlp", "forward_flops", "main"]

D, WIDTH, M = 10, 256, 1024
BLOCKS = [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]


def build_mlp(seed: int = 0, dtype: torch.dtype = torch.float32, device: str = "cpu") -> torch.nn.Module:
    """The benchmark MLP 10 -> 256 -> 256 -> 1024 with tanh (smooth, so Hessians are meaningful)."""
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(D, WIDTH), torch.nn.Tanh(), torch.nn.Linear(WIDTH, WIDTH), torch.nn.Tanh(), torch.nn.Linear(WIDTH, M))
    return net.to(dtype=dtype, device=device).eval()


def forward_flops() -> int:
    """Multiply-add FLOPs of one forward pass, per point."""
    return 2 * (D * WIDTH + WIDTH * WIDTH + WIDTH * M)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _time(fn: Callable[[], Any], device: torch.device, repeat: int = 1, warmup: Callable[[], Any] | None = None) -> tuple[float, Any]:
    """Median wall time of ``repeat`` runs of ``fn`` after ``warmup()`` (default: one run of ``fn``)."""
    wall, _, out = _time_cpu(fn, device, repeat, warmup)
    return wall, out


def _time_cpu(fn: Callable[[], Any], device: torch.device, repeat: int = 1, warmup: Callable[[], Any] | None = None) -> tuple[float, float, Any]:
    """Median wall and median CPU time (``time.process_time``, all threads) of ``repeat`` runs of ``fn``.

    On a loaded machine the CPU time is the steadier measure: wall time also counts the time the
    scheduler gives to other processes."""
    (warmup or fn)()
    times, cpus, out = [], [], None
    for _ in range(repeat):
        _sync(device)
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        _sync(device)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(times), statistics.median(cpus), out


def gemm_rate(n: int, device: torch.device) -> float:
    """Measured float32 FLOP/s of ``x @ W`` with x ``[n, 256]`` and W ``[256, 1024]``."""
    return gemm_rates(n, device)[0]


def gemm_rates(n: int, device: torch.device) -> tuple[float, float]:
    """The float32 FLOP rate of ``x @ W`` (x ``[n, 256]``, W ``[256, 1024]``) per wall second and per CPU second."""
    x = torch.randn(n, WIDTH, device=device)
    w = torch.randn(WIDTH, M, device=device)
    wall, cpu, _ = _time_cpu(lambda: x @ w, device, repeat=7)
    return 2 * n * WIDTH * M / wall, 2 * n * WIDTH * M / cpu


def project_supports(net: torch.nn.Module, z: torch.Tensor, chunk: int) -> torch.Tensor:
    """Supports ``|J| > tau`` at every point, chunk by chunk (the full float Jacobian is never kept)."""
    out = []
    with torch.no_grad():
        for c in z.split(chunk):
            J = jacobian(net, c, chunk)
            out.append(J.abs() > tolerance(J)[:, None, None])
    return torch.cat(out)


def grad_loop(net: torch.nn.Module, z: torch.Tensor, outputs: list[int]) -> tuple[float, float, torch.Tensor]:
    """One forward with the graph, then one ``autograd.grad`` per output in ``outputs``.

    Returns (forward seconds, seconds per output, the gradients ``[N, len(outputs), d]``)."""
    zz = z.detach().clone().requires_grad_(True)
    device = z.device
    _sync(device)
    t0 = time.perf_counter()
    y = net(zz)
    _sync(device)
    t_forward = time.perf_counter() - t0
    torch.autograd.grad(y[:, outputs[0]].sum(), zz, retain_graph=True)  # warm-up
    grads, times = [], []
    for t in outputs:
        _sync(device)
        t0 = time.perf_counter()
        (g,) = torch.autograd.grad(y[:, t].sum(), zz, retain_graph=True)
        _sync(device)
        times.append(time.perf_counter() - t0)
        grads.append(g)
    return t_forward, statistics.median(times), torch.stack(grads, dim=1)


def functional_jacobian(net: torch.nn.Module, z: torch.Tensor) -> torch.Tensor:
    """``torch.autograd.functional.jacobian(vectorize=True)`` of the batch (``[N, m, d]``)."""
    jac = torch.autograd.functional.jacobian(lambda x: net(x).sum(0), z, vectorize=True)  # [m, N, d]
    return jac.permute(1, 0, 2)


def hessian_cross_blocks(net: torch.nn.Module, z: torch.Tensor, multi_indices: list[tuple[int, int]]) -> torch.Tensor:
    """``vmap(torch.func.hessian(net))`` on the whole input, cross entries sliced out: ``[N, m, E]``."""
    H = torch.func.vmap(torch.func.hessian(net))(z)  # [N, m, d, d]
    a = torch.tensor([i for i, _ in multi_indices], device=z.device)
    b = torch.tensor([j for _, j in multi_indices], device=z.device)
    return H[:, :, a, b]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="A small run: 1024 points, fewer samples (about 20 s on 2 cores).")
    parser.add_argument("--points", type=int, default=None, help="Points (default 16384; 1024 with --quick).")
    parser.add_argument("--chunk", type=int, default=4096, help="Points per vmap call of the project's path.")
    parser.add_argument("--grad-outputs", type=int, default=None, help="Outputs timed in the autograd.grad loop (default 32; 8 quick).")
    parser.add_argument("--functional-chunk", type=int, default=64, help="Points per autograd.functional.jacobian call.")
    parser.add_argument("--functional-chunks", type=int, default=None, help="Chunks timed for autograd.functional.jacobian (default 4; 1 quick).")
    parser.add_argument("--hessian-points", type=int, default=None, help="Points timed for torch.func.hessian (default 128; 32 quick).")
    parser.add_argument("--full-baselines", action="store_true", help="Time the baselines on every point and output (slow).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of the project's Jacobian timing (median).")
    parser.add_argument("--hessian-repeat", type=int, default=1, help="Runs of the project's cross-Hessian timing (median).")
    parser.add_argument("--previous-points", type=int, default=None, help="Points timed for the previous nested-jacfwd cross-Hessian path (default 2048; 256 quick).")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's own).")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="Also write the numbers to this JSON file.")
    args = parser.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    n = args.points or (1024 if args.quick else 16384)
    grad_k = args.grad_outputs or (8 if args.quick else 32)
    f_chunks = args.functional_chunks or (1 if args.quick else 4)
    h_points = args.hessian_points or (32 if args.quick else 128)
    repeat = 1 if args.quick else args.repeat
    if args.full_baselines:
        grad_k, f_chunks, h_points = M, -(-n // args.functional_chunk), n

    net = build_mlp(args.seed, torch.float32, args.device)
    z = (torch.rand(n, D, generator=torch.Generator().manual_seed(args.seed + 1)) * 2 - 1).to(device)
    report: dict[str, Any] = {
        "model": f"MLP {D}->{WIDTH}->{WIDTH}->{M} tanh, float32",
        "points": n,
        "device": str(device),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_start": os.getloadavg()[0],
    }
    print(f"# {report['model']}, {n} points, device {device}, {report['threads']} threads, torch {torch.__version__}")

    rate, rate_cpu = gemm_rates(min(n, 4096), device)
    flops = forward_flops()
    t_fwd, _ = _time(lambda: net(z).detach(), device, repeat)
    report["gemm_gflops"] = rate / 1e9
    report["gemm_gflops_per_cpu_second"] = rate_cpu / 1e9
    report["forward_seconds"] = t_fwd
    print(f"GEMM rate {rate / 1e9:.1f} GFLOP/s ({rate_cpu / 1e9:.1f} per CPU second); forward pass {t_fwd:.3f} s ({flops * n / t_fwd / 1e9:.1f} GFLOP/s)")

    # -- Jacobian supports ------------------------------------------------------------------------
    t_proj, c_proj, S = _time_cpu(lambda: project_supports(net, z, args.chunk), device, repeat, lambda: project_supports(net, z[:64], args.chunk))
    outputs = torch.linspace(0, M - 1, grad_k).round().long().tolist()
    t_f, per_output, G = grad_loop(net, z, outputs)
    t_loop = t_f + per_output * M
    with torch.no_grad():
        J_sample = jacobian(net, z[: args.functional_chunk])
    assert torch.allclose(G[: args.functional_chunk], J_sample[:, outputs], rtol=1e-4, atol=1e-6), "autograd.grad loop disagrees"
    chunks = list(z.split(args.functional_chunk))[:f_chunks]
    functional_jacobian(net, chunks[0])  # warm-up
    t0 = time.perf_counter()
    for c in chunks:
        Jf = functional_jacobian(net, c)
    _sync(device)
    t_func = (time.perf_counter() - t0) / sum(c.shape[0] for c in chunks) * n
    assert torch.allclose(Jf, jacobian(net, chunks[-1]).detach(), rtol=1e-4, atol=1e-6), "functional.jacobian disagrees"
    bound_j = D * flops * n / rate
    best = min(t_loop, t_func)
    report["jacobian"] = {
        "project_seconds": t_proj,
        "grad_loop_seconds": t_loop,
        "grad_loop_note": f"forward once + {grad_k} of {M} outputs timed, extrapolated",
        "functional_seconds": t_func,
        "functional_note": f"{sum(c.shape[0] for c in chunks)} of {n} points timed in chunks of {args.functional_chunk}, extrapolated",
        "speedup_vs_grad_loop": t_loop / t_proj,
        "speedup_vs_functional": t_func / t_proj,
        "speedup_vs_best": best / t_proj,
        "flop_bound_seconds": bound_j,
        "ratio_to_flop_bound": t_proj / bound_j,
        "project_cpu_seconds": c_proj,
        "cpu_ratio_to_flop_bound": c_proj / (D * flops * n / rate_cpu),
        "support_fraction": float(S.float().mean()),
    }
    print("\nJacobian supports (|J| > tau at every point)")
    print(f"  project numeric.derivatives.jacobian:          {t_proj:8.3f} s")
    print(f"  loop of autograd.grad (extrapolated):          {t_loop:8.3f} s   ({t_loop / t_proj:.1f}x)  [{report['jacobian']['grad_loop_note']}]")
    print(f"  autograd.functional.jacobian(vectorize=True):  {t_func:8.3f} s   ({t_func / t_proj:.1f}x)  [{report['jacobian']['functional_note']}]")
    print(f"  FLOP bound d*F*N/rate:                         {bound_j:8.3f} s   (project is {t_proj / bound_j:.1f}x the bound; "
          f"CPU {c_proj:.3f} s, {report['jacobian']['cpu_ratio_to_flop_bound']:.1f}x the bound per CPU second)")

    # -- cross-Hessian blocks ------------------------------------------------------------------------
    with torch.no_grad():
        t_cross, c_cross, cd = _time_cpu(
            lambda: cross_derivatives(net, z, BLOCKS, 2, min(args.chunk, 2048)),
            device,
            args.hessian_repeat,
            lambda: cross_derivatives(net, z[:64], BLOCKS, 2),
        )
    p_points = min(n, args.previous_points or (256 if args.quick else 2048))
    saved = derivatives._plain_mlp
    derivatives._plain_mlp = lambda f: None  # the nested-jacfwd path, as before the written-out pass
    try:
        with torch.no_grad():
            cross_derivatives(net, z[:64], BLOCKS, 2)  # warm-up
            _sync(device)
            t0, c0 = time.perf_counter(), time.process_time()
            prev = cross_derivatives(net, z[:p_points], BLOCKS, 2, min(args.chunk, 2048))
            _sync(device)
            t_prev = (time.perf_counter() - t0) / p_points * n
            c_prev = (time.process_time() - c0) / p_points * n
    finally:
        derivatives._plain_mlp = saved
    assert prev.multi_indices == cd.multi_indices
    prev_diff = float((prev.values - cd.values[:p_points]).abs().max())
    assert torch.allclose(prev.values, cd.values[:p_points], rtol=1e-4, atol=1e-6), "the nested-jacfwd path disagrees"
    hz = z[:h_points]
    hessian_cross_blocks(net, hz[:4], cd.multi_indices)  # warm-up
    _sync(device)
    t0 = time.perf_counter()
    with torch.no_grad():
        Hc = hessian_cross_blocks(net, hz, cd.multi_indices)
    _sync(device)
    t_hess = (time.perf_counter() - t0) / h_points * n
    assert torch.allclose(Hc, cd.values[:h_points], rtol=1e-3, atol=1e-5), "torch.func.hessian disagrees"
    pairs = len(cd.multi_indices)
    bound_h = (D + pairs) * flops * n / rate
    bound_h_cpu = (D + pairs) * flops * n / rate_cpu
    report["cross_hessian"] = {
        "entries_per_output": pairs,
        "project_seconds": t_cross,
        "project_cpu_seconds": c_cross,
        "previous_nested_jacfwd_seconds": t_prev,
        "previous_nested_jacfwd_cpu_seconds": c_prev,
        "previous_note": f"{p_points} of {n} points timed, extrapolated",
        "previous_max_abs_difference": prev_diff,
        "speedup_vs_previous": t_prev / t_cross,
        "hessian_seconds": t_hess,
        "hessian_note": f"{h_points} of {n} points timed, extrapolated",
        "speedup_vs_hessian": t_hess / t_cross,
        "flop_bound_seconds": bound_h,
        "ratio_to_flop_bound": t_cross / bound_h,
        "flop_bound_cpu_seconds": bound_h_cpu,
        "cpu_ratio_to_flop_bound": c_cross / bound_h_cpu,
    }
    print(f"\nCross-Hessian blocks ({pairs} cross entries per output, {len(BLOCKS)} factors of 2)")
    print(f"  project, second-order pass written out:        {t_cross:8.3f} s   (CPU {c_cross:.3f} s)")
    print(f"  previous nested jacfwd (extrapolated):         {t_prev:8.3f} s   ({t_prev / t_cross:.1f}x; CPU {c_prev:.3f} s, {c_prev / c_cross:.1f}x)  [{report['cross_hessian']['previous_note']}; max |diff| {prev_diff:.1e}]")
    print(f"  vmap(torch.func.hessian) (extrapolated):       {t_hess:8.3f} s   ({t_hess / t_cross:.1f}x)  [{report['cross_hessian']['hessian_note']}]")
    print(f"  FLOP bound (d+P)*F*N/rate:                     {bound_h:8.3f} s   (project is {t_cross / bound_h:.1f}x the bound; "
          f"in CPU time {c_cross:.3f} s against {bound_h_cpu:.3f} s, {c_cross / bound_h_cpu:.1f}x)")

    checks = {
        "jacobian >= 2x faster than the best baseline": best / t_proj >= 2,
        "cross-Hessian >= 10x faster than torch.func.hessian": t_hess / t_cross >= 10,
        "jacobian within 5x of the FLOP bound": t_proj / bound_j <= 5,
        "cross-Hessian within 3x of the FLOP bound (wall)": t_cross / bound_h <= 3,
        "cross-Hessian within 3x of the FLOP bound (CPU time)": c_cross / bound_h_cpu <= 3,
    }
    report["targets"] = checks
    report["load_average_end"] = os.getloadavg()[0]
    print(f"\nload average: {report['load_average_start']:.1f} at the start, {report['load_average_end']:.1f} at the end")
    print()
    for text, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()

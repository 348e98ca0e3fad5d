"""Benchmark: the numeric layer's Jacobians and the experiment's training step, torch against jitted JAX.

Both sides compute the same numbers from the same weights, in one process, timed interleaved:

1. **Jacobians** of the bench_numeric MLP (10 -> 256 -> 256 -> 1024, tanh, float32, seed 0) at
   ``--points`` points: the project's :func:`numeric.derivatives.jacobian` (the written-out
   forward mode of a plain MLP, in blocks of :data:`numeric.derivatives.MLP_CPU_CHUNK` points,
   spread over single-threaded workers with several threads)
   against ``jax.jit(jax.vmap(jax.jacfwd(f)))`` over chunks of ``--chunk`` points, and, for the
   record, the previous torch path ``vmap(jacfwd(net))`` over the same chunks.  The results are
   compared (largest absolute difference).  With the FLOP bound ``d * F * N / rate`` of
   bench_numeric (``rate``: this machine's measured float32 GEMM throughput with the same threads).
2. **One training step** of the experiment, K = 2 (the ``small`` sweep's shape: slot maps
   R^3 -> R^20, pool layout, overlap 0, obs dim 40, encoder/decoder MLPs 80 wide, batch 64,
   loss MSE + lambda * C_comp with lambda = 1, Adam 1e-3): :func:`numeric.experiment.training.train_single`'s
   step (today: the decoder Jacobians by :func:`numeric.experiment.models.mlp_jacobian_and_output`,
   gradients by ``torch.autograd.grad``, the update by :class:`numeric.experiment.training.FusedAdam`),
   the same step with ``torch.optim.Adam(fused=True)`` and ``loss.backward()`` (the step before
   ``FusedAdam``; bitwise the same numbers), the previous torch step (Jacobians by
   ``vmap(jacfwd)``), and the same step written in JAX
   (:func:`jax_loss`, a hand-written Adam with torch's update rule) under ``jax.jit``.  Each
   side runs ``--steps`` steps from the same initialisation on batches drawn from the same
   ``torch.Generator``; the loss, recon, C_comp and every gradient of one batch are compared
   first (they must agree to 1e-5: the same computation), and the final losses after the run.
3. **A vmapped ensemble of 6** (``--ensemble``): :func:`numeric.experiment.training.train_ensemble`
   against ``jax.vmap`` of the JAX step over the members.

Timings are medians of ``--repeat`` runs, in wall time and in CPU time (``time.process_time``, all
threads of the process: on a loaded machine the steadier of the two); the ratio torch / JAX is
reported for each.  The load
average of the machine before and after is printed (the numbers are only comparable on a quiet
machine).  torch uses ``--threads`` threads; JAX's CPU backend is given the same number of
threads through ``XLA_FLAGS`` (set before JAX is imported).  ``--compile`` also times
``torch.compile`` of the training loss (its compile time included), which is not used by the
project (see benchmarks/README.md).

JAX is an optional benchmark dependency (``pip install mechind[bench]``); without it the script
says so and exits with status 0.  Run from the repository root::

    python benchmarks/bench_jax.py [--threads 2] [--points 8192] [--steps 300] [--repeat 5]
                                   [--ensemble] [--compile] [--json benchmarks/results/jax.json]
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

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

MISSING = "bench_jax: skipped, JAX is not installed (pip install 'mechind[bench]' or pip install jax)"

K, SLOT_DIM, SLOT_OUTPUTS, BATCH, LAM = 2, 3, 20, 64, 1.0


def _wall_and_cpu(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU seconds (``time.process_time``: every thread of the process) of one ``fn()``."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def _median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


# -- JAX side ------------------------------------------------------------------------------------
def jax_mlp(layers: list, h: Any, activation: Callable[[Any], Any]) -> Any:
    """``x -> W_L act(... act(W_1 x + b_1) ...) + b_L`` with torch's ``Linear`` layout ``W (out, in)``."""
    for i, (w, b) in enumerate(layers):
        h = h @ w.T + b
        if i < len(layers) - 1:
            h = activation(h)
    return h


def jax_leaky_relu(h: Any) -> Any:
    """LeakyReLU(0.2) with torch's convention at 0 (slope 0.2 where ``h <= 0``)."""
    import jax.numpy as jnp

    return jnp.where(h > 0, h, 0.2 * h)


def jax_loss(params: tuple, xb: Any, lam: Any) -> tuple[Any, tuple[Any, Any]]:
    """``recon + lam * C_comp`` of :func:`numeric.experiment.training.autoencoder_loss` in JAX.

    ``C_comp`` is Brady et al.'s unweighted contrast with ``eps = 1e-12`` after the norm, slots of
    :data:`SLOT_DIM` contiguous latents, pairs accumulated slot pair by slot pair, batch mean.
    """
    import jax
    import jax.numpy as jnp

    encoder, decoder = params
    zh = jax_mlp(encoder, xb, jax_leaky_relu)

    def with_output(z: Any) -> tuple[Any, Any]:
        out = jax_mlp(decoder, z, jax_leaky_relu)
        return out, out

    jac, xh = jax.vmap(jax.jacfwd(with_output, has_aux=True))(zh)
    recon = jnp.mean((xb - xh) ** 2)
    n, m, d = jac.shape
    norms = jnp.linalg.norm(jac.reshape(n, m, d // SLOT_DIM, SLOT_DIM), axis=-1) + 1e-12
    slots = d // SLOT_DIM
    total = norms[..., 0] * norms[..., 1]
    for i in range(slots):
        for j in range(i + 1, slots):
            if (i, j) != (0, 1):
                total = total + norms[..., i] * norms[..., j]
    ccomp = total.sum(-1).mean()
    return recon + lam * ccomp, (recon, ccomp)


def jax_adam_step(params: Any, state: tuple, grads: Any, step: Any, lr: float) -> tuple[Any, tuple]:
    """torch's Adam update (betas 0.9, 0.999, eps 1e-8, no weight decay) on a pytree."""
    import jax
    import jax.numpy as jnp

    b1, b2, eps = 0.9, 0.999, 1e-8
    m, v = state
    m = jax.tree_util.tree_map(lambda m_, g: b1 * m_ + (1 - b1) * g, m, grads)
    v = jax.tree_util.tree_map(lambda v_, g: b2 * v_ + (1 - b2) * g * g, v, grads)
    bc1, bc2 = 1 - b1**step, 1 - b2**step
    params = jax.tree_util.tree_map(lambda p, m_, v_: p - (lr / bc1) * m_ / (jnp.sqrt(v_) / jnp.sqrt(bc2) + eps), params, m, v)
    return params, (m, v)


def jax_train_step(params: Any, state: tuple, step: Any, xb: Any, lam: Any, lr: float) -> tuple:
    """One step: loss and gradients, then Adam; returns ``(params, state, loss, recon, ccomp)``."""
    import jax

    (loss, (recon, ccomp)), grads = jax.value_and_grad(jax_loss, has_aux=True)(params, xb, lam)
    params, state = jax_adam_step(params, state, grads, step, lr)
    return params, state, loss, recon, ccomp


def _torch_layers(mlp: Any) -> list:
    import jax.numpy as jnp

    return [(jnp.asarray(layer.weight.detach().cpu().numpy()), jnp.asarray(layer.bias.detach().cpu().numpy())) for layer in mlp.fc]


# -- part 1: Jacobians ---------------------------------------------------------------------------
def bench_jacobian(points: int, chunk: int, repeat: int, seed: int) -> dict[str, Any]:
    """Jacobians of the bench_numeric MLP: torch (today and the previous path) vs jitted JAX."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    import torch
    from torch.func import jacfwd, vmap

    from bench_numeric import D, build_mlp, forward_flops, gemm_rate
    from numeric.derivatives import MLP_CPU_CHUNK, jacobian

    net = build_mlp(seed)
    z = torch.rand(points, D, generator=torch.Generator().manual_seed(seed + 1)) * 2 - 1
    layers = [(jnp.asarray(m.weight.detach().numpy()), jnp.asarray(m.bias.detach().numpy())) for m in (net[0], net[2], net[4])]
    jac_fn = jax.jit(jax.vmap(jax.jacfwd(lambda x: jax_mlp(layers, x, jnp.tanh))))
    z_chunks = [jnp.asarray(c.numpy()) for c in z.split(chunk)]

    def run_jax() -> list:
        return [jac_fn(c).block_until_ready() for c in z_chunks]

    def run_torch() -> torch.Tensor:
        with torch.no_grad():
            return jacobian(net, z, chunk)

    def run_openmp() -> torch.Tensor:
        # the written-out pass on chunks of `chunk` points, every operation one OpenMP parallel
        # region over torch's threads: how jacobian() ran with several threads before the workers
        from numeric.derivatives import _gather, _mlp_jacobian, _plain_mlp

        layers = _plain_mlp(net)
        with torch.no_grad():
            return _gather(lambda c: _mlp_jacobian(layers, c), list(z.split(chunk)))

    def run_previous() -> torch.Tensor:
        with torch.no_grad():
            fn = vmap(jacfwd(net))
            return torch.cat([fn(c) for c in z.split(chunk)])

    J_torch, J_jax, J_prev = run_torch(), np.concatenate([np.asarray(a) for a in run_jax()]), run_previous()
    diff_jax = float(np.max(np.abs(J_torch.numpy() - J_jax)))
    diff_prev = float((J_torch - J_prev).abs().max())
    times: dict[str, list[float]] = {"torch": [], "jax": [], "torch_previous": []}
    variants = [("torch", run_torch), ("jax", run_jax), ("torch_previous", run_previous)]
    if torch.get_num_threads() > 1:
        times["torch_openmp"] = []
        variants.insert(2, ("torch_openmp", run_openmp))
        assert torch.allclose(run_openmp(), J_torch, rtol=1e-5, atol=1e-7), "the OpenMP chunks disagree"
    cpu: dict[str, list[float]] = {k: [] for k in times}
    for _ in range(repeat):  # interleaved
        for name, fn in variants:
            wall, used = _wall_and_cpu(fn)
            times[name].append(wall)
            cpu[name].append(used)
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    rate = gemm_rate(min(points, 4096), torch.device("cpu"))
    bound = D * forward_flops() * points / rate
    return {
        "points": points,
        "chunk": chunk,
        "torch_block": MLP_CPU_CHUNK,
        "torch_workers": torch.get_num_threads(),
        "seconds": med,
        "runs": times,
        "cpu_seconds": med_cpu,
        "cpu_runs": cpu,
        "ratio_torch_over_jax": med["torch"] / med["jax"],
        "cpu_ratio_torch_over_jax": med_cpu["torch"] / med_cpu["jax"],
        "ratio_previous_over_jax": med["torch_previous"] / med["jax"],
        "speedup_over_previous": med["torch_previous"] / med["torch"],
        "flop_bound_seconds": bound,
        "gemm_gflops": rate / 1e9,
        "ratio_to_flop_bound": {k: v / bound for k, v in med.items()},
        "max_abs_difference_torch_jax": diff_jax,
        "max_abs_difference_torch_previous": diff_prev,
        "max_abs_entry": float(J_torch.abs().max()),
    }


# -- part 2: the training step ---------------------------------------------------------------------
def _data(seed: int) -> Any:
    import torch

    from numeric.experiment.groundtruth import sample_ground_truth

    gt = sample_ground_truth(K, SLOT_DIM, SLOT_OUTPUTS, 0.0, seed=1000 + seed, cond_pool=200)
    z = torch.randn(5000, SLOT_DIM * K, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return gt(z).float()


def _torch_loop(x: Any, steps: int, init_seed: int, batch_seed: int, fast: bool | str) -> list[float]:
    """``train_single``'s loop (``fast``: as today; ``"optim"``: the written-out Jacobians with
    ``torch.optim.Adam(fused=True)`` and ``loss.backward()``, the step before :class:`FusedAdam`;
    ``False``: the Jacobians by ``vmap(jacfwd)`` and ``torch.optim.Adam``)."""
    from numeric.experiment.training import TrainSettings, autoencoder_loss, train_single

    if fast is True:
        return train_single(x, LAM, init_seed, batch_seed, TrainSettings(steps=steps), SLOT_DIM, SLOT_DIM * K).history["loss"]
    import torch

    from numeric.experiment.models import init_autoencoder

    model = init_autoencoder(x.shape[-1], SLOT_DIM * K, init_seed)
    jac = model.decoder.jacobian_and_output if fast == "optim" else None
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    gen = torch.Generator().manual_seed(batch_seed)
    losses = []
    for step in range(1, steps + 1):
        idx = torch.stack([torch.randint(len(x), (BATCH,), generator=gen)])[0]
        optimizer.zero_grad()
        loss, recon, ccomp = autoencoder_loss(model.encoder, model.decoder, x[idx], LAM, SLOT_DIM, decoder_jacobian=jac)
        loss.backward()
        optimizer.step()
        if step == int(steps * 0.5):
            optimizer.param_groups[0]["lr"] = 1e-4
        losses.append(float(loss.detach()))
    return losses


def _jax_loop(x: Any, steps: int, init_seed: int, batch_seed: int, step_fn: Callable) -> list[float]:
    """The same loop in JAX: batches from the same ``torch.Generator``, one jitted step each."""
    import jax
    import jax.numpy as jnp
    import torch

    from numeric.experiment.models import init_autoencoder

    model = init_autoencoder(x.shape[-1], SLOT_DIM * K, init_seed)
    params = (_torch_layers(model.encoder), _torch_layers(model.decoder))
    state = (jax.tree_util.tree_map(jnp.zeros_like, params), jax.tree_util.tree_map(jnp.zeros_like, params))
    gen = torch.Generator().manual_seed(batch_seed)
    xn = x.numpy()
    losses = []
    for step in range(1, steps + 1):
        idx = torch.stack([torch.randint(len(x), (BATCH,), generator=gen)])[0].numpy()
        lr = 1e-3 if step <= int(steps * 0.5) else 1e-4
        params, state, loss, _, _ = step_fn(params, state, jnp.float32(step), jnp.asarray(xn[idx]), jnp.float32(LAM), lr)
        losses.append(float(loss))
    return losses


def check_one_batch(x: Any) -> dict[str, float]:
    """Loss, recon, C_comp and gradients of one batch: torch (today), torch (previous), JAX."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from numeric.experiment.models import init_autoencoder
    from numeric.experiment.training import autoencoder_loss

    xb = x[:BATCH]
    out: dict[str, Any] = {}
    torch_values = {}
    for fast in (True, False):
        model = init_autoencoder(x.shape[-1], SLOT_DIM * K, 10)
        loss, recon, ccomp = autoencoder_loss(
            model.encoder, model.decoder, xb, LAM, SLOT_DIM, decoder_jacobian=model.decoder.jacobian_and_output if fast else None
        )
        loss.backward()
        grads = [p.grad.numpy().copy() for net in (model.encoder, model.decoder) for layer in net.fc for p in (layer.weight, layer.bias)]
        torch_values[fast] = (np.array([float(loss.detach()), float(recon.detach()), float(ccomp.detach())]), grads)
    params = (_torch_layers(model.encoder), _torch_layers(model.decoder))
    (loss, (recon, ccomp)), grads = jax.jit(jax.value_and_grad(jax_loss, has_aux=True))(params, jnp.asarray(xb.numpy()), jnp.float32(LAM))
    jax_values = (np.array([float(loss), float(recon), float(ccomp)]), [np.asarray(g) for g in jax.tree_util.tree_leaves(grads)])
    for name, (vals, grads) in (("jax", jax_values), ("torch_previous", torch_values[False])):
        ref_vals, ref_grads = torch_values[True]
        out[f"loss_recon_ccomp_max_abs_difference_{name}"] = float(np.max(np.abs(vals - ref_vals)))
        out[f"gradient_max_abs_difference_{name}"] = max(float(np.max(np.abs(g - r))) for g, r in zip(grads, ref_grads))
    out["loss"] = float(torch_values[True][0][0])
    out["gradient_max_abs"] = max(float(np.max(np.abs(g))) for g in torch_values[True][1])
    return out


def bench_training(steps: int, repeat: int, seed: int) -> dict[str, Any]:
    """Per-step time of the K = 2 training loop: torch today, torch previous, jitted JAX."""
    import jax

    x = _data(seed)
    check = check_one_batch(x)
    step_fn = jax.jit(jax_train_step, donate_argnums=(0, 1), static_argnums=())
    # warm-up (JIT compile, first calls)
    t0 = time.perf_counter()
    _jax_loop(x, 2, 10, 20, step_fn)
    jax_compile = time.perf_counter() - t0
    _torch_loop(x, 5, 10, 20, True)
    _torch_loop(x, 5, 10, 20, False)
    _torch_loop(x, 5, 10, 20, "optim")
    runs: dict[str, list[float]] = {"torch": [], "jax": [], "torch_optim": [], "torch_previous": []}
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    finals: dict[str, list[float]] = {}
    for _ in range(repeat):
        for name, fn in (
            ("torch", lambda: _torch_loop(x, steps, 10, 20, True)),
            ("jax", lambda: _jax_loop(x, steps, 10, 20, step_fn)),
            ("torch_optim", lambda: _torch_loop(x, steps, 10, 20, "optim")),
            ("torch_previous", lambda: _torch_loop(x, steps, 10, 20, False)),
        ):
            wall, used = _wall_and_cpu(lambda: finals.__setitem__(name, fn()))
            runs[name].append(wall / steps)
            cpu[name].append(used / steps)
    out = {"obs_dim": int(x.shape[-1]), "steps": steps, **_per_step_summary(runs, cpu)}
    med = out["seconds_per_step"]
    return {
        **out,
        "ratio_previous_over_jax": med["torch_previous"] / med["jax"],
        "speedup_over_previous": med["torch_previous"] / med["torch"],
        "jax_first_call_seconds": jax_compile,
        "one_batch": check,
        "final_loss": {k: v[-1] for k, v in finals.items()},
    }


def bench_ensemble(members: int, steps: int, repeat: int, seed: int) -> dict[str, Any]:
    """A vmapped ensemble: ``train_ensemble`` vs ``jax.vmap`` of the jitted step."""
    import jax
    import jax.numpy as jnp
    import torch

    from numeric.experiment.models import init_autoencoder
    from numeric.experiment.training import TrainSettings, train_ensemble

    x = _data(seed)
    xs = torch.stack([x] * members)
    lams = [LAM] * members
    inits, batch_seeds = list(range(10, 10 + members)), list(range(20, 20 + members))
    models = [init_autoencoder(x.shape[-1], SLOT_DIM * K, s) for s in inits]
    stack = lambda trees: jax.tree_util.tree_map(lambda *a: jnp.stack(a), *trees)  # noqa: E731
    step_fn = jax.jit(jax.vmap(jax_train_step, in_axes=(0, 0, None, 0, None, None)), donate_argnums=(0, 1))
    xn = xs.numpy()

    def run_jax(n: int) -> None:
        params = stack([(_torch_layers(m.encoder), _torch_layers(m.decoder)) for m in models])
        state = (jax.tree_util.tree_map(jnp.zeros_like, params), jax.tree_util.tree_map(jnp.zeros_like, params))
        gens = [torch.Generator().manual_seed(s) for s in batch_seeds]
        rows = torch.arange(members).unsqueeze(1).numpy()
        for step in range(1, n + 1):
            idx = torch.stack([torch.randint(x.shape[0], (BATCH,), generator=g) for g in gens]).numpy()
            lr = 1e-3 if step <= int(n * 0.5) else 1e-4
            params, state, loss, _, _ = step_fn(params, state, jnp.float32(step), jnp.asarray(xn[rows, idx]), jnp.float32(LAM), lr)
        loss.block_until_ready()

    def run_torch(n: int) -> None:
        train_ensemble(xs, lams, inits, batch_seeds, TrainSettings(steps=n), SLOT_DIM, SLOT_DIM * K)

    run_jax(2)
    run_torch(3)
    runs: dict[str, list[float]] = {"torch": [], "jax": []}
    cpu: dict[str, list[float]] = {"torch": [], "jax": []}
    for _ in range(repeat):
        for name, fn in (("torch", run_torch), ("jax", run_jax)):
            wall, used = _wall_and_cpu(lambda: fn(steps))
            runs[name].append(wall / steps)
            cpu[name].append(used / steps)
    return {"members": members, "steps": steps, **_per_step_summary(runs, cpu)}


def _per_step_summary(runs: dict[str, list[float]], cpu: dict[str, list[float]]) -> dict[str, Any]:
    """Medians of the per-step wall and CPU times, and torch / JAX in both."""
    med = {k: statistics.median(v) for k, v in runs.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    return {
        "seconds_per_step": med,
        "runs": runs,
        "cpu_seconds_per_step": med_cpu,
        "cpu_runs": cpu,
        "ratio_torch_over_jax": med["torch"] / med["jax"],
        "cpu_ratio_torch_over_jax": med_cpu["torch"] / med_cpu["jax"],
    }


def bench_compile(steps: int) -> dict[str, Any]:
    """``torch.compile`` of the training loss: compile time and per-step time against eager."""
    import torch

    from numeric.experiment.models import init_autoencoder
    from numeric.experiment.training import autoencoder_loss

    x = _data(0)
    xb = x[:BATCH]
    out: dict[str, Any] = {}
    for fast in (True, False):
        model = init_autoencoder(x.shape[-1], SLOT_DIM * K, 10)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
        jac = model.decoder.jacobian_and_output if fast else None
        eager = lambda b: autoencoder_loss(model.encoder, model.decoder, b, LAM, SLOT_DIM, decoder_jacobian=jac)  # noqa: E731
        compiled = torch.compile(eager)

        def step(loss_fn: Callable) -> None:
            optimizer.zero_grad()
            loss, _, _ = loss_fn(xb)
            loss.backward()
            optimizer.step()

        t0 = time.perf_counter()
        try:
            step(compiled)
        except Exception as exc:  # noqa: BLE001 - reported, not fatal
            out["fast" if fast else "previous"] = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
            continue
        compile_seconds = time.perf_counter() - t0
        times = {}
        for name, fn in (("eager", eager), ("compiled", compiled)):
            for _ in range(5):
                step(fn)
            t0 = time.perf_counter()
            for _ in range(steps):
                step(fn)
            times[name] = (time.perf_counter() - t0) / steps
        out["fast" if fast else "previous"] = {"compile_seconds": compile_seconds, "seconds_per_step": times}
    return out


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    """Run the benchmark, print the summary and return the numbers (``None`` without JAX)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch threads, and JAX's CPU threads (default 2)")
    parser.add_argument("--points", type=int, default=8192, help="points of the Jacobian part (default 8192)")
    parser.add_argument("--chunk", type=int, default=4096, help="points per call of JAX and of the previous torch path (default 4096)")
    parser.add_argument("--steps", type=int, default=300, help="training steps per timed run (default 300)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each side; the median is reported (default 5)")
    parser.add_argument("--ensemble", action="store_true", help="also time a vmapped ensemble of 6")
    parser.add_argument("--compile", action="store_true", help="also time torch.compile of the training loss")
    parser.add_argument("--only", choices=("jacobian", "training"), default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    flags = f"--xla_cpu_multi_thread_eigen={'true' if args.threads > 1 else 'false'} intra_op_parallelism_threads={args.threads}"
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + flags).strip()
    try:
        import jax
    except ImportError:
        print(MISSING)
        return None
    import torch

    torch.set_num_threads(args.threads)
    load = os.getloadavg()[0]
    report: dict[str, Any] = {
        "benchmark": "bench_jax",
        "threads": args.threads,
        "cpus": os.cpu_count(),
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "jax": jax.__version__},
        "xla_flags": os.environ["XLA_FLAGS"],
        "repeat": args.repeat,
    }
    print(f"# torch {torch.__version__} vs jax {jax.__version__}, {args.threads} thread(s) each, {os.cpu_count()} cpus, "
          f"median of {args.repeat}, load average {load:.1f} at the start")
    if args.only in (None, "jacobian"):
        j = report["jacobian"] = bench_jacobian(args.points, args.chunk, args.repeat, args.seed)
        s = j["seconds"]
        print(f"\nJacobians, MLP 10->256->256->1024 tanh, {args.points} points (JAX and the previous path in chunks of {args.chunk}, "
              f"today's torch in blocks of {j['torch_block']}, {j['torch_workers']} single-threaded worker(s))")
        sc = j["cpu_seconds"]
        print(f"  torch numeric.derivatives.jacobian:  {s['torch']:8.3f} s  (CPU {sc['torch']:.3f} s; {j['ratio_to_flop_bound']['torch']:.1f}x the FLOP bound)")
        print(f"  jax jit(vmap(jacfwd)):               {s['jax']:8.3f} s  (CPU {sc['jax']:.3f} s; {j['ratio_to_flop_bound']['jax']:.1f}x the FLOP bound)")
        if "torch_openmp" in s:
            print(f"  torch same pass, OpenMP on chunks:   {s['torch_openmp']:8.3f} s  (CPU {sc['torch_openmp']:.3f} s; "
                  f"{s['torch_openmp'] / s['jax']:.2f}x JAX, CPU {sc['torch_openmp'] / sc['jax']:.2f}x)")
        print(f"  torch previous vmap(jacfwd):         {s['torch_previous']:8.3f} s  (CPU {sc['torch_previous']:.3f} s; {j['ratio_to_flop_bound']['torch_previous']:.1f}x the FLOP bound)")
        print(f"  ratio torch / JAX: {j['ratio_torch_over_jax']:.2f}x, CPU time {j['cpu_ratio_torch_over_jax']:.2f}x (previous path {j['ratio_previous_over_jax']:.2f}x); "
              f"largest |difference| torch-JAX {j['max_abs_difference_torch_jax']:.1e}, torch-previous "
              f"{j['max_abs_difference_torch_previous']:.1e} (entries up to {j['max_abs_entry']:.2f})")
    if args.only in (None, "training"):
        t = report["training"] = bench_training(args.steps, args.repeat, args.seed)
        s, c = t["seconds_per_step"], t["one_batch"]
        print(f"\nTraining step, K = {K} (obs dim {t['obs_dim']}, batch {BATCH}, lambda {LAM}), {args.steps} steps per run")
        sc = t["cpu_seconds_per_step"]
        print(f"  torch train_single (written-out Jacobians): {s['torch'] * 1e3:7.2f} ms/step  (CPU {sc['torch'] * 1e3:.2f} ms)")
        print(f"  jax jit(step):                              {s['jax'] * 1e3:7.2f} ms/step  (CPU {sc['jax'] * 1e3:.2f} ms; first call {t['jax_first_call_seconds']:.1f} s)")
        print(f"  torch with torch.optim.Adam + backward():   {s['torch_optim'] * 1e3:7.2f} ms/step  (CPU {sc['torch_optim'] * 1e3:.2f} ms)")
        print(f"  torch previous (vmap(jacfwd)):              {s['torch_previous'] * 1e3:7.2f} ms/step  (CPU {sc['torch_previous'] * 1e3:.2f} ms)")
        print(f"  ratio torch / JAX: {t['ratio_torch_over_jax']:.2f}x, CPU time {t['cpu_ratio_torch_over_jax']:.2f}x "
              f"(with torch.optim.Adam {s['torch_optim'] / s['jax']:.2f}x, CPU {sc['torch_optim'] / sc['jax']:.2f}x; previous {t['ratio_previous_over_jax']:.2f}x; "
              f"today {t['speedup_over_previous']:.2f}x faster than previous)")
        ok = max(c["loss_recon_ccomp_max_abs_difference_jax"], c["gradient_max_abs_difference_jax"]) <= 1e-5
        print(f"  one batch: loss {c['loss']:.6f}; |difference| to JAX: values {c['loss_recon_ccomp_max_abs_difference_jax']:.1e}, "
              f"gradients {c['gradient_max_abs_difference_jax']:.1e} ({'within' if ok else 'NOT within'} 1e-5); to the previous torch path: "
              f"values {c['loss_recon_ccomp_max_abs_difference_torch_previous']:.1e}, gradients {c['gradient_max_abs_difference_torch_previous']:.1e}")
        print("  final loss after the run: " + ", ".join(f"{k} {v:.5f}" for k, v in t["final_loss"].items()))
        if args.ensemble:
            e = report["ensemble"] = bench_ensemble(6, max(args.steps // 3, 20), args.repeat, args.seed)
            print(f"  vmapped ensemble of {e['members']}: torch train_ensemble {e['seconds_per_step']['torch'] * 1e3:.2f} ms/step, "
                  f"jax {e['seconds_per_step']['jax'] * 1e3:.2f} ms/step, ratio {e['ratio_torch_over_jax']:.2f}x "
                  f"(CPU {e['cpu_seconds_per_step']['torch'] * 1e3:.2f} / {e['cpu_seconds_per_step']['jax'] * 1e3:.2f} ms, {e['cpu_ratio_torch_over_jax']:.2f}x)")
        if args.compile:
            cc = report["compile"] = bench_compile(max(args.steps // 3, 20))
            for name, row in cc.items():
                if "error" in row:
                    print(f"  torch.compile ({name} loss): failed: {row['error']}")
                else:
                    st = row["seconds_per_step"]
                    print(f"  torch.compile ({name} loss): compile {row['compile_seconds']:.1f} s, step {st['compiled'] * 1e3:.2f} ms "
                          f"against eager {st['eager'] * 1e3:.2f} ms")
    report["load_average_start_end"] = [load, os.getloadavg()[0]]
    print(f"\nload average: {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()

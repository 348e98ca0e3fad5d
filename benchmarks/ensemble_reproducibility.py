"""Why the same seeds train differently in a vmapped ensemble of another size (float32, CPU).

The sweep trains its runs as one vmapped ensemble (:func:`numeric.experiment.training.train_ensemble`):
every parameter is one tensor ``(E, ...)`` holding all members.  Its optimiser,
:class:`numeric.experiment.training.FusedAdam`, runs PyTorch's fused Adam kernel over each of
those tensors, and that kernel does not round every element alike: elements in the vectorised
body and elements in the scalar remainder of a tensor can come out one ulp apart.  Which
elements of a member fall where depends on the member's position and on ``E``, so the same
member (same data, initialisation and batches) follows a different float32 trajectory in an
ensemble of another size; the one-ulp differences grow until the run may end in another minimum.

This script measures both halves, each against the plain Adam of the sweep option
``optimizer = "adam"`` (:class:`numeric.experiment.training.PlainAdam`), written with
single-rounding elementwise operations only (``mul``, ``add``, ``sqrt``, ``div``: correctly
rounded in either code path, hence position-invariant):

1. **The kernel alone.** A 6-element parameter (an encoder output bias) stepped alone and as the
   last member of a stacked ``(E, 6)`` tensor, same gradients: how many of ``--adam-steps``
   steps round differently (the state is resynchronised after each difference).
2. **Training.** Ensembles of 1, 2 and 13 members against one of 24 (the first members share
   data and seeds; one ground truth, K = 2, overlap 0, lambda = 1, one torch thread): which
   members end with different parameters after ``--steps`` steps, and at which step the losses
   first differ.

Run from the repository root::

    python benchmarks/ensemble_reproducibility.py --steps 300

Measured (2 shared CPU cores, torch 2.x): fused Adam: 5-15 of 2,000 steps differ for a 6-element
member; in training, 1 of 1, 1 of 2 and 1 of 13 members differ from the 24-member run after 300
steps (first at steps 27, 28, 14); plain Adam: 0 everywhere, at the same speed here.  Threads
(1 against 2) changed nothing bit for bit in the same test.  See docs/learning-curve.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import Tensor

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from numeric.experiment import training  # noqa: E402
from numeric.experiment.groundtruth import sample_ground_truth  # noqa: E402


def kernel_check(optimizer: type, sizes: Sequence[int], steps: int, width: int = 6) -> dict[int, int]:
    """Steps (of ``steps``) at which the last member of ``(E, width)`` rounds unlike the same member alone."""
    gen = torch.Generator().manual_seed(0)
    out = {}
    for E in sizes:
        base = torch.randn(E, width, generator=gen)
        alone, stacked = base[-1:].clone().reshape(-1), base.clone().reshape(-1)
        a, b = optimizer([alone], 1e-3), optimizer([stacked], 1e-3)
        differ = 0
        for _ in range(steps):
            grad = torch.randn(E, width, generator=gen)
            a.step([grad[-1:].reshape(-1).clone()])
            b.step([grad.reshape(-1).clone()])
            if not torch.equal(alone, stacked[-width:]):
                differ += 1
                alone.copy_(stacked[-width:])
        out[E] = differ
    return out


def training_check(optimizer: str, sizes: Sequence[int], steps: int, reference: int = 24) -> list[str]:
    """Members of ensembles of ``sizes`` whose parameters differ from the ``reference``-member run."""
    K, d = 2, 3
    gt = sample_ground_truth(K, d, 20, 0.0, seed=0, cond_pool=50)
    z = torch.randn(4000, K * d, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    with torch.no_grad():
        x = gt(z).float()

    def run(E: int) -> training.TrainedEnsemble:
        xs = x.unsqueeze(0).expand(E, -1, -1).contiguous()
        return training.train_ensemble(
            xs, [1.0] * E, list(range(E)), list(range(100, 100 + E)), training.TrainSettings(steps=steps, optimizer=optimizer), slot_dim=d, latent_dim=K * d
        )

    def flat(m: torch.nn.Module) -> Tensor:
        return torch.cat([p.detach().reshape(-1) for p in m.parameters()])

    started = time.perf_counter()
    ref = run(reference)
    lines = []
    for E in sizes:
        got = run(E)
        diff = [float((flat(got.models[i]) - flat(ref.models[i])).abs().max()) for i in range(E)]
        first = (got.history["loss"] != ref.history["loss"][:E]).any(dim=0).nonzero()
        lines.append(
            f"E={E} vs {reference}: {sum(v > 0 for v in diff)}/{E} members differ, max |param diff| {max(diff):.2e}, "
            f"first differing loss at step {int(first[0]) + 1 if len(first) else None}"
        )
    lines.append(f"({time.perf_counter() - started:.0f} s)")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300, help="training steps per ensemble")
    parser.add_argument("--adam-steps", type=int, default=2000, help="steps of the kernel check")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    for name, optimizer in (("fused Adam (optimizer = adam-fused, the default)", "adam-fused"), ("plain Adam (optimizer = adam)", "adam")):
        counts = kernel_check(training.OPTIMIZERS[optimizer], (2, 3, 12, 24), args.adam_steps)
        print(f"{name}, kernel: steps rounding differently out of {args.adam_steps}, by E: {counts}", flush=True)
        for line in training_check(optimizer, (1, 2, 13), args.steps):
            print(f"{name}, training {args.steps} steps: {line}", flush=True)


if __name__ == "__main__":
    main()

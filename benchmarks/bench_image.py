"""Benchmark: image-sized generators (objects x pixel grid) built and checked fast (issue 17, item 1).

Two object-centric generators, every pixel a sum of compact C^2 bumps ``(1 - r^2/R^2)^3``:

* ``three``: a ``size x size`` image (64 by default) of three objects, each a 2-D block of
  position latents ``(x_k, y_k)``, whose reachable discs do not overlap;
* ``five``: the same image with five objects, 2-D blocks, whose position boxes and discs
  overlap (neighbours can coincide).

For each, the script times the structured path (:class:`theory.image.ImageGenerator`: build,
then the global checks D, M, H2, H3 and Type S at the generator's point, in one process with
one shared :class:`~theory.criteria.context.CheckContext`), and today's path: the same
generator written as plain sympy expressions (``ImageGenerator.plain()``, a
:class:`theory.Generator` with one Piecewise sum per pixel) checked the same way.  Today's
path is too slow at 64 x 64, so it runs at the smaller sizes of ``--plain-sizes`` (16 and 32
by default), next to the structured path at the same sizes; the verdicts must agree at every
size where both ran, and the time of today's path at ``--size`` is extrapolated from the two
largest sizes it ran (a power law in the number of pixels), and marked as extrapolated.

Run from the repository root::

    python benchmarks/bench_image.py [--size 64] [--plain-sizes 16,32] [--budget 600] [--json out.json]

Exit status 1 when the verdicts differ or the structured total at ``--size`` exceeds 60 s.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time

import sympy as sp

from theory import Box
from theory.budget import Budget
from theory.checker import check, parse_criteria, plan
from theory.criteria.context import CheckContext
from theory.image import Bump, ImageGenerator, Sprite
from theory.model.generator import Generator

__all__ = ["three_objects", "five_objects", "run", "main"]

#: The global checks of the acceptance (S is checked at the generator's point).
CRITERIA = "D,M,H2,H3"
#: Target: the structured path at 64 x 64, both generators, build and checks.
TARGET_SECONDS = 60.0


def three_objects(size: int = 64) -> ImageGenerator:
    """Three bumps of radius ``size // 10``, each moving in a box of side ``size // 8``,
    far enough apart that no pixel is reachable by two of them."""
    xs, ys = sp.symbols("x1:4", real=True), sp.symbols("y1:4", real=True)
    radius, half = max(2, size // 10), max(1, size // 16)
    centres = [(size // 4, size // 4), (3 * size // 4, size // 3), (size // 2, 3 * size // 4)]
    bounds, point = {}, {}
    for k, ((cx, cy), x, y) in enumerate(zip(centres, xs, ys)):
        bounds[x], bounds[y] = (cx - half, cx + half), (cy - half, cy + half)
        point[x], point[y] = sp.Rational(cx) + sp.Rational(1, 3 + k), sp.Rational(cy) - sp.Rational(1, 5 + k)
    objects = [Sprite(Bump(radius), x, y) for x, y in zip(xs, ys)]
    return ImageGenerator(f"three-objects-{size}", (size, size), objects, Box(bounds), points=[point])


def five_objects(size: int = 64) -> ImageGenerator:
    """Five bumps of radius ``size // 10`` on a zig-zag, neighbours ``1.5 R`` apart, each
    moving in a box of half-side ``R`` (neighbouring boxes overlap, so objects can coincide and
    Types D and M fail); at the generator's point the objects sit at the far ends of their
    boxes, apart (Type S at an overlapping point is left to the rho engines, whose exact search
    dominates there: see benchmarks/README.md)."""
    xs, ys = sp.symbols("x1:6", real=True), sp.symbols("y1:6", real=True)
    radius = max(2, size // 10)
    half = radius
    bounds, point = {}, {}
    for k, (x, y) in enumerate(zip(xs, ys)):
        cx = size // 2 + (k - 2) * (3 * radius) // 2
        cy = size // 2 + (radius // 2 if k % 2 else -(radius // 2))
        bounds[x], bounds[y] = (cx - half, cx + half), (cy - half, cy + half)
        point[x] = sp.Rational(cx) + sp.Rational(1, 7 + k)
        point[y] = sp.Rational(cy) + (1 if k % 2 else -1) * (half - sp.Rational(1, 5 + k))
    objects = [Sprite(Bump(radius), x, y) for x, y in zip(xs, ys)]
    return ImageGenerator(f"five-objects-{size}", (size, size), objects, Box(bounds), points=[point])


def run(generator: Generator, budget: float) -> dict:
    """Check D, M, H2, H3 (global, and D and M at the generator's point) and S at the
    generator's first point (the jobs
    :func:`theory.checker.check` plans, run in this process with one shared context).
    Returns the verdicts and the seconds."""
    start = time.perf_counter()
    ctx = CheckContext(generator)
    results = check(generator, CRITERIA, context=ctx, budget=budget, isolate=False)
    (which,) = parse_criteria("S")
    (job,) = [j for j in plan(ctx, which, [generator.points[0]]) if j[0] == "point"]  # what `mechind check` runs
    ctx.use_budget(Budget(budget))
    s_start = time.perf_counter()
    s = job[2]()
    s.seconds = time.perf_counter() - s_start
    results.append(s)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "verdicts": {f"{r.criterion}/{r.scope}": r.verdict for r in results},
        "methods": {f"{r.criterion}/{r.scope}": r.method for r in results},
        "check_seconds": {f"{r.criterion}/{r.scope}": round(r.seconds or 0.0, 3) for r in results},
        "smoothness_notes": sorted({r.criterion for r in results if (r.details or {}).get("smoothness")}),
    }


def measure(kind: str, size: int, plain: bool, budget: float) -> dict:
    """Build the generator (structured, or plain sympy when ``plain``) and check it."""
    make = three_objects if kind == "three" else five_objects
    start = time.perf_counter()
    g = make(size)
    if plain:
        g = g.plain()
    built = time.perf_counter() - start
    out = run(g, budget)
    out["build_seconds"] = built
    out["total_seconds"] = built + out["seconds"]
    return out


def _extrapolate(sizes: list[int], seconds: list[float], target: int) -> float:
    """Today's time at ``target`` from its two largest measured sizes, as a power of the pixel count."""
    (s1, t1), (s2, t2) = sorted(zip(sizes, seconds))[-2:]
    power = math.log(t2 / t1) / math.log((s2 * s2) / (s1 * s1))
    return t2 * ((target * target) / (s2 * s2)) ** power


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--plain-sizes", default="16,32", help="sizes at which today's path runs (comma-separated; include --size to run it there)")
    parser.add_argument("--budget", type=float, default=600.0, help="budget per check, seconds")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    plain_sizes = [int(s) for s in args.plain_sizes.split(",") if s]
    report: dict = {"python": sys.version.split()[0], "machine": platform.machine(), "cpus": os.cpu_count(), "size": args.size, "generators": {}}
    ok = True
    total = 0.0
    for kind in ("three", "five"):
        entry: dict = {"structured": {}, "plain": {}}
        for size in sorted(set(plain_sizes) | {args.size}):
            fast = measure(kind, size, False, args.budget)
            entry["structured"][size] = fast
            line = f"{kind:5s} {size:3d}x{size:<3d} structured {fast['total_seconds']:7.2f} s (build {fast['build_seconds']:.2f} s)"
            if size == args.size:
                total += fast["total_seconds"]
            if size in plain_sizes:
                slow = measure(kind, size, True, args.budget)
                entry["plain"][size] = slow
                same = slow["verdicts"] == fast["verdicts"]
                ok = ok and same
                line += f" | today's path {slow['total_seconds']:7.2f} s (build {slow['build_seconds']:.2f} s), ratio {slow['total_seconds'] / fast['total_seconds']:6.1f}x, same verdicts: {same}"
            print(line + f"  {fast['verdicts']}", flush=True)
        if args.size not in plain_sizes and len(plain_sizes) >= 2:
            sizes = sorted(plain_sizes)
            estimate = _extrapolate(sizes, [entry["plain"][s]["total_seconds"] for s in sizes], args.size)
            entry["plain_extrapolated"] = {"size": args.size, "seconds": estimate, "from_sizes": sizes[-2:]}
            ratio = estimate / entry["structured"][args.size]["total_seconds"]
            print(f"{kind:5s} {args.size}x{args.size}: today's path extrapolated to {estimate:.0f} s (from {sizes[-2:]}), ratio ~{ratio:.0f}x", flush=True)
        report["generators"][kind] = entry
    report["structured_total_seconds"] = total
    report["pass"] = ok and total < TARGET_SECONDS
    print(f"structured total at {args.size}x{args.size}: {total:.2f} s (target < {TARGET_SECONDS:.0f} s); verdicts agree: {ok}; {'PASS' if report['pass'] else 'FAIL'}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1, default=str)
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())

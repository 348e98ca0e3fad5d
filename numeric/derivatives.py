"""Batched derivatives with ``torch.func``, chunked over points, on any device.

* :func:`jacobian`: ``vmap(jacfwd(f))`` (forward mode: the latent dimension is small
  next to the number of outputs); ``[N, m, d]``.  A plain ``nn.Sequential`` MLP (``Linear``
  layers and elementwise activations) takes the same forward mode written out, without the
  transforms' per-operation dispatch (:func:`_mlp_jacobian`).
* :func:`block_derivatives`: mixed partials by nested ``jacfwd`` over chosen latent
  subsets only (for example one block against another), never the full tensor.
* :func:`cross_derivatives`: every order-n mixed partial whose multi-index meets at
  least two blocks, by nested ``jacfwd`` over the needed blocks only: block ``i`` against
  the blocks after it, then all latents for the remaining ``n - 2`` slots
  (``sum_{i<j} d_i d_j d^(n-2)`` directional passes instead of ``d^n``).  At order 2 a plain
  MLP takes the second-order forward mode written out, the cross pairs only
  (:func:`_mlp_second_derivatives`).
* :func:`directional_derivative`: ``D^n f(z)[w_1, ..., w_n]`` by nested ``jvp``.
* :func:`block_probes`: the randomized H_n probe of docs/mathematics.md section 6.3: ``D^n f(u, v,
  w_3, ...)`` with ``u`` random in block ``i``, ``v`` random in block ``j``, the rest
  random in R^d; the directions come from an explicit ``torch.Generator`` seed.

Every function takes a callable ``f`` (a :class:`~numeric.generator.NeuralGenerator`,
a Module or a function accepting a single point ``[d]``) and points ``z[N, d]``; the work
is split into chunks of ``chunk_size`` points so memory stays bounded, and results come
back on ``z``'s device.

Examples
--------
>>> import torch
>>> f = lambda z: torch.stack([z[..., 0] * z[..., 1], z[..., 0] ** 3], dim=-1)
>>> z = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
>>> jacobian(f, z)[1].tolist()
[[4.0, 3.0], [27.0, 0.0]]
>>> cd = cross_derivatives(f, z, [[0], [1]], n=2)
>>> cd.multi_indices, cd.values[:, :, 0].tolist()
([(0, 1)], [[1.0, 0.0], [1.0, 0.0]])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import torch
from torch.func import jacfwd, jvp, vmap

__all__ = [
    "jacobian",
    "block_derivatives",
    "cross_derivatives",
    "derivative_tensor",
    "directional_derivative",
    "block_probes",
    "CrossDerivatives",
    "BlockProbes",
    "DEFAULT_CHUNK",
]

#: Points per chunk (the Jacobian of a 1024-output net on 4096 points in float32 is 160 MiB).
DEFAULT_CHUNK = 4096

#: Points per block of a plain MLP's Jacobian on the CPU (measured fastest of 256-4096 on the
#: bench_numeric MLP with one thread, 1.1-1.3x faster than 4096: a block's tangents, 256 x d x
#: width floats, stay in cache; with several threads the blocks go to single-threaded workers).
MLP_CPU_CHUNK = 256

Fn = Callable[[torch.Tensor], torch.Tensor]


def _fn(f: object) -> Fn:
    inner = getattr(f, "f", None)
    return inner if inner is not None and callable(inner) else f  # type: ignore[return-value]


def _chunks(z: torch.Tensor, chunk_size: int) -> list[torch.Tensor]:
    if z.ndim != 2:
        raise ValueError(f"points must be a [N, d] tensor, got shape {tuple(z.shape)}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    return list(z.split(chunk_size)) if z.shape[0] else [z]


def jacobian(f: object, z: torch.Tensor, chunk_size: int = DEFAULT_CHUNK) -> torch.Tensor:
    """Jacobians at every point by ``vmap(jacfwd(f))``.

    Parameters
    ----------
    f
        The generator (``f(z[d]) -> [m]``).
    z
        Points ``[N, d]``.
    chunk_size
        Points per ``vmap`` call.

    Returns
    -------
    torch.Tensor
        ``[N, m, d]``, entry ``[n, t, a]`` = ``d f_t / d z_a`` at ``z[n]``.

    Examples
    --------
    >>> import torch
    >>> jacobian(lambda z: z * z, torch.tensor([[1.0, 2.0]])).tolist()
    [[[2.0, 0.0], [0.0, 4.0]]]
    """
    inner = _fn(f)
    layers = _plain_mlp(inner)
    if layers is not None:
        fn: Fn = lambda c: _mlp_jacobian(layers, c)  # noqa: E731
        threads = torch.get_num_threads()
        if z.device.type == "cpu" and (threads == 1 or _no_graph(layers, z)):
            # blocks whose tangents stay in cache (the same numbers); with several threads, the
            # blocks go to as many single-threaded workers (see _gather_parallel)
            chunk_size = min(chunk_size, MLP_CPU_CHUNK)
            if threads > 1:
                return _gather_parallel(fn, _chunks(z, chunk_size), threads)
    else:
        fn = vmap(jacfwd(inner))
    return _gather(fn, _chunks(z, chunk_size))


def _no_graph(layers: Sequence[torch.nn.Module], z: torch.Tensor) -> bool:
    """Whether autograd records nothing here (no grad mode, or nothing requires a gradient)."""
    if not torch.is_grad_enabled():
        return True
    return not z.requires_grad and not any(p.requires_grad for m in layers for p in m.parameters())


def _gather_parallel(fn: Fn, chunks: Sequence[torch.Tensor], workers: int) -> torch.Tensor:
    """:func:`_gather` with the blocks spread over ``workers`` threads of one torch thread each.

    On the CPU each torch operation of a block is one OpenMP parallel region whose threads meet at
    a barrier; on a loaded machine one descheduled thread stalls the others (measured in
    benchmarks/bench_jax.py).  Whole blocks per single-threaded worker need no barrier.  Only
    without autograd (the workers run under ``no_grad``; grad mode is per thread).  A worker's
    ``torch.set_num_threads(1)`` is per thread for the OpenMP pool, but torch also keeps the value
    as the default for threads started later: the caller's count is set back afterwards.
    """
    if len(chunks) < 2 * workers:
        return _gather(fn, chunks)
    starts = [0]
    for c in chunks:
        starts.append(starts[-1] + c.shape[0])
    first = fn(chunks[0])
    out = torch.empty(starts[-1], *first.shape[1:], dtype=first.dtype, device=first.device)
    out[: starts[1]] = first

    def work(i: int) -> None:
        with torch.no_grad():
            out[starts[i] : starts[i + 1]] = fn(chunks[i])

    before = torch.get_num_threads()
    try:
        with ThreadPoolExecutor(workers, initializer=torch.set_num_threads, initargs=(1,)) as pool:
            list(pool.map(work, range(1, len(chunks))))
    finally:
        torch.set_num_threads(before)
    return out


def _gather(fn: Fn, chunks: Sequence[torch.Tensor]) -> torch.Tensor:
    """``torch.cat([fn(c) for c in chunks])``, contiguous, each block written into its place as soon as
    it is computed (while it is still in cache; no list of blocks and no second copy of the result)."""
    if len(chunks) == 1:
        return fn(chunks[0]).contiguous()
    out: torch.Tensor | None = None
    start = 0
    for c in chunks:
        part = fn(c)
        if out is None:
            out = torch.empty(sum(k.shape[0] for k in chunks), *part.shape[1:], dtype=part.dtype, device=part.device)
        out[start : start + c.shape[0]] = part
        start += c.shape[0]
    assert out is not None
    return out


#: The elementwise activations of :func:`_mlp_jacobian`, with the tangent rule torch's forward
#: mode applies to each (``t`` the tangent, ``h`` the input, ``y`` the output of the activation).
_ACTIVATIONS: dict[type, Callable[[torch.nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]] = {
    torch.nn.Tanh: lambda m, h, y: 1 - y * y,
    torch.nn.Sigmoid: lambda m, h, y: (1 - y) * y,
    torch.nn.ReLU: lambda m, h, y: (h > 0).to(h.dtype),
    torch.nn.LeakyReLU: lambda m, h, y: torch.full_like(h, m.negative_slope).masked_fill_(h > 0, 1.0),
    torch.nn.Identity: lambda m, h, y: torch.ones_like(h),
}


def _plain_mlp(f: object) -> list[torch.nn.Module] | None:
    """The layers of ``f`` when it is a plain ``torch.nn.Sequential`` of ``Linear`` layers and the
    elementwise activations of :data:`_ACTIVATIONS` (exact types, no hooks), else ``None``."""
    if type(f) is not torch.nn.Sequential or len(f) == 0:
        return None
    layers = list(f)
    for m in [f, *layers]:
        if m._forward_hooks or m._forward_pre_hooks:
            return None
    if any(type(m) is not torch.nn.Linear and type(m) not in _ACTIVATIONS for m in layers):
        return None
    if any(getattr(m, "inplace", False) for m in layers):
        return None
    return layers


def _mlp_jacobian(layers: Sequence[torch.nn.Module], z: torch.Tensor) -> torch.Tensor:
    """``vmap(jacfwd(net))(z)`` for a plain MLP, with the forward-mode tangents written out.

    The tangents ``dh/dz`` ride along the forward pass as ``[N, d, width]`` (latent-major, the
    layout ``vmap(jacfwd)`` produces): a ``Linear`` layer multiplies them by ``W^T`` (the first
    one's tangent is ``W^T`` at every point), an activation scales them elementwise by its
    derivative, as torch's forward mode does.  The same numbers as the transforms up to float
    rounding (tests/numeric/test_numeric_derivatives.py), without their per-operation dispatch.
    """
    h = z
    tangent: torch.Tensor | None = None
    for m in layers:
        if type(m) is torch.nn.Linear:
            h = m(h)
            tangent = m.weight.T.unsqueeze(0) if tangent is None else tangent @ m.weight.T
        else:
            y = m(h)
            if tangent is None:  # an activation first: the tangent of the input is the identity
                tangent = torch.eye(h.shape[-1], dtype=h.dtype, device=h.device).unsqueeze(0)
            tangent = tangent * _ACTIVATIONS[type(m)](m, h, y).unsqueeze(-2)
            h = y
    assert tangent is not None
    if tangent.shape[0] != h.shape[0]:  # only linear layers: the same Jacobian at every point
        tangent = tangent.expand(h.shape[0], *tangent.shape[1:])
    return tangent.transpose(-1, -2)


#: The second derivative of each activation of :data:`_ACTIVATIONS` (``None``: zero, the
#: piecewise-linear ones), as torch's forward-over-forward mode differentiates the first-order rule.
_CURVATURES: dict[type, Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None] = {
    torch.nn.Tanh: lambda y, slope: -2 * y * slope,
    torch.nn.Sigmoid: lambda y, slope: slope * (1 - 2 * y),
    torch.nn.ReLU: None,
    torch.nn.LeakyReLU: None,
    torch.nn.Identity: None,
}

#: Points per block of a plain MLP's second-order pass on the CPU: a block's tangents and second
#: tangents (``block x (d + P) x width`` floats) stay in cache (32-64 measured fastest of 16-512
#: on the bench_numeric MLP with one thread, 1.5x faster than 256).
MLP_CPU_CHUNK_2 = 64


def _mlp_second_derivatives(layers: Sequence[torch.nn.Module], z: torch.Tensor, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
    """``d^2 net_t / dz_a dz_b`` for the pairs ``(first[k], second[k])`` of a plain MLP: ``[N, m, P]``.

    Second-order forward mode written out: the tangents ``T = dh/dz`` (``[N, d, width]``) and the
    second tangents ``S_k = d^2 h / dz_{a_k} dz_{b_k}`` (``[N, P, width]``, only the ``P`` pairs
    asked for) ride along the forward pass.  A ``Linear`` layer multiplies both by ``W^T`` (the
    bias drops out); an activation ``y = s(h)`` maps ``S_k`` to ``s'(h) S_k + s''(h) T_a T_b``
    and ``T`` to ``s'(h) T``.  Before the first nonlinear activation every ``S_k`` is zero.
    The same numbers as nested ``jacfwd`` up to float rounding
    (tests/numeric/test_fast_cross_derivatives.py).
    """
    h = z
    tangent: torch.Tensor | None = None
    curv: torch.Tensor | None = None
    for m in layers:
        if type(m) is torch.nn.Linear:
            h = m(h)
            wt = m.weight.T
            tangent = wt.unsqueeze(0) if tangent is None else tangent @ wt
            if curv is not None:
                curv = curv @ wt
        else:
            y = m(h)
            if tangent is None:  # an activation first: the tangent of the input is the identity
                tangent = torch.eye(h.shape[-1], dtype=h.dtype, device=h.device).unsqueeze(0)
            slope = _ACTIVATIONS[type(m)](m, h, y)
            rule = _CURVATURES[type(m)]
            if curv is not None:
                curv = curv * slope.unsqueeze(-2)
            if rule is not None:
                bend = (tangent.index_select(1, first) * tangent.index_select(1, second)) * rule(y, slope).unsqueeze(-2)
                curv = bend if curv is None else curv + bend
            tangent = tangent * slope.unsqueeze(-2)
            h = y
    if curv is None:  # piecewise linear: every second partial is zero
        return torch.zeros(h.shape[0], h.shape[-1], first.numel(), dtype=h.dtype, device=h.device)
    if curv.shape[0] != h.shape[0]:
        curv = curv.expand(h.shape[0], *curv.shape[1:])
    return curv.transpose(-1, -2)


def _selector(subset: Sequence[int], d: int, like: torch.Tensor) -> torch.Tensor:
    sel = torch.zeros(len(subset), d, dtype=like.dtype, device=like.device)
    sel[torch.arange(len(subset)), torch.as_tensor(list(subset), dtype=torch.long)] = 1
    return sel


def _nested_jacfwd(f: Fn, subsets: Sequence[Sequence[int]], z: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """``z0 -> [m, |S_1|, ..., |S_n|]``: d^n f / dz_{S_1} ... dz_{S_n} at ``z0``."""
    d = z.shape[-1]
    sels = [_selector(s, d, z) for s in subsets]
    n = len(subsets)

    def h(z0: torch.Tensor, *xs: torch.Tensor) -> torch.Tensor:
        point = z0
        for x, sel in zip(xs, sels):
            point = point + x @ sel
        return f(point)

    fn: Callable[..., torch.Tensor] = h
    for k in range(n):
        fn = jacfwd(fn, argnums=k + 1)
    zeros = [torch.zeros(len(s), dtype=z.dtype, device=z.device) for s in subsets]
    return lambda z0: fn(z0, *zeros)


def block_derivatives(f: object, z: torch.Tensor, subsets: Sequence[Sequence[int]], chunk_size: int = 1024) -> torch.Tensor:
    """Mixed partials over latent subsets by nested ``jacfwd``: only the entries asked for.

    Parameters
    ----------
    f
        The generator.
    z
        Points ``[N, d]``.
    subsets
        ``n`` lists of latent indices ``S_1, ..., S_n``.
    chunk_size
        Points per ``vmap`` call.

    Returns
    -------
    torch.Tensor
        ``[N, m, |S_1|, ..., |S_n|]``; entry ``[p, t, i_1, ..., i_n]`` is
        ``d^n f_t / dz_{S_1[i_1]} ... dz_{S_n[i_n]}`` at ``z[p]``.  With ``subsets =
        [block_i, block_j]`` this is the cross-Hessian block of two factors.

    Examples
    --------
    >>> import torch
    >>> f = lambda z: (z[..., 0] * z[..., 1] * z[..., 2]).unsqueeze(-1)
    >>> block_derivatives(f, torch.tensor([[1.0, 2.0, 3.0]]), [[0], [1, 2]]).tolist()
    [[[[3.0, 2.0]]]]
    """
    if not subsets or any(len(s) == 0 for s in subsets):
        raise ValueError("block_derivatives needs at least one non-empty subset of latents")
    fn = _fn(f)
    out = []
    for c in _chunks(z, chunk_size):
        out.append(vmap(_nested_jacfwd(fn, subsets, c))(c))
    return torch.cat(out)


def derivative_tensor(f: object, z: torch.Tensor, n: int, chunk_size: int = 1024) -> torch.Tensor:
    """The full order-``n`` derivative tensor ``[N, m, d, ..., d]`` (``n`` latent axes).

    Costs ``d^n`` directional passes per point: for small ``d`` (cross-checks, tests).

    Examples
    --------
    >>> import torch
    >>> derivative_tensor(lambda z: (z[..., 0] ** 2 * z[..., 1]).unsqueeze(-1), torch.tensor([[1.0, 1.0]]), 2)[0, 0].tolist()
    [[2.0, 2.0], [2.0, 0.0]]
    """
    d = z.shape[-1]
    return block_derivatives(f, z, [list(range(d))] * n, chunk_size)


@dataclass
class CrossDerivatives:
    """Order-n cross-block partials at a batch of points.

    Attributes
    ----------
    values
        ``[N, m, E]``: entry ``[p, t, e]`` is ``d^alpha f_t`` at point ``p`` for
        ``alpha = multi_indices[e]``.
    multi_indices
        ``E`` sorted multi-indices (tuples of latent indices, with repeats), each meeting at
        least two blocks (exactly two under the ``pairwise`` reading).
    n
        The order.
    reading
        ``block-diagonal`` or ``pairwise`` (docs/mathematics.md section 6.1).
    """

    values: torch.Tensor
    multi_indices: list[tuple[int, ...]]
    n: int
    reading: str


def _block_sets(blocks: Sequence[Sequence[int]], d: int) -> list[int]:
    block_of = [-1] * d
    for k, b in enumerate(blocks):
        for a in b:
            block_of[a] = k
    if any(k < 0 for k in block_of):
        raise ValueError("the blocks must cover every latent")
    return block_of


def cross_derivatives(
    f: object,
    z: torch.Tensor,
    blocks: Sequence[Sequence[int]],
    n: int = 2,
    chunk_size: int = 1024,
    reading: str = "block-diagonal",
) -> CrossDerivatives:
    """Every order-``n`` partial meeting at least two blocks, by nested ``jacfwd`` over the
    needed blocks only.

    For each block ``i`` but the last, one nested ``jacfwd``: slot 1 over block ``i``,
    slot 2 over the blocks after it, slots 3..n over all latents.  Each cross multi-index
    is met there (its first block, another block), and is kept once.  At ``n = 2`` a plain
    ``nn.Sequential`` MLP (as in :func:`jacobian`) instead takes one written-out second-order
    forward pass over exactly the chosen pairs (:func:`_mlp_second_derivatives`): the same
    multi-indices in the same order, the same values up to float rounding.

    Parameters
    ----------
    f
        The generator.
    z
        Points ``[N, d]``.
    blocks
        The partition (lists of latent indices).
    n
        The order (>= 2).
    chunk_size
        Points per ``vmap`` call.
    reading
        ``block-diagonal`` (every multi-index meeting >= 2 blocks) or ``pairwise`` (those
        meeting exactly 2).

    Returns
    -------
    CrossDerivatives

    Examples
    --------
    >>> import torch
    >>> f = lambda z: (z[..., 0] * z[..., 1] * z[..., 2]).unsqueeze(-1)
    >>> cd = cross_derivatives(f, torch.tensor([[1.0, 2.0, 3.0]]), [[0], [1], [2]], n=3)
    >>> len(cd.multi_indices), cd.values[0, 0, cd.multi_indices.index((0, 1, 2))].item()
    (7, 1.0)
    """
    if n < 2:
        raise ValueError(f"cross derivatives need n >= 2, got {n}")
    if reading not in ("block-diagonal", "pairwise"):
        raise ValueError(f"unknown reading {reading!r}")
    d = z.shape[-1]
    block_of = _block_sets(blocks, d)
    blocks = [list(b) for b in blocks]
    everything = list(range(d))
    fn = _fn(f)
    pieces: list[torch.Tensor] = []
    chosen: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()
    layers = _plain_mlp(fn) if n == 2 else None
    for i in range(len(blocks) - 1):
        later = [a for b in blocks[i + 1 :] for a in b]
        subsets = [blocks[i], later] + [everything] * (n - 2)
        picks: list[tuple[int, ...]] = []
        for pos in itertools.product(*[range(len(s)) for s in subsets]):
            alpha = tuple(sorted(s[p] for s, p in zip(subsets, pos)))
            k = len({block_of[a] for a in alpha})
            if alpha in seen or (reading == "pairwise" and k != 2):
                continue
            seen.add(alpha)
            chosen.append(alpha)
            picks.append(pos)
        if not picks or layers is not None:
            continue
        tensor = block_derivatives(fn, z, subsets, chunk_size)  # [N, m, |S_1|, ..., |S_n|]
        flat = tensor.reshape(tensor.shape[0], tensor.shape[1], -1)
        strides = [1] * n
        for k in range(n - 2, -1, -1):
            strides[k] = strides[k + 1] * len(subsets[k + 1])
        index = torch.tensor([sum(p * s for p, s in zip(pos, strides)) for pos in picks], device=z.device, dtype=torch.long)
        pieces.append(flat.index_select(2, index))
    if layers is not None and chosen:
        # a plain MLP: all chosen pairs in one written-out second-order pass per block of points
        first = torch.tensor([a for a, _ in chosen], dtype=torch.long, device=z.device)
        second = torch.tensor([b for _, b in chosen], dtype=torch.long, device=z.device)
        fn2: Fn = lambda c: _mlp_second_derivatives(layers, c, first, second)  # noqa: E731
        threads = torch.get_num_threads()
        if z.device.type == "cpu":  # cache-sized blocks; with several threads, single-threaded workers
            chunk_size = min(chunk_size, MLP_CPU_CHUNK_2)
        if z.device.type == "cpu" and threads > 1 and _no_graph(layers, z):
            pieces = [_gather_parallel(fn2, _chunks(z, chunk_size), threads)]
        else:
            pieces = [_gather(fn2, _chunks(z, chunk_size))]
    if pieces:
        values = torch.cat(pieces, dim=2) if len(pieces) > 1 else pieces[0]
    else:
        m = int(_fn(f)(z[:1]).shape[-1]) if z.shape[0] else 0
        values = torch.zeros(z.shape[0], m, 0, dtype=z.dtype, device=z.device)
    return CrossDerivatives(values, chosen, n, reading)


def _nested_jvp(f: Fn, directions: Sequence[torch.Tensor]) -> Fn:
    if not directions:
        return f
    inner = _nested_jvp(f, directions[1:])
    first = directions[0]
    return lambda x: jvp(inner, (x,), (first,))[1]


def directional_derivative(f: object, z: torch.Tensor, directions: torch.Tensor, chunk_size: int = DEFAULT_CHUNK) -> torch.Tensor:
    """``D^n f(z)[w_1, ..., w_n]`` by nested ``jvp``, at every point.

    Parameters
    ----------
    f
        The generator.
    z
        Points ``[N, d]``.
    directions
        ``[n, d]`` (the same directions at every point) or ``[N, n, d]``.
    chunk_size
        Points per ``vmap`` call.

    Returns
    -------
    torch.Tensor
        ``[N, m]``.

    Examples
    --------
    >>> import torch
    >>> f = lambda z: (z[..., 0] * z[..., 1]).unsqueeze(-1)
    >>> directional_derivative(f, torch.tensor([[5.0, 7.0]]), torch.eye(2)).tolist()
    [[1.0]]
    """
    fn = _fn(f)
    if directions.ndim == 2:
        dirs = list(directions.to(dtype=z.dtype, device=z.device))
        g = vmap(_nested_jvp(fn, dirs))
        return torch.cat([g(c) for c in _chunks(z, chunk_size)])
    if directions.ndim != 3 or directions.shape[0] != z.shape[0]:
        raise ValueError(f"directions must be [n, d] or [N, n, d], got {tuple(directions.shape)}")
    directions = directions.to(dtype=z.dtype, device=z.device)

    def one(z0: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return _nested_jvp(fn, list(w.unbind(0)))(z0)

    g2 = vmap(one)
    return torch.cat([g2(c, w) for c, w in zip(_chunks(z, chunk_size), _chunks_like(directions, chunk_size))])


def _chunks_like(t: torch.Tensor, chunk_size: int) -> list[torch.Tensor]:
    return list(t.split(chunk_size)) if t.shape[0] else [t]


@dataclass
class BlockProbes:
    """Randomized probes of the order-n cross derivatives (docs/mathematics.md section 6.3).

    Attributes
    ----------
    values
        ``[N, P, m]``: probe ``p`` at every point.
    pairs
        ``P`` block pairs ``(i, j)``, one per probe.
    directions
        ``[P, n, d]``: the unit directions of each probe (slot 1 in block ``i``, slot 2 in
        block ``j``, the others in R^d, or in the two blocks under ``pairwise``).
    generic
        ``[N, G, m]``: probes with all directions random in R^d (the scale of order-n
        derivatives, used by the tolerance).
    seed
        The seed of the ``torch.Generator`` that drew the directions.
    """

    values: torch.Tensor
    pairs: list[tuple[int, int]]
    directions: torch.Tensor
    generic: torch.Tensor
    seed: int


def block_probes(
    f: object,
    z: torch.Tensor,
    blocks: Sequence[Sequence[int]],
    n: int = 2,
    probes: int = 2,
    seed: int = 0,
    reading: str = "block-diagonal",
    generic: int = 2,
    chunk_size: int = DEFAULT_CHUNK,
) -> BlockProbes:
    """The randomized H_n probe: nested ``jvp`` along random block directions.

    For every pair of blocks ``i < j`` and each of ``probes`` draws: ``u`` uniform on the
    unit sphere of ``E_i``, ``v`` on that of ``E_j``, ``w_3..w_n`` on the sphere of R^d
    (of ``E_i + E_j`` under ``pairwise``); the probe is ``D^n f(z)[u, v, w_3, ...]``.  The
    form is a polynomial in the direction coefficients, so if any order-n cross partial
    of the pair is nonzero at ``z``, the probe is nonzero with probability 1.

    Parameters
    ----------
    f
        The generator.
    z
        Points ``[N, d]``.
    blocks
        The partition.
    n
        The order (>= 2).
    probes
        Draws per block pair.
    seed
        Seed of the private ``torch.Generator`` (CPU) drawing the directions.
    reading
        ``block-diagonal`` or ``pairwise``.
    generic
        Number of extra probes with all directions in R^d (for the scale).
    chunk_size
        Points per ``vmap`` call.

    Returns
    -------
    BlockProbes

    Examples
    --------
    >>> import torch
    >>> add = lambda z: (z[..., 0] ** 2 + torch.sin(z[..., 1])).unsqueeze(-1)
    >>> bp = block_probes(add, torch.tensor([[0.3, 0.4]]), [[0], [1]], n=2, seed=0)
    >>> bp.pairs, float(bp.values.abs().max())
    ([(0, 1), (0, 1)], 0.0)
    """
    if n < 2:
        raise ValueError(f"the H_n probe needs n >= 2, got {n}")
    d = z.shape[-1]
    _block_sets(blocks, d)
    rng = torch.Generator(device="cpu").manual_seed(int(seed))

    def unit(support: Sequence[int]) -> torch.Tensor:
        w = torch.zeros(d, dtype=torch.float64)
        idx = torch.as_tensor(list(support), dtype=torch.long)
        w[idx] = torch.randn(len(support), generator=rng, dtype=torch.float64)
        return w / w.norm()

    pairs, dirs = [], []
    for i, j in itertools.combinations(range(len(blocks)), 2):
        rest = list(range(d)) if reading == "block-diagonal" else sorted(list(blocks[i]) + list(blocks[j]))
        for _ in range(probes):
            pairs.append((i, j))
            dirs.append(torch.stack([unit(blocks[i]), unit(blocks[j])] + [unit(rest) for _ in range(n - 2)]))
    gen_dirs = [torch.stack([unit(range(d)) for _ in range(n)]) for _ in range(generic)]
    fn = _fn(f)
    m_probe = lambda w: directional_derivative(fn, z, w.to(dtype=z.dtype, device=z.device), chunk_size)  # noqa: E731
    values = torch.stack([m_probe(w) for w in dirs], dim=1) if dirs else torch.zeros(z.shape[0], 0, 0, dtype=z.dtype, device=z.device)
    gen = torch.stack([m_probe(w) for w in gen_dirs], dim=1) if gen_dirs else torch.zeros(z.shape[0], 0, 0, dtype=z.dtype, device=z.device)
    directions = torch.stack(dirs) if dirs else torch.zeros(0, n, d, dtype=torch.float64)
    return BlockProbes(values, pairs, directions, gen, int(seed))

"""Numeric generators: a torch callable ``f(z[..., d]) -> [..., m]`` plus its factor partition.

A :class:`NeuralGenerator` is what every numeric check takes.  It wraps a trained decoder
(a :class:`torch.nn.Module`) or any torch function; closed-form generators reach it through
:func:`numeric.exact_to_torch.from_generator` (docs/user-guide.md section 5).

The callable must accept a single point ``z`` of shape ``[d]`` (that is how
``torch.func.vmap`` calls it) as well as a batch ``[N, d]``, and must be differentiable by
``torch.func`` (no in-place updates of its input, no ``.item()`` on traced values, no
dropout in training mode).

Examples
--------
>>> import torch
>>> f = lambda z: torch.stack([z[..., 0], z[..., 1], z[..., 0] * z[..., 1]], dim=-1)
>>> g = NeuralGenerator(f, [[0], [1]], latent_dim=2, name="bilinear")
>>> g.blocks, g.m, g.factor_names
(((0,), (1,)), 3, ('f1', 'f2'))
>>> g(torch.tensor([[2.0, 3.0]])).tolist()
[[2.0, 3.0, 6.0]]
"""

from __future__ import annotations

import math

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

__all__ = ["NeuralGenerator", "cast_problem", "check_cast"]

Factors = Mapping[str, Sequence[int | str]] | Sequence[Sequence[int | str]]


class NeuralGenerator:
    """A numeric generator: a torch callable and a partition of its latents into factors.

    Parameters
    ----------
    f
        A :class:`torch.nn.Module` or function mapping ``z[..., d]`` to ``[..., m]``.
    factors
        The blocks: a list of lists (named ``f1, f2, ...``) or a dict ``{name: [...]}``.
        Members are latent indices (``0 .. d-1``) or latent names (see ``latent_names``).
        The blocks must be disjoint and cover every latent.
    latent_dim
        ``d``, the number of latents.
    outputs
        ``m``, the number of outputs; ``None`` to infer it with one forward pass.
    name
        Used in reports.
    latent_names
        Names of the latents (default ``z1 .. zd``).
    box
        ``[(lo, hi)] * d``, the box :meth:`sample` draws from (default ``(-1, 1)`` each).
    dtype, device
        The dtype and device of :meth:`sample` and of the points the checks build; by
        default those of the module's first parameter, else torch's default dtype on CPU.
    contains
        Optional membership test ``contains(z[N, d]) -> bool[N]`` for a non-box domain;
        :meth:`sample` rejects points outside it.
    source
        The exact generator this one was built from (:func:`numeric.exact_to_torch.from_generator`), if any.

    Raises
    ------
    ValueError
        For a bad partition (empty block, repeated or out-of-range latent, unknown name) or a
        non-positive ``latent_dim``.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Linear(3, 4)
    >>> g = NeuralGenerator(net, {"pose": ["a", "b"], "colour": ["c"]}, 3, latent_names=["a", "b", "c"])
    >>> g.blocks, g.block_of, g.m
    (((0, 1), (2,)), (0, 0, 1), 4)
    """

    def __init__(
        self,
        f: Callable[[torch.Tensor], torch.Tensor],
        factors: Factors,
        latent_dim: int,
        outputs: int | None = None,
        name: str = "neural",
        latent_names: Sequence[str] | None = None,
        box: Sequence[tuple[float, float]] | None = None,
        dtype: torch.dtype | None = None,
        device: torch.device | str | None = None,
        contains: Callable[[torch.Tensor], torch.Tensor] | None = None,
        source: object | None = None,
    ):
        if not callable(f):
            raise ValueError(f"f must be a torch Module or a function, got {type(f).__name__}")
        if not isinstance(latent_dim, int) or latent_dim < 1:
            raise ValueError(f"latent_dim must be a positive integer, got {latent_dim!r}")
        self.f = f
        self.name = str(name)
        self.d = latent_dim
        names = [f"z{i + 1}" for i in range(latent_dim)] if latent_names is None else [str(n) for n in latent_names]
        if len(names) != latent_dim or len(set(names)) != latent_dim:
            raise ValueError(f"latent_names must be {latent_dim} distinct names, got {list(names)}")
        self.latent_names: tuple[str, ...] = tuple(names)
        self.factors: dict[str, tuple[int, ...]] = _parse_factors(factors, self.latent_names)
        self.blocks: tuple[tuple[int, ...], ...] = tuple(self.factors.values())
        self.block_of: tuple[int, ...] = tuple(
            k for a in range(latent_dim) for k, b in enumerate(self.blocks) if a in b
        )
        if box is None:
            box = [(-1.0, 1.0)] * latent_dim
        box = [(float(lo), float(hi)) for lo, hi in box]
        if len(box) != latent_dim or any(not lo < hi for lo, hi in box):
            raise ValueError(f"box must give {latent_dim} intervals (lo, hi) with lo < hi, got {box}")
        if not all(math.isfinite(lo) and math.isfinite(hi) for lo, hi in box):
            raise ValueError(f"box must be bounded (points are drawn uniformly from it), got {box}")
        self.box: tuple[tuple[float, float], ...] = tuple(box)
        self.contains = contains
        self.source = source
        param = _first_parameter(f)
        self.dtype: torch.dtype = dtype or (param.dtype if param is not None else torch.get_default_dtype())
        self.device: torch.device = torch.device(device) if device is not None else (param.device if param is not None else torch.device("cpu"))
        self._m = outputs

    # -- sizes ----------------------------------------------------------------------------
    @property
    def m(self) -> int:
        """Number of outputs (one forward pass at the box centre the first time, if not given)."""
        if self._m is None:
            centre = torch.tensor([(lo + hi) / 2 for lo, hi in self.box], dtype=self.dtype, device=self.device)
            with torch.no_grad():
                out = self.f(centre.unsqueeze(0))
            self._m = int(out.shape[-1])
        return self._m

    def check_shapes(self, n: int = 2) -> None:
        """Evaluate ``f`` on ``n`` points of the box and check what it returns: ``[n, m]`` (``m`` as
        declared), in the generator's dtype.

        Raises
        ------
        ValueError
            Naming what failed (a shape or dtype mismatch inside the network, a wrong output
            shape, a declared ``outputs`` that is not what ``f`` returns).

        >>> NeuralGenerator(lambda z: z[:, :1], [[0], [1]], 2, outputs=3).check_shapes()
        Traceback (most recent call last):
        ...
        ValueError: f returns 1 outputs per point, but outputs=3 was declared
        """
        z = self.sample(n, seed=0)
        try:
            with torch.no_grad():
                out = self.f(z)
        except Exception as exc:  # noqa: BLE001 - user code: report what it raised
            raise ValueError(f"f could not be evaluated on latent points [{n}, {self.d}] in {dtype_name(self.dtype)}: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from None
        if not isinstance(out, torch.Tensor) or out.ndim != 2 or out.shape[0] != n:
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            raise ValueError(f"f must return a tensor [N, m] for points [N, {self.d}]; for N = {n} it returned {shape}")
        if self._m is not None and out.shape[1] != self._m:
            raise ValueError(f"f returns {out.shape[1]} outputs per point, but outputs={self._m} was declared")
        if out.dtype != self.dtype:
            got, want = dtype_name(out.dtype), dtype_name(self.dtype)
            raise ValueError(
                f"f returns {got} for {want} latents: the tolerance and the verdicts would be labelled "
                f"{want} while the values carry {got} precision (compute in the generator's dtype)"
            )
        # the derivatives call f on one point [d] under vmap(jacfwd): a module that reshapes
        # to a batch, draws random numbers (dropout in train mode) or updates itself in place
        # (batch norm in train mode) fails there, not on the batch above
        try:
            with torch.no_grad():
                J = torch.func.vmap(torch.func.jacfwd(self.f))(z)
        except Exception as exc:  # noqa: BLE001 - user code: report what it raised
            raise ValueError(
                f"f could not be differentiated one point at a time (vmap(jacfwd(f)) on [{n}, {self.d}]): {type(exc).__name__}: "
                f"{' '.join(str(exc).split())[:200]} (f must map a point [d] to [m] and [N, d] to [N, m], deterministically: put a "
                "module in eval mode, no dropout or batch statistics)"
            ) from None
        if tuple(J.shape) != (n, out.shape[1], self.d):
            raise ValueError(f"f must map a point [{self.d}] to [m]: its Jacobians one point at a time have shape {tuple(J.shape)[1:]}, not ({out.shape[1]}, {self.d})")

    @property
    def K(self) -> int:
        """Number of factors."""
        return len(self.blocks)

    @property
    def factor_names(self) -> tuple[str, ...]:
        return tuple(self.factors)

    def __call__(self, z: torch.Tensor) -> torch.Tensor:
        return self.f(z)

    # -- points ---------------------------------------------------------------------------
    def sample(self, n: int, seed: int = 0, dtype: torch.dtype | None = None, device: torch.device | str | None = None) -> torch.Tensor:
        """``n`` points drawn uniformly from :attr:`box` (rejecting those outside :attr:`contains`).

        Parameters
        ----------
        n
            Number of points.
        seed
            Seed of a private :class:`torch.Generator` (global RNG state is untouched).
        dtype, device
            Default: the generator's.

        Returns
        -------
        torch.Tensor
            ``[n, d]``.

        Examples
        --------
        >>> import torch
        >>> g = NeuralGenerator(lambda z: z, [[0], [1]], 2, box=[(0, 1), (2, 3)])
        >>> z = g.sample(5, seed=1)
        >>> z.shape, bool((z[:, 1] > 2).all())
        (torch.Size([5, 2]), True)
        """
        dtype = dtype or self.dtype
        device = torch.device(device) if device is not None else self.device
        rng = torch.Generator(device="cpu").manual_seed(int(seed))
        lo = torch.tensor([b[0] for b in self.box], dtype=torch.float64)
        hi = torch.tensor([b[1] for b in self.box], dtype=torch.float64)
        kept: list[torch.Tensor] = []
        have, rounds = 0, 0
        while have < n:
            rounds += 1
            if rounds > 1000:
                raise ValueError(f"{self.name}: could not sample {n} points inside the domain (is it empty or very thin?)")
            u = torch.rand((max(n - have, 16) * (1 if self.contains is None else 4), self.d), generator=rng, dtype=torch.float64)
            z = (lo + (hi - lo) * u).to(dtype=dtype, device=device)
            if self.contains is not None:
                z = z[self.contains(z).to(torch.bool)]
            kept.append(z)
            have += z.shape[0]
        return torch.cat(kept)[:n]

    def describe(self) -> dict[str, Any]:
        """A JSON-ready summary: name, sizes, latents, factors, box, dtype, device.

        >>> NeuralGenerator(lambda z: z, [[0], [1]], 2, outputs=2).describe()["factors"]
        {'f1': ['z1'], 'f2': ['z2']}
        """
        return {
            "name": self.name,
            "m": self.m,
            "d": self.d,
            "latents": list(self.latent_names),
            "factors": {k: [self.latent_names[a] for a in v] for k, v in self.factors.items()},
            "box": [list(b) for b in self.box],
            "dtype": dtype_name(self.dtype),
            "device": str(self.device),
        }

    def __repr__(self) -> str:
        return f"NeuralGenerator(name={self.name!r}, d={self.d}, factors={ {k: list(v) for k, v in self.factors.items()} })"


def cast_problem(original: torch.nn.Module, cast: torch.nn.Module) -> str | None:
    """Why ``cast`` (``original`` converted to a narrower dtype) does not compute the same
    function, or ``None``: a finite parameter or buffer that became infinite (float16 turns
    a bias of -79990 into -inf, and a ReLU after it reads 0: finite outputs, a zero Jacobian
    row) or a nonzero one that became 0 (1e-8 in float16).  Then every Jacobian the cast
    module gives is of another function, and no numeric verdict from it means anything.

    >>> import copy
    >>> net = torch.nn.Linear(2, 1)
    >>> with torch.no_grad():
    ...     _ = net.bias.fill_(-79990.0)
    >>> cast_problem(net, copy.deepcopy(net).half())
    'bias: -79990 overflows to -inf in torch.float16'
    >>> cast_problem(net, copy.deepcopy(net).float()) is None
    True
    """
    before = dict(original.named_parameters()) | dict(original.named_buffers())
    for name, tensor in list(cast.named_parameters()) + list(cast.named_buffers()):
        old = before.get(name)
        if old is None or not (tensor.is_floating_point() and old.is_floating_point()):
            continue
        old, new = old.detach().to("cpu", torch.float64), tensor.detach().to("cpu", torch.float64)
        overflow = torch.isfinite(old) & ~torch.isfinite(new)
        if overflow.any():
            value = old[overflow].flatten()[0].item()
            return f"{name}: {value:g} overflows to {new[overflow].flatten()[0].item():g} in {tensor.dtype}"
        underflow = (old != 0) & (new == 0)
        if underflow.any():
            value = old[underflow].flatten()[0].item()
            return f"{name}: {value:g} underflows to 0 in {tensor.dtype}"
    return None


def check_cast(original: torch.nn.Module, cast: torch.nn.Module, what: str = "the module") -> None:
    """Raise :class:`ValueError` when ``cast`` (``original`` converted to another dtype) does not
    compute the same function (:func:`cast_problem`), naming the change."""
    problem = cast_problem(original, cast)
    if problem is not None:
        dtype = next((t.dtype for t in cast.parameters()), None)
        raise ValueError(f"converting {what} to {dtype} changes it ({problem}); check it in a wider dtype")


def dtype_name(dtype: torch.dtype) -> str:
    """``torch.float32`` -> ``"float32"``.

    >>> dtype_name(torch.float64)
    'float64'
    """
    return str(dtype).removeprefix("torch.")


def _first_parameter(f: object) -> torch.Tensor | None:
    if isinstance(f, torch.nn.Module):
        for p in f.parameters():
            return p
        for b in f.buffers():
            return b
    return None


def _parse_factors(factors: Factors, names: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    if isinstance(factors, Mapping):
        items = [(str(k), v) for k, v in factors.items()]
    elif isinstance(factors, Sequence) and not isinstance(factors, (str, bytes)):
        items = [(f"f{i + 1}", v) for i, v in enumerate(factors)]
    else:
        raise ValueError(f"factors must be a list of blocks or a dict {{name: block}}, got {type(factors).__name__}")
    if not items:
        raise ValueError("factors is empty; give at least one block")
    index = {n: i for i, n in enumerate(names)}
    seen: dict[int, str] = {}
    out: dict[str, tuple[int, ...]] = {}
    for key, block in items:
        if isinstance(block, (int, str)):
            block = [block]
        members = []
        for item in block:
            if isinstance(item, bool):
                raise ValueError(f"factor {key}: {item!r} is not a latent index or name")
            if isinstance(item, str):
                if item not in index:
                    raise ValueError(f"factor {key}: unknown latent name {item!r} (latents: {', '.join(names)})")
                a = index[item]
            elif isinstance(item, int) or (isinstance(item, torch.Tensor) and item.numel() == 1):
                a = int(item)
                if not 0 <= a < len(names):
                    raise ValueError(f"factor {key}: latent index {a} is out of range 0..{len(names) - 1}")
            else:
                raise ValueError(f"factor {key}: {item!r} is not a latent index or name")
            if a in seen:
                raise ValueError(f"latent {names[a]} appears in two blocks ({seen[a]} and {key})")
            seen[a] = key
            members.append(a)
        if not members:
            raise ValueError(f"factor {key} is an empty block")
        out[key] = tuple(members)
    missing = [names[a] for a in range(len(names)) if a not in seen]
    if missing:
        raise ValueError(f"latents {', '.join(missing)} are in no block (the blocks must partition the latents)")
    return out

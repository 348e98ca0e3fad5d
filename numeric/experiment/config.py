"""Sweep configurations: TOML files, validated into a :class:`SweepConfig`.

Bundled configurations live in ``numeric/experiment/configs/`` (``tiny``, ``small``, ``paper``, ``brady``);
:func:`load_config` takes one of those names or a path to a TOML file with the same keys.
Every key has a default except ``name``; an unknown key, a wrong type or an impossible value is
an error naming the key (:class:`ConfigError`, an ``InputError``: exit status 2 on the CLI).

Examples
--------
>>> cfg = load_config("tiny")
>>> cfg.name, cfg.slots
('tiny', (2,))
>>> len(cfg.runs())
4
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from theory.errors import InputError

from .groundtruth import COMBINES, LAYOUTS
from .latents import LATENTS
from .training import CONTRASTS, OPTIMIZERS

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib

__all__ = ["SweepConfig", "RunSpec", "ConfigError", "load_config", "bundled_configs", "DTYPES", "SELECTIONS", "LEGACY_DEFAULTS"]

DTYPES = ("float32", "float64")
#: How a run's reported model is chosen among its restarts, without looking at the ground truth:
#: the least scale-free contrast C_comp / ||J||_F^2 of the trained decoder on training codes, or
#: the least final training loss.
SELECTIONS = ("normalized-contrast", "loss")


#: Keys added after sweeps had written ``config.json`` files, with the value every file without
#: the key was made with: a folder whose ``config.json`` lacks the key holds results of that value.
LEGACY_DEFAULTS: dict[str, Any] = {"latents": "independent", "optimizer": "adam-fused"}


class ConfigError(InputError):
    """A configuration that cannot be run (unknown name, bad key or value)."""


@dataclass(frozen=True)
class RunSpec:
    """One training run of a sweep: slots ``K``, overlap, contrast weight and seed index.

    Examples
    --------
    >>> RunSpec(2, 0.25, 1.0, 0).key
    'K2-o0.25-lam1-s0'
    """

    K: int
    overlap: float
    lam: float
    seed: int

    @property
    def key(self) -> str:
        """The run's identifier in the results CSV."""
        return f"K{self.K}-o{self.overlap:g}-lam{self.lam:g}-s{self.seed}"

    @property
    def generator_key(self) -> str:
        """The identifier of its ground-truth generator (shared by the lambdas of a seed)."""
        return f"K{self.K}-o{self.overlap:g}-s{self.seed}"


@dataclass(frozen=True)
class SweepConfig:
    """A sweep over slots K, overlaps and contrast weights, each with several seeds.

    Attributes
    ----------
    name, description
        Identification (shown in reports).
    slots, lambdas, overlaps
        The grid.
    seeds
        Seeds per grid point (seed indices ``0 .. seeds - 1``).
    seed
        Base seed: every random choice of the sweep derives from it and the run's coordinates.
    slot_dim, slot_outputs, layout, combine, distinct_slot_mlps, cond_pool
        The ground truth (see :mod:`numeric.experiment.groundtruth`).
    steps, batch_size, lr, lr_decay_at, hidden, contrast, optimizer
        Training (see :class:`numeric.experiment.training.TrainSettings`).  ``optimizer =
        "adam"`` makes every run independent of the size of the ensemble it trains in (the
        default fused kernel rounds by position; the numbers differ in float32 after a few
        dozen steps).
    restarts
        Independent initialisations per run, trained in the same ensemble.  ``1`` is Brady et
        al.'s protocol (one model per seed).  With more, the run reports the restart picked by
        ``select`` and also records every restart's SIS (``sis_restarts``; ``sis_first`` is
        restart 0, which is the single-initialisation run).
    select
        The unsupervised choice among restarts (:data:`SELECTIONS`); the ground truth is never
        used to choose.
    n_train, n_eval
        Samples per run for training and for the evaluation (SIS, MIS, reconstruction, C_comp).
    latents
        The latent distribution (:data:`numeric.experiment.latents.LATENTS`): ``"independent"``
        (``N(0, I)``, the default and every result before the key existed), ``"wishart"``
        (correlated Gaussian, Brady et al.'s ``--dependent``) or ``"scale-mixture"``
        (uncorrelated but dependent, heavy-tailed).
    dtype
        Training dtype.
    exact_points, exact_criteria, exact_budget
        The exact layer's verdicts on each ground truth: criteria (``D``, and ``S`` when the
        exact layer has it), at how many rational sample points, with what time budget per check.

    Examples
    --------
    >>> SweepConfig(name="mine", slots=(2,), overlaps=(0.0, 0.5), seeds=1, lambdas=(1.0,)).runs()[1].key
    'K2-o0.5-lam1-s0'
    """

    name: str
    description: str = ""
    slots: tuple[int, ...] = (2, 3)
    lambdas: tuple[float, ...] = (0.01, 1.0)
    overlaps: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75)
    seeds: int = 3
    seed: int = 0
    slot_dim: int = 3
    slot_outputs: int = 20
    layout: str = "pool"
    combine: str = "sum"
    distinct_slot_mlps: bool = False
    cond_pool: int = 1000
    steps: int = 3000
    batch_size: int = 64
    lr: float = 1e-3
    lr_decay_at: float = 0.5
    hidden: int = 80
    contrast: str = "unweighted"
    optimizer: str = "adam-fused"
    restarts: int = 1
    select: str = "normalized-contrast"
    n_train: int = 20000
    n_eval: int = 2000
    latents: str = "independent"
    dtype: str = "float32"
    exact_points: int = 2
    exact_criteria: tuple[str, ...] = ("D",)
    exact_budget: float = 60.0
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        problems = []
        if not self.name or not isinstance(self.name, str):
            problems.append("name must be a non-empty string")
        if not self.slots or any(k < 2 for k in self.slots):
            problems.append(f"slots must list numbers of slots >= 2, got {list(self.slots)}")
        if not self.lambdas or not all(0 <= lam < math.inf for lam in self.lambdas):
            problems.append(f"lambdas must be a non-empty list of finite numbers >= 0, got {list(self.lambdas)}")
        if not self.overlaps:
            problems.append("overlaps must not be empty")
        for o in self.overlaps:
            if not 0 <= o < 1:
                problems.append(f"overlap {o} is outside [0, 1)")
            elif abs(round(o * self.slot_outputs) - o * self.slot_outputs) > 1e-9:
                problems.append(f"overlap {o} of slot_outputs = {self.slot_outputs} is not a whole number of outputs")
        for key in ("seeds", "slot_dim", "steps", "batch_size", "hidden", "cond_pool", "restarts"):
            if getattr(self, key) < 1:
                problems.append(f"{key} must be >= 1, got {getattr(self, key)}")
        if self.slot_outputs < self.slot_dim:
            problems.append(f"slot_outputs ({self.slot_outputs}) must be >= slot_dim ({self.slot_dim}) for an injective slot map")
        if self.layout not in LAYOUTS:
            problems.append(f"layout must be one of {', '.join(LAYOUTS)}, got {self.layout!r}")
        if self.combine not in COMBINES:
            problems.append(f"combine must be one of {', '.join(COMBINES)}, got {self.combine!r}")
        if self.contrast not in CONTRASTS:
            problems.append(f"contrast must be one of {', '.join(CONTRASTS)}, got {self.contrast!r}")
        if self.optimizer not in OPTIMIZERS:
            problems.append(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if self.select not in SELECTIONS:
            problems.append(f"select must be one of {', '.join(SELECTIONS)}, got {self.select!r}")
        if not 0 < self.lr < math.inf or not 0 < self.lr_decay_at <= 1:
            problems.append("lr must be finite and > 0, and lr_decay_at in (0, 1]")
        if not 0 <= self.seed < 2**32:
            problems.append(f"seed must be in [0, 2**32), got {self.seed}")
        if self.n_train < self.batch_size:
            problems.append(f"n_train ({self.n_train}) must be at least batch_size ({self.batch_size})")
        if self.n_eval < 10:
            problems.append(f"n_eval must be >= 10, got {self.n_eval}")
        if self.latents not in LATENTS:
            problems.append(f"latents must be one of {', '.join(LATENTS)}, got {self.latents!r}")
        if self.dtype not in DTYPES:
            problems.append(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")
        if self.exact_points < 0 or not self.exact_budget > 0:
            problems.append("exact_points must be >= 0 and exact_budget > 0")
        unknown = [c for c in self.exact_criteria if c not in ("D", "S")]
        if unknown:
            problems.append(f"exact_criteria may contain D and S, got {unknown}")
        if not problems:
            keys = [r.key for r in self.runs()]
            repeated = sorted({k for k in keys if keys.count(k) > 1})
            if repeated:
                problems.append(
                    f"runs {', '.join(repeated[:3])} appear more than once: a repeated value in slots, overlaps or lambdas, or two "
                    "values equal to 6 significant digits (run keys write numbers with 6 digits)"
                )
        if problems:
            where = f" in {self.source}" if self.source else ""
            raise ConfigError(f"bad sweep configuration{where}: " + "; ".join(problems))

    def runs(self) -> list[RunSpec]:
        """Every run of the grid, grouped by shape (K, overlap), then seed, then lambda.

        Examples
        --------
        >>> [r.key for r in SweepConfig(name="x", slots=(2,), overlaps=(0.0,), seeds=1).runs()]
        ['K2-o0-lam0.01-s0', 'K2-o0-lam1-s0']
        """
        return [
            RunSpec(K, float(o) + 0.0, float(lam) + 0.0, s)  # + 0.0: -0.0 is the run 0.0, not a second key
            for K in self.slots
            for o in self.overlaps
            for s in range(self.seeds)
            for lam in self.lambdas
        ]

    def with_seed(self, seed: int) -> "SweepConfig":
        """The same configuration with another base seed.

        Examples
        --------
        >>> SweepConfig(name="x").with_seed(3).seed
        3
        """
        return dataclasses.replace(self, seed=int(seed))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (tuples as lists), without the ``source``.

        Examples
        --------
        >>> SweepConfig(name="x").to_dict()["slots"]
        [2, 3]
        """
        out = dataclasses.asdict(self)
        out.pop("source")
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "description": str,
    "slots": list,
    "lambdas": list,
    "overlaps": list,
    "seeds": int,
    "seed": int,
    "slot_dim": int,
    "slot_outputs": int,
    "layout": str,
    "combine": str,
    "distinct_slot_mlps": bool,
    "cond_pool": int,
    "steps": int,
    "batch_size": int,
    "lr": (int, float),
    "lr_decay_at": (int, float),
    "hidden": int,
    "contrast": str,
    "optimizer": str,
    "restarts": int,
    "select": str,
    "n_train": int,
    "n_eval": int,
    "latents": str,
    "dtype": str,
    "exact_points": int,
    "exact_criteria": list,
    "exact_budget": (int, float),
}
_ITEM_TYPES: dict[str, type | tuple[type, ...]] = {
    "slots": int,
    "lambdas": (int, float),
    "overlaps": (int, float),
    "exact_criteria": str,
}


def _parse(data: dict[str, Any], source: str) -> SweepConfig:
    problems = []
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _TYPES:
            problems.append(f"unknown key {key!r} (known: {', '.join(_TYPES)})")
            continue
        want = _TYPES[key]
        bad_bool = isinstance(value, bool) and want is not bool
        if bad_bool or not isinstance(value, want):
            problems.append(f"{key} has the wrong type {type(value).__name__}")
            continue
        if key in _ITEM_TYPES:
            if any(isinstance(v, bool) or not isinstance(v, _ITEM_TYPES[key]) for v in value):
                problems.append(f"{key} must list values of type {_ITEM_TYPES[key]}")
                continue
            value = tuple(float(v) if key in ("lambdas", "overlaps") else v for v in value)
        elif key in ("lr", "lr_decay_at", "exact_budget"):
            value = float(value)
        kwargs[key] = value
    if "name" not in data:
        problems.append("the key 'name' is missing")
    if problems:
        raise ConfigError(f"bad sweep configuration in {source}: " + "; ".join(problems))
    return SweepConfig(source=source, **kwargs)


def bundled_configs() -> list[str]:
    """Names of the bundled configurations.

    Examples
    --------
    >>> sorted(bundled_configs())
    ['brady', 'paper', 'small', 'tiny']
    """
    folder = resources.files(__package__) / "configs"
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_config(spec: str | Path, seed: int | None = None) -> SweepConfig:
    """A bundled configuration by name, or a TOML file by path.

    Parameters
    ----------
    spec
        ``"tiny"``, ``"small"``, ``"paper"``, ``"brady"``, or a path to a ``.toml`` file.
    seed
        Overrides the file's base ``seed`` when given.

    Raises
    ------
    ConfigError
        Unknown name, unreadable file, TOML syntax error, or a bad key or value.
    """
    text_spec = str(spec)
    names = bundled_configs()
    if text_spec in names:
        source = f"bundled config {text_spec!r}"
        raw = (resources.files(__package__) / "configs" / f"{text_spec}.toml").read_text()
    else:
        path = Path(text_spec)
        if not path.is_file():
            raise ConfigError(f"no configuration {text_spec!r}: give one of {', '.join(names)} or a path to a TOML file")
        source = str(path)
        try:
            raw = path.read_text()
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source} is not valid TOML: {exc}") from None
    config = _parse(data, source)
    return config.with_seed(seed) if seed is not None else config

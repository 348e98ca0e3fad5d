"""Trained decoders on disk: one small file per model, loadable without the training code's state.

:func:`save_checkpoint` writes one ``torch.save`` file holding only plain data -- the decoder's
(and encoder's) ``state_dict`` tensors, the architecture as a dict of numbers, the factor
partition of the codes, the ground truth's rational weights as strings, the range of the codes
on held-out data and the run's scalar metrics (SIS, lambda, ...) -- so
``torch.load(path, weights_only=True)`` reads it and :func:`load_checkpoint` rebuilds the
modules from :class:`numeric.experiment.models.MLP` alone (no optimiser, no ensemble, no config
object).  :meth:`DecoderCheckpoint.neural_generator` wraps the decoder as a
:class:`numeric.generator.NeuralGenerator` whose factors are the slots and whose box is the code
range; :meth:`DecoderCheckpoint.ground_truth` rebuilds the exact ground truth the model was
trained on, whose ``exact_generator()`` is the ``theory.Generator`` g of the theorems.

``mechind reproduce`` writes ``decoders/<run>.pt`` in its output folder for every reported model
(:func:`checkpoint_path`).

Examples
--------
>>> import tempfile, torch
>>> from numeric.experiment.models import init_autoencoder
>>> model = init_autoencoder(obs_dim=4, latent_dim=2, seed=0, hidden_dim=8)
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = save_checkpoint(f"{tmp}/m.pt", model, slot_dim=1, run={"run": "demo", "sis": 0.5})
...     ck = load_checkpoint(path)
>>> ck.factors, ck.run["sis"], ck.neural_generator().m
([[0], [1]], 0.5, 4)
>>> x = torch.randn(3, 2)
>>> bool(torch.equal(ck.decoder(x), model.decoder(x)))
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import torch

from ..generator import NeuralGenerator, check_cast
from .groundtruth import GroundTruth, OverlapLayout
from .models import HIDDEN, MLP, NEGATIVE_SLOPE
from theory.errors import InputError

__all__ = ["FORMAT", "DECODERS_DIR", "DecoderCheckpoint", "save_checkpoint", "load_checkpoint", "checkpoint_path"]

#: The format tag written in every file (refused on load when it differs).
FORMAT = "mechind-decoder/1"
#: The folder of a sweep's output directory that holds the decoders.
DECODERS_DIR = "decoders"


def checkpoint_path(out_dir: str | Path, run_key: str) -> Path:
    """Where a sweep stores the decoder of run ``run_key``.

    >>> checkpoint_path("reproduce-tiny", "K2-o0-lam1-s0").as_posix()
    'reproduce-tiny/decoders/K2-o0-lam1-s0.pt'
    """
    return Path(out_dir) / DECODERS_DIR / f"{run_key}.pt"


def _architecture(mlp: MLP) -> dict[str, Any]:
    layers = list(mlp.fc)
    return {
        "kind": "mlp-leaky-relu",
        "input_dim": int(layers[0].in_features),
        "output_dim": int(layers[-1].out_features),
        "hidden_dim": int(layers[0].out_features),
        "layers": len(layers),
        "negative_slope": float(NEGATIVE_SLOPE),
    }


def _state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu").clone() for k, v in module.state_dict().items()}


def _ground_truth_json(gt: GroundTruth) -> dict[str, Any]:
    layout = gt.layout
    return {
        "num_slots": layout.num_slots,
        "slot_outputs": layout.slot_outputs,
        "shared": layout.shared,
        "layout": layout.kind,
        "slot_dim": gt.slot_dim,
        "combine": gt.combine,
        "seed": gt.seed,
        "weights": [[[[str(v) for v in row] for row in w] for w in pair] for pair in gt.slot_weights],
    }


def _plain(value: Any) -> Any:
    """A JSON-like scalar (numbers, strings, bools, None) or its ``str``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def save_checkpoint(
    path: str | Path,
    model: torch.nn.Module,
    slot_dim: int,
    ground_truth: GroundTruth | None = None,
    run: Mapping[str, Any] | None = None,
    codes: torch.Tensor | None = None,
    latents: str = "independent",
) -> Path:
    """Write the decoder (and encoder) of a trained :class:`~numeric.experiment.models.AutoEncoder`.

    Parameters
    ----------
    path
        The file (its folder is created).
    model
        An ``AutoEncoder`` (``.encoder`` and ``.decoder`` are :class:`MLP`), or a bare decoder
        :class:`MLP` (then no encoder is saved).
    slot_dim
        Latents per slot; the factors are the contiguous groups of ``slot_dim`` codes.
    ground_truth
        The ground truth the model was trained on (saved as rational strings), if any.
    run
        Scalar metrics of the run (``run``, ``sis``, ``lam``, ...); non-scalars are saved as text.
    codes
        Codes ``encoder(x)`` of held-out data: their per-coordinate range becomes the box of
        :meth:`DecoderCheckpoint.neural_generator`.
    latents
        The latent distribution the ground truth's latents were drawn from.

    Returns
    -------
    Path
        ``path``.
    """
    decoder = model.decoder if hasattr(model, "decoder") else model
    encoder = getattr(model, "encoder", None)
    if not isinstance(decoder, MLP):
        raise TypeError(f"the decoder must be a numeric.experiment.models.MLP, got {type(decoder).__name__}")
    arch = _architecture(decoder)
    d = arch["input_dim"]
    if slot_dim < 1 or d % slot_dim:
        raise ValueError(f"slot_dim {slot_dim} does not divide the code dimension {d}")
    box = None
    if codes is not None and len(codes):
        c = codes.detach().to("cpu", torch.float64)
        box = [[float(lo), float(hi)] for lo, hi in zip(c.amin(0).tolist(), c.amax(0).tolist())]
    doc: dict[str, Any] = {
        "format": FORMAT,
        "architecture": arch,
        "dtype": str(next(decoder.parameters()).dtype).removeprefix("torch."),
        "factors": [list(range(k, k + slot_dim)) for k in range(0, d, slot_dim)],
        "decoder": _state(decoder),
        "encoder": _state(encoder) if isinstance(encoder, MLP) else None,
        "encoder_architecture": _architecture(encoder) if isinstance(encoder, MLP) else None,
        "ground_truth": _ground_truth_json(ground_truth) if ground_truth is not None else None,
        "latents": str(latents),
        "code_box": box,
        "run": {str(k): _plain(v) for k, v in (run or {}).items()},
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(doc, tmp)
    tmp.replace(path)
    return path


def _build(arch: Mapping[str, Any], state: Mapping[str, torch.Tensor], dtype: torch.dtype) -> MLP:
    if arch.get("kind") != "mlp-leaky-relu" or arch.get("layers") != 3 or float(arch.get("negative_slope", -1)) != float(NEGATIVE_SLOPE):
        raise ValueError(f"unsupported decoder architecture {dict(arch)}")
    net = MLP(int(arch["input_dim"]), int(arch["output_dim"]), int(arch.get("hidden_dim", HIDDEN)))
    net.load_state_dict({k: v.to(dtype) for k, v in state.items()})
    return net.to(dtype).eval()


@dataclass
class DecoderCheckpoint:
    """A loaded decoder file (:func:`load_checkpoint`).

    Attributes
    ----------
    decoder, encoder
        The modules (``encoder`` is ``None`` when the file has none), in eval mode.
    factors
        The slots: lists of code indices.
    dtype
        The training dtype.
    code_box
        ``[lo, hi]`` per code coordinate on held-out data, or ``None``.
    run
        The run's scalar metrics.
    latents
        The latent distribution of the ground truth's latents.
    path
        Where it was read from.
    """

    decoder: MLP
    encoder: MLP | None
    factors: list[list[int]]
    dtype: torch.dtype
    code_box: list[list[float]] | None
    run: dict[str, Any]
    latents: str
    path: Path
    _ground_truth: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return str(self.run.get("run") or self.path.stem)

    def neural_generator(self, dtype: torch.dtype | None = None, device: torch.device | str = "cpu") -> NeuralGenerator:
        """The decoder as a :class:`NeuralGenerator` (factors = slots, box = the code range).

        Parameters
        ----------
        dtype
            Default: the training dtype (the module is copied when another is asked).
        device
            Where it runs.
        """
        dtype = dtype or self.dtype
        net = self.decoder if dtype == self.dtype and str(device) == "cpu" else _copy(self.decoder, dtype, device)
        d = sum(len(b) for b in self.factors)
        box = [tuple(b) for b in self.code_box] if self.code_box else None
        if box is not None:
            box = [(lo, hi) if lo < hi else (lo - 1.0, hi + 1.0) for lo, hi in box]
        latent_names = [""] * d
        for k, block in enumerate(self.factors):
            for i, a in enumerate(block):
                latent_names[a] = f"zhat{k + 1}_{i + 1}"
        return NeuralGenerator(
            net,
            {f"slot{k + 1}": list(b) for k, b in enumerate(self.factors)},
            d,
            name=f"decoder:{self.name}",
            latent_names=latent_names,
            box=box,
            dtype=dtype,
            device=device,
        )

    def encoder_as(self, dtype: torch.dtype | None = None, device: torch.device | str = "cpu") -> MLP | None:
        """The encoder in ``dtype`` on ``device`` (``None`` without one)."""
        if self.encoder is None:
            return None
        dtype = dtype or self.dtype
        return self.encoder if dtype == self.dtype and str(device) == "cpu" else _copy(self.encoder, dtype, device)

    def ground_truth(self) -> GroundTruth | None:
        """The ground truth the model was trained on (rational weights as saved), or ``None``."""
        gt = self._ground_truth
        if gt is None:
            return None
        layout = OverlapLayout(int(gt["num_slots"]), int(gt["slot_outputs"]), int(gt["shared"]), str(gt["layout"]))
        weights = [tuple([[Fraction(v) for v in row] for row in w] for w in pair) for pair in gt["weights"]]
        return GroundTruth(layout, int(gt["slot_dim"]), weights, str(gt["combine"]), gt.get("seed"))


def _copy(net: MLP, dtype: torch.dtype, device: torch.device | str) -> MLP:
    layers = list(net.fc)
    out = MLP(layers[0].in_features, layers[-1].out_features, layers[0].out_features)
    out.load_state_dict(net.state_dict())
    out = out.to(dtype=dtype, device=device).eval()
    check_cast(net, out, "the decoder")
    return out


def load_checkpoint(path: str | Path) -> DecoderCheckpoint:
    """Read a decoder file written by :func:`save_checkpoint` (``torch.load(weights_only=True)``).

    Raises
    ------
    theory.errors.InputError
        When the file is missing, not a decoder file, or of another format.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"decoder file {path} does not exist")
    try:
        doc = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for a foreign or damaged file
        raise InputError(f"{path} is not a decoder file ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f"{path} is not a decoder file of format {FORMAT} (written by mechind reproduce)")
    dtype = getattr(torch, str(doc.get("dtype")), None)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise InputError(f"{path}: damaged decoder file: dtype {doc.get('dtype')!r} is not a floating-point torch dtype")
    try:
        decoder = _build(doc["architecture"], doc["decoder"], dtype)
        encoder = _build(doc["encoder_architecture"], doc["encoder"], dtype) if doc.get("encoder") is not None else None
    except (KeyError, RuntimeError, ValueError, TypeError, AttributeError) as exc:
        raise InputError(f"{path}: the saved weights do not fit the architecture ({exc})") from None
    try:
        factors = [list(map(int, b)) for b in doc["factors"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: damaged decoder file: no valid factors ({type(exc).__name__}: {exc})") from None
    d = sum(len(b) for b in factors)
    if sorted(a for b in factors for a in b) != list(range(d)):
        raise InputError(f"{path}: damaged decoder file: the factors {factors} do not partition the latents 0..{d - 1}")
    try:
        run = dict(doc.get("run") or {})
    except (TypeError, ValueError) as exc:
        raise InputError(f"{path}: damaged decoder file: the run record is not a table ({type(exc).__name__})") from None
    return DecoderCheckpoint(decoder, encoder, factors, dtype, doc.get("code_box"), run, str(doc.get("latents", "independent")), path, doc.get("ground_truth"))

"""Reproduction of Brady et al. (2023)'s synthetic experiment with a controlled slot overlap (issue 6).

One concept per module:

* :mod:`.groundtruth`: ground-truth generators whose Jacobian support is a prescribed mask
  (each slot an injective LeakyReLU MLP, a fraction of its outputs shared);
* :mod:`.exact`: the exact layer's Type D (and S) verdicts on those generators;
* :mod:`.models`: the encoder/decoder MLPs with seeded initialisation;
* :mod:`.training`: reconstruction + lambda * C_comp, one run or a vmapped ensemble;
* :mod:`.sis`: the Slot Identifiability Score as Brady et al. compute it;
* :mod:`.latents`: the latent distributions (independent, Wishart-correlated, scale mixture);
* :mod:`.mechanistic_score`: the Mechanistic Identifiability Score, from Jacobians of ``f o g``;
* :mod:`.config`: sweep configurations (TOML; bundled ``tiny``, ``small``, ``paper``, ``brady``);
* :mod:`.sweep`: the resumable sweep writing ``results.csv`` / ``generators.csv``;
* :mod:`.report`: summary, figure and Markdown table.

``mechind reproduce`` is the command-line front door.
"""

from .config import ConfigError, RunSpec, SweepConfig, bundled_configs, load_config
from .exact import ExactVerdicts, exact_verdicts, sample_points, type_s_available
from .groundtruth import GroundTruth, OverlapLayout, sample_ground_truth, sample_slot_mlp
from .latents import LATENTS, LatentSample, sample_latents, wishart_correlation
from .mechanistic_score import MISResult, chance_mis, corrected_mis, mechanistic_identifiability_score, model_mis
from .models import MLP, AutoEncoder, init_autoencoder
from .report import acceptance, markdown_report, plot_sis, summarize, write_report
from .sis import SISResult, r2_matrix, slot_identifiability_score
from .sweep import derive_seed, read_rows, run_sweep
from .training import TrainedEnsemble, TrainedRun, TrainSettings, autoencoder_loss, decoder_jacobians, train_ensemble, train_single

__all__ = [
    "ConfigError",
    "RunSpec",
    "SweepConfig",
    "bundled_configs",
    "load_config",
    "ExactVerdicts",
    "exact_verdicts",
    "sample_points",
    "type_s_available",
    "GroundTruth",
    "OverlapLayout",
    "sample_ground_truth",
    "sample_slot_mlp",
    "LATENTS",
    "LatentSample",
    "sample_latents",
    "wishart_correlation",
    "MISResult",
    "chance_mis",
    "corrected_mis",
    "mechanistic_identifiability_score",
    "model_mis",
    "MLP",
    "AutoEncoder",
    "init_autoencoder",
    "acceptance",
    "markdown_report",
    "plot_sis",
    "summarize",
    "write_report",
    "SISResult",
    "r2_matrix",
    "slot_identifiability_score",
    "derive_seed",
    "read_rows",
    "run_sweep",
    "TrainedEnsemble",
    "TrainedRun",
    "TrainSettings",
    "autoencoder_loss",
    "decoder_jacobians",
    "train_ensemble",
    "train_single",
]

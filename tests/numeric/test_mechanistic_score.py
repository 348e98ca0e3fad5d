"""Dependent latents and the Mechanistic Identifiability Score (issue 15, item 2).

* the latent samplers draw what they claim (``independent``: bit for bit the sweep's old draws;
  every sampler: its reported covariance; the dependent ones: dependence);
* MIS is 1 for a slot-wise bijection and, chance-corrected (MIS_c), 0 on average for random
  rotations, under independent and dependent latents alike; the chance level matches a closed
  form and two independent samplers; while SIS of the same perfect slot-wise map drops under correlated
  latents (the non-invariance MIS avoids);
* the sweep records ``latents`` and ``mis``, and folders and CSVs written before both existed
  still resume and report.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from numeric.experiment.config import ConfigError, SweepConfig, bundled_configs, load_config
from numeric.experiment.groundtruth import sample_ground_truth
from numeric.experiment.latents import LATENTS, sample_latents, wishart_correlation, wishart_latents
from numeric.experiment.mechanistic_score import (
    CHANCE_SAMPLES,
    chance_mis,
    corrected_mis,
    haar_mis_samples,
    jacobians,
    mechanistic_identifiability_score,
    model_mis,
    slot_energy,
)
from numeric.experiment.models import init_autoencoder
from numeric.experiment.report import markdown_report, summarize
from numeric.experiment.sis import slot_identifiability_score
from numeric.experiment.sweep import CONFIG_JSON, RESULTS_CSV, _check_out_dir, derive_seed, draw_latents, read_rows, run_sweep

ROOT = Path(__file__).resolve().parents[2]
OLD_RUN = ROOT / "docs" / "reproduce-small"  # trained before `latents` and `mis` existed


def _slotwise(K: int, d: int, perm: list[int], seed: int):
    """A slot-wise bijection: per slot an invertible matrix after a strictly monotone map, slots permuted."""
    gen = torch.Generator().manual_seed(seed)
    mats = []
    for _ in range(K):
        q = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=torch.float64))[0]
        mats.append(q @ torch.diag(torch.linspace(1.0, 2.0, d, dtype=torch.float64)))
    a = torch.stack(mats)

    def h(z: torch.Tensor) -> torch.Tensor:
        zs = z.reshape(*z.shape[:-1], K, d)
        y = torch.einsum("kij,...kj->...ki", a, zs + 0.5 * torch.tanh(zs))
        y = y + y**3 / 3
        return y[..., perm, :].reshape(z.shape)

    return h


def _rotation_mix(D: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    q = torch.linalg.qr(torch.randn(D, D, generator=gen, dtype=torch.float64))[0]
    return lambda z: q @ (z + 0.5 * torch.tanh(z))


# -- latent distributions ----------------------------------------------------------------------


def test_independent_latents_are_the_sweeps_old_draws_bit_for_bit():
    config = load_config("tiny")
    assert config.latents == "independent"
    for K, seed in ((2, 0), (2, 1), (3, 4)):
        data_seed = derive_seed(config.seed, "data", K, seed)  # the sweep's code before `latents` existed:
        old = torch.randn(config.n_train + config.n_eval, K * config.slot_dim, generator=torch.Generator().manual_seed(data_seed), dtype=torch.float64)
        z, got_seed = draw_latents(config, K, seed)
        assert got_seed == data_seed and torch.equal(z, old)
    assert all(load_config(name).latents == "independent" for name in bundled_configs())


@pytest.mark.parametrize("kind", LATENTS)
def test_samplers_have_the_covariance_they_report(kind):
    n, dim = 200_000, 6
    s = sample_latents(kind, n, dim, seed=11)
    assert s.kind == kind and s.z.shape == (n, dim) and s.z.dtype == torch.float64
    assert torch.allclose(s.covariance.diagonal(), torch.ones(dim, dtype=torch.float64))
    assert (torch.cov(s.z.T) - s.covariance).abs().max() < 0.03
    assert s.z.mean(dim=0).abs().max() < 0.02
    off = ~torch.eye(dim, dtype=torch.bool)
    squares = torch.corrcoef((s.z**2).T)[off]  # dependence that covariance does not show
    if kind == "wishart":
        assert s.covariance[off].abs().max() > 0.3  # really correlated, not the identity
    elif kind == "scale-mixture":
        assert s.covariance[off].abs().max() == 0 and squares.min() > 0.15  # (e - 1) / (3e - 1) ~ 0.24
    else:
        assert squares.abs().max() < 0.03
    assert torch.equal(sample_latents(kind, 50, dim, seed=11).z, sample_latents(kind, 50, dim, seed=11).z)
    assert not torch.equal(sample_latents(kind, 50, dim, seed=11).z, sample_latents(kind, 50, dim, seed=12).z)


def test_wishart_correlation_is_a_correlation_matrix_and_bad_input_is_refused():
    for seed in range(5):
        c = wishart_correlation(5, seed)
        assert torch.allclose(c, c.T) and torch.linalg.eigvalsh(c).min() > 0
        assert torch.equal(c.diagonal(), torch.ones(5, dtype=torch.float64))
    gen = torch.Generator().manual_seed(3)
    a = wishart_latents(10, 3, gen)  # a generator is consumed: a second draw differs
    assert not torch.equal(a.covariance, wishart_latents(10, 3, gen).covariance)
    with pytest.raises(ValueError, match="df >= 4"):
        wishart_correlation(4, 0, df=3)
    with pytest.raises(ValueError, match="unknown latent distribution"):
        sample_latents("uniform", 10, 2, 0)


# -- MIS -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", LATENTS)
def test_mis_is_one_for_a_slotwise_bijection_and_chance_corrected_zero_for_rotations(kind):
    K, d = 3, 3
    z = sample_latents(kind, 256, K * d, seed=5).z
    res = mechanistic_identifiability_score(_slotwise(K, d, [2, 0, 1], seed=1), z, K)
    assert abs(res.mis - 1.0) < 0.02 and np.all(np.abs(res.per_point - 1.0) < 0.02)
    assert abs(res.mis_c - 1.0) < 0.02
    assert res.per_point.shape == (256,)
    # true slot j lands in inferred slot perm^-1(j): output block i holds input slot perm[i]
    assert res.permutation.tolist() == [1, 2, 0]
    # Nonlinear mixings Q (z + tanh(z) / 2), Q Haar: the raw score keeps the best of 3! matchings
    # (mean about 0.16), the chance-corrected one is 0 on average.  Tolerance: 4 standard errors
    # of the mean over the rotations, plus the chance level's own error; measured mean MIS_c
    # 0.008 (sd 0.056 over 40 rotations) under all three densities.
    n = 40
    results = [mechanistic_identifiability_score(_rotation_mix(K * d, seed), z, K) for seed in range(n)]
    raw = np.array([r.mis for r in results])
    mixed = np.array([r.mis_c for r in results])
    chance = results[0].chance
    assert (chance.num_slots, chance.in_slot_dim, chance.out_slot_dim) == (K, d, d)
    assert raw.mean() > 0.1 and raw.min() >= 0  # uncorrected: chance favours the best matching
    tol = 4 * mixed.std(ddof=1) / np.sqrt(n) + 4 * chance.stderr / (1 - chance.mean)
    assert abs(mixed.mean()) < tol < 0.05, (mixed.mean(), tol)
    # every single rotation within 4 standard deviations of the null distribution (Haar draws)
    null_sd = float(haar_mis_samples(K, d, samples=2000, seed=1).std()) / (1 - chance.mean)
    assert np.abs(mixed).max() < 4 * null_sd, (mixed, null_sd)


def test_chance_level_against_independent_computations():
    """m0 by the module's Monte Carlo (QR of Gaussian matrices, best of all K! matchings) against
    (a) the closed form 2/pi, (b) a sampler that never forms Q: for K = 2 the score is |2t - 1| with
    t = ||Q_11||_F^2 / d, the mean squared cosine between a random d-plane of R^(2d) (spanned by a
    Gaussian G = [G1; G2]) and the first d coordinates, t = tr(G1 (G^T G)^-1 G1^T) / d, and (c)
    scipy's Haar sampler with linear_sum_assignment, square and not.  Tolerance: 4 combined standard errors."""
    from scipy.optimize import linear_sum_assignment
    from scipy.stats import ortho_group

    c = chance_mis(2, 1, exact=False)
    exact = chance_mis(2, 1)
    assert exact.exact and exact.mean == pytest.approx(2 / np.pi, abs=1e-15) and exact.stderr == 0
    assert not c.exact and c.samples == CHANCE_SAMPLES and 0 < c.stderr < 0.003
    assert abs(c.mean - 2 / np.pi) < 4 * c.stderr

    d, n = 3, 20_000
    g = np.random.default_rng(123).standard_normal((n, 2 * d, d))
    t = np.einsum("nij,njk,nik->n", g[:, :d], np.linalg.inv(np.swapaxes(g, 1, 2) @ g), g[:, :d]) / d
    other = np.abs(2 * t - 1)
    c = chance_mis(2, d)
    assert abs(c.mean - other.mean()) < 4 * np.hypot(c.stderr, other.std(ddof=1) / np.sqrt(n)), (c.mean, other.mean())

    for K, d_in, d_out in ((3, 2, 2), (3, 3, 2)):
        n = 3000
        draws = ortho_group.rvs(K * max(d_in, d_out), size=n, random_state=7)[:, : K * d_out, : K * d_in]
        energy = slot_energy(draws, K)
        frac = np.array([e[linear_sum_assignment(-e)].sum() for e in energy])
        other = (frac - 1 / K) / (1 - 1 / K)
        c = chance_mis(K, d_in, d_out)
        assert abs(c.mean - other.mean()) < 4 * np.hypot(c.stderr, other.std(ddof=1) / np.sqrt(n)), (K, d_in, d_out, c.mean, other.mean())
    assert chance_mis(3, 3, 2).mean != chance_mis(3, 2, 2).mean  # the slot sizes matter


def test_corrected_mis_is_the_affine_map_and_commutes_with_medians():
    c = chance_mis(2, 3)
    raw = np.array([0.05, 0.3, 0.7, 0.9])
    got = np.array([corrected_mis(v, c) for v in raw])
    assert np.allclose(got, (raw - c.mean) / (1 - c.mean)) and np.all(np.diff(got) > 0)
    assert corrected_mis(np.median(raw), c) == pytest.approx(np.median(got), abs=1e-15)
    assert corrected_mis(1.0, c) == 1.0 and corrected_mis(c.mean, c) == 0.0
    with pytest.raises(ValueError, match="need K >= 2"):
        haar_mis_samples(1, 3)


def test_sis_of_a_perfect_slotwise_model_drops_under_correlated_latents_but_mis_does_not():
    """The non-invariance: SIS subtracts the best unmatched R^2, which the correlation between
    the true slots makes positive; MIS reads the Jacobian and stays at 1."""
    K, d = 2, 2
    seed = max(range(100), key=lambda s: float(wishart_correlation(K * d, s)[:d, d:].abs().max()))
    assert wishart_correlation(K * d, seed)[:d, d:].abs().max() > 0.9  # strongly correlated slots
    h = _slotwise(K, d, [1, 0], seed=2)
    scores = {}
    for kind in ("independent", "wishart"):
        z = sample_latents(kind, 1000, K * d, seed).z
        sis = slot_identifiability_score(z.reshape(-1, K, d).numpy(), h(z).reshape(-1, K, d).numpy())
        scores[kind] = (sis, mechanistic_identifiability_score(h, z[:256], K).mis)
    (ind, ind_mis), (dep, dep_mis) = scores["independent"], scores["wishart"]
    # measured (seed 28, cross-slot correlation 0.986): independent SIS 0.944 (r_off 0, 0);
    # wishart SIS 0.381 (r_on 0.92, 0.94; r_off 0.551, 0.553); MIS 1.0 under both
    assert ind.sis > 0.9 and ind.r_off.max() < 0.05
    assert dep.r_on.min() > 0.9  # the matched slot is still predicted well ...
    assert dep.r_off.min() > 0.4 and dep.sis < 0.5  # ... but so is the unmatched one
    assert abs(ind_mis - 1) < 0.02 and abs(dep_mis - 1) < 0.02


def test_model_mis_composes_the_encoder_with_the_ground_truth():
    K, d = 2, 3
    gt = sample_ground_truth(K, d, 8, 0.5, seed=0, cond_pool=50)
    model = init_autoencoder(gt.num_outputs, K * d, seed=0, dtype=torch.float64)
    z = sample_latents("wishart", 64, K * d, seed=1).z
    res = model_mis(model.encoder, gt, z, K)
    with torch.no_grad():
        chain = torch.bmm(jacobians(model.encoder, gt(z)), jacobians(gt, z))  # Df(g(z)) Dg(z)
    energy = slot_energy(chain, K)
    assert np.allclose(energy.mean(axis=0), res.energy, atol=1e-10)
    assert 0 <= res.mis <= 1 and len(res.per_point) == 64
    with pytest.raises(ValueError, match="slot blocks"):
        slot_energy(np.zeros((1, 5, 6)), 2)


# -- configuration and sweep -------------------------------------------------------------------


def test_latents_key_is_validated(tmp_path):
    cfg = tmp_path / "dep.toml"
    cfg.write_text('name = "dep"\nlatents = "wishart"\n')
    assert load_config(cfg).latents == "wishart"
    cfg.write_text('name = "dep"\nlatents = "gaussian"\n')
    with pytest.raises(ConfigError, match="latents must be one of independent, wishart, scale-mixture, got 'gaussian'"):
        load_config(cfg)
    cfg.write_text('name = "dep"\nlatents = 1\n')
    with pytest.raises(ConfigError, match="latents has the wrong type"):
        load_config(cfg)


def test_an_old_folder_without_latents_resumes_and_reports(tmp_path):
    """docs/reproduce-small was written before `latents` and `mis`: its config.json pins the
    default, its results load and report (no MIS column), and another latents is refused."""
    out = tmp_path / "old"
    shutil.copytree(OLD_RUN, out, ignore=shutil.ignore_patterns("*.png"))
    assert "latents" not in json.loads((out / CONFIG_JSON).read_text())
    _check_out_dir(load_config("small"), out)  # accepted: a missing key is its default
    with pytest.raises(ConfigError, match="differs in latents"):
        _check_out_dir(SweepConfig(**{**load_config("small").to_dict(), "latents": "wishart"}), out)
    rows = read_rows(out / RESULTS_CSV)
    # written before the columns existed (or resumed since: then latents is the default and mis empty)
    assert rows and all(r.get("mis") in (None, "") and r.get("latents", "independent") == "independent" for r in rows)
    summary = summarize(rows)
    assert all(s["mis_median"] is None and s["latents"] == "independent" for s in summary)
    text = markdown_report(summary)
    assert "MIS" not in text and "Latent distribution" not in text
    rows[0]["mis"] = 0.75  # some rows with MIS, some without: the column shows "-" where none
    text = markdown_report(summarize(rows))
    assert "| MIS median |" in text and "| 0.750 |" in text and "| - |" in text


def _micro(**changes) -> SweepConfig:
    base = load_config("tiny").to_dict()
    base.update({"overlaps": [0.0], "seeds": 1, "steps": 5, "n_train": 128, "n_eval": 300, "restarts": 1, "exact_points": 1, "exact_criteria": ["D"]})
    base.update(changes)
    return SweepConfig(**base)


def test_sweep_records_latents_and_mis_and_resumes_old_rows(tmp_path):
    rows = run_sweep(_micro(latents="wishart"), tmp_path / "dep", show_progress=False)
    assert [r["latents"] for r in rows] == ["wishart"] and 0 <= rows[0]["mis"] <= 1
    assert read_rows(tmp_path / "dep" / RESULTS_CSV)[0]["mis"] == pytest.approx(rows[0]["mis"])
    assert "| MIS median |" in markdown_report(summarize(rows)) and "Latent distribution: wishart." in markdown_report(summarize(rows))

    # a folder as an older sweep left it: no `latents` in config.json, no latents / mis columns
    old = tmp_path / "old"
    first = run_sweep(_micro(), old, show_progress=False)
    snapshot = json.loads((old / CONFIG_JSON).read_text())
    del snapshot["latents"]
    (old / CONFIG_JSON).write_text(json.dumps(snapshot))
    lines = (old / RESULTS_CSV).read_text().splitlines()
    header = lines[0].split(",")
    keep = [i for i, c in enumerate(header) if c not in ("latents", "mis")]
    (old / RESULTS_CSV).write_text("\n".join(",".join(line.split(",")[i] for i in keep) for line in lines) + "\n")
    trained = []
    again = run_sweep(_micro(), old, show_progress=False, on_group=trained.append)
    assert trained == [] and again[0]["sis"] == pytest.approx(first[0]["sis"])
    assert read_rows(old / RESULTS_CSV)[0]["latents"] == "independent"  # filled in: the only value it can be
    assert read_rows(old / RESULTS_CSV)[0]["mis"] == ""


def test_report_converts_the_median_mis_to_mis_c_given_the_slot_size(tmp_path):
    rows = [
        {"K": K, "lam": 1.0, "overlap": 0.0, "seed": s, "sis": 0.5, "eval_recon": 0.0, "eval_ccomp": 0.0, "mis": m}
        for K, values in ((2, (0.1, 0.4, 0.9, 0.95)), (3, (0.2, 0.8, "")))
        for s, m in enumerate(values)
    ]
    assert all(s["misc_median"] is None for s in summarize(rows))  # no slot size: no MIS_c
    two, three = summarize(rows, slot_dim=3)
    # direct: MIS_c of every row, then the median (the map is increasing and affine, so they agree)
    direct = {K: float(np.median([corrected_mis(r["mis"], chance_mis(K, 3)) for r in rows if r["K"] == K and r["mis"] != ""])) for K in (2, 3)}
    assert two["misc_median"] == pytest.approx(direct[2], abs=1e-12) and three["misc_median"] == pytest.approx(direct[3], abs=1e-12)
    assert two["mis_median"] == pytest.approx(0.65) and two["misc_median"] < two["mis_median"]
    text = markdown_report([two, three])
    assert "| MIS median | MIS_c median (chance-corrected) |" in text
    assert f"| {two['mis_median']:.3f} | {two['misc_median']:.3f} |" in text
    from numeric.experiment.report import write_report

    _, table = write_report(rows, tmp_path, slot_dim=3)
    assert "| MIS_c median (chance-corrected) |" in table.read_text()

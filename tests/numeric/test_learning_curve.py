"""benchmarks/learning_curve.py (issue 15, item 1) and the bundled ``brady`` config.

The script's core function runs on a few steps and a few hundred samples; the per-latent R^2 it
records must average to the SIS's R^2 matrix, and its SIS must be the project's SIS.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path

import numpy as np

from numeric.experiment.config import bundled_configs, load_config
from numeric.experiment.sis import r2_matrix, slot_identifiability_score

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "learning_curve.py"


def _script():
    spec = importlib.util.spec_from_file_location("learning_curve", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_brady_config_follows_their_code():
    assert "brady" in bundled_configs()
    cfg = load_config("brady")
    assert (cfg.n_train, cfg.n_eval) == (72000, 8000)
    assert (cfg.steps, cfg.lr, cfg.lr_decay_at, cfg.batch_size, cfg.restarts) == (115000, 1e-3, 0.5, 64, 1)
    assert cfg.latents == "independent" and cfg.contrast == "unweighted"


def test_per_latent_r2_averages_to_the_sis_matrix():
    lc = _script()
    rng = np.random.default_rng(0)
    z = rng.normal(size=(150, 2, 3))
    # inferred slot 0 is ground-truth slot 1; inferred slot 1 holds two latents of slot 0 and noise
    zh = np.stack([z[:, 1], np.concatenate([z[:, 0, :2], rng.normal(size=(150, 1))], axis=1)], axis=1)
    lat = lc.per_latent_r2(z, zh)
    assert lat.shape == (2, 3, 2)
    assert np.allclose(lat.mean(axis=1), r2_matrix(z, zh))
    sis, matching, r_on, r_off = lc.sis_from_r2(np.maximum(lat.mean(axis=1), 0.0))
    ref = slot_identifiability_score(z, zh)
    assert np.isclose(sis, ref.sis) and matching.tolist() == ref.matching.tolist() == [1, 0]
    assert lat[0, 2, 1] < 0.2 < 0.5 < lat[0, 0, 1]  # the per-latent R^2 shows which latent is missing


def test_learning_curve_runs_on_a_few_steps(tmp_path):
    lc = _script()
    cfg = dataclasses.replace(load_config("tiny"), n_train=256, n_eval=80, steps=4)
    rows = lc.learning_curve(cfg, K=2, overlap=0.0, lam=1.0, seed=0, inits=2, checkpoints=[2, 4], sis_samples=60)
    assert [(r["step"], r["init"]) for r in rows] == [(2, 0), (2, 1), (4, 0), (4, 1)]
    assert all(np.asarray(r["r2_latent"]).shape == (2, 3, 2) for r in rows)
    summary = lc.summarise(rows)
    assert [s["step"] for s in summary] == [2, 4] and all(s["inits"] == 2 for s in summary)
    out = tmp_path / "rows.json"
    out.write_text(json.dumps({"meta": {"config": cfg.to_dict()}, "rows": rows}))
    png = tmp_path / "curve.png"
    lc.main(["--figure", str(png), str(out)])
    assert png.stat().st_size > 0

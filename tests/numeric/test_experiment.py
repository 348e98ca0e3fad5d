"""The synthetic experiment (numeric/experiment): ground truths, exact verdicts, training, sweep, CLI.

Sizes are kept small (slot maps R^3 -> R^8, a few dozen steps) so the file runs in seconds;
the claims are the ones the full sweep relies on.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import torch
from click.testing import CliRunner
from torch.func import jacfwd, vmap

from mechind.cli import main
from theory.linalg.rho import sparsity
from numeric.experiment.config import ConfigError, SweepConfig, load_config
from numeric.experiment.exact import exact_verdicts, sample_points, type_s_at
from numeric.experiment.groundtruth import OverlapLayout, sample_ground_truth
from numeric.experiment.models import init_autoencoder
from numeric.experiment.report import acceptance, markdown_report, summarize, write_report
from numeric.experiment.sweep import GENERATORS_CSV, RESULT_COLUMNS, RESULTS_CSV, _write_rows, read_rows, run_sweep
from numeric.experiment.training import (
    TrainSettings,
    autoencoder_loss,
    decoder_jacobians,
    decoder_jacobians_and_outputs,
    train_ensemble,
    train_single,
)


def _jacobians(gt, n: int, seed: int) -> torch.Tensor:
    z = torch.randn(n, gt.latent_dim, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return vmap(jacfwd(gt))(z)


# -- ground truth ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "K, overlap, layout, combine",
    [(2, 0.0, "pool", "sum"), (2, 0.25, "pool", "sum"), (3, 0.5, "pool", "sum-cubic"), (3, 0.75, "chain", "sum"), (3, 0.25, "chain", "sum-cubic")],
)
def test_jacobian_support_is_the_prescribed_mask(K, overlap, layout, combine):
    gt = sample_ground_truth(K, 3, 8, overlap, seed=K, layout=layout, combine=combine, distinct_slot_mlps=True, cond_pool=100)
    mask = gt.latent_mask()
    jac = _jacobians(gt, 64, seed=1)
    support = (jac != 0).numpy()
    # outside the mask every entry is exactly zero at every point ...
    assert not support[:, ~mask].any()
    # ... and inside it every entry is nonzero (LeakyReLU's slopes are never 0) at every point
    assert support[:, mask].all()
    reach = gt.mask().sum(axis=1)  # how many slots reach each output
    if overlap == 0:
        assert reach.max() == 1
    elif layout == "pool":
        assert (reach == K).sum() == gt.layout.shared == round(overlap * 8) and reach.min() == 1
    else:
        assert reach.max() >= 2 and reach[0] == 1 and reach[-1] == 1


def test_layouts():
    pool = OverlapLayout.from_fraction(3, 20, 0.25)
    assert (pool.shared, pool.num_outputs) == (5, 50)
    assert all(pool.mask()[:, k].sum() == 20 for k in range(3))
    assert pool.mask()[45:].all() and pool.mask()[:45].sum(axis=1).max() == 1
    chain = OverlapLayout.from_fraction(3, 8, 0.75, "chain")
    assert chain.num_outputs == 12 and chain.slot_rows(1) == list(range(2, 10))
    assert chain.mask()[4:6].all()  # s > m/2: slots 0 and 2 meet
    assert OverlapLayout.from_fraction(2, 20, 0.0).num_outputs == 40  # rho = 0: Brady's concatenation
    with pytest.raises(ValueError):
        OverlapLayout.from_fraction(2, 20, 0.33)
    with pytest.raises(ValueError):
        OverlapLayout.from_fraction(2, 20, 1.0)


@pytest.mark.parametrize("overlap", [0.0, 0.5])
def test_ground_truth_is_injective_rank_test(overlap):
    gt = sample_ground_truth(3, 3, 8, overlap, seed=5, cond_pool=100)
    svals = torch.linalg.svdvals(_jacobians(gt, 256, seed=2))
    assert svals.shape[-1] == 9
    assert float(svals.min()) > 1e-6 * float(svals.max())  # full column rank at every sample point


def test_slot_mlps_follow_brady_recipe():
    gt = sample_ground_truth(2, 3, 8, 0.0, seed=3, cond_pool=200)
    w1, w2, _, _ = gt.tensors()
    for w in (w1[0], w2[0]):
        assert torch.allclose(torch.linalg.vector_norm(w, dim=0), torch.ones(w.shape[1], dtype=torch.float64), atol=1e-5)
        assert float(w.abs().max()) <= 1.0
    assert torch.equal(w1[0], w1[1])  # Brady et al. render every slot with one MLP
    distinct = sample_ground_truth(2, 3, 8, 0.0, seed=3, cond_pool=200, distinct_slot_mlps=True)
    assert not torch.equal(distinct.tensors()[0][0], distinct.tensors()[0][1])
    # same seed, another overlap: the same slot maps, laid out differently
    assert sample_ground_truth(2, 3, 8, 0.5, seed=3, cond_pool=200).slot_weights == gt.slot_weights


@pytest.mark.parametrize("combine", ["sum", "sum-cubic"])
def test_torch_and_exact_generator_are_the_same_function(combine):
    gt = sample_ground_truth(2, 3, 6, 0.5, seed=7, combine=combine, cond_pool=50)
    point = sample_points(6, 1, seed=3)[0]
    g = gt.exact_generator([point])
    exact = [float(o.subs(g.points[0])) for o in g.outputs]
    numeric = gt(torch.tensor([[float(v) for v in point]], dtype=torch.float64))[0].tolist()
    assert np.allclose(exact, numeric, rtol=1e-12, atol=1e-12)
    assert all(isinstance(c, sp.Rational) for o in g.outputs for c in o.atoms(sp.Number))


def test_exact_type_d_holds_only_at_overlap_zero():
    verdicts = {}
    for overlap in (0.0, 0.25, 0.5, 0.75):
        gt = sample_ground_truth(2, 3, 8, overlap, seed=11, cond_pool=50)
        v = exact_verdicts(gt, sample_points(6, 2, seed=1), ["D"], budget=60)
        verdicts[overlap] = (v.d_global, tuple(v.d_points))
        assert v.min_singular > 0
    assert verdicts[0.0] == ("proved", ("proved", "proved"))
    for overlap in (0.25, 0.5, 0.75):
        assert verdicts[overlap] == ("refuted", ("refuted", "refuted")), verdicts


@pytest.mark.parametrize("combine, overlap", [("sum", 0.5), ("sum-cubic", 0.5), ("sum", 0.0)])
def test_exact_jacobian_equals_the_exact_generators_jacobian(combine, overlap):
    """The Fraction chain rule of GroundTruth.exact_jacobian against theory's own evaluation of the
    sympy generator's Jacobian at the same rational point (what the S criterion uses)."""
    from theory.criteria.context import CheckContext

    gt = sample_ground_truth(2, 2, 4, overlap, seed=5, combine=combine, cond_pool=20)
    point = sample_points(4, 1, seed=9)[0]
    g = gt.exact_generator([point])
    want, reason = CheckContext(g).rational_jacobian_at(g.points[0])
    assert want is not None, reason
    assert gt.exact_jacobian(point) == want
    # a kink (a pre-activation exactly 0) has no Jacobian
    w1 = gt.slot_weights[0][0]
    kink = [w1[0][1], -w1[0][0], *point[2:]]  # W1[0] . z_1 = 0
    assert gt.exact_jacobian(kink) is None
    assert type_s_at(gt, kink)[0] == "unknown"


@pytest.mark.parametrize("shared", [0, 1, 2, 3])
def test_type_s_of_one_dimensional_slots_follows_the_two_factor_formula(shared):
    """docs/mathematics.md section 5.7 for two 1-D factors with supports n1 = n2 = m and o shared outputs: with generic
    weights every overlap class has one row (o_1 = 1 when o > 0), so S <=> o + o_1 < m."""
    m = 4
    gt = sample_ground_truth(2, 1, m, shared / m, seed=2, cond_pool=20)
    point = [Fraction(3, 7), Fraction(-5, 11)]
    J = gt.exact_jacobian(point)
    ratios = [r[0] / r[1] for r in J if r[0] != 0 and r[1] != 0]
    classes = sorted((ratios.count(q) for q in set(ratios)), reverse=True) + [0, 0]
    o1, o2 = classes[0], classes[1]
    rho_plus, rho_minus = 2 * m, (2 * m - shared - o1) + min(m, 2 * m - shared - o2)
    exact = sparsity(J, [[0], [1]], engine="matroid")
    assert (exact.rho_plus, exact.rho_minus) == (rho_plus, rho_minus)
    verdict, detail = type_s_at(gt, point)
    assert verdict == ("proved" if shared + o1 < m else "refuted"), (shared, o1, detail)
    if detail.get("decided_by") == "private-rows certificate":  # a proven gap never exceeds the true one
        assert 1 <= detail["gap_lower"] <= rho_minus - rho_plus
    else:
        assert (detail["rho_plus"], detail["rho_minus"]) == (rho_plus, rho_minus)


def test_exact_points_are_rational_and_seeded():
    a, b = sample_points(4, 3, seed=9), sample_points(4, 3, seed=9)
    assert a == b and all(isinstance(v, Fraction) and v.denominator <= 1000 for p in a for v in p)


# -- training ------------------------------------------------------------------------------


def _data(K: int = 2, overlap: float = 0.0, n: int = 1024, seed: int = 0) -> torch.Tensor:
    gt = sample_ground_truth(K, 3, 8, overlap, seed=seed, cond_pool=50)
    z = torch.randn(n, 3 * K, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return gt(z).float()


def _grad_mass(net: torch.nn.Module, connected: bool = True) -> float:
    grads = [p.grad for p in net.parameters()]
    if connected:  # every parameter is on the contrast's graph (nothing detached)
        assert all(g is not None for g in grads)
    grads = [g for g in grads if g is not None]  # (the decoder's output bias does not enter J)
    assert all(torch.isfinite(g).all() for g in grads)
    return sum(float(g.abs().sum()) for g in grads)


def test_ccomp_gradient_reaches_the_encoder():
    """The contrast is evaluated at zh = encoder(x) and is not detached, so its gradient reaches the
    encoder wherever the decoder's Jacobian varies with z."""
    x = _data()
    model = init_autoencoder(x.shape[-1], 6, seed=0)

    def smooth_decoder(z: torch.Tensor) -> torch.Tensor:  # a decoder whose Jacobian depends on z
        return model.decoder(z + 0.1 * z**3)

    _, _, ccomp = autoencoder_loss(model.encoder, smooth_decoder, x[:64], 1.0, slot_dim=3)
    ccomp.backward()  # the contrast alone
    assert _grad_mass(model.encoder) > 0 and _grad_mass(model.decoder, connected=False) > 0


def test_ccomp_gradient_on_the_codes_vanishes_for_a_leaky_relu_decoder():
    """Brady et al.'s decoder is piecewise linear: J(z) is piecewise constant, so the contrast's
    gradient with respect to the codes -- and hence the encoder -- is exactly zero almost
    everywhere; the contrast trains the decoder only (the encoder follows through the
    reconstruction term)."""
    x = _data()
    model = init_autoencoder(x.shape[-1], 6, seed=0)
    _, _, ccomp = autoencoder_loss(model.encoder, model.decoder, x[:64], 1.0, slot_dim=3)
    ccomp.backward()
    assert _grad_mass(model.encoder) == 0.0
    assert _grad_mass(model.decoder, connected=False) > 0


def test_training_smoke_lowers_the_loss():
    x = _data()
    run = train_single(x, lam=1.0, init_seed=1, batch_seed=2, settings=TrainSettings(steps=50), slot_dim=3, latent_dim=6)
    loss = run.history["loss"]
    assert len(loss) == 50
    assert np.mean(loss[-10:]) < 0.7 * np.mean(loss[:10]), (loss[:10], loss[-10:])


def test_ensemble_equals_sequential_on_the_same_seeds():
    xs = torch.stack([_data(seed=0), _data(seed=1), _data(seed=0)])
    lams, inits, batches = [0.0, 1.0, 0.01], [3, 4, 5], [6, 7, 8]
    settings = TrainSettings(steps=20)
    ensemble = train_ensemble(xs, lams, inits, batches, settings, slot_dim=3, latent_dim=6)
    for i in range(3):
        single = train_single(xs[i], lams[i], inits[i], batches[i], settings, slot_dim=3, latent_dim=6)
        assert np.allclose(ensemble.history["loss"][i].numpy(), single.history["loss"], rtol=1e-4, atol=1e-6)
        for p, q in zip(ensemble.models[i].parameters(), single.model.parameters()):
            assert torch.allclose(p, q, rtol=1e-4, atol=1e-5)


def test_one_forward_pass_gives_the_same_jacobians_and_outputs():
    model = init_autoencoder(8, 6, seed=2, dtype=torch.float64)
    zh = torch.randn(16, 6, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    jac, out = decoder_jacobians_and_outputs(model.decoder, zh)
    assert torch.allclose(jac, decoder_jacobians(model.decoder, zh), rtol=1e-12, atol=1e-14)
    assert torch.allclose(out, model.decoder(zh), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("contrast", ["weighted", "normalized"])
def test_other_contrasts_train_and_ensemble_matches_sequential(contrast):
    xs = torch.stack([_data(seed=0), _data(seed=1)])
    settings = TrainSettings(steps=10, contrast=contrast)
    ensemble = train_ensemble(xs, [1.0, 0.5], [3, 4], [6, 7], settings, slot_dim=3, latent_dim=6)
    for i, lam in enumerate([1.0, 0.5]):
        single = train_single(xs[i], lam, [3, 4][i], [6, 7][i], settings, slot_dim=3, latent_dim=6)
        assert np.allclose(ensemble.history["ccomp"][i].numpy(), single.history["ccomp"], rtol=1e-4, atol=1e-6)
    # the unweighted and the other contrast give different losses from the same start
    plain = train_single(xs[0], 1.0, 3, 6, TrainSettings(steps=1), slot_dim=3, latent_dim=6)
    other = train_single(xs[0], 1.0, 3, 6, TrainSettings(steps=1, contrast=contrast), slot_dim=3, latent_dim=6)
    assert plain.history["recon"] == other.history["recon"] and plain.history["ccomp"] != other.history["ccomp"]
    with pytest.raises(ValueError, match="contrast must be one of"):
        TrainSettings(steps=1, contrast="l1")


def test_checkpoints_see_the_members_at_that_step():
    xs = torch.stack([_data(seed=0), _data(seed=1)])
    seen: dict[int, list[torch.Tensor]] = {}

    def grab(step, models):
        seen[step] = [torch.cat([p.detach().flatten().clone() for p in m.parameters()]) for m in models]

    out = train_ensemble(xs, [1.0, 0.0], [3, 4], [6, 7], TrainSettings(steps=6), slot_dim=3, latent_dim=6, checkpoints=[2, 6], on_checkpoint=grab)
    assert sorted(seen) == [2, 6]
    final = [torch.cat([p.detach().flatten() for p in m.parameters()]) for m in out.models]
    assert all(torch.equal(a, b) for a, b in zip(seen[6], final))
    assert not any(torch.equal(a, b) for a, b in zip(seen[2], final))
    early = train_ensemble(xs, [1.0, 0.0], [3, 4], [6, 7], TrainSettings(steps=2, lr_decay_at=1.0), slot_dim=3, latent_dim=6)
    # step 2 of the 6-step run = the end of a 2-step run at the full learning rate (the 6-step run drops it after step 3)
    assert all(torch.allclose(a, torch.cat([p.detach().flatten() for p in m.parameters()])) for a, m in zip(seen[2], early.models))


def test_learning_rate_drops_at_half_the_steps():
    assert TrainSettings(steps=115000).decay_step() == 57500
    assert TrainSettings(steps=7).decay_step() == 3


# -- configs, sweep, report, CLI -----------------------------------------------------------


def _micro(**changes) -> SweepConfig:
    base = load_config("tiny").to_dict()
    base.update({"overlaps": [0.0, 0.5], "seeds": 1, "steps": 5, "n_train": 128, "n_eval": 60, "exact_points": 1, "exact_criteria": ["D"]})
    base.update(changes)
    return SweepConfig(**base)


def test_bundled_configs_match_the_issue():
    small, paper = load_config("small"), load_config("paper")
    assert small.slots == (2, 3) and small.lambdas == (0.01, 1.0) and small.seeds == 3
    assert small.overlaps == (0.0, 0.25, 0.5, 0.75)
    assert paper.slots == (2, 3, 5) and paper.seeds == 5 and paper.steps == 115000
    assert len(small.runs()) == 48
    assert load_config("small", seed=4).seed == 4


def test_bad_configs_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="no configuration"):
        load_config("no-such-config")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nstepz = 3\n')
    with pytest.raises(ConfigError, match="unknown key 'stepz'"):
        load_config(bad)
    bad.write_text('name = "x"\noverlaps = [0.33]\n')
    with pytest.raises(ConfigError, match="not a whole number"):
        load_config(bad)
    bad.write_text('name = "x"\nsteps = "many"\n')
    with pytest.raises(ConfigError, match="wrong type"):
        load_config(bad)
    bad.write_text("name = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    for text, message in [
        ("lambdas = [nan]", "finite numbers >= 0"),
        ("lambdas = [inf]", "finite numbers >= 0"),
        ("lr = inf", "lr must be finite"),
        ("lambdas = [1.0, 1.0000001]", "appear more than once"),  # one run key, lam1: one run would overwrite the other
        ("overlaps = [0.0, 0.0]", "appear more than once"),
        ("seed = 4294967296", "seed must be in"),  # the seed derivation reads 32 bits: it would repeat seed 0
        ("seed = -1", "seed must be in"),
        ("lambdas = [0.0, -0.0]", "appear more than once"),  # lam0 and lam-0 were two keys for one run
    ]:
        bad.write_text(f'name = "x"\n{text}\n')
        with pytest.raises(ConfigError, match=message):
            load_config(bad)


def test_a_diverged_run_is_recorded_not_fatal(tmp_path):
    """lr = 1e6 drives the codes to nan within 5 steps: the run's scores are nan (SIS is not
    defined on non-finite codes) and the sweep completes; before, scikit-learn's check of its
    input ended the whole sweep with an internal error."""
    rows = run_sweep(_micro(lr=1e6, overlaps=[0.0], exact_points=0), tmp_path, show_progress=False)
    assert len(rows) == 1 and math.isnan(rows[0]["sis"]) and rows[0]["r_on"] == ""


def test_the_summary_counts_diverged_runs_apart():
    """Two seeds, one diverged (nan): statistics.stdev raised on the nan and the report crashed on
    every run and resume; the summary now gives the other seed's figures and the count."""
    from numeric.experiment.report import summarize as summarize_sweep

    rows = [
        {"K": 2, "lam": 1.0, "overlap": 0.0, "seed": s, "sis": v, "eval_recon": 0.1, "eval_ccomp": 0.2}
        for s, v in [(0, float("nan")), (1, 0.75), (2, 0.25)]
    ]
    (s,) = summarize_sweep(rows)
    assert s["n"] == 3 and s["diverged"] == 1 and s["sis_median"] == 0.5 and s["sis_min"] == 0.25


def test_sweep_resumes_and_skips_finished_runs(tmp_path):
    config = _micro()
    trained: list[list[str]] = []
    first = run_sweep(config, tmp_path, show_progress=False, on_group=lambda rows: trained.append([r["run"] for r in rows]))
    assert [r["run"] for r in first] == ["K2-o0-lam1-s0", "K2-o0.5-lam1-s0"]
    assert len(trained) == 2
    assert [r["exact_D_global"] for r in first] == ["proved", "refuted"]

    trained.clear()
    again = run_sweep(config, tmp_path, show_progress=False, on_group=lambda rows: trained.append([r["run"] for r in rows]))
    assert trained == []  # nothing retrained
    assert [r["sis"] for r in again] == [r["sis"] for r in first]

    # drop one finished run: only it is retrained, and it comes out the same (explicit seeds)
    path = tmp_path / RESULTS_CSV
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:2]) + "\n")
    third = run_sweep(config, tmp_path, show_progress=False, on_group=lambda rows: trained.append([r["run"] for r in rows]))
    assert trained == [["K2-o0.5-lam1-s0"]]
    assert abs(third[1]["sis"] - first[1]["sis"]) < 1e-9 and abs(third[1]["train_loss"] - first[1]["train_loss"]) < 1e-6
    assert len(read_rows(path)) == 2

    # generators.csv removed (to recompute the exact verdicts with a newer exact layer): the
    # verdicts come back without retraining, and the results take theirs from it
    gens_path = tmp_path / GENERATORS_CSV
    before = read_rows(gens_path)
    gens_path.unlink()
    for row in (rows := read_rows(path)):
        row["exact_D_global"] = "stale"
    _write_rows(path, RESULT_COLUMNS, rows)
    fourth = run_sweep(config, tmp_path, show_progress=False, on_group=lambda rows: trained.append([r["run"] for r in rows]))
    assert trained == [["K2-o0.5-lam1-s0"]]  # nothing more trained
    assert [r["exact_D_global"] for r in fourth] == ["proved", "refuted"] == [r["exact_D_global"] for r in read_rows(path)]
    assert [(r["generator"], r["exact_D_global"], r["exact_S_points"]) for r in read_rows(gens_path)] == [
        (r["generator"], r["exact_D_global"], r["exact_S_points"]) for r in before
    ]

    with pytest.raises(ConfigError, match="different configuration"):
        run_sweep(_micro(steps=6), tmp_path, show_progress=False)

    figure, table = write_report(third, tmp_path)
    assert figure.stat().st_size > 0 and "| 2 | 1 | 0.5 | 1 |" in table.read_text()
    assert acceptance(summarize(third))["largest_overlap"] == 0.5


@pytest.mark.parametrize("select", ["normalized-contrast", "loss"])
def test_restarts_train_together_and_the_unsupervised_choice_is_recorded(tmp_path, select):
    """Each run trains `restarts` initialisations in the same ensemble; the reported model is
    the restart with the least selection score (never the SIS), restart 0 is the single-run model
    (same seeds as restarts = 1), and the table shows both."""
    single = run_sweep(_micro(overlaps=[0.0]), tmp_path / "one", show_progress=False)
    rows = run_sweep(_micro(overlaps=[0.0], restarts=3, select=select, exact_criteria=["D", "S"]), tmp_path / "three", show_progress=False)
    (row,) = rows
    assert row["exact_S_points"] == "proved"  # disjoint slots: the private-rows certificate
    assert row["restarts"] == 3 and row["ensemble_size"] == 3 and row["select"] == select
    sis = [float(v) for v in row["sis_restarts"].split(";")]
    scores = [float(v) for v in row[{"normalized-contrast": "nccomp_restarts", "loss": "loss_restarts"}[select]].split(";")]
    assert len(sis) == len(scores) == 3 and len(set(sis)) == 3  # three different models
    assert row["selected_restart"] == min(range(3), key=lambda r: scores[r])
    assert abs(row["sis"] - sis[row["selected_restart"]]) < 1e-4
    assert abs(row["sis_first"] - sis[0]) < 1e-4 and abs(row["sis_first"] - single[0]["sis"]) < 1e-3
    assert 0 <= row["eval_nccomp"] <= 0.5  # K = 2: C_comp / ||J||^2 lies in [0, (K - 1) / 2]
    figure, table = write_report(rows, tmp_path / "three")
    text = table.read_text()
    assert "SIS median, restart 0 only" in text and "inits with SIS >= 0.8" in text and "restart 0 alone" in text
    assert (tmp_path / "three" / "sis_vs_contrast.png").stat().st_size > 0
    with pytest.raises(ConfigError, match="select must be one of"):
        _micro(select="sis")
    with pytest.raises(ConfigError, match="restarts must be >= 1"):
        _micro(restarts=0)


def test_cli_reproduce_runs_a_config_file(tmp_path):
    cfg = tmp_path / "micro.toml"
    cfg.write_text(
        'name = "micro"\nslots = [2]\nlambdas = [1.0]\noverlaps = [0.0]\nseeds = 1\nslot_outputs = 8\n'
        "steps = 5\nn_train = 128\nn_eval = 60\nexact_points = 1\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["reproduce", "--config", str(cfg), "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "median SIS at overlap 0, lambda = 1, K = 2" in result.output
    # 5 steps is a pipeline check: the experiment's target is not judged, so nothing reads as a failure
    assert "not judged" in result.output and "does NOT meet" not in result.output
    for name in ("results.csv", "generators.csv", "sis_vs_overlap.png", "table.md", "config.json"):
        assert (out / name).exists(), name


def test_report_judges_the_target_only_past_the_smoke_length():
    s = [{"K": 2, "lam": 1.0, "overlap": 0.0, "n": 1, "sis_median": 0.1, "sis_mean": 0.1, "sis_std": 0.0,
          "sis_min": 0.1, "sis_max": 0.1, "recon_median": 0.001, "ccomp_median": 0.1, "exact_D": "proved", "exact_S": ""}]
    assert "does NOT meet the target" in markdown_report(s, steps=4000)
    assert "does NOT meet" not in markdown_report(s, steps=150) and "not judged" in markdown_report(s, steps=150)
    # one overlap: there is no trend to judge (the brady slice), and the report says so
    assert "not in this grid (one overlap)" in markdown_report(s, steps=4000)
    assert "below overlap 0" not in markdown_report(s, steps=4000)
    two = s + [{**s[0], "overlap": 0.5, "sis_median": 0.05}]
    assert "median SIS at overlap 0.5 below overlap 0 for every K at lambda = 1: **yes**" in markdown_report(two, steps=4000)


def test_cli_reproduce_bad_input_exits_2(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["reproduce", "--config", "nope", "--out", str(tmp_path / "a")])
    assert result.exit_code == 2 and "no configuration 'nope'" in result.output
    result = runner.invoke(main, ["reproduce", "--config", "tiny", "--device", "tpu", "--out", str(tmp_path / "b")])
    assert result.exit_code == 2
    if not torch.cuda.is_available():
        result = runner.invoke(main, ["reproduce", "--config", "tiny", "--device", "cuda", "--out", str(tmp_path / "c")])
        assert result.exit_code == 2 and "no CUDA device" in result.output

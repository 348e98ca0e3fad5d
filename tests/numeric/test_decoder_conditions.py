"""The conditions a theorem puts on a decoder (numeric.decoder_conditions), decoder files
(numeric.experiment.checkpoint) and ``mechind theorem N --decoder FILE``."""

from __future__ import annotations

import json
import math

import pytest
import torch
from click.testing import CliRunner

from mechind.cli import main
from numeric.criteria import NUMERIC_VERDICTS, NumericOptions
from numeric.decoder_conditions import check_decoder_file, covering, decoder_conditions, l0_norms, local_injectivity, sparsity_constraint
from numeric.derivatives import jacobian
from numeric.experiment.checkpoint import FORMAT, checkpoint_path, load_checkpoint, save_checkpoint
from numeric.experiment.groundtruth import sample_ground_truth
from numeric.experiment.models import init_autoencoder
from numeric.generator import NeuralGenerator
from theory.errors import InputError

F64 = torch.float64


def _g(s: torch.Tensor) -> torch.Tensor:
    """Two 2-D slots, each on its own outputs (Type D), injective: a slot map (a, b) -> (a, b, a^3 + b, b^3)."""
    out = []
    for k in (0, 2):
        a, b = s[..., k], s[..., k + 1]
        out += [a, b, a**3 + b, b**3 - a]
    return torch.stack(out, -1)


G = NeuralGenerator(_g, [[0, 1], [2, 3]], 4, dtype=F64)


def _competitor(A: torch.Tensor) -> tuple[NeuralGenerator, object]:
    """g_hat = g o A^{-1} and h(s) = A s, so that g = g_hat o h exactly."""
    Ainv = torch.linalg.inv(A)
    ghat = NeuralGenerator(lambda z: _g(z @ Ainv.T), [[0, 1], [2, 3]], 4, dtype=F64, box=[(-3, 3)] * 4)
    return ghat, (lambda s: s @ A.T)


def _diagonal() -> torch.Tensor:
    return torch.diag(torch.tensor([2.0, -1.5, 0.5, 3.0], dtype=F64))


def _slot_permuting() -> torch.Tensor:
    D = _diagonal()
    return torch.cat([D[2:], D[:2]])  # code slot 1 <- latent slot 2 and the reverse: still decomposable


def _block_diagonal() -> torch.Tensor:
    """Mixes the latents inside each slot (decomposable, but fills the slot's rows of J)."""
    A = torch.zeros(4, 4, dtype=F64)
    A[:2, :2] = torch.tensor([[2.0, 1.0], [-1.0, 1.5]])
    A[2:, 2:] = torch.tensor([[0.5, 0.25], [1.0, -1.0]])
    return A


def _rotation(theta: float = 0.6) -> torch.Tensor:
    """Rotates latent 1 (slot 1) into latent 3 (slot 2): mixes the slots."""
    R = torch.eye(4, dtype=F64)
    c, s = math.cos(theta), math.sin(theta)
    R[0, 0], R[0, 2], R[2, 0], R[2, 2] = c, -s, s, c
    return R


@pytest.mark.parametrize("A", [_diagonal(), _slot_permuting()], ids=["diagonal", "slot-permutation"])
def test_a_decomposable_reparametrisation_satisfies_every_condition(A):
    ghat, h = _competitor(A)
    for number, crit in ((2, "D"), (3, "M")):
        rep = decoder_conditions(number, G, ghat, h=h, n_points=32)
        assert rep.results[f"criterion:{crit}"].verdict == "holds-numerically"
        assert rep.results["locally-injective"].verdict == "holds-numerically"
        assert rep.results["T4"].verdict == "holds-numerically", rep.results["T4"].details
        assert rep.failing == []
        assert rep.figures["h_block_leakage"]["max"] < 1e-12
    rep = decoder_conditions(3, G, ghat, h=h, n_points=32)
    sc = rep.results["sparsity-constraint"]
    assert sc.verdict == "holds-numerically"
    # the same supports up to the block maps: equal counts at every pair
    assert sc.details["l0_ghat"] == sc.details["l0_g"]
    assert "h decomposable" in rep.conclusion(True) and "numeric evidence" in rep.conclusion(True)


def test_mixing_inside_a_slot_keeps_the_criterion_but_not_the_sparsity_constraint():
    # g_hat = g o A^{-1} with A block-diagonal: h is decomposable and g_hat is Type D and M, but
    # each slot's rows of J_ghat = J_g A^{-1} fill up (6 -> 8 nonzeros per slot of this g), so
    # Theorem 3's constraint excludes this competitor even though it is disentangled
    ghat, h = _competitor(_block_diagonal())
    rep = decoder_conditions(3, G, ghat, h=h, n_points=32)
    assert rep.results["criterion:M"].verdict == "holds-numerically"
    assert decoder_conditions(2, G, ghat, h=h, n_points=32).results["criterion:D"].verdict == "holds-numerically"
    sc = rep.results["sparsity-constraint"]
    assert sc.verdict == "fails-numerically"
    assert set(sc.details["l0_g"]) == {12} and set(sc.details["l0_ghat"]) == {16}
    assert rep.figures["h_block_leakage"]["max"] < 1e-12


def test_a_rotation_mixing_slots_fails_the_sparsity_constraint_and_the_criterion():
    ghat, h = _competitor(_rotation())
    rep3 = decoder_conditions(3, G, ghat, h=h, n_points=32)
    sc = rep3.results["sparsity-constraint"]
    assert sc.verdict == "fails-numerically"
    assert all(a > b for a, b in zip(sc.details["l0_ghat"], sc.details["l0_g"]))
    assert sc.witness["l0_ghat"] > sc.witness["l0_g"]
    rep2 = decoder_conditions(2, G, ghat, h=h, n_points=32)
    assert rep2.results["criterion:D"].verdict == "fails-numerically"
    # still an injective immersion reaching every observation: only the sparsity side fails
    assert rep2.results["locally-injective"].verdict == rep2.results["T4"].verdict == "holds-numerically"
    assert rep2.figures["h_block_leakage"]["median"] > 0.1
    assert "does not cover" in rep2.conclusion(True) and "criterion:D" in rep2.conclusion(True)
    assert rep2.conclusion(False, "why").startswith("nothing follows")


def test_l0_counts_match_a_brute_force_count():
    gen = torch.Generator().manual_seed(3)
    J = torch.randn(5, 6, 3, generator=gen, dtype=F64)
    J[J.abs() < 0.5] = 0.0
    J[0, 0, 0] = 1e-18  # below tau: counted as zero
    l0, tau = l0_norms(J, c=10)
    eps = torch.finfo(F64).eps
    for i in range(5):
        scale = max(abs(float(x)) for x in J[i].flatten())
        count = sum(1 for x in J[i].flatten() if abs(float(x)) > 10 * eps * scale)
        assert int(l0[i]) == count
        assert float(tau[i]) == pytest.approx(10 * eps * scale)


def test_c_to_hold_is_where_the_sparsity_verdict_flips():
    ghat, h = _competitor(_diagonal())
    s = G.sample(6, seed=1)
    z = h(s)
    J_g, J_hat = jacobian(G, s), jacobian(ghat, z)
    J_hat = J_hat + 1e-9 * torch.randn(J_hat.shape, generator=torch.Generator().manual_seed(0), dtype=F64)  # dense, small noise
    r = sparsity_constraint(J_g, J_hat, z, c=10)
    assert r.verdict == "fails-numerically"
    c_star = r.details["c_to_hold"]
    assert sparsity_constraint(J_g, J_hat, z, c=c_star * 1.001).verdict == "holds-numerically"
    assert sparsity_constraint(J_g, J_hat, z, c=c_star * 0.999).verdict == "fails-numerically"
    assert r.details["c_to_hold_median"] <= c_star


def test_numerical_rank_agrees_with_torch_matrix_rank():
    gen = torch.Generator().manual_seed(0)
    J = torch.randn(6, 5, 3, generator=gen, dtype=F64)
    J[2, :, 2] = J[2, :, 0] - J[2, :, 1]  # rank 2
    J[4, :, 1] = 0.0
    r = local_injectivity(J, torch.zeros(6, 3, dtype=F64), c=10)
    eps = torch.finfo(F64).eps
    expected = [int(torch.linalg.matrix_rank(J[i], atol=10 * eps * float(J[i].abs().max()), rtol=0.0)) for i in range(6)]
    assert r.details["rank"] == expected
    assert r.verdict == "fails-numerically" and r.details["points_failing"] == 2


def test_covering_finds_a_collision_and_an_unreached_observation():
    circle = NeuralGenerator(lambda z: torch.stack([torch.cos(z[..., 0]), torch.sin(z[..., 0]), z[..., 1]], -1), [[0], [1]], 2, dtype=F64)
    z = torch.tensor([[0.0, 0.5], [2 * math.pi, 0.5], [1.0, -0.5]], dtype=F64)
    r = covering(circle, z, jacobian(circle, z), c=10)
    assert r.verdict == "fails-numerically" and r.witness["part"] == "no-collision"
    assert r.details["parts"]["immersion"]["verdict"] == "holds-numerically"
    assert r.details["parts"]["reaches-X"]["verdict"] == "not-tested"
    r = covering(circle, z[[0, 2]], jacobian(circle, z[[0, 2]]), c=10, x=circle(z[[0, 2]]) * 1.5)
    assert r.verdict == "fails-numerically" and r.witness["part"] == "reaches-X"
    assert r.details["parts"]["reaches-X"]["largest_relative_error"] > 0.3


def test_verdicts_are_numeric_words_only():
    ghat, h = _competitor(_rotation())
    for number in range(1, 6):
        rep = decoder_conditions(number, G, ghat, h=h, n_points=8, options=NumericOptions(s_budget=5.0))
        assert {r.verdict for r in rep.results.values()} <= set(NUMERIC_VERDICTS)
        json.dumps(rep.to_json())
    assert "criterion:S" in decoder_conditions(4, G, ghat, h=h, n_points=8).results
    no_h = decoder_conditions(3, G, ghat, n_points=8)
    assert "sparsity-constraint" not in no_h.results and no_h.notes


def test_checkpoint_round_trip_without_training_state(tmp_path):
    gt = sample_ground_truth(2, 2, 3, 0.0, seed=4, cond_pool=10)
    model = init_autoencoder(gt.num_outputs, gt.latent_dim, seed=1, hidden_dim=16)
    codes = model.encoder(gt(torch.randn(50, 4, dtype=F64)).float()).detach()
    path = save_checkpoint(tmp_path / "d" / "m.pt", model, 2, gt, {"run": "r", "sis": 0.25, "lam": 1.0, "extra": [1]}, codes)
    raw = torch.load(path, weights_only=True)  # plain data only
    assert raw["format"] == FORMAT and set(raw["decoder"]) == {f"fc.{i}.{p}" for i in range(3) for p in ("weight", "bias")}
    ck = load_checkpoint(path)
    assert ck.factors == [[0, 1], [2, 3]] and ck.run["sis"] == 0.25 and ck.run["extra"] == "[1]"
    assert ck.ground_truth().slot_weights == gt.slot_weights and ck.ground_truth().layout == gt.layout
    ng = ck.neural_generator()
    assert ng.blocks == ((0, 1), (2, 3)) and ng.dtype == torch.float32
    assert ng.box[0] == pytest.approx((float(codes[:, 0].min()), float(codes[:, 0].max())))
    z = torch.randn(7, 4)
    assert torch.equal(ng(z), model.decoder(z)) and torch.equal(ck.encoder(gt(z.double()).float()), model.encoder(gt(z.double()).float()))
    assert ck.neural_generator(dtype=F64)(z.double()).dtype == F64
    assert checkpoint_path(tmp_path, "K2-o0").name == "K2-o0.pt"
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, other)
    with pytest.raises(InputError, match="not a decoder file"):
        load_checkpoint(other)
    with pytest.raises(InputError, match="does not exist"):
        load_checkpoint(tmp_path / "missing.pt")
    # damaged copies of a real decoder file: each a clean input error, never an internal one
    for change, message in [
        ({"dtype": "float128"}, "not a floating-point torch dtype"),
        ({"dtype": "Tensor"}, "not a floating-point torch dtype"),
        ({"factors": None}, "no valid factors"),
        ({"factors": [["a"]]}, "no valid factors"),
        ({"factors": [[0, 1], [2, 99]]}, "do not partition the latents"),
        ({"architecture": [1, 2]}, "do not fit the architecture"),
        ({"decoder": [1, 2]}, "do not fit the architecture"),
        ({"run": [1, 2]}, "the run record is not a table"),
    ]:
        damaged = tmp_path / "damaged.pt"
        torch.save({**raw, **change}, damaged)
        with pytest.raises(InputError, match=message):
            load_checkpoint(damaged)
    poisoned = {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}
    poisoned["decoder"]["fc.0.weight"] = torch.full_like(raw["decoder"]["fc.0.weight"], float("nan"))
    torch.save(poisoned, tmp_path / "nan.pt")  # a NaN weight: no point decides anything (it crashed the SVD of T3)
    with pytest.raises(InputError, match="NaN or infinite at every sampled point"):
        check_decoder_file(4, str(tmp_path / "nan.pt"), n_points=4)
    torch.save({**raw, "factors": [[0, 1], [1, 2, 3]]}, tmp_path / "overlap.pt")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "overlap.pt"), "--criteria", "D"])
    assert result.exit_code == 2 and "do not partition the latents" in result.output, result.output


def test_cli_theorem_decoder_on_a_reproduce_checkpoint(tmp_path):
    cfg = tmp_path / "micro.toml"
    cfg.write_text(
        'name = "micro"\nslots = [2]\nlambdas = [1.0]\noverlaps = [0.0]\nseeds = 1\nslot_dim = 1\nslot_outputs = 2\n'
        'steps = 5\nn_train = 128\nn_eval = 60\nexact_points = 1\nexact_criteria = ["D"]\n'
    )
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["reproduce", "--config", str(cfg), "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    files = sorted((out / "decoders").glob("*.pt"))
    assert [f.name for f in files] == ["K2-o0-lam1-s0.pt"]
    result = runner.invoke(main, ["theorem", "2", "--decoder", str(files[0]), "--points", "16", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)["cases"][0]
    dec = doc["decoder"]
    assert set(dec["conditions"]) == {"criterion:D", "locally-injective", "T4"}
    assert {v["verdict"] for v in dec["conditions"].values()} <= set(NUMERIC_VERDICTS)
    assert all(v["points_sampled"] == 16 and v["dtype"] == "float32" for v in dec["conditions"].values())
    assert dec["run"]["run"] == "K2-o0-lam1-s0" and isinstance(dec["run"]["sis"], float)
    # 5 training steps: the decoder is far from g, so the theorem cannot cover it whatever g's verdicts
    assert dec["conditions"]["T4"]["verdict"] == "fails-numerically"
    assert dec["conclusion"].startswith(("nothing follows", "the theorem does not cover"))
    result = runner.invoke(main, ["theorem", "2", "--decoder", str(files[0]), "--points", "8"])
    assert result.exit_code == 0, result.output
    assert "conditions of Theorem 2 on the decoder" in result.output and "criterion:D" in result.output
    assert runner.invoke(main, ["theorem", "2", "--all", "--decoder", str(files[0])]).exit_code == 2
    assert runner.invoke(main, ["theorem", "2", "--decoder", str(tmp_path / "none.pt")]).exit_code == 2
    assert runner.invoke(main, ["theorem", "2", "p13", "--decoder", str(files[0])]).exit_code == 2  # sizes do not fit

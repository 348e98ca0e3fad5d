"""Non-finite numbers in the numeric layer: an entry or a tolerance that is NaN or infinite
decides nothing.  With tau = inf (float16 overflow) or nan (a NaN weight) no entry passes
|x| > tau, which used to read as "every entry is zero": D held and M failed with empty
supports for a linear map whose J (computed here in float64) says the opposite."""

from __future__ import annotations

import json

import pytest
import torch

from mechind.render import json_text
from numeric import NeuralGenerator
from numeric.criteria import check_numeric


def _linear(weights: list[list[float]]) -> torch.nn.Module:
    net = torch.nn.Linear(2, len(weights), bias=False).double()
    with torch.no_grad():
        net.weight.copy_(torch.tensor(weights, dtype=torch.float64))
    return net


def test_float16_overflow_is_not_read_as_zero():
    net = torch.nn.Sequential(_linear([[300.0, 0.0], [0.0, 300.0], [300.0, 300.0]]), torch.nn.Linear(3, 3, bias=False).double())
    with torch.no_grad():
        net[1].weight.copy_(300.0 * torch.eye(3, dtype=torch.float64))
    J = net[1].weight @ net[0].weight  # 9e4 entries: row 3 in both blocks (D fails), supports {1,3}, {2,3} (M holds)
    assert J[2, 0] != 0 and J[2, 1] != 0 and float(J.abs().max()) > torch.finfo(torch.float16).max
    g = NeuralGenerator(net.half(), [[0], [1]], latent_dim=2, dtype=torch.float16)
    results = {r.criterion: r for r in check_numeric(g, "D,M", n_points=8)}
    assert results["D"].verdict != "holds-numerically"
    assert results["M"].verdict != "fails-numerically"
    assert results["D"].verdict == "unknown" and results["D"].method == "non-finite"


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_non_finite_weight_decides_nothing(bad):
    g = NeuralGenerator(_linear([[1.0, 0.0], [0.0, 1.0], [bad, 1.0]]), [[0], [1]], latent_dim=2)
    for r in check_numeric(g, "D,M,H2", n_points=8):
        assert r.verdict == "unknown" and r.method == "non-finite", r.to_json()
        assert r.details["points_non_finite"] == 8
        json.loads(json_text(r.to_json()), parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))


def test_an_unbounded_sampling_box_is_refused():
    with pytest.raises(ValueError, match="box must be bounded"):
        NeuralGenerator(_linear([[1.0, 0.0], [0.0, 1.0]]), [[0], [1]], latent_dim=2, box=[(-float("inf"), float("inf")), (0, 1)])


def _relu_net(bias3: float) -> torch.nn.Module:
    """out3 = relu(h3 + h4 + bias3) with h3, h4 = z1 + 4e4, z2 + 4e4: for bias3 = -79990 it is
    relu(z1 + z2 + 10), which mixes both factors on the box (D fails); in float16 the bias is -inf."""
    l1, l2 = torch.nn.Linear(2, 4), torch.nn.Linear(4, 3)
    with torch.no_grad():
        l1.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]))
        l1.bias.copy_(torch.tensor([10.0, 10.0, 40000.0, 40000.0]))
        l2.weight.copy_(torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]))
        l2.bias.copy_(torch.tensor([0.0, 0.0, bias3]))
    return torch.nn.Sequential(l1, torch.nn.ReLU(), l2, torch.nn.ReLU()).double()


def test_a_module_that_float16_changes_is_refused(tmp_path):
    """Converting to float16 turned the bias -79990 into -inf and the weight 1e-8 into 0; the
    cast module computes another function (row 3 of J read (0, 0)), and D read holds-numerically."""
    from click.testing import CliRunner

    from mechind.cli import main

    net = _relu_net(-79990.0)
    z = torch.tensor([[0.5, -0.25]], dtype=torch.float64)
    J = torch.func.jacfwd(net)(z[0])  # float64: row 3 is (1, 1)
    assert J[2, 0] != 0 and J[2, 1] != 0
    for name, module in (("overflow", net), ("underflow", _linear([[1e-8, 0.0], [0.0, 1e-8], [1e-8, 1e-8]]))):
        path = tmp_path / f"{name}.py"
        torch.save(module, tmp_path / f"{name}.pt")
        path.write_text(
            "import torch\nfrom numeric.generator import NeuralGenerator\n"
            f"net = torch.load({str(tmp_path / f'{name}.pt')!r}, weights_only=False)\n"
            f"GENERATOR = NeuralGenerator(net, [[0], [1]], 2, name={name!r})\n"
        )
        result = CliRunner().invoke(main, ["check", str(path), "--criteria", "D", "--dtype", "float16"])
        assert result.exit_code == 2, result.output
        assert f"{name}s" in result.output and "wider dtype" in result.output
        assert CliRunner().invoke(main, ["check", str(path), "--criteria", "D", "--dtype", "float64"]).exit_code == 0


def test_points_where_an_output_is_not_finite_decide_nothing():
    """An output that is infinite everywhere has a finite slope in torch (d(z1 + z2 + inf) = (1, 1));
    g has no value there, so nothing is decided."""
    g = NeuralGenerator(lambda z: torch.stack([z[..., 0], z[..., 1], z[..., 0] + z[..., 1] + float("inf")], -1), [[0], [1]], 2, dtype=torch.float64)
    (d,) = check_numeric(g, "D", n_points=8)
    assert (d.verdict, d.method) == ("unknown", "non-finite")


def test_a_module_that_breaks_the_contract_is_an_input_error():
    """Dropout in train mode fails under vmap(jacfwd) (a random draw): check_shapes names it
    (exit 2), instead of the numeric layer's internal error (exit 3)."""
    module = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Dropout(0.5)).double().train()
    with pytest.raises(ValueError, match="could not be differentiated one point at a time.*random operation"):
        NeuralGenerator(module, [[0], [1]], 2).check_shapes()
    NeuralGenerator(module.eval(), [[0], [1]], 2).check_shapes()  # eval mode: a deterministic function


def test_a_function_that_only_takes_batches_is_named():
    net = torch.nn.Linear(2, 3).double()
    g = NeuralGenerator(lambda z: net(z.reshape(-1, 2)), [[0], [1]], 2, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"must map a point \[2\] to \[m\]"):
        g.check_shapes()

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

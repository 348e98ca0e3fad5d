"""``mechind check`` on neural cases (issue 14): a case file defining a ``NeuralGenerator`` and a
decoder file of ``mechind reproduce``, checked with the numeric criteria from the command line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

from mechind.cli import main
from mechind.neural_cases import NEURAL_DTYPES
from numeric.crosscheck import _DTYPES
from numeric.experiment.checkpoint import save_checkpoint
from numeric.experiment.models import MLP

CASE = textwrap.dedent(
    '''
    """Two neural generators: slot-wise MLPs (D holds) and one MLP mixing the slots (D fails)."""
    import torch
    from numeric.generator import NeuralGenerator

    torch.manual_seed(0)


    class SlotWise(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
            self.b = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))

        def forward(self, z):
            return torch.cat([self.a(z[..., :2]), self.b(z[..., 2:])], -1)


    mixing = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 6))
    GENERATORS = [
        NeuralGenerator(SlotWise(), [[0, 1], [2, 3]], 4, name="slotwise"),
        NeuralGenerator(mixing, [[0, 1], [2, 3]], 4, name="mixing"),
    ]
    '''
)


def invoke(*args: object):
    return CliRunner().invoke(main, ["check", *map(str, args)])


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "neural_case.py"
    path.write_text(CASE)
    return path


@pytest.fixture
def decoder_file(tmp_path: Path) -> Path:
    torch.manual_seed(1)
    net = MLP(4, 5, hidden_dim=8).to(torch.float32)
    for p in net.parameters():
        torch.nn.init.normal_(p, std=0.5)
    return save_checkpoint(tmp_path / "decoders" / "run.pt", net, slot_dim=2, run={"run": "tiny"})


def verdicts(doc: dict) -> dict[str, str]:
    return {c["criterion"]: c["verdict"] for c in doc["checks"]}


def test_case_file_of_neural_generators(case_file: Path) -> None:
    result = invoke(case_file, "--criteria", "D,M", "--json")
    assert result.exit_code == 0, result.output
    cases = json.loads(result.stdout)["cases"]
    assert [c["case"] for c in cases] == ["slotwise", "mixing"]
    slotwise, mixing = cases
    assert verdicts(slotwise)["D"] == "holds-numerically"
    assert verdicts(mixing)["D"] == "fails-numerically"
    assert slotwise["dtype"] == "float64" and slotwise["device"] == "cpu" and slotwise["points"] > 0
    assert all(c["dtype"] == "float64" and c["points_sampled"] == slotwise["points"] for c in slotwise["checks"])
    assert slotwise["factors"] == {"f1": ["z1", "z2"], "f2": ["z3", "z4"]}


def test_case_file_table_and_dtype(case_file: Path) -> None:
    result = invoke(case_file, "--criteria", "D", "--dtype", "float32")
    assert result.exit_code == 0, result.output
    assert "slotwise" in result.output and "holds-numerically" in result.output and "fails-numerically" in result.output
    assert "float32" in result.output and "float64" not in result.output


def test_decoder_file(decoder_file: Path) -> None:
    result = invoke(decoder_file, "--criteria", "D", "--json")
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(result.stdout)["cases"]
    assert doc["case"] == "decoder:tiny" and doc["kind"] == "decoder" and doc["d"] == 4 and doc["m"] == 5
    assert list(doc["factors"]) == ["slot1", "slot2"]
    # a dense random MLP: every output depends on both slots
    assert verdicts(doc) == {"D": "fails-numerically"}


def test_mixed_batch_in_input_order(case_file: Path, decoder_file: Path) -> None:
    result = invoke("p01", decoder_file, case_file, "p02", "--criteria", "D", "--json", "--jobs", "2")
    assert result.exit_code == 0, result.output
    cases = json.loads(result.stdout)["cases"]
    names = [c["case"] for c in cases]
    assert names[0].startswith("p01-") and names[1:4] == ["decoder:tiny", "slotwise", "mixing"] and names[4].startswith("p02-")
    # the bundled baselines are disjoint: exact D is proved there
    assert [cases[i]["checks"][0]["verdict"] for i in (0, 4)] == ["proved", "proved"]
    assert "dtype" not in cases[0] and cases[1]["dtype"] == "float64"


@pytest.mark.parametrize("args", [("--dtype", "float128"), ("--device", "no-such-device")])
def test_bad_numeric_options_exit_2(case_file: Path, args: tuple[str, str]) -> None:
    result = invoke(case_file, "--criteria", "D", *args)
    assert result.exit_code == 2
    assert args[0] in result.output


def test_criterion_without_numeric_counterpart_exit_2(case_file: Path) -> None:
    result = invoke(case_file, "--criteria", "T2")
    assert result.exit_code == 2, result.output


def test_exact_case_json_unchanged_by_numeric_options() -> None:
    def seconds_free(text: str) -> dict:
        doc = json.loads(text)
        for case in doc["cases"]:
            for c in case["checks"]:
                c.pop("seconds")
        return doc

    plain = invoke("p01", "--criteria", "D,M", "--json")
    given = invoke("p01", "--criteria", "D,M", "--json", "--dtype", "float32", "--device", "cpu")
    assert plain.exit_code == given.exit_code == 0
    assert seconds_free(plain.stdout) == seconds_free(given.stdout)


def test_dtype_names_match_crosscheck() -> None:
    assert set(NEURAL_DTYPES) == set(_DTYPES)

"""The Ray executor (issue 17, item 4): ``--executor ray`` gives what the local executor gives.

On a local Ray instance started here (two CPUs):

* ``mechind check`` over bundled cases gives the JSON document of ``--jobs 1`` (apart from
  timings), in input order, with p16's checks forking their own killable children inside a
  Ray worker, and an error in the second case stops the batch with exit 2 as locally;
* a check's budget still kills its worker inside a Ray task (``run_killable``);
* the soundness fuzzer gives the same figures (timings apart);
* a two-group ``reproduce`` sweep (one ensemble group per task) writes the same
  ``results.csv`` and ``generators.csv`` (timings apart) and the same decoder files, and
  resumes a run removed from ``results.csv`` on the cluster.

Skipped when Ray is not installed (``pip install 'mechind[cluster]'``; CI installs it).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed: the cluster executor is the optional extra mechind[cluster]")

from mechind.executor import map_cases, open_executor  # noqa: E402
from tests.cli_runs import run, strip_seconds  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CASES = ("p01", "p16")  # p16: minimal polynomials in forked children of the Ray worker


@pytest.fixture(scope="module")
def cluster():
    """A local Ray instance for this module; ``--executor ray`` uses it (and leaves it open)."""
    saved = os.environ.get("RAY_USAGE_STATS_ENABLED")
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # no report to Ray's servers from a test
    started = time.perf_counter()
    scratch = tempfile.TemporaryDirectory(prefix="ray-", ignore_cleanup_errors=True)  # Ray's sessions and sockets
    ray.init(
        num_cpus=2,
        _temp_dir=scratch.name,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.WARNING,
        runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}},
    )
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    try:
        yield time.perf_counter() - started
    finally:
        ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
        ray.shutdown()
        scratch.cleanup()
        if saved is None:
            os.environ.pop("RAY_USAGE_STATS_ENABLED", None)
        else:
            os.environ["RAY_USAGE_STATS_ENABLED"] = saved


def test_check_on_ray_gives_the_local_document(cluster):
    local = run("check", *CASES, "--json", "--budget", "60")
    remote = run("check", *CASES, "--json", "--budget", "60", "--executor", "ray")
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    doc_local, doc_remote = json.loads(local.stdout), json.loads(remote.stdout)
    assert [c["case"].split("-")[0] for c in doc_remote["cases"]] == list(CASES)
    assert strip_seconds(doc_remote) == strip_seconds(doc_local)
    assert any(c["method"] == "minimal-polynomial" for c in doc_remote["cases"][1]["checks"])
    lines = sorted(line.split("]")[0] for line in remote.stderr.splitlines() if line.startswith("["))
    assert lines == ["[1/2", "[2/2"]


def test_crosscheck_on_ray_gives_the_local_document(cluster):
    args = ("crosscheck", "p01", "p05", "--json", "--criteria", "D,S", "--random-points", "2", "--dtype", "float64")
    local, remote = run(*args), run(*args, "--executor", "ray")
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    doc_local, doc_remote = json.loads(local.stdout), json.loads(remote.stdout)
    assert [c["case"].split("-")[0] for c in doc_remote["cases"]] == ["p01", "p05"]
    assert doc_remote["summary"]["float64"]["compared"] > 0
    assert strip_seconds(doc_remote) == strip_seconds(doc_local)


def test_crosscheck_refuses_ray_on_a_device(cluster):
    result = run("crosscheck", "p01", "--executor", "ray", "--device", "meta")
    assert result.exit_code == 2
    assert "--device" in result.stderr


def test_an_error_stops_the_ray_batch_as_locally(cluster):
    args = ("check", "p01", "p03", "--criteria", "D", "--at", "s1=1/3,s2=1/5")
    local, remote = run(*args), run(*args, "--executor", "ray")
    assert local.exit_code == remote.exit_code == 2
    assert "missing the coordinate(s) s3" in remote.stderr
    assert "p01-disjoint-baseline" in remote.stdout and "p03" not in remote.stdout
    assert remote.stdout.splitlines()[:3] == local.stdout.splitlines()[:3]


def _killed_in_time(seconds: float) -> tuple[Any, float]:
    """In a Ray worker: a task that sleeps past its budget, run through ``run_killable``."""
    from theory.budget import grace, run_killable

    started = time.perf_counter()
    (result,) = run_killable([lambda: time.sleep(30)], seconds, lambda i, why, elapsed: why)
    return result, time.perf_counter() - started - (seconds + grace(seconds))


def test_a_budget_kills_its_worker_inside_a_ray_task(cluster):
    with open_executor("ray") as executor:
        (why, late), (why2, late2) = map_cases(_killed_in_time, [0.2, 0.4], executor=executor)
    assert why == why2 == "timeout"
    assert -0.05 < late < 2.0 and -0.05 < late2 < 2.0  # killed at its budget + grace, not after 30 s


def _fuzzer():
    spec = importlib.util.spec_from_file_location("fuzz_soundness", ROOT / "benchmarks" / "fuzz_soundness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fuzzer_on_ray_gives_the_local_figures(cluster, tmp_path, capsys):
    fuzzer = _fuzzer()
    figures = {}
    for executor in ("local", "ray"):
        out = tmp_path / f"{executor}.json"
        args = ["--count", "12", "--seed", "3", "--batch", "4", "--workers", "1", "--budget", "30", "--executor", executor, "--json", str(out)]
        assert fuzzer.main(args) == 0
        figures[executor] = json.loads(out.read_text())
    assert figures["ray"]["checks"] >= 12 and figures["ray"]["unsound"] == 0
    timing = ("seconds", "checks_per_second", "executor")
    assert {k: v for k, v in figures["ray"].items() if k not in timing} == {k: v for k, v in figures["local"].items() if k not in timing}


MICRO = (
    'name = "micro"\nslots = [2]\nlambdas = [1.0]\noverlaps = [0.0, 0.25, 0.5]\nseeds = 1\nslot_outputs = 8\n'
    'steps = 5\nn_train = 128\nn_eval = 60\nrestarts = 1\nexact_points = 1\nexact_criteria = ["D"]\n'
)


def _table(path: Path, timing: str) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return [{k: v for k, v in row.items() if k != timing} for row in csv.DictReader(fh)]


def _checkpoint(path: Path) -> dict[str, Any]:
    """A decoder file's contents, its tensors as lists and its training time left out."""
    import torch  # deferred: heavy

    doc = torch.load(path, weights_only=False)
    for net in ("decoder", "encoder"):
        doc[net] = {k: v.tolist() for k, v in doc[net].items()}
    doc["run"].pop("train_seconds")
    return doc


def test_reproduce_on_ray_resumes_into_the_local_csv(cluster, tmp_path):
    """The local sweep trains three ensemble groups; the Ray sweep resumes a folder that holds
    the first of them and trains the other two (one task each), merged into the same files."""
    config = tmp_path / "micro.toml"
    config.write_text(MICRO)
    local, remote = tmp_path / "local", tmp_path / "ray"
    common = ("reproduce", "--config", str(config), "--no-progress", "--threads", "1")
    first = run(*common, "--out", str(local))
    assert first.exit_code == 0, first.output
    remote.mkdir()
    (remote / "config.json").write_text((local / "config.json").read_text())
    head, *lines = (local / "results.csv").read_text().splitlines(keepends=True)
    (remote / "results.csv").write_text(head + lines[0])  # the first group is done: not retrained
    second = run(*common, "--out", str(remote), "--executor", "ray")
    assert second.exit_code == 0, second.output
    rows = _table(remote / "results.csv", "train_seconds")
    assert [r["run"] for r in rows] == ["K2-o0-lam1-s0", "K2-o0.25-lam1-s0", "K2-o0.5-lam1-s0"]  # grid order
    assert rows == _table(local / "results.csv", "train_seconds")
    assert (remote / "results.csv").read_text().splitlines()[1] == lines[0].rstrip("\r\n")  # kept as it was
    assert _table(remote / "generators.csv", "exact_seconds") == _table(local / "generators.csv", "exact_seconds")
    assert [r["exact_D_global"] for r in rows] == ["proved", "refuted", "refuted"]
    trained = sorted(p.name for p in (remote / "decoders").glob("*.pt"))  # written on the workers, sent back here
    assert trained == ["K2-o0.25-lam1-s0.pt", "K2-o0.5-lam1-s0.pt"]
    for name in trained:
        assert _checkpoint(remote / "decoders" / name) == _checkpoint(local / "decoders" / name)

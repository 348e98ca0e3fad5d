"""benchmarks/gpu_paper_slice.py (issue 15, item 4) works without a GPU: ``--help``, ``--dry-run``
(the planned runs and the time estimate) and the refusal with exit status 2 when no CUDA device
is present."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "gpu_paper_slice.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def _run_together(*calls: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """The script's runs side by side (each mostly imports torch): (exit code, stdout, stderr)."""
    procs = [subprocess.Popen([sys.executable, str(SCRIPT), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for args in calls]
    return [_finish(p) for p in procs]


def _finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def test_help_and_dry_run_need_no_gpu(tmp_path):
    (help_code, _, _), (code, stdout, stderr), (_, small_out, _) = _run_together(
        ("--help",),
        ("--dry-run", "--out", str(tmp_path / "out")),
        ("--dry-run", "--only", "wishart-K2", "--budget", "400", "--step-ms", "2", "--max-steps", "1000"),
    )
    assert help_code == 0
    res = subprocess.CompletedProcess([], code, stdout, stderr)
    assert res.returncode == 0, res.stderr
    assert "paper-K2-o0.75" in res.stdout and "wishart-K2-o0.5" in res.stdout
    assert "6 workers" in res.stdout and "60 runs" in res.stdout
    assert "estimate: 4 ms/step -> 65000 steps" in res.stdout and "dry run" in res.stdout
    assert not (tmp_path / "out").exists()
    assert "2 workers" in small_out and "1000 steps" in small_out


def test_the_step_plan_fits_the_budget():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import gpu_paper_slice as g
    finally:
        sys.path.remove(str(SCRIPT.parent))
    args = g.parse_args(["--budget", "600"])
    steps, est = g.choose_steps(args, 4.0)
    assert est["total_s"] + est["margin_s"] <= 600 + 1e-9 and steps == 65000
    assert g.choose_steps(args, 0.1)[0] == g.PAPER_STEPS
    steps, est = g.choose_steps(args, 4.0, elapsed=50.0)
    assert est["startup_s"] == 150.0 and est["total_s"] + est["margin_s"] <= 600 + 1e-9 and steps == 60000


def test_without_cuda_it_refuses_with_exit_status_2(tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present: the script would run for real")
    res = _run("--out", str(tmp_path / "out"))
    assert res.returncode == 2
    assert "needs a CUDA device" in res.stderr


def test_the_summary_reports_raw_and_chance_corrected_mis(tmp_path):
    """The GPU run's summary (written after the workers finish) on hand-made results: medians of
    SIS, raw MIS and MIS_c = (MIS - m0) / (1 - m0) with m0 the chance level of K slots of 3."""
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import gpu_paper_slice as g
    finally:
        sys.path.remove(str(SCRIPT.parent))
    from numeric.experiment.mechanistic_score import chance_mis, corrected_mis

    folder = tmp_path / "paper-K2-o0"
    folder.mkdir()
    (folder / "results.csv").write_text(
        "K,overlap,lam,sis,mis,exact_D_global\n2,0.0,1.0,0.9,1.0,proved\n2,0.0,1.0,0.5,0.3,proved\n2,0.0,1.0,0.7,0.5,proved\n"
    )
    summary = g.summarise(tmp_path, [{"name": "paper-K2-o0"}], {"paper-K2-o0": 12.0})
    (row,) = summary["table"]
    assert row["sis_median"] == 0.7 and row["mis_median"] == 0.5
    assert abs(row["mis_c_median"] - corrected_mis(0.5, chance_mis(2, 3))) < 1e-12
    assert "| MIS_c median |" in (tmp_path / "summary.md").read_text()

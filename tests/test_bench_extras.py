"""The side-by-side benchmarks of the optional ``bench`` extra: they skip cleanly without it, and
what they compare agrees (the tracer with CasADi's sparsity, the torch training step with JAX's)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("script", "extra"), [("bench_tracer_casadi", "casadi"), ("bench_jax", "jax")])
def test_benchmarks_skip_with_a_message_without_the_extra(script, extra, monkeypatch, capsys):
    module = _load(script)
    monkeypatch.setitem(sys.modules, extra, None)  # import fails as if not installed
    monkeypatch.delenv("XLA_FLAGS", raising=False)
    assert module.main([]) is None
    assert "skipped" in capsys.readouterr().out and "mechind[bench]" in module.MISSING


def test_tracer_sparsity_equals_casadis():
    pytest.importorskip("casadi", reason="CasADi is not installed: the optional extra mechind[bench]")
    module = _load("bench_tracer_casadi")
    outputs, latents = module.wide_outputs(seed=3, n_outputs=64, factors=4)
    x, f = module.to_casadi(outputs, latents)
    assert module.casadi_pattern(x, f) == module.tracer_pattern(outputs, latents)


@pytest.mark.slow  # JAX's import and compile take about 10 s on 2 loaded cores
def test_torch_training_step_is_the_jax_step():
    pytest.importorskip("jax", reason="JAX is not installed: the optional extra mechind[bench]")
    module = _load("bench_jax")
    import torch

    check = module.check_one_batch(torch.randn(64, 40, generator=torch.Generator().manual_seed(0)))
    assert check["loss_recon_ccomp_max_abs_difference_jax"] <= 1e-5 and check["gradient_max_abs_difference_jax"] <= 1e-5
    assert check["gradient_max_abs"] > 1e-3  # the gradients compared are not all zero

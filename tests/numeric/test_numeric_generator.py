"""NeuralGenerator: factor partitions by index or name, sizes, seeded sampling."""

from __future__ import annotations

import pytest
import torch

from numeric.generator import NeuralGenerator


def _f(z: torch.Tensor) -> torch.Tensor:
    return torch.stack([z[..., 0], z[..., 1] * z[..., 2], z[..., 2]], dim=-1)


def test_factors_by_index_name_and_dict():
    by_index = NeuralGenerator(_f, [[0], [2, 1]], 3)
    assert by_index.blocks == ((0,), (2, 1)) and by_index.block_of == (0, 1, 1) and by_index.factor_names == ("f1", "f2")
    by_name = NeuralGenerator(_f, {"pose": ["x"], "light": ["y", "w"]}, 3, latent_names=["x", "y", "w"])
    assert by_name.blocks == ((0,), (1, 2)) and by_name.factor_names == ("pose", "light")
    assert by_name.m == 3 and by_name.K == 2 and by_name.describe()["factors"] == {"pose": ["x"], "light": ["y", "w"]}


@pytest.mark.parametrize(
    "factors,message",
    [
        ([[0], [0, 1, 2]], "two blocks"),
        ([[0], []], "empty block"),
        ([[0], [1]], "in no block"),
        ([[0], [1, 5], [2]], "out of range"),
        ([["q"], [1, 2]], "unknown latent name"),
        ([[0.5], [1, 2]], "not a latent"),
    ],
)
def test_bad_partitions_are_named(factors, message):
    with pytest.raises(ValueError, match=message):
        NeuralGenerator(_f, factors, 3)


def test_sampling_is_seeded_inside_the_box_and_respects_contains():
    g = NeuralGenerator(_f, [[0], [1, 2]], 3, box=[(0, 1), (-2, -1), (5, 6)], dtype=torch.float64)
    a, b, c = g.sample(50, seed=1), g.sample(50, seed=1), g.sample(50, seed=2)
    assert torch.equal(a, b) and not torch.equal(a, c) and a.dtype == torch.float64
    assert bool((a[:, 0] > 0).all() and (a[:, 0] < 1).all() and (a[:, 2] > 5).all())
    disk = NeuralGenerator(_f, [[0], [1, 2]], 3, contains=lambda z: (z**2).sum(-1) < 1)
    z = disk.sample(100, seed=0)
    assert z.shape == (100, 3) and bool(((z**2).sum(-1) < 1).all())
    with pytest.raises(ValueError, match="could not sample"):
        NeuralGenerator(_f, [[0], [1, 2]], 3, contains=lambda z: z[:, 0] > 5).sample(3)


def test_module_dtype_and_device_are_inferred():
    net = torch.nn.Linear(3, 7).double()
    g = NeuralGenerator(net, [[0, 1], [2]], 3)
    assert g.dtype == torch.float64 and g.device.type == "cpu" and g.m == 7
    assert g(torch.zeros(2, 3, dtype=torch.float64)).shape == (2, 7)


@pytest.mark.parametrize(
    "f, kwargs, needle",
    [
        (torch.nn.Linear(3, 4).double(), {}, "mat1 and mat2 shapes cannot be multiplied"),
        (lambda z: z.sum(dim=1), {}, "f must return a tensor [N, m]"),
        (lambda z: torch.cat([z, z[:, :1]], dim=1), {"outputs": 5}, "f returns 3 outputs per point, but outputs=5 was declared"),
    ],
)
def test_shape_errors_are_named_before_any_check(f, kwargs, needle):
    """A network that does not fit its declaration is an input error, named (mechind check exits 2),
    not an internal error in the middle of a Jacobian (exit 3); a wrong declared m was reported."""
    g = NeuralGenerator(f, [[0], [1]], 2, dtype=torch.float64, **kwargs)
    with pytest.raises(ValueError) as info:
        g.check_shapes()
    assert needle in str(info.value)


def test_a_network_computing_in_another_dtype_is_refused():
    """f returns float32 for float64 latents: tau would be float64's (2.2e-15 max|J|) while the
    values carry float32 rounding, and a 1e-9 entry (D fails) read as zero with float32's tau."""
    g = NeuralGenerator(lambda z: torch.stack([z[:, 0] + 1e-9 * z[:, 1], z[:, 1]], -1).float(), [[0], [1]], 2, dtype=torch.float64)
    with pytest.raises(ValueError, match="f returns float32 for float64 latents"):
        g.check_shapes()

"""The numeric tests work on tiny tensors: one torch thread each avoids oversubscribing the
shared CI cores (measured: the same tests took 1.7x longer with 2 threads under load)."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

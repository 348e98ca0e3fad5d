"""The session's ``linecache.checkcache`` pauses the garbage collector (tests/conftest.py): a
collection inside it can free a lambdified function whose finalizer deletes a cache entry the
loop is about to read (``KeyError: '<lambdifygenerated-N>'`` in a doctest, CI #13)."""

from __future__ import annotations

import gc
import linecache

from linecache_pause import checkcache_without_collection


def test_checkcache_runs_with_the_collector_paused_and_restores_it():
    seen = []
    paused = checkcache_without_collection(lambda filename=None: seen.append(gc.isenabled()))
    assert gc.isenabled()
    paused()
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        paused()
        assert not gc.isenabled()  # a collector that was off stays off
    finally:
        gc.enable()


def test_the_session_uses_it():
    assert linecache.checkcache.__name__ == "paused"

"""Running a batch on a Ray cluster (``--executor ray`` or ``--executor ray://ADDRESS``).

The optional extra ``mechind[cluster]`` installs Ray.  :func:`connect` opens a cluster for
the length of a ``with`` block: ``ray://HOST:PORT`` connects to a running cluster through
the Ray client (its nodes need mechind installed, at the same version), and no address
starts a local Ray instance on this machine, or joins the one a ``ray start --head`` left
running here (Ray's own rule for ``ray.init()``).  When Ray is already initialised in this
process (a test, a notebook), that session is used and left open.

:func:`map_on_ray` is the Ray side of :func:`mechind.executor.map_cases`: one Ray task per
item, each asking for ``num_cpus`` CPUs, so the cluster's CPUs decide how many run at
once; results come back **in input order**, ``on_done`` is called in completion order, and
an exception an item raised is re-raised, as itself, in its turn.  What the items share
goes into Ray's object store once (``ray.put``); every task reads its own copy from there,
and calls its ``close()`` (where it has one) when it ends.

A task runs in a Ray worker process, where :func:`theory.budget.run_killable` forks its
killable workers exactly as in a worker of ``--jobs`` (a Ray worker is an ordinary,
non-daemonic process), so every budget holds unchanged.  When the batch stops early (an
item raised, Ctrl-C), the tasks still pending or running are cancelled without
``force``: Ray raises ``KeyboardInterrupt`` in a running task, which unwinds it, and
``run_killable`` kills its worker's process group on the way out (a task blocked waiting
for its worker is woken first: :func:`_cancellable`).

Examples
--------
>>> parse_address("ray")
>>> parse_address("ray://head:10001")
'ray://head:10001'
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from theory.errors import InputError

__all__ = ["RayCluster", "connect", "map_on_ray", "parse_address", "import_ray", "MISSING_RAY"]

#: What to say when the extra is missing.
MISSING_RAY = "--executor ray needs Ray, which is not installed here: install mechind[cluster] (pip install 'mechind[cluster]')"


def parse_address(text: str) -> str | None:
    """The cluster address of an ``--executor`` value ``ray`` (``None``: local) or ``ray://ADDRESS``.

    >>> parse_address("ray://10.0.0.5:10001")
    'ray://10.0.0.5:10001'
    """
    if text == "ray":
        return None
    if text.startswith("ray://") and len(text) > len("ray://"):
        return text
    raise InputError(f"--executor must be local, ray or ray://ADDRESS, got {text!r}")


def import_ray() -> Any:
    """The ``ray`` module, or an :class:`InputError` saying to install ``mechind[cluster]``."""
    try:
        # deferred: Ray is optional (mechind[cluster]) and heavy
        import ray
    except ImportError as exc:
        raise InputError(MISSING_RAY) from exc
    return ray


@dataclass(frozen=True)
class RayCluster:
    """An open Ray session: where it is and how many CPUs it has (the tasks run at once)."""

    address: str | None
    cpus: int


@contextlib.contextmanager
def connect(address: str | None, runtime_env: dict[str, Any] | None = None) -> Iterator[RayCluster]:
    """Open Ray (``address`` ``None``: a local instance; ``ray://HOST:PORT``: a running
    cluster) for the ``with`` block, and shut it down after, unless it was already open.

    ``runtime_env`` is Ray's (e.g. ``{"py_modules": [...]}`` to ship code the cluster lacks).
    Ray's own log lines stay on stderr, and the workers' output is not forwarded here
    (standard output stays the command's).
    """
    ray = import_ray()
    opened = not ray.is_initialized()
    if opened:
        options: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
        if runtime_env:
            options["runtime_env"] = runtime_env
        if address is None:
            options["include_dashboard"] = False
        try:
            ray.init(address=address, **options)
        except ConnectionError as exc:
            hint = "" if os.environ.get("RAY_AUTH_MODE") else " (if the cluster uses token authentication, set RAY_AUTH_MODE=token)"
            raise InputError(f"cannot connect to the Ray cluster at {address}: {exc}{hint}") from exc
    try:
        yield RayCluster(address, int(ray.cluster_resources().get("CPU", 1)))
    finally:
        if opened:
            ray.shutdown()


def _run_task(fn: Callable[..., Any], shared: Any, item: Any, with_shared: bool) -> Any:  # pragma: no cover - runs in a Ray worker
    """``fn(shared, item)`` in a Ray worker; ``shared`` is this task's own copy (read from the
    object store), so what it started in this process (its ``close()``, if it has one: the
    check batch's budget worker, say) is closed when the task ends."""
    try:
        with _cancellable():
            return fn(shared, item) if with_shared else fn(item)
    finally:
        close = getattr(shared, "close", None) if with_shared else None
        if callable(close):
            close()


@contextlib.contextmanager
def _cancellable() -> Iterator[None]:  # pragma: no cover - runs in a Ray worker
    """Let ``ray.cancel`` stop a task that waits on a killable worker.

    Ray cancels a running task with ``_thread.interrupt_main()``, which only flags a
    ``KeyboardInterrupt`` for the next Python instruction: a task blocked in a wait (for
    its budget worker, up to a check's whole budget) would not see it, and the cluster may
    kill the Ray worker first, leaving its forked children running.  A flagged signal is
    also written to the wakeup file descriptor set here; a watching thread then kills the
    processes this one started (each budget worker with its process group), which ends the
    wait, and the ``KeyboardInterrupt`` unwinds the task.  Linux only (``/proc``); elsewhere,
    or off the main thread, nothing is added.
    """
    if threading.current_thread() is not threading.main_thread() or not os.path.isdir("/proc/self/task"):
        yield
        return
    reader, writer = os.pipe()
    os.set_blocking(writer, False)
    try:
        previous = signal.set_wakeup_fd(writer, warn_on_full_buffer=False)
    except ValueError:  # not the main thread after all
        os.close(reader)
        os.close(writer)
        yield
        return
    finished = threading.Event()

    def watch() -> None:
        while not finished.is_set():
            data = os.read(reader, 64)
            if not data or finished.is_set():
                return
            if signal.SIGINT in data:
                _kill_children()

    watcher = threading.Thread(target=watch, name="mechind-cancel", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        finished.set()
        signal.set_wakeup_fd(previous)
        os.write(writer, b"\0")
        watcher.join()
        os.close(reader)
        os.close(writer)


def _kill_children() -> None:  # pragma: no cover - runs in a Ray worker
    """Kill every child of this process, with its process group where it leads one."""
    for path in glob.glob(f"/proc/{os.getpid()}/task/*/children"):
        try:
            with open(path) as fh:
                pids = [int(p) for p in fh.read().split()]
        except OSError:
            continue
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if os.getpgid(pid) == pid:
                    os.killpg(pid, signal.SIGKILL)
                else:
                    os.kill(pid, signal.SIGKILL)


def map_on_ray(
    fn: Callable[..., Any],
    items: Sequence[Any],
    on_done: Callable[[int, Any], None] | None,
    shared: Any,
    with_shared: bool,
    order: Sequence[int],
    num_cpus: float = 1,
    num_gpus: float = 0,
) -> Iterator[Any]:
    """Submit one Ray task per item now (in ``order``); yield the results in input order.

    ``fn`` (pickled by Ray: a top-level function is sent by reference, so the cluster needs
    its module), ``shared`` (put in the object store once) and the items must pickle.
    Needs an open session (:func:`connect`).
    """
    ray = import_ray()
    remote = ray.remote(num_cpus=num_cpus, num_gpus=num_gpus, max_retries=0)(_run_task)
    shared_ref = ray.put(shared) if with_shared else None
    refs = {remote.remote(fn, shared_ref, items[i], with_shared): i for i in order}
    return _collect(ray, refs, len(items), on_done)


def _collect(ray: Any, refs: dict[Any, int], n: int, on_done: Callable[[int, Any], None] | None) -> Iterator[Any]:
    done: dict[int, tuple[bool, Any]] = {}
    pending = list(refs)
    following = 0
    try:
        while following < n:
            while following not in done:
                ready, pending = ray.wait(pending, num_returns=1)
                for ref in ready:
                    index = refs[ref]
                    try:
                        done[index] = (True, ray.get(ref))
                    except ray.exceptions.RayTaskError as exc:
                        done[index] = (False, exc)
                        continue
                    if on_done is not None:
                        on_done(index, done[index][1])
            ok, value = done.pop(following)
            if not ok:
                raise _original(value)
            yield value
            following += 1
    finally:
        for ref in pending:  # nothing left on a normal end
            ray.cancel(ref)


def _original(error: Any) -> BaseException:
    """The exception the item raised (an ``InputError`` stays one), with Ray's report as its cause."""
    cause = getattr(error, "cause", None)
    if isinstance(cause, Exception):
        cause.__cause__ = error
        return cause
    return error

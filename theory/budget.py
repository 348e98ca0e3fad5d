"""Wall-time budgets, and running uninterruptible sympy work where it can be stopped.

Every check takes a :class:`Budget`.  Loops consult it between steps; sympy calls that
may run for a long time and cannot be interrupted in-process (``simplify``,
``minimal_polynomial``) run through :func:`call_with_timeout`, in a forked child
process that is killed when its time is up.  Work that can overrun between two
consultations of the budget (a huge derivative, an expansion, an interval evaluation
in C) is bounded by :func:`run_killable`: the checks of one generator run one after
the other in a forked worker, and a check still running ``grace(seconds)`` after its
budget ran out is killed with the worker's whole process group; the worker is replaced
and the next check continues in a fresh one.

A forked child inherits the modules its parent has imported, but imports the others again
in every child.  Before forking, :func:`preload_for_fork` therefore imports, once, the
sympy modules that the work in a child imports on first use (``simplify`` imports
``sympy.physics.units``, about 0.15 s): :data:`FORK_PRELOAD`.

Examples
--------
>>> budget = Budget(5.0)
>>> budget.expired()
False
>>> call_with_timeout(pow, (2, 10), timeout=5.0)
('ok', 1024)
"""

from __future__ import annotations

import gc
import importlib
import math
import multiprocessing
import os
import pickle
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

__all__ = ["Budget", "BudgetExhausted", "TooComplex", "call_with_timeout", "run_killable", "run_one_killable", "grace", "can_fork", "preload_for_fork", "KillableWorker", "DEFAULT_BUDGET", "FORK_PRELOAD"]

T = TypeVar("T")

#: Seconds each check may take unless told otherwise (``--budget``).
DEFAULT_BUDGET = 120.0

#: Modules that work in a forked child imports on first use, imported before forking (when
#: sympy is loaded) so that every child inherits them: ``sympy.simplify`` imports
#: ``sympy.physics.units``, sympy's printers and ``lambdify`` ``sympy.codegen.ast``.
FORK_PRELOAD = ("sympy.physics.units", "sympy.codegen.ast")


class BudgetExhausted(Exception):
    """Raised inside a check when its budget runs out; the check then answers ``unknown``."""


class TooComplex(BudgetExhausted):
    """Raised inside a check when a step is known in advance to take longer than any budget
    (its cost grows exponentially with a size that is past a limit); the check then answers
    ``unknown`` at once instead of running out of its budget, with the reason."""


class Budget:
    """A wall-clock deadline.

    Parameters
    ----------
    seconds
        Time allowed from now; ``None`` means no limit.
    """

    def __init__(self, seconds: float | None):
        if seconds is not None and not seconds > 0:
            raise ValueError(f"a budget must be positive, got {seconds}")
        self.seconds = seconds
        self._start = time.monotonic()
        self._deadline = None if seconds is None else self._start + seconds

    def remaining(self) -> float:
        """Seconds left (``inf`` without a limit, never negative)."""
        if self._deadline is None:
            return float("inf")
        return max(0.0, self._deadline - time.monotonic())

    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def check(self) -> None:
        """Raise :class:`BudgetExhausted` when the deadline has passed."""
        if self.expired():
            raise BudgetExhausted(f"budget of {self.seconds:g} s exhausted")

    def slice(self, cap: float) -> float:
        """A timeout for one sub-step: ``min(cap, remaining())``."""
        return min(cap, self.remaining())


#: The longest wait handed to ``poll``: the system's limit is about 24.8 days (2**31 ms); a
#: budget past it (``--budget 1e7``) waits without a limit, as ``inf`` does.
_MAX_WAIT = 2.0**31 / 1000 - 1


def _wait(seconds: float | None) -> float | None:
    """``seconds`` as a ``poll`` timeout: ``None`` (no limit) past :data:`_MAX_WAIT`.

    >>> _wait(2.5), _wait(1e7), _wait(float("inf")), _wait(None)
    (2.5, None, None, None)
    """
    return None if seconds is None or seconds > _MAX_WAIT else seconds


def _child(conn: Any, fn: Callable[..., Any], args: tuple) -> None:  # pragma: no cover - runs in the child
    try:
        result = ("ok", fn(*args))
    except BaseException as exc:  # report every failure to the parent
        result = ("error", f"{type(exc).__name__}: {exc}")
    try:
        conn.send(result)
    except Exception as exc:  # an unpicklable result
        conn.send(("error", f"result could not be sent back: {exc}"))
    finally:
        conn.close()
        os._exit(0)


def preload_for_fork() -> None:
    """Import the modules of :data:`FORK_PRELOAD` here, once, so that the children forked
    next inherit them instead of importing them each (nothing without sympy loaded:
    then no child needs them, and ``--help`` stays fast)."""
    if "sympy" not in sys.modules:
        return
    for name in FORK_PRELOAD:
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except ImportError:  # pragma: no cover - another sympy layout: the child imports what it needs
                pass


def call_with_timeout(fn: Callable[..., Any], args: tuple, timeout: float) -> tuple[str, Any]:
    """Run ``fn(*args)`` in a forked child and wait at most ``timeout`` seconds.

    Returns
    -------
    (status, value)
        ``("ok", result)``, ``("error", message)`` if ``fn`` raised, or
        ``("timeout", None)`` if the child was killed.  Where ``fork`` is unavailable
        the call runs in-process (and cannot be interrupted).
    """
    if timeout <= 0:
        return ("timeout", None)
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not Linux
        try:
            return ("ok", fn(*args))
        except Exception as exc:
            return ("error", f"{type(exc).__name__}: {exc}")
    preload_for_fork()
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(_wait(timeout)):
            try:
                return parent.recv()
            except EOFError:
                return ("error", "the worker process died")
        return ("timeout", None)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1.0)
        parent.close()


def can_fork() -> bool:
    """Whether work can run in a forked, killable child on this platform.

    >>> isinstance(can_fork(), bool)
    True
    """
    return "fork" in multiprocessing.get_all_start_methods() and hasattr(os, "setpgid")


def grace(seconds: float) -> float:
    """How long past its budget a check may run before it is killed: 0.5 s + 5 %.

    >>> grace(5.0)
    0.75
    """
    return 0.5 + 0.05 * seconds


def run_killable(
    tasks: Sequence[Callable[[], T]],
    seconds: float | None,
    on_kill: Callable[[int, str, float], T],
    isolate: bool = True,
) -> Iterator[T]:
    """Run ``tasks`` in order and yield their results, each within ``seconds + grace``.

    The tasks run one after the other in a forked worker (so state one task builds, such
    as cached derivatives, serves the next).  A task that has not answered
    ``seconds + grace(seconds)`` after it started is killed together with every process
    it started (the worker leads its own process group), ``on_kill(i, reason, elapsed)``
    stands in for its result, and a fresh worker forked from this process continues with the next
    task.  A task that raises re-raises here (RecursionError and MemoryError go to
    ``on_kill`` instead).  Without ``isolate``, where ``fork`` is unavailable, or when
    called inside a worker (whose own limit holds, and whose kill must reach everything
    below it), the tasks run in-process; without a finite ``seconds`` they run in the
    worker with no limit.  Inside a job of a :class:`KillableWorker` the tasks run in that
    worker, each watched by its parent with the same limit.

    Parameters
    ----------
    tasks
        Callables without arguments; their results must be picklable.
    seconds
        The wall-time budget of each task (``None``: no limit).
    on_kill
        ``on_kill(index, reason, elapsed)`` builds the result of a task that did not
        answer; ``reason`` is ``"timeout"``, ``"recursion"`` (it hit Python's recursion
        limit: an expression nested too deeply), ``"memory"`` (MemoryError) or a
        description of how the worker died; ``elapsed`` the seconds it ran.
    isolate
        ``False`` runs in-process (no hard limit).

    Examples
    --------
    >>> list(run_killable([lambda: 1, lambda: 2], 5.0, lambda i, why, elapsed: None))
    [1, 2]
    """
    limit = None if seconds is None or not math.isfinite(seconds) else seconds + grace(seconds)
    if isolate and _JOB is not None and not _JOB.in_task:  # in a KillableWorker's job: its parent watches each task
        for i, task in enumerate(tasks):
            yield _JOB.run(task, limit, i, on_kill)
        return
    if not isolate or not can_fork() or _IN_WORKER or _JOB is not None:  # a worker's own limit already holds
        for i, task in enumerate(tasks):
            started = time.perf_counter()
            try:
                result = task()
            except (RecursionError, MemoryError) as exc:
                result = on_kill(i, _exhausted(exc), time.perf_counter() - started)
            yield result
        return
    preload_for_fork()
    index = 0
    while index < len(tasks):
        reader, writer = multiprocessing.Pipe(duplex=False)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker
            reader.close()
            _worker(writer, tasks, index)
        writer.close()
        try:
            os.setpgid(pid, pid)
        except OSError:  # the worker already did it (or already exited)
            pass
        status: int | None = None
        try:
            while index < len(tasks):
                started = time.perf_counter()
                if not reader.poll(_wait(limit)):
                    status = _stop(pid)
                    yield on_kill(index, "timeout", time.perf_counter() - started)
                    index += 1
                    break
                try:
                    kind, payload = reader.recv()
                except (EOFError, OSError):
                    status = _stop(pid)
                    yield on_kill(index, _death(status), time.perf_counter() - started)
                    index += 1
                    break
                if kind == "raise":
                    exc, text = payload
                    if isinstance(exc, (RecursionError, MemoryError)):
                        status = _stop(pid)  # the worker stops after a raise; a fresh one continues
                        yield on_kill(index, _exhausted(exc), time.perf_counter() - started)
                        index += 1
                        break
                    raise exc from WorkerTraceback(text)
                yield pickle.loads(payload)
                index += 1
        finally:
            if status is None:
                _stop(pid)
            reader.close()


def run_one_killable(task: Callable[[], T], seconds: float | None, on_kill: Callable[[str, float], T], isolate: bool = True) -> T:
    """:func:`run_killable` of one task: ``task()``, or ``on_kill(reason, elapsed)`` when its
    worker was killed or died.

    >>> run_one_killable(lambda: 1, 5.0, lambda why, elapsed: None)
    1
    """
    (result,) = run_killable([task], seconds, lambda _i, why, elapsed: on_kill(why, elapsed), isolate=isolate)
    return result


_IN_WORKER = False  # set in a worker: nested run_killable calls run in-process


def _worker(writer: Any, tasks: Sequence[Callable[[], Any]], start: int) -> None:  # pragma: no cover - child
    global _IN_WORKER
    _IN_WORKER = True
    code = 0
    try:
        gc.freeze()  # the parent's objects, inherited: the worker's collections skip them (see _job_worker)
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it kills the group
        for task in tasks[start:]:
            try:
                message: tuple[str, Any] = ("done", pickle.dumps(task()))
            except BaseException as exc:  # re-raised in the parent, with this traceback as its cause
                message = _raise_message(exc)
            writer.send(message)
            if message[0] == "raise":
                break
    except BaseException:
        code = 1
    finally:
        try:
            writer.close()
        finally:
            os._exit(code)


class KillableWorker:
    """One forked worker that runs many jobs, reused while it is healthy.

    :func:`run_killable` forks a fresh worker for every batch of tasks.  On a machine where
    a copy-on-write page fault is expensive, most of a small batch's time goes to the
    faults of the fresh worker's first touches of its parent's memory.  A
    ``KillableWorker`` is forked once and runs job after job: ``call(fn, item)`` runs
    ``fn(shared, item)`` in the worker, and every :func:`run_killable` task inside the job
    (each check, say) is announced to this process, which kills the worker's whole
    process group when the task overruns its limit, exactly as :func:`run_killable` does.
    The killed task's result is then ``on_kill(index, reason, elapsed)``, as there, and a
    fresh worker forked from this process replays the job: the tasks that had finished
    return their results again (from this process's record, without running), so that the
    job continues after the killed task.  A job's code outside its tasks must therefore be
    deterministic (the checks are: every random choice is seeded).

    ``shared`` reaches the worker through ``fork`` (never pickled); ``fn`` must be a
    top-level function and ``item`` picklable.  Where ``fork`` is unavailable, or inside
    another worker, ``call`` runs ``fn(shared, item)`` in-process.

    Examples
    --------
    >>> with KillableWorker(shared=10) as worker:
    ...     worker.call(pow, 2)  # pow(10, 2), computed in the worker
    100
    """

    def __init__(self, shared: Any = None):
        self._shared = shared
        self._pid: int | None = None
        self._conn: Any = None

    def __enter__(self) -> KillableWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The worker's process id (``None`` while none runs)."""
        return self._pid

    def call(self, fn: Callable[[Any, Any], T], item: Any) -> T:
        """``fn(shared, item)``, computed in the worker (see the class)."""
        if not can_fork() or _IN_WORKER or _JOB is not None:
            return fn(self._shared, item)
        resume: dict[int, tuple] = {}  # task number -> ("result", pickled) or ("killed", reason, elapsed)
        while True:
            self._start()
            self._conn.send((fn, item, resume))
            done, value = self._follow(resume)
            if done:
                return value

    def close(self) -> None:
        """Stop the worker (and whatever it started)."""
        if self._pid is not None:
            pid, self._pid = self._pid, None
            self._conn.close()
            _stop(pid)

    def _start(self) -> None:
        if self._pid is not None:
            return
        preload_for_fork()
        mine, theirs = multiprocessing.Pipe(duplex=True)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker
            mine.close()
            _job_worker(theirs, self._shared)
        theirs.close()
        try:
            os.setpgid(pid, pid)
        except OSError:  # the worker already did it (or already exited)
            pass
        self._pid, self._conn = pid, mine

    def _follow(self, resume: dict[int, tuple]) -> tuple[bool, Any]:
        """Serve one job until it returns (``(True, value)``) or its worker was stopped
        in a task (``(False, None)``: the task's entry in ``resume`` says why)."""
        running: tuple[int, float | None, float] | None = None
        try:
            while True:
                wait = None
                if running is not None and running[1] is not None:
                    wait = max(0.0, running[1] - (time.perf_counter() - running[2]))
                if not self._conn.poll(_wait(wait)):
                    k, _, started = running  # type: ignore[misc]
                    self.close()
                    resume[k] = ("killed", "timeout", time.perf_counter() - started)
                    return False, None
                try:
                    message = self._conn.recv()
                except (EOFError, OSError):
                    pid, self._pid = self._pid, None
                    self._conn.close()
                    why = _death(_stop(pid))  # type: ignore[arg-type]
                    if running is None:
                        raise RuntimeError(f"the check worker stopped between checks: {why}") from None
                    resume[running[0]] = ("killed", why, time.perf_counter() - running[2])
                    return False, None
                kind = message[0]
                if kind == "start":
                    running = (message[1], message[2], time.perf_counter())
                elif kind == "done":
                    resume[message[1]] = ("result", message[2])
                    running = None
                elif kind == "exhausted":
                    self.close()
                    resume[message[1]] = ("killed", message[2], message[3])
                    return False, None
                elif kind == "return":
                    return True, pickle.loads(message[1])
                else:  # "raise": the job raised (the worker is idle again)
                    running = None
                    exc, text = message[1]
                    raise exc from WorkerTraceback(text)
        except BaseException as exc:
            if not isinstance(exc, Exception) or running is not None:
                self.close()  # interrupted (SIGTERM, Ctrl-C) while the worker was busy
            raise


class _Job:
    """The worker's side of one :meth:`KillableWorker.call`: runs (or replays) its tasks."""

    def __init__(self, conn: Any, resume: dict[int, tuple]):
        self.conn = conn
        self.resume = resume
        self.count = 0
        self.in_task = False

    def run(self, task: Callable[[], T], limit: float | None, index: int, on_kill: Callable[[int, str, float], T]) -> T:
        k = self.count
        self.count += 1
        if k in self.resume:
            entry = self.resume[k]
            if entry[0] == "result":
                return pickle.loads(entry[1])
            return on_kill(index, entry[1], entry[2])
        self.conn.send(("start", k, limit))
        started = time.perf_counter()
        self.in_task = True
        try:
            result = task()
        except (RecursionError, MemoryError) as exc:  # the worker may be damaged: a fresh one continues
            self.conn.send(("exhausted", k, _exhausted(exc), time.perf_counter() - started))
            os._exit(0)
        finally:
            self.in_task = False
        self.conn.send(("done", k, pickle.dumps(result)))
        return result


_JOB: _Job | None = None  # set in a KillableWorker while it runs a job


def _job_worker(conn: Any, shared: Any) -> None:  # pragma: no cover - child
    global _JOB
    code = 0
    try:
        # what the worker inherited (the modules, the batch's generators) is the parent's and
        # stays alive: the worker's collections skip it rather than walk (and copy, page by
        # page) all of it again and again
        gc.freeze()
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it kills the group
        while True:
            try:
                fn, item, resume = conn.recv()
            except (EOFError, OSError):  # the parent closed the pipe (or died)
                break
            _JOB = _Job(conn, resume)
            try:
                message: tuple[str, Any] = ("return", pickle.dumps(fn(shared, item)))
            except BaseException as exc:  # re-raised in the parent, with this traceback as its cause
                message = _raise_message(exc)
            finally:
                _JOB = None
            conn.send(message)
    except BaseException:
        code = 1
    finally:
        try:
            conn.close()
        finally:
            os._exit(code)


def _raise_message(exc: BaseException) -> tuple[str, Any]:  # pragma: no cover - runs in a worker
    """``("raise", (exception, traceback text))`` for the parent to re-raise; an exception that
    does not pickle travels as a RuntimeError naming it."""
    text = "".join(traceback.format_exception(exc))
    try:
        pickle.dumps(exc)
        return ("raise", (exc, text))
    except Exception:
        return ("raise", (RuntimeError(f"{type(exc).__name__}: {exc}"), text))


class WorkerTraceback(Exception):
    """The traceback of an exception raised in the worker (the cause of the re-raised one)."""

    def __str__(self) -> str:
        return "\n\n" + self.args[0]


def _exhausted(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "recursion"
    return "memory"


def _stop(pid: int) -> int:
    """Kill the worker's process group (the worker and whatever it started) and reap the
    worker; its wait status.  Called exactly once per worker, before the pid can be reused."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:  # pragma: no cover - reaped elsewhere
        return 0


def _death(status: int) -> str:
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGKILL:
        return f"the worker process died of signal {os.WTERMSIG(status)}"
    if os.WIFSIGNALED(status):
        return "the worker process was killed (out of memory?)"
    return f"the worker process exited with status {os.WEXITSTATUS(status)} before answering"

"""Running one function over a batch of cases in worker processes (``--jobs N``).

:func:`map_cases` runs a picklable top-level function over items (one item = one case)
in ``jobs`` worker processes and yields the results **in input order**, so that what a
command prints does not depend on ``jobs``.  With ``jobs=1`` (or a single item) nothing is
forked: the items run one after the other in this process, exactly as a plain loop would.
:class:`BatchProgress` shows the progress of such a batch on stderr.

The workers are :class:`concurrent.futures.ProcessPoolExecutor` processes, started with
``fork`` where the platform has it (Linux).  They are not daemonic, so a case's own
killable workers (:func:`theory.budget.run_killable`, :func:`theory.budget.call_with_timeout`)
can still be forked inside them, and every budget holds exactly as with ``jobs=1``.
What the items share (``shared``: the batch's generators and options, say) reaches each
worker once: with ``fork`` it is inherited, never pickled, so it may hold objects that do
not pickle; elsewhere it is pickled once per worker.

The workers ignore ``SIGINT`` (Ctrl-C reaches the whole foreground process group; this
process decides).  When the batch stops early (an item raised, Ctrl-C, the consumer closed
the iterator), the pending items are cancelled and each worker's running item is
interrupted by ``SIGTERM``, which unwinds it, so that the processes it started are killed
too (``run_killable`` kills its worker's process group on the way out), and the worker
exits.  On Linux a worker also gets ``SIGTERM`` when this process dies.

The same batch can run on a Ray cluster instead (``--executor ray`` or ``ray://ADDRESS``,
the optional extra ``mechind[cluster]``): :func:`open_executor` opens it for a ``with``
block, and :func:`map_cases` given it (``executor=``) runs one Ray task per item
(:mod:`mechind.cluster`), with the same results in the same order; ``jobs`` is then
ignored (the cluster's CPUs decide how many items run at once).

Examples
--------
>>> list(map_cases(abs, [-3, 1, -2], jobs=2))
[3, 1, 2]
>>> done = []
>>> list(map_cases(abs, [-3, 1], jobs=1, on_done=lambda i, r: done.append((i, r))))
[3, 1]
>>> done
[(0, 3), (1, 1)]
>>> list(map_cases(pow, [1, 2, 3], jobs=2, shared=2))  # pow(2, item)
[2, 4, 8]
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from .cluster import RayCluster, connect, map_on_ray, parse_address

__all__ = ["map_cases", "resolve_jobs", "BatchProgress", "Stopped", "open_executor", "check_executor", "EXECUTOR_HELP"]

#: The help of every ``--executor`` option.
EXECUTOR_HELP = (
    "Where the batch runs: local (worker processes of this machine, see --jobs), ray (a local Ray instance, "
    "or the one `ray start --head` runs here) or ray://ADDRESS (a running Ray cluster; needs mechind[cluster]). "
    "The output is the same for every choice."
)


def check_executor(text: str) -> str:
    """``text`` if it names an executor (``local``, ``ray``, ``ray://ADDRESS``); else an
    :class:`~theory.errors.InputError` saying what is accepted.

    >>> check_executor("ray://head:10001")
    'ray://head:10001'
    """
    if text != "local":
        parse_address(text)
    return text


@contextlib.contextmanager
def open_executor(text: str, runtime_env: dict[str, Any] | None = None) -> Iterator[RayCluster | None]:
    """The executor ``text`` names, open for a ``with`` block: ``None`` for ``local``, else
    the Ray session (:func:`mechind.cluster.connect`; ``runtime_env`` is handed to Ray).

    >>> with open_executor("local") as executor:
    ...     print(executor)
    None
    """
    if check_executor(text) == "local":
        yield None
        return
    with connect(parse_address(text), runtime_env) as cluster:
        yield cluster


def resolve_jobs(jobs: int, items: int | None = None) -> int:
    """The number of worker processes ``jobs`` asks for: ``0`` means one per usable CPU;
    never more than ``items`` (when given) and never less than 1.

    >>> resolve_jobs(4, items=2)
    2
    >>> resolve_jobs(0) >= 1
    True
    """
    if jobs < 0:
        raise ValueError(f"jobs must be >= 0, got {jobs}")
    if jobs == 0:
        try:
            jobs = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not Linux
            jobs = os.cpu_count() or 1
    if items is not None:
        jobs = min(jobs, items)
    return max(jobs, 1)


_NOTHING = object()  # no shared state: fn takes the item alone


def map_cases(
    fn: Callable[..., Any],
    items: Sequence[Any],
    jobs: int = 1,
    on_done: Callable[[int, Any], None] | None = None,
    *,
    shared: Any = _NOTHING,
    order: Sequence[int] | None = None,
    executor: RayCluster | None = None,
    num_cpus: float = 1,
    num_gpus: float = 0,
) -> Iterator[Any]:
    """Run ``fn`` on every item in ``jobs`` worker processes; yield the results in input order.

    With ``jobs > 1`` the work starts when this is called: the workers are forked and
    every item is submitted before it returns, so no thread the caller starts afterwards
    (a progress display, say) is forked with them.  With ``jobs=1`` each item runs when
    the returned iterator asks for it.  Close the iterator (``contextlib.closing``) if you
    may stop before the end: closing stops the workers.

    Parameters
    ----------
    fn
        A top-level (picklable) function: ``fn(item)``, or ``fn(shared, item)`` when
        ``shared`` is given.  Its result must be picklable when ``jobs > 1``.  An
        exception it raises is re-raised here when its item's turn comes (the results
        before it are yielded first, as a plain loop would), and the batch is stopped.
    items
        The items, one per case (picklable when ``jobs > 1``: small ones, such as indices
        into ``shared``, cost least).
    jobs
        Worker processes: ``1`` runs everything inline in this process (no pool, no
        pickling, no fork); ``0`` one per usable CPU.  Capped at ``len(items)``.
    on_done
        ``on_done(index, result)``, called in this process (in the thread that iterates)
        as each item finishes, in **completion order**, before the results are yielded in
        input order.  With ``jobs=1`` both orders are the input order.  Not called for an
        item that raised.
    shared
        What every item needs (the batch's generators and options): handed to each worker
        once, inherited without pickling where workers are forked.
    order
        The order in which to submit the items to the workers (a permutation of
        ``range(len(items))``), e.g. longest expected first; default the input order.
        It changes only when each item runs, never the order of the results.  Ignored
        with ``jobs=1``.
    executor
        ``None``: this machine's worker processes; an open Ray session
        (:func:`open_executor`): one Ray task per item, ``jobs`` ignored.
    num_cpus, num_gpus
        The CPUs and GPUs each Ray task asks for (ignored without ``executor``).

    Yields
    ------
    object
        ``fn(items[0])``, ``fn(items[1])``, ... (with ``shared`` first, if given), in that order.

    Examples
    --------
    >>> list(map_cases(pow, [], jobs=2))
    []
    >>> list(map_cases(str, [1, 2, 3], jobs=2, order=[2, 1, 0]))
    ['1', '2', '3']
    """
    n = len(items)
    sequence = list(range(n)) if order is None else list(order)
    if sorted(sequence) != list(range(n)):
        raise ValueError("order must be a permutation of the item indices")
    if executor is not None:
        return map_on_ray(fn, items, on_done, shared, shared is not _NOTHING, sequence, num_cpus=num_cpus, num_gpus=num_gpus)
    workers = resolve_jobs(jobs, n)
    if workers <= 1:
        return _inline(fn, items, on_done, shared)
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init, initargs=(os.getpid(), shared))
    with_shared = shared is not _NOTHING
    try:
        # with fork, the first submit forks every worker, before any thread of the pool starts
        futures: dict[Future[Any], int] = {pool.submit(_run_item, fn, items[i], with_shared): i for i in sequence}
    except BaseException:
        _stop(pool)
        raise
    return _collect(pool, futures, n, on_done)


def _inline(fn: Callable[..., Any], items: Sequence[Any], on_done: Callable[[int, Any], None] | None, shared: Any) -> Iterator[Any]:
    for i, item in enumerate(items):
        result = fn(item) if shared is _NOTHING else fn(shared, item)
        if on_done is not None:
            on_done(i, result)
        yield result


def _collect(pool: ProcessPoolExecutor, futures: dict[Future[Any], int], n: int, on_done: Callable[[int, Any], None] | None) -> Iterator[Any]:
    done: dict[int, Future[Any]] = {}
    pending = set(futures)
    following = 0  # the next index to yield
    finished = False
    try:
        while following < n:
            while following not in done:
                completed, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(completed, key=futures.__getitem__):
                    index = futures[future]
                    done[index] = future
                    if on_done is not None and future.exception() is None:
                        on_done(index, future.result())
            yield done.pop(following).result()  # re-raises the item's exception in its turn
            following += 1
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop(pool)


#: Seconds a stopped batch gives its workers to unwind their running items (and kill what
#: those started) before the workers still alive are killed.
STOP_GRACE = 10.0


def _stop(pool: ProcessPoolExecutor) -> None:
    """Interrupt the running items (``SIGTERM``), cancel what has not started, and wait for
    the workers; a worker still alive after :data:`STOP_GRACE` seconds is killed.

    ``SIGTERM`` is sent again every half second to the workers still alive: Python runs a
    signal handler between bytecodes, so a signal that arrives just before an idle worker
    blocks in the call queue's lock (or pipe) is handled only when that call returns, which
    the next signal makes it do.  The grace is for workers unwinding an item; a worker
    still alive after it is killed (an idle one has nothing below it to clean up).  Then the
    pool's management thread is joined, after its result pipe is closed (see below)."""
    processes = dict(getattr(pool, "_processes", None) or {})  # CPython's pid -> process map
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets both
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    alive = {p.sentinel: p for p in processes.values()}
    deadline = time.monotonic() + STOP_GRACE
    while alive:
        for process in alive.values():
            try:
                os.kill(process.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for sentinel in multiprocessing.connection.wait(list(alive), timeout=min(0.5, left)):
            alive.pop(sentinel)
    for process in alive.values():
        process.kill()
    for process in processes.values():
        process.join()
    # A worker stopped while sending a result larger than a pipe's atomic write leaves part of a
    # message in the result pipe, and the pool's management thread would wait in recv() for the
    # rest forever (this process holds the pipe's write end too), to be joined at exit: a hang.
    # With every worker gone, closing that end makes the read end in EOF; the thread then sees a
    # broken pool and ends.
    writer = getattr(results, "_writer", None)
    if writer is not None:
        writer.close()
    if manager is not None:
        manager.join(STOP_GRACE)
    pool.shutdown(wait=True)  # no thread outlives the batch


# --- in the workers -------------------------------------------------------------------

_SHARED: Any = _NOTHING  # a worker's copy of ``shared``
_RUNNING = False  # a worker is inside an item
_STOPPED = False  # a worker was told to stop: it starts no further item


class Stopped(BaseException):
    """Raised inside a worker's running item when the batch is stopped."""


def _worker_init(parent: int, shared: Any) -> None:  # pragma: no cover - runs in a worker
    global _SHARED
    # What the worker inherited stays uncollected: a pool of an earlier batch still in memory
    # would otherwise be collected here, and its weakref callback takes a lock that was held
    # when this process was forked (a deadlock seen in about one stopped batch in 400).
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent decides and stops us
    signal.signal(signal.SIGTERM, _on_term)
    _term_when_parent_dies()
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(1)
    _SHARED = shared


def _term_when_parent_dies() -> None:  # pragma: no cover - runs in a worker
    """Linux: get ``SIGTERM`` when the parent process dies (killed, say), rather than wait
    forever for items that will never come; elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _on_term(signum: int, frame: Any) -> None:  # pragma: no cover - runs in a worker
    global _STOPPED
    _STOPPED = True
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if not _RUNNING:
        os._exit(1)  # idle: nothing of ours below to clean up
    raise Stopped("the batch was stopped")  # unwinds the item: run_killable kills its worker's group


def _run_item(fn: Callable[..., Any], item: Any, with_shared: bool) -> Any:  # pragma: no cover - runs in a worker
    global _RUNNING
    if _STOPPED:
        raise Stopped("the batch was stopped")
    _RUNNING = True
    try:
        return fn(_SHARED, item) if with_shared else fn(item)
    except Stopped:  # the item has unwound (and killed what it started): this worker is done
        os._exit(1)
    finally:
        _RUNNING = False


# --- progress -------------------------------------------------------------------------


class BatchProgress:
    """The progress of a batch of cases, on stderr.

    With a terminal on stderr: a rich progress bar over the whole batch (cases done /
    total), shown by :meth:`live` and cleared when it ends.  Without one, and with more than
    one case: a line per case as it finishes, ``[k/n] name: <what>``, in **completion
    order** (with one worker that is the input order), ``k`` counting the finished cases.

    Parameters
    ----------
    err, out
        rich consoles on stderr and stdout.
    names
        The cases' names, in input order.
    workers
        The number of worker processes (1: the case being worked on is named).
    verb
        What is done to a case (``"checking"``).

    Examples
    --------
    >>> from rich.console import Console
    >>> import io
    >>> buf = io.StringIO()
    >>> progress = BatchProgress(Console(file=buf), Console(file=io.StringIO()), ["a", "b"], 1, "checking")
    >>> with progress.live():
    ...     progress.advance(1, "3 checks in 0.10 s")
    >>> buf.getvalue()
    '[1/2] b: 3 checks in 0.10 s\\n'
    """

    def __init__(self, err: Any, out: Any, names: Sequence[str], workers: int, verb: str):
        self.err, self.out, self.names, self.workers, self.verb = err, out, list(names), workers, verb
        self.total = len(self.names)
        self.finished = 0
        self._bar: Any = None
        self._task: Any = None

    def _description(self, last: int | None) -> str:
        if self.workers == 1:
            following = 0 if last is None else last + 1
            return f"{self.verb} {self.names[following]}" if following < self.total else self.verb
        text = f"{self.verb} ({self.workers} workers)"
        return text if last is None else f"{text}, last done {self.names[last]}"

    @contextlib.contextmanager
    def live(self) -> Iterator[None]:
        """Show the bar (a terminal on stderr) while the batch runs."""
        if self.err.is_terminal:
            # deferred: rich's progress module is only needed on a terminal (heavy import)
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.err,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._task = self._bar.add_task(self._description(None), total=self.total, completed=self.finished)
            self._bar.start()
        try:
            yield
        finally:
            if self._bar is not None:
                self._bar.stop()
                self._bar = None

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Hide the bar while printing to a terminal on stdout (the same screen)."""
        if self._bar is None or not self.out.is_terminal:
            yield
            return
        self._bar.stop()
        try:
            yield
        finally:
            self._bar.start()

    def advance(self, index: int, what: str) -> None:
        """Case ``index`` finished; ``what`` says what was done (the line without a terminal)."""
        self.finished += 1
        if self._bar is not None:
            self._bar.update(self._task, completed=self.finished, description=self._description(index))
        elif not self.err.is_terminal and self.total > 1:
            self.err.print(f"[{self.finished}/{self.total}] {self.names[index]}: {what}", highlight=False)

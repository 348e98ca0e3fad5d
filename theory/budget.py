"""Wall-time budgets, and running uninterruptible sympy work where it can be stopped.

Every check takes a :class:`Budget`.  Loops consult it between steps; sympy calls that
may run for a long time and cannot be interrupted in-process (``simplify``,
``minimal_polynomial``) run through :func:`call_with_timeout`, in a forked child
process that is killed when its time is up.

Examples
--------
>>> budget = Budget(5.0)
>>> budget.expired()
False
>>> call_with_timeout(pow, (2, 10), timeout=5.0)
('ok', 1024)
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Budget", "BudgetExhausted", "call_with_timeout"]


class BudgetExhausted(Exception):
    """Raised inside a check when its budget runs out; the check then answers ``unknown``."""


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
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(timeout):
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

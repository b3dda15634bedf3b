"""Interrupting a pool (Ctrl-C, the kernel's Interrupt button), for chapter 08.

What the Interrupt button does depends on the platform:

* on Linux and macOS, JupyterLab sends ``SIGINT`` to the kernel's whole *process group*: the
  kernel and every process it started (pool workers included) get it at once, as a script's
  processes do when you press Ctrl-C in a terminal;
* on Windows, it sets an event that the kernel watches; the kernel then calls
  ``_thread.interrupt_main()``, which only sets a flag that Python checks between two steps of
  Python code. A main thread blocked in a wait (``pool.map``) sees it when the wait ends.

:func:`interrupt_after` simulates the button, so that the course can show (and test) what it
does: after a delay, a timer thread sends ``SIGINT`` to every process this one started and then
to this one (on Windows: ``_thread.interrupt_main()``, as the kernel does there).
:func:`interrupt_flag_after` only sets the flag, everywhere. :func:`ignore_interrupts` is a pool
initializer that makes workers ignore ``SIGINT``, so that the parent alone decides what happens.
:func:`warm_up_executor` waits until an executor's workers have all started (and run their
initializer), and :func:`count_ended` counts the processes that have ended, without joining
them.
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import wait
from typing import Any

import psutil

from helpers._validate import require_has, require_items, require_seconds
from helpers.benchmark import pid_after, until_all_answered


def ignore_interrupts() -> None:
    """Pool initializer: this process ignores ``SIGINT`` (Ctrl-C, the Interrupt button).

    Use it as ``Pool(initializer=ignore_interrupts)`` or
    ``ProcessPoolExecutor(initializer=ignore_interrupts)``: then an interrupt reaches only the
    parent, which stops the pool (leaving ``with Pool``, or ``shutdown(cancel_futures=True)``),
    instead of every worker dying with a ``KeyboardInterrupt`` traceback of its own.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def quiet_stderr() -> None:
    """Pool initializer: this process's ``sys.stderr`` goes nowhere (``os.devnull``).

    For the demonstration of workers that die of an interrupt: each would print its
    ``KeyboardInterrupt`` traceback on stderr, which lands in the terminal, or (under ``fork``,
    where a worker shares the kernel's streams) in the notebook.
    """
    sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process's life


def _send_interrupt() -> None:
    if sys.platform == "win32":  # what ipykernel does on Windows: a flag, for the kernel only
        _thread.interrupt_main()
        return
    try:
        descendants = psutil.Process().children(recursive=True)
    except psutil.Error:  # pragma: no cover
        descendants = []
    # The kernel leads its own process group, so JupyterLab's signal reaches these processes
    # and the kernel: the children first, then this process.
    for child in descendants:
        try:
            os.kill(child.pid, signal.SIGINT)
        except OSError:  # it has ended meanwhile
            pass
    os.kill(os.getpid(), signal.SIGINT)


def _require_interruptible() -> None:
    """Refuse to simulate an interrupt that this process would ignore."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        raise RuntimeError(
            "this process ignores SIGINT (it was started in the background, or by a program "
            "that ignores Ctrl-C), so the simulated interrupt would do nothing; restore it "
            "with signal.signal(signal.SIGINT, signal.default_int_handler)"
        )


def _timer(seconds: float, action: object) -> threading.Timer:
    timer = threading.Timer(seconds, action)  # type: ignore[arg-type]
    timer.daemon = True
    timer.name = "simulated-interrupt"
    return timer


@contextmanager
def interrupt_after(seconds: float) -> Iterator[None]:
    """Inside the block, press the kernel's Interrupt button after ``seconds``, as JupyterLab
    does it on this platform (see the module docstring).

    The ``KeyboardInterrupt`` is raised in the main thread, wherever it is then; catch it
    around the block. If the block ends first, nothing is sent.
    """
    seconds = require_seconds("seconds", seconds)
    _require_interruptible()
    timer = _timer(seconds, _send_interrupt)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join(timeout=5)


@contextmanager
def interrupt_flag_after(seconds: float) -> Iterator[None]:
    """Inside the block, call ``_thread.interrupt_main()`` after ``seconds``: the flag only.

    Nothing wakes a main thread that is blocked in a wait; it raises ``KeyboardInterrupt``
    once the wait is over (if the wait is still inside the block then).
    """
    seconds = require_seconds("seconds", seconds)
    _require_interruptible()
    timer = _timer(seconds, _thread.interrupt_main)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join(timeout=5)


def warm_up_executor(executor: Any, workers: int, timeout: float = 60.0) -> set[int]:
    """Wait until ``workers`` different processes of ``executor`` have run a task; their pids.

    A worker that is still starting up (under ``spawn`` it imports modules) has not run its
    initializer yet; after this, all have. (:func:`helpers.benchmark.warm_up` does the same
    for a ``multiprocessing.Pool``.)
    """
    require_has("executor", executor, "submit", example="a ProcessPoolExecutor")

    def ask_round(left: float) -> list[int]:
        futures = [executor.submit(pid_after, 0.01) for _ in range(2 * workers)]
        return [future.result(timeout=left) for future in futures]

    return until_all_answered(workers, timeout, ask_round)


def count_ended(children: Sequence[Any], timeout: float = 2.0) -> int:
    """How many of the processes ``children`` (``multiprocessing`` Process objects) have
    ended within ``timeout`` seconds.

    It waits on each process's ``sentinel``, which never collects the exit code: the pool that
    owns the processes still does that (``psutil``'s ``wait`` would take it away from the pool).
    """
    found = require_items("children", children)
    for index, child in enumerate(found):
        if not isinstance(getattr(child, "sentinel", None), int):
            raise TypeError(f"children[{index}] must be a started multiprocessing Process, "
                            f"got {type(child).__name__}")
    seconds = require_seconds("timeout", timeout)
    deadline = time.monotonic() + seconds
    pending = {child.sentinel for child in found}
    while pending:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        pending -= set(wait(list(pending), timeout=left))
    return len(found) - len(pending)

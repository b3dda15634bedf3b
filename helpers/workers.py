"""Small worker functions for the first chapters.

They are pure: arguments in, a result out, no printing. A child process's printed output may
not reach the notebook (it depends on the start method and on who runs the kernel); a returned
value always does.

>>> add(10, -3)
7
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from dataclasses import dataclass

from helpers._validate import MAX_SLEEP, require_int, require_number
from helpers.language import say

#: The largest ``n`` for :func:`sum_of_range` (a plain loop: about 5 s on a laptop).
MAX_RANGE = 10**8

def job(a: object, d: object) -> str:
    """The study notes' first worker: takes two arguments, of any kind, and reports that it ran.

    >>> job(1, 2)
    'a job with a=1 and d=2'
    """
    return say(f"a job with a={a!r} and d={d!r}", f"一个任务：a={a!r}，d={d!r}")


def add(a: float, b: float) -> float:
    """Return ``a + b`` (the notes' ``plus``, returning instead of printing).

    >>> add(10, -3)
    7
    """
    require_number("a", a)
    require_number("b", b)
    return a + b


def square(x: float) -> float:
    """Return ``x * x``.

    >>> square(6)
    36
    """
    require_number("x", x)
    return x * x


def slow_square(x: float, delay: float = 0.1) -> float:
    """Sleep ``delay`` seconds (a stand-in for waiting on a disk or a network), then square ``x``.

    >>> slow_square(3, delay=0)
    9
    """
    require_number("x", x)
    time.sleep(require_number("delay", delay, minimum=0, maximum=MAX_SLEEP))
    return x * x


def nap(seconds: float) -> float:
    """Sleep ``seconds`` (a stand-in for waiting on a disk or a network); return ``seconds``.

    >>> nap(0.01)
    0.01
    """
    seconds = require_number("seconds", seconds, minimum=0, maximum=MAX_SLEEP)
    time.sleep(seconds)
    return seconds


def sum_of_range(n: int) -> int:
    """Return ``0 + 1 + ... + (n - 1)``, by a plain loop (the notes' queue example uses n=100).

    >>> sum_of_range(100)
    4950
    """
    require_int("n", n, minimum=0, maximum=MAX_RANGE)
    total = 0
    for i in range(n):
        total += i
    return total


@dataclass(frozen=True)
class WhoAmI:
    """Where a piece of code ran: which process and which thread."""

    process_name: str
    pid: int
    parent_pid: int
    thread_name: str


def who_am_i() -> WhoAmI:
    """Describe the process and thread that call this function."""
    return WhoAmI(
        process_name=mp.current_process().name,
        pid=os.getpid(),
        parent_pid=os.getppid(),
        thread_name=threading.current_thread().name,
    )


def exit_with(code: int) -> None:
    """End the calling process with exit status ``code`` (to show ``Process.exitcode``)."""
    require_int("code", code, minimum=0)
    raise SystemExit(code)

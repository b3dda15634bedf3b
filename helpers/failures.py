"""Workers for chapter 08 (when things go wrong): tasks that raise, workers that die or leak.

They run in pool processes, so they live here and not in a notebook cell:

* :func:`parse_reading` turns a text into a number, and raises on a bad one (``"n/a"``), as
  real parsing code does;
* :func:`with_context` calls a task and, if it raises, adds a note to the exception (which
  task, which input) *before* the exception crosses the process boundary;
* :func:`risky_task` squares a number, raises for :data:`RAISES_FOR` and ends its own process
  for :data:`CRASHES_FOR`, as a segmentation fault or the out-of-memory killer would (in the
  notebook's own process it refuses, instead of ending the kernel);
* :func:`leaky_task` keeps a little memory after every task, as a leaking library does, and
  says how many tasks' worth its worker now holds.

:func:`stable_name` and :func:`outcome_text` are for the parent: they print what happened in
words that do not change from run to run.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import time
from collections.abc import Callable

from helpers._validate import require_callable, require_int, require_text

#: What a pipeline records for a task whose worker died (exercise 1 of chapter 08).
CRASHED = "crashed"

#: :func:`risky_task` raises a ``ValueError`` for this input...
RAISES_FOR = 7
#: ...and ends its worker process for this one.
CRASHES_FOR = 13
#: How long :func:`risky_task` works on an ordinary input, in seconds.
RISKY_DELAY = 0.2

# What :func:`leaky_task` keeps, one entry per task, for the life of its worker process.
_LEAKED: list[bytes] = []


def parse_reading(text: str) -> float:
    """A sensor reading, given as text, as a number; ``ValueError`` if it is not one.

    >>> parse_reading(" 21.5 ")
    21.5
    >>> parse_reading("n/a")
    Traceback (most recent call last):
    ...
    ValueError: could not convert string to float: 'n/a'
    """
    require_text("text", text)
    return float(text)


def with_context(func: Callable[[object], object], task: int, item: object) -> object:
    """Return ``func(item)``; if it raises, add a note naming the task and the input, re-raise.

    The note (``BaseException.add_note``, Python 3.11+) travels with the exception when a pool
    sends it back to the parent, and Python prints it under the traceback.

    >>> with_context(parse_reading, 3, "2")
    2.0
    >>> try:
    ...     with_context(parse_reading, 4, "n/a")
    ... except ValueError as error:
    ...     print(error.__notes__)
    ["task 4: parse_reading('n/a')"]
    """
    require_callable("func", func)
    require_int("task", task, minimum=0)
    try:
        return func(item)
    except Exception as error:
        name = getattr(func, "__name__", type(func).__name__)
        error.add_note(f"task {task}: {name}({item!r})")
        raise


def _in_main_process() -> bool:
    return mp.parent_process() is None


def risky_task(x: int) -> int:
    """Square ``x`` after :data:`RISKY_DELAY` s of "work"; raise, or die, for two inputs.

    For :data:`RAISES_FOR` it raises ``ValueError``. For :data:`CRASHES_FOR` it ends its
    process at once with ``os._exit(1)`` (no exception, no clean-up), but only in a child
    process: in the notebook's own process it raises ``RuntimeError`` instead of ending the
    kernel.

    >>> risky_task(3)
    9
    """
    require_int("x", x, minimum=0, maximum=10**6)
    if x == CRASHES_FOR:
        if _in_main_process():
            raise RuntimeError(
                f"risky_task({x}) would end this process (the notebook's kernel): "
                "run it in a worker process"
            )
        os._exit(1)
    time.sleep(RISKY_DELAY)
    if x == RAISES_FOR:
        raise ValueError(f"{x} is an unlucky number")
    return x * x


def leaky_task(task: int) -> int:
    """Keep 100 kB for good after each call (a leak); return how many calls' worth this
    process now holds.

    >>> before = leaky_task(0); leaky_task(1) - before
    1
    """
    require_int("task", task, minimum=0)
    _LEAKED.append(bytes(100_000))
    return len(_LEAKED)


_NUMBERED = re.compile(r"^(?:ForkServer|Fork|Spawn)?(\w*?)-\d+$")


def stable_name(process_name: str) -> str:
    """A process's name without what changes between runs: the start method and the number.

    >>> stable_name("SpawnPoolWorker-7"), stable_name("ForkServerPoolWorker-2")
    ('PoolWorker', 'PoolWorker')
    >>> stable_name("ForkProcess-2"), stable_name("MainProcess"), stable_name("consumer")
    ('Process', 'MainProcess', 'consumer')
    """
    require_text("process_name", process_name)
    match = _NUMBERED.match(process_name)
    return match.group(1) if match and match.group(1) else process_name


def leak_warning(stderr: str) -> str:
    """The resource tracker's warning about leaked objects in ``stderr``, without the file
    path before it and the names after it (Python 3.13 lists them); ``""`` if there is none.

    >>> leak_warning("/usr/lib/python3.13/multiprocessing/resource_tracker.py:276: UserWarning: "
    ...              "resource_tracker: There appear to be 1 leaked shared_memory objects to "
    ...              "clean up at shutdown: {'/psm_1'}")
    'resource_tracker: There appear to be 1 leaked shared_memory objects to clean up at shutdown'
    """
    require_text("stderr", stderr)
    match = _LEAK_WARNING.search(stderr)
    return match.group(0) if match else ""


_LEAK_WARNING = re.compile(r"resource_tracker: There appear to be \d+ leaked \w+ objects to "
                           r"clean up at shutdown")


def outcome_text(outcome: object) -> str:
    """A task's outcome in words: the value, ``TypeName: message`` for an exception.

    >>> outcome_text(9), outcome_text(ValueError("bad")), outcome_text(CRASHED)
    ('9', 'ValueError: bad', 'crashed')
    """
    if isinstance(outcome, BaseException):
        return f"{type(outcome).__name__}: {outcome}"
    return outcome if isinstance(outcome, str) else repr(outcome)

"""Measure when threads and processes really compute: a picture of the GIL.

:func:`busy_intervals` does pure-Python work in small slices and records the wall-clock
intervals during which it was really computing. Run it in two threads and the intervals of
one thread fall in the gaps of the other (only one thread holds the GIL at a time); run it in
two processes and the intervals overlap (each process has its own interpreter and GIL).
:func:`overlap_fraction` turns a picture into one number, and :func:`most_overlapping` keeps
the most overlapping of a few rounds, so that a busy machine does not hide what processes can do.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from helpers._validate import require_int, require_items, require_number, require_workers

Interval = tuple[float, float]

#: The most slices :func:`busy_intervals` computes (the course uses 10_000, well under a
#: second; a million take about a minute).
MAX_STEPS = 1_000_000
#: The longest slice, in loop iterations (the course uses 400).
MAX_STEP_SIZE = 100_000

_SINGULAR = {"threads": "thread", "processes": "process"}


def busy_intervals(
    steps: int = 10_000, step_size: int = 400, max_gap: float = 0.001
) -> list[Interval]:
    """Do ``steps`` small slices of CPU work; return the wall-clock intervals spent computing.

    The time is read after every slice of ``step_size`` loop iterations (tens of
    microseconds). Whenever two readings are more than ``max_gap`` seconds apart, this thread
    was not running in between (another thread held the GIL, or the OS ran something else),
    and a new interval starts. Wall-clock time (``time.time``) is used because it is
    comparable between processes.

    >>> intervals = busy_intervals(steps=10, step_size=10)
    >>> all(start <= end for start, end in intervals)
    True
    """
    require_int("steps", steps, minimum=1, maximum=MAX_STEPS)
    require_int("step_size", step_size, minimum=1, maximum=MAX_STEP_SIZE)
    require_number("max_gap", max_gap, minimum=0, maximum=1.0)
    readings = [time.time()]
    for _ in range(steps):
        total = 0
        for i in range(step_size):
            total += i * i
        readings.append(time.time())
    intervals: list[Interval] = []
    start = previous = readings[0]
    for now in readings[1:]:
        if now - previous > max_gap:
            intervals.append((start, previous))
            start = now
        previous = now
    intervals.append((start, previous))
    return intervals


def _require_kind(kind: object) -> None:
    if kind not in ("threads", "processes"):
        raise ValueError(f"kind must be 'threads' or 'processes', got {kind!r}")


def _stop(executor: ThreadPoolExecutor | ProcessPoolExecutor) -> None:
    """Shut ``executor`` down without waiting; terminate its processes, if it has any.

    (Threads cannot be stopped; ``steps`` is capped so that they end on their own soon.)
    """
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(5)


def timelines(kind: str, workers: int = 2, steps: int = 10_000) -> dict[str, list[Interval]]:
    """Run :func:`busy_intervals` in ``workers`` threads or processes at once.

    ``kind`` is ``"threads"`` or ``"processes"``; ``steps`` is passed to
    :func:`busy_intervals`. Returns ``{"thread 0": intervals, ...}`` (or ``"process 0"``),
    with times relative to the earliest start, in seconds.
    """
    _require_kind(kind)
    require_workers("workers", workers)
    require_int("steps", steps, minimum=1, maximum=MAX_STEPS)
    executor_class = ThreadPoolExecutor if kind == "threads" else ProcessPoolExecutor
    executor = executor_class(max_workers=workers)
    try:
        if kind == "processes":
            # Start the worker processes first, so that start-up time is not in the picture.
            list(executor.map(busy_intervals, [1] * workers, [1] * workers))
        futures = [executor.submit(busy_intervals, steps) for _ in range(workers)]
        results = [f.result(timeout=60) for f in futures]
    except BaseException:  # an error, a time-out or an interrupt: leave no worker running
        _stop(executor)
        raise
    executor.shutdown(wait=True)
    origin = min(start for intervals in results for start, _ in intervals)
    return {
        f"{_SINGULAR[kind]} {n}": [(s - origin, e - origin) for s, e in intervals]
        for n, intervals in enumerate(results)
    }


def most_overlapping(
    kind: str, rounds: int = 3, workers: int = 2, steps: int = 10_000
) -> dict[str, list[Interval]]:
    """Run :func:`timelines` ``rounds`` times; return the round with the largest overlap.

    Another program on the machine can take a core away for a moment and hide the overlap
    that two processes are capable of; of several rounds, the most overlapping one shows it.
    For threads under the GIL even the most overlapping round stays near 0.
    """
    _require_kind(kind)
    require_int("rounds", rounds, minimum=1, maximum=100)
    require_workers("workers", workers)
    require_int("steps", steps, minimum=1, maximum=MAX_STEPS)
    candidates = [timelines(kind, workers=workers, steps=steps) for _ in range(rounds)]
    return max(candidates, key=overlap_fraction)


def overlap_fraction(rows: dict[str, list[Interval]]) -> float:
    """Fraction of the busy time during which at least two rows were busy at once.

    About 0 for threads under the GIL, close to 1 for processes on separate cores.

    >>> overlap_fraction({"a": [(0, 1)], "b": [(0, 1)]})
    1.0
    >>> overlap_fraction({"a": [(0, 1)], "b": [(1, 2)]})
    0.0
    """
    if not isinstance(rows, Mapping):
        raise TypeError(f"rows must be a dict of label -> intervals, got {type(rows).__name__}")
    events = []
    for label, intervals in rows.items():
        for start, end in require_items(f"rows[{label!r}]", intervals, size=2):  # type: ignore[misc]
            events.append((start, 1))
            events.append((end, -1))
    events.sort()
    busy = overlapped = 0.0
    active = 0
    previous = None
    for moment, change in events:
        if previous is not None and active > 0:
            busy += moment - previous
            if active > 1:
                overlapped += moment - previous
        active += change
        previous = moment
    return overlapped / busy if busy > 0 else 0.0

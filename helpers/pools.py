"""Workers and tools for chapter 04 (process pools).

The workers run inside pool processes or pool threads, so they live here and not in a
notebook cell. They return what they did instead of printing it:

* :func:`timed_task` sleeps and returns a :class:`TaskRecord` (which task, which process,
  when it started and ended), so the notebook can draw which worker ran what and when;
  :func:`timed_square` does the same and also squares its argument (the notes' ``job``);
* :func:`load_lookup_table` is a pool *initializer*; :func:`look_up` and
  :func:`setups_in_this_worker` are tasks that use what it prepared;
* :func:`crash_worker` ends its process abruptly, to show what a pool does when a worker dies.

The other functions run in the parent: :class:`ResultCollector` (callbacks),
:func:`label_workers`, :func:`timeline_rows`, :func:`max_concurrency`, :func:`makespan`,
:func:`plot_tasks`, :func:`default_chunksize` and :func:`time_in_turns` (fair timings on a
shared machine). Chapter 04 also uses :func:`helpers.workers.nap`.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn, TypeVar

from helpers._validate import (
    MAX_SLEEP,
    require_int,
    require_items,
    require_number,
    require_text,
    require_workers,
)
from helpers.timing import Timing

if TYPE_CHECKING:  # matplotlib is imported only when plotting: pool workers never load it
    from matplotlib.axes import Axes

Interval = tuple[float, float]
Key = TypeVar("Key", bound=Hashable)


# --- workers: these run in pool processes (or threads) -------------------------------------


@dataclass(frozen=True)
class TaskRecord:
    """What one task reported about itself: which task, which process, when (``time.time()``).

    Wall-clock time is used because it is comparable between processes. ``value`` is what the
    task computed, if anything (:func:`timed_square` puts its square there).
    """

    task: int
    pid: int
    start: float
    end: float
    value: object = None

    @property
    def duration(self) -> float:
        """How long the task ran, in seconds."""
        return self.end - self.start


def timed_task(task: int, delay: float = 0.05) -> TaskRecord:
    """Sleep ``delay`` seconds (a stand-in for real work) and report when and where it ran.

    >>> record = timed_task(3, delay=0)
    >>> record.task, record.pid == os.getpid(), record.start <= record.end
    (3, True, True)
    """
    require_int("task", task, minimum=0)
    require_number("delay", delay, minimum=0, maximum=MAX_SLEEP)
    start = time.time()
    time.sleep(delay)
    return TaskRecord(task=task, pid=os.getpid(), start=start, end=time.time())


def timed_square(x: int, delay: float = 0.05) -> TaskRecord:
    """Sleep ``delay`` seconds (a stand-in for real work), then square ``x``; report it all.

    The notes' ``job(x)`` (``x * x``) with a clock attached: the record's ``value`` is the
    square, ``task`` is ``x``, and ``pid``, ``start`` and ``end`` say where and when it ran.

    >>> record = timed_square(7, delay=0)
    >>> record.value, record.task, record.pid == os.getpid()
    (49, 7, True)
    """
    require_int("x", x)
    require_number("delay", delay, minimum=0, maximum=MAX_SLEEP)
    start = time.time()
    time.sleep(delay)
    return TaskRecord(task=x, pid=os.getpid(), start=start, end=time.time(), value=x * x)


# The state a pool initializer prepares, one copy per worker process.
_TABLE: list[int] | None = None
_SETUPS = 0


def load_lookup_table(size: int) -> None:
    """Pool initializer: build a table of squares once in this worker (a stand-in for slow setup).

    Pass it as ``Pool(initializer=load_lookup_table, initargs=(size,))``: every worker process
    calls it once when it starts, before it runs any task.
    """
    global _TABLE, _SETUPS
    require_int("size", size, minimum=1, maximum=10**7)
    _TABLE = [i * i for i in range(size)]
    _SETUPS += 1


def look_up(index: int) -> int:
    """Return entry ``index`` of the table built by :func:`load_lookup_table` in this process."""
    require_int("index", index, minimum=0)
    if _TABLE is None:
        raise RuntimeError(
            "no lookup table in this process: start the pool with "
            "initializer=load_lookup_table, initargs=(size,)"
        )
    if index >= len(_TABLE):
        raise ValueError(f"index must be < {len(_TABLE)} (the table size), got {index}")
    return _TABLE[index]


def setups_in_this_worker(_: object = None) -> int:
    """How many times :func:`load_lookup_table` has run in the calling process.

    The argument is ignored; it lets ``pool.map(setups_in_this_worker, range(n))`` call it.
    """
    return _SETUPS


def crash_worker(code: int = 1) -> NoReturn:
    """End the calling process at once with ``os._exit(code)``: no clean-up, no exception.

    A stand-in for a worker that crashes (a segfault, or the out-of-memory killer). Run it only
    in a child process: in the notebook's own process it would end the kernel.
    """
    require_int("code", code, minimum=0)
    if code > 255:
        raise ValueError(f"code must be <= 255, got {code}")
    os._exit(code)


# --- tools for the parent process ----------------------------------------------------------


class ResultCollector:
    """Callbacks for ``apply_async``: collect results and errors as they arrive.

    A pool calls callbacks in a thread of the *parent* process, one at a time; the lock makes
    reading while results still arrive safe as well.

    >>> collector = ResultCollector()
    >>> collector.add(4); collector.add_error(ValueError("bad"))
    >>> collector.results, collector.error_messages
    ([4], ['ValueError: bad'])
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._results: list[object] = []
        self._errors: list[BaseException] = []

    def add(self, result: object) -> None:
        """Use as ``callback=``: keep one result."""
        with self._lock:
            self._results.append(result)

    def add_error(self, error: BaseException) -> None:
        """Use as ``error_callback=``: keep one exception raised by a task."""
        with self._lock:
            self._errors.append(error)

    @property
    def results(self) -> list[object]:
        """The results, in the order they arrived."""
        with self._lock:
            return list(self._results)

    @property
    def error_messages(self) -> list[str]:
        """Each error as ``"TypeName: message"``, in the order they arrived."""
        with self._lock:
            return [f"{type(error).__name__}: {error}" for error in self._errors]


def _records(records: Iterable[TaskRecord]) -> list[TaskRecord]:
    found = require_items("records", records)
    for index, record in enumerate(found):
        if not isinstance(record, TaskRecord):
            raise TypeError(
                f"records[{index}] must be a TaskRecord, got {type(record).__name__} {record!r}"
            )
    return found


def label_workers(records: Iterable[TaskRecord]) -> dict[int, str]:
    """Name the processes that ran ``records`` ``"worker 0"``, ``"worker 1"``... in pid order.

    Pids change on every run; these labels do not.

    >>> label_workers([TaskRecord(0, 812, 0, 1), TaskRecord(1, 77, 0, 1), TaskRecord(2, 812, 1, 2)])
    {77: 'worker 0', 812: 'worker 1'}
    """
    pids = sorted({record.pid for record in _records(records)})
    return {pid: f"worker {n}" for n, pid in enumerate(pids)}


def timeline_rows(records: Iterable[TaskRecord]) -> dict[str, list[Interval]]:
    """Group ``records`` into one lane per worker for :func:`helpers.plotting.plot_timeline`.

    Times are made relative to the earliest start, in seconds.

    >>> timeline_rows([TaskRecord(0, 9, 10.0, 11.0), TaskRecord(1, 5, 10.5, 12.0)])
    {'worker 0': [(0.5, 2.0)], 'worker 1': [(0.0, 1.0)]}
    """
    found = _records(records)
    if not found:
        return {}
    labels = label_workers(found)
    origin = min(record.start for record in found)
    rows: dict[str, list[Interval]] = {label: [] for label in sorted(labels.values())}
    for record in sorted(found, key=lambda r: r.start):
        rows[labels[record.pid]].append((record.start - origin, record.end - origin))
    return rows


def max_concurrency(records: Iterable[TaskRecord]) -> int:
    """The largest number of tasks that were running at the same moment.

    >>> max_concurrency([TaskRecord(0, 1, 0, 2), TaskRecord(1, 2, 1, 3), TaskRecord(2, 1, 3, 4)])
    2
    """
    events = []
    for record in _records(records):
        events.append((record.start, 1))
        events.append((record.end, -1))
    events.sort()  # at equal times an end (-1) sorts before a start (+1): touching is not overlap
    running = highest = 0
    for _, change in events:
        running += change
        highest = max(highest, running)
    return highest


def makespan(records: Iterable[TaskRecord]) -> float:
    """Seconds from the first task's start to the last task's end (0.0 for no tasks).

    >>> makespan([TaskRecord(0, 1, 10.0, 11.0), TaskRecord(1, 2, 10.5, 12.0)])
    2.0
    """
    found = _records(records)
    if not found:
        return 0.0
    return max(record.end for record in found) - min(record.start for record in found)


def plot_tasks(records: Sequence[TaskRecord], ax: Axes | None = None, title: str = "") -> Axes:
    """Draw which worker ran which task and when: one lane per worker, task numbers on the bars."""
    from helpers.plotting import plot_timeline

    found = _records(records)
    require_text("title", title)
    rows = timeline_rows(found)
    ax = plot_timeline(rows, ax=ax, title=title)  # checks ax
    if not found:
        return ax
    labels = label_workers(found)
    lanes = {label: lane for lane, label in enumerate(rows)}
    origin = min(record.start for record in found)
    for record in found:
        lane = lanes[labels[record.pid]]
        start, end = record.start - origin, record.end - origin
        # A thin white edge keeps back-to-back tasks on one worker apart.
        ax.plot([start, start], [lane - 0.4, lane + 0.4], color="white", linewidth=1.5)
        ax.text((start + end) / 2, lane, str(record.task), ha="center", va="center",
                color="white", fontsize=9)
    return ax


def default_chunksize(tasks: int, processes: int) -> int:
    """The chunk size ``Pool.map`` picks when none is given: about 4 chunks per worker.

    Mirrors ``multiprocessing.pool.Pool._map_async`` (``imap`` and ``imap_unordered`` use 1).

    >>> default_chunksize(10, 2), default_chunksize(2000, 2), default_chunksize(0, 2)
    (2, 250, 0)
    """
    require_int("tasks", tasks, minimum=0)
    require_workers("processes", processes)
    chunksize, extra = divmod(tasks, processes * 4)
    return chunksize + 1 if extra else chunksize


def time_in_turns(
    contestants: Mapping[Key, Callable[[], object]],
    rounds: int,
    warmup: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[dict[Key, Timing], dict[Key, object]]:
    """Time every contestant once per round, taking turns, for ``rounds`` rounds.

    Taking turns spreads a busy moment of a shared machine over all contestants instead of
    letting it hit one of them; compare them by :attr:`Timing.best` (the run least disturbed
    by other programs). The first ``warmup`` rounds are not timed. Returns the timings and
    what each contestant returned in the last round.

    >>> ticks = iter(range(100))
    >>> timings, last = time_in_turns({"a": lambda: 1, "b": lambda: 2}, rounds=2, warmup=0,
    ...                               clock=lambda: next(ticks))
    >>> timings["a"].samples, last
    ((1, 1), {'a': 1, 'b': 2})
    """
    if not isinstance(contestants, Mapping) or not contestants:
        raise TypeError("contestants must be a non-empty dict of name -> function")
    for name, func in contestants.items():
        if not callable(func):
            raise TypeError(f"contestants[{name!r}] must be callable, got {type(func).__name__}")
    require_int("rounds", rounds, minimum=1, maximum=10_000)
    require_int("warmup", warmup, minimum=0, maximum=10_000)
    if not callable(clock):
        raise TypeError(f"clock must be callable, got {type(clock).__name__}")
    samples: dict[Key, list[float]] = {name: [] for name in contestants}
    last: dict[Key, object] = {}
    for round_ in range(warmup + rounds):
        for name, func in contestants.items():
            start = clock()
            last[name] = func()
            elapsed = clock() - start
            if round_ >= warmup:
                samples[name].append(elapsed)
    return {name: Timing(tuple(values)) for name, values in samples.items()}, last


_FRAME_LINE = re.compile(r'^\s*File "[^"]*", line \d+, in (?P<function>\S+)', re.MULTILINE)


def worker_traceback(error: BaseException) -> str:
    """The traceback text a pool sent back with ``error`` from its worker, or ``""`` if none.

    ``multiprocessing.Pool`` and ``concurrent.futures.ProcessPoolExecutor`` re-raise a
    worker's exception in the parent and attach the worker's formatted traceback as
    ``error.__cause__``.
    """
    if not isinstance(error, BaseException):
        raise TypeError(f"error must be an exception, got {type(error).__name__} {error!r}")
    cause = error.__cause__
    if cause is None or type(cause).__name__ not in ("RemoteTraceback", "_RemoteTraceback"):
        return ""
    return str(cause).strip().strip('"').strip()


def worker_frames(error: BaseException) -> list[str]:
    """The function names in the worker's traceback of ``error``, outermost first.

    File paths and line numbers are left out: they differ between machines.

    >>> worker_frames(ValueError("raised here, not in a worker"))
    []
    """
    return _FRAME_LINE.findall(worker_traceback(error))

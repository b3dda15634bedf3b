"""Chapter 03's benchmark: the notes' job, split fairly, raced by serial, threads and processes.

The job is the study notes' loop, ``sum(i + i**2 for i in range(n))``. To race fairly, every
contestant does the *same total work*: :func:`split_range` cuts ``range(n)`` into equal chunks,
each worker sums its chunk with :func:`sum_chunk`, and the parent adds the partial sums.
:func:`closed_form` gives the exact answer, ``(n - 1) n (n + 1) / 3``, to check everybody.

Workers here run in threads and child processes: they are pure (arguments in, result out), do
not print, and import nothing heavy when this module is imported (NumPy is imported inside the
functions that need it), so that a child started by ``spawn`` is ready quickly.

Contestants are timed by :func:`take_turns`: a warm-up round, then rounds in which each
contestant runs once, in turn, so that a busy moment of the machine hurts them alike. On a
shared machine noise only ever slows a run down, so the *fastest* run of each contestant is the
one closest to its true time; speed-ups are ratios of those (:meth:`RaceResult.best_speedup`).

The problem size depends on where the code runs: :func:`problem_size` returns the class size
normally and a small size when the test suite sets ``COURSE_QUICK=1``.

>>> split_range(10, 3)
[(0, 4), (4, 7), (7, 10)]
>>> sum(sum_chunk(start, stop) for start, stop in split_range(10, 3)) == closed_form(10)
True
"""

from __future__ import annotations

import os
import socket
import socketserver
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from typing import Any, Protocol

from helpers._validate import (
    MAX_SLEEP,
    require_bool,
    require_callable,
    require_has,
    require_int,
    require_items,
    require_number,
    require_order,
    require_seconds,
    require_workers,
)
from helpers.timing import Timing
from helpers.workers import nap

#: The environment variable the course's tooling sets to ``"1"`` for small, fast runs.
QUICK_ENV = "COURSE_QUICK"

Chunk = tuple[int, int]
Interval = tuple[float, float]

#: The largest value an int64 holds; NumPy's integer sums wrap around past it, silently.
INT64_MAX = 2**63 - 1

#: The largest job a race runs: ``range(n)`` up to this (the course's largest is 6 * 10**6;
#: 10**9 already takes minutes per contestant).
MAX_N = 10**9

#: The most chunks :func:`split_range` cuts (one per worker, or a few per worker).
MAX_PARTS = 1_000_000

#: The most rounds a race runs (the course uses 3 to 9).
MAX_REPEAT = 1_000


# --- problem size --------------------------------------------------------------------------------


def quick_mode() -> bool:
    """True when the environment variable ``COURSE_QUICK`` is ``"1"`` (the test suite's runs)."""
    return os.environ.get(QUICK_ENV, "0").strip() == "1"


def problem_size(full: int, quick: int) -> int:
    """``quick`` under the test suite (``COURSE_QUICK=1``), otherwise ``full`` (class size).

    >>> problem_size(full=5_000_000, quick=100_000) in (5_000_000, 100_000)
    True
    """
    require_int("full", full, minimum=0)
    require_int("quick", quick, minimum=0)
    return quick if quick_mode() else full


# --- the job -------------------------------------------------------------------------------------


def notes_job(n: int) -> int:
    """The notes' ``normal()``: ``i + i**2`` summed over ``range(n)`` by a plain loop.

    >>> notes_job(4)  # (0+0) + (1+1) + (2+4) + (3+9)
    20
    """
    require_int("n", n, minimum=0, maximum=MAX_N)
    result = 0
    for i in range(n):
        result += i + i**2
    return result


def notes_job_to_queue(queue: Any, n: int) -> None:
    """The notes' ``job(Qu)``: compute :func:`notes_job` and ``put`` the result on ``queue``.

    ``queue`` is anything with a ``put`` method (the notes use ``multiprocessing.Queue`` for
    both processes and threads).
    """
    require_has("queue", queue, "put", example="e.g. a multiprocessing.Queue()")
    queue.put(notes_job(n))


def sum_chunk(start: int, stop: int) -> int:
    """``i + i**2`` summed over ``range(start, stop)``: one worker's share of the job.

    >>> sum_chunk(0, 4), sum_chunk(2, 4)
    (20, 18)
    """
    require_int("start", start, minimum=0)
    require_int("stop", stop, minimum=0)
    require_order("start", start, "stop", stop)
    require_int("stop - start", stop - start, maximum=MAX_N)
    result = 0
    for i in range(start, stop):
        result += i + i**2
    return result


def sum_chunk_of(chunk: Chunk) -> int:
    """:func:`sum_chunk` taking one ``(start, stop)`` pair, for ``map``.

    >>> list(map(sum_chunk_of, [(0, 2), (2, 4)]))
    [2, 18]
    """
    start, stop = _unpack_chunk(chunk)
    return sum_chunk(start, stop)


def closed_form(n: int) -> int:
    """The exact value of ``sum(i + i**2 for i in range(n))``: ``(n - 1) * n * (n + 1) / 3``.

    (``sum(i) = n(n-1)/2`` and ``sum(i**2) = (n-1)n(2n-1)/6`` add up to it.)

    >>> closed_form(4), closed_form(1000) == notes_job(1000)
    (20, True)
    """
    require_int("n", n, minimum=0)
    return (n - 1) * n * (n + 1) // 3 if n > 0 else 0


def split_range(n: int, parts: int) -> list[Chunk]:
    """Cut ``range(n)`` into ``parts`` consecutive ``(start, stop)`` chunks of equal length.

    The lengths differ by at most one (the first chunks take the remainder). Every ``i`` in
    ``range(n)`` is in exactly one chunk.

    >>> split_range(10, 3)
    [(0, 4), (4, 7), (7, 10)]
    >>> split_range(2, 4)
    [(0, 1), (1, 2), (2, 2), (2, 2)]
    """
    require_int("n", n, minimum=0)
    require_int("parts", parts, minimum=1, maximum=MAX_PARTS)
    size, extra = divmod(n, parts)
    chunks, start = [], 0
    for part in range(parts):
        stop = start + size + (1 if part < extra else 0)
        chunks.append((start, stop))
        start = stop
    return chunks


# --- the job in NumPy ----------------------------------------------------------------------------


def numpy_safe_block(stop: int) -> int:
    """The longest block ``[a, b)`` with ``b <= stop`` whose sum of ``i + i*i`` fits an int64.

    Each term is below ``stop + stop**2``, so a block of ``INT64_MAX // (stop + stop**2)``
    terms cannot overflow. The result is capped at 2**17 (1 MiB of int64 per array), long
    enough for NumPy to run at full speed with the GIL released, short enough to stay in cache.

    >>> numpy_safe_block(10)
    131072
    >>> numpy_safe_block(8_000_000)
    131072
    >>> numpy_safe_block(100_000_000)
    922
    """
    require_int("stop", stop, minimum=1)
    return max(1, min(2**17, INT64_MAX // (stop + stop * stop)))


def numpy_sum_chunk(start: int, stop: int) -> int:
    """:func:`sum_chunk` computed with NumPy, exactly: block by block, in int64.

    ``i*i`` and each block's sum stay below 2**63 (see :func:`numpy_safe_block`); the blocks'
    sums are added as Python integers, which never overflow. NumPy releases the GIL inside
    its loops, so several threads can run this at once.

    >>> numpy_sum_chunk(0, 10_000) == sum_chunk(0, 10_000)
    True
    """
    import numpy as np

    require_int("start", start, minimum=0)
    require_int("stop", stop, minimum=0)
    require_order("start", start, "stop", stop)
    if stop > 3_000_000_000:  # i * i would no longer fit in an int64
        raise ValueError(f"stop must be <= 3_000_000_000 for int64 arithmetic, got {stop}")
    block = numpy_safe_block(stop) if stop > 0 else 1
    total = 0
    for low in range(start, stop, block):
        i = np.arange(low, min(stop, low + block), dtype=np.int64)
        total += int((i + i * i).sum())
    return total


def numpy_sum_chunk_of(chunk: Chunk) -> int:
    """:func:`numpy_sum_chunk` taking one ``(start, stop)`` pair, for ``map``."""
    start, stop = _unpack_chunk(chunk)
    return numpy_sum_chunk(start, stop)


def _unpack_chunk(chunk: object) -> Chunk:
    if not isinstance(chunk, tuple | list) or len(chunk) != 2:
        raise TypeError(f"chunk must be a (start, stop) pair, got {chunk!r}")
    return chunk[0], chunk[1]


# --- racing --------------------------------------------------------------------------------------


class Mapper(Protocol):
    """Anything with a ``map(func, iterable)``: a thread or process pool, or an executor."""

    def map(self, func: Callable[..., Any], iterable: Iterable[Any], /) -> Iterable[Any]: ...


def parallel_sum(mapper: Mapper, n: int, parts: int, numpy: bool = False) -> int:
    """Split the job over ``range(n)`` into ``parts`` chunks, map them, add the partial sums.

    ``mapper`` runs the chunks: a ``multiprocessing.Pool``, a ``ThreadPoolExecutor`` or a
    ``ProcessPoolExecutor``. ``numpy=True`` sums each chunk with :func:`numpy_sum_chunk`.

    >>> with ThreadPoolExecutor(max_workers=2) as pool:
    ...     parallel_sum(pool, 10, parts=3)
    330
    """
    require_has("mapper", mapper, "map", example="a Pool or an executor")
    require_int("n", n, minimum=0, maximum=MAX_N)
    require_int("parts", parts, minimum=1, maximum=MAX_PARTS)
    require_bool("numpy", numpy)
    worker = numpy_sum_chunk_of if numpy else sum_chunk_of
    return sum(mapper.map(worker, split_range(n, parts)))


@dataclass(frozen=True)
class RaceResult:
    """One fair race: the same job run serially, in threads and in processes.

    ``timings`` maps ``"serial"``, ``"threads"``, ``"processes"`` to their :class:`Timing`;
    ``totals`` to the sums they computed (all equal to :func:`closed_form` when correct);
    ``others_busy`` (filled by ``fair_race(..., watch=True)``) to how many CPUs *other*
    programs kept busy during each timed round.
    """

    n: int
    workers: int
    timings: Mapping[str, Timing]
    totals: Mapping[str, int]
    others_busy: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    def speedup(self, contestant: str) -> float:
        """The median, over the rounds, of serial time / ``contestant``'s time in that round.

        Pairing each round's times cancels slow drifts of the machine's speed (a busy hour on
        a shared host): both runs of a pair met the same conditions.
        """
        pairs = zip(self.timings["serial"].samples, self.timings[contestant].samples, strict=True)
        return statistics.median(serial / other for serial, other in pairs)

    def efficiency(self, contestant: str) -> float:
        """Speed-up per worker (1.0 is the physical limit)."""
        return self.speedup(contestant) / self.workers

    def best_speedup(self, contestant: str) -> float:
        """The fastest serial run / ``contestant``'s fastest run.

        On a shared machine other programs (or, on a virtual machine, other machines on the
        same host) only ever *slow a run down*; the fastest of several runs is the one they
        disturbed least. With enough rounds each contestant has one undisturbed run, and the
        ratio of the fastest runs is the speed-up of the method itself.
        """
        return self.timings["serial"].best / self.timings[contestant].best

    def best_efficiency(self, contestant: str) -> float:
        """:meth:`best_speedup` per worker (1.0 is the physical limit)."""
        return self.best_speedup(contestant) / self.workers

    @property
    def all_correct(self) -> bool:
        """True if every contestant's total equals the closed form."""
        return all(total == closed_form(self.n) for total in self.totals.values())


def take_turns(
    contestants: Mapping[str, Callable[[], Any]],
    rounds: int,
    warmup: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[dict[str, Timing], dict[str, Any]]:
    """Time every contestant once per round, in turn, for ``rounds`` rounds after ``warmup``.

    ``contestants`` maps a name to a function without arguments. In each round every
    contestant runs once, in the order given, so that a slow moment of the machine hurts all
    of them alike, and none is timed only while the machine was quiet. The warm-up rounds
    are not timed. Every contestant must return the same result in every round (a
    ``RuntimeError`` says which did not). Returns ``({name: Timing}, {name: result})``.

    >>> ticks = iter(range(100))
    >>> timings, results = take_turns({"a": lambda: 1, "b": lambda: 2}, rounds=2, warmup=0,
    ...                               clock=lambda: next(ticks))
    >>> timings["a"].samples, results
    ((1, 1), {'a': 1, 'b': 2})
    """
    if not isinstance(contestants, Mapping) or not contestants:
        raise TypeError("contestants must be a non-empty dict of name -> function")
    for name, run in contestants.items():
        if not callable(run):
            raise TypeError(f"contestant {name!r} must be callable, got {type(run).__name__}")
    require_int("rounds", rounds, minimum=1, maximum=10_000)
    require_int("warmup", warmup, minimum=0, maximum=10_000)
    if not callable(clock):
        raise TypeError(f"clock must be callable, got {type(clock).__name__}")
    samples: dict[str, list[float]] = {name: [] for name in contestants}
    results: dict[str, Any] = {}
    for round_ in range(warmup + rounds):
        for name, run in contestants.items():
            start = clock()
            result = run()
            elapsed = clock() - start
            if name in results and result != results[name]:
                raise RuntimeError(
                    f"contestant {name!r} returned {result!r}, earlier {results[name]!r}"
                )
            results[name] = result
            if round_ >= warmup:
                samples[name].append(elapsed)
    return {name: Timing(tuple(values)) for name, values in samples.items()}, results


def _require_context(context: object) -> None:
    require_has("context", context, "Pool", example="e.g. multiprocessing.get_context('spawn')")


def fair_race(
    n: int,
    workers: int,
    context: BaseContext,
    repeat: int = 3,
    numpy: bool = False,
    watch: bool = False,
) -> RaceResult:
    """Race serial, ``workers`` threads and ``workers`` processes on the job over ``range(n)``.

    Fair means: the same total work for everybody (``range(n)`` split into ``workers`` equal
    chunks); the threads and processes are started and warmed up *before* the clock starts
    (start-up is a cost of its own, measured separately); the three contestants take turns
    for ``repeat`` rounds, so that a busy moment on the machine hurts all of them alike; and
    speed-ups are the median over the rounds (:meth:`RaceResult.speedup`). ``context`` is
    ``multiprocessing.get_context(...)``.
    ``watch=True`` also records how busy other programs kept the CPUs during each round
    (:func:`cpu_snapshot`), to tell a slow machine from a slow method.
    """
    require_int("n", n, minimum=1, maximum=MAX_N)
    require_workers("workers", workers)
    _require_context(context)
    require_int("repeat", repeat, minimum=1, maximum=MAX_REPEAT)
    require_bool("numpy", numpy)
    require_bool("watch", watch)
    serial_worker = numpy_sum_chunk if numpy else sum_chunk
    samples: dict[str, list[float]] = {"serial": [], "threads": [], "processes": []}
    others: dict[str, list[float]] = {name: [] for name in samples}
    totals: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=workers) as threads, context.Pool(workers) as processes:
        pids = warm_up(processes, workers)
        contestants: dict[str, Callable[[], int]] = {  # serial and processes run back to back
            "serial": lambda: serial_worker(0, n),
            "processes": lambda: parallel_sum(processes, n, workers, numpy),
            "threads": lambda: parallel_sum(threads, n, workers, numpy),
        }
        for round_ in range(repeat + 1):  # round 0 is the warm-up: its times are dropped
            for name, run in contestants.items():
                before = cpu_snapshot(pids) if watch else (0.0, 0.0)
                start = time.perf_counter()
                totals[name] = run()
                elapsed = time.perf_counter() - start
                if round_ > 0:
                    samples[name].append(elapsed)
                    if watch:
                        after = cpu_snapshot(pids)
                        theirs = (after[0] - before[0]) - (after[1] - before[1])
                        others[name].append(round(max(0.0, theirs) / elapsed, 3))
        processes.close()
        processes.join()
    return RaceResult(
        n=n,
        workers=workers,
        timings={name: Timing(tuple(values)) for name, values in samples.items()},
        totals=totals,
        others_busy={name: tuple(values) for name, values in others.items()} if watch else {},
    )


def cpu_snapshot(pids: Iterable[int] = ()) -> tuple[float, float]:
    """CPU-seconds used so far by all programs on the machine, and by this process and ``pids``.

    Take one snapshot before and one after a measurement: the difference of the first minus
    the difference of the second is what *other* programs used meanwhile. (Time the
    hypervisor gave to other virtual machines counts as theirs, where the system reports it as
    ``steal``.)

    >>> everybody, ours = cpu_snapshot()
    >>> everybody >= 0 and ours >= 0
    True
    """
    import psutil

    pids = require_items("pids", pids)  # type: ignore[assignment]
    for pid in pids:
        require_int("pids[...]", pid, minimum=0)
    times = psutil.cpu_times()
    busy_fields = ("user", "nice", "system", "irq", "softirq", "steal")  # Linux: guest is in user
    everybody = sum(getattr(times, name, 0.0) for name in busy_fields)
    ours = 0.0
    for pid in (os.getpid(), *pids):
        try:
            used = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        ours += used.user + used.system
    return everybody, ours


def warm_up(pool: Any, workers: int, timeout: float = 60.0) -> set[int]:
    """Wait until each of the pool's ``workers`` processes has started and run a task.

    Rounds of short tasks (:func:`pid_after`) go to the pool until ``workers`` different
    pids have answered; a process still starting up (under ``spawn`` it is importing
    modules) takes no task, so the rounds go on until it does. After this, timing the pool
    measures the work, not the start-up. Returns the workers' pids.
    """
    require_has("pool", pool, "map_async", example="a multiprocessing.Pool")
    return until_all_answered(
        workers,
        timeout,
        lambda left: pool.map_async(pid_after, [0.01] * (2 * workers), chunksize=1).get(
            timeout=left
        ),
    )


def until_all_answered(
    workers: int, timeout: float, ask_round: Callable[[float], Iterable[int]]
) -> set[int]:
    """Call ``ask_round(seconds_left)`` until ``workers`` different pids have answered.

    ``ask_round`` sends a round of :func:`pid_after` tasks to a pool of some kind and returns
    the pids that ran them, waiting at most ``seconds_left``. Raises ``TimeoutError`` after
    ``timeout`` seconds. The warm-ups of a ``Pool`` (:func:`warm_up`), an executor and joblib
    are this loop.

    >>> until_all_answered(1, 5.0, lambda left: [os.getpid()]) == {os.getpid()}
    True
    """
    require_workers("workers", workers)
    deadline = time.monotonic() + require_seconds("timeout", timeout)
    require_callable("ask_round", ask_round)
    seen: set[int] = set()
    while len(seen) < workers:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"only {len(seen)} of {workers} workers started in {timeout} s")
        seen.update(ask_round(left))
    return seen


def pid_after(seconds: float) -> int:
    """Sleep ``seconds``, then return this process's pid (a warm-up task for a pool).

    >>> pid_after(0) == os.getpid()
    True
    """
    time.sleep(require_number("seconds", seconds, minimum=0, maximum=MAX_SLEEP))
    return os.getpid()


def scaling(
    n: int, worker_counts: Sequence[int], context: BaseContext, repeat: int = 3
) -> dict[int, RaceResult]:
    """Race serial code against 1, 2, ... busy worker processes (``worker_counts``).

    One pool of ``max(worker_counts)`` processes is started and warmed up before the clock
    starts. With ``count`` workers, ``range(n)`` is cut into ``count`` equal chunks, so that
    exactly ``count`` of the pool's processes work. Each round (:func:`take_turns`) runs the
    serial job in this process, then the job with every count in turn: all speed-ups compare
    runs made under the same conditions. Returns ``{count: RaceResult}`` with contestants
    ``"serial"`` (the same runs for every count) and ``"processes"``;
    ``result.best_speedup("processes")`` is the speed-up with ``count`` workers.
    """
    require_int("n", n, minimum=1, maximum=MAX_N)
    if isinstance(worker_counts, str) or not isinstance(worker_counts, Iterable):
        raise TypeError(f"worker_counts must be a list of ints, e.g. [1, 2], got {worker_counts!r}")
    counts = list(worker_counts)
    if not counts:
        raise ValueError("worker_counts must hold at least one count")
    for count in counts:
        require_workers("worker_counts[...]", count)
    _require_context(context)
    require_int("repeat", repeat, minimum=1, maximum=MAX_REPEAT)
    with context.Pool(max(counts)) as pool:
        warm_up(pool, max(counts))
        contestants: dict[str, Callable[[], int]] = {"serial": lambda: sum_chunk(0, n)}
        for count in counts:
            contestants[str(count)] = lambda count=count: parallel_sum(pool, n, count)
        timings, totals = take_turns(contestants, rounds=repeat)
        pool.close()
        pool.join()
    return {
        count: RaceResult(
            n=n,
            workers=count,
            timings={"serial": timings["serial"], "processes": timings[str(count)]},
            totals={"serial": totals["serial"], "processes": totals[str(count)]},
        )
        for count in counts
    }


# --- waiting instead of computing ----------------------------------------------------------------


def io_race(tasks: int, threads: int, seconds: float, repeat: int = 3) -> tuple[Timing, Timing]:
    """Time ``tasks`` waits of ``seconds`` each: one after another, then in ``threads`` threads.

    The threads are started before the clock starts. Returns ``(serial, threaded)`` timings;
    ideally serial / threaded = ``min(tasks, threads)``.
    """
    require_int("tasks", tasks, minimum=1, maximum=10_000)
    require_workers("threads", threads)
    require_number("seconds", seconds, minimum=0, maximum=60)
    require_int("repeat", repeat, minimum=1, maximum=MAX_REPEAT)
    serial, threaded = [], []
    with ThreadPoolExecutor(max_workers=threads) as executor:
        list(executor.map(nap, [0.0] * threads * 2))  # start the threads
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(tasks):
                nap(seconds)
            serial.append(time.perf_counter() - start)
            start = time.perf_counter()
            list(executor.map(nap, [seconds] * tasks))
            threaded.append(time.perf_counter() - start)
    return Timing(tuple(serial)), Timing(tuple(threaded))


class _SlowReplyHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.recv(64)
        time.sleep(self.server.delay)  # type: ignore[attr-defined]
        self.request.sendall(b"pong")


class _SlowServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, delay: float) -> None:
        self.delay = delay
        super().__init__(("127.0.0.1", 0), _SlowReplyHandler)


@contextmanager
def slow_server(delay: float) -> Iterator[tuple[str, int]]:
    """Run a tiny TCP server on the loopback interface that answers each request after ``delay``.

    Yields its ``(host, port)`` address; the server stops when the ``with`` block ends. It
    plays a slow web service: a client's time goes into *waiting* for the answer.

    >>> with slow_server(0.0) as address:
    ...     ask(address)
    b'pong'
    """
    server = _SlowServer(require_number("delay", delay, minimum=0, maximum=MAX_SLEEP))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def ask(address: tuple[str, int], timeout: float = 10.0) -> bytes:
    """Send ``b"ping"`` to the server at ``address`` and return its answer (a client's request)."""
    if not isinstance(address, tuple) or len(address) != 2:
        raise TypeError(f"address must be a (host, port) tuple, got {address!r}")
    with socket.create_connection(
        address, timeout=require_seconds("timeout", timeout)
    ) as conn:
        conn.sendall(b"ping")
        return conn.recv(64)


# --- who ran what, when --------------------------------------------------------------------------


def busy_for(seconds: float) -> tuple[int, float, float]:
    """Keep a CPU busy for ``seconds`` of wall-clock time; return ``(pid, start, end)``.

    Times come from ``time.time()``, which all processes on a machine share, so the intervals
    of several workers can be drawn on one timeline.
    """
    seconds = require_number("seconds", seconds, minimum=0, maximum=MAX_SLEEP)
    start = time.time()
    while time.time() - start < seconds:
        pass
    return os.getpid(), start, time.time()


def timeline_rows(records: Iterable[tuple[int, float, float]]) -> dict[str, list[Interval]]:
    """Group ``(pid, start, end)`` records into ``{"worker 1": [(start, end), ...], ...}``.

    Workers are numbered in order of their pids (so the labels do not depend on which worker
    finished first) and times are made relative to the earliest start.

    >>> timeline_rows([(70, 10.0, 11.0), (50, 10.5, 12.0), (70, 11.0, 11.5)])
    {'worker 1': [(0.5, 2.0)], 'worker 2': [(0.0, 1.0), (1.0, 1.5)]}
    """
    records = require_items("records", records, size=3)  # type: ignore[assignment]
    if not records:
        return {}
    origin = min(start for _, start, _ in records)
    labels = {pid: f"worker {k}" for k, pid in enumerate(sorted({r[0] for r in records}), 1)}
    rows: dict[str, list[Interval]] = {label: [] for label in labels.values()}
    for pid, start, end in sorted(records, key=lambda r: r[1]):
        rows[labels[pid]].append((start - origin, end - origin))
    return rows


def makespan(records: Iterable[tuple[int, float, float]]) -> float:
    """Time from the first task's start to the last task's end, in seconds.

    >>> makespan([(1, 10.0, 11.0), (2, 10.5, 12.0)])
    2.0
    """
    records = require_items("records", records, size=3)  # type: ignore[assignment]
    if not records:
        return 0.0
    return max(end for _, _, end in records) - min(start for _, start, _ in records)

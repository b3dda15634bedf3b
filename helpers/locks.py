"""Locks for processes and threads: the workers and small tools of chapter 06.

A lock makes a *read-modify-write* atomic. ``counter.value += 1`` is three steps (read the
value, add one, write the result back); two processes that interleave between the read and
the write both write "old + 1", and one of the two updates is lost. Holding one lock, shared
by every process, around the three steps makes them happen as one.

Every function here that a child process or a thread runs takes its shared objects as
arguments, never prints, and reports through a return value or a queue. Nothing here waits
forever: every wait has a timeout.

>>> counter = Counter()
>>> increment(counter, 3)
>>> counter.value
3
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Protocol

from helpers._validate import (
    MAX_SLEEP,
    MAX_WORKERS,
    require_has,
    require_int,
    require_items,
    require_number,
    require_workers,
)
from helpers.timing import Timing, timed

Interval = tuple[float, float]

#: Seconds any worker waits at most for a barrier, an event or a queue before giving up.
WAIT_TIMEOUT = 30.0

#: The most steps :func:`add_steps` and the notes' jobs take (the notes take 5).
MAX_REPEATS = 10_000

#: The most increments per worker a race runs (the chapter uses tens of thousands; 10**8
#: already takes minutes in pure Python).
MAX_INCREMENTS = 10**8

#: The longest ``hold`` or ``timeout`` of the deadlock demo, in seconds: a worker that waits
#: longer for its second lock is not showing anything more, and a call must not hang for hours.
MAX_LOCK_WAIT = 10.0


class HasValue(Protocol):
    """Anything with a read-write ``value``: a ``Value``, a ``RawValue``, a :class:`Counter`."""

    value: Any


class Waitable(Protocol):
    """Anything with ``wait(timeout)``: a ``Barrier`` or an ``Event``."""

    def wait(self, timeout: float | None = ...) -> Any: ...


# --------------------------------------------------------------------------------------------
# Argument checks shared by the workers
# --------------------------------------------------------------------------------------------


def _require_counter(name: str, counter: object) -> None:
    if not hasattr(counter, "value"):
        raise TypeError(
            f"{name} must have a .value (a multiprocessing Value or RawValue, or a Counter), "
            f"got {type(counter).__name__}"
        )


def _require_lock(name: str, lock: object, *, optional: bool = False) -> None:
    if lock is None and optional:
        return
    if not (callable(getattr(lock, "acquire", None)) and callable(getattr(lock, "release", None))):
        raise TypeError(
            f"{name} must be a lock with acquire() and release() (e.g. multiprocessing.Lock()), "
            f"got {type(lock).__name__}"
        )


def _require_method(name: str, value: object, method: str, example: str) -> None:
    require_has(name, value, method, example=example)


def _held(lock: Any) -> contextlib.AbstractContextManager[Any]:
    """``lock`` itself as a context manager, or a do-nothing one for ``None``."""
    return contextlib.nullcontext() if lock is None else lock


# --------------------------------------------------------------------------------------------
# The notes' example: two workers add 1 and 3, five times each
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepTrace:
    """What one worker of the notes' example saw.

    ``values``: the shared value right after each of this worker's additions.
    ``intervals``: the wall-clock ``(start, end)`` of each step (the addition and its sleep).
    """

    step: int
    values: tuple[int, ...]
    intervals: tuple[Interval, ...]

    @property
    def contiguous(self) -> bool:
        """True if nobody else changed the value between two of this worker's additions.

        >>> StepTrace(3, (3, 6, 9), ()).contiguous, StepTrace(3, (3, 7, 10), ()).contiguous
        (True, False)
        """
        return all(after - before == self.step for before, after in pairwise(self.values))


def add_steps(
    counter: HasValue,
    step: int,
    repeats: int = 5,
    delay: float = 0.0,
    fail_after: int | None = None,
) -> StepTrace:
    """Add ``step`` to ``counter.value`` ``repeats`` times, sleeping ``delay`` s after each.

    Takes no lock: callers decide. ``fail_after=n`` raises ``RuntimeError`` right after the
    n-th addition, to show what an exception does to a lock that is held at that moment.

    >>> counter = Counter()
    >>> add_steps(counter, 3, repeats=2).values
    (3, 6)
    """
    _require_counter("counter", counter)
    require_int("step", step)
    require_int("repeats", repeats, minimum=0, maximum=MAX_REPEATS)
    require_number("delay", delay, minimum=0, maximum=MAX_SLEEP)
    if fail_after is not None:
        require_int("fail_after", fail_after, minimum=1)
    values: list[int] = []
    intervals: list[Interval] = []
    for done in range(1, repeats + 1):
        start = time.time()
        counter.value += step
        values.append(counter.value)
        if fail_after == done:
            raise RuntimeError(f"simulated failure after {done} step(s), while adding {step}")
        time.sleep(delay)
        intervals.append((start, time.time()))
    return StepTrace(step, tuple(values), tuple(intervals))


def _check_job_arguments(
    counter: object, step: object, lock: object, repeats: object, fail_after: object
) -> None:
    # Check everything before taking the lock: a bad argument must not leave the lock taken.
    _require_counter("counter", counter)
    require_int("step", step)
    _require_lock("lock", lock)
    require_int("repeats", repeats, minimum=0, maximum=MAX_REPEATS)
    if fail_after is not None:
        require_int("fail_after", fail_after, minimum=1)


def notes_job(
    counter: HasValue, step: int, lock: Any, repeats: int = 5, fail_after: int | None = None
) -> StepTrace:
    """The notes' pattern, kept to show its flaw: ``lock.acquire()`` ... ``lock.release()``.

    If anything between the two calls raises, ``release()`` never runs and the lock stays
    taken. Compare :func:`guarded_job`.
    """
    _check_job_arguments(counter, step, lock, repeats, fail_after)
    lock.acquire()
    trace = add_steps(counter, step, repeats, fail_after=fail_after)
    lock.release()
    return trace


def guarded_job(
    counter: HasValue, step: int, lock: Any, repeats: int = 5, fail_after: int | None = None
) -> StepTrace:
    """The same job written with ``with lock:``: the lock is released even on an exception."""
    _check_job_arguments(counter, step, lock, repeats, fail_after)
    with lock:
        return add_steps(counter, step, repeats, fail_after=fail_after)


def add_in_turns(
    counter: HasValue,
    step: int,
    lock: Any,
    results: Any,
    repeats: int = 5,
    delay: float = 0.1,
) -> None:
    """Process target for the notes' example: hold ``lock`` for all ``repeats`` additions.

    Puts a :class:`StepTrace` on the queue ``results`` instead of printing. ``lock=None``
    runs the same steps without a lock.
    """
    _require_counter("counter", counter)
    require_int("step", step)
    require_int("repeats", repeats, minimum=0, maximum=MAX_REPEATS)
    require_number("delay", delay, minimum=0, maximum=MAX_SLEEP)
    _require_lock("lock", lock, optional=True)
    _require_method("results", results, "put", "e.g. a multiprocessing.Queue()")
    with _held(lock):
        trace = add_steps(counter, step, repeats, delay)
    results.put(trace)


# --------------------------------------------------------------------------------------------
# Races on a shared counter
# --------------------------------------------------------------------------------------------


class Counter:
    """A plain object with a ``value``: the shared counter of the thread examples.

    >>> Counter(5).value
    5
    """

    def __init__(self, value: int = 0) -> None:
        self.value = require_int("value", value)

    def __repr__(self) -> str:
        return f"Counter({self.value})"


def _add_ones(counter: HasValue, increments: int, lock: Any, batch: int) -> None:
    if lock is None:
        for _ in range(increments):
            counter.value += 1
        return
    if batch == 1:  # the common case, without the batching arithmetic
        for _ in range(increments):
            with lock:
                counter.value += 1
        return
    done = 0
    while done < increments:
        size = min(batch, increments - done)
        with lock:
            for _ in range(size):
                counter.value += 1
        done += size


def increment(
    counter: HasValue,
    increments: int,
    lock: Any = None,
    start: Waitable | None = None,
    batch: int = 1,
) -> None:
    """Do ``counter.value += 1`` ``increments`` times (a process or thread target).

    With a ``lock``, hold it around each batch of ``batch`` increments (default: around each
    one). With ``start`` (a ``Barrier`` or an ``Event``), wait for it first, so that several
    workers begin at the same moment.

    >>> counter = Counter()
    >>> increment(counter, 10, lock=threading.Lock(), batch=4)
    >>> counter.value
    10
    """
    _require_counter("counter", counter)
    require_int("increments", increments, minimum=0, maximum=MAX_INCREMENTS)
    _require_lock("lock", lock, optional=True)
    require_int("batch", batch, minimum=1)
    if start is not None:
        _require_method("start", start, "wait", "e.g. a multiprocessing.Barrier or Event")
        start.wait(WAIT_TIMEOUT)
    _add_ones(counter, increments, lock, batch)


def _batch_sizes(batch: int | Sequence[int], rounds: int) -> list[int]:
    """One batch size per round: ``batch`` itself if it is a sequence, else ``batch`` repeated."""
    if isinstance(batch, Sequence) and not isinstance(batch, str):
        if len(batch) != rounds:
            raise ValueError(f"need one batch size per round: {rounds} rounds, {len(batch)} sizes")
        return [require_int(f"batch[{index}]", size, minimum=1) for index, size in enumerate(batch)]
    return [require_int("batch", batch, minimum=1)] * rounds


def increment_in_rounds(
    worker: int,
    counters: Sequence[HasValue],
    locks: Sequence[Any],
    increments: int,
    barrier: Any,
    results: Any,
    batch: int | Sequence[int] = 1,
) -> None:
    """Process target for repeated races: one round per counter in ``counters``.

    In round ``r`` every worker waits at ``barrier`` (so that all start together), then adds
    1 to ``counters[r]`` ``increments`` times, holding ``locks[r]`` (if not ``None``) around
    each batch of ``batch`` increments (or of ``batch[r]``, if ``batch`` holds one size per
    round). At the end it puts ``(worker, intervals)`` on ``results``: the wall-clock
    ``(start, end)`` of each of its rounds. A broken barrier ends the rounds early (the report
    is then short).
    """
    require_int("worker", worker, minimum=0)
    counters = require_items("counters", counters)  # type: ignore[assignment]
    locks = require_items("locks", locks)  # type: ignore[assignment]
    if len(locks) != len(counters):
        raise ValueError(f"need one lock (or None) per counter: {len(counters)} counters, "
                         f"{len(locks)} locks")
    for index, (counter, lock) in enumerate(zip(counters, locks, strict=True)):
        _require_counter(f"counters[{index}]", counter)
        _require_lock(f"locks[{index}]", lock, optional=True)
    require_int("increments", increments, minimum=0, maximum=MAX_INCREMENTS)
    _require_method("barrier", barrier, "wait", "a multiprocessing.Barrier")
    _require_method("results", results, "put", "e.g. a multiprocessing.Queue()")
    sizes = _batch_sizes(batch, len(counters))
    intervals: list[Interval] = []
    try:
        for counter, lock, size in zip(counters, locks, sizes, strict=True):
            barrier.wait(WAIT_TIMEOUT)
            start = time.time()
            _add_ones(counter, increments, lock, size)
            intervals.append((start, time.time()))
    except threading.BrokenBarrierError:
        pass  # a partner never arrived: report the rounds done so far
    results.put((worker, intervals))


@dataclass(frozen=True)
class RoundResult:
    """One race: what the counter should read, what it read, and how long the round took."""

    expected: int
    final: int
    seconds: float

    @property
    def lost(self) -> int:
        """How many increments were lost (overwritten by another worker)."""
        return self.expected - self.final


#: The most rounds :func:`run_rounds` runs (the chapter uses 10 to 20).
MAX_ROUNDS = 1_000

#: The shared counters :func:`run_rounds` can race on, and the lock each worker holds.
VARIANTS = (
    "RawValue, no lock",
    "Value, no extra lock",
    "Value, with get_lock()",
    "RawValue, with Lock()",
)


def _make_counters(variant: str, rounds: int) -> tuple[list[Any], list[Any]]:
    if variant == "RawValue, no lock":
        return [mp.RawValue("i", 0) for _ in range(rounds)], [None] * rounds
    if variant == "Value, no extra lock":
        # Each Value has its own lock, but it guards each read and each write separately.
        return [mp.Value("i", 0) for _ in range(rounds)], [None] * rounds
    if variant == "Value, with get_lock()":
        counters = [mp.Value("i", 0) for _ in range(rounds)]
        return counters, [counter.get_lock() for counter in counters]
    if variant == "RawValue, with Lock()":
        return [mp.RawValue("i", 0) for _ in range(rounds)], [mp.Lock()] * rounds
    raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")


def run_rounds(
    variant: str,
    workers: int = 2,
    increments: int = 20_000,
    rounds: int = 10,
    batch: int | Sequence[int] = 1,
) -> list[RoundResult]:
    """Race ``workers`` processes on a shared counter, ``rounds`` times; one result per round.

    ``variant`` (one of :data:`VARIANTS`) picks the kind of counter and the lock. The
    processes start once and run every round (see :func:`increment_in_rounds`), each round on
    a fresh counter. A round's time runs from the first worker's start to the last one's end.
    ``batch`` is the number of increments per lock acquisition, or a list of one such number
    per round (to compare batch sizes in interleaved rounds, so that a slow moment of the
    machine does not fall on one batch size only).
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    require_workers("workers", workers)
    require_int("increments", increments, minimum=0, maximum=MAX_INCREMENTS)
    require_int("rounds", rounds, minimum=1, maximum=MAX_ROUNDS)
    sizes = _batch_sizes(batch, rounds)
    counters, locks = _make_counters(variant, rounds)
    barrier = mp.Barrier(workers)
    results = mp.Queue()
    processes = [
        mp.Process(
            target=increment_in_rounds,
            args=(n, counters, locks, increments, barrier, results, sizes),
            name=f"racer-{n}",
        )
        for n in range(workers)
    ]
    finished = False
    try:
        for process in processes:
            process.start()
        reports = dict(results.get(timeout=WAIT_TIMEOUT) for _ in processes)
        finished = True
    finally:  # after an error or an interrupt, stop the workers at once
        _end_all(processes, WAIT_TIMEOUT if finished else 0.0)
    if any(len(intervals) != rounds for intervals in reports.values()):
        raise RuntimeError("a worker did not finish every round (a barrier timed out)")
    outcome = []
    for r, counter in enumerate(counters):
        starts = [reports[n][r][0] for n in reports]
        ends = [reports[n][r][1] for n in reports]
        outcome.append(RoundResult(workers * increments, counter.value, max(ends) - min(starts)))
    return outcome


def _end_all(processes: Sequence[Any], grace: float = WAIT_TIMEOUT) -> None:
    """Join every started process within ``grace`` seconds in all; terminate those still alive.

    Runs in a ``finally``: after an error, a time-out or a KeyboardInterrupt (Ctrl-C, the
    notebook's "interrupt") no worker outlives the call.
    """
    deadline = time.monotonic() + grace
    started = [process for process in processes if getattr(process, "_popen", None) is not None]
    try:
        for process in started:
            process.join(max(0.0, deadline - time.monotonic()))
    finally:
        for process in started:
            if process.is_alive():
                process.terminate()
        for process in started:
            process.join(5.0)
            if process.is_alive():  # pragma: no cover (terminate() did not work)
                process.kill()
                process.join(5.0)


def time_increments(
    setups: Mapping[str, tuple[HasValue, Any]], increments: int = 10_000, rounds: int = 7
) -> dict[str, Timing]:
    """Time ``increment(counter, increments, lock)`` in this process for each setup.

    ``setups`` maps a name to a ``(counter, lock)`` pair (``lock`` may be ``None``). Each
    round times every setup once, in turn, after one untimed warm-up call each: a slow moment
    of a busy machine then slows one round of every setup, not every round of one setup, and
    the best round of each setup is a fair figure. Returns, per setup, the seconds **per
    increment** of every round (a :class:`~helpers.timing.Timing`; read its ``best``).

    >>> timings = time_increments({"plain": (Counter(), None)}, increments=100, rounds=2)
    >>> len(timings["plain"].samples)
    2
    """
    if not isinstance(setups, Mapping) or not setups:
        raise TypeError("setups must be a non-empty dict of name -> (counter, lock)")
    for name, pair in setups.items():
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"setups[{name!r}] must be a (counter, lock) pair, got {pair!r}")
        _require_counter(f"setups[{name!r}][0]", pair[0])
        _require_lock(f"setups[{name!r}][1]", pair[1], optional=True)
    require_int("increments", increments, minimum=1, maximum=MAX_INCREMENTS)
    require_int("rounds", rounds, minimum=1, maximum=MAX_ROUNDS)
    for counter, lock in setups.values():
        increment(counter, increments, lock)  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in setups}
    for _ in range(rounds):
        for name, (counter, lock) in setups.items():
            _, seconds = timed(increment, counter, increments, lock)
            samples[name].append(seconds / increments)
    return {name: Timing(tuple(values)) for name, values in samples.items()}


# --------------------------------------------------------------------------------------------
# Deadlock: two locks taken in opposite orders
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockReport:
    """What a worker of the deadlock demo managed: ``got_both`` is False if it gave up."""

    worker: str
    order: tuple[str, ...]
    got_both: bool


def take_two_locks(
    worker: str,
    locks: Mapping[str, Any],
    order: Sequence[str],
    results: Any,
    hold: float = 0.05,
    timeout: float = 0.5,
    both_holding: Any = None,
    start: Any = None,
) -> None:
    """Take ``locks[order[0]]``, then try ``locks[order[1]]`` for at most ``timeout`` seconds.

    With ``start`` (a ``Barrier``), first wait until every worker is ready, so that all begin
    together. Between the two locks, sleep ``hold`` seconds, or, if ``both_holding`` (a
    ``Barrier``) is given, wait until every worker holds its first lock; nobody then lets go of
    its first lock before every worker has tried its second one, so opposite orders *always*
    deadlock (use ``both_holding`` only with such orders). Puts a :class:`LockReport` on
    ``results``: a worker that times out reports instead of hanging.
    """
    if not isinstance(worker, str):
        raise TypeError(f"worker must be a str (a name for reports), got {type(worker).__name__}")
    if not isinstance(locks, Mapping):
        raise TypeError(f"locks must be a dict of name -> lock, got {type(locks).__name__}")
    if isinstance(order, str) or not isinstance(order, Sequence) or len(order) != 2:
        raise ValueError(f"order must be two lock names, e.g. ('A', 'B'), got {order!r}")
    for name in order:
        if name not in locks:
            raise ValueError(f"order names lock {name!r}, but locks has only {sorted(locks)}")
        _require_lock(f"locks[{name!r}]", locks[name])
    if order[0] == order[1]:
        raise ValueError(f"order must name two different locks, got {order!r}")
    _require_method("results", results, "put", "e.g. a multiprocessing.Queue()")
    require_number("hold", hold, minimum=0, maximum=MAX_LOCK_WAIT)
    require_number("timeout", timeout, minimum=0, maximum=MAX_LOCK_WAIT)
    if start is not None:
        _require_method("start", start, "wait", "a multiprocessing.Barrier")
    if both_holding is not None:
        _require_method("both_holding", both_holding, "wait", "a multiprocessing.Barrier")
    first, second = locks[order[0]], locks[order[1]]
    got_both = False
    try:
        if start is not None:
            start.wait(WAIT_TIMEOUT)
        with first:
            if both_holding is None:
                time.sleep(hold)
            else:
                both_holding.wait(WAIT_TIMEOUT)
            got_both = second.acquire(timeout=timeout)
            if got_both:
                second.release()
            if both_holding is not None:
                both_holding.wait(WAIT_TIMEOUT)
    except threading.BrokenBarrierError:
        pass  # a partner never arrived: report failure rather than crash
    results.put(LockReport(worker, tuple(order), got_both))


def _require_orders(orders: object) -> dict[str, tuple[str, str]]:
    if not isinstance(orders, Mapping):
        raise TypeError(
            "orders must be a dict of worker name -> lock order, e.g. {'w1': ('A', 'B')}, "
            f"got {type(orders).__name__} {orders!r}"[:200]
        )
    if not orders:
        raise TypeError("orders must be a non-empty dict of worker name -> lock order")
    if len(orders) > MAX_WORKERS:
        raise ValueError(f"orders must name at most {MAX_WORKERS} workers, got {len(orders)}")
    checked: dict[str, tuple[str, str]] = {}
    for worker, order in orders.items():
        if not isinstance(worker, str):
            raise TypeError(f"orders' keys must be worker names (str), got {worker!r}")
        if isinstance(order, str) or not isinstance(order, Sequence):
            raise TypeError(
                f"orders[{worker!r}] must be two lock names, e.g. ('A', 'B'), got {order!r}"
            )
        if len(order) != 2 or not all(isinstance(name, str) for name in order):
            raise ValueError(
                f"orders[{worker!r}] must be two lock names (str), e.g. ('A', 'B'), got {order!r}"
            )
        if order[0] == order[1]:
            raise ValueError(f"orders[{worker!r}] must be two different lock names, got {order!r}")
        checked[worker] = (order[0], order[1])
    return checked


def run_lock_workers(
    orders: Mapping[str, Sequence[str]],
    hold: float = 0.05,
    timeout: float = 0.5,
    synchronised: bool = False,
) -> list[LockReport]:
    """Run one :func:`take_two_locks` process per entry of ``orders`` (worker -> lock order).

    One lock is made per name used. The workers start together (a start barrier). With
    ``synchronised=True`` they also wait for each other while holding their first lock, which
    makes opposite orders deadlock every time (use it only for such orders). Returns the
    reports sorted by worker name. Every argument is checked before any process starts;
    ``hold`` and ``timeout`` are at most :data:`MAX_LOCK_WAIT` seconds. Every process is
    joined, and any still running when the call ends (an error, an interrupt) is terminated.
    """
    orders = _require_orders(orders)
    require_number("hold", hold, minimum=0, maximum=MAX_LOCK_WAIT)
    require_number("timeout", timeout, minimum=0, maximum=MAX_LOCK_WAIT)
    if not isinstance(synchronised, bool):
        raise TypeError(f"synchronised must be True or False, got {synchronised!r}")
    names = sorted({name for order in orders.values() for name in order})
    locks = {name: mp.Lock() for name in names}
    results = mp.Queue()
    start = mp.Barrier(len(orders))
    both_holding = mp.Barrier(len(orders)) if synchronised else None
    processes = [
        mp.Process(
            target=take_two_locks,
            args=(worker, locks, tuple(order), results, hold, timeout, both_holding, start),
        )
        for worker, order in orders.items()
    ]
    # Each worker is done within the start barrier's wait, hold (or the second barrier's wait)
    # and timeout; past that it is stuck, and it is terminated.
    patience = 3 * WAIT_TIMEOUT + hold + timeout
    finished = False
    try:
        for process in processes:
            process.start()
        deadline = time.monotonic() + patience
        reports = [
            results.get(timeout=max(0.1, deadline - time.monotonic())) for _ in processes
        ]
        finished = True
    finally:  # after an error or an interrupt, stop the workers at once
        _end_all(processes, WAIT_TIMEOUT if finished else 0.0)
    return sorted(reports, key=lambda report: report.worker)


# --------------------------------------------------------------------------------------------
# Semaphore and Event
# --------------------------------------------------------------------------------------------


def use_a_slot(
    worker: int, slots: Any, ready: Any, results: Any, hold: float = 0.1, wait: float = WAIT_TIMEOUT
) -> None:
    """Wait at the barrier ``ready``, then hold one of the semaphore's ``slots`` for ``hold`` s.

    The barrier makes all workers ask for a slot at the same moment. Puts
    ``(worker, (start, end))`` on ``results``, the wall-clock interval it held a slot, or
    ``(worker, None)`` if the barrier broke or did not fill within ``wait`` seconds.
    """
    require_int("worker", worker, minimum=0)
    _require_lock("slots", slots)
    _require_method("ready", ready, "wait", "e.g. a multiprocessing.Barrier")
    _require_method("results", results, "put", "e.g. a multiprocessing.Queue()")
    require_number("hold", hold, minimum=0, maximum=MAX_SLEEP)
    require_number("wait", wait, minimum=0, maximum=MAX_SLEEP)
    try:
        ready.wait(wait)
    except threading.BrokenBarrierError:
        results.put((worker, None))
        return
    with slots:
        start = time.time()
        time.sleep(hold)
        end = time.time()
    results.put((worker, (start, end)))


def count_until_stopped(
    stop: Any, results: Any, tick: float = 0.01, wait: float = WAIT_TIMEOUT
) -> None:
    """Count ticks of ``tick`` seconds until the event ``stop`` is set; then report and return.

    The polite way to end a worker (compare ``terminate()``). Puts ``(ticks, stopped)`` on
    ``results``; ``stopped`` is False if ``wait`` seconds passed without the signal.

    >>> import queue
    >>> stop, results = threading.Event(), queue.Queue()
    >>> stop.set()
    >>> count_until_stopped(stop, results)
    >>> results.get_nowait()
    (0, True)
    """
    _require_method("stop", stop, "wait", "e.g. a multiprocessing.Event()")
    _require_method("results", results, "put", "e.g. a multiprocessing.Queue()")
    require_number("tick", tick, minimum=0, maximum=MAX_SLEEP)
    require_number("wait", wait, minimum=0, maximum=MAX_SLEEP)
    deadline = time.monotonic() + wait
    ticks = 0  # ticks that passed without the signal: at least 1 if it never came
    stopped = stop.wait(tick) if tick > 0 else stop.is_set()
    while not stopped:
        ticks += 1
        if time.monotonic() >= deadline:
            break
        stopped = stop.wait(tick)
    results.put((ticks, bool(stopped)))


def max_overlap(intervals: Sequence[Interval]) -> int:
    """The largest number of ``(start, end)`` intervals that cover one moment.

    Intervals that only touch (one ends when the next starts) do not overlap.

    >>> max_overlap([(0, 2), (1, 3), (2, 4)])
    2
    >>> max_overlap([])
    0
    """
    intervals = require_items("intervals", intervals, size=2)  # type: ignore[assignment]
    events = sorted([(end, -1) for _, end in intervals] + [(start, 1) for start, _ in intervals])
    active = highest = 0
    for _, change in events:
        active += change
        highest = max(highest, active)
    return highest


# --------------------------------------------------------------------------------------------
# Threads
# --------------------------------------------------------------------------------------------


def widened_increment(counter: HasValue, increments: int, lock: Any = None) -> None:
    """Thread target: ``counter.value += 1`` spelled out as read, pause, write.

    ``time.sleep(0)`` between the read and the write lets another thread run at exactly the
    worst moment, which a plain ``+=`` only rarely does on CPython 3.11. With ``lock`` the
    three steps are held together.

    >>> counter = Counter()
    >>> widened_increment(counter, 3, lock=threading.Lock())
    >>> counter.value
    3
    """
    _require_counter("counter", counter)
    require_int("increments", increments, minimum=0, maximum=MAX_INCREMENTS)
    _require_lock("lock", lock, optional=True)
    for _ in range(increments):
        with _held(lock):
            seen = counter.value  # read
            time.sleep(0)  # give another thread the chance to run
            counter.value = seen + 1  # write


def run_threads(
    target: Callable[..., None], counter: HasValue, workers: int, increments: int, lock: Any = None
) -> int:
    """Run ``target(counter, increments, lock)`` in ``workers`` threads; return the lost updates.

    >>> run_threads(increment, Counter(), workers=2, increments=100, lock=threading.Lock())
    0
    """
    if not callable(target):
        raise TypeError(f"target must be callable, got {type(target).__name__}")
    _require_counter("counter", counter)
    require_workers("workers", workers)
    require_int("increments", increments, minimum=0, maximum=MAX_INCREMENTS)
    _require_lock("lock", lock, optional=True)
    before = counter.value
    threads = [
        threading.Thread(target=target, args=(counter, increments, lock)) for _ in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_TIMEOUT)
    return before + workers * increments - counter.value

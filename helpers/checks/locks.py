"""Checks for the exercises of chapter 06 (locks).

Exercise 1 is about a *mechanism*: four processes that share **one** lock, all running at the
same time. A final count cannot show that (four processes started and joined one at a time
lose nothing even without a lock, and four separate locks often get lucky), so the learner
writes a function ``run_four(counter)`` and :func:`check_no_lost_updates` calls it with a
fresh counter while it records every process started and joined
(:mod:`helpers.checks.recording`): which target, which counter and which lock each process
received, in what order they were started and joined, and how they ended.

Exercise 2 is about lock *orders*: :func:`check_lock_orders` looks for a circle in the
learner's orders before it looks at the reports of the run.

Every verdict carries a hint id (``"separate-locks"``, ``"one-at-a-time"``, ``"circle"``, ...);
see the two functions for the full lists.
"""

from __future__ import annotations

import functools
import inspect
import multiprocessing as mp
import multiprocessing.managers as mp_managers
import multiprocessing.synchronize as mp_sync
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helpers.checks import Verdict, correct, not_yet
from helpers.checks.recording import (
    CALLER_THREAD,
    WorkerEvent,
    WorkerLog,
    call_with_timeout,
    children_now,
    recorded_workers,
    require_timeout,
    stop_children_until_ended,
)
from helpers.locks import LockReport, increment

# --------------------------------------------------------------------------------------------
# Exercise 1: four processes, one lock, no lost update
# --------------------------------------------------------------------------------------------

#: Exercise 1: how many processes, and how many increments each.
EXERCISE_WORKERS = 4
EXERCISE_INCREMENTS = 5_000

#: Seconds the check waits for ``run_four`` (a right answer needs well under one).
CHECK_TIMEOUT = 20.0

#: Locks that work between processes: a multiprocessing lock, or a Manager's lock proxy.
_PROCESS_LOCK_TYPES: tuple[type, ...] = (mp_sync.Lock, mp_sync.RLock, mp_managers.AcquirerProxy)
#: Locks that live in one process only.
_THREAD_LOCK_TYPES: tuple[type, ...] = tuple(
    kind
    for kind in (
        type(threading.Lock()),
        type(threading.RLock()),
        getattr(threading, "_PyRLock", None),  # the pure-Python RLock, where there is one
        threading.Semaphore,
        threading.Condition,
    )
    if isinstance(kind, type)
)
_SIGNATURE = inspect.signature(increment)


@dataclass(frozen=True)
class _Call:
    """One process (or thread) the learner started, and what it was asked to run."""

    event: WorkerEvent
    function: Any  # the target, looked through functools.partial
    arguments: dict[str, Any] | None  # increment's arguments by name; None if not increment

    @property
    def worker(self) -> Any:
        return self.event.worker

    @property
    def lock(self) -> Any:
        return None if self.arguments is None else self.arguments["lock"]


def _call_of(event: WorkerEvent) -> _Call:
    function, args, kwargs = event.target, tuple(event.args), dict(event.kwargs)
    while isinstance(function, functools.partial):
        args = tuple(function.args) + args
        kwargs = {**function.keywords, **kwargs}
        function = function.func
    arguments = None
    if function is increment:
        try:
            bound = _SIGNATURE.bind(*args, **kwargs)
        except TypeError:
            arguments = None
        else:
            bound.apply_defaults()
            arguments = dict(bound.arguments)
    return _Call(event, function, arguments)


def _is_internal(event: WorkerEvent) -> bool:
    """A worker that multiprocessing starts for itself (a Manager's server, a Queue's feeder)."""
    if event.kind == "thread" and getattr(event.worker, "name", "") == CALLER_THREAD:
        return True
    function = event.target
    while isinstance(function, functools.partial):
        function = function.func
    module = getattr(function, "__module__", "") or ""
    return module == "multiprocessing" or module.startswith("multiprocessing.")


def _held_in_this_process(lock: Any) -> bool:
    """True if a thread of this process holds ``lock`` (a multiprocessing Lock or RLock)."""
    semlock = getattr(lock, "_semlock", None)
    count = getattr(semlock, "_count", None)
    try:
        return callable(count) and count() > 0
    except Exception:  # pragma: no cover (a lock we cannot inspect)
        return False


@dataclass(frozen=True)
class _Ended:
    """How a started process stood when ``run_four`` returned."""

    joined: bool  # the learner called join() on it
    running: bool  # still running (a join with a timeout gave up, or no join at all)
    exitcode: int | None


def _how_it_ended(log: WorkerLog, worker: Any) -> _Ended:
    joined = any(event.action == "join" for event in log.events_of([worker]))
    exitcode = worker.exitcode if getattr(worker, "_popen", None) is not None else None
    return _Ended(joined=joined, running=exitcode is None, exitcode=exitcode)


def check_no_lost_updates(
    run_four: Callable[[Any], Any],
    timeout: float = CHECK_TIMEOUT,
) -> Verdict:
    """Exercise 1: ``run_four(counter)`` starts four processes of
    ``increment(counter, 5_000, lock)`` that share one lock, starts them all before joining
    any, and joins them all.

    The check calls ``run_four`` with a fresh ``mp.Value("i", 0)`` and records every process
    it starts and joins (its return value is not used); a call that has not returned after
    ``timeout`` seconds is stopped, with every process it started. Hint ids: ``ok``,
    ``wrong-type``, ``parent-holds-lock``, ``hangs``, ``thread-lock``, ``error``, ``threads``,
    ``work-in-parent``, ``not-started``, ``wrong-target``, ``wrong-args``, ``other-counter``,
    ``fewer-workers``, ``more-workers``, ``wrong-increments``, ``no-lock``, ``not-a-lock``,
    ``separate-locks``, ``one-at-a-time``, ``not-joined``, ``worker-failed``,
    ``lost-updates``.
    """
    if not callable(run_four):
        return not_yet(
            f"pass the function itself, check_no_lost_updates(run_four), not a "
            f"{type(run_four).__name__}",
            "wrong-type",
        )
    require_timeout("timeout", timeout)
    counter = mp.Value("i", 0)
    before = children_now()
    with recorded_workers() as log:
        outcome = call_with_timeout(run_four, (counter,), timeout)
    events = [event for event in log.started() if not _is_internal(event)]
    calls = [_call_of(event) for event in events]
    processes = [call for call in calls if call.event.kind == "process"]
    threads = [call for call in calls if call.event.kind == "thread"]
    ended = {id(call.worker): _how_it_ended(log, call.worker) for call in processes}
    final = counter.get_obj().value  # not counter.value: the learner's code may hold its lock
    lock_held_here = not outcome.finished and any(
        _held_in_this_process(call.lock) for call in processes
    )
    # The learner's call may be stuck (joining processes that wait for a lock the parent
    # holds): with its processes stopped it can usually end.
    stop_children_until_ended(before, outcome.thread)
    return _judge(outcome, log, processes, threads, ended, final, lock_held_here, counter,
                  timeout)


def _judge(
    outcome: Any,
    log: WorkerLog,
    processes: list[_Call],
    threads: list[_Call],
    ended: dict[int, _Ended],
    final: int,
    lock_held_here: bool,
    counter: Any,
    timeout: float,
) -> Verdict:
    workers, increments = EXERCISE_WORKERS, EXERCISE_INCREMENTS
    expected = workers * increments
    if not outcome.finished:
        if lock_held_here:
            return not_yet(
                f"run_four did not finish within {timeout:g} s: the parent holds the lock while "
                "it waits for the processes, and they wait for that same lock. Do not take the "
                "lock in run_four at all: increment takes it, in each process, around each +=. "
                "(The check has stopped those processes.)",
                "parent-holds-lock",
            )
        return not_yet(
            f"run_four did not finish within {timeout:g} s (the check has stopped the "
            "processes it started). Is it waiting for something that never happens?",
            "hangs",
        )
    if any(isinstance(call.lock, _THREAD_LOCK_TYPES) for call in processes):
        return not_yet(
            "a threading.Lock works only between the threads of one process. Under spawn and "
            "forkserver it cannot even be sent to a process (TypeError: cannot pickle); under "
            "fork every process gets its own copy, which excludes nobody. Use "
            "multiprocessing.Lock() or counter.get_lock().",
            "thread-lock",
        )
    if outcome.error is not None:
        error = outcome.error
        return not_yet(
            f"run_four(counter) raised {type(error).__name__}: {error}",
            "error",
        )
    if not processes:
        if threads:
            return not_yet(
                "run_four started threads: the exercise is about processes. Use "
                "mp.Process(target=increment, args=(counter, 5_000, lock)).",
                "threads",
            )
        if final != 0:
            return not_yet(
                f"the counter reads {final:,}, but run_four started no process: the parent did "
                "the work. Start four processes and let each of them run increment.",
                "work-in-parent",
            )
        return not_yet(
            f"run_four started no process: create {workers} "
            "mp.Process(target=increment, args=(counter, 5_000, lock)), start them all, then "
            "join them all.",
            "not-started",
        )
    for number, call in enumerate(processes, 1):
        if call.function is not increment:
            if call.function is None and final != 0:
                return not_yet(
                    "target=increment(...) calls increment right here, in the parent, and gives "
                    "the process nothing to run. Pass the function itself and its arguments "
                    "separately: mp.Process(target=increment, args=(counter, 5_000, lock)).",
                    "work-in-parent",
                )
            name = getattr(call.function, "__name__", repr(call.function))
            return not_yet(
                f"process {number} runs {name}, not increment: use target=increment",
                "wrong-target",
            )
        if call.arguments is None:
            return not_yet(
                f"process {number} was given arguments that increment does not accept: "
                "args=(counter, 5_000, lock)",
                "wrong-args",
            )
    if any(call.arguments["counter"] is not counter for call in processes):
        return not_yet(
            "the processes must add to the counter that run_four receives (its parameter), "
            "not to a counter of their own",
            "other-counter",
        )
    own_work = sum(call.arguments["increments"] for call in processes)
    if final > own_work:
        return not_yet(
            f"the counter reads {final:,}, more than the processes' own {own_work:,} "
            "increments: the parent added to it too. Only the processes should count.",
            "work-in-parent",
        )
    if len(processes) < workers:
        return not_yet(
            f"run_four started {len(processes)} process(es); the exercise asks for {workers}",
            "fewer-workers",
        )
    if len(processes) > workers:
        return not_yet(
            f"run_four started {len(processes)} processes; the exercise asks for {workers}",
            "more-workers",
        )
    if any(call.arguments["increments"] != increments for call in processes):
        given = sorted({repr(call.arguments["increments"]) for call in processes})
        return not_yet(
            f"give every process increments=5_000 (found {', '.join(given)})",
            "wrong-increments",
        )
    locks = [call.lock for call in processes]
    if any(lock is None for lock in locks):
        missing = sum(lock is None for lock in locks)
        return not_yet(
            f"{missing} of {workers} processes got no lock (lock=None), so nothing stops "
            "two of them from interleaving their read-modify-writes. Create one lock and pass "
            "it to every process: args=(counter, 5_000, lock).",
            "no-lock",
        )
    odd = [lock for lock in locks if not isinstance(lock, _PROCESS_LOCK_TYPES)]
    if odd:
        kind = type(odd[0]).__name__
        return not_yet(
            f"the processes got a {kind}; use a lock made for processes: "
            "multiprocessing.Lock() or counter.get_lock()",
            "not-a-lock",
        )
    distinct = len({id(lock) for lock in locks})
    if distinct > 1:
        return not_yet(
            f"the {workers} processes got {distinct} different locks. A lock excludes only "
            "those who take the same lock: create one lock before the list (or use "
            "counter.get_lock()) and pass that one to every process.",
            "separate-locks",
        )
    workers_started = [call.worker for call in processes]
    late = log.first_join_before_a_start(workers_started)
    if late is not None:
        return not_yet(
            "a process was started only after another was joined, so they ran one at a time "
            "(and one at a time nothing is lost, even without a lock). Start all four first, "
            "then join all four.",
            "one-at-a-time",
        )
    for number, call in enumerate(processes, 1):
        state = ended[id(call.worker)]
        if not state.joined:
            return not_yet(
                f"process {number} was never joined: after starting all four, call "
                "worker.join(timeout=30) on each",
                "not-joined",
            )
        if state.running:
            return not_yet(
                f"process {number} was still running when run_four returned: its join gave up "
                "(was it waiting for a lock the parent held?). Join each process and do not hold "
                "the lock in the parent.",
                "not-joined",
            )
    for number, call in enumerate(processes, 1):
        exitcode = ended[id(call.worker)].exitcode
        if exitcode != 0:
            return not_yet(
                f"process {number} failed (exit code {exitcode}); look at the arguments you "
                "gave it",
                "worker-failed",
            )
    if final < expected:
        return not_yet(
            f"{expected - final:,} of {expected:,} updates were lost, although every process "
            "held the same lock: run the check again, and tell your instructor if it repeats",
            "lost-updates",
        )
    return correct(
        f"{workers} processes, all started before any was joined, all holding one lock around "
        f"each +=, and the counter reads {expected:,}: no update was lost."
    )


# --------------------------------------------------------------------------------------------
# Exercise 2: break the circle of lock orders
# --------------------------------------------------------------------------------------------

#: Exercise 2: three workers, each needing two of the locks A, B, C, in orders that form a circle.
CYCLE_ORDERS: dict[str, tuple[str, str]] = {
    "worker 1": ("A", "B"),
    "worker 2": ("B", "C"),
    "worker 3": ("C", "A"),
}


def _circle(orders: Mapping[str, Sequence[str]]) -> list[str] | None:
    """Workers whose "first lock before second lock" rules form a circle, or None."""
    before: dict[str, list[tuple[str, str]]] = {}
    for worker, (first, second) in orders.items():
        before.setdefault(first, []).append((second, worker))

    def visit(lock: str, path: list[str], seen_workers: list[str]) -> list[str] | None:
        for nxt, worker in before.get(lock, []):
            if nxt == path[0]:
                return [*seen_workers, worker]
            if nxt not in path:
                found = visit(nxt, [*path, nxt], [*seen_workers, worker])
                if found:
                    return found
        return None

    for start in sorted(before):
        found = visit(start, [start], [])
        if found:
            return found
    return None


def _is_pair_of_names(pair: object) -> bool:
    return (
        isinstance(pair, Sequence)
        and not isinstance(pair, str)
        and len(pair) == 2
        and all(isinstance(name, str) for name in pair)
    )


def check_lock_orders(
    orders: Mapping[str, Sequence[str]],
    reports: Sequence[LockReport],
    needs: Mapping[str, Sequence[str]] = CYCLE_ORDERS,
) -> Verdict:
    """Exercise 2: ``orders`` (worker -> lock order) must contain no circle, and every
    worker's report must say it got both locks.

    ``needs`` says which two locks each worker needs; the order is the learner's choice. The
    orders are judged first: a circle is wrong however the run went (a lucky run, or each
    worker run on its own, gets both locks too). Hint ids: ``ok``, ``wrong-type``,
    ``missing-worker``, ``extra-worker``, ``not-a-pair``, ``wrong-locks``, ``circle``,
    ``no-reports``, ``reports-mismatch``, ``timed-out``.
    """
    if not isinstance(needs, Mapping) or not all(
        _is_pair_of_names(pair) for pair in needs.values()
    ):
        raise TypeError(f"needs must be a dict of worker -> two lock names, got {needs!r}")
    if not isinstance(orders, Mapping):
        kind = type(orders).__name__
        return not_yet(
            f"orders should be a dict of worker -> (first, second), not {kind}", "wrong-type"
        )
    missing = sorted(set(needs) - set(orders))
    if missing:
        return not_yet(
            f"orders needs one entry for each of {', '.join(sorted(needs))}; "
            f"missing: {', '.join(missing)}. Every worker must still run.",
            "missing-worker",
        )
    extra = sorted(set(orders) - set(needs), key=str)
    if extra:
        return not_yet(
            f"orders has workers the exercise does not have: {', '.join(map(str, extra))}",
            "extra-worker",
        )
    for worker, pair in orders.items():
        if not _is_pair_of_names(pair):
            return not_yet(
                f"orders[{worker!r}] should be two lock names, like ('A', 'B'), "
                f"got {pair!r}"[:160],
                "not-a-pair",
            )
        if sorted(pair) != sorted(needs[worker]):
            wanted = " and ".join(sorted(needs[worker]))
            return not_yet(
                f"{worker} needs locks {wanted} (in an order you choose), got {tuple(pair)}",
                "wrong-locks",
            )
    circle = _circle(orders)
    if circle:
        steps = ", ".join(f"{w} takes {orders[w][0]} before {orders[w][1]}" for w in circle)
        return not_yet(
            f"the orders form a circle ({steps}): each worker can hold one lock while waiting "
            "for the next. Choose one global order of the locks and make every worker follow "
            "it.",
            "circle",
        )
    if isinstance(reports, str) or not isinstance(reports, Sequence):
        return not_yet(
            "reports should be the list that run_lock_workers(orders, ...) returns",
            "no-reports",
        )
    by_worker = {report.worker: report for report in reports if isinstance(report, LockReport)}
    if sorted(by_worker) != sorted(needs):
        return not_yet(
            "the orders are right; now run the workers with them, "
            "reports = run_lock_workers(orders, ...), and pass those reports",
            "no-reports",
        )
    for worker, report in sorted(by_worker.items()):
        if tuple(report.order) != tuple(orders[worker]):
            return not_yet(
                f"{worker} ran with {report.order}, not with your order {tuple(orders[worker])}: "
                "run the workers with your orders, run_lock_workers(orders, ...)",
                "reports-mismatch",
            )
    for worker, report in sorted(by_worker.items()):
        if not report.got_both:
            return not_yet(
                f"the orders are right, but {worker} timed out: the machine may be very busy; "
                "run the cell again",
                "timed-out",
            )
    return correct(
        "No circle, so no worker can wait for a lock held by a worker that waits for it; "
        f"all {len(needs)} workers got both of their locks."
    )

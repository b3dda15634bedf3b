"""Checks for the exercises of chapter 06 (locks)."""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.synchronize as mp_sync
import threading
from collections.abc import Mapping, Sequence

from helpers.checks import Verdict, correct, not_yet
from helpers.locks import LockReport

#: Exercise 2: three workers, each needing two of the locks A, B, C, in orders that form a circle.
CYCLE_ORDERS: dict[str, tuple[str, str]] = {
    "worker 1": ("A", "B"),
    "worker 2": ("B", "C"),
    "worker 3": ("C", "A"),
}

_THREAD_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


def check_no_lost_updates(
    counter: object,
    workers: Sequence[object],
    lock: object,
    increments: int,
    expected_workers: int = 4,
) -> Verdict:
    """Exercise 1: ``expected_workers`` processes each added ``increments`` to ``counter``.

    ``lock`` is the lock the learner shared between the processes. The verdict is right only
    if the processes ran and ended cleanly, the lock can work between processes, and no
    update was lost.
    """
    if not hasattr(counter, "value"):
        return not_yet(f"counter should be a multiprocessing Value, not {type(counter).__name__}")
    if not isinstance(workers, Sequence) or isinstance(workers, str):
        return not_yet(f"workers should be a list of processes, not {type(workers).__name__}")
    if len(workers) != expected_workers:
        return not_yet(
            f"start {expected_workers} processes and put them in workers; found {len(workers)}"
        )
    for index, worker in enumerate(workers):
        if not isinstance(worker, mp.process.BaseProcess):
            kind = type(worker).__name__
            return not_yet(f"workers[{index}] is a {kind}, not a multiprocessing.Process")
        if worker.pid is None:
            return not_yet(f"workers[{index}] was never started: call .start()")
        if worker.exitcode is None:
            return not_yet(f"workers[{index}] has not been joined: call .join(timeout=30)")
        if worker.exitcode != 0:
            return not_yet(
                f"workers[{index}] failed (exit code {worker.exitcode}); "
                "look at the args you gave it"
            )
    expected = expected_workers * increments
    final = counter.value
    if isinstance(lock, _THREAD_LOCK_TYPES):
        return not_yet(
            "a threading.Lock works only between the threads of one process; "
            "processes need multiprocessing.Lock() (or counter.get_lock())"
        )
    if lock is None:
        if final == expected:
            return not_yet(
                f"the counter reads {expected}, but without a lock that was luck: "
                "set lock to a multiprocessing lock and pass it to every process"
            )
        return not_yet(f"{expected - final} of {expected} updates were lost: lock is None")
    if not isinstance(lock, mp_sync.Lock | mp_sync.RLock):
        return not_yet(
            "lock should be multiprocessing.Lock() or counter.get_lock(), "
            f"not {type(lock).__name__}"
        )
    if final < expected:
        return not_yet(
            f"{expected - final} of {expected} updates were lost. Every process must hold the "
            "same lock around each +=: create one lock and pass that one to all the processes"
        )
    if final > expected:
        return not_yet(
            f"the counter reads {final}, more than {expected}: start from a fresh counter, "
            f"mp.Value('i', 0), and give each process increments={increments}"
        )
    return correct(
        f"{expected_workers} processes added {increments:,} each and the counter reads "
        f"{expected:,}: no update was lost."
    )


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


def check_lock_orders(
    orders: Mapping[str, Sequence[str]],
    reports: Sequence[LockReport],
    needs: Mapping[str, Sequence[str]] = CYCLE_ORDERS,
) -> Verdict:
    """Exercise 2: ``orders`` (worker -> lock order) must contain no circle, and every
    worker's report must say it got both locks.

    ``needs`` says which two locks each worker needs; the order is the learner's choice.
    """
    if not isinstance(orders, Mapping):
        kind = type(orders).__name__
        return not_yet(f"orders should be a dict of worker -> (first, second), not {kind}")
    if sorted(orders) != sorted(needs):
        return not_yet(f"orders needs one entry for each of {', '.join(sorted(needs))}")
    for worker, pair in orders.items():
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            return not_yet(f"orders[{worker!r}] should be two lock names, like ('A', 'B')")
        if sorted(pair) != sorted(needs[worker]):
            wanted = " and ".join(sorted(needs[worker]))
            return not_yet(
                f"{worker} needs locks {wanted} (in an order you choose), got {tuple(pair)}"
            )
    circle = _circle(orders)
    if circle:
        steps = ", ".join(f"{w} takes {orders[w][0]} before {orders[w][1]}" for w in circle)
        return not_yet(
            f"the orders form a circle ({steps}): each worker can hold one lock while waiting "
            "for the next. Choose one global order of the locks and make every worker follow it."
        )
    by_worker = {report.worker: report for report in reports if isinstance(report, LockReport)}
    if sorted(by_worker) != sorted(needs):
        return not_yet("the orders are right; now run the workers and pass their reports")
    for worker, report in sorted(by_worker.items()):
        if tuple(report.order) != tuple(orders[worker]):
            return not_yet(
                f"{worker} ran with {report.order}, not with your order {tuple(orders[worker])}"
            )
        if not report.got_both:
            return not_yet(
                f"the orders are right, but {worker} timed out: the machine may be very busy; "
                "run the cell again"
            )
    return correct(
        "No circle, so no worker can wait for a lock held by a worker that waits for it; "
        f"all {len(needs)} workers got both of their locks."
    )

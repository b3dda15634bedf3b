"""The worker recorder the checks use to judge how the learner's code ran."""

from __future__ import annotations

import multiprocessing as mp
import threading
import time

from helpers.checks.recording import (
    CALLER_THREAD,
    call_with_timeout,
    children_now,
    recorded_workers,
    stop_children_until_ended,
    stop_new_children,
)
from helpers.workers import add, nap


def test_start_and_join_are_recorded_in_order_with_target_and_args() -> None:
    with recorded_workers() as log:
        first = threading.Thread(target=nap, args=(0.01,))
        second = mp.Process(target=add, args=(1, 2))
        first.start()
        second.start()
        first.join(timeout=10)
        second.join(timeout=30)
    events = log.events_of([first, second])
    assert [(e.action, e.kind) for e in events] == [
        ("start", "thread"),
        ("start", "process"),
        ("join", "thread"),
        ("join", "process"),
    ]
    assert events[0].target is nap and events[0].args == (0.01,)
    assert events[1].target_name == "add" and events[1].args == (1, 2)
    assert log.first_join_before_a_start([first, second]) is None


def test_a_start_after_a_join_is_found() -> None:
    with recorded_workers() as log:
        workers = [threading.Thread(target=nap, args=(0.0,)) for _ in range(2)]
        for worker in workers:
            worker.start()
            worker.join(timeout=10)
    late = log.first_join_before_a_start(workers)
    assert late is not None and late.worker is workers[1]


def test_the_methods_are_restored_even_after_an_error() -> None:
    originals = (threading.Thread.start, mp.process.BaseProcess.join)
    try:
        with recorded_workers():
            raise RuntimeError("learner's mistake")
    except RuntimeError:
        pass
    assert (threading.Thread.start, mp.process.BaseProcess.join) == originals


def test_workers_of_others_are_kept_apart() -> None:
    with recorded_workers() as log:
        mine = threading.Thread(target=nap, args=(0.0,))
        other = threading.Thread(target=nap, args=(0.0,))
        mine.start()
        other.start()
        mine.join(timeout=10)
        other.join(timeout=10)
    assert {id(e.worker) for e in log.events_of([mine])} == {id(mine)}
    assert len(log.started("thread")) == 2


def test_call_with_timeout_reports_value_error_and_hang() -> None:
    assert call_with_timeout(add, (2, 3), timeout=5).value == 5
    failed = call_with_timeout(add, ("a", 3), timeout=5)
    assert failed.finished and isinstance(failed.error, TypeError)
    started = time.monotonic()
    hung = call_with_timeout(time.sleep, (10,), timeout=0.2)
    assert not hung.finished and time.monotonic() - started < 5  # it did not wait for the sleep


def test_stop_new_children_stops_only_the_new_ones() -> None:
    before = children_now()
    stuck = mp.Process(target=nap, args=(60,))
    stuck.start()
    assert stop_new_children(before) == 1
    assert not stuck.is_alive() and stuck.exitcode is not None


def _start_and_wait_three_times() -> None:
    """A learner's hung code: each join() waits for a worker that never ends by itself."""
    for _ in range(3):
        worker = mp.Process(target=nap, args=(30,))
        worker.start()
        worker.join()


def test_stop_children_until_ended_stops_what_a_hung_caller_starts_next() -> None:
    before = children_now()
    outcome = call_with_timeout(_start_and_wait_three_times, (), 0.5)
    assert not outcome.finished and outcome.thread is not None
    assert outcome.thread.name == CALLER_THREAD
    stopped = stop_children_until_ended(before, outcome.thread, grace=20)
    assert stopped == 3
    assert not outcome.thread.is_alive()
    assert children_now() - before == set()


def test_stop_children_until_ended_gives_up_after_grace() -> None:
    release = threading.Event()
    caller = threading.Thread(target=release.wait, args=(30,), daemon=True)
    caller.start()
    start = time.monotonic()
    assert stop_children_until_ended(children_now(), caller, grace=0.3) == 0
    assert time.monotonic() - start < 5
    release.set()
    caller.join(timeout=5)

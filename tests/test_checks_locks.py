"""helpers.checks.locks: the chapter 06 checks reject the wrong answers learners give, each
with its own hint, and accept every right answer.

Exercise 1's answers are functions ``run_four(counter)`` as a learner writes them in the
notebook; they run here, in the parent, and every process they start runs a target from
``helpers``. Each one is tried under every start method this platform offers.
"""

from __future__ import annotations

import functools
import multiprocessing as mp
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from helpers.checks.locks import (
    CYCLE_ORDERS,
    EXERCISE_INCREMENTS,
    check_lock_orders,
    check_no_lost_updates,
)
from helpers.checks.recording import children_now
from helpers.locks import LockReport, add_steps, increment, run_lock_workers

# Starts kernels, children or scripts: scheduled first (conftest.py).
pytestmark = pytest.mark.slow

METHODS = [m for m in ("fork", "spawn", "forkserver") if m in mp.get_all_start_methods()]


@pytest.fixture(params=METHODS)
def start_method(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test under one start method, as a notebook kernel set to it would."""
    previous = mp.get_start_method(allow_none=True)
    mp.set_start_method(request.param, force=True)
    try:
        yield request.param
    finally:
        mp.set_start_method(previous, force=True)


def start_all_then_join_all(workers: list[Any]) -> list[Any]:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    return workers


def four(counter: Any, lock: Any, increments: int = EXERCISE_INCREMENTS) -> list[mp.Process]:
    return [mp.Process(target=increment, args=(counter, increments, lock)) for _ in range(4)]


# ---------------------------------------------------------------------------------------------
# Exercise 1: wrong answers, as learners write them
# ---------------------------------------------------------------------------------------------


def separate_locks(counter: Any) -> list[mp.Process]:
    """The chapter's own warning: a new mp.Lock() for every process."""
    workers = [mp.Process(target=increment, args=(counter, 5_000, mp.Lock())) for _ in range(4)]
    return start_all_then_join_all(workers)


def two_pairs_of_locks(counter: Any) -> list[mp.Process]:
    first, second = mp.Lock(), mp.Lock()
    workers = [mp.Process(target=increment, args=(counter, 5_000, lock))
               for lock in (first, first, second, second)]
    return start_all_then_join_all(workers)


def no_lock(counter: Any) -> list[mp.Process]:
    return start_all_then_join_all(four(counter, None))


def lock_left_out(counter: Any) -> list[mp.Process]:
    workers = [mp.Process(target=increment, args=(counter, 5_000)) for _ in range(4)]
    return start_all_then_join_all(workers)


def thread_lock(counter: Any) -> list[mp.Process]:
    """Pickling fails under spawn and forkserver; under fork each child gets a copy."""
    return start_all_then_join_all(four(counter, threading.Lock()))


def one_at_a_time(counter: Any) -> list[mp.Process]:
    """Nothing is lost (one process at a time), but nothing ran in parallel either."""
    workers = four(counter, counter.get_lock())
    for worker in workers:
        worker.start()
        worker.join(timeout=30)
    return workers


def one_at_a_time_without_a_lock(counter: Any) -> list[mp.Process]:
    workers = four(counter, None)
    for worker in workers:
        worker.start()
        worker.join(timeout=30)
    return workers


def set_the_answer(counter: Any) -> list[mp.Process]:
    counter.value = 20_000
    return []


def increment_in_the_parent(counter: Any) -> list[mp.Process]:
    for _ in range(4):
        increment(counter, 5_000, counter.get_lock())
    return []


def target_called_in_the_parent(counter: Any) -> list[mp.Process]:
    lock = counter.get_lock()
    workers = [mp.Process(target=increment(counter, 5_000, lock)) for _ in range(4)]  # type: ignore[func-returns-value]
    return start_all_then_join_all(workers)


def parent_counts_too(counter: Any) -> list[mp.Process]:
    workers = start_all_then_join_all(four(counter, counter.get_lock()))
    increment(counter, 5_000, counter.get_lock())
    return workers


def three_workers(counter: Any) -> list[mp.Process]:
    lock = mp.Lock()
    workers = [mp.Process(target=increment, args=(counter, 5_000, lock)) for _ in range(3)]
    return start_all_then_join_all(workers)


def two_workers_doing_double(counter: Any) -> list[mp.Process]:
    lock = mp.Lock()
    workers = [mp.Process(target=increment, args=(counter, 10_000, lock)) for _ in range(2)]
    return start_all_then_join_all(workers)


def five_workers(counter: Any) -> list[mp.Process]:
    lock = mp.Lock()
    workers = [mp.Process(target=increment, args=(counter, 5_000, lock)) for _ in range(5)]
    return start_all_then_join_all(workers)


def fewer_increments(counter: Any) -> list[mp.Process]:
    return start_all_then_join_all(four(counter, mp.Lock(), increments=500))


def started_never_joined(counter: Any) -> list[mp.Process]:
    workers = four(counter, mp.Lock())
    for worker in workers:
        worker.start()
    return workers


def parent_holds_the_lock_briefly_joining(counter: Any) -> list[mp.Process]:
    """The joins give up while the children wait for the lock the parent holds."""
    lock = counter.get_lock()
    with lock:
        workers = four(counter, lock)
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=0.2)
    return workers


def parent_holds_the_lock(counter: Any) -> list[mp.Process]:
    """Deadlock: the children wait for the lock, the parent waits for the children."""
    lock = counter.get_lock()
    with lock:
        workers = four(counter, lock)
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
    return workers


def threads_instead(counter: Any) -> list[threading.Thread]:
    lock = threading.Lock()
    workers = [threading.Thread(target=increment, args=(counter, 5_000, lock)) for _ in range(4)]
    return start_all_then_join_all(workers)


def the_starting_cell(counter: Any) -> list[mp.Process]:
    lock = None  # noqa: F841 (the notebook's template, unchanged)
    workers: list[mp.Process] = []
    return workers


def a_counter_of_its_own(counter: Any) -> list[mp.Process]:
    mine = mp.Value("i", 0)
    return start_all_then_join_all(four(mine, mine.get_lock()))


def semaphore_of_two(counter: Any) -> list[mp.Process]:
    return start_all_then_join_all(four(counter, mp.Semaphore(2)))


def another_target(counter: Any) -> list[mp.Process]:
    workers = [mp.Process(target=add_steps, args=(counter, 1, 5_000)) for _ in range(4)]
    return start_all_then_join_all(workers)


def no_parameter() -> list[mp.Process]:
    return []


WRONG_ANSWERS: dict[str, tuple[Callable[..., Any], str]] = {
    "a new mp.Lock() per process": (separate_locks, "separate-locks"),
    "two locks, two processes each": (two_pairs_of_locks, "separate-locks"),
    "lock=None": (no_lock, "no-lock"),
    "the lock left out of args": (lock_left_out, "no-lock"),
    "a threading.Lock": (thread_lock, "thread-lock"),
    "start and join each in turn": (one_at_a_time, "one-at-a-time"),
    "one at a time, no lock": (one_at_a_time_without_a_lock, "no-lock"),
    "counter.value = 20_000": (set_the_answer, "work-in-parent"),
    "increment called in the parent": (increment_in_the_parent, "work-in-parent"),
    "target=increment(...)": (target_called_in_the_parent, "work-in-parent"),
    "the parent counts as well": (parent_counts_too, "work-in-parent"),
    "three processes": (three_workers, "fewer-workers"),
    "two processes doing 10,000 each": (two_workers_doing_double, "fewer-workers"),
    "five processes": (five_workers, "more-workers"),
    "500 increments each": (fewer_increments, "wrong-increments"),
    "never joined": (started_never_joined, "not-joined"),
    "parent holds the lock, joins give up": (parent_holds_the_lock_briefly_joining, "not-joined"),
    "threads instead of processes": (threads_instead, "threads"),
    "the cell as given": (the_starting_cell, "not-started"),
    "a counter of its own": (a_counter_of_its_own, "other-counter"),
    "a Semaphore(2)": (semaphore_of_two, "not-a-lock"),
    "another target": (another_target, "wrong-target"),
    "run_four without its parameter": (no_parameter, "error"),
}


@pytest.mark.parametrize("name", list(WRONG_ANSWERS))
def test_exercise_1_rejects_a_wrong_answer(start_method: str, name: str) -> None:
    run_four, hint = WRONG_ANSWERS[name]
    before = children_now()
    verdict = check_no_lost_updates(run_four)
    assert not verdict.ok, verdict.message
    assert verdict.hint == hint, verdict.message
    assert children_now() <= before


def test_exercise_1_stops_an_answer_that_deadlocks(start_method: str) -> None:
    before = children_now()
    checked_before = set(_learner_threads())  # other tests' checks may have left some
    verdict = check_no_lost_updates(parent_holds_the_lock, timeout=3)
    assert not verdict.ok and verdict.hint == "parent-holds-lock", verdict.message
    assert children_now() <= before
    # With its processes stopped, the learner's code could finish: nothing is left hanging.
    assert set(_learner_threads()) <= checked_before


def _learner_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "learner-code-under-check"]


def test_exercise_1_rejects_something_that_is_not_a_function() -> None:
    verdict = check_no_lost_updates([])  # type: ignore[arg-type]
    assert not verdict.ok and verdict.hint == "wrong-type"


# ---------------------------------------------------------------------------------------------
# Exercise 1: right answers
# ---------------------------------------------------------------------------------------------


def values_own_lock(counter: Any) -> list[mp.Process]:
    workers = [
        mp.Process(target=increment, args=(counter, 5_000, counter.get_lock())) for _ in range(4)
    ]
    return start_all_then_join_all(workers)


def one_lock_before_the_list(counter: Any) -> list[mp.Process]:
    lock = mp.Lock()
    return start_all_then_join_all(four(counter, lock))


def an_rlock(counter: Any) -> list[mp.Process]:
    return start_all_then_join_all(four(counter, mp.RLock()))


def lock_by_keyword(counter: Any) -> list[mp.Process]:
    lock = mp.Lock()
    workers = [
        mp.Process(target=increment, args=(counter, 5_000), kwargs={"lock": lock})
        for _ in range(4)
    ]
    return start_all_then_join_all(workers)


def a_partial(counter: Any) -> list[mp.Process]:
    job = functools.partial(increment, counter, 5_000, counter.get_lock())
    return start_all_then_join_all([mp.Process(target=job) for _ in range(4)])


def with_a_start_barrier(counter: Any) -> list[mp.Process]:
    lock, start = mp.Lock(), mp.Barrier(4)
    workers = [mp.Process(target=increment, args=(counter, 5_000, lock, start)) for _ in range(4)]
    return start_all_then_join_all(workers)


def join_without_timeout_returning_nothing(counter: Any) -> None:
    workers = four(counter, counter.get_lock())
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def a_managers_lock(counter: Any) -> list[mp.Process]:
    with mp.Manager() as manager:
        return start_all_then_join_all(four(counter, manager.Lock()))


RIGHT_ANSWERS: dict[str, Callable[[Any], Any]] = {
    "counter.get_lock()": values_own_lock,
    "one mp.Lock() before the list": one_lock_before_the_list,
    "mp.RLock()": an_rlock,
    "the lock by keyword": lock_by_keyword,
    "functools.partial": a_partial,
    "a start barrier too": with_a_start_barrier,
    "join() and no return value": join_without_timeout_returning_nothing,
    "a Manager's lock": a_managers_lock,
}


@pytest.mark.parametrize("name", list(RIGHT_ANSWERS))
def test_exercise_1_accepts_a_right_answer(start_method: str, name: str) -> None:
    before = children_now()
    verdict = check_no_lost_updates(RIGHT_ANSWERS[name])
    assert verdict.ok and verdict.hint == "ok", verdict.message
    assert children_now() <= before


# ---------------------------------------------------------------------------------------------
# Exercise 2: wrong answers
# ---------------------------------------------------------------------------------------------

QUICK = {"hold": 0.01, "timeout": 0.2}  # enough to show a circle; the check reads the orders


def run_with(orders: dict[str, tuple[str, str]], **timing: float) -> list[LockReport]:
    return run_lock_workers(orders, **(timing or {"hold": 0.01, "timeout": 5.0}))


def circle_as_given() -> tuple[Any, Any]:
    orders = dict(CYCLE_ORDERS)
    return orders, run_with(orders, **QUICK)


def all_reversed() -> tuple[Any, Any]:
    orders = {worker: (second, first) for worker, (first, second) in CYCLE_ORDERS.items()}
    return orders, run_with(orders, **QUICK)


def other_locks_for_worker_3() -> tuple[Any, Any]:
    orders = {**CYCLE_ORDERS, "worker 3": ("A", "B")}
    return orders, run_with(orders)


def worker_3_dropped() -> tuple[Any, Any]:
    orders = {w: o for w, o in CYCLE_ORDERS.items() if w != "worker 3"}
    return orders, run_with(orders)


def each_worker_alone() -> tuple[Any, Any]:
    """Every worker gets both locks, but only because none ran beside another."""
    orders = dict(CYCLE_ORDERS)
    reports = [report for w, o in orders.items() for report in run_with({w: o})]
    return orders, reports


def reports_of_the_old_orders() -> tuple[Any, Any]:
    orders = {worker: tuple(sorted(pair)) for worker, pair in CYCLE_ORDERS.items()}
    return orders, run_with(dict(CYCLE_ORDERS), **QUICK)


def not_run() -> tuple[Any, Any]:
    return {worker: tuple(sorted(pair)) for worker, pair in CYCLE_ORDERS.items()}, []


def orders_as_a_list() -> tuple[Any, Any]:
    return [("A", "B"), ("B", "C"), ("A", "C")], []


def a_worker_with_one_lock() -> tuple[Any, Any]:
    return {**CYCLE_ORDERS, "worker 3": "AC"}, []


def a_fourth_worker() -> tuple[Any, Any]:
    return {**CYCLE_ORDERS, "worker 4": ("A", "C")}, []


def timed_out_reports() -> tuple[Any, Any]:
    orders = {worker: tuple(sorted(pair)) for worker, pair in CYCLE_ORDERS.items()}
    return orders, [LockReport(worker, order, False) for worker, order in orders.items()]


WRONG_ORDERS: dict[str, tuple[Callable[[], tuple[Any, Any]], str]] = {
    "the circle as given": (circle_as_given, "circle"),
    "every order reversed": (all_reversed, "circle"),
    "worker 3 takes other locks": (other_locks_for_worker_3, "wrong-locks"),
    "worker 3 dropped": (worker_3_dropped, "missing-worker"),
    "each worker run alone": (each_worker_alone, "circle"),
    "reports from the old orders": (reports_of_the_old_orders, "reports-mismatch"),
    "right orders, not run": (not_run, "no-reports"),
    "orders as a list": (orders_as_a_list, "wrong-type"),
    "a worker with a string": (a_worker_with_one_lock, "not-a-pair"),
    "a fourth worker": (a_fourth_worker, "extra-worker"),
    "right orders, a worker timed out": (timed_out_reports, "timed-out"),
}


@pytest.mark.parametrize("name", list(WRONG_ORDERS))
def test_exercise_2_rejects_a_wrong_answer(name: str) -> None:
    answer, hint = WRONG_ORDERS[name]
    verdict = check_lock_orders(*answer())
    assert not verdict.ok, verdict.message
    assert verdict.hint == hint, verdict.message


# ---------------------------------------------------------------------------------------------
# Exercise 2: right answers
# ---------------------------------------------------------------------------------------------


def sorted_by_name() -> tuple[Any, Any]:
    orders = {worker: tuple(sorted(pair)) for worker, pair in CYCLE_ORDERS.items()}
    return orders, run_with(orders)


def reverse_alphabetical() -> tuple[Any, Any]:
    """C < B < A is a global order too."""
    orders = {worker: tuple(sorted(pair, reverse=True)) for worker, pair in CYCLE_ORDERS.items()}
    return orders, run_with(orders)


def only_worker_3_changed() -> tuple[Any, Any]:
    orders = {**CYCLE_ORDERS, "worker 3": ("A", "C")}
    return orders, run_with(orders)


def only_worker_1_changed() -> tuple[Any, Any]:
    """B < C < A: worker 1 takes B before A."""
    orders = {**CYCLE_ORDERS, "worker 1": ("B", "A")}
    return orders, run_with(orders)


def lists_instead_of_tuples() -> tuple[Any, Any]:
    orders = {worker: sorted(pair) for worker, pair in CYCLE_ORDERS.items()}
    return orders, run_with(orders)


RIGHT_ORDERS: dict[str, Callable[[], tuple[Any, Any]]] = {
    "sorted by name": sorted_by_name,
    "C < B < A": reverse_alphabetical,
    "only worker 3 changed": only_worker_3_changed,
    "only worker 1 changed": only_worker_1_changed,
    "lists, not tuples": lists_instead_of_tuples,
}


@pytest.mark.parametrize("name", list(RIGHT_ORDERS))
def test_exercise_2_accepts_a_right_answer(name: str) -> None:
    verdict = check_lock_orders(*RIGHT_ORDERS[name]())
    assert verdict.ok and verdict.hint == "ok", verdict.message


def test_exercise_2_finds_a_two_worker_circle() -> None:
    needs = {"x": ("A", "B"), "y": ("A", "B")}
    orders = {"x": ("A", "B"), "y": ("B", "A")}
    reports = [LockReport(w, o, True) for w, o in orders.items()]
    verdict = check_lock_orders(orders, reports, needs=needs)
    assert not verdict.ok and verdict.hint == "circle"

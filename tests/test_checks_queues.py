"""helpers.checks.queues: the chapter 02 checks reject the wrong answers learners give, each with
its hint id, and accept the right ones, however they are written.

Every learner answer below runs in the parent (the check calls it); whatever a child process
runs comes from ``helpers``. The answers that hang are stopped by the check, which must leave
no child process behind (the test harness fails a test that does).
"""

from __future__ import annotations

import functools
import multiprocessing as mp
import queue
import threading
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from helpers.checks.queues import (
    BIG_SIZES,
    DELAYS,
    HINTS,
    SIZES,
    check_collect,
    check_ordered_sums,
    parent_work,
    watched_waits,
)
from helpers.queues import list_of_squares, put_tagged_squares, put_tagged_sum_of_range
from helpers.workers import slow_square, sum_of_range

# Starts kernels, children or scripts: scheduled first (conftest.py).
pytestmark = pytest.mark.slow

# Exercise 2 with sizes that finish in a known order (the small task first), so that an answer
# which keeps the arrival order is seen to be wrong on the first run.
UNEVEN_SIZES = (200_000, 2_000, 100_000)


# --- exercise 1: ordered_sums(sizes, delays) -----------------------------------------------


def _start_all(sizes, delays, q=None, target=put_tagged_sum_of_range):
    q = mp.Queue() if q is None else q
    workers = [
        mp.Process(target=target, args=(i, n, q, d))
        for i, (n, d) in enumerate(zip(sizes, delays, strict=True))
    ]
    for worker in workers:
        worker.start()
    return q, workers


def _join_all(workers):
    for worker in workers:
        worker.join(timeout=30)


def sums_sorted_pairs(sizes, delays):
    q, workers = _start_all(sizes, delays)
    pairs = [q.get(timeout=30) for _ in workers]
    _join_all(workers)
    return [value for _, value in sorted(pairs)]


def sums_dict_by_task_id(sizes, delays):
    q, workers = _start_all(sizes, delays)
    by_id = {}
    for _ in workers:
        task_id, value = q.get(timeout=30)
        by_id[task_id] = value
    _join_all(workers)
    return [by_id[i] for i in range(len(sizes))]


def sums_preallocated(sizes, delays):
    q, workers = _start_all(sizes, delays)
    results = [None] * len(sizes)
    for _ in range(len(sizes)):
        tagged = q.get(True, 30)  # block, timeout: positionally
        results[tagged.task_id] = tagged.value
    _join_all(workers)
    return results


def sums_and_workers(sizes, delays):
    q, workers = _start_all(sizes, delays)
    pairs = [q.get(timeout=30) for _ in workers]
    _join_all(workers)
    return [value for _, value in sorted(pairs)], workers


def sums_keyword_arguments(sizes, delays):
    q = mp.Queue()
    workers = []
    for i, (n, d) in enumerate(zip(sizes, delays, strict=True)):
        job = functools.partial(put_tagged_sum_of_range, queue=q, delay=d)
        workers.append(mp.Process(target=job, kwargs={"task_id": i, "n": n}))
    for worker in workers:
        worker.start()
    pairs = sorted(q.get(timeout=30) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    return [value for _, value in pairs]


def sums_numpy(sizes, delays):
    q, workers = _start_all(sizes, delays)
    pairs = np.array([q.get(timeout=30) for _ in workers])
    _join_all(workers)
    return pairs[np.argsort(pairs[:, 0]), 1]  # an array of NumPy integers


RIGHT_SUMS = [
    sums_sorted_pairs,
    sums_dict_by_task_id,
    sums_preallocated,
    sums_and_workers,
    sums_keyword_arguments,
    sums_numpy,
]


def sums_in_parent(sizes, delays):
    return [sum_of_range(n) for n in sizes]


def sums_in_parent_beside_workers(sizes, delays):
    q, workers = _start_all(sizes, delays)
    [q.get(timeout=30) for _ in workers]
    _join_all(workers)
    return [sum_of_range(n) for n in sizes]


def sums_never_read(sizes, delays):
    _, workers = _start_all(sizes, delays)
    _join_all(workers)
    return [sum(range(n)) for n in sizes]


def sums_one_at_a_time(sizes, delays):
    q = mp.Queue()
    pairs = []
    for i, (n, d) in enumerate(zip(sizes, delays, strict=True)):
        worker = mp.Process(target=put_tagged_sum_of_range, args=(i, n, q, d))
        worker.start()
        pairs.append(q.get(timeout=30))
        worker.join(timeout=30)
    return [value for _, value in sorted(pairs)]


def sums_start_and_read_each(sizes, delays):
    q = mp.Queue()
    workers, pairs = [], []
    for i, (n, d) in enumerate(zip(sizes, delays, strict=True)):
        worker = mp.Process(target=put_tagged_sum_of_range, args=(i, n, q, d))
        worker.start()
        pairs.append(q.get(timeout=30))
        workers.append(worker)
    _join_all(workers)
    return [value for _, value in sorted(pairs)]


def sums_arrival_order(sizes, delays):
    q, workers = _start_all(sizes, delays)
    pairs = [q.get(timeout=30) for _ in workers]
    _join_all(workers)
    return [value for _, value in pairs]


def sums_sorted_by_value(sizes, delays):
    return sorted(sums_sorted_pairs(sizes, delays))


def sums_pairs_left(sizes, delays):
    q, workers = _start_all(sizes, delays)
    pairs = [q.get(timeout=30) for _ in workers]
    _join_all(workers)
    return sorted(pairs)


def sums_one_get_only(sizes, delays):
    q, workers = _start_all(sizes, delays)
    first = q.get(timeout=30)  # the notes: one get() for all the workers
    _join_all(workers)
    return [first.value]


def sums_join_before_get(sizes, delays):
    q, workers = _start_all(sizes, delays)
    _join_all(workers)
    pairs = [q.get(timeout=30) for _ in workers]
    return [value for _, value in sorted(pairs)]


def sums_get_without_timeout(sizes, delays):
    q, workers = _start_all(sizes, delays)
    pairs = [q.get() for _ in workers]
    _join_all(workers)
    return [value for _, value in sorted(pairs)]


def sums_not_joined(sizes, delays):
    q, workers = _start_all(sizes, delays)
    pairs = [q.get(timeout=30) for _ in workers]
    return [value for _, value in sorted(pairs)]


def sums_wrong_target(sizes, delays):
    workers = [mp.Process(target=sum_of_range, args=(n,)) for n in sizes]
    for worker in workers:
        worker.start()
    _join_all(workers)
    return [sum_of_range(n) for n in sizes]


def sums_in_a_pool(sizes, delays):
    with mp.Pool(2) as pool:
        return pool.map_async(sum_of_range, sizes).get(timeout=30)


def sums_in_threads(sizes, delays):
    q = queue.Queue()
    threads = [
        threading.Thread(target=put_tagged_sum_of_range, args=(i, n, q, d))
        for i, (n, d) in enumerate(zip(sizes, delays, strict=True))
    ]
    for thread in threads:
        thread.start()
    pairs = [q.get(timeout=30) for _ in threads]
    for thread in threads:
        thread.join(timeout=30)
    return [value for _, value in sorted(pairs)]


def sums_thread_queue_for_processes(sizes, delays):
    q, workers = _start_all(sizes, delays, q=queue.Queue())  # fork: the children get copies
    pairs = [q.get(timeout=1) for _ in workers]
    _join_all(workers)
    return [value for _, value in sorted(pairs)]


def sums_separate_queues(sizes, delays):
    queues = [mp.Queue() for _ in sizes]
    workers = [
        mp.Process(target=put_tagged_sum_of_range, args=(i, n, q, d))
        for i, (n, d, q) in enumerate(zip(sizes, delays, queues, strict=True))
    ]
    for worker in workers:
        worker.start()
    results = [q.get(timeout=30).value for q in queues]
    _join_all(workers)
    return results


def sums_without_delays(sizes, delays):
    q = mp.Queue()
    workers = [mp.Process(target=put_tagged_sum_of_range, args=(i, n, q)) for i, n in
               enumerate(sizes)]
    for worker in workers:
        worker.start()
    pairs = [q.get(timeout=30) for _ in workers]
    _join_all(workers)
    return [value for _, value in sorted(pairs)]


def sums_too_few_workers(sizes, delays):
    return sums_sorted_pairs(sizes[:-1], delays[:-1]) + [sum_of_range(sizes[-1])]


def sums_not_written(sizes, delays):
    return None


def sums_that_raise(sizes, delays):
    raise RuntimeError("oops")


WRONG_SUMS: list[tuple[Callable, str]] = [
    (sums_in_parent, "work-in-parent"),
    (sums_in_parent_beside_workers, "work-in-parent"),
    (sums_never_read, "work-in-parent"),
    (sums_one_at_a_time, "one-at-a-time"),
    (sums_start_and_read_each, "one-at-a-time"),
    (sums_arrival_order, "arrival-order"),
    (sums_sorted_by_value, "sorted-by-value"),
    (sums_pairs_left, "pairs-left"),
    (sums_one_get_only, "one-get-only"),
    (sums_join_before_get, "join-before-get"),
    (sums_get_without_timeout, "no-timeout"),
    (sums_not_joined, "not-joined"),
    (sums_wrong_target, "wrong-target"),
    (sums_in_a_pool, "wrong-target"),
    (sums_in_threads, "threads"),
    (sums_thread_queue_for_processes, "wrong-queue"),
    (sums_separate_queues, "separate-queues"),
    (sums_without_delays, "wrong-args"),
    (sums_too_few_workers, "wrong-count"),
    (sums_not_written, "missing"),
    (sums_that_raise, "raised"),
]


@pytest.mark.parametrize("answer", RIGHT_SUMS, ids=lambda f: f.__name__)
def test_check_ordered_sums_accepts_a_right_answer(answer):
    verdict = check_ordered_sums(answer)
    assert verdict.ok, verdict.message
    assert not mp.active_children()


@pytest.mark.parametrize(("answer", "hint"), WRONG_SUMS, ids=lambda x: getattr(x, "__name__", x))
def test_check_ordered_sums_names_the_mistake(answer, hint):
    verdict = check_ordered_sums(answer)
    assert (verdict.ok, verdict.hint) == (False, hint), verdict.message
    assert hint in HINTS
    assert not mp.active_children()


def test_check_ordered_sums_rejects_a_list_instead_of_a_function():
    verdict = check_ordered_sums([sum_of_range(n) for n in SIZES])
    assert (verdict.ok, verdict.hint) == (False, "not-a-function")


def test_check_ordered_sums_stops_an_answer_that_hangs():
    def reads_one_too_many(sizes, delays):
        q, workers = _start_all(sizes, delays)
        pairs = [q.get() for _ in range(len(workers) + 1)]  # waits forever for the last one
        return [value for _, value in sorted(pairs)]

    verdict = check_ordered_sums(reads_one_too_many, timeout=3)
    assert (verdict.ok, verdict.hint) == (False, "no-timeout")
    assert not mp.active_children()


def test_exercise_1_gives_one_delay_per_size():
    assert len(DELAYS) == len(SIZES)
    with pytest.raises(ValueError, match="same length"):
        check_ordered_sums(sums_sorted_pairs, sizes=(1, 2), delays=(0.0,))


def test_the_first_worker_started_finishes_last():
    assert list(DELAYS) == sorted(DELAYS, reverse=True)


# --- exercise 2: collect(sizes) ------------------------------------------------------------


def _start_squares(sizes):
    q = mp.Queue()
    workers = [mp.Process(target=put_tagged_squares, args=(i, n, q)) for i, n in enumerate(sizes)]
    for worker in workers:
        worker.start()
    return q, workers


def collect_right(sizes: Sequence[int]):
    q, workers = _start_squares(sizes)
    pairs = [q.get(timeout=30) for _ in workers]
    _join_all(workers)
    return [value for _, value in sorted(pairs)], workers


def collect_dict_by_task_id(sizes):
    q, workers = _start_squares(sizes)
    by_id = dict(q.get(timeout=30) for _ in workers)
    _join_all(workers)
    return [by_id[i] for i in range(len(sizes))], workers


def collect_while_loop(sizes):
    q, workers = _start_squares(sizes)
    results = [None] * len(sizes)
    received = 0
    while received < len(workers):
        task_id, value = q.get(block=True, timeout=30)
        results[task_id] = value
        received += 1
    for worker in workers:
        worker.join(30)
    return results, workers


def collect_tuple_of_workers(sizes):
    results, workers = collect_right(sizes)
    return tuple(results), tuple(workers)


RIGHT_COLLECTS = [collect_right, collect_dict_by_task_id, collect_while_loop,
                  collect_tuple_of_workers]


def collect_join_first(sizes):  # the exercise's broken collector
    q, workers = _start_squares(sizes)
    for worker in workers:
        worker.join()  # the workers cannot exit before their results are read
    pairs = [q.get() for _ in workers]
    return [value for _, value in sorted(pairs)], workers


def collect_join_first_with_timeouts(sizes):
    q, workers = _start_squares(sizes)
    _join_all(workers)  # 30 s each, in vain
    pairs = [q.get(timeout=30) for _ in workers]
    return [value for _, value in sorted(pairs)], workers


def collect_short_join_first(sizes):
    q, workers = _start_squares(sizes)
    for worker in workers:
        worker.join(timeout=0.2)  # gives up, but joined before reading
    pairs = [q.get(timeout=30) for _ in workers]
    _join_all(workers)
    return [value for _, value in sorted(pairs)], workers


def collect_one_at_a_time(sizes):
    q = mp.Queue()
    workers, pairs = [], []
    for i, n in enumerate(sizes):
        worker = mp.Process(target=put_tagged_squares, args=(i, n, q))
        worker.start()
        pairs.append(q.get(timeout=30))
        worker.join(timeout=30)
        workers.append(worker)
    return [value for _, value in sorted(pairs)], workers


def collect_in_parent(sizes):
    return [list_of_squares(n) for n in sizes], []


def collect_in_parent_beside_workers(sizes):
    q, workers = _start_squares(sizes)
    [q.get(timeout=30) for _ in workers]
    _join_all(workers)
    return [list_of_squares(n) for n in sizes], workers


def collect_get_without_timeout(sizes):
    q, workers = _start_squares(sizes)
    pairs = [q.get() for _ in workers]
    _join_all(workers)
    return [value for _, value in sorted(pairs)], workers


def collect_one_get_only(sizes):
    q, workers = _start_squares(sizes)
    first = q.get(timeout=30)
    for worker in workers:
        worker.join(timeout=0.5)
    return [first.value], workers


def collect_not_joined(sizes):
    q, workers = _start_squares(sizes)
    pairs = [q.get(timeout=30) for _ in workers]
    return [value for _, value in sorted(pairs)], workers


def collect_arrival_order(sizes):
    q, workers = _start_squares(sizes)
    pairs = [q.get(timeout=30) for _ in workers]
    _join_all(workers)
    return [value for _, value in pairs], workers


def collect_results_only(sizes):
    return collect_right(sizes)[0]


def collect_in_threads(sizes):
    q = queue.Queue()
    threads = [threading.Thread(target=put_tagged_squares, args=(i, n, q))
               for i, n in enumerate(sizes)]
    for thread in threads:
        thread.start()
    pairs = [q.get(timeout=30) for _ in threads]
    for thread in threads:
        thread.join(timeout=30)
    return [value for _, value in sorted(pairs)], threads


def collect_with_sleepers(sizes):
    sleepers = [mp.Process(target=slow_square, args=(2,), kwargs={"delay": 30}) for _ in sizes]
    for sleeper in sleepers:
        sleeper.start()
    return [list_of_squares(n) for n in sizes], sleepers


def collect_not_written(sizes):
    return None


def collect_raises_empty(sizes):
    raise queue.Empty()


WRONG_COLLECTS: list[tuple[Callable, str, dict]] = [
    (collect_join_first, "join-before-get", {"timeout": 3}),
    (collect_join_first_with_timeouts, "join-before-get", {"timeout": 3}),
    (collect_short_join_first, "join-before-get", {}),
    (collect_one_at_a_time, "one-at-a-time", {}),
    (collect_in_parent, "work-in-parent", {}),
    (collect_in_parent_beside_workers, "work-in-parent", {}),
    (collect_get_without_timeout, "no-timeout", {}),
    (collect_one_get_only, "one-get-only", {}),
    (collect_not_joined, "not-joined", {}),
    (collect_arrival_order, "arrival-order", {"sizes": UNEVEN_SIZES}),
    (collect_results_only, "wrong-type", {}),
    (collect_in_threads, "threads", {}),
    (collect_with_sleepers, "wrong-target", {}),
    (collect_not_written, "missing", {}),
    (collect_raises_empty, "empty", {}),
]


@pytest.mark.parametrize("answer", RIGHT_COLLECTS, ids=lambda f: f.__name__)
def test_check_collect_accepts_a_right_answer(answer):
    verdict = check_collect(answer)
    assert verdict.ok, verdict.message
    assert not mp.active_children()


@pytest.mark.parametrize(
    ("answer", "hint", "options"), WRONG_COLLECTS, ids=lambda x: getattr(x, "__name__", "")
)
def test_check_collect_names_the_mistake(answer, hint, options):
    verdict = check_collect(answer, **options)
    assert (verdict.ok, verdict.hint) == (False, hint), verdict.message
    assert hint in HINTS
    assert not mp.active_children()


def test_check_collect_says_it_stopped_the_stuck_workers():
    verdict = check_collect(collect_join_first, timeout=2)
    assert f"stopped {len(BIG_SIZES)} worker(s)" in verdict.message
    assert not mp.active_children()


def test_check_collect_accepts_other_sizes():
    assert check_collect(collect_right, sizes=(3000, 1000, 2000)).ok


def test_check_collect_rejects_a_non_function():
    assert check_collect("collect").hint == "not-a-function"


# --- the watching itself -------------------------------------------------------------------


def test_watched_waits_notes_gets_with_and_without_timeout_and_restores_get():
    original = mp.queues.Queue.get
    q = mp.Queue()
    q.put(1)
    q.put(2)
    with watched_waits() as waits:
        q.get(timeout=10)
        q.get()
    q.close()
    q.join_thread()
    assert [(w.kind, w.bounded, w.item) for w in waits] == [("get", True, 1), ("get", False, 2)]
    assert mp.queues.Queue.get is original


def test_parent_work_counts_calls_in_the_calling_thread_only():
    def answer():
        helper = threading.Thread(target=sum_of_range, args=(10,))
        helper.start()
        helper.join(timeout=10)
        return sum_of_range(5)

    profiled, work = parent_work(answer, [sum_of_range])
    assert profiled() == 10
    assert work.calls == {"sum_of_range": 1}

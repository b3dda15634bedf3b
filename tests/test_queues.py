"""Chapter 02: the queue workers (helpers.queues) and the checks (helpers.checks.queues)."""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Sequence

import pytest

from helpers.checks.queues import BIG_SIZES, DELAYS, SIZES, check_collect, check_ordered_sums
from helpers.queues import (
    Tagged,
    append_sum_of_range,
    list_of_squares,
    put_sum_of_range,
    put_tagged_squares,
    put_tagged_sum_of_range,
    round_trip,
    send_sum_of_range,
)
from helpers.workers import slow_square, sum_of_range

SMALL_SIZES = (3000, 1000, 2000)


# --- workers -------------------------------------------------------------------------------


def test_put_sum_of_range_puts_the_sum():
    q = queue.Queue()
    put_sum_of_range(100, q)
    assert q.get_nowait() == 4950


def test_put_sum_of_range_works_in_a_child_process():
    q = mp.Queue()
    child = mp.Process(target=put_sum_of_range, args=(100, q))
    child.start()
    got = q.get(timeout=30)
    child.join(timeout=30)
    assert (got, child.exitcode) == (4950, 0)


def test_put_sum_of_range_rejects_a_queue_without_put():
    with pytest.raises(TypeError, match="queue must have a put"):
        put_sum_of_range(100, [])


def test_put_sum_of_range_rejects_a_negative_n():
    with pytest.raises(ValueError, match="n must be >= 0"):
        put_sum_of_range(-1, queue.Queue())


def test_put_tagged_sum_of_range_puts_a_tagged_result():
    q = queue.Queue()
    put_tagged_sum_of_range(3, 100, q)
    assert q.get_nowait() == Tagged(task_id=3, value=4950)


def test_tagged_results_sort_by_task_id():
    assert sorted([Tagged(2, 0), Tagged(0, 5), Tagged(1, 9)]) == [(0, 5), (1, 9), (2, 0)]


def test_put_tagged_sum_of_range_rejects_a_negative_delay():
    with pytest.raises(ValueError, match="delay must be >= 0"):
        put_tagged_sum_of_range(0, 10, queue.Queue(), delay=-1)


def test_put_tagged_sum_of_range_rejects_a_non_int_task_id():
    with pytest.raises(TypeError, match="task_id must be an int"):
        put_tagged_sum_of_range("a", 10, queue.Queue())


def test_list_of_squares_lists_the_first_n_squares():
    assert list_of_squares(4) == [0, 1, 4, 9]


def test_list_of_squares_rejects_a_float():
    with pytest.raises(TypeError, match="n must be an int"):
        list_of_squares(2.0)


def test_put_tagged_squares_puts_a_tagged_list():
    q = queue.Queue()
    put_tagged_squares(1, 3, q)
    assert q.get_nowait() == Tagged(1, [0, 1, 4])


def test_put_tagged_squares_rejects_a_queue_without_put():
    with pytest.raises(TypeError, match="queue must have a put"):
        put_tagged_squares(0, 3, "not a queue")


def test_a_large_result_keeps_its_process_alive_until_it_is_read():
    q = mp.Queue()
    child = mp.Process(target=put_tagged_squares, args=(0, 200_000, q))
    child.start()
    child.join(timeout=0.5)
    alive_before_reading = child.is_alive()
    got = q.get(timeout=30)
    child.join(timeout=30)
    assert alive_before_reading
    assert (got.task_id, len(got.value), child.exitcode) == (0, 200_000, 0)


def test_send_sum_of_range_sends_then_closes_its_end():
    reader, writer = mp.Pipe(duplex=False)
    send_sum_of_range(100, writer)
    assert writer.closed
    assert reader.recv() == 4950
    with pytest.raises(EOFError):
        reader.recv()
    reader.close()


def test_send_sum_of_range_rejects_a_non_connection():
    with pytest.raises(TypeError, match="connection must be one end"):
        send_sum_of_range(100, queue.Queue())


def test_append_sum_of_range_appends_to_the_list():
    found = [1]
    append_sum_of_range(100, found)
    assert found == [1, 4950]


def test_append_sum_of_range_in_a_process_leaves_the_parent_list_unchanged():
    found: list[int] = []
    child = mp.Process(target=append_sum_of_range, args=(100, found))
    child.start()
    child.join(timeout=30)
    assert (found, child.exitcode) == ([], 0)


def test_append_sum_of_range_rejects_a_tuple():
    with pytest.raises(TypeError, match="results must be a list"):
        append_sum_of_range(100, ())


def test_round_trip_returns_the_items_in_order():
    assert round_trip(queue.Queue(), range(5)) == [0, 1, 2, 3, 4]


def test_round_trip_through_a_multiprocessing_queue_returns_copies():
    item = [1, 2]
    q = mp.Queue()
    (got,) = round_trip(q, [item])
    q.close()
    q.join_thread()
    assert got == item and got is not item


def test_round_trip_rejects_a_negative_timeout():
    with pytest.raises(ValueError, match="timeout must be >= 0"):
        round_trip(queue.Queue(), [1], timeout=-1)


# --- exercise 1: ordered sums --------------------------------------------------------------


def _truth() -> list[int]:
    return [sum_of_range(n) for n in SIZES]


def test_exercise_1_gives_one_delay_per_size():
    assert len(DELAYS) == len(SIZES)


def test_check_ordered_sums_accepts_the_sums_in_task_order():
    assert check_ordered_sums(_truth()).ok


def test_check_ordered_sums_accepts_results_collected_from_processes():
    q = mp.Queue()
    workers = [
        mp.Process(target=put_tagged_sum_of_range, args=(i, n, q, d))
        for i, (n, d) in enumerate(zip(SIZES, DELAYS, strict=True))
    ]
    for worker in workers:
        worker.start()
    pairs = [q.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert check_ordered_sums([value for _, value in sorted(pairs)]).ok


def test_check_ordered_sums_rejects_none():
    assert "results is None" in check_ordered_sums(None).message


def test_check_ordered_sums_rejects_a_number():
    assert not check_ordered_sums(4950).ok


def test_check_ordered_sums_says_when_results_are_missing():
    verdict = check_ordered_sums(_truth()[:1])
    assert not verdict.ok and "got 1" in verdict.message


def test_check_ordered_sums_says_when_tags_were_kept():
    verdict = check_ordered_sums([Tagged(i, v) for i, v in enumerate(_truth())])
    assert not verdict.ok and "pairs" in verdict.message


def test_check_ordered_sums_says_when_results_are_in_arrival_order():
    verdict = check_ordered_sums(list(reversed(_truth())))
    assert not verdict.ok and "wrong order" in verdict.message


def test_check_ordered_sums_says_when_results_are_sorted_by_value():
    verdict = check_ordered_sums(sorted(_truth()))
    assert not verdict.ok and "sorted by value" in verdict.message


def test_check_ordered_sums_names_the_first_wrong_value():
    wrong = _truth()
    wrong[2] += 1
    verdict = check_ordered_sums(wrong)
    assert not verdict.ok and "results[2]" in verdict.message


def test_check_ordered_sums_computes_the_truth_for_other_sizes():
    assert check_ordered_sums([4950, 0], sizes=(100, 0)).ok


# --- exercise 2: drain, then join ----------------------------------------------------------


def collect_right(sizes: Sequence[int]):
    q = mp.Queue()
    workers = [mp.Process(target=put_tagged_squares, args=(i, n, q)) for i, n in enumerate(sizes)]
    for worker in workers:
        worker.start()
    pairs = [q.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    return [value for _, value in sorted(pairs)], workers


def collect_join_first(sizes: Sequence[int]):
    q = mp.Queue()
    workers = [mp.Process(target=put_tagged_squares, args=(i, n, q)) for i, n in enumerate(sizes)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()  # the bug: the workers cannot exit before their results are read
    pairs = [q.get(timeout=1) for _ in workers]
    return [value for _, value in sorted(pairs)], workers


def collect_without_join(sizes: Sequence[int]):
    truth = [list_of_squares(n) for n in sizes]
    sleepers = [mp.Process(target=slow_square, args=(2,), kwargs={"delay": 30}) for _ in sizes]
    for sleeper in sleepers:
        sleeper.start()
    return truth, sleepers


def collect_unsorted(sizes: Sequence[int]):
    results, workers = collect_right(sizes)
    return list(reversed(results)), workers


def test_check_collect_accepts_drain_then_join():
    assert check_collect(collect_right, sizes=SMALL_SIZES).ok


def test_check_collect_accepts_the_exercise_sizes():
    assert check_collect(collect_right).ok


def test_check_collect_stops_a_collect_that_joins_before_reading():
    verdict = check_collect(collect_join_first, sizes=BIG_SIZES, timeout=2)
    assert not verdict.ok and "Read one result per worker first" in verdict.message
    assert not mp.active_children()


def test_check_collect_says_when_a_worker_was_not_joined():
    verdict = check_collect(collect_without_join, sizes=SMALL_SIZES)
    assert not verdict.ok and "still running" in verdict.message
    assert not mp.active_children()


def test_check_collect_says_when_results_are_out_of_order():
    verdict = check_collect(collect_unsorted, sizes=SMALL_SIZES)
    assert not verdict.ok and "wrong order" in verdict.message


def test_check_collect_rejects_none():
    verdict = check_collect(lambda sizes: None)
    assert not verdict.ok and "returned None" in verdict.message


def test_check_collect_rejects_results_without_workers():
    verdict = check_collect(lambda sizes: [list_of_squares(n) for n in sizes])
    assert not verdict.ok and "(results, workers)" in verdict.message


def test_check_collect_reports_an_exception_raised_by_collect():
    def broken(sizes):
        raise queue.Empty()

    verdict = check_collect(broken)
    assert not verdict.ok and "raised Empty" in verdict.message


def test_check_collect_rejects_a_non_function():
    assert not check_collect("collect").ok

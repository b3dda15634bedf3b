"""Chapter 02: the queue workers and the measuring helper (helpers.queues).

The exercise checks are tested in ``tests/test_checks_queues.py``.
"""

from __future__ import annotations

import multiprocessing as mp
import queue

import pytest

from helpers.queues import (
    Tagged,
    append_sum_of_range,
    compare_round_trips,
    list_of_squares,
    put_sum_of_range,
    put_tagged_squares,
    put_tagged_sum_of_range,
    round_trip,
    send_sum_of_range,
)

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


def test_compare_round_trips_times_every_queue_per_item_in_every_round():
    for_processes = mp.Queue()
    costs = compare_round_trips(
        {"threads": queue.Queue(), "processes": for_processes}, [[1, 2]] * 50, rounds=3
    )
    for_processes.close()
    for_processes.join_thread()
    assert list(costs) == ["threads", "processes"]
    assert all(len(timing.samples) == 3 and timing.best > 0 for timing in costs.values())


def test_compare_round_trips_takes_turns():
    calls = []

    class Logged(queue.Queue):
        def __init__(self, name):
            super().__init__()
            self.name = name

        def put(self, item, block=True, timeout=None):
            calls.append(self.name)
            super().put(item, block, timeout)

    compare_round_trips({"a": Logged("a"), "b": Logged("b")}, [0], rounds=2)
    assert calls == ["a", "b", "a", "b", "a", "b"]  # a warm-up round, then two rounds


@pytest.mark.parametrize(
    ("queues", "items", "rounds", "error"),
    [
        ({}, [1], 1, ValueError),
        ({"list": []}, [1], 1, TypeError),
        ({"q": queue.Queue()}, [], 1, ValueError),
        ({"q": queue.Queue()}, [1], 0, ValueError),
    ],
)
def test_compare_round_trips_rejects_bad_arguments(queues, items, rounds, error):
    with pytest.raises(error):
        compare_round_trips(queues, items, rounds=rounds)

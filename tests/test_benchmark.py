"""Chapter 03's helpers: the job and its split (helpers.benchmark), the costs of parallelism
(helpers.overheads); the exercise checks are tested in test_checks_benchmark.py.

No test asserts a speed: the measuring functions are checked for what they return, with sizes
small enough to run in a moment. Every pool is closed and joined by its ``with`` block.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers import benchmark as bm
from helpers import overheads as oh
from helpers.timing import Timing


@pytest.fixture
def context():
    return mp.get_context()


@pytest.fixture
def pool(context):
    with context.Pool(2) as pool:
        yield pool
        pool.close()
        pool.join()


# --- problem size ----------------------------------------------------------------------------


def test_problem_size_is_quick_when_course_quick_is_1(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert bm.problem_size(full=1000, quick=10) == 10


@pytest.mark.parametrize("value", ["0", ""])
def test_problem_size_is_full_when_course_quick_is_not_1(monkeypatch, value):
    monkeypatch.setenv("COURSE_QUICK", value)
    assert bm.problem_size(full=1000, quick=10) == 1000


def test_problem_size_is_full_when_course_quick_is_unset(monkeypatch):
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    assert bm.problem_size(full=1000, quick=10) == 1000


def test_problem_size_rejects_a_float():
    with pytest.raises(TypeError, match="full"):
        bm.problem_size(full=1e6, quick=10)


# --- the job ---------------------------------------------------------------------------------


def test_notes_job_sums_i_plus_i_squared():
    assert bm.notes_job(4) == 0 + 2 + 6 + 12


def test_notes_job_rejects_a_negative_size():
    with pytest.raises(ValueError, match="n"):
        bm.notes_job(-1)


def test_notes_job_to_queue_puts_the_result():
    results = queue.Queue()
    bm.notes_job_to_queue(results, 4)
    assert results.get_nowait() == 20


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 1001])
def test_closed_form_matches_the_loop(n):
    assert bm.closed_form(n) == bm.notes_job(n)


def test_sum_chunk_of_the_whole_range_is_the_job():
    assert bm.sum_chunk(0, 500) == bm.notes_job(500)


def test_sum_chunk_of_an_empty_range_is_zero():
    assert bm.sum_chunk(7, 7) == 0


def test_sum_chunk_rejects_stop_before_start():
    with pytest.raises(ValueError, match="stop"):
        bm.sum_chunk(5, 4)


def test_sum_chunk_of_takes_a_pair():
    assert bm.sum_chunk_of((2, 4)) == 18


def test_sum_chunk_of_rejects_a_non_pair():
    with pytest.raises(TypeError, match="chunk"):
        bm.sum_chunk_of(4)


@pytest.mark.parametrize(("n", "parts"), [(10, 3), (12, 4), (2, 4), (0, 2), (1_000_001, 2)])
def test_split_range_covers_the_range_once_in_fair_chunks(n, parts):
    chunks = bm.split_range(n, parts)
    assert len(chunks) == parts
    assert [i for start, stop in chunks for i in range(start, stop)] == list(range(n))
    lengths = [stop - start for start, stop in chunks]
    assert max(lengths) - min(lengths) <= 1


def test_split_range_rejects_zero_parts():
    with pytest.raises(ValueError, match="parts"):
        bm.split_range(10, 0)


# --- the job in NumPy ------------------------------------------------------------------------


def test_numpy_sum_chunk_matches_the_loop():
    assert bm.numpy_sum_chunk(123, 45_678) == bm.sum_chunk(123, 45_678)


def test_numpy_sum_chunk_is_exact_where_one_int64_sum_would_overflow():
    n = 4_000_000  # the total is about 2.1e19, more than an int64 holds
    assert bm.closed_form(n) > bm.INT64_MAX
    assert bm.numpy_sum_chunk(0, n) == bm.closed_form(n)


def test_numpy_safe_block_keeps_every_block_sum_inside_int64():
    stop = 50_000_000
    block = bm.numpy_safe_block(stop)
    worst = bm.closed_form(stop) - bm.closed_form(stop - block)
    assert worst <= bm.INT64_MAX


def test_numpy_sum_chunk_rejects_a_stop_whose_square_overflows():
    with pytest.raises(ValueError, match="stop"):
        bm.numpy_sum_chunk(0, 4_000_000_000)


def test_numpy_sum_chunk_of_takes_a_pair():
    assert bm.numpy_sum_chunk_of((0, 4)) == 20


# --- racing ----------------------------------------------------------------------------------


def test_parallel_sum_with_threads_equals_the_closed_form():
    with ThreadPoolExecutor(max_workers=3) as threads:
        assert bm.parallel_sum(threads, 10_001, 3) == bm.closed_form(10_001)


def test_parallel_sum_with_a_process_pool_equals_the_closed_form(pool):
    assert bm.parallel_sum(pool, 10_001, 2) == bm.closed_form(10_001)


def test_parallel_sum_with_numpy_equals_the_closed_form(pool):
    assert bm.parallel_sum(pool, 10_001, 2, numpy=True) == bm.closed_form(10_001)


def test_parallel_sum_rejects_an_object_without_map():
    with pytest.raises(TypeError, match="mapper"):
        bm.parallel_sum(object(), 10, 2)


def test_warm_up_returns_one_pid_per_worker(pool):
    pids = bm.warm_up(pool, 2)
    assert len(pids) == 2 and os.getpid() not in pids


def test_warm_up_rejects_zero_workers(pool):
    with pytest.raises(ValueError, match="workers"):
        bm.warm_up(pool, 0)


def test_pid_after_returns_the_callers_pid():
    assert bm.pid_after(0) == os.getpid()


def test_fair_race_times_three_contestants_that_agree(context):
    race = bm.fair_race(20_000, 2, context, repeat=2)
    assert set(race.timings) == {"serial", "threads", "processes"}
    assert all(len(t.samples) == 2 for t in race.timings.values())
    assert race.all_correct


def test_fair_race_with_numpy_is_correct(context):
    assert bm.fair_race(20_000, 2, context, repeat=1, numpy=True).all_correct


def test_race_result_speedup_is_the_median_of_each_rounds_ratio():
    race = bm.RaceResult(
        n=10,
        workers=2,
        timings={"serial": Timing((2.0, 4.0, 9.0)), "processes": Timing((1.0, 2.0, 1.0))},
        totals={"serial": 330, "processes": 330},
    )
    assert race.speedup("processes") == 2.0  # ratios 2, 2, 9
    assert race.efficiency("processes") == 1.0
    assert race.all_correct


def test_race_result_best_speedup_is_the_ratio_of_the_fastest_runs():
    race = bm.RaceResult(
        n=10,
        workers=2,
        timings={"serial": Timing((2.0, 4.0, 9.0)), "processes": Timing((1.6, 1.0, 3.0))},
        totals={"serial": 330, "processes": 330},
    )
    assert race.best_speedup("processes") == 2.0  # 2.0 / 1.0, from different rounds
    assert race.best_efficiency("processes") == 1.0


def test_take_turns_runs_the_contestants_in_turn_after_a_warmup():
    calls = []
    contestants = {"a": lambda: calls.append("a") or 1, "b": lambda: calls.append("b") or 2}
    timings, results = bm.take_turns(contestants, rounds=2, warmup=1)
    assert calls == ["a", "b"] * 3
    assert results == {"a": 1, "b": 2}
    assert [len(t.samples) for t in timings.values()] == [2, 2]


def test_take_turns_times_each_run_with_the_clock():
    ticks = iter([0.0, 1.0, 1.0, 3.0, 3.0, 3.5, 3.5, 6.5])
    timings, _ = bm.take_turns(
        {"a": lambda: 0, "b": lambda: 0}, rounds=2, warmup=0, clock=lambda: next(ticks)
    )
    assert timings["a"].samples == (1.0, 0.5) and timings["b"].samples == (2.0, 3.0)


def test_take_turns_refuses_a_contestant_that_changes_its_answer():
    answers = iter(range(10))
    with pytest.raises(RuntimeError, match="'a'"):
        bm.take_turns({"a": lambda: next(answers)}, rounds=2)


@pytest.mark.parametrize(
    ("contestants", "rounds", "error"),
    [({}, 1, TypeError), ({"a": 3}, 1, TypeError), ({"a": lambda: 0}, 0, ValueError)],
)
def test_take_turns_rejects_bad_arguments(contestants, rounds, error):
    with pytest.raises(error):
        bm.take_turns(contestants, rounds=rounds)


def test_race_result_notices_a_wrong_total():
    race = bm.RaceResult(10, 2, {"serial": Timing((1.0,))}, {"serial": 329})
    assert not race.all_correct


def test_scaling_races_serial_against_each_worker_count(context):
    results = bm.scaling(10_000, [1, 2, 3], context, repeat=2)
    assert sorted(results) == [1, 2, 3]
    assert [results[count].workers for count in (1, 2, 3)] == [1, 2, 3]
    assert all(len(r.timings["processes"].samples) == 2 for r in results.values())
    assert all(r.all_correct for r in results.values())


def test_scaling_compares_every_count_with_the_same_serial_runs(context):
    results = bm.scaling(10_000, [1, 2], context, repeat=2)
    assert results[1].timings["serial"] == results[2].timings["serial"]
    assert results[1].timings["processes"] != results[2].timings["processes"]


def test_scaling_needs_a_worker_count(context):
    with pytest.raises(ValueError, match="worker_counts"):
        bm.scaling(10_000, [], context)


# --- waiting ---------------------------------------------------------------------------------


def test_io_race_returns_serial_and_threaded_timings():
    serial, threaded = bm.io_race(tasks=4, threads=4, seconds=0.001, repeat=2)
    assert len(serial.samples) == len(threaded.samples) == 2


def test_slow_server_answers_pong():
    with bm.slow_server(0.0) as address:
        assert bm.ask(address) == b"pong"


def test_slow_server_answers_several_clients_at_once():
    with bm.slow_server(0.01) as address, ThreadPoolExecutor(max_workers=4) as threads:
        assert list(threads.map(bm.ask, [address] * 4)) == [b"pong"] * 4


def test_ask_rejects_an_address_that_is_not_a_pair():
    with pytest.raises(TypeError, match="address"):
        bm.ask("127.0.0.1:80")


# --- timelines -------------------------------------------------------------------------------


def test_busy_for_returns_its_pid_and_an_interval_of_the_right_length():
    pid, start, end = bm.busy_for(0.01)
    assert pid == os.getpid() and end - start >= 0.01


def test_busy_for_rejects_a_negative_time():
    with pytest.raises(ValueError, match="seconds"):
        bm.busy_for(-0.1)


def test_timeline_rows_label_workers_by_sorted_pid_with_relative_times():
    rows = bm.timeline_rows([(9, 5.0, 6.0), (3, 5.5, 7.0)])
    assert rows == {"worker 1": [(0.5, 2.0)], "worker 2": [(0.0, 1.0)]}


def test_timeline_rows_of_nothing_is_empty():
    assert bm.timeline_rows([]) == {}


def test_makespan_is_first_start_to_last_end():
    assert bm.makespan([(1, 2.0, 3.0), (2, 2.5, 4.5)]) == 2.5


# --- overheads -------------------------------------------------------------------------------


def test_noop_returns_none():
    assert oh.noop(1, 2, 3) is None


def test_payload_size_is_the_length():
    assert oh.payload_size(bytes(10)) == 10


def test_payload_size_rejects_text():
    with pytest.raises(TypeError, match="payload"):
        oh.payload_size("abc")


def test_thread_start_returns_one_sample_per_repeat():
    assert len(oh.thread_start(repeat=3).samples) == 3


@pytest.mark.parametrize("method", mp.get_all_start_methods())
def test_process_start_works_under_every_available_method(method):
    assert len(oh.process_start(method, repeat=1).samples) == 1


def test_process_start_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="method"):
        oh.process_start("teleport")


def test_tuned_chunksize_is_about_four_chunks_per_worker():
    assert oh.tuned_chunksize(10_000, 2) == 1250


def test_tuned_chunksize_is_at_least_one():
    assert oh.tuned_chunksize(0, 4) == 1


def test_pool_task_overhead_is_per_task(pool):
    timing = oh.pool_task_overhead(pool, tasks=100, chunksize=10, repeat=2)
    assert len(timing.samples) == 2


def test_pool_task_overhead_rejects_zero_chunksize(pool):
    with pytest.raises(ValueError, match="chunksize"):
        oh.pool_task_overhead(pool, tasks=10, chunksize=0)


def test_send_bytes_to_child_times_a_round_trip(pool):
    assert len(oh.send_bytes_to_child(pool, 1000, repeat=2).samples) == 2


def test_pickle_vs_shared_memory_returns_two_timings(pool):
    pickled, shared = oh.pickle_vs_shared_memory(pool, megabytes=1, repeat=2)
    assert len(pickled.samples) == len(shared.samples) == 2


def test_pickle_vs_shared_memory_unlinks_its_block(pool, monkeypatch):
    from multiprocessing import shared_memory

    created = []

    class RecordingSharedMemory(shared_memory.SharedMemory):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if kwargs.get("create"):
                created.append(self.name)

    monkeypatch.setattr(shared_memory, "SharedMemory", RecordingSharedMemory)
    oh.pickle_vs_shared_memory(pool, megabytes=1, repeat=1)
    assert len(created) == 1
    with pytest.raises(FileNotFoundError):
        shared_memory.SharedMemory(name=created[0])

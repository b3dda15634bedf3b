"""Tests for helpers.pools (chapter 04's workers and tools); the checks: test_checks_pools.py."""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import matplotlib.pyplot as plt
import pytest

from helpers import pools
from helpers.pools import (
    ResultCollector,
    TaskRecord,
    crash_worker,
    default_chunksize,
    label_workers,
    load_lookup_table,
    look_up,
    makespan,
    max_concurrency,
    plot_tasks,
    setups_in_this_worker,
    time_in_turns,
    timed_square,
    timed_task,
    timeline_rows,
    worker_frames,
    worker_traceback,
)
from helpers.workers import nap, square


@pytest.fixture
def fresh_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start each initializer test with no table in this process, and restore it afterwards."""
    monkeypatch.setattr(pools, "_TABLE", None)
    monkeypatch.setattr(pools, "_SETUPS", 0)


# --- timed_task ------------------------------------------------------------------------------


def test_timed_task_reports_its_task_and_process() -> None:
    record = timed_task(4, delay=0)
    assert (record.task, record.pid) == (4, os.getpid())


def test_timed_task_sleeps_at_least_the_delay() -> None:
    record = timed_task(0, delay=0.02)
    assert record.duration >= 0.02


def test_timed_task_rejects_a_negative_delay() -> None:
    with pytest.raises(ValueError, match="delay"):
        timed_task(0, delay=-1)


def test_timed_task_rejects_a_task_that_is_not_an_int() -> None:
    with pytest.raises(TypeError, match="task"):
        timed_task("1")  # type: ignore[arg-type]


def test_timed_task_records_come_back_from_a_pool() -> None:
    with mp.Pool(processes=2) as pool:
        records = pool.map(timed_task, range(4), chunksize=1)
    assert [r.task for r in records] == [0, 1, 2, 3]
    assert all(r.pid != os.getpid() for r in records)


def test_timed_square_squares_and_reports_where_it_ran() -> None:
    record = timed_square(12, delay=0)
    assert (record.value, record.task, record.pid) == (144, 12, os.getpid())


def test_timed_square_sleeps_at_least_the_delay() -> None:
    assert timed_square(2, delay=0.02).duration >= 0.02


def test_timed_square_rejects_a_number_that_is_not_an_int() -> None:
    with pytest.raises(TypeError, match="x"):
        timed_square(1.5)  # type: ignore[arg-type]


def test_timed_square_records_come_back_from_a_pool_with_their_squares() -> None:
    with mp.Pool(processes=2) as pool:
        pending = [pool.apply_async(timed_square, (i, 0)) for i in range(5)]
        records = [result.get(timeout=30) for result in pending]
    assert [r.value for r in records] == [0, 1, 4, 9, 16]


def test_a_task_record_has_no_value_unless_the_task_computed_one() -> None:
    assert timed_task(0, delay=0).value is None


def test_nap_returns_the_seconds_as_a_float() -> None:
    assert nap(0) == 0.0 and isinstance(nap(0), float)


def test_nap_rejects_negative_seconds() -> None:
    with pytest.raises(ValueError, match="seconds"):
        nap(-0.1)


def test_nap_rejects_text() -> None:
    with pytest.raises(TypeError, match="seconds"):
        nap("0.1")  # type: ignore[arg-type]


# --- initializer and its tasks ---------------------------------------------------------------


def test_look_up_reads_the_table_built_by_the_initializer(fresh_table: None) -> None:
    load_lookup_table(10)
    assert [look_up(i) for i in (0, 3, 9)] == [0, 9, 81]


def test_look_up_without_the_initializer_says_what_to_do(fresh_table: None) -> None:
    with pytest.raises(RuntimeError, match="initializer=load_lookup_table"):
        look_up(1)


def test_look_up_rejects_an_index_past_the_table(fresh_table: None) -> None:
    load_lookup_table(5)
    with pytest.raises(ValueError, match="index must be < 5"):
        look_up(5)


def test_look_up_rejects_an_index_that_is_not_an_int(fresh_table: None) -> None:
    load_lookup_table(5)
    with pytest.raises(TypeError, match="index"):
        look_up(1.0)  # type: ignore[arg-type]


def test_load_lookup_table_rejects_an_empty_size(fresh_table: None) -> None:
    with pytest.raises(ValueError, match="size"):
        load_lookup_table(0)


def test_setups_in_this_worker_counts_initializer_runs(fresh_table: None) -> None:
    assert setups_in_this_worker() == 0
    load_lookup_table(3)
    load_lookup_table(3)
    assert setups_in_this_worker("ignored") == 2


def test_initializer_runs_once_in_each_pool_worker() -> None:
    with mp.Pool(processes=2, initializer=load_lookup_table, initargs=(20,)) as pool:
        values = pool.map(look_up, [2, 4, 19])
        setups = set(pool.map(setups_in_this_worker, range(6)))
    assert values == [4, 16, 361]
    assert setups == {1}


# --- crash_worker ----------------------------------------------------------------------------


def test_crash_worker_ends_its_process_with_the_code() -> None:
    process = mp.Process(target=crash_worker, args=(3,))
    process.start()
    process.join(timeout=30)
    assert process.exitcode == 3


def test_crash_worker_breaks_a_process_pool_executor() -> None:
    with ProcessPoolExecutor(max_workers=1) as executor:
        future = executor.submit(crash_worker, 1)
        with pytest.raises(BrokenProcessPool):
            future.result(timeout=30)


def test_crash_worker_rejects_a_code_above_255() -> None:
    with pytest.raises(ValueError, match="code"):
        crash_worker(256)


def test_crash_worker_rejects_a_code_that_is_not_an_int() -> None:
    with pytest.raises(TypeError, match="code"):
        crash_worker("1")  # type: ignore[arg-type]


def test_workers_are_pickled_by_reference() -> None:
    for worker in (timed_task, timed_square, nap, look_up, load_lookup_table,
                   setups_in_this_worker):
        assert pickle.loads(pickle.dumps(worker)) is worker


# --- ResultCollector -------------------------------------------------------------------------


def test_result_collector_keeps_results_and_errors() -> None:
    collector = ResultCollector()
    collector.add(1)
    collector.add_error(TypeError("bad"))
    assert collector.results == [1]
    assert collector.error_messages == ["TypeError: bad"]


def test_result_collector_works_as_pool_callbacks() -> None:
    collector = ResultCollector()
    with mp.Pool(processes=2) as pool:
        pending = [
            pool.apply_async(square, (x,), callback=collector.add,
                             error_callback=collector.add_error)
            for x in (2, "x", 3)
        ]
        for result in pending:
            result.wait(timeout=30)
    assert sorted(collector.results) == [4, 9]
    assert collector.error_messages == ["TypeError: x must be a number, got str 'x'"]


# --- records: labels, rows, concurrency, plot ------------------------------------------------


def test_label_workers_numbers_pids_in_sorted_order() -> None:
    records = [TaskRecord(0, 900, 0, 1), TaskRecord(1, 30, 0, 1)]
    assert label_workers(records) == {30: "worker 0", 900: "worker 1"}


def test_label_workers_rejects_something_that_is_not_a_record() -> None:
    with pytest.raises(TypeError, match=r"records\[1\]"):
        label_workers([TaskRecord(0, 1, 0, 1), (1, 2, 0, 1)])  # type: ignore[list-item]


def test_timeline_rows_are_relative_to_the_first_start() -> None:
    records = [TaskRecord(0, 7, 100.0, 101.0), TaskRecord(1, 7, 101.0, 102.5)]
    assert timeline_rows(records) == {"worker 0": [(0.0, 1.0), (1.0, 2.5)]}


def test_timeline_rows_of_nothing_is_empty() -> None:
    assert timeline_rows([]) == {}


def test_max_concurrency_of_back_to_back_tasks_is_one() -> None:
    records = [TaskRecord(0, 1, 0, 1), TaskRecord(1, 2, 1, 2), TaskRecord(2, 1, 2, 3)]
    assert max_concurrency(records) == 1


def test_max_concurrency_counts_overlapping_tasks() -> None:
    records = [TaskRecord(0, 1, 0, 2), TaskRecord(1, 2, 1, 3), TaskRecord(2, 3, 1.5, 4)]
    assert max_concurrency(records) == 3


def test_max_concurrency_of_no_tasks_is_zero() -> None:
    assert max_concurrency([]) == 0


def test_makespan_runs_from_the_first_start_to_the_last_end() -> None:
    records = [TaskRecord(0, 1, 10.0, 10.5), TaskRecord(1, 2, 10.2, 11.0)]
    assert makespan(records) == 1.0


def test_makespan_of_no_tasks_is_zero() -> None:
    assert makespan([]) == 0.0


def test_plot_tasks_labels_every_bar_with_its_task() -> None:
    records = [TaskRecord(5, 1, 0, 1), TaskRecord(6, 2, 0.5, 1.5)]
    fig, ax = plt.subplots()
    try:
        plot_tasks(records, ax=ax, title="t")
        assert sorted(text.get_text() for text in ax.texts) == ["5", "6"]
        assert [label.get_text() for label in ax.get_yticklabels()] == ["worker 0", "worker 1"]
    finally:
        plt.close(fig)


# --- default_chunksize -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tasks", "processes", "expected"),
    [(10, 2, 2), (8, 2, 1), (2000, 2, 250), (3000, 2, 375), (0, 4, 0)],
)
def test_default_chunksize_gives_about_four_chunks_per_worker(
    tasks: int, processes: int, expected: int
) -> None:
    assert default_chunksize(tasks, processes) == expected


def test_default_chunksize_rejects_zero_processes() -> None:
    with pytest.raises(ValueError, match="processes"):
        default_chunksize(10, 0)


# --- time_in_turns ---------------------------------------------------------------------------


def test_time_in_turns_takes_turns_and_drops_the_warm_up() -> None:
    order: list[str] = []
    timings, last = time_in_turns(
        {"a": lambda: order.append("a") or 1, "b": lambda: order.append("b") or 2},
        rounds=2, warmup=1,
    )
    assert order == ["a", "b"] * 3
    assert [len(t.samples) for t in timings.values()] == [2, 2]
    assert last == {"a": 1, "b": 2}


def test_time_in_turns_rejects_something_that_is_not_callable() -> None:
    with pytest.raises(TypeError, match="contestants\\['a'\\]"):
        time_in_turns({"a": 1}, rounds=1)  # type: ignore[dict-item]


def test_time_in_turns_rejects_no_contestants() -> None:
    with pytest.raises(TypeError, match="contestants"):
        time_in_turns({}, rounds=1)


# --- worker tracebacks -----------------------------------------------------------------------


def test_worker_frames_follow_a_pool_exception_to_its_source() -> None:
    with mp.Pool(processes=1) as pool:
        with pytest.raises(TypeError) as caught:
            pool.apply_async(square, ("x",)).get(timeout=30)
    frames = worker_frames(caught.value)
    assert frames[-2:] == ["square", "require_number"]
    assert worker_traceback(caught.value).endswith("TypeError: x must be a number, got str 'x'")


def test_worker_frames_follow_an_executor_exception_too() -> None:
    with ProcessPoolExecutor(max_workers=1) as executor:
        with pytest.raises(TypeError) as caught:
            executor.submit(square, "x").result(timeout=30)
    assert worker_frames(caught.value)[-2:] == ["square", "require_number"]


def test_worker_traceback_of_a_local_exception_is_empty() -> None:
    assert worker_traceback(ValueError("here")) == ""


def test_worker_traceback_rejects_something_that_is_not_an_exception() -> None:
    with pytest.raises(TypeError, match="error"):
        worker_traceback("TypeError")  # type: ignore[arg-type]

"""helpers.locks: chapter 06's workers (its exercise checks: tests/test_checks_locks.py)."""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading

import pytest

from helpers.locks import (
    VARIANTS,
    Counter,
    LockReport,
    RoundResult,
    StepTrace,
    add_in_turns,
    add_steps,
    count_until_stopped,
    guarded_job,
    increment,
    increment_in_rounds,
    max_overlap,
    notes_job,
    run_lock_workers,
    run_rounds,
    run_threads,
    take_two_locks,
    time_increments,
    use_a_slot,
    widened_increment,
)

# ---------------------------------------------------------------------------------------------
# The notes' example
# ---------------------------------------------------------------------------------------------


def test_add_steps_records_the_value_after_each_step() -> None:
    trace = add_steps(Counter(10), 3, repeats=3)
    assert trace.values == (13, 16, 19)
    assert len(trace.intervals) == 3


def test_add_steps_with_zero_repeats_changes_nothing() -> None:
    counter = Counter(4)
    assert add_steps(counter, 3, repeats=0).values == ()
    assert counter.value == 4


def test_add_steps_fail_after_raises_after_that_many_steps() -> None:
    counter = Counter()
    with pytest.raises(RuntimeError, match="after 2 step"):
        add_steps(counter, 1, repeats=5, fail_after=2)
    assert counter.value == 2


def test_add_steps_rejects_a_step_that_is_not_an_int() -> None:
    with pytest.raises(TypeError, match="step"):
        add_steps(Counter(), "3")  # type: ignore[arg-type]


def test_add_steps_rejects_an_object_without_value() -> None:
    with pytest.raises(TypeError, match="counter must have a .value"):
        add_steps(object(), 1)  # type: ignore[arg-type]


def test_add_steps_rejects_negative_repeats() -> None:
    with pytest.raises(ValueError, match="repeats"):
        add_steps(Counter(), 1, repeats=-1)


def test_add_steps_rejects_a_negative_delay() -> None:
    with pytest.raises(ValueError, match="delay"):
        add_steps(Counter(), 1, delay=-0.1)


def test_step_trace_is_contiguous_when_values_go_up_by_its_step() -> None:
    assert StepTrace(3, (8, 11, 14), ()).contiguous


def test_step_trace_is_not_contiguous_when_someone_wrote_in_between() -> None:
    assert not StepTrace(3, (3, 7, 10), ()).contiguous


def test_notes_job_leaves_the_lock_taken_when_the_job_raises() -> None:
    lock = threading.Lock()
    with pytest.raises(RuntimeError):
        notes_job(Counter(), 1, lock, fail_after=1)
    assert lock.locked()
    lock.release()


def test_guarded_job_releases_the_lock_when_the_job_raises() -> None:
    lock = threading.Lock()
    with pytest.raises(RuntimeError):
        guarded_job(Counter(), 1, lock, fail_after=1)
    assert not lock.locked()


def test_guarded_job_returns_the_trace() -> None:
    assert guarded_job(Counter(), 2, threading.Lock(), repeats=2).values == (2, 4)


def test_notes_job_checks_its_arguments_before_taking_the_lock() -> None:
    lock = threading.Lock()
    with pytest.raises(TypeError, match="counter"):
        notes_job(object(), 1, lock)  # type: ignore[arg-type]
    assert not lock.locked()


def test_guarded_job_rejects_something_that_is_not_a_lock() -> None:
    with pytest.raises(TypeError, match="lock must be a lock"):
        guarded_job(Counter(), 1, "lock")


def test_add_in_turns_puts_its_trace_on_the_results_queue() -> None:
    results: queue.Queue[StepTrace] = queue.Queue()
    add_in_turns(Counter(), 3, threading.Lock(), results, repeats=2, delay=0)
    assert results.get_nowait().values == (3, 6)


def test_add_in_turns_runs_without_a_lock_when_lock_is_none() -> None:
    results: queue.Queue[StepTrace] = queue.Queue()
    add_in_turns(Counter(), 1, None, results, repeats=2, delay=0)
    assert results.get_nowait().values == (1, 2)


def test_add_in_turns_rejects_results_without_put() -> None:
    with pytest.raises(TypeError, match="results must have a put"):
        add_in_turns(Counter(), 1, None, [], repeats=1, delay=0)


def test_add_in_turns_in_two_processes_gives_contiguous_steps_and_twenty() -> None:
    counter, lock, results = mp.Value("i", 0), mp.Lock(), mp.Queue()
    processes = [
        mp.Process(target=add_in_turns, args=(counter, step, lock, results, 5, 0.01))
        for step in (1, 3)
    ]
    for process in processes:
        process.start()
    traces = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert counter.value == 20
    assert all(trace.contiguous for trace in traces)


# ---------------------------------------------------------------------------------------------
# Counters and races
# ---------------------------------------------------------------------------------------------


def test_counter_starts_at_the_given_value() -> None:
    assert Counter(7).value == 7


def test_counter_rejects_a_value_that_is_not_an_int() -> None:
    with pytest.raises(TypeError, match="value"):
        Counter(1.5)  # type: ignore[arg-type]


def test_increment_adds_one_per_increment() -> None:
    counter = Counter()
    increment(counter, 25)
    assert counter.value == 25


def test_increment_with_a_lock_and_batches_adds_them_all() -> None:
    counter = Counter()
    increment(counter, 25, lock=threading.Lock(), batch=10)
    assert counter.value == 25


def test_increment_waits_for_its_start_signal() -> None:
    go = threading.Event()
    go.set()
    counter = Counter()
    increment(counter, 3, start=go)
    assert counter.value == 3


def test_increment_rejects_negative_increments() -> None:
    with pytest.raises(ValueError, match="increments"):
        increment(Counter(), -1)


def test_increment_rejects_a_zero_batch() -> None:
    with pytest.raises(ValueError, match="batch"):
        increment(Counter(), 1, lock=threading.Lock(), batch=0)


def test_increment_rejects_a_start_without_wait() -> None:
    with pytest.raises(TypeError, match="start must have a wait"):
        increment(Counter(), 1, start=object())  # type: ignore[arg-type]


def test_increment_rejects_something_that_is_not_a_lock() -> None:
    with pytest.raises(TypeError, match="lock must be a lock"):
        increment(Counter(), 1, lock=42)


def test_increment_in_rounds_reports_one_interval_per_round() -> None:
    counters = [Counter(), Counter()]
    results: queue.Queue[tuple[int, list[tuple[float, float]]]] = queue.Queue()
    increment_in_rounds(0, counters, [None, threading.Lock()], 5, threading.Barrier(1), results)
    worker, intervals = results.get_nowait()
    assert (worker, len(intervals)) == (0, 2)
    assert [c.value for c in counters] == [5, 5]


def test_increment_in_rounds_needs_one_lock_per_counter() -> None:
    with pytest.raises(ValueError, match="one lock"):
        increment_in_rounds(0, [Counter()], [], 5, threading.Barrier(1), queue.Queue())


def test_increment_in_rounds_stops_quietly_at_a_broken_barrier() -> None:
    barrier = threading.Barrier(2)
    barrier.abort()
    results: queue.Queue[tuple[int, list[tuple[float, float]]]] = queue.Queue()
    increment_in_rounds(1, [Counter()], [None], 5, barrier, results)
    assert results.get_nowait() == (1, [])


def test_round_result_lost_is_expected_minus_final() -> None:
    assert RoundResult(expected=100, final=93, seconds=0.1).lost == 7


@pytest.mark.parametrize("variant", ["Value, with get_lock()", "RawValue, with Lock()"])
def test_run_rounds_with_a_lock_loses_nothing(variant: str) -> None:
    results = run_rounds(variant, workers=2, increments=2_000, rounds=2)
    assert [r.lost for r in results] == [0, 0]


@pytest.mark.parametrize("variant", ["RawValue, no lock", "Value, no extra lock"])
def test_run_rounds_without_a_lock_never_counts_more_than_expected(variant: str) -> None:
    results = run_rounds(variant, workers=2, increments=2_000, rounds=2)
    assert all(0 <= r.lost <= r.expected for r in results)


def test_run_rounds_with_batches_loses_nothing() -> None:
    results = run_rounds("RawValue, with Lock()", workers=2, increments=1_000, rounds=1, batch=64)
    assert results[0].lost == 0
    assert results[0].seconds >= 0


def test_run_rounds_takes_one_batch_size_per_round() -> None:
    results = run_rounds(
        "RawValue, with Lock()", workers=2, increments=1_000, rounds=3, batch=[1, 10, 1_000]
    )
    assert [r.lost for r in results] == [0, 0, 0]


def test_run_rounds_wants_as_many_batch_sizes_as_rounds() -> None:
    with pytest.raises(ValueError, match="one batch size per round"):
        run_rounds("RawValue, with Lock()", rounds=3, batch=[1, 10])


def test_run_rounds_rejects_a_batch_size_below_one() -> None:
    with pytest.raises(ValueError, match=r"batch\[1\]"):
        run_rounds("RawValue, with Lock()", rounds=2, batch=[1, 0])


def test_increment_in_rounds_uses_each_rounds_batch_size() -> None:
    barrier, results = threading.Barrier(1), queue.Queue()
    counters = [Counter(), Counter()]
    increment_in_rounds(0, counters, [threading.Lock(), None], 7, barrier, results, batch=[3, 5])
    assert [c.value for c in counters] == [7, 7]
    assert len(results.get_nowait()[1]) == 2


def test_run_rounds_rejects_an_unknown_variant() -> None:
    with pytest.raises(ValueError, match="variant must be one of"):
        run_rounds("Value, with hope")


def test_time_increments_gives_one_sample_per_round_and_setup() -> None:
    shared = mp.RawValue("i", 0)
    setups = {"bare": (Counter(), None), "locked": (shared, mp.Lock())}
    timings = time_increments(setups, increments=200, rounds=3)
    assert list(timings) == ["bare", "locked"]
    assert all(len(t.samples) == 3 and t.best > 0 for t in timings.values())
    assert shared.value == 200 * 4  # one warm-up call, then three rounds


def test_time_increments_rejects_a_setup_that_is_not_a_pair() -> None:
    with pytest.raises(TypeError, match="setups\\['bare'\\]"):
        time_increments({"bare": Counter()})  # type: ignore[dict-item]


def test_time_increments_rejects_a_lock_without_acquire() -> None:
    with pytest.raises(TypeError, match="lock"):
        time_increments({"odd": (Counter(), object())})


def test_variants_are_the_four_documented_ones() -> None:
    assert len(VARIANTS) == 4


# ---------------------------------------------------------------------------------------------
# Deadlock
# ---------------------------------------------------------------------------------------------


def _two_thread_locks() -> dict[str, threading.Lock]:
    return {"A": threading.Lock(), "B": threading.Lock()}


def test_take_two_locks_gets_both_when_they_are_free() -> None:
    results: queue.Queue[LockReport] = queue.Queue()
    take_two_locks("w", _two_thread_locks(), ("A", "B"), results, hold=0)
    assert results.get_nowait() == LockReport("w", ("A", "B"), True)


def test_take_two_locks_reports_a_timeout_instead_of_hanging() -> None:
    locks = _two_thread_locks()
    results: queue.Queue[LockReport] = queue.Queue()
    with locks["B"]:
        take_two_locks("w", locks, ("A", "B"), results, hold=0, timeout=0.05)
    assert results.get_nowait().got_both is False
    assert not locks["A"].locked()


def test_take_two_locks_reports_failure_when_the_start_barrier_breaks() -> None:
    start = threading.Barrier(2)
    start.abort()
    results: queue.Queue[LockReport] = queue.Queue()
    take_two_locks("w", _two_thread_locks(), ("A", "B"), results, hold=0, start=start)
    assert results.get_nowait().got_both is False


def test_take_two_locks_rejects_an_unknown_lock_name() -> None:
    with pytest.raises(ValueError, match="'C'"):
        take_two_locks("w", _two_thread_locks(), ("A", "C"), queue.Queue())


def test_take_two_locks_rejects_the_same_lock_twice() -> None:
    with pytest.raises(ValueError, match="two different locks"):
        take_two_locks("w", _two_thread_locks(), ("A", "A"), queue.Queue())


def test_take_two_locks_rejects_an_order_that_is_a_string() -> None:
    with pytest.raises(ValueError, match="order must be two lock names"):
        take_two_locks("w", _two_thread_locks(), "AB", queue.Queue())


def test_take_two_locks_rejects_a_worker_name_that_is_not_a_string() -> None:
    with pytest.raises(TypeError, match="worker"):
        take_two_locks(1, _two_thread_locks(), ("A", "B"), queue.Queue())  # type: ignore[arg-type]


def test_run_lock_workers_with_opposite_orders_deadlocks_and_both_time_out() -> None:
    reports = run_lock_workers({"w1": ("A", "B"), "w2": ("B", "A")}, timeout=0.2, synchronised=True)
    assert [r.got_both for r in reports] == [False, False]


def test_run_lock_workers_with_one_order_lets_both_finish() -> None:
    reports = run_lock_workers({"w2": ("A", "B"), "w1": ("A", "B")}, hold=0.01, timeout=5)
    assert [(r.worker, r.got_both) for r in reports] == [("w1", True), ("w2", True)]


def test_run_lock_workers_rejects_an_order_naming_one_lock_twice() -> None:
    with pytest.raises(ValueError, match="two different lock names"):
        run_lock_workers({"w1": ("A", "A")})


def test_run_lock_workers_rejects_empty_orders() -> None:
    with pytest.raises(TypeError, match="orders"):
        run_lock_workers({})


# ---------------------------------------------------------------------------------------------
# Semaphore, Event
# ---------------------------------------------------------------------------------------------


def test_use_a_slot_reports_the_interval_it_held_a_slot() -> None:
    results: queue.Queue[tuple[int, tuple[float, float] | None]] = queue.Queue()
    use_a_slot(2, threading.Semaphore(1), threading.Barrier(1), results, hold=0.01)
    worker, interval = results.get_nowait()
    assert worker == 2 and interval is not None and interval[0] <= interval[1]


def test_use_a_slot_reports_none_when_the_others_never_arrive() -> None:
    results: queue.Queue[tuple[int, tuple[float, float] | None]] = queue.Queue()
    use_a_slot(0, threading.Semaphore(1), threading.Barrier(2), results, hold=0, wait=0.01)
    assert results.get_nowait() == (0, None)


def test_use_a_slot_rejects_a_ready_signal_without_wait() -> None:
    with pytest.raises(TypeError, match="ready must have a wait"):
        use_a_slot(0, threading.Semaphore(1), object(), queue.Queue())


def test_semaphore_of_two_lets_at_most_two_processes_hold_a_slot() -> None:
    slots, ready, results = mp.Semaphore(2), mp.Barrier(4), mp.Queue()
    processes = [
        mp.Process(target=use_a_slot, args=(n, slots, ready, results, 0.05)) for n in range(4)
    ]
    for process in processes:
        process.start()
    intervals = [results.get(timeout=30)[1] for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert None not in intervals
    assert max_overlap(intervals) <= 2


def test_count_until_stopped_stops_when_the_event_is_set() -> None:
    stop, results = mp.Event(), mp.Queue()
    process = mp.Process(target=count_until_stopped, args=(stop, results))
    process.start()
    stop.set()
    ticks, stopped = results.get(timeout=30)
    process.join(timeout=30)
    assert stopped and ticks >= 0 and process.exitcode == 0


def test_count_until_stopped_gives_up_after_wait_seconds() -> None:
    results: queue.Queue[tuple[int, bool]] = queue.Queue()
    count_until_stopped(threading.Event(), results, tick=0.01, wait=0.05)
    ticks, stopped = results.get_nowait()
    assert not stopped and ticks >= 1


def test_count_until_stopped_rejects_a_negative_tick() -> None:
    with pytest.raises(ValueError, match="tick"):
        count_until_stopped(threading.Event(), queue.Queue(), tick=-1)


def test_max_overlap_counts_intervals_covering_one_moment() -> None:
    assert max_overlap([(0, 2), (1, 3), (1.5, 4)]) == 3


def test_max_overlap_does_not_count_intervals_that_only_touch() -> None:
    assert max_overlap([(0, 1), (1, 2)]) == 1


# ---------------------------------------------------------------------------------------------
# Threads
# ---------------------------------------------------------------------------------------------


def test_widened_increment_with_a_lock_loses_nothing_in_threads() -> None:
    assert run_threads(widened_increment, Counter(), 3, 200, lock=threading.Lock()) == 0


def test_widened_increment_without_a_lock_never_counts_more_than_expected() -> None:
    lost = run_threads(widened_increment, Counter(), 3, 200)
    assert 0 <= lost <= 600


def test_widened_increment_rejects_bad_increments() -> None:
    with pytest.raises(TypeError, match="increments"):
        widened_increment(Counter(), "10")  # type: ignore[arg-type]


def test_run_threads_rejects_a_target_that_is_not_callable() -> None:
    with pytest.raises(TypeError, match="target"):
        run_threads("increment", Counter(), 2, 10)  # type: ignore[arg-type]


def test_run_threads_counts_lost_updates_from_the_starting_value() -> None:
    assert run_threads(increment, Counter(50), 2, 10, lock=threading.Lock()) == 0

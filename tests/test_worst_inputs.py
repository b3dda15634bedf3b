"""Issue 8, section 4: the worst bad inputs found by the sweep, each refused before it can harm.

Every case here once crashed the interpreter, hung, left a worker running or a lock held, or
answered "Correct!" to nonsense. Each test states what must hold now: a ``TypeError`` or
``ValueError`` naming the argument, raised *before* anything is started, attached, taken or
changed; and for the checks, a "Not yet" verdict with a hint, within the check's watchdog.
"""

from __future__ import annotations

import inspect
import math
import multiprocessing as mp
import queue
import threading
import time
from typing import Any

import pytest

import helpers.checks.benchmark as checks_benchmark
import helpers.checks.dask_tools as checks_dask_tools
import helpers.checks.failures as checks_failures
import helpers.checks.fractal as checks_fractal
import helpers.checks.locks as checks_locks
import helpers.checks.own_modules as checks_own_modules
import helpers.checks.pools as checks_pools
import helpers.checks.porting as checks_porting
import helpers.checks.processes as checks_processes
import helpers.checks.queues as checks_queues
import helpers.checks.sharing as checks_sharing
import helpers.checks.waiting as checks_waiting
import helpers.locks as locks
from helpers import overheads
from helpers._validate import MAX_WORKERS, require_has, require_int, require_number
from helpers.benchmark import fair_race, io_race, parallel_sum, scaling, warm_up
from helpers.checks import Verdict
from helpers.checks.recording import call_with_timeout
from helpers.gil import MAX_STEPS, busy_intervals, most_overlapping, timelines
from helpers.sharing import Point, move_point, scale_shared_rows, sum_shared
from helpers.timing import efficiency, fit_amdahl, format_ratio, format_seconds, speedup
from helpers.workers import nap

NAN, INF = float("nan"), float("inf")
NO_SEGMENT = "psm_no_such_segment_issue8"  # never created: attaching to it would fail


def _children() -> set[int]:
    return {p.pid for p in mp.active_children() if p.pid is not None}


# --- the validators ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [NAN, INF, -INF])
def test_require_number_refuses_nan_and_infinity_by_default(value: float) -> None:
    with pytest.raises(ValueError, match="seconds must be a finite number"):
        require_number("seconds", value)


def test_require_number_lets_infinity_through_on_request_but_never_nan() -> None:
    assert require_number("limit", INF, allow_infinity=True) == INF
    with pytest.raises(ValueError, match="limit"):
        require_number("limit", NAN, allow_infinity=True)


def test_require_number_and_require_int_check_a_maximum() -> None:
    with pytest.raises(ValueError, match="hold must be <= 10"):
        require_number("hold", 11, maximum=10)
    with pytest.raises(ValueError, match="workers must be <= "):
        require_int("workers", 10**12, maximum=64)


def test_require_has_names_the_argument_the_methods_and_an_example() -> None:
    with pytest.raises(TypeError) as caught:
        require_has("queue", object(), "put", "get", example="e.g. a queue.Queue")
    message = str(caught.value)
    assert message.startswith("queue must have put() and get() methods (e.g. a queue.Queue)")
    assert require_has("queue", [], "append") == []


def test_max_workers_is_sane() -> None:
    assert 64 <= MAX_WORKERS <= 4096


# --- sum_shared and object dtypes ---------------------------------------------------------


@pytest.mark.parametrize(
    "dtype", ["object", object, "U5", "S3", "V8", "datetime64[s]", "timedelta64[s]",
              [("x", "f8"), ("y", "f8")], "(2,)f8"],
)
def test_sum_shared_refuses_non_numeric_dtypes_before_attaching(dtype: Any) -> None:
    # Attaching first would raise FileNotFoundError: the dtype must be judged before that.
    with pytest.raises(ValueError, match="dtype must be a numeric NumPy dtype"):
        sum_shared(NO_SEGMENT, (4,), dtype)
    with pytest.raises(ValueError, match="dtype"):
        scale_shared_rows(NO_SEGMENT, (4,), dtype, 0, 1, 2.0)


@pytest.mark.parametrize("dtype", [None, "no-such-type", 3.5])
def test_sum_shared_refuses_what_is_not_a_dtype(dtype: Any) -> None:
    with pytest.raises(TypeError, match="dtype must name a NumPy dtype"):
        sum_shared(NO_SEGMENT, (4,), dtype)


@pytest.mark.parametrize("dtype", ["float64", "int32", "uint8", "bool", "complex128", "<f8"])
def test_sum_shared_still_accepts_numeric_dtypes(dtype: str) -> None:
    with pytest.raises(FileNotFoundError):  # got as far as attaching
        sum_shared(NO_SEGMENT, (4,), dtype)


def test_overheads_uses_the_checked_sum_shared() -> None:
    assert overheads.sum_shared is sum_shared


# --- move_point and notes_job: nothing changes before every argument is checked --------------


def test_move_point_moves_nothing_when_dy_is_bad() -> None:
    point = Point(1.0, 2.0)
    with pytest.raises(TypeError, match="dy"):
        move_point(point, 1.0, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="dy"):
        move_point(point, 1.0, NAN)
    assert (point.x, point.y) == (1.0, 2.0)


@pytest.mark.parametrize("job", [locks.notes_job, locks.guarded_job])
@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"repeats": -1}, ValueError, "repeats"),
        ({"repeats": 10**12}, ValueError, "repeats"),
        ({"repeats": "5"}, TypeError, "repeats"),
        ({"fail_after": 0}, ValueError, "fail_after"),
        ({"fail_after": 1.5}, TypeError, "fail_after"),
    ],
)
def test_lock_jobs_check_every_argument_before_taking_the_lock(
    job: Any, kwargs: dict[str, Any], error: type[Exception], name: str
) -> None:
    counter, lock = locks.Counter(), threading.Lock()
    with pytest.raises(error, match=name):
        job(counter, 1, lock, **kwargs)
    assert lock.acquire(blocking=False), "the lock was left held"
    lock.release()
    assert counter.value == 0


# --- run_lock_workers ------------------------------------------------------------------------

OPPOSITE = {"w1": ("A", "B"), "w2": ("B", "A")}


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"hold": None}, TypeError, "hold"),
        ({"hold": NAN}, ValueError, "hold"),
        ({"hold": -1}, ValueError, "hold"),
        ({"timeout": 10**9}, ValueError, "timeout"),
        ({"timeout": INF}, ValueError, "timeout"),
        ({"timeout": "1"}, TypeError, "timeout"),
        ({"synchronised": "yes"}, TypeError, "synchronised"),
    ],
)
def test_run_lock_workers_checks_arguments_before_any_process_starts(
    kwargs: dict[str, Any], error: type[Exception], name: str
) -> None:
    before = _children()
    started = time.monotonic()
    with pytest.raises(error, match=name):
        locks.run_lock_workers(OPPOSITE, **kwargs)
    assert time.monotonic() - started < 5.0  # refused at once, not after a run
    assert _children() == before


@pytest.mark.parametrize(
    ("orders", "error"),
    [
        (None, TypeError),
        ([("A", "B")], TypeError),
        ({"w1": None}, TypeError),
        ({"w1": "AB"}, TypeError),
        ({"w1": ("A",)}, ValueError),
        ({"w1": ("A", "B", "C")}, ValueError),
        ({"w1": (1, 2)}, ValueError),
        ({1: ("A", "B")}, TypeError),
        ({f"w{n}": ("A", "B") for n in range(MAX_WORKERS + 1)}, ValueError),
    ],
)
def test_run_lock_workers_checks_the_shape_of_orders(orders: Any, error: type[Exception]) -> None:
    before = _children()
    with pytest.raises(error, match="orders"):
        locks.run_lock_workers(orders)
    assert _children() == before


def test_take_two_locks_caps_its_waits_too() -> None:
    with pytest.raises(ValueError, match="timeout"):
        two = {"A": mp.Lock(), "B": mp.Lock()}
        locks.take_two_locks("w", two, ("A", "B"), mp.SimpleQueue(), 0, 10**6)


_REAL_QUEUE = mp.Queue


class _InterruptedQueue:
    """A results queue whose get() raises KeyboardInterrupt: Ctrl-C while the parent waits."""

    def __init__(self) -> None:
        self._queue = _REAL_QUEUE()

    def put(self, item: Any) -> None:
        self._queue.put(item)

    def get(self, timeout: float | None = None) -> Any:
        raise KeyboardInterrupt


def test_an_interrupted_run_lock_workers_leaves_no_worker_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Deadlocked workers that wait the longest timeout allowed: they must not outlive the call.
    monkeypatch.setattr(locks.mp, "Queue", _InterruptedQueue)
    before = _children()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        locks.run_lock_workers(OPPOSITE, timeout=locks.MAX_LOCK_WAIT, synchronised=True)
    assert _children() == before
    assert time.monotonic() - started < locks.MAX_LOCK_WAIT


def test_an_interrupted_run_rounds_leaves_no_worker_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(locks.mp, "Queue", _InterruptedQueue)
    before = _children()
    with pytest.raises(KeyboardInterrupt):
        locks.run_rounds("RawValue, no lock", workers=2, increments=locks.MAX_INCREMENTS, rounds=1)
    assert _children() == before


# --- worker counts and sizes that would run for hours ---------------------------------------


def _refused_at_once(call: Any, error: type[Exception], name: str) -> None:
    before, started = _children(), time.monotonic()
    with pytest.raises(error, match=name):
        call()
    assert time.monotonic() - started < 5.0, "it ran something before refusing"
    assert _children() == before


def test_fair_race_refuses_a_trillion_workers_before_starting_any() -> None:
    context = mp.get_context()
    _refused_at_once(lambda: fair_race(1000, 10**12, context), ValueError, "workers")
    _refused_at_once(lambda: fair_race(1000, 2, None), TypeError, "context")  # type: ignore[arg-type]
    _refused_at_once(lambda: fair_race(10**12, 2, context), ValueError, "n must be")
    _refused_at_once(lambda: fair_race(1000, 2, context, repeat=10**12), ValueError, "repeat")


def test_scaling_refuses_absurd_worker_counts_before_starting_any() -> None:
    context = mp.get_context()
    _refused_at_once(lambda: scaling(1000, [1, 10**12], context), ValueError, "worker_counts")
    _refused_at_once(lambda: scaling(1000, [0], context), ValueError, "worker_counts")
    _refused_at_once(lambda: scaling(1000, None, context), TypeError, "worker_counts")  # type: ignore[arg-type]
    _refused_at_once(lambda: scaling(1000, [2], "spawn"), TypeError, "context")  # type: ignore[arg-type]


def test_run_rounds_refuses_a_trillion_increments_before_starting_any() -> None:
    _refused_at_once(
        lambda: locks.run_rounds("RawValue, no lock", increments=10**12), ValueError, "increments"
    )
    _refused_at_once(
        lambda: locks.run_rounds("RawValue, no lock", workers=10**12), ValueError, "workers"
    )


def test_gil_timelines_refuse_a_trillion_steps_before_starting_any() -> None:
    _refused_at_once(lambda: timelines("processes", steps=10**12), ValueError, "steps")
    _refused_at_once(lambda: timelines("processes", workers=10**12), ValueError, "workers")
    _refused_at_once(lambda: most_overlapping("processes", steps=10**12), ValueError, "steps")
    _refused_at_once(lambda: busy_intervals(steps=MAX_STEPS + 1), ValueError, "steps")


def test_io_race_refuses_a_wait_of_hours() -> None:
    _refused_at_once(lambda: io_race(10, 2, 10**6), ValueError, "seconds")


# --- NaN, infinity and duck-typed arguments ---------------------------------------------------


def test_nap_and_speedup_refuse_nan_and_infinity() -> None:
    for value in (NAN, INF):
        with pytest.raises(ValueError, match="seconds"):
            nap(value)
        with pytest.raises(ValueError, match="serial_seconds"):
            speedup(value, 1.0)
        with pytest.raises(ValueError, match="parallel_seconds"):
            speedup(1.0, value)
        with pytest.raises(ValueError, match="serial_seconds"):
            efficiency(value, 1.0, 2)
    with pytest.raises(ValueError, match="speedups"):
        fit_amdahl([1, 2], [1.0, NAN])


def test_formatting_still_shows_infinity() -> None:
    assert format_seconds(INF) == "inf s"
    assert format_ratio(INF) == "infx"
    with pytest.raises(ValueError, match="ratio"):
        format_ratio(NAN)


def test_duck_typed_arguments_are_checked_with_a_clear_message() -> None:
    with pytest.raises(TypeError, match=r"pool must have a map_async\(\) method"):
        warm_up(None, 2)
    with pytest.raises(TypeError, match=r"mapper must have a map\(\) method"):
        parallel_sum(None, 10, 2)
    with pytest.raises(TypeError, match=r"pool must have a map\(\) method"):
        overheads.pool_task_overhead(None, 10, 1)
    with pytest.raises(TypeError, match=r"pool must have an apply\(\) method"):
        overheads.send_bytes_to_child(None, 10)
    with pytest.raises(TypeError, match="workers must be a list"):
        fit_amdahl(None, [1.0])  # type: ignore[arg-type]


# --- the checks ----------------------------------------------------------------------------

CHECK_MODULES = (
    checks_benchmark, checks_locks, checks_pools, checks_processes, checks_queues, checks_sharing,
    checks_own_modules, checks_porting, checks_waiting, checks_failures, checks_dask_tools,
    checks_fractal,
)
CHECKS = [
    function
    for module in CHECK_MODULES
    for name, function in sorted(vars(module).items())
    if name.startswith("check_") and inspect.isfunction(function)
    and function.__module__ == module.__name__
]
ABSURD = [None, 0, -1, 10**12, 10**400, NAN, INF, "", "x", [], {}, (), [None], {None: None},
          object()]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_every_check_says_not_yet_with_a_hint_to_absurd_answers(check: Any) -> None:
    required = [
        parameter
        for parameter in inspect.signature(check).parameters.values()
        if parameter.default is inspect.Parameter.empty
    ]
    for position in range(len(required)):
        for absurd in ABSURD:
            answers = [absurd if k == position else None for k in range(len(required))]
            outcome = call_with_timeout(check, answers, 10.0)
            assert outcome.finished, (check.__name__, absurd)
            assert outcome.error is None, (check.__name__, absurd, outcome.error)
            verdict = outcome.value
            assert isinstance(verdict, Verdict) and not verdict.ok, (check.__name__, absurd)
            assert verdict.hint not in ("", "ok", "not-yet"), (check.__name__, absurd)


WATCHED = [check for check in CHECKS if "timeout" in inspect.signature(check).parameters]


@pytest.mark.parametrize("check", WATCHED, ids=lambda check: check.__name__)
@pytest.mark.parametrize("timeout", [None, NAN, INF, -1, 0, 10**12, "20"])
def test_a_check_refuses_a_watchdog_that_could_wait_forever(check: Any, timeout: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="timeout"):
        check(lambda *args: None, timeout=timeout)


def test_no_lost_updates_never_says_correct_to_nonsense() -> None:
    verdict = checks_locks.check_no_lost_updates(lambda counter: None)
    assert not verdict.ok and verdict.hint == "not-started"


@pytest.mark.parametrize(
    "orders",
    [
        None,
        {"worker 1": (1, "A"), "worker 2": ("B", "C"), "worker 3": ("A", "C")},
        {"worker 1": (None, None), "worker 2": ("B", "C"), "worker 3": ("A", "C")},
        {"worker 1": ([1], "A"), "worker 2": ("B", "C"), "worker 3": ("A", "C")},
        {"worker 1": "AB", "worker 2": ("B", "C"), "worker 3": ("A", "C")},
    ],
)
def test_check_lock_orders_answers_not_yet_to_odd_orders(orders: Any) -> None:
    verdict = checks_locks.check_lock_orders(orders, None)  # type: ignore[arg-type]
    assert not verdict.ok and verdict.hint in ("wrong-type", "not-a-pair")


def test_check_amdahl_answers_not_yet_to_a_number_too_large_for_a_float() -> None:
    verdict = checks_benchmark.check_amdahl(10**400, 5.9, 20)
    assert not verdict.ok and verdict.hint == "too-large"


@pytest.fixture
def release() -> Any:
    """An event a hanging learner's function waits for; set after the test, so it ends."""
    event = threading.Event()
    yield event
    event.set()


def test_check_split_has_a_watchdog(monkeypatch: pytest.MonkeyPatch, release: Any) -> None:
    monkeypatch.setattr(checks_benchmark, "SPLIT_TIMEOUT", 0.5)
    started = time.monotonic()
    verdict = checks_benchmark.check_split(lambda n, parts: release.wait(60))
    assert not verdict.ok and verdict.hint == "hangs"
    assert time.monotonic() - started < 5


def test_check_split_still_names_the_case_that_raises() -> None:
    def my_split(n: int, parts: int) -> list[tuple[int, int]]:
        if n == 0:
            raise ZeroDivisionError("no work")
        return [(i * n // parts, (i + 1) * n // parts) for i in range(parts)]

    verdict = checks_benchmark.check_split(my_split)
    assert not verdict.ok and verdict.hint == "raises" and "my_split(0, 2)" in verdict.message


def test_check_square_all_has_a_watchdog(monkeypatch: pytest.MonkeyPatch, release: Any) -> None:
    monkeypatch.setattr(checks_pools, "CHECK_TIMEOUT", 0.5)
    started = time.monotonic()
    verdict = checks_pools.check_square_all(lambda pool, numbers: release.wait(60))
    assert not verdict.ok and verdict.hint == "hangs"
    assert time.monotonic() - started < 5


def test_a_hung_learner_thread_cannot_keep_python_alive(release: Any) -> None:
    outcome = call_with_timeout(release.wait, (60,), 0.2)
    assert not outcome.finished
    learner = [t for t in threading.enumerate() if t.name == "learner-code-under-check"]
    assert learner and all(thread.daemon for thread in learner)


def test_call_with_timeout_refuses_to_wait_forever() -> None:
    for timeout in (None, NAN, INF, 0):
        with pytest.raises((TypeError, ValueError), match="timeout"):
            call_with_timeout(print, (), timeout)  # type: ignore[arg-type]
    assert math.isfinite(checks_benchmark.SPLIT_TIMEOUT)


# --- lists of records, intervals and rows; clocks; sizes that would never end ---------------


def test_lists_of_records_intervals_and_rows_are_checked_by_name() -> None:
    from helpers import benchmark, gil, pools
    from helpers.sharing import fits_everywhere

    cases = [
        (lambda: pools.makespan(-1), TypeError, "records"),
        (lambda: pools.label_workers([1]), TypeError, r"records\[0\]"),
        (lambda: benchmark.makespan("x"), TypeError, "records"),
        (lambda: benchmark.timeline_rows([(1, 2.0)]), TypeError, r"records\[0\]"),
        (lambda: locks.max_overlap("x"), TypeError, "intervals"),
        (lambda: locks.max_overlap([(0, 1, 2)]), TypeError, r"intervals\[0\]"),
        (lambda: gil.overlap_fraction("x"), TypeError, "rows"),
        (lambda: gil.overlap_fraction({"a": [(0,)]}), TypeError, "rows"),
        (lambda: benchmark.cpu_snapshot("x"), TypeError, "pids"),
        (lambda: fits_everywhere("i", -1), TypeError, "values"),
    ]
    for call, error, name in cases:
        with pytest.raises(error, match=name):
            call()


def test_clocks_and_round_counts_are_checked_before_anything_runs() -> None:
    from helpers import benchmark, pools, queues

    ran: list[int] = []
    contestants = {"a": lambda: ran.append(1)}
    for call in (benchmark.take_turns, pools.time_in_turns):
        with pytest.raises(TypeError, match="clock"):
            call(contestants, rounds=1, clock="x")
        with pytest.raises(ValueError, match="rounds"):
            call(contestants, rounds=10**12)
    with pytest.raises(TypeError, match="clock"):
        queues.compare_round_trips({"q": queue.Queue()}, [1], clock=None)
    assert ran == []


def test_sizes_that_would_never_end_are_refused() -> None:
    from helpers import pools, workers

    with pytest.raises(ValueError, match="n must be"):
        parallel_sum(type("Mapper", (), {"map": map})(), 10**12, 2)
    with pytest.raises(ValueError, match="size"):
        pools.load_lookup_table(10**12)
    with pytest.raises(ValueError, match="n must be"):
        workers.sum_of_range(10**12)
    with pytest.raises(ValueError, match="seconds"):
        nap(10**12)

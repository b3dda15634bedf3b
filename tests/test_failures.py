"""Tests for chapter 08's helpers: helpers.failures, helpers.worker_logging, helpers.stopping.

The checks are tested in test_checks_failures.py.
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing as mp
import pickle
import queue
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import psutil
import pytest

from helpers.failures import (
    CRASHES_FOR,
    RAISES_FOR,
    leaky_task,
    outcome_text,
    parse_reading,
    risky_task,
    stable_name,
    with_context,
)
from helpers.stopping import (
    SENTINEL,
    consume,
    consume_until_set,
    consume_with_dump,
    dumped_threads,
    nap_with_cleanup,
    py_spy_dump,
    wait_for_file,
    where_waiting,
)
from helpers.worker_logging import (
    LOGGER_NAME,
    RecordList,
    describe_record,
    logged_square,
    send_logs_to,
)

# --- helpers.failures --------------------------------------------------------------------------


def test_with_context_adds_one_note_naming_the_task_and_the_input() -> None:
    with pytest.raises(ValueError) as caught:
        with_context(parse_reading, 5, "n/a")
    assert caught.value.__notes__ == ["task 5: parse_reading('n/a')"]


def test_the_note_survives_pickling_as_a_pool_sends_it() -> None:
    try:
        with_context(parse_reading, 1, "x")
    except ValueError as error:
        copy = pickle.loads(pickle.dumps(error))
    assert copy.__notes__ == ["task 1: parse_reading('x')"]


def test_with_context_passes_a_result_through_unchanged() -> None:
    assert with_context(parse_reading, 0, "2.5") == 2.5


def test_risky_task_refuses_to_end_the_main_process() -> None:
    with pytest.raises(RuntimeError, match="would end this process"):
        risky_task(CRASHES_FOR)


def test_risky_task_raises_for_its_unlucky_input() -> None:
    with pytest.raises(ValueError, match="unlucky"):
        risky_task(RAISES_FOR)


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_risky_task_kills_a_worker_and_breaks_an_executor() -> None:
    with ProcessPoolExecutor(max_workers=1) as executor:
        future = executor.submit(risky_task, CRASHES_FOR)
        with pytest.raises(BrokenProcessPool):
            future.result(timeout=30)


def test_leaky_task_holds_one_more_entry_per_call() -> None:
    first = leaky_task(0)
    assert leaky_task(1) == first + 1


@pytest.mark.parametrize(
    ("name", "stable"),
    [("SpawnPoolWorker-12", "PoolWorker"), ("ForkPoolWorker-1", "PoolWorker"),
     ("ForkServerPoolWorker-3", "PoolWorker"), ("SpawnProcess-2", "Process"),
     ("Process-4", "Process"), ("MainProcess", "MainProcess"), ("consumer", "consumer")],
)
def test_stable_name_drops_the_start_method_and_the_number(name: str, stable: str) -> None:
    assert stable_name(name) == stable


def test_outcome_text_names_exceptions_by_type() -> None:
    assert outcome_text(KeyError("id")) == "KeyError: 'id'"
    assert outcome_text(2.5) == "2.5"


# --- helpers.worker_logging ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_records_from_pool_workers_reach_one_listener_and_name_their_process() -> None:
    log_queue = mp.Queue()
    keeper = RecordList()
    listener = logging.handlers.QueueListener(log_queue, keeper)
    listener.start()
    try:
        with mp.Pool(2, initializer=send_logs_to, initargs=(log_queue,)) as pool:
            assert pool.map_async(logged_square, [1, 2, 3]).get(timeout=30) == [1, 4, 9]
            pool.close()  # workers that end normally send their last records;
            pool.join()  # terminate(), at the end of the with-block, may lose them
    finally:
        listener.stop()
    lines = sorted(describe_record(record) for record in keeper.records)
    assert lines == [f"PoolWorker INFO squared {x}: {x * x}" for x in (1, 2, 3)]


def test_send_logs_to_replaces_the_handlers_and_does_not_propagate() -> None:
    logger = logging.getLogger(LOGGER_NAME)
    saved = (list(logger.handlers), logger.level, logger.propagate)
    try:
        first, second = queue.Queue(), queue.Queue()
        send_logs_to(first)
        send_logs_to(second)
        logged_square(3)
        assert first.empty() and second.get_nowait().getMessage() == "squared 3: 9"
        assert logger.propagate is False
    finally:
        logger.handlers[:] = saved[0]
        logger.setLevel(saved[1])
        logger.propagate = saved[2]


def test_send_logs_to_refuses_an_odd_level() -> None:
    with pytest.raises(ValueError, match="level"):
        send_logs_to(queue.Queue(), level=99)


# --- helpers.stopping -------------------------------------------------------------------------


def test_consume_stops_at_the_sentinel_after_every_task() -> None:
    inbox, outbox = queue.Queue(), queue.Queue()
    for item in (1, 2, 3, SENTINEL, 4):
        inbox.put(item)
    assert consume(inbox, outbox, patience=1) == 3
    assert [outbox.get_nowait() for _ in range(3)] == [1, 4, 9]
    assert inbox.get_nowait() == 4  # left for another worker


def test_consume_gives_up_when_no_task_comes() -> None:
    with pytest.raises(TimeoutError):
        consume(queue.Queue(), queue.Queue(), patience=0.05)


def test_consume_until_set_stops_when_the_event_is_set() -> None:
    inbox, outbox, stop = queue.Queue(), queue.Queue(), threading.Event()
    worker = threading.Thread(target=consume_until_set, args=(inbox, outbox, stop, 5))
    worker.start()
    inbox.put(5)
    assert outbox.get(timeout=5) == 25
    stop.set()
    worker.join(timeout=5)
    assert not worker.is_alive()


def test_nap_with_cleanup_cleans_up_when_allowed_to_finish(tmp_path: Path) -> None:
    path = tmp_path / "nap.txt"
    nap_with_cleanup(path, 0)
    assert path.read_text().split() == ["started", "cleaned", "up"]
    assert wait_for_file(path, timeout=0)


def test_wait_for_file_says_false_when_nothing_comes(tmp_path: Path) -> None:
    assert not wait_for_file(tmp_path / "never.txt", timeout=0.05)


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_a_stuck_worker_writes_where_it_waits(tmp_path: Path) -> None:
    dump = tmp_path / "stacks.txt"
    inbox, outbox = mp.Queue(), mp.Queue()
    worker = mp.Process(target=consume_with_dump, args=(inbox, outbox, dump, 0.5, 20))
    worker.start()
    try:
        inbox.put(2)
        assert outbox.get(timeout=30) == 4
        assert wait_for_file(dump, timeout=30)
        worker.join(timeout=1)  # faulthandler has written; give the write a moment
        waits = where_waiting(dump.read_text())
        assert waits == ["stopping.py: consume, waiting in queues.py: get"]
    finally:
        inbox.put(SENTINEL)
        worker.join(timeout=10)
    assert worker.exitcode == 0


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_py_spy_reads_where_a_stuck_worker_waits() -> None:
    inbox, outbox = mp.Queue(), mp.Queue()
    worker = mp.Process(target=consume, args=(inbox, outbox, 20))
    worker.start()
    try:
        inbox.put(2)
        assert outbox.get(timeout=30) == 4
        time.sleep(0.5)  # the worker is back in inbox.get()
        try:
            text = py_spy_dump(worker.pid, timeout=30)
        except RuntimeError as error:
            if "ermission" in str(error) or "ptrace" in str(error):
                pytest.skip(f"no right to read another process here: {error}")
            raise
        assert f"Process {worker.pid}" in text
        assert where_waiting(text) == ["stopping.py: consume, waiting in queues.py: Queue.get"]
    finally:
        inbox.put(SENTINEL)
        worker.join(timeout=10)
    assert worker.exitcode == 0


def test_py_spy_says_clearly_when_it_cannot_read_a_process() -> None:
    with pytest.raises(RuntimeError, match=r"py-spy could not read process \d+"):
        py_spy_dump(_a_pid_nobody_has())


def _a_pid_nobody_has() -> int:
    pid = 2**22 + 12345  # above Linux's default pid_max (2**22)
    while psutil.pid_exists(pid):
        pid += 1
    return pid


def test_dumped_threads_ignores_lines_that_are_not_frames() -> None:
    text = "Fatal Python error: x\n\nThread 0x1 (most recent call first):\n  <no Python frame>\n"
    assert dumped_threads(text) == [[]]
    assert where_waiting(text) == []


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_the_script_that_forgets_unlink_gets_the_resource_trackers_warning() -> None:
    from helpers.failures import leak_warning
    from helpers.scripts import run_script

    script = Path(__file__).resolve().parent.parent / "notebooks" / "scripts" / "forgets_unlink.py"
    run = run_script(script, timeout=30)
    assert run.returncode == 0
    assert leak_warning(run.stderr) == (
        "resource_tracker: There appear to be 1 leaked shared_memory objects to clean up at "
        "shutdown"
    )


def test_leak_warning_is_empty_without_a_warning() -> None:
    from helpers.failures import leak_warning

    assert leak_warning("Traceback (most recent call last):\n") == ""


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_an_ended_child_is_a_zombie_until_joined() -> None:
    from helpers.stopping import status_once_ended
    from helpers.workers import nap

    worker = mp.get_context("spawn").Process(target=nap, args=(0,))
    worker.start()
    try:
        assert status_once_ended(worker, timeout=30) == "zombie"
    finally:
        worker.join(timeout=30)
    assert worker.exitcode == 0

"""helpers.checks.failures: each chapter 08 check rejects the wrong answers learners give, each
with its own hint id, and accepts every right answer.

Exercise 1's answers start real pools (the task that kills its worker must die in a worker);
exercise 2's build the records a listener would hand over, or run a real pool; exercise 3's
answers are dicts.
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest

from helpers.checks import failures as checks
from helpers.checks.failures import (
    FIXES,
    LOG_INPUTS,
    WAITS,
    check_answers,
    check_collect,
    check_reports,
)
from helpers.failures import CRASHED, risky_task
from helpers.worker_logging import RecordList, logged_square, send_logs_to

pytestmark = pytest.mark.slow  # starts pools

# --- exercise 1: collect(inputs) ---------------------------------------------------------------


def pool_map(inputs):
    with mp.Pool(2) as pool:
        return dict(zip(inputs, pool.map(risky_task, inputs), strict=True))


def executor_map(inputs):
    with ProcessPoolExecutor(2) as executor:
        return dict(zip(inputs, executor.map(risky_task, inputs, timeout=20), strict=True))


def in_the_parent(inputs):
    outcomes = {}
    for x in inputs:
        try:
            outcomes[x] = risky_task(x)
        except Exception as error:
            outcomes[x] = error
    return outcomes


def futures_without_retry(inputs):
    outcomes = {}
    with ProcessPoolExecutor(2) as executor:
        futures = {executor.submit(risky_task, x): x for x in inputs}
        for future in as_completed(futures, timeout=20):
            x = futures[future]
            try:
                outcomes[x] = future.result()
            except BrokenProcessPool:
                outcomes[x] = CRASHED
            except Exception as error:
                outcomes[x] = error
    return outcomes


def get_with_timeout_storing_text(inputs):
    outcomes = {}
    with mp.Pool(2) as pool:
        pending = {x: pool.apply_async(risky_task, (x,)) for x in inputs}
        for x, result in pending.items():
            try:
                outcomes[x] = result.get(timeout=2)
            except mp.TimeoutError:
                outcomes[x] = CRASHED
            except Exception as error:
                outcomes[x] = str(error)
    return outcomes


def skips_what_failed(inputs):
    outcomes = {}
    with mp.Pool(2) as pool:
        pending = {x: pool.apply_async(risky_task, (x,)) for x in inputs}
        for x, result in pending.items():
            try:
                outcomes[x] = result.get(timeout=2)
            except Exception:
                pass
    return outcomes


def crash_stored_as_none(inputs):
    outcomes = {}
    with mp.Pool(2) as pool:
        pending = {x: pool.apply_async(risky_task, (x,)) for x in inputs}
        for x, result in pending.items():
            try:
                outcomes[x] = result.get(timeout=2)
            except mp.TimeoutError:
                outcomes[x] = None
            except Exception as error:
                outcomes[x] = error
    return outcomes


def futures_letting_broken_pool_escape(inputs):
    outcomes = {}
    with ProcessPoolExecutor(2) as executor:
        futures = {executor.submit(risky_task, x): x for x in inputs}
        for future in as_completed(futures, timeout=20):
            try:
                outcomes[futures[future]] = future.result()
            except ValueError as error:
                outcomes[futures[future]] = error
    return outcomes


def pool_never_closed(inputs):
    pool = mp.Pool(2)
    pending = {x: pool.apply_async(risky_task, (x,)) for x in inputs}
    outcomes = {}
    for x, result in pending.items():
        try:
            outcomes[x] = result.get(timeout=3)
        except mp.TimeoutError:
            outcomes[x] = CRASHED
        except Exception as error:
            outcomes[x] = error
    return outcomes


# executor.map raises the first failure in input order: 7's ValueError, or, when 13 crashed
# while 7 still ran (the usual case), BrokenProcessPool.
WRONG_COLLECT: dict[str, tuple[Callable[..., Any], str | tuple[str, ...]]] = {
    "pool.map": (pool_map, "hangs"),
    "executor.map": (executor_map, ("broken-pool", "raised")),
    "risky_task in the notebook's process": (in_the_parent, "work-in-parent"),
    "futures, no retry of what the crash took down": (futures_without_retry, "innocent-lost"),
    "str(error) stored": (get_with_timeout_storing_text, "stored-text"),
    "failures skipped": (skips_what_failed, "missing"),
    "the crash stored as None": (crash_stored_as_none, "crash-not-recorded"),
    "BrokenProcessPool not caught": (futures_letting_broken_pool_escape, "broken-pool"),
    "a pool never closed": (pool_never_closed, "left-running"),
}


def pool_with_timeouts(inputs):
    outcomes = {}
    with mp.Pool(2) as pool:
        pending = {x: pool.apply_async(risky_task, (x,)) for x in inputs}
        for x, result in pending.items():
            try:
                outcomes[x] = result.get(timeout=3)
            except mp.TimeoutError:
                outcomes[x] = CRASHED
            except Exception as error:
                outcomes[x] = error
    return outcomes


def _alone(x):
    with ProcessPoolExecutor(max_workers=1) as executor:
        try:
            return executor.submit(risky_task, x).result(timeout=20)
        except BrokenProcessPool:
            return CRASHED
        except Exception as error:
            return error


def futures_then_retry_alone(inputs):
    outcomes = {}
    with ProcessPoolExecutor(2) as executor:
        futures = {executor.submit(risky_task, x): x for x in inputs}
        done, _ = wait(futures, timeout=20)
    for future, x in futures.items():
        error = future.exception(timeout=0) if future in done else TimeoutError()
        if isinstance(error, BrokenProcessPool | TimeoutError):
            outcomes[x] = _alone(x)
        else:
            outcomes[x] = error if error is not None else future.result()
    return outcomes


def broken_pool_object_kept(inputs):
    outcomes = futures_then_retry_alone(inputs)
    return {x: BrokenProcessPool("crashed") if value == CRASHED else value
            for x, value in outcomes.items()}


RIGHT_COLLECT: dict[str, Callable[..., Any]] = {
    "Pool, apply_async, get(timeout) per task": pool_with_timeouts,
    "futures, then what broke again, each alone": futures_then_retry_alone,
    "the BrokenProcessPool object as the crash's outcome": broken_pool_object_kept,
}


@pytest.fixture
def short_watchdog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "CHECK_TIMEOUT", 4.0)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(WRONG_COLLECT))
def test_collect_rejects_a_wrong_answer_with_its_hint(name: str, short_watchdog: None) -> None:
    answer, hint = WRONG_COLLECT[name]
    verdict = check_collect(answer)
    assert not verdict.ok, name
    assert verdict.hint in ((hint,) if isinstance(hint, str) else hint), verdict.message
    assert mp.active_children() == []


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(RIGHT_COLLECT))
def test_collect_accepts_a_right_answer(name: str) -> None:
    verdict = check_collect(RIGHT_COLLECT[name])
    assert verdict.ok, f"{name}: {verdict.message}"
    assert mp.active_children() == []


def test_collect_rejects_what_is_not_a_function() -> None:
    assert check_collect(None).hint == "wrong-type"


# --- exercise 2: check_reports(reports) -----------------------------------------------------------


def _records_from_a_pool(initializer: bool = True, stop_first: bool = False) -> list[Any]:
    log_queue = mp.Queue()
    keeper = RecordList()
    listener = logging.handlers.QueueListener(log_queue, keeper)
    listener.start()
    if stop_first:
        listener.stop()
    try:
        options = {"initializer": send_logs_to, "initargs": (log_queue,)} if initializer else {}
        with ProcessPoolExecutor(max_workers=2, **options) as executor:
            list(executor.map(logged_square, LOG_INPUTS, timeout=20))
    finally:
        if not stop_first:
            listener.stop()
        log_queue.close()
        log_queue.join_thread()
    return keeper.records


def _parent_record(x: int) -> logging.LogRecord:
    return logging.makeLogRecord({"msg": "squared %r: %r", "args": (x, x * x),
                                  "processName": "MainProcess", "levelname": "INFO"})


WRONG_REPORTS: dict[str, tuple[Callable[[], Any], str]] = {
    "no initializer": (lambda: _records_from_a_pool(initializer=False), "missing"),
    "listener stopped before the pool ran": (lambda: _records_from_a_pool(stop_first=True),
                                             "missing"),
    "logged in the parent": (lambda: [_parent_record(x) for x in LOG_INPUTS],
                             "logged-in-parent"),
    "formatted text kept": (lambda: [r.getMessage() for r in _records_from_a_pool()],
                            "stored-text"),
    "the handler itself": (lambda: RecordList(), "wrong-type"),
    "one input left out": (lambda: [r for r in _records_from_a_pool()
                                    if not r.getMessage().startswith("squared 3:")], "missing"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(WRONG_REPORTS))
def test_reports_rejects_a_wrong_answer_with_its_hint(name: str) -> None:
    make, hint = WRONG_REPORTS[name]
    verdict = check_reports(make())
    assert not verdict.ok, name
    assert verdict.hint == hint, f"{name}: {verdict.message}"


@pytest.mark.timeout(60)
def test_reports_accepts_records_from_a_pool() -> None:
    verdict = check_reports(_records_from_a_pool())
    assert verdict.ok, verdict.message


@pytest.mark.timeout(60)
def test_reports_accepts_records_from_a_multiprocessing_pool_too() -> None:
    log_queue = mp.Queue()
    keeper = RecordList()
    listener = logging.handlers.QueueListener(log_queue, keeper)
    listener.start()
    try:
        with mp.Pool(2, initializer=send_logs_to, initargs=(log_queue,)) as pool:
            pool.map_async(logged_square, LOG_INPUTS).get(timeout=20)
            pool.close()  # workers that end normally send their last records;
            pool.join()  # terminate(), at the end of the with-block, may lose them
    finally:
        listener.stop()
    verdict = check_reports(tuple(keeper.records))
    assert verdict.ok, verdict.message


# --- exercise 3: check_answers(answers) ----------------------------------------------------------

RIGHT = {"worker": "inbox.get", "parent": "worker.join", "fix": "put the sentinel"}

WRONG_ANSWERS: dict[str, tuple[Any, str]] = {
    "terminate it": ({**RIGHT, "fix": "terminate the worker"}, "terminate"),
    "make it a daemon": ({**RIGHT, "fix": "daemon=True"}, "daemon"),
    "wait longer": ({**RIGHT, "fix": "a longer join timeout"}, "longer-timeout"),
    "a bigger queue": ({**RIGHT, "fix": "a bigger queue"}, "longer-timeout"),
    "worker stuck in put": ({**RIGHT, "worker": "outbox.put"}, "wrong-worker-wait"),
    "parent stuck in get": ({**RIGHT, "parent": "outbox.get"}, "wrong-parent-wait"),
    "no fix given": ({"worker": "inbox.get", "parent": "worker.join"}, "missing"),
    "free text": ({**RIGHT, "fix": "send None"}, "not-a-choice"),
    "a list": ([("worker", "inbox.get")], "wrong-type"),
}


@pytest.mark.parametrize("name", list(WRONG_ANSWERS))
def test_answers_rejects_a_wrong_answer_with_its_hint(name: str) -> None:
    answers, hint = WRONG_ANSWERS[name]
    verdict = check_answers(answers)
    assert not verdict.ok and verdict.hint == hint, f"{name}: {verdict.message}"


def test_answers_accepts_the_right_answer() -> None:
    assert check_answers(RIGHT).ok
    assert RIGHT["fix"] in FIXES and RIGHT["worker"] in WAITS and RIGHT["parent"] in WAITS


@pytest.mark.parametrize("absurd", [None, 0, "", [], {}, {None: None}, object()])
def test_every_check_says_not_yet_to_absurd_answers(absurd: Any) -> None:
    for check in (check_collect, check_reports, check_answers):
        verdict = check(absurd)
        assert not verdict.ok and verdict.hint not in ("", "ok", "not-yet"), (check, absurd)

"""Checks for the exercises of chapter 08 (when things go wrong).

* Exercise 1 calls the learner's ``collect(inputs)`` on :data:`PIPELINE_INPUTS`, where one
  task raises and one kills its worker (:func:`helpers.failures.risky_task`). It runs inside
  :func:`~helpers.checks.recording.recorded_workers` (were worker processes started?) and
  :func:`~helpers.checks.recording.call_with_timeout` (a ``pool.map`` that waits for ever
  for the lost task is stopped, not waited for); every pool it made is stopped afterwards.
* Exercise 2 receives ``reports``: the log records the learner's listener collected from a
  pool. Each must be a real ``LogRecord`` written in a worker process (its ``processName``
  is not the notebook's ``MainProcess``), one per input of :data:`LOG_INPUTS`.
* Exercise 3 receives ``answers``: which wait the stuck program's worker and parent are in,
  and the fix. It is a question of reading the dump, so the check knows the tempting wrong
  fixes (``terminate()``, ``daemon=True``, a longer time-out) and says why each is wrong.

Every verdict carries a hint id (see :mod:`helpers.checks`); the tests in
``tests/test_checks_failures.py`` list the wrong answers learners give and the id each gets.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import multiprocessing.pool
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from helpers.checks import Verdict, correct, not_yet
from helpers.checks.recording import (
    call_with_timeout,
    children_now,
    pools_made,
    recorded_workers,
    stop_new_children,
    stop_pools,
)
from helpers.failures import CRASHED, CRASHES_FOR, RAISES_FOR, risky_task

#: The inputs of exercise 1: ``risky_task`` raises for 7 and kills its worker for 13.
PIPELINE_INPUTS = (2, 3, RAISES_FOR, CRASHES_FOR, 5, 11)

#: How long the check lets the learner's ``collect`` run, in seconds.
CHECK_TIMEOUT = 30.0

#: The inputs of exercise 2.
LOG_INPUTS = (3, 4, 5, 6)

# --- exercise 1: a pipeline that survives a crash --------------------------------------------


def _still_running(before: set[int], grace: float = 1.0) -> bool:
    """Whether a process started since ``before`` is still alive ``grace`` s from now."""
    deadline = time.monotonic() + grace
    for process in mp.active_children():
        if process.pid not in before:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
    return any(process.pid not in before for process in mp.active_children())


def _crash_outcome(outcome: object) -> bool:
    return outcome == CRASHED if isinstance(outcome, str) else isinstance(
        outcome, BrokenProcessPool | mp.TimeoutError)


def expected_outcome(x: int) -> object:
    """What exercise 1 expects for input ``x``: its square, a ``ValueError``, or CRASHED."""
    if x == CRASHES_FOR:
        return CRASHED
    try:
        return risky_task(x)
    except ValueError as error:
        return error


def check_collect(collect: Callable[..., Any]) -> Verdict:
    """Exercise 1: ``collect(inputs)`` returns ``{x: outcome}`` for every input, in workers.

    The outcome is the square, the exception the task raised, or :data:`CRASHED` for the task
    whose worker died (a ``BrokenProcessPool`` or ``multiprocessing.TimeoutError`` object is
    accepted there too).
    """
    if not callable(collect):
        return not_yet(f"collect should be a function, not {type(collect).__name__}",
                       "wrong-type")
    before = children_now()
    with recorded_workers() as log, pools_made() as pools:
        outcome = call_with_timeout(collect, (PIPELINE_INPUTS,), CHECK_TIMEOUT)
    left_running = outcome.finished and _still_running(before)
    stop_pools(pools)
    stop_new_children(before)
    if not outcome.finished:
        return not_yet(f"collect(inputs) did not return within {CHECK_TIMEOUT:g} s: a task "
                       "lost with its worker never finishes, and pool.map, or .get() without "
                       "a timeout, waits for it for ever. Give every wait a timeout",
                       "hangs")
    error = outcome.error
    if isinstance(error, RuntimeError) and "would end this process" in str(error):
        return not_yet("risky_task ran in this process (the notebook's): hand it to a pool "
                       "of worker processes", "work-in-parent")
    if isinstance(error, BrokenProcessPool):
        return not_yet("BrokenProcessPool escaped from collect: catch it for each future, "
                       "and record which tasks it took down", "broken-pool")
    if error is not None:
        return not_yet(f"collect(inputs) raised {type(error).__name__}: {error}. Catch each "
                       "task's exception and store it as its outcome", "raised")
    if left_running:
        return not_yet("collect returned, but its worker processes were still running: use "
                       "the pool in a with-block (or close() and join() it) before returning",
                       "left-running")
    if not log.started("process"):
        return not_yet("no worker process was started: run risky_task in a pool",
                       "work-in-parent")
    got = outcome.value
    if not isinstance(got, Mapping):
        return not_yet(f"return a dict {{x: outcome}}, not {type(got).__name__}", "wrong-type")
    missing = [x for x in PIPELINE_INPUTS if x not in got]
    if missing:
        return not_yet(f"no outcome for {len(missing)} of the {len(PIPELINE_INPUTS)} inputs, "
                       f"e.g. {missing[0]}", "missing")
    if not _crash_outcome(got[CRASHES_FOR]):
        return not_yet(f"the task for {CRASHES_FOR} killed its worker: its outcome should be "
                       f"CRASHED (from helpers.failures), got {got[CRASHES_FOR]!r}",
                       "crash-not-recorded")
    raised = got[RAISES_FOR]
    if _crash_outcome(raised):
        return not_yet(f"the task for {RAISES_FOR} raised ValueError (its worker lived on), "
                       "but it was lost with the crashed one: run the tasks the crash took "
                       "down again, in a fresh pool", "innocent-lost")
    if isinstance(raised, str):
        return not_yet(f"outcome[{RAISES_FOR}] is the text {raised!r}: store the exception "
                       "object itself", "stored-text")
    if not isinstance(raised, ValueError):
        return not_yet(f"risky_task({RAISES_FOR}) raises ValueError: store that exception as "
                       f"its outcome, got {raised!r}", "stored-none" if raised is None
                       else "wrong-values")
    lost = [x for x in PIPELINE_INPUTS
            if x not in (RAISES_FOR, CRASHES_FOR) and _crash_outcome(got[x])]
    if lost:
        return not_yet(f"the task for {lost[0]} did nothing wrong, but it was lost with the "
                       "broken pool: run the tasks the crash took down again, in a fresh pool",
                       "innocent-lost")
    wrong = [x for x in PIPELINE_INPUTS
             if x not in (RAISES_FOR, CRASHES_FOR) and got[x] != expected_outcome(x)]
    if wrong:
        return not_yet(f"outcome[{wrong[0]}] should be {expected_outcome(wrong[0])!r}, got "
                       f"{got[wrong[0]]!r}", "wrong-values")
    return correct("every task has its outcome: the squares, the ValueError the task raised, "
                   "and CRASHED for the task that killed its worker; no wait went without a "
                   "time-out, and nothing is left running.")


# --- exercise 2: logging from a pool ----------------------------------------------------------


def check_reports(reports: Iterable[Any]) -> Verdict:
    """Exercise 2: ``reports`` holds a ``LogRecord`` from a worker for every ``LOG_INPUTS``."""
    if isinstance(reports, str | bytes | Mapping) or not isinstance(reports, Iterable):
        return not_yet(f"reports should be the list of records your handler kept "
                       f"(e.g. keeper.records), not {type(reports).__name__}", "wrong-type")
    found = list(reports)
    if not found:
        return not_yet("reports is empty: no record reached the listener. Did the workers get "
                       "the initializer send_logs_to, and was the listener started before "
                       "the tasks ran and stopped after?", "missing")
    if any(isinstance(item, str) for item in found):
        return not_yet("reports holds text: keep the LogRecord objects themselves (they say "
                       "which process wrote them)", "stored-text")
    if not all(isinstance(item, logging.LogRecord) for item in found):
        odd = next(item for item in found if not isinstance(item, logging.LogRecord))
        return not_yet(f"reports should hold logging.LogRecord objects, found "
                       f"{type(odd).__name__}", "wrong-type")
    from_workers = [record for record in found if record.processName != "MainProcess"]
    if not from_workers:
        return not_yet("every record was written by MainProcess, the notebook itself: log "
                       "inside the tasks (logged_square), in the workers", "logged-in-parent")
    messages = {record.getMessage() for record in from_workers}
    absent = [x for x in LOG_INPUTS if not any(m.startswith(f"squared {x!r}:") for m in messages)]
    if absent:
        return not_yet(f"no worker's record says it squared {absent[0]}: run logged_square on "
                       f"every input of LOG_INPUTS, and stop the listener (which hands over "
                       f"what is still queued) before reading the records", "missing")
    return correct(f"{len(from_workers)} records came from worker processes through one queue "
                   "to one listener in the notebook, each naming the process that wrote it.")


# --- exercise 3: why does it hang? -------------------------------------------------------------

#: Where a process of exercise 3's program may be waiting.
WAITS = ("inbox.get", "outbox.put", "worker.join", "outbox.get", "time.sleep")
#: What could be done about it.
FIXES = ("put the sentinel", "terminate the worker", "daemon=True", "a longer join timeout",
         "a bigger queue")


def check_answers(answers: Mapping[str, str]) -> Verdict:
    """Exercise 3: ``answers["worker"]``, ``answers["parent"]`` (from :data:`WAITS`) and
    ``answers["fix"]`` (from :data:`FIXES`)."""
    if not isinstance(answers, Mapping):
        return not_yet(f"answers should be a dict with keys 'worker', 'parent' and 'fix', not "
                       f"{type(answers).__name__}", "wrong-type")
    for key, allowed in (("worker", WAITS), ("parent", WAITS), ("fix", FIXES)):
        value = answers.get(key)
        if value not in allowed:
            return not_yet(f"answers[{key!r}] should be one of {allowed}, got {value!r}",
                           "missing" if value is None else "not-a-choice")
    if answers["worker"] != "inbox.get":
        return not_yet("read the worker's dump again: its innermost course frame is consume, "
                       "and the frame inside it is a queue's get: it waits for a task",
                       "wrong-worker-wait")
    if answers["parent"] != "worker.join":
        return not_yet("the parent has every result already; it waits in join(timeout=...) "
                       "for a worker that does not end", "wrong-parent-wait")
    fix = answers["fix"]
    if fix == "terminate the worker":
        return not_yet("terminate() ends the worker, but abruptly: its finally blocks do not "
                       "run and whatever it held is left as it was. Tell it to stop instead",
                       "terminate")
    if fix == "daemon=True":
        return not_yet("a daemon worker is only stopped when the notebook's kernel ends, and "
                       "then abruptly: the worker still waits for ever", "daemon")
    if fix in ("a longer join timeout", "a bigger queue"):
        return not_yet("the worker waits for a task that never comes: no time-out is long "
                       "enough and no queue big enough. Tell it that no task will come",
                       "longer-timeout")
    return correct("the worker waits in inbox.get for a task that will never come, and the "
                   "parent waits in join for the worker: put the sentinel (one per worker) "
                   "after the last task, and both end.")

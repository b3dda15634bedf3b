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
from helpers.language import say

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
        return not_yet(say(
            f"collect should be a function, not {type(collect).__name__}",
            f"collect 应当是一个函数，而不是 {type(collect).__name__}"), "wrong-type")
    before = children_now()
    with recorded_workers() as log, pools_made() as pools:
        outcome = call_with_timeout(collect, (PIPELINE_INPUTS,), CHECK_TIMEOUT)
    left_running = outcome.finished and _still_running(before)
    stop_pools(pools)
    stop_new_children(before)
    if not outcome.finished:
        return not_yet(say(
            f"collect(inputs) did not return within {CHECK_TIMEOUT:g} s: a task "
            "lost with its worker never finishes, and pool.map, or .get() without "
            "a timeout, waits for it for ever. Give every wait a timeout",
            f"collect(inputs) 在 {CHECK_TIMEOUT:g} 秒内没有返回：随工作进程一起丢失的任务永远不"
            "会完成，而 pool.map 或不带超时的 .get() 会永远等它。给每一次等待都加上超时"), "hangs")
    error = outcome.error
    if isinstance(error, RuntimeError) and "would end this process" in str(error):
        return not_yet(say(
            "risky_task ran in this process (the notebook's): hand it to a pool "
            "of worker processes",
            "risky_task 在本进程（笔记本的进程）里运行了：请把它交给由工作进"
            "程组成的进程池"), "work-in-parent")
    if isinstance(error, BrokenProcessPool):
        return not_yet(say(
            "BrokenProcessPool escaped from collect: catch it for each future, "
            "and record which tasks it took down",
            "BrokenProcessPool 从 collect 里漏了出来：对每个 Future 对象捕获它，"
            "并记下它拖垮了哪些任务"), "broken-pool")
    if error is not None:
        return not_yet(say(
            f"collect(inputs) raised {type(error).__name__}: {error}. Catch each "
            "task's exception and store it as its outcome",
            f"collect(inputs) 抛出了 {type(error).__name__}：{error}。请捕获每个任务的"
            "异常，并把它存为该任务的结果"), "raised")
    if left_running:
        return not_yet(say(
            "collect returned, but its worker processes were still running: use "
            "the pool in a with-block (or close() and join() it) before returning",
            "collect 已经返回，但它的工作进程还在运行：请在 with 块里使用进程池（或者先 "
            "close() 再 join()），然后再返回"), "left-running")
    if not log.started("process"):
        return not_yet(say(
            "no worker process was started: run risky_task in a pool",
            "没有启动任何工作进程：请在进程池里运行 risky_task"), "work-in-parent")
    got = outcome.value
    if not isinstance(got, Mapping):
        return not_yet(say(
            f"return a dict {{x: outcome}}, not {type(got).__name__}",
            f"请返回字典 {{x: outcome}}，而不是 {type(got).__name__}"), "wrong-type")
    missing = [x for x in PIPELINE_INPUTS if x not in got]
    if missing:
        return not_yet(say(
            f"no outcome for {len(missing)} of the {len(PIPELINE_INPUTS)} inputs, "
            f"e.g. {missing[0]}",
            f"{len(PIPELINE_INPUTS)} 个输入中有 {len(missing)} 个没有结果，例如 "
            f"{missing[0]}"), "missing")
    if not _crash_outcome(got[CRASHES_FOR]):
        return not_yet(say(
            f"the task for {CRASHES_FOR} killed its worker: its outcome should be "
            f"CRASHED (from helpers.failures), got {got[CRASHES_FOR]!r}",
            f"输入为 {CRASHES_FOR} 的任务杀死了它的工作进程：它的结果应当是 CRASHED（来自 "
            f"helpers.failures），得到的却是 {got[CRASHES_FOR]!r}"), "crash-not-recorded")
    raised = got[RAISES_FOR]
    if _crash_outcome(raised):
        return not_yet(say(
            f"the task for {RAISES_FOR} raised ValueError (its worker lived on), "
            "but it was lost with the crashed one: run the tasks the crash took "
            "down again, in a fresh pool",
            f"输入为 {RAISES_FOR} 的任务抛出了 ValueError（它的工作进程还活着），却随"
            "崩溃的那个任务一起丢失了：请在一个新的进程池里重新运行被崩溃拖垮"
            "的任务"), "innocent-lost")
    if isinstance(raised, str):
        return not_yet(say(
            f"outcome[{RAISES_FOR}] is the text {raised!r}: store the exception "
            "object itself",
            f"outcome[{RAISES_FOR}] 是文本 {raised!r}：请存入异常对象本身"), "stored-text")
    if not isinstance(raised, ValueError):
        return not_yet(say(
            f"risky_task({RAISES_FOR}) raises ValueError: store that exception as "
            f"its outcome, got {raised!r}",
            f"risky_task({RAISES_FOR}) 会抛出 ValueError：请把这"
            f"个异常存为它的结果，得到的却是 {raised!r}"), "stored-none" if raised is None
                       else "wrong-values")
    lost = [x for x in PIPELINE_INPUTS
            if x not in (RAISES_FOR, CRASHES_FOR) and _crash_outcome(got[x])]
    if lost:
        return not_yet(say(
            f"the task for {lost[0]} did nothing wrong, but it was lost with the "
            "broken pool: run the tasks the crash took down again, in a fresh pool",
            f"输入为 {lost[0]} 的任务没有做错任何事，却随损坏的进程池一起丢失了："
            "请在一个新的进程池里"
            "重新运行被崩溃拖垮的任务"), "innocent-lost")
    wrong = [x for x in PIPELINE_INPUTS
             if x not in (RAISES_FOR, CRASHES_FOR) and got[x] != expected_outcome(x)]
    if wrong:
        return not_yet(say(
            f"outcome[{wrong[0]}] should be {expected_outcome(wrong[0])!r}, got "
            f"{got[wrong[0]]!r}",
            f"outcome[{wrong[0]}] 应当是 {expected_outcome(wrong[0])!r}，得到的"
            f"却是 {got[wrong[0]]!r}"), "wrong-values")
    return correct(say(
        "every task has its outcome: the squares, the ValueError the task raised, "
        "and CRASHED for the task that killed its worker; no wait went without a "
        "time-out, and nothing is left running.",
        "每个任务都有了结果：平方数、任务抛出的 ValueError，以及杀死工作进程的那个任务的 "
        "CRASHED；没有一次等待缺少超时，也没有留下任何还在运行的东西。"))


# --- exercise 2: logging from a pool ----------------------------------------------------------


def check_reports(reports: Iterable[Any]) -> Verdict:
    """Exercise 2: ``reports`` holds a ``LogRecord`` from a worker for every ``LOG_INPUTS``."""
    if isinstance(reports, str | bytes | Mapping) or not isinstance(reports, Iterable):
        return not_yet(say(
            f"reports should be the list of records your handler kept "
            f"(e.g. keeper.records), not {type(reports).__name__}",
            "reports 应当是你的处理器（handler）保存的记录列表（例如 "
            f"keeper.records），而不是 {type(reports).__name__}"), "wrong-type")
    found = list(reports)
    if not found:
        return not_yet(say(
            "reports is empty: no record reached the listener. Did the workers get "
            "the initializer send_logs_to, and was the listener started before "
            "the tasks ran and stopped after?",
            "reports 是空的：没有任何记录到达监听器。工作进程是否拿到了初始化函数 "
            "send_logs_to？监听器是否在任务运行之前启动、之后停止？"), "missing")
    if any(isinstance(item, str) for item in found):
        return not_yet(say(
            "reports holds text: keep the LogRecord objects themselves (they say "
            "which process wrote them)",
            "reports 里存的是文本：请保留 LogRecord 对象本身（它们说明是哪个进程"
            "写的）"), "stored-text")
    if not all(isinstance(item, logging.LogRecord) for item in found):
        odd = next(item for item in found if not isinstance(item, logging.LogRecord))
        return not_yet(say(
            f"reports should hold logging.LogRecord objects, found "
            f"{type(odd).__name__}",
            "reports 里应当是 logging.LogRecord 对象，却发现了 "
            f"{type(odd).__name__}"), "wrong-type")
    from_workers = [record for record in found if record.processName != "MainProcess"]
    if not from_workers:
        return not_yet(say(
            "every record was written by MainProcess, the notebook itself: log "
            "inside the tasks (logged_square), in the workers",
            "每条记录都是 MainProcess（笔记本本身）写的：请在任务里（"
            "logged_square）、在工作进程里写日志"), "logged-in-parent")
    messages = {record.getMessage() for record in from_workers}
    absent = [x for x in LOG_INPUTS if not any(m.startswith(f"squared {x!r}:") for m in messages)]
    if absent:
        return not_yet(say(
            f"no worker's record says it squared {absent[0]}: run logged_square on "
            f"every input of LOG_INPUTS, and stop the listener (which hands over "
            f"what is still queued) before reading the records",
            f"没有哪个工作进程的记录说它计算了 {absent[0]} 的平方：请对 LOG_INPUTS 的"
            "每个输入运行 logged_square，并在读取记录之前停止监听器（它会交出还在队"
            "列里的记录）"), "missing")
    return correct(say(
        f"{len(from_workers)} records came from worker processes through one queue "
        "to one listener in the notebook, each naming the process that wrote it.",
        f"{len(from_workers)} 条记录来自工作进程，经由一个队列到达笔记本里的一个监听器，每条都"
        "写明了是哪个进程写的。"))


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
        return not_yet(say(
            f"answers should be a dict with keys 'worker', 'parent' and 'fix', not "
            f"{type(answers).__name__}",
            "answers 应当是一个含有键 'worker'、'parent' 和 'fix' 的字典，而不是 "
            f"{type(answers).__name__}"), "wrong-type")
    for key, allowed in (("worker", WAITS), ("parent", WAITS), ("fix", FIXES)):
        value = answers.get(key)
        if value not in allowed:
            return not_yet(say(
                f"answers[{key!r}] should be one of {allowed}, got {value!r}",
                f"answers[{key!r}] 应当是 {allowed} 之一，得到的却是 {value!r}"),
                           "missing" if value is None else "not-a-choice")
    if answers["worker"] != "inbox.get":
        return not_yet(say(
            "read the worker's dump again: its innermost course frame is consume, "
            "and the frame inside it is a queue's get: it waits for a task",
            "再读一遍工作进程的转储：它最内层的课程帧是 consume，而其中的那一帧是队列的 get："
            "它在等一个任务"), "wrong-worker-wait")
    if answers["parent"] != "worker.join":
        return not_yet(say(
            "the parent has every result already; it waits in join(timeout=...) "
            "for a worker that does not end",
            "父进程已经拿到了所有结果；它在 join(timeout=...) 里等一个不会"
            "结束的工作进程"), "wrong-parent-wait")
    fix = answers["fix"]
    if fix == "terminate the worker":
        return not_yet(say(
            "terminate() ends the worker, but abruptly: its finally blocks do not "
            "run and whatever it held is left as it was. Tell it to stop instead",
            "terminate() 会结束工作进程，但很粗暴：它的 finally 块不会运行，它持有的东西都原样"
            "留下。请改为告诉它停下"), "terminate")
    if fix == "daemon=True":
        return not_yet(say(
            "a daemon worker is only stopped when the notebook's kernel ends, and "
            "then abruptly: the worker still waits for ever",
            "守护进程（daemon）形式的工作进程只在笔记本的内核结束时才被停止，而且是粗"
            "暴地停止：工作进程仍然永远在等"), "daemon")
    if fix in ("a longer join timeout", "a bigger queue"):
        return not_yet(say(
            "the worker waits for a task that never comes: no time-out is long "
            "enough and no queue big enough. Tell it that no task will come",
            "工作进程在等一个永远不会来的任务：再长的超时、再大的队列都不够。请告诉它不会再有"
            "任务了"), "longer-timeout")
    return correct(say(
        "the worker waits in inbox.get for a task that will never come, and the "
        "parent waits in join for the worker: put the sentinel (one per worker) "
        "after the last task, and both end.",
        "工作进程在 inbox.get 里等一个永远不会来的任务，父进程在 join 里等这个工作进程：在最后"
        "一个任务之后放入哨兵（每个工作进程一个），两者就都会结束。"))

"""Checks for the exercises of chapter 02 (returning results through a queue)."""

from __future__ import annotations

import multiprocessing as mp
import threading
from collections.abc import Callable, Sequence
from typing import Any

from helpers.checks import Verdict, correct, not_yet
from helpers.queues import list_of_squares
from helpers.workers import sum_of_range

#: Exercise 1: one worker per size; worker ``i`` sleeps ``DELAYS[i]`` before it reports, so the
#: first worker started is the last to finish.
SIZES = (300, 10, 4000, 50, 700)
DELAYS = (0.2, 0.15, 0.1, 0.05, 0.0)

#: Exercise 2: each result pickles to hundreds of kilobytes, far more than a pipe holds.
BIG_SIZES = (120_000, 60_000, 90_000)


def _is_sequence(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _looks_tagged(item: object) -> bool:
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], int)


def _compare_in_order(
    results: Sequence[Any], truth: list[Any], describe: Callable[[int], str]
) -> Verdict | None:
    """A failing verdict if ``results`` differs from ``truth``; ``None`` if they are equal."""
    if len(results) != len(truth):
        return not_yet(
            f"expected {len(truth)} results (one per worker), got {len(results)}: "
            "call get() exactly once per worker"
        )
    if all(_looks_tagged(item) for item in results) and not all(_looks_tagged(t) for t in truth):
        return not_yet(
            "these look like (task_id, value) pairs: sort them by task_id, then keep only the "
            "values, e.g. [value for _, value in sorted(pairs)]"
        )
    if list(results) == truth:
        return None
    try:
        same_items = sorted(results) == sorted(truth)
    except TypeError:
        same_items = False
    if same_items:
        if list(results) == sorted(truth):
            return not_yet(
                "right values, but sorted by value: put them in task order (sort the "
                "(task_id, value) pairs by task_id, the first item of each pair)"
            )
        return not_yet(
            "right values in the wrong order: results arrive in the order the workers finish; "
            "sort the (task_id, value) pairs by task_id before keeping the values"
        )
    for index, (got, expected) in enumerate(zip(results, truth, strict=True)):
        if got != expected:
            return not_yet(f"results[{index}] should be {describe(index)}, got {_short(got)}")
    return None  # pragma: no cover (unreachable: unequal lists differ somewhere)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_ordered_sums(results: object, sizes: Sequence[int] = SIZES) -> Verdict:
    """Exercise 1: ``results[i]`` must be ``sum_of_range(sizes[i])``, in task order."""
    if results is None:
        return not_yet(
            "results is None: start one process per size, read one tagged result per worker "
            "with get(timeout=...), and put the values in task order"
        )
    if not _is_sequence(results):
        return not_yet(f"results should be a list of numbers, not {type(results).__name__}")
    truth = [sum_of_range(n) for n in sizes]
    failed = _compare_in_order(results, truth, lambda i: f"sum_of_range({sizes[i]}) = {truth[i]}")
    if failed is not None:
        return failed
    return correct(f"all {len(truth)} sums, in task order, whatever order the workers finished in.")


def _run_with_watchdog(
    func: Callable[..., Any], args: tuple[Any, ...], timeout: float
) -> tuple[threading.Thread, dict[str, Any]]:
    """Call ``func(*args)`` in a daemon thread, wait ``timeout`` s; return (thread, outcome)."""
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["value"] = func(*args)
        except BaseException as error:  # the learner's code may raise anything
            outcome["error"] = error

    thread = threading.Thread(target=call, name="collect-under-check", daemon=True)
    thread.start()
    thread.join(timeout)
    return thread, outcome


def _stop(
    processes: Sequence[mp.process.BaseProcess], waiter: threading.Thread | None = None
) -> int:
    """Terminate and join the processes still alive; return how many there were.

    ``terminate()`` is fine here: the queue they were writing to is being thrown away. If the
    thread ``waiter`` is blocked in their ``join()``, it is given the chance to finish first:
    two threads waiting for the same process confuse ``multiprocessing`` (the loser of the
    race sees the process as still running).
    """
    stopped = 0
    for process in processes:
        if process.is_alive():
            process.terminate()
            stopped += 1
    if waiter is not None:
        waiter.join(timeout=3)
    for process in processes:
        process.join(timeout=5)
    return stopped


def check_collect(
    collect: Callable[[Sequence[int]], Any],
    sizes: Sequence[int] = BIG_SIZES,
    timeout: float = 20.0,
) -> Verdict:
    """Exercise 2: ``collect(sizes)`` must return ``(results, workers)``.

    ``results[i]`` is ``list_of_squares(sizes[i])`` and every worker has exited with code 0.
    The check calls ``collect`` in a helper thread and stops it if it hangs for ``timeout``
    seconds (then it terminates the workers that ``collect`` left behind), so a wrong answer
    cannot freeze the notebook. Any worker still running when the check ends is stopped.
    """
    if not callable(collect):
        return not_yet(f"collect should be a function, not {type(collect).__name__}")
    before = {process.pid for process in mp.active_children()}

    def new_children() -> list[mp.process.BaseProcess]:
        return [p for p in mp.active_children() if p.pid not in before]

    thread, outcome = _run_with_watchdog(collect, (tuple(sizes),), timeout)
    if thread.is_alive():
        stopped = _stop(new_children(), waiter=thread)
        return not_yet(
            f"collect was still running after {timeout:g} seconds (the check stopped "
            f"{stopped} worker(s)). It is probably waiting in join() for a worker that cannot "
            "exit: a process does not end until the data it put in a queue has been read. "
            "Read one result per worker first, then join."
        )
    try:
        return _judge_collected(outcome, sizes)
    finally:
        _stop(new_children())


def _judge_collected(outcome: dict[str, Any], sizes: Sequence[int]) -> Verdict:
    if "error" in outcome:
        error = outcome["error"]
        hint = ""
        if type(error).__name__ == "Empty":
            hint = " (a get(timeout=...) found nothing: did every worker start?)"
        return not_yet(f"collect raised {type(error).__name__}: {error}{hint}")
    returned = outcome.get("value")
    if returned is None:
        return not_yet("collect returned None: it should return (results, workers)")
    if not (isinstance(returned, tuple) and len(returned) == 2):
        return not_yet(
            f"collect should return a pair (results, workers), got {type(returned).__name__}"
        )
    results, workers = returned
    if not _is_sequence(workers) or not all(
        isinstance(worker, mp.process.BaseProcess) for worker in workers
    ):
        return not_yet("workers should be the list of the Process objects that collect started")
    if len(workers) != len(sizes):
        return not_yet(f"expected one worker per size ({len(sizes)}), got {len(workers)}")
    if not _is_sequence(results):
        return not_yet(f"results should be a list of lists, not {type(results).__name__}")
    for index, worker in enumerate(workers):
        if worker.exitcode is None:
            return not_yet(
                f"workers[{index}] was still running when collect returned: join every "
                "worker (after reading the results) before returning"
            )
        if worker.exitcode != 0:
            return not_yet(f"workers[{index}] ended with exit code {worker.exitcode}")
    truth = [list_of_squares(n) for n in sizes]
    failed = _compare_in_order(
        results, truth, lambda i: f"list_of_squares({sizes[i]}) ({sizes[i]} numbers)"
    )
    if failed is not None:
        return failed
    return correct(
        f"{len(sizes)} large results read first, then {len(sizes)} workers joined "
        "(all with exit code 0), and the results are in task order."
    )

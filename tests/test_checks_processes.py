"""helpers.checks.processes: the chapter 01 checks accept right answers and reject wrong ones."""

from __future__ import annotations

import inspect
import multiprocessing as mp
import threading

from helpers.checks import Verdict
from helpers.checks.processes import (
    NAMES_TO_CLASSIFY,
    check_classified,
    check_started_and_joined,
    is_class,
)
from helpers.workers import add


def right_answers() -> dict[str, bool]:
    return {name: is_class(name) for name in NAMES_TO_CLASSIFY}


def test_verdict_is_truthy_only_when_correct() -> None:
    assert Verdict(True, "x") and not Verdict(False, "x")
    assert repr(Verdict(False, "do this")) == "Not yet: do this"


def test_is_class_asks_python_not_the_capital_letter() -> None:
    assert is_class("multiprocessing.Process") is True
    assert is_class("multiprocessing.Queue") is inspect.isclass(mp.Queue)


def test_classified_accepts_the_right_answers() -> None:
    assert check_classified(right_answers()).ok


def test_classified_rejects_the_capital_letter_rule() -> None:
    by_capital = {name: name.rpartition(".")[2][0].isupper() for name in NAMES_TO_CLASSIFY}
    verdict = check_classified(by_capital)
    assert not verdict.ok
    assert "inspect.isclass" in verdict.message


def test_classified_lists_missing_names() -> None:
    answers = right_answers()
    del answers["multiprocessing.Pool"]
    verdict = check_classified(answers)
    assert not verdict.ok and "multiprocessing.Pool" in verdict.message


def test_classified_rejects_something_that_is_not_a_dict() -> None:
    assert not check_classified([True, False]).ok  # type: ignore[arg-type]


def test_started_and_joined_accepts_finished_threads_and_processes() -> None:
    workers = [threading.Thread(target=add, args=(1, 2)), mp.Process(target=add, args=(1, 2))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert check_started_and_joined(workers, expected=2).ok


def test_started_and_joined_rejects_a_worker_never_started() -> None:
    verdict = check_started_and_joined([threading.Thread(target=add, args=(1, 2))], expected=1)
    assert not verdict.ok and "never started" in verdict.message


def test_started_and_joined_rejects_a_process_not_joined() -> None:
    event = mp.Event()
    child = mp.Process(target=event.wait, args=(30,))
    child.start()
    try:
        verdict = check_started_and_joined([child], expected=1)
    finally:
        event.set()
        child.join(timeout=30)
    assert not verdict.ok and "not been joined" in verdict.message


def test_started_and_joined_rejects_a_failed_process() -> None:
    child = mp.Process(target=add, args=("1", 2))  # TypeError in the child: exit code 1
    child.start()
    child.join(timeout=30)
    verdict = check_started_and_joined([child], expected=1)
    assert not verdict.ok and "exit code 1" in verdict.message


def test_started_and_joined_rejects_the_wrong_count_and_wrong_types() -> None:
    assert "expected 6" in check_started_and_joined([], expected=6).message
    assert "neither" in check_started_and_joined(["a thread"], expected=1).message
    assert not check_started_and_joined("abc", expected=3).ok

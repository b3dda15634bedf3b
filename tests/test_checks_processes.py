"""helpers.checks.processes: the chapter 00 and 01 checks name each wrong answer, accept right ones.

Each learner answer below is a small function reproducing what a learner really writes. They
run in the test process; every child process they start runs a function from helpers.
"""

from __future__ import annotations

import functools
import inspect
import multiprocessing as mp
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from helpers.checks import Verdict
from helpers.checks import processes as checks
from helpers.checks.processes import (
    NAMES_TO_CLASSIFY,
    check_classified,
    check_spawnable,
    check_started_and_joined,
    is_class,
)
from helpers.checks.recording import children_now
from helpers.workers import add, slow_square, square

# The checks run the learner's code in a thread, so a fork-context process started there forks a
# multi-threaded process: Python 3.12+ warns about it (chapter 00 explains the warning).
pytestmark = pytest.mark.filterwarnings(
    "ignore:This process .* is multi-threaded:DeprecationWarning"
)

# --- chapter 00: what a spawned child can receive --------------------------------------------

RIGHT_SENT_AS = {"cube": "__main__", "add": "helpers.workers", "len": "builtins", "lambda": None}
RIGHT_RECEIVABLE = {"cube": False, "add": True, "len": True, "lambda": False}


def _with(answers: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**answers, **changes}


SPAWNABLE_WRONG = {
    "not-a-dict": ("wrong-type", ["__main__", "helpers.workers"], RIGHT_RECEIVABLE),
    "template-untouched": (
        "missing", dict.fromkeys(RIGHT_SENT_AS, ...), dict.fromkeys(RIGHT_SENT_AS, ...)
    ),
    "a-name-left-out": ("missing", RIGHT_SENT_AS, {"cube": False, "add": True, "len": True}),
    "strings-for-bools": (
        "not-a-bool", RIGHT_SENT_AS, {"cube": "no", "add": "yes", "len": "yes", "lambda": "no"}
    ),
    "everything-travels-as-under-fork": (
        "main-travels", RIGHT_SENT_AS, dict.fromkeys(RIGHT_RECEIVABLE, True)
    ),
    "notebook-function-travels": ("main-travels", RIGHT_SENT_AS,
                                  _with(RIGHT_RECEIVABLE, cube=True)),
    "lambda-travels": ("lambda-travels", RIGHT_SENT_AS,
                       _with(RIGHT_RECEIVABLE, **{"lambda": True})),
    "helpers-cannot-travel": ("helpers-refused", RIGHT_SENT_AS, _with(RIGHT_RECEIVABLE, add=False)),
    "built-ins-cannot-travel": ("builtin-refused", RIGHT_SENT_AS,
                                _with(RIGHT_RECEIVABLE, len=False)),
    "lambda-sent-as-main": (
        "lambda-has-a-name", _with(RIGHT_SENT_AS, **{"lambda": "__main__"}), RIGHT_RECEIVABLE
    ),
    "package-not-module": ("wrong-module", _with(RIGHT_SENT_AS, add="helpers"), RIGHT_RECEIVABLE),
    "cube-sent-as-notebook": ("wrong-module", _with(RIGHT_SENT_AS, cube="notebook"),
                              RIGHT_RECEIVABLE),
}


@pytest.mark.parametrize("name", SPAWNABLE_WRONG)
def test_spawnable_names_each_wrong_answer(name: str) -> None:
    hint, sent_as, receivable = SPAWNABLE_WRONG[name]
    verdict = check_spawnable(sent_as, receivable)
    assert not verdict.ok
    assert verdict.hint == hint


SPAWNABLE_RIGHT = {
    "modules": (RIGHT_SENT_AS, RIGHT_RECEIVABLE),
    "module-and-name": (
        {"cube": "__main__.cube", "add": "helpers.workers.add", "len": "builtins.len",
         "lambda": None},
        RIGHT_RECEIVABLE,
    ),
    "numpy-bools": (RIGHT_SENT_AS, {k: np.bool_(v) for k, v in RIGHT_RECEIVABLE.items()}),
}


@pytest.mark.parametrize("name", SPAWNABLE_RIGHT)
def test_spawnable_accepts_the_right_answers(name: str) -> None:
    assert check_spawnable(*SPAWNABLE_RIGHT[name]).ok


def test_spawnable_right_answers_are_what_pickle_does() -> None:
    import pickle

    assert pickle.dumps(add).count(b"helpers.workers") == 1
    assert pickle.dumps(len).count(b"builtins") == 1
    with pytest.raises((pickle.PicklingError, AttributeError)):
        pickle.dumps(lambda x: x + 1)


# --- chapter 01, exercise 1: start six workers, then join them --------------------------------


def _threads(delay: float = 0.2, target: Callable[..., Any] = slow_square) -> list[Any]:
    return [threading.Thread(target=target, args=(x,), kwargs={"delay": delay}) for x in (1, 2, 3)]


def _processes(target: Callable[..., Any] = add) -> list[Any]:
    return [mp.Process(target=target, args=(x, 10)) for x in (1, 2, 3)]


def _start_then_join(workers: list[Any]) -> list[Any]:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    return workers


def one_at_a_time() -> list[Any]:
    workers = _threads() + _processes()
    for worker in workers:
        worker.start()
        worker.join(timeout=30)
    return workers


def two_batches() -> list[Any]:
    return _start_then_join(_threads()) + _start_then_join(_processes())


def six_processes() -> list[Any]:
    return _start_then_join(_processes() + _processes())


def six_threads() -> list[Any]:
    return _start_then_join(_threads() + _threads())


def four_threads_two_processes() -> list[Any]:
    return _start_then_join(_threads() + _threads()[:1] + _processes()[:2])


def never_started() -> list[Any]:
    return _threads() + _processes()


def started_not_joined() -> list[Any]:
    workers = _threads() + _processes()
    for worker in workers:
        worker.start()
    return workers


def join_timeout_too_short() -> list[Any]:
    workers = _threads() + _processes()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=0.001)
    return workers


def list_not_returned() -> None:
    _start_then_join(_threads() + _processes())


def empty_template() -> list[Any]:
    workers: list[Any] = []
    return workers


def computed_in_the_parent() -> list[Any]:
    return [slow_square(x, delay=0.2) for x in (1, 2, 3)] + [add(x, 10) for x in (1, 2, 3)]


def threads_run_square() -> list[Any]:
    threads = [threading.Thread(target=square, args=(x,)) for x in (1, 2, 3)]
    return _start_then_join(threads + _processes())


def threads_run_a_lambda() -> list[Any]:
    threads = [threading.Thread(target=lambda x=x: slow_square(x, 0.2)) for x in (1, 2, 3)]
    return _start_then_join(threads + _processes())


def wrong_delay() -> list[Any]:
    return _start_then_join(_threads(delay=0.1) + _processes())


def arguments_swapped() -> list[Any]:
    processes = [mp.Process(target=add, args=(10, x)) for x in (1, 2, 3)]
    return _start_then_join(_threads() + processes)


def one_element_tuple_trap() -> list[Any]:
    processes = [mp.Process(target=add, args=(x)) for x in (1, 2, 3)]  # TypeError at once
    return _start_then_join(_threads() + processes)


def joins_a_stuck_worker_forever() -> list[Any]:
    stuck = mp.Process(target=slow_square, args=(1,), kwargs={"delay": 60})
    stuck.start()
    stuck.join()
    return []


SIX_WRONG = {
    "one-at-a-time": (one_at_a_time, "one-at-a-time"),
    "threads-then-processes": (two_batches, "joined-too-early"),
    "six-processes-no-thread": (six_processes, "six-processes"),
    "six-threads-no-process": (six_threads, "six-threads"),
    "four-and-two": (four_threads_two_processes, "wrong-count"),
    "never-started": (never_started, "not-started"),
    "started-not-joined": (started_not_joined, "not-joined"),
    "join-timeout-too-short": (join_timeout_too_short, "not-joined"),
    "list-not-returned": (list_not_returned, "not-returned"),
    "empty-template": (empty_template, "empty"),
    "computed-in-the-parent": (computed_in_the_parent, "work-in-parent"),
    "threads-run-square": (threads_run_square, "wrong-target"),
    "threads-run-a-lambda": (threads_run_a_lambda, "wrong-target"),
    "wrong-delay": (wrong_delay, "wrong-args"),
    "add-arguments-swapped": (arguments_swapped, "wrong-args"),
    "one-element-tuple-trap": (one_element_tuple_trap, "raised"),
}


@pytest.mark.parametrize("name", SIX_WRONG)
def test_started_and_joined_names_each_wrong_answer(name: str) -> None:
    answer, hint = SIX_WRONG[name]
    before = children_now()
    verdict = check_started_and_joined(answer)
    assert not verdict.ok, verdict
    assert verdict.hint == hint, verdict
    assert children_now() <= before, "the check left a child process running"


def test_started_and_joined_stops_an_answer_that_hangs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "_CHECK_TIMEOUT", 3.0)
    before = children_now()
    verdict = check_started_and_joined(joins_a_stuck_worker_forever)
    assert (verdict.ok, verdict.hint) == (False, "hangs")
    assert children_now() <= before


@pytest.mark.parametrize("not_a_function", [[], "start_six", None])
def test_started_and_joined_wants_the_function_itself(not_a_function: Any) -> None:
    assert check_started_and_joined(not_a_function).hint == "not-a-function"


def test_started_and_joined_rejects_the_list_the_function_returned() -> None:
    assert check_started_and_joined(one_at_a_time()).hint == "not-a-function"


def solution() -> list[Any]:
    workers = [
        threading.Thread(target=slow_square, args=(x,), kwargs={"delay": 0.2}) for x in (1, 2, 3)
    ]
    workers += [mp.Process(target=add, args=(x, 10)) for x in (1, 2, 3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    return workers


def interleaved_creation_reverse_join() -> tuple[Any, ...]:
    workers = []
    for x in (3, 1, 2):
        workers.append(mp.Process(target=add, args=(x, 10)))
        workers.append(threading.Thread(target=slow_square, args=(x, 0.2)))
    [worker.start() for worker in workers]
    [worker.join(timeout=30) for worker in reversed(workers)]
    return tuple(workers)


def keywords_partial_and_numpy() -> list[Any]:
    threads = [
        threading.Thread(target=functools.partial(slow_square, delay=0.2), args=(x,))
        for x in np.arange(1, 4)
    ]
    processes = [mp.Process(target=add, kwargs={"a": int(x), "b": 10}) for x in np.arange(1, 4)]
    return _start_then_join(threads + processes)


def spawn_context() -> list[Any]:
    spawn = mp.get_context("spawn")
    return _start_then_join(
        _threads() + [spawn.Process(target=add, args=(x, 10)) for x in (1, 2, 3)]
    )


SIX_RIGHT = {
    "start-loop-then-join-loop": solution,
    "interleaved-creation-reverse-join": interleaved_creation_reverse_join,
    "keywords-partial-and-numpy": keywords_partial_and_numpy,
    "spawn-context": spawn_context,
}


@pytest.mark.parametrize("name", SIX_RIGHT)
def test_started_and_joined_accepts_the_right_answers(name: str) -> None:
    verdict = check_started_and_joined(SIX_RIGHT[name])
    assert verdict.ok, verdict


# --- chapter 01, exercise 2: class or not? ----------------------------------------------------


def right_answers() -> dict[str, Any]:
    return {name: is_class(name) for name in NAMES_TO_CLASSIFY}


def by_capital_letter() -> dict[str, Any]:
    return {name: name.rpartition(".")[2][0].isupper() for name in NAMES_TO_CLASSIFY}


def only_lock_flipped() -> dict[str, Any]:
    answers = right_answers()
    answers["threading.Lock"] = not answers["threading.Lock"]
    return answers


def as_strings() -> dict[str, Any]:
    return {name: "class" if is_class(name) else "function" for name in NAMES_TO_CLASSIFY}


def as_ints() -> dict[str, Any]:
    return {name: int(is_class(name)) for name in NAMES_TO_CLASSIFY}


def one_missing() -> dict[str, Any]:
    answers = right_answers()
    del answers["multiprocessing.Pool"]
    return answers


def current_thread_a_class() -> dict[str, Any]:
    return {**right_answers(), "threading.current_thread": True}


CLASSIFIED_WRONG = {
    "capitals-are-classes": (by_capital_letter, "capital-letters"),
    "all-true": (lambda: dict.fromkeys(NAMES_TO_CLASSIFY, True), "all-true"),
    "all-false": (lambda: dict.fromkeys(NAMES_TO_CLASSIFY, False), "all-false"),
    "strings-instead-of-bools": (as_strings, "not-a-bool"),
    "ints-instead-of-bools": (as_ints, "not-a-bool"),
    "missing-names": (one_missing, "missing"),
    "empty-template": (dict, "missing"),
    "lock-of-the-other-python-version": (only_lock_flipped, "lock-version"),
    "current-thread-a-class": (current_thread_a_class, "some-wrong"),
    "a-list": (lambda: [True, False], "wrong-type"),
}


@pytest.mark.parametrize("name", CLASSIFIED_WRONG)
def test_classified_names_each_wrong_answer(name: str) -> None:
    answers, hint = CLASSIFIED_WRONG[name]
    verdict = check_classified(answers())
    assert not verdict.ok
    assert verdict.hint == hint


def test_classified_lock_hint_explains_the_version_dependence() -> None:
    message = check_classified(only_lock_flipped()).message
    assert "3.13" in message and "inspect.isclass(threading.Lock)" in message


def test_classified_missing_names_are_listed() -> None:
    assert "multiprocessing.Pool" in check_classified(one_missing()).message


CLASSIFIED_RIGHT = {
    "bools": right_answers,
    "numpy-bools": lambda: {name: np.bool_(v) for name, v in right_answers().items()},
    "with-extra-names": lambda: {**right_answers(), "threading.Event": True},
}


@pytest.mark.parametrize("name", CLASSIFIED_RIGHT)
def test_classified_accepts_the_right_answers(name: str) -> None:
    assert check_classified(CLASSIFIED_RIGHT[name]()).ok


def test_is_class_asks_python_not_the_capital_letter() -> None:
    assert is_class("multiprocessing.Process") is True
    assert is_class("multiprocessing.Queue") is inspect.isclass(mp.Queue)


def test_threading_lock_is_a_class_exactly_from_python_3_13() -> None:
    assert is_class("threading.Lock") == (sys.version_info >= (3, 13))


def test_verdict_is_truthy_only_when_correct() -> None:
    assert Verdict(True, "x") and not Verdict(False, "x")
    assert repr(Verdict(False, "do this")) == "Not yet: do this"

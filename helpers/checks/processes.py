"""Checks for the exercises of chapter 01 (processes and threads)."""

from __future__ import annotations

import importlib
import inspect
import multiprocessing as mp
import threading
from collections.abc import Mapping, Sequence

from helpers.checks import Verdict, correct, not_yet

#: The names the learner sorts into classes and functions in exercise 2.
NAMES_TO_CLASSIFY = (
    "threading.Thread",
    "threading.current_thread",
    "threading.Lock",
    "multiprocessing.Process",
    "multiprocessing.current_process",
    "multiprocessing.Queue",
    "multiprocessing.Pool",
    "multiprocessing.cpu_count",
)


def _resolve(dotted: str) -> object:
    module, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def is_class(dotted: str) -> bool:
    """True if the object named ``dotted`` (``"module.name"``) is a class.

    >>> is_class("threading.Thread"), is_class("threading.current_thread")
    (True, False)
    """
    return inspect.isclass(_resolve(dotted))


def check_classified(answers: Mapping[str, bool]) -> Verdict:
    """Exercise 2: ``answers`` maps each name in :data:`NAMES_TO_CLASSIFY` to "is it a class?"."""
    if not isinstance(answers, Mapping):
        return not_yet(
            f"answers should be a dict of name -> True/False, not {type(answers).__name__}"
        )
    missing = [name for name in NAMES_TO_CLASSIFY if name not in answers]
    if missing:
        return not_yet(f"answer for every name; missing: {', '.join(missing)}")
    wrong = [name for name in NAMES_TO_CLASSIFY if bool(answers[name]) != is_class(name)]
    if wrong:
        return not_yet(
            f"{len(wrong)} of {len(NAMES_TO_CLASSIFY)} are wrong, e.g. {wrong[0]}: "
            "ask Python with inspect.isclass(...)"
        )
    return correct(
        "a capital letter is a naming convention for classes, not a rule; "
        "multiprocessing.Queue, Pool and Lock are functions that return objects."
    )


def _describe(index: int, worker: object) -> str:
    return f"workers[{index}] ({type(worker).__name__})"


def check_started_and_joined(workers: Sequence[object], expected: int) -> Verdict:
    """Exercise 1: ``workers`` holds ``expected`` threads/processes, all started, joined, and ok."""
    if not isinstance(workers, Sequence) or isinstance(workers, str):
        return not_yet(
            f"workers should be a list of threads and processes, not {type(workers).__name__}"
        )
    if len(workers) != expected:
        return not_yet(f"expected {expected} workers in the list, found {len(workers)}")
    for index, worker in enumerate(workers):
        name = _describe(index, worker)
        if isinstance(worker, threading.Thread):
            if worker.ident is None:
                return not_yet(f"{name} was never started: call .start()")
            if worker.is_alive():
                return not_yet(f"{name} is still running: call .join() to wait for it")
        elif isinstance(worker, mp.process.BaseProcess):
            if worker.pid is None:
                return not_yet(f"{name} was never started: call .start()")
            if worker.exitcode is None:
                return not_yet(f"{name} has not been joined: call .join() to wait for it")
            if worker.exitcode != 0:
                return not_yet(f"{name} ended with exit code {worker.exitcode}; look at its args")
        else:
            return not_yet(f"{name} is neither a threading.Thread nor a multiprocessing.Process")
    kinds = {type(w).__name__ for w in workers}
    return correct(f"all {expected} workers ({', '.join(sorted(kinds))}) were started and joined.")

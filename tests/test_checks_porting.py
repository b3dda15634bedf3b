"""helpers.checks.porting: the chapter 07 porting check rejects the wrong answers learners
give, each with its own hint id, and accepts every right answer.

Each answer is a ``ported(context, numbers, scale)`` written as a learner writes it; the check
passes a spawn context.
"""

from __future__ import annotations

import multiprocessing as mp
import multiprocessing.pool
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from helpers.checks.porting import PORT_INPUTS, PORT_SCALE, check_port
from helpers.checks.recording import children_now
from helpers.porting import SETTINGS, configure, scaled_report


def fork_era_as_is(context, numbers, scale):
    configure(scale)
    with context.Pool(processes=2) as pool:
        return pool.map_async(scaled_report, numbers).get(timeout=60)


def work_in_parent(context, numbers, scale):
    configure(scale)
    return [scaled_report(x) for x in numbers]


def thread_pool(context, numbers, scale):
    configure(scale)
    with multiprocessing.pool.ThreadPool(processes=2) as pool:
        return pool.map(scaled_report, numbers)


def thread_pool_with_initializer(context, numbers, scale):
    with multiprocessing.pool.ThreadPool(2, initializer=configure, initargs=(scale,)) as pool:
        return pool.map(scaled_report, numbers)


def fork_instead_of_the_context(context, numbers, scale):
    configure(scale)
    with mp.get_context("fork").Pool(processes=2) as pool:
        return pool.map_async(scaled_report, numbers).get(timeout=60)


def lambda_initializer(context, numbers, scale):
    with context.Pool(2, initializer=lambda: configure(scale)) as pool:
        return pool.map_async(scaled_report, numbers).get(timeout=60)


def initializer_without_initargs(context, numbers, scale):
    with context.Pool(2, initializer=configure) as pool:
        return pool.map_async(scaled_report, numbers).get(timeout=60)


def only_the_values(context, numbers, scale):
    with context.Pool(2, initializer=configure, initargs=(scale,)) as pool:
        return [value for _, value in pool.map_async(scaled_report, numbers).get(timeout=60)]


def out_of_order(context, numbers, scale):
    with context.Pool(2, initializer=configure, initargs=(scale,)) as pool:
        return pool.map_async(scaled_report, numbers).get(timeout=60)[::-1]


def raises(context, numbers, scale):
    raise RuntimeError("my port broke")


def initializer_pool(context, numbers, scale):
    with context.Pool(processes=2, initializer=configure, initargs=(scale,)) as pool:
        return pool.map_async(scaled_report, numbers).get(timeout=60)


def initializer_executor(context, numbers, scale):
    with ProcessPoolExecutor(2, mp_context=context, initializer=configure,
                             initargs=(scale,)) as executor:
        return list(executor.map(scaled_report, numbers, timeout=60))


def initializer_apply_async(context, numbers, scale):
    with context.Pool(processes=2, initializer=configure, initargs=(scale,)) as pool:
        pending = [pool.apply_async(scaled_report, (x,)) for x in numbers]
        return [result.get(timeout=60) for result in pending]


WRONG: dict[str, tuple[Any, str]] = {
    "the fork-era code as it was": (fork_era_as_is, "inherited-global"),
    "the work done in the parent": (work_in_parent, "work-in-parent"),
    "a ThreadPool": (thread_pool, "thread-pool"),
    "a ThreadPool with the initializer": (thread_pool_with_initializer, "thread-pool"),
    "a lambda as initializer": (lambda_initializer, "lambda"),
    "only the values returned": (only_the_values, "wrong-shape"),
    "results out of order": (out_of_order, "wrong-values"),
    "ported raises": (raises, "raised"),
    "not a function": (None, "wrong-type"),
}
if "fork" in mp.get_all_start_methods():
    WRONG["fork instead of the given context"] = (fork_instead_of_the_context, "ignored-context")

RIGHT = {
    "Pool with initializer": initializer_pool,
    "ProcessPoolExecutor with initializer": initializer_executor,
    "apply_async with initializer": initializer_apply_async,
}


@pytest.mark.parametrize("name", list(WRONG))
def test_check_names_the_mistake(name: str) -> None:
    ported, hint = WRONG[name]
    verdict = check_port(ported)
    assert (verdict.ok, verdict.hint) == (False, hint), verdict


def test_an_initializer_that_fails_in_every_worker_is_stopped() -> None:
    before = children_now()
    verdict = check_port(initializer_without_initargs, timeout=3)
    assert (verdict.ok, verdict.hint) == (False, "hangs"), verdict
    time.sleep(1.0)  # a pool still running would have started new workers by now
    assert children_now() <= before, "the pool of the answer still replaces its dead workers"


@pytest.mark.parametrize("name", list(RIGHT))
def test_check_accepts_right_answers(name: str) -> None:
    verdict = check_port(RIGHT[name])
    assert verdict.ok, verdict


def test_the_check_leaves_this_process_scale_as_it_found_it() -> None:
    configure(3)
    try:
        check_port(fork_era_as_is)
        assert SETTINGS["scale"] == 3
    finally:
        configure(1)


def test_the_inputs_are_the_documented_ones() -> None:
    assert (PORT_INPUTS, PORT_SCALE) == ((1, 2, 3, 4, 5, 6), 7)

"""helpers.checks.pools: each chapter 04 check rejects the wrong answers learners give, each
with its own hint id, and accepts every right answer.

A learner's answer is a small function below, written as a learner writes it. Exercise 1's
answers receive the check's stand-in pool; exercise 2's receive the ``pending`` AsyncResults
of a real pool (the cell in the notebook builds them); exercise 3's start their own
``ProcessPoolExecutor``.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from functools import partial
from typing import Any

import pytest

from helpers.checks.pools import (
    FUTURE_INPUTS,
    NUMBERS,
    SQUARE_INPUTS,
    RecordingPool,
    check_futures_squares,
    check_outcomes,
    check_square_all,
    defined_in_notebook,
)
from helpers.workers import nap, slow_square, square

# --- exercise 1: square_all(pool, numbers) ----------------------------------------------------


def notes_one_at_a_time(pool, numbers):
    return [pool.apply_async(square, (n,)).get() for n in numbers]


def one_at_a_time_with_timeout(pool, numbers):
    return [pool.apply_async(square, (n,)).get(timeout=10) for n in numbers]


def loop_that_gets_each_result(pool, numbers):
    squares = []
    for n in numbers:
        result = pool.apply_async(square, (n,))
        squares.append(result.get(timeout=10))
    return squares


def blocking_apply(pool, numbers):
    return [pool.apply(square, (n,)) for n in numbers]


def generator_of_results(pool, numbers):
    pending = (pool.apply_async(square, (n,)) for n in numbers)  # round brackets: lazy
    return [result.get(timeout=10) for result in pending]


def get_without_timeout(pool, numbers):
    pending = [pool.apply_async(square, (n,)) for n in numbers]
    return [result.get() for result in pending]


def wait_with_timeout_then_get_without(pool, numbers):
    pending = [pool.apply_async(square, (n,)) for n in numbers]
    for result in pending:
        result.wait(timeout=10)
    return [result.get() for result in pending]


def plain_pool_map(pool, numbers):
    return pool.map(square, numbers)


def plain_starmap(pool, numbers):
    return pool.starmap(square, [(n,) for n in numbers])


def list_of_imap(pool, numbers):
    return list(pool.imap(square, numbers))


def token_pool_call_then_parent(pool, numbers):
    pool.apply_async(square, (0,)).get(timeout=10)
    return [n * n for n in numbers]


def no_pool_at_all(pool, numbers):
    return [n * n for n in numbers]


def pool_then_square_again_here(pool, numbers):
    pool.map_async(square, numbers).get(timeout=10)
    return [square(n) for n in numbers]


def lambda_worker(pool, numbers):
    return pool.map_async(lambda n: n * n, numbers).get(timeout=10)


def _notebook_square(x):
    return x * x


_notebook_square.__module__ = "__main__"  # as if defined in a notebook cell


def notebook_worker(pool, numbers):
    pending = [pool.apply_async(_notebook_square, (n,)) for n in numbers]
    return [result.get(timeout=10) for result in pending]


def nested_worker(pool, numbers):
    def my_square(x):
        return x * x

    pending = [pool.apply_async(my_square, (n,)) for n in numbers]
    return [result.get(timeout=10) for result in pending]


def sorted_results(pool, numbers):
    return sorted(pool.map_async(square, numbers).get(timeout=10))


def imap_unordered_with_timeout(pool, numbers):
    results = pool.imap_unordered(square, numbers)
    return [results.next(timeout=10) for _ in numbers]


def async_results_not_collected(pool, numbers):
    return [pool.apply_async(square, (n,)) for n in numbers]


def args_without_comma(pool, numbers):
    pending = [pool.apply_async(square, (n)) for n in numbers]
    return [result.get(timeout=10) for result in pending]


def returns_nothing(pool, numbers):
    pending = [pool.apply_async(square, (n,)) for n in numbers]
    [result.get(timeout=10) for result in pending]


WRONG_SQUARE_ALL: dict[str, tuple[Callable[..., Any], str]] = {
    "the notes' [apply_async(...).get() for ...]": (notes_one_at_a_time, "one-at-a-time"),
    "the same with a timeout": (one_at_a_time_with_timeout, "one-at-a-time"),
    "a loop that gets each result": (loop_that_gets_each_result, "one-at-a-time"),
    "pool.apply in a loop": (blocking_apply, "one-at-a-time"),
    "a generator of AsyncResults": (generator_of_results, "generator"),
    "get() without a timeout": (get_without_timeout, "no-timeout"),
    "wait(timeout) then get()": (wait_with_timeout_then_get_without, "no-timeout"),
    "pool.map": (plain_pool_map, "no-timeout"),
    "pool.starmap": (plain_starmap, "no-timeout"),
    "list(pool.imap(...))": (list_of_imap, "no-timeout"),
    "a token pool call, squares in the parent": (token_pool_call_then_parent, "work-in-parent"),
    "no pool at all": (no_pool_at_all, "work-in-parent"),
    "map_async, then square again here": (pool_then_square_again_here, "work-in-parent"),
    "a lambda": (lambda_worker, "function-defined-in-notebook"),
    "a function of the notebook": (notebook_worker, "function-defined-in-notebook"),
    "a nested function": (nested_worker, "function-defined-in-notebook"),
    "sorted results": (sorted_results, "wrong-order"),
    "imap_unordered": (imap_unordered_with_timeout, "wrong-order"),
    "the AsyncResults returned": (async_results_not_collected, "async-result"),
    "(n) without the comma": (args_without_comma, "raised"),
    "no return": (returns_nothing, "wrong-type"),
}


def submit_all_then_get(pool, numbers):
    pending = [pool.apply_async(square, (n,)) for n in numbers]
    return [result.get(timeout=10) for result in pending]


def explicit_loops(pool, numbers):
    pending = []
    for n in numbers:
        pending.append(pool.apply_async(square, (n,)))
    squares = []
    for result in pending:
        squares.append(result.get(timeout=10))
    return squares


def wait_then_get_with_timeouts(pool, numbers):
    pending = [pool.apply_async(square, (n,)) for n in numbers]
    for result in pending:
        result.wait(timeout=10)
    return [result.get(timeout=10) for result in pending]


def keyword_arguments(pool, numbers):
    pending = [pool.apply_async(square, kwds={"x": n}) for n in numbers]
    return [result.get(timeout=10) for result in pending]


def dict_of_pending(pool, numbers):
    pending = {i: pool.apply_async(square, (n,)) for i, n in enumerate(numbers)}
    return [pending[i].get(timeout=10) for i in range(len(numbers))]


def nested_comprehensions(pool, numbers):
    return [r.get(timeout=10) for r in [pool.apply_async(square, (n,)) for n in numbers]]


def map_async_with_timeout(pool, numbers):
    return pool.map_async(square, numbers).get(timeout=10)


def starmap_async_with_timeout(pool, numbers):
    return pool.starmap_async(square, [(n,) for n in numbers]).get(timeout=10)


def map_async_of_a_partial(pool, numbers):
    return pool.map_async(partial(slow_square, delay=0), numbers).get(timeout=10)


def imap_with_next_timeout(pool, numbers):
    results = pool.imap(square, numbers)
    return [results.next(timeout=10) for _ in numbers]


def tuple_of_squares(pool, numbers):
    pending = [pool.apply_async(square, (n,)) for n in numbers]
    return tuple(result.get(timeout=10) for result in pending)


def callbacks_then_wait(pool, numbers):
    squares = [None] * len(numbers)
    pending = [
        pool.apply_async(square, (n,), callback=partial(squares.__setitem__, i))
        for i, n in enumerate(numbers)
    ]
    for result in pending:
        result.wait(timeout=10)
    return squares


RIGHT_SQUARE_ALL: dict[str, Callable[..., Any]] = {
    "submit all, then get(timeout)": submit_all_then_get,
    "explicit loops": explicit_loops,
    "wait(timeout), then get(timeout)": wait_then_get_with_timeouts,
    "keyword arguments": keyword_arguments,
    "a dict of pending results": dict_of_pending,
    "nested comprehensions": nested_comprehensions,
    "map_async(...).get(timeout)": map_async_with_timeout,
    "starmap_async(...).get(timeout)": starmap_async_with_timeout,
    "map_async of a partial": map_async_of_a_partial,
    "imap with next(timeout)": imap_with_next_timeout,
    "a tuple of squares": tuple_of_squares,
    "callbacks, then wait(timeout)": callbacks_then_wait,
}


@pytest.mark.parametrize("name", list(WRONG_SQUARE_ALL))
def test_square_all_rejects_a_wrong_answer_with_its_hint(name: str) -> None:
    answer, hint = WRONG_SQUARE_ALL[name]
    verdict = check_square_all(answer)
    assert not verdict.ok, name
    assert verdict.hint == hint, f"{name}: {verdict.message}"


@pytest.mark.parametrize("name", list(RIGHT_SQUARE_ALL))
def test_square_all_accepts_a_right_answer(name: str) -> None:
    verdict = check_square_all(RIGHT_SQUARE_ALL[name])
    assert verdict.ok, f"{name}: {verdict.message}"
    assert verdict.hint == "ok"


def test_square_all_rejects_something_that_is_not_a_function() -> None:
    assert check_square_all(None).hint == "wrong-type"


def test_the_right_answer_works_with_a_real_pool_too() -> None:
    with mp.Pool(processes=2) as pool:
        assert submit_all_then_get(pool, NUMBERS) == [n * n for n in NUMBERS]


def test_the_stand_in_pool_returns_fresh_objects_even_for_small_squares() -> None:
    pool = RecordingPool()
    first = pool.apply_async(square, (1,)).get(timeout=1)
    second = pool.apply_async(square, (1,)).get(timeout=1)
    assert first == second == 1 and first is not second


def test_defined_in_notebook_looks_inside_a_partial() -> None:
    assert not defined_in_notebook(partial(slow_square, delay=0))
    assert defined_in_notebook(partial(_notebook_square))


# --- exercise 2: check_outcomes(outcomes, pending) --------------------------------------------


@pytest.fixture
def pending() -> Iterator[dict[object, Any]]:
    """The notebook cell's ``pending``: square(x) submitted for every input, all finished."""
    with mp.Pool(processes=2) as pool:
        submitted = {x: pool.apply_async(square, (x,)) for x in SQUARE_INPUTS}
        for result in submitted.values():
            result.wait(timeout=30)
        yield submitted


def catch_any_exception(pending):
    outcomes = {}
    for x, result in pending.items():
        try:
            outcomes[x] = result.get(timeout=10)
        except Exception as error:
            outcomes[x] = error
    return outcomes


def catch_type_error(pending):
    outcomes = {}
    for x, result in pending.items():
        try:
            outcomes[x] = result.get(timeout=10)
        except TypeError as error:
            outcomes[x] = error
    return outcomes


def wait_then_ask_successful(pending):
    outcomes = {}
    for x, result in pending.items():
        result.wait(timeout=10)
        if result.successful():
            outcomes[x] = result.get(timeout=10)
        else:
            try:
                result.get(timeout=10)
            except Exception as error:
                outcomes[x] = error
    return outcomes


def helper_and_dict_comprehension(pending):
    def outcome_of(result):
        try:
            return result.get(timeout=10)
        except Exception as error:
            return error

    return {x: outcome_of(result) for x, result in pending.items()}


def squares_in_the_parent(pending):
    outcomes = {}
    for x in pending:
        try:
            outcomes[x] = square(x)
        except Exception as error:
            outcomes[x] = error
    return outcomes


def text_of_the_error(pending):
    outcomes = {}
    for x, result in pending.items():
        try:
            outcomes[x] = result.get(timeout=10)
        except Exception as error:
            outcomes[x] = str(error)
    return outcomes


def the_async_results(pending):
    return dict(pending)


def only_successes(pending):
    outcomes = {}
    for x, result in pending.items():
        try:
            outcomes[x] = result.get(timeout=10)
        except Exception:
            pass
    return outcomes


def none_for_failures(pending):
    outcomes = {}
    for x, result in pending.items():
        try:
            outcomes[x] = result.get(timeout=10)
        except Exception:
            outcomes[x] = None
    return outcomes


def a_new_exception(pending):
    outcomes = {}
    for x, result in pending.items():
        try:
            outcomes[x] = result.get(timeout=10)
        except Exception as error:
            outcomes[x] = TypeError(str(error))
    return outcomes


def the_exception_class(pending):
    outcomes = {}
    for x, result in pending.items():
        try:
            outcomes[x] = result.get(timeout=10)
        except Exception as error:
            outcomes[x] = type(error)
    return outcomes


def nothing_filled(pending):
    return {}


def a_list(pending):
    return list(catch_any_exception(pending).values())


WRONG_OUTCOMES: dict[str, tuple[Callable[..., Any], str]] = {
    "square(x) in a try, in the parent": (squares_in_the_parent, "work-in-parent"),
    "str(error) stored": (text_of_the_error, "stored-text"),
    "the AsyncResults stored": (the_async_results, "async-result"),
    "only the successes": (only_successes, "only-successes"),
    "None for a failure": (none_for_failures, "stored-none"),
    "a new exception": (a_new_exception, "new-exception"),
    "the exception's class": (the_exception_class, "not-exception"),
    "nothing filled (the cell as given)": (nothing_filled, "missing"),
    "a list": (a_list, "wrong-type"),
}

RIGHT_OUTCOMES: dict[str, Callable[..., Any]] = {
    "except Exception": catch_any_exception,
    "except TypeError": catch_type_error,
    "wait, then successful()": wait_then_ask_successful,
    "a helper and a dict comprehension": helper_and_dict_comprehension,
}


@pytest.mark.parametrize("name", list(WRONG_OUTCOMES))
def test_outcomes_rejects_a_wrong_answer_with_its_hint(name: str, pending: dict) -> None:
    answer, hint = WRONG_OUTCOMES[name]
    verdict = check_outcomes(answer(pending), pending)
    assert not verdict.ok, name
    assert verdict.hint == hint, f"{name}: {verdict.message}"


@pytest.mark.parametrize("name", list(RIGHT_OUTCOMES))
def test_outcomes_accepts_a_right_answer(name: str, pending: dict) -> None:
    verdict = check_outcomes(RIGHT_OUTCOMES[name](pending), pending)
    assert verdict.ok, f"{name}: {verdict.message}"
    assert verdict.hint == "ok"


def test_outcomes_rejects_results_collected_after_the_with_block() -> None:
    with mp.Pool(processes=1) as pool:
        pool.apply_async(nap, (30,))  # keeps the only worker busy: no square runs in time
        pending = {x: pool.apply_async(square, (x,)) for x in SQUARE_INPUTS}
    outcomes = {}  # the learner's loop, dedented below the with-block
    for x, result in pending.items():
        try:
            outcomes[x] = result.get(timeout=0.05)
        except Exception as error:
            outcomes[x] = error
    verdict = check_outcomes(outcomes, pending)
    assert not verdict.ok and verdict.hint == "not-finished", verdict.message


def test_outcomes_needs_the_pending_async_results(pending: dict) -> None:
    verdict = check_outcomes(catch_any_exception(pending), {x: None for x in SQUARE_INPUTS})
    assert not verdict.ok and verdict.hint == "wrong-type"


# --- exercise 3: check_futures_squares(futures, squares) --------------------------------------


def dict_comprehensions():
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = {executor.submit(square, x): x for x in FUTURE_INPUTS}
        squares = {futures[done]: done.result() for done in as_completed(futures, timeout=10)}
    return futures, squares


def explicit_loop():
    futures, squares = {}, {}
    with ProcessPoolExecutor(max_workers=2) as executor:
        for x in FUTURE_INPUTS:
            futures[executor.submit(square, x)] = x
        for done in as_completed(futures, timeout=10):
            squares[futures[done]] = done.result(timeout=10)
    return futures, squares


def collected_after_the_with_block():
    # Leaving an executor's with-block waits for every future, so nothing is lost here.
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = {executor.submit(square, x): x for x in FUTURE_INPUTS}
    squares = {futures[done]: done.result() for done in as_completed(futures, timeout=10)}
    return futures, squares


def squares_in_the_parent_after_submitting():
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = {executor.submit(square, x): x for x in FUTURE_INPUTS}
        for _ in as_completed(futures, timeout=10):
            pass
    return futures, {x: x * x for x in FUTURE_INPUTS}


def helper_square_in_the_parent():
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = {executor.submit(square, x): x for x in FUTURE_INPUTS}
        squares = {futures[done]: square(futures[done]) for done in as_completed(futures)}
    return futures, squares


def x_left_over_from_the_submit_loop():
    futures, squares = {}, {}
    with ProcessPoolExecutor(max_workers=2) as executor:
        for x in FUTURE_INPUTS:
            futures[executor.submit(square, x)] = x
        for done in as_completed(futures, timeout=10):
            squares[x] = done.result()  # x is the last input, for every future
    return futures, squares


def keyed_by_position():
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = {executor.submit(square, x): x for x in FUTURE_INPUTS}
        squares = {i: done.result() for i, done in enumerate(as_completed(futures, timeout=10))}
    return futures, squares


def keys_and_values_swapped():
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = {executor.submit(square, x): x for x in FUTURE_INPUTS}
        squares = {done.result(): futures[done] for done in as_completed(futures, timeout=10)}
    return futures, squares


def futures_stored_as_squares():
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = {executor.submit(square, x): x for x in FUTURE_INPUTS}
        squares = {futures[done]: done for done in as_completed(futures, timeout=10)}
    return futures, squares


def checked_before_the_futures_finished():
    executor = ProcessPoolExecutor(max_workers=1)
    executor.submit(nap, 0.5)  # the only worker is busy: the squares wait behind it
    futures = {executor.submit(square, x): x for x in FUTURE_INPUTS}
    verdict = check_futures_squares(futures, {})
    executor.shutdown(wait=True)
    return verdict


def nothing_submitted():
    return {}, {}


def inputs_as_keys():
    return {x: x for x in FUTURE_INPUTS}, {x: x * x for x in FUTURE_INPUTS}


def submitted_but_not_collected():
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = {executor.submit(square, x): x for x in FUTURE_INPUTS}
    return futures, {}


def a_task_that_fails():
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = {executor.submit(square, str(x)): x for x in FUTURE_INPUTS}
    return futures, {}


WRONG_FUTURES: dict[str, tuple[Callable[[], Any], str]] = {
    "squares computed in the parent": (squares_in_the_parent_after_submitting, "work-in-parent"),
    "square(x) called in the parent": (helper_square_in_the_parent, "work-in-parent"),
    "x left over from the submit loop": (x_left_over_from_the_submit_loop, "keyed-wrong"),
    "keyed by position": (keyed_by_position, "keyed-wrong"),
    "keys and values swapped": (keys_and_values_swapped, "keyed-wrong"),
    "futures stored as squares": (futures_stored_as_squares, "future-not-result"),
    "nothing submitted (the cell as given)": (nothing_submitted, "missing"),
    "inputs as keys": (inputs_as_keys, "wrong-type"),
    "submitted but not collected": (submitted_but_not_collected, "missing"),
    "a task that fails": (a_task_that_fails, "task-failed"),
}

RIGHT_FUTURES: dict[str, Callable[[], Any]] = {
    "dict comprehensions": dict_comprehensions,
    "explicit loop": explicit_loop,
    "collected after the with-block": collected_after_the_with_block,
}


@pytest.mark.parametrize("name", list(WRONG_FUTURES))
def test_futures_squares_rejects_a_wrong_answer_with_its_hint(name: str) -> None:
    answer, hint = WRONG_FUTURES[name]
    verdict = check_futures_squares(*answer())
    assert not verdict.ok, name
    assert verdict.hint == hint, f"{name}: {verdict.message}"


@pytest.mark.parametrize("name", list(RIGHT_FUTURES))
def test_futures_squares_accepts_a_right_answer(name: str) -> None:
    verdict = check_futures_squares(*RIGHT_FUTURES[name]())
    assert verdict.ok, f"{name}: {verdict.message}"
    assert verdict.hint == "ok"


def test_futures_squares_rejects_futures_that_have_not_finished() -> None:
    verdict = checked_before_the_futures_finished()
    assert not verdict.ok and verdict.hint == "not-done", verdict.message


def test_futures_squares_rejects_a_future_that_never_ran() -> None:
    futures = {Future(): x for x in FUTURE_INPUTS}
    verdict = check_futures_squares(futures, {})
    assert not verdict.ok and verdict.hint == "not-done"


def test_futures_squares_rejects_something_that_is_not_a_dict() -> None:
    assert check_futures_squares([], {}).hint == "wrong-type"  # type: ignore[arg-type]

"""helpers.workers: small pure workers, and clear errors on bad input."""

from __future__ import annotations

import multiprocessing as mp
import os

import pytest

from helpers import workers


def test_job_reports_both_arguments() -> None:
    assert workers.job(1, 2) == "a job with a=1 and d=2"


def test_add_returns_the_sum_as_in_the_notes_example() -> None:
    assert workers.add(10, -3) == 7


@pytest.mark.parametrize("bad", ["10", None, True])
def test_add_rejects_a_non_number_and_names_the_argument(bad: object) -> None:
    with pytest.raises(TypeError, match="a must be a number"):
        workers.add(bad, 1)
    with pytest.raises(TypeError, match="b must be a number"):
        workers.add(1, bad)


def test_square_squares() -> None:
    assert workers.square(6) == 36
    assert workers.square(-1.5) == 2.25


def test_slow_square_rejects_a_negative_delay() -> None:
    with pytest.raises(ValueError, match="delay must be >= 0"):
        workers.slow_square(2, delay=-1)


def test_sum_of_range_matches_the_closed_form() -> None:
    for n in (0, 1, 2, 100, 1234):
        assert workers.sum_of_range(n) == n * (n - 1) // 2


def test_sum_of_range_rejects_negative_and_non_integer_sizes() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        workers.sum_of_range(-1)
    with pytest.raises(TypeError, match="n must be an int"):
        workers.sum_of_range(2.5)


def test_who_am_i_describes_the_calling_process() -> None:
    me = workers.who_am_i()
    assert me.pid == os.getpid()
    assert me.process_name == mp.current_process().name
    assert me.thread_name == "MainThread"


def test_exit_with_sets_the_exit_code_of_a_child_process() -> None:
    child = mp.Process(target=workers.exit_with, args=(3,))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 3


def test_exit_with_rejects_a_negative_code() -> None:
    with pytest.raises(ValueError, match="code must be >= 0"):
        workers.exit_with(-1)


@pytest.mark.parametrize("method", mp.get_all_start_methods())
def test_workers_run_in_a_child_under_every_start_method(method: str) -> None:
    context = mp.get_context(method)
    with context.Pool(1) as pool:
        assert pool.apply(workers.add, (10, -3)) == 7

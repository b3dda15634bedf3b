"""The checks of chapter 09 against the answers learners really give (helpers/checks/dask_tools.py).

Exercise 1's answers each run on a fresh 2-worker cluster (the harness allows no process to
outlive its test, so a cluster cannot be shared between tests); exercise 2's start their own.
"""

from __future__ import annotations

import logging
import time

import pytest
from distributed import Client, LocalCluster, as_completed, wait

from helpers.checks.dask_tools import check_own_cluster, check_squares
from helpers.dask_tools import wait_until_nothing_left
from helpers.workers import slow_square

# Starts clusters: scheduled first (conftest.py).
pytestmark = pytest.mark.slow

LOOPBACK = {"host": "127.0.0.1", "dashboard_address": "127.0.0.1:0"}


@pytest.fixture
def client():
    # Exercise 1's check judges the calls the answer makes to its client, not where the tasks
    # run: an in-process cluster (workers as threads) is a real Dask cluster to it, and starts
    # in a fraction of the time and CPU of worker processes. The check's own cluster, which a
    # learner's notebook uses, has processes (test_check_squares_starts_a_cluster_of_its_own).
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      silence_logs=logging.ERROR, dashboard_address=LOOPBACK["dashboard_address"]
                      ) as cluster, Client(cluster) as fresh:
        yield fresh
    wait_until_nothing_left()


# --- exercise 1: squares_on_cluster(client, numbers) ------------------------------------------


def one_at_a_time(client, numbers):
    return [client.submit(slow_square, x).result(timeout=30) for x in numbers]


def one_at_a_time_no_timeout(client, numbers):
    return [client.submit(slow_square, x).result() for x in numbers]


def in_the_client(client, numbers):
    return [slow_square(x) for x in numbers]


def one_task_for_everything(client, numbers):
    return client.submit(lambda xs: [x * x for x in xs], numbers).result(timeout=30)


def result_without_timeout(client, numbers):
    futures = client.map(slow_square, numbers)
    return [future.result() for future in futures]


def gather_without_wait(client, numbers):
    return client.gather(client.map(slow_square, numbers))


def wait_without_timeout(client, numbers):
    futures = client.map(slow_square, numbers)
    wait(futures)
    return client.gather(futures)


def results_without_timeout_once_done(client, numbers):
    # What a loaded machine does to result_without_timeout: every task done before the first
    # result() is called. It still could wait for ever, the day a worker hangs.
    futures = client.map(slow_square, numbers)
    for _ in range(600):
        if all(future.done() for future in futures):
            break
        time.sleep(0.05)
    return [future.result() for future in futures]


def as_completed_without_timeout(client, numbers):
    futures = client.map(slow_square, numbers)
    index = {future.key: i for i, future in enumerate(futures)}
    results = [None] * len(numbers)
    for future in as_completed(futures):
        results[index[future.key]] = future.result()
    return results


def squares_of_the_wrong_numbers(client, numbers):
    futures = client.map(slow_square, [x + 1 for x in numbers])
    wait(futures, timeout=30)
    return client.gather(futures)


def a_generator(client, numbers):
    futures = client.map(slow_square, numbers)
    wait(futures, timeout=30)
    return (future.result() for future in futures)


def raises(client, numbers):
    futures = client.map(slow_square, numbers)
    wait(futures, timeout=30)
    return client.gather(futures)[len(numbers)]


WRONG_SQUARES = {
    one_at_a_time: "one-at-a-time",
    one_at_a_time_no_timeout: "one-at-a-time",
    in_the_client: "work-in-client",
    one_task_for_everything: "work-in-client",
    result_without_timeout: "no-timeout",
    gather_without_wait: "no-timeout",
    wait_without_timeout: "no-timeout",
    results_without_timeout_once_done: "no-timeout",
    as_completed_without_timeout: "no-timeout",
    squares_of_the_wrong_numbers: "wrong-result",
    a_generator: "wrong-type",
    raises: "raised",
}


@pytest.mark.parametrize("answer", list(WRONG_SQUARES), ids=lambda f: f.__name__)
def test_check_squares_names_each_wrong_answer(client, answer):
    verdict = check_squares(answer, client)
    assert not verdict.ok
    assert verdict.hint == WRONG_SQUARES[answer], verdict.message


def test_check_squares_refuses_what_is_not_a_function():
    verdict = check_squares("client.map(slow_square, numbers)")
    assert (verdict.ok, verdict.hint) == (False, "not-a-function")


def map_wait_gather(client, numbers):
    futures = client.map(slow_square, numbers)
    wait(futures, timeout=30)
    return client.gather(futures)


def map_then_results_with_timeout(client, numbers):
    futures = client.map(slow_square, numbers)
    return [future.result(timeout=30) for future in futures]


def submit_all_then_as_completed(client, numbers):
    futures = [client.submit(slow_square, x) for x in numbers]
    index = {future.key: i for i, future in enumerate(futures)}
    results = [None] * len(numbers)
    for future in as_completed(futures, timeout=30):
        results[index[future.key]] = future.result()
    return results


def returns_a_tuple(client, numbers):
    futures = client.map(slow_square, numbers, pure=False)
    wait(futures, timeout=30)
    return tuple(client.gather(futures))


RIGHT_SQUARES = [map_wait_gather, map_then_results_with_timeout, submit_all_then_as_completed,
                 returns_a_tuple]


@pytest.mark.parametrize("answer", RIGHT_SQUARES, ids=lambda f: f.__name__)
def test_check_squares_accepts_right_answers(client, answer):
    verdict = check_squares(answer, client)
    assert verdict.ok, verdict.message


def test_check_squares_starts_a_cluster_of_its_own_and_closes_it():
    verdict = check_squares(map_wait_gather)
    assert verdict.ok, verdict.message
    assert wait_until_nothing_left() == ([], set())


# --- exercise 2: run_on_own_cluster(numbers) --------------------------------------------------


def forgets_to_close(numbers):
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, silence_logs=logging.ERROR,
                           **LOOPBACK)
    client = Client(cluster)
    futures = client.map(slow_square, numbers)
    wait(futures, timeout=30)
    return client.gather(futures)


def closes_the_client_only(numbers):
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, silence_logs=logging.ERROR,
                           **LOOPBACK)
    with Client(cluster) as client:
        futures = client.map(slow_square, numbers)
        return [future.result(timeout=30) for future in futures]


def squares_in_the_client(numbers):
    with LocalCluster(n_workers=2, threads_per_worker=1, silence_logs=logging.ERROR,
                      **LOOPBACK) as cluster, Client(cluster):
        return [slow_square(x) for x in numbers]


def gathers_without_a_timeout(numbers):
    with LocalCluster(n_workers=2, threads_per_worker=1, silence_logs=logging.ERROR,
                      **LOOPBACK) as cluster, Client(cluster) as client:
        return client.gather(client.map(slow_square, numbers))


def default_dashboard_address(numbers):
    # LocalCluster's dashboard listens on every interface (0.0.0.0:8787) unless told otherwise
    with LocalCluster(n_workers=2, threads_per_worker=1, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        futures = client.map(slow_square, numbers)
        return [future.result(timeout=30) for future in futures]


def no_cluster_at_all(numbers):
    return [x * x for x in numbers]


WRONG_OWN = {
    forgets_to_close: "left-running",
    closes_the_client_only: "left-running",
    squares_in_the_client: "work-in-client",
    gathers_without_a_timeout: "no-timeout",
    default_dashboard_address: "not-loopback",
    no_cluster_at_all: "no-cluster",
}


@pytest.mark.parametrize("answer", list(WRONG_OWN), ids=lambda f: f.__name__)
def test_check_own_cluster_names_each_wrong_answer(answer):
    verdict = check_own_cluster(answer)
    assert not verdict.ok
    assert verdict.hint == WRONG_OWN[answer], verdict.message
    assert wait_until_nothing_left() == ([], set())


def with_both(numbers):
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      silence_logs=logging.ERROR, **LOOPBACK) as cluster, \
            Client(cluster) as client:
        futures = client.map(slow_square, numbers)
        return [future.result(timeout=30) for future in futures]


def client_makes_the_cluster(numbers):
    with Client(n_workers=2, threads_per_worker=1, processes=True,
                silence_logs=logging.ERROR, **LOOPBACK) as client:
        futures = client.map(slow_square, numbers)
        wait(futures, timeout=30)
        return client.gather(futures)


def try_finally(numbers):
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, silence_logs=logging.ERROR,
                           **LOOPBACK)
    client = Client(cluster)
    try:
        futures = client.map(slow_square, numbers)
        wait(futures, timeout=30)
        return client.gather(futures)
    finally:
        client.close()
        cluster.close()


RIGHT_OWN = [with_both, client_makes_the_cluster, try_finally]


@pytest.mark.parametrize("answer", RIGHT_OWN, ids=lambda f: f.__name__)
def test_check_own_cluster_accepts_right_answers(answer):
    verdict = check_own_cluster(answer)
    assert verdict.ok, verdict.message
    assert wait_until_nothing_left() == ([], set())


def test_check_own_cluster_refuses_what_is_not_a_function():
    verdict = check_own_cluster(None)
    assert (verdict.ok, verdict.hint) == (False, "not-a-function")

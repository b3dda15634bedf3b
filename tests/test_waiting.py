"""helpers.waiting: many waits on the slow loopback server, with threads and with asyncio."""

from __future__ import annotations

import asyncio
import time

import pytest

from helpers.benchmark import slow_server
from helpers.waiting import ask_all_async, ask_all_in_threads, ask_async, ask_one_by_one

DELAY = 0.2


def test_threads_and_asyncio_wait_side_by_side_and_get_every_answer() -> None:
    with slow_server(DELAY) as address:
        start = time.perf_counter()
        threaded = ask_all_in_threads(address, requests=10, threads=10)
        threads_s = time.perf_counter() - start
        start = time.perf_counter()
        awaited = asyncio.run(ask_all_async(address, requests=10))
        async_s = time.perf_counter() - start
    assert threaded == awaited == [b"pong"] * 10
    assert threads_s < 5 * DELAY and async_s < 5 * DELAY  # not 10 x DELAY


def test_one_by_one_waits_for_each_answer_in_turn() -> None:
    with slow_server(0.05) as address:
        start = time.perf_counter()
        assert ask_one_by_one(address, 4) == [b"pong"] * 4
    assert time.perf_counter() - start >= 4 * 0.05


def test_a_single_request_times_out() -> None:
    with slow_server(2.0) as address, pytest.raises(TimeoutError):
        asyncio.run(ask_async(address, timeout=0.2))


@pytest.mark.parametrize("address", [None, ("127.0.0.1",), (1, 2), ("127.0.0.1", "80")])
def test_a_bad_address_is_refused_before_a_coroutine_exists(address: object) -> None:
    with pytest.raises(TypeError, match="address"):
        ask_async(address)  # type: ignore[arg-type]

"""helpers.waiting: many waits on the slow loopback server, with threads and with asyncio."""

from __future__ import annotations

import asyncio
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from helpers.benchmark import slow_server
from helpers.waiting import ask_all_async, ask_all_in_threads, ask_async, ask_one_by_one

DELAY = 0.2


class _MeetingHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.recv(64)
        try:
            self.server.meeting.wait()  # type: ignore[attr-defined]
        except threading.BrokenBarrierError:
            return  # the others never came: no answer
        self.request.sendall(b"pong")


@contextmanager
def meeting_server(requests: int, patience: float = 20.0) -> Iterator[tuple[str, int]]:
    """A loopback server that answers only once ``requests`` requests are waiting at the same
    time: requests sent one after another get no answer. No clock is read, so a busy machine
    cannot make a right answer look wrong."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _MeetingHandler)
    server.daemon_threads = True
    server.meeting = threading.Barrier(requests, timeout=patience)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.meeting.abort()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.timeout(120)
def test_threads_and_asyncio_have_every_request_in_flight_at_once() -> None:
    with meeting_server(10) as address:
        assert ask_all_in_threads(address, requests=10, threads=10) == [b"pong"] * 10
    with meeting_server(10) as address:
        assert asyncio.run(ask_all_async(address, requests=10)) == [b"pong"] * 10


@pytest.mark.timeout(60)
def test_the_meeting_server_leaves_requests_one_after_another_unanswered() -> None:
    with meeting_server(2, patience=0.5) as address:
        assert ask_one_by_one(address, 2) == [b"", b""]


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

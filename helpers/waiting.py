"""Many waits at once: threads, or asyncio, against the course's slow loopback server.

A program that talks to a network service spends its time *waiting* for answers, and waiting
needs no CPU and no second process. Two ways to wait for many answers at once:

* threads (:func:`ask_all_in_threads`): each request blocks its own thread in ``recv``; the GIL
  is released while a thread waits. Simple, works with any blocking library, costs a thread
  (some memory, an OS thread) per request in flight;
* asyncio (:func:`ask_all_async`): one thread, one event loop, many coroutines; each ``await``
  hands control back to the loop while its socket waits. Cheap per connection (thousands are
  fine), but every library on the path must be written for asyncio.

The server is :func:`helpers.benchmark.slow_server`, which answers each ``ping`` with ``pong``
after a delay; :func:`ask_one_by_one` is the serial baseline.

>>> import asyncio
>>> from helpers.benchmark import slow_server
>>> with slow_server(0.0) as address:
...     threaded = ask_all_in_threads(address, requests=3, threads=3)
...     awaited = asyncio.run(ask_all_async(address, requests=3))
>>> threaded, awaited
([b'pong', b'pong', b'pong'], [b'pong', b'pong', b'pong'])
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from helpers._validate import require_int, require_seconds, require_workers
from helpers.benchmark import ask

#: The most requests a helper here sends in one call (the slow server keeps a backlog of 128
#: connections and starts a thread for each).
MAX_REQUESTS = 1000


def _require_address(address: object) -> tuple[str, int]:
    if (
        not isinstance(address, tuple) or len(address) != 2
        or not isinstance(address[0], str) or isinstance(address[1], bool)
        or not isinstance(address[1], int)
    ):
        raise TypeError(f"address must be a (host, port) tuple, got {address!r:.60}")
    return address


def _require_requests(requests: object) -> int:
    return require_int("requests", requests, minimum=0, maximum=MAX_REQUESTS)


def ask_one_by_one(address: tuple[str, int], requests: int, timeout: float = 10.0
                   ) -> list[bytes]:
    """Send ``requests`` requests to ``address`` one after another; return the answers."""
    address = _require_address(address)
    requests = _require_requests(requests)
    timeout = require_seconds("timeout", timeout)
    return [ask(address, timeout) for _ in range(requests)]


def ask_all_in_threads(
    address: tuple[str, int], requests: int, threads: int, timeout: float = 10.0
) -> list[bytes]:
    """Send ``requests`` requests from a ``ThreadPoolExecutor`` of ``threads`` threads."""
    address = _require_address(address)
    requests = _require_requests(requests)
    threads = require_workers("threads", threads)
    timeout = require_seconds("timeout", timeout)
    with ThreadPoolExecutor(max_workers=threads) as executor:
        futures = [executor.submit(ask, address, timeout) for _ in range(requests)]
        return [future.result(timeout=timeout + 5) for future in futures]


async def _ask(address: tuple[str, int]) -> bytes:
    reader, writer = await asyncio.open_connection(*address)
    try:
        writer.write(b"ping")
        await writer.drain()
        return await reader.read(64)
    finally:
        writer.close()
        await writer.wait_closed()


def ask_async(address: tuple[str, int], timeout: float = 10.0) -> Coroutine[Any, Any, bytes]:
    """A coroutine that sends one request to ``address`` and returns the answer.

    ``await ask_async(address)`` in a notebook cell (top-level ``await`` works in Jupyter), or
    ``asyncio.run(ask_async(address))`` in a script. Fails with ``TimeoutError`` after
    ``timeout`` seconds.
    """
    address = _require_address(address)
    timeout = require_seconds("timeout", timeout)
    return _ask_within(address, timeout)


async def _ask_within(address: tuple[str, int], timeout: float) -> bytes:
    return await asyncio.wait_for(_ask(address), timeout)


def ask_all_async(
    address: tuple[str, int], requests: int, timeout: float = 10.0
) -> Coroutine[Any, Any, list[bytes]]:
    """A coroutine that sends ``requests`` requests at once from one thread; the answers.

    ``asyncio.gather`` runs one :func:`ask_async` coroutine per request on the event loop.
    """
    address = _require_address(address)
    requests = _require_requests(requests)
    timeout = require_seconds("timeout", timeout)

    async def gather() -> list[bytes]:
        return list(await asyncio.gather(*(ask_async(address, timeout) for _ in range(requests))))

    return gather()

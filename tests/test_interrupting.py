"""Tests for helpers.interrupting: the simulated Interrupt button, and workers that ignore it.

Each test that sends an interrupt catches the ``KeyboardInterrupt`` in the block it expects
it in, so that it cannot reach pytest.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from helpers.benchmark import warm_up
from helpers.interrupting import (
    count_ended,
    ignore_interrupts,
    interrupt_after,
    interrupt_flag_after,
    warm_up_executor,
)
from helpers.workers import nap

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX's here")


@pytest.fixture(autouse=True)
def interrupts_as_in_a_terminal() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt here, as in a Python started from a terminal.

    A program started in the background by a shell without job control (``cmd &``, as some
    CI runners do) inherits SIGINT *ignored*, and Python then leaves it ignored.
    """
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def test_an_interrupt_that_would_do_nothing_is_refused() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with pytest.raises(RuntimeError, match="ignores SIGINT"), interrupt_after(0.1):
        pass
    with pytest.raises(RuntimeError, match="ignores SIGINT"), interrupt_flag_after(0.1):
        pass


def test_interrupt_after_interrupts_a_sleeping_main_thread() -> None:
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), interrupt_after(0.1):
        time.sleep(10)
    assert time.monotonic() - started < 5


def test_nothing_is_sent_when_the_block_ends_first() -> None:
    with interrupt_after(0.2):
        pass
    time.sleep(0.4)  # a KeyboardInterrupt would be raised here


@pytest.mark.slow
@pytest.mark.timeout(60)
@pytest.mark.parametrize(("initializer", "killed"), [(None, 2), (ignore_interrupts, 0)])
def test_the_interrupt_reaches_the_workers_unless_they_ignore_it(initializer, killed) -> None:
    with mp.Pool(2, initializer=initializer) as pool:
        warm_up(pool, 2)
        workers = mp.active_children()
        with pytest.raises(KeyboardInterrupt), interrupt_after(0.3):
            pool.map_async(nap, [5] * 4).get(timeout=20)
        assert count_ended(workers, timeout=1) == killed
    assert mp.active_children() == []


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_the_flag_alone_waits_until_the_blocked_wait_is_over() -> None:
    with mp.Pool(2) as pool:
        job = pool.map_async(nap, [0.5] * 4)
        with pytest.raises(KeyboardInterrupt), interrupt_flag_after(0.1):
            job.get(timeout=20)
            time.sleep(5)  # the flag is seen here at the latest
        assert job.ready()


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_cancel_futures_cancels_what_has_not_started() -> None:
    with ProcessPoolExecutor(2, initializer=ignore_interrupts) as executor:
        assert len(warm_up_executor(executor, 2)) == 2
        futures = [executor.submit(nap, 1) for _ in range(8)]
        try:
            with interrupt_after(0.3):
                for future in futures:
                    future.result(timeout=20)
        except KeyboardInterrupt:
            executor.shutdown(wait=True, cancel_futures=True)
        assert any(f.cancelled() for f in futures) and all(f.done() for f in futures)


def test_count_ended_refuses_what_is_not_a_process() -> None:
    with pytest.raises(TypeError, match="children"):
        count_ended([object()])

"""helpers.checks.waiting: the chapter 07 asyncio check rejects the wrong answers learners
give, each with its own hint id, and accepts every right answer."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from helpers.benchmark import ask
from helpers.checks.waiting import DELAY, N, check_ask_many
from helpers.waiting import ask_async


async def one_at_a_time(address, n):
    answers = []
    for _ in range(n):
        answers.append(await ask_async(address))
    return answers


async def blocking_ask(address, n):
    return [ask(address) for _ in range(n)]


async def sleeps_then_gathers(address, n):
    time.sleep(DELAY)  # a blocking pause
    return await asyncio.gather(*(ask_async(address) for _ in range(n)))


async def coroutines_not_awaited(address, n):
    return [ask_async(address) for _ in range(n)]


async def gather_not_awaited(address, n):
    return asyncio.gather(*(ask_async(address) for _ in range(n)))


def not_async(address, n):
    return [ask(address) for _ in range(n)]


async def one_too_few(address, n):
    return await asyncio.gather(*(ask_async(address) for _ in range(n - 1)))


async def returns_nothing(address, n):
    await asyncio.gather(*(ask_async(address) for _ in range(n)))


async def raises(address, n):
    raise ConnectionError("no server")


async def gather(address, n):
    return await asyncio.gather(*(ask_async(address) for _ in range(n)))


async def tasks_first_then_await_each(address, n):
    tasks = [asyncio.create_task(ask_async(address)) for _ in range(n)]
    return [await task for task in tasks]


async def task_group(address, n):
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(ask_async(address)) for _ in range(n)]
    return [task.result() for task in tasks]


async def threads_from_the_loop(address, n):
    return await asyncio.gather(*(asyncio.to_thread(ask, address) for _ in range(n)))


async def gather_as_tuple(address, n):
    return tuple(await asyncio.gather(*(ask_async(address) for _ in range(n))))


WRONG: dict[str, tuple[Any, str]] = {
    "await each request in turn": (one_at_a_time, "one-at-a-time"),
    "the blocking ask() in a coroutine": (blocking_ask, "blocking-call"),
    "time.sleep in a coroutine": (sleeps_then_gathers, "blocking-call"),
    "coroutines never awaited": (coroutines_not_awaited, "not-awaited"),
    "gather never awaited": (gather_not_awaited, "not-awaited"),
    "a plain function": (not_async, "not-async"),
    "one request too few": (one_too_few, "wrong-values"),
    "nothing returned": (returns_nothing, "wrong-shape"),
    "ask_many raises": (raises, "raised"),
    "not a function": (None, "wrong-type"),
}

RIGHT = {
    "gather": gather,
    "tasks first, then await each": tasks_first_then_await_each,
    "a TaskGroup": task_group,
    "threads started from the loop": threads_from_the_loop,
    "a tuple of answers": gather_as_tuple,
}


@pytest.mark.parametrize("name", list(WRONG))
def test_check_names_the_mistake(name: str) -> None:
    ask_many, hint = WRONG[name]
    verdict = check_ask_many(ask_many)
    assert (verdict.ok, verdict.hint) == (False, hint), verdict


def test_check_stops_waiting_for_a_coroutine_that_never_ends() -> None:
    async def forever(address, n):
        await asyncio.sleep(60)

    verdict = check_ask_many(forever, timeout=1)
    assert (verdict.ok, verdict.hint) == (False, "hangs"), verdict


@pytest.mark.parametrize("name", list(RIGHT))
def test_check_accepts_right_answers(name: str) -> None:
    verdict = check_ask_many(RIGHT[name])
    assert verdict.ok, verdict


def test_the_sizes_are_the_documented_ones() -> None:
    assert (N, DELAY) == (8, 0.5)

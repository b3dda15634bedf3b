"""Checks for chapter 07's asyncio exercise: many requests in flight from one thread.

The learner writes a coroutine function ``ask_many(address, n)`` that sends ``n`` requests to
the slow server at ``address`` at once, with ``helpers.waiting.ask_async``, and returns the
``n`` answers. :func:`check_ask_many` starts a slow server (each answer comes after
:data:`DELAY` seconds), runs ``asyncio.run(ask_many(address, N))`` in a thread of its own
(so it works whether or not the caller's thread runs an event loop, as a notebook's does),
and, on the same event loop, a *heartbeat* coroutine that wakes every 20 ms. It judges:

* the answers: ``n`` of them, each ``b"pong"`` (a coroutine object, not awaited, is named);
* the time: ``N`` requests one after another take ``N * DELAY``; at once, about one
  ``DELAY``. The threshold, half of ``N * DELAY``, leaves a wide margin on a busy machine;
* the heartbeat: a blocking call (``helpers.benchmark.ask``, ``time.sleep``) inside the
  coroutine freezes the whole event loop, so the heartbeat misses a beat of about ``DELAY``;
  awaiting each request in turn keeps the loop alive, just slow.

Hint ids are tested in ``tests/test_checks_waiting.py``.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any

from helpers.benchmark import slow_server
from helpers.checks import Verdict, correct, not_yet
from helpers.checks.recording import call_with_timeout, require_timeout
from helpers.language import say

#: How many requests the check asks for, and how long the server takes to answer each.
N = 8
DELAY = 0.5

#: How long the check lets ``ask_many`` run (one after another would take N * DELAY = 4 s).
CHECK_TIMEOUT = 20.0


async def _with_heartbeat(coroutine: Any) -> tuple[Any, float, float]:
    """Run ``coroutine`` beside a heartbeat; its result, its duration, the longest gap."""
    longest = 0.0
    done = False

    async def heartbeat() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.02)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    beat = asyncio.ensure_future(heartbeat())
    await asyncio.sleep(0)  # let the heartbeat start
    start = time.perf_counter()
    try:
        result = await coroutine
    finally:
        done = True
        elapsed = time.perf_counter() - start
        await beat
    return result, elapsed, longest


def check_ask_many(ask_many: Callable[[tuple[str, int], int], Any],
                   timeout: float = CHECK_TIMEOUT) -> Verdict:
    """Check that ``ask_many(address, n)`` is a coroutine function that has all ``n``
    requests in flight at once on one event loop, and returns the ``n`` answers."""
    timeout = require_timeout("timeout", timeout)
    if not callable(ask_many):
        return not_yet(say(
            f"ask_many must be your function, async def ask_many(address, n), got "
            f"{type(ask_many).__name__}",
            "ask_many 应当是你的函数 async def ask_many(address, n)，得到的却是 "
            f"{type(ask_many).__name__}"), "wrong-type")
    if not inspect.iscoroutinefunction(ask_many):
        return not_yet(say(
            "ask_many must be a coroutine function: write async def ask_many(...), "
            "and await inside it.",
            "ask_many 必须是协程函数：写 async def ask_many(...)，并在里面使用 "
            "await。"), "not-async")
    with slow_server(DELAY) as address:

        def run() -> tuple[Any, float, float]:
            return asyncio.run(_with_heartbeat(ask_many(address, N)))

        outcome = call_with_timeout(run, (), timeout)
    if not outcome.finished:
        return not_yet(say(
            f"ask_many did not return within {timeout:g} s: give each request a "
            "timeout (ask_async has one).",
            f"ask_many 在 {timeout:g} 秒内没有返回：给每个请求都加上超时（ask_async 自"
            "带一个）。"), "hangs")
    if outcome.error is not None:
        error = outcome.error
        return not_yet(say(
            f"ask_many raised {type(error).__name__}: {str(error)[:120]}",
            f"ask_many 抛出了 {type(error).__name__}：{str(error)[:120]}"), "raised")
    answers, elapsed, longest_gap = outcome.value
    if isinstance(answers, asyncio.Future) or inspect.isawaitable(answers):
        if inspect.iscoroutine(answers):
            answers.close()
        return not_yet(say(
            "ask_many returned something to await, not the answers: write "
            "return await asyncio.gather(...).",
            "ask_many 返回的是一个待 await 的对象，而不是答复：请写 return await "
            "asyncio.gather(...)。"), "not-awaited")
    try:
        answers = list(answers)
    except TypeError:
        return not_yet(say(
            f"ask_many returned {type(answers).__name__} {answers!r:.60}: return the "
            f"list of the {N} answers",
            f"ask_many 返回了 {type(answers).__name__} {answers!r:.60}：请返回由 "
            f"{N} 个答复组成的列表"), "wrong-shape")
    if any(inspect.iscoroutine(answer) for answer in answers):
        for answer in answers:
            if inspect.iscoroutine(answer):
                answer.close()  # never awaited: close it, so Python does not warn later
        return not_yet(say(
            "ask_many returned coroutine objects, not answers: a coroutine does "
            "nothing until it is awaited. Await them all at once: return await "
            "asyncio.gather(*coroutines).",
            "ask_many 返回的是协程对象，而不是答复：协程在被 await 之前什么也不"
            "做。请一次性 await 它们全部：return await "
            "asyncio.gather(*coroutines)。"), "not-awaited")
    if len(answers) != N or any(answer != b"pong" for answer in answers):
        return not_yet(say(
            f"expected {N} answers b'pong', got {answers!r:.80}",
            f"期望 {N} 个答复 b'pong'，得到的却是 {answers!r:.80}"), "wrong-values")
    if longest_gap >= 0.8 * DELAY:
        return not_yet(say(
            "the event loop froze while ask_many ran: a blocking call (ask(), "
            "time.sleep, requests.get) inside a coroutine stops every coroutine. "
            "Await ask_async(address) instead.",
            "ask_many 运行时事件循环卡住了：协程里的阻塞调用（ask()、"
            "time.sleep、requests.get）会让所有协程停下。请改为 await "
            "ask_async(address)。"), "blocking-call")
    if elapsed >= N * DELAY / 2:
        return not_yet(say(
            "the requests ran one after another: each await waited for its answer "
            "before the next request was sent. Create all the coroutines first, "
            "then await them together with asyncio.gather.",
            "请求是一个接一个运行的：每次 await 都等到答复回来才发出下一个请求"
            "。请先创建所有协程，再用 asyncio.gather 一起 await 它们。"), "one-at-a-time")
    return correct(say(
        f"{N} requests were in flight at once on one thread: the answers took about "
        "one delay, not one delay each.",
        f"{N} 个请求同时在一个线程上进行：答复总共只用了大约一个延迟，而不是每个请求一个延迟。"))

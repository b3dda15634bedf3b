"""Checks for chapter 07's porting exercise: fork-era code made to work under ``spawn``.

The fork-era code sets a module global in the parent (``helpers.porting.configure(scale)``)
and lets its workers read it (``scaled_report(x)`` returns ``(pid, x * scale)``). The learner
writes ``ported(context, numbers, scale)``, which must give every worker the scale *without*
relying on the parent's global, keeping the worker ``scaled_report`` as it is: through the
pool's ``initializer``.

:func:`check_port` sets this process's scale to 1 (the module's initial value), calls
``ported(spawn_context, PORT_INPUTS, PORT_SCALE)`` with every ``Thread`` and ``Process`` start
recorded and under a watchdog, restores the scale, and stops whatever was left running. Each
``(pid, value)`` pair says where the work was done (a worker it started, not this kernel, not a
thread of it) and with which scale (the unscaled values are the fork-era code's silent
failure). Hint ids are tested in ``tests/test_checks_porting.py``.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from typing import Any

from helpers.checks import Verdict, correct, not_yet
from helpers.checks.own_modules import _pairs, _pid_of
from helpers.checks.recording import (
    call_with_timeout,
    children_now,
    recorded_workers,
    require_timeout,
    stop_children_until_ended,
)
from helpers.language import say
from helpers.porting import SETTINGS

#: The numbers and the scale the check passes to ``ported(context, numbers, scale)``.
PORT_INPUTS = (1, 2, 3, 4, 5, 6)
PORT_SCALE = 7

#: How long the check lets ``ported`` run: a spawn pool starts in a second or two.
CHECK_TIMEOUT = 30.0


def check_port(
    ported: Callable[[Any, tuple[int, ...], int], Any], timeout: float = CHECK_TIMEOUT
) -> Verdict:
    """Check that ``ported(context, numbers, scale)`` gives every worker the scale.

    ``ported`` must run ``helpers.porting.scaled_report`` over ``numbers`` in a pool taken
    from ``context`` (the check passes ``mp.get_context("spawn")``), with each worker
    configured by the pool's initializer, and return the ``(pid, value)`` pairs in order.
    """
    timeout = require_timeout("timeout", timeout)
    if not callable(ported):
        return not_yet(say(
            f"ported must be your function ported(context, numbers, scale), got "
            f"{type(ported).__name__}",
            "ported 应当是你的函数 ported(context, numbers, scale)，得到的却是 "
            f"{type(ported).__name__}"), "wrong-type")
    saved = SETTINGS["scale"]
    SETTINGS["scale"] = 1  # the module's initial value: what a spawned worker sees
    before = children_now()
    outcome = None
    try:
        with recorded_workers() as log:
            outcome = call_with_timeout(ported, (mp.get_context("spawn"), PORT_INPUTS,
                                                 PORT_SCALE), timeout)
    finally:
        SETTINGS["scale"] = saved
        stop_children_until_ended(before, outcome.thread if outcome else None)
    if not outcome.finished:
        return not_yet(say(
            f"ported did not return within {timeout:g} s. A worker whose initializer "
            "fails (initializer=configure without initargs=(scale,)) dies, and the "
            "pool starts another, forever; give every wait a timeout.",
            f"ported 在 {timeout:g} 秒内没有返回。初始化函数（initializer）失败的工作进"
            "程（initializer=configure 却没有 initargs=(scale,)）会死掉，进程池又启动"
            "一个新的，永无止境；给每一次等待都加上超时。"), "hangs")
    if outcome.error is not None:
        error = outcome.error
        text = f"{type(error).__name__}: {str(error)[:120]}"
        if "<lambda>" in str(error) or "lambda" in str(error):
            return not_yet(say(
                f"ported raised {text}. Under spawn the initializer is pickled, and "
                "a lambda cannot be: pass initializer=configure, initargs=(scale,).",
                f"ported 抛出了 {text}。在 spawn 下初始化函数要被序列化（pickle），而 lambda 不"
                "能：请传入 initializer=configure, initargs=(scale,)。"), "lambda")
        return not_yet(say(
            f"ported raised {text}",
            f"ported 抛出了 {text}"), "raised")
    pairs = _pairs(outcome.value, PORT_INPUTS, "ported", "scaled_report(x)",
                   "(os.getpid(), x * scale)")
    if isinstance(pairs, Verdict):
        return pairs
    processes = [event for event in log.started() if event.kind == "process"]
    threads = [event for event in log.started() if event.kind == "thread"
               and not getattr(event.worker, "name", "").startswith("learner-code")]
    pids = {pid for pid, _ in pairs}
    if os.getpid() in pids:
        if not processes and threads:
            return not_yet(say(
                "the values were computed with this kernel's pid: threads share the "
                "kernel's globals, so they saw the scale without any port. Use a pool "
                "of processes from context.",
                "这些值是用这个内核的 pid 算出来的：线程共享内核的全局变量，所以"
                "不用移植也能看到 scale。请使用从 context 取得的进程池。"), "thread-pool")
        return not_yet(say(
            "the values were computed in this process (this kernel's pid): hand "
            "scaled_report to the pool.",
            "这些值是在本进程（这个内核的 pid）里算出来的：把 scaled_report "
            "交给进程池。"), "work-in-parent")
    started = {_pid_of(event.worker) for event in processes}
    if not pids <= started:
        return not_yet(say(
            "the pids in your results are not those of processes ported started: "
            "run scaled_report in a pool from context.",
            "结果里的 pid 不属于 ported 启动的进程：请在从 context 取得的进"
            "程池里运行 scaled_report。"), "not-its-workers")
    methods = {getattr(event.worker, "_start_method", None) for event in processes
               if _pid_of(event.worker) in pids}
    if methods != {"spawn"}:
        found = ", ".join(sorted(str(method) for method in methods))
        return not_yet(say(
            f"the workers were started with {found}, not with the context the check "
            "passed (spawn): take the pool from context, context.Pool(...).",
            f"工作进程是用 {found} 启动的，而不是用检查传入的 context（spawn）：请从 context 取"
            "得进程池，context.Pool(...)。"), "ignored-context")
    values = [value for _, value in pairs]
    if values == list(PORT_INPUTS):
        return not_yet(say(
            "the workers computed x * 1: they saw the module's initial scale, not "
            f"{PORT_SCALE}. A global set in this process does not reach a spawned "
            "worker: configure each worker with initializer=configure, "
            "initargs=(scale,).",
            "工作进程算的是 x * 1：它们看到的是模块初始的 scale，而不是 "
            f"{PORT_SCALE}。在本进程里设置的全局变量到不了 spawn 启动的工作"
            "进程：请用 initializer=configure, initargs=(scale,) 配置每个工"
            "作进程。"), "inherited-global")
    if values != [x * PORT_SCALE for x in PORT_INPUTS]:
        return not_yet(say(
            f"expected {[x * PORT_SCALE for x in PORT_INPUTS]}, in this order, got "
            f"{values!r:.80}",
            f"期望按这个顺序得到 {[x * PORT_SCALE for x in PORT_INPUTS]}，得到的"
            f"却是 {values!r:.80}"), "wrong-values")
    return correct(say(
        f"each spawned worker ran configure({PORT_SCALE}) once, as it started, and "
        "scaled_report read that scale: nothing relied on this kernel's global.",
        f"每个 spawn 启动的工作进程在启动时运行了一次 configure({PORT_SCALE})，scaled_report 读"
        "到的正是这个 scale：没有任何东西依赖这个内核的全局变量。"))

"""Checks for the exercises of chapter 07 (your own code in parallel).

The exercise: write a module of your own (``%%writemodule my_cubes``) with ``cube(x)`` that
returns ``(os.getpid(), x ** 3)``, and a function ``run_cubes(task, numbers)`` that maps
``task`` over ``numbers`` in a ``spawn`` pool. :func:`check_own_module` receives both and
judges *how* the answer was reached:

* before running anything, it looks at ``task``: a lambda, a function defined in the notebook
  (``__main__``) or nested in another function, or a function from another module
  (``helpers``, ``os``) is named as such. The first three are exactly what a spawned worker
  cannot import: a real pool would fail, or wait forever;
* then it calls ``run_cubes(task, CUBE_INPUTS)`` with every ``Thread`` and ``Process`` start
  recorded (:func:`helpers.checks.recording.recorded_workers`), under a watchdog, and stops
  whatever it left running;
* each ``(pid, cube)`` pair must come from a process it started, not from this kernel (the
  work done in the parent, or in a ``ThreadPool``, whose threads share the kernel's pid), and
  those processes must have been *spawned* (``get_context("spawn")``), whatever this kernel's
  default start method is.

Every verdict carries a hint id; ``tests/test_checks_own_modules.py`` lists the wrong answers
learners give and the id each gets.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from helpers.checks import Verdict, correct, not_yet
from helpers.checks.recording import (
    call_with_timeout,
    children_now,
    recorded_workers,
    require_timeout,
    stop_children_until_ended,
)
from helpers.language import say
from helpers.own_modules import from_module_folder

#: The numbers the check passes to the learner's ``run_cubes(task, numbers)``.
CUBE_INPUTS = (2, 3, 5, 7, 11, 13)

#: How long the check lets ``run_cubes`` run: a spawn pool starts in a second or two.
CHECK_TIMEOUT = 30.0


def _task_problem(task: Any) -> Verdict | None:
    """What is wrong with ``task`` before anything runs, or ``None``."""
    if not callable(task):
        return not_yet(say(
            f"task must be your function my_cubes.cube, got {type(task).__name__} "
            f"{task!r:.60}",
            f"task 应当是你的函数 my_cubes.cube，得到的却是 {type(task).__name__} "
            f"{task!r:.60}"), "wrong-type")
    name = getattr(task, "__qualname__", "")
    if "<lambda>" in name:
        return not_yet(say(
            "task is a lambda: a lambda cannot be pickled by reference, so no "
            "worker can receive it. Write def cube(x): ... in your module.",
            "task 是一个 lambda：lambda 无法按引用序列化（pickle），所以没有工作进程"
            "能收到它。请在你的模块里写 def cube(x): ...。"), "lambda")
    if getattr(task, "__module__", None) == "__main__":
        return not_yet(say(
            f"{name}() is defined in the notebook (module __main__): a spawned "
            "worker imports your notebook's functions from nowhere. Write it in "
            "the %%writemodule my_cubes cell, import my_cubes, pass my_cubes.cube.",
            f"{name}() 定义在笔记本里（模块 __main__）：spawn 启动的工作进程无处导入你笔记本里"
            "的函数。请把它写进 %%writemodule my_cubes 单元格，import my_cubes，再传入 "
            "my_cubes.cube。"), "defined-in-notebook")
    if "<locals>" in name:
        return not_yet(say(
            f"{name}() is defined inside another function: a worker cannot import "
            "it. Define cube at the top level of your module.",
            f"{name}() 定义在另一个函数内部：工作进程无法导入它。请把 cube 定"
            "义在你模块的顶层。"), "nested-function")
    if not from_module_folder(task):
        module = getattr(task, "__module__", None) or say("an unknown module", "一个未知的模块")
        return not_yet(say(
            f"task comes from {module}, not from the module you wrote: write cube "
            "in the %%writemodule my_cubes cell and pass my_cubes.cube.",
            f"task 来自 {module}，而不是你写的模块：请在 %%writemodule my_cubes 单元格里写 cube"
            "，并传入 my_cubes.cube。"), "not-your-module")
    return None


def _pairs(value: Any, numbers: tuple[int, ...], caller: str = "run_cubes",
           worker: str = "cube(x)", example: str = "(os.getpid(), x ** 3)"
           ) -> list[tuple[Any, Any]] | Verdict:
    """``value`` as a list of pairs, one per number, or the verdict that says why it is not.

    ``caller`` names the learner's function, ``worker`` the task whose pairs it returns.
    """
    shape = say(f"a list of pairs {example}, one per number, in their order",
                f"由二元组 {example} 组成的列表，每个数一个，按数的顺序排列")
    try:
        items = list(value)
    except TypeError:
        return not_yet(say(
            f"{caller} returned {type(value).__name__} {value!r:.60}: return {shape}",
            f"{caller} 返回了 {type(value).__name__} {value!r:.60}：请返回{shape}"), "wrong-shape")
    if len(items) != len(numbers):
        return not_yet(say(
            f"{caller} returned {len(items)} results for {len(numbers)} numbers: "
            f"return {shape}",
            f"{caller} 为 {len(numbers)} 个数返回了 {len(items)} 个结果：请返回"
            f"{shape}"), "wrong-shape")
    pairs = []
    for item in items:
        if isinstance(item, str | bytes) or not hasattr(item, "__len__") or len(item) != 2:
            return not_yet(say(
                f"{caller} returned {item!r:.60} for one number: make {worker} "
                f"return {example}, and return those pairs",
                f"{caller} 为一个数返回了 {item!r:.60}：请让 {worker} 返回 "
                f"{example}，并返回这些二元组"), "wrong-shape")
        pairs.append((item[0], item[1]))
    return pairs


def check_own_module(
    run_cubes: Callable[[Callable[[int], Any], tuple[int, ...]], Any],
    task: Callable[[int], Any] | None = None,
    timeout: float = CHECK_TIMEOUT,
) -> Verdict:
    """Check that ``run_cubes(task, numbers)`` ran your module's ``task`` in spawned workers.

    ``task`` must be ``cube`` from a module written with ``%%writemodule`` (it returns
    ``(os.getpid(), x ** 3)``); ``run_cubes`` must map it over ``numbers`` in a pool of
    processes started with ``spawn`` and return the list of pairs, in the order of the numbers.
    """
    timeout = require_timeout("timeout", timeout)
    problem = _task_problem(task)
    if problem is not None:
        return problem
    if not callable(run_cubes):
        return not_yet(say(
            f"run_cubes must be your function run_cubes(task, numbers), got "
            f"{type(run_cubes).__name__}",
            "run_cubes 应当是你的函数 run_cubes(task, numbers)，得到的却是 "
            f"{type(run_cubes).__name__}"), "wrong-type")
    before = children_now()
    with recorded_workers() as log:
        outcome = call_with_timeout(run_cubes, (task, CUBE_INPUTS), timeout)
    stop_children_until_ended(before, outcome.thread)
    if not outcome.finished:
        return not_yet(say(
            f"run_cubes did not return within {timeout:g} s: give every wait a "
            "timeout (map_async(...).get(timeout=30))",
            f"run_cubes 在 {timeout:g} 秒内没有返回：给每一次等待都加上超时（"
            "map_async(...).get(timeout=30)）"), "hangs")
    if outcome.error is not None:
        error = outcome.error
        return not_yet(say(
            f"run_cubes raised {type(error).__name__}: {str(error)[:120]}",
            f"run_cubes 抛出了 {type(error).__name__}：{str(error)[:120]}"), "raised")
    pairs = _pairs(outcome.value, CUBE_INPUTS)
    if isinstance(pairs, Verdict):
        return pairs
    processes = [event for event in log.started() if event.kind == "process"]
    threads = [event for event in log.started() if event.kind == "thread"
               and not getattr(event.worker, "name", "").startswith("learner-code")]
    started_pids = {_pid_of(event.worker) for event in processes}
    pids = {pid for pid, _ in pairs}
    parent = os.getpid()
    if parent in pids:
        if not processes and _pool_threads(threads):
            return not_yet(say(
                "every cube was computed with this kernel's pid: a ThreadPool runs "
                "its tasks in threads of this process. Use a pool of processes: "
                "mp.get_context('spawn').Pool(2).",
                "每个立方都是用这个内核的 pid 算出来的：ThreadPool 在本进程的线"
                "程里运行任务。请使用进程池：mp.get_context('spawn').Pool(2)。"), "thread-pool")
        return not_yet(say(
            "the cubes were computed in this process (this kernel's pid), not in "
            "worker processes: hand task to the pool (pool.map(task, numbers)) "
            "instead of calling it yourself.",
            "这些立方是在本进程（这个内核的 pid）里算出来的，而不是在工作进程"
            "里：把 task 交给进程池（pool.map(task, numbers)），不要自己调用"
            "它。"), "work-in-parent")
    if not pids <= started_pids:
        return not_yet(say(
            "the pids in your results are not those of processes run_cubes started: "
            "run task in a pool that run_cubes starts.",
            "结果里的 pid 不属于 run_cubes 启动的进程：请在 run_cubes 自己启"
            "动的进程池里运行 task。"), "not-its-workers")
    methods = {getattr(event.worker, "_start_method", None) for event in processes
               if _pid_of(event.worker) in pids}
    if methods != {"spawn"}:
        found = ", ".join(sorted(str(method) for method in methods))
        return not_yet(say(
            f"the workers were started with {found}, not spawn: take the pool from "
            "mp.get_context('spawn'), so it is spawn whatever the kernel's default "
            "is.",
            f"工作进程是用 {found} 启动的，而不是 spawn：请从 "
            "mp.get_context('spawn') 取得进程池，这样无论内核的默认启动方式是什么"
            "，都是 spawn。"), "not-spawn")
    wrong = [(x, cube) for x, (_, cube) in zip(CUBE_INPUTS, pairs, strict=True) if cube != x ** 3]
    if wrong:
        x, cube = wrong[0]
        return not_yet(say(
            f"for x = {x} the pair holds {cube!r:.40}, not x ** 3 = {x ** 3}; the pairs "
            "must be in the order of the numbers",
            f"x = {x} 时二元组里是 {cube!r:.40}，而不是 x ** 3 = {x ** 3}；二元"
            "组必须按数的顺序排列"), "wrong-values")
    module = getattr(task, "__module__", "?")
    return correct(say(
        f"{len(pairs)} cubes from {module}.{task.__name__}, computed in spawned "
        "worker processes, none of them this kernel: each worker imported your "
        "module by its name.",
        f"{module}.{task.__name__} 算出了 {len(pairs)} 个立方，都在 spawn 启动的工作进程里完成"
        "，没有一个在这个内核里：每个工作进程都按名字导入了你的模块。"))


def _pid_of(process: Any) -> int | None:
    """A started process's pid, or ``None`` (a closed Process object refuses to say)."""
    try:
        return process.pid
    except ValueError:
        return None


def _pool_threads(threads: list[Any]) -> bool:
    """Whether the learner's code started threads (a ThreadPool's workers, or its own)."""
    return bool(threads)

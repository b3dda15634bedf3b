"""helpers.checks.own_modules: the chapter 07 check rejects the wrong answers learners give,
each with its own hint id, and accepts every right answer.

The learner's module ``my_cubes`` is written with :func:`helpers.own_modules.write_module`, as
the notebook's ``%%writemodule`` cell does; each answer below is a ``run_cubes(task, numbers)``
written as a learner writes it, or a ``task`` a learner passes instead of ``my_cubes.cube``.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import multiprocessing.pool
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import pytest

from helpers.checks.own_modules import CUBE_INPUTS, check_own_module
from helpers.own_modules import remove_module_folder, write_module
from helpers.workers import square

CUBES = "import os\n\n\ndef cube(x):\n    return os.getpid(), x ** 3\n"
ONLY_CUBES = "def cube(x):\n    return x ** 3\n"

SPAWN = mp.get_context("spawn")


@pytest.fixture(scope="module")
def my_cubes() -> Iterator[Any]:
    write_module("my_cubes", CUBES)
    write_module("my_plain_cubes", ONLY_CUBES)
    yield importlib.import_module("my_cubes")
    remove_module_folder()


# --- run_cubes(task, numbers): what learners write ---------------------------------------------


def spawn_pool_map(task, numbers):
    with SPAWN.Pool(processes=2) as pool:
        return pool.map(task, numbers)


def spawn_pool_map_async(task, numbers):
    with SPAWN.Pool(processes=2) as pool:
        return pool.map_async(task, numbers).get(timeout=30)


def spawn_apply_async_then_get(task, numbers):
    with SPAWN.Pool(processes=2) as pool:
        pending = [pool.apply_async(task, (x,)) for x in numbers]
        return [result.get(timeout=30) for result in pending]


def spawn_executor(task, numbers):
    with ProcessPoolExecutor(max_workers=2, mp_context=SPAWN) as executor:
        return list(executor.map(task, numbers, timeout=30))


def spawn_pool_tuple_of_lists(task, numbers):
    with SPAWN.Pool(processes=2) as pool:
        return tuple([pid, cube] for pid, cube in pool.map(task, numbers))


def work_in_parent(task, numbers):
    return [task(x) for x in numbers]


def pool_started_but_work_in_parent(task, numbers):
    with SPAWN.Pool(processes=2) as pool:
        pool.map(abs, [1])
        return [task(x) for x in numbers]


def thread_pool(task, numbers):
    with multiprocessing.pool.ThreadPool(processes=2) as pool:
        return pool.map(task, numbers)


def thread_pool_executor(task, numbers):
    with ThreadPoolExecutor(max_workers=2) as executor:
        return list(executor.map(task, numbers))


def default_context_fork_pool(task, numbers):
    with mp.get_context("fork").Pool(processes=2) as pool:
        return pool.map(task, numbers)


def only_the_cubes(task, numbers):
    with SPAWN.Pool(processes=2) as pool:
        return [cube for _, cube in pool.map(task, numbers)]


def unordered(task, numbers):
    with SPAWN.Pool(processes=2) as pool:
        return sorted(pool.map(task, numbers), key=lambda pair: -pair[1])


def returns_nothing(task, numbers):
    with SPAWN.Pool(processes=2) as pool:
        pool.map(task, numbers)


def raises(task, numbers):
    raise RuntimeError("my pool broke")


def waits_forever(task, numbers):
    time.sleep(60)


def cube_in_test_file(x):
    return os.getpid(), x ** 3


def cube_from_the_notebook(x):
    return os.getpid(), x ** 3


cube_from_the_notebook.__module__ = "__main__"  # what a function defined in a cell has


def _nested() -> Callable[[int], Any]:
    def cube(x):
        return os.getpid(), x ** 3

    return cube


# name -> (run_cubes, which task: "mine", "plain" (returns x ** 3 only) or a function), hint
WRONG: dict[str, tuple[Callable[..., Any], Any, str]] = {
    "the work done in the parent": (work_in_parent, "mine", "work-in-parent"),
    "a pool started, the work done in the parent":
        (pool_started_but_work_in_parent, "mine", "work-in-parent"),
    "a ThreadPool": (thread_pool, "mine", "thread-pool"),
    "a ThreadPoolExecutor": (thread_pool_executor, "mine", "thread-pool"),
    "a lambda": (spawn_pool_map, lambda x: (os.getpid(), x ** 3), "lambda"),
    "a function defined in the notebook": (spawn_pool_map, cube_from_the_notebook,
                                           "defined-in-notebook"),
    "a nested function": (spawn_pool_map, _nested(), "nested-function"),
    "a function of another module": (spawn_pool_map, cube_in_test_file, "not-your-module"),
    "a helper of the course": (spawn_pool_map, square, "not-your-module"),
    "not a function": (spawn_pool_map, "my_cubes.cube", "wrong-type"),
    "run_cubes not a function": (None, "mine", "wrong-type"),
    "cube returns only x ** 3": (spawn_pool_map, "plain", "wrong-shape"),
    "only the cubes returned": (only_the_cubes, "mine", "wrong-shape"),
    "nothing returned": (returns_nothing, "mine", "wrong-shape"),
    "results out of order": (unordered, "mine", "wrong-values"),
    "run_cubes raises": (raises, "mine", "raised"),
}
if "fork" in mp.get_all_start_methods():
    WRONG["a fork pool"] = (default_context_fork_pool, "mine", "not-spawn")

RIGHT = {
    "spawn Pool.map": spawn_pool_map,
    "spawn map_async with a timeout": spawn_pool_map_async,
    "spawn apply_async, then get": spawn_apply_async_then_get,
    "ProcessPoolExecutor with a spawn context": spawn_executor,
    "a tuple of lists": spawn_pool_tuple_of_lists,
}


def _task(which: Any, module: Any) -> Any:
    if which == "mine":
        return module.cube
    if which == "plain":
        return importlib.import_module("my_plain_cubes").cube
    return which


@pytest.mark.parametrize("name", list(WRONG))
def test_check_names_the_mistake(name: str, my_cubes: Any) -> None:
    run_cubes, which, hint = WRONG[name]
    verdict = check_own_module(run_cubes, _task(which, my_cubes))
    assert not verdict.ok, verdict
    assert verdict.hint == hint, verdict


def test_check_stops_a_run_that_never_returns(my_cubes: Any) -> None:
    verdict = check_own_module(waits_forever, my_cubes.cube, timeout=0.5)
    assert (verdict.ok, verdict.hint) == (False, "hangs")


@pytest.mark.parametrize("name", list(RIGHT))
def test_check_accepts_right_answers(name: str, my_cubes: Any) -> None:
    verdict = check_own_module(RIGHT[name], my_cubes.cube)
    assert verdict.ok, verdict
    assert "my_cubes.cube" in verdict.message


def test_the_inputs_are_the_documented_ones() -> None:
    assert CUBE_INPUTS == (2, 3, 5, 7, 11, 13)

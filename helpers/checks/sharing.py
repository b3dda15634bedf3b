"""Checks for the exercises of chapter 05 (shared memory).

Exercise 1 judges a dict of typecodes. Exercises 2 and 3 are about *how* the work is done
(by child processes, writing into shared memory), so the learner writes a function and the
check calls it: inside :func:`helpers.checks.recording.recorded_workers` (which processes
started and joined, with which target and arguments), with a timeout, and, for exercise 3,
while noting every ``SharedMemory`` segment the function creates. Whatever the answer, the
check leaves no child running and no segment behind.

Every verdict carries a hint id naming the mistake (see each check's docstring).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import os
import traceback
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.shared_memory import SharedMemory
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Any

import numpy as np

from helpers._validate import require_int, require_order
from helpers.checks import Verdict, correct, not_yet
from helpers.checks.recording import (
    Outcome,
    WorkerLog,
    call_with_timeout,
    children_now,
    pools_made,
    recorded_workers,
    require_timeout,
    stop_new_children,
    stop_pools,
)
from helpers.language import say
from helpers.sharing import (
    C_TYPES,
    INTEGER_TYPECODES,
    ScaledRows,
    fits_everywhere,
    integer_range,
    is_unmapped,
    memory_behind,
    portable_bytes,
    segment_exists,
)

#: How long a check waits for the learner's function (a notebook cell fails after 30 s).
CHECK_TIMEOUT = 20.0

# --------------------------------------------------------------------------------------------
# Exercise 1: choose typecodes
# --------------------------------------------------------------------------------------------

#: What each shared array must hold: (smallest value, largest value).
TYPECODE_TASKS: dict[str, tuple[int, int]] = {
    "pixel brightness, 0 to 255": (0, 255),
    "temperature change in whole degrees, -40 to 40": (-40, 40),
    "a year, 1900 to 2100": (1900, 2100),
    "rows in a table, up to 4_000_000_000": (0, 4_000_000_000),
    "file sizes in bytes, up to 45_645_465_456 (the notes' number)": (0, 45_645_465_456),
}


def best_bytes(low: int, high: int) -> int:
    """The fewest bytes an integer typecode needs to hold ``low..high`` on every platform.

    >>> best_bytes(0, 255), best_bytes(-40, 40), best_bytes(0, 4_000_000_000)
    (1, 1, 4)
    """
    require_int("low", low)
    require_int("high", high)
    require_order("low", low, "high", high)
    return min(
        portable_bytes(code)[1] for code in INTEGER_TYPECODES if fits_everywhere(code, [low, high])
    )


def _judge_typecode(task: str, code: object) -> Verdict | None:
    """What is wrong with ``code`` for ``task`` (a failing verdict), or None if it is a best
    choice."""
    low, high = TYPECODE_TASKS[task]
    if not isinstance(code, str) or code not in C_TYPES:
        return not_yet(
            say(f"{code!r} for {task!r} is not a typecode; pick one of "
                f"{''.join(INTEGER_TYPECODES)}",
                f"{code!r} 用于 {task!r}：它不是一个类型码；请从 {''.join(INTEGER_TYPECODES)} "
                "中选一个"),
            "not-a-typecode",
        )
    if code not in INTEGER_TYPECODES:
        return not_yet(
            say(f"{code!r} for {task!r}: these are whole numbers, use an integer typecode",
                f"{code!r} 用于 {task!r}：这些都是整数，请使用整数类型码"),
            "not-integer",
        )
    fewest, most = portable_bytes(code)
    if not fits_everywhere(code, [low, high]):
        here_low, here_high = integer_range(code)
        small_low, small_high = integer_range(code, fewest)
        if here_low <= low and high <= here_high:
            return not_yet(
                say(f"{code!r} for {task!r} works here, but on Windows it has {fewest} bytes "
                    f"({small_low} to {small_high}): the values would wrap around there",
                    f"{code!r} 用于 {task!r} 在这里可以，但在 Windows 上它只有 {fewest} "
                    f"个字节（{small_low} 到 {small_high}）：在那里这些值会溢出回绕"),
                "long-on-windows",
            )
        return not_yet(
            say(f"{code!r} for {task!r} holds only {small_low} to {small_high}: "
                f"{low if low < small_low else high} would wrap around silently",
                f"{code!r} 用于 {task!r} 只能容纳 {small_low} 到 {small_high}："
                f"{low if low < small_low else high} 会悄无声息地溢出回绕"),
            "too-small",
        )
    needed = best_bytes(low, high)
    if most > needed:
        where = say(" on Linux and macOS", "在 Linux 和 macOS 上") if fewest < most else ""
        return not_yet(
            say(f"{code!r} for {task!r} is safe but takes {most} bytes{where}; "
                f"a {needed}-byte typecode is enough",
                f"{code!r} 用于 {task!r} 是安全的，但{where}要占 {most} 个字节；{needed} "
                "个字节的类型码就够了"),
            "too-big",
        )
    return None


def check_typecodes(answers: Mapping[str, str]) -> Verdict:
    """Exercise 1: ``answers`` maps each task in :data:`TYPECODE_TASKS` to a typecode.

    Right means: the values fit on Linux, macOS and Windows alike, in the fewest bytes.
    Hints: ``wrong-type`` (not a dict), ``missing`` (a task without a typecode),
    ``not-a-typecode``, ``not-integer`` (``'d'``, ``'f'``, ``'c'``), ``too-small`` (the values
    wrap around everywhere), ``long-on-windows`` (``'l'``/``'L'``: fits here, 4 bytes on
    Windows), ``too-big`` (safe, but more bytes than needed). With several mistakes, the hint
    and message are those of the first task in :data:`TYPECODE_TASKS` order.

    >>> check_typecodes({}).hint
    'missing'
    """
    if not isinstance(answers, Mapping):
        kind = type(answers).__name__
        return not_yet(say(f"answers should be a dict of task -> typecode, not {kind}",
                           "answers 应当是一个 任务 -> 类型码 的 dict，而不是 "
                           f"{kind}"), "wrong-type")
    missing = [task for task in TYPECODE_TASKS if task not in answers]
    if missing:
        return not_yet(
            say(f"give a typecode for every task; {len(missing)} missing, e.g. {missing[0]!r}",
                f"请为每项任务给出一个类型码；缺少 {len(missing)} 项，例如 {missing[0]!r}"),
            "missing",
        )
    problems = [
        p for task in TYPECODE_TASKS if (p := _judge_typecode(task, answers[task])) is not None
    ]
    if problems:
        first = problems[0]
        if len(problems) == 1:
            return first
        more = say(f" ({len(problems) - 1} more to fix)", f"（还有 {len(problems) - 1} 处要改）")
        return dataclasses.replace(first, message=first.message + more)
    return correct(
        say("every array holds its values on every platform, in the fewest bytes. "
            "Notice that 'l' and 'L' are never the best choice: 4 bytes on Windows, 8 elsewhere.",
            "每个数组都能在每个平台上容纳它的值，而且用的字节最少。注意 'l' 和 'L' "
            "从来都不是最佳选择：在 Windows 上是 4 个字节，在其他地方是 8 个。")
    )


# --------------------------------------------------------------------------------------------
# Shared by exercises 2 and 3: call the learner's function, watched, with a timeout
# --------------------------------------------------------------------------------------------


def _not_a_function(argument: object, name: str, check: str) -> Verdict:
    return not_yet(
        say(f"pass your function itself, without calling it: {check}({name}), "
            f"not {type(argument).__name__}",
            f"请传入你的函数本身，不要调用它：{check}({name})，而不是 {type(argument).__name__}"),
        "not-a-function",
    )


def _failed(outcome: Outcome, timeout: float) -> Verdict | None:
    """The verdict for a call that did not return normally, or None if it did."""
    if not outcome.finished:
        return not_yet(
            say(f"your function did not return within {timeout:g} s: does it wait for something "
                "that never comes (a process never started, a result never sent)?",
                f"你的函数没有在 {timeout:g} 秒内返回：它是不是在等待一件永远不会发生的事（一个从未"
                "启动的进程，一个从未发送的结果）？"),
            "hangs",
        )
    if outcome.error is not None:
        error = outcome.error
        return not_yet(say(f"your function raised {type(error).__name__}: {error}",
                           f"你的函数抛出了 {type(error).__name__}：{error}"), "error")
    return None


def _forget(outcome: Outcome) -> None:
    """Drop what the learner's call left behind (its value, the frames of its traceback), so
    that its NumPy views and pools can be garbage collected before the clean-up."""
    if outcome.error is not None and outcome.error.__traceback__ is not None:
        traceback.clear_frames(outcome.error.__traceback__)
    outcome.value = None
    outcome.error = None
    gc.collect()


# --------------------------------------------------------------------------------------------
# Exercise 2: two processes fill a shared Array
# --------------------------------------------------------------------------------------------

#: Exercise 2: how many squares the shared array holds.
SQUARES = 10


def _is_shared_array(obj: object) -> bool:
    return isinstance(obj, (SynchronizedArray, ctypes.Array))


def _same_array(candidate: object, array: object) -> bool:
    if candidate is array:
        return True
    get_obj = getattr(array, "get_obj", None)
    return get_obj is not None and candidate is get_obj()


def _first_argument(event: Any) -> object:
    """The shared object a worker was given: its first positional argument, or ``shared=``."""
    if event.args:
        return event.args[0]
    return event.kwargs.get("shared")


def _bounds(event: Any) -> tuple[int, int] | None:
    """The (start, stop) a fill_squares worker was given, or None if they cannot be read."""
    names = ("shared", "start", "stop")
    given = dict(zip(names, event.args, strict=False)) | dict(event.kwargs)
    try:
        return int(given["start"]), int(given["stop"])
    except (KeyError, TypeError, ValueError):
        return None


def _judge_squares(outcome: Outcome, log: WorkerLog, timeout: float) -> Verdict:
    failed = _failed(outcome, timeout)
    if failed is not None:
        return failed
    array = outcome.value
    if array is None:
        return not_yet(
            say(f"your function returned None: create a shared array (mp.Array('i', {SQUARES})), "
                "let two processes fill it, and return it",
                f"你的函数返回了 None：请创建一个共享数组（mp.Array('i', {SQUARES})），"
                "让两个进程填充它，然后返回它"),
            "missing",
        )
    if isinstance(array, tuple) and array and _is_shared_array(array[0]):
        return not_yet(say("return only the shared array, not a tuple",
                           "请只返回共享数组，而不是一个元组"), "wrong-return")
    if isinstance(array, (list, tuple, np.ndarray)):
        return not_yet(
            say(f"a plain {type(array).__name__} is copied into each child, so the children's "
                "writes never reach the parent: use multiprocessing.Array",
                f"普通的 {type(array).__name__} 会被复制到每个子进程中，"
                "所以子进程的写入永远到不了父进程：请使用 multiprocessing.Array"),
            "copied",
        )
    if not _is_shared_array(array):
        return not_yet(say(f"return a multiprocessing.Array, not {type(array).__name__}",
                           "请返回一个 multiprocessing.Array，而不是 "
                           f"{type(array).__name__}"), "wrong-type")
    values = list(array[:])
    expected = [i * i for i in range(SQUARES)]
    started = [e for e in log.started() if _same_array(_first_argument(e), array)]
    fillers = [e for e in started if e.kind == "process" and e.target_name == "fill_squares"]
    if not fillers:
        if any(e.kind == "thread" for e in started):
            return not_yet(
                say("threads share memory anyway: the exercise is to let two *processes* write "
                    "into a shared Array (multiprocessing.Process)",
                    "线程本来就共享内存：这个练习是让两个*进程*写入一个共享的 "
                    "Array（multiprocessing.Process）"),
                "threads",
            )
        if started:
            names = sorted({e.target_name for e in started})
            return not_yet(
                say(f"the processes ran {', '.join(names)}: give them target=fill_squares",
                    f"这些进程运行的是 {', '.join(names)}：请给它们 target=fill_squares"),
                "wrong-target",
            )
        if any(e.target_name == "fill_squares" for e in log.started("process")):
            return not_yet(
                say("your processes filled another array than the one you returned: pass the very "
                    "array you return in their args",
                    "你的进程填充的是另一个数组，而不是你返回的那个："
                    "请把你要返回的那个数组本身放进它们的 args"),
                "other-array",
            )
        if values == expected:
            return not_yet(
                say("the array holds the squares, but no process wrote them: this process computed "
                    "them. Start two processes with target=fill_squares and the array in args",
                    "数组里是平方，但没有任何进程写入它们：它们是这个进程算出来的。请用 "
                    "target=fill_squares 启动两个进程，并把数组放进 args"),
                "work-in-parent",
            )
        return not_yet(
            say("no process ran fill_squares on the array: create the processes with "
                "target=fill_squares and args=(array, start, stop), then start() them",
                "没有进程对这个数组运行 fill_squares：请用 target=fill_squares 和 args=(array, "
                "start, stop) 创建这些进程，然后 start() 它们"),
            "not-started",
        )
    if len(fillers) == 1:
        return not_yet(
            say("one process did all the work: split the indices between two processes",
                "一个进程做了所有的工作：请把下标分给两个进程"),
            "one-process",
        )
    workers = [e.worker for e in fillers]
    if log.first_join_before_a_start(workers) is not None:
        return not_yet(
            say("you joined a process before starting the next, so they ran one at a time: "
                "start both, then join both",
                "你在启动下一个进程之前就 join 了前一个，所以它们是一个接一个运行的："
                "请先启动两个，再 join 两个"),
            "one-at-a-time",
        )
    joined = {id(e.worker) for e in log.events_of(workers) if e.action == "join"}
    if any(id(worker) not in joined for worker in workers):
        return not_yet(
            say("a process was never joined: join every process (with a timeout) before you "
                "return the array, or you may read it before the writes are done",
                "有一个进程从未被 join：请在返回数组之前 join 每个进程（带超时），"
                "否则你可能在写入完成之前就读取了它"),
            "not-joined",
        )
    codes = [worker.exitcode for worker in workers]
    if any(code != 0 for code in codes):
        return not_yet(
            say(f"the processes' exit codes are {codes}, not all 0: a worker failed (are start "
                f"and stop ints with 0 <= start <= stop <= {SQUARES}?)",
                f"这些进程的退出码是 {codes}，并不全是 0：有一个工作进程失败了（start 和 stop "
                f"是否都是 int，并且 0 <= start <= stop <= {SQUARES}？）"),
            "worker-failed",
        )
    if len(values) != SQUARES:
        return not_yet(
            say(f"the array should have {SQUARES} items, it has {len(values)}",
                f"数组应当有 {SQUARES} 项，实际有 {len(values)} 项"), "wrong-length"
        )
    bounds = [_bounds(e) for e in fillers]
    covered: list[int] = []
    for bound in bounds:
        if bound is not None:
            covered.extend(range(*bound))
    if len(covered) != len(set(covered)):
        return not_yet(
            say(f"the ranges {bounds} overlap: two processes write the same items. Give each "
                "process its own part",
                f"范围 {bounds} 有重叠：两个进程写入了相同的项。请给每个进程分配它自己的部分"),
            "overlap",
        )
    missed = sorted(set(range(SQUARES)) - set(covered))
    if missed:
        return not_yet(
            say(f"indices {missed} were in no process's range {bounds}: between them, the ranges "
                f"must cover 0 to {SQUARES} (fill_squares stops before its stop)",
                f"下标 {missed} 不在任何进程的范围 {bounds} 中：这些范围合起来必须覆盖 0 到 "
                f"{SQUARES}（fill_squares 在 stop 之前停止）"),
            "wrong-ranges",
        )
    if values != expected:
        return not_yet(say(f"the array holds {values}, not the squares {expected}",
                           f"数组中是 {values}，而不是平方 {expected}"), "wrong-values")
    return correct(
        say("two processes, running at the same time, wrote straight into memory the parent "
            "shares: nothing was returned, nothing was pickled back.",
            "两个进程同时运行，直接写入父进程共享的内存：什么都没有返回，"
            "也没有任何东西被序列化传回。")
    )


def check_squares(fill: Callable[[], Any], timeout: float = CHECK_TIMEOUT) -> Verdict:
    """Exercise 2: ``fill()`` creates a shared Array of :data:`SQUARES` items, lets two
    processes running ``fill_squares`` write ``i * i`` into it, and returns it.

    The check calls ``fill()`` and watches it. Right means: at least two processes with
    ``target=fill_squares`` and that very array in ``args``, on disjoint ranges covering every
    index; all started before any was joined; each joined, with exit code 0; the array holds
    the squares.

    Hints: ``not-a-function``, ``hangs``, ``error``, ``missing`` (returned None),
    ``wrong-return`` (a tuple), ``copied`` (a plain list or NumPy array), ``wrong-type``,
    ``threads``, ``wrong-target``, ``other-array``, ``work-in-parent`` (the squares, but no
    process wrote them), ``not-started``, ``one-process``, ``one-at-a-time``, ``not-joined``,
    ``worker-failed``, ``wrong-length``, ``overlap``, ``wrong-ranges``, ``wrong-values``.
    """
    if not callable(fill):
        return _not_a_function(fill, "fill_in_two_processes", "check_squares")
    require_timeout("timeout", timeout)
    before = children_now()
    with recorded_workers() as log:
        outcome = call_with_timeout(fill, (), timeout)
    try:
        return _judge_squares(outcome, log, timeout)
    finally:
        _forget(outcome)
        stop_new_children(before)


# --------------------------------------------------------------------------------------------
# Exercise 3: pool workers scale a NumPy array in SharedMemory; closed and unlinked
# --------------------------------------------------------------------------------------------

#: Exercise 3 multiplies every row of the grid by this.
EXERCISE_FACTOR = 10.0


def exercise_grid() -> np.ndarray:
    """The 6 x 4 array of exercise 3 (a fresh copy on each call).

    >>> exercise_grid()[1]
    array([4., 5., 6., 7.])
    """
    return np.arange(24, dtype=np.float64).reshape(6, 4)


def _creates(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether ``SharedMemory(*args, **kwargs)`` creates a segment (``name, create, size``)."""
    if "create" in kwargs:
        return bool(kwargs["create"])
    return len(args) > 1 and bool(args[1])


@contextlib.contextmanager
def recorded_segments() -> Iterator[list[SharedMemory]]:
    """Inside the block, every ``SharedMemory`` created (``create=True``) in this process is
    appended to the list it yields; ``SharedMemory`` is restored afterwards."""
    created: list[SharedMemory] = []
    original = SharedMemory.__init__

    def recording_init(self: SharedMemory, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if _creates(args, kwargs):
            created.append(self)

    SharedMemory.__init__ = recording_init  # type: ignore[method-assign]
    try:
        yield created
    finally:
        SharedMemory.__init__ = original  # type: ignore[method-assign]


def _clean_up(segments: list[SharedMemory]) -> None:
    """Close and unlink whatever the learner's function left open."""
    for segment in segments:
        with contextlib.suppress(BufferError):  # a view we cannot reach still holds it
            segment.close()
        if segment_exists(segment.name):
            with contextlib.suppress(FileNotFoundError):
                segment.unlink()


def _judge_scaled(
    outcome: Outcome,
    log: WorkerLog,
    segments: list[SharedMemory],
    before: set[int],
    timeout: float,
) -> Verdict:
    if outcome.finished and isinstance(outcome.error, BufferError):
        return not_yet(
            say("close() raised BufferError: a NumPy view made with np.frombuffer still used the "
                "segment. Delete every view (del view) before segment.close()",
                "close() 抛出了 BufferError：一个用 np.frombuffer 创建的 NumPy "
                "视图仍在使用这个共享内存段。请在 segment.close() 之前删除每个视图（del view）"),
            "views-kept",
        )
    failed = _failed(outcome, timeout)
    if failed is not None:
        return failed
    value = outcome.value
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        return not_yet(
            say("return two things: the scaled array (a copy) and the list the workers returned, "
                "e.g. return result, reports",
                "请返回两样东西：缩放后的数组（一个副本）和工作进程返回的列表，例如 return "
                "result, reports"),
            "wrong-return",
        )
    result, reports = value
    if result is None and not reports and not segments and not log.started("process"):
        return not_yet(
            say("your function returned no result yet: create the segment, let two pool workers "
                "scale its rows, copy the result out, close and unlink, and return (result, "
                "reports)",
                "你的函数还没有返回结果：请创建共享内存段，让两个进程池工作进程缩放它的行，"
                "把结果复制出来，close 并 unlink，然后返回 (result, reports)"),
            "missing",
        )
    if not reports:
        if log.started("process"):
            return not_yet(
                say("processes started, but you returned no reports: return the list that "
                    "starmap (or your apply_async results) gave back",
                    "进程启动了，但你没有返回 reports：请返回 starmap（或你的 apply_async 结果）"
                    "交回的列表"),
                "no-reports",
            )
        return not_yet(
            say("no worker did any work: this process computed the result. Let two pool workers "
                "run scale_shared_rows on the segment",
                "没有任何工作进程做了工作：结果是这个进程算出来的。请让两个进程池工作进程对这个共"
                "享内存段运行 scale_shared_rows"),
            "work-in-parent",
        )
    if not (isinstance(reports, (list, tuple)) and all(isinstance(r, ScaledRows) for r in reports)):
        return not_yet(
            say("reports should be the list of what scale_shared_rows returned in the workers "
                f"(ScaledRows records), got {type(reports).__name__}",
                "reports 应当是 scale_shared_rows 在工作进程中返回的东西组成的列表（ScaledRows "
                f"记录），实际得到 {type(reports).__name__}"),
            "no-reports",
        )
    if any(report.pid == os.getpid() for report in reports):
        return not_yet(
            say("scale_shared_rows ran in this process, not in a worker: call it through a pool "
                "(pool.starmap), so that the workers do the work",
                "scale_shared_rows 是在这个进程里运行的，而不是在工作进程里："
                "请通过进程池（pool.starmap）调用它，让工作进程去做这些工作"),
            "work-in-parent",
        )
    if not segments:
        return not_yet(
            say("your function created no SharedMemory segment: create it inside the function "
                "(SharedMemory(create=True, size=grid.nbytes)), and clean it up there too",
                "你的函数没有创建 SharedMemory 共享内存段："
                "请在函数内部创建它（SharedMemory(create=True, size=grid.nbytes)），"
                "并在那里把它清理掉"),
            "no-segment",
        )
    rows = exercise_grid().shape[0]
    covered = [row for report in reports for row in report.rows]
    if len(covered) != len(set(covered)):
        return not_yet(
            say("two tasks scaled the same rows (scaled twice!): give each task its own rows",
                "两个任务缩放了相同的行（缩放了两次！）：请给每个任务分配它自己的行"),
            "overlap",
        )
    missed = sorted(set(range(rows)) - set(covered))
    if missed:
        return not_yet(
            say(f"rows {missed} were scaled by no worker: between them, the tasks' row ranges "
                f"must cover 0 to {rows}",
                f"行 {missed} 没有被任何工作进程缩放：这些任务的行范围合起来必须覆盖 0 到 {rows}"),
            "rows-missing",
        )
    if len(reports) < 2:
        return not_yet(
            say("one task scaled all the rows: split them into two tasks (three rows each), so "
                "that two workers can share the work",
                "一个任务缩放了所有的行：请把它们分成两个任务（每个三行），"
                "这样两个工作进程才能分担工作"),
            "one-task",
        )
    if result is None:
        return not_yet(
            say("result is None: copy the scaled array out of shared memory (shared.copy()) "
                "before you close the segment, and return it",
                "result 是 None：请在关闭共享内存段之前，把缩放后的数组从共享内存中复制出来（"
                "shared.copy()），并返回它"),
            "no-result",
        )
    if not isinstance(result, np.ndarray):
        return not_yet(say(f"result should be a NumPy array, not {type(result).__name__}",
                           "result 应当是一个 NumPy 数组，而不是 "
                           f"{type(result).__name__}"), "wrong-type")
    if memory_behind(result) is not None and not isinstance(memory_behind(result), np.ndarray):
        # Never read such an array: after close() its memory is unmapped.
        where = (say("unmapped memory", "已解除映射的内存") if is_unmapped(result)
                 else say("the segment", "共享内存段"))
        return not_yet(
            say(f"result is a view that points into {where}, not a copy: return shared.copy(), "
                "taken before close(), and delete the view itself",
                f"result 是一个指向{where}的视图，而不是副本：请返回在 close() 之前取得的 "
                "shared.copy()，并删除视图本身"),
            "result-is-a-view",
        )
    grid = exercise_grid()
    if result.shape != grid.shape:
        return not_yet(
            say(f"result should have shape {grid.shape}, it has {result.shape}",
                f"result 的形状应当是 {grid.shape}，实际是 {result.shape}"), "wrong-shape"
        )
    expected = grid * EXERCISE_FACTOR
    if not np.array_equal(result, expected):
        unscaled = [row for row in range(rows) if np.array_equal(result[row], grid[row])]
        if len(unscaled) == rows:
            return not_yet(
                say("result equals the original grid: copy it out of the segment *after* the "
                    "workers are done (and copy the grid into the segment before they start)",
                    "result 等于原来的网格：请在工作进程完成*之后*再把它从共享内存段中复制出来（并"
                    "在它们启动之前把网格复制进共享内存段）"),
                "unscaled",
            )
        return not_yet(
            say(f"result should be the grid times {EXERCISE_FACTOR:g}, element by element "
                f"(rows {unscaled} are unscaled)",
                f"result 应当是网格逐元素乘以 {EXERCISE_FACTOR:g} 的结果（第 {unscaled} "
                "行没有被缩放）"),
            "wrong-values",
        )
    if any(segment.buf is not None for segment in segments):
        return not_yet(
            say("the values are right, but the segment is still open in this process: delete "
                "your NumPy views, then call segment.close()",
                "值是对的，但共享内存段在这个进程中仍然是打开的：请删除你的 NumPy 视图，然后调用 "
                "segment.close()"),
            "not-closed",
        )
    if any(segment_exists(segment.name) for segment in segments):
        return not_yet(
            say("the values are right and the segment is closed, but it still exists: the "
                "creator must call segment.unlink(), once, after every process is done",
                "值是对的，共享内存段也关闭了，但它仍然存在：创建者必须在每个进程都完成之后，"
                "调用一次 segment.unlink()"),
            "not-unlinked",
        )
    if children_now() - before:
        return not_yet(
            say("the pool's workers are still running after your function returned: use the pool "
                "in a with block (or close() and join() it)",
                "你的函数返回之后，进程池的工作进程仍在运行：请在 with "
                "代码块中使用进程池（或者对它调用 close() 和 join()）"),
            "workers-left-running",
        )
    return correct(
        say("the workers scaled the rows in place, the copy came out before close(), and the "
            "segment is closed and unlinked: nothing left behind.",
            "工作进程就地缩放了这些行，副本在 close() 之前取了出来，共享内存段也已关闭并 unlink："
            "什么都没有留下。")
    )


def check_scaled(
    scale: Callable[[np.ndarray, float], Any], timeout: float = CHECK_TIMEOUT
) -> Verdict:
    """Exercise 3: ``scale(grid, factor)`` puts ``grid`` in a new ``SharedMemory`` segment,
    lets pool workers run ``scale_shared_rows`` on its rows, copies the scaled array out, closes
    and unlinks the segment, and returns ``(result, reports)``: the copy and the workers'
    :class:`~helpers.sharing.ScaledRows` records.

    The check calls ``scale(exercise_grid(), EXERCISE_FACTOR)``, watching which processes
    start and which segments are created; it never reads an array whose memory is unmapped,
    and it closes and unlinks any segment the function left behind.

    Hints: ``not-a-function``, ``hangs``, ``error``, ``views-kept`` (close() raised
    BufferError), ``wrong-return``, ``missing`` (nothing done yet), ``work-in-parent`` (no
    worker did the work, or scale_shared_rows ran in this process), ``no-reports``,
    ``no-segment``, ``overlap``,
    ``rows-missing``, ``one-task``, ``no-result``, ``wrong-type``, ``result-is-a-view``,
    ``wrong-shape``, ``unscaled``, ``wrong-values``, ``not-closed``, ``not-unlinked``,
    ``workers-left-running``.
    """
    if not callable(scale):
        return _not_a_function(scale, "scale_in_shared_memory", "check_scaled")
    require_timeout("timeout", timeout)
    before = children_now()
    with recorded_workers() as log, recorded_segments() as segments, pools_made() as pools:
        outcome = call_with_timeout(scale, (exercise_grid(), EXERCISE_FACTOR), timeout)
    try:
        return _judge_scaled(outcome, log, segments, before, timeout)
    finally:
        _forget(outcome)
        _clean_up(segments)
        stop_pools(pools)
        stop_new_children(before)

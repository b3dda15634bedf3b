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


def _judge_typecode(task: str, code: object) -> tuple[str, str] | None:
    """What is wrong with ``code`` for ``task`` (hint id, message), or None if it is a best
    choice."""
    low, high = TYPECODE_TASKS[task]
    if not isinstance(code, str) or code not in C_TYPES:
        return "not-a-typecode", (
            f"{code!r} for {task!r} is not a typecode; pick one of {''.join(INTEGER_TYPECODES)}"
        )
    if code not in INTEGER_TYPECODES:
        return "not-integer", (
            f"{code!r} for {task!r}: these are whole numbers, use an integer typecode"
        )
    fewest, most = portable_bytes(code)
    if not fits_everywhere(code, [low, high]):
        here_low, here_high = integer_range(code)
        small_low, small_high = integer_range(code, fewest)
        if here_low <= low and high <= here_high:
            return "long-on-windows", (
                f"{code!r} for {task!r} works here, but on Windows it has {fewest} bytes "
                f"({small_low} to {small_high}): the values would wrap around there"
            )
        return "too-small", (
            f"{code!r} for {task!r} holds only {small_low} to {small_high}: "
            f"{low if low < small_low else high} would wrap around silently"
        )
    needed = best_bytes(low, high)
    if most > needed:
        where = " on Linux and macOS" if fewest < most else ""
        return "too-big", (
            f"{code!r} for {task!r} is safe but takes {most} bytes{where}; "
            f"a {needed}-byte typecode is enough"
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
        return not_yet(f"answers should be a dict of task -> typecode, not {kind}", "wrong-type")
    missing = [task for task in TYPECODE_TASKS if task not in answers]
    if missing:
        return not_yet(
            f"give a typecode for every task; {len(missing)} missing, e.g. {missing[0]!r}",
            "missing",
        )
    problems = [p for task in TYPECODE_TASKS if (p := _judge_typecode(task, answers[task]))]
    if problems:
        hint, message = problems[0]
        more = f" ({len(problems) - 1} more to fix)" if len(problems) > 1 else ""
        return not_yet(message + more, hint)
    return correct(
        "every array holds its values on every platform, in the fewest bytes. "
        "Notice that 'l' and 'L' are never the best choice: 4 bytes on Windows, 8 elsewhere."
    )


# --------------------------------------------------------------------------------------------
# Shared by exercises 2 and 3: call the learner's function, watched, with a timeout
# --------------------------------------------------------------------------------------------


def _not_a_function(argument: object, name: str, check: str) -> Verdict:
    return not_yet(
        f"pass your function itself, without calling it: {check}({name}), "
        f"not {type(argument).__name__}",
        "not-a-function",
    )


def _failed(outcome: Outcome, timeout: float) -> Verdict | None:
    """The verdict for a call that did not return normally, or None if it did."""
    if not outcome.finished:
        return not_yet(
            f"your function did not return within {timeout:g} s: does it wait for something "
            "that never comes (a process never started, a result never sent)?",
            "hangs",
        )
    if outcome.error is not None:
        error = outcome.error
        return not_yet(f"your function raised {type(error).__name__}: {error}", "error")
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
            f"your function returned None: create a shared array (mp.Array('i', {SQUARES})), "
            "let two processes fill it, and return it",
            "missing",
        )
    if isinstance(array, tuple) and array and _is_shared_array(array[0]):
        return not_yet("return only the shared array, not a tuple", "wrong-return")
    if isinstance(array, (list, tuple, np.ndarray)):
        return not_yet(
            f"a plain {type(array).__name__} is copied into each child, so the children's "
            "writes never reach the parent: use multiprocessing.Array",
            "copied",
        )
    if not _is_shared_array(array):
        return not_yet(f"return a multiprocessing.Array, not {type(array).__name__}", "wrong-type")
    values = list(array[:])
    expected = [i * i for i in range(SQUARES)]
    started = [e for e in log.started() if _same_array(_first_argument(e), array)]
    fillers = [e for e in started if e.kind == "process" and e.target_name == "fill_squares"]
    if not fillers:
        if any(e.kind == "thread" for e in started):
            return not_yet(
                "threads share memory anyway: the exercise is to let two *processes* write "
                "into a shared Array (multiprocessing.Process)",
                "threads",
            )
        if started:
            names = sorted({e.target_name for e in started})
            return not_yet(
                f"the processes ran {', '.join(names)}: give them target=fill_squares",
                "wrong-target",
            )
        if any(e.target_name == "fill_squares" for e in log.started("process")):
            return not_yet(
                "your processes filled another array than the one you returned: pass the very "
                "array you return in their args",
                "other-array",
            )
        if values == expected:
            return not_yet(
                "the array holds the squares, but no process wrote them: this process computed "
                "them. Start two processes with target=fill_squares and the array in args",
                "work-in-parent",
            )
        return not_yet(
            "no process ran fill_squares on the array: create the processes with "
            "target=fill_squares and args=(array, start, stop), then start() them",
            "not-started",
        )
    if len(fillers) == 1:
        return not_yet(
            "one process did all the work: split the indices between two processes",
            "one-process",
        )
    workers = [e.worker for e in fillers]
    if log.first_join_before_a_start(workers) is not None:
        return not_yet(
            "you joined a process before starting the next, so they ran one at a time: "
            "start both, then join both",
            "one-at-a-time",
        )
    joined = {id(e.worker) for e in log.events_of(workers) if e.action == "join"}
    if any(id(worker) not in joined for worker in workers):
        return not_yet(
            "a process was never joined: join every process (with a timeout) before you "
            "return the array, or you may read it before the writes are done",
            "not-joined",
        )
    codes = [worker.exitcode for worker in workers]
    if any(code != 0 for code in codes):
        return not_yet(
            f"the processes' exit codes are {codes}, not all 0: a worker failed (are start "
            f"and stop ints with 0 <= start <= stop <= {SQUARES}?)",
            "worker-failed",
        )
    if len(values) != SQUARES:
        return not_yet(
            f"the array should have {SQUARES} items, it has {len(values)}", "wrong-length"
        )
    bounds = [_bounds(e) for e in fillers]
    covered: list[int] = []
    for bound in bounds:
        if bound is not None:
            covered.extend(range(*bound))
    if len(covered) != len(set(covered)):
        return not_yet(
            f"the ranges {bounds} overlap: two processes write the same items. Give each "
            "process its own part",
            "overlap",
        )
    missed = sorted(set(range(SQUARES)) - set(covered))
    if missed:
        return not_yet(
            f"indices {missed} were in no process's range {bounds}: between them, the ranges "
            f"must cover 0 to {SQUARES} (fill_squares stops before its stop)",
            "wrong-ranges",
        )
    if values != expected:
        return not_yet(f"the array holds {values}, not the squares {expected}", "wrong-values")
    return correct(
        "two processes, running at the same time, wrote straight into memory the parent "
        "shares: nothing was returned, nothing was pickled back."
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
            "close() raised BufferError: a NumPy view made with np.frombuffer still used the "
            "segment. Delete every view (del view) before segment.close()",
            "views-kept",
        )
    failed = _failed(outcome, timeout)
    if failed is not None:
        return failed
    value = outcome.value
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        return not_yet(
            "return two things: the scaled array (a copy) and the list the workers returned, "
            "e.g. return result, reports",
            "wrong-return",
        )
    result, reports = value
    if result is None and not reports and not segments and not log.started("process"):
        return not_yet(
            "your function returned no result yet: create the segment, let two pool workers "
            "scale its rows, copy the result out, close and unlink, and return (result, reports)",
            "missing",
        )
    if not reports:
        if log.started("process"):
            return not_yet(
                "processes started, but you returned no reports: return the list that "
                "starmap (or your apply_async results) gave back",
                "no-reports",
            )
        return not_yet(
            "no worker did any work: this process computed the result. Let two pool workers "
            "run scale_shared_rows on the segment",
            "work-in-parent",
        )
    if not (isinstance(reports, (list, tuple)) and all(isinstance(r, ScaledRows) for r in reports)):
        return not_yet(
            "reports should be the list of what scale_shared_rows returned in the workers "
            f"(ScaledRows records), got {type(reports).__name__}",
            "no-reports",
        )
    if any(report.pid == os.getpid() for report in reports):
        return not_yet(
            "scale_shared_rows ran in this process, not in a worker: call it through a pool "
            "(pool.starmap), so that the workers do the work",
            "work-in-parent",
        )
    if not segments:
        return not_yet(
            "your function created no SharedMemory segment: create it inside the function "
            "(SharedMemory(create=True, size=grid.nbytes)), and clean it up there too",
            "no-segment",
        )
    rows = exercise_grid().shape[0]
    covered = [row for report in reports for row in report.rows]
    if len(covered) != len(set(covered)):
        return not_yet(
            "two tasks scaled the same rows (scaled twice!): give each task its own rows",
            "overlap",
        )
    missed = sorted(set(range(rows)) - set(covered))
    if missed:
        return not_yet(
            f"rows {missed} were scaled by no worker: between them, the tasks' row ranges "
            f"must cover 0 to {rows}",
            "rows-missing",
        )
    if len(reports) < 2:
        return not_yet(
            "one task scaled all the rows: split them into two tasks (three rows each), so "
            "that two workers can share the work",
            "one-task",
        )
    if result is None:
        return not_yet(
            "result is None: copy the scaled array out of shared memory (shared.copy()) "
            "before you close the segment, and return it",
            "no-result",
        )
    if not isinstance(result, np.ndarray):
        return not_yet(f"result should be a NumPy array, not {type(result).__name__}", "wrong-type")
    if memory_behind(result) is not None and not isinstance(memory_behind(result), np.ndarray):
        # Never read such an array: after close() its memory is unmapped.
        where = "unmapped memory" if is_unmapped(result) else "the segment"
        return not_yet(
            f"result is a view that points into {where}, not a copy: return shared.copy(), "
            "taken before close(), and delete the view itself",
            "result-is-a-view",
        )
    grid = exercise_grid()
    if result.shape != grid.shape:
        return not_yet(
            f"result should have shape {grid.shape}, it has {result.shape}", "wrong-shape"
        )
    expected = grid * EXERCISE_FACTOR
    if not np.array_equal(result, expected):
        unscaled = [row for row in range(rows) if np.array_equal(result[row], grid[row])]
        if len(unscaled) == rows:
            return not_yet(
                "result equals the original grid: copy it out of the segment *after* the "
                "workers are done (and copy the grid into the segment before they start)",
                "unscaled",
            )
        return not_yet(
            f"result should be the grid times {EXERCISE_FACTOR:g}, element by element "
            f"(rows {unscaled} are unscaled)",
            "wrong-values",
        )
    if any(segment.buf is not None for segment in segments):
        return not_yet(
            "the values are right, but the segment is still open in this process: delete "
            "your NumPy views, then call segment.close()",
            "not-closed",
        )
    if any(segment_exists(segment.name) for segment in segments):
        return not_yet(
            "the values are right and the segment is closed, but it still exists: the "
            "creator must call segment.unlink(), once, after every process is done",
            "not-unlinked",
        )
    if children_now() - before:
        return not_yet(
            "the pool's workers are still running after your function returned: use the pool "
            "in a with block (or close() and join() it)",
            "workers-left-running",
        )
    return correct(
        "the workers scaled the rows in place, the copy came out before close(), and the "
        "segment is closed and unlinked: nothing left behind."
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

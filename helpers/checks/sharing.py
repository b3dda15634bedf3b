"""Checks for the exercises of chapter 05 (shared memory)."""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from multiprocessing.shared_memory import SharedMemory
from multiprocessing.sharedctypes import SynchronizedArray

import numpy as np

from helpers.checks import Verdict, correct, not_yet
from helpers.sharing import (
    C_TYPES,
    INTEGER_TYPECODES,
    fits_everywhere,
    integer_range,
    portable_bytes,
    segment_exists,
)

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
    return min(
        portable_bytes(code)[1] for code in INTEGER_TYPECODES if fits_everywhere(code, [low, high])
    )


def _judge_typecode(task: str, code: object) -> str | None:
    """Return what is wrong with ``code`` for ``task``, or None if it is a best choice."""
    low, high = TYPECODE_TASKS[task]
    if not isinstance(code, str) or code not in C_TYPES:
        return f"{code!r} for {task!r} is not a typecode; pick one of {''.join(INTEGER_TYPECODES)}"
    if code not in INTEGER_TYPECODES:
        return f"{code!r} for {task!r}: these are whole numbers, use an integer typecode"
    fewest, most = portable_bytes(code)
    if not fits_everywhere(code, [low, high]):
        here_low, here_high = integer_range(code)
        small_low, small_high = integer_range(code, fewest)
        if here_low <= low and high <= here_high:
            return (
                f"{code!r} for {task!r} works here, but on Windows it has {fewest} bytes "
                f"({small_low} to {small_high}): the values would wrap around there"
            )
        return (
            f"{code!r} for {task!r} holds only {small_low} to {small_high}: "
            f"{low if low < small_low else high} would wrap around silently"
        )
    needed = best_bytes(low, high)
    if most > needed:
        where = " on Linux and macOS" if fewest < most else ""
        return (
            f"{code!r} for {task!r} is safe but takes {most} bytes{where}; "
            f"a {needed}-byte typecode is enough"
        )
    return None


def check_typecodes(answers: Mapping[str, str]) -> Verdict:
    """Exercise 1: ``answers`` maps each task in :data:`TYPECODE_TASKS` to a typecode.

    Right means: the values fit on Linux, macOS and Windows alike, in the fewest bytes.
    """
    if not isinstance(answers, Mapping):
        kind = type(answers).__name__
        return not_yet(f"answers should be a dict of task -> typecode, not {kind}")
    missing = [task for task in TYPECODE_TASKS if task not in answers]
    if missing:
        return not_yet(
            f"give a typecode for every task; {len(missing)} missing, e.g. {missing[0]!r}"
        )
    problems = [p for task in TYPECODE_TASKS if (p := _judge_typecode(task, answers[task]))]
    if problems:
        more = f" ({len(problems) - 1} more to fix)" if len(problems) > 1 else ""
        return not_yet(problems[0] + more)
    return correct(
        "every array holds its values on every platform, in the fewest bytes. "
        "Notice that 'l' and 'L' are never the best choice: 4 bytes on Windows, 8 elsewhere."
    )


# --------------------------------------------------------------------------------------------
# Exercise 2: workers fill a shared Array
# --------------------------------------------------------------------------------------------


def check_squares(shared: object, length: int = 10) -> Verdict:
    """Exercise 2: ``shared`` is a shared Array of ``length`` items with ``shared[i] == i * i``."""
    if shared is None:
        return not_yet(f"create the shared array first, e.g. mp.Array('i', {length})")
    if isinstance(shared, (list, tuple, np.ndarray)):
        return not_yet(
            f"a plain {type(shared).__name__} is copied into each child, so the children's writes "
            "never reach the parent: use multiprocessing.Array"
        )
    if not isinstance(shared, (SynchronizedArray, ctypes.Array)):
        return not_yet(f"expected a multiprocessing.Array, got {type(shared).__name__}")
    values = list(shared[:])
    if len(values) != length:
        return not_yet(f"the array should have {length} items, it has {len(values)}")
    expected = [i * i for i in range(length)]
    wrong = [i for i in range(length) if values[i] != expected[i]]
    if len(wrong) == length - 1 and all(v == 0 for v in values):
        return not_yet(
            "the array is still all zeros: start the processes with the array in args, "
            "and join them before you check"
        )
    if wrong:
        return not_yet(
            f"indices {wrong} do not hold their squares yet: between them, the workers' ranges "
            f"must cover 0 to {length} (fill_squares stops before its stop)"
        )
    return correct(
        "the children wrote straight into memory the parent shares: nothing was returned, "
        "nothing was pickled back."
    )


# --------------------------------------------------------------------------------------------
# Exercise 3: a NumPy array in SharedMemory, closed and unlinked
# --------------------------------------------------------------------------------------------

#: Exercise 3 multiplies every row of the grid by this.
EXERCISE_FACTOR = 10.0


def exercise_grid() -> np.ndarray:
    """The 6 x 4 array of exercise 3 (a fresh copy on each call).

    >>> exercise_grid()[1]
    array([4., 5., 6., 7.])
    """
    return np.arange(24, dtype=np.float64).reshape(6, 4)


def check_scaled(result: object, segment: object) -> Verdict:
    """Exercise 3: ``result`` is the grid times :data:`EXERCISE_FACTOR`, copied out of the
    shared memory ``segment``; ``segment`` has been closed and unlinked."""
    if segment is None:
        return not_yet("create a SharedMemory segment and keep it in the variable segment")
    if not isinstance(segment, SharedMemory):
        return not_yet(f"segment should be a SharedMemory, not {type(segment).__name__}")
    if result is None:
        return not_yet(
            "copy the scaled array out of shared memory into result (view.copy()) "
            "before you close the segment"
        )
    if not isinstance(result, np.ndarray):
        return not_yet(f"result should be a NumPy array, not {type(result).__name__}")
    grid = exercise_grid()
    if result.shape != grid.shape:
        return not_yet(f"result should have shape {grid.shape}, it has {result.shape}")
    expected = grid * EXERCISE_FACTOR
    if not np.array_equal(result, expected):
        unscaled = [row for row in range(grid.shape[0]) if np.array_equal(result[row], grid[row])]
        if len(unscaled) == grid.shape[0]:
            return not_yet(
                "result equals the original grid: did the workers get the segment's name, "
                "shape and dtype, and did you copy the grid into the segment first?"
            )
        if unscaled:
            return not_yet(
                f"rows {unscaled} were not scaled: between them, the workers' row ranges "
                f"must cover 0 to {grid.shape[0]}"
            )
        return not_yet(f"result should be the grid times {EXERCISE_FACTOR:g}, element by element")
    if segment.buf is not None:
        return not_yet(
            "the values are right, but segment is still open: del your NumPy views, then call "
            "segment.close()"
        )
    if segment_exists(segment.name):
        return not_yet(
            "the values are right and segment is closed, but the segment still exists: the "
            "creator must call segment.unlink(), once, after every process is done"
        )
    return correct("right values, the segment closed and unlinked: nothing left behind.")

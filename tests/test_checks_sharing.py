"""helpers.checks.sharing: each chapter 05 check names the wrong answers learners give (by hint
id) and accepts every right answer.

The learner-answer functions below run in this process; everything a child process runs comes
from ``helpers``. No answer may leave a child running or a segment in shared memory: the checks
clean up after the learner, and :func:`no_segment_left` verifies it.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing import shared_memory
from multiprocessing.shared_memory import SharedMemory
from typing import Any

import numpy as np
import pytest

from helpers.checks import sharing as checks
from helpers.sharing import fill_squares, scale_shared_rows

_SHM = "/dev/shm"


def _segments() -> set[str]:
    """This process's segments: the harness names them after it (other runs may share /dev/shm)."""
    mine = shared_memory._SHM_NAME_PREFIX.lstrip("/")
    return {n for n in os.listdir(_SHM) if n.startswith(mine)} if os.path.isdir(_SHM) else set()


@pytest.fixture(autouse=True)
def no_segment_left() -> Iterator[None]:
    """Every test must leave /dev/shm as it found it (the checks unlink what answers leak)."""
    before = _segments()
    yield
    assert _segments() - before == set()


# --------------------------------------------------------------------------------------------
# Exercise 1: typecodes
# --------------------------------------------------------------------------------------------

TASKS = list(checks.TYPECODE_TASKS)
PIXEL, TEMPERATURE, YEAR, ROWS, FILE_SIZES = TASKS
BEST = {PIXEL: "B", TEMPERATURE: "b", YEAR: "h", ROWS: "I", FILE_SIZES: "q"}


def _with(**changes: str) -> dict[str, str]:
    names = {"pixel": PIXEL, "temperature": TEMPERATURE, "year": YEAR, "rows": ROWS}
    names["file_sizes"] = FILE_SIZES
    answers = dict(BEST)
    for short, code in changes.items():
        answers[names[short]] = code
    return answers


TYPECODE_WRONG: dict[str, tuple[Any, str]] = {
    "'L' for the file sizes (4 bytes on Windows)": (_with(file_sizes="L"), "long-on-windows"),
    "'l' for the file sizes": (_with(file_sizes="l"), "long-on-windows"),
    "'i' for 4_000_000_000 rows": (_with(rows="i"), "too-small"),
    "'b' for pixels 0..255": (_with(pixel="b"), "too-small"),
    "'B' for temperatures down to -40": (_with(temperature="B"), "too-small"),
    "'h' for 4_000_000_000 rows": (_with(rows="h"), "too-small"),
    "'q' everywhere (safe but too big)": ({task: "q" for task in TASKS}, "too-big"),
    "'L' for the rows (8 bytes on Linux)": (_with(rows="L"), "too-big"),
    "'l' for the years": (_with(year="l"), "too-big"),
    "'i' for the years": (_with(year="i"), "too-big"),
    "'d' for the file sizes (not an integer code)": (_with(file_sizes="d"), "not-integer"),
    "'f' for the pixels": (_with(pixel="f"), "not-integer"),
    "'c' for the pixels": (_with(pixel="c"), "not-integer"),
    "'x' (no such typecode)": (_with(year="x"), "not-a-typecode"),
    "the ctypes type instead of a letter": (_with(year=np.int16), "not-a-typecode"),  # type: ignore[arg-type]
    "no answer at all": ({}, "missing"),
    "one task left out": ({task: BEST[task] for task in TASKS[:-1]}, "missing"),
    "a list of letters": (["B", "b", "h", "I", "q"], "wrong-type"),
}

TYPECODE_RIGHT: dict[str, dict[str, str]] = {
    "B b h I q": BEST,
    "'H' for the years": _with(year="H"),
    "'Q' for the file sizes": _with(file_sizes="Q"),
    "H and Q": _with(year="H", file_sizes="Q"),
}


@pytest.mark.parametrize("name", TYPECODE_WRONG)
def test_check_typecodes_names_the_wrong_answer(name: str) -> None:
    answers, hint = TYPECODE_WRONG[name]
    verdict = checks.check_typecodes(answers)
    assert not verdict.ok
    assert verdict.hint == hint


@pytest.mark.parametrize("name", TYPECODE_RIGHT)
def test_check_typecodes_accepts_a_right_answer(name: str) -> None:
    verdict = checks.check_typecodes(TYPECODE_RIGHT[name])
    assert verdict.ok, verdict.message


def test_check_typecodes_explains_unsigned_long_on_windows() -> None:
    assert "on Windows it has 4 bytes" in checks.check_typecodes(_with(file_sizes="L")).message


def test_best_bytes_finds_the_smallest_portable_size() -> None:
    assert checks.best_bytes(0, 255) == 1
    assert checks.best_bytes(1900, 2100) == 2
    assert checks.best_bytes(0, 45_645_465_456) == 8


# --------------------------------------------------------------------------------------------
# Exercise 2: two processes fill a shared Array with squares
# --------------------------------------------------------------------------------------------


def _run_all(workers: list[Any]) -> None:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)


def squares_solution() -> Any:
    squares = mp.Array("i", 10)
    halves = [mp.Process(target=fill_squares, args=(squares, s, s + 5)) for s in (0, 5)]
    _run_all(halves)
    return squares


def squares_raw_array_q() -> Any:
    squares = mp.RawArray("q", 10)
    _run_all([mp.Process(target=fill_squares, args=(squares, s, s + 5)) for s in (0, 5)])
    return squares


def squares_numpy_bounds() -> Any:
    squares = mp.Array("l", 10)
    bounds = np.array([0, 5, 10])
    _run_all(
        [
            mp.Process(target=fill_squares, args=(squares, bounds[k], bounds[k + 1]))
            for k in range(2)
        ]
    )
    return squares


def squares_three_processes_keywords() -> Any:
    squares = mp.Array("d", 10, lock=False)
    ranges = [(0, 3), (3, 7), (7, 10)]
    _run_all(
        [
            mp.Process(target=fill_squares, kwargs={"shared": squares, "start": a, "stop": b})
            for a, b in ranges
        ]
    )
    return squares


def squares_work_in_parent() -> Any:
    return mp.Array("i", [i * i for i in range(10)])


def squares_parent_calls_fill_squares() -> Any:
    squares = mp.Array("i", 10)
    fill_squares(squares, 0, 10)
    return squares


def squares_one_at_a_time() -> Any:
    squares = mp.Array("i", 10)
    for start in (0, 5):
        half = mp.Process(target=fill_squares, args=(squares, start, start + 5))
        half.start()
        half.join(timeout=30)
    return squares


def squares_plain_list() -> Any:
    squares = [0] * 10
    _run_all([mp.Process(target=fill_squares, args=(squares, s, s + 5)) for s in (0, 5)])
    return squares


def squares_numpy_array() -> Any:
    squares = np.zeros(10, dtype=np.int64)
    _run_all([mp.Process(target=fill_squares, args=(squares, s, s + 5)) for s in (0, 5)])
    return squares


def squares_one_process() -> Any:
    squares = mp.Array("i", 10)
    _run_all([mp.Process(target=fill_squares, args=(squares, 0, 10))])
    return squares


def squares_gap_in_ranges() -> Any:
    squares = mp.Array("i", 10)
    _run_all([mp.Process(target=fill_squares, args=(squares, a, b)) for a, b in [(0, 5), (6, 10)]])
    return squares


def squares_stop_one_short() -> Any:
    squares = mp.Array("i", 10)
    _run_all([mp.Process(target=fill_squares, args=(squares, a, b)) for a, b in [(0, 4), (5, 9)]])
    return squares


def squares_overlapping() -> Any:
    squares = mp.Array("i", 10)
    _run_all([mp.Process(target=fill_squares, args=(squares, a, b)) for a, b in [(0, 6), (4, 10)]])
    return squares


def squares_both_do_everything() -> Any:
    squares = mp.Array("i", 10)
    _run_all([mp.Process(target=fill_squares, args=(squares, 0, 10)) for _ in range(2)])
    return squares


def squares_not_joined() -> Any:
    squares = mp.Array("i", 10)
    for start in (0, 5):
        mp.Process(target=fill_squares, args=(squares, start, start + 5)).start()
    time.sleep(1.0)  # long enough for the writes; still no join
    return squares


def squares_threads() -> Any:
    squares = mp.Array("i", 10)
    _run_all([threading.Thread(target=fill_squares, args=(squares, s, s + 5)) for s in (0, 5)])
    return squares


def squares_never_started() -> Any:
    squares = mp.Array("i", 10)
    [mp.Process(target=fill_squares, args=(squares, s, s + 5)) for s in (0, 5)]
    return squares


def squares_returns_none() -> Any:
    squares = mp.Array("i", 10)
    _run_all([mp.Process(target=fill_squares, args=(squares, s, s + 5)) for s in (0, 5)])


def squares_returns_array_and_workers() -> Any:
    squares = mp.Array("i", 10)
    halves = [mp.Process(target=fill_squares, args=(squares, s, s + 5)) for s in (0, 5)]
    _run_all(halves)
    return squares, halves


def squares_other_array() -> Any:
    squares = mp.Array("i", 10)
    _run_all([mp.Process(target=fill_squares, args=(squares, s, s + 5)) for s in (0, 5)])
    return mp.Array("i", squares[:])


def squares_float_bounds() -> Any:
    squares = mp.Array("i", 10)
    _run_all([mp.Process(target=fill_squares, args=(squares, s, s + 5.0)) for s in (0, 5)])
    return squares


def squares_too_short() -> Any:
    squares = mp.Array("i", 8)
    _run_all([mp.Process(target=fill_squares, args=(squares, s, s + 4)) for s in (0, 4)])
    return squares


def squares_raises() -> Any:
    raise NameError("name 'my_squares' is not defined")


SQUARES_WRONG: dict[str, tuple[Any, str]] = {
    "the parent computes the squares (mp.Array of a list)": (
        squares_work_in_parent,
        "work-in-parent",
    ),
    "the parent calls fill_squares itself": (
        squares_parent_calls_fill_squares,
        "work-in-parent",
    ),
    "start/join, start/join": (squares_one_at_a_time, "one-at-a-time"),
    "a plain list (copied into each child)": (squares_plain_list, "copied"),
    "a NumPy array (copied into each child)": (squares_numpy_array, "copied"),
    "one process does all": (squares_one_process, "one-process"),
    "ranges (0, 5) and (6, 10)": (squares_gap_in_ranges, "wrong-ranges"),
    "ranges (0, 4) and (5, 9)": (squares_stop_one_short, "wrong-ranges"),
    "overlapping ranges": (squares_overlapping, "overlap"),
    "both processes fill everything": (squares_both_do_everything, "overlap"),
    "never joined": (squares_not_joined, "not-joined"),
    "threads instead of processes": (squares_threads, "threads"),
    "processes created but never started": (squares_never_started, "not-started"),
    "returns nothing": (squares_returns_none, "missing"),
    "the exercise cell as given": (lambda: None, "missing"),
    "returns (array, workers)": (squares_returns_array_and_workers, "wrong-return"),
    "returns a copy, not the array the processes filled": (squares_other_array, "other-array"),
    "a float stop: the workers fail": (squares_float_bounds, "worker-failed"),
    "an array of 8": (squares_too_short, "wrong-length"),
    "raises": (squares_raises, "error"),
    "the array itself instead of the function": (mp.Array("i", 10), "not-a-function"),
}

SQUARES_RIGHT: dict[str, Callable[[], Any]] = {
    "the solution": squares_solution,
    "a RawArray of 'q'": squares_raw_array_q,
    "NumPy integer bounds": squares_numpy_bounds,
    "three processes, keyword arguments, lock=False, 'd'": squares_three_processes_keywords,
}


@pytest.mark.parametrize("name", SQUARES_WRONG)
def test_check_squares_names_the_wrong_answer(name: str) -> None:
    answer, hint = SQUARES_WRONG[name]
    before = mp.active_children()
    verdict = checks.check_squares(answer)
    assert (verdict.ok, verdict.hint) == (False, hint), verdict.message
    assert [child for child in mp.active_children() if child not in before] == []


@pytest.mark.parametrize("name", SQUARES_RIGHT)
def test_check_squares_accepts_a_right_answer(name: str) -> None:
    verdict = checks.check_squares(SQUARES_RIGHT[name])
    assert verdict.ok, verdict.message


def test_check_squares_gives_up_on_a_function_that_hangs() -> None:
    verdict = checks.check_squares(lambda: time.sleep(3), timeout=0.3)
    assert (verdict.ok, verdict.hint) == (False, "hangs")


# --------------------------------------------------------------------------------------------
# Exercise 3: pool workers scale a grid in SharedMemory; closed and unlinked
# --------------------------------------------------------------------------------------------


def _jobs(segment: SharedMemory, grid: np.ndarray, factor: float, ranges: Any) -> list[Any]:
    return [(segment.name, grid.shape, grid.dtype.str, a, b, factor) for a, b in ranges]


HALVES = [(0, 3), (3, 6)]


def scaled_solution(grid: np.ndarray, factor: float) -> Any:
    segment = SharedMemory(create=True, size=grid.nbytes)
    shared = np.ndarray(grid.shape, dtype=grid.dtype, buffer=segment.buf)
    try:
        shared[:] = grid
        with mp.Pool(2) as pool:
            reports = pool.starmap_async(
                scale_shared_rows, _jobs(segment, grid, factor, HALVES)
            ).get(timeout=30)
        result = shared.copy()
    finally:
        del shared
        segment.close()
        segment.unlink()
    return result, reports


def scaled_frombuffer_apply_async_numpy_rows(grid: np.ndarray, factor: float) -> Any:
    segment = SharedMemory(create=True, size=grid.nbytes)
    try:
        shared = np.frombuffer(segment.buf, dtype=grid.dtype).reshape(grid.shape)
        shared[:] = grid
        cut = np.int64(3)
        jobs = _jobs(segment, grid, factor, [(np.int64(0), cut), (cut, np.int64(6))])
        with mp.Pool(2) as pool:
            pending = [pool.apply_async(scale_shared_rows, job) for job in jobs]
            reports = [task.get(timeout=30) for task in pending]
        result = np.array(shared)
        del shared
    finally:
        segment.close()
        segment.unlink()
    return result, reports


def scaled_executor_three_tasks(grid: np.ndarray, factor: float) -> Any:
    segment = SharedMemory(create=True, size=grid.nbytes)
    shared = np.ndarray(grid.shape, dtype=grid.dtype, buffer=segment.buf)
    shared[:] = grid
    ranges = [(0, 2), (2, 4), (4, 6)]
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as executor:
        futures = [
            executor.submit(scale_shared_rows, *job) for job in _jobs(segment, grid, factor, ranges)
        ]
        reports = [future.result(timeout=30) for future in futures]
    result = shared.copy()
    del shared
    segment.close()
    segment.unlink()
    return result, reports


def scaled_in_parent(grid: np.ndarray, factor: float) -> Any:
    return grid * factor, []


def scaled_in_parent_no_reports(grid: np.ndarray, factor: float) -> Any:
    result = grid * checks.EXERCISE_FACTOR
    return result, None


def scaled_by_scale_shared_rows_in_parent(grid: np.ndarray, factor: float) -> Any:
    segment = SharedMemory(create=True, size=grid.nbytes)
    shared = np.ndarray(grid.shape, dtype=grid.dtype, buffer=segment.buf)
    shared[:] = grid
    reports = [scale_shared_rows(*job) for job in _jobs(segment, grid, factor, HALVES)]
    result = shared.copy()
    del shared
    segment.close()
    segment.unlink()
    return result, reports


def _scaled_by(
    ranges: Any,
    close: bool = True,
    unlink: bool = True,
    keep_view: bool = False,
    copy_first: bool = False,
    frombuffer: bool = False,
    return_reports: bool = True,
) -> Callable[[np.ndarray, float], Any]:
    """A learner's answer with one thing changed from the solution."""

    def answer(grid: np.ndarray, factor: float) -> Any:
        segment = SharedMemory(create=True, size=grid.nbytes)
        if frombuffer:
            shared = np.frombuffer(segment.buf, dtype=grid.dtype).reshape(grid.shape)
        else:
            shared = np.ndarray(grid.shape, dtype=grid.dtype, buffer=segment.buf)
        shared[:] = grid
        if copy_first:
            result = shared.copy()
        jobs = _jobs(segment, grid, factor, ranges)
        with mp.Pool(2) as pool:
            reports = pool.starmap_async(scale_shared_rows, jobs).get(timeout=30)
        if not copy_first:
            result = shared if keep_view else shared.copy()
        if not keep_view:
            del shared
        if close:
            segment.close()
        if unlink:
            segment.unlink()
        return result, (reports if return_reports else None)

    return answer


def scaled_skeleton(grid: np.ndarray, factor: float) -> Any:
    result, reports = None, []  # your code here
    return result, reports


def scaled_hangs(grid: np.ndarray, factor: float) -> Any:
    time.sleep(3)


SCALED_WRONG: dict[str, tuple[Any, str]] = {
    "the exercise cell as given": (scaled_skeleton, "missing"),
    "result = grid * EXERCISE_FACTOR": (scaled_in_parent, "work-in-parent"),
    "grid * factor, no reports": (scaled_in_parent_no_reports, "work-in-parent"),
    "scale_shared_rows called in the parent": (
        scaled_by_scale_shared_rows_in_parent,
        "work-in-parent",
    ),
    "the pool's reports thrown away": (_scaled_by(HALVES, return_reports=False), "no-reports"),
    "one task for all rows": (_scaled_by([(0, 6)]), "one-task"),
    "rows 0..2 and 3..4": (_scaled_by([(0, 3), (3, 5)]), "rows-missing"),
    "overlapping rows": (_scaled_by([(0, 4), (2, 6)]), "overlap"),
    "not closed": (_scaled_by(HALVES, close=False), "not-closed"),
    "not unlinked": (_scaled_by(HALVES, unlink=False), "not-unlinked"),
    "neither closed nor unlinked": (_scaled_by(HALVES, close=False, unlink=False), "not-closed"),
    "a frombuffer view kept at close()": (
        _scaled_by(HALVES, keep_view=True, frombuffer=True),
        "views-kept",
    ),
    "the view returned, closed and unlinked": (
        _scaled_by(HALVES, keep_view=True),
        "result-is-a-view",
    ),
    "the view returned, unlinked, not closed": (
        _scaled_by(HALVES, keep_view=True, close=False),
        "result-is-a-view",
    ),
    "copied out before the workers ran": (_scaled_by(HALVES, copy_first=True), "unscaled"),
    "hangs": (scaled_hangs, "hangs"),
    "the result instead of the function": (np.zeros((6, 4)), "not-a-function"),
}

SCALED_RIGHT: dict[str, Callable[[np.ndarray, float], Any]] = {
    "the solution": scaled_solution,
    "frombuffer, apply_async, NumPy integer rows": scaled_frombuffer_apply_async_numpy_rows,
    "ProcessPoolExecutor, three tasks": scaled_executor_three_tasks,
}


@pytest.mark.parametrize("name", SCALED_WRONG)
def test_check_scaled_names_the_wrong_answer(name: str) -> None:
    answer, hint = SCALED_WRONG[name]
    before = mp.active_children()
    verdict = checks.check_scaled(answer, timeout=1.0 if hint == "hangs" else 20.0)
    assert (verdict.ok, verdict.hint) == (False, hint), verdict.message
    assert [child for child in mp.active_children() if child not in before] == []


@pytest.mark.parametrize("name", SCALED_RIGHT)
def test_check_scaled_accepts_a_right_answer(name: str) -> None:
    verdict = checks.check_scaled(SCALED_RIGHT[name])
    assert verdict.ok, verdict.message


def test_check_scaled_names_a_pool_left_running() -> None:
    # A pool that is only a local is finalized (terminated) when the function returns; one
    # kept elsewhere, here in a list, leaves its workers running.
    kept: list[Any] = []

    def answer(grid: np.ndarray, factor: float) -> Any:
        segment = SharedMemory(create=True, size=grid.nbytes)
        shared = np.ndarray(grid.shape, dtype=grid.dtype, buffer=segment.buf)
        shared[:] = grid
        pool = mp.Pool(2)
        kept.append(pool)
        reports = pool.starmap(scale_shared_rows, _jobs(segment, grid, factor, HALVES))
        result = shared.copy()
        del shared
        segment.close()
        segment.unlink()
        return result, reports

    try:
        verdict = checks.check_scaled(answer)
    finally:
        for pool in kept:
            pool.terminate()
            pool.join()
    assert (verdict.ok, verdict.hint) == (False, "workers-left-running"), verdict.message


def test_recorded_segments_notes_created_segments_only() -> None:
    with checks.recorded_segments() as created:
        segment = SharedMemory(create=True, size=8)
        attached = SharedMemory(name=segment.name)
    try:
        assert created == [segment]
    finally:
        attached.close()
        segment.close()
        segment.unlink()
    assert SharedMemory.__init__ is not None and "recording" not in SharedMemory.__init__.__name__

"""helpers.checks.fractal: each chapter 10 check rejects the wrong answers learners give, each
with its own hint id, accepts every right answer, and leaves no segment behind."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial
from multiprocessing.shared_memory import SharedMemory
from typing import Any

import numpy as np
import pytest

from helpers.checks import Verdict
from helpers.checks.fractal import (
    CHECK_VIEW,
    check_best_chunk,
    check_render_shared,
    check_tiles,
)
from helpers.checks.recording import call_with_timeout
from helpers.fractal import (
    View,
    assemble,
    render_block,
    render_block_into,
    render_serial,
    render_tiles,
    row_blocks,
    shared_image,
)
from helpers.sharing import segment_exists

# --- exercise 1: make_tiles(height, width, size) ----------------------------------------------


def nested_ranges_with_min(height, width, size):
    return [(top, min(top + size, height), left, min(left + size, width))
            for top in range(0, height, size) for left in range(0, width, size)]


def explicit_loops(height, width, size):
    tiles = []
    top = 0
    while top < height:
        left = 0
        while left < width:
            tiles.append((top, min(height, top + size), left, min(width, left + size)))
            left += size
        top += size
    return tiles


def numpy_integers_and_lists(height, width, size):
    return [[np.int64(t), np.int64(min(t + size, height)), np.int32(c), min(c + size, width)]
            for t in np.arange(0, height, size) for c in np.arange(0, width, size)]


def a_generator(height, width, size):
    return ((t, min(t + size, height), c, min(c + size, width))
            for c in range(0, width, size) for t in range(0, height, size))


RIGHT_TILES: dict[str, Callable[..., Any]] = {
    "nested ranges with min": nested_ranges_with_min,
    "explicit while loops": explicit_loops,
    "NumPy integers, lists": numpy_integers_and_lists,
    "a generator, columns first": a_generator,
}


def stops_short(height, width, size):  # range(0, height - size, size): the last tiles go
    return [(t, t + size, c, c + size)
            for t in range(0, height - size + 1, size) for c in range(0, width - size + 1, size)]


def one_pixel_too_far(height, width, size):
    return [(t, min(t + size + 1, height), c, min(c + size + 1, width))
            for t in range(0, height, size) for c in range(0, width, size)]


def not_clipped(height, width, size):
    return [(t, t + size, c, c + size) for t in range(0, height, size)
            for c in range(0, width, size)]


def the_whole_image(height, width, size):
    return [(0, height, 0, width)]


def full_width_strips(height, width, size):
    return [(t, min(t + size, height), 0, width) for t in range(0, height, size)]


def height_and_width_swapped(height, width, size):
    return [(c, min(c + size, width), t, min(t + size, height))
            for t in range(0, height, size) for c in range(0, width, size)]


def top_left_bottom_right(height, width, size):
    return [(t, c, min(t + size, height), min(c + size, width))
            for t in range(0, height, size) for c in range(0, width, size)]


def corners_only(height, width, size):
    return [(t, c) for t in range(0, height, size) for c in range(0, width, size)]


def forgot_return(height, width, size):
    [(t, min(t + size, height), 0, width) for t in range(0, height, size)]


def floats_from_division(height, width, size):
    return [(t, min(t + size, height), c, c + width / 2) for t in range(0, height, size)
            for c in (0, width / 2)]


def an_empty_list(height, width, size):
    return []


def raises(height, width, size):
    return [(t, t + size) for t in range(height)][width]


WRONG_TILES: dict[str, tuple[Callable[..., Any], str]] = {
    "range stops before the last, shorter tiles": (stops_short, "missed-pixels"),
    "each tile one pixel too far": (one_pixel_too_far, "overlap"),
    "the last tiles not clipped": (not_clipped, "outside"),
    "the whole image as one tile": (the_whole_image, "one-tile"),
    "full-width strips": (full_width_strips, "strips"),
    "height and width swapped": (height_and_width_swapped, "swapped"),
    "(top, left, bottom, right)": (top_left_bottom_right, "order"),
    "corners only": (corners_only, "wrong-type"),
    "no return": (forgot_return, "wrong-type"),
    "floats from a division": (floats_from_division, "wrong-type"),
    "no tiles": (an_empty_list, "missing"),
    "an IndexError": (raises, "raised"),
}


@pytest.mark.parametrize("name", list(WRONG_TILES))
def test_tiles_rejects_a_wrong_answer_with_its_hint(name: str) -> None:
    answer, hint = WRONG_TILES[name]
    verdict = check_tiles(answer)
    assert not verdict.ok, name
    assert verdict.hint == hint, f"{name}: {verdict.message}"


@pytest.mark.parametrize("name", list(RIGHT_TILES))
def test_tiles_accepts_a_right_answer(name: str) -> None:
    verdict = check_tiles(RIGHT_TILES[name])
    assert verdict.ok and verdict.hint == "ok", f"{name}: {verdict.message}"


def test_one_tile_is_named_when_it_is_within_the_size() -> None:
    def one_big_tile_of_the_right_size(height, width, size):
        if height <= size and width <= size:
            return [(0, height, 0, width)]
        return [(0, height, 0, width)]

    assert check_tiles(one_big_tile_of_the_right_size).hint == "one-tile"


def test_the_right_tiles_render_the_serial_image() -> None:
    view = View(width=30, height=20, max_iter=30)
    image = render_tiles(view, nested_ranges_with_min(20, 30, 8))
    assert np.array_equal(image, render_serial(view))


# --- exercise 2: render_shared(pool, view) ----------------------------------------------------


def with_shared_image(pool, view):
    with shared_image(view) as (name, image):
        blocks = row_blocks(view.height, 4)
        results = pool.imap_unordered(partial(render_block_into, name, view), blocks)
        for _ in blocks:
            results.next(timeout=60)
        return image.copy()


def try_finally(pool, view):
    segment = SharedMemory(create=True, size=view.height * view.width * 4)
    try:
        pending = [pool.apply_async(render_block_into, (segment.name, view, (row, row + 1)))
                   for row in range(view.height)]
        for result in pending:
            result.get(timeout=60)
        image = np.ndarray(view.shape, dtype=np.int32, buffer=segment.buf)
        copy = image.copy()
        del image
        return copy
    finally:
        segment.close()
        segment.unlink()


def map_async_in_shared_image(pool, view):
    with shared_image(view) as (name, image):
        pool.map_async(partial(render_block_into, name, view), row_blocks(view.height, 3)
                       ).get(timeout=60)
        return np.array(image)


RIGHT_SHARED: dict[str, Callable[..., Any]] = {
    "shared_image and imap_unordered": with_shared_image,
    "try/finally and apply_async": try_finally,
    "shared_image and map_async": map_async_in_shared_image,
}


def no_finally(pool, view):
    segment = SharedMemory(create=True, size=view.height * view.width * 4)
    pool.map(partial(render_block_into, segment.name, view), row_blocks(view.height, 3))
    image = np.ndarray(view.shape, dtype=np.int32, buffer=segment.buf)
    copy = image.copy()
    del image
    segment.close()
    segment.unlink()
    return copy


def forgot_unlink(pool, view):
    segment = SharedMemory(create=True, size=view.height * view.width * 4)
    try:
        pool.map(partial(render_block_into, segment.name, view), row_blocks(view.height, 3))
        image = np.ndarray(view.shape, dtype=np.int32, buffer=segment.buf)
        copy = image.copy()
        del image
        return copy
    finally:
        segment.close()


def forgot_close_and_unlink(pool, view):
    segment = SharedMemory(create=True, size=view.height * view.width * 4)
    pool.map(partial(render_block_into, segment.name, view), row_blocks(view.height, 3))
    return np.ndarray(view.shape, dtype=np.int32, buffer=segment.buf).copy()


def close_with_the_view_alive(pool, view):
    segment = SharedMemory(create=True, size=view.height * view.width * 4)
    try:
        pool.map(partial(render_block_into, segment.name, view), row_blocks(view.height, 3))
        image = np.frombuffer(segment.buf, dtype=np.int32).reshape(view.shape)
        copy = image.copy()
        segment.close()  # image still holds the buffer: BufferError
        return copy
    finally:
        segment.unlink()


def returns_the_view(pool, view):
    with shared_image(view) as (name, image):
        pool.map(partial(render_block_into, name, view), row_blocks(view.height, 3))
        return image


def pickled_pixels(pool, view):
    return assemble(view, pool.map(partial(render_block, view), row_blocks(view.height, 3)))


def rows_in_the_parent(pool, view):
    with shared_image(view) as (name, image):
        for block in row_blocks(view.height, 3):
            render_block_into(name, view, block)
        return image.copy()


def half_in_the_parent(pool, view):
    with shared_image(view) as (name, image):
        half = view.height // 2
        pool.map(partial(render_block_into, name, view), [(0, half)])
        render_block_into(name, view, (half, view.height))
        return image.copy()


def overlapping_blocks(pool, view):
    with shared_image(view) as (name, image):
        blocks = [(start, min(start + 4, view.height)) for start in range(0, view.height, 3)]
        pool.map(partial(render_block_into, name, view), blocks)
        return image.copy()


def copied_before_the_work(pool, view):
    with shared_image(view) as (name, image):
        copy = image.copy()
        pool.map(partial(render_block_into, name, view), row_blocks(view.height, 3))
        return copy


def error_swallowed(pool, view):
    with shared_image(view) as (name, image):
        try:
            pool.map(partial(render_block_into, name, view), row_blocks(view.height, 3))
        except Exception:
            pass
        return image.copy()


def a_lambda(pool, view):
    with shared_image(view) as (name, image):
        pool.map(lambda block: render_block_into(name, view, block), row_blocks(view.height, 3))
        return image.copy()


def returns_nothing(pool, view):
    with shared_image(view) as (name, _):
        pool.map(partial(render_block_into, name, view), row_blocks(view.height, 3))


WRONG_SHARED: dict[str, tuple[Callable[..., Any], str]] = {
    "close and unlink, but not in finally": (no_finally, "not-unlinked-on-error"),
    "close, forgot unlink": (forgot_unlink, "not-unlinked"),
    "neither close nor unlink": (forgot_close_and_unlink, "not-closed"),
    "close() with a view alive": (close_with_the_view_alive, "view-alive"),
    "the view returned": (returns_the_view, "view-returned"),
    "render_block: pixels pickled": (pickled_pixels, "pickled-pixels"),
    "rows computed in the parent": (rows_in_the_parent, "work-in-parent"),
    "half the rows in the parent": (half_in_the_parent, "work-in-parent"),
    "overlapping blocks": (overlapping_blocks, "overlap"),
    "copied before the work": (copied_before_the_work, "wrong-image"),
    "the error swallowed": (error_swallowed, "error-hidden"),
    "a lambda": (a_lambda, "function-defined-in-notebook"),
    "no return": (returns_nothing, "wrong-type"),
}


def _segments_here() -> set[str]:
    import os
    from pathlib import Path

    shm, mine = Path("/dev/shm"), f"psm_ut{os.getpid()}_"  # named by conftest.py
    return {p.name for p in shm.glob(mine + "*")} if shm.is_dir() else set()


@pytest.mark.parametrize("name", list(WRONG_SHARED))
def test_render_shared_rejects_a_wrong_answer_with_its_hint(name: str) -> None:
    answer, hint = WRONG_SHARED[name]
    before = _segments_here()
    verdict = check_render_shared(answer)
    assert not verdict.ok, name
    assert verdict.hint == hint, f"{name}: {verdict.message}"
    assert _segments_here() <= before, "the check left a segment behind"


@pytest.mark.parametrize("name", list(RIGHT_SHARED))
def test_render_shared_accepts_a_right_answer(name: str) -> None:
    before = _segments_here()
    verdict = check_render_shared(RIGHT_SHARED[name])
    assert verdict.ok and verdict.hint == "ok", f"{name}: {verdict.message}"
    assert _segments_here() <= before


def test_the_right_answer_works_with_a_real_pool() -> None:
    import multiprocessing as mp

    with shared_image(CHECK_VIEW):  # the resource tracker runs before the pool starts
        pass
    with mp.get_context("spawn").Pool(2) as pool:
        image = with_shared_image(pool, CHECK_VIEW)
    assert np.array_equal(image, render_serial(CHECK_VIEW))


# --- exercise 3: check_best_chunk(times, best_rows) --------------------------------------------

TIMES = {1: 0.80, 2: 0.72, 4: 0.70, 8: 0.74, 140: 1.10, 280: 1.40}

WRONG_CHUNK: dict[str, tuple[dict, Any, str]] = {
    "min(times): the smallest key": (TIMES, min(TIMES), "min-of-keys"),
    "max(times, key=times.get): the slowest": (TIMES, 280, "slowest"),
    "the whole image, one task": (TIMES, 140, "not-the-minimum"),
    "a size not timed": (TIMES, 16, "not-a-size"),
    "the time, not the size": (TIMES, 0.70, "wrong-type"),
    "a list of times": (list(TIMES.values()), 4, "wrong-type"),
    "two sizes only": ({1: 0.8, 280: 1.4}, 1, "too-few-sizes"),
    "without one row per task": ({2: 0.7, 4: 0.7, 280: 1.4}, 2, "no-single-row"),
    "times in a string": ({1: "0.8", 2: "0.7", 4: "0.7"}, 2, "bad-time"),
    "a time of zero": ({1: 0.0, 2: 0.7, 4: 0.7}, 1, "bad-time"),
    "nothing timed": ({}, 4, "missing"),
}


@pytest.mark.parametrize("name", list(WRONG_CHUNK))
def test_best_chunk_rejects_a_wrong_answer_with_its_hint(name: str) -> None:
    times, best, hint = WRONG_CHUNK[name]
    verdict = check_best_chunk(times, best)
    assert not verdict.ok, name
    assert verdict.hint == hint, f"{name}: {verdict.message}"


@pytest.mark.parametrize(
    ("times", "best"),
    [(TIMES, 4), (TIMES, min(TIMES, key=TIMES.get)), ({1: 0.5, 2: 0.6, 3: 0.7}, 1),
     ({np.int64(1): np.float64(0.9), 5: 0.3, 50: 0.6}, np.int64(5)), ({1: 2, 2: 1, 3: 1}, 3)],
    ids=["by hand", "min with key", "one row wins", "NumPy numbers", "a tie"],
)
def test_best_chunk_accepts_a_right_answer(times: dict, best: Any) -> None:
    verdict = check_best_chunk(times, best)
    assert verdict.ok and verdict.hint == "ok", verdict.message


# --- every check answers nonsense with "Not yet" and a hint ------------------------------------

ABSURD = [None, 0, -1, 10**12, float("nan"), "", "x", [], {}, (), [None], {None: None}, object()]
CHECKS = [check_tiles, check_render_shared, check_best_chunk]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_every_check_says_not_yet_with_a_hint_to_absurd_answers(check: Any) -> None:
    count = len(inspect.signature(check).parameters)
    for position in range(count):
        for absurd in ABSURD:
            answers = [absurd if k == position else None for k in range(count)]
            outcome = call_with_timeout(check, answers, 10.0)
            assert outcome.finished and outcome.error is None, (check.__name__, absurd)
            verdict = outcome.value
            assert isinstance(verdict, Verdict) and not verdict.ok, (check.__name__, absurd)
            assert verdict.hint not in ("", "ok", "not-yet"), (check.__name__, absurd)


def test_a_segment_left_by_a_wrong_answer_is_removed() -> None:
    names = []

    def leaves_it(pool, view):
        segment = SharedMemory(create=True, size=view.height * view.width * 4)
        names.append(segment.name)
        pool.map(partial(render_block_into, segment.name, view), row_blocks(view.height, 3))
        return np.ndarray(view.shape, dtype=np.int32, buffer=segment.buf).copy()

    assert check_render_shared(leaves_it).hint == "not-closed"
    assert names and not segment_exists(names[0])

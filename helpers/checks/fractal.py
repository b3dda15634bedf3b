"""Checks for the exercises of chapter 10 (the capstone: a Mandelbrot image in parallel).

* Exercise 1 (:func:`check_tiles`) calls the learner's ``make_tiles(height, width, size)`` on
  several image sizes, including sizes the tile size does not divide, and counts how often each
  pixel is covered. No process is started: the verdict is the same everywhere.
* Exercise 2 (:func:`check_render_shared`) hands the learner's ``render_shared(pool, view)`` a
  stand-in pool (chapter 04's :class:`~helpers.checks.pools.RecordingPool`) that runs each task
  here, at once, and notes which function ran on which rows; it watches every
  ``SharedMemory`` segment the function creates. Then it calls the function again with a pool
  whose tasks fail, as a crashed worker's would, and sees whether the segment is unlinked
  then too. Whatever the answer, no segment is left behind.
* Exercise 3 (:func:`check_best_chunk`) judges the learner's timings ``{rows_per_task:
  seconds}`` and the size picked from them.

Every verdict carries a hint id (see each check's docstring); ``tests/test_checks_fractal.py``
lists the wrong answers learners give and the id each gets.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from numbers import Real
from typing import Any

import numpy as np

from helpers._validate import require_bool
from helpers.checks import Verdict, correct, not_yet
from helpers.checks.pools import RecordingPool, defined_in_notebook
from helpers.checks.recording import call_with_timeout
from helpers.checks.sharing import _clean_up, recorded_segments
from helpers.fractal import (
    View,
    covered_pixels,
    render_block,
    render_block_into,
    render_serial,
)
from helpers.language import say
from helpers.sharing import memory_behind, segment_exists

#: How long a check lets the learner's function run.
CHECK_TIMEOUT = 20.0

# --- exercise 1: tiles in 2-D ----------------------------------------------------------------

#: The (height, width, size) cases exercise 1's check tries: square and not, divisible and not,
#: a tile larger than the image.
TILE_CASES: tuple[tuple[int, int, int], ...] = (
    (32, 48, 16),
    (30, 40, 8),
    (7, 5, 3),
    (4, 6, 10),
)


def _tiles_of(value: object) -> list[tuple[int, int, int, int]] | None:
    """``value`` as a list of 4 ints per tile (NumPy integers too), or None if it is not."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return None
    tiles = []
    for tile in value:
        if isinstance(tile, str | bytes) or not isinstance(tile, Sequence | np.ndarray):
            return None
        if len(tile) != 4:
            return None
        numbers = []
        for number in tile:
            if isinstance(number, bool | np.bool_) or not isinstance(number, int | np.integer):
                return None
            numbers.append(int(number))
        tiles.append((numbers[0], numbers[1], numbers[2], numbers[3]))
    return tiles


def _covers_exactly(height: int, width: int, tiles: list[tuple[int, int, int, int]]) -> bool:
    inside = all(0 <= t < b <= height and 0 <= left < r <= width for t, b, left, r in tiles)
    return inside and bool(np.all(covered_pixels(height, width, tiles) == 1))


def _judge_tiles(height: int, width: int, size: int, tiles: list[tuple[int, int, int, int]]
                 ) -> Verdict | None:
    case = f"make_tiles({height}, {width}, {size})"
    if not tiles:
        return not_yet(say(
            f"{case} returned no tiles",
            f"{case} 没有返回任何图块"), "missing")
    if _covers_exactly(height, width, tiles) and all(
        b - t <= size and r - left <= size for t, b, left, r in tiles
    ):
        if len(tiles) == 1 and (height > size or width > size):
            return not_yet(say(
                f"{case} returned the whole image as one tile",
                f"{case} 把整幅图像作为一个图块返回"), "one-tile")
        return None
    reordered = [(t, b, left, r) for t, left, b, r in tiles]
    if _covers_exactly(height, width, reordered):
        return not_yet(say(
            f"{case}: your tiles read as (top, left, bottom, right); the check "
            "expects (top, bottom, left, right)",
            f"{case}：你的图块读作 (top, left, bottom, right)；检查期望的是 (top, "
            "bottom, left, right)"), "order")
    if any(b <= t or r <= left for t, b, left, r in tiles):
        bad = next(tile for tile in tiles if tile[1] <= tile[0] or tile[3] <= tile[2])
        return not_yet(say(
            f"{case} has an empty tile {bad}: bottom must be > top and right > left",
            f"{case} 有一个空图块 {bad}：bottom 必须 > top，right 必须 > left"), "empty-tile")
    transposed = [(left, r, t, b) for t, b, left, r in tiles]
    if _covers_exactly(height, width, transposed):
        return not_yet(say(
            f"{case}: your tiles cover a {width} x {height} image: rows run over "
            "the height (first argument), columns over the width",
            f"{case}：你的图块覆盖的是一幅 {width} x {height} 的图像：行沿高度（第一"
            "个参数）排列，列沿宽度排列"), "swapped")
    outside = [tile for tile in tiles
               if tile[0] < 0 or tile[2] < 0 or tile[1] > height or tile[3] > width]
    if outside:
        return not_yet(say(
            f"{case}: the tile {outside[0]} reaches outside the {height} x {width} "
            "image: clip the last tile of a row or column with min(..., height)",
            f"{case}：图块 {outside[0]} 超出了 {height} x {width} 的图像：用 min(..., height) "
            "截短一行或一列的最后一个图块"), "outside")
    cover = covered_pixels(height, width, tiles)
    if np.any(cover == 0):
        row, col = (int(k) for k in np.argwhere(cover == 0)[0])
        return not_yet(say(
            f"{case} misses {int(np.sum(cover == 0))} pixels, e.g. row {row}, "
            f"column {col}: the last, shorter tiles are missing",
            f"{case} 漏掉了 {int(np.sum(cover == 0))} 个像素，例如第 {row} 行第 "
            f"{col} 列：缺少最后那些较短的图块"), "missed-pixels")
    if np.any(cover > 1):
        row, col = (int(k) for k in np.argwhere(cover > 1)[0])
        return not_yet(say(
            f"{case}: {int(np.sum(cover > 1))} pixels lie in two tiles, e.g. row "
            f"{row}, column {col}: a tile's bottom is the next one's top (ranges "
            "stop before their end)",
            f"{case}：有 {int(np.sum(cover > 1))} 个像素落在两个图块里，例如第 {row} "
            f"行第 {col} 列：一个图块的 bottom 就是下一个的 top（range 在终点之前停止"
            "）"), "overlap")
    if len(tiles) == 1:
        return not_yet(say(
            f"{case} returned the whole image as one tile: one worker would do "
            "all the work",
            f"{case} 把整幅图像作为一个图块返回：一个工作进程就要做完所有的工作"), "one-tile")
    too_big = [tile for tile in tiles if tile[1] - tile[0] > size or tile[3] - tile[2] > size]
    if all(tile[2] == 0 and tile[3] == width for tile in tiles):
        return not_yet(say(
            f"{case} returned strips the full width of the image: cut the columns "
            f"into pieces of at most {size} too",
            f"{case} 返回的是横贯整幅图像宽度的长条：把列也切成最多 {size} 的小段"), "strips")
    return not_yet(say(
        f"{case}: the tile {too_big[0]} is larger than {size} x {size}",
        f"{case}：图块 {too_big[0]} 大于 {size} x {size}"), "too-big")


def check_tiles(make_tiles: Callable[[int, int, int], Any]) -> Verdict:
    """Exercise 1: ``make_tiles(height, width, size)`` returns tiles ``(top, bottom, left,
    right)`` of at most ``size`` x ``size`` pixels that cover the image, every pixel once.

    Hints: ``wrong-type``, ``hangs``, ``raised``, ``missing``, ``one-tile``, ``order``,
    ``empty-tile``, ``swapped``, ``outside``, ``strips``, ``too-big``, ``missed-pixels``,
    ``overlap``.
    """
    if not callable(make_tiles):
        return not_yet(say(
            f"make_tiles should be a function, not {type(make_tiles).__name__}",
            f"make_tiles 应当是一个函数，而不是 {type(make_tiles).__name__}"), "wrong-type")
    for height, width, size in TILE_CASES:
        outcome = call_with_timeout(make_tiles, (height, width, size), CHECK_TIMEOUT)
        if not outcome.finished:
            return not_yet(say(
                f"make_tiles({height}, {width}, {size}) did not return within "
                f"{CHECK_TIMEOUT:g} s",
                f"make_tiles({height}, {width}, {size}) 在 {CHECK_TIMEOUT:g} 秒内没有返"
                "回"), "hangs")
        if outcome.error is not None:
            error = outcome.error
            return not_yet(say(
                f"make_tiles({height}, {width}, {size}) raised "
                f"{type(error).__name__}: {error}",
                f"make_tiles({height}, {width}, {size}) 抛出了 {type(error).__name__}"
                f"：{error}"), "raised")
        tiles = _tiles_of(outcome.value)
        if tiles is None:
            return not_yet(say(
                "return a list of tiles, each a tuple of four ints (top, bottom, "
                f"left, right); got {type(outcome.value).__name__}",
                "请返回图块列表，每个图块是四个 int 组成的元组 (top, bottom, "
                f"left, right)；得到的却是 {type(outcome.value).__name__}"), "wrong-type")
        verdict = _judge_tiles(height, width, size, tiles)
        if verdict is not None:
            return verdict
    return correct(say(
        "every pixel lies in exactly one tile, on every image size tried, including "
        "sizes the tile size does not divide.",
        "在试过的每种图像尺寸上（包括图块大小不能整除的尺寸），每个像素都恰好落在一个图块里。"))


# --- exercise 2: the image in shared memory, unlinked also on error --------------------------

#: The small image exercise 2's check renders.
CHECK_VIEW = View(width=24, height=18, max_iter=40)


class WorkerFailed(RuntimeError):
    """What the failing stand-in pool's tasks raise: a worker that crashed mid-image."""


class WatchingPool(RecordingPool):
    """Chapter 04's stand-in pool, which also notes each task's function and arguments, and,
    with ``failing=True``, makes every task raise :class:`WorkerFailed`."""

    def __init__(self, failing: bool = False) -> None:
        super().__init__()
        self.failing = require_bool("failing", failing)
        self.tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    def _run(self, func: Callable[..., Any], args: tuple[Any, ...], kwds: Mapping[str, Any]
             ) -> Any:
        self.tasks.append((func, (*_partial_args(func), *args, *kwds.values())))
        if self.failing:
            raise WorkerFailed("a worker failed while rendering its rows")
        return super()._run(func, args, kwds)


def _partial_args(func: Any) -> tuple[Any, ...]:
    return tuple(func.args) if isinstance(func, partial) else ()


def _inner(func: Any) -> Any:
    return func.func if isinstance(func, partial) else func


def _rows_by_tasks(pool: WatchingPool, name: str) -> list[int]:
    """The rows the pool's tasks wrote into the segment ``name`` (with repeats)."""
    rows: list[int] = []
    for func, args in pool.tasks:
        if _inner(func) is render_block_into and len(args) == 3 and args[0] == name:
            start, stop = args[2]
            rows.extend(range(start, stop))
    return rows


def _segments_left(segments: list[Any]) -> tuple[bool, bool]:
    """(some segment is still open here, some segment still exists)."""
    still_open = any(getattr(segment, "_buf", None) is not None for segment in segments)
    exists = any(segment_exists(segment.name) for segment in segments)
    return still_open, exists


def _judge_render_shared(outcome: Any, pool: WatchingPool, segments: list[Any]) -> Verdict:
    if not outcome.finished:
        return not_yet(say(
            f"render_shared(pool, view) did not return within {CHECK_TIMEOUT:g} s",
            f"render_shared(pool, view) 在 {CHECK_TIMEOUT:g} 秒内没有返回"), "hangs")
    if isinstance(outcome.error, BufferError):
        return not_yet(say(
            "close() raised BufferError: a NumPy view of the segment was still "
            "alive. Copy the image out, delete the view (del image), then close()",
            "close() 抛出了 BufferError：内存段（segment）的某个 NumPy 视图还活着。先把图像复制出"
            "来，删除视图（del image），再 close()"), "view-alive")
    if outcome.error is not None:
        error = outcome.error
        return not_yet(say(
            f"render_shared(pool, view) raised {type(error).__name__}: {error}",
            f"render_shared(pool, view) 抛出了 {type(error).__name__}：{error}"), "raised")
    if any(defined_in_notebook(func) for func, _ in pool.tasks):
        return not_yet(say(
            "a lambda or a function defined in the notebook cannot reach a worker "
            "under spawn: hand the pool render_block_into from helpers.fractal",
            "在 spawn 下，lambda 或定义在笔记本里的函数到不了工作进程：请把 helpers.fractal 里"
            "的 render_block_into 交给进程池"), "function-defined-in-notebook")
    functions = {_inner(func) for func, _ in pool.tasks}
    if render_block in functions and render_block_into not in functions:
        return not_yet(say(
            "the workers ran render_block, which sends every pixel back pickled: "
            "let them run render_block_into(name, view, block), which writes into "
            "the segment",
            "工作进程运行的是 render_block，它把每个像素都序列化后送回：请让"
            "它们运行 render_block_into(name, view, block)，它直接写进内存段里"), "pickled-pixels")
    if not segments:
        return not_yet(say(
            "render_shared created no SharedMemory segment: create one the size of "
            "the image (SharedMemory(create=True, size=...)) or use "
            "helpers.fractal.shared_image(view)",
            "render_shared 没有创建 SharedMemory 段：创建一个与图像一样大的段（"
            "SharedMemory(create=True, size=...)），或者使用 "
            "helpers.fractal.shared_image(view)"), "no-segment")
    view = CHECK_VIEW
    names = {segment.name for segment in segments}
    rows = [row for name in names for row in _rows_by_tasks(pool, name)]
    if not rows:
        return not_yet(say(
            "no task of the pool render_shared receives wrote into the segment: "
            "this process (or a pool of your own) computed the rows. Map "
            "render_block_into over blocks of rows with the pool you are given",
            "render_shared 收到的进程池里没有任何任务写入内存段：这些行是本进程（或你自己的进程池"
            "）算出来的。请用传给你的进程池，把 render_block_into 映射到各个行块上"),
                       "work-in-parent")
    if len(rows) != len(set(rows)):
        return not_yet(say(
            "some rows were rendered by two tasks: give each task its own rows "
            "(helpers.fractal.row_blocks)",
            "有些行被两个任务渲染了：给每个任务分配它自己的行（"
            "helpers.fractal.row_blocks）"), "overlap")
    if set(rows) != set(range(view.height)):
        missing = sorted(set(range(view.height)) - set(rows))
        return not_yet(say(
            f"no task of the pool rendered rows {missing[:5]}...: the parent "
            "computed them, or no task had them. Let the tasks cover every row",
            f"进程池里没有任务渲染第 {missing[:5]}... 行：它们是父进程算的，或者没有任务拿到它"
            "们。让任务覆盖每一行"), "work-in-parent")
    image = outcome.value
    if not isinstance(image, np.ndarray):
        return not_yet(say(
            f"return the image, a NumPy array, not {type(image).__name__}",
            f"请返回图像，一个 NumPy 数组，而不是 {type(image).__name__}"), "wrong-type")
    behind = memory_behind(image)
    if behind is not None and not isinstance(behind, np.ndarray):
        return not_yet(say(
            "you returned a view of the segment, not a copy: its memory goes away "
            "at close(). Return image.copy(), taken inside the block",
            "你返回的是内存段的视图，而不是副本：它的内存在 close() 时就没了。请在"
            "块内返回 image.copy()"), "view-returned")
    if image.shape != view.shape or not np.array_equal(image, render_serial(view)):
        return not_yet(say(
            "the image differs from the serial one: copy it out after every task "
            "is done, and cover every row once",
            "图像与串行渲染的不一样：等每个任务都完成后再复制出来，并且每一行只"
            "覆盖一次"), "wrong-image")
    still_open, exists = _segments_left(segments)
    if still_open:
        return not_yet(say(
            "the image is right, but the segment is still open in this process: "
            "delete your views, then call close()",
            "图像是对的，但内存段在本进程里仍然打开着：先删除你的视图，再调用 close()"),
            "not-closed")
    if exists:
        return not_yet(say(
            "the image is right and the segment is closed, but it still exists in "
            "/dev/shm: the creator must call unlink() once the workers are done",
            "图像是对的，内存段也关闭了，但它仍然存在于 /dev/shm 里：工作进程完成后，创建者必须调"
            "用 unlink()"), "not-unlinked")
    return correct("")  # judged further with a failing pool


def check_render_shared(render_shared: Callable[[Any, View], Any]) -> Verdict:
    """Exercise 2: ``render_shared(pool, view)`` creates a ``SharedMemory`` segment for the
    image, lets ``pool``'s workers write their rows into it with ``render_block_into``, copies
    the image out, and closes and unlinks the segment, also when a task fails (the error is
    raised to the caller).

    Hints: ``wrong-type``, ``hangs``, ``view-alive``, ``raised``,
    ``function-defined-in-notebook``, ``pickled-pixels``, ``no-segment``, ``work-in-parent``,
    ``overlap``, ``view-returned``, ``wrong-image``, ``not-closed``, ``not-unlinked``,
    ``error-hidden``, ``not-unlinked-on-error``.
    """
    if not callable(render_shared):
        return not_yet(say(
            f"render_shared should be a function, not "
            f"{type(render_shared).__name__}",
            f"render_shared 应当是一个函数，而不是 {type(render_shared).__name__}"), "wrong-type")
    pool = WatchingPool()
    with recorded_segments() as segments:
        outcome = call_with_timeout(render_shared, (pool, CHECK_VIEW), CHECK_TIMEOUT)
    try:
        verdict = _judge_render_shared(outcome, pool, segments)
    finally:
        outcome.value = None
        _clean_up(segments)
    if not verdict.ok:
        return verdict
    failing = WatchingPool(failing=True)
    with recorded_segments() as segments:
        outcome = call_with_timeout(render_shared, (failing, CHECK_VIEW), CHECK_TIMEOUT)
    try:
        if not outcome.finished:
            return not_yet(say(
                "when a task failed, render_shared did not return within "
                f"{CHECK_TIMEOUT:g} s",
                f"有任务失败时，render_shared 在 {CHECK_TIMEOUT:g} 秒内没有返回"), "hangs")
        _, exists = _segments_left(segments)
        if exists:
            return not_yet(say(
                "the image is right, but when a task failed the segment stayed in "
                "/dev/shm: unlink it in a finally block (or use "
                "helpers.fractal.shared_image), so that an error cleans up too",
                "图像是对的，但有任务失败时内存段留在了 /dev/shm 里：请在 finally 块里 unlink 它（"
                "或使用 helpers.fractal.shared_image），这样出错时也会清理"),
                           "not-unlinked-on-error")
        if not isinstance(outcome.error, WorkerFailed):
            return not_yet(say(
                "when a task failed, render_shared hid the error: let it reach the "
                "caller (clean up in finally, do not catch it)",
                "有任务失败时，render_shared 把错误藏了起来：让它传到调用者（在 "
                "finally 里清理，不要捕获它）"), "error-hidden")
    finally:
        outcome.value = outcome.error = None
        _clean_up(segments)
    return correct(say(
        "the workers wrote their rows straight into shared memory, the copy came "
        "out before close(), and the segment was unlinked, also when a task failed.",
        "工作进程把各自的行直接写进共享内存，副本在 close() 之前取出，段也被 unlink 了，有任务"
        "失败时也是如此。"))


# --- exercise 3: the chunk size that minimises time ------------------------------------------


def check_best_chunk(times: Mapping[int, float], best_rows: int) -> Verdict:
    """Exercise 3: ``times`` maps rows per task to the seconds that size took (at least three
    sizes, one row among them); ``best_rows`` is the size with the smallest time.

    Hints: ``wrong-type``, ``missing``, ``too-few-sizes``, ``no-single-row``, ``bad-time``,
    ``not-a-size``, ``min-of-keys``, ``slowest``, ``not-the-minimum``.
    """
    if not isinstance(times, Mapping):
        return not_yet(say(
            f"times should be a dict {{rows_per_task: seconds}}, not "
            f"{type(times).__name__}",
            "times 应当是字典 {rows_per_task: seconds}，而不是 "
            f"{type(times).__name__}"), "wrong-type")
    if not times:
        return not_yet(say(
            "times is empty: time render_balanced for each size in CANDIDATES",
            "times 是空的：请为 CANDIDATES 里的每个大小给 render_balanced 计时"), "missing")
    for size, seconds in times.items():
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
            return not_yet(say(
                f"the keys of times are rows per task (ints >= 1), found {size!r}",
                f"times 的键是每个任务的行数（>= 1 的 int），却发现了 {size!r}"), "wrong-type")
        if isinstance(seconds, bool) or not isinstance(seconds, Real) or not (
            math.isfinite(float(seconds)) and float(seconds) > 0
        ):
            return not_yet(say(
                f"times[{size}] should be a duration in seconds (> 0), got "
                f"{seconds!r}",
                f"times[{size}] 应当是以秒计的时长（> 0），得到的却是 {seconds!r}"), "bad-time")
    if len(times) < 3:
        return not_yet(say(
            f"time at least three sizes, from one row per task to the whole image; "
            f"you timed {len(times)}",
            "至少为三个大小计时，从每个任务一行到整幅图像；你计时了 "
            f"{len(times)} 个"), "too-few-sizes")
    if 1 not in times:
        return not_yet(say(
            "time one row per task too: it is one end of the range",
            "也要为每个任务一行计时：它是范围的一端"), "no-single-row")
    if isinstance(best_rows, bool) or not isinstance(best_rows, int | np.integer):
        return not_yet(say(
            f"best_rows should be a number of rows (an int), not "
            f"{type(best_rows).__name__}",
            f"best_rows 应当是行数（一个 int），而不是 {type(best_rows).__name__}"), "wrong-type")
    if best_rows not in times:
        return not_yet(say(
            f"best_rows = {best_rows} is not one of the sizes you timed",
            f"best_rows = {best_rows} 不是你计时过的大小之一"), "not-a-size")
    fastest = min(times, key=lambda size: times[size])
    if times[best_rows] == times[fastest]:
        return correct(say(
            "best_rows is the size with the smallest time you measured.",
            "best_rows 是你测得的用时最短的大小。"))
    if best_rows == min(times):
        return not_yet(say(
            "min(times) gives the smallest *key* (rows per task), not the size with "
            "the smallest time: use min(times, key=times.get)",
            "min(times) 给出的是最小的*键*（每个任务的行数），而不是用时最短的大"
            "小：请用 min(times, key=times.get)"), "min-of-keys")
    if best_rows == max(times, key=lambda size: times[size]):
        return not_yet(say(
            "best_rows is the slowest size: you want the smallest time",
            "best_rows 是最慢的大小：你要的是用时最短的"), "slowest")
    return not_yet(say(
        f"best_rows = {best_rows} is not the size with the smallest time",
        f"best_rows = {best_rows} 不是用时最短的大小"), "not-the-minimum")

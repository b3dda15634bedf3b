"""Chapter 10 (the capstone): a Mandelbrot image, rendered row by row, in many ways.

The image is a grid of escape-time counts: for the pixel at ``(row, col)``, the point
``c = cx + i*cy`` of the complex plane, how many steps of ``z -> z*z + c`` (from ``z = 0``)
pass before ``|z| > 2``, or ``max_iter`` if that never happens. Points inside the set cost
``max_iter`` steps each, points far outside one or two, so **rows cost very different amounts
of work**: the point of the chapter.

The view (:class:`View`) is chosen so that the set sits in the lower part of the image: the top
half of the rows is cheap, the bottom half dear. Split the rows into one block per worker and
one worker finishes long before the other.

Workers (they run in pool processes, threads or Dask workers; none prints):

* :func:`render_block`: rows ``start:stop`` in pure Python (the GIL is held throughout);
* :func:`render_block_numpy`: the same rows, vectorised with NumPy (the GIL is released inside
  NumPy's loops);
* :func:`render_block_into`: rows ``start:stop`` in pure Python, written straight into a
  ``SharedMemory`` segment: no pixel is pickled;
* :func:`render_tile`: a 2-D tile ``(top, bottom, left, right)`` in pure Python
  (:func:`render_tiles` renders a list of them here, one after another).

Each returns a :class:`helpers.pools.TaskRecord`: the first row (``task``), the worker's pid,
when it started and ended (``time.time()``, comparable between processes), and the counts
(``value``; ``None`` for :func:`render_block_into`). :func:`helpers.pools.timeline_rows` and
:func:`helpers.plotting.plot_timeline` draw them.

Both ways compute bit for bit the same counts: every step is the same sequence of float
operations, ``x2 = x*x; y2 = y*y; if x2 + y2 > 4: stop; y = 2*x*y + cy; x = x2 - y2 + cx``, each
one rounded once (NumPy's ufuncs do one operation per call, so nothing is fused).

In the parent: :func:`row_blocks` and :func:`static_blocks` cut the rows into tasks,
:func:`assemble` puts the returned blocks into one image (refusing rows that are missing or
come twice), :func:`render_serial` is the reference, :func:`covered_pixels` counts how often
each pixel is covered by a list of tiles, and :func:`shared_image` creates a ``SharedMemory``
segment for the image and always closes and unlinks it.

>>> view = View(width=8, height=6, max_iter=20)
>>> image = render_serial(view)
>>> image.shape, image.dtype.name, int(image.max()) == view.max_iter
((6, 8), 'int32', True)
>>> np.array_equal(render_block_numpy(view, (0, 6)).value, image)
True
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from multiprocessing import shared_memory as _shared_memory
from multiprocessing.context import BaseContext

import numpy as np

from helpers._validate import require_int, require_items, require_number
from helpers.benchmark import split_range
from helpers.pools import TaskRecord
from helpers.timing import Timing

#: The dtype of the image: escape counts fit in 32 bits.
DTYPE = np.dtype(np.int32)
#: The largest image a helper renders (rows or columns); far beyond a notebook's needs.
MAX_SIDE = 10_000
#: The most escape steps per pixel.
MAX_ITER = 100_000

Block = tuple[int, int]
Tile = tuple[int, int, int, int]


@dataclass(frozen=True)
class View:
    """Which part of the complex plane, at what size, with how many steps at most.

    Row 0 is the top of the image (``y_max``), column 0 its left edge (``x_min``). The
    default frames the set in the lower part of the image, so the top rows are cheap.
    """

    width: int = 400
    height: int = 280
    max_iter: int = 200
    x_min: float = -2.2
    x_max: float = 0.8
    y_min: float = -0.4
    y_max: float = 1.6

    def __post_init__(self) -> None:
        require_int("width", self.width, minimum=1, maximum=MAX_SIDE)
        require_int("height", self.height, minimum=1, maximum=MAX_SIDE)
        require_int("max_iter", self.max_iter, minimum=1, maximum=MAX_ITER)
        for name in ("x_min", "x_max", "y_min", "y_max"):
            require_number(name, getattr(self, name), minimum=-10, maximum=10)
        if not self.x_min < self.x_max:
            raise ValueError(f"x_min must be < x_max, got {self.x_min} and {self.x_max}")
        if not self.y_min < self.y_max:
            raise ValueError(f"y_min must be < y_max, got {self.y_min} and {self.y_max}")

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)``: the image's shape as NumPy has it."""
        return (self.height, self.width)

    def xs(self) -> list[float]:
        """The real part ``cx`` of each column's points."""
        step = (self.x_max - self.x_min) / self.width
        return [self.x_min + col * step for col in range(self.width)]

    def y_of(self, row: int) -> float:
        """The imaginary part ``cy`` of row ``row``'s points."""
        return self.y_max - row * ((self.y_max - self.y_min) / self.height)


def _require_view(view: object) -> View:
    if not isinstance(view, View):
        raise TypeError(f"view must be a helpers.fractal.View, got {type(view).__name__}")
    return view


def _as_int(name: str, value: object) -> int:
    """``value`` as an int: Python ints and NumPy integers (not bools)."""
    if isinstance(value, np.integer) and not isinstance(value, np.bool_):
        return int(value)
    return require_int(name, value)


def _require_block(view: View, block: object, name: str = "block") -> Block:
    if isinstance(block, str | bytes) or not isinstance(block, Sequence) or len(block) != 2:
        raise TypeError(f"{name} must be a (start, stop) pair of rows, got {block!r}")
    start, stop = _as_int(f"{name}[0]", block[0]), _as_int(f"{name}[1]", block[1])
    if not 0 <= start < stop <= view.height:
        raise ValueError(
            f"{name} must be (start, stop) with 0 <= start < stop <= {view.height} (the "
            f"view's height), got {block!r}"
        )
    return start, stop


def _require_tile(view: View, tile: object) -> Tile:
    if isinstance(tile, str | bytes) or not isinstance(tile, Sequence) or len(tile) != 4:
        raise TypeError(f"tile must be (top, bottom, left, right), got {tile!r}")
    top, bottom, left, right = (_as_int(f"tile[{k}]", v) for k, v in enumerate(tile))
    if not (0 <= top < bottom <= view.height and 0 <= left < right <= view.width):
        raise ValueError(
            f"tile must be (top, bottom, left, right) with 0 <= top < bottom <= {view.height} "
            f"and 0 <= left < right <= {view.width}, got {tile!r}"
        )
    return top, bottom, left, right


# --- the escape-time loop, in pure Python and in NumPy -----------------------------------


def _escape_counts(xs: Sequence[float], cy: float, max_iter: int) -> list[int]:
    """The escape count of each point ``(cx, cy)``, ``cx`` in ``xs``: pure Python."""
    counts = []
    for cx in xs:
        x = y = 0.0
        count = max_iter
        for step in range(max_iter):
            x2 = x * x
            y2 = y * y
            if x2 + y2 > 4.0:
                count = step
                break
            y = 2.0 * x * y + cy
            x = x2 - y2 + cx
        counts.append(count)
    return counts


def escape_row(view: View, row: int) -> list[int]:
    """One row's escape counts, in pure Python: the unit of work of this chapter.

    >>> escape_row(View(width=4, height=2, max_iter=10), 1)
    [1, 3, 6, 10]
    """
    _require_view(view)
    row = _as_int("row", row)
    if not 0 <= row < view.height:
        raise ValueError(f"row must be from 0 to {view.height - 1}, got {row}")
    return _escape_counts(view.xs(), view.y_of(row), view.max_iter)


def render_block(view: View, block: Block) -> TaskRecord:
    """Rows ``start:stop`` of the image, in pure Python, with who computed them and when.

    The record's ``value`` is an ``int32`` array of shape ``(stop - start, width)``.
    """
    _require_view(view)
    start, stop = _require_block(view, block)
    began = time.time()
    xs = view.xs()
    counts = np.array(
        [_escape_counts(xs, view.y_of(row), view.max_iter) for row in range(start, stop)],
        dtype=DTYPE,
    )
    return TaskRecord(task=start, pid=os.getpid(), start=began, end=time.time(), value=counts)


def render_tile(view: View, tile: Tile) -> TaskRecord:
    """The 2-D tile ``(top, bottom, left, right)`` of the image, in pure Python.

    The record's ``task`` is the tile's top row; its ``value`` has shape
    ``(bottom - top, right - left)``.
    """
    _require_view(view)
    top, bottom, left, right = _require_tile(view, tile)
    began = time.time()
    xs = view.xs()[left:right]
    counts = np.array(
        [_escape_counts(xs, view.y_of(row), view.max_iter) for row in range(top, bottom)],
        dtype=DTYPE,
    )
    return TaskRecord(task=top, pid=os.getpid(), start=began, end=time.time(), value=counts)


def render_block_numpy(view: View, block: Block) -> TaskRecord:
    """Rows ``start:stop``, vectorised with NumPy: every step works on all their pixels at once.

    The same float operations as :func:`render_block`, in the same order, so the counts are
    equal bit for bit. Pixels that have escaped are dropped from the arrays as they go. NumPy
    releases the GIL inside each operation on a large array, so threads can overlap there.
    """
    _require_view(view)
    start, stop = _require_block(view, block)
    began = time.time()
    rows, width = stop - start, view.width
    cx = np.tile(np.array(view.xs()), rows)
    cy = np.repeat(np.array([view.y_of(row) for row in range(start, stop)]), width)
    where = np.arange(rows * width)  # the flat index of each pixel still iterating
    counts = np.full(rows * width, view.max_iter, dtype=DTYPE)
    x = np.zeros_like(cx)
    y = np.zeros_like(cx)
    for step in range(view.max_iter):
        x2 = x * x
        y2 = y * y
        out = x2 + y2 > 4.0
        if out.any():
            counts[where[out]] = step
            keep = ~out
            where, x, y, x2, y2, cx, cy = (a[keep] for a in (where, x, y, x2, y2, cx, cy))
            if where.size == 0:
                break
        y = 2.0 * x * y + cy
        x = x2 - y2 + cx
    value = counts.reshape(rows, width)
    return TaskRecord(task=start, pid=os.getpid(), start=began, end=time.time(), value=value)


# --- shared memory -------------------------------------------------------------------------


def _attach(name: str) -> _shared_memory.SharedMemory:
    """Open an existing segment; on Python 3.13+ without registering it with a tracker
    (the creator alone unlinks it; see :func:`helpers.sharing._attach`)."""
    if sys.version_info >= (3, 13):
        return _shared_memory.SharedMemory(name=name, track=False)
    return _shared_memory.SharedMemory(name=name)


def render_block_into(name: str, view: View, block: Block) -> TaskRecord:
    """Rows ``start:stop`` in pure Python, written into the shared image called ``name``.

    The segment holds the whole image (``view.shape``, ``int32``); the worker attaches, writes
    its rows, deletes its view and closes. Only the name, the view and two row numbers travel
    to the worker, and only a small record comes back: no pixel is pickled. Workers given
    different rows write different bytes, so they need no lock.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be the segment's name (a non-empty str), got {name!r}")
    _require_view(view)
    start, stop = _require_block(view, block)
    began = time.time()
    xs = view.xs()
    rows = [_escape_counts(xs, view.y_of(row), view.max_iter) for row in range(start, stop)]
    segment = _attach(name)
    try:
        needed = view.height * view.width * DTYPE.itemsize
        if segment.size < needed:
            raise ValueError(
                f"the segment {name!r} holds {segment.size} bytes; the image needs {needed}"
            )
        image = np.ndarray(view.shape, dtype=DTYPE, buffer=segment.buf)
        try:
            image[start:stop] = rows
        finally:
            del image  # no view may outlive close()
    finally:
        segment.close()
    return TaskRecord(task=start, pid=os.getpid(), start=began, end=time.time())


@contextlib.contextmanager
def shared_image(view: View) -> Iterator[tuple[str, np.ndarray]]:
    """A ``SharedMemory`` segment the size of the image: yields its name and a zeroed view.

    When the block ends, normally or with an error, the view is released, and the segment is
    closed and unlinked. Copy what you want to keep (``image.copy()``) inside the block.
    Create it *before* the pool, so that the pool's workers share this process's resource
    tracker (Python 3.11 and 3.12 register every segment a worker attaches to).
    """
    _require_view(view)
    segment = _shared_memory.SharedMemory(
        create=True, size=view.height * view.width * DTYPE.itemsize
    )
    try:
        image = np.ndarray(view.shape, dtype=DTYPE, buffer=segment.buf)
        image[:] = 0
        try:
            yield segment.name, image
        finally:
            del image
    finally:
        segment.close()
        segment.unlink()


# --- tasks and images, in the parent ------------------------------------------------------


def row_blocks(height: int, rows_per_task: int) -> list[Block]:
    """Cut ``range(height)`` into blocks of ``rows_per_task`` rows (the last may be shorter).

    >>> row_blocks(10, 4)
    [(0, 4), (4, 8), (8, 10)]
    """
    require_int("height", height, minimum=1, maximum=MAX_SIDE)
    require_int("rows_per_task", rows_per_task, minimum=1, maximum=MAX_SIDE)
    starts = range(0, height, rows_per_task)
    return [(start, min(start + rows_per_task, height)) for start in starts]


def static_blocks(height: int, workers: int) -> list[Block]:
    """One block of consecutive rows per worker, as equal as they can be: the static split.

    >>> static_blocks(10, 3)
    [(0, 4), (4, 7), (7, 10)]
    """
    require_int("height", height, minimum=1, maximum=MAX_SIDE)
    require_int("workers", workers, minimum=1, maximum=MAX_SIDE)
    if workers > height:
        raise ValueError(f"workers must be <= height ({height}), got {workers}")
    return split_range(height, workers)  # chapter 03's split, the same for rows


def assemble(view: View, records: Iterable[TaskRecord]) -> np.ndarray:
    """Put the blocks that :func:`render_block` (or the NumPy one) returned into one image.

    Records may come in any order (``imap_unordered``). A row that no record holds, or that
    two records hold, raises ``ValueError``: a tiling that misses or overlaps rows.
    """
    _require_view(view)
    found = require_items("records", records)
    image = np.zeros(view.shape, dtype=DTYPE)
    filled = np.zeros(view.height, dtype=np.int64)
    for index, record in enumerate(found):
        if not isinstance(record, TaskRecord) or not isinstance(record.value, np.ndarray):
            raise TypeError(
                f"records[{index}] must be a TaskRecord with counts, as render_block returns"
            )
        counts = record.value
        start = _as_int(f"records[{index}].task", record.task)
        if counts.ndim != 2 or counts.shape[1] != view.width or not counts.shape[0]:
            raise ValueError(f"records[{index}] holds counts of shape {counts.shape}, not "
                             f"(rows, {view.width})")
        stop = start + counts.shape[0]
        if stop > view.height:
            raise ValueError(f"records[{index}] holds rows {start} to {stop - 1}, past the "
                             f"image's last row {view.height - 1}")
        image[start:stop] = counts
        filled[start:stop] += 1
    missing, twice = np.flatnonzero(filled == 0), np.flatnonzero(filled > 1)
    if missing.size:
        raise ValueError(f"{missing.size} rows are missing, the first is row {missing[0]}")
    if twice.size:
        raise ValueError(f"{twice.size} rows came more than once, the first is row {twice[0]}")
    return image


def render_serial(view: View) -> np.ndarray:
    """The whole image, row after row, in this process: the reference every variant must equal."""
    _require_view(view)
    return render_block(view, (0, view.height)).value  # type: ignore[return-value]


def covered_pixels(height: int, width: int, tiles: Iterable[Tile]) -> np.ndarray:
    """How many of ``tiles`` cover each pixel of a ``height`` x ``width`` image.

    Parts of a tile outside the image are ignored. A right tiling gives 1 everywhere.

    >>> covered_pixels(2, 3, [(0, 1, 0, 3), (0, 2, 2, 3)]).tolist()
    [[1, 1, 2], [0, 0, 1]]
    """
    require_int("height", height, minimum=1, maximum=MAX_SIDE)
    require_int("width", width, minimum=1, maximum=MAX_SIDE)
    found = require_items("tiles", tiles, size=4)
    cover = np.zeros((height, width), dtype=np.int64)
    for index, tile in enumerate(found):
        top, bottom, left, right = (_as_int(f"tiles[{index}][{k}]", v) for k, v in enumerate(tile))
        cover[max(top, 0):max(bottom, 0), max(left, 0):max(right, 0)] += 1
    return cover


def render_tiles(view: View, tiles: Iterable[Tile]) -> np.ndarray:
    """Render ``tiles`` one after another in this process and put them into one image
    (each pixel is written by the last tile that covers it).

    >>> view = View(width=6, height=4, max_iter=10)
    >>> tiles = [(0, 2, 0, 6), (2, 4, 0, 3), (2, 4, 3, 6)]
    >>> np.array_equal(render_tiles(view, tiles), render_serial(view))
    True
    """
    _require_view(view)
    found = [_require_tile(view, tile) for tile in require_items("tiles", tiles, size=4)]
    image = np.zeros(view.shape, dtype=DTYPE)
    for top, bottom, left, right in found:
        image[top:bottom, left:right] = render_tile(view, (top, bottom, left, right)).value
    return image


def capstone_race(
    view: View, workers: int, context: BaseContext, rounds: int = 3, rows_per_task: int = 8
) -> dict[str, Timing]:
    """Serial, the static split and the balanced variant, taking turns for ``rounds`` rounds.

    One pool of ``workers`` processes from ``context`` (``multiprocessing.get_context(...)``),
    warmed up before the clock starts; ``"static"`` maps one block of rows per worker,
    ``"balanced"`` hands out blocks of ``rows_per_task`` rows with ``imap_unordered``. Every
    image is checked against the serial one (``RuntimeError`` if one differs). Returns the
    :class:`~helpers.timing.Timing` of ``"serial"``, ``"static"`` and ``"balanced"``
    (``make bench``: ``capstone_efficiency_static`` and ``capstone_efficiency_balanced``).
    """
    from helpers.benchmark import warm_up
    from helpers.pools import time_in_turns

    _require_view(view)
    require_int("workers", workers, minimum=1, maximum=64)
    if not callable(getattr(context, "Pool", None)):
        raise TypeError(f"context must be a multiprocessing context (get_context(...)), got "
                        f"{type(context).__name__}")
    require_int("rounds", rounds, minimum=1, maximum=1_000)
    require_int("rows_per_task", rows_per_task, minimum=1, maximum=MAX_SIDE)
    static, blocks = static_blocks(view.height, workers), row_blocks(view.height, rows_per_task)
    task = partial(render_block, view)
    with context.Pool(workers) as pool:
        warm_up(pool, workers)

        def balanced() -> np.ndarray:
            results = pool.imap_unordered(task, blocks)
            return assemble(view, [results.next(timeout=600) for _ in blocks])

        timings, images = time_in_turns({
            "serial": partial(render_serial, view),
            "static": lambda: assemble(view, pool.map_async(task, static).get(timeout=600)),
            "balanced": balanced,
        }, rounds=rounds)
        pool.close()
        pool.join()
    for name, image in images.items():
        if not np.array_equal(image, images["serial"]):
            raise RuntimeError(f"the {name} variant's image differs from the serial one")
    return timings


def row_costs(view: View) -> list[int]:
    """The escape steps each row takes in all (its cost in work), from :func:`render_serial`'s
    counts; a row's time is about proportional to it."""
    image = render_serial(view)
    return [int(steps) for steps in image.sum(axis=1)]


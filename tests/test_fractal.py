"""helpers.fractal: every way of rendering gives the serial image, bit for bit; the tasks
cover the rows exactly once; shared memory is always unlinked."""

from __future__ import annotations

import multiprocessing as mp
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import pytest

from helpers.fractal import (
    DTYPE,
    View,
    assemble,
    covered_pixels,
    escape_row,
    render_block,
    render_block_into,
    render_block_numpy,
    render_serial,
    render_tile,
    row_blocks,
    row_costs,
    shared_image,
    static_blocks,
)
from helpers.sharing import segment_exists

SMALL = View(width=40, height=30, max_iter=60)


@pytest.fixture(scope="module")
def serial() -> np.ndarray:
    return render_serial(SMALL)


def test_the_serial_image_has_the_view_s_shape_and_dtype(serial: np.ndarray) -> None:
    assert serial.shape == (30, 40) and serial.dtype == DTYPE
    assert serial.min() >= 0 and serial.max() == SMALL.max_iter  # some points never escape


def test_a_row_of_the_serial_image_is_escape_row(serial: np.ndarray) -> None:
    assert serial[17].tolist() == escape_row(SMALL, 17)


@pytest.mark.parametrize("rows_per_task", [1, 4, 7, 30])
def test_numpy_blocks_equal_the_pure_python_ones_bit_for_bit(
    serial: np.ndarray, rows_per_task: int
) -> None:
    records = [render_block_numpy(SMALL, block) for block in row_blocks(30, rows_per_task)]
    assert np.array_equal(assemble(SMALL, records), serial)


def test_the_top_half_is_much_cheaper_than_the_bottom_half() -> None:
    costs = row_costs(View(width=80, height=60, max_iter=100))
    assert 3 * sum(costs[:30]) < sum(costs[30:])


def test_row_blocks_and_static_blocks_cover_every_row_once() -> None:
    for blocks in (row_blocks(30, 7), static_blocks(30, 4), static_blocks(7, 7)):
        rows = [row for start, stop in blocks for row in range(start, stop)]
        assert rows == list(range(blocks[-1][1]))
    assert static_blocks(30, 2) == [(0, 15), (15, 30)]


def test_assemble_accepts_blocks_in_any_order(serial: np.ndarray) -> None:
    records = [render_block(SMALL, block) for block in row_blocks(30, 8)]
    assert np.array_equal(assemble(SMALL, records[::-1]), serial)


def test_assemble_refuses_missing_and_repeated_rows() -> None:
    records = [render_block(SMALL, block) for block in [(0, 10), (10, 20)]]
    with pytest.raises(ValueError, match="10 rows are missing, the first is row 20"):
        assemble(SMALL, records)
    records.append(render_block(SMALL, (15, 30)))
    with pytest.raises(ValueError, match="more than once, the first is row 15"):
        assemble(SMALL, records)


def test_tiles_assemble_to_the_serial_image(serial: np.ndarray) -> None:
    image = np.zeros_like(serial)
    for top in range(0, 30, 8):
        for left in range(0, 40, 16):
            tile = (top, min(top + 8, 30), left, min(left + 16, 40))
            image[tile[0]:tile[1], tile[2]:tile[3]] = render_tile(SMALL, tile).value
    assert np.array_equal(image, serial)


def test_covered_pixels_counts_overlaps_and_ignores_the_outside() -> None:
    cover = covered_pixels(4, 4, [(0, 2, 0, 4), (1, 6, 0, 2)])
    assert cover.tolist() == [[1, 1, 1, 1], [2, 2, 1, 1], [1, 1, 0, 0], [1, 1, 0, 0]]


def test_a_pool_and_threads_give_the_serial_image(serial: np.ndarray) -> None:
    blocks = row_blocks(30, 5)
    with mp.get_context("spawn").Pool(2) as pool:
        records = pool.map_async(partial(render_block, SMALL), blocks).get(timeout=60)
    assert np.array_equal(assemble(SMALL, records), serial)
    with ThreadPoolExecutor(2) as threads:
        records = list(threads.map(partial(render_block_numpy, SMALL), blocks))
    assert np.array_equal(assemble(SMALL, records), serial)


def test_workers_write_into_shared_memory_and_the_segment_is_unlinked(
    serial: np.ndarray,
) -> None:
    with shared_image(SMALL) as (name, image):
        with mp.get_context("spawn").Pool(2) as pool:
            records = pool.map_async(
                partial(render_block_into, name, SMALL), row_blocks(30, 6)
            ).get(timeout=60)
        result = image.copy()
    assert np.array_equal(result, serial)
    assert all(record.value is None for record in records)
    assert not segment_exists(name)


def test_shared_image_is_unlinked_after_an_error_too() -> None:
    with pytest.raises(RuntimeError), shared_image(SMALL) as (name, _):
        raise RuntimeError("a worker failed")
    assert not segment_exists(name)


def test_render_block_into_refuses_a_segment_too_small() -> None:
    with shared_image(View(width=4, height=2, max_iter=5)) as (name, _):
        with pytest.raises(ValueError, match="the image needs"):
            render_block_into(name, SMALL, (0, 1))


@pytest.mark.parametrize(
    ("block", "error"),
    [((0, 31), ValueError), ((5, 5), ValueError), ((-1, 3), ValueError), ((0,), TypeError),
     ("ab", TypeError), ((0.0, 3), TypeError), (None, TypeError)],
)
def test_render_block_refuses_a_bad_block(block: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="block"):
        render_block(SMALL, block)  # type: ignore[arg-type]


def test_numpy_integers_are_accepted_as_rows() -> None:
    assert render_block(SMALL, (np.int64(2), np.int32(4))).value.shape == (2, 40)


@pytest.mark.parametrize(
    "changes",
    [{"width": 0}, {"height": 10**6}, {"max_iter": 0}, {"x_min": 1.0, "x_max": 0.0},
     {"y_min": float("nan")}, {"width": 2.5}],
)
def test_a_bad_view_is_refused(changes: dict) -> None:
    with pytest.raises((TypeError, ValueError)):
        View(**changes)

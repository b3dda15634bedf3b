"""helpers.sharing: typecodes, workers on shared objects, shared NumPy arrays, and the
measurement of chapter 05. (The exercise checks: tests/test_checks_sharing.py.)"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import subprocess
import sys
from collections.abc import Iterator
from multiprocessing import shared_memory
from multiprocessing.shared_memory import SharedMemory

import numpy as np
import pytest

from helpers import sharing
from helpers.checks import sharing as checks

# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture
def segment() -> Iterator[SharedMemory]:
    """A shared memory segment holding exercise_grid(); closed and unlinked afterwards."""
    grid = checks.exercise_grid()
    created = SharedMemory(create=True, size=grid.nbytes)
    view = np.ndarray(grid.shape, dtype=grid.dtype, buffer=created.buf)
    view[:] = grid
    del view
    yield created
    created.close()
    if sharing.segment_exists(created.name):
        created.unlink()


def _read(segment: SharedMemory) -> np.ndarray:
    grid = checks.exercise_grid()
    return np.ndarray(grid.shape, dtype=grid.dtype, buffer=segment.buf).copy()


# --------------------------------------------------------------------------------------------
# Typecodes
# --------------------------------------------------------------------------------------------


def test_typecode_info_names_the_c_type_and_the_ctypes_class() -> None:
    info = sharing.typecode_info("b")
    assert (info.c_type, info.ctypes_name, info.bytes_here) == ("signed char", "c_byte", 1)


def test_typecode_info_sizes_match_ctypes_on_this_machine() -> None:
    for code in sharing.C_TYPES:
        ctype = mp.sharedctypes.typecode_to_type[code]
        assert sharing.typecode_info(code).bytes_here == ctypes.sizeof(ctype)


def test_typecode_info_says_long_has_four_bytes_on_windows() -> None:
    assert sharing.typecode_info("L").bytes_on_windows == 4
    assert sharing.typecode_info("Q").bytes_on_windows == 8


def test_typecode_info_rejects_an_unknown_typecode() -> None:
    with pytest.raises(ValueError, match="typecode must be one of"):
        sharing.typecode_info("x")


def test_typecode_info_rejects_a_non_string() -> None:
    with pytest.raises(TypeError, match="typecode must be a one-letter str"):
        sharing.typecode_info(8)


def test_integer_range_of_signed_and_unsigned_bytes() -> None:
    assert sharing.integer_range("b") == (-128, 127)
    assert sharing.integer_range("B") == (0, 255)


def test_integer_range_of_unsigned_long_with_four_bytes() -> None:
    assert sharing.integer_range("L", nbytes=4) == (0, 2**32 - 1)


def test_integer_range_rejects_a_float_typecode() -> None:
    with pytest.raises(ValueError, match="integer typecode"):
        sharing.integer_range("d")


def test_portable_bytes_spans_windows_and_this_machine() -> None:
    assert sharing.portable_bytes("i") == (4, 4)
    assert sharing.portable_bytes("L")[0] == 4


def test_the_notes_numbers_do_not_fit_unsigned_long_everywhere() -> None:
    assert not sharing.fits_everywhere("L", [45645465456, 4565456465])
    assert sharing.fits_everywhere("Q", [45645465456, 4565456465])
    assert sharing.fits_everywhere("q", [45645465456, 4565456465])


def test_fits_everywhere_rejects_non_integer_values() -> None:
    with pytest.raises(TypeError, match="must be an int"):
        sharing.fits_everywhere("i", [1.5])


def test_wrap_like_ctypes_matches_what_ctypes_stores() -> None:
    for value in (-300, -129, -128, 0, 127, 128, 200, 300):
        assert sharing.wrap_like_ctypes(value, "b") == ctypes.c_byte(value).value
    windows_unsigned_long = ctypes.c_uint32(45645465456).value
    assert sharing.wrap_like_ctypes(45645465456, "L", nbytes=4) == windows_unsigned_long


# --------------------------------------------------------------------------------------------
# Workers for Value, Array and Manager objects
# --------------------------------------------------------------------------------------------


def test_store_number_writes_into_a_shared_value() -> None:
    box = mp.Value("d", 0.0)
    sharing.store_number(box, 2.5)
    assert box.value == 2.5


def test_store_number_rejects_an_object_without_value() -> None:
    with pytest.raises(TypeError, match="shared_value must be a shared Value"):
        sharing.store_number(3, 2.5)


def test_store_number_rejects_a_non_number() -> None:
    with pytest.raises(TypeError, match="number must be a number"):
        sharing.store_number(mp.Value("d", 0.0), "2.5")


def test_store_number_in_a_child_process_reaches_the_parent() -> None:
    box = mp.Value("d", 0.0)
    child = mp.Process(target=sharing.store_number, args=(box, 7.0))
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0
    assert box.value == 7.0


def test_move_point_moves_a_shared_struct() -> None:
    point = mp.Value(sharing.Point, 1.0, 2.0)
    sharing.move_point(point, 0.5, -1.0)
    assert (point.x, point.y) == (1.5, 1.0)


def test_move_point_rejects_a_non_point() -> None:
    with pytest.raises(TypeError, match="shared_point must be a shared Point"):
        sharing.move_point(mp.Value("d", 0.0), 1, 1)


def test_write_square_writes_one_item() -> None:
    squares = mp.Array("i", 4)
    sharing.write_square(squares, 3)
    assert squares[:] == [0, 0, 0, 9]


def test_write_square_rejects_an_index_past_the_end() -> None:
    with pytest.raises(ValueError, match=r"index must be < len\(shared\) = 4"):
        sharing.write_square(mp.Array("i", 4), 4)


def test_write_square_rejects_a_negative_index() -> None:
    with pytest.raises(ValueError, match="index must be >= 0"):
        sharing.write_square([0, 0], -1)


def test_write_square_rejects_something_it_cannot_assign_into() -> None:
    with pytest.raises(TypeError, match="shared must be a shared Array"):
        sharing.write_square((0, 0), 1)


def test_fill_squares_fills_its_range_only() -> None:
    squares = mp.Array("i", 6)
    assert sharing.fill_squares(squares, 2, 5) == 3
    assert squares[:] == [0, 0, 4, 9, 16, 0]


def test_fill_squares_accepts_numpy_integer_bounds() -> None:
    squares = [0] * 4
    assert sharing.fill_squares(squares, np.int64(1), np.int32(3)) == 2
    assert squares == [0, 1, 4, 0]


def test_fill_squares_rejects_a_float_bound() -> None:
    with pytest.raises(TypeError, match="stop must be an int"):
        sharing.fill_squares([0, 0, 0], 0, 2.0)


def test_fill_squares_rejects_a_stop_past_the_end() -> None:
    with pytest.raises(ValueError, match=r"stop must be <= len\(shared\) = 3"):
        sharing.fill_squares([0, 0, 0], 0, 4)


def test_fill_squares_rejects_a_stop_before_the_start() -> None:
    with pytest.raises(ValueError, match="start must be <= stop, got start=2, stop=1"):
        sharing.fill_squares([0, 0, 0], 2, 1)


def test_fill_squares_in_two_processes_fills_the_parents_array() -> None:
    squares = mp.Array("i", 10)
    children = [
        mp.Process(target=sharing.fill_squares, args=(squares, start, start + 5))
        for start in (0, 5)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=30)
    assert [child.exitcode for child in children] == [0, 0]
    assert squares[:] == [i * i for i in range(10)]


def test_record_square_stores_under_the_key() -> None:
    shared: dict[int, int] = {}
    sharing.record_square(shared, 4)
    assert shared == {4: 16}


def test_record_square_rejects_a_non_integer_key() -> None:
    with pytest.raises(TypeError, match="key must be an int"):
        sharing.record_square({}, "4")


def test_record_square_rejects_a_non_mapping() -> None:
    with pytest.raises(TypeError, match="shared_dict must be a dict"):
        sharing.record_square(42, 4)


def test_record_square_through_a_manager_dict_from_a_pool() -> None:
    with mp.Manager() as manager:
        shared = manager.dict()
        with mp.Pool(2) as pool:
            pool.starmap(sharing.record_square, [(shared, key) for key in range(4)])
        assert dict(shared) == {0: 0, 1: 1, 2: 4, 3: 9}


def test_update_mapping_leaves_sixteen_keys() -> None:
    mapping: dict[int, int] = {}
    sharing.update_mapping(mapping, 40)
    assert len(mapping) == 16
    assert mapping[39 % 16] == 39


def test_update_mapping_rejects_a_negative_count() -> None:
    with pytest.raises(ValueError, match="count must be >= 0"):
        sharing.update_mapping({}, -1)


def test_update_value_leaves_the_last_number() -> None:
    box = mp.Value("q", 0)
    sharing.update_value(box, 10)
    assert box.value == 9


def test_update_value_rejects_an_object_without_value() -> None:
    with pytest.raises(TypeError, match="shared_value must be a shared Value"):
        sharing.update_value({}, 3)


def test_write_to_global_value_writes_once_the_global_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box = mp.Value("i", 0)
    monkeypatch.setattr(sharing, "global_value", None)
    sharing.set_global_value(box)
    assert sharing.write_to_global_value(5) == "wrote 5 into the shared Value"
    assert box.value == 5


def test_write_to_global_value_in_a_spawned_child_finds_no_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spawn = mp.get_context("spawn")
    box = spawn.Value("i", 0)
    monkeypatch.setattr(sharing, "global_value", box)
    with spawn.Pool(1) as pool:
        said = pool.apply(sharing.write_to_global_value, (5,))
    assert said.startswith("found no shared Value")
    assert box.value == 0


def test_a_pool_initializer_gives_each_worker_the_global_value() -> None:
    box = mp.Value("i", 0)
    with mp.Pool(1, initializer=sharing.set_global_value, initargs=(box,)) as pool:
        said = pool.apply(sharing.write_to_global_value, (5,))
    assert said == "wrote 5 into the shared Value"
    assert box.value == 5


def test_set_global_value_rejects_an_object_without_value() -> None:
    with pytest.raises(TypeError, match="shared_value must be a shared Value"):
        sharing.set_global_value([1])


# --------------------------------------------------------------------------------------------
# NumPy arrays in SharedMemory
# --------------------------------------------------------------------------------------------


def test_sum_shared_sums_the_array_in_the_segment(segment: SharedMemory) -> None:
    total = sharing.sum_shared(segment.name, (6, 4), "float64")
    assert total == float(checks.exercise_grid().sum())


def test_sum_shared_reads_only_the_shape_it_is_given(segment: SharedMemory) -> None:
    assert sharing.sum_shared(segment.name, (3,), "float64") == 0.0 + 1.0 + 2.0


def test_sum_shared_names_a_missing_segment() -> None:
    with pytest.raises(FileNotFoundError, match="no shared memory segment named 'no-such-seg'"):
        sharing.sum_shared("no-such-seg", (1,), "float64")


def test_sum_shared_rejects_a_shape_larger_than_the_segment(segment: SharedMemory) -> None:
    with pytest.raises(ValueError, match="needs 384 bytes, but the segment holds 192"):
        sharing.sum_shared(segment.name, (12, 4), "float64")


def test_sum_shared_rejects_a_list_shape(segment: SharedMemory) -> None:
    with pytest.raises(TypeError, match="shape must be a tuple of ints"):
        sharing.sum_shared(segment.name, [6, 4], "float64")


def test_sum_shared_rejects_an_unknown_dtype(segment: SharedMemory) -> None:
    with pytest.raises(TypeError, match="dtype must name a NumPy dtype"):
        sharing.sum_shared(segment.name, (6, 4), "float65")


def test_sum_shared_rejects_an_empty_name() -> None:
    with pytest.raises(TypeError, match="name must be the segment's name"):
        sharing.sum_shared("", (1,), "float64")


def test_scale_shared_rows_scales_only_its_rows(segment: SharedMemory) -> None:
    report = sharing.scale_shared_rows(segment.name, (6, 4), "float64", 1, 3, 10)
    assert report == sharing.ScaledRows(1, 3, os.getpid())
    assert list(report.rows) == [1, 2]
    expected = checks.exercise_grid()
    expected[1:3] *= 10
    assert np.array_equal(_read(segment), expected)


def test_scale_shared_rows_rejects_a_stop_past_the_last_row(segment: SharedMemory) -> None:
    with pytest.raises(ValueError, match=r"stop must be <= shape\[0\] = 6"):
        sharing.scale_shared_rows(segment.name, (6, 4), "float64", 0, 7, 10)


def test_scale_shared_rows_rejects_a_non_number_factor(segment: SharedMemory) -> None:
    with pytest.raises(TypeError, match="factor must be a number"):
        sharing.scale_shared_rows(segment.name, (6, 4), "float64", 0, 6, "10")


def test_scale_shared_rows_in_pool_workers_changes_the_parents_array(
    segment: SharedMemory,
) -> None:
    args = [(segment.name, (6, 4), "float64", start, start + 3, 2.0) for start in (0, 3)]
    with mp.Pool(2) as pool:
        reports = pool.starmap(sharing.scale_shared_rows, args)
    assert [(report.start, report.stop) for report in reports] == [(0, 3), (3, 6)]
    assert all(report.pid != os.getpid() for report in reports)
    assert np.array_equal(_read(segment), checks.exercise_grid() * 2)


def test_scale_shared_rows_accepts_numpy_integer_rows(segment: SharedMemory) -> None:
    report = sharing.scale_shared_rows(segment.name, (6, 4), "float64", np.int64(0), np.int64(6), 2)
    assert (report.start, report.stop) == (0, 6)
    assert type(report.start) is int


def test_scale_shared_rows_rejects_a_bool_row(segment: SharedMemory) -> None:
    with pytest.raises(TypeError, match="start must be an int"):
        sharing.scale_shared_rows(segment.name, (6, 4), "float64", True, 6, 2)


def test_memory_behind_a_view_of_a_segment_is_its_mmap(segment: SharedMemory) -> None:
    view = np.ndarray((6, 4), dtype=np.float64, buffer=segment.buf)
    try:
        assert type(sharing.memory_behind(view)).__name__ in ("mmap", "memoryview")
        assert type(sharing.memory_behind(view[1:3])).__name__ in ("mmap", "memoryview")
        assert not sharing.is_unmapped(view)
    finally:
        del view


def test_memory_behind_a_copy_is_none(segment: SharedMemory) -> None:
    assert sharing.memory_behind(_read(segment)) is None


def test_memory_behind_rejects_a_list() -> None:
    with pytest.raises(TypeError, match="array must be a NumPy array"):
        sharing.memory_behind([1.0])


def _in_a_child_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh Python: a mistake there cannot crash the test process."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


_CLOSE_WITH_A_VIEW = """
import numpy as np
from multiprocessing.shared_memory import SharedMemory
from helpers.sharing import is_unmapped
segment = SharedMemory(create=True, size=32)
view = {construction}
try:
    segment.close()
    print("closed", is_unmapped(view))
except BufferError:
    print("BufferError", is_unmapped(view))
del view
segment.close()
segment.unlink()
"""


def test_close_succeeds_under_an_ndarray_view_and_unmaps_it() -> None:
    # What chapter 05 shows: np.ndarray(buffer=...) does not hold the buffer; close() succeeds
    # and the view is left pointing at unmapped memory (never touched here).
    code = _CLOSE_WITH_A_VIEW.format(
        construction="np.ndarray((4,), np.float64, buffer=segment.buf)"
    )
    done = _in_a_child_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["closed", "True"]


def test_close_refuses_while_a_frombuffer_view_exists() -> None:
    code = _CLOSE_WITH_A_VIEW.format(construction="np.frombuffer(segment.buf, np.float64)")
    done = _in_a_child_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["BufferError", "False"]


def test_sum_array_sums() -> None:
    assert sharing.sum_array(np.arange(4.0)) == 6.0


def test_sum_array_rejects_a_list() -> None:
    with pytest.raises(TypeError, match="array must be a NumPy array"):
        sharing.sum_array([1.0, 2.0])


def test_segment_exists_until_it_is_unlinked() -> None:
    created = SharedMemory(create=True, size=8)
    assert sharing.segment_exists(created.name)
    created.close()
    created.unlink()
    assert not sharing.segment_exists(created.name)


def test_transfer_times_gives_one_row_per_size_with_equal_sums() -> None:
    rows = sharing.transfer_times([0.01, 0.02], rounds=2)
    assert [row.megabytes for row in rows] == [0.01, 0.02]
    assert all(row.same_sum for row in rows)
    assert all(len(row.pickled.samples) == 2 and len(row.shared.samples) == 2 for row in rows)
    assert all(row.ratio == row.pickled.best / row.shared.best for row in rows)


def _my_segments() -> set[str]:
    """This process's segments only: the harness names them after it, and other test
    processes, running side by side, make and remove their own meanwhile."""
    mine = shared_memory._SHM_NAME_PREFIX.lstrip("/")
    shm = "/dev/shm"
    return {n for n in os.listdir(shm) if n.startswith(mine)} if os.path.isdir(shm) else set()


def test_transfer_times_leaves_no_segment_behind() -> None:
    before = _my_segments()
    sharing.transfer_times([0.01], rounds=1)
    assert _my_segments() - before == set()


def test_transfer_times_rejects_zero_rounds() -> None:
    with pytest.raises(ValueError, match="rounds must be >= 1"):
        sharing.transfer_times([0.01], rounds=0)


def test_transfer_times_rejects_no_sizes() -> None:
    with pytest.raises(ValueError, match="sizes_mb must hold at least one size"):
        sharing.transfer_times([])


def test_transfer_times_rejects_a_zero_size() -> None:
    with pytest.raises(ValueError, match="must be >= 0.001"):
        sharing.transfer_times([0])

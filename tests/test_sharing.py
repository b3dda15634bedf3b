"""helpers.sharing and helpers.checks.sharing: typecodes, workers on shared objects, shared
NumPy arrays, and the checks of chapter 05's exercises."""

from __future__ import annotations

import ctypes
import multiprocessing as mp
from collections.abc import Iterator
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


def test_fill_squares_rejects_a_stop_past_the_end() -> None:
    with pytest.raises(ValueError, match=r"stop must be <= len\(shared\) = 3"):
        sharing.fill_squares([0, 0, 0], 0, 4)


def test_fill_squares_rejects_a_stop_before_the_start() -> None:
    with pytest.raises(ValueError, match="stop must be >= 2"):
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
    assert sharing.scale_shared_rows(segment.name, (6, 4), "float64", 1, 3, 10) == 2
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
        assert pool.starmap(sharing.scale_shared_rows, args) == [3, 3]
    assert np.array_equal(_read(segment), checks.exercise_grid() * 2)


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
    rows = sharing.transfer_times([0.01, 0.02], repeat=1)
    assert [row.megabytes for row in rows] == [0.01, 0.02]
    assert all(row.same_sum for row in rows)
    assert all(len(row.pickled.samples) == 1 and len(row.shared.samples) == 1 for row in rows)


def test_transfer_times_rejects_no_sizes() -> None:
    with pytest.raises(ValueError, match="sizes_mb must hold at least one size"):
        sharing.transfer_times([])


def test_transfer_times_rejects_a_zero_size() -> None:
    with pytest.raises(ValueError, match="must be >= 0.001"):
        sharing.transfer_times([0])


# --------------------------------------------------------------------------------------------
# Exercise 1: typecodes
# --------------------------------------------------------------------------------------------

BEST_TYPECODES = dict(zip(checks.TYPECODE_TASKS, ["B", "b", "h", "I", "q"], strict=True))


def _with(task_index: int, code: str) -> dict[str, str]:
    answers = dict(BEST_TYPECODES)
    answers[list(checks.TYPECODE_TASKS)[task_index]] = code
    return answers


def test_best_bytes_finds_the_smallest_portable_size() -> None:
    assert checks.best_bytes(0, 255) == 1
    assert checks.best_bytes(1900, 2100) == 2
    assert checks.best_bytes(0, 45_645_465_456) == 8


def test_check_typecodes_accepts_the_best_choices() -> None:
    assert checks.check_typecodes(BEST_TYPECODES).ok


def test_check_typecodes_accepts_either_signedness_when_both_fit() -> None:
    assert checks.check_typecodes(_with(2, "H")).ok
    assert checks.check_typecodes(_with(4, "Q")).ok


def test_check_typecodes_explains_unsigned_long_on_windows() -> None:
    verdict = checks.check_typecodes(_with(4, "L"))
    assert not verdict.ok
    assert "on Windows it has 4 bytes" in verdict.message


def test_check_typecodes_rejects_a_signed_byte_for_pixels() -> None:
    verdict = checks.check_typecodes(_with(0, "b"))
    assert not verdict.ok
    assert "255 would wrap around" in verdict.message


def test_check_typecodes_rejects_an_unsigned_code_for_negative_values() -> None:
    verdict = checks.check_typecodes(_with(1, "B"))
    assert not verdict.ok
    assert "-40 would wrap around" in verdict.message


def test_check_typecodes_rejects_a_wasteful_choice() -> None:
    verdict = checks.check_typecodes(_with(3, "L"))
    assert not verdict.ok
    assert "a 4-byte typecode is enough" in verdict.message


def test_check_typecodes_rejects_a_float_typecode() -> None:
    verdict = checks.check_typecodes(_with(4, "d"))
    assert not verdict.ok
    assert "integer typecode" in verdict.message


def test_check_typecodes_names_a_missing_task() -> None:
    verdict = checks.check_typecodes({})
    assert not verdict.ok
    assert "5 missing" in verdict.message


def test_check_typecodes_rejects_a_non_dict() -> None:
    assert not checks.check_typecodes(["B"]).ok


# --------------------------------------------------------------------------------------------
# Exercise 2: squares in a shared Array
# --------------------------------------------------------------------------------------------


def test_check_squares_accepts_a_filled_shared_array() -> None:
    squares = mp.Array("i", 10)
    sharing.fill_squares(squares, 0, 10)
    assert checks.check_squares(squares).ok


def test_check_squares_accepts_a_raw_array() -> None:
    squares = mp.RawArray("q", 10)
    sharing.fill_squares(squares, 0, 10)
    assert checks.check_squares(squares).ok


def test_check_squares_asks_for_an_array_when_given_none() -> None:
    assert "create the shared array" in checks.check_squares(None).message


def test_check_squares_explains_that_a_list_is_copied() -> None:
    verdict = checks.check_squares([i * i for i in range(10)])
    assert not verdict.ok
    assert "copied into each child" in verdict.message


def test_check_squares_notices_an_untouched_array() -> None:
    verdict = checks.check_squares(mp.Array("i", 10))
    assert not verdict.ok
    assert "still all zeros" in verdict.message


def test_check_squares_names_the_indices_left_out() -> None:
    squares = mp.Array("i", 10)
    sharing.fill_squares(squares, 0, 9)
    verdict = checks.check_squares(squares)
    assert not verdict.ok
    assert "[9]" in verdict.message


def test_check_squares_rejects_a_wrong_length() -> None:
    squares = mp.Array("i", 8)
    sharing.fill_squares(squares, 0, 8)
    assert "should have 10 items" in checks.check_squares(squares).message


# --------------------------------------------------------------------------------------------
# Exercise 3: scaled in shared memory, closed and unlinked
# --------------------------------------------------------------------------------------------


def _scaled_result(segment: SharedMemory) -> np.ndarray:
    sharing.scale_shared_rows(segment.name, (6, 4), "float64", 0, 6, checks.EXERCISE_FACTOR)
    return _read(segment)


def test_check_scaled_accepts_a_closed_and_unlinked_segment(segment: SharedMemory) -> None:
    result = _scaled_result(segment)
    segment.close()
    segment.unlink()
    assert checks.check_scaled(result, segment).ok


def test_check_scaled_notices_an_open_segment(segment: SharedMemory) -> None:
    verdict = checks.check_scaled(_scaled_result(segment), segment)
    assert not verdict.ok
    assert "segment.close()" in verdict.message


def test_check_scaled_notices_a_segment_not_unlinked(segment: SharedMemory) -> None:
    result = _scaled_result(segment)
    segment.close()
    verdict = checks.check_scaled(result, segment)
    assert not verdict.ok
    assert "segment.unlink()" in verdict.message


def test_check_scaled_notices_an_unscaled_result(segment: SharedMemory) -> None:
    verdict = checks.check_scaled(checks.exercise_grid(), segment)
    assert not verdict.ok
    assert "equals the original grid" in verdict.message


def test_check_scaled_names_the_rows_left_unscaled(segment: SharedMemory) -> None:
    result = checks.exercise_grid()
    result[:3] *= checks.EXERCISE_FACTOR
    verdict = checks.check_scaled(result, segment)
    assert not verdict.ok
    assert "rows [3, 4, 5] were not scaled" in verdict.message


def test_check_scaled_rejects_a_wrong_shape(segment: SharedMemory) -> None:
    result = checks.exercise_grid().ravel() * checks.EXERCISE_FACTOR
    assert "shape (6, 4)" in checks.check_scaled(result, segment).message


def test_check_scaled_asks_for_a_segment_when_given_none() -> None:
    assert "create a SharedMemory segment" in checks.check_scaled(None, None).message


def test_check_scaled_asks_for_a_result_when_given_none(segment: SharedMemory) -> None:
    assert "copy the scaled array out" in checks.check_scaled(None, segment).message

"""helpers.by_value: pickle sends a cell's function by reference, cloudpickle by value;
joblib's workers are stopped without leaving a process behind."""

from __future__ import annotations

import multiprocessing as mp

import numpy as np
import pytest
from joblib import Parallel, delayed

from helpers.by_value import joblib_temp_folders, pickled_bytes, round_trip, stop_joblib_workers
from helpers.workers import square


def made_here(x):
    return x + 1


def test_cloudpickle_copies_a_function_of_the_main_module_and_pickle_does_not() -> None:
    made_here.__module__ = "__main__"  # as if defined in a notebook cell
    try:
        copy = round_trip(made_here, "cloudpickle")
        assert copy is not made_here and copy(1) == 2
        with pytest.raises((pickle_error(), AttributeError)):
            round_trip(made_here, "pickle")  # __main__ here is pytest: no made_here in it
    finally:
        made_here.__module__ = __name__


def pickle_error() -> type[Exception]:
    import pickle

    return pickle.PicklingError


def test_an_importable_function_travels_by_reference_either_way() -> None:
    assert round_trip(square, "pickle") is square and round_trip(square, "cloudpickle") is square


def test_a_closure_drags_its_captured_array_along() -> None:
    big = np.zeros(100_000)

    def reads_big(i):
        return big[i]

    assert pickled_bytes(reads_big) > big.nbytes > 100 * pickled_bytes(square)


def test_stop_joblib_workers_stops_them_all() -> None:
    assert Parallel(n_jobs=2)(delayed(square)(i) for i in range(4)) == [0, 1, 4, 9]
    assert 1 <= stop_joblib_workers() <= 2  # loky may still be starting its second worker
    assert stop_joblib_workers() == 0
    assert not [p for p in mp.active_children() if "Loky" in p.name]


def test_stop_joblib_workers_leaves_no_temporary_folder_of_joblibs() -> None:
    # The second call reuses the workers; joblib then keeps the call's folder until exit.
    for _ in range(2):
        assert Parallel(n_jobs=2)(delayed(square)(i) for i in range(3)) == [0, 1, 4]
    assert joblib_temp_folders(), "joblib made no folder: this test no longer tests anything"
    stop_joblib_workers()
    assert joblib_temp_folders() == []

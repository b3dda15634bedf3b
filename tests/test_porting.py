"""helpers.porting: a global set in the parent reaches forked workers only."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from helpers.porting import configure, current_scale, scaled, scaled_by


@pytest.fixture
def scale_10():
    configure(10)
    yield
    configure(1)


def test_a_spawned_worker_sees_the_module_as_imported(scale_10: None) -> None:
    with mp.get_context("spawn").Pool(processes=1) as pool:
        assert pool.map_async(scaled, [1, 2]).get(timeout=60) == [1, 2]
        assert pool.starmap_async(scaled_by, [(1, 10), (2, 10)]).get(timeout=60) == [10, 20]


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="no fork here")
def test_a_forked_worker_inherits_the_global(scale_10: None) -> None:
    with mp.get_context("fork").Pool(processes=1) as pool:
        assert pool.map_async(scaled, [1, 2]).get(timeout=60) == [10, 20]


def test_an_initializer_sets_the_global_in_every_worker() -> None:
    spawn = mp.get_context("spawn")
    with spawn.Pool(processes=2, initializer=configure, initargs=(10,)) as pool:
        assert set(pool.map_async(current_scale, range(6)).get(timeout=60)) == {10}

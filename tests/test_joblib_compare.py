"""joblib next to Pool (helpers/joblib_compare.py): correct sums, and nothing left running."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from helpers.benchmark import closed_form
from helpers.by_value import stop_joblib_workers
from helpers.joblib_compare import (
    JoblibMapper,
    joblib_race,
    joblib_task_overhead,
    warm_up_joblib,
)

pytestmark = pytest.mark.slow


def test_the_race_gives_every_contestant_the_same_correct_sum() -> None:
    result = joblib_race(30_000, 2, mp.get_context("spawn"), repeat=2)
    assert set(result.timings) == {"serial", "pool", "joblib"}
    assert all(len(timing.samples) == 2 for timing in result.timings.values())
    assert result.all_correct and result.totals["joblib"] == closed_form(30_000)
    assert result.efficiency("joblib") > 0


@pytest.mark.parametrize("batch_size", [1, "auto"])
def test_the_task_overhead_is_a_positive_time_per_task(batch_size: int | str) -> None:
    timing = joblib_task_overhead(2, 200, batch_size, repeat=2)
    assert len(timing.samples) == 2 and timing.best > 0


def test_the_mapper_and_the_warm_up_use_every_worker() -> None:
    from joblib import Parallel

    try:
        with Parallel(n_jobs=2, max_nbytes=None) as parallel:
            assert len(warm_up_joblib(parallel, 2)) == 2
            assert JoblibMapper(parallel).map(abs, [-1, -2]) == [1, 2]
    finally:
        stop_joblib_workers()


@pytest.mark.parametrize("batch_size", [0, "big", None, 2.5])
def test_a_bad_batch_size_is_refused_before_any_worker_starts(batch_size: object) -> None:
    with pytest.raises((TypeError, ValueError), match="batch_size"):
        joblib_task_overhead(2, 10, batch_size)  # type: ignore[arg-type]

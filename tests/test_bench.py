"""tools/bench.py (``make bench``): it runs end to end and its last line is the JSON summary.

The end-to-end test uses ``--quick`` sizes and checks the output's shape, never a speed.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import subprocess
import sys
from pathlib import Path

import pytest

from tools import bench

# Starts kernels, children or scripts: scheduled first (conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def fake_results(**changes: object) -> dict:
    """Results as :func:`tools.bench.run` returns them, meeting every target."""
    results = {
        "cores": 2,
        "start_method": "fork",
        "serial_s": 1.2,
        "cpu_threads_speedup": 0.98,
        "cpu_processes_speedup": 1.96,
        "cpu_processes_efficiency": 0.98,
        "io_threads": 16,
        "io_threads_speedup": 15.5,
        "process_start_ms": {"fork": 2.0, "spawn": 60.0, "forkserver": 5.0},
        "thread_start_ms": 0.08,
        "pool_task_overhead_us": {"chunksize_1": 40.0, "tuned": 0.5, "tuned_chunksize": 2500},
        "shared_memory_vs_pickle": 20.0,
        "joblib_efficiency": 0.95,
        "joblib_task_overhead_us": {"batch_size_1": 300.0, "auto": 2.0},
        "pool_efficiency_beside_joblib": 0.97,
        "dask_task_overhead_us": 1600.0,
        "dask_efficiency": 0.93,
        "dask_workers": 2,
        "dask_overhead_vs_pool": 40.0,
        "pool_task_overhead_beside_dask_us": 40.0,
        "pool_efficiency_beside_dask": 0.97,
        "capstone_efficiency_static": 0.62,
        "capstone_efficiency_balanced": 0.95,
        "capstone_serial_s": 1.4,
        "capstone_rounds": 3,
        "n": 8_000_000,
        "repeat": 5,
        "spread": {"serial": 0.02, "threads": 0.03, "processes": 0.02},
        "cpu_processes_efficiency_best": 0.99,
        "cpu_processes_efficiency_rounds": [0.97, 0.98, 0.99],
        "busy_cores_during_race": 0.0,
        "busy_cores_during_race_max": 0.02,
        "busy_cores_before": 0.0,
        "busy_cores_after": 0.1,
        "io_sleep_s": 0.05,
        "io_tasks": 32,
        "array_mib": 100,
        "pickle_read_ms": 400.0,
        "shared_memory_read_ms": 20.0,
        "load_average_1min": 0.2,
        "python": "3.11.7",
        "quick": False,
    }
    results.update(changes)
    return results


def test_targets_are_all_met_by_good_results():
    assert all(bench.targets(fake_results()).values())


def test_efficiency_target_is_lower_under_spawn():
    results = fake_results(start_method="spawn", cpu_processes_efficiency=0.9)
    assert bench.targets(results)["cpu_processes_efficiency"]


def test_efficiency_target_is_095_under_fork():
    results = fake_results(start_method="fork", cpu_processes_efficiency=0.9)
    assert not bench.targets(results)["cpu_processes_efficiency"]


def test_io_target_scales_with_the_number_of_threads():
    assert not bench.targets(fake_results(io_threads_speedup=14.0))["io_threads_speedup"]


def test_chunksize_target_needs_ten_times_cheaper_tasks():
    overhead = {"chunksize_1": 40.0, "tuned": 5.0, "tuned_chunksize": 2500}
    assert not bench.targets(fake_results(pool_task_overhead_us=overhead))["pool_task_overhead_us"]


def test_table_lists_every_measurement_and_marks_targets():
    text = bench.table(fake_results())
    for words in (
        "serial",
        "threads",
        "processes",
        "efficiency",
        "I/O",
        "forkserver",
        "chunksize=1",
        "chunksize=2500",
        "shared memory vs pickle",
        "joblib 2 workers: efficiency",
        "joblib per task, batch_size=1",
        "Dask 2 workers: efficiency",
        "Dask per task",
    ):
        assert words in text
    assert "MISSED" not in text


def test_dask_efficiency_target_is_085():
    assert bench.targets(fake_results(dask_efficiency=0.85))["dask_efficiency"]
    assert not bench.targets(fake_results(dask_efficiency=0.84))["dask_efficiency"]


def test_dask_keys_are_measured_against_a_pool_in_the_same_run():
    keys = bench.dask_keys(200_000, 2, mp.get_context("spawn"), bench.QUICK)
    assert keys["dask_task_overhead_us"] > 0 and keys["dask_efficiency"] > 0
    assert keys["dask_workers"] == 2 and keys["dask_overhead_vs_pool"] > 0
    assert keys["pool_task_overhead_beside_dask_us"] > 0


def test_capstone_targets_need_balanced_090_and_static_measurably_worse():
    assert not bench.targets(fake_results(capstone_efficiency_balanced=0.85))[
        "capstone_efficiency_balanced"]
    close = fake_results(capstone_efficiency_static=0.9, capstone_efficiency_balanced=0.95)
    assert not bench.targets(close)["capstone_efficiency_static"]
    assert "fractal, 2 processes, balanced: efficiency" in bench.table(fake_results())


def test_capstone_quick_measures_both_efficiencies():
    from dataclasses import replace

    results = bench.capstone("spawn", replace(bench.QUICK, quick=True))
    assert {"capstone_efficiency_static", "capstone_efficiency_balanced"} <= set(results)
    assert results["capstone_efficiency_static"] > 0 and results["capstone_efficiency_balanced"] > 0


def test_table_blames_other_programs_that_were_busy_during_the_race():
    text = bench.table(fake_results(cpu_processes_efficiency=0.5, busy_cores_during_race=1.5))
    assert "Missed: cpu_processes_efficiency" in text
    assert "kept 1.5 of 2 cores busy during the CPU race" in text


def test_table_blames_the_cpus_speed_when_nothing_else_ran():
    results = fake_results(
        cpu_processes_efficiency=0.6, spread={"serial": 0.5, "threads": 0.1, "processes": 0.1}
    )
    text = bench.table(results)
    assert "No other program" in text and "varied by 50%" in text


def test_table_admits_when_nothing_it_measured_explains_a_miss():
    text = bench.table(fake_results(cpu_processes_efficiency=0.6))
    assert "Neither other programs nor a varying CPU speed" in text


def test_calibrate_returns_a_multiple_of_the_cores():
    n = bench.calibrate(0.001, cores=3)
    assert n >= 3 and n % 3 == 0


def test_busy_cores_is_between_zero_and_the_cpu_count():
    assert 0 <= bench.busy_cores(0.05) <= (mp.cpu_count() or 1)


@pytest.mark.timeout(300)  # tiny sizes, but a dozen pools and a cluster: slow on a busy machine
def test_quick_bench_runs_and_ends_with_the_json_line():
    """Under ``spawn`` here, in detail; chapter 03's last cell runs the same quick bench under
    its kernel's start method, so the notebook runs check that it ends well under each."""
    method = "spawn"
    completed = subprocess.run(
        [sys.executable, "-m", "tools.bench", "--quick", "--start-method", method],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.strip().splitlines()
    results = json.loads(lines[-1])
    assert set(bench.KEYS) <= set(results)
    assert results["start_method"] == method
    assert set(results["process_start_ms"]) == set(mp.get_all_start_methods())
    assert {"chunksize_1", "tuned"} <= set(results["pool_task_overhead_us"])
    assert set(results["joblib_task_overhead_us"]) == {"batch_size_1", "auto"}
    assert 0 < results["joblib_efficiency"] and results["joblib_task_overhead_us"]["auto"] > 0
    assert results["dask_task_overhead_us"] > 0 and results["dask_efficiency"] > 0
    assert results["capstone_efficiency_balanced"] > 0 and results["capstone_rounds"] == 1
    assert "measurement" in completed.stdout  # the table came first


def test_bench_rejects_an_unknown_start_method():
    completed = subprocess.run(
        [sys.executable, "-m", "tools.bench", "--start-method", "teleport"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2 and "invalid choice" in completed.stderr


def test_bench_rejects_a_non_positive_serial_time():
    completed = subprocess.run(
        [sys.executable, "-m", "tools.bench", "--seconds", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2 and "--seconds must be > 0" in completed.stderr

"""helpers.dask_tools and helpers.dask_compare: clusters on loopback, a real topology stopped
cleanly, the demo tasks, and what is left running."""

from __future__ import annotations

import logging
import multiprocessing as mp
import socket
import subprocess
import sys

import numpy as np
import pytest

from helpers.dask_compare import DaskMapper, dask_figures, warm_up_dask
from helpers.dask_tools import (
    flaky_square,
    link_is_local,
    listening_ports,
    local_cluster,
    ports_left,
    processes_left,
    scheduler_and_workers,
    scheduler_command,
    slice_sum,
    stop_processes,
    wait_until_nothing_left,
    worker_command,
)
from helpers.workers import square

# Starts clusters, children or scripts: scheduled first (conftest.py).
pytestmark = pytest.mark.slow


def test_a_local_cluster_runs_tasks_in_worker_processes_and_leaves_nothing_once_closed():
    from distributed import Client

    with local_cluster(2) as cluster, Client(cluster) as client:
        assert client.gather(client.map(square, range(5))) == [0, 1, 4, 9, 16]
        pids = warm_up_dask(client, 2)
        assert len(pids) == 2 and all(pid in processes_left() for pid in pids)
        assert link_is_local(client.dashboard_link)
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    assert wait_until_nothing_left() == ([], set())


def test_a_dask_mapper_sums_like_a_pool():
    from distributed import Client

    from helpers.benchmark import closed_form, parallel_sum

    with local_cluster(2) as cluster, Client(cluster) as client:
        assert parallel_sum(DaskMapper(client), 10_000, 2) == closed_form(10_000)


def test_dask_figures_time_pool_and_dask_in_the_same_rounds():
    race = dask_figures(20_000, 20, 2, mp.get_context("spawn"), rounds=1)
    assert race.correct
    assert set(race.timings) == {"tiny, Pool.map", "tiny, Dask", "cpu, serial", "cpu, Pool",
                                 "cpu, Dask"}
    assert race.per_task("tiny, Dask") > 0 and race.overhead_ratio > 0
    assert race.efficiency("cpu, Dask") > 0 and race.median_efficiency("cpu, Pool") > 0
    assert wait_until_nothing_left() == ([], set())


def test_a_scheduler_and_two_workers_run_tasks_and_all_end_with_exit_code_0(tmp_path):
    from distributed import Client

    with scheduler_and_workers(tmp_path, workers=2) as topology:
        assert topology.address.startswith("tcp://127.0.0.1:")
        assert topology.scheduler_file.exists()
        with Client(topology.address, timeout=30) as client:
            client.wait_for_workers(2, timeout=30)
            assert client.gather(client.map(square, range(4))) == [0, 1, 4, 9]
    assert topology.exit_codes == [0, 0, 0]
    assert set(topology.logs) == {"scheduler", "worker-0", "worker-1"}
    assert wait_until_nothing_left() == ([], set())


def test_a_topology_is_stopped_even_when_the_block_fails(tmp_path):
    with pytest.raises(RuntimeError, match="inside"):
        with scheduler_and_workers(tmp_path, workers=1) as topology:
            raise RuntimeError("inside")
    assert all(code is not None for code in topology.exit_codes)
    assert wait_until_nothing_left() == ([], set())


def test_scheduler_and_workers_refuses_a_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="folder"):
        scheduler_and_workers(tmp_path / "nope")


def test_the_commands_bind_to_loopback_on_free_ports():
    scheduler = scheduler_command("s.json")
    assert scheduler[scheduler.index("--host") + 1] == "127.0.0.1"
    assert scheduler[scheduler.index("--port") + 1] == "0"
    assert scheduler[scheduler.index("--dashboard-address") + 1] == "127.0.0.1:0"
    worker = worker_command("tcp://127.0.0.1:1", "w")
    assert worker[worker.index("--host") + 1] == "127.0.0.1"
    assert worker[worker.index("--dashboard-address") + 1] == "127.0.0.1:0"
    with pytest.raises(ValueError, match="scheduler_address"):
        worker_command("127.0.0.1:1", "w")


def test_stop_processes_terminates_and_reports_exit_codes():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    codes = stop_processes([child], timeout=10)
    assert codes == [child.returncode] and codes[0] is not None


def test_stop_processes_refuses_what_is_not_a_popen():
    with pytest.raises(TypeError, match="popens"):
        stop_processes([42])


def test_flaky_square_fails_once_per_number_then_succeeds(tmp_path):
    with pytest.raises(ConnectionError):
        flaky_square(4, tmp_path)
    assert flaky_square(4, tmp_path) == 16
    with pytest.raises(ConnectionError):
        flaky_square(5, tmp_path)


def test_slice_sum_adds_a_slice():
    assert slice_sum(np.ones(10), 0, 4) == 4.0
    with pytest.raises(TypeError, match="array"):
        slice_sum([1, 2], 0, 1)


def test_ports_left_sees_a_server_this_process_opened():
    before = listening_ports()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port in ports_left(before)
    assert port not in ports_left(before)


def test_link_is_local_tells_loopback_from_other_hosts():
    assert link_is_local("http://127.0.0.1:1234/status")
    assert not link_is_local("http://0.0.0.0:8787/status")
    with pytest.raises(TypeError, match="link"):
        link_is_local(None)


def test_local_cluster_refuses_a_bad_log_level():
    with pytest.raises(ValueError, match="quiet"):
        local_cluster(2, quiet=logging.CRITICAL + 1)

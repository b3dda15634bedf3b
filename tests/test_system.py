"""helpers.system: CPU counts, start method, GIL."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import system


def test_cpu_counts_are_consistent() -> None:
    counts = system.cpu_counts()
    assert counts.logical == (os.cpu_count() or 1)
    assert 1 <= counts.usable <= counts.logical
    assert counts.quota is None or counts.quota > 0
    assert counts.physical is None or 1 <= counts.physical <= counts.logical


def test_start_method_is_the_one_multiprocessing_uses() -> None:
    assert system.start_method() == mp.get_start_method()
    assert system.start_method() in mp.get_all_start_methods()


def test_gil_is_enabled_on_a_normal_build() -> None:
    is_enabled = getattr(__import__("sys"), "_is_gil_enabled", lambda: True)
    assert system.gil_enabled() == is_enabled()


def test_describe_machine_names_each_count() -> None:
    text = system.describe_machine()
    for label in ("logical CPUs:", "physical cores:", "usable by this process:", "GIL enabled:"):
        assert label in text


def test_describe_machine_names_the_quota_and_the_pool_size() -> None:
    text = system.describe_machine()
    assert "CPU quota (cgroup):" in text and "workers Pool() starts:" in text


def test_default_pool_workers_is_what_pool_really_starts() -> None:
    context = mp.get_context("spawn")
    with context.Pool() as pool:
        started = len(pool._pool)  # private, but this is exactly what the helper predicts
    assert system.default_pool_workers() == started


def test_default_pool_workers_follows_the_documented_count() -> None:
    if sys.version_info >= (3, 13):
        assert system.default_pool_workers() == os.process_cpu_count()
    else:
        assert system.default_pool_workers() == os.cpu_count()


def test_available_is_usable_capped_by_the_quota() -> None:
    assert system.CpuCounts(logical=4, physical=2, usable=4, quota=1.5).available == 1.5
    assert system.CpuCounts(logical=4, physical=2, usable=2, quota=3.0).available == 2
    assert system.CpuCounts(logical=4, physical=2, usable=2).available == 2


@pytest.mark.parametrize(
    ("text", "cpus"), [("150000 100000\n", 1.5), ("max 100000\n", None), ("50000", 0.5)]
)
def test_parse_cpu_max_reads_a_cgroup_v2_quota(text: str, cpus: float | None) -> None:
    assert system.parse_cpu_max(text) == cpus


def test_parse_cpu_max_rejects_an_empty_file() -> None:
    with pytest.raises(ValueError, match="text must hold a cpu.max line"):
        system.parse_cpu_max("")


def test_parse_cfs_quota_reads_a_cgroup_v1_quota() -> None:
    assert system.parse_cfs_quota("200000\n", "100000\n") == 2.0
    assert system.parse_cfs_quota("-1\n", "100000\n") is None
    with pytest.raises(ValueError, match="period must be > 0"):
        system.parse_cfs_quota("1000", "0")


def _fake_cgroup(tmp_path: Path, membership: str, files: dict[str, str]) -> tuple[Path, Path]:
    root = tmp_path / "cgroup"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="ascii")
    proc = tmp_path / "proc_self_cgroup"
    proc.write_text(membership, encoding="ascii")
    return root, proc


def test_cpu_quota_reads_cgroup_v2_and_takes_the_tightest_parent(tmp_path: Path) -> None:
    root, proc = _fake_cgroup(
        tmp_path,
        "0::/docker/abc\n",
        {"docker/abc/cpu.max": "max 100000\n", "docker/cpu.max": "150000 100000\n"},
    )
    assert system.cpu_quota(root, proc) == 1.5


def test_cpu_quota_inside_a_container_reads_the_root_of_its_namespace(tmp_path: Path) -> None:
    root, proc = _fake_cgroup(tmp_path, "0::/\n", {"cpu.max": "100000 100000\n"})
    assert system.cpu_quota(root, proc) == 1.0


def test_cpu_quota_reads_cgroup_v1(tmp_path: Path) -> None:
    root, proc = _fake_cgroup(
        tmp_path,
        "4:memory:/x\n3:cpu,cpuacct:/docker/abc\n",
        {
            "cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "250000\n",
            "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
        },
    )
    assert system.cpu_quota(root, proc) == 2.5


def test_cpu_quota_is_none_without_a_limit(tmp_path: Path) -> None:
    root, proc = _fake_cgroup(
        tmp_path,
        "3:cpu:/\n0::/\n",
        {"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n",
         "cpu.max": "max 100000\n"},
    )
    assert system.cpu_quota(root, proc) is None


def test_cpu_quota_is_none_where_there_are_no_cgroups(tmp_path: Path) -> None:
    assert system.cpu_quota(tmp_path / "none", tmp_path / "no_such_file") is None


def test_cpu_quota_of_this_process_is_none_or_positive() -> None:
    quota = system.cpu_quota()
    assert quota is None or quota > 0
    assert system.cpu_counts().quota == quota


def test_x_cpu_count_overrides_the_count_from_python_3_13() -> None:
    reported = subprocess.run(
        [sys.executable, "-X", "cpu_count=1", "-c", "import os; print(os.cpu_count())"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    expected = 1 if sys.version_info >= (3, 13) else os.cpu_count()
    assert int(reported) == expected

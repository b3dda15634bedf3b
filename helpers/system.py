"""What this machine offers for parallel work.

Four numbers are easy to confuse:

* ``os.cpu_count()``: the logical CPUs of the machine (hardware threads);
* physical cores: fewer, where two hyper-threads share one core;
* the CPUs this process may *run on*: its affinity mask (``os.sched_getaffinity(0)`` on
  Linux, ``os.process_cpu_count()`` from Python 3.13), which ``taskset`` or a container's
  *cpuset* (``docker --cpuset-cpus``) restricts;
* a CPU *quota* (``docker --cpus=1.5``, the Linux cgroup file ``cpu.max``): how much CPU time
  the process may use per period, on any of its CPUs. A quota changes none of the counts
  above; :func:`cpu_quota` reads it.

From Python 3.13, ``PYTHON_CPU_COUNT=n`` or ``python -X cpu_count=n`` makes both
``os.cpu_count()`` and ``os.process_cpu_count()`` report ``n``: the way to tell a program in a
container how many CPUs it really has.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

import psutil

from helpers._validate import require_path, require_text
from helpers.language import say

_CGROUP_ROOT = Path("/sys/fs/cgroup")
_PROC_SELF_CGROUP = Path("/proc/self/cgroup")


@dataclass(frozen=True)
class CpuCounts:
    """How many CPUs there are, counted several ways.

    ``logical``: hardware threads the operating system sees (``os.cpu_count()``).
    ``physical``: real cores; hyper-threads share one (``psutil.cpu_count(logical=False)``,
    ``None`` where the system does not say).
    ``usable``: the CPUs this process may run on: its affinity mask (a cpuset), where the
    system has one. A CPU quota does not change it.
    ``quota``: the CPUs' worth of time a Linux cgroup quota allows (``docker --cpus``), or
    ``None`` when there is no quota (and on other systems).
    """

    logical: int
    physical: int | None
    usable: int
    quota: float | None = None

    @property
    def available(self) -> float:
        """How many CPUs' worth of work can run at once: ``usable``, capped by ``quota``.

        >>> CpuCounts(logical=8, physical=4, usable=8, quota=1.5).available
        1.5
        >>> CpuCounts(logical=8, physical=4, usable=2).available
        2
        """
        return self.usable if self.quota is None else min(self.usable, self.quota)


def cpu_counts() -> CpuCounts:
    """Count this machine's CPUs (see :class:`CpuCounts`)."""
    logical = os.cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        usable = len(os.sched_getaffinity(0))
    else:  # macOS and Windows have no affinity masks in the os module
        usable = logical
    return CpuCounts(
        logical=logical,
        physical=psutil.cpu_count(logical=False),
        usable=usable,
        quota=cpu_quota(),
    )


def default_pool_workers() -> int:
    """How many workers ``multiprocessing.Pool()`` starts when not told a number.

    ``os.cpu_count()`` up to Python 3.12, ``os.process_cpu_count()`` from 3.13 (the CPUs this
    process may run on). Neither looks at a CPU quota. ``ProcessPoolExecutor()`` does the same.
    """
    count = getattr(os, "process_cpu_count", os.cpu_count)()
    return count or 1


def parse_cpu_max(text: str) -> float | None:
    """The quota in a cgroup v2 ``cpu.max`` file, in CPUs; ``None`` for no limit.

    The file holds ``"$MAX $PERIOD"`` in microseconds, or ``"max $PERIOD"``.

    >>> parse_cpu_max("150000 100000"), parse_cpu_max("max 100000")
    (1.5, None)
    """
    fields = require_text("text", text).split()
    if not fields:
        raise ValueError("text must hold a cpu.max line such as '150000 100000', got ''")
    if fields[0] == "max":
        return None
    period = int(fields[1]) if len(fields) > 1 else 100_000
    return _as_cpus(int(fields[0]), period)


def parse_cfs_quota(quota_text: str, period_text: str) -> float | None:
    """The quota of cgroup v1 (``cpu.cfs_quota_us``, ``cpu.cfs_period_us``), in CPUs.

    A quota of ``-1`` means no limit (``None``).

    >>> parse_cfs_quota("200000", "100000"), parse_cfs_quota("-1", "100000")
    (2.0, None)
    """
    quota = int(require_text("quota_text", quota_text).strip())
    period = int(require_text("period_text", period_text).strip())
    return None if quota < 0 else _as_cpus(quota, period)


def _as_cpus(quota: int, period: int) -> float:
    if period <= 0:
        raise ValueError(f"period must be > 0 microseconds, got {period}")
    return quota / period


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None


def _up_to(root: Path, relative: str) -> list[Path]:
    """``root/relative``, then each parent folder up to ``root`` itself."""
    folder = root / relative.strip("/")
    folders = [folder]
    while folder != root and root in folder.parents:
        folder = folder.parent
        folders.append(folder)
    return folders


def cpu_quota(
    cgroup_root: str | Path = _CGROUP_ROOT, proc_self_cgroup: str | Path = _PROC_SELF_CGROUP
) -> float | None:
    """The CPU quota of this process's Linux cgroup, in CPUs (``1.5`` for ``docker --cpus=1.5``).

    ``None`` when no quota applies, and on systems without cgroups (macOS, Windows). The
    tightest quota of the process's cgroup and its parents counts; both cgroup v2
    (``cpu.max``) and v1 (``cpu.cfs_quota_us``) are read. The two paths are parameters so
    that tests can point them at a fake tree.
    """
    root = require_path("cgroup_root", cgroup_root)
    membership = _read(require_path("proc_self_cgroup", proc_self_cgroup))
    if membership is None:
        return None
    quotas: list[float] = []
    for line in membership.splitlines():
        hierarchy, _, rest = line.partition(":")
        controllers, _, relative = rest.partition(":")
        if hierarchy == "0" and controllers == "":  # cgroup v2
            for folder in _up_to(root, relative):
                text = _read(folder / "cpu.max")
                if text and text.strip():
                    quota = parse_cpu_max(text)
                    if quota is not None:
                        quotas.append(quota)
        elif "cpu" in controllers.split(","):  # cgroup v1
            for mount in (root / "cpu", root / controllers):
                for folder in _up_to(mount, relative):
                    quota_text = _read(folder / "cpu.cfs_quota_us")
                    period_text = _read(folder / "cpu.cfs_period_us")
                    if quota_text and period_text:
                        quota = parse_cfs_quota(quota_text, period_text)
                        if quota is not None:
                            quotas.append(quota)
    return min(quotas) if quotas else None


def start_method() -> str:
    """The multiprocessing start method in use now: ``fork``, ``spawn`` or ``forkserver``."""
    return mp.get_start_method()


def gil_enabled() -> bool:
    """True on a normal CPython; False on a free-threaded build running without the GIL."""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else bool(is_enabled())


def _show_quota(quota: float | None) -> str:
    return say("none", "无") if quota is None else f"{quota:g}"


def describe_machine() -> str:
    """A few lines that say what this machine offers for parallel work."""
    counts = cpu_counts()
    physical = counts.physical if counts.physical is not None else say("unknown", "未知")
    return "\n".join(
        [
            say(f"Python {platform.python_version()} on {platform.system()} ({platform.machine()})",
                f"Python {platform.python_version()}，运行于 {platform.system()}"
                f"（{platform.machine()}）"),
            say(f"logical CPUs:  {counts.logical}", f"逻辑 CPU：{counts.logical}"),
            say(f"physical cores: {physical}", f"物理核心：{physical}"),
            say(f"usable by this process: {counts.usable}", f"本进程可用：{counts.usable}"),
            say(f"CPU quota (cgroup): {_show_quota(counts.quota)}",
                f"CPU 配额（cgroup）：{_show_quota(counts.quota)}"),
            say(f"workers Pool() starts: {default_pool_workers()}",
                f"Pool() 启动的工作进程数：{default_pool_workers()}"),
            say(f"start methods available: {', '.join(mp.get_all_start_methods())}",
                f"可用的启动方式：{', '.join(mp.get_all_start_methods())}"),
            say(f"GIL enabled: {gil_enabled()}", f"GIL 已启用：{gil_enabled()}"),
        ]
    )

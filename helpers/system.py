"""What this machine offers for parallel work."""

from __future__ import annotations

import multiprocessing as mp
import os
import platform
import sys
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class CpuCounts:
    """How many CPUs there are, counted three ways.

    ``logical``: hardware threads the operating system sees (``os.cpu_count()``).
    ``physical``: real cores; hyper-threads share one (``psutil.cpu_count(logical=False)``,
    ``None`` where the system does not say).
    ``usable``: the CPUs this process may run on (its affinity mask, or a container's limit).
    """

    logical: int
    physical: int | None
    usable: int


def cpu_counts() -> CpuCounts:
    """Count this machine's CPUs (see :class:`CpuCounts`)."""
    logical = os.cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        usable = len(os.sched_getaffinity(0))
    else:  # macOS and Windows have no affinity masks in the os module
        usable = logical
    return CpuCounts(logical=logical, physical=psutil.cpu_count(logical=False), usable=usable)


def start_method() -> str:
    """The multiprocessing start method in use now: ``fork``, ``spawn`` or ``forkserver``."""
    return mp.get_start_method()


def gil_enabled() -> bool:
    """True on a normal CPython; False on a free-threaded build running without the GIL."""
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return True if is_enabled is None else bool(is_enabled())


def describe_machine() -> str:
    """A few lines that say what this machine offers for parallel work."""
    counts = cpu_counts()
    return "\n".join(
        [
            f"Python {platform.python_version()} on {platform.system()} ({platform.machine()})",
            f"logical CPUs:  {counts.logical}",
            f"physical cores: {counts.physical if counts.physical is not None else 'unknown'}",
            f"usable by this process: {counts.usable}",
            f"start methods available: {', '.join(mp.get_all_start_methods())}",
            f"GIL enabled: {gil_enabled()}",
        ]
    )

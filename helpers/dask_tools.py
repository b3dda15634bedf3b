"""Dask distributed in the course (chapter 09): clusters kept on this machine and quiet, a real
scheduler and workers as separate processes, tasks for the workers, and what is left running.

* :func:`local_cluster`: a ``LocalCluster`` of worker *processes*, every socket bound to
  127.0.0.1 on a free port (two kernels can run the chapter at once), its logs silenced.
* :func:`scheduler_and_workers`: ``dask scheduler`` and ``dask worker`` started as commands, as
  on a real cluster, on loopback; stopped workers first, then the scheduler, with time-outs.
* :func:`flaky_square` (fails on its first try), :func:`slice_sum` (reads a scattered array):
  tasks for the demos. Every function a worker runs lives here or in another helpers module.
* :func:`processes_left`, :func:`ports_left`: what this process still runs and still listens
  on, so that a notebook can show that nothing outlived it.

The module is not named ``dask`` or ``distributed``: a module of that name would hide the
library itself.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers._validate import (
    require_int,
    require_order,
    require_path,
    require_seconds,
    require_workers,
)

#: Every socket of the course's clusters is bound to this address: this machine only.
LOOPBACK = "127.0.0.1"
#: Port 0 asks the system for a free port: no two clusters ever collide.
ANY_FREE_PORT = f"{LOOPBACK}:0"
#: The log level of the course's clusters: errors only (a failing task logs at ERROR; pass
#: ``logging.CRITICAL`` where a task fails on purpose).
QUIET = logging.ERROR
#: Processes multiprocessing keeps for an interpreter's lifetime (not left behind by a cluster).
_LONG_LIVED = ("multiprocessing.forkserver", "multiprocessing.resource_tracker",
               "joblib.externals.loky.backend.resource_tracker")
#: How long a dask command may take to start, at most.
START_TIMEOUT = 60.0


def _require_level(name: str, value: object) -> int:
    return require_int(name, value, minimum=logging.DEBUG, maximum=logging.CRITICAL)


def local_cluster(workers: int = 2, quiet: int = QUIET) -> Any:
    """A started ``LocalCluster``: ``workers`` worker processes of one thread each, on loopback.

    Use it as ``with local_cluster() as cluster, Client(cluster) as client:`` so that it is
    closed when the block ends. What it passes to ``LocalCluster``::

        n_workers=workers, threads_per_worker=1, processes=True,
        host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=quiet

    ``dashboard_address=None`` would not do: the dashboard's server would still start, on
    0.0.0.0:8787, reachable from other machines and taken by the first of two kernels.
    """
    require_workers("workers", workers)
    _require_level("quiet", quiet)
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host=LOOPBACK,
        dashboard_address=ANY_FREE_PORT,
        silence_logs=quiet,
    )


def link_is_local(link: object) -> bool:
    """Whether a dashboard link points at this machine (http://127.0.0.1:PORT/...).

    >>> link_is_local("http://127.0.0.1:8787/status"), link_is_local("http://10.0.0.5:8787/status")
    (True, False)
    """
    if not isinstance(link, str):
        raise TypeError(f"link must be a str, got {type(link).__name__}")
    return link.startswith((f"http://{LOOPBACK}:", "http://localhost:"))


# --- tasks -----------------------------------------------------------------------------------


def flaky_square(x: int, folder: str | Path) -> int:
    """Square ``x``, but fail the first time it is asked for this ``x`` (a worker lost, a network
    hiccup): the first call leaves a mark in ``folder`` and raises ``ConnectionError``; every
    later call, in any process, finds the mark and returns ``x * x``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     try:
    ...         flaky_square(3, folder)
    ...     except ConnectionError:
    ...         print("first try failed")
    ...     print(flaky_square(3, folder))
    first try failed
    9
    """
    require_int("x", x, minimum=0, maximum=10**6)
    folder = require_path("folder", folder)
    try:
        with open(folder / f"tried-{x}", "x"):
            pass
    except FileExistsError:
        return x * x
    raise ConnectionError(f"the first try for {x} failed (on purpose)")


def slice_sum(array: Any, start: int, stop: int) -> float:
    """The sum of ``array[start:stop]``, as a float (a task that reads a scattered array).

    >>> import numpy as np
    >>> slice_sum(np.arange(10.0), 2, 5)
    9.0
    """
    if not hasattr(array, "__getitem__") or not hasattr(array, "sum"):
        raise TypeError(f"array must be a NumPy array, got {type(array).__name__}")
    require_int("start", start, minimum=0, maximum=len(array))
    require_int("stop", stop, minimum=0, maximum=len(array))
    require_order("start", start, "stop", stop)
    return float(array[start:stop].sum())


# --- a real topology: a scheduler and workers as separate processes ---------------------------


def scheduler_command(scheduler_file: str | Path) -> list[str]:
    """The ``dask scheduler`` command line, on loopback, on a free port, writing its address to
    ``scheduler_file``.

    >>> scheduler_command("/tmp/s.json")[2:]  # doctest: +NORMALIZE_WHITESPACE
    ['dask', 'scheduler', '--host', '127.0.0.1', '--port', '0', '--scheduler-file',
     '/tmp/s.json', '--dashboard-address', '127.0.0.1:0']
    """
    path = require_path("scheduler_file", scheduler_file)
    return [sys.executable, "-m", "dask", "scheduler", "--host", LOOPBACK, "--port", "0",
            "--scheduler-file", str(path), "--dashboard-address", ANY_FREE_PORT]


def worker_command(scheduler_address: str, name: str) -> list[str]:
    """The ``dask worker`` command line: one process with one thread, connecting to
    ``scheduler_address``.

    >>> worker_command("tcp://127.0.0.1:8786", "w0")[2:6]
    ['dask', 'worker', 'tcp://127.0.0.1:8786', '--name']
    """
    if not isinstance(scheduler_address, str) or not scheduler_address.startswith("tcp://"):
        raise ValueError("scheduler_address must be an address like 'tcp://host:port', "
                         f"got {scheduler_address!r}")
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")
    return [sys.executable, "-m", "dask", "worker", scheduler_address, "--name", name,
            "--nworkers", "1", "--nthreads", "1", "--host", LOOPBACK,
            "--dashboard-address", ANY_FREE_PORT]


@dataclass
class Topology:
    """A scheduler and its workers, each a process of its own (:func:`scheduler_and_workers`).

    ``address`` is what a client connects to; ``logs`` holds each process's log file (their
    output goes there, not to the notebook); ``exit_codes`` is filled once they are stopped.
    """

    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]
    folder: Path
    logs: dict[str, Path] = field(default_factory=dict)
    exit_codes: list[int | None] = field(default_factory=list)

    @property
    def scheduler_file(self) -> Path:
        """The file in which the scheduler wrote its address (a real cluster shares it)."""
        return self.folder / "scheduler.json"


def _start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:  # the child keeps its own copy of the handle
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)


def _wait_for_address(scheduler_file: Path, scheduler: subprocess.Popen[bytes],
                      timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if scheduler.poll() is not None:
            raise RuntimeError(f"dask scheduler ended with exit code {scheduler.returncode}")
        with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
            return str(json.loads(scheduler_file.read_text(encoding="utf-8"))["address"])
        time.sleep(0.05)
    raise TimeoutError(f"dask scheduler wrote no address within {timeout:g} s")


def stop_processes(popens: Sequence[subprocess.Popen[bytes]], timeout: float = 10.0
                   ) -> list[int | None]:
    """Ask each process to stop (``terminate()``), wait up to ``timeout`` s, then kill what is
    left. Returns the exit codes, in order (``None`` for a process that would not end)."""
    timeout = require_seconds("timeout", timeout)
    if isinstance(popens, str | bytes) or not isinstance(popens, Sequence):
        raise TypeError(f"popens must be a list of subprocess.Popen, got {type(popens).__name__}")
    processes = list(popens)
    for process in processes:
        if not isinstance(process, subprocess.Popen):
            raise TypeError(f"popens must hold subprocess.Popen objects, got "
                            f"{type(process).__name__}")
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
    return [process.returncode for process in processes]


def scheduler_and_workers(folder: str | Path, workers: int = 2, timeout: float = START_TIMEOUT
                          ) -> contextlib.AbstractContextManager[Topology]:
    """Start ``dask scheduler`` and ``workers`` ``dask worker`` processes, as on a real cluster.

    Everything is on loopback on free ports; the scheduler writes its address to
    ``folder/scheduler.json``; each process's output goes to a log file in ``folder``. The block
    receives a :class:`Topology`; a client connects with ``Client(topology.address)``. When
    the block ends, the workers are stopped first (``terminate()``: the signal a batch system
    sends), then the scheduler, each within ``timeout`` seconds; ``topology.exit_codes`` then
    holds their exit codes (scheduler first).
    """
    folder = require_path("folder", folder)
    require_workers("workers", workers)
    timeout = require_seconds("timeout", timeout)
    if not folder.is_dir():
        raise ValueError(f"folder must be an existing folder, got {str(folder)!r}")
    return _topology(folder, workers, timeout)


@contextlib.contextmanager
def _topology(folder: Path, workers: int, timeout: float) -> Iterator[Topology]:
    logs = {"scheduler": folder / "scheduler.log"}
    scheduler = _start(scheduler_command(folder / "scheduler.json"), logs["scheduler"])
    started: list[subprocess.Popen[bytes]] = []
    topology: Topology | None = None
    try:
        address = _wait_for_address(folder / "scheduler.json", scheduler, timeout)
        for i in range(workers):
            name = f"worker-{i}"
            logs[name] = folder / f"{name}.log"
            started.append(_start(worker_command(address, name), logs[name]))
        topology = Topology(address, scheduler, started, folder, logs)
        yield topology
    finally:
        codes = stop_processes(started, timeout) + stop_processes([scheduler], timeout)
        if topology is not None:
            topology.exit_codes = codes[-1:] + codes[:-1]


# --- what is left ----------------------------------------------------------------------------


def processes_left() -> list[int]:
    """The pids of this process's descendants still running, except the helpers
    multiprocessing keeps for the interpreter's lifetime (forkserver, resource trackers)."""
    import psutil

    left = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                continue
            command = " ".join(child.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if not any(marker in command for marker in _LONG_LIVED):
            left.append(child.pid)
    return sorted(left)


def listening_ports() -> set[int]:
    """The TCP ports this process listens on (the kernel's own, and any server it started)."""
    import psutil

    me = psutil.Process()
    connections = getattr(me, "net_connections", None) or me.connections  # psutil < 6
    return {c.laddr.port for c in connections(kind="tcp") if c.status == psutil.CONN_LISTEN}


def kernel_ports() -> set[int]:
    """The ports of this Jupyter kernel's own channels (empty outside a kernel)."""
    try:
        from ipykernel import get_connection_info

        info = get_connection_info(unpack=True)
    except Exception:  # not in a kernel (a script, a test)
        return set()
    return {int(info[name]) for name in ("shell_port", "iopub_port", "stdin_port",
                                         "control_port", "hb_port") if info.get(name)}


def ports_left(before: set[int] | frozenset[int] = frozenset()) -> set[int]:
    """The ports this process listens on besides the kernel's own and those in ``before``."""
    if not isinstance(before, set | frozenset):
        raise TypeError(f"before must be a set of ports, got {type(before).__name__}")
    return listening_ports() - kernel_ports() - set(before)


def wait_until_nothing_left(before: set[int] | frozenset[int] = frozenset(),
                            timeout: float = 10.0) -> tuple[list[int], set[int]]:
    """Wait up to ``timeout`` s for :func:`processes_left` and :func:`ports_left` to be empty;
    return what is still there (a cluster's processes take a moment to end)."""
    timeout = require_seconds("timeout", timeout)
    deadline = time.monotonic() + timeout
    while True:
        pids, ports = processes_left(), ports_left(before)
        if (not pids and not ports) or time.monotonic() > deadline:
            return pids, ports
        time.sleep(0.1)


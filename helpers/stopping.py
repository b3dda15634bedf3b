"""Long-running workers and how to stop them, for chapter 08; and a look inside one that hangs.

A long-running worker takes tasks from a queue until it is told to stop. Two clean ways to tell
it, both here:

* :func:`consume` stops when it reads :data:`SENTINEL` (``None``) from the queue: the parent
  puts one sentinel per worker after the last task;
* :func:`consume_until_set` stops when an ``Event`` is set, whatever is left in the queue.

Both give up after ``patience`` seconds without a task, so that a forgotten sentinel cannot
keep a process alive for ever. :func:`nap_with_cleanup` shows what ``terminate()`` skips (the
worker's ``finally`` blocks), and :func:`consume_with_dump` is :func:`consume` with
:mod:`faulthandler` set to write every thread's stack to a file after a delay, which
:func:`where_waiting` reads back in the parent; :func:`py_spy_dump` reads the same stacks from
outside the worker, with the py-spy tool.
"""

from __future__ import annotations

import faulthandler
import os
import queue as queue_module
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from helpers._validate import (
    MAX_SLEEP,
    require_has,
    require_int,
    require_number,
    require_path,
    require_seconds,
    require_text,
)
from helpers.language import say
from helpers.workers import square

#: What the parent puts on the task queue to tell :func:`consume` to stop.
SENTINEL = None


def consume(inbox: object, outbox: object, patience: float = 30.0) -> int:
    """Square every number taken from ``inbox`` onto ``outbox``, until :data:`SENTINEL`.

    Returns how many tasks it did. If no task comes for ``patience`` seconds, it raises
    ``TimeoutError`` (the process then ends with exit code 1): a worker must not wait for ever.
    """
    require_has("inbox", inbox, "get", example="a multiprocessing.Queue")
    require_has("outbox", outbox, "put", example="a multiprocessing.Queue")
    patience = require_number("patience", patience, minimum=0.01, maximum=MAX_SLEEP)
    done = 0
    while True:
        try:
            item = inbox.get(timeout=patience)  # type: ignore[attr-defined]
        except queue_module.Empty:
            raise TimeoutError(f"no task and no sentinel for {patience:g} s") from None
        if item is SENTINEL:
            return done
        outbox.put(square(item))  # type: ignore[attr-defined]
        done += 1


def consume_until_set(inbox: object, outbox: object, stop_event: object,
                      patience: float = 30.0) -> int:
    """Like :func:`consume`, but stop as soon as the event ``stop_event`` is set.

    It looks at ``stop_event`` at least every 0.05 s, between tasks; tasks still queued are left
    there. Returns how many tasks it did.
    """
    require_has("inbox", inbox, "get", example="a multiprocessing.Queue")
    require_has("outbox", outbox, "put", example="a multiprocessing.Queue")
    require_has("stop_event", stop_event, "is_set", example="a multiprocessing.Event")
    patience = require_number("patience", patience, minimum=0.01, maximum=MAX_SLEEP)
    done = 0
    idle_since = time.monotonic()
    while not stop_event.is_set():  # type: ignore[attr-defined]
        try:
            item = inbox.get(timeout=0.05)  # type: ignore[attr-defined]
        except queue_module.Empty:
            if time.monotonic() - idle_since > patience:
                raise TimeoutError(f"no task and no stop for {patience:g} s") from None
            continue
        outbox.put(square(item))  # type: ignore[attr-defined]
        done += 1
        idle_since = time.monotonic()
    return done


def nap_with_cleanup(path: str | Path, seconds: float) -> None:
    """Write ``started`` to the file ``path``, sleep ``seconds``, and in ``finally`` append
    ``cleaned up``: a worker that tidies up after itself, if it is allowed to.
    """
    target = require_path("path", path)
    seconds = require_seconds("seconds", seconds)
    target.write_text("started\n", encoding="utf-8")
    try:
        time.sleep(seconds)
    finally:
        with target.open("a", encoding="utf-8") as file:
            file.write("cleaned up\n")


def consume_with_dump(inbox: object, outbox: object, path: str | Path, after: float,
                      patience: float = 30.0) -> int:
    """:func:`consume`, with every thread's stack written to the file ``path`` after ``after``
    seconds, if the worker is still running then.

    This is :func:`faulthandler.dump_traceback_later`, which works even when Python code is
    stuck: a C-level thread of its own writes the stacks. The file is the way out, because
    the notebook does not show a child's stderr.
    """
    require_has("inbox", inbox, "get", example="a multiprocessing.Queue")
    require_has("outbox", outbox, "put", example="a multiprocessing.Queue")
    target = require_path("path", path)
    after = require_number("after", after, minimum=0.01, maximum=MAX_SLEEP)
    require_number("patience", patience, minimum=0.01, maximum=MAX_SLEEP)
    with target.open("w", encoding="utf-8") as dump:
        faulthandler.dump_traceback_later(after, repeat=False, file=dump)
        try:
            return consume(inbox, outbox, patience)
        finally:
            faulthandler.cancel_dump_traceback_later()


_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line \d+ in (?P<function>\S+)')
_THREAD = re.compile(r"^(Current thread|Thread) 0x[0-9a-fA-F]+")
# py-spy dump: 'Thread 2078 (idle): "MainThread"', then frames such as
# '    Queue.get (multiprocessing/queues.py:113)'
_SPY_FRAME = re.compile(r"^\s+(?P<function>\S+) \((?P<file>[^()]+):\d+\)\s*$")
_SPY_THREAD = re.compile(r"^Thread \d+ \(")


def dumped_threads(text: str) -> list[list[str]]:
    """The threads of a :mod:`faulthandler` dump or of a ``py-spy dump``, each as its frames,
    innermost first, written ``file: function``.

    Only the file's name is kept (no folder, no line number): those differ between machines.
    py-spy names a method with its class (``Queue.get``), faulthandler does not (``get``).

    >>> dumped_threads('''Thread 0x01 (most recent call first):
    ...   File "/x/multiprocessing/queues.py", line 113 in get
    ...   File "/y/helpers/stopping.py", line 50 in consume
    ...
    ... Current thread 0x02 (most recent call first):
    ...   File "/x/threading.py", line 320 in wait
    ... ''')
    [['queues.py: get', 'stopping.py: consume'], ['threading.py: wait']]
    >>> dumped_threads('''Thread 2078 (idle): "MainThread"
    ...     Queue.get (multiprocessing/queues.py:113)
    ...     consume (helpers/stopping.py:51)
    ... ''')
    [['queues.py: Queue.get', 'stopping.py: consume']]
    """
    require_text("text", text)
    threads: list[list[str]] = []
    for line in text.splitlines():
        if _THREAD.match(line) or _SPY_THREAD.match(line):
            threads.append([])
            continue
        frame = _FRAME.match(line) or _SPY_FRAME.match(line)
        if frame and threads:
            threads[-1].append(f"{Path(frame['file']).name}: {frame['function']}")
    return threads


def where_waiting(text: str, code_file: str = "stopping.py") -> list[str]:
    """For each thread of a dump that runs code from ``code_file``: which of its functions
    was running and what it was waiting in (the frame just inside it).

    Frames further in belong to the standard library and change between Python versions; the
    two frames kept here do not.

    >>> where_waiting('''Thread 0x01 (most recent call first):
    ...   File "/x/multiprocessing/connection.py", line 930 in wait
    ...   File "/x/multiprocessing/queues.py", line 113 in get
    ...   File "/y/helpers/stopping.py", line 50 in consume
    ... ''')
    ['stopping.py: consume, waiting in queues.py: get']
    """
    require_text("text", text)
    require_text("code_file", code_file)
    found = []
    for frames in dumped_threads(text):
        mine = [i for i, frame in enumerate(frames) if frame.startswith(f"{code_file}: ")]
        if mine:
            innermost = mine[0]
            if innermost > 0:
                inside = frames[innermost - 1]
                found.append(say(f"{frames[innermost]}, waiting in {inside}",
                                 f"{frames[innermost]}，正在等待 {inside}"))
            else:
                found.append(say(f"{frames[innermost]}, waiting in nothing (it was running)",
                                 f"{frames[innermost]}，没有在等待（它正在运行）"))
    return found


def py_spy_dump(pid: int, timeout: float = 30.0) -> str:
    """What ``py-spy dump --pid PID`` prints: every thread's stack in the running process
    ``pid``, read from outside, without changing its code.

    py-spy reads another process's memory, so it needs the right to (root; on Linux a
    ``ptrace`` permission that containers and Binder often refuse; ``sudo`` on macOS). Raises
    ``FileNotFoundError`` if py-spy is not installed, ``RuntimeError`` with py-spy's own
    message if it cannot read the process, and stops py-spy after ``timeout`` seconds.
    """
    pid = require_int("pid", pid, minimum=1, maximum=2**31 - 1)
    timeout = require_seconds("timeout", timeout)
    name = "py-spy.exe" if sys.platform == "win32" else "py-spy"
    beside_python = Path(sys.executable).with_name(name)  # this environment's own copy
    program = str(beside_python) if beside_python.exists() else shutil.which("py-spy")
    if program is None:
        raise FileNotFoundError(
            "py-spy is not installed in this environment: pip install py-spy"
        )
    # Plain text: a Jupyter kernel asks programs for colours (CLICOLOR, FORCE_COLOR).
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("CLICOLOR", "CLICOLOR_FORCE", "FORCE_COLOR")}
    environment["NO_COLOR"] = "1"
    try:
        done = subprocess.run([program, "dump", "--pid", str(pid)], capture_output=True,
                              text=True, timeout=timeout, check=False, env=environment)
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"py-spy had not read process {pid} after {timeout} s") from error
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip() or "no message").splitlines()[-1]
        raise RuntimeError(f"py-spy could not read process {pid}: {said}")
    return _ANSI_COLOUR.sub("", done.stdout)


_ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def status_once_ended(process: object, timeout: float = 10.0) -> str:
    """Wait until ``process`` (a started ``multiprocessing`` Process) has ended, *without*
    collecting its exit code, and return what the operating system then says of it
    (``psutil``): ``"zombie"`` on Linux and macOS until the parent joins it.

    Its ``sentinel`` becomes ready a moment before the process has quite ended, so the status
    is read until it is no longer running (at most ``timeout`` seconds).
    """
    from multiprocessing.connection import wait

    import psutil

    sentinel = getattr(process, "sentinel", None)
    if not isinstance(sentinel, int):
        raise TypeError(f"process must be a started multiprocessing Process, got "
                        f"{type(process).__name__}")
    seconds = require_seconds("timeout", timeout)
    deadline = time.monotonic() + seconds
    wait([sentinel], timeout=seconds)
    try:
        watched = psutil.Process(process.pid)  # type: ignore[attr-defined]
        status = watched.status()
        while status not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD) and (
                time.monotonic() < deadline):
            time.sleep(0.01)
            status = watched.status()
    except psutil.NoSuchProcess:
        return "gone"
    return str(status)


def wait_for_file(path: str | Path, timeout: float = 10.0) -> bool:
    """Wait until the file ``path`` exists and is not empty; False after ``timeout`` seconds.

    For a parent that must know a worker has really started (it wrote its first line).
    """
    target = require_path("path", path)
    seconds = require_seconds("timeout", timeout)
    deadline = time.monotonic() + seconds
    while not (target.exists() and target.stat().st_size > 0):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True

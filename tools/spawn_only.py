"""A spawn-only platform, simulated: what the course's own code sees of Windows, on Linux.

Most learners run the course on Windows or macOS, where ``fork`` does not exist (Windows) or
is not the default (macOS). :func:`simulate` makes this Python behave like Windows for what
the course calls:

* ``multiprocessing.get_all_start_methods()`` is ``['spawn']`` and the default start method is
  ``spawn``;
* ``get_context("fork")``, ``get_context("forkserver")`` and ``set_start_method("fork")``
  raise the ``ValueError`` Windows raises (``cannot find context for 'fork'``);
* ``os.fork``, ``os.forkpty``, ``os.sched_getaffinity`` and ``os.sched_setaffinity`` are
  absent (macOS lacks the last two as well), and ``os.process_cpu_count`` (Python 3.13+) is
  ``os.cpu_count``, as Python defines it where there is no ``sched_getaffinity``.

What the standard library itself needs stays: the signals (``Process.kill()``,
``Process.terminate()`` and ``subprocess`` time-outs use them here; real Windows has its own
way), ``_posixsubprocess`` (which starts every spawned child), ``os.register_at_fork`` (which
libraries call only after checking that it exists, and which never fires without ``fork``).
The course's own code is kept free of POSIX-only calls by ``tests/test_portable_code.py``.

The test harness applies it to every Python of a notebook run with ``--platform=spawn-only``
(see ``tools/kernel_profile.py``): a ``sitecustomize`` module on ``PYTHONPATH`` calls
:func:`simulate` when ``COURSE_PLATFORM=spawn-only``, so the kernel, the children that
``multiprocessing`` spawns, and scripts run by :func:`helpers.scripts.run_script` all lack
``fork`` alike. This module imports nothing but the standard library, since it is loaded while
Python starts.
"""

from __future__ import annotations

import os

PLATFORM_ENV = "COURSE_PLATFORM"
SPAWN_ONLY = "spawn-only"
REMOVED_START_METHODS = ("fork", "forkserver")
REMOVED_OS_FUNCTIONS = ("fork", "forkpty", "sched_getaffinity", "sched_setaffinity")


def simulate() -> None:
    """Make this Python a spawn-only platform (see the module docstring). Idempotent."""
    import multiprocessing
    from multiprocessing import context

    for method in REMOVED_START_METHODS:
        context._concrete_contexts.pop(method, None)
    spawn = context._concrete_contexts["spawn"]
    default = context._default_context
    default._default_context = spawn
    if default._actual_context is not None and default._actual_context is not spawn:
        default._actual_context = None  # a start method chosen before the simulation

    def get_all_start_methods() -> list[str]:
        """Returns a list of the supported start methods, default first."""
        return ["spawn"]

    # multiprocessing's module-level functions are bound methods of the default context,
    # copied when multiprocessing was imported: replace both.
    default.get_all_start_methods = get_all_start_methods
    multiprocessing.get_all_start_methods = get_all_start_methods
    for name in REMOVED_OS_FUNCTIONS:
        if hasattr(os, name):
            delattr(os, name)
    if hasattr(os, "process_cpu_count"):
        # Python 3.13+: os.py defines it with sched_getaffinity where that exists, and as
        # cpu_count elsewhere (Windows, macOS). Pool() and ProcessPoolExecutor() call it.
        os.process_cpu_count = os.cpu_count


def is_simulated() -> bool:
    """True if :func:`simulate` has run in this Python."""
    from multiprocessing import context

    return "fork" not in context._concrete_contexts and not hasattr(os, "fork")


def requested() -> bool:
    """True if the environment asks for the spawn-only platform (``COURSE_PLATFORM``)."""
    return os.environ.get(PLATFORM_ENV, "") == SPAWN_ONLY

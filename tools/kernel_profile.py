"""The IPython profile used by every notebook kernel that the course's tooling starts.

Both the test suite (``pytest --nbval``) and ``make outputs`` run the notebooks in kernels
that read this profile, so that a stored output and a tested output come from kernels that
behave the same way:

* ``COURSE_START_METHOD`` (``fork``, ``spawn`` or ``forkserver``), when set, is applied with
  :func:`multiprocessing.set_start_method` before the first cell runs. A notebook never needs
  editing to run under another start method.
* ``COURSE_RUN_SOLUTIONS=1`` makes every ``%%solution`` cell run (see
  :mod:`helpers.solutions`): a learner's *Run All* skips the solutions, the tooling runs and
  tests every one of them.
* ``COURSE_SHM_TAG``, when set (the test harness sets one per notebook), is written into the
  names of the semaphores and shared-memory segments the kernel creates (``sem.mp-TAG-...``,
  ``psm_TAG_...`` in ``/dev/shm`` on Linux), so that the harness can tell which notebook left
  a file behind even when several notebooks run side by side.
* The kernel does not capture output written straight to file descriptors 1 and 2. Under
  pytest, ipykernel turns that capture off anyway (it checks ``PYTEST_CURRENT_TEST``); turning
  it off for ``make outputs`` too means that what a child process prints never lands in a
  stored output that the tests could not reproduce.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

START_METHOD_ENV = "COURSE_START_METHOD"
QUICK_ENV = "COURSE_QUICK"
START_METHODS = ("fork", "spawn", "forkserver")
RUN_SOLUTIONS_ENV = "COURSE_RUN_SOLUTIONS"
SHM_TAG_ENV = "COURSE_SHM_TAG"

_KERNEL_CONFIG = """\
# Written by tools/kernel_profile.py for the course's test kernels; do not edit.
c.IPKernelApp.capture_fd_output = False
c.HistoryManager.enabled = False
"""

_STARTUP = f"""\
# Written by tools/kernel_profile.py for the course's test kernels; do not edit.
import multiprocessing as _mp
import os as _os

_method = _os.environ.get("{START_METHOD_ENV}")
if _method:
    _mp.set_start_method(_method, force=True)

_tag = _os.environ.get("{SHM_TAG_ENV}")
if _tag:
    # Name what this kernel creates in /dev/shm after its notebook (see tools/kernel_profile.py).
    # Private names of multiprocessing, used by the test harness only; forked children inherit
    # them.
    from multiprocessing import shared_memory as _shm

    _mp.current_process()._config["semprefix"] = "/mp-" + _tag
    _shm._SHM_NAME_PREFIX = "/psm_" + _tag + "_"
    _shm._SHM_SAFE_NAME_LENGTH += len(_tag) + 1  # keep the random part as long as before
    del _shm
del _mp, _os, _method, _tag
"""


def shm_names(tag: str) -> tuple[str, str]:
    """The prefixes of the files in ``/dev/shm`` made by a kernel started with ``tag``.

    >>> shm_names("nb7")
    ('sem.mp-nb7-', 'psm_nb7_')
    """
    if not tag.isalnum():
        raise ValueError(f"tag must be letters and digits only, got {tag!r}")
    return f"sem.mp-{tag}-", f"psm_{tag}_"


def name_shm_after(tag: str) -> None:
    """Make this process name its semaphores and segments after ``tag`` (see :func:`shm_names`).

    The test harness calls it in its own processes; kernels do the same in their start-up file.
    """
    from multiprocessing import shared_memory

    shm_names(tag)  # checks the tag
    multiprocessing.current_process()._config["semprefix"] = "/mp-" + tag
    shared_memory._SHM_NAME_PREFIX = "/psm_" + tag + "_"
    shared_memory._SHM_SAFE_NAME_LENGTH = 14 + len(tag) + 1


def check_start_method(method: str) -> str:
    """Return ``method`` if this platform offers it, else raise ``ValueError``."""
    if method not in START_METHODS:
        raise ValueError(f"start method must be one of {START_METHODS}, got {method!r}")
    if method not in multiprocessing.get_all_start_methods():
        raise ValueError(f"start method {method!r} is not available on this platform")
    return method


def write_ipython_dir(path: Path) -> Path:
    """Write the course's IPython profile into the folder ``path`` and return it.

    Point ``IPYTHONDIR`` at the folder before a kernel starts to make the kernel use it.
    """
    profile = Path(path) / "profile_default"
    (profile / "startup").mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(_KERNEL_CONFIG, encoding="utf-8")
    (profile / "startup" / "00_start_method.py").write_text(_STARTUP, encoding="utf-8")
    return Path(path)


def kernel_environment(ipython_dir: Path, start_method: str | None, quick: bool) -> dict[str, str]:
    """The environment variables a course kernel needs, to be merged into ``os.environ``."""
    env = {
        "IPYTHONDIR": str(ipython_dir),
        QUICK_ENV: "1" if quick else "0",
        RUN_SOLUTIONS_ENV: "1",
    }
    if start_method is not None:
        env[START_METHOD_ENV] = check_start_method(start_method)
    else:
        env[START_METHOD_ENV] = ""
    return env

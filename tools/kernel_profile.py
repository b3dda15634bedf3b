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
del _mp, _os, _method
"""


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

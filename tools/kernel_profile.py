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
* ``COURSE_PLATFORM=spawn-only`` (``pytest --platform=spawn-only``) simulates a platform
  without ``fork``, as Windows is (:mod:`tools.spawn_only`), in the kernel and in every Python
  started from it: :func:`kernel_environment` puts a folder on ``PYTHONPATH`` whose
  ``sitecustomize`` module applies the simulation while Python starts. So the children that
  ``multiprocessing`` spawns and the scripts :func:`helpers.scripts.run_script` runs lack
  ``fork`` too, without any call site having to remember it. In that mode the harness does
  not compare the stored outputs of the cells tagged ``platform`` (what the machine offers:
  they differ on Windows); they still run and must not raise.
* The kernel does not capture output written straight to file descriptors 1 and 2. Under
  pytest, ipykernel turns that capture off anyway (it checks ``PYTEST_CURRENT_TEST``); turning
  it off for ``make outputs`` too means that what a child process prints never lands in a
  stored output that the tests could not reproduce.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from tools import spawn_only

START_METHOD_ENV = "COURSE_START_METHOD"
QUICK_ENV = "COURSE_QUICK"
START_METHODS = ("fork", "spawn", "forkserver")
RUN_SOLUTIONS_ENV = "COURSE_RUN_SOLUTIONS"
SHM_TAG_ENV = "COURSE_SHM_TAG"
PLATFORM_ENV = spawn_only.PLATFORM_ENV
NATIVE = "native"
PLATFORMS = (NATIVE, spawn_only.SPAWN_ONLY)
# Cells about the machine (its start methods, its CPUs): on the spawn-only platform their
# outputs differ from the stored ones, so the harness runs them without comparing outputs.
PLATFORM_CELL_TAG = "platform"
_SITE_FOLDER = "spawn_only_site"

# Run in a course kernel after its notebook's last cell, before the kernel stops (the test
# harness and `make outputs` both do): drop the notebook's objects so that their finalizers
# unlink what they own (a Pool left in a variable holds named semaphores under spawn and
# forkserver), then stop the resource tracker the polite way (it removes whatever is still
# registered when it sees its pipe close, and warns). The kernel's own shutdown would kill it.
KERNEL_CLEANUP = """\
get_ipython().reset(new_session=False)
import gc
gc.collect()
from multiprocessing import resource_tracker
getattr(resource_tracker._resource_tracker, "_stop", lambda: None)()
"""

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


_SITECUSTOMIZE = f"""\
# Written by tools/kernel_profile.py for the course's test kernels; do not edit.
# On PYTHONPATH only on the simulated spawn-only platform (see tools/spawn_only.py).
import importlib.machinery as _machinery
import importlib.util as _util
import os as _os
import sys as _sys

if _os.environ.get("{PLATFORM_ENV}") == "{spawn_only.SPAWN_ONLY}":
    _spec = _util.spec_from_file_location("course_spawn_only", {str(Path(spawn_only.__file__))!r})
    _module = _util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    _module.simulate()
    del _spec, _module

# Run the sitecustomize module this one hides, if the Python has one (not another of ours).
_other = _machinery.PathFinder.find_spec(
    "sitecustomize",
    [p for p in _sys.path if _os.path.basename(_os.path.abspath(p or ".")) != "{_SITE_FOLDER}"],
)
if _other is not None and _other.loader is not None:
    _other.loader.exec_module(_util.module_from_spec(_other))
del _machinery, _util, _os, _sys, _other
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
    site = Path(path) / _SITE_FOLDER
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    return Path(path)


def check_platform(platform: str, start_method: str | None) -> str:
    """Return ``platform`` if it is one of :data:`PLATFORMS` and offers ``start_method``.

    >>> check_platform("spawn-only", "spawn")
    'spawn-only'
    """
    if platform not in PLATFORMS:
        raise ValueError(f"platform must be one of {PLATFORMS}, got {platform!r}")
    if platform == spawn_only.SPAWN_ONLY and start_method not in (None, "spawn"):
        raise ValueError(
            f"start method {start_method!r} does not exist on the spawn-only platform; "
            "use spawn (or no start method)"
        )
    return platform


def kernel_environment(
    ipython_dir: Path, start_method: str | None, quick: bool, platform: str = NATIVE
) -> dict[str, str]:
    """The environment variables a course kernel needs, to be merged into ``os.environ``.

    ``ipython_dir`` is a folder :func:`write_ipython_dir` has written; ``platform`` is one
    of :data:`PLATFORMS`.
    """
    check_platform(platform, start_method)
    env = {
        "IPYTHONDIR": str(ipython_dir),
        QUICK_ENV: "1" if quick else "0",
        RUN_SOLUTIONS_ENV: "1",
        PLATFORM_ENV: "" if platform == NATIVE else platform,
    }
    if start_method is not None:
        env[START_METHOD_ENV] = check_start_method(start_method)
    else:
        env[START_METHOD_ENV] = ""
    # PYTHONPATH without the folders of earlier calls (pytest -n: the controller's, then a
    # worker's), and with this profile's in front on the simulated platform.
    paths = [
        p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if p and Path(p).name != _SITE_FOLDER
    ]
    if platform != NATIVE:
        paths.insert(0, str(Path(ipython_dir) / _SITE_FOLDER))
    if paths or "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    return env

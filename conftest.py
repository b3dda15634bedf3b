"""Test-suite plumbing shared by the unit tests and the notebooks run by nbval.

* ``--start-method`` chooses the multiprocessing start method of every notebook kernel
  (through the IPython profile written by ``tools/kernel_profile.py``).
* ``--platform=spawn-only`` simulates, in every notebook kernel and every Python it starts, a
  platform without ``fork`` (as Windows is; ``tools/spawn_only.py``). There, the cells tagged
  ``platform`` (what the machine offers) run without their outputs being compared; every
  other cell is compared as usual.
* ``--learner`` runs every notebook as a learner's *Run All*: no ``%%solution`` cell runs, and
  each must print only that it was not run (nothing given away); every other cell is compared
  with its stored output as usual, so a check that says "Correct!" to the unanswered exercise,
  or a later cell that needs a name only a solution defines, fails the run.
* Notebook kernels run in "quick" mode (``COURSE_QUICK=1``): chapters that measure speed use
  small problem sizes so that the suite stays fast.
* No orphans: after every test, every process the test started must have ended. For a
  notebook, "the test" is one cell: when the cell finishes, the kernel may keep only the
  helpers multiprocessing itself keeps for its lifetime (the forkserver and the resource
  tracker); once the notebook's kernel is shut down, nothing it started may remain.
  A leftover process fails the test and is then killed.
* Nothing left in shared memory: under spawn and forkserver, the semaphores behind a live
  Value, Array, Lock or Pool are named files in /dev/shm that only their finalizers (or the
  resource tracker) remove, and the kernel (with its resource tracker) is killed at the end
  of a notebook. So before the kernel stops, the harness clears the notebook's namespace,
  collects garbage (which runs those finalizers) and stops the resource tracker. Afterwards,
  any multiprocessing semaphore or shared-memory segment that the notebook created and that
  still exists fails the notebook (and is removed). The kernel names those files after its
  notebook (``COURSE_SHM_TAG``, see ``tools/kernel_profile.py``), so that notebooks run side
  by side (``pytest -n``) are each held to what they made themselves.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from helpers.solutions import NOT_RUN, NOT_RUN_ZH, should_run
from tools.editions import language_of
from tools.kernel_profile import (
    KERNEL_CLEANUP,
    NATIVE,
    PLATFORM_CELL_TAG,
    PLATFORMS,
    RUN_SOLUTIONS_ENV,
    SHM_TAG_ENV,
    START_METHODS,
    kernel_environment,
    name_shm_after,
    shm_names,
    write_ipython_dir,
)

# Processes that multiprocessing keeps for the lifetime of the interpreter that started them.
# joblib's loky backend (chapter 07, make bench) keeps a resource tracker of its own, for the
# same reason and with the same lifetime: it is counted with them, on purpose. loky's worker
# processes are not: whoever uses joblib shuts them down (helpers/joblib_compare.py).
_LONG_LIVED_MARKERS = (
    "multiprocessing.forkserver",
    "multiprocessing.resource_tracker",
    "joblib.externals.loky.backend.resource_tracker",
)
_KERNEL_MARKER = "ipykernel_launcher"
# How long a process may take to end before it counts as left behind. The harness's own tests
# (tests/test_harness.py), which leave processes behind on purpose, shorten it.
_GRACE_SECONDS = float(os.environ.get("COURSE_GRACE_SECONDS", "10"))
_SHM = Path("/dev/shm")
_IPYTHON_DIR = pytest.StashKey[Path]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--start-method",
        choices=START_METHODS,
        default=None,
        help="multiprocessing start method for the notebook kernels (default: the platform's)",
    )
    parser.addoption(
        "--platform",
        choices=PLATFORMS,
        default=NATIVE,
        help="spawn-only: simulate a platform without fork (as Windows is) in the notebook "
        "kernels and every Python they start; cells tagged 'platform' are run, not compared",
    )
    parser.addoption(
        "--learner",
        action="store_true",
        help="run the notebooks as a learner's Run All: no solution runs, and each solution "
        "cell must print only that it was not run",
    )


def pytest_configure(config: pytest.Config) -> None:
    ipython_dir = write_ipython_dir(Path(tempfile.mkdtemp(prefix="course-ipython-")))
    config.stash[_IPYTHON_DIR] = ipython_dir
    method = config.getoption("--start-method")
    platform = config.getoption("--platform")
    try:
        environment = kernel_environment(ipython_dir, method, quick=True, platform=platform)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    if config.getoption("--learner"):
        environment[RUN_SOLUTIONS_ENV] = ""
    os.environ.update(environment)
    # What the tests themselves put in /dev/shm is named after this process (pytest -n runs
    # several side by side), so that a test can check that it cleaned up after itself.
    name_shm_after(f"ut{os.getpid()}")


def pytest_unconfigure(config: pytest.Config) -> None:
    ipython_dir = config.stash.get(_IPYTHON_DIR, None)
    if ipython_dir is not None:
        shutil.rmtree(ipython_dir, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str:
    method = config.getoption("--start-method") or "platform default"
    platform = config.getoption("--platform")
    learner = ", as a learner (no solutions)" if config.getoption("--learner") else ""
    return f"notebook kernels: start method {method}, quick mode, platform {platform}{learner}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the tests marked ``slow`` first (the same order on every xdist worker), so that the
    parallel run's last minutes are not one worker on one long test while the others idle.

    On a simulated platform, run the cells tagged ``platform`` without comparing outputs. As a
    learner, expect every solution cell to print only that it was not run.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable
    simulated = config.getoption("--platform") != NATIVE
    learner = config.getoption("--learner")
    for item in items:
        if not _is_notebook_cell(item):
            continue
        if simulated and PLATFORM_CELL_TAG in item.cell.metadata.get("tags", []):
            item.options["check"] = False
        if learner and _is_solution(item.cell.source):
            item.cell.outputs = [_not_run_output(_language_of(item.parent))]


def _is_solution(source: str) -> bool:
    """Whether a cell is a ``%%solution`` cell that *Run All* skips (not ``%%solution run``)."""
    magic, _, line = source.lstrip().split("\n", 1)[0].partition(" ")
    return magic == "%%solution" and not should_run(line, {})


def _language_of(notebook: pytest.Collector) -> str:
    """The language a notebook's language cell chooses (default English)."""
    return language_of(getattr(notebook, "nb", {"cells": []})["cells"])


def _not_run_output(language: str) -> nbformat.NotebookNode:
    text = NOT_RUN_ZH if language == "zh" else NOT_RUN
    return nbformat.v4.new_output("stream", name="stdout", text=text + "\n")


_cmdlines: dict[int, str] = {}


def _cmdline(proc: psutil.Process) -> str:
    """The process's command line (remembered, so that it can be reported after it exits)."""
    try:
        _cmdlines[proc.pid] = " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        pass
    return _cmdlines.get(proc.pid, "?")


def _descendants() -> list[psutil.Process]:
    try:
        return psutil.Process().children(recursive=True)
    except psutil.NoSuchProcess:  # pragma: no cover
        return []


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.NoSuchProcess:
            pass
    return alive


def _wait_until_gone(procs: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    deadline = time.monotonic() + seconds
    alive = _alive(procs)
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = _alive(alive)
    return alive


def _kill(procs: list[psutil.Process]) -> None:
    for proc in procs:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=5)


def _fail_on_leftovers(leftovers: list[psutil.Process], what: str) -> None:
    if not leftovers:
        return
    listing = "\n".join(f"  pid {p.pid}: {_cmdline(p)}" for p in leftovers)
    _kill(leftovers)
    pytest.fail(f"{what} left {len(leftovers)} process(es) running (now killed):\n{listing}")


def _long_lived() -> set[int]:
    """Pids of notebook kernels and of the helpers multiprocessing keeps for an interpreter's
    lifetime (forkserver, resource tracker), whether started by a kernel or by pytest itself.

    Told apart by their place in the tree, not only by their command line: a forked child
    has the same command line as the kernel it was forked from, and a child of the forkserver
    the same as the forkserver.
    """
    me = psutil.Process()
    owners = [me]
    keep = set()
    for child in me.children():
        if _KERNEL_MARKER in _cmdline(child):
            keep.add(child.pid)
            owners.append(child)
    for owner in owners:
        try:
            children = owner.children()
        except psutil.NoSuchProcess:
            continue
        keep.update(p.pid for p in children if any(m in _cmdline(p) for m in _LONG_LIVED_MARKERS))
    return keep


def _is_notebook_cell(item: pytest.Item) -> bool:
    return item.__class__.__name__ == "IPyNbCell"


_seen_in_notebook: dict[str, list[psutil.Process]] = {}
_BEFORE = pytest.StashKey[set[int]]()
_notebook_count = itertools.count()


_shm_tag_of_notebook: dict[str, str] = {}
_kernels_of_notebook: dict[str, set[int]] = {}


def _shm_names(tag: str) -> set[str]:
    """The files in /dev/shm made by the kernel that ran with ``tag``."""
    if not _SHM.is_dir():
        return set()
    return {name for name in os.listdir(_SHM) if name.startswith(shm_names(tag))}


def _clean_up_kernel(item: pytest.Item) -> None:
    """Clear the notebook's namespace in its kernel and collect garbage (see module docstring)."""
    kernel = getattr(item.parent, "kernel", None)
    if kernel is None or not kernel.is_alive():
        return
    try:
        msg_id = kernel.execute_cell_input(KERNEL_CLEANUP, allow_stdin=False)
        kernel.await_idle(msg_id, timeout=_GRACE_SECONDS)
    except Exception as error:  # the kernel is stopped next anyway
        print(f"kernel clean-up after {item.path.name} failed: {error!r}")


def _kernel_pids() -> set[int]:
    """Pids of the notebook kernels this process started (one at a time per pytest worker)."""
    try:
        children = psutil.Process().children()
    except psutil.NoSuchProcess:  # pragma: no cover
        return set()
    return {child.pid for child in children if _KERNEL_MARKER in _cmdline(child)}


def _joblib_folders(pids: set[int]) -> list[Path]:
    """The temporary folders joblib made in the processes ``pids`` and has not removed.

    joblib names them after the process (``joblib_memmapping_folder_<pid>_...``), in /dev/shm
    or the temporary folder; its exit handler, or loky's resource tracker, removes them.
    """
    roots = {_SHM, Path(tempfile.gettempdir())}
    return [
        folder
        for root in roots if root.is_dir()
        for pid in pids
        for folder in root.glob(f"joblib_memmapping_folder_{pid}_*")
    ]


def _shm_leftovers(tag: str, kernels: set[int]) -> list[Path]:
    return sorted([_SHM / name for name in _shm_names(tag)] + _joblib_folders(kernels))


def _fail_on_shm_leftovers(notebook: str) -> None:
    tag = _shm_tag_of_notebook.pop(notebook, None)
    kernels = _kernels_of_notebook.pop(notebook, set())
    if tag is None:
        return
    deadline = time.monotonic() + _GRACE_SECONDS
    leftovers = _shm_leftovers(tag, kernels)
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.1)
        leftovers = _shm_leftovers(tag, kernels)
    if not leftovers:
        return
    for path in leftovers:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    folders = sorted({str(path.parent) for path in leftovers})
    pytest.fail(
        f"{notebook} left {len(leftovers)} file(s) in {', '.join(folders)} (now removed): "
        + ", ".join(path.name for path in leftovers[:10])
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    item.stash[_BEFORE] = {p.pid for p in _descendants()}
    if _is_notebook_cell(item) and str(item.path) not in _shm_tag_of_notebook:
        # The first cell: the notebook's kernel starts in this setup and inherits the tag.
        tag = f"nb{os.getpid()}n{next(_notebook_count)}"  # unique across pytest -n workers
        _shm_tag_of_notebook[str(item.path)] = tag
        os.environ[SHM_TAG_ENV] = tag
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    if not _is_notebook_cell(item):
        result = yield
        before = item.stash.get(_BEFORE, set()) | _long_lived()
        started = [p for p in _descendants() if p.pid not in before]
        _fail_on_leftovers(_wait_until_gone(started, _GRACE_SECONDS), item.nodeid)
        return result

    # A notebook cell. Look before the teardown: after the notebook's last cell, the teardown
    # shuts the kernel down, and its children are then re-parented away from us.
    notebook = str(item.path)
    now = _descendants()
    seen = _seen_in_notebook.setdefault(notebook, [])
    known = {p.pid for p in seen}
    seen.extend(p for p in now if p.pid not in known and _cmdline(p))
    _kernels_of_notebook.setdefault(notebook, set()).update(_kernel_pids())
    workers = [p for p in now if p.pid not in _long_lived()]
    cell_leftovers = _wait_until_gone(workers, _GRACE_SECONDS)
    last_cell = nextitem is None or str(nextitem.path) != notebook
    if last_cell:
        _clean_up_kernel(item)
    result = yield
    _fail_on_leftovers(cell_leftovers, f"{item.nodeid} (the cell)")
    if last_cell:
        # The notebook is over and its kernel was shut down: everything it ever started,
        # including processes re-parented away from us, must be gone.
        leftovers = _wait_until_gone(_seen_in_notebook.pop(notebook), _GRACE_SECONDS)
        _fail_on_leftovers(leftovers, f"{notebook} (after its kernel stopped)")
        _fail_on_shm_leftovers(notebook)
    return result

"""The test harness itself: start methods reach the kernel, and leftover processes fail a test.

Each test runs a small, generated notebook (or test file) through a nested pytest that loads
the course's conftest.py, exactly as `make test` does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
# Each test starts a nested pytest and a kernel: slow on a loaded 2-core machine.
pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


def write_notebook(path: Path, source: str, stdout: str) -> Path:
    """A one-cell notebook whose stored output is ``stdout``."""
    cell = new_code_cell(source, execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text=stdout)] if stdout else []
    notebook = new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)
    return path


def run_nested_pytest(*args: str) -> subprocess.CompletedProcess[str]:
    """Run pytest with the course's conftest, as `make test` does.

    Its grace for leftovers is 3 s instead of 10: these tests leave processes behind on purpose
    and would otherwise wait the full grace each time.
    """
    command = [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", *args]
    env = {**os.environ, "COURSE_GRACE_SECONDS": "3"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


def run_nbval(notebook: Path, method: str) -> subprocess.CompletedProcess[str]:
    return run_nested_pytest(
        "--nbval",
        "--nbval-current-env",
        "--nbval-cell-timeout=30",
        f"--start-method={method}",
        "--rootdir",
        str(notebook.parent),
        str(notebook),
    )


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_the_start_method_option_reaches_the_notebook_kernel(tmp_path: Path, method: str) -> None:
    notebook = write_notebook(
        tmp_path / "method.ipynb",
        "import multiprocessing\nprint(multiprocessing.get_start_method())",
        f"{method}\n",
    )
    result = run_nbval(notebook, method)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_a_notebook_stored_under_one_start_method_fails_under_another(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "method.ipynb",
        "import multiprocessing\nprint(multiprocessing.get_start_method())",
        "fork\n",
    )
    result = run_nbval(notebook, "spawn")
    assert result.returncode != 0
    assert "1 failed" in result.stdout


def test_notebook_kernels_run_in_quick_mode(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "quick.ipynb", "import os\nprint(os.environ['COURSE_QUICK'])", "1\n"
    )
    assert run_nbval(notebook, "fork").returncode == 0


def test_a_cell_that_leaves_a_child_running_fails_and_the_child_is_killed(tmp_path: Path) -> None:
    source = (
        "import multiprocessing\n"
        "from helpers.workers import slow_square\n"
        "child = multiprocessing.Process(target=slow_square, args=(1,), kwargs={'delay': 60})\n"
        "child.start()\n"
    )
    notebook = write_notebook(tmp_path / "leak.ipynb", source, "")
    result = run_nbval(notebook, "fork")
    assert result.returncode != 0
    assert "left 1 process(es) running" in result.stdout
    leaked_pid = int(re.search(r"pid (\d+): ", result.stdout).group(1))
    assert (
        not psutil.pid_exists(leaked_pid)
        or psutil.Process(leaked_pid).status() == psutil.STATUS_ZOMBIE
    )


def test_a_unit_test_that_leaves_a_child_running_fails(tmp_path: Path) -> None:
    test_file = tmp_path / "test_leak.py"
    test_file.write_text(
        "import multiprocessing\n"
        "from helpers.workers import slow_square\n"
        "def test_leaks():\n"
        "    child = multiprocessing.Process(target=slow_square, args=(1, 60))\n"
        "    child.start()\n",
        encoding="utf-8",
    )
    result = run_nested_pytest("--rootdir", str(tmp_path), str(test_file))
    assert result.returncode != 0
    assert "left 1 process(es) running" in result.stdout


def test_a_unit_test_that_joins_its_child_passes(tmp_path: Path) -> None:
    test_file = tmp_path / "test_clean.py"
    test_file.write_text(
        "import multiprocessing\n"
        "from helpers.workers import add\n"
        "def test_clean():\n"
        "    child = multiprocessing.Process(target=add, args=(1, 2))\n"
        "    child.start()\n"
        "    child.join(timeout=30)\n"
        "    assert child.exitcode == 0\n",
        encoding="utf-8",
    )
    result = run_nested_pytest("--rootdir", str(tmp_path), str(test_file))
    assert result.returncode == 0, result.stdout


def test_joblibs_tracker_may_stay_but_its_workers_may_not(tmp_path: Path) -> None:
    """loky's resource tracker lives as long as the interpreter, like multiprocessing's own;
    loky's workers idle for 300 s after a call unless shut down: that is a leftover."""
    test_file = tmp_path / "test_loky.py"
    test_file.write_text(
        "from joblib import Parallel, delayed\n"
        "from joblib.externals.loky import get_reusable_executor\n"
        "from helpers.overheads import noop\n"
        "def test_shut_down():\n"
        "    Parallel(n_jobs=2)(delayed(noop)(i) for i in range(4))\n"
        "    get_reusable_executor().shutdown(wait=True)\n"
        "def test_left_running():\n"
        "    Parallel(n_jobs=2)(delayed(noop)(i) for i in range(4))\n",
        encoding="utf-8",
    )
    result = run_nested_pytest("--rootdir", str(tmp_path), str(test_file))
    assert result.returncode != 0 and "2 passed, 1 error" in result.stdout, result.stdout
    assert "test_left_running left 2 process(es) running" in result.stdout


def test_a_notebook_that_leaves_a_file_in_dev_shm_fails_and_the_file_is_removed(
    tmp_path: Path,
) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.skip("no /dev/shm on this system")
    # A file named as this kernel names its shared-memory segments (COURSE_SHM_TAG).
    source = (
        "import os\n"
        "open(f\"/dev/shm/psm_{os.environ['COURSE_SHM_TAG']}_harness\", 'w').close()"
    )
    notebook = write_notebook(tmp_path / "shm.ipynb", source, "")
    result = run_nbval(notebook, "spawn")
    assert result.returncode != 0
    assert re.search(r"left 1 file\(s\) in /dev/shm \(now removed\): psm_nb\w+_harness",
                     result.stdout), result.stdout
    assert not list(shm.glob("psm_nb*_harness"))


def test_a_notebook_that_leaves_a_folder_of_joblibs_fails_and_the_folder_is_removed(
    tmp_path: Path,
) -> None:
    # joblib names its temporary folders after the process that made them: here, the kernel.
    source = (
        "import os, tempfile\n"
        "root = '/dev/shm' if os.path.isdir('/dev/shm') else tempfile.gettempdir()\n"
        "os.makedirs(f'{root}/joblib_memmapping_folder_{os.getpid()}_harness_x/inner')"
    )
    notebook = write_notebook(tmp_path / "folder.ipynb", source, "")
    result = run_nbval(notebook, "spawn")
    assert result.returncode != 0
    assert re.search(r"left 1 file\(s\) in \S+ \(now removed\): "
                     r"joblib_memmapping_folder_\d+_harness_x", result.stdout), result.stdout
    assert not [path for root in (Path("/dev/shm"), Path(tempfile.gettempdir()))
                for path in root.glob("joblib_memmapping_folder_*_harness_x")]


def test_files_in_dev_shm_made_by_others_are_not_blamed_on_a_notebook(tmp_path: Path) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.skip("no /dev/shm on this system")
    other = shm / f"psm_course_other_run_{tmp_path.name}"
    notebook = write_notebook(
        tmp_path / "other.ipynb", f"open({str(other)!r}, 'w').close()", ""
    )
    try:
        result = run_nbval(notebook, "spawn")
        assert result.returncode == 0, result.stdout
        assert other.exists()
    finally:
        other.unlink(missing_ok=True)


def test_shared_memory_objects_alive_at_the_end_of_a_notebook_leave_nothing_behind(
    tmp_path: Path,
) -> None:
    source = (
        "import multiprocessing as mp\n"
        "values = [mp.Value('i', 0) for _ in range(5)]\n"
        "lock = mp.Lock()\n"
    )
    notebook = write_notebook(tmp_path / "alive.ipynb", source, "")
    result = run_nbval(notebook, "spawn")
    assert result.returncode == 0, result.stdout

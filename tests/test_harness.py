"""The test harness itself: start methods reach the kernel, and leftover processes fail a test.

Each test writes small notebooks (or test files), each made to pass or to break one rule, and
runs them all in one nested pytest that loads the course's conftest.py, exactly as `make test`
does; then it checks what the nested run said about each of them. (One nested run per start
method, not one per notebook: a nested pytest costs two CPU-seconds before its first cell.)
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


def write_notebook(path: Path, source: str, stdout: str, *more: tuple[str, str]) -> Path:
    """A notebook of one cell whose stored output is ``stdout``, and of one more cell per
    ``(source, stdout)`` pair of ``more``."""
    cells = []
    for count, (text, output) in enumerate(((source, stdout), *more), start=1):
        cell = new_code_cell(text, execution_count=count)
        cell.outputs = [new_output("stream", name="stdout", text=output)] if output else []
        cells.append(cell)
    notebook = new_notebook(cells=cells)
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
    command = [sys.executable, "-m", "pytest", "-p", "tools.lazy_iri", "-p", "conftest",
               "-p", "no:cacheprovider", *args]
    env = {**os.environ, "COURSE_GRACE_SECONDS": "3"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


def run_nbval(folder: Path, method: str, *options: str) -> subprocess.CompletedProcess[str]:
    """Run every notebook in ``folder`` under ``method``, with a report line per cell (-rA)."""
    return run_nested_pytest(
        "--nbval",
        "--nbval-current-env",
        "--nbval-cell-timeout=30",
        f"--start-method={method}",
        *options,
        "-rA",
        "--rootdir",
        str(folder),
        str(folder),
    )


def outcomes(result: subprocess.CompletedProcess[str]) -> dict[str, set[str]]:
    """What the nested run reported for each notebook or test file: {name: {"PASSED", ...}}.

    Read from the short test summary (-rA): "PASSED method.ipynb::Cell 0", "FAILED ...",
    and "ERROR ..." for a failure in a teardown (where the harness's checks run).
    """
    found: dict[str, set[str]] = {}
    for match in re.finditer(r"^(PASSED|FAILED|ERROR) (\S+?)::", result.stdout, re.MULTILINE):
        found.setdefault(Path(match.group(2)).name, set()).add(match.group(1))
    return found


def passed(result: subprocess.CompletedProcess[str], name: str) -> bool:
    return outcomes(result).get(name) == {"PASSED"}


def failed(result: subprocess.CompletedProcess[str], name: str) -> bool:
    return bool(outcomes(result).get(name, set()) & {"FAILED", "ERROR"})


def report(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout[-6000:] + result.stderr[-2000:]


def print_start_method(folder: Path, method: str) -> Path:
    return write_notebook(
        folder / f"method_{method}.ipynb",
        "import multiprocessing\nprint(multiprocessing.get_start_method())",
        f"{method}\n",
    )


def test_under_fork_the_method_and_quick_mode_reach_the_kernel_and_a_leftover_child_fails(
    tmp_path: Path,
) -> None:
    print_start_method(tmp_path, "fork")
    write_notebook(tmp_path / "quick.ipynb", "import os\nprint(os.environ['COURSE_QUICK'])", "1\n")
    leak = (
        "import multiprocessing\n"
        "from helpers.workers import slow_square\n"
        "child = multiprocessing.Process(target=slow_square, args=(1,), kwargs={'delay': 60})\n"
        "child.start()\n"
    )
    write_notebook(tmp_path / "leak.ipynb", leak, "")
    result = run_nbval(tmp_path, "fork")
    assert passed(result, "method_fork.ipynb"), report(result)
    assert passed(result, "quick.ipynb"), report(result)
    assert failed(result, "leak.ipynb"), report(result)
    message = re.search(r"leak\.ipynb::Cell 0 \(the cell\) left 1 process\(es\) running "
                        r"\(now killed\):\W+(?:E\s+)?pid (\d+): ", result.stdout)
    assert message, report(result)
    leaked_pid = int(message.group(1))
    assert (
        not psutil.pid_exists(leaked_pid)
        or psutil.Process(leaked_pid).status() == psutil.STATUS_ZOMBIE
    )


def test_under_forkserver_the_method_reaches_the_kernel(tmp_path: Path) -> None:
    print_start_method(tmp_path, "forkserver")
    result = run_nbval(tmp_path, "forkserver")
    assert result.returncode == 0 and passed(result, "method_forkserver.ipynb"), report(result)


def test_under_spawn_the_method_reaches_the_kernel_and_dev_shm_is_held_to_account(
    tmp_path: Path,
) -> None:
    """The start method; a notebook stored under another fails; what a notebook leaves in
    /dev/shm (a segment, a folder of joblib's) fails it and is removed; what others made is
    not blamed on it; shared objects still alive at the end leave nothing behind."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.skip("no /dev/shm on this system")
    print_start_method(tmp_path, "spawn")
    write_notebook(  # stored under fork, run under spawn
        tmp_path / "stored_under_fork.ipynb",
        "import multiprocessing\nprint(multiprocessing.get_start_method())",
        "fork\n",
    )
    # A file named as this kernel names its shared-memory segments (COURSE_SHM_TAG).
    write_notebook(
        tmp_path / "shm.ipynb",
        "import os\nopen(f\"/dev/shm/psm_{os.environ['COURSE_SHM_TAG']}_harness\", 'w').close()",
        "",
    )
    # joblib names its temporary folders after the process that made them: here, the kernel.
    write_notebook(
        tmp_path / "folder.ipynb",
        "import os, tempfile\n"
        "root = '/dev/shm' if os.path.isdir('/dev/shm') else tempfile.gettempdir()\n"
        "os.makedirs(f'{root}/joblib_memmapping_folder_{os.getpid()}_harness_x/inner')",
        "",
    )
    other = shm / f"psm_course_other_run_{tmp_path.name}"
    write_notebook(tmp_path / "other.ipynb", f"open({str(other)!r}, 'w').close()", "")
    write_notebook(
        tmp_path / "alive.ipynb",
        "import multiprocessing as mp\n"
        "values = [mp.Value('i', 0) for _ in range(5)]\n"
        "lock = mp.Lock()\n",
        "",
    )
    try:
        result = run_nbval(tmp_path, "spawn")
        assert other.exists(), "the harness removed a file that another run made"
    finally:
        other.unlink(missing_ok=True)
    assert passed(result, "method_spawn.ipynb"), report(result)
    assert failed(result, "stored_under_fork.ipynb"), report(result)
    assert failed(result, "shm.ipynb"), report(result)
    assert re.search(r"shm\.ipynb left 1 file\(s\) in /dev/shm \(now removed\): psm_nb\w+_harness",
                     result.stdout), report(result)
    assert not list(shm.glob("psm_nb*_harness"))
    assert failed(result, "folder.ipynb"), report(result)
    assert re.search(r"folder\.ipynb left 1 file\(s\) in \S+ \(now removed\): "
                     r"joblib_memmapping_folder_\d+_harness_x", result.stdout), report(result)
    assert not [path for root in (shm, Path(tempfile.gettempdir()))
                for path in root.glob("joblib_memmapping_folder_*_harness_x")]
    assert passed(result, "other.ipynb"), report(result)
    assert passed(result, "alive.ipynb"), report(result)


SOLUTION = "%%solution\nanswer = 42\nprint('Correct!')"
NOT_YET = "print('Not yet: your code here')"


def test_as_a_learner_no_solution_runs_and_nothing_may_need_one(tmp_path: Path) -> None:
    """--learner: a solution cell must print only that it was not run, in the notebook's
    language; a later cell that needs the solution's names fails, and so does a check that
    judges the unanswered exercise "Correct!" where the stored output says "Not yet"."""
    use_helpers = "import helpers.checks  # registers %%solution, as every exercise's check does"
    write_notebook(  # stored as `make outputs` stores it: the solution ran
        tmp_path / "clean.ipynb", use_helpers, "", (NOT_YET, "Not yet: your code here\n"),
        (SOLUTION, "Correct!\n"), ("print('after')", "after\n"),
    )
    write_notebook(
        tmp_path / "needs_the_solution.ipynb", use_helpers, "", (SOLUTION, "Correct!\n"),
        ("print(answer)", "42\n"),
    )
    write_notebook(  # the check gives the verdict away before any answer
        tmp_path / "gives_it_away.ipynb", use_helpers, "", ("print('Correct!')", "Not yet\n"),
    )
    write_notebook(
        tmp_path / "chinese.ipynb", use_helpers, "",
        ("from helpers.language import use_language\nuse_language(\"zh\")", ""),
        (SOLUTION, "Correct!\n"),
    )
    result = run_nbval(tmp_path, "fork", "--learner")
    assert passed(result, "clean.ipynb"), report(result)
    assert failed(result, "needs_the_solution.ipynb"), report(result)
    assert "NameError" in result.stdout
    assert failed(result, "gives_it_away.ipynb"), report(result)
    assert passed(result, "chinese.ipynb"), report(result)


def test_unit_tests_are_held_to_their_children_and_joblibs_workers(tmp_path: Path) -> None:
    """A unit test that leaves a child running fails; one that joins it passes. loky's
    resource tracker lives as long as the interpreter, like multiprocessing's own; loky's
    workers idle for 300 s after a call unless shut down: that is a leftover."""
    (tmp_path / "test_leak.py").write_text(
        "import multiprocessing\n"
        "from helpers.workers import slow_square\n"
        "def test_leaks():\n"
        "    child = multiprocessing.Process(target=slow_square, args=(1, 60))\n"
        "    child.start()\n",
        encoding="utf-8",
    )
    (tmp_path / "test_clean.py").write_text(
        "import multiprocessing\n"
        "from helpers.workers import add\n"
        "def test_clean():\n"
        "    child = multiprocessing.Process(target=add, args=(1, 2))\n"
        "    child.start()\n"
        "    child.join(timeout=30)\n"
        "    assert child.exitcode == 0\n",
        encoding="utf-8",
    )
    (tmp_path / "test_loky.py").write_text(
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
    result = run_nested_pytest("-rA", "--rootdir", str(tmp_path), str(tmp_path))
    lines = {
        f"{outcome} {Path(path).name}::{test}"
        for outcome, path, test in re.findall(
            r"^(PASSED|FAILED|ERROR) (\S+?)::(\S+)", result.stdout, re.MULTILINE
        )
    }
    assert "ERROR test_leak.py::test_leaks" in lines, report(result)
    assert "test_leaks left 1 process(es) running" in result.stdout
    assert "PASSED test_clean.py::test_clean" in lines, report(result)
    assert "PASSED test_loky.py::test_shut_down" in lines, report(result)
    assert "ERROR test_loky.py::test_left_running" in lines, report(result)
    assert "test_left_running left 2 process(es) running" in result.stdout

"""The simulated spawn-only platform (``--platform=spawn-only``, ``tools/spawn_only.py``).

It must reach every Python a notebook run starts (the kernel, the children multiprocessing
spawns, the scripts ``run_script`` runs), keep what the standard library needs (signals,
``Process.kill()``, ``subprocess`` time-outs), and the harness must compare every cell there
except those tagged ``platform``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from helpers.scripts import run_script
from tools.kernel_profile import (
    PLATFORM_CELL_TAG,
    PLATFORM_ENV,
    kernel_environment,
    write_ipython_dir,
)

# Starts kernels, children or scripts: scheduled first (conftest.py).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "notebooks" / "scripts"
NO_FORK = "cannot find context for 'fork'"
# The cells whose outputs describe the machine, and so differ on a spawn-only platform. Keep
# this list short: every other cell of every notebook is compared there as everywhere.
PLATFORM_CELLS = {
    ("00_introduction", "c04"),  # describe_machine(): "start methods available: ..."
    ("00_introduction", "c06"),  # mp.get_all_start_methods()
    ("00_introduction", "c07a"),  # the fork demo: on Windows, "no fork on this platform"
    ("01_processes_and_threads", "c24"),  # without_guard.py under fork: a ValueError there
    ("03_benchmark", "c29"),  # the cost of starting a process under each available method
    ("07_your_own_code", "c20"),  # context_per_pool.py with every available method
    ("07_your_own_code", "c24"),  # the fork-era "before" demo: on Windows, "no fork"
    ("07_your_own_code", "c31"),  # fork_with_threads.py under fork: on Windows, "no fork"
}


@pytest.fixture
def spawn_only_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This process's environment, set as a spawn-only notebook run sets it (for children)."""
    environment = kernel_environment(write_ipython_dir(tmp_path), "spawn", True, "spawn-only")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


def in_a_child_python(code: str) -> dict:
    """Run ``code`` in a fresh Python (with this process's environment); return its JSON."""
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT / "notebooks", capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.splitlines()[-1])


_PROBE = """
import json, multiprocessing as mp, os, signal

def refusal(call):
    try:
        call()
    except ValueError as error:
        return str(error)
    return None

print(json.dumps({
    "methods": mp.get_all_start_methods(),
    "default": mp.get_start_method(),
    "get_context_fork": refusal(lambda: mp.get_context("fork")),
    "get_context_forkserver": refusal(lambda: mp.get_context("forkserver")),
    "set_start_method_fork": refusal(lambda: mp.set_start_method("fork", force=True)),
    "os": sorted(n for n in ("fork", "forkpty", "sched_getaffinity", "register_at_fork")
                 if hasattr(os, n)),
    "signals": hasattr(signal, "SIGKILL") and hasattr(signal, "SIGTERM"),
}))
"""


def test_a_python_started_in_the_mode_behaves_like_windows(spawn_only_env: dict) -> None:
    seen = in_a_child_python(_PROBE)
    assert seen == {
        "methods": ["spawn"],
        "default": "spawn",
        "get_context_fork": NO_FORK,
        "get_context_forkserver": "cannot find context for 'forkserver'",
        "set_start_method_fork": NO_FORK,
        "os": ["register_at_fork"],  # kept: libraries check for it before they call it
        "signals": True,  # kept: Process.kill() and subprocess time-outs need them here
    }


def test_without_the_mode_a_child_python_still_has_fork(tmp_path: Path) -> None:
    assert os.environ.get(PLATFORM_ENV, "") == ""
    seen = in_a_child_python(_PROBE)
    assert "fork" in seen["methods"] and "fork" in seen["os"]


def test_what_the_standard_library_needs_still_works_there(spawn_only_env: dict) -> None:
    code = """
import json, multiprocessing as mp, os, subprocess, sys, time
with mp.Pool(1) as pool:  # a spawned child is spawn-only too
    child_has_fork = pool.apply(eval, ("hasattr(__import__('os'), 'fork')",))
    child_methods = pool.apply(eval, ("__import__('multiprocessing').get_all_start_methods()",))
sleeper = mp.Process(target=time.sleep, args=(60,))
sleeper.start()
sleeper.kill()
sleeper.join(timeout=30)
try:
    subprocess.run([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5)
    timed_out = False
except subprocess.TimeoutExpired:
    timed_out = True
cpus = getattr(os, "process_cpu_count", os.cpu_count)()  # 3.13+: os.py's own use of affinity
print(json.dumps({"child_has_fork": child_has_fork, "child_methods": child_methods,
                  "killed": sleeper.exitcode is not None and sleeper.exitcode < 0,
                  "timed_out": timed_out, "cpus": cpus == os.cpu_count()}))
"""
    assert in_a_child_python(code) == {
        "child_has_fork": False, "child_methods": ["spawn"], "killed": True, "timed_out": True,
        "cpus": True,
    }


def test_a_script_run_by_run_script_gets_the_mode(spawn_only_env: dict, tmp_path: Path) -> None:
    script = tmp_path / "probe.py"
    script.write_text(_PROBE, encoding="utf-8")
    run = run_script(script)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert (seen["methods"], seen["get_context_fork"]) == (["spawn"], NO_FORK)


def test_the_unguarded_script_under_fork_fails_as_on_windows(spawn_only_env: dict) -> None:
    run = run_script(SCRIPTS / "without_guard.py", "fork")
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.exception_lines == [f"ValueError: {NO_FORK}"]


def test_the_guarded_script_under_spawn_runs_there(spawn_only_env: dict) -> None:
    run = run_script(SCRIPTS / "with_guard.py", "spawn")
    assert "child exit code: 0" in run.stdout
    assert run.exception_lines == []


def test_process_start_under_fork_is_refused_clearly_there(spawn_only_env: dict) -> None:
    code = """
import json
from helpers.overheads import process_start
try:
    process_start("fork", repeat=1)
    print(json.dumps(None))
except ValueError as error:
    print(json.dumps(str(error)))
"""
    assert in_a_child_python(code) == "method must be one of ['spawn'] on this platform, got 'fork'"


def test_describe_machine_works_there(spawn_only_env: dict) -> None:
    code = """
import json
from helpers.system import cpu_counts, describe_machine

text = describe_machine()
counts = cpu_counts()
print(json.dumps([text.splitlines()[-2], counts.usable == counts.logical]))
"""
    assert in_a_child_python(code) == ["start methods available: spawn", True]


@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_the_mode_refuses_a_start_method_it_does_not_have(tmp_path: Path, method: str) -> None:
    with pytest.raises(ValueError, match=f"start method '{method}' does not exist"):
        kernel_environment(tmp_path, method, True, "spawn-only")


def test_the_mode_must_be_known(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="platform must be one of"):
        kernel_environment(tmp_path, None, True, "windows")


def test_each_kernel_environment_keeps_only_its_own_site_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(["/elsewhere", "/old/spawn_only_site"]))
    first = kernel_environment(tmp_path / "a", "spawn", True, "spawn-only")
    assert first["PYTHONPATH"].split(os.pathsep) == [
        str(tmp_path / "a" / "spawn_only_site"), "/elsewhere",
    ]
    monkeypatch.setenv("PYTHONPATH", first["PYTHONPATH"])
    native = kernel_environment(tmp_path / "b", "spawn", True)
    assert native["PYTHONPATH"] == "/elsewhere"
    assert native[PLATFORM_ENV] == ""


# --- the harness: the mode reaches the kernel; only platform cells go uncompared ----------


def write_notebook(path: Path, cells: list[tuple[str, str, bool]]) -> Path:
    """A notebook of ``(source, stored stdout, tagged platform)`` cells."""
    notebook = new_notebook()
    for count, (source, stdout, platform) in enumerate(cells, start=1):
        cell = new_code_cell(source, execution_count=count)
        cell.outputs = [new_output("stream", name="stdout", text=stdout)] if stdout else []
        if platform:
            cell.metadata["tags"] = [PLATFORM_CELL_TAG]
        notebook.cells.append(cell)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


def run_nbval(notebook: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "pytest", "-p", "tools.lazy_iri", "-p", "conftest",
        "-p", "no:cacheprovider", "-rA",
        "--nbval", "--nbval-current-env", "--nbval-cell-timeout=60", "--start-method=spawn",
        *options, "--rootdir", str(notebook.parent), str(notebook),
    ]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)


NATIVE_METHODS = "import multiprocessing as mp, os\nprint(mp.get_all_start_methods())"


@pytest.mark.timeout(300)
def test_the_mode_reaches_the_kernel_and_every_unmarked_cell_is_compared(tmp_path: Path) -> None:
    native = str(__import__("multiprocessing").get_all_start_methods()) + "\n"
    notebook = write_notebook(tmp_path / "platform.ipynb", [
        ("import multiprocessing as mp, os\nprint(mp.get_all_start_methods(), "
         "hasattr(os, 'fork'), hasattr(os, 'sched_getaffinity'))", "['spawn'] False False\n",
         False),
        (NATIVE_METHODS, native, True),  # differs, but is about the platform: not compared
        (NATIVE_METHODS, native, False),  # differs, and is not marked: fails
        ("raise RuntimeError('a platform cell must still run cleanly')", "", True),
    ])
    result = run_nbval(notebook, "--platform=spawn-only")
    report = result.stdout
    assert "platform spawn-only" in report
    outcomes = {cell: outcome for outcome, cell in
                re.findall(r"^(PASSED|FAILED) \S*platform\.ipynb::Cell (\d)", report, re.M)}
    assert outcomes == {"0": "PASSED", "1": "PASSED", "2": "FAILED", "3": "FAILED"}, report


@pytest.mark.timeout(300)
def test_natively_the_platform_cells_are_compared_too(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "native.ipynb", [(NATIVE_METHODS, "['spawn']\n", True)])
    result = run_nbval(notebook)
    assert result.returncode != 0
    assert re.search(r"^FAILED \S*native\.ipynb::Cell 0", result.stdout, re.M), result.stdout


def test_only_the_cells_about_the_platform_are_tagged() -> None:
    tagged = set()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if PLATFORM_CELL_TAG in cell.metadata.get("tags", []):
                assert cell.cell_type == "code", (path.stem, cell.id)
                tagged.add((path.stem, cell.id))
    assert tagged == PLATFORM_CELLS

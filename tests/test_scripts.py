"""helpers.scripts and the guard demo scripts of chapter 01."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.scripts import ScriptRun, run_script

SCRIPTS = Path(__file__).resolve().parent.parent / "notebooks" / "scripts"


def test_exception_lines_keep_only_lines_that_name_an_exception() -> None:
    run = ScriptRun(1, "", 'Traceback:\n  File "/x.py", line 1\nValueError: bad\n')
    assert run.exception_lines == ["ValueError: bad"]


def test_exception_lines_join_a_message_that_starts_on_the_next_line() -> None:
    run = ScriptRun(1, "", "RuntimeError: \n\n   An attempt was made.\n   More.\n")
    assert run.exception_lines == ["RuntimeError: An attempt was made."]


def test_run_script_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="path must name a script file"):
        run_script(tmp_path / "missing.py")


def test_run_script_returns_output_and_exit_code(tmp_path: Path) -> None:
    script = tmp_path / "hello.py"
    script.write_text("import sys\nprint('hi', sys.argv[1])\nsys.exit(4)\n", encoding="utf-8")
    run = run_script(script, "there")
    assert (run.returncode, run.stdout) == (4, "hi there\n")


def test_without_guard_under_spawn_fails_in_the_child_with_the_bootstrapping_error() -> None:
    run = run_script(SCRIPTS / "without_guard.py", "spawn")
    assert "child exit code: 1" in run.stdout
    assert any(
        line.startswith("RuntimeError: An attempt has been made") for line in run.exception_lines
    )


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_with_guard_succeeds_under_every_start_method(method: str) -> None:
    run = run_script(SCRIPTS / "with_guard.py", method)
    assert "child exit code: 0" in run.stdout
    assert run.exception_lines == []


def test_without_guard_happens_to_work_under_fork() -> None:
    run = run_script(SCRIPTS / "without_guard.py", "fork")
    assert "child exit code: 0" in run.stdout


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_the_notes_plus_script_prints_7_in_a_terminal(method: str) -> None:
    run = run_script(SCRIPTS / "notes_plus.py", method)
    assert (run.returncode, run.stdout, run.exception_lines) == (0, "7\n", [])

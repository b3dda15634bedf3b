"""`make test-all` (tools/test_all.py): which Pythons it finds, and what it reports."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tools.test_all import Python, Result, candidates, choose, find_pythons, probe, pytest_counts


def _executable(path: Path, script: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script, encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(tmp_path: Path) -> dict[str, Path]:
    """A fake machine: two PATH folders and a pyenv root, with what a real one holds."""
    usr_bin, shims, pyenv = tmp_path / "usr-bin", tmp_path / "shims", tmp_path / "pyenv"
    _executable(usr_bin / "python3.11")
    _executable(usr_bin / "python3")  # not a versioned name: never looked at
    _executable(usr_bin / "python3.10")  # too old to be looked for
    (usr_bin / "python3.12").write_text("not executable", encoding="utf-8")
    _executable(shims / "python3.13")
    _executable(shims / "python3.14t")
    for version in ("2.7.18", "3.9.18", "3.10.13"):
        _executable(pyenv / "versions" / version / "bin" / "python3")
    for version in ("3.12.1", "3.12.10", "3.13.0"):
        _executable(pyenv / "versions" / version / "bin" / "python3")
    _executable(pyenv / "versions" / "3.13.0t" / "bin" / "python3.13t")
    _executable(pyenv / "versions" / "miniconda3-latest" / "bin" / "python3")
    return {"usr_bin": usr_bin, "shims": shims, "pyenv": pyenv}


def test_candidates_are_versioned_names_on_path_then_pyenv_versions(machine) -> None:
    found = candidates([machine["usr_bin"], "", machine["shims"]], [machine["pyenv"]])
    versions = machine["pyenv"] / "versions"
    assert found == [
        machine["usr_bin"] / "python3.11",
        machine["shims"] / "python3.13",
        machine["shims"] / "python3.14t",
        # pyenv: newest first, folders named after a Python older than 3.11 skipped,
        # folders not named after a version (conda, pypy, ...) kept, to be asked.
        versions / "3.13.0" / "bin" / "python3",
        versions / "3.13.0t" / "bin" / "python3.13t",
        versions / "3.12.10" / "bin" / "python3",
        versions / "3.12.1" / "bin" / "python3",
        versions / "miniconda3-latest" / "bin" / "python3",
    ]


def test_candidates_without_pyenv_or_path(tmp_path: Path) -> None:
    assert candidates([], [tmp_path / "no-such-root"]) == []
    assert candidates([tmp_path / "no-such-dir"], []) == []


def test_choose_keeps_the_first_of_each_version_and_build_and_sorts() -> None:
    def python(version: tuple[int, int, int], path: str, free_threaded: bool = False) -> Python:
        return Python(version, free_threaded, path)

    found = [
        python((3, 13, 1), "/a/python3.13"),
        None,  # a pyenv shim of a version that is not selected: it fails
        python((3, 10, 13), "/pyenv/3.10"),
        python((3, 13, 0), "/pyenv/3.13.0"),  # a second 3.13: the first one wins
        python((3, 13, 0), "/pyenv/3.13.0t", free_threaded=True),
        python((3, 11, 2), "/usr/bin/python3.11"),
        python((2, 7, 18), "/pyenv/2.7"),
    ]
    chosen = choose(found)
    assert [(p.label, p.executable) for p in chosen] == [
        ("3.11", "/usr/bin/python3.11"),
        ("3.13", "/a/python3.13"),
        ("3.13t", "/pyenv/3.13.0t"),
    ]
    assert [p.venv for p in chosen] == [".venv-3.11", ".venv-3.13", ".venv-3.13t"]


def test_find_pythons_asks_every_candidate(machine) -> None:
    asked: list[Path] = []

    # What each fake executable would answer if run (by its folder, or its own name).
    answers = {
        "usr-bin": (3, 11, 2),
        "3.12.10": (3, 12, 10),
        "3.12.1": (3, 12, 1),
        "3.13.0": (3, 13, 0),
        "miniconda3-latest": (3, 9, 0),  # a conda folder holding an old Python
    }

    def ask(path: Path) -> Python | None:
        asked.append(path)
        if path.parent == machine["shims"]:
            return None  # shims of pyenv versions that are not selected: they fail
        if path.name == "python3.13t":
            return Python((3, 13, 0), True, str(path))
        folder = path.parent.name if path.parent.name == "usr-bin" else path.parent.parent.name
        return Python(answers[folder], False, str(path))

    chosen = find_pythons([machine["usr_bin"], machine["shims"]], [machine["pyenv"]], ask=ask)
    assert len(asked) == 8
    assert [p.label for p in chosen] == ["3.11", "3.12", "3.13", "3.13t"]
    assert chosen[1].executable.endswith("3.12.10/bin/python3")


@pytest.mark.skipif(os.name != "posix", reason="fake executables are shell scripts")
def test_probe_runs_the_interpreter_and_skips_what_fails(tmp_path: Path) -> None:
    me = probe(sys.executable)
    assert me is not None
    assert me.version == tuple(sys.version_info[:3])
    shim = "#!/bin/sh\necho 'pyenv: python3.13: command not found' >&2\nexit 127\n"
    failing = _executable(tmp_path / "python3.13", shim)
    assert probe(failing) is None
    garbage = _executable(tmp_path / "python3.12", "#!/bin/sh\necho hello\n")
    assert probe(garbage) is None
    assert probe(tmp_path / "missing") is None


def test_pytest_counts_add_up_the_four_runs() -> None:
    output = [
        "........ [100%]\n",
        "============ 512 passed, 3 skipped in 80.21s (0:01:20) ============\n",
        "=========== 2 failed, 146 passed, 1 error in 42.25s ===========\n",
        "===== 148 passed in 40.00s =====\n",
        "the word passed in 3 places is not a summary\n",
    ]
    assert pytest_counts(output) == {"passed": 806, "skipped": 3, "failed": 2, "errors": 1}


def test_result_line_says_version_status_counts_and_time() -> None:
    result = Result(Python((3, 13, 0), True, "/x/python3.13t"), "passed", {"passed": 10}, 61.4)
    line = result.line()
    assert line.startswith("Python 3.13.0 free-threaded: PASSED (10 passed) in 61 s wall")
    assert ".venv-3.13t" in line

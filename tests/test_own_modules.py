"""helpers.own_modules: a private folder for the modules a notebook writes, importable by
every child, rewritten and reloaded reliably, and removed without a trace."""

from __future__ import annotations

import importlib
import multiprocessing as mp
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import own_modules
from helpers.own_modules import (
    from_module_folder,
    module_folder,
    remove_module_folder,
    write_module,
    writemodule,
)


@pytest.fixture
def folder() -> Iterator[Path]:
    yield module_folder()
    remove_module_folder()


def test_the_folder_is_private_and_first_on_sys_path(folder: Path) -> None:
    assert folder.name.startswith(own_modules.FOLDER_PREFIX)
    assert sys.path[0] == str(folder)
    assert module_folder() == folder  # once per kernel


def test_a_rewritten_module_reloads_its_new_text_at_once(folder: Path) -> None:
    write_module("version_probe", "VERSION = 1\n")
    module = importlib.import_module("version_probe")
    assert module.VERSION == 1
    write_module("version_probe", "VERSION = 2\n")  # same length, same second
    assert importlib.reload(module).VERSION == 2


@pytest.mark.parametrize("method", [m for m in ("spawn", "forkserver", "fork")
                                    if m in mp.get_all_start_methods()])
def test_children_of_every_start_method_import_the_module(folder: Path, method: str) -> None:
    write_module("child_probe", "import os\n\ndef pid(_):\n    return os.getpid()\n")
    probe = importlib.import_module("child_probe")
    with mp.get_context(method).Pool(processes=1) as pool:
        child = pool.map_async(probe.pid, [0]).get(timeout=60)[0]
    assert child != probe.pid(0)


def test_from_module_folder_tells_the_learners_functions_apart(folder: Path) -> None:
    write_module("origin_probe", "def f():\n    return 1\n")
    probe = importlib.import_module("origin_probe")
    assert from_module_folder(probe.f) and from_module_folder(probe)
    assert not from_module_folder(importlib.reload) and not from_module_folder(3)


@pytest.mark.parametrize("name", ["random", "sys", "helpers", "numpy"])
def test_a_name_that_would_hide_a_module_is_refused(folder: Path, name: str) -> None:
    importlib.import_module(name)
    with pytest.raises(ValueError, match="name"):
        write_module(name, "")
    assert not (folder / f"{name}.py").exists()


@pytest.mark.parametrize("name", ["my-tasks", "class", "", "1st", "my tasks"])
def test_a_name_that_is_no_identifier_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="name"):
        write_module(name, "")


def test_removing_forgets_the_modules_and_deletes_the_folder() -> None:
    folder = module_folder()
    write_module("gone_probe", "X = 1\n")
    importlib.import_module("gone_probe")
    assert remove_module_folder() == ["gone_probe"]
    assert not folder.exists() and str(folder) not in sys.path and "gone_probe" not in sys.modules
    assert remove_module_folder() == []


def test_the_magic_prints_the_same_line_every_time(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writemodule("magic_probe", "X = 1\nY = 2\n")
    writemodule(" magic_probe ", "X = 1\nY = 2\n")
    first, second = capsys.readouterr().out.splitlines()
    assert first == second == "wrote magic_probe.py (2 lines) in this kernel's module folder"
    with pytest.raises(ValueError, match="one module name"):
        writemodule("", "X = 1\n")

"""Your own worker modules, written from a notebook: a private folder on ``sys.path``.

A child process started with ``spawn`` or ``forkserver`` receives a function by module and
name, and imports it: so a worker function must live in a module file, not in a cell. In your
own work, that file sits beside the notebook (the notebook's folder is on ``sys.path``, and a
spawned child gets the parent's ``sys.path``). The course writes its examples into a private
folder instead, made for each kernel with :func:`tempfile.mkdtemp` and put at the front of
``sys.path``: two kernels running the same chapter at once (the test suite runs every start
method side by side) then never write, import or delete each other's files.

* :func:`module_folder` makes the folder (once per kernel) and returns it;
* :func:`write_module` writes ``NAME.py`` there; the ``%%writemodule NAME`` cell magic (registered
  when this module is imported in IPython) does the same with the cell's text, and prints one
  line that is the same every time it runs (``%%writefile`` prints "Writing", then
  "Overwriting");
* :func:`from_module_folder` says whether a function came from a module written there;
* :func:`remove_module_folder` forgets those modules and deletes the folder (the chapter's
  last cell calls it).

>>> path = write_module("doctest_own_module", "def double(x):\\n    return 2 * x\\n")
>>> import doctest_own_module
>>> doctest_own_module.double(21), from_module_folder(doctest_own_module.double)
(42, True)
>>> remove_module_folder()
['doctest_own_module']
"""

from __future__ import annotations

import importlib
import importlib.util
import keyword
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from helpers._validate import require_text
from helpers.language import say
from helpers.solutions import register_cell_magic

#: The start of the folder's name, in the system's temporary folder.
FOLDER_PREFIX = "course-modules-"

_folder: Path | None = None


def module_folder() -> Path:
    """The folder for this kernel's own modules; made, and put first on ``sys.path``, once.

    Children started with ``spawn`` or ``forkserver`` receive the parent's ``sys.path``, and
    forked children inherit it, so every worker can import what is written there.
    """
    global _folder
    if _folder is None or not _folder.is_dir():
        _folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))
    return _folder


def _require_module_name(name: object) -> str:
    name = require_text("name", name)
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"name must be a Python identifier such as 'my_tasks', got {name!r}")
    if name in sys.builtin_module_names or name in sys.stdlib_module_names:
        raise ValueError(f"name {name!r} is a module of Python itself: pick another name, or "
                         "your file would hide it")
    module = sys.modules.get(name)
    if module is not None and not _in_folder(getattr(module, "__file__", None)):
        raise ValueError(f"name {name!r} is a module imported from elsewhere: pick another "
                         "name, or your file would hide it")
    return name


def _in_folder(file: object) -> bool:
    if _folder is None or not isinstance(file, str):
        return False
    return Path(file).resolve().parent == _folder.resolve()


def write_module(name: str, source: str) -> Path:
    """Write ``source`` to ``NAME.py`` in :func:`module_folder` and return the file's path.

    Refuses a ``name`` that is not an identifier, or that would hide a module of Python or one
    already imported from elsewhere (``random``, ``helpers``). Removes the file's cached
    bytecode, so that ``importlib.reload`` sees the new text even when it was rewritten within
    the same second with the same length (Python's cache compares only those two).
    """
    name = _require_module_name(name)
    source = require_text("source", source)
    folder = module_folder()
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    for cached in (folder / "__pycache__").glob(f"{name}.*.pyc"):
        cached.unlink(missing_ok=True)
    importlib.invalidate_caches()  # a new file in a folder the import system has already read
    return path


def from_module_folder(obj: object) -> bool:
    """Whether ``obj`` (a function, a class or a module) comes from a module written here.

    >>> from helpers.workers import square
    >>> from_module_folder(square), from_module_folder(None)
    (False, False)
    """
    if isinstance(obj, type(sys)):
        return _in_folder(getattr(obj, "__file__", None))
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    return module is not None and _in_folder(getattr(module, "__file__", None))


def remove_module_folder() -> list[str]:
    """Forget the modules imported from the folder, take it off ``sys.path``, delete it.

    Returns the names of the modules forgotten, sorted. Does nothing if there is no folder.
    """
    global _folder
    if _folder is None:
        return []
    forgotten = sorted(
        name for name, module in list(sys.modules.items())
        if _in_folder(getattr(module, "__file__", None))
    )
    for name in forgotten:
        del sys.modules[name]
    while str(_folder) in sys.path:
        sys.path.remove(str(_folder))
    shutil.rmtree(_folder, ignore_errors=True)
    importlib.invalidate_caches()
    _folder = None
    return forgotten


def writemodule(line: str, cell: str) -> None:
    """The ``%%writemodule NAME`` cell magic: :func:`write_module` with the cell's text."""
    cell = require_text("cell", cell)
    words = require_text("line", line).split()
    if len(words) != 1:
        raise ValueError(f"%%writemodule takes one module name, e.g. %%writemodule my_tasks; "
                         f"got {line.strip()!r}")
    path = write_module(words[0], cell)
    lines = len(cell.splitlines())
    print(say(f"wrote {path.name} ({lines} lines) in this kernel's module folder",
              f"已写入 {path.name}（{lines} 行），位于这个内核的模块文件夹中"))


def register(shell: Any = None) -> bool:
    """Register ``%%writemodule`` in ``shell`` (default: the running IPython); False if none."""
    return register_cell_magic(writemodule, "writemodule", shell)


register()

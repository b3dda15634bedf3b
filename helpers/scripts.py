"""Run a course script in a fresh Python interpreter, as a terminal would, and keep what it printed.

Some lessons need a real ``python script.py`` run: the ``if __name__ == "__main__":`` guard
matters only for a script, and a child's ``print`` lands in the terminal of the script that
started it. :func:`run_script` does that run with a time-out, so a broken script cannot hang
the notebook.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from helpers._validate import require_path, require_seconds

#: The folder of the course's chapters: a script named by a relative path that is not in the
#: current folder is looked up here, so that a chapter of the Chinese edition (notebooks/zh/)
#: runs ``scripts/...`` as the English one does, with the same code.
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b:?")


@dataclass(frozen=True)
class ScriptRun:
    """What a script run printed, and how it ended."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def exception_lines(self) -> list[str]:
        """The lines of stderr that name an exception, such as ``RuntimeError: ...``.

        A traceback's other lines hold file paths that differ from machine to machine. When
        the message starts on the next line (as multiprocessing's bootstrapping error does),
        its first line is joined on.
        """
        lines = self.stderr.splitlines()
        found = []
        for index, line in enumerate(lines):
            if not _EXCEPTION_LINE.match(line):
                continue
            if line.rstrip().endswith(":"):
                following = [rest.strip() for rest in lines[index + 1 :] if rest.strip()]
                line = f"{line.rstrip()} {following[0]}" if following else line.rstrip()
            found.append(line.rstrip())
        return found


def run_script(path: str | Path, *args: str, timeout: float = 60) -> ScriptRun:
    """Run ``python -u path args...`` and return what it printed.

    ``-u`` turns off output buffering, so lines from the parent and its children arrive in the
    order they were printed. The script inherits this process's environment, and with it the
    test suite's simulated spawn-only platform (``COURSE_PLATFORM=spawn-only``, see
    ``tools/spawn_only.py``): there, as on Windows, the script has no ``fork`` either.

    A relative ``path`` is looked up in the current folder, then in the course's ``notebooks/``
    folder (the Chinese chapters, in ``notebooks/zh/``, share its ``scripts/``).

    Raises ``FileNotFoundError`` if the script does not exist and
    ``subprocess.TimeoutExpired`` (after killing it) if it runs longer than ``timeout`` seconds.
    """
    script = require_path("path", path)
    require_seconds("timeout", timeout)
    if not script.is_file() and not script.is_absolute() and (NOTEBOOKS / script).is_file():
        script = NOTEBOOKS / script
    if not script.is_file():
        raise FileNotFoundError(f"path must name a script file; {str(script)!r} is not one")
    completed = subprocess.run(
        [sys.executable, "-u", str(script), *map(str, args)],
        env={**os.environ, "PYTHON_COLORS": "0"},  # plain tracebacks, no colour codes (3.13+)
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return ScriptRun(completed.returncode, completed.stdout, completed.stderr)

"""The ``%%solution`` cell magic: a solution runs only when it is asked for.

Every exercise in the course is followed by a solution cell whose first line is
``%%solution``. Its code is folded away in JupyterLab, and *Run All* does not run it: a
learner who runs the notebook top to bottom sees the check say "Not yet" for their own answer,
never the solution's "Correct!". The solution runs

* when its first line says so: ``%%solution run`` (a learner who wants to try it), or
* when the environment variable ``COURSE_RUN_SOLUTIONS`` is ``1``: the course's test suite and
  ``make outputs`` set it, so every solution is executed and tested against its check.

Otherwise the cell only prints how to run it. Importing :mod:`helpers.checks` registers the
magic; ``%load_ext helpers.solutions`` does too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from helpers._validate import require_callable, require_has, require_mapping, require_text
from helpers.language import say

#: Set to ``1`` to make every ``%%solution`` cell run (the test suite and ``make outputs`` do).
RUN_ENV = "COURSE_RUN_SOLUTIONS"

NOT_RUN = (
    "This solution was not run (Run All skips solutions). To run it, change its first line "
    "to %%solution run"
)
#: :data:`NOT_RUN` in Chinese (the cell prints the one of the learner's language).
NOT_RUN_ZH = (
    "这个参考答案没有运行（Run All 会跳过参考答案）。要运行它，请把它的第一行改为 "
    "%%solution run"
)


def should_run(line: str, environ: dict[str, str] | None = None) -> bool:
    """Whether a ``%%solution`` cell with magic line ``line`` runs.

    >>> should_run("run", {}), should_run("", {}), should_run("", {RUN_ENV: "1"})
    (True, False, True)
    """
    require_text("line", line)
    environ = os.environ if environ is None else require_mapping("environ", environ)
    words = line.split("#", 1)[0].split()
    if any(word != "run" for word in words):
        raise ValueError(f"%%solution takes no argument or 'run', got {line.strip()!r}")
    return bool(words) or environ.get(RUN_ENV, "") == "1"


def solution(line: str, cell: str) -> Any:
    """Run the cell's code if :func:`should_run` says so, else say how to run it."""
    from IPython import get_ipython

    if not should_run(line):
        print(say(NOT_RUN, NOT_RUN_ZH))
        return None
    result = get_ipython().run_cell(cell, store_history=False)
    if result.error_before_exec or result.error_in_exec:
        # run_cell has shown the traceback; make the cell fail as a normal cell would.
        raise RuntimeError(say("the solution raised an error (traceback above)",
                               "参考答案抛出了错误（回溯信息见上方）"))
    return None


def register(shell: Any = None) -> bool:
    """Register ``%%solution`` in ``shell`` (default: the running IPython); False if none."""
    return register_cell_magic(solution, "solution", shell)


def register_cell_magic(function: Callable[[str, str], Any], name: str, shell: Any = None
                        ) -> bool:
    """Register ``function(line, cell)`` as the cell magic ``%%name`` in ``shell`` (default:
    the running IPython); False if there is none (plain Python, a script, a test)."""
    require_callable("function", function)
    if not require_text("name", name).isidentifier():
        raise ValueError(f"name must be a magic's name such as 'solution', got {name!r}")
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover
            return False
        shell = get_ipython()
    if shell is None:
        return False
    require_has("shell", shell, "register_magic_function", example="get_ipython()")
    shell.register_magic_function(function, magic_kind="cell", magic_name=name)
    return True


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext helpers.solutions``."""
    register(shell)

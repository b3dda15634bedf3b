"""The course's own code runs on Windows and macOS: no POSIX-only call outside the harness.

Most learners are on Windows or macOS. The spawn-only run of the notebooks
(``--platform=spawn-only``) catches what fails at run time there, but it keeps POSIX signals
and most of ``os`` (the standard library needs them on Linux). So this test reads the code
instead: ``helpers/``, ``tools/`` (except the test harness), the scripts the chapters run and
every code cell of every notebook must not use what only POSIX systems have (``os.fork``,
``os.setsid``, ``signal.SIGKILL``, ``fcntl``, ...), nor ask for the ``fork`` or
``forkserver`` start method by name. Each exception is listed in ``ALLOWED`` with the reason;
an ``os`` function listed there must be guarded by ``hasattr(os, ...)`` in its file.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent

# The test harness: it runs only where the suite runs (Linux: /dev/shm, every start method).
HARNESS = {
    "tools/kernel_profile.py": "the kernels' profile, for the test suite and make outputs",
    "tools/spawn_only.py": "the spawn-only simulation itself removes os.fork",
    "tools/test_all.py": "runs the whole suite under each Python (pyenv, Linux)",
}

# Absent from Windows' os module (many also from macOS's: sched_*affinity, pipe2, ...).
POSIX_ONLY_OS = frozenset(
    """fork forkpty register_at_fork setsid getsid setpgid setpgrp getpgid getpgrp killpg
    getuid geteuid getgid getegid setuid seteuid setgid setegid getgroups initgroups
    sched_getaffinity sched_setaffinity sched_yield sched_setscheduler sched_getscheduler
    getloadavg nice getpriority setpriority uname wait wait3 wait4 WNOHANG WUNTRACED mkfifo
    mknod pipe2 sysconf confstr pathconf fpathconf statvfs fstatvfs chown lchown fchown chroot
    openpty ttyname ctermid tcgetpgrp tcsetpgrp posix_spawn posix_spawnp sync sendfile
    memfd_create eventfd pidfd_open""".split()
)
# Windows has SIGINT, SIGTERM, SIGABRT, SIGFPE, SIGILL, SIGSEGV, SIGBREAK; nothing else here.
POSIX_ONLY_SIGNAL = frozenset(
    """SIGKILL SIGALRM SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGCHLD SIGPIPE SIGSTOP SIGCONT SIGTSTP
    SIGTTIN SIGTTOU SIGWINCH SIGXCPU SIGXFSZ SIGVTALRM SIGPROF SIGIO SIGURG SIGTRAP SIGSYS
    SIGBUS alarm setitimer getitimer ITIMER_REAL ITIMER_VIRTUAL ITIMER_PROF pause pthread_kill
    pthread_sigmask sigpending sigwait sigwaitinfo sigtimedwait siginterrupt""".split()
)
POSIX_ONLY_MODULES = frozenset(
    "fcntl resource termios tty pty pwd grp posix syslog crypt spwd nis".split()
)
NO_SUCH_METHOD = ("fork", "forkserver")

# (file or notebook cell, what it uses) -> why that is fine.
ALLOWED = {
    ("helpers/system.py", "os.sched_getaffinity"):
        "guarded by hasattr(os, 'sched_getaffinity'); macOS and Windows count os.cpu_count()",
    ("tools/bench.py", "os.getloadavg"):
        "guarded by hasattr(os, 'getloadavg'); the load is reported as None on Windows",
    ("tools/lab.py", "os.geteuid"):
        "guarded by hasattr(os, 'geteuid'): only root on POSIX needs --allow-root",
    ("notebooks/00_introduction.ipynb:c07a", "get_context('fork')"):
        "runs only if 'fork' is in get_all_start_methods(); on Windows the cell says so",
    ("notebooks/07_your_own_code.ipynb:c24", "get_context('fork')"):
        "the fork-era 'before' demo runs only if 'fork' is in get_all_start_methods()",
}


@dataclass(frozen=True)
class Use:
    where: str
    what: str
    line: int


class _Finder(ast.NodeVisitor):
    def __init__(self, where: str) -> None:
        self.where = where
        self.uses: list[Use] = []
        self.aliases = {"os": "os", "signal": "signal"}

    def _add(self, node: ast.AST, what: str) -> None:
        self.uses.append(Use(self.where, what, getattr(node, "lineno", 0)))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top in POSIX_ONLY_MODULES:
                self._add(node, f"import {alias.name}")
            if alias.name in ("os", "signal"):
                self.aliases[alias.asname or alias.name] = alias.name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module.split(".")[0] in POSIX_ONLY_MODULES:
            self._add(node, f"import {module}")
        only = {"os": POSIX_ONLY_OS, "signal": POSIX_ONLY_SIGNAL}.get(module, frozenset())
        for alias in node.names:
            if alias.name in only:
                self._add(node, f"{module}.{alias.name}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name):
            module = self.aliases.get(node.value.id)
            only = {"os": POSIX_ONLY_OS, "signal": POSIX_ONLY_SIGNAL}.get(module or "", ())
            if node.attr in only:
                self._add(node, f"{module}.{node.attr}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        if name in ("get_context", "set_start_method") and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and first.value in NO_SUCH_METHOD:
                self._add(node, f"{name}({first.value!r})")
        self.generic_visit(node)


def posix_only_uses(source: str, where: str) -> list[Use]:
    """What ``source`` uses that only POSIX systems have."""
    finder = _Finder(where)
    finder.visit(ast.parse(source))
    return finder.uses


def _cell_code(source: str) -> str:
    """A notebook cell's Python: IPython's magics and shell lines blanked out."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def course_sources() -> list[tuple[str, str]]:
    """``(where, source)`` for every file and notebook code cell of the course's own code."""
    sources = []
    files = [*sorted((ROOT / "helpers").rglob("*.py")), *sorted((ROOT / "tools").glob("*.py")),
             *sorted((ROOT / "notebooks" / "scripts").glob("*.py"))]
    for path in files:
        where = path.relative_to(ROOT).as_posix()
        if where not in HARNESS:
            sources.append((where, path.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                where = f"{path.relative_to(ROOT).as_posix()}:{cell.id}"
                sources.append((where, _cell_code(cell.source)))
    return sources


def test_the_course_uses_nothing_posix_only_outside_the_allow_list() -> None:
    found = [use for where, source in course_sources() for use in posix_only_uses(source, where)]
    unexplained = [f"{u.where}, line {u.line}: {u.what}" for u in found
                   if (u.where, u.what) not in ALLOWED]
    assert unexplained == [], "POSIX-only (absent on Windows):\n" + "\n".join(unexplained)
    stale = set(ALLOWED) - {(u.where, u.what) for u in found}
    assert stale == set(), "allowed but no longer used: remove from ALLOWED"


@pytest.mark.parametrize(("where", "what"), sorted(k for k in ALLOWED if k[1].startswith("os.")))
def test_each_allowed_os_function_is_guarded(where: str, what: str) -> None:
    source = (ROOT / where).read_text(encoding="utf-8")
    name = what.removeprefix("os.")
    assert f'hasattr(os, "{name}")' in source or f"hasattr(os, '{name}')" in source


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import os\nos.fork()", ["os.fork"]),
        ("import os as o\nprint(o.sched_getaffinity(0))", ["os.sched_getaffinity"]),
        ("from os import setsid\nsetsid()", ["os.setsid"]),
        ("import signal\np.send_signal(signal.SIGKILL)", ["signal.SIGKILL"]),
        ("from signal import alarm", ["signal.alarm"]),
        ("import fcntl", ["import fcntl"]),
        ("from resource import setrlimit", ["import resource"]),
        ("import multiprocessing as mp\nmp.get_context('fork')", ["get_context('fork')"]),
        ("mp.set_start_method('forkserver', force=True)", ["set_start_method('forkserver')"]),
        ("import os, signal\nos.kill(pid, signal.SIGTERM)\nmp.get_context('spawn')", []),
        ("p.terminate()\np.kill()\nos.cpu_count()", []),
    ],
)
def test_the_reader_finds_posix_only_calls(source: str, expected: list[str]) -> None:
    assert [use.what for use in posix_only_uses(source, "x")] == expected


def test_magics_are_not_read_as_python() -> None:
    assert _cell_code("%%solution\n# note\nx = 1") == "\n# note\nx = 1"

"""Run the whole test suite (`make test`) under every Python >= 3.11 found on this machine.

    python3 -m tools.test_all            # what `make test-all` runs
    python3 -m tools.test_all --list     # only say which Pythons it would use
    python3 -m tools.test_all --only 3.12 --only 3.13t

Pythons are looked for, in this order, as ``python3.11`` ... ``python3.14`` and their
free-threaded builds (``python3.13t``, ``python3.14t``) on ``PATH``, then in the versions of
pyenv (``$PYENV_ROOT`` and ``~/.pyenv``) if present. Each candidate is run once to ask its
version (a pyenv shim of a version that is not selected fails, and is skipped); the first
interpreter of each version (3.12, 3.13t, ...) is used.

Each Python gets its own environment, ``.venv-3.12/`` for instance, made by
``make setup PYTHON=... VENV=...`` and reinstalled only when ``pyproject.toml`` changes, as
``.venv/`` is. Then ``make test`` runs with it. The Pythons run one after another, never side
by side: the suite itself already uses every core. Nothing is downloaded but the packages pip
installs. The last lines say, for each Python, what it gave and how long it took; the exit
status is 0 only if every Python passed.

Standard library only: this runs before any environment exists.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OLDEST = (3, 11)
# The names looked for on PATH (and in a pyenv version's bin/). Extend when a Python appears.
MINORS = (11, 12, 13, 14)
NAMES = tuple(f"python3.{minor}{t}" for minor in MINORS for t in ("", "t"))
# Works on any Python, even 2.7, so that an old interpreter answers instead of crashing.
_PROBE = (
    "import sys, sysconfig; "
    "print('%d %d %d %d %s' % (sys.version_info[0], sys.version_info[1], sys.version_info[2], "
    "1 if sysconfig.get_config_var('Py_GIL_DISABLED') else 0, sys.executable))"
)
_PYENV_VERSION = re.compile(r"^(?:cpython-)?(\d+)\.(\d+)")
# pytest's last line: "==== 12 passed, 1 failed, 2 skipped in 30.5s ====".
_PYTEST_SUMMARY = re.compile(r"^=+ (.*\d+ \w+.*) in [\d.]+s(?: \([\d:]+\))? =+$")
_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


@dataclass(frozen=True)
class Python:
    """One interpreter found: its version, whether it is a free-threaded build, its path."""

    version: tuple[int, int, int]
    free_threaded: bool
    executable: str

    @property
    def label(self) -> str:
        """``3.13`` or ``3.13t``: one environment per label."""
        return f"{self.version[0]}.{self.version[1]}{'t' if self.free_threaded else ''}"

    @property
    def venv(self) -> str:
        return f".venv-{self.label}"


def candidates(path_dirs: Iterable[str | Path], pyenv_roots: Iterable[str | Path]) -> list[Path]:
    """Executables that may be a Python >= 3.11, in the order they should be preferred.

    First ``python3.11`` ... ``python3.14t`` in each folder of ``path_dirs`` (PATH order), then,
    in each pyenv root, every ``versions/<name>/bin/python3`` and ``python3.NN[t]`` whose
    version folder is not named after a Python older than 3.11. Only looks at the file
    system; :func:`probe` tells which ones really run.
    """
    found: list[Path] = []
    for folder in path_dirs:
        if not str(folder):
            continue
        for name in NAMES:
            path = Path(folder) / name
            if path.is_file() and os.access(path, os.X_OK):
                found.append(path)
    for root in pyenv_roots:
        versions = Path(root) / "versions"
        if not versions.is_dir():
            continue
        for version_dir in sorted(versions.iterdir(), key=_version_dir_order):
            match = _PYENV_VERSION.match(version_dir.name)
            if match and (int(match[1]), int(match[2])) < OLDEST:
                continue
            for name in ("python3", *NAMES):
                path = version_dir / "bin" / name
                if path.is_file() and os.access(path, os.X_OK):
                    found.append(path)
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def _version_dir_order(path: Path) -> tuple[int, tuple[int, ...], str]:
    """Newest first among pyenv's version folders (3.12.10 before 3.12.9); others last."""
    if not _PYENV_VERSION.match(path.name):
        return (1, (), path.name)
    return (0, tuple(-int(n) for n in re.findall(r"\d+", path.name)), path.name)


def probe(executable: str | Path, timeout: float = 20.0) -> Python | None:
    """Run ``executable`` once and return what it is, or None if it does not run."""
    try:
        answer = subprocess.run(
            [str(executable), "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if answer.returncode != 0:
        return None
    parts = answer.stdout.strip().split(" ", 4)
    if len(parts) != 5 or not all(p.isdigit() for p in parts[:4]):
        return None
    major, minor, micro, gil_disabled = (int(p) for p in parts[:4])
    return Python((major, minor, micro), bool(gil_disabled), parts[4] or str(executable))


def choose(found: Iterable[Python | None]) -> list[Python]:
    """One interpreter per label (3.12, 3.13t, ...), >= 3.11, the first found of each; sorted."""
    chosen: dict[str, Python] = {}
    for python in found:
        if python is None or python.version[:2] < OLDEST:
            continue
        chosen.setdefault(python.label, python)
    return sorted(chosen.values(), key=lambda p: (p.version[:2], p.free_threaded))


def find_pythons(
    path_dirs: Iterable[str | Path] | None = None,
    pyenv_roots: Iterable[str | Path] | None = None,
    ask: Callable[[Path], Python | None] = probe,
) -> list[Python]:
    """Every Python >= 3.11 on this machine (see the module docstring), one per version."""
    if path_dirs is None:
        path_dirs = os.environ.get("PATH", "").split(os.pathsep)
    if pyenv_roots is None:
        pyenv_roots = [
            root for root in (os.environ.get("PYENV_ROOT"), Path.home() / ".pyenv") if root
        ]
    return choose(ask(path) for path in candidates(path_dirs, pyenv_roots))


@dataclass
class Result:
    python: Python
    status: str = "not run"  # "passed", "failed", "set-up failed"
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        counts = ", ".join(f"{n} {what}" for what, n in self.counts.items()) or "no counts"
        return (
            f"Python {'.'.join(map(str, self.python.version))}"
            f"{' free-threaded' if self.python.free_threaded else ''}: {self.status.upper()}"
            f" ({counts}) in {self.seconds:.0f} s wall  [{self.python.venv}, "
            f"{self.python.executable}]"
        )


def pytest_counts(output: Iterable[str]) -> dict[str, int]:
    """The counts of every pytest summary line in ``output``, added up.

    The suite is several pytest runs: the unit tests, then one per notebook mode.
    """
    totals: dict[str, int] = {}
    for line in output:
        match = _PYTEST_SUMMARY.match(line.strip())
        if not match:
            continue
        for number, what in _COUNT.findall(match[1]):
            what = "errors" if what.startswith("error") else what
            totals[what] = totals.get(what, 0) + int(number)
    return totals


def _run(command: Sequence[str]) -> tuple[int, list[str]]:
    """Run ``command`` in the repository, showing its output as it comes; return it too."""
    print("$", " ".join(command), flush=True)
    lines: list[str] = []
    with subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
    return process.returncode, lines


def run_suite(python: Python, make: str | None = None) -> Result:
    """Set up ``python``'s environment (if needed), then run ``make test`` with it.

    ``make`` defaults to ``$MAKE`` (the make that ran ``make test-all``), else ``make``.
    """
    make = make or os.environ.get("MAKE") or "make"
    result = Result(python)
    start = time.perf_counter()
    variables = [f"PYTHON={python.executable}", f"VENV={python.venv}"]
    print(f"\n===== Python {python.label} ({python.executable}) =====", flush=True)
    code, _ = _run([make, "--no-print-directory", "setup", *variables])
    if code != 0:
        result.status = "set-up failed"
    else:
        code, lines = _run([make, "--no-print-directory", "test", *variables])
        result.counts = pytest_counts(lines)
        result.status = "passed" if code == 0 else "failed"
    result.seconds = time.perf_counter() - start
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="only list the Pythons found")
    parser.add_argument(
        "--only", action="append", metavar="LABEL", help="run only this Python (3.12, 3.13t)"
    )
    args = parser.parse_args(argv)

    pythons = find_pythons()
    if args.only:
        pythons = [p for p in pythons if p.label in args.only]
    if not pythons:
        print(f"No Python >= {OLDEST[0]}.{OLDEST[1]} found (looked for {', '.join(NAMES)}).")
        return 1
    for python in pythons:
        print(f"found Python {python.label}: {python.executable} -> {python.venv}/")
    if args.list:
        return 0

    results = [run_suite(python) for python in pythons]  # one after another, on purpose
    print("\n===== make test-all: one line per Python =====")
    for result in results:
        print(result.line())
    return 0 if all(r.status == "passed" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

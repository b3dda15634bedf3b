"""The pre-class check: ``make doctor``, or ``python -m tools.doctor`` from the course's folder.

It says, in plain words, whether this machine is ready for the class, and what to do about
each problem it finds:

* the Python version (the course needs 3.11 or newer);
* the course installed: ``helpers`` importable by a fresh Python of this environment (from
  any folder, as a spawned worker imports it);
* JupyterLab installed (4 or newer);
* the CPUs this Python may use (one CPU: the course runs, but shows no speed-up);
* the start methods this platform offers;
* a worker process started with ``spawn`` (as on macOS and Windows) really runs a function of
  ``helpers`` and answers, within a time-out;
* free disk space.

It installs nothing and needs no network. It exits with status 0 when nothing stops the
class (notes may remain), and 1 when there is a problem to fix first.

Every sentence it prints is in :data:`MESSAGES`, one table keyed by message id, with
``{placeholders}``: a translation (the Chinese edition) adds a table with the same keys and
placeholders. tests/test_doctor.py keeps the tables in step. ``--language`` picks one; without
it, :func:`default_language` does: the course's own switch (``COURSE_LANGUAGE``, as set by
``helpers.language.use_language``), else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``),
so that a learner whose system speaks Chinese reads the report in Chinese.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import multiprocessing as mp
import os
import platform
import re
import shutil
import string
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

ROOT = Path(__file__).resolve().parent.parent
MINIMUM_PYTHON = (3, 11)
MINIMUM_JUPYTERLAB = (4, 0)
#: What the course's environment and the notebooks' temporary files need, with room to spare.
MINIMUM_FREE_BYTES = 2 * 1024**3
#: How long a spawned worker may take to start and answer (a first start on a slow laptop
#: with antivirus software can take several seconds).
SPAWN_TIMEOUT = 60.0

Status = Literal["ok", "note", "problem"]

#: The course's language switch (``helpers.language.LANGUAGE_ENV``; the doctor must run where
#: the course is not installed, so it does not import it).
LANGUAGE_ENV = "COURSE_LANGUAGE"
#: The locale's variables, in their order of precedence: the first one set decides.
LOCALE_ENVS = ("LC_ALL", "LC_MESSAGES", "LANG")

#: Every sentence the doctor prints, by language and message id.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        # the report
        "title": "Pre-class check of the parallel-Python course",
        "running-with": "Checking the Python at {python}",
        "label-ok": "ok",
        "label-note": "note",
        "label-problem": "PROBLEM",
        "what-to-do": "What to do:",
        "ready": "Ready for class.",
        "ready-with-notes": "Ready for class; read the notes above.",
        "not-ready": "Not ready yet: {count} problem(s) above, each with what to do.",
        # Python
        "python-ok": "Python {version}: new enough (the course needs {minimum} or newer).",
        "python-too-old": "Python {version} is too old: the course needs {minimum} or newer.",
        "fix-python-too-old": (
            "Install Python 3.12 (python.org, your package manager, or conda), then in the "
            "course's folder run `make setup PYTHON=python3.12`; with conda: "
            "`conda env create -f environment.yml`."
        ),
        # the course's package
        "course-ok": "The course is installed: this Python imports `helpers` from {path}.",
        "course-elsewhere": (
            "This Python imports `helpers` from {path}, not from this folder ({here}): "
            "another copy of the course is installed."
        ),
        "fix-course-elsewhere": (
            "Run the course from the folder it is installed from, or install this copy: "
            "`make setup` here (or `python -m pip install -e .` with this environment active)."
        ),
        "course-missing": (
            "The course is not installed: this Python cannot import `helpers` "
            "({error})."
        ),
        "fix-course-missing": (
            "In the course's folder run `make setup` (it makes .venv/ and installs the course), "
            "then run `make doctor` again. Without make: `python -m pip install -e .` with your "
            "environment active; with conda: `conda env create -f environment.yml`."
        ),
        # JupyterLab
        "jupyterlab-ok": "JupyterLab {version} is installed.",
        "jupyterlab-missing": "JupyterLab is not installed in this environment.",
        "jupyterlab-too-old": (
            "JupyterLab {version} is too old: the course needs {minimum} or "
            "newer."
        ),
        "fix-jupyterlab": (
            "Install the course with its dependencies: `make setup` in the course's folder (or "
            "`python -m pip install -e .`). Then start it with `make lab`."
        ),
        # CPUs
        "cores-ok": (
            "{usable} CPUs usable by Python ({logical} logical): speed-ups up to about "
            "{usable}x."
        ),
        "cores-one": (
            "Python may use only 1 CPU here ({logical} logical): the course runs, but the "
            "speed-up cells show no speed-up."
        ),
        "fix-cores-one": (
            "Nothing to install. On a laptop, check that no setting limits Python to one CPU; on "
            "a shared server or a one-core Binder, follow the instructor's explanation of the "
            "timing cells instead of expecting a speed-up."
        ),
        "cores-quota": (
            "{usable} CPUs usable, but a CPU quota allows only {quota} CPUs' worth of time "
            "(a container limit): expect speed-ups up to about {quota}x."
        ),
        # start methods
        "start-methods-ok": "Start methods offered: {methods} (default: {default}).",
        "start-methods-no-fork": (
            "Start methods offered: {methods} (default: {default}). No fork here, as on "
            "Windows: every chapter runs with spawn, and the cells about fork say what "
            "happens instead."
        ),
        # a spawned worker
        "spawn-ok": (
            "A worker process started with spawn ran the course's code and answered in {seconds} "
            "s."
        ),
        "spawn-skipped": "A spawned worker was not tried: the course is not installed (see above).",
        "spawn-failed": (
            "A worker process started with spawn did not run the course's code (exit code "
            "{exitcode}): {error}"
        ),
        "fix-spawn-failed": (
            "A spawned worker is a fresh Python that imports `helpers`: install the course in "
            "this environment (`make setup`), start JupyterLab from the same environment "
            "(`make lab`), and restart the kernel. If it still fails, show this message to your "
            "instructor."
        ),
        "spawn-timeout": "A worker process started with spawn did not answer within {timeout} s.",
        "fix-spawn-timeout": (
            "The machine may be very busy, or antivirus software may be scanning every new "
            "Python process (Windows): close other programs and run `make doctor` again. If it "
            "stays, show this message to your instructor."
        ),
        "spawn-wrong-answer": (
            "A worker process started with spawn answered {answer!r} instead of "
            "{expected}."
        ),
        # disk
        "disk-ok": "{free} free on the disk of the course's folder.",
        "disk-low": (
            "Only {free} free on the disk of the course's folder; the course needs about "
            "{need}."
        ),
        "fix-disk-low": (
            "Free some disk space (the course's environment takes about 1 GB, and the notebooks "
            "write temporary files), then run `make doctor` again."
        ),
        # pieces of the sentences above
        "error-exit-code": "exit code {exitcode}",
        "error-printed-above": "its error is printed above",
        "error-no-answer": "it sent no answer",
    },
    "zh": {
        # the report
        "title": "并行 Python 课程的课前检查",
        "running-with": "正在检查的 Python：{python}",
        "label-ok": "正常",
        "label-note": "注意",
        "label-problem": "问题",
        "what-to-do": "怎么办：",
        "ready": "可以上课了。",
        "ready-with-notes": "可以上课了；请读一读上面的注意事项。",
        "not-ready": "还没有准备好：上面有 {count} 个问题，每个都写了怎么办。",
        # Python
        "python-ok": "Python {version}：版本够新（课程需要 {minimum} 或更新的版本）。",
        "python-too-old": "Python {version} 太旧了：课程需要 {minimum} 或更新的版本。",
        "fix-python-too-old": (
            "安装 Python 3.12（python.org、你的包管理器或 conda），然后在课程文件夹里运行 "
            "`make setup PYTHON=python3.12`；用 conda 的话："
            "`conda env create -f environment.yml`。"
        ),
        # the course's package
        "course-ok": "课程已安装：这个 Python 从 {path} 导入 `helpers`。",
        "course-elsewhere": (
            "这个 Python 从 {path} 导入 `helpers`，而不是从这个文件夹（{here}）："
            "安装的是课程的另一份副本。"
        ),
        "fix-course-elsewhere": (
            "在课程安装所在的文件夹里运行课程，或者安装这一份：在这里运行 `make setup`"
            "（或者在激活这个环境后运行 `python -m pip install -e .`）。"
        ),
        "course-missing": (
            "课程还没有安装：这个 Python 无法导入 `helpers`（{error}）。"
        ),
        "fix-course-missing": (
            "在课程文件夹里运行 `make setup`（它会创建 .venv/ 并安装课程），然后再运行一次 "
            "`make doctor`。没有 make 的话：激活你的环境后运行 `python -m pip install -e .`；"
            "用 conda 的话：`conda env create -f environment.yml`。"
        ),
        # JupyterLab
        "jupyterlab-ok": "JupyterLab {version} 已安装。",
        "jupyterlab-missing": "这个环境里没有安装 JupyterLab。",
        "jupyterlab-too-old": (
            "JupyterLab {version} 太旧了：课程需要 {minimum} 或更新的版本。"
        ),
        "fix-jupyterlab": (
            "连同依赖一起安装课程：在课程文件夹里运行 `make setup`（或者 "
            "`python -m pip install -e .`）。然后用 `make lab` 启动它。"
        ),
        # CPUs
        "cores-ok": (
            "Python 可以使用 {usable} 个 CPU（逻辑 CPU {logical} 个）：加速比最高约 "
            "{usable}x。"
        ),
        "cores-one": (
            "这里 Python 只能使用 1 个 CPU（逻辑 CPU {logical} 个）：课程能运行，但测加速比的"
            "单元格看不到加速。"
        ),
        "fix-cores-one": (
            "不需要安装任何东西。在笔记本电脑上，检查有没有设置把 Python 限制在一个 CPU 上；"
            "在共享服务器或单核的 Binder 上，请跟着讲师对计时单元格的讲解走，不要指望看到加速。"
        ),
        "cores-quota": (
            "可以使用 {usable} 个 CPU，但 CPU 配额只允许相当于 {quota} 个 CPU 的时间"
            "（容器的限制）：加速比最高约 {quota}x。"
        ),
        # start methods
        "start-methods-ok": "可用的启动方式：{methods}（默认：{default}）。",
        "start-methods-no-fork": (
            "可用的启动方式：{methods}（默认：{default}）。这里没有 fork，和 Windows 上一样："
            "每一章都用 spawn 运行，讲 fork 的单元格会说明这时会发生什么。"
        ),
        # a spawned worker
        "spawn-ok": (
            "用 spawn 启动的工作进程运行了课程的代码，并在 {seconds} 秒内作答。"
        ),
        "spawn-skipped": "没有尝试 spawn 启动工作进程：课程还没有安装（见上）。",
        "spawn-failed": (
            "用 spawn 启动的工作进程没能运行课程的代码（退出码 {exitcode}）：{error}"
        ),
        "fix-spawn-failed": (
            "spawn 启动的工作进程是一个全新的 Python，它要导入 `helpers`：请在这个环境里安装"
            "课程（`make setup`），从同一个环境启动 JupyterLab（`make lab`），然后重启内核。"
            "如果还是失败，请把这条消息给讲师看。"
        ),
        "spawn-timeout": "用 spawn 启动的工作进程在 {timeout} 秒内没有作答。",
        "fix-spawn-timeout": (
            "机器可能非常忙，或者杀毒软件可能在扫描每一个新的 Python 进程（Windows）："
            "关掉其他程序，再运行一次 `make doctor`。如果问题依旧，请把这条消息给讲师看。"
        ),
        "spawn-wrong-answer": (
            "用 spawn 启动的工作进程答的是 {answer!r}，而不是 {expected}。"
        ),
        # disk
        "disk-ok": "课程文件夹所在的磁盘上有 {free} 可用空间。",
        "disk-low": (
            "课程文件夹所在的磁盘上只有 {free} 可用空间；课程大约需要 {need}。"
        ),
        "fix-disk-low": (
            "腾出一些磁盘空间（课程的环境大约占 1 GB，笔记本还会写临时文件），然后再运行一次 "
            "`make doctor`。"
        ),
        # pieces of the sentences above
        "error-exit-code": "退出码 {exitcode}",
        "error-printed-above": "它的错误已打印在上面",
        "error-no-answer": "它没有发回答案",
    },
}


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """The report's language when ``--language`` is not given: ``COURSE_LANGUAGE`` if it names
    a language of :data:`MESSAGES`, else Chinese if the locale's first variable that is set
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) starts with ``zh``, else English.

    >>> default_language({"LANG": "zh_CN.UTF-8"}), default_language({"LANG": "de_DE.UTF-8"})
    ('zh', 'en')
    >>> default_language({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"})
    'en'
    >>> default_language({"COURSE_LANGUAGE": "en", "LANG": "zh_CN.UTF-8"})
    'en'
    """
    environ = os.environ if environ is None else environ
    course = environ.get(LANGUAGE_ENV, "")
    if course in MESSAGES:
        return course
    for name in LOCALE_ENVS:
        value = environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


@dataclass(frozen=True)
class Said:
    """A value of a message that is itself a piece of a sentence (message id and values),
    said in the report's language."""

    says: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        return MESSAGES[language][self.says].format(**self.values)


@dataclass(frozen=True)
class Finding:
    """What one check found: a status, a message id with its values, and what to do."""

    check: str
    status: Status
    says: str
    values: dict[str, Any] = field(default_factory=dict)
    fix: str | None = None

    def _values(self, language: str) -> dict[str, Any]:
        return {key: value.text(language) if isinstance(value, Said) else value
                for key, value in self.values.items()}

    def text(self, language: str = "en") -> str:
        return MESSAGES[language][self.says].format(**self._values(language))

    def advice(self, language: str = "en") -> str | None:
        if self.fix is None:
            return None
        return MESSAGES[language][self.fix].format(**self._values(language))


def _version_text(version: Sequence[int]) -> str:
    return ".".join(str(part) for part in version)


def _size_text(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


# --- the checks ------------------------------------------------------------------------------


def check_python(version: Sequence[int] = tuple(sys.version_info[:3])) -> Finding:
    """The Python version against the course's minimum."""
    values = {"version": _version_text(version), "minimum": _version_text(MINIMUM_PYTHON)}
    if tuple(version[:2]) >= MINIMUM_PYTHON:
        return Finding("python", "ok", "python-ok", values)
    return Finding("python", "problem", "python-too-old", values, "fix-python-too-old")


def check_course_installed(
    python: Sequence[str] = (sys.executable,), here: Path = ROOT, timeout: float = 60.0
) -> Finding:
    """Can a fresh Python of this environment import ``helpers``, from any folder?

    It runs in a temporary folder, so that the course's own folder on ``sys.path`` cannot hide
    a missing install: a spawned worker must find ``helpers`` the same way.
    """
    script = "import helpers, pathlib; print(pathlib.Path(helpers.__file__).resolve().parent)"
    with tempfile.TemporaryDirectory() as elsewhere:
        environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        try:
            run = subprocess.run(
                [*python, "-c", script],
                cwd=elsewhere,
                env=environment,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return Finding(
                "course", "problem", "course-missing", {"error": str(error)}, "fix-course-missing"
            )
    if run.returncode != 0:
        error = _last_error_line(run.stderr) or Said("error-exit-code",
                                                     {"exitcode": run.returncode})
        values = {"error": error}
        return Finding("course", "problem", "course-missing", values, "fix-course-missing")
    path = Path(run.stdout.strip())
    values = {"path": str(path), "here": str(here)}
    if path != (here / "helpers").resolve():
        return Finding("course", "note", "course-elsewhere", values, "fix-course-elsewhere")
    return Finding("course", "ok", "course-ok", values)


def check_jupyterlab(version_of: Callable[[str], str] = importlib.metadata.version) -> Finding:
    """JupyterLab installed in this environment, new enough."""
    minimum = _version_text(MINIMUM_JUPYTERLAB)
    try:
        version = version_of("jupyterlab")
    except importlib.metadata.PackageNotFoundError:
        return Finding("jupyterlab", "problem", "jupyterlab-missing", {}, "fix-jupyterlab")
    values = {"version": version, "minimum": minimum}
    numbers = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    if numbers < MINIMUM_JUPYTERLAB:
        return Finding("jupyterlab", "problem", "jupyterlab-too-old", values, "fix-jupyterlab")
    return Finding("jupyterlab", "ok", "jupyterlab-ok", values)


@dataclass(frozen=True)
class Cpus:
    logical: int
    usable: int
    quota: float | None = None


def count_cpus() -> Cpus:
    """The CPUs of this machine, those this process may use, and a container's quota.

    ``helpers.system.cpu_counts`` counts them (chapter 00); where the course is not installed
    (a problem the report names), only ``os.cpu_count()`` is known.
    """
    try:
        from helpers.system import cpu_counts
    except Exception:
        logical = os.cpu_count() or 1
        return Cpus(logical, logical)
    counts = cpu_counts()
    return Cpus(counts.logical, counts.usable, counts.quota)


def check_cores(cpus: Cpus | None = None) -> Finding:
    """How many CPUs Python may use: one shows no speed-up."""
    cpus = count_cpus() if cpus is None else cpus
    values = {"logical": cpus.logical, "usable": cpus.usable, "quota": cpus.quota}
    if cpus.usable < 2:
        return Finding("cores", "note", "cores-one", values, "fix-cores-one")
    if cpus.quota is not None and cpus.quota < cpus.usable:
        values["quota"] = f"{cpus.quota:g}"
        if cpus.quota < 2:
            return Finding("cores", "note", "cores-quota", values, "fix-cores-one")
        return Finding("cores", "note", "cores-quota", values)
    return Finding("cores", "ok", "cores-ok", values)


def check_start_methods(
    methods: Sequence[str] | None = None, default: str | None = None
) -> Finding:
    """The start methods this platform offers, and its default."""
    methods = list(mp.get_all_start_methods() if methods is None else methods)
    default = mp.get_context().get_start_method() if default is None else default
    values = {"methods": ", ".join(methods), "default": default}
    says = "start-methods-ok" if "fork" in methods else "start-methods-no-fork"
    return Finding("start-methods", "ok", says, values)


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit|Warning)\b")


def _last_error_line(text: str) -> str:
    """The last line of a traceback that names an exception (``ModuleNotFoundError: ...``)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if _EXCEPTION_LINE.match(line):
            return line
    return lines[-1] if lines else ""


@contextlib.contextmanager
def _stderr_of_children() -> Iterator[IO[bytes] | None]:
    """Send file descriptor 2 (which children inherit) to a temporary file for a while.

    A spawned worker that cannot start prints its traceback on the stderr it inherited;
    this catches it so that the report can quote it. Where file descriptors cannot be
    redirected so (Windows), the traceback stays on the terminal and ``None`` is given.
    """
    if os.name != "posix":
        yield None
        return
    with tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            yield captured
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _send_sum_of_range() -> Callable[..., None] | None:
    try:
        from helpers.queues import send_sum_of_range
    except Exception:  # the course not installed: check_course_installed says so
        return None
    return send_sum_of_range


def check_spawn_worker(
    worker: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | None = None,
    timeout: float = SPAWN_TIMEOUT,
) -> Finding:
    """Start one worker process with ``spawn``; it must run ``worker`` and answer in time.

    By default the worker is ``helpers.queues.send_sum_of_range(100, connection)``, which
    sends back 4950 through a pipe. The worker is always joined, or stopped and joined.
    """
    worker = _send_sum_of_range() if worker is None else worker
    if worker is None:
        return Finding("spawn", "problem", "spawn-skipped", {}, "fix-course-missing")
    context = mp.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    expected = sum(range(100))
    process = context.Process(
        target=worker, args=(100, sender) if args is None else args, name="doctor-spawn-check"
    )
    started = time.perf_counter()
    deadline = started + timeout
    answer: object = None
    answered = timed_out = False
    with _stderr_of_children() as captured:
        try:
            process.start()
        except Exception as error:  # no Python could be started at all
            sender.close()
            receiver.close()
            values = {"exitcode": None, "error": f"{type(error).__name__}: {error}"}
            return Finding("spawn", "problem", "spawn-failed", values, "fix-spawn-failed")
        try:
            sender.close()  # the child holds its own copy: EOF here once the child closed it
            while not answered and time.perf_counter() < deadline:
                if receiver.poll(0.1):
                    try:
                        answer, answered = receiver.recv(), True
                    except EOFError:  # no answer will come: wait for the child to end
                        process.join(max(0.0, deadline - time.perf_counter()))
                        break
                elif not process.is_alive():
                    answered = receiver.poll(0.1)
                    if answered:
                        answer = receiver.recv()
                    break
            seconds = time.perf_counter() - started
            timed_out = not answered and process.is_alive()
        finally:
            if process.is_alive() and (timed_out or not answered):
                process.terminate()
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=10)
            receiver.close()
        error_text = ""
        if captured is not None:
            sys.stderr.flush()
            captured.seek(0)
            error_text = captured.read().decode(errors="replace")
    if answered and answer == expected:
        return Finding("spawn", "ok", "spawn-ok", {"seconds": f"{seconds:.1f}"})
    if answered:
        values = {"answer": answer, "expected": expected}
        return Finding("spawn", "problem", "spawn-wrong-answer", values, "fix-spawn-failed")
    if timed_out:
        values = {"timeout": f"{timeout:g}"}
        return Finding("spawn", "problem", "spawn-timeout", values, "fix-spawn-timeout")
    error = _last_error_line(error_text) or (
        Said("error-printed-above") if process.exitcode else Said("error-no-answer")
    )
    values = {"exitcode": process.exitcode, "error": error}
    return Finding("spawn", "problem", "spawn-failed", values, "fix-spawn-failed")


def check_disk(
    folder: Path = ROOT,
    free_bytes: int | None = None,
    minimum: int = MINIMUM_FREE_BYTES,
) -> Finding:
    """Free space on the disk that holds the course."""
    free = shutil.disk_usage(folder).free if free_bytes is None else free_bytes
    values = {"free": _size_text(free), "need": _size_text(minimum)}
    if free < minimum:
        return Finding("disk", "problem", "disk-low", values, "fix-disk-low")
    return Finding("disk", "ok", "disk-ok", values)


def run_checks(spawn_timeout: float = SPAWN_TIMEOUT) -> list[Finding]:
    """Every check, in the order of the report."""
    findings = [check_python(), check_course_installed(), check_jupyterlab(), check_cores()]
    findings.append(check_start_methods())
    if findings[1].status == "problem":
        findings.append(Finding("spawn", "problem", "spawn-skipped", {}, "fix-course-missing"))
    else:
        findings.append(check_spawn_worker(timeout=spawn_timeout))
    findings.append(check_disk())
    return findings


# --- the report ------------------------------------------------------------------------------


def report(findings: Sequence[Finding], language: str = "en", python: str = sys.executable) -> str:
    """The findings in plain words: one line each, and what to do under each problem or note."""
    words = MESSAGES[language]
    width = max(_width(words[f"label-{status}"]) for status in ("ok", "note", "problem"))
    lines = [words["title"], words["running-with"].format(python=python), ""]
    for finding in findings:
        label = words[f"label-{finding.status}"]
        label += " " * (width - _width(label))
        lines.append(f"  {label}  {finding.text(language)}")
        advice = finding.advice(language)
        if advice is not None:
            # no space after a full-width colon
            gap = "" if words["what-to-do"].endswith("：") else " "
            lines.append(f"  {' ' * width}  {words['what-to-do']}{gap}{advice}")
    problems = sum(finding.status == "problem" for finding in findings)
    notes = sum(finding.status == "note" for finding in findings)
    lines.append("")
    if problems:
        lines.append(words["not-ready"].format(count=problems))
    else:
        lines.append(words["ready-with-notes"] if notes else words["ready"])
    return "\n".join(lines)


def _width(text: str) -> int:
    """How many columns ``text`` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def placeholders(message: str) -> set[str]:
    """The ``{names}`` a message uses (a translation must use the same)."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.doctor", description="Is this machine ready for the class?"
    )
    parser.add_argument(
        "--language", choices=sorted(MESSAGES), default=None,
        help=f"the report's language (default: ${LANGUAGE_ENV}, else the locale's, else en)",
    )
    parser.add_argument("--spawn-timeout", type=float, default=SPAWN_TIMEOUT)
    arguments = parser.parse_args(argv)
    findings = run_checks(spawn_timeout=arguments.spawn_timeout)
    language = arguments.language or default_language()
    print(report(findings, language, f"{sys.executable} ({platform.system()})"))
    return 1 if any(finding.status == "problem" for finding in findings) else 0


if __name__ == "__main__":
    # Under spawn, the worker re-imports this module as __mp_main__; the guard keeps it quiet.
    sys.exit(main())

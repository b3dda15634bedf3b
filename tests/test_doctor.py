"""`make doctor` (tools/doctor.py): ready here, and a plain explanation of each problem it sees.

The problems are made for real where that is cheap (a Python without the course, a spawned
worker that cannot import its function, one that never answers) and handed in otherwise (an
old Python, a missing JupyterLab, one CPU, a full disk). No network is needed.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import pytest

from helpers.workers import nap
from tools import doctor
from tools.doctor import MESSAGES, Cpus, Finding, placeholders

ROOT = Path(__file__).resolve().parent.parent


def _problems(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.status == "problem"]


def test_this_machine_is_ready_and_make_doctor_says_so() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "tools.doctor"],
        cwd=ROOT,
        env={**os.environ, "COURSE_LANGUAGE": "en"},  # whatever this machine's locale
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Ready for class" in run.stdout
    for sentence in ("new enough", "The course is installed", "JupyterLab", "spawn ran"):
        assert sentence in run.stdout


def test_every_check_passes_here() -> None:
    findings = doctor.run_checks()
    assert not _problems(findings), doctor.report(findings)
    assert [finding.check for finding in findings] == [
        "python", "course", "jupyterlab", "cores", "start-methods", "spawn", "disk",
    ]


def test_too_old_a_python_is_a_problem_with_what_to_do() -> None:
    finding = doctor.check_python((3, 10, 12))
    assert (finding.status, finding.says) == ("problem", "python-too-old")
    assert "3.10.12 is too old" in finding.text() and "3.11" in finding.text()
    assert "make setup PYTHON=python3.12" in (finding.advice() or "")


def test_the_minimum_python_is_the_one_pyproject_requires() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=" + ".".join(map(str, doctor.MINIMUM_PYTHON))


def test_a_python_without_the_course_is_told_to_install_it() -> None:
    # -I -S: no site-packages and no current folder, as a Python of another environment.
    finding = doctor.check_course_installed(python=(sys.executable, "-I", "-S"))
    assert (finding.status, finding.says) == ("problem", "course-missing")
    assert "No module named 'helpers'" in finding.text()
    assert "make setup" in (finding.advice() or "")


def test_a_missing_jupyterlab_is_a_problem_with_what_to_do() -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    finding = doctor.check_jupyterlab(not_installed)
    assert (finding.status, finding.says) == ("problem", "jupyterlab-missing")
    assert "make setup" in (finding.advice() or "")
    old = doctor.check_jupyterlab(lambda name: "3.6.7")
    assert (old.status, old.says) == ("problem", "jupyterlab-too-old")


def test_one_cpu_is_a_note_that_the_speed_ups_will_not_show() -> None:
    finding = doctor.check_cores(Cpus(logical=1, usable=1))
    assert (finding.status, finding.says) == ("note", "cores-one")
    assert "no speed-up" in finding.text() and finding.advice()
    quota = doctor.check_cores(Cpus(logical=8, usable=8, quota=1.5))
    assert (quota.status, quota.says) == ("note", "cores-quota") and "1.5" in quota.text()


def test_a_platform_without_fork_is_fine_and_explained() -> None:
    finding = doctor.check_start_methods(["spawn"], "spawn")
    assert (finding.status, finding.says) == ("ok", "start-methods-no-fork")
    assert "as on Windows" in finding.text()


def _ghost_worker(monkeypatch: pytest.MonkeyPatch) -> types.FunctionType:
    """A worker the parent can send by name but a spawned child cannot import.

    Its module exists only in this process's ``sys.modules``, as a function defined in a
    notebook cell exists only in the kernel, or ``helpers`` in an environment the child lacks.
    """
    module = types.ModuleType("course_doctor_ghost")

    def send(n: int, connection: object) -> None:  # never runs: the child cannot import it
        raise AssertionError

    send.__module__ = module.__name__
    send.__qualname__ = "send"
    module.send = send  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return send


def test_a_spawned_worker_that_cannot_import_its_function_is_explained(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    finding = doctor.check_spawn_worker(worker=_ghost_worker(monkeypatch), timeout=60)
    assert (finding.status, finding.says) == ("problem", "spawn-failed")
    assert finding.values["exitcode"] == 1
    assert "No module named 'course_doctor_ghost'" in finding.text()
    assert "make setup" in (finding.advice() or "")


def test_a_spawned_worker_that_never_answers_is_stopped_after_the_time_out() -> None:
    finding = doctor.check_spawn_worker(worker=nap, args=(10,), timeout=1)
    assert (finding.status, finding.says) == ("problem", "spawn-timeout")
    assert "within 1 s" in finding.text()


def test_a_full_disk_is_a_problem_with_what_to_do() -> None:
    finding = doctor.check_disk(free_bytes=100 * 1024**2)
    assert (finding.status, finding.says) == ("problem", "disk-low")
    assert "100.0 MB" in finding.text() and finding.advice()


def test_the_report_puts_what_to_do_under_each_problem_and_ends_not_ready() -> None:
    findings = [doctor.check_python((3, 9, 0)), doctor.check_disk(free_bytes=10 * 1024**3)]
    text = doctor.report(findings, python="python3")
    lines = text.splitlines()
    problem = next(i for i, line in enumerate(lines) if "PROBLEM" in line)
    assert "What to do:" in lines[problem + 1]
    assert lines[-1] == "Not ready yet: 1 problem(s) above, each with what to do."


def test_every_message_id_the_checks_use_is_in_the_table() -> None:
    source = (ROOT / "tools" / "doctor.py").read_text(encoding="utf-8")
    says = re.findall(r'Finding\(\s*"[\w-]+",\s*"\w+",\s*"([\w-]+)"', source)
    fixes = re.findall(r'"(fix-[\w-]+)"\)', source)
    assert len(says) >= 15 and len(fixes) >= 10
    assert not {*says, *fixes} - set(MESSAGES["en"])


def test_every_translation_has_the_english_keys_and_placeholders() -> None:
    english = MESSAGES["en"]
    for language, table in MESSAGES.items():
        assert set(table) == set(english), language
        for key, message in table.items():
            assert placeholders(message) == placeholders(english[key]), (language, key)


# --- the report's language -------------------------------------------------------------------


def test_the_language_switch_has_the_course_s_name() -> None:
    from helpers.language import LANGUAGE_ENV, LANGUAGES

    assert doctor.LANGUAGE_ENV == LANGUAGE_ENV
    assert set(MESSAGES) == set(LANGUAGES)


def test_every_piece_of_a_sentence_the_checks_use_is_in_the_table() -> None:
    source = (ROOT / "tools" / "doctor.py").read_text(encoding="utf-8")
    pieces = re.findall(r'Said\(\s*"([\w-]+)"', source)
    assert len(pieces) >= 3
    assert not set(pieces) - set(MESSAGES["en"])


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "zh"}, "zh"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # an empty variable is not set
        ({"COURSE_LANGUAGE": "zh", "LANG": "en_US.UTF-8"}, "zh"),
        ({"COURSE_LANGUAGE": "zh", "LC_ALL": "C"}, "zh"),
        ({"COURSE_LANGUAGE": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"COURSE_LANGUAGE": "klingon", "LANG": "zh_CN.UTF-8"}, "zh"),  # not a course language
    ],
)
def test_the_default_language_is_the_course_s_then_the_locale_s(
    environ: dict[str, str], language: str
) -> None:
    assert doctor.default_language(environ) == language


def _doctor_says(language_args: list[str], **environ: str) -> str:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("COURSE_LANGUAGE", *doctor.LOCALE_ENVS)}
    run = subprocess.run(
        [sys.executable, "-m", "tools.doctor", "--spawn-timeout", "60", *language_args],
        cwd=ROOT,
        env={**clean, "PYTHONIOENCODING": "utf-8", **environ},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_a_chinese_locale_gets_the_report_in_chinese_and_language_still_wins() -> None:
    chinese = _doctor_says([], LANG="zh_CN.UTF-8")
    assert chinese.splitlines()[0] == MESSAGES["zh"]["title"]
    assert "可以上课了" in chinese and "Ready for class" not in chinese
    english = _doctor_says(["--language", "en"], LANG="zh_CN.UTF-8")
    assert english.splitlines()[0] == MESSAGES["en"]["title"]
    assert "Ready for class" in english


def test_the_course_s_switch_beats_the_locale() -> None:
    said = _doctor_says([], COURSE_LANGUAGE="zh", LC_ALL="C.UTF-8")
    assert said.splitlines()[0] == MESSAGES["zh"]["title"]


def test_the_chinese_report_lines_up_and_says_what_to_do() -> None:
    findings = [doctor.check_python((3, 9, 0)), doctor.check_cores(Cpus(4, 1)),
                doctor.check_disk(free_bytes=10 * 1024**3)]
    lines = doctor.report(findings, "zh", python="python3").splitlines()
    problem = next(i for i, line in enumerate(lines) if "问题" in line)
    assert lines[problem] == "  问题  Python 3.9.0 太旧了：课程需要 3.11 或更新的版本。"
    assert lines[problem + 1].startswith("        怎么办：安装 Python 3.12")
    assert lines[-1] == "还没有准备好：上面有 1 个问题，每个都写了怎么办。"


def test_a_piece_of_a_sentence_is_said_in_the_report_s_language() -> None:
    finding = Finding("spawn", "problem", "spawn-failed",
                      {"exitcode": 1, "error": doctor.Said("error-printed-above")},
                      "fix-spawn-failed")
    assert finding.text("en").endswith("(exit code 1): its error is printed above")
    assert finding.text("zh").endswith("（退出码 1）：它的错误已打印在上面")


def _a_python_older_than_3_8() -> str | None:
    for folder in sorted(Path.home().glob(".pyenv/versions/[23].[0-7].*")):
        if (folder / "bin" / "python").exists():
            return str(folder / "bin" / "python")
    return None


@pytest.mark.skipif(_a_python_older_than_3_8() is None, reason="no Python older than 3.8 here")
def test_make_doctor_with_a_python_too_old_to_read_the_doctor_still_says_what_to_do(
    tmp_path: Path,
) -> None:
    old = _a_python_older_than_3_8()
    run = subprocess.run(
        ["make", "--no-print-directory", "doctor", f"PYTHON={old}", f"VENV={tmp_path / 'none'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode != 0
    assert "is too old: the course needs 3.11 or newer" in run.stderr
    assert "make doctor PYTHON=python3.12" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr

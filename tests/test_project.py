"""The project's entry points say what the README says."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert commands == ["make test"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test    # run the whole test suite" in readme
    assert "make lab     # open the course in JupyterLab" in readme


def test_readme_links_every_notebook() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"(notebooks/{notebook.name})" in readme, notebook.name


def _first_line(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8").splitlines()[0]


def test_the_readme_and_the_chinese_readme_link_each_other_on_their_first_line() -> None:
    assert "[中文](README.zh-CN.md)" in _first_line("README.md")
    assert "[English](README.md)" in _first_line("README.zh-CN.md")


def test_the_chinese_readme_points_at_the_chinese_chapters_and_guide() -> None:
    readme = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    for notebook in sorted((ROOT / "notebooks" / "zh").glob("*.ipynb")):
        assert f"(notebooks/zh/{notebook.name})" in readme, notebook.name
    assert "(docs/instructor_guide.zh.md)" in readme


#: JupyterLab's Chinese interface: the PyPI name, and conda-forge's (always lower case).
LANGUAGE_PACK = "jupyterlab-language-pack-zh-CN"


def test_the_zh_extra_is_named_in_pyproject_environment_yml_and_the_chinese_readme() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(r.startswith(LANGUAGE_PACK) for r in project["optional-dependencies"]["zh"])
    environment = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(rf"^  - {LANGUAGE_PACK.lower()}\b", environment, re.MULTILINE), (
        "environment.yml must ask conda-forge for the language pack by its conda name")
    readme = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    assert "pip install -e '.[zh]'" in readme
    assert LANGUAGE_PACK in readme
    assert f"conda install -c conda-forge {LANGUAGE_PACK.lower()}" in readme


def test_the_chinese_readme_says_how_to_get_make_doctor_in_chinese_and_it_is_true() -> None:
    from tools.doctor import default_language

    readme = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    for command, environ in (("COURSE_LANGUAGE=zh make doctor", {"COURSE_LANGUAGE": "zh"}),
                             ("LANG=zh_CN.UTF-8 make doctor", {"LANG": "zh_CN.UTF-8"})):
        assert f"`{command}`" in readme, command
        assert default_language(environ) == "zh", command
    assert "`python -m tools.doctor --language zh`" in readme


@pytest.mark.skipif(
    shutil.which("make") is None or not (ROOT / ".venv" / ".installed").exists(),
    reason="needs make and an environment installed by it",
)
def test_a_second_make_does_not_reinstall() -> None:
    # `make -q TARGET` exits 0 when TARGET is up to date, i.e. nothing would be run.
    stamp = subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT, timeout=30, check=False)
    assert stamp.returncode == 0, "make would reinstall the environment"

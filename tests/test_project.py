"""The project's entry points say what the README says."""

from __future__ import annotations

import shutil
import subprocess
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


@pytest.mark.skipif(
    shutil.which("make") is None or not (ROOT / ".venv" / ".installed").exists(),
    reason="needs make and an environment installed by it",
)
def test_a_second_make_does_not_reinstall() -> None:
    # `make -q TARGET` exits 0 when TARGET is up to date, i.e. nothing would be run.
    stamp = subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT, timeout=30, check=False)
    assert stamp.returncode == 0, "make would reinstall the environment"

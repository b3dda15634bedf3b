"""Solutions stay hidden: the %%solution magic, and how every notebook stores its solutions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from helpers.solutions import NOT_RUN, RUN_ENV, register, should_run

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch) -> InteractiveShell:
    monkeypatch.delenv(RUN_ENV, raising=False)
    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # no history database on disk
    shell = InteractiveShell.instance(config=config)
    assert register(shell)
    shell.user_ns.pop("answer", None)
    return shell


def test_a_solution_does_not_run_unasked(shell: InteractiveShell, capsys) -> None:
    shell.run_cell("%%solution\nanswer = 42\n")
    assert "answer" not in shell.user_ns
    assert NOT_RUN in capsys.readouterr().out


def test_a_solution_runs_when_its_first_line_asks(shell: InteractiveShell) -> None:
    shell.run_cell("%%solution run\nanswer = 42\n")
    assert shell.user_ns["answer"] == 42


def test_the_tooling_runs_every_solution(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(RUN_ENV, "1")
    shell.run_cell("%%solution\nanswer = 42\n")
    assert shell.user_ns["answer"] == 42


def test_a_failing_solution_fails_its_cell(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(RUN_ENV, "1")
    result = shell.run_cell("%%solution\n1 / 0\n")
    assert not result.success


@pytest.mark.parametrize("line", ["now", "run please"])
def test_a_misspelt_magic_line_is_an_error(line: str) -> None:
    with pytest.raises(ValueError, match="no argument or 'run'"):
        should_run(line, {})


def test_a_comment_on_the_magic_line_is_ignored() -> None:
    assert not should_run("  # click to open", {})


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _text(cell: dict) -> str:
    return "".join(
        "".join(output.get("text") or output.get("data", {}).get("text/plain", ""))
        for output in cell.get("outputs", [])
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_solution_is_folded_and_runs_only_when_asked(path: Path) -> None:
    solutions = [c for c in _cells(path) if "solution" in c["metadata"].get("tags", [])]
    assert solutions, f"{path.name} has no solution cell"
    for cell in solutions:
        source = "".join(cell["source"])
        assert source.splitlines()[0].strip() == "%%solution", source[:80]
        assert cell["metadata"].get("jupyter") == {
            "source_hidden": True,
            "outputs_hidden": True,
        }, source[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_stored_solution_passed_its_check(path: Path) -> None:
    for cell in _cells(path):
        if "solution" in cell["metadata"].get("tags", []) and "check" in "".join(cell["source"]):
            assert "Correct!" in _text(cell), "".join(cell["source"])[:120]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_visible_cell_shows_a_verdict_of_correct(path: Path) -> None:
    for cell in _cells(path):
        if cell["cell_type"] != "code" or "solution" in cell["metadata"].get("tags", []):
            continue
        assert "Correct!" not in _text(cell), "".join(cell["source"])[:120]

"""docs/instructor_guide.md stays in step with the notebooks and the checks.

* its time table repeats each chapter's own estimate ("**Time:** 25 minutes teaching, 10
  minutes exercises"), for every chapter in notebooks/;
* no instructor note is inside a notebook (learners read the notebooks), and every cell the
  guide's table of notes moved out of the notebooks names still exists;
* every hint id the guide names as a learner's mistake is one a check really gives (a named
  wrong answer in tests/test_checks_*.py), for the chapters that are in notebooks/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "instructor_guide.md"
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# "**Time:** 25 minutes teaching, 10 minutes exercises.", worded alike in every chapter.
_TIME = re.compile(r"\*\*Time:\*\* (\d+) minutes teaching, (\d+) minutes exercises\.")
_ROW = re.compile(r"^\|\s*(\d\d) [^|]+\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|$", re.MULTILINE)


def _cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def _markdown(notebook: Path) -> list[tuple[str, str]]:
    return [
        (cell["id"], "".join(cell["source"]))
        for cell in _cells(notebook)
        if cell["cell_type"] == "markdown"
    ]


def test_the_guide_exists_and_is_a_page_of_the_site() -> None:
    assert GUIDE.exists()
    site = (ROOT / "tools" / "site.py").read_text(encoding="utf-8")
    assert "instructor_guide" in site


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda path: path.stem)
def test_the_time_table_repeats_the_chapters_own_estimate(notebook: Path) -> None:
    stated = next(
        (match.groups() for _, text in _markdown(notebook) if (match := _TIME.search(text))),
        None,
    )
    assert stated is not None, f"{notebook.name} states no time estimate"
    rows = {number: (teach, practise, total) for number, teach, practise, total in
            _ROW.findall(GUIDE.read_text(encoding="utf-8"))}
    number = notebook.name[:2]
    assert number in rows, f"the guide's time table has no row for chapter {number}"
    teach, practise, total = rows[number]
    assert (teach, practise) == stated, f"chapter {number}: the notebook says {stated}"
    assert int(total) == int(teach) + int(practise)


def test_no_instructor_note_is_left_in_a_notebook() -> None:
    inline = [
        (notebook.stem, cell_id)
        for notebook in CHAPTERS
        for cell_id, text in _markdown(notebook)
        if re.search(r"instructor", text, re.IGNORECASE)
    ]
    assert not inline, f"instructor notes belong in docs/instructor_guide.md: {inline}"


def test_every_cell_the_table_of_moved_notes_names_exists() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    moved = re.findall(r"^\|\s*(\d\d_\w+)\s*\|\s*(\w+)\s*\|", guide, re.MULTILINE)
    assert len(moved) >= 10, "the table of moved notes is missing or no longer read"
    for stem, cell_id in moved:
        notebook = ROOT / "notebooks" / f"{stem}.ipynb"
        assert notebook.exists(), f"the table names {stem}, which is not a chapter"
        ids = {cell["id"] for cell in _cells(notebook)}
        assert cell_id in ids, f"the table names {stem} cell {cell_id}, which does not exist"


def _hints_of_the_checks() -> set[str]:
    hints: set[str] = set()
    for path in (ROOT / "tests").glob("test_checks_*.py"):
        hints.update(re.findall(r'"([a-z][a-z0-9]*(?:-[a-z0-9]+)*)"', path.read_text()))
    return hints


def test_every_mistake_the_guide_names_is_a_hint_a_check_gives() -> None:
    present = {notebook.name[:2] for notebook in CHAPTERS}
    hints = _hints_of_the_checks()
    unknown, checked = [], 0
    for section in GUIDE.read_text(encoding="utf-8").split("\n### ")[1:]:
        numbers = set(re.findall(r"^(\d\d)\b", section)) | set(re.findall(r"and (\d\d) ", section))
        if not numbers or not numbers <= present:
            continue  # a chapter not on this branch yet (09 and 10 come with issue 10)
        for bullet in re.findall(r"^- \*\*Mistakes.*?(?=^- |\Z)", section, re.S | re.M):
            for group in re.findall(r"\(([^()]*`[^()]*)\)", bullet):
                if "moved from the notebook" in group:
                    continue
                for token in re.findall(r"`([a-z][a-z0-9]*(?:-[a-z0-9]+)*)`", group):
                    checked += 1
                    if token not in hints:
                        unknown.append(f"{section.splitlines()[0]}: {token}")
    assert checked >= 40, f"only {checked} hint ids found in the guide: is the format still read?"
    assert not unknown, unknown

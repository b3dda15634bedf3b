"""The instructor's guides stay in step with the notebooks, the checks and each other.

There are two guides, one per edition: docs/instructor_guide.md (English, for notebooks/) and
docs/instructor_guide.zh.md (Chinese, for notebooks/zh/). Each is checked against its own
chapters, worded its own way (:class:`Guide`):

* its time table repeats each chapter's own estimate ("**Time:** 25 minutes teaching, 10
  minutes exercises" / "**时间：** 讲授 25 分钟，练习 10 分钟。"), for every chapter;
* no instructor note is inside a notebook (learners read the notebooks), and every cell the
  guide's table of notes moved out of the notebooks names still exists;
* every hint id the guide names as a learner's mistake is one a check really gives (a named
  wrong answer in tests/test_checks_*.py), for the chapters that are present.

And the two guides have the same shape: the same headings per level, the same schedule rows,
the same hint ids chapter by chapter, the same cells in the table of moved notes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Guide:
    """One edition's guide, its chapters, and how its wording marks what the tests read."""

    language: str
    path: Path
    notebooks: Path
    #: The chapter's own time line: "**Time:** 25 minutes teaching, 10 minutes exercises."
    time: re.Pattern[str]
    #: What marks an instructor note, were one left in a notebook of this edition.
    instructor: re.Pattern[str]
    #: How a bullet of learners' mistakes starts ("- **Mistakes", "- **常见错误").
    mistakes: str
    #: A bracketed group that may hold hint ids: "(`one-at-a-time`)", "（`one-at-a-time`）",
    #: with code of its own inside ("(`not-joined`, also a `join(timeout=...)` too short)").
    brackets: re.Pattern[str]
    #: The note that says a sentence was moved from a notebook (its cell id is no hint id).
    moved: str
    #: How a section heading names a second chapter ("### 07 and 08 ...").
    also: re.Pattern[str]

    @property
    def chapters(self) -> list[Path]:
        return sorted(self.notebooks.glob("[0-9][0-9]_*.ipynb"))

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


GUIDES = (
    Guide(
        language="en",
        path=ROOT / "docs" / "instructor_guide.md",
        notebooks=ROOT / "notebooks",
        time=re.compile(r"\*\*Time:\*\* (\d+) minutes teaching, (\d+) minutes exercises\."),
        instructor=re.compile(r"instructor", re.IGNORECASE),
        mistakes="Mistakes",
        brackets=re.compile(r"\(((?:[^()]|\([^()]*\))*`(?:[^()]|\([^()]*\))*)\)"),
        moved="moved from the notebook",
        also=re.compile(r"and (\d\d) "),
    ),
    Guide(
        language="zh",
        path=ROOT / "docs" / "instructor_guide.zh.md",
        notebooks=ROOT / "notebooks" / "zh",
        time=re.compile(r"\*\*时间：\*\* 讲授 (\d+) 分钟，练习 (\d+) 分钟。"),
        instructor=re.compile(r"讲师|教师|instructor", re.IGNORECASE),
        mistakes="常见错误",
        brackets=re.compile(r"（((?:[^（）]|（[^（）]*）)*`(?:[^（）]|（[^（）]*）)*)）"),
        moved="移自笔记本",
        also=re.compile(r"和 ?(\d\d) "),
    ),
)
ENGLISH, CHINESE = GUIDES
_ROW = re.compile(r"^\|\s*(\d\d) [^|]+\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|$", re.MULTILINE)
_MOVED = re.compile(r"^\|\s*(\d\d_\w+)\s*\|\s*(\w+)\s*\|", re.MULTILINE)
_HINT = re.compile(r"`([a-z][a-z0-9]*(?:-[a-z0-9]+)*)`")
# A schedule row starts with a chapter number ("| 03 Benchmark |") or a time ("| 09:15 |").
_SCHEDULE = re.compile(r"^\|\s*\d\d(?: |:\d\d\s*\|).*\|$", re.MULTILINE)
_HEADING = re.compile(r"^(#{1,6}) ", re.MULTILINE)


def _by_language(guides: tuple[Guide, ...] = GUIDES) -> dict:
    return {"params": guides, "ids": [guide.language for guide in guides]}


def _cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def _markdown(notebook: Path) -> list[tuple[str, str]]:
    return [
        (cell["id"], "".join(cell["source"]))
        for cell in _cells(notebook)
        if cell["cell_type"] == "markdown"
    ]


@pytest.fixture(**_by_language())
def guide(request: pytest.FixtureRequest) -> Guide:
    return request.param


def test_the_guide_exists(guide: Guide) -> None:
    assert guide.path.exists()
    assert len(guide.chapters) >= 11, f"no chapters found in {guide.notebooks}"


def test_the_english_guide_is_a_page_of_the_site() -> None:
    # The site has one edition so far; the Chinese guide becomes a page with the Chinese site.
    site = (ROOT / "tools" / "site.py").read_text(encoding="utf-8")
    assert "instructor_guide" in site


_CHAPTERS = [
    pytest.param(guide, notebook, id=f"{guide.language}-{notebook.stem}")
    for guide in GUIDES
    for notebook in guide.chapters
]


@pytest.mark.parametrize(("guide", "notebook"), _CHAPTERS)
def test_the_time_table_repeats_the_chapters_own_estimate(guide: Guide, notebook: Path) -> None:
    stated = next(
        (match.groups() for _, text in _markdown(notebook) if (match := guide.time.search(text))),
        None,
    )
    assert stated is not None, f"{notebook} states no time estimate"
    rows = {number: (teach, practise, total) for number, teach, practise, total in
            _ROW.findall(guide.text())}
    number = notebook.name[:2]
    assert number in rows, f"{guide.path.name}'s time table has no row for chapter {number}"
    teach, practise, total = rows[number]
    assert (teach, practise) == stated, f"chapter {number}: the notebook says {stated}"
    assert int(total) == int(teach) + int(practise)


def test_no_instructor_note_is_left_in_a_notebook(guide: Guide) -> None:
    inline = [
        (notebook.stem, cell_id)
        for notebook in guide.chapters
        for cell_id, text in _markdown(notebook)
        if guide.instructor.search(text)
    ]
    assert not inline, f"instructor notes belong in {guide.path.name}: {inline}"


def _moved_cells(guide: Guide) -> list[tuple[str, str]]:
    return _MOVED.findall(guide.text())


def test_every_cell_the_table_of_moved_notes_names_exists(guide: Guide) -> None:
    moved = _moved_cells(guide)
    assert len(moved) >= 10, "the table of moved notes is missing or no longer read"
    for stem, cell_id in moved:
        notebook = guide.notebooks / f"{stem}.ipynb"
        assert notebook.exists(), f"the table names {stem}, which is not a chapter"
        ids = {cell["id"] for cell in _cells(notebook)}
        assert cell_id in ids, f"the table names {stem} cell {cell_id}, which does not exist"


def _hints_of_the_checks() -> set[str]:
    hints: set[str] = set()
    for path in (ROOT / "tests").glob("test_checks_*.py"):
        hints.update(re.findall(r'"([a-z][a-z0-9]*(?:-[a-z0-9]+)*)"', path.read_text()))
    return hints


def _hints_named(guide: Guide) -> dict[str, list[str]]:
    """The hint ids each chapter's section names in its mistakes bullets, by section heading's
    chapter numbers ("00", "07 08"), for the chapters present in the guide's edition."""
    present = {notebook.name[:2] for notebook in guide.chapters}
    named: dict[str, list[str]] = {}
    for section in guide.text().split("\n### ")[1:]:
        numbers = set(re.findall(r"^(\d\d)\b", section)) | set(guide.also.findall(section))
        if not numbers or not numbers <= present:
            continue  # a chapter not on this branch
        tokens = named.setdefault(" ".join(sorted(numbers)), [])
        bullets = rf"^- \*\*{guide.mistakes}.*?(?=^- |\Z)"
        for bullet in re.findall(bullets, section, re.S | re.M):
            for group in guide.brackets.findall(bullet):
                if guide.moved not in group:
                    tokens += _HINT.findall(group)
    return named


def test_every_mistake_the_guide_names_is_a_hint_a_check_gives(guide: Guide) -> None:
    hints = _hints_of_the_checks()
    named = _hints_named(guide)
    checked = sum(len(tokens) for tokens in named.values())
    unknown = [f"{numbers}: {token}" for numbers, tokens in named.items()
               for token in tokens if token not in hints]
    assert checked >= 40, f"only {checked} hint ids found in the guide: is the format still read?"
    assert not unknown, unknown


# --- the two guides have the same shape -------------------------------------------------------


def _headings(guide: Guide) -> Counter[int]:
    return Counter(len(hashes) for hashes in _HEADING.findall(guide.text()))


def _schedule(guide: Guide) -> list[list[str]]:
    """Every schedule row's numbers (chapter, times, minutes), row by row."""
    return [re.findall(r"\d+", row) for row in _SCHEDULE.findall(guide.text())]


def test_both_guides_have_the_same_headings_per_level() -> None:
    assert _headings(ENGLISH)[2] >= 5, "the guide's headings are no longer read"
    assert _headings(CHINESE) == _headings(ENGLISH)


def test_both_guides_have_the_same_schedule_rows() -> None:
    assert len(_schedule(ENGLISH)) >= 11 + 12 + 11 + 11, "the schedules are no longer read"
    assert _schedule(CHINESE) == _schedule(ENGLISH)


def test_both_guides_name_the_same_hint_ids_per_chapter() -> None:
    english = {numbers: sorted(tokens) for numbers, tokens in _hints_named(ENGLISH).items()}
    chinese = {numbers: sorted(tokens) for numbers, tokens in _hints_named(CHINESE).items()}
    assert len(english) >= 11
    assert chinese == english


def test_both_guides_list_the_same_moved_notes() -> None:
    assert len(_moved_cells(ENGLISH)) >= 10
    assert _moved_cells(CHINESE) == _moved_cells(ENGLISH)

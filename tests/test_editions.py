"""The English and the Chinese editions stay in step (tools/editions.py).

Every chapter exists in both; the same cells in the same order; identical code (comments and
the language cell's argument aside); the same tags and slide metadata; the same headings and
number of links in each markdown cell. A change to one edition's code alone fails here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tools.editions import (
    EDITIONS,
    NOTEBOOKS,
    NOTES_TITLES,
    all_problems,
    chapters,
    edition_problems,
)

ENGLISH = chapters("en")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_chapter_has_both_editions() -> None:
    assert len(ENGLISH) >= 11
    assert [p.name for p in chapters("zh")] == [p.name for p in ENGLISH]


@pytest.mark.parametrize("chapter", ENGLISH, ids=lambda path: path.stem)
def test_the_chinese_chapter_is_in_step_with_the_english_one(chapter: Path) -> None:
    problems = edition_problems(_load(chapter), _load(EDITIONS["zh"] / chapter.name))
    assert not problems, "\n".join(problems)


def test_the_whole_course_is_in_step() -> None:
    assert all_problems() == []


def _code_cell(notebook: dict, index: int = 2) -> dict:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"][index]


@pytest.fixture
def pair() -> tuple[dict, dict]:
    chapter = ENGLISH[2]
    return _load(chapter), _load(EDITIONS["zh"] / chapter.name)


def test_a_code_cell_changed_in_one_edition_alone_fails(pair: tuple[dict, dict]) -> None:
    english, chinese = pair
    cell = _code_cell(chinese)
    cell["source"] = "".join(cell["source"]).replace("(", "( ", 1) + "\nprint('only here')\n"
    problems = edition_problems(english, chinese)
    assert problems == [f"cell {cell['id']}: its code differs (comments aside)"]


def test_a_translated_comment_and_the_language_are_allowed(pair: tuple[dict, dict]) -> None:
    english, chinese = pair
    cell = _code_cell(chinese)
    cell["source"] = "# 中文的注释\n" + "".join(cell["source"])
    assert edition_problems(english, chinese) == []
    language = next(c for c in english["cells"] if "use_language(" in "".join(c["source"]))
    assert '"en"' in "".join(language["source"])
    assert edition_problems(english, chinese) == []  # the zh edition says "zh" there


def test_a_cell_added_removed_or_retagged_fails(pair: tuple[dict, dict]) -> None:
    english, chinese = pair
    fewer = copy.deepcopy(chinese)
    del fewer["cells"][3]
    assert "the cells differ" in edition_problems(english, fewer)[0]
    retagged = copy.deepcopy(chinese)
    _code_cell(retagged)["metadata"]["tags"] = ["raises-exception"]
    assert any("metadata" in p for p in edition_problems(english, retagged))


def test_a_heading_lost_in_translation_fails(pair: tuple[dict, dict]) -> None:
    english, chinese = pair
    cell = next(c for c in chinese["cells"]
                if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## "))
    cell["source"] = "".join(cell["source"]).replace("## ", "", 1)
    assert any("headings" in p for p in edition_problems(english, chinese))


def test_chapters_01_to_06_of_the_chinese_edition_carry_the_notes_titles() -> None:
    for number, title in NOTES_TITLES.items():
        chapter = next((NOTEBOOKS / "zh").glob(f"{number}_*.ipynb"))
        cells = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
        headings = [line for cell in cells[:3] if cell["cell_type"] == "markdown"
                    for line in "".join(cell["source"]).splitlines() if line.startswith("# ")]
        assert headings == [f"# {number} · {title}"], (chapter.name, headings)

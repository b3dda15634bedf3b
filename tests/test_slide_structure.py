"""Every chapter is cut into slides on purpose, in its cells' metadata (``make slides``, RISE).

nbconvert's reveal.js export (tools/slides.py) and RISE in JupyterLab read where a slide starts
from ``metadata.slideshow.slide_type`` of each cell: ``slide``, ``subslide`` (a slide below the
last, in the same section), ``fragment`` (shown on the next click), ``-`` (on the same slide),
``skip`` (not shown) and ``notes`` (the speaker view only). Without it a chapter is one slide
as long as the notebook. What must hold, in every chapter:

* every cell has a slide type, and the first cell starts a slide;
* a cell that opens a section (its first line a ``##`` heading) starts a slide, one that opens
  a sub-section (``###``, an exercise) a slide or a subslide;
* every solution (``%%solution``) is skipped: the slides show the exercise, not its answer;
* no slide is taller than the screen, by :mod:`tools.slide_budget`'s estimate (measured on
  the built slides, see there): reveal.js shows a slide of 960x700 pixels scaled to the screen
  as a whole, so what does not fit is cut off on any projector. A cell that alone is taller
  than a slide cannot be split by metadata, only by changing its text: those are listed in
  :data:`TALLER_THAN_A_SLIDE` (they scroll on the slides, docs/slides/course_slides.html.j2);
* the notebook asks RISE for the ``white`` theme (the only reveal.js theme that loads no web
  font) and the slides' size, in ``metadata.rise``.

No extra is needed: these tests read the notebooks only.
"""

from __future__ import annotations

import doctest
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tools import html_pages, slide_budget
from tools import slides as slide_tools
from tools.slide_budget import BUDGET, SLIDE_TYPES, slide_height, slide_type, slides

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: What the notebooks ask RISE for (jupyterlab-rise reads ``metadata.rise``).
RISE_THEME = "white"
RISE_SIZE = {"width": 960, "height": 700}

#: Cells that alone are taller than a slide, by chapter: only a change of their text (two
#: cells instead of one, shorter code) would let them fit; the slides scroll for them. The
#: test fails when a new one appears and when a listed one fits (then take it off the list).
TALLER_THAN_A_SLIDE: dict[str, set[str]] = {
    "00_introduction": {"c19"},
    "01_processes_and_threads": {"c25"},
    "03_benchmark": {"c00", "c05", "c08", "c12", "c25", "c31", "c33"},
    "04_pools": {"c14", "c25", "c27", "c29a"},
    "05_shared_memory": {"c46", "c48"},
    "06_locks": {"c04", "c08", "c12", "c21", "c32"},
    "07_your_own_code": {"c00", "c29", "c37"},
    "08_when_things_go_wrong": {"c00", "c31"},
    "09_dask_distributed": {"c00"},
    "10_capstone": {"c04", "c08", "c17"},
}


def _cells(notebook: Path) -> list[dict[str, Any]]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def _first_line(cell: dict[str, Any]) -> str:
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return next((line.strip() for line in source.splitlines() if line.strip()), "")


def structure_problems(cells: list[dict[str, Any]]) -> list[str]:
    """What is wrong with a chapter's slide metadata (empty when nothing is)."""
    problems = []
    for number, cell in enumerate(cells):
        name = f"cell {number} ({cell.get('id', '?')})"
        kind, first = slide_type(cell), _first_line(cell)
        if kind not in SLIDE_TYPES:
            problems.append(f"{name} has no slide type (got {kind!r})")
        elif number == 0 and kind != "slide":
            problems.append(f"{name} is the first cell and must start a slide, not {kind!r}")
        elif first.startswith("%%solution") and kind != "skip":
            problems.append(f"{name} is a solution and must be skipped, not {kind!r}")
        elif cell["cell_type"] == "markdown" and first.startswith("## ") and kind != "slide":
            problems.append(f"{name} opens a section ({first!r}) and must start a slide")
        elif (
            cell["cell_type"] == "markdown"
            and first.startswith("### ")
            and kind not in ("slide", "subslide")
        ):
            problems.append(f"{name} opens a sub-section ({first!r}): slide or subslide")
    return problems


def too_tall(cells: list[dict[str, Any]]) -> tuple[list[str], set[str]]:
    """Slides taller than the budget: those of several cells, and the single cells."""
    crowded, single = [], set()
    for shown in slides(cells):
        height = slide_height(shown)
        if height <= BUDGET:
            continue
        if len(shown) == 1:
            single.add(shown[0][1].get("id", str(shown[0][0])))
        else:
            ids = ", ".join(cell.get("id", str(number)) for number, cell in shown)
            crowded.append(f"the slide of cells {ids}: about {height:.0f} px of {BUDGET}")
    return crowded, single


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda path: path.stem)
def test_every_cell_has_a_slide_type_that_starts_sections_and_skips_solutions(
    notebook: Path,
) -> None:
    problems = structure_problems(_cells(notebook))
    assert not problems, f"{notebook.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda path: path.stem)
def test_no_slide_is_taller_than_the_screen(notebook: Path) -> None:
    crowded, single = too_tall(_cells(notebook))
    assert not crowded, f"{notebook.name}: split these slides:\n" + "\n".join(crowded)
    listed = TALLER_THAN_A_SLIDE.get(notebook.stem, set())
    assert single == listed, (
        f"{notebook.name}: cells taller than a slide on their own: {sorted(single)}; "
        f"listed in TALLER_THAN_A_SLIDE: {sorted(listed)}"
    )


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda path: path.stem)
def test_rise_presents_the_chapter_in_the_white_theme(notebook: Path) -> None:
    rise = json.loads(notebook.read_text(encoding="utf-8"))["metadata"].get("rise", {})
    assert rise.get("theme") == RISE_THEME, f"{notebook.name}: metadata.rise.theme"
    assert {key: rise.get(key) for key in RISE_SIZE} == RISE_SIZE, notebook.name


def test_every_chapter_is_checked() -> None:
    assert len(CHAPTERS) >= 11
    assert set(TALLER_THAN_A_SLIDE) <= {notebook.stem for notebook in CHAPTERS}


def test_a_chapter_without_slide_metadata_fails_the_checks() -> None:
    cells = _cells(CHAPTERS[2])
    for cell in cells:
        cell["metadata"].pop("slideshow", None)
    problems = structure_problems(cells)
    assert len(problems) == len(cells)
    # Without metadata the whole chapter is one slide, far taller than the screen.
    assert [len(shown) for shown in slides(cells)] == [len(cells)]
    assert too_tall(cells)[0]


def test_the_checks_see_a_solution_shown_and_a_section_that_runs_on() -> None:
    def cell(kind: str, source: str, cell_type: str = "markdown") -> dict[str, Any]:
        return {
            "cell_type": cell_type,
            "source": source,
            "id": source[:4],
            "metadata": {"slideshow": {"slide_type": kind}},
        }

    cells = [
        cell("slide", "# Title"),
        cell("-", "## A section"),
        cell("-", "%%solution\nx = 1", "code"),
        cell("fragment", "### Exercise"),
    ]
    problems = structure_problems(cells)
    assert [problem.split(" ", 2)[1] for problem in problems] == ["1", "2", "3"]


@pytest.mark.parametrize(
    "module", [slide_budget, slide_tools, html_pages], ids=lambda m: m.__name__
)
def test_the_slide_tools_examples_hold(module: ModuleType) -> None:
    # `make unit` runs the doctests of helpers/ only; these tools' examples are checked here.
    failures, tried = doctest.testmod(module)
    assert tried and not failures, f"{module.__name__}: {failures} of {tried} examples failed"

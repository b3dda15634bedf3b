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
  as a whole, so what does not fit is cut off on any projector. The metadata keeps slides of
  several cells within the budget; a cell that alone is taller than a slide is cut for the
  slides only (:func:`tools.slide_budget.fitted`: between paragraphs, or its code and its
  outputs on two slides, a piece still too tall shrunk), and what the slides show fits, with
  nothing lost or repeated;
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
from tools.slide_budget import (
    BUDGET,
    CELL_GAP,
    OUTPUTS_ONLY,
    SLIDE_TYPES,
    fitted,
    shown_height,
    slide_height,
    slide_type,
    slides,
)

ROOT = Path(__file__).resolve().parent.parent
#: The chapters of both editions: the Chinese ones have the same slide metadata
#: (tests/test_editions.py), but their text is cut and measured on its own.
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ZH_CHAPTERS = sorted((ROOT / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))


def _name(path: Path) -> str:
    return f"zh/{path.stem}" if path.parent.name == "zh" else path.stem
#: What the notebooks ask RISE for (jupyterlab-rise reads ``metadata.rise``).
RISE_THEME = "white"
RISE_SIZE = {"width": 960, "height": 700}

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


def too_tall(cells: list[dict[str, Any]]) -> list[str]:
    """The slides of several cells that are taller than the budget (a single cell taller than
    a slide is cut or shrunk for the slides, by :func:`tools.slide_budget.fitted`)."""
    crowded = []
    for shown in slides(cells):
        height = slide_height(shown)
        if height > BUDGET and len(shown) > 1:
            ids = ", ".join(cell.get("id", str(number)) for number, cell in shown)
            crowded.append(f"the slide of cells {ids}: about {height:.0f} px of {BUDGET}")
    return crowded


def shown_too_tall(cells: list[dict[str, Any]]) -> list[str]:
    """The slides, as :func:`fitted` shows them, that are taller than the budget."""
    problems = []
    for shown in slides(fitted(cells)):
        height = sum(shown_height(cell) for _, cell in shown) + CELL_GAP * (len(shown) - 1)
        if height > BUDGET:
            ids = ", ".join(cell.get("id", "?") for _, cell in shown)
            problems.append(f"the slide of {ids}: about {height:.0f} px of {BUDGET}")
    return problems


@pytest.mark.parametrize("notebook", CHAPTERS + ZH_CHAPTERS, ids=_name)
def test_every_cell_has_a_slide_type_that_starts_sections_and_skips_solutions(
    notebook: Path,
) -> None:
    problems = structure_problems(_cells(notebook))
    assert not problems, f"{notebook.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("notebook", CHAPTERS + ZH_CHAPTERS, ids=_name)
def test_no_slide_of_several_cells_is_taller_than_the_screen(notebook: Path) -> None:
    crowded = too_tall(_cells(notebook))
    assert not crowded, f"{notebook.name}: split these slides:\n" + "\n".join(crowded)


@pytest.mark.parametrize("notebook", CHAPTERS + ZH_CHAPTERS, ids=_name)
def test_no_slide_as_shown_is_taller_than_the_screen(notebook: Path) -> None:
    problems = shown_too_tall(_cells(notebook))
    assert not problems, f"{notebook.name}: shorten these cells:\n" + "\n".join(problems)


def _shown_text(cells: list[dict[str, Any]]) -> tuple[str, list[str], list[Any]]:
    markdown = " ".join(
        " ".join("".join(c["source"]).split()) for c in cells if c["cell_type"] == "markdown"
    )
    code = [
        "".join(c["source"]) for c in cells
        if c["cell_type"] == "code" and OUTPUTS_ONLY not in c["metadata"].get("tags", [])
    ]
    outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
    return markdown, code, outputs


@pytest.mark.parametrize("notebook", CHAPTERS + ZH_CHAPTERS, ids=_name)
def test_the_slides_cut_cells_without_losing_or_repeating_anything(notebook: Path) -> None:
    cells = _cells(notebook)
    assert _shown_text(fitted(cells)) == _shown_text(cells)
    assert json.loads(notebook.read_text(encoding="utf-8"))["cells"] == cells, "changed in place"


def test_a_cell_too_tall_is_cut_into_slides_that_fit() -> None:
    prose = {"cell_type": "markdown", "id": "p", "source": "\n\n".join(["word " * 300] * 4),
             "metadata": {"slideshow": {"slide_type": "fragment"}}}
    code = {"cell_type": "code", "id": "c", "source": "\n".join(["x = 1"] * 30),
            "metadata": {"slideshow": {"slide_type": "-"}},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n" * 30}]}
    pieces = fitted([prose, code])
    assert [slide_type(cell) for cell in pieces] == [
        "fragment", "subslide", "subslide", "subslide"
    ]
    assert [cell["id"] for cell in pieces] == ["p-1", "p-2", "c-1", "c-2"]
    assert pieces[2]["outputs"] == [] and OUTPUTS_ONLY in pieces[3]["metadata"]["tags"]
    assert all(shown_height(cell) <= BUDGET for cell in pieces)
    assert shown_too_tall([prose, code]) == []
    assert shown_too_tall([dict(code, source="\n".join(["x = 1"] * 80))]), "80 lines stay too tall"


@pytest.mark.parametrize("notebook", CHAPTERS + ZH_CHAPTERS, ids=_name)
def test_rise_presents_the_chapter_in_the_white_theme(notebook: Path) -> None:
    rise = json.loads(notebook.read_text(encoding="utf-8"))["metadata"].get("rise", {})
    assert rise.get("theme") == RISE_THEME, f"{notebook.name}: metadata.rise.theme"
    assert {key: rise.get(key) for key in RISE_SIZE} == RISE_SIZE, notebook.name


def test_every_chapter_is_checked() -> None:
    assert len(CHAPTERS) >= 11 and len(ZH_CHAPTERS) == len(CHAPTERS)


def test_a_chapter_without_slide_metadata_fails_the_checks() -> None:
    cells = _cells(CHAPTERS[2])
    for cell in cells:
        cell["metadata"].pop("slideshow", None)
    problems = structure_problems(cells)
    assert len(problems) == len(cells)
    # Without metadata the whole chapter is one slide, far taller than the screen.
    assert [len(shown) for shown in slides(cells)] == [len(cells)]
    assert too_tall(cells)


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

"""The chapters' slides (``make slides``, tools/slides.py) as built in docs/_build/slides.

What must hold of the built slides:

* every chapter of both editions has its page, ``NN_name.slides.html`` (English) and
  ``zh/NN_name.slides.html`` (Chinese, with the notes' own section titles), listed on the index
  pages, with one reveal.js slide for each slide and subslide of its metadata, and no solution
  on it;
* every deck and index page has a language switch: a relative link to the same deck (or
  index) in the other language;
* no page loads anything from outside: no script, stylesheet, font, image, frame, CSS ``url()``
  or ``@import``, nor an address in a script, with an external address, in the pages or in
  the libraries beside them (plain ``<a href>`` links are fine);
* everything a page loads is there, beside it: reveal.js 5 with its ``white`` theme, jQuery,
  require.js and MathJax 2, by relative paths, so the folder works opened from disk or served;
* the CJK font subset covers every Chinese character on the slides of both editions (``make
  slides`` installs what it needs; elsewhere a build without it is skipped).

``make slides`` builds the slides and runs this file as its last step
(``COURSE_SLIDES_REQUIRED=1``, which turns every skip into a failure). Elsewhere (``make unit``)
the tests are skipped where no slides are built or they are older than the notebooks: run
``make slides``.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools import slides as slide_tools
from tools.editions import NOTES_TITLES
from tools.html_pages import (
    CSS_URL,
    Page,
    external_in_css,
    external_in_script,
    is_external,
    local_target,
    read_page,
)
from tools.site import Edition, is_cjk
from tools.slide_budget import OUTPUTS_ONLY, fitted, slides

REQUIRED = os.environ.get("COURSE_SLIDES_REQUIRED") == "1"
CHAPTERS = slide_tools.chapters()
EDITIONS = slide_tools.EDITIONS
ENGLISH, CHINESE = EDITIONS
SWITCH = "course-language-switch"
#: What a solution's check says: the slides show the learner's "Not yet" only.
CORRECT = {"en": "Correct!", "zh": "正确！"}

each_edition = pytest.mark.parametrize("edition", EDITIONS, ids=[e.language for e in EDITIONS])


def _decks(edition: Edition) -> list[tuple[Path, Path]]:
    """An edition's chapters and where their slides are built."""
    folder = slide_tools.deck_folder(edition)
    return [(n, slide_tools.slide_page(n, folder)) for n in slide_tools.chapters(edition.notebooks)]

#: External addresses in the libraries' scripts that are links a viewer may click (in MathJax's
#: menus and dialogs), never loaded by the page. Anything else external fails the test.
NEVER_LOADED: dict[str, str] = {
    "http://www.mathjax.org/": "a link in MathJax 2's About box, Help dialog and menu",
    "http://www.stixfonts.org/": "a link in MathJax 2's font warning and Help dialog",
    "https://github.com/mathjax/MathJax/tree/master/fonts/": "a link in MathJax 2's font warning",
}


def _skip_or_fail(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def built() -> Path:
    """The built slides; skipped (failed under make slides) where there are none to test."""
    folder = slide_tools.SLIDES
    stamp = folder / slide_tools.BUILD_STAMP.name
    indexes = [slide_tools.deck_folder(edition) / "index.html" for edition in EDITIONS]
    if not all(index.exists() for index in indexes) or not stamp.exists():
        _skip_or_fail(f"no slides built in {folder} (both editions): run `make slides`")
    chapters = [notebook for edition in EDITIONS for notebook, _ in _decks(edition)]
    sources = [*chapters, slide_tools.TEMPLATE, Path(slide_tools.__file__)]
    if stamp.stat().st_mtime < max(path.stat().st_mtime for path in sources):
        _skip_or_fail("the slides are older than the notebooks or their tools: `make slides`")
    return folder


def pages(folder: Path) -> Iterator[Page]:
    """The slide pages and the index pages of both editions (not the libraries' own HTML)."""
    for path in sorted(folder.rglob("*.html")):
        if "lib" not in path.relative_to(folder).parts:
            yield read_page(path)


def _library_files(folder: Path, suffix: str) -> Iterator[Path]:
    yield from (path for path in sorted((folder / "lib").rglob(f"*{suffix}")) if path.is_file())


# --- the pages -------------------------------------------------------------------------------


@each_edition
def test_every_chapter_has_its_slides_listed_on_the_index(built: Path, edition: Edition) -> None:
    decks = _decks(edition)
    assert decks, "no chapters: the test sees nothing"
    folder = slide_tools.deck_folder(edition)
    # The edition's own index, and the top one, which lists both editions.
    for index_path in {folder / "index.html", built / "index.html"}:
        index = read_page(index_path)
        for notebook, page in decks:
            assert page.exists(), f"{notebook.name} has no slides ({page.name})"
            link = os.path.relpath(page, index_path.parent)
            assert link in index.links, f"{index_path.relative_to(built)} does not link {link}"
            title = slide_tools.title_of(notebook)
            assert title in " ".join(read_page(page).text), f"{page.name} lacks its title"
    built_pages = set(folder.glob(f"*{slide_tools.SLIDE_SUFFIX}"))
    assert built_pages == {page for _, page in decks}


def test_the_chinese_decks_carry_the_notes_section_titles(built: Path) -> None:
    decks = {notebook.name[:2]: page for notebook, page in _decks(CHINESE)}
    for number, title in NOTES_TITLES.items():
        text = " ".join(read_page(decks[number]).text)
        # The title slide's heading (the page's <title> is the notebook's file name).
        assert f"{number} · {title}" in text, f"zh deck {number} lacks {title}"
    assert '<html lang="zh"' in decks["01"].read_text(encoding="utf-8")


@each_edition
def test_every_deck_and_index_has_a_switch_to_the_same_one_in_the_other_language(
    built: Path, edition: Edition
) -> None:
    other = next(item for item in EDITIONS if item != edition)
    here, there = slide_tools.deck_folder(edition), slide_tools.deck_folder(other)
    checked = 0
    for page_path in [*(page for _, page in _decks(edition)), here / "index.html"]:
        source = page_path.read_text(encoding="utf-8")
        switches = re.findall(rf'<a class="{SWITCH}" href="([^"]+)"', source)
        assert len(switches) == 1, f"{page_path.relative_to(built)}: {len(switches)} switches"
        address = switches[0]
        assert not is_external(address) and not address.startswith("/"), address
        target, _ = local_target(page_path, address)
        assert target.resolve() == (there / page_path.name).resolve(), f"{page_path}: {address}"
        assert target.is_file(), f"{page_path.relative_to(built)}: {address} does not exist"
        checked += 1
    assert checked == len(_decks(edition)) + 1


@each_edition
def test_each_chapter_has_one_reveal_slide_per_slide_of_its_metadata(
    built: Path, edition: Edition
) -> None:
    section = re.compile(r"<section\b")
    for notebook, deck in _decks(edition):
        cells = fitted(json.loads(notebook.read_text(encoding="utf-8"))["cells"])
        shown = list(slides(cells))
        starts = sum(
            1 for group in shown if group[0][1]["metadata"]["slideshow"]["slide_type"] == "slide"
        )
        html = deck.read_text(encoding="utf-8")
        # nbconvert wraps each slide's subslides in one more <section>.
        assert len(section.findall(html)) == len(shown) + starts, notebook.name


@each_edition
def test_the_slides_show_every_code_cell_but_the_skipped_ones_and_no_solution(
    built: Path, edition: Edition
) -> None:
    solutions = 0
    for notebook, deck in _decks(edition):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        code = [cell for cell in cells if cell["cell_type"] == "code"]
        shown = [cell for cell in code if cell["metadata"]["slideshow"]["slide_type"] != "skip"]
        solutions += sum("".join(cell["source"]).startswith("%%solution") for cell in code)
        html = deck.read_text(encoding="utf-8")
        # A code cell too tall for one slide shows its outputs on the next, without its code.
        pieces = [cell for cell in fitted(shown) if cell["cell_type"] == "code"]
        outputs_only = [c for c in pieces if OUTPUTS_ONLY in c["metadata"].get("tags", [])]
        assert html.count('class="jp-Cell jp-CodeCell') == len(pieces), notebook.name
        assert html.count(f"celltag_{OUTPUTS_ONLY}") == len(outputs_only), notebook.name
        code_shown = html.count('class="jp-CodeMirrorEditor')
        assert code_shown == len(pieces) - len(outputs_only), f"{notebook.name}: code twice"
        # A solution's check says "Correct!"; the slides show the learner's "Not yet" only.
        correct = CORRECT[edition.language]
        assert correct not in html, f"{edition.language}/{notebook.name} shows a solution's output"
    assert solutions, "no chapter has a solution: the test sees nothing"


# --- nothing from outside --------------------------------------------------------------------


def test_no_slide_page_loads_anything_from_outside(built: Path) -> None:
    problems = []
    for page in pages(built):
        name = page.path.relative_to(built).as_posix()
        problems += [f"{name}: {what} {url}" for what, url in page.loads if is_external(url)]
        for code in page.inline_code:
            problems += [f"{name}: inline {url}" for url in external_in_css(code)]
            problems += [f"{name}: inline {url}" for url in external_in_script(code)]
    assert not problems, "\n".join(problems)


def test_no_stylesheet_or_script_beside_the_slides_loads_anything_from_outside(
    built: Path,
) -> None:
    problems = []
    for path in _library_files(built, ".css"):
        found = external_in_css(path.read_text(encoding="utf-8", errors="replace"))
        problems += [f"{path.relative_to(built)}: {url}" for url in found]
    for path in _library_files(built, ".js"):
        found = external_in_script(path.read_text(encoding="utf-8", errors="replace"), NEVER_LOADED)
        problems += [f"{path.relative_to(built)}: {url}" for url in found]
    assert not problems, "\n".join(problems)


def test_everything_a_slide_page_loads_is_beside_it(built: Path) -> None:
    missing, loaded = [], set()
    for page in pages(built):
        for what, address in page.loads:
            if address.startswith("data:") or is_external(address):
                continue
            target, _ = local_target(page.path, address)
            loaded.add(target)
            if not target.exists():
                missing.append(f"{page.path.relative_to(built)}: {what} {address}")
        # require.js loads reveal.js and its notes plugin by the paths in the page's script.
        for code in page.inline_code:
            for address in re.findall(r'"((?:\.\./)*lib/[^"]+\.js)"', code):
                target = (page.path.parent / address).resolve()
                loaded.add(target)
                if not target.exists():
                    missing.append(f"{page.path.relative_to(built)}: require {address}")
    for path in _library_files(built, ".css"):
        for match in CSS_URL.finditer(path.read_text(encoding="utf-8")):
            address = match.group(1) or match.group(2)
            if not address.startswith("data:") and not is_external(address):
                if not local_target(path, address)[0].exists():
                    missing.append(f"{path.relative_to(built)}: url({address})")
    assert not missing, "\n".join(missing)
    names = {path.resolve().relative_to((built / "lib").resolve()).as_posix() for path in loaded}
    assert {
        "reveal.js/dist/reveal.js",
        "reveal.js/plugin/notes/notes.js",
        "reveal.js/dist/theme/white.css",
        "jquery/dist/jquery.min.js",
        "requirejs/require.js",
        "mathjax2/MathJax.js",
    } <= names, names


def test_the_cjk_font_subset_covers_every_chinese_character_of_the_slides(built: Path) -> None:
    stylesheet = (built / slide_tools.CJK_STYLESHEET).read_text(encoding="utf-8")
    if "@font-face" not in stylesheet:
        # `make slides` installs the tools for it; a build without them is only skipped.
        _skip_or_fail(f"the slides were built without a CJK font subset: {stylesheet.strip()}")
    from fontTools.ttLib import TTFont

    covered = set(TTFont(str(built / slide_tools.CJK_FONT))["cmap"].getBestCmap())
    shown: set[str] = set()
    for page in pages(built):
        # Text and attributes, with character references, as a browser shows them.
        shown |= {c for c in html.unescape(page.path.read_text(encoding="utf-8")) if is_cjk(c)}
    zh_decks = [deck for _, deck in _decks(CHINESE)]
    assert zh_decks and all(deck in {page.path for page in pages(built)} for deck in zh_decks)
    assert len(shown) > 500, "too little Chinese on the slides: the test sees the zh decks?"
    missing = "".join(sorted(c for c in shown if ord(c) not in covered))
    assert not missing, f"the font subset lacks {missing}"
    # Every deck, in both folders, loads the subset's stylesheet.
    for page in pages(built):
        stylesheets = [url for what, url in page.loads if url.endswith("course-cjk.css")]
        assert stylesheets, f"{page.path.relative_to(built)} does not load the CJK font"
        assert local_target(page.path, stylesheets[0])[0].resolve() == (
            built / slide_tools.CJK_STYLESHEET
        ).resolve()


def test_the_libraries_are_reveal_js_5_and_mathjax_2_from_the_lock_file() -> None:
    lock = json.loads((slide_tools.DOCS / "package-lock.json").read_text(encoding="utf-8"))
    packages = lock["packages"]
    reveal, mathjax = packages["node_modules/reveal.js"], packages["node_modules/mathjax2"]
    # reveal.js 6 moved its plugins away from the paths nbconvert's template loads.
    assert reveal["version"].startswith("5."), reveal["version"]
    # nbconvert's template speaks MathJax 2 (MathJax.Hub); npm's "mathjax2" is an alias.
    assert mathjax["version"].startswith("2."), mathjax["version"]
    assert mathjax["name"] == "mathjax", mathjax


def test_chapter_links_point_at_the_chapters_slides() -> None:
    page = '<a href="01_processes_and_threads.ipynb">01</a> <a href="#Key-points">x</a>'
    assert slide_tools.link_chapters_to_slides(page) == (
        '<a href="01_processes_and_threads.slides.html">01</a> <a href="#Key-points">x</a>'
    )


def test_without_a_cjk_font_the_slides_keep_an_empty_font_stylesheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "00_x.slides.html"
    page.write_text("<p>在queue中存放结果</p>", encoding="utf-8")
    monkeypatch.setattr(slide_tools.site_tools, "find_cjk_font", lambda: None)
    said = slide_tools.write_cjk_font([page], tmp_path)
    assert "no CJK font found" in said
    stylesheet = (tmp_path / slide_tools.CJK_STYLESHEET).read_text(encoding="utf-8")
    assert "@font-face" not in stylesheet and "no CJK font found" in stylesheet
    assert not (tmp_path / slide_tools.CJK_FONT).exists()

"""The course's website (``make site``, tools/site.py) as built in docs/_build/html.

What must hold of the built site:

* both editions are built, English (en/) and Chinese (zh/): every chapter of notebooks/ and
  of notebooks/zh/ has a page with its title (the Chinese ones with the notes' own section
  titles), the sidebar lists them in the notes' order, and each edition's start page (its
  README) and instructor's guide are there; the site's root links both;
* every page has a language switch: a relative link to the same page in the other edition;
* no page loads anything from outside: no script, stylesheet, font, image, frame, CSS
  ``url()`` or ``@import`` with an external address, in the pages, the stylesheets or the
  scripts they load (plain ``<a href>`` links to the Python docs are fine);
* solutions are folded: each cell tagged ``solution`` is on the page inside an element the
  toggle button folds, behind "Show solution";
* every link between pages resolves, down to the heading it names (the notebooks use
  JupyterLab's anchors, such as ``#The-__main__-guard``);
* math is typeset by the site's own MathJax, and each edition's CJK font subset covers every
  Chinese character its pages hold (text, attributes, and Sphinx's translations the search
  page shows).

``make site`` builds the site and runs this file as its last step (``COURSE_SITE_REQUIRED=1``,
which turns every skip into a failure). Elsewhere (``make unit``) the tests are skipped where
the site's tools are not installed, or where no site is built or it is older than the
notebooks: run ``make site``.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tools import site as site_tools
from tools.editions import NOTES_TITLES
from tools.html_pages import (
    CSS_URL,
    Page,
    Reader,
    external_in_css,
    external_in_script,
    is_external,
    local_target,
    path_of,
    read_page,
)
from tools.site import (
    BUILD_STAMP,
    CJK_FONT_FILE,
    EDITIONS,
    MATHJAX_PATH,
    SITE,
    Edition,
    index_from_readme,
    is_cjk,
    jupyterlab_anchor,
)

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = os.environ.get("COURSE_SITE_REQUIRED") == "1"
SITE_TOOLS = ("sphinx", "myst_nb", "sphinx_book_theme", "sphinx_togglebutton", "fontTools")
ENGLISH, CHINESE = EDITIONS
#: The largest each edition's CJK font subset may be (bytes): a subset, not the whole font.
FONT_BUDGET = {"en": 200_000, "zh": 400_000}
SWITCH = "course-language-switch"

#: External addresses that appear in the site's scripts without ever being loaded by a
#: current browser, with the reason. Anything else external in a script fails the test.
NEVER_LOADED: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/wicked-good-xpath@": (
        "MathJax 3 loads this XPath polyfill only where document.evaluate is missing "
        "(Internet Explorer)"
    ),
    "https://cdn.jsdelivr.net/npm/speech-rule-engine@": (
        "MathJax 3's speech rule engine path for Internet Explorer (no ES6 modules); "
        "current browsers never take it, and the site does not load the speech extension"
    ),
    "https://cdn.jsdelivr.net/npm/sre-mathmaps-ie@": "the same Internet Explorer path",
    "https://pydata-sphinx-theme.readthedocs.io/": (
        "the theme's console message about its version switcher, which the site does not use"
    ),
    "https://www.sphinx-doc.org/": (
        "a link in Sphinx's Chinese translation of the footer's \"Created using Sphinx\" "
        "(zh/_static/translations.js): a link a reader may click, never loaded"
    ),
}
def _missing_tools() -> list[str]:
    return [name for name in SITE_TOOLS if importlib.util.find_spec(name) is None]


def _skip_or_fail(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site() -> Path:
    """The built site; skipped (failed under make site) where there is none to test."""
    missing = _missing_tools()
    if missing:
        _skip_or_fail(
            f"the site's tools are not installed ({', '.join(missing)}): `make site` installs "
            "them (the `site` extra) and builds the site"
        )
    for edition in EDITIONS:
        if not (edition.html / "index.html").exists():
            _skip_or_fail(f"no {edition.name} edition built in {edition.html}: run `make site`")
    sources = [
        path
        for edition in EDITIONS
        for path in (*edition.chapters(), edition.readme, edition.guide)
    ]
    newest = max(path.stat().st_mtime for path in sources)
    if not BUILD_STAMP.exists() or BUILD_STAMP.stat().st_mtime < newest:
        _skip_or_fail("the built site is older than the notebooks: run `make site` again")
    return SITE


def pages(site: Path) -> Iterator[Page]:
    """The site's pages (not the static files' or the sources' HTML)."""
    for path in sorted(site.rglob("*.html")):
        if "_static" not in path.parts and "_sources" not in path.parts:
            yield read_page(path)



def _chapter_page(edition: Edition, notebook: Path) -> Path:
    return SITE / edition.language / f"{notebook.stem}.html"


# --- the pages -------------------------------------------------------------------------------


def _chapter_title(notebook: Path) -> str:
    """A chapter's title: its first ``# `` heading."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return next(
        line[2:].strip()
        for cell in cells
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
        if line.startswith("# ")
    )


def _edition_pages(site: Path, edition: Edition) -> list[Page]:
    return list(pages(site / edition.language))


each_edition = pytest.mark.parametrize("edition", EDITIONS, ids=[e.language for e in EDITIONS])


@each_edition
def test_every_chapter_has_a_page_with_its_title(site: Path, edition: Edition) -> None:
    assert edition.chapters(), f"no chapters in {edition.notebooks}: the test sees nothing"
    for notebook in edition.chapters():
        page = _chapter_page(edition, notebook)
        assert page.exists(), f"{notebook.name} has no page in the site"
        title = _chapter_title(notebook)
        assert title.split("·")[-1].strip() in " ".join(read_page(page).text), notebook.name
    for name in ("index.html", "instructor_guide.html"):
        assert (site / edition.language / name).exists(), name


def test_the_chinese_chapters_carry_the_notes_section_titles(site: Path) -> None:
    chapters = {notebook.name[:2]: notebook for notebook in CHINESE.chapters()}
    for number, title in NOTES_TITLES.items():
        assert _chapter_title(chapters[number]) == f"{number} · {title}", chapters[number].name
        page = read_page(_chapter_page(CHINESE, chapters[number]))
        # The page's <title> and its first heading.
        shown = [text.strip() for text in page.text]
        assert sum(text.startswith(f"{number} · {title}") for text in shown) >= 2, number


def test_the_chinese_edition_speaks_chinese(site: Path) -> None:
    page = CHINESE.html / "04_pools.html"
    source = page.read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in source, "the Chinese pages must say their language"
    # The theme's own labels (Sphinx's zh_CN translation), and the course's.
    assert "搜索" in " ".join(read_page(page).text + [source])
    assert CHINESE.show_solution in source and CHINESE.title in source


@each_edition
def test_the_sidebar_lists_the_chapters_in_the_notes_order_then_the_guide(
    site: Path, edition: Edition
) -> None:
    expected = [f"{notebook.stem}.html" for notebook in edition.chapters()]
    folder = site / edition.language
    for page_path in (folder / "index.html", folder / expected[-1]):
        # The sidebar links the page it is on as "#".
        names = [
            page_path.name if link == "#" else path_of(link).split("/")[-1]
            for link in read_page(page_path).links
            if link == "#" or not urlsplit(link).fragment
        ]
        listed = [name for name in names if name in {*expected, "instructor_guide.html"}]
        # The sidebar comes first on the page; keep each page's first mention only.
        order = list(dict.fromkeys(listed))
        assert order[: len(expected) + 1] == [*expected, "instructor_guide.html"], page_path.name


def _title(readme: str) -> str:
    """The README's title: its first ``# `` line."""
    return next(line[2:] for line in readme.splitlines() if line.startswith("# "))


def test_the_start_page_is_the_readme_and_the_root_names_each_edition(site: Path) -> None:
    for edition in EDITIONS:
        readme_title = _title(edition.readme.read_text(encoding="utf-8"))
        assert readme_title in " ".join(read_page(edition.html / "index.html").text)
    root = read_page(site / "index.html")
    for edition in EDITIONS:
        assert f"{edition.language}/index.html" in root.links
    # The root's Chinese is drawn with the editions' font subsets, which must be there.
    fonts = re.findall(r'url\("([^"]+)"\)', "\n".join(root.inline_code))
    assert fonts and all((site / font).is_file() for font in fonts), fonts


# --- the language switch ---------------------------------------------------------------------


def _switches(page: Page) -> list[str]:
    """The addresses of the page's language switch links."""
    reader = _SwitchReader()
    reader.feed(page.path.read_text(encoding="utf-8"))
    return reader.found


class _SwitchReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and SWITCH in (values.get("class") or "").split():
            self.found.append(values.get("href") or "")


@each_edition
def test_every_page_has_a_switch_to_the_same_page_in_the_other_language(
    site: Path, edition: Edition
) -> None:
    other = next(e for e in EDITIONS if e != edition)
    seen = 0
    for page in _edition_pages(site, edition):
        name = page.path.relative_to(edition.html).as_posix()
        switches = _switches(page)
        assert len(switches) == 1, f"{edition.language}/{name}: {len(switches)} language switches"
        address = switches[0]
        assert not is_external(address) and not address.startswith("/"), address
        target, _ = local_target(page.path, address)
        # The same page (chapter NN <-> chapter NN, guide <-> guide, start <-> start).
        assert target.resolve() == (other.html / name).resolve(), f"{name} -> {address}"
        assert target.is_file(), f"{edition.language}/{name}: {address} does not exist"
        seen += 1
    chapters = {f"{notebook.stem}.html" for notebook in edition.chapters()}
    assert seen >= len(chapters) + 2, "the test sees too few pages"


# --- nothing from outside --------------------------------------------------------------------


def test_no_page_loads_anything_from_outside(site: Path) -> None:
    problems = []
    for page in pages(site):
        name = page.path.relative_to(site)
        problems += [f"{name}: {what} {url}" for what, url in page.loads if is_external(url)]
        for code in page.inline_code:
            problems += [f"{name}: inline {url}" for url in external_in_css(code)]
            problems += [f"{name}: inline {url}" for url in external_in_script(code, NEVER_LOADED)]
    assert not problems, "\n".join(problems)


def test_no_stylesheet_or_script_of_the_site_loads_anything_from_outside(site: Path) -> None:
    problems = []
    for path in sorted(site.rglob("*.css")):
        problems += [f"{path.relative_to(site)}: {u}" for u in external_in_css(path.read_text())]
    for path in sorted(site.rglob("*.js")):
        text = path.read_text(encoding="utf-8", errors="replace")
        found = external_in_script(text, NEVER_LOADED)
        problems += [f"{path.relative_to(site)}: {url}" for url in found]
    assert not problems, "\n".join(problems)


def test_everything_a_page_loads_is_in_the_site(site: Path) -> None:
    missing = []
    for page in pages(site):
        for what, address in page.loads:
            if address.startswith("data:") or is_external(address):
                continue
            target, _ = local_target(page.path, address)
            if not target.exists():
                missing.append(f"{page.path.relative_to(site)}: {what} {address}")
    for path in sorted(site.rglob("*.css")):
        for match in CSS_URL.finditer(path.read_text(encoding="utf-8")):
            address = match.group(1) or match.group(2)
            if not address.startswith("data:") and not is_external(address):
                if not local_target(path, address)[0].exists():
                    missing.append(f"{path.relative_to(site)}: url({address})")
    assert not missing, "\n".join(missing)


def test_the_url_check_sees_what_it_must() -> None:
    assert external_in_css("a { background: url('https://cdn.example/x.png') }")
    assert external_in_css('@import "//fonts.example/css";')
    assert not external_in_css("@font-face { src: url(fonts/course-cjk.woff2) }")
    assert external_in_script('fetch("https://cdn.example/data.json")')
    assert not external_in_script('createElementNS("http://www.w3.org/2000/svg", "svg")')
    assert not external_in_script('x = \'<a href="https://www.mathjax.org">MathJax</a>\'')
    assert not external_in_script('evaluate("//*[@data-id]"); root = "//../../es5"')
    assert external_in_script("import('//esm.example.com/module.js')")
    page = Page(Path("x.html"))
    Reader(page).feed(
        '<script src="https://cdn.example/a.js"></script><img srcset="//img.example/b.png 2x">'
        '<link rel="stylesheet" href="_static/a.css"><a href="https://docs.python.org/">docs</a>'
    )
    assert [url for _, url in page.loads if is_external(url)] == [
        "https://cdn.example/a.js",
        "//img.example/b.png",
    ]


# --- solutions, links, math, Chinese ---------------------------------------------------------


@each_edition
def test_every_solution_cell_is_folded_behind_show_solution(site: Path, edition: Edition) -> None:
    assert (edition.html / "_static" / "togglebutton.js").exists()
    seen = 0
    for notebook in edition.chapters():
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        solutions = sum("solution" in cell["metadata"].get("tags", []) for cell in cells)
        page = read_page(_chapter_page(edition, notebook))
        folded = sum("tag_solution" in classes.split() for classes in page.classes)
        assert folded == solutions, f"{notebook.name}: {folded} of {solutions} solutions folded"
        if solutions:
            code = "\n".join(page.inline_code)
            # sphinx-togglebutton folds what its selector names, behind its hint.
            assert "togglebuttonSelector = '.cell.tag_solution'" in code, notebook.name
            assert f"toggleHintShow = '{edition.show_solution}'" in code, notebook.name
            assert any(path_of(url).endswith("togglebutton.js") for _, url in page.loads)
        seen += solutions
    assert seen, "no chapter has a solution cell: the test sees nothing"


def test_every_link_between_pages_resolves_to_its_page_and_heading(site: Path) -> None:
    broken = []
    checked = 0
    for page in pages(site):
        for address in page.links:
            if is_external(address) or address.startswith(("mailto:", "javascript:")):
                continue
            target, fragment = local_target(page.path, address)
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.path.relative_to(site)}: {address} (no such page)")
            elif fragment and target.suffix == ".html" and fragment not in read_page(target).ids:
                broken.append(f"{page.path.relative_to(site)}: {address} (no such heading)")
            checked += 1
    assert checked and not broken, "\n".join(broken)


@each_edition
def test_the_notebooks_jupyterlab_anchors_are_headings_on_their_pages(
    site: Path, edition: Edition
) -> None:
    link = re.compile(r"\]\(((?:\d\d_[\w-]+\.ipynb)?)#([^)\s]+)\)")
    seen = 0
    for notebook in edition.chapters():
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for target, anchor in link.findall("".join(cell["source"])):
                page = _chapter_page(edition, Path(target) if target else notebook)
                assert anchor in read_page(page).ids, f"{notebook.name}: {target}#{anchor}"
                seen += 1
    assert seen, "no notebook links to a heading: the test sees nothing"


def test_math_is_typeset_by_the_sites_own_mathjax(site: Path) -> None:
    with_math = [page for page in pages(site) if "math notranslate" in " ".join(page.classes)]
    assert with_math, "no page has math: the test sees nothing"
    for page in with_math:
        scripts = [url for what, url in page.loads if what == "<script src>"]
        mathjax = [url for url in scripts if path_of(url).endswith(MATHJAX_PATH)]
        assert mathjax, f"{page.path.name} has math but does not load the site's MathJax"
        assert local_target(page.path, mathjax[0])[0].exists()
    fonts = site / "en" / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert any(fonts.glob("*.woff")), "MathJax's fonts are not in the site"


def _characters_of(path: Path) -> set[str]:
    """Every CJK character a page or script holds, as a browser would show it: text and
    attributes (a search box's placeholder), character references, JavaScript's escapes."""
    text = html.unescape(path.read_text(encoding="utf-8"))
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match.group(1), 16)), text)
    return {c for c in text if is_cjk(c)}


@each_edition
def test_the_cjk_font_subset_covers_every_chinese_character_of_the_pages(
    site: Path, edition: Edition
) -> None:
    from fontTools.ttLib import TTFont

    font = edition.html / "_static" / CJK_FONT_FILE
    covered = set(TTFont(str(font))["cmap"].getBestCmap())
    files = [page.path for page in pages(edition.html)]
    files += [edition.html / "_static" / "translations.js"] * (
        edition.html / "_static" / "translations.js"
    ).exists()
    shown = set().union(*map(_characters_of, files))
    assert shown, "no Chinese on the pages: the test sees nothing"
    missing = "".join(sorted(c for c in shown if ord(c) not in covered))
    assert not missing, f"{edition.language}: the font subset lacks {missing}"
    budget = FONT_BUDGET[edition.language]
    assert font.stat().st_size < budget, "the subset should hold only the characters used"


# --- the building blocks, without Sphinx -----------------------------------------------------


def test_headings_get_the_anchors_jupyterlab_gives_them() -> None:
    assert jupyterlab_anchor("The __main__ guard") == "The-__main__-guard"
    assert jupyterlab_anchor("Where does a child's print go?") == "Where-does-a-child's-print-go?"
    assert jupyterlab_anchor("What parallelism costs") == "What-parallelism-costs"


@each_edition
def test_the_start_page_is_made_from_the_readme_with_every_chapter_link_rewritten(
    edition: Edition,
) -> None:
    readme = edition.readme.read_text(encoding="utf-8")
    page = index_from_readme(readme, edition)
    assert "](notebooks/" not in page and "](docs/" not in page
    folder = edition.notebooks.relative_to(ROOT).as_posix()
    linked = [n for n in edition.chapters() if f"({folder}/{n.name})" in readme]
    assert len(linked) == len(edition.chapters()), "the README links every chapter"
    for notebook in linked:
        assert f"]({notebook.name})" in page
    # The link to the edition's own guide leads to its page.
    assert f"({edition.guide.relative_to(ROOT).as_posix()})" in readme
    assert "](instructor_guide.md)" in page
    # The README's text is all there, and the sidebar's toctrees come right after its title;
    # its line linking the other languages' READMEs is left out (the site has its own).
    assert page.splitlines()[0] == f"# {_title(readme)}"
    assert "](README" in readme and "](README" not in page
    assert page.index("```{toctree}") < page.index("\n## ")
    assert "[0-9][0-9]_*" in page and "instructor_guide" in page
    assert f":caption: {edition.chapters_caption}" in page


def test_assembling_copies_the_pages_and_removes_a_page_whose_source_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "00_first.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "README.md").write_text("# Title\n\n[00](notebooks/00_first.ipynb)\n")
    (tmp_path / "guide.md").write_text("# Guide\n", encoding="utf-8")
    monkeypatch.setattr(site_tools, "SOURCES", tmp_path / "src")
    edition = Edition("xx", "Test", notebooks, tmp_path / "README.md", tmp_path / "guide.md")
    (tmp_path / "src" / "xx").mkdir(parents=True)
    (tmp_path / "src" / "xx" / "99_renamed.ipynb").write_text("{}", encoding="utf-8")
    names = [path.name for path in site_tools.assemble(edition)]
    assert names == ["00_first.ipynb", "index.md", "instructor_guide.md"]
    assert sorted(p.name for p in (tmp_path / "src" / "xx").iterdir()) == names


def test_the_sites_root_names_every_edition(tmp_path: Path) -> None:
    editions = [
        ENGLISH,
        Edition("zh", "中文", ENGLISH.notebooks, ENGLISH.readme, ENGLISH.guide),
    ]
    root = read_page(site_tools.write_root_page(editions, tmp_path))
    assert root.links == ["en/index.html", "zh/index.html"]
    single = (site_tools.write_root_page(editions[:1], tmp_path / "one")).read_text()
    assert 'http-equiv="refresh" content="0; url=en/index.html"' in single


def test_the_cjk_subset_holds_the_characters_asked_for(tmp_path: Path) -> None:
    font = site_tools.find_cjk_font()
    # fontTools comes with matplotlib, but WOFF2 needs brotli, which only the `site` extra adds.
    missing = [name for name in ("fontTools", "brotli") if importlib.util.find_spec(name) is None]
    if font is None or missing:
        _skip_or_fail("no CJK font, or no fontTools and brotli: `make site` installs them")
    from fontTools.ttLib import TTFont

    page = tmp_path / "page.html"
    page.write_text("<p>多进程与多线程 &#36827;</p>", encoding="utf-8")
    characters = site_tools.cjk_characters([page])
    assert characters == "".join(sorted(set("多进程与线")))
    subset = site_tools.subset_cjk_font(font, characters, tmp_path / "cjk.woff2")
    covered = TTFont(str(subset))["cmap"].getBestCmap()
    assert {ord(c) for c in characters} <= set(covered)
    assert subset.stat().st_size < 20_000

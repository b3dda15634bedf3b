"""The course's website (``make site``, tools/site.py) as built in docs/_build/html.

What must hold of the built site:

* every chapter in notebooks/ has a page, the sidebar lists them in the notes' order, and the
  start page and the instructor's guide are there;
* no page loads anything from outside: no script, stylesheet, font, image, frame, CSS
  ``url()`` or ``@import`` with an external address, in the pages, the stylesheets or the
  scripts they load (plain ``<a href>`` links to the Python docs are fine);
* solutions are folded: each cell tagged ``solution`` is on the page inside an element the
  toggle button folds, behind "Show solution";
* every link between pages resolves, down to the heading it names (the notebooks use
  JupyterLab's anchors, such as ``#The-__main__-guard``);
* math is typeset by the site's own MathJax, and the CJK font subset covers every Chinese
  character the pages show.

``make site`` builds the site and runs this file as its last step (``COURSE_SITE_REQUIRED=1``,
which turns every skip into a failure). Elsewhere (``make unit``) the tests are skipped where
the site's tools are not installed, or where no site is built or it is older than the
notebooks: run ``make site``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tools import site as site_tools
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
ENGLISH = EDITIONS[0]

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
    start = SITE / ENGLISH.language / "index.html"
    if not start.exists():
        _skip_or_fail(f"no site built in {SITE}: run `make site`")
    newest = max(path.stat().st_mtime for path in ENGLISH.chapters())
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


def test_every_chapter_has_a_page_with_its_title(site: Path) -> None:
    for notebook in ENGLISH.chapters():
        page = _chapter_page(ENGLISH, notebook)
        assert page.exists(), f"{notebook.name} has no page in the site"
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        title = next(
            line[2:].strip()
            for cell in cells
            if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines()
            if line.startswith("# ")
        )
        assert title.split("·")[-1].strip() in " ".join(read_page(page).text), notebook.name
    for name in ("index.html", "instructor_guide.html"):
        assert (site / ENGLISH.language / name).exists(), name


def test_the_sidebar_lists_the_chapters_in_the_notes_order_then_the_guide(site: Path) -> None:
    expected = [f"{notebook.stem}.html" for notebook in ENGLISH.chapters()]
    for page_path in (site / "en" / "index.html", site / "en" / expected[-1]):
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
    readme_title = _title(ENGLISH.readme.read_text(encoding="utf-8"))
    assert readme_title in " ".join(read_page(site / "en" / "index.html").text)
    root = read_page(site / "index.html")
    for edition in EDITIONS:
        assert f"{edition.language}/index.html" in root.links


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


def test_every_solution_cell_is_folded_behind_show_solution(site: Path) -> None:
    assert (site / "en" / "_static" / "togglebutton.js").exists()
    seen = 0
    for notebook in ENGLISH.chapters():
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        solutions = sum("solution" in cell["metadata"].get("tags", []) for cell in cells)
        page = read_page(_chapter_page(ENGLISH, notebook))
        folded = sum("tag_solution" in classes.split() for classes in page.classes)
        assert folded == solutions, f"{notebook.name}: {folded} of {solutions} solutions folded"
        if solutions:
            code = "\n".join(page.inline_code)
            # sphinx-togglebutton folds what its selector names, behind its hint.
            assert "togglebuttonSelector = '.cell.tag_solution'" in code, notebook.name
            assert "toggleHintShow = 'Show solution'" in code, notebook.name
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


def test_the_notebooks_jupyterlab_anchors_are_headings_on_their_pages(site: Path) -> None:
    link = re.compile(r"\]\(((?:\d\d_[\w-]+\.ipynb)?)#([^)\s]+)\)")
    seen = 0
    for notebook in ENGLISH.chapters():
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            for target, anchor in link.findall("".join(cell["source"])):
                page = _chapter_page(ENGLISH, Path(target) if target else notebook)
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


def test_the_cjk_font_subset_covers_every_chinese_character_of_the_pages(site: Path) -> None:
    from fontTools.ttLib import TTFont

    font = site / "en" / "_static" / CJK_FONT_FILE
    covered = set(TTFont(str(font))["cmap"].getBestCmap())
    shown = {c for page in pages(site / "en") for c in " ".join(page.text) if is_cjk(c)}
    assert shown, "no Chinese on the pages: the test sees nothing"
    assert not {c for c in shown if ord(c) not in covered}
    assert font.stat().st_size < 200_000, "the subset should hold only the characters used"


# --- the building blocks, without Sphinx -----------------------------------------------------


def test_headings_get_the_anchors_jupyterlab_gives_them() -> None:
    assert jupyterlab_anchor("The __main__ guard") == "The-__main__-guard"
    assert jupyterlab_anchor("Where does a child's print go?") == "Where-does-a-child's-print-go?"
    assert jupyterlab_anchor("What parallelism costs") == "What-parallelism-costs"


def test_the_start_page_is_made_from_the_readme_with_every_chapter_link_rewritten() -> None:
    readme = ENGLISH.readme.read_text(encoding="utf-8")
    page = index_from_readme(readme)
    assert "](notebooks/" not in page
    for notebook in ENGLISH.chapters():
        if f"(notebooks/{notebook.name})" in readme:
            assert f"]({notebook.name})" in page
    # The README's text is all there, and the sidebar's toctrees come right after its title;
    # its line linking the other languages' READMEs is left out (the site has its own).
    assert page.splitlines()[0] == f"# {_title(readme)}"
    assert "README.zh-CN.md" in readme and "README.zh-CN.md" not in page
    assert page.index("```{toctree}") < page.index("\n## ")
    assert "[0-9][0-9]_*" in page and "instructor_guide" in page


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

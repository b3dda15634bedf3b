"""Build every chapter as reveal.js slides: ``python -m tools.slides build`` (``make slides``).

The slides are nbconvert's reveal.js export of the committed notebooks with their stored
outputs (nothing is executed), one page per chapter, in both editions (English from
notebooks/, Chinese from notebooks/zh/), with an index page per edition::

    docs/_build/slides/index.html              the chapters of both editions, in the notes' order
    docs/_build/slides/NN_name.slides.html     one chapter's slides (English)
    docs/_build/slides/zh/index.html           the Chinese chapters
    docs/_build/slides/zh/NN_name.slides.html  one chapter's slides (Chinese)
    docs/_build/slides/lib/                    reveal.js 5, jQuery, require.js, MathJax 2, the
                                               CJK font subset: one copy for both editions

Every deck carries a language switch, a small link in the corner of every slide to the same
chapter's deck in the other language, and each index page a link to the other's.

Where the slides break is written in each notebook's cell metadata
(``metadata.slideshow.slide_type``, checked by tests/test_slide_structure.py); the solutions
are skipped there. A cell that alone is taller than a slide is cut for the slides only
(:func:`tools.slide_budget.fitted`: markdown between paragraphs, code and its outputs on two
slides, a piece still too tall shrunk), so that no slide is taller than the screen.

Nothing is loaded from outside, when building or when presenting: the libraries nbconvert's
template loads come from the npm registry (``docs/package.json``, ``docs/package-lock.json``,
installed into ``docs/node_modules`` by ``npm ci``) and are copied into ``lib/`` beside the
pages, which name them by relative paths, so the folder works opened from disk or served.
Why these versions: reveal.js 6 moved its plugins away from the paths nbconvert's template
loads; nbconvert's template speaks MathJax 2's API (``MathJax.Hub``); reveal.js's ``white``
theme is the one that loads no web font. The template's one import that cannot be made
local, mermaid from a CDN (its URL is not configurable), is left out by the course's own
template, ``docs/slides/course_slides.html.j2``, which extends nbconvert's.

Commands::

    python -m tools.slides build     export every chapter and write the index page
    python -m tools.slides npm       install the npm packages (npm ci in docs/)
    python -m tools.slides where     print the path of the slides' index page
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tools import site as site_tools
from tools.slide_budget import OUTPUTS_ONLY, fitted

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"
NODE_MODULES = DOCS / "node_modules"
SLIDES = DOCS / "_build" / "slides"
TEMPLATE = DOCS / "slides" / "course_slides.html.j2"
#: Written when a build ended: tests/test_slides.py compares it with the notebooks.
BUILD_STAMP = SLIDES / ".built"
#: The folder, beside the pages, that holds the libraries the pages load.
LIB = "lib"
#: The reveal.js theme: the only one of reveal.js's themes that loads no web font.
THEME = "white"
#: Chinese on the slides (the Chinese decks, the English chapters' subtitles) is drawn with a
#: subset of a CJK font cut at build time from every deck and index page of both editions, as
#: the site does (tools/site.py), where the tools for it are there: fontTools with brotli (the
#: ``site`` extra) and a CJK font (Debian's fonts-noto-cjk); ``make slides`` installs them.
#: The template always loads this stylesheet; without the subset it is empty and the viewer's
#: fonts are used.
CJK_STYLESHEET = f"{LIB}/fonts/course-cjk.css"
CJK_FONT = f"{LIB}/fonts/course-cjk.woff2"
#: The slide size reveal.js scales to the screen (nbconvert's default, reveal.js's too).
WIDTH, HEIGHT = 960, 700
SLIDE_SUFFIX = ".slides.html"


@dataclass(frozen=True)
class Library:
    """Files the slides need from one npm package, and where the pages find them."""

    package: str
    #: Files or folders of the package, relative to its folder in node_modules.
    parts: tuple[str, ...]
    #: The address the pages load it by, relative to ``lib/<package>/``.
    entry: str
    #: Names (glob patterns) left out of the folders copied.
    ignore: tuple[str, ...] = ()


LIBRARIES: tuple[Library, ...] = (
    # reveal.js's script and stylesheet, the white theme with its local font (the other themes
    # load Google fonts), and the speaker notes plugin nbconvert's template loads.
    Library(
        "reveal.js",
        (
            "dist/reveal.js",
            "dist/reveal.css",
            "dist/theme/white.css",
            "dist/theme/fonts/source-sans-pro",
            "plugin/notes",
        ),
        "",
    ),
    Library("jquery", ("dist/jquery.min.js",), "dist/jquery.min.js"),
    Library("requirejs", ("require.js",), "require.js"),
    # MathJax 2 (npm alias of mathjax@2): the TeX-to-HTML configuration nbconvert asks for and
    # what it loads on demand; only the TeX fonts (the others are 15 MB MathJax never loads).
    # Left out: MathML input (the chapters are TeX) and the speech rules of the accessibility
    # menu's explorer, which fetches its rule engine from a CDN (turning it on does nothing).
    Library(
        "mathjax2",
        (
            "MathJax.js",
            "config/TeX-AMS_CHTML-full.js",
            "config/Safe.js",
            "extensions",
            "jax/element",
            "jax/input/TeX",
            "jax/output/CommonHTML",
            "jax/output/PreviewHTML",
            "fonts/HTML-CSS/TeX/woff",
            "localization/en",
        ),
        "MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        ("MathML", "mathjax-sre.js", "mathmaps"),
    ),
)


#: The editions, English first (tools/site.py): where their chapters are.
EDITIONS = site_tools.EDITIONS


class SlidesError(RuntimeError):
    """Something the build needs is missing; the message says what to do."""


def deck_folder(edition: site_tools.Edition, slides: Path = SLIDES) -> Path:
    """Where an edition's slides are built: the English at the top (their addresses as they
    always were), any other in a folder named for its language.

    >>> deck_folder(EDITIONS[1], Path("out")).as_posix()
    'out/zh'
    """
    return slides if edition == EDITIONS[0] else slides / edition.language


def _up(edition: site_tools.Edition) -> str:
    """The relative way from an edition's folder to the top of the slides ("" or "../")."""
    return "" if edition == EDITIONS[0] else "../"


def language_switch(
    edition: site_tools.Edition, page: str = "index.html"
) -> dict[str, str] | None:
    """The link from a deck (or index page) to the same one in the other edition.

    >>> language_switch(EDITIONS[0], "02_queues.slides.html")["href"]
    'zh/02_queues.slides.html'
    >>> language_switch(EDITIONS[1], "index.html")["href"]
    '../index.html'
    """
    other = next((item for item in EDITIONS if item != edition), None)
    if other is None:
        return None
    here = deck_folder(edition, Path("slides"))
    there = deck_folder(other, Path("slides")) / page
    href = Path(os.path.relpath(there, here)).as_posix()
    return {"href": href, "label": other.name, "hreflang": other.html_language}


def chapters(notebooks: Path = NOTEBOOKS) -> list[Path]:
    """The chapters, in the order of the notes (their numbers)."""
    return sorted(notebooks.glob(site_tools.CHAPTER_GLOB))


def slide_page(notebook: Path, slides: Path = SLIDES) -> Path:
    """Where a chapter's slides are built.

    >>> slide_page(Path("notebooks/02_queues.ipynb"), Path("out")).as_posix()
    'out/02_queues.slides.html'
    """
    return slides / f"{notebook.stem}{SLIDE_SUFFIX}"


def library_url(package: str) -> str:
    """The relative address a page loads a library by.

    >>> library_url("requirejs")
    'lib/requirejs/require.js'
    """
    library = next((item for item in LIBRARIES if item.package == package), None)
    if library is None:
        raise ValueError(f"package must be one of {[item.package for item in LIBRARIES]}")
    return f"{LIB}/{library.package}/{library.entry}".rstrip("/")


def install_npm_packages(docs: Path = DOCS) -> Path:
    """``npm ci`` in docs/: the packages exactly as docs/package-lock.json pins them."""
    if shutil.which("npm") is None and not site_tools._apt_get_install("npm"):
        raise SlidesError(
            "make slides takes reveal.js, jQuery, require.js and MathJax 2 from the npm "
            "registry and needs npm (Node.js): install it (Debian, Ubuntu: `sudo apt-get "
            "install npm`; macOS: `brew install node`)."
        )
    npm = shutil.which("npm") or "npm"
    command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run(command, cwd=docs, check=True)
    return docs / "node_modules"


def copy_libraries(node_modules: Path = NODE_MODULES, slides: Path = SLIDES) -> None:
    """Copy the parts of each library the pages load into ``lib/`` beside them (afresh)."""
    shutil.rmtree(slides / LIB, ignore_errors=True)
    for library in LIBRARIES:
        package = node_modules / library.package
        if not (package / "package.json").exists():
            raise SlidesError(
                f"the npm package {library.package} is not installed in {node_modules}: run "
                "`make slides` (it runs `npm ci` in docs/), or `cd docs && npm ci`."
            )
        for part in library.parts:
            source, target = package / part, slides / LIB / library.package / part
            if source.is_dir():
                ignore = shutil.ignore_patterns(*library.ignore)
                shutil.copytree(source, target, ignore=ignore, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


def exporter(edition: site_tools.Edition = EDITIONS[0]):  # -> nbconvert.SlidesExporter
    """nbconvert's reveal.js exporter, with the course's template and local libraries, for
    an edition's folder (its language, and the way up to ``lib/``)."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.extra_template_paths = [str(TEMPLATE.parent)]
    config.SlidesExporter.template_file = TEMPLATE.name
    up = _up(edition)
    # nbconvert takes an ISO 639-1 code only ("zh", not "zh-CN") for <html lang>.
    config.SlidesExporter.language_code = edition.html_language.split("-")[0]
    config.SlidesExporter.reveal_url_prefix = up + library_url("reveal.js")
    config.SlidesExporter.reveal_theme = THEME
    config.SlidesExporter.reveal_width = str(WIDTH)
    config.SlidesExporter.reveal_height = str(HEIGHT)
    config.SlidesExporter.reveal_number = "c/t"
    config.SlidesExporter.jquery_url = up + library_url("jquery")
    config.SlidesExporter.require_js_url = up + library_url("requirejs")
    config.SlidesExporter.mathjax_url = up + library_url("mathjax2")
    # The prompts ("In [3]:") take a sixth of the width a slide has for code.
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    # A cell too tall for a slide shows its outputs on the next one, without its code again.
    config.TagRemovePreprocessor.remove_input_tags = {OUTPUTS_ONLY}
    return SlidesExporter(config=config)


def slide_notebook(notebook: Path):  # -> nbformat.NotebookNode
    """A chapter as its slides show it: cells too tall for a slide cut or shrunk
    (:func:`tools.slide_budget.fitted`); the notebook itself is not changed."""
    import nbformat

    node = nbformat.read(notebook, as_version=4)
    node.cells = [nbformat.from_dict(cell) for cell in fitted(node.cells)]
    return node


_CHAPTER_LINK = re.compile(r'href="(\d\d_[\w-]+)\.ipynb(?:#[^"]*)?"')


def link_chapters_to_slides(page: str) -> str:
    """Point a page's links to other chapters at their slides (reveal.js keeps its own ``#``).

    >>> link_chapters_to_slides('<a href="02_queues.ipynb#Key-points">02</a>')
    '<a href="02_queues.slides.html">02</a>'
    """
    return _CHAPTER_LINK.sub(lambda match: f'href="{match.group(1)}{SLIDE_SUFFIX}"', page)


def title_of(notebook: Path) -> str:
    """A chapter's title: its first ``# `` heading, else its file name."""
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook.stem


def write_cjk_font(pages: list[Path], slides: Path = SLIDES) -> str:
    """Cut the CJK font subset for the Chinese on ``pages`` and write its stylesheet.

    Returns what was done, in words: the subset needs a CJK font and fontTools with brotli;
    without them the stylesheet declares no font and the slides use the viewer's fonts.
    """
    stylesheet = slides / CJK_STYLESHEET
    stylesheet.parent.mkdir(parents=True, exist_ok=True)
    characters = site_tools.cjk_characters(pages)
    font = site_tools.find_cjk_font()
    missing = [name for name in ("fontTools", "brotli") if importlib.util.find_spec(name) is None]
    if not characters or font is None or missing:
        if not characters:
            reason = "no Chinese on the slides"
        elif font is None:
            reason = "no CJK font found (Debian: fonts-noto-cjk; `make site` installs it)"
        else:
            reason = f"{' and '.join(missing)} missing (the `site` extra; `make site`)"
        stylesheet.write_text(f"/* No CJK font subset: {reason}. */\n", encoding="utf-8")
        return f"Chinese in the viewer's fonts: {reason}"
    site_tools.subset_cjk_font(font, characters, slides / CJK_FONT)
    stylesheet.write_text(
        '@font-face {\n  font-family: "Course CJK";\n'
        f'  src: url("{Path(CJK_FONT).name}") format("woff2");\n  font-display: swap;\n}}\n',
        encoding="utf-8",
    )
    return f"Chinese drawn with a subset of {font.name} ({len(characters)} characters)"


_INDEX_TEXT = {
    "en": (
        "Parallel Python, hands-on: slides",
        "One presentation per chapter. Keys: arrows or space to move, <kbd>s</kbd> for the "
        "speaker view, <kbd>f</kbd> for full screen, <kbd>Esc</kbd> for the overview.",
    ),
    "zh": (
        "动手学 Python 并行：幻灯片",
        "每章一份演示文稿。按键：方向键或空格键翻页，<kbd>s</kbd> 打开演讲者视图，"
        "<kbd>f</kbd> 全屏，<kbd>Esc</kbd> 总览。",
    ),
}


def _switch_link(switch: dict[str, str] | None) -> str:
    if switch is None:
        return ""
    return (
        f'  <p><a class="course-language-switch" href="{switch["href"]}" '
        f'hreflang="{switch["hreflang"]}" lang="{switch["hreflang"]}">'
        f"{html.escape(switch['label'])}</a></p>\n"
    )


def write_index(
    edition: site_tools.Edition, decks: dict[site_tools.Edition, list[Path]], slides: Path = SLIDES
) -> Path:
    """An edition's index page: a link to each of its chapters' slides, and a language switch.

    The English one, at the top of the slides, lists the Chinese chapters too.
    """
    folder = deck_folder(edition, slides)
    title, keys = _INDEX_TEXT.get(edition.language, _INDEX_TEXT["en"])
    listed = decks if edition == EDITIONS[0] else {edition: decks[edition]}
    lists = []
    for shown, notebooks in listed.items():
        prefix = Path(os.path.relpath(deck_folder(shown, slides), folder))
        items = "\n".join(
            f'    <li><a href="{(prefix / slide_page(notebook, Path()).name).as_posix()}">'
            f"{html.escape(title_of(notebook))}</a></li>"
            for notebook in notebooks
        )
        heading = f"  <h2>{html.escape(shown.name)}</h2>\n" if len(listed) > 1 else ""
        lists.append(
            f'{heading}  <ol start="0" lang="{shown.html_language}">\n{items}\n  </ol>\n'
        )
    page = (
        f'<!DOCTYPE html>\n<html lang="{edition.html_language}">\n<head>\n'
        '  <meta charset="utf-8">\n'
        f"  <title>{html.escape(title)}</title>\n"
        f'  <link rel="stylesheet" href="{_up(edition)}{CJK_STYLESHEET}">\n'
        '  <style>body { font-family: system-ui, sans-serif, "Course CJK"; }</style>\n'
        "</head>\n<body>\n"
        f"{_switch_link(language_switch(edition))}"
        f"  <h1>{html.escape(title)}</h1>\n"
        f"  <p>{keys}</p>\n"
        f"{''.join(lists)}</body>\n</html>\n"
    )
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def build(editions: tuple[site_tools.Edition, ...] = EDITIONS, slides: Path = SLIDES) -> Path:
    """Export every chapter of every edition, copy the libraries, cut the CJK font subset for
    all of them, write the index pages; return the top index page."""
    decks = {edition: chapters(edition.notebooks) for edition in editions}
    for edition, found in decks.items():
        if not found:
            raise SlidesError(f"no chapters ({site_tools.CHAPTER_GLOB}) in {edition.notebooks}")
    slides.mkdir(parents=True, exist_ok=True)
    copy_libraries(slides=slides)
    built: list[Path] = []
    for edition, found in decks.items():
        folder = deck_folder(edition, slides)
        folder.mkdir(parents=True, exist_ok=True)
        export = exporter(edition)
        for notebook in found:
            page = slide_page(notebook, folder)
            course = {
                "lib": _up(edition) + LIB,
                "switch": language_switch(edition, page.name),
            }
            # The browser's tab shows the chapter's title (nbconvert's default: "Notebook").
            resources = {"course": course, "metadata": {"name": title_of(notebook)}}
            body, _ = export.from_notebook_node(slide_notebook(notebook), resources=resources)
            page.write_text(link_chapters_to_slides(body), encoding="utf-8")
            built.append(page)
        for stale in set(folder.glob(f"*{SLIDE_SUFFIX}")) - set(built):
            stale.unlink()
    indexes = [write_index(edition, decks, slides) for edition in editions]
    print(write_cjk_font([*built, *indexes], slides))
    (slides / BUILD_STAMP.name).touch()
    return indexes[0]


def main(argv: list[str] | None = None) -> int:
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m tools.slides", description=summary)
    parser.add_argument("command", choices=["build", "npm", "where"])
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "npm":
            print(f"npm packages: {install_npm_packages()}")
        elif arguments.command == "where":
            print(SLIDES / "index.html")
        else:
            index = build()
            print(f"The slides are built: open {index} in a browser (they need no network).")
    except SlidesError as error:
        print(f"make slides: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
